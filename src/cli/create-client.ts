/** `npm run client:create -- --name NAME --roles service[,admin]`: prints the new client's id and secret once. */
import { ApiClientsService } from '../modules/auth/api-clients.service';
import { fail, parseRoles, readOptions } from './args';
import { withCliApp } from './cli-app';

const opts = readOptions(['name', 'roles'] as const);
const name = opts.name?.trim();
if (!name || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/.test(name))
  fail('usage: npm run client:create -- --name <1-100 chars: letters, digits, space _ . -> --roles service[,admin]');
const roles = parseRoles(opts.roles ?? 'service');

void withCliApp(async (app) => {
  const client = await app.get(ApiClientsService).create(name, roles, 'cli');
  process.stdout.write(
    `clientId:     ${client.id}\nclientSecret: ${client.secret}\nroles:        ${client.roles.join(',')}\n(the secret is shown only now; store it safely)\n`,
  );
});
