// Browser test of the report page (`attnscope analyze --html`) in headless chromium, opened from
// file:// on the planted-roles fixture: every grid cell has its role's colour, then the colour
// map's colour of its measure when the selector changes; the legend, role table and histogram
// follow the report; rollout and flow heatmaps are drawn with the report's values under the
// pointer; no errors, no network. Screenshots land in BUILD/web-screens/report-*.png.
// usage: node report.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireBrowserStack, launch } from './lib.mjs';
import { roleRgb } from '../../web/util/roles.js';
import { rgbOf } from '../../web/util/color.js';
import { fmtWeight } from '../../web/util/format.js';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens'), work = join(build, 'web-report');
mkdirSync(shots, { recursive: true });
mkdirSync(work, { recursive: true });

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

const json = join(work, 'roles.report.json'), html = join(work, 'roles.report.html');
execFileSync(binary, ['analyze', join(build, 'web-fixtures', 'roles.attn.safetensors'), '--rollout', '--flow', '-q', '-o', json, '--html', html]);
const report = JSON.parse(readFileSync(json, 'utf8'));

// The colour of the pixel at page point p in the canvas under it (device pixels).
const pixel = (page, selector, p) => page.evaluate(([sel, p]) => {
  const c = document.querySelector(sel), r = c.getBoundingClientRect(), s = c.width / r.width;
  const d = c.getContext('2d').getImageData(Math.floor((p.x - r.left) * s), Math.floor((p.y - r.top) * s), 1, 1).data;
  return [d[0], d[1], d[2]];
}, [selector, p]);
const same = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 1);

// The colour of every head's cell (upper quarter: the number is drawn in the lower half).
async function gridColours(page) {
  const out = [];
  for (let l = 0; l < report.layers.length; l++)
    for (let h = 0; h < report.layers[l].heads.length; h++) {
      const p = await page.evaluate(([l, h]) => window.__report.views.grid.cellPoint(l, h, 0.5, 0.2), [l, h]);
      out.push({ l, h, rgb: await pixel(page, '#heads canvas', p) });
    }
  return out;
}

