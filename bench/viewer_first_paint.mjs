// Viewer first paint and pan/zoom smoothness for a 4,096-token 12-layer x 12-head trace
// (top-16 per row: the dense tensor would be 2.4 G weights), measured in headless chromium.
//   node bench/viewer_first_paint.mjs [BUILD_DIR]      (default build/; needs tests/web deps)
// Prints: server start (read + validate), first paint (navigation -> heatmap drawn, cold and
// warm server cache), and during 30 wheel zooms + 30 drags the longest gap between frames.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireBrowserStack, launch, startViewer } from '../tests/web/lib.mjs';

const pw = requireBrowserStack();
const build = resolve(process.argv[2] || 'build');
const binary = join(build, 'attnscope'), fixtures = join(build, 'web-fixtures');
const trace = join(fixtures, 'big.attn.safetensors');
if (!existsSync(trace)) execFileSync(join(build, 'tests', 'viewer_fixture'), [fixtures, '--big'], { stdio: 'inherit' });

const t0 = performance.now();
const viewer = await startViewer(binary, trace);
const startMs = performance.now() - t0;
const browser = await launch(pw);
const results = [];
try {
  for (const run of ['cold', 'warm', 'warm']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(viewer.url);
    await page.waitForFunction(() => window.__attnscope && window.__attnscope.firstPaint !== null, null, { timeout: 60000 });
    // firstPaint is performance.now() in the page: milliseconds since navigation start.
    results.push({ run, firstPaint: await page.evaluate(() => window.__attnscope.firstPaint) });
    if (run === 'cold') {
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(build, 'web-screens', 'bench-first.png') });
      // Interaction: frame gaps while zooming in around the centre, then dragging around.
      await page.evaluate(() => {
        window.__gaps = [];
        let last = performance.now();
        const loop = (t) => { window.__gaps.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(loop); };
        requestAnimationFrame(loop);
      });
      await page.mouse.move(700, 450);
      for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, -120); await page.waitForTimeout(16); }
      await page.mouse.down();
      for (let i = 0; i < 30; i++) { await page.mouse.move(700 - 10 * i, 450 - 10 * i); await page.waitForTimeout(16); }
      await page.mouse.up();
      await page.waitForTimeout(300);
      const gaps = await page.evaluate(() => { window.__stop = true; return window.__gaps; });
      gaps.sort((a, b) => a - b);
      results.push({ run: 'interaction', frames: gaps.length, p50: gaps[Math.floor(gaps.length / 2)], p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1] });
      await page.screenshot({ path: join(build, 'web-screens', 'bench-zoomed.png') });
    }
    await page.close();
  }
} finally {
  viewer.proc.kill();
  await browser.close();
}
console.log(`trace: 4096 tokens x 12 layers x 12 heads, top-16 (${trace})`);
console.log(`server start (read + validate + bind): ${startMs.toFixed(0)} ms`);
for (const r of results) {
  if (r.run === 'interaction') console.log(`zoom/pan frames: ${r.frames}, gap p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`);
  else console.log(`first paint (${r.run} server cache): ${r.firstPaint.toFixed(0)} ms`);
}
