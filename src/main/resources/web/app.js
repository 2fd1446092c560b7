// Lars admin page: plain JavaScript over the REST API under /api; no build step, no external files.
'use strict';

const TOKEN_KEY = 'lars-admin-token';
const $ = (id) => document.getElementById(id);

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function showMessage(text, ok) {
  const m = $('message');
  m.textContent = text;
  m.className = ok ? 'ok' : 'error';
}

async function api(method, path, body) {
  const headers = {};
  if (token()) headers['Authorization'] = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (res.headers.get('Content-Type') || '').startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    const error = new Error((json && json.error) || (res.status + ' ' + res.statusText));
    error.status = res.status;
    throw error;
  }
  return json;
}

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function button(row, label, action) {
  const td = row.lastChild && row.lastChild.dataset && row.lastChild.dataset.actions ? row.lastChild : document.createElement('td');
  td.dataset.actions = '1';
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', action);
  td.appendChild(b);
  row.appendChild(td);
}

function fillTable(id, rows, render) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  rows.forEach((r) => {
    const tr = document.createElement('tr');
    render(tr, r);
    body.appendChild(tr);
  });
}

function time(ts) {
  return new Date(ts * 1000).toLocaleString();
}

async function guarded(work, done) {
  try {
    await work();
    if (done) showMessage(done, true);
  } catch (e) {
    showMessage(e.status === 401 ? 'Not authorized: enter the admin token. (' + e.message + ')' : e.message, false);
  }
}

// ---- routes ----------------------------------------------------------------------------------------

async function loadRoutes() {
  const m = $('filter-modid').value, c = $('filter-cmdid').value;
  const query = m !== '' && c !== '' ? '?modid=' + m + '&cmdid=' + c : '';
  const routes = await api('GET', '/api/routes' + query);
  fillTable('routes-table', routes, (tr, r) => {
    tr.dataset.id = r.id;
    [r.id, r.modid, r.cmdid, r.moduleName, r.commandName, r.ip, r.port].forEach((v) => cell(tr, v));
    button(tr, 'Edit', () => editRoute(r));
    button(tr, 'Delete', () => guarded(async () => {
      if (!confirm('Delete route ' + r.ip + ':' + r.port + ' of ' + r.modid + '/' + r.cmdid + '?')) return;
      await api('DELETE', '/api/routes/' + r.id);
      await refreshRoutes();
    }, 'Route ' + r.id + ' deleted'));
  });
}

async function loadVersion() {
  $('route-version').textContent = (await api('GET', '/api/version')).version;
}

async function refreshRoutes() {
  await loadRoutes();
  await loadVersion();
}

function editRoute(r) {
  $('route-id').value = r.id;
  $('route-modid').value = r.modid;
  $('route-cmdid').value = r.cmdid;
  $('route-ip').value = r.ip;
  $('route-port').value = r.port;
  $('route-submit').textContent = 'Save route ' + r.id;
  $('route-cancel').hidden = false;
}

function resetRouteForm() {
  $('route-form').reset();
  $('route-id').value = '';
  $('route-submit').textContent = 'Add route';
  $('route-cancel').hidden = true;
}

$('route-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const body = {
    modid: Number($('route-modid').value), cmdid: Number($('route-cmdid').value),
    ip: $('route-ip').value.trim(), port: Number($('route-port').value),
  };
  const id = $('route-id').value;
  guarded(async () => {
    const row = id ? await api('PUT', '/api/routes/' + id, body) : await api('POST', '/api/routes', body);
    resetRouteForm();
    await refreshRoutes();
    showMessage((id ? 'Saved' : 'Added') + ' route ' + row.id + ': ' + row.ip + ':' + row.port, true);
  });
});
$('route-cancel').addEventListener('click', resetRouteForm);
$('route-filter').addEventListener('submit', (ev) => { ev.preventDefault(); guarded(loadRoutes); });
$('filter-clear').addEventListener('click', () => { $('route-filter').reset(); guarded(loadRoutes); });

// ---- names -----------------------------------------------------------------------------------------

async function loadNames() {
  for (const kind of ['modules', 'commands']) {
    const key = kind === 'modules' ? 'modid' : 'cmdid';
    fillTable(kind + '-table', await api('GET', '/api/' + kind), (tr, n) => {
      cell(tr, n[key]);
      cell(tr, n.name);
      button(tr, 'Delete', () => guarded(async () => {
        await api('DELETE', '/api/' + kind + '/' + n[key]);
        await loadNames();
      }, 'Name of ' + key + ' ' + n[key] + ' deleted'));
    });
  }
}

for (const kind of ['module', 'command']) {
  $(kind + '-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      await api('PUT', '/api/' + kind + 's/' + Number($(kind + '-id').value), { name: $(kind + '-name').value });
      $(kind + '-form').reset();
      await loadNames();
    }, 'Name saved');
  });
}

// ---- changes ---------------------------------------------------------------------------------------

async function loadChanges() {
  fillTable('changes-table', await api('GET', '/api/changes'), (tr, c) => {
    [c.id, c.modid, c.cmdid, c.version, time(c.version)].forEach((v) => cell(tr, v));
  });
  await loadVersion();
}

// ---- statistics ------------------------------------------------------------------------------------

