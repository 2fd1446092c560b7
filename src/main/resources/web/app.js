// Lars admin console: plain JavaScript over the REST API under /api (see /api/openapi.json); no
// build step, no external files (the Content-Security-Policy allows only this origin's files).
// Pages are hash routes (#/modules, #/module/MODID/CMDID, #/routes, #/names, #/audit, #/cluster);
// the page shown is refreshed every 2 s while "live" is ticked.
'use strict';

const TOKEN_KEY = 'lars-admin-token';
const REFRESH_MS = 2000;
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
  b.addEventListener('click', (ev) => { ev.stopPropagation(); action(); });
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

function pad(n) {
  return String(n).padStart(2, '0');
}

/** A date and time in the browser's zone, e.g. 2026-11-30 21:04:05. */
function dateTime(ms) {
  const d = new Date(ms);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
    + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

/** A route version (unix seconds of the write, or a little above) as a date. */
function versionText(version) {
  return version > 0 ? dateTime(version * 1000) : 'no write yet';
}

function moduleText(modid, cmdid) {
  return modid + '/' + cmdid;
}

async function guarded(work, done) {
  try {
    await work();
    if (done) showMessage(done, true);
  } catch (e) {
    showMessage(e.status === 401 ? 'Not authorized: enter the admin token. (' + e.message + ')' : e.message, false);
  }
}

async function loadVersion() {
  const v = await api('GET', '/api/version');
  $('route-version').textContent = versionText(v.version);
  $('route-version').title = 'version ' + v.version;
}

// ---- modules overview ------------------------------------------------------------------------------

const overviewSort = { key: 'module', asc: true };
let overviewRows = [];

function sortValue(m, key) {
  switch (key) {
    case 'module': return m.modid * 4294967296 + m.cmdid;
    case 'name': return ((m.moduleName || '') + ' ' + (m.commandName || '')).toLowerCase();
    case 'hosts': return m.hosts + (m.registered || 0);
    default: return m[key] === null || m[key] === undefined ? -1 : m[key];
  }
}

function renderOverview() {
  const query = $('modules-query').value.trim().toLowerCase();
  const onlyOverloaded = $('modules-overloaded').checked;
  const rows = overviewRows.filter((m) => {
    if (onlyOverloaded && !(m.overloaded > 0)) return false;
    if (!query) return true;
    const text = [moduleText(m.modid, m.cmdid), m.modid, m.cmdid, m.moduleName || '', m.commandName || ''].join(' ').toLowerCase();
    return text.includes(query);
  });
  rows.sort((a, b) => {
    const x = sortValue(a, overviewSort.key), y = sortValue(b, overviewSort.key);
    return (x < y ? -1 : x > y ? 1 : 0) * (overviewSort.asc ? 1 : -1);
  });
  fillTable('modules-table', rows, (tr, m) => {
    tr.dataset.module = moduleText(m.modid, m.cmdid);
    if (m.overloaded > 0) tr.className = 'warn';
    cell(tr, moduleText(m.modid, m.cmdid));
    cell(tr, [m.moduleName, m.commandName].filter((x) => x).join(' / '));
    // Static rows, then self-registered hosts (leases, issue 16) marked as such.
    cell(tr, m.registered > 0 ? (m.hosts > 0 ? m.hosts + ' + ' : '') + m.registered + ' registered' : m.hosts,
      m.registered > 0 ? 'registered' : '');
    cell(tr, m.idle === null ? '?' : m.idle);
    cell(tr, m.overloaded === null ? '?' : m.overloaded, m.overloaded > 0 ? 'overload' : '');
    cell(tr, m.callsPerSecond.toFixed(2));
    cell(tr, (m.errorRate * 100).toFixed(1) + ' %', m.errorRate >= 0.1 ? 'overload' : '');
    cell(tr, m.live + (m.liveError ? ': ' + m.liveError : ''));
    tr.addEventListener('click', () => { location.hash = '#/module/' + m.modid + '/' + m.cmdid; });
  });
  document.querySelectorAll('#modules-table th').forEach((th) => {
    th.classList.toggle('sorted', th.dataset.key === overviewSort.key);
    th.classList.toggle('desc', th.dataset.key === overviewSort.key && !overviewSort.asc);
  });
}

async function loadOverview() {
  const o = await api('GET', '/api/overview');
  overviewRows = o.modules;
  $('window').textContent = o.windowSeconds;
  $('route-version').textContent = versionText(o.version.version);
  renderOverview();
}

document.querySelectorAll('#modules-table th').forEach((th) => th.addEventListener('click', () => {
  overviewSort.asc = overviewSort.key === th.dataset.key ? !overviewSort.asc : true;
  overviewSort.key = th.dataset.key;
  renderOverview();
}));
$('modules-query').addEventListener('input', renderOverview);
$('modules-overloaded').addEventListener('change', renderOverview);
$('modules-filter').addEventListener('submit', (ev) => ev.preventDefault());

// ---- one module --------------------------------------------------------------------------------------

let currentModule = null;

function hostRow(tr, h) {
  if (h.overloaded) tr.className = 'overload';
  cell(tr, h.ip + ':' + h.port);
  cell(tr, h.overloaded ? 'overloaded' : 'idle', h.overloaded ? 'overload' : '');
  [h.vsucc, h.verr, h.rsucc, h.rerr, h.continSucc, h.continErr].forEach((v) => cell(tr, v));
  cell(tr, h.avgTimecostMs > 0 ? h.avgTimecostMs.toFixed(1) + ' ms' : '');
}

function auditWhat(a) {
  const now = a.ip + ':' + a.port;
  switch (a.action) {
    case 'add': return 'added ' + now + ' to ' + moduleText(a.modid, a.cmdid);
    case 'remove': return 'removed ' + now + ' from ' + moduleText(a.modid, a.cmdid);
    default: return 'changed ' + a.before.ip + ':' + a.before.port + ' of ' + moduleText(a.before.modid, a.before.cmdid)
      + ' to ' + now + ' of ' + moduleText(a.modid, a.cmdid);
  }
}

async function loadModule() {
  const [modid, cmdid] = currentModule;
  const q = '?modid=' + modid + '&cmdid=' + cmdid;
  $('module-title').textContent = 'Module ' + moduleText(modid, cmdid);
  const [routes, audit, history, leases] = await Promise.all([
    api('GET', '/api/routes' + q),
    api('GET', '/api/audit' + q + '&limit=50'),
    api('GET', '/api/status/history' + q + '&minutes=' + $('chart-range').value),
    api('GET', '/api/leases' + q).catch(() => ({ leases: [] })),
  ]);
  if (routes.length > 0) {
    const names = [routes[0].moduleName, routes[0].commandName].filter((x) => x).join(' / ');
    if (names) $('module-title').textContent += ' — ' + names;
  }
  // Static rows (RouteData) and self-registered hosts (leases, issue 16), marked by their source.
  const rows = routes.map((r) => ({ id: r.id, host: r.ip + ':' + r.port, source: 'static' }))
    .concat(leases.leases.map((l) => ({ id: l.id, host: l.ip + ':' + l.port,
      source: l.state + ' (lease, ttl ' + l.ttlS + ' s)' })));
  fillTable('module-routes', rows, (tr, r) => {
    tr.dataset.source = r.source.split(' ')[0];
    cell(tr, r.id);
    cell(tr, r.host);
    cell(tr, r.source, r.source === 'static' ? '' : 'registered');
  });
  fillTable('module-history', audit, (tr, a) => {
    [dateTime(a.ts), a.actor, a.action, auditWhat(a), versionText(a.version)].forEach((v) => cell(tr, v));
  });
  drawChart(history.points, history.since, Number($('chart-range').value));
  try {
    const s = await api('GET', '/api/lb/' + modid + '/' + cmdid);
    $('module-summary').textContent = s.idle.length + ' idle, ' + s.overload.length + ' overloaded; route '
      + (s.routeKnown ? 'known to the agents' : 'not known to the agents yet') + ', pull ' + s.pullStatus
      + ', ' + s.access + ' requests since the last probe';
    fillTable('module-hosts', s.idle.concat(s.overload), hostRow);
  } catch (e) {
    $('module-summary').textContent = 'live state unavailable: ' + e.message;
    fillTable('module-hosts', [], hostRow);
  }
}

$('chart-range').addEventListener('change', () => guarded(loadModule));

function drawChart(points, since, minutes) {
  const canvas = $('chart');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, left = 70, right = 20, top = 16, bottom = 52;
  g.clearRect(0, 0, w, h);
  g.font = '12px sans-serif';
  g.fillStyle = '#444';
  const t1 = Math.max(since + minutes * 60, points.length ? points[points.length - 1].ts : 0);
  const t0 = since;
  const max = Math.max(1, ...points.map((p) => Math.max(p.succ, p.err)));
  const x = (ts) => left + (w - left - right) * (ts - t0) / Math.max(1, t1 - t0);
  const y = (v) => h - bottom - (h - bottom - top) * v / max;
  // axes with ticks and labels
  g.strokeStyle = '#999';
  g.beginPath(); g.moveTo(left, top); g.lineTo(left, h - bottom); g.lineTo(w - right, h - bottom); g.stroke();
  g.textAlign = 'right';
  for (let i = 0; i <= 4; i++) {
    const v = Math.round(max * i / 4);
    g.fillText(String(v), left - 6, y(v) + 4);
    g.strokeStyle = '#eee';
    g.beginPath(); g.moveTo(left + 1, y(v)); g.lineTo(w - right, y(v)); g.stroke();
  }
  g.textAlign = 'center';
  for (let i = 0; i <= 4; i++) {
    const ts = t0 + (t1 - t0) * i / 4;
    const d = new Date(ts * 1000);
    g.fillText(pad(d.getHours()) + ':' + pad(d.getMinutes()) + (minutes <= 15 ? ':' + pad(d.getSeconds()) : ''), x(ts), h - bottom + 16);
  }
  g.fillText('time (browser time zone; range ' + dateTime(t0 * 1000) + ' to ' + dateTime(t1 * 1000) + ')', left + (w - left - right) / 2, h - 10);
  g.save();
  g.translate(16, top + (h - top - bottom) / 2);
  g.rotate(-Math.PI / 2);
  g.fillText('calls per report (count)', 0, 0);
  g.restore();
  if (points.length === 0) {
    g.fillText('no reports for this module in the range', left + (w - left - right) / 2, h / 2);
    canvas.dataset.points = '0';
    return;
  }
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

// ---- routes ------------------------------------------------------------------------------------------

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

// ---- names -------------------------------------------------------------------------------------------

async function loadNames() {
  for (const [kind, table] of [['modules', 'modules-names-table'], ['commands', 'commands-table']]) {
    const key = kind === 'modules' ? 'modid' : 'cmdid';
    fillTable(table, await api('GET', '/api/' + kind), (tr, n) => {
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

// ---- audit and pending pushes ------------------------------------------------------------------------

async function loadAudit() {
  const [audit, changes] = await Promise.all([api('GET', '/api/audit?limit=200'), api('GET', '/api/changes')]);
  fillTable('audit-table', audit, (tr, a) => {
    cell(tr, dateTime(a.ts));
    cell(tr, a.actor);
    cell(tr, a.action);
    const link = document.createElement('a');
    link.href = '#/module/' + a.modid + '/' + a.cmdid;
    link.textContent = moduleText(a.modid, a.cmdid);
    cell(tr, '').appendChild(link);
    cell(tr, auditWhat(a));
    cell(tr, versionText(a.version));
  });
  fillTable('changes-table', changes, (tr, c) => {
    [c.id, moduleText(c.modid, c.cmdid), versionText(c.version)].forEach((v) => cell(tr, v));
  });
}

// ---- cluster -----------------------------------------------------------------------------------------

async function loadCluster() {
  const c = await api('GET', '/api/cluster');
  $('cluster-summary').textContent = c.clustered
    ? c.members.length + ' member(s); this node is ' + c.self + (c.leader ? '; leader ' + c.leader : '; no leader')
      + (c.shardsError ? ' — ' + c.shardsError : '')
    : 'This node runs without Akka Cluster.';
  fillTable('cluster-table', c.members, (tr, m) => {
    if (!m.reachable) tr.className = 'overload';
    cell(tr, m.address + (m.self ? ' (this node)' : '') + (m.leader ? ' (leader)' : ''));
    cell(tr, m.status);
    cell(tr, m.roles.join(', '));
    cell(tr, m.reachable ? 'yes' : 'NO', m.reachable ? '' : 'overload');
    cell(tr, Object.entries(m.shards).map(([shard, n]) => shard + ' (' + n + ')').join(', ') || '-');
    const td = cell(tr, m.modules.length === 0 ? '-' : '');
    m.modules.forEach((module, i) => {
      const link = document.createElement('a');
      link.href = '#/module/' + module;
      link.textContent = module;
      if (i > 0) td.appendChild(document.createTextNode(', '));
      td.appendChild(link);
    });
  });
}

// ---- pages, hash routes and live refresh -------------------------------------------------------------

const pages = {
  modules: loadOverview,
  module: loadModule,
  routes: refreshRoutes,
  names: loadNames,
  audit: loadAudit,
  cluster: loadCluster,
};
let currentPage = null;
let refreshes = 0;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  let page = parts[0] || 'modules';
  if (page === 'module' && /^-?\d+$/.test(parts[1] || '') && /^-?\d+$/.test(parts[2] || '')) {
    currentModule = [Number(parts[1]), Number(parts[2])];
  } else if (!pages[page] || page === 'module') {
    page = 'modules';
  }
  currentPage = page;
  document.querySelectorAll('.page').forEach((p) => { p.hidden = p.id !== 'page-' + page; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active',
    a.dataset.page === page || (page === 'module' && a.dataset.page === 'modules')));
  document.body.dataset.page = page;
  showMessage('', true);
  guarded(pages[page]);
}

async function refresh() {
  // Forms are left alone: only the page's tables, chart and figures are reloaded.
  if ($('live').checked && currentPage && !document.hidden) {
    try {
      await pages[currentPage]();
      refreshes++;
      document.body.dataset.refreshes = String(refreshes);
    } catch (e) {
      showMessage(e.message, false);
    }
  }
  setTimeout(refresh, REFRESH_MS);
}

window.addEventListener('hashchange', route);

function showTokenState() {
  $('token-state').textContent = token() ? 'token set' : 'no token (read-only from this machine)';
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  showTokenState();
  route();
});

showTokenState();
route();
setTimeout(refresh, REFRESH_MS);
if (!token()) {
  $('token').focus();
}