const browser = await launch(pw);
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => { if (!/^(file|blob|data):/.test(r.url())) errors.push(`network: ${r.url()}`); });
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => window.__report && (window.__report.ready || window.__report.error), null, { timeout: 20000 });
  check(!(await page.evaluate(() => window.__report.error)), 'the page starts');
  await page.screenshot({ path: join(shots, 'report-full.png'), fullPage: true });

  // Role colours: each cell is its role's colour, and the fixture has every role once.
  const roles = await gridColours(page);
  const wrong = roles.filter((c) => !same(c.rgb, roleRgb(report.layers[c.l].heads[c.h].role)));
  check(wrong.length === 0, `every cell has its role's colour (${roles.length} cells; wrong: ${JSON.stringify(wrong.slice(0, 3))})`);
  const planted = report.layers[0].heads.map((h) => h.role).join(',');
  check(planted === 'induction,duplicate-token,previous-token,positional-2,self,sink,focused,broad', `the planted roles are found (${planted})`);
  const legend = await page.evaluate(() => window.__report.state.layers.length);
  check(legend === 2, 'two layers in the grid');

  // Hover a head: its numbers.
  const p = await page.evaluate(() => window.__report.views.grid.cellPoint(0, 0));
  await page.mouse.move(p.x, p.y);
  const info = await page.textContent('#heads .info');
  check(info.startsWith('roles head 0: induction (') && info.includes(`induction ${report.layers[0].heads[0].induction_mass.toFixed(3)}`),
    `hover prints the head's numbers: "${info.slice(0, 90)}…"`);

  // Role table: counts per role and the heads listed.
  const table = await page.$$eval('#roles tbody tr', (rows) => rows.map((r) => ({ role: r.dataset.role, n: Number(r.children[1].textContent), heads: r.children[3].textContent })));
  const mixed = table.find((r) => r.role === 'mixed');
  check(table.length === 9 && mixed && mixed.n === 8, `role table: 9 roles, 8 mixed heads (${JSON.stringify(table.map((r) => `${r.role}:${r.n}`))})`);
  check(table.find((r) => r.role === 'positional')?.heads.includes('roles.3 positional-2'), 'role table names positional-2 under positional ±d');

  // The selector recolours: max weight through viridis on [0, 1]; entropy on [0, its max].
  const histBefore = await page.evaluate(() => document.querySelector('#distribution canvas').toDataURL());
  await page.selectOption('#measure', 'max_weight');
  const mw = await gridColours(page);
  const wrongMw = mw.filter((c) => !same(c.rgb, rgbOf('viridis', report.layers[c.l].heads[c.h].max_weight)));
  check(wrongMw.length === 0, `max_weight: every cell is viridis(value) (wrong: ${JSON.stringify(wrongMw.slice(0, 3))})`);
  check(mw.some((c, i) => !same(c.rgb, roles[i].rgb)), 'the selector changes the drawing');
  const histAfter = await page.evaluate(() => document.querySelector('#distribution canvas').toDataURL());
  check(histAfter !== histBefore, 'the histogram follows the selector');
  const bars = await page.evaluate(() => window.__report.views.histogram.bars());
  check(bars.reduce((n, b) => n + b.count, 0) === 16, `histogram counts every head once (${bars.map((b) => b.count).join(' ')})`);
  await page.screenshot({ path: join(shots, 'report-max-weight.png'), fullPage: true });

  await page.selectOption('#measure', 'entropy');
  await page.selectOption('#cmap', 'magma');
  const top = Math.max(...report.layers.flatMap((L) => L.heads.map((h) => h.entropy)));
  const en = await gridColours(page);
  const wrongEn = en.filter((c) => !same(c.rgb, rgbOf('magma', report.layers[c.l].heads[c.h].entropy / top)));
  check(wrongEn.length === 0, `entropy through magma on [0, ${top.toFixed(3)}] (wrong: ${JSON.stringify(wrongEn.slice(0, 3))})`);

  // Rollout and flow heatmaps: drawn, and hover reads the report's value.
  await page.selectOption('#cmap', 'viridis');
  for (const kind of ['rollout', 'flow']) {
    const sel = `#map-${kind}`;
    const ink = await page.evaluate((s) => {
      const c = document.querySelector(s), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return colours.size;
    }, sel);
    check(ink > 20, `${kind} heatmap is drawn (${ink} colours)`);
    await page.locator(sel).scrollIntoViewIfNeeded();
    const b2 = await page.locator(sel).boundingBox();
    const cell = await page.evaluate((s) => { const c = document.querySelector(s); return { w: c.clientWidth }; }, sel);
    // Layout of util/heatmap.js: 96 px margins, cell = min(32, (w - 96 - 64) / 24).
    const size = Math.max(2, Math.min(32, Math.floor((cell.w - 96 - 64) / 24)));
    const [i, j] = [20, 12];
    await page.mouse.move(b2.x + 96 + (j + 0.5) * size, b2.y + 96 + (i + 0.5) * size);
    const line = await page.textContent(`figure[data-kind="${kind}"] .info`);
    const want = fmtWeight(Math.fround(report.sequences[0][kind][i][j]));
    check(line.startsWith(`${kind}: position ${i} "sang" → token ${j} "red"`) && line.endsWith(want), `${kind} hover: "${line}" (report ${want})`);
  }
  await page.selectOption('#gamma', '0.5');
  await page.locator('#maps').screenshot({ path: join(shots, 'report-maps.png') });
  check(errors.length === 0, `no page errors, no network (${errors.join(' | ')})`);

  // Attributions and head importance of a real model (stories260K from ../shared/data).
  const stories = join(build, '..', '..', 'shared', 'data', 'model_stories260K_llama', 'stories260K.bin');
  if (!existsSync(stories)) {
    console.log('skip attributions: ../shared/data is absent (stories260K)');
  } else {
    const aj = join(work, 'attr.report.json'), ah = join(work, 'attr.report.html');
    execFileSync(binary, ['analyze', stories, 'Once upon a time, there was a little girl named Lily. She liked to',
      '--attributions', '--head-importance', '-q', '-o', aj, '--html', ah]);
    const ar = JSON.parse(readFileSync(aj, 'utf8')), a = ar.attributions;
    const p2 = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errs2 = [];
    p2.on('pageerror', (e) => errs2.push(e.message));
    await p2.goto(pathToFileURL(ah).href);
    await p2.waitForFunction(() => window.__report && window.__report.ready, null, { timeout: 20000 });
    await p2.locator('#attributions').scrollIntoViewIfNeeded();
    // The strongest input-gradient token is drawn in the colour map's top colour, and hover
    // prints its raw value.
    const ig = a.input_gradient, j = ig.indexOf(Math.max(...ig));
    const c = await p2.evaluate((j) => window.__report.views.attributions.cellCenter(0, j), j);
    check(same(await pixel(p2, '#map-attributions', c), rgbOf('viridis', 1)), `attributions: token ${j}'s input gradient cell is the top colour`);
    await p2.mouse.move(c.x, c.y);
    const info = await p2.textContent('#attributions .info');
    check(info.startsWith(`input grad: token ${j} `) && info.endsWith(ig[j].toPrecision(4)), `attributions hover: "${info}" (report ${ig[j].toPrecision(4)})`);
    await p2.locator('#attributions').screenshot({ path: join(shots, 'report-attributions.png') });
    // Head importance by ablation as a grid measure: the most important head's cell is the top
    // of the signed scale.
    await p2.selectOption('#measure', 'importance_ablation');
    const flat = ar.head_importance.layers.flat(), top = Math.max(...flat.map(Math.abs)), k = flat.findIndex((v) => Math.abs(v) === top);
    const H = ar.head_importance.layers[0].length, [l, h] = [Math.floor(k / H), k % H];
    const cp = await p2.evaluate(([l, h]) => window.__report.views.grid.cellPoint(l, h, 0.5, 0.2), [l, h]);
    const want = rgbOf('viridis', flat[k] > 0 ? 1 : 0);
    check(same(await pixel(p2, '#heads canvas', cp), want), `head importance: layer ${l} head ${h} (${flat[k].toFixed(4)}) is the end of the signed scale`);
    await p2.locator('#heads').screenshot({ path: join(shots, 'report-importance.png') });
    check(errs2.length === 0, `attributions page: no errors (${errs2.join(' | ')})`);
  }
} finally {
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all report checks passed');
process.exit(failures ? 1 : 0);
