import { ConnectionException, DeadlockException, LockWaitTimeoutException, NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { HttpException } from '@nestjs/common';
import { DomainError, FieldError } from './domain.error';
import { KIND_STATUS, makeProblem, Problem } from './problem';

export interface ProblemOutcome {
  problem: Problem;
  headers: Record<string, string>;
  /** Set for failures the operator must see: logged once with the request id; never sent to the client. */
  unexpected?: unknown;
}

const HTTP_CODES: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  406: 'REQUEST.NOT_ACCEPTABLE',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT.EXCEEDED',
};

const HTTP_DETAILS: Record<number, string> = {
  401: 'A valid bearer token is required',
  403: 'The caller is not allowed to do this',
  429: 'Too many requests; retry later',
};

/** Fastify's own request errors (body parsing, content type, size) that answer before any route runs. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: (e: FastifyLikeError) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'REQUEST.TOO_LARGE', detail: () => 'The request body is larger than the configured limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', detail: () => 'Send the body as application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'REQUEST.MALFORMED_JSON', detail: () => 'The body is empty but the content type is application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'REQUEST.INVALID', detail: () => 'The Content-Length header does not match the body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'REQUEST.MALFORMED_JSON', detail: () => 'The body is not valid JSON' },
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

const DB_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const e = error as { code?: string; message?: string; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code && DB_UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

function fromHttpException(error: HttpException): ProblemOutcome {
  const status = error.getStatus();
  const body = error.getResponse();
  const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  const detail = HTTP_DETAILS[status] ?? (typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : error.message);
  const code = status === 400 && /JSON/.test(detail) ? 'REQUEST.MALFORMED_JSON' : (HTTP_CODES[status] ?? 'REQUEST.INVALID');
  if (status === 503) return { problem: makeProblem(503, 'SERVICE.UNAVAILABLE', 'The service is temporarily unavailable', { retryable: true }), headers: {} };
  if (status >= 500) return { problem: makeProblem(500, 'INTERNAL', 'An unexpected error occurred'), headers: {}, unexpected: error };
  return { problem: makeProblem(status, code, detail), headers: {} };
}

/**
 * The single mapping from anything thrown while serving a request to an RFC 9457 problem. Known failures keep
 * their meaning; everything else becomes a generic 500 whose details stay in the log.
 */
export function toProblem(error: unknown): ProblemOutcome {
  if (error instanceof DomainError) {
    const status = KIND_STATUS[error.kind];
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    const extra: { errors?: FieldError[]; retryable?: boolean } = {};
    if (error.errors) extra.errors = error.errors;
    if (error.retryable !== undefined) extra.retryable = error.retryable;
    return { problem: { ...error.extensions, ...makeProblem(status, error.code, error.message, extra) }, headers };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  const fastify = error as FastifyLikeError;
  if (fastify && typeof fastify.code === 'string' && FASTIFY_ERRORS[fastify.code]) {
    const known = FASTIFY_ERRORS[fastify.code];
    return { problem: makeProblem(known.status, known.code, known.detail(fastify)), headers: {} };
  }
  if (error instanceof SyntaxError && (error as FastifyLikeError).statusCode === 400) {
    return { problem: makeProblem(400, 'REQUEST.MALFORMED_JSON', 'The body is not valid JSON'), headers: {} };
  }
  if (error instanceof NotFoundError) return { problem: makeProblem(404, 'RESOURCE.NOT_FOUND', 'The resource does not exist'), headers: {} };
  if (error instanceof UniqueConstraintViolationException) {
    return { problem: makeProblem(409, 'RESOURCE.CONFLICT', 'The resource already exists'), headers: {} };
  }
  if (error instanceof DeadlockException || error instanceof LockWaitTimeoutException || isDatabaseUnavailable(error)) {
    return {
      problem: makeProblem(503, 'DATABASE.UNAVAILABLE', 'The database is unavailable; retry the request', { retryable: true }),
      headers: { 'retry-after': '1' },
      unexpected: error,
    };
  }
  if (fastify && typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const status = fastify.statusCode;
    return { problem: makeProblem(status, HTTP_CODES[status] ?? 'REQUEST.INVALID', 'The request could not be processed'), headers: {} };
  }
  return { problem: makeProblem(500, 'INTERNAL', 'An unexpected error occurred'), headers: {}, unexpected: error };
}
