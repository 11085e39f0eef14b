// The operator's console against a running system (console_system.mjs): log in through the
// form; live sessions of simulated gateways appear and move without a reload (the latency from
// a record's commit to the page is measured and printed); the session cookie's flags; a POST
// without the CSRF token, or with another, is refused and changes nothing; "End" on a session
// goes through the command path, the page says when the gateway confirmed, and the store
// holds the session stopped by the host; logging out ends the session.
import {
  run, launchBrowser, newContext, screenshot, expect,
} from './harness.mjs';
import { startSystem, logIn, passwords } from './console_system.mjs';

// The store's signed 64-bit spelling of a session id the JSON gives as unsigned decimal.
const stored = (id) => BigInt.asIntN(64, BigInt(id)).toString();

run(async () => {
  const sys = await startSystem({ gateways: 2, maxSessions: 3, arrivals: 60, meanDuration: 86400, duration: 120 });
  const browser = await launchBrowser();
  const context = await newContext(browser);
  const page = await context.newPage();
  await logIn(page, sys.url, 'operator', 'ops', passwords.operator);

  // Sessions of both gateways arrive live.
  await page.waitForFunction(() => document.querySelectorAll('#sessions-body tr').length >= 4,
    null, { timeout: 30_000 });
  await page.locator('#gateways-body tr[data-agent="gw-web-2"]').waitFor();
  await screenshot(page, 'sessions');

  // The cookie: Secure, HttpOnly, SameSite=Strict, and no script can read it.
  const cookies = await context.cookies();
  const c = cookies.find((k) => k.name === 'gm_console');
  expect(c, 'no gm_console cookie was set');
  expect(c.secure && c.httpOnly && c.sameSite === 'Strict',
    `cookie flags: secure=${c.secure} httpOnly=${c.httpOnly} sameSite=${c.sameSite}`);
  expect(await page.evaluate(() => document.cookie) === '', 'the page can read the session cookie');

  // CSRF: a state-changing request without the token, or with a wrong one, is refused.
  const key = await page.locator('#sessions-body tr').nth(1).getAttribute('data-key');
  const [agent, session] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
  const target = `/api/sessions/${encodeURIComponent(agent)}/${session}/end`;
  const forged = await page.evaluate(async (t) => {
    const none = await fetch(t, { method: 'POST' });
    const wrong = await fetch(t, { method: 'POST', headers: { 'X-CSRF-Token': '00' } });
    return [none.status, wrong.status, (await wrong.json()).error];
  }, target);
  expect(forged[0] === 403 && forged[1] === 403, `forged POSTs answered ${forged[0]}, ${forged[1]}`);
  expect(/does not match/.test(forged[2]), `a wrong token's refusal says "${forged[2]}"`);
  expect(sys.sql('SELECT count(*) FROM commands') === '0', 'a refused POST queued a command');

  // Latency: the store polled every 25 ms for one session's charged seconds, the page's renders
  // of that row recorded as they happen; each commit is matched with the first render showing it.
  await page.evaluate((k) => {
    window.renders = [];
    new MutationObserver(() => {
      const row = document.querySelector(`#sessions-body tr[data-key="${CSS.escape(k)}"] .charged`);
      if (row) window.renders.push({ t: Date.now(), v: Number(row.textContent) });
    }).observe(document.getElementById('sessions-body'), { childList: true, subtree: true });
  }, key);
  const q = `SELECT s.charged_s FROM subscriber_sessions s JOIN agents a ON a.id = s.agent ` +
            `WHERE a.agent_id = '${agent}' AND s.session_id = ${stored(session)}`;
  const commits = [];
  let last = Number(sys.sql(q));
  const until = Date.now() + 20_000;
  while (commits.length < 5 && Date.now() < until) {
    const v = Number(sys.sql(q));
    if (v !== last) { commits.push({ t: Date.now(), v }); last = v; }
    await new Promise((ok) => setTimeout(ok, 25));
  }
  expect(commits.length >= 3, `only ${commits.length} commits of session ${key} seen in 20 s`);
  await page.waitForTimeout(1500);
  const renders = await page.evaluate(() => window.renders);
  const latencies = commits.map((c) => {
    const r = renders.find((x) => x.v >= c.v && x.t >= c.t - 30);
    expect(r, `the page never showed charged_s=${c.v} of ${key}`);
    return Math.max(0, r.t - c.t);
  }).sort((a, b) => a - b);
  console.log(`commit-to-page latency over ${latencies.length} commits: ` +
    `median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies[latencies.length - 1]} ms ` +
    `(store polled every 25 ms; live tick 250 ms, look 100 ms)`);

  // End the session from the page: confirmed by the gateway, gone from the list, stopped by
  // the host in the store.
  await page.locator(`#sessions-body tr[data-key="${key}"] button.end`).click();
  await page.locator('#action-status').filter({ hasText: 'confirmed by the gateway' })
    .waitFor({ timeout: 30_000 });
  await page.waitForFunction((k) => !document.querySelector(`#sessions-body tr[data-key="${CSS.escape(k)}"]`),
    key, { timeout: 15_000 });
  await screenshot(page, 'ended');
  const row = sys.sql(`SELECT s.state, s.stop_cause FROM subscriber_sessions s JOIN agents a ON a.id = s.agent ` +
                      `WHERE a.agent_id = '${agent}' AND s.session_id = ${stored(session)}`);
  expect(row === '1|4', `the ended session is "${row}" in the store, expected stopped (1) by the host (4)`);

  // Logging out ends the server's session: the cookie no longer opens anything.
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/me')).status);
  expect(after === 401, `after logout /api/me answered ${after}`);
  await browser.close();
});
