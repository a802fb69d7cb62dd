import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Role } from '../../common/auth/auth-user';
import { isUuid } from '../../common/ids/uuid';
import { AuditService } from '../audit/audit.service';
import { ClientNameTakenError, ClientNotFoundError } from './auth.errors';
import { ApiClient } from './entities/api-client.entity';
import { RevokedClients } from './revoked-clients';
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
    private readonly revokedClients: RevokedClients,
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

  /**
   * Revokes a client: its secret stops working at once, and its tokens within a second on every instance
   * (`RevokedClients`); false when no active client has this id.
   */
  async revoke(id: string, actor = 'system', actorType: 'system' | 'admin' = 'system'): Promise<boolean> {
    if (!isUuid(id)) return false;
    const revoked = await this.em.fork().transactional(async (tx) => {
      const client = await tx.findOne(ApiClient, { id, revokedAt: null });
      if (!client) return false;
      client.revokedAt = new Date();
      await this.audit.recordIn(tx, {
        actor,
        actorType,
        action: 'auth.client.revoked',
        target: id,
        outcome: 'success',
      });
      return true;
    });
    if (revoked) this.revokedClients.add(id);
    return revoked;
  }

  /** An admin's revocation; 404 `AUTH.CLIENT_NOT_FOUND` when no active client has this id. */
  async revokeByAdmin(id: string, admin: string): Promise<void> {
    if (!(await this.revoke(id, admin, 'admin'))) throw new ClientNotFoundError();
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
