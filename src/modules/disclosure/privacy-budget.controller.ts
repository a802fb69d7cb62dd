import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/decorators/auth.decorators';
import { PrivacyBudgetDto } from './dto/privacy-budget.dto';
import { PrivacyBudget } from './privacy-budget.service';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('privacy/budget')
export class PrivacyBudgetController {
  constructor(private readonly budget: PrivacyBudget) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The differential-privacy budget: spent and remaining in the rolling period (admin)' })
  @ApiOkResponse({ type: PrivacyBudgetDto })
  status(): Promise<PrivacyBudgetDto> {
    return this.budget.status();
  }
}
