/** `npm run client:revoke -- --id <client id>`: revokes an API client; its tokens fail within a second everywhere. */
import { ApiClientsService } from '../modules/auth/api-clients.service';
import { fail, readOptions } from './args';
import { withCliApp } from './cli-app';

const id = readOptions(['id'] as const)
  .id?.trim()
  .toLowerCase();
if (!id) fail('usage: npm run client:revoke -- --id <client id>');

void withCliApp(async (app) => {
  if (!(await app.get(ApiClientsService).revoke(id, 'cli'))) fail(`no active API client has the id ${id}`);
  process.stdout.write(`revoked: ${id} (its tokens fail within a second on every instance)\n`);
});
