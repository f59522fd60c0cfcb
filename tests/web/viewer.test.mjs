// Browser test of the viewer in headless chromium: open a fixture trace, switch layer and head,
// hover a cell and read its exact weight, play the animation, export PNG and SVG, open the
// standalone HTML export offline. Screenshots land in BUILD/web-screens/ (look at them).
// usage: node viewer.test.mjs ATTNSCOPE_BINARY BUILD_DIR   (exit 77 = skipped)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireBrowserStack, launch, startViewer, decodeF32 } from './lib.mjs';

const pw = requireBrowserStack();
const [binary, build] = process.argv.slice(2);
const fixtures = join(build, 'web-fixtures'), shots = join(build, 'web-screens');
mkdirSync(shots, { recursive: true });

let failures = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

async function ready(page) {
  await page.waitForFunction(() => window.__attnscope && (window.__attnscope.ready || window.__attnscope.error), null, { timeout: 20000 });
  const err = await page.evaluate(() => window.__attnscope.error);
  if (err) throw new Error(`page error: ${err}`);
  await page.waitForFunction(() => window.__attnscope.firstPaint !== null, null, { timeout: 20000 });
}

// Hovers the centre of matrix cell (q, k) and returns the status line once it names it.
async function hoverCell(page, q, k) {
  const p = await page.evaluate(([q, k]) => window.__attnscope.views.matrix.cellCenter(q, k), [q, k]);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction((s) => document.getElementById('status').textContent.startsWith(s), `query ${q} `, { timeout: 5000 });
  return page.textContent('#status');
}

