import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { Public } from '../../src/common/decorators/auth.decorators';

class InnerDto {
  @IsString() @MaxLength(5) name: string;
}

class ProbeBodyDto {
  @IsInt() @Min(1) @Max(10) count: number;
  @ValidateNested() @Type(() => InnerDto) inner: InnerDto;
}

export const LEAKY_SECRET = 'connection to postgres://admin:hunter2@db failed';

/** Routes that exist only in tests, to drive failure paths the real API has no reason to expose. */
@Public()
@Controller('test-probe')
export class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeBodyDto) {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error(LEAKY_SECRET);
  }

  @Get('slow')
  async slow(@Query('ms') ms = '300') {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return { done: true };
  }
}
