// Browser test of the report page's "Focus over training" section (`attnscope analyze training
// RUN --compare RUN2 -o page.html`), opened from file:// in headless chromium: two short dates
// runs (one with alignment supervision) are trained here; the page shows a panel per measure
// group, the second run dashed, each line's points where the series puts them, and the step
// slider redraws lines up to the chosen step with that step's values in the readout.
// Screenshots: BUILD/web-screens/training-*.png.
// usage: node training_series.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireBrowserStack, launch } from './lib.mjs';
import { headCss } from '../../web/util/head_colors.js';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens'), work = join(build, 'web-training');
mkdirSync(shots, { recursive: true });
mkdirSync(work, { recursive: true });

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

const env = { ...process.env, ATTNSCOPE_THREADS: '1' };
const train = (out, extra) => execFileSync(binary, ['train', 'translate', '--builtin', 'dates', '--steps', '60', '--focus-every', '20',
  '--hidden', '32', '--embed', '16', '--seed', '3', '-q', '-o', out, ...extra], { env });
const a = join(work, 'plain.ckpt'), b = join(work, 'supervised.ckpt'), html = join(work, 'training.html');
train(a, []);
train(b, ['--attention-supervision', '1']);
execFileSync(binary, ['analyze', 'training', a, '--compare', b, '-q', '-o', html]);

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
  const report = await page.evaluate(() => window.__report.state.report);
  const runs = report.training;
  check(runs.length === 2 && runs.every((r) => r.series.length === 4), `two runs of 4 points (steps 0, 20, 40, 60): ${runs.map((r) => r.series.length)}`);
  const hidden = await page.evaluate(() => ['heads', 'roles', 'distribution', 'training'].map((id) => document.getElementById(id).hidden));
  check(JSON.stringify(hidden) === '[true,true,true,false]', `only the training section shows (${hidden})`);
  await page.screenshot({ path: join(shots, 'training-full.png'), fullPage: true });

  // Panels: the task measures, then the cross-attention entropy with one line per head.
  const panels = await page.$$eval('#training svg.series-panel', (s) => s.map((e) => e.dataset.panel));
  check(JSON.stringify(panels) === JSON.stringify(['aer', 'alignment', 'exact', 'entropy decoder.cross']), `panels ${panels}`);

  // Each line: its run's points, dashed for the second run, in the right colour; the last point's
  // height is the value on the panel's axis.
  const lines = await page.$$eval('#training polyline', (ps) => ps.map((p) => ({
    panel: p.closest('svg').dataset.panel, run: Number(p.dataset.run), measure: p.dataset.measure,
    points: p.getAttribute('points').split(' ').map((xy) => xy.split(',').map(Number)), dash: p.getAttribute('stroke-dasharray'),
    stroke: p.getAttribute('stroke'),
  })));
  check(lines.length === 8, `8 lines: 4 panels x 2 runs (${lines.length})`);
  check(lines.every((l) => l.points.length === 4), 'every line has 4 points at the last step');
  check(lines.every((l) => (l.run === 1) === (l.dash !== 'none')), 'the second run is dashed, the first solid');
  const exact = lines.filter((l) => l.panel === 'exact');
  check(exact.every((l) => l.stroke === headCss(l.run)), 'task lines take their run\'s colour');
  // alignment is a share: its axis is [0, 1] over a plot of height 140 - 18 - 20 = 102 px from y = 18.
  const yOf = (v) => 18 + 102 * (1 - v);
  const align = lines.filter((l) => l.panel === 'alignment');
  const okY = align.every((l) => l.points.every((p, i) => Math.abs(p[1] - yOf(runs[l.run].series[i].values.alignment)) < 0.06));
  check(okY, `alignment points sit at their values (${align.map((l) => runs[l.run].series.map((p) => p.values.alignment.toFixed(3)))})`);
  // x: steps 0..60 over [44, 292].
  check(exact.every((l) => l.points.map((p) => Math.round(p[0])).join() === '44,127,209,292'), 'points at steps 0, 20, 40, 60');

  // The slider at the second step: two points per line; the readout holds that step's values.
  await page.$eval('#training input[type=range]', (s) => { s.value = '1'; s.dispatchEvent(new Event('input')); });
  const counts = await page.$$eval('#training polyline', (ps) => ps.map((p) => p.getAttribute('points').split(' ').length));
  check(counts.length === 8 && counts.every((c) => c === 2), `at step 20 every line has 2 points (${counts})`);
  const info = await page.textContent('#training .info');
  const want = runs[0].series[1].values.exact;
  check(info.startsWith('step 20') && info.includes(`exact=${Number.isInteger(want) ? want.toFixed(0) : want.toFixed(3)}`),
    `the readout lists step 20's values: "${info.split('\n').slice(0, 2).join(' | ')}"`);
  const cursor = await page.$eval('#training svg.series-panel line', (l) => Number(l.getAttribute('x1')));
  check(Math.round(cursor) === 127, `the cursor is at step 20 (${cursor})`);
  await page.screenshot({ path: join(shots, 'training-step20.png'), fullPage: true });
  check(errors.length === 0, `no page errors or network requests (${errors.slice(0, 3)})`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
