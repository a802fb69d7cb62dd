import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/decorators/auth.decorators';
import { AuditService } from './audit.service';
import { AuditPageResponseDto, toAuditEntryResponse } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Read the audit log, newest first (admin)' })
  @ApiOkResponse({ type: AuditPageResponseDto })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageResponseDto> {
    const page = await this.audit.list(query);
    return { items: page.items.map(toAuditEntryResponse), nextCursor: page.nextCursor };
  }
}
