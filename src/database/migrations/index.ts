import { Migration20261124212234 } from './Migration20261124212234';
import { Migration20261124220155 } from './Migration20261124220155';
import { Migration20261124231500 } from './Migration20261124231500';
import { Migration20261125000000 } from './Migration20261125000000';
import { Migration20261125011041 } from './Migration20261125011041';
import { Migration20261125030000 } from './Migration20261125030000';
import { Migration20261125040000 } from './Migration20261125040000';
import { Migration20261125050000 } from './Migration20261125050000';
import { Migration20261125060000 } from './Migration20261125060000';
import { Migration20261205230000 } from './Migration20261205230000';
import { Migration20261206150000 } from './Migration20261206150000';
import { Migration20261206160000 } from './Migration20261206160000';
import { Migration20261206170000 } from './Migration20261206170000';
import { Migration20261206180000 } from './Migration20261206180000';
import { Migration20261206190000 } from './Migration20261206190000';
import { Migration20261206200000 } from './Migration20261206200000';
import { Migration20261206210000 } from './Migration20261206210000';

/**
 * Every migration, in order. The application and the tests run this list (no file globbing, so compiled and
 * TypeScript runs behave the same); `npm run migration:create` writes a new file here — add its class below.
 */
export const MIGRATIONS = [
  Migration20261124212234,
  Migration20261124220155,
  Migration20261124231500,
  Migration20261125000000,
  Migration20261125011041,
  Migration20261125030000,
  Migration20261125040000,
  Migration20261125050000,
  Migration20261125060000,
  Migration20261205230000,
  Migration20261206150000,
  Migration20261206160000,
  Migration20261206170000,
  Migration20261206180000,
  Migration20261206190000,
  Migration20261206200000,
  Migration20261206210000,
];
