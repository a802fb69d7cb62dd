import { defineEntity, p } from '@mikro-orm/core';

/** The active patterns: the patterns module's public view, which insights are generated from. */
export const PublishedPattern = defineEntity({
  name: 'PublishedPattern',
  tableName: 'published_patterns',
  view: true,
  expression: `select * from "global_patterns" where "status" = 'active'`,
  properties: {
    id: p.uuid().primary(),
  },
});
