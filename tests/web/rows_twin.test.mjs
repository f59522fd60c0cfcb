// The viewer's JavaScript twin of focus/ (web/util/local_source.js, used by exported HTML pages)
// against the C++ on the same trace: every row (each head and the head mean) and every row's
// top-5 edges (positive weights only, descending, ties to the lower key). Needs only node — no
// browser: the page's module runs here on the data block of a real `attnscope export --html`.
//   node rows_twin.test.mjs ATTNSCOPE_BINARY ROWS_TWIN_FIXTURE WORK_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalSource } from '../../web/util/local_source.js';

const [binary, fixture, dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node rows_twin.test.mjs ATTNSCOPE_BINARY ROWS_TWIN_FIXTURE WORK_DIR');
  process.exit(2);
}
execFileSync(fixture, [dir], { stdio: 'inherit' });
const html = join(dir, 'rows.html');
execFileSync(binary, ['export', join(dir, 'rows.attn.safetensors'), '--html', '-o', html], { stdio: 'ignore' });
const page = readFileSync(html, 'utf8');
const data = page.match(/<script id="attnscope-data" type="application\/octet-stream">([^<]*)<\/script>/);
if (!data) throw new Error(`${html}: no #attnscope-data block`);
const source = await LocalSource.fromBase64(data[1]);
const expected = JSON.parse(readFileSync(join(dir, 'rows.expected.json'), 'utf8'));

// f32 in C++, f32 stores of double sums in JS: the same to a few ulps.
const TOL = 1e-6;
let passed = 0, failed = 0;
const fail = (what) => { failed++; if (failed <= 10) console.error(`FAIL ${what}`); };
for (const c of expected) {
  const where = `layer ${c.layer} head ${c.head} query ${c.q}`;
  const row = await source.row(c.layer, c.head, c.q);
  const rowOk = row.length === c.row.length && c.row.every((v, i) => Math.abs(v - row[i]) <= TOL);
  rowOk ? passed++ : fail(`${where}: row [${Array.from(row)}] != C++ [${c.row}]`);
  const e = await source.edges(c.layer, c.head, c.q, c.q + 1, c.k);
  const k = Math.min(c.k, c.row.length);
  const idx = Array.from(e.index), exp = c.index.slice(0, k);
  const edgesOk = idx.length === exp.length && idx.every((v, i) => v === exp[i]) &&
    exp.every((_, i) => Math.abs(e.weight[i] - c.weight[i]) <= TOL);
  edgesOk ? passed++ : fail(`${where}: edges [${idx}] != C++ [${exp}]`);
}
const layers = new Set(expected.map((c) => c.layer)).size;
console.log(`rows twin: ${expected.length} rows of ${layers} layers compared`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
