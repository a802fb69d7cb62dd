import { Controller, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import { AuditPageResponseDto, toAuditEntryResponse } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';
import { ReadRoute } from '../../common/http/published-routes';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ReadRoute('', 'admin', 'Read the audit log, newest first (admin)', AuditPageResponseDto)
  async list(@Query() query: AuditQueryDto): Promise<AuditPageResponseDto> {
    const page = await this.audit.list(query);
    return { items: page.items.map(toAuditEntryResponse), nextCursor: page.nextCursor };
  }
}
