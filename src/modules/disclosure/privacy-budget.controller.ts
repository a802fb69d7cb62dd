import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PrivacyBudgetDto } from './dto/privacy-budget.dto';
import { PrivacyBudget } from './privacy-budget.service';
import { ReadRoute } from '../../common/http/published-routes';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('privacy/budget')
export class PrivacyBudgetController {
  constructor(private readonly budget: PrivacyBudget) {}

  @ReadRoute(
    '',
    'admin',
    'The differential-privacy budget: spent and remaining in the rolling period (admin)',
    PrivacyBudgetDto,
  )
  status(): Promise<PrivacyBudgetDto> {
    return this.budget.status();
  }
}
