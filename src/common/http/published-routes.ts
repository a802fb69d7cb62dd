import { applyDecorators, Get, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { Role } from '../auth/auth-user';
import { Roles } from '../decorators/auth.decorators';
import { JsonText } from './json-text';

/** A `GET` route: its path, the roles that may call it, and what it answers (summary and success type). */
export const ReadRoute = (path: string, roles: Role | Role[], summary: string, type: Type<unknown>) =>
  applyDecorators(
    Get(path),
    Roles(...(Array.isArray(roles) ? roles : [roles])),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
  );

/**
 * `GET /` of published results (patterns, insights): users and services read them (their history too, for admins);
 * the page comes from the read cache as JSON text and goes out as it is.
 */
export const PublishedList = (summary: string, type: Type<unknown>) =>
  applyDecorators(ReadRoute('', ['user', 'service'], summary, type), JsonText());

/** `GET /:id` of one published result, for users and services (its history, for admins). */
export const PublishedItem = (summary: string, type: Type<unknown>) =>
  applyDecorators(ReadRoute(':id', ['user', 'service'], summary, type), ApiParam({ name: 'id', format: 'uuid' }));
