// Boot of an exported HTML file (src/attnscope/serve/html_export.h): the modules arrive as
// text in #attnscope-modules; each becomes a blob: URL after its relative imports are rewritten
// to its dependencies' blob: URLs (leaves first), then main.js starts and finds #attnscope-data.
const sources = JSON.parse(document.getElementById('attnscope-modules').textContent);
const urls = {};

function resolve(from, spec) {
  const parts = from.split('/').slice(0, -1);
  for (const p of spec.split('/')) {
    if (p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function load(path) {
  if (urls[path]) return urls[path];
  if (!(path in sources)) throw new Error(`exported page lacks module ${path}`);
  const code = sources[path].replace(/(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (m, kw, q, spec) => `${kw}${q}${load(resolve(path, spec))}${q}`);
  urls[path] = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  return urls[path];
}

import(load('main.js')).catch((e) => {
  document.getElementById('status').textContent = `error: ${e.message}`;
});
