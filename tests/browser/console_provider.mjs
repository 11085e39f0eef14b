// A settlement member's console: each provider logs in through the form and sees the closed
// periods holding its reports; what it downloads is byte for byte what settlectl prints for it
// (the close's own report); no URL reaches another provider's report, the settlement-wide
// statement, or anything of the operator's.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, launchBrowser, newPage, screenshot, expect } from './harness.mjs';
import { startSystem, logIn, passwords } from './console_system.mjs';

const period = ['--from=1997-07-01T00:00:00Z', '--to=1997-08-01T00:00:00Z'];
const from = 867715200;  // 1997-07-01T00:00:00Z

run(async () => {
  let sctl = null;
  const sys = await startSystem({
    simulate: false,
    settlement: (s, dir) => {
      sctl = s;
      s('provider', 'set', 'Aimnet', '--country=USA');
      s('provider', 'set', 'Connect.com', '--country=Australia');
      s('server', 'set', 'aas.aimnet.com', 'Aimnet');
      s('server', 'set', 'aas.connect.com.au', 'Connect.com');
      s('realm', 'set', 'aimnet.com', 'Aimnet');
      s('realm', 'set', 'connect.com.au', 'Connect.com');
      s('rule', 'set', 'c-all', '--side=consumer', '--price=1.20');
      s('rule', 'set', 'p-all', '--side=provider', '--price=1.00');
      s('fee', 'set', '--per-connection=0.10', '--per-minute=0.06');
      // user1 of Aimnet roams on Connect.com (the seed's Example 1), user2 of Connect.com on Aimnet.
      const raw = path.join(dir, 'raw.csv');
      writeFileSync(raw, [
        'user1,aimnet.com,Stop,00000A1F,300,0,nas-syd-1,aas.connect.com.au,aas.aimnet.com,1997-07-10T01:43:35Z,1997-06-30 18:43:35,Australia/Sydney',
        'user2@connect.com.au,,Stop,S-2,120,0,nas-ny-1,aas.aimnet.com,,1997-07-11T03:00:00Z,1997-07-10 23:00:00,America/New_York',
      ].join('\n') + '\n');
      s('import', raw);
      s('close', ...period);
      s.withInput(passwords.provider, 'provider', 'password', 'Aimnet');
      s.withInput(passwords.provider + '-b', 'provider', 'password', 'Connect.com');
    },
  });
  const own = (provider, kind) => sctl('report', provider, ...period, `--kind=${kind}`, '--format=csv');

  const browser = await launchBrowser();
  const page = await newPage(browser);
  await logIn(page, sys.url, 'provider', 'Aimnet', passwords.provider);
  await page.locator('#periods .period').first().waitFor();
  const links = await page.locator('#periods a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(links.includes(`/api/periods/${from}/invoice.csv`), `the period's links: ${links.join(' ')}`);
  expect(links.every((l) => !/statement/.test(l)), 'a provider is offered the settlement statement');
  await screenshot(page, 'periods');

  // What it downloads is the close's report, its own.
  const get = (t) => page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, body: await r.text(), disposition: r.headers.get('content-disposition') };
  }, t);
  const invoice = await get(`/api/periods/${from}/invoice.csv`);
  expect(invoice.status === 200, `invoice.csv answered ${invoice.status}`);
  expect(invoice.body === own('Aimnet', 'invoice'), 'the downloaded invoice differs from settlectl\'s');
  expect(/attachment; filename="invoice-867715200.csv"/.test(invoice.disposition || ''),
    `Content-Disposition: ${invoice.disposition}`);
  // Its detail transaction file (the seed's format), as settlectl prints it, sent in pages.
  expect(links.includes(`/api/periods/${from}/detail_file.txt`), `no detail file among: ${links.join(' ')}`);
  const detail = await get(`/api/periods/${from}/detail_file.txt`);
  const ownDetail = sctl('detail-file', 'Aimnet', ...period);
  expect(detail.status === 200 && detail.body === ownDetail && /^"DT","RM",/.test(detail.body),
    `the detail file: ${detail.status} ${detail.body.slice(0, 120)}`);
  expect(/attachment; filename="detail_file-867715200.txt"/.test(detail.disposition || ''),
    `the detail file's Content-Disposition: ${detail.disposition}`);
  const theirDetail = sctl('detail-file', 'Connect.com', ...period);
  expect(theirDetail !== ownDetail, 'the two providers\' detail files are the same bytes');
  const theirs = own('Connect.com', 'invoice');
  expect(invoice.body !== theirs, 'the two providers\' invoices are the same bytes: the check proves nothing');

  // No spelling reaches the other provider's report, the statement or the operator's views.
  for (const t of [`/api/periods/${from}/invoice.csv?provider=Connect.com`,
                   `/api/providers/Connect.com/periods/${from}/invoice.csv`,
                   `/api/periods/${from}/../Connect.com/invoice.csv`,
                   `/api/periods/${from}/statement.csv`, '/api/sessions', '/api/gateways',
                   '/api/accounts', `/api/periods/${from}/detail_file.csv`,
                   `/api/periods/${from}/../Connect.com/detail_file.txt`]) {
    const r = await get(t);
    expect(r.body !== theirs, `${t} served Connect.com's invoice`);
    if (r.status === 200) expect(r.body === invoice.body, `${t} served something else: ${r.body.slice(0, 80)}`);
    else expect(r.status >= 400, `${t} answered ${r.status}`);
  }

  // The other provider sees its own.
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  await logIn(page, sys.url, 'provider', 'Connect.com', passwords.provider + '-b');
  await page.locator('#periods .period').first().waitFor();
  const b = await get(`/api/periods/${from}/invoice.csv`);
  expect(b.status === 200 && b.body === theirs, 'Connect.com\'s own invoice is not what settlectl prints');
  const bd = await get(`/api/periods/${from}/detail_file.txt`);
  expect(bd.status === 200 && bd.body === theirDetail, 'Connect.com\'s own detail file is not what settlectl prints');
  await screenshot(page, 'other-provider');

  // A wrong password is refused on the page, and five in a row lock the name.
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  const statuses = [];
  for (let i = 0; i < 6; ++i)
    statuses.push(await page.evaluate(async () => (await fetch('/api/login', {
      method: 'POST', headers: { 'X-CSRF-Token': 'login', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'role=provider&name=Aimnet&password=wrong' })).status));
  expect(statuses.slice(0, 5).every((s) => s === 401) && statuses[5] === 429,
    `wrong passwords answered ${statuses.join(',')}`);
  await browser.close();
});
