import { Body, Controller, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { selfUserId, type AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentReceiptsService } from './consent-receipts.service';
import { ConsentHistoryDto, ConsentHistoryQueryDto } from './dto/consent-receipt.dto';
import { ConsentResponseDto, toConsentResponse, UpdateConsentDto, UserIdParamDto } from './dto/consent.dto';
import { ReadRoute } from '../../common/http/published-routes';

@ApiTags('consent')
@ApiBearerAuth()
@Controller('consent')
export class ConsentController {
  constructor(
    private readonly ledger: ConsentLedgerService,
    private readonly receipts: ConsentReceiptsService,
  ) {}

  @ReadRoute('me', 'user', 'The caller’s own consent', ConsentResponseDto)
  async getMine(@CurrentUser() user: AuthUser): Promise<ConsentResponseDto> {
    return toConsentResponse(await this.ledger.current(selfUserId(user)));
  }

  @Put('me')
  @Roles('user')
  @ApiOperation({ summary: 'Give or withdraw the caller’s consent to collective learning (recorded in the ledger)' })
  @ApiOkResponse({ type: ConsentResponseDto })
  async putMine(@CurrentUser() user: AuthUser, @Body() body: UpdateConsentDto): Promise<ConsentResponseDto> {
    return toConsentResponse(await this.ledger.change(selfUserId(user), body, user, true));
  }

  @ReadRoute(
    'me/history',
    'user',
    'The caller’s consent receipts: ledger records newest first, each with its hash and check',
    ConsentHistoryDto,
  )
  myHistory(@CurrentUser() user: AuthUser, @Query() query: ConsentHistoryQueryDto): Promise<ConsentHistoryDto> {
    return this.receipts.page(selfUserId(user), query.limit, query.cursor);
  }

  @ReadRoute(':userId/history', 'service', 'A user’s consent receipts (services and admins)', ConsentHistoryDto)
  history(@Param() params: UserIdParamDto, @Query() query: ConsentHistoryQueryDto): Promise<ConsentHistoryDto> {
    return this.receipts.page(params.userId.toLowerCase(), query.limit, query.cursor);
  }

  @ReadRoute(':userId', 'service', 'A user’s consent (services and admins)', ConsentResponseDto)
  async get(@Param() params: UserIdParamDto): Promise<ConsentResponseDto> {
    return toConsentResponse(await this.ledger.current(params.userId.toLowerCase()));
  }

  @Put(':userId')
  @Roles('service')
  @ApiOperation({
    summary: 'Record a user’s consent on their behalf (services and admins; source and actor come from the token)',
  })
  @ApiOkResponse({ type: ConsentResponseDto })
  async put(
    @CurrentUser() user: AuthUser,
    @Param() params: UserIdParamDto,
    @Body() body: UpdateConsentDto,
  ): Promise<ConsentResponseDto> {
    return toConsentResponse(await this.ledger.change(params.userId.toLowerCase(), body, user, false));
  }
}
