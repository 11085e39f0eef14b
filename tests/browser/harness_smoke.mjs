// Proves the harness: a child HTTPS server (self-signed certificate made now) started and waited
// for, Debian's Chromium loading its page, a click, the DOM's answer, a screenshot, clean-up.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import {
  run, launchBrowser, newPage, startProcess, screenshot, selfSignedCertificate, expect,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

run(async () => {
  const { keyFile, certFile } = selfSignedCertificate();
  const server = await startProcess(process.execPath,
    [path.join(here, 'smoke_server.mjs'), keyFile, certFile],
    { readyPattern: /listening on (https:\/\/127\.0\.0\.1:\d+)/, timeoutMs: 10_000,
      name: 'smoke-server' });
  const url = server.match[1];

  const browser = await launchBrowser();
  const page = await newPage(browser);
  const response = await page.goto(url);
  expect(response.ok(), `GET ${url}: ${response.status()}`);

  const answer = page.locator('#answer');
  expect(await answer.textContent() === 'not yet', 'the page starts without an answer');
  await page.click('#hello');
  await answer.filter({ hasText: 'hello #1 over TLS' }).waitFor();
  await page.click('#hello');
  await answer.filter({ hasText: 'hello #2 over TLS' }).waitFor();

  const shot = await screenshot(page, 'answered');
  expect(existsSync(shot), `no screenshot at ${shot}`);

  await browser.close();
  const code = await server.stop();
  expect(code === 0, `the server exited with ${code} on SIGTERM`);
});
