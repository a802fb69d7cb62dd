import { Controller, Delete, Get, Param, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { selfUserId, type AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { JSON_CONTENT_TYPE } from '../../common/http/json-text';
import { UserIdParamDto } from './dto/consent.dto';
import { ErasureReceiptDto, toReceiptDto } from './dto/privacy.dto';
import { PrivacyErasureService } from './privacy-erasure.service';
import { PrivacyExportService, type ExportRequest } from './privacy-export.service';

/** The export document's outline (its records are those of each personal-data source, as stored). */
const EXPORT_SCHEMA = {
  type: 'object',
  required: ['format', 'exportedAt', 'userId'],
  properties: {
    format: { type: 'string' },
    exportedAt: { type: 'string', format: 'date-time' },
    userId: { type: 'string', format: 'uuid' },
    settings: { type: 'object', additionalProperties: true, nullable: true },
    consentHistory: { type: 'array', items: { type: 'object', additionalProperties: true } },
    learningEvents: { type: 'array', items: { type: 'object', additionalProperties: true } },
    auditEntries: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
};

function download(exporter: PrivacyExportService, request: ExportRequest): StreamableFile {
  return new StreamableFile(Readable.from(exporter.stream(request)), {
    type: JSON_CONTENT_TYPE,
    disposition: `attachment; filename="personal-data-export.json"`,
  });
}

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('privacy')
export class PrivacyController {
  constructor(
    private readonly exporter: PrivacyExportService,
    private readonly eraser: PrivacyErasureService,
  ) {}

  @Get('me/export')
  @Roles('user')
  @ApiOperation({
    summary:
      'Everything held about the caller as one streamed JSON document (settings, consent history, events decrypted, audit entries)',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The export document (streamed)', schema: EXPORT_SCHEMA })
  exportMine(@CurrentUser() user: AuthUser): StreamableFile {
    return download(this.exporter, { userId: selfUserId(user), requestedBy: { self: true } });
  }

  @Get('users/:userId/export')
  @Roles('admin')
  @ApiOperation({ summary: 'Export a user’s personal data (admins)' })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The export document (streamed)', schema: EXPORT_SCHEMA })
  exportUser(@Param() params: UserIdParamDto, @CurrentUser() user: AuthUser): StreamableFile {
    return download(this.exporter, {
      userId: params.userId.toLowerCase(),
      requestedBy: { self: false, actor: user.sub },
    });
  }

  @Delete('me')
  @Roles('user')
  @ApiOperation({
    summary:
      'Erase the caller: events and settings deleted, data key shredded, evidence pseudonymized; answers a receipt',
  })
  @ApiOkResponse({ type: ErasureReceiptDto })
  async eraseMine(@CurrentUser() user: AuthUser): Promise<ErasureReceiptDto> {
    return toReceiptDto(await this.eraser.erase({ userId: selfUserId(user), requestedBy: { self: true } }));
  }

  @Delete('users/:userId')
  @Roles('admin')
  @ApiOperation({ summary: 'Erase a user (admins); answers a receipt' })
  @ApiOkResponse({ type: ErasureReceiptDto })
  async eraseUser(@Param() params: UserIdParamDto, @CurrentUser() user: AuthUser): Promise<ErasureReceiptDto> {
    return toReceiptDto(
      await this.eraser.erase({ userId: params.userId.toLowerCase(), requestedBy: { self: false, actor: user.sub } }),
    );
  }
}
