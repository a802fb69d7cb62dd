import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../../common/decorators/auth.decorators';
import { AuthService } from './auth.service';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenResponseDto } from './dto/token-response.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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
}
