// A whole gatemeter system for the console's browser tests, started on 127.0.0.1 and free
// ports in a temporary folder: census, login, billing and web in one gatemeter-server over
// SQLite, a catalog and account book made with billingctl, logins for each role, and
// simulated gateways whose subscribers meter real sessions. Everything is the real binary;
// the harness kills it all when the test ends.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { binDir, startProcess, tempDir } from './harness.mjs';

export const bin = {
  server: path.join(binDir, 'host/gatemeter-server'),
  censusctl: path.join(binDir, 'host/censusctl'),
  billingctl: path.join(binDir, 'host/billingctl'),
  settlectl: path.join(binDir, 'host/settlectl'),
  sim: path.join(binDir, 'sim/gatemeter-sim'),
};

export const passwords = {
  operator: 'operator-pass-1',
  subscriber: 'subscriber-pass-1',
  provider: 'provider-pass-1',
};

// Runs a CLI of the system; `input` goes to its standard input (a password).
function tool(cmd, args, input) {
  return execFileSync(cmd, args, { input: input === undefined ? '' : input + '\n', encoding: 'utf8' });
}

// opts.accounts: [{name, balance}] prepaid accounts; opts.subscribers: [{name, account}] given a
// console password; opts.gateways: how many; opts.interval: the metering interval in seconds.
export async function startSystem(opts = {}) {
  const dir = tempDir('gm-console-');
  const state = path.join(dir, 'state');
  const ctl = (...a) => tool(bin.censusctl, [`--state_dir=${state}`, ...a]);
  const bctl = (...a) => tool(bin.billingctl, [`--state-dir=${state}`, ...a]);
  const sctl = (...a) => tool(bin.settlectl, [`--state-dir=${state}`, ...a]);
  sctl.withInput = (input, ...a) => tool(bin.settlectl, [`--state-dir=${state}`, ...a], input);

  ctl('init');
  const pin = ctl('pin').trim();
  const agents = [];
  for (let i = 1; i <= (opts.gateways || 1); ++i) {
    const out = ctl('add-agent', `gw-web-${i}`);
    agents.push(`gw-web-${i},${/^credential (\S+)/m.exec(out)[1]}`);
  }
  writeFileSync(path.join(dir, 'agents.csv'), agents.join('\n') + '\n');
  tool(bin.censusctl, [`--state_dir=${state}`, 'web-operator', 'ops'], passwords.operator);

  // Gateway i's subscribers are of realm hotspot<i-1>.example (sim/sim_main.cpp).
  for (let i = 0; i < (opts.gateways || 1); ++i) {
    const realm = `hotspot${i}.example`;
    bctl('realm', 'set', realm, '--outage-policy=continue');
    for (const o of ['prepaid', 'postpaid', 'free'])
      bctl('offer', 'set', realm, o, `--label=${o}`, '--terms=1.80 EUR/hour');
  }
  bctl('service', 'set', 'wifi', 'web');
  bctl('rate', 'add', '--service-type=*', '--band=*', '--zone=*', '--provider=*', '--unit=second',
    `--price=${opts.price || '0.0005'}`, '--from=now+1');
  for (const a of opts.accounts || [{ name: 'acct-web', balance: '20.00' }])
    bctl('account', 'add', a.name, '--kind=prepaid', `--balance=${a.balance}`);
  for (const s of opts.subscribers || []) {
    bctl('subscriber', 'add', s.name, s.account);
    tool(bin.billingctl, [`--state-dir=${state}`, 'subscriber', 'password', s.name], passwords.subscriber);
  }
  if (opts.settlement) opts.settlement(sctl, dir);
  await new Promise((ok) => setTimeout(ok, 1200));  // the rate is in effect from now+1

  const server = await startProcess(bin.server, [
    `--state_dir=${state}`, '--services=census,login,billing,web',
    '--login_listen=127.0.0.1:0', '--census_listen=127.0.0.1:0', '--billing_listen=127.0.0.1:0',
    '--web_listen=127.0.0.1:0', `--metering_interval_s=${opts.interval || 2}`,
    '--default_realm=hotspot0.example',
  ], { readyPattern: /^ready .*login_port=(\d+).*web_port=(\d+)/m, timeoutMs: 20_000, name: 'server' });
  const loginPort = server.match[1];
  const url = `https://127.0.0.1:${server.match[2]}`;

  let sim = null;
  if (opts.simulate !== false) {
    writeFileSync(path.join(dir, 'accounts.txt'),
      (opts.simAccounts || (opts.accounts || [{ name: 'acct-web' }]).map((a) => a.name)).join('\n') + '\n');
    sim = await startProcess(bin.sim, [
      '--agents', path.join(dir, 'agents.csv'), '--pin', pin, '--login', `127.0.0.1:${loginPort}`,
      '--flash-dir', dir, '--duration', String(opts.duration || 60), '--interval', String(opts.interval || 2),
      '--persist-after', '1', '--arrivals', String(opts.arrivals || 30),
      '--mean-duration', String(opts.meanDuration || 600),
      '--max-sessions', String(opts.maxSessions || 6), '--status-every', '0',
      '--accounts', path.join(dir, 'accounts.txt'),
    ], { readyPattern: /agent\.login/, timeoutMs: 20_000, name: 'sim' });
  }
  return {
    dir, state, url, server, sim, ctl, bctl, sctl,
    db: path.join(state, 'usage.db'),
    // One SQL query's rows (sqlite3's list output), read while the census writes (WAL).
    sql: (q) => execFileSync('sqlite3', ['-readonly', path.join(state, 'usage.db'), q],
      { encoding: 'utf8' }).trim(),
    // A test's own fixture rows, written beside the running server (WAL; it waits for locks).
    sqlWrite: (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(state, 'usage.db'), q],
      { encoding: 'utf8' }).trim(),
  };
}

// Logs in through the page's own form, as a person would.
export async function logIn(page, url, role, name, password) {
  await page.goto(url + '/');
  await page.locator('#login-form').waitFor();
  await page.selectOption('#role', role);
  await page.fill('#name', name);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.locator('#whoami').filter({ hasText: `${role} ${name}` }).waitFor();
}
