/** `npm run docs:errors`: writes docs/errors.md from the error catalog (a unit test fails while it is out of date). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderErrorsPage } from '../common/errors/error-catalog';

writeFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), renderErrorsPage());
