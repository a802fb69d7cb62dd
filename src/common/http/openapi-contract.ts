import type { OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '../decorators/auth.decorators';
import { registeredSchemas } from './openapi-schemas';

/** The problem+json every error answer carries (see `GET /errors`). */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'The code’s entry on the errors page: /errors#<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Stable error code, e.g. VALIDATION.FAILED' },
    requestId: { type: 'string' },
    retryable: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** What every operation can answer with besides its own outcomes, and when. */
const COMMON_ERRORS: { status: string; description: string; protectedOnly?: boolean }[] = [
  { status: '400', description: 'The request is invalid (VALIDATION.FAILED and others): `errors` names each field' },
  { status: '401', description: 'No valid bearer token (AUTH.UNAUTHENTICATED)', protectedOnly: true },
  { status: '403', description: 'The caller may not do this (AUTH.FORBIDDEN and others)', protectedOnly: true },
  { status: '429', description: 'Too many requests (RATE_LIMIT.EXCEEDED), with Retry-After' },
  { status: '500', description: 'An unexpected error (INTERNAL), with the request id' },
  { status: '503', description: 'A dependency is unavailable (DATABASE.UNAVAILABLE and others); retryable' },
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Completes the document Nest generates into the contract clients rely on, for every route at once (a new route
 * cannot forget it): public operations say `security: []`, protected ones the bearer scheme; every operation lists
 * the problem+json answers it can give (its own 4xx and the common ones), each with the `Problem` schema.
 */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
  // As package.json says: proprietary, so there is no license text to link to.
  document.info.license = { name: 'UNLICENSED' };
  document.components = document.components ?? {};
  document.components.schemas = {
    ...document.components.schemas,
    ...registeredSchemas(),
    Problem: PROBLEM_SCHEMA as never,
  };
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  for (const path of Object.values(document.paths))
    for (const method of METHODS) {
      const operation = path[method] as
        | (Record<string, unknown> & { responses: Record<string, { description: string; content?: unknown }> })
        | undefined;
      if (!operation) continue;
      const isPublic = operation[PUBLIC_EXTENSION] === true;
      delete operation[PUBLIC_EXTENSION];
      operation.security = isPublic ? [] : [{ bearer: [] }];
      for (const { status, description, protectedOnly } of COMMON_ERRORS)
        if (!(protectedOnly && isPublic)) operation.responses[status] ??= { description };
      for (const [status, response] of Object.entries(operation.responses))
        if (Number(status) >= 400 && !response.content) response.content = problem;
    }
  return document;
}
