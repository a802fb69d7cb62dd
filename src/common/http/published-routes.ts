import { applyDecorators, Get, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { Roles } from '../decorators/auth.decorators';
import { JsonText } from './json-text';

/**
 * `GET /` of published results (patterns, insights): users and services read them (their history too, for admins);
 * the page comes from the read cache as JSON text and goes out as it is.
 */
export const PublishedList = (summary: string, type: Type<unknown>) =>
  applyDecorators(Get(), Roles('user', 'service'), ApiOperation({ summary }), ApiOkResponse({ type }), JsonText());

/** `GET /:id` of one published result, for users and services (its history, for admins). */
export const PublishedItem = (summary: string, type: Type<unknown>) =>
  applyDecorators(
    Get(':id'),
    Roles('user', 'service'),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
    ApiParam({ name: 'id', format: 'uuid' }),
  );
