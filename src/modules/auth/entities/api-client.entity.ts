import { defineEntity, p } from '@mikro-orm/core';
import { uuidv7 } from '../../../common/ids/uuid-v7';

/** A service client that exchanges its id and secret for a short-lived token. Only a scrypt hash is stored. */
const ApiClientSchema = defineEntity({
  name: 'ApiClient',
  tableName: 'api_clients',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => uuidv7()),
    name: p.string().length(100).unique(),
    roles: p.array().columnType('text[]'),
    secretHash: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
  checks: [
    {
      name: 'api_clients_roles_check',
      expression: `cardinality("roles") > 0 and "roles" <@ array['user','service','admin']::text[]`,
    },
  ],
});

export class ApiClient extends ApiClientSchema.class {}
ApiClientSchema.setClass(ApiClient);
