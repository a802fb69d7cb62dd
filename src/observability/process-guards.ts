import { Logger } from '@nestjs/common';
import { errorMessage } from '../common/errors/error-message';

let unhandledRejections = 0;

/** How many promise rejections nobody handled since the process started (exported as a metric). */
export function unhandledRejectionCount(): number {
  return unhandledRejections;
}

/**
 * A rejection nobody handled is a bug (the lint rules exist to prevent it), not a corrupt process: it is logged
 * once with the request id of the request it came from (the log format adds it from the async context) and
 * counted, and the process keeps serving. Node's default would exit, taking every in-flight request with it —
 * and an outage of PostgreSQL rejects the same kind of promise on every instance at once.
 */
export function installProcessGuards(): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => {
    unhandledRejections++;
    logger.error(
      `Unhandled promise rejection (the process keeps running): ${errorMessage(reason)}`,
      reason instanceof Error ? reason.stack : undefined,
    );
  });
}
