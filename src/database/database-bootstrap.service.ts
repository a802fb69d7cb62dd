import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { migrateUnderLock } from './migration-runner';

/** Connects at boot (MikroORM 7's `init()` no longer does) and applies migrations unless turned off. */
@Injectable()
export class DatabaseBootstrapService implements OnModuleInit {
  private readonly logger = new Logger(DatabaseBootstrapService.name);

  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.orm.connect();
    if (!this.config.database.migrateOnBoot) return;
    const applied = await migrateUnderLock(this.orm);
    if (applied.length > 0) this.logger.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
  }
}
