// Boot of an offline HTML file (src/attnscope/serve/offline_page.h): the modules arrive as
// text in #attnscope-modules; each becomes a blob: URL after its relative imports are rewritten
// to its dependencies' blob: URLs (leaves first), then the page's entry module (data-entry:
// main.js for the viewer, report.js for the analyze report) starts and finds its data.
const modules = document.getElementById('attnscope-modules');
const sources = JSON.parse(modules.textContent);
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

import(load(modules.dataset.entry || 'main.js')).catch((e) => {
  document.getElementById('status').textContent = `error: ${e.message}`;
});
