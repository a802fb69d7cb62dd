import {
  ConnectionException,
  DeadlockException,
  LockWaitTimeoutException,
  NotFoundError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
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

/**
 * Fastify's own request errors (body parsing, content type, size) answer before any route runs; Nest hands them
 * to the filter as an `HttpException` whose `cause` is the Fastify error, so they are recognised by its code.
 */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'REQUEST.TOO_LARGE',
    detail: 'The request body is larger than the configured limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send the body as application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'REQUEST.MALFORMED_JSON',
    detail: 'The body is empty but the content type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'REQUEST.MALFORMED_JSON', detail: 'The body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'REQUEST.INVALID',
    detail: 'The Content-Length header does not match the body',
  },
};

// Connection failures, plus deadlocks and serialization failures (40P01, 40001) raised through the plain driver:
// all are transient, and a retry of the same request is safe.
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '53300',
  '40P01',
  '40001',
]);

/**
 * True when the database could not be reached or ended the session: socket errors, connection SQLSTATEs, and any
 * PostgreSQL error of severity FATAL or PANIC (e.g. a database not accepting connections, 55000), which by
 * definition means the session could not start or was terminated.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const e = error as { code?: string; severity?: string; message?: string; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code && DB_UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.severity === 'FATAL' || e.severity === 'PANIC') return true;
  if (
    typeof e.message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(e.message)
  )
    return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

function fromHttpException(error: HttpException): ProblemOutcome {
  const fastifyCode = (error.cause as { code?: unknown } | undefined)?.code;
  const known = typeof fastifyCode === 'string' ? FASTIFY_ERRORS[fastifyCode] : undefined;
  if (known) return { problem: makeProblem(known.status, known.code, known.detail), headers: {} };
  const status = error.getStatus();
  const body = error.getResponse();
  const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  const detail =
    HTTP_DETAILS[status] ??
    (typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : error.message);
  const code = HTTP_CODES[status] ?? 'REQUEST.INVALID';
  if (status === 503)
    return {
      problem: makeProblem(503, 'SERVICE.UNAVAILABLE', 'The service is temporarily unavailable', { retryable: true }),
      headers: {},
    };
  if (status >= 500)
    return { problem: makeProblem(500, 'INTERNAL', 'An unexpected error occurred'), headers: {}, unexpected: error };
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
    if (error.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    const extra: { errors?: FieldError[]; retryable?: boolean } = {};
    if (error.errors) extra.errors = error.errors;
    if (error.retryable !== undefined) extra.retryable = error.retryable;
    if (error.kind === 'internal') {
      // The code tells clients what kind of fault it was; the details (key ids, reasons) stay in the log.
      return {
        problem: makeProblem(status, error.code, 'An internal error occurred; it has been logged'),
        headers,
        unexpected: error,
      };
    }
    return { problem: { ...error.extensions, ...makeProblem(status, error.code, error.message, extra) }, headers };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof NotFoundError)
    return { problem: makeProblem(404, 'RESOURCE.NOT_FOUND', 'The resource does not exist'), headers: {} };
  if (error instanceof UniqueConstraintViolationException) {
    return { problem: makeProblem(409, 'RESOURCE.CONFLICT', 'The resource already exists'), headers: {} };
  }
  if (error instanceof DeadlockException || error instanceof LockWaitTimeoutException || isDatabaseUnavailable(error)) {
    return {
      problem: makeProblem(503, 'DATABASE.UNAVAILABLE', 'The database is unavailable; retry the request', {
        retryable: true,
      }),
      headers: { 'retry-after': '1' },
      unexpected: error,
    };
  }
  return { problem: makeProblem(500, 'INTERNAL', 'An unexpected error occurred'), headers: {}, unexpected: error };
}
