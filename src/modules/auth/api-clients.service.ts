import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Role } from '../../common/auth/auth-user';
import { isUuid } from '../../common/ids/uuid';
import { AuditService } from '../audit/audit.service';
import { ClientNameTakenError } from './auth.errors';
import { ApiClient } from './entities/api-client.entity';
import { SecretHasher } from '../crypto/secret-hasher';

export interface CreatedClient {
  id: string;
  name: string;
  roles: Role[];
  /** Shown once; only its scrypt hash is stored. */
  secret: string;
}

@Injectable()
export class ApiClientsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly audit: AuditService,
  ) {}

  async create(name: string, roles: Role[], actor = 'system'): Promise<CreatedClient> {
    const em = this.em.fork();
    if (await em.count(ApiClient, { name })) throw new ClientNameTakenError(name);
    const secret = this.hasher.newSecret();
    const secretHash = await this.hasher.hash(secret);
    return em.transactional(async (tx) => {
      const client = tx.create(ApiClient, { name, roles, secretHash });
      await this.audit.recordIn(tx, {
        actor,
        actorType: 'system',
        action: 'auth.client.created',
        target: client.id,
        outcome: 'success',
        details: { name, roles },
      });
      return { id: client.id, name, roles, secret };
    });
  }

  async revoke(id: string, actor = 'system'): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.em.fork().transactional(async (tx) => {
      const client = await tx.findOne(ApiClient, { id, revokedAt: null });
      if (!client) return false;
      client.revokedAt = new Date();
      await this.audit.recordIn(tx, {
        actor,
        actorType: 'system',
        action: 'auth.client.revoked',
        target: id,
        outcome: 'success',
      });
      return true;
    });
  }

  /** The active client with this id, or null (also for ids that are not uuids). */
  async findActive(id: string): Promise<ApiClient | null> {
    if (!isUuid(id)) return null;
    return this.em.fork().findOne(ApiClient, { id, revokedAt: null });
  }

  async touch(id: string): Promise<void> {
    await this.em.fork().nativeUpdate(ApiClient, { id }, { lastUsedAt: new Date() });
  }
}
