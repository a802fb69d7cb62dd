import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorMessage } from '../errors/error-message';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { toProblem } from '../errors/to-problem';

/**
 * Maps every exception to RFC 9457 problem+json. Unknown errors are logged once and answered as a bare 500.
 * Fastify's own parsing errors arrive here too: Nest installs this layer as Fastify's error handler.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(exception);
    problem.instance = request.url.split('?')[0].slice(0, 512);
    problem.requestId = String(request.id);
    if (unexpected !== undefined) {
      const what = `${request.method} ${request.routeOptions?.url ?? 'unmatched'}`;
      // A dependency that is down is a known, transient state: one line, no stack (an outage would flood the log).
      if (problem.status === 503) this.logger.warn(`${what} answered 503 ${problem.code}: ${errorMessage(unexpected)}`);
      else
        this.logger.error(
          `${what} failed: ${errorMessage(unexpected)}`,
          unexpected instanceof Error ? unexpected.stack : undefined,
        );
    }
    if (reply.sent) return;
    reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
