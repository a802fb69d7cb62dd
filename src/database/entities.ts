import { ApiClient } from '../modules/auth/entities/api-client.entity';
import { AuditEntry } from '../modules/audit/entities/audit-entry.entity';

/**
 * Every entity of the schema, for the ORM's metadata discovery and the migration generator. Modules still
 * register their own entities with `forFeature`; this list only tells the ORM what the whole schema holds.
 */
export const ENTITIES = [ApiClient, AuditEntry] as const;
