// Right-to-left tokens in the viewer: every token label the matrix, head and playback views
// draw keeps to its box whatever its direction. Each label is drawn in its own base direction
// (its first letter's, as Pango in the static pictures: "דג abc" reads right to left) and its
// ink, measured in pixels with the view's font, alignment and direction, lies on the side of
// its anchor the alignment says, inside the canvas. The matrix's SVG export puts the labels
// where the PNG export does (SVG's text-anchor follows the direction; canvas's left/right do not).
// usage: node rtl.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowserStack, launch, startViewer } from './lib.mjs';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const shots = join(build, 'web-screens');
mkdirSync(shots, { recursive: true });
let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

// The fixture's tokens as the viewer shows them (web/util/format.js tokenLabel: spaces as '·').
const TOKENS = ['مرحبا', 'שלום', 'الكتاب', 'עולם', 'abc·דג', 'דג·abc', 'بيت', '·בית', 'ق'];

// Records every fillText of a token label with a Hebrew or Arabic letter (a thinned label has
// its index in front), with the context's state and the view it is drawn in.
const recorder = (tokens) => {
  window.__labels = [];
  const orig = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    const view = this.canvas.parentElement && this.canvas.parentElement.id;
    if (view && tokens.includes(String(text).replace(/^\d+ /, ''))) {
      const m = this.getTransform();
      window.__labels.push({ view, text, x, y, font: this.font, align: this.textAlign, baseline: this.textBaseline,
        direction: this.direction, m: [m.a, m.b, m.c, m.d, m.e, m.f], cw: this.canvas.width, ch: this.canvas.height });
    }
    return orig.call(this, text, x, y, ...rest);
  };
};

// In the page: each label drawn alone at (400, 100) with its recorded state; its ink box (px)
// against the box its alignment defines, and its four corners mapped to the view's canvas.
const measure = (view) => window.__labels.filter((r) => r.view === view).map((r) => {
  const c = document.createElement('canvas');
  c.width = 800; c.height = 200;
  const g = c.getContext('2d');
  Object.assign(g, { font: r.font, textAlign: r.align, textBaseline: r.baseline, direction: r.direction });
  g.fillText(r.text, 400, 100);
  const d = g.getImageData(0, 0, 800, 200).data;
  let x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
  for (let y = 0; y < 200; y++)
    for (let x = 0; x < 800; x++)
      if (d[(y * 800 + x) * 4 + 3] > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x + 1); y0 = Math.min(y0, y); y1 = Math.max(y1, y + 1); }
  const w = g.measureText(r.text).width;
  const lo = { left: 400, right: 400 - w, center: 400 - w / 2, start: r.direction === 'rtl' ? 400 - w : 400,
    end: r.direction === 'rtl' ? 400 : 400 - w }[r.align];
  const [a, b, cc, dd, e, f] = r.m;
  const corners = [[x0, y0], [x1, y0], [x0, y1], [x1, y1]].map(([x, y]) => {
    const lx = r.x + x - 400, ly = r.y + y - 100;
    return [a * lx + cc * ly + e, b * lx + dd * ly + f];
  });
  const inCanvas = corners.every(([x, y]) => x >= -1 && y >= -1 && x <= r.cw + 1 && y <= r.ch + 1);
  const firstLetter = r.text.match(/\p{L}/u)[0];
  return { text: r.text, direction: r.direction, want: /[\u0590-\u05FF\u0600-\u06FF]/.test(firstLetter) ? 'rtl' : 'ltr',
    inked: x1 > x0, inBox: x0 >= lo - 2 && x1 <= lo + w + 2, inCanvas, ink: [x0 - 400, x1 - 400], box: [lo - 400, lo + w - 400] };
});

const browser = await launch(pw);
const viewer = await startViewer(binary, join(build, 'web-fixtures', 'rtl.attn.safetensors'));
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(recorder, TOKENS);
  await page.goto(viewer.url);
  await page.waitForFunction(() => window.__attnscope && window.__attnscope.firstPaint !== null && window.__attnscope.ready, null, { timeout: 20000 });
  for (const v of ['matrix', 'head', 'playback']) {
    await page.click(`button[data-view="${v}"]`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, `rtl-${v}.png`) });
    const labels = await page.evaluate(measure, `view-${v}`);
    check(labels.length >= 8, `${v}: right-to-left labels drawn (${labels.length})`);
    const bad = (p) => labels.filter((l) => !p(l)).map((l) => `${l.text} ${l.direction} ink ${l.ink} box ${l.box}`);
    check(bad((l) => l.inked && l.inBox).length === 0, `${v}: each label's ink lies in its box (${bad((l) => l.inked && l.inBox).join(' | ')})`);
    check(bad((l) => l.inCanvas).length === 0, `${v}: each label lies inside the canvas (${bad((l) => l.inCanvas).join(' | ')})`);
    check(bad((l) => l.direction === l.want).length === 0, `${v}: each label in its own direction (${bad((l) => l.direction === l.want).join(' | ')})`);
  }

  // The matrix view's SVG export, rasterised: its query-label margin holds the PNG's ink.
  await page.click('button[data-view="matrix"]');
  await page.waitForTimeout(300);
  const saved = async (btn, name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(btn)]);
    const path = join(shots, name);
    await dl.saveAs(path);
    return path;
  };
  const svgPath = await saved('#svg', 'rtl-matrix.svg'), pngPath = await saved('#png', 'rtl-matrix.png');
  // Ink left of the cells (x < 90 CSS px) and below the key labels, as a fraction of that band.
  // Both exports are framed to the same content box (the SVG's viewBox, in CSS px).
  const vb = readFileSync(svgPath, 'utf8').match(/viewBox="([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+)"/).slice(1).map(Number);
  const marginInk = (url) => page.evaluate(async ([u, box]) => {
    const img = new Image();
    img.src = u;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const s = c.width / box[2];
    const d = g.getImageData(0, Math.round((100 - box[1]) * s), Math.round((90 - box[0]) * s), Math.round(400 * s)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 400) n++;
    return n;
  }, [url, vb]);
  const svgInk = await marginInk('data:image/svg+xml;base64,' + readFileSync(svgPath).toString('base64'));
  const pngInk = await marginInk('data:image/png;base64,' + readFileSync(pngPath).toString('base64'));
  check(pngInk > 200 && Math.abs(svgInk - pngInk) < 0.35 * pngInk, `matrix SVG puts the query labels where the PNG does (margin ink ${svgInk} vs ${pngInk})`);
  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
} finally {
  viewer.proc.kill();
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
