import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { toProblem } from '../errors/to-problem';

/** Sends a problem for `error`; shared by the Nest filter and Fastify's own error handler. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { problem, headers, unexpected } = toProblem(error);
  problem.instance = request.url.split('?')[0].slice(0, 512);
  problem.requestId = String(request.id);
  if (unexpected !== undefined) {
    const err = unexpected as Error;
    logger.error(`${request.method} ${request.routeOptions?.url ?? 'unmatched'} failed: ${err?.message ?? String(unexpected)}`, err?.stack);
  }
  if (reply.sent) return;
  reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Maps every exception to RFC 9457 problem+json. Unknown errors are logged once and answered as a bare 500. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}
