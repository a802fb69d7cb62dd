import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/** How often every instance reads the revocations made since it last looked. */
const REFRESH_MS = 500;

/**
 * The API clients that were revoked, on every instance: read at boot, then every half second the revocations made
 * since (one indexed query), so a revoked client's tokens fail within a second everywhere, whatever instance
 * revoked it and with or without Redis. The guard asks after every verification, cached tokens included.
 */
@Injectable()
export class RevokedClients implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevokedClients.name);
  private readonly revoked = new Set<string>();
  private since = new Date(0);
  private timer?: NodeJS.Timeout;

  constructor(private readonly em: EntityManager) {}

  has(clientId: string): boolean {
    return this.revoked.has(clientId);
  }

  /** This instance revoked it: effective here at once. */
  add(clientId: string): void {
    this.revoked.add(clientId);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const rows = await this.em
        .getConnection()
        .execute<{ id: string; revoked_at: Date | string }[]>(
          'SELECT id, revoked_at FROM api_clients WHERE revoked_at IS NOT NULL AND revoked_at >= ? ORDER BY revoked_at',
          [this.since],
        );
      for (const row of rows) {
        this.revoked.add(row.id);
        // Revocations committed late with an earlier time are caught by reading one second back each time.
        this.since = new Date(new Date(row.revoked_at).getTime() - 1000);
      }
    } catch (error) {
      this.logger.warn(`Could not read revoked clients: ${(error as Error).message}`);
    }
  }
}
