import { ApiClient } from './modules/auth/entities/api-client.entity';
import { AuditEntry } from './modules/audit/entities/audit-entry.entity';
import { ConsentRecord } from './modules/consent/entities/consent-record.entity';
import { UserPrivacySettings } from './modules/consent/entities/user-privacy-settings.entity';
import { LearningEvent } from './modules/learning/entities/learning-event.entity';
import { GlobalPattern } from './modules/patterns/entities/global-pattern.entity';
import { MiningRun } from './modules/patterns/entities/mining-run.entity';
import { CollectiveInsight } from './modules/insights/entities/collective-insight.entity';
import { InsightRun } from './modules/insights/entities/insight-run.entity';
import { LegalHold } from './modules/retention/entities/legal-hold.entity';
import { RetentionRun } from './modules/retention/entities/retention-run.entity';
import { PrivacyErasure } from './modules/consent/entities/privacy-erasure.entity';
import { KeyRotation } from './modules/crypto/entities/key-rotation.entity';
import { ShreddedDataKey } from './modules/crypto/entities/shredded-data-key.entity';
import { SystemKey } from './modules/crypto/entities/system-key.entity';
import { UserDataKey } from './modules/crypto/entities/user-data-key.entity';
import { ConsentingUser } from './modules/consent/entities/consenting-user.view';
import { ConsentedLearningEvent } from './modules/learning/entities/consented-learning-event.view';
import { PublishedPattern } from './modules/patterns/entities/published-pattern.view';
import { ScheduledSlot } from './database/scheduling/scheduled-slot.entity';
import { PrivacyBudgetSpend } from './modules/disclosure/entities/privacy-budget-spend.entity';

/**
 * Every entity of the schema, for the migration generator (`mikro-orm.config.ts`) and the test that the entities
 * match the migrated schema. The application discovers the same classes from each module's `forFeature`.
 */
export const ENTITIES = [
  ApiClient,
  AuditEntry,
  UserDataKey,
  ShreddedDataKey,
  SystemKey,
  KeyRotation,
  UserPrivacySettings,
  ConsentRecord,
  LearningEvent,
  PrivacyErasure,
  GlobalPattern,
  MiningRun,
  CollectiveInsight,
  InsightRun,
  PrivacyBudgetSpend,
  RetentionRun,
  LegalHold,
  ScheduledSlot,
  ConsentingUser,
  ConsentedLearningEvent,
  PublishedPattern,
] as const;
