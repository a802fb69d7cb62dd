import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import {
  CryptoStatusResponseDto,
  KeyRotationResponseDto,
  toCryptoStatusResponse,
  toRotationResponse,
} from './dto/crypto-status-response.dto';
import { RotateKeysDto } from './dto/rotate-keys.dto';
import { KeyRotationService } from './key-rotation.service';
import { KeyStatusService } from './key-status.service';
import { ReadRoute } from '../../common/http/published-routes';

@ApiTags('crypto')
@ApiBearerAuth()
@Controller('crypto')
export class CryptoController {
  constructor(
    private readonly status: KeyStatusService,
    private readonly rotations: KeyRotationService,
  ) {}

  @ReadRoute(
    'status',
    'admin',
    'Key ids, how many keys each still wraps, and rotation progress (admin)',
    CryptoStatusResponseDto,
  )
  async getStatus(): Promise<CryptoStatusResponseDto> {
    return toCryptoStatusResponse(await this.status.status());
  }

  @Post('rotate')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Rewrap every data key to the current key-encryption key, in the background (admin)' })
  @ApiAcceptedResponse({
    type: KeyRotationResponseDto,
    description: 'The started rotation, or the one already running',
  })
  async rotate(@CurrentUser() user: AuthUser, @Body() body: RotateKeysDto = {}): Promise<KeyRotationResponseDto> {
    return toRotationResponse(await this.rotations.start(user, body?.targetKeyId));
  }
}
