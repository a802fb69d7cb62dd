import { Logger } from '@nestjs/common';
import { installProcessGuards, unhandledRejectionCount } from './process-guards';
import { currentRequestId, requestContext } from '../common/http/request-context';

describe(installProcessGuards.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs an unhandled rejection in the context of the request it came from, counts it, and does not exit', async () => {
    const seen: { message: string; requestId: string | undefined }[] = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation(
        (message: unknown) => void seen.push({ message: String(message), requestId: currentRequestId() }),
      );
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const before = process.listeners('unhandledRejection');
    installProcessGuards();
    const guard = process.listeners('unhandledRejection').find((l) => !before.includes(l))!;
    try {
      const count = unhandledRejectionCount();
      await requestContext.run({ requestId: 'req-42' }, async () => {
        await Promise.resolve();
        guard(new Error('connect ECONNREFUSED 127.0.0.1:5432'), Promise.resolve());
      });
      expect(unhandledRejectionCount()).toBe(count + 1);
      expect(seen).toEqual([
        {
          message: 'Unhandled promise rejection (the process keeps running): connect ECONNREFUSED 127.0.0.1:5432',
          requestId: 'req-42',
        },
      ]);
      expect(exit).not.toHaveBeenCalled();
    } finally {
      process.removeListener('unhandledRejection', guard);
    }
  });
});
