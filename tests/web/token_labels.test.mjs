// The viewer's token labels (web/util/format.js tokenLabel) against the table the pictures'
// viz::display_token is tested against (tests/data/token_labels.json): one convention everywhere.
// usage: node token_labels.test.mjs   (node only, no browser)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { here } from './lib.mjs';
import { tokenLabel } from '../../web/util/format.js';

const table = JSON.parse(readFileSync(join(here, '..', 'data', 'token_labels.json'), 'utf8'));
let failures = 0;
for (const { raw, shown } of table.labels) {
  const got = tokenLabel(raw, 100);
  if (got !== shown) { failures++; console.log(`FAIL ${JSON.stringify(raw)}: ${JSON.stringify(got)}, want ${JSON.stringify(shown)}`); }
}
console.log(failures ? `${failures} label(s) differ` : `all ${table.labels.length} labels as the pictures'`);
process.exit(failures ? 1 : 0);
