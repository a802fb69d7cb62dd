/** `npm run token -- --sub UUID --roles user [--ttl 3600]`: a development token; refused in production. */
import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { loadConfig, readEnvironment } from '../config/load-config';
import { TokenService } from '../modules/auth/token.service';
import { fail, parseRoles, readOptions } from './args';

const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
if (config.isProduction)
  fail('npm run token is for development; in production get tokens from POST /api/v1/auth/token');
const opts = readOptions(['sub', 'roles', 'ttl'] as const);
if (!opts.sub) fail('usage: npm run token -- --sub <uuid or client id> --roles user[,service,admin] [--ttl seconds]');
const roles = parseRoles(opts.roles ?? 'user');
const ttl = opts.ttl ? Number(opts.ttl) : 3600;
if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 86400)
  fail('--ttl must be a whole number of seconds from 1 to 604800');
const token = new TokenService(new JwtService(), config).sign(opts.sub, roles, ttl);
process.stdout.write(`${token.accessToken}\n`);
