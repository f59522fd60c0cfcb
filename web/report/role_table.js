// Report view: heads per role — a row per role with its colour, count and the heads that have
// it (with the score that gave the role); click a head to select it in the grid.
import { roleTable, roleCss } from '../util/roles.js';

let section, table, state, set;

export function mount(sec, s, setter) {
  section = sec;
  state = s;
  set = setter;
  table = document.createElement('table');
  section.appendChild(table);
  table.addEventListener('click', (ev) => {
    const a = ev.target.closest('[data-l]');
    if (a) set({ selected: { l: Number(a.dataset.l), h: Number(a.dataset.h) } });
  });
}

export function render() {
  const groups = roleTable(state.layers);
  const total = groups.reduce((n, g) => n + g.heads.length, 0);
  table.innerHTML = '<thead><tr><th>role</th><th>heads</th><th>share</th><th>which (score)</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const g of groups) {
    const tr = document.createElement('tr');
    tr.dataset.role = g.key;
    const name = document.createElement('td');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = roleCss(g.key);
    name.append(sw, g.label);
    const count = document.createElement('td');
    count.className = 'count';
    count.textContent = String(g.heads.length);
    const share = document.createElement('td');
    share.className = 'count';
    share.textContent = `${((100 * g.heads.length) / total).toFixed(0)}%`;
    const list = document.createElement('td');
    list.className = 'heads-list';
    g.heads.sort((a, b) => b.score - a.score).forEach((hd, i) => {
      const s = document.createElement('span');
      s.dataset.l = hd.l;
      s.dataset.h = hd.h;
      s.style.cursor = 'pointer';
      const role = hd.role === g.key ? '' : ` ${hd.role}`;
      s.textContent = `${i ? ', ' : ''}${hd.layer}.${hd.h}${role} (${hd.score.toFixed(2)})`;
      list.appendChild(s);
    });
    tr.append(name, count, share, list);
    body.appendChild(tr);
  }
  table.appendChild(body);
}

export function update() {}
