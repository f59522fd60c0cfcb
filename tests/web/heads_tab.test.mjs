// Browser test of the viewer's Heads tab on the planted-roles fixture, served by `attnscope view`
// and from an `export --html` file: the measures the page computes are those of `attnscope
// analyze` (roles and numbers), every cell has its role's colour, then its measure's colour when
// the selector changes, hover prints the numbers and a click opens the head in the matrix view.
// Screenshots: BUILD/web-screens/heads-*.png.
// usage: node heads_tab.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireBrowserStack, launch, startViewer } from './lib.mjs';
import { roleRgb } from '../../web/util/roles.js';
import { rgbOf } from '../../web/util/color.js';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens'), work = join(build, 'web-heads-tab');
mkdirSync(shots, { recursive: true });
mkdirSync(work, { recursive: true });
const trace = join(build, 'web-fixtures', 'roles.attn.safetensors');
execFileSync(binary, ['analyze', trace, '-q', '-o', join(work, 'roles.json')]);
const report = JSON.parse(readFileSync(join(work, 'roles.json'), 'utf8'));

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}
const same = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 1);

async function openHeads(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.__attnscope && (window.__attnscope.ready || window.__attnscope.error), null, { timeout: 20000 });
  await page.click('button[data-view="heads"]');
  await page.waitForFunction(() => window.__attnscope.views.heads.results() !== null, null, { timeout: 20000 });
  await page.waitForTimeout(100);  // the repaint after the last layer
}

async function cellColours(page) {
  const out = [];
  for (let l = 0; l < 2; l++)
    for (let h = 0; h < 8; h++) {
      const rgb = await page.evaluate(([l, h]) => {
        const v = window.__attnscope.views.heads, p = v.cellPoint(l, h, 0.5, 0.2), c = v.getCanvas();
        const r = c.getBoundingClientRect(), s = c.width / r.width;
        const d = c.getContext('2d').getImageData(Math.floor((p.x - r.left) * s), Math.floor((p.y - r.top) * s), 1, 1).data;
        return [d[0], d[1], d[2]];
      }, [l, h]);
      out.push({ l, h, rgb });
    }
  return out;
}

const browser = await launch(pw);
const viewer = await startViewer(binary, trace);
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 600 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openHeads(page, viewer.url);
  const got = await page.evaluate(() => window.__attnscope.views.heads.results());
  const roles = got.map((L) => L.heads.map((h) => h.role).join(',')).join(' | ');
  const want = report.layers.map((L) => L.heads.map((h) => h.role).join(',')).join(' | ');
  check(roles === want, `the page finds analyze's roles (${roles})`);
  let worst = 0;
  report.layers.forEach((L, l) => L.heads.forEach((h, i) => {
    for (const k of ['entropy', 'max_weight', 'first_mass', 'prev_mass']) worst = Math.max(worst, Math.abs(got[l].heads[i][k] - h[k]));
  }));
  check(worst < 1e-7, `entropy, max weight, first and previous-token mass equal analyze's (max diff ${worst.toExponential(1)})`);
  const cells = await cellColours(page);
  const wrong = cells.filter((c) => !same(c.rgb, roleRgb(report.layers[c.l].heads[c.h].role)));
  check(wrong.length === 0, `every cell has its role's colour (wrong: ${JSON.stringify(wrong.slice(0, 3))})`);
  await page.screenshot({ path: join(shots, 'heads-roles.png') });

  await page.selectOption('#heads-measure', 'prev_mass');
  await page.waitForTimeout(100);
  const prev = await cellColours(page);
  const wrongPrev = prev.filter((c) => !same(c.rgb, rgbOf('viridis', report.layers[c.l].heads[c.h].prev_mass)));
  check(wrongPrev.length === 0, `previous-token mass: every cell is viridis(value) (wrong: ${JSON.stringify(wrongPrev.slice(0, 3))})`);
  const p = await page.evaluate(() => window.__attnscope.views.heads.cellPoint(0, 2));
  await page.mouse.move(p.x, p.y);
  await page.waitForTimeout(100);
  const status = await page.textContent('#status');
  check(status.startsWith('roles head 2: previous-token (') && status.includes(`prev ${report.layers[0].heads[2].prev_mass.toFixed(3)}`), `hover: "${status.slice(0, 80)}…"`);
  await page.screenshot({ path: join(shots, 'heads-prev-mass.png') });
  await page.mouse.click(p.x, p.y);
  const st = await page.evaluate(() => ({ view: window.__attnscope.state.view, layer: window.__attnscope.state.layer, head: window.__attnscope.state.head }));
  check(st.view === 'matrix' && st.layer === 0 && st.head === 2, `click opens roles head 2 in the matrix view (${JSON.stringify(st)})`);
  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);

  // The same tab in an exported file (the page's own copy of the trace, no server).
  const html = join(work, 'roles.html');
  execFileSync(binary, ['export', trace, '--html', '-o', html]);
  const p2 = await browser.newPage({ viewport: { width: 1100, height: 600 } });
  await openHeads(p2, pathToFileURL(html).href);
  const got2 = await p2.evaluate(() => window.__attnscope.views.heads.results());
  check(JSON.stringify(got2) === JSON.stringify(got), 'the exported page measures the same numbers as the served one');
  await p2.close();
} finally {
  viewer.proc.kill();
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all Heads tab checks passed');
process.exit(failures ? 1 : 0);