async function loadStats() {
  const m = $('stats-modid').value, c = $('stats-cmdid').value;
  const module = m !== '' && c !== '';
  const rows = await api('GET', '/api/status' + (module ? '?modid=' + m + '&cmdid=' + c : ''));
  fillTable('status-table', rows, (tr, s) => {
    if (s.overload) tr.className = 'overload';
    [s.modid, s.cmdid, s.ip + ':' + s.port, s.caller, s.succ, s.err, time(s.ts)].forEach((v) => cell(tr, v));
    cell(tr, s.overload ? 'overload' : 'idle', s.overload ? 'overload' : '');
  });
  if (module) {
    const h = await api('GET', '/api/status/history?modid=' + m + '&cmdid=' + c + '&minutes=' + $('stats-minutes').value);
    drawChart(h.points, h.since);
  } else {
    drawChart([], 0);
  }
}

function drawChart(points, since) {
  const canvas = $('chart');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, left = 50, bottom = 24, top = 10;
  g.clearRect(0, 0, w, h);
  g.font = '12px sans-serif';
  g.fillStyle = '#666';
  if (points.length === 0) {
    g.fillText('no history for this module in the window (choose modid and cmdid)', left, h / 2);
    canvas.dataset.points = '0';
    return;
  }
  const t0 = Math.min(since, points[0].ts), t1 = Math.max(points[points.length - 1].ts, t0 + 1);
  const max = Math.max(1, ...points.map((p) => Math.max(p.succ, p.err)));
  const x = (ts) => left + (w - left - 10) * (ts - t0) / (t1 - t0);
  const y = (v) => h - bottom - (h - bottom - top) * v / max;
  g.strokeStyle = '#ccc';
  g.beginPath(); g.moveTo(left, top); g.lineTo(left, h - bottom); g.lineTo(w - 10, h - bottom); g.stroke();
  g.fillText(String(max), 4, top + 10);
  g.fillText('0', 4, h - bottom);
  g.fillText(new Date(t0 * 1000).toLocaleTimeString(), left, h - 6);
  g.fillText(new Date(t1 * 1000).toLocaleTimeString(), w - 90, h - 6);
  for (const [key, color] of [['succ', '#2a7'], ['err', '#d33']]) {
    g.strokeStyle = color;
    g.fillStyle = color;
    g.beginPath();
    points.forEach((p, i) => (i === 0 ? g.moveTo(x(p.ts), y(p[key])) : g.lineTo(x(p.ts), y(p[key]))));
    g.stroke();
    points.forEach((p) => g.fillRect(x(p.ts) - 2, y(p[key]) - 2, 4, 4));
  }
  canvas.dataset.points = String(points.length);
}

$('stats-form').addEventListener('submit', (ev) => { ev.preventDefault(); guarded(loadStats); });

// ---- live load balance -----------------------------------------------------------------------------

function hostTable(title, hosts) {
  const wrap = document.createElement('div');
  const h = document.createElement('h3');
  h.textContent = title + ' (' + hosts.length + ')';
  wrap.appendChild(h);
  const table = document.createElement('table');
  table.innerHTML = '<thead><tr><th>host</th><th>vsucc</th><th>verr</th><th>rsucc</th><th>rerr</th>'
    + '<th>contin succ</th><th>contin err</th></tr></thead><tbody></tbody>';
  hosts.forEach((x) => {
    const tr = document.createElement('tr');
    if (x.overloaded) tr.className = 'overload';
    [x.ip + ':' + x.port, x.vsucc, x.verr, x.rsucc, x.rerr, x.continSucc, x.continErr].forEach((v) => cell(tr, v));
    table.tBodies[0].appendChild(tr);
  });
  wrap.appendChild(table);
  return wrap;
}

async function loadLb() {
  const view = $('lb-view');
  const s = await api('GET', '/api/lb/' + Number($('lb-modid').value) + '/' + Number($('lb-cmdid').value));
  const summary = document.createElement('p');
  summary.textContent = 'module ' + s.modid + '/' + s.cmdid + ': route ' + (s.routeKnown ? 'known' : 'not known yet')
    + ', pull ' + s.pullStatus + ', access ' + s.access
    + (s.lastUpdateMs >= 0 ? ', route updated ' + new Date(s.lastUpdateMs).toLocaleTimeString() : '');
  const lists = document.createElement('div');
  lists.className = 'lists';
  lists.append(hostTable('idle', s.idle), hostTable('overload', s.overload));
  view.replaceChildren(summary, lists);
}

$('lb-form').addEventListener('submit', (ev) => { ev.preventDefault(); guarded(loadLb); });

// ---- tabs and token --------------------------------------------------------------------------------

const loaders = { routes: refreshRoutes, names: loadNames, changes: loadChanges, stats: loadStats, lb: async () => {} };

document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => {
  document.querySelectorAll('nav button').forEach((x) => x.classList.toggle('active', x === b));
  document.querySelectorAll('.tab').forEach((t) => { t.hidden = t.id !== 'tab-' + b.dataset.tab; });
  guarded(loaders[b.dataset.tab]);
}));

function showTokenState() {
  $('token-state').textContent = token() ? 'token set' : 'no token (read-only from this machine)';
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  showTokenState();
  guarded(refreshRoutes);
});

showTokenState();
guarded(refreshRoutes);
if (!token()) {
  $('token').focus();
}
