// A trace captured with only row statistics in the viewer and its HTML export: the Matrix tab
// draws the statistics (entropy / max weight strips, most-attended key dots) and hovering a
// query prints that query's entropy, max weight and most-attended key — the numbers `attnscope
// show` prints for the same head (the mean of heads too: one rule, focus/row_stats.h); the head
// and playback views say in one line why they have nothing to draw. Screenshots: stats-*.png.
// usage: node stats.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireBrowserStack, launch, startViewer } from './lib.mjs';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens'), trace = join(build, 'web-fixtures', 'stats.attn.safetensors');
mkdirSync(shots, { recursive: true });
let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

// `show`'s line for query q: "  q  token  entropy  max  argmax "tok"".
function shown(head, q) {
  const out = execFileSync(binary, ['show', trace, '--head', head, '--no-color'], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.trim().startsWith(`${q} `));
  const f = line.trim().split(/\s+/);
  const n = f.length, argIdx = f.findIndex((x, i) => i > 1 && /^-?\d+$/.test(x) && /^\d+\.\d+$/.test(f[i - 1]));
  return { entropy: Number(f[argIdx - 2]), max: Number(f[argIdx - 1]), argmax: Number(f[argIdx]), n };
}

// Hovers query q's column in the strips and returns the status line.
async function hoverQuery(page, q) {
  const p = await page.evaluate((q) => {
    const c = document.querySelector('#view-matrix canvas'), r = c.getBoundingClientRect();
    const cw = Math.max(0.5, Math.min(24, (c.clientWidth - 120 - 40) / 12));
    return { x: r.left + 120 + (q + 0.5) * cw, y: r.top + 64 + 8 };
  }, q);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction((s) => document.getElementById('status').textContent.startsWith(s), `query ${q} `, { timeout: 5000 });
  return page.textContent('#status');
}

function parseStatus(s) {
  const m = s.match(/entropy ([\d.]+) · max weight ([\d.]+) · most-attended key (\d+)/);
  return m ? { entropy: Number(m[1]), max: Number(m[2]), argmax: Number(m[3]) } : null;
}

const browser = await launch(pw);
const viewer = await startViewer(binary, trace);
try {
  const html = join(shots, 'stats.html');
  execFileSync(binary, ['export', trace, '--html', '-o', html]);
  for (const [where, url] of [['viewer', viewer.url], ['exported HTML', pathToFileURL(html).href]]) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.__attnscope && (window.__attnscope.ready || window.__attnscope.error), null, { timeout: 20000 });
    await page.waitForFunction(() => window.__attnscope.firstPaint !== null, null, { timeout: 20000 });
    for (const head of ['mean', '0', '1']) {
      await page.selectOption('#head', head);
      await page.waitForTimeout(300);
      for (const q of [3, 10]) {
        const got = parseStatus(await hoverQuery(page, q)), want = shown(head, q);
        check(got && Math.abs(got.entropy - want.entropy) < 1e-3 && Math.abs(got.max - want.max) < 1e-4 && got.argmax === want.argmax,
          `${where}, head ${head}, query ${q}: hover reads what show prints (${JSON.stringify(got)} vs ${JSON.stringify(want)})`);
      }
    }
    // Pixels: the strips and the argmax panel are drawn (not the old one-line notice).
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#view-matrix canvas'), g = c.getContext('2d'), s = c.width / c.clientWidth;
      const d = g.getImageData(Math.round(120 * s), Math.round(64 * s), Math.round(200 * s), Math.round(40 * s)).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) n++;
      return n / (d.length / 4);
    });
    check(inked > 0.6, `${where}: the matrix tab draws the statistics strips (ink ${inked.toFixed(2)})`);
    await page.screenshot({ path: join(shots, `stats-${where.replace(' ', '-')}.png`) });
    for (const v of ['head', 'playback']) {
      await page.click(`button[data-view="${v}"]`);
      await page.waitForTimeout(300);
      const texts = await page.evaluate(() => {
        const out = [];
        const orig = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (t, ...a) { out.push(String(t)); return orig.call(this, t, ...a); };
        window.__attnscope.set({ cmap: window.__attnscope.state.cmap === 'viridis' ? 'magma' : 'viridis' });
        return new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(() => { CanvasRenderingContext2D.prototype.fillText = orig; res(out); })));
      });
      check(texts.some((t) => t.includes('kept only row statistics') && t.includes('the Matrix tab shows them')),
        `${where}: the ${v} view says why it draws nothing (${texts.join(' | ').slice(0, 160)})`);
    }
    await page.click('button[data-view="matrix"]');
    check(errors.length === 0, `${where}: no page errors (${errors.join(' | ')})`);
    await page.close();
  }
} finally {
  viewer.proc.kill();
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
