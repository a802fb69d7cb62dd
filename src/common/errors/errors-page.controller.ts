import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../decorators/auth.decorators';
import { renderErrorsPage } from './error-catalog';

const PAGE = renderErrorsPage();

/** `GET /errors`: the page every problem's `type` points to (`/errors#<code>`), outside the API prefix. */
@ApiTags('errors')
@Controller('errors')
export class ErrorsPageController {
  @Get()
  @Public()
  @Header('content-type', 'text/markdown; charset=utf-8')
  @ApiOperation({ summary: 'Every error code: its status, what it means and what a client should do' })
  @ApiProduces('text/markdown')
  @ApiOkResponse({
    description: 'The error catalog (docs/errors.md), one section per code',
    schema: { type: 'string' },
  })
  show(): string {
    return PAGE;
  }
}
