import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { PoolClient } from 'pg';

/**
 * What a module that holds personal data gives the data-subject rights: export, erasure and withdrawal. A module
 * marks its provider with `@PersonalDataSource()`; the consent module discovers every such provider, so a new
 * data class needs no edit here.
 */
export interface PersonalDataHandler {
  /** The name of the data class in exports and erasure receipts, e.g. `learningEvents` (camelCase, unique). */
  readonly dataClass: string;
  /** The user's records with their plaintext, streamed (a user may hold millions). */
  export(userId: string): AsyncIterable<unknown>;
  /** Deletes the user's records inside the erasure transaction; returns how many went. */
  erase(userId: string, tx: PoolClient): Promise<number>;
  /** Applies a withdrawal of collective-learning consent inside its transaction; returns how many records went. */
  withdraw?(userId: string, action: 'delete' | 'exclude', tx: PoolClient): Promise<number>;
}

export const PersonalDataSource = DiscoveryService.createDecorator<void>();

/** Every registered personal-data handler, found at boot. */
@Injectable()
export class PersonalDataRegistry implements OnModuleInit {
  private list: PersonalDataHandler[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const handlers = this.discovery
      .getProviders({ metadataKey: PersonalDataSource.KEY })
      .map((wrapper) => wrapper.instance as PersonalDataHandler)
      .filter((handler) => handler !== undefined && handler !== null);
    const names = handlers.map((h) => h.dataClass);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate) throw new Error(`Two personal-data sources claim the data class "${duplicate}"`);
    this.list = handlers.sort((a, b) => a.dataClass.localeCompare(b.dataClass));
  }

  get handlers(): readonly PersonalDataHandler[] {
    return this.list;
  }
}
