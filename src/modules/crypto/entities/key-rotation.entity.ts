import { defineEntity, p } from '@mikro-orm/core';
import { uuidv7 } from '../../../common/ids/uuid-v7';

export const ROTATION_STATUSES = ['running', 'completed', 'failed'] as const;
export type RotationStatus = (typeof ROTATION_STATUSES)[number];

/** One rotation: rewrapping every data key to `targetKekId`. At most one is `running` (partial unique index). */
const KeyRotationSchema = defineEntity({
  name: 'KeyRotation',
  tableName: 'key_rotations',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => uuidv7()),
    targetKekId: p.string().length(32),
    status: p.string().length(16).$type<RotationStatus>(),
    requestedBy: p.string().length(200),
    keysTotal: p.integer(),
    keysRewrapped: p.integer().default(0),
    lastError: p.text().nullable(),
    startedAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
  indexes: [
    {
      name: 'key_rotations_one_running',
      expression: `create unique index "key_rotations_one_running" on "key_rotations" ((true)) where "status" = 'running'`,
    },
    { properties: ['startedAt'] },
  ],
  checks: [{ name: 'key_rotations_status_check', expression: `"status" in ('running', 'completed', 'failed')` }],
});

export class KeyRotation extends KeyRotationSchema.class {}
KeyRotationSchema.setClass(KeyRotation);
