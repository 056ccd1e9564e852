// The boxq dashboard: polls GET /v1/system/overview with the admin key and draws it.
// Everything is built with DOM calls and textContent (commands and names come from users: never HTML).
'use strict';

(function () {
  const POLL_MS = 2000;
  const KEY_STORE = 'boxq.adminKey';
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  let key = null;
  let timer = null;
  let paused = false;
  let lastOk = 0;

  // ---- elements -------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.className = value;
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function s(tag, attrs) {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) el.setAttribute(name, String(value));
    return el;
  }

  function fill(id, ...children) {
    const el = $(id);
    el.replaceChildren();
    append(el, children);
  }

  function table(headers, rows) {
    return h('table', {},
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { class: x.num ? 'num' : null }, x.label || x)))),
      h('tbody', {}, rows));
  }

  const pill = (text, kind) => h('span', { class: 'pill ' + (kind || text) }, text.replace('_', ' '));
  const num = (value, field) => h('td', { class: 'num', 'data-field': field }, value);
  const empty = (text) => h('div', { class: 'empty' }, text);

  // ---- numbers with units ---------------------------------------------------------------

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
  }

  const pct = (v) => (v === null || v === undefined ? '–' : (v >= 10 ? v.toFixed(0) : v.toFixed(1)) + ' %');

  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    const sec = ms / 1000;
    if (sec < 60) return sec.toFixed(sec < 10 ? 2 : 1) + ' s';
    const min = Math.floor(sec / 60);
    if (min < 60) return min + ' min ' + Math.round(sec % 60) + ' s';
    return Math.floor(min / 60) + ' h ' + (min % 60) + ' min';
  }

  // A span of time to the second or coarser: "4 s", "2 min 5 s", "3 h 10 min".
  function span(ms) {
    const sec = Math.max(0, Math.round(ms / 1000));
    if (sec < 60) return sec + ' s';
    const min = Math.floor(sec / 60);
    if (min < 60) return min + ' min' + (sec % 60 && min < 10 ? ' ' + (sec % 60) + ' s' : '');
    const hours = Math.floor(min / 60);
    return hours < 48 ? hours + ' h ' + (min % 60) + ' min' : Math.floor(hours / 24) + ' d';
  }

  function since(iso, now) {
    if (!iso) return '–';
    const ms = now - Date.parse(iso);
    return ms < 0 ? 'just now' : span(ms) + ' ago';
  }

  function until(iso, now) {
    if (!iso) return '–';
    const ms = Date.parse(iso) - now;
    return ms <= 0 ? 'due now' : 'in ' + span(ms);
  }

  function jobDuration(job, now) {
    if (job.started_at && job.finished_at) return duration(Date.parse(job.finished_at) - Date.parse(job.started_at));
    if (job.started_at) return duration(now - Date.parse(job.started_at)) + ' so far';
    return '–';
  }

  // ---- sparklines -----------------------------------------------------------------------

  // values: numbers, oldest first; max: the top of the chart; limit: a dashed line (or null).
  function sparkline(values, max, limit, kind) {
    const w = 116;
    const hgt = 30;
    const pad = 2;
    const svg = s('svg', { width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', class: 'sparkline ' + kind });
    const y = (v) => hgt - pad - (Math.min(Math.max(v, 0), max) / max) * (hgt - 2 * pad);
    if (limit !== null && limit !== undefined) {
      svg.appendChild(s('line', { class: 'limit', x1: 0, x2: w, y1: y(limit), y2: y(limit) }));
    }
    if (values.length === 0) return svg;
    const step = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
    const pts = values.map((v, i) => [pad + i * step, y(v)]);
    if (pts.length > 1) {
      const line = pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ');
      svg.appendChild(s('polygon', { class: 'area ' + kind,
        points: `${pad},${hgt - pad} ${line} ${pts[pts.length - 1][0].toFixed(1)},${hgt - pad}` }));
      svg.appendChild(s('polyline', { class: 'line ' + kind, points: line }));
    }
    const last = pts[pts.length - 1];
    svg.appendChild(s('circle', { class: 'last ' + kind, cx: last[0], cy: last[1], r: 2.2 }));
    const title = s('title', {});
    title.textContent = values.length + ' samples';
    svg.appendChild(title);
    return svg;
  }

  function memoryCell(sbx, settings) {
    const history = sbx.history || [];
    if (!sbx.latest) return h('td', { class: 'muted' }, 'no samples yet');
    const l = sbx.latest;
    const hot = l.memory_percent >= settings.memory_warn_percent;
    return h('td', {}, h('div', { class: 'spark' + (hot ? ' hot' : '') },
      sparkline(history.map((x) => x.memory_percent), 100, settings.memory_warn_percent, 'mem'),
      h('span', { class: 'reading', 'data-field': 'memory' },
        h('b', {}, bytes(l.memory_bytes)), ' / ' + bytes(l.memory_limit_bytes || sbx.memory_limit_bytes),
        h('div', { class: 'sub-line' }, pct(l.memory_percent) + ' of limit'))));
  }

  function cpuCell(sbx, settings) {
    const history = sbx.history || [];
    if (!sbx.latest) return h('td', { class: 'muted' }, '–');
    const quota = settings.cpu_quota_percent;
    const warnAt = quota * settings.cpu_warn_percent / 100;
    const l = sbx.latest;
    return h('td', {}, h('div', { class: 'spark' + (l.cpu_percent >= warnAt ? ' hot' : '') },
      sparkline(history.map((x) => x.cpu_percent), quota, warnAt, 'cpu'),
      h('span', { class: 'reading', 'data-field': 'cpu' }, h('b', {}, pct(l.cpu_percent)),
        h('div', { class: 'sub-line' }, 'of a core · quota ' + quota + ' %'))));
  }

  // ---- sections -------------------------------------------------------------------------

  function tile(label, value, of, hint, field, alert) {
    return h('div', { class: 'tile' + (alert ? ' alert' : '') },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, h('span', { 'data-field': field }, value), of ? h('span', { class: 'of' }, ' / ' + of) : null),
      h('div', { class: 'hint' }, hint));
  }

  function drawTiles(o) {
    const total = o.nodes.reduce((a, n) => a + n.total, 0);
    const max = o.nodes.reduce((a, n) => a + n.max_capacity, 0);
    const critical = o.violations.filter((v) => v.level === 'critical').length;
    const today = o.jobs.today || { jobs: 0, run_seconds: 0, cpu_seconds: 0 };
    fill('tiles',
      tile('Nodes', o.nodes.length, null, o.nodes.length === 1 ? 'live node' : 'live nodes', 'nodes-live', o.nodes.length === 0),
      tile('Containers', total, max, o.nodes.reduce((a, n) => a + n.available, 0) + ' warm and free', 'containers-total'),
      tile('Sandboxes', o.sandboxes.total, o.sandboxes.max, 'in the whole system', 'sandboxes-total'),
      tile('Queued', o.queue.queued + o.queue.backlog, null,
        o.queue.queued + ' in streams · ' + o.queue.backlog + ' in backlogs', 'queued-total'),
      tile('Running', o.queue.running, null, 'jobs holding a run slot', 'running-total'),
      tile('Jobs today', today.jobs, null, duration(today.run_seconds * 1000) + ' run time · '
        + duration((today.cpu_seconds || 0) * 1000) + ' CPU (UTC day)', 'jobs-today'),
      tile('Violations', o.violations.length, null, critical + ' critical · newest ' + (o.violations[0]
        ? since(o.violations[0].at, Date.parse(o.generated_at)) : 'never'), 'violations-total', critical > 0));
  }

  // A bar of the node's maximum: allocated, then available. Widths through the CSSOM (the CSP allows no inline style).
  function poolBar(available, allocated, max) {
    const width = (n) => (max > 0 ? Math.min(100, (100 * n) / max) : 0).toFixed(1) + '%';
    const used = h('span', { class: 'allocated' });
    const free = h('span', { class: 'available' });
    used.style.width = width(allocated);
    free.style.width = width(available);
    return h('div', { class: 'bar', title: `${allocated} allocated, ${available} available of ${max}` }, used, free);
  }

  function drawNodes(o) {
    if (o.nodes.length === 0) {
      fill('nodes', empty('No live node: no executor has sent a heartbeat within NODE_TTL_SECONDS.'));
      return;
    }
    const now = Date.parse(o.generated_at);
    const rows = [];
    for (const n of o.nodes) {
      rows.push(h('tr', { 'data-node': n.id },
        h('td', { class: 'id' }, h('b', {}, n.id)),
        h('td', { class: 'muted' }, 'heartbeat ' + since(n.heartbeat_at, now)),
        h('td', {}, poolBar(n.available, n.allocated, n.max_capacity)),
        num(n.available, 'node-available'), num(n.allocated, 'node-allocated'), num(n.total, 'node-total'),
        num(n.max_capacity, 'node-max'), num(n.busy, 'node-busy'), num(n.sandboxes, 'node-sandboxes'),
        h('td', { class: 'num muted' }, '')));
      for (const sh of n.shapes || []) {
        rows.push(h('tr', { class: 'shape', 'data-shape': sh.shape },
          h('td', { class: 'first mono' }, sh.image),
          h('td', { class: 'muted' }, bytes(sh.memory_bytes) + ' memory · network ' + sh.network
            + (sh.runtime ? ' · runtime ' + sh.runtime : '')),
          h('td', {}, poolBar(sh.available, sh.allocated, n.max_capacity)),
          num(sh.available, 'shape-available'), num(sh.allocated, 'shape-allocated'), num(sh.total, 'shape-total'),
          h('td', { class: 'num muted' }, '(shared)'), num(sh.busy), num(sh.sandboxes), num(sh.target, 'shape-target')));
      }
    }
    fill('nodes', table([
      'node / image', '', 'pool', { label: 'available', num: true }, { label: 'allocated', num: true },
      { label: 'total', num: true }, { label: 'max', num: true }, { label: 'busy', num: true },
      { label: 'sandboxes', num: true }, { label: 'warm target', num: true }], rows),
    h('div', { class: 'legend' }, 'pool bar, of the node\'s maximum:', h('i', { class: 'allocated' }), 'allocated (held by keys, busy or idle, and sandboxes)',
      h('i', { class: 'available' }), 'available (warm, unclaimed)'));
  }

  function drawQueue(o) {
    const q = o.queue;
    const streams = table(['stream', { label: 'entries', num: true }],
      q.streams.map((x) => h('tr', {}, h('td', { class: 'id' }, x.stream), num(x.depth, 'stream-depth'))));
    const keys = q.keys.length === 0
      ? empty('No key has jobs waiting or running.')
      : table(['key', 'user', 'tier', { label: 'backlog', num: true }, { label: 'running', num: true }],
        q.keys.map((k) => h('tr', {},
          h('td', { class: 'id' }, k.key_id, k.name ? h('div', { class: 'sub-line' }, k.name) : null),
          h('td', {}, k.user || '–'), h('td', {}, k.tier || '–'),
          num(k.backlog, 'key-backlog'), num(k.running, 'key-running'))));
    fill('queue', streams, h('h3', { class: 'sub-line' }, 'Per key'), keys);
  }

  function drawViolations(o) {
    if (o.violations.length === 0) {
      fill('violations', empty('No resource violation recorded.'));
      return;
    }
    const now = Date.parse(o.generated_at);
    fill('violations', table(['when', 'sandbox', 'level', 'what', 'outcome'],
      o.violations.slice(0, 12).map((v) => h('tr', {},
        h('td', { class: 'when muted', title: v.at }, since(v.at, now)),
        h('td', { class: 'id' }, v.sandbox_id, h('div', { class: 'sub-line' }, v.key_id)),
        h('td', {}, pill(v.level)),
        h('td', {}, v.description),
        h('td', {}, v.action)))));
  }

  function drawSandboxes(o) {
    const settings = o.settings;
    $('sandboxes-note').textContent = `memory and CPU of the last ${o.sandboxes.items.reduce((a, x) =>
      Math.max(a, (x.history || []).length), 0)} samples, one every ${settings.monitor_interval_s} s; dashed line: warning threshold`;
    if (o.sandboxes.items.length === 0) {
      fill('sandboxes', empty('No sandbox.'));
      return;
    }
    const now = Date.parse(o.generated_at);
    fill('sandboxes', table(['sandbox', 'owner', 'state', 'memory', 'CPU',
      { label: 'workspace', num: true }, { label: 'pids', num: true }, 'lifetime', { label: 'violations', num: true }],
    o.sandboxes.items.map((x) => h('tr', { 'data-sandbox': x.id },
      h('td', { class: 'id' }, x.id, h('div', { class: 'sub-line' }, x.image), h('div', { class: 'sub-line' }, 'on ' + x.node)),
      h('td', {}, x.user || '–', h('div', { class: 'sub-line mono' }, x.key_id)),
      h('td', {}, pill(x.state), x.error ? h('div', { class: 'sub-line' }, x.error) : null,
        x.paused_at ? h('div', { class: 'sub-line', 'data-field': 'paused-for' }, 'for ' + span(now - Date.parse(x.paused_at))) : null),
      memoryCell(x, settings), cpuCell(x, settings),
      num(x.latest ? pct(x.latest.disk_percent) : '–', 'disk'),
      num(x.latest ? x.latest.pids : '–', 'pids'),
      h('td', { class: 'when' }, span(now - Date.parse(x.created_at)) + ' old',
        h('div', { class: 'sub-line' }, 'ends ' + until(x.expires_at, now))),
      num(x.violations, 'sandbox-violations')))));
  }

  function drawJobs(o) {
    const j = o.jobs;
    if (j.recent.length === 0) {
      fill('jobs', empty('No job yet.'));
      return;
    }
    const now = Date.parse(o.generated_at);
    const counts = Object.entries(j.recent_by_state)
      .map(([state, n]) => h('span', { class: 'count' }, pill(state), ' ', h('b', { 'data-field': 'state-' + state }, n)));
    fill('jobs', h('div', { class: 'legend' }, 'states of these ' + j.recent.length + ' jobs: ', counts),
      table(['job', 'key', 'state', 'command', { label: 'exit', num: true }, { label: 'duration', num: true },
        'queued', 'node', { label: 'attempt', num: true }],
      j.recent.map((x) => h('tr', { 'data-job': x.id },
        h('td', { class: 'id' }, x.id),
        h('td', { class: 'id muted' }, x.key_id),
        h('td', { 'data-field': 'job-state' }, pill(x.state)),
        h('td', { class: 'cmd', title: x.error || x.command || '' }, x.command || '',
          x.error ? h('div', { class: 'sub-line' }, x.error) : null),
        num(x.exit_code === undefined || x.exit_code === null ? '–' : x.exit_code, 'exit-code'),
        num(jobDuration(x, now), 'duration'),
        h('td', { class: 'when muted', title: x.queued_at }, since(x.queued_at, now)),
        h('td', { class: 'id muted' }, x.node || '–'),
        num(x.attempt)))));
  }

  function draw(o) {
    drawTiles(o);
    drawNodes(o);
    drawQueue(o);
    drawViolations(o);
    drawSandboxes(o);
    drawJobs(o);
  }

  // ---- key, polling, status -------------------------------------------------------------

  function setStatus(kind, text) {
    $('status').className = 'status ' + kind;
    $('status-text').textContent = text;
  }

  function showLogin(message) {
    $('board').hidden = true;
    $('pause').hidden = true;
    $('forget').hidden = true;
    $('login').hidden = false;
    $('login-error').hidden = !message;
    $('login-error').textContent = message || '';
    setStatus('down', 'no admin key');
    $('key-input').focus();
  }

  function useKey(value) {
    key = value.trim();
    sessionStorage.setItem(KEY_STORE, key);
    $('login').hidden = true;
    $('forget').hidden = false;
    $('pause').hidden = false;
    setStatus('stale', 'connecting…');
    poll();
  }

  async function poll() {
    clearTimeout(timer);
    if (!key) return;
    try {
      const r = await fetch('/v1/system/overview', { headers: { Authorization: 'Bearer ' + key }, cache: 'no-store' });
      if (r.status === 401 || r.status === 403) {
        sessionStorage.removeItem(KEY_STORE);
        key = null;
        showLogin(r.status === 401 ? 'The server does not know this key (401).'
          : 'This key is not the admin key (403): the overview is for operators only.');
        return;
      }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const overview = await r.json();
      draw(overview);
      $('board').hidden = false;
      lastOk = Date.now();
      setStatus('live', 'live · updated ' + new Date(overview.generated_at).toLocaleTimeString());
    } catch (e) {
      setStatus(lastOk ? 'stale' : 'down', (lastOk ? 'stale since ' + new Date(lastOk).toLocaleTimeString() + ' · '
        : '') + 'cannot reach the server (' + e.message + '), retrying');
    }
    if (!paused && key) timer = setTimeout(poll, POLL_MS);
  }

  function keyFromFragment() {
    const m = location.hash.match(/(?:^#|&)key=([^&]+)/);
    if (!m) return null;
    history.replaceState(null, '', location.pathname + location.search); // out of the address bar and history
    return decodeURIComponent(m[1]);
  }

  function start() {
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      useKey($('key-input').value);
    });
    $('forget').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORE);
      key = null;
      clearTimeout(timer);
      showLogin(null);
    });
    $('pause').addEventListener('click', () => {
      paused = !paused;
      $('pause').textContent = paused ? 'Resume' : 'Pause';
      if (paused) {
        clearTimeout(timer);
        setStatus('stale', 'paused');
      } else {
        poll();
      }
    });
    const given = keyFromFragment() || sessionStorage.getItem(KEY_STORE);
    if (given) useKey(given);
    else showLogin(null);
  }

  start();
}());
