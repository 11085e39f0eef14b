// The gatemeter web console's page: one script for the three roles. Everything it shows comes
// from the server's JSON views (host/web/console_views.h); live views arrive as Server-Sent
// Events (GET /api/live?view=...), so nothing here polls for data.
'use strict';

const $ = (id) => document.getElementById(id);
let me = null;       // {role, name, csrf}
let stream = null;   // the EventSource of the view followed now
let pageAfter = '';  // the operator's sessions page: the key it starts after ('' first page)
let nextAfter = null;

// Money is integer micro-units on the wire; shown with at least two decimals, never rounded.
function money(micros) {
  if (micros === null || micros === undefined) return '—';
  const neg = micros < 0, abs = Math.abs(micros);
  let frac = String(abs % 1000000).padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return (neg ? '-' : '') + Math.floor(abs / 1000000) + '.' + frac;
}
function duration(s) {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + r + 's';
}
function when(unix) {
  return unix ? new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
}
function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

async function api(method, path, fields) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method === 'POST') {
    init.headers['X-CSRF-Token'] = me ? me.csrf : 'login';
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(fields || {}).toString();
  }
  const res = await fetch(path, init);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  return { status: res.status, body };
}

function follow(view, params, onView) {
  if (stream) stream.close();
  const q = new URLSearchParams(Object.assign({ view }, params || {}));
  stream = new EventSource('/api/live?' + q.toString());
  stream.addEventListener('view', (e) => {
    $('live-state').textContent = 'live';
    onView(JSON.parse(e.data));
  });
  stream.onerror = () => { $('live-state').textContent = 'reconnecting…'; };
}

// Several views at once (the operator follows three): one EventSource each.
const extra = [];
function followAlso(view, onView) {
  const es = new EventSource('/api/live?view=' + encodeURIComponent(view));
  es.addEventListener('view', (e) => onView(JSON.parse(e.data)));
  extra.push(es);
}

function show(section) {
  for (const id of ['login', 'operator', 'provider', 'subscriber']) $(id).hidden = id !== section;
  $('logout').hidden = section === 'login';
  $('whoami').textContent = me ? me.role + ' ' + me.name : '';
}

// ---- operator ----

let plot = null;
const series = [[], [], []];  // time, open sessions on the page, cost so far on the page
function plotPoint(sessions) {
  if (typeof uPlot === 'undefined') return;
  const cost = sessions.reduce((a, s) => a + s.amount_micros, 0) / 1e6;
  series[0].push(Date.now() / 1000);
  series[1].push(sessions.length);
  series[2].push(cost);
  for (const s of series) if (s.length > 600) s.shift();
  if (!plot) {
    plot = new uPlot({
      width: Math.min(900, document.body.clientWidth - 40), height: 180,
      series: [{}, { label: 'open sessions', stroke: '#1d3557', scale: 'n' },
               { label: 'cost so far', stroke: '#e76f51', scale: 'money' }],
      axes: [{}, { scale: 'n' }, { scale: 'money', side: 1 }],
    }, series, $('plot'));
  } else {
    plot.setData(series);
  }
}

function renderSessions(page) {
  const body = $('sessions-body');
  body.textContent = '';
  for (const s of page.sessions) {
    const tr = document.createElement('tr');
    tr.dataset.key = s.agent + '/' + s.session_id;
    tr.dataset.subscriber = s.subscriber;
    cell(tr, s.agent);
    cell(tr, s.session_id);
    cell(tr, s.subscriber, 'subscriber');
    cell(tr, s.service + ' (' + s.service_type + ')');
    cell(tr, s.rate ? money(s.rate.price_micros) + '/' + s.rate.unit : '—');
    cell(tr, s.address || '—');
    cell(tr, duration(s.duration_s), 'num');
    cell(tr, String(s.charged_s), 'num charged');
    cell(tr, s.octets_in + ' / ' + s.octets_out, 'num');
    cell(tr, money(s.amount_micros), 'num cost');
    cell(tr, money(s.balance_micros), 'num balance');
    const actions = cell(tr, '');
    const end = document.createElement('button');
    end.textContent = 'End';
    end.className = 'end';
    end.addEventListener('click', () => act('/api/sessions/' + encodeURIComponent(s.agent) + '/' + s.session_id + '/end', {}, 'end session ' + s.session_id));
    const free = document.createElement('button');
    free.textContent = 'Free 10 min';
    free.className = 'free';
    free.addEventListener('click', () => act('/api/sessions/' + encodeURIComponent(s.agent) + '/' + s.session_id + '/free', { seconds: 600 }, 'free period for ' + s.session_id));
    actions.append(end, ' ', free);
    body.appendChild(tr);
  }
  nextAfter = page.next;
  $('sessions-count').textContent = page.sessions.length + ' on this page';
  $('next-page').disabled = !page.next;
  $('page-note').textContent = pageAfter ? 'after ' + pageAfter : 'first page';
  plotPoint(page.sessions);
}

// An action goes through the command path; the page says when the gateway confirmed it.
async function act(path, fields, what) {
  const r = await api('POST', path, fields);
  if (r.status !== 200) { $('action-status').textContent = what + ': ' + (r.body ? r.body.error : r.status); return; }
  if (r.body.command === undefined) { $('action-status').textContent = what + ': done'; return; }
  const id = r.body.command;
  $('action-status').textContent = what + ': command ' + id + ' sent, waiting for the gateway…';
  for (let i = 0; i < 120; ++i) {  // up to 2 minutes, once a second
    await new Promise((ok) => setTimeout(ok, 1000));
    const c = await api('GET', '/api/commands/' + id);
    if (c.status === 200 && c.body.state === 'confirmed') {
      $('action-status').textContent = what + ': confirmed by the gateway (command ' + id + ')';
      return;
    }
  }
  $('action-status').textContent = what + ': command ' + id + ' not confirmed yet';
}

