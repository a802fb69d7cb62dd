import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { securityHeaders } from '../http/security-headers';
import { makeProblem, PROBLEM_CONTENT_TYPE } from '../errors/problem';

type Answer = { status: number; code: string; detail: string };

/** What Fastify's router refuses before any hook, route or Nest filter runs (its default answer is plain JSON). */
const ROUTER_ERRORS: Record<string, Answer> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'REQUEST.INVALID_URL',
    detail: 'The URL is not valid (malformed percent-encoding)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'REQUEST.URI_TOO_LONG',
    detail: 'A path parameter is longer than the server accepts',
  },
};

const UNEXPECTED: Answer = { status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' };

let headers: Record<string, string> | undefined;

/**
 * Fastify's `frameworkErrors` option: a malformed or over-long URL is answered with problem+json like every other
 * error, with the security headers and request id the hooks it bypasses would have added.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const answer = ROUTER_ERRORS[error.code] ?? UNEXPECTED;
  const problem = makeProblem(answer.status, answer.code, answer.detail, { requestId: String(request.id) });
  void reply
    .status(answer.status)
    .headers((headers ??= securityHeaders()))
    .header('x-request-id', request.id)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

/**
 * Fastify's `clientErrorHandler` option: requests Node's HTTP parser refuses (headers over the size limit, broken
 * framing, a request that never finished arriving) are answered with problem+json on the raw socket, then closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection is gone: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer: Answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? {
          status: 431,
          code: 'REQUEST.HEADERS_TOO_LARGE',
          detail: 'The request headers are larger than the server accepts',
        }
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, code: 'REQUEST.TIMEOUT', detail: 'The request did not arrive in time' }
        : { status: 400, code: 'REQUEST.MALFORMED', detail: 'The request is not valid HTTP' };
  const body = JSON.stringify(makeProblem(answer.status, answer.code, answer.detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
