// Shared helpers of the viewer's browser scripts (tests and the first-paint benchmark):
// skip when the browser stack is missing, start `attnscope view`, launch Debian's chromium.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

// Exits with 77 (ctest SKIP_RETURN_CODE) and a clear message when a piece is missing.
export function requireBrowserStack() {
  if (!existsSync(join(here, 'node_modules', 'playwright-core'))) {
    console.log('SKIP: tests/web/node_modules/playwright-core missing (run scripts/web-deps.sh)');
    process.exit(77);
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`SKIP: ${CHROMIUM} missing (apt-get install chromium)`);
    process.exit(77);
  }
  return createRequire(import.meta.url)('playwright-core');
}

export async function launch(pw) {
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
    // launch() always starts from a fresh temporary --user-data-dir of its own (it refuses one
    // given in args), so no profile state leaks between runs.
  });
}

// Starts `attnscope view TRACE` on a free port; resolves with { url, proc } once it prints its URL.
export function startViewer(binary, trace, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['view', trace, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`viewer did not start: ${err}`)); }, 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ url: m[1], proc }); }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`viewer exited ${code}: ${err}`)); });
  });
}

// Decodes a binary block (same layout as web/api.js) for float32 arrays.
export function decodeF32(buf, name) {
  const dv = new DataView(buf), n = dv.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  const a = header.arrays.find((x) => x.name === name);
  return new Float32Array(buf.slice(4 + n + a.offset, 4 + n + a.offset + a.bytes));
}