function renderGateways(v) {
  const body = $('gateways-body');
  body.textContent = '';
  for (const g of v.gateways) {
    const tr = document.createElement('tr');
    tr.dataset.agent = g.agent;
    cell(tr, g.agent);
    cell(tr, g.enabled ? 'enabled' : 'disabled', 'state');
    cell(tr, when(g.last_login_unix));
    cell(tr, g.components || '—');
    const b = document.createElement('button');
    b.textContent = g.enabled ? 'Disable' : 'Enable';
    b.addEventListener('click', () => act('/api/gateways/' + encodeURIComponent(g.agent) + '/' + (g.enabled ? 'disable' : 'enable'), {}, (g.enabled ? 'disable ' : 'enable ') + g.agent));
    cell(tr, '').appendChild(b);
    body.appendChild(tr);
  }
  const rb = $('refusals-body');
  rb.textContent = '';
  for (const r of v.refusals) {
    const tr = document.createElement('tr');
    cell(tr, r.reason);
    cell(tr, String(r.count), 'num');
    rb.appendChild(tr);
  }
}

function renderAccounts(v) {
  const body = $('accounts-body');
  body.textContent = '';
  for (const a of v.accounts) {
    const tr = document.createElement('tr');
    tr.dataset.account = a.name;
    cell(tr, a.name);
    cell(tr, a.kind);
    cell(tr, money(a.balance_micros), 'num balance');
    body.appendChild(tr);
  }
}

function followSessions() {
  follow('sessions', pageAfter ? { after: pageAfter } : {}, renderSessions);
}

function startOperator() {
  show('operator');
  followSessions();
  followAlso('gateways', renderGateways);
  followAlso('accounts', renderAccounts);
}

// ---- provider ----

async function startProvider() {
  show('provider');
  const r = await api('GET', '/api/periods');
  const box = $('periods');
  box.textContent = '';
  if (r.status !== 200) { box.textContent = r.body ? r.body.error : 'failed'; return; }
  if (!r.body.periods.length) { box.textContent = 'No closed period holds reports of yours yet.'; return; }
  for (const p of r.body.periods) {
    const div = document.createElement('div');
    div.className = 'period';
    const h = document.createElement('h3');
    h.textContent = p.from_utc + ' to ' + p.to_utc;
    div.appendChild(h);
    for (const t of p.targets) {
      const a = document.createElement('a');
      a.href = t;
      a.textContent = t.split('/').pop();
      div.append(a, ' ');
    }
    box.appendChild(div);
  }
}

// ---- subscriber ----

let topupKey = null;  // kept until the payment is answered, so a retry is the same payment

function renderMine(v) {
  $('balance').textContent = v.account ? money(v.balance_micros) : 'no account';
  $('account-name').textContent = v.account ? '(' + v.account + ', ' + v.kind + ')' : '';
  const body = $('my-sessions');
  body.textContent = '';
  for (const s of v.sessions) {
    const tr = document.createElement('tr');
    tr.dataset.key = s.agent + '/' + s.session_id;
    cell(tr, s.agent);
    cell(tr, s.service);
    cell(tr, duration(s.duration_s), 'num');
    cell(tr, String(s.charged_s), 'num charged');
    cell(tr, s.octets_in + ' / ' + s.octets_out, 'num');
    cell(tr, money(s.amount_micros), 'num cost');
    body.appendChild(tr);
  }
}

function startSubscriber() {
  show('subscriber');
  follow('my', {}, renderMine);
}

// ---- start ----

function start() {
  if (me.role === 'operator') startOperator();
  else if (me.role === 'provider') startProvider();
  else startSubscriber();
}

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('POST', '/api/login', { role: $('role').value, name: $('name').value, password: $('password').value });
    if (r.status !== 200) { $('login-error').textContent = r.body ? r.body.error : 'failed (' + r.status + ')'; return; }
    $('login-error').textContent = '';
    $('password').value = '';
    me = r.body;
    start();
  });
  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    me = null;
    if (stream) stream.close();
    for (const es of extra.splice(0)) es.close();
    show('login');
  });
  $('next-page').addEventListener('click', () => { if (nextAfter) { pageAfter = nextAfter; followSessions(); } });
  $('first-page').addEventListener('click', () => { pageAfter = ''; followSessions(); });
  $('topup-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!topupKey) topupKey = crypto.randomUUID();
    const r = await api('POST', '/api/my/topup', { amount: $('topup-amount').value, key: topupKey });
    if (r.status === 200) {
      topupKey = null;
      $('topup-result').textContent = 'paid: balance ' + money(r.body.balance_micros) + ' (' + r.body.outcome + ')';
    } else {
      $('topup-result').textContent = 'not paid: ' + (r.body ? r.body.error : r.status);
      if (r.status >= 400 && r.status < 500) topupKey = null;  // refused: the next try is a new payment
    }
  });
  const r = await api('GET', '/api/me');
  if (r.status === 200) { me = r.body; start(); } else show('login');
});
