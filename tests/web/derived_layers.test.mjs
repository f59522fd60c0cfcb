// Browser test of rollout and flow in the viewer (`attnscope view TRACE --rollout --flow`): the
// two derived layers are listed, the matrix view draws them, and hovering a cell prints the value
// `attnscope analyze --rollout --flow` computes for it. Screenshots: BUILD/web-screens/derived-*.png.
// usage: node derived_layers.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowserStack, launch, startViewer } from './lib.mjs';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens'), work = join(build, 'web-derived');
mkdirSync(shots, { recursive: true });
mkdirSync(work, { recursive: true });
const trace = join(build, 'web-fixtures', 'roles.attn.safetensors');
execFileSync(binary, ['analyze', trace, '--rollout', '--flow', '-q', '-o', join(work, 'r.json')]);
const seq = JSON.parse(readFileSync(join(work, 'r.json'), 'utf8')).sequences[0];

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

const browser = await launch(pw);
const viewer = await startViewer(binary, trace, ['--rollout', '--flow']);
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(viewer.url);
  await page.waitForFunction(() => window.__attnscope && (window.__attnscope.ready || window.__attnscope.error), null, { timeout: 20000 });
  const names = await page.evaluate(() => window.__attnscope.state.meta.layers.map((L) => L.name));
  for (const kind of ['rollout', 'flow']) {
    const name = `${kind}:${seq.name}`, l = names.indexOf(name);
    check(l >= 0, `the viewer lists layer ${name} (${names.join(', ')})`);
    if (l < 0) continue;
    await page.selectOption('#layer', String(l));
    await page.waitForTimeout(400);
    const T = seq.tokens.length, q = T - 1;
    // The strongest input token of the last row, by analyze's numbers.
    const row = seq[kind][q], k = row.indexOf(Math.max(...row));
    const p = await page.evaluate(([q, k]) => window.__attnscope.views.matrix.cellCenter(q, k), [q, k]);
    await page.mouse.move(p.x, p.y);
    await page.waitForFunction((s) => document.getElementById('status').textContent.startsWith(s), `query ${q} `, { timeout: 5000 });
    const status = await page.textContent('#status');
    check(status.endsWith(row[k].toFixed(4)), `${kind}: hover on (${q}, ${k}) prints analyze's ${row[k].toFixed(4)}: "${status}"`);
    // The drawn cell is not the background: the view painted the matrix.
    const rgb = await page.evaluate(([x, y]) => {
      const c = document.querySelector('#view-matrix canvas'), r = c.getBoundingClientRect(), s = c.width / r.width;
      const d = c.getContext('2d').getImageData(Math.floor((x - r.left) * s), Math.floor((y - r.top) * s), 1, 1).data;
      return [d[0], d[1], d[2]];
    }, [p.x, p.y]);
    check(rgb.some((v, i) => v !== [255, 255, 255][i]), `${kind}: the hovered cell is painted (${rgb})`);
    await page.screenshot({ path: join(shots, `derived-${kind}.png`) });
  }
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} finally {
  await browser.close();
  viewer.proc.kill();
}
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
