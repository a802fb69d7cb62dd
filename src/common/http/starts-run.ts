import { applyDecorators, HttpCode, HttpStatus, type Type } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOperation } from '@nestjs/swagger';

/**
 * A route that starts a background run (admins): 202 with the run's id at once; 409 `conflictCode`, with the running
 * run's id in `runId`, while one runs on any instance.
 */
export const StartsRun = (summary: string, type: Type<unknown>, conflictCode: string) =>
  applyDecorators(
    HttpCode(HttpStatus.ACCEPTED),
    ApiOperation({ summary }),
    ApiAcceptedResponse({ type }),
    ApiConflictResponse({ description: `${conflictCode}, with the running run’s id in runId` }),
  );