const browser = await launch(pw);
const viewer = await startViewer(binary, join(fixtures, 'small.attn.safetensors'));
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(viewer.url);
  await ready(page);
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shots, 'matrix.png') });
  check(await page.textContent('#title') === 'attnscope · fixture', 'title names the model');
  const head0 = await page.evaluate(() => [window.__attnscope.state.head, document.getElementById('head').value]);
  check(head0[0] === 'mean' && head0[1] === 'mean', `the default head is the mean of heads, as the CLI's (${head0})`);

  // Switch layer and head through the selectors.
  await page.selectOption('#layer', '2');
  await page.selectOption('#head', '3');
  const st = await page.evaluate(() => ({ layer: window.__attnscope.state.layer, head: window.__attnscope.state.head }));
  check(st.layer === 2 && st.head === 3, `layer/head selectors switch the state (${JSON.stringify(st)})`);

  // Hover the planted hot cell (query 23 -> key (2 + 2*3) % 24 = 8) and read its exact weight.
  await page.waitForTimeout(300);
  const status = await hoverCell(page, 23, 8);
  const row = decodeF32(await (await fetch(`${viewer.url}api/row?layer=2&head=3&q=23`)).arrayBuffer(), 'values');
  check(status.includes('→ key 8 "dog"') && status.endsWith(row[8].toFixed(4)), `hover reads the exact weight: "${status}" (server ${row[8]})`);
  const hot = row.indexOf(Math.max(...row));
  check(hot === 8, `the hottest key of query 23 is where the trace puts it (${hot})`);
  await page.screenshot({ path: join(shots, 'matrix-hover.png') });

  // Zoom with the wheel is anchored at the pointer on both axes: the centre of the cell under
  // the pointer stays under it, zooming in from the fitted view (the matrix narrower than the
  // plot: x was pinned to 0), out again, and in until the matrix overflows the plot.
  await page.evaluate(() => window.__attnscope.set({ head: 'mean' }));
  await page.dblclick('#view-matrix canvas', { position: { x: 5, y: 5 } });
  await page.waitForTimeout(200);
  const c = await page.evaluate(() => window.__attnscope.views.matrix.cellCenter(17, 19));
  const at = { x: Math.round(c.x), y: Math.round(c.y) };  // the pointer sits on whole pixels
  await page.mouse.move(at.x, at.y);
  const under = () => page.evaluate(([x, y]) => window.__attnscope.views.matrix.weightAt(x, y), [at.x, at.y]);
  const w0 = await under();
  for (const dy of [-300, 300, -1200]) {
    await page.mouse.wheel(0, dy);
    await page.waitForTimeout(150);
    const w = await under();
    check(Math.floor(w.q) === 17 && Math.floor(w.k) === 19 && Math.abs(w.q - w0.q) < 0.01 && Math.abs(w.k - w0.k) < 0.01,
      `wheel ${dy} keeps the same point of cell (17, 19) under the pointer (${w0.q.toFixed(3)},${w0.k.toFixed(3)} -> ${w.q.toFixed(3)},${w.k.toFixed(3)})`);
  }
  // The readout follows a zoom: a wheel event over a neighbouring cell (no mousemove before it)
  // names that cell, not the last one hovered.
  await page.evaluate(() => {
    const m = window.__attnscope.views.matrix, p = m.cellCenter(16, 18);
    m.getCanvas().dispatchEvent(new WheelEvent('wheel', { clientX: p.x, clientY: p.y, deltaY: -100, bubbles: true, cancelable: true }));
  });
  await page.waitForTimeout(300);
  const afterZoom = await page.textContent('#status');
  check(afterZoom.startsWith("query 16 ") && afterZoom.includes("→ key 18 "), `hover readout follows the zoom: "${afterZoom}"`);
  await page.screenshot({ path: join(shots, 'matrix-zoom.png') });

  // Head view.
  await page.click('button[data-view="head"]');
  await page.waitForTimeout(400);
  const hb = await page.locator('#view-head canvas').boundingBox();
  await page.mouse.move(hb.x + hb.width * 0.3, hb.y + 40 + 18 * 5 + 9);
  await page.waitForTimeout(200);
  check((await page.textContent('#status')).startsWith('query 5 '), 'head view: hovering a query token focuses it');
  await page.mouse.move(hb.x + 3, hb.y + hb.height - 3);
  await page.waitForTimeout(100);
  const headHint = await page.textContent('#status');
  check(headHint.startsWith('head: '), `the status line gives the head tab's hint, not the matrix's ("${headHint}")`);
  await page.screenshot({ path: join(shots, 'head.png') });

  // Model view: click the thumbnail of layer 1, head 2 -> matrix view of it.
  await page.click('button[data-view="model"]');
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(shots, 'model.png') });
  const canvasBox = await page.locator('#view-model canvas').boundingBox();
  const cell = await page.evaluate(() => {
    const c = document.querySelector('#view-model canvas');
    return Math.max(16, Math.min(96, Math.floor((c.clientWidth - 110 - 10) / 4) - 6, Math.floor((c.clientHeight - 44 - 10) / 3) - 6));
  });
  await page.mouse.click(canvasBox.x + 110 + 2 * (cell + 6) + cell / 2, canvasBox.y + 44 + 1 * (cell + 6) + cell / 2);
  const after = await page.evaluate(() => ({ view: window.__attnscope.state.view, layer: window.__attnscope.state.layer, head: window.__attnscope.state.head }));
  check(after.view === 'matrix' && after.layer === 1 && after.head === 2, `model view click opens layer 1 head 2 (${JSON.stringify(after)})`);

  // Playback: play, see the step advance, pause, scrub.
  await page.click('button[data-view="playback"]');
  await page.selectOption('#speed', '16');
  await page.click('#play');
  await page.waitForFunction(() => window.__attnscope.state.step >= 4, null, { timeout: 5000 });
  await page.click('#play');
  const s1 = await page.evaluate(() => window.__attnscope.state.step);
  await page.waitForTimeout(300);
  const s2 = await page.evaluate(() => window.__attnscope.state.step);
  check(s1 >= 4 && s1 === s2 && !(await page.evaluate(() => window.__attnscope.state.playing)), `playback plays and pauses (step ${s1} -> ${s2})`);
  await page.locator('#scrub').fill('12');
  await page.waitForTimeout(300);
  check(await page.evaluate(() => window.__attnscope.state.step) === 12, 'the slider scrubs to step 12');
  await page.screenshot({ path: join(shots, 'playback.png') });

  // Export PNG and SVG of the current view.
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
  const pngPath = join(shots, 'export-playback.png');
  await png.saveAs(pngPath);
  const pngBytes = readFileSync(pngPath);
  check(pngBytes.subarray(1, 4).toString() === 'PNG' && pngBytes.length > 2000, `export PNG writes a PNG (${pngBytes.length} bytes)`);
  await page.click('button[data-view="head"]');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#svg')]);
  const svgPath = join(shots, 'export-head.svg');
  await svg.saveAs(svgPath);
  const svgText = readFileSync(svgPath, 'utf8');
  check(svgText.includes('<svg') && (svgText.match(/<path /g) || []).length >= 10 && svgText.includes('>over<'), 'export SVG has lines and token text');
  await page.click('button[data-view="matrix"]');
  await page.waitForTimeout(300);
  const [svg2] = await Promise.all([page.waitForEvent('download'), page.click('#svg')]);
  const svg2Path = join(shots, 'export-matrix.svg');
  await svg2.saveAs(svg2Path);
  for (const [name, text] of [['head', svgText], ['matrix', readFileSync(svg2Path, 'utf8')]]) {
    const bad = await page.evaluate((t) => new DOMParser().parseFromString(t, 'image/svg+xml').getElementsByTagName('parsererror').length, text);
    check(bad === 0, `${name} SVG is well-formed XML`);
  }
  check(readFileSync(svg2Path, 'utf8').includes('<image '), 'matrix SVG embeds the heatmap tiles');
  // What the SVG draws: rasterised in the page, the heatmap covers as much of the picture as in
  // the PNG export of the same view (the 9-argument drawImage once put it at (0, 0), tiny).
  const [png2] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
  const png2Path = join(shots, 'export-matrix.png');
  await png2.saveAs(png2Path);
  const inked = (url) => page.evaluate(async (u) => {
    const img = new Image();
    img.src = u;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) n++;
    return n / (d.length / 4);
  }, url);
  const svgInk = await inked('data:image/svg+xml;base64,' + readFileSync(svg2Path).toString('base64'));
  const pngInk = await inked('data:image/png;base64,' + readFileSync(png2Path).toString('base64'));
  check(pngInk > 0.1 && svgInk > 0.8 * pngInk, `matrix SVG draws the heatmap like the PNG (ink ${svgInk.toFixed(3)} vs ${pngInk.toFixed(3)})`);

  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
  await page.close();

  // Cross-attention trace: the output grows under the source.
  const cross = await startViewer(binary, join(fixtures, 'cross.attn.safetensors'));
  try {
    const p2 = await browser.newPage({ viewport: { width: 900, height: 500 } });
    await p2.goto(cross.url);
    await ready(p2);
    await p2.click('button[data-view="playback"]');
    await p2.locator('#scrub').fill('3');
    await p2.waitForTimeout(400);
    await p2.screenshot({ path: join(shots, 'playback-cross.png') });
    await p2.close();
  } finally {
    cross.proc.kill();
  }

  // Standalone export, opened from file:// with no server.
  const html = join(shots, 'small.html');
  execFileSync(binary, ['export', join(fixtures, 'small.attn.safetensors'), '--html', '-o', html]);
  const p3 = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errs3 = [];
  p3.on('pageerror', (e) => errs3.push(e.message));
  p3.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) errs3.push(`network: ${r.url()}`); });
  await p3.goto(pathToFileURL(html).href);
  await ready(p3);
  await p3.selectOption('#layer', '2');
  await p3.selectOption('#head', '3');
  await p3.waitForTimeout(300);
  const st3 = await hoverCell(p3, 23, 8);
  const w3 = Number(st3.split(': ').pop());
  check(Math.abs(w3 - row[8]) < 1e-3 * Math.max(1, row[8]), `exported HTML hover matches the server (${w3} vs ${row[8]})`);
  await p3.screenshot({ path: join(shots, 'export-html.png') });
  check(errs3.length === 0, `exported page: no errors, no network (${errs3.join(' | ')})`);
} finally {
  viewer.proc.kill();
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
