// 10,000 live sessions: the operator's page shows them a page (100) at a time, pages forward
// without repeating or skipping a session, and a change to one of them still reaches the page
// live. The sessions are written into the store directly (a fixture: the census would take
// minutes of simulated gateways to open as many); the console reads them as it reads any.
import { run, launchBrowser, newPage, screenshot, expect } from './harness.mjs';
import { startSystem, logIn, passwords } from './console_system.mjs';

const count = 10000;

run(async () => {
  const sys = await startSystem({ gateways: 2, simulate: false });
  sys.sqlWrite(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, service,
      billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, state, stop_cause,
      updated_unix)
    SELECT 1 + i % 2, i, 0, 'sub' || i || '@hotspot0.example', 'hotspot0.example', 'wifi', 2,
      strftime('%s', 'now') - i, 1, 1, i, 0, i * 1000, i * 100, 0, 0, strftime('%s', 'now') FROM n`);
  expect(sys.sql('SELECT count(*) FROM subscriber_sessions WHERE state = 0') === String(count),
    'the fixture did not open the sessions');

  const browser = await launchBrowser();
  const page = await newPage(browser);
  const t0 = Date.now();
  await logIn(page, sys.url, 'operator', 'ops', passwords.operator);
  await page.waitForFunction(() => document.querySelectorAll('#sessions-body tr').length === 100);
  const firstPageMs = Date.now() - t0;

  // Forward a page at a time: each 100 rows, none seen before, in key order.
  const seen = new Set();
  const times = [];
  let previous = null;
  for (let p = 0; p < 5; ++p) {
    const keys = await page.locator('#sessions-body tr').evaluateAll((rows) => rows.map((r) => r.dataset.key));
    expect(keys.length === 100, `page ${p + 1} holds ${keys.length} sessions`);
    for (const k of keys) {
      expect(!seen.has(k), `session ${k} is on two pages`);
      seen.add(k);
    }
    if (previous) expect(keys[0] !== previous, 'the next page starts where the last one did');
    previous = keys[0];
    const t = Date.now();
    await page.click('#next-page');
    await page.waitForFunction((k) => {
      const r = document.querySelector('#sessions-body tr');
      return r && r.dataset.key !== k;
    }, keys[0]);
    times.push(Date.now() - t);
  }
  await screenshot(page, 'paged');

  // A change to a session on the page shown reaches it live.
  const key = await page.locator('#sessions-body tr').first().getAttribute('data-key');
  const [agentId, id] = key.split('/');
  const agent = sys.sql(`SELECT id FROM agents WHERE agent_id = '${agentId}'`);
  const tChange = Date.now();
  sys.sqlWrite(`UPDATE subscriber_sessions SET charged_s = 99999 WHERE agent = ${agent} AND session_id = ${id}`);
  await page.locator(`#sessions-body tr[data-key="${key}"] .charged`).filter({ hasText: '99999' })
    .waitFor({ timeout: 10_000 });
  const liveMs = Date.now() - tChange;
  console.log(`${count} open sessions: first page shown ${firstPageMs} ms after the login began; ` +
    `next page ${Math.min(...times)}-${Math.max(...times)} ms; a change on the page shown after ${liveMs} ms`);
  await browser.close();
});
