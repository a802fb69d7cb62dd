import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { SafeText } from '../../../common/text/safe-text';

export class TokenRequestDto {
  @ApiProperty({ description: 'The API client id (uuid) printed by `npm run client:create`', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @SafeText()
  clientId: string;

  @ApiProperty({ description: 'The client secret printed once at creation', maxLength: 256, writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  clientSecret: string;
}
