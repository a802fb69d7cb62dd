import { Body, Controller, Delete, HttpCode, Ip, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/decorators/auth.decorators';
import { uuidParam } from '../../common/http/uuid-param';
import { ApiClientsService } from './api-clients.service';
import { AuthService } from './auth.service';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenResponseDto } from './dto/token-response.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly clients: ApiClientsService,
  ) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange API client credentials for a short-lived access token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong id or secret, or a revoked client (AUTH.INVALID_CLIENT)' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failures for this client, from this address or from all (AUTH.TOO_MANY_ATTEMPTS), with Retry-After',
  })
  @ApiServiceUnavailableResponse({ description: 'Every credential-check slot is taken (AUTH.BUSY), with Retry-After' })
  token(@Body() body: TokenRequestDto, @Ip() ip: string): Promise<TokenResponseDto> {
    return this.auth.issueClientToken(body.clientId, body.clientSecret, ip);
  }

  @Delete('clients/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke an API client (admin): its tokens fail within a second on every instance' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked (audited as auth.client.revoked)' })
  @ApiNotFoundResponse({ description: 'No active client has this id (AUTH.CLIENT_NOT_FOUND)' })
  revoke(@Param('id', uuidParam('id')) id: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.clients.revokeByAdmin(id.toLowerCase(), user.sub);
  }
}
