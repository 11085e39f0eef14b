// The subscriber's console: log in through the form; the own session and balance move live;
// a top-up paid on the page (billing's top-up with its idempotency key) extends a running
// prepaid session that was about to be cut. The control: a session on an account with the
// same balance and no top-up is cut at zero balance meanwhile, so the extension is the top-up's.
import { run, launchBrowser, newPage, screenshot, expect } from './harness.mjs';
import { startSystem, logIn, passwords } from './console_system.mjs';

// 0.015 at 0.0005 a second: 30 charged seconds.
const balance = '0.015', allowed_s = 30;

run(async () => {
  // sub0 is free, sub1 charges acct-ctl, sub2 acct-low (sim: accounts[i % 2]).
  const sys = await startSystem({
    accounts: [{ name: 'acct-low', balance }, { name: 'acct-ctl', balance }],
    simAccounts: ['acct-low', 'acct-ctl'],
    subscribers: [{ name: 'sub2@hotspot0.example', account: 'acct-low' }],
    maxSessions: 3, arrivals: 60, meanDuration: 86400, duration: 90,
  });
  const browser = await launchBrowser();
  const page = await newPage(browser);
  await logIn(page, sys.url, 'subscriber', 'sub2@hotspot0.example', passwords.subscriber);

  await page.locator('#my-sessions tr').first().waitFor({ timeout: 30_000 });
  await page.locator('#account-name').filter({ hasText: 'acct-low' }).waitFor();
  const rows = await page.locator('#my-sessions tr').count();
  expect(rows === 1, `the subscriber sees ${rows} sessions, expected its own one`);
  // The balance on the page runs down live.
  const first = await page.locator('#balance').textContent();
  await page.waitForFunction((b) => document.getElementById('balance').textContent !== b, first,
    { timeout: 15_000 });
  await screenshot(page, 'running-down');

  // Pay well before the balance runs out.
  await page.fill('#topup-amount', '1.00');
  await page.click('#topup-form button[type=submit]');
  await page.locator('#topup-result').filter({ hasText: 'paid: balance' }).waitFor();
  const after = await page.locator('#topup-result').textContent();
  expect(/\(applied\)/.test(after), `the top-up says "${after}"`);

  // The control is cut at zero balance; the topped-up session runs past what its old balance bought.
  const session = (account) => sys.sql(
    `SELECT s.state, s.stop_cause, s.charged_s FROM subscriber_sessions s JOIN accounts ac ` +
    `ON ac.id = s.account WHERE ac.name = '${account}'`);
  const until = Date.now() + 60_000;
  let low = '', ctl = '';
  for (;;) {
    low = session('acct-low');
    ctl = session('acct-ctl');
    const [lowState, , lowCharged] = low.split('|').map(Number);
    if (lowState === 0 && lowCharged > allowed_s + 10 && ctl.startsWith('1|5|')) break;
    expect(Date.now() < until, `after 60 s: topped-up session "${low}", control "${ctl}"`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
  const ctlCharged = Number(ctl.split('|')[2]);
  expect(ctlCharged <= allowed_s + 6, `the control charged ${ctlCharged} s on ${allowed_s} s of money`);
  await page.waitForFunction((s) => {
    const c = document.querySelector('#my-sessions tr .charged');
    return c && Number(c.textContent) > s;
  }, allowed_s + 10, { timeout: 10_000 });
  await screenshot(page, 'extended');
  console.log(`top-up: the session ran ${low.split('|')[2]} s charged on a balance that bought ` +
    `${allowed_s} s; the control stopped at ${ctlCharged} s (zero balance)`);

  // The captive portal's page shows the realm's billing options to anyone, and the walled
  // garden's message at zero balance.
  const portal = await newPage(browser);
  await portal.goto(sys.url + '/portal.html?realm=hotspot0.example&reason=zero-balance');
  await portal.locator('#offers li[data-option="prepaid"]').waitFor();
  const options = await portal.locator('#offers li').evaluateAll((l) => l.map((x) => x.dataset.option));
  expect(options.length === 3 && options.includes('free'), `the portal offers ${options}`);
  expect(await portal.locator('#zero-balance').isVisible(), 'the walled garden says nothing');
  await screenshot(portal, 'portal');

  // A subscriber reaches nothing of the operator's.
  const denied = await page.evaluate(async () => (await fetch('/api/sessions')).status);
  expect(denied === 403, `a subscriber's GET /api/sessions answered ${denied}`);
  await browser.close();
});
