// The viewer's Heads tab against `attnscope analyze`: web/util/head_stats.js (what the tab runs,
// through the same traceHeadReports) on the data block of a real `attnscope export --html`, and
// the C++ (focus/head_stats.cpp) report of the same trace — every head's role, every measure,
// nulls where the C++ has none, and each layer's sink rate. Traces: the viewer fixtures (planted
// roles — every role once —, dense with repeated tokens, causal top-k with sinks and strides, cross-attention), the rows-twin
// trace (causal rows with one visible key, exact ties), and stories260K when ../shared/data is
// there. Needs only node.
//   node heads_twin.test.mjs ATTNSCOPE_BINARY ROWS_TWIN_FIXTURE WEB_FIXTURES_DIR WORK_DIR
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalSource } from '../../web/util/local_source.js';
import { traceHeadReports } from '../../web/util/head_stats.js';
import { here } from './lib.mjs';

const [binary, rowsFixture, fixtures, dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node heads_twin.test.mjs ATTNSCOPE_BINARY ROWS_TWIN_FIXTURE WEB_FIXTURES_DIR WORK_DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
execFileSync(rowsFixture, [dir], { stdio: 'inherit' });
const traces = ['roles', 'small', 'topk', 'cross'].map((n) => join(fixtures, `${n}.attn.safetensors`));
traces.push(join(dir, 'rows.attn.safetensors'));
const stories = join(here, '..', '..', '..', 'shared', 'data', 'model_stories260K_llama', 'stories260K.bin');
if (existsSync(stories)) {
  const t = join(dir, 'stories.attn.safetensors');
  execFileSync(binary, ['trace', stories, 'Once upon a time the cat saw a dog. Once upon a time the cat saw a dog.', '-o', t], { stdio: 'ignore' });
  traces.push(t);
} else {
  console.log(`note: ${stories} absent, stories260K case skipped`);
}

// The C++ sums in fixed point (2^-32 units per row), the page in doubles.
const TOL = 1e-7;
let passed = 0, failed = 0;
const fail = (what) => { failed++; if (failed <= 20) console.error(`FAIL ${what}`); };

for (const trace of traces) {
  const name = trace.split('/').pop().replace('.attn.safetensors', '');
  const report = join(dir, `${name}.report.json`), html = join(dir, `${name}.html`);
  execFileSync(binary, ['analyze', trace, '-q', '-o', report], { stdio: 'inherit' });
  execFileSync(binary, ['export', trace, '--html', '-o', html], { stdio: 'ignore' });
  const data = readFileSync(html, 'utf8').match(/<script id="attnscope-data" type="application\/octet-stream">([^<]*)<\/script>/);
  if (!data) throw new Error(`${html}: no #attnscope-data block`);
  const source = await LocalSource.fromBase64(data[1]);
  const page = await traceHeadReports(source, await source.meta());
  const cpp = JSON.parse(readFileSync(report, 'utf8')).layers;
  let heads = 0;
  if (page.length !== cpp.length) { fail(`${name}: ${page.length} layers, C++ ${cpp.length}`); continue; }
  cpp.forEach((C, l) => {
    const P = page[l];
    if (P.stats) return;  // the page has no rows of stats-only layers
    if (P.name !== C.name || P.heads.length !== C.heads.length) { fail(`${name} layer ${l}: ${P.name}/${P.heads.length} vs ${C.name}/${C.heads.length}`); return; }
    Math.abs(P.sink_rate - C.sink_rate) <= TOL ? passed++ : fail(`${name} ${C.name}: sink_rate ${P.sink_rate} vs C++ ${C.sink_rate}`);
    C.heads.forEach((ch, h) => {
      const ph = P.heads[h], where = `${name} ${C.name} head ${h}`;
      heads++;
      const keys = Object.keys(ch).sort(), pkeys = Object.keys(ph).sort();
      if (keys.join() !== pkeys.join()) { fail(`${where}: fields [${pkeys}] vs C++ [${keys}]`); return; }
      for (const k of keys) {
        const a = ph[k], b = ch[k];
        const ok = typeof b === 'number' ? typeof a === 'number' && Math.abs(a - b) <= TOL * Math.max(1, Math.abs(b)) : a === b;
        ok ? passed++ : fail(`${where}: ${k} = ${a}, C++ ${b}`);
      }
    });
  });
  const roles = cpp.flatMap((L) => L.heads.map((hd) => hd.role));
  console.log(`${name}: ${heads} heads compared; C++ roles ${[...new Set(roles)].join(', ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
