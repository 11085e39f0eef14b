// What every browser test (tests/browser/*.mjs) stands on: Debian's Chromium driven by
// playwright-core from npm, child processes that are waited for and always killed, screenshots
// as artifacts, a deadline for the whole test, and a clear skip (exit 77) where the tools lack.
//
//   import { run, launchBrowser, newContext, startProcess, screenshot } from './harness.mjs';
//   run(async () => { ... });   // the test; throws = fails
//
// Environment (set by gm_browser_test in CMakeLists.txt): GM_BIN_DIR (the build folder),
// GM_SOURCE_DIR, GM_ARTIFACTS (screenshots), GM_DEADLINE_S (the whole test's deadline).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.GM_SOURCE_DIR || path.resolve(here, '../..');
export const binDir = process.env.GM_BIN_DIR || path.join(sourceDir, 'build/host');
export const artifactsDir =
  process.env.GM_ARTIFACTS || path.join(binDir, 'tests/browser/artifacts');
export const testName = path.basename(process.argv[1] || 'browser', '.mjs');

// ---- what is cleaned up, whatever way the test ends ----------------------------------------

const children = new Set();  // ChildProcess, each the leader of its own process group
const browsers = new Set();
const pages = new Set();
const tempDirs = new Set();

function killChildren() {
  for (const child of children) {
    // The whole group: a server started through a shell or that forks goes too.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
}

function removeTempDirs() {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

// Synchronous, so it runs on every exit, process.exit() included. playwright-core kills the
// browsers it launched on exit itself.
process.on('exit', () => { killChildren(); removeTempDirs(); });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => { console.error(`${testName}: ${signal}`); process.exit(1); });
}

// ---- skip, deadline, run ---------------------------------------------------------------------

export const SKIP_CODE = 77;  // ctest's SKIP_RETURN_CODE for the browser tests

export function skip(reason) {
  console.log(`SKIP ${testName}: ${reason}`);
  process.exit(SKIP_CODE);
}

let deadlineTimer = null;

// The whole test fails, and everything it started is killed, after `seconds`; ctest's TIMEOUT
// stays the backstop. GM_DEADLINE_S (or 60 s) is set at start; a test may call this again.
export function setDeadline(seconds) {
  clearTimeout(deadlineTimer);
  deadlineTimer = setTimeout(() => {
    console.error(`FAIL ${testName}: deadline of ${seconds} s passed; killing everything`);
    process.exit(1);  // the exit handlers kill the children and the browsers
  }, seconds * 1000);
  deadlineTimer.unref();  // a test that is done does not wait for its deadline
}
setDeadline(Number(process.env.GM_DEADLINE_S) || 60);

// Skips (exit 77) unless Debian's Chromium and the npm-installed playwright-core are here.
export function requireBrowserTools() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (Debian package chromium)`);
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    missing.push(`${path.join(sourceDir, 'node_modules/playwright-core')} (npm ci)`);
  }
  const major = Number(process.versions.node.split('.')[0]);
  // playwright-core is pinned at 1.61, the last to run on Debian 12's Node.js 18.
  if (major < 18) missing.push(`Node.js >= 18 for playwright-core (this is ${process.version})`);
  if (missing.length) {
    skip(`missing ${missing.join(', ')}; toolchain/install-deps.sh installs them`);
  }
}

// Runs the test: skips (exit 77) first if the browser tools lack (unless needsBrowser is
// false), passes (exit 0) when fn resolves; otherwise prints the error, saves a screenshot of
// every open page, and fails (exit 1). Browsers closed, children killed.
export function run(fn, { needsBrowser = true } = {}) {
  if (needsBrowser) requireBrowserTools();
  const started = Date.now();
  (async () => {
    let failed = null;
    try {
      await fn();
    } catch (error) {
      failed = error;
      console.error(`FAIL ${testName}:`, error?.stack || error);
      let n = 0;
      for (const page of pages) {
        try { await screenshot(page, `failure-${++n}`); } catch { /* page already gone */ }
      }
    }
    for (const browser of browsers) {
      try { await browser.close(); } catch { /* killed at exit anyway */ }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!failed) console.log(`PASS ${testName} (${seconds} s)`);
    process.exit(failed ? 1 : 0);
  })();
}

// ---- the browser -----------------------------------------------------------------------------

// Debian's Chromium (never a downloaded browser), headless. The flags keep it off the network
// (this machine's is closed: without them Chromium's background connections are refused, many at
// a time) and out of first-run work; --no-sandbox because CI runs as root, where Chromium's
// sandbox refuses to start.
export async function launchBrowser(options = {}) {
  requireBrowserTools();
  const { chromium } = await import('playwright-core');
  const args = ['--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-quic', '--disable-sync'];
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 20_000,
    ...options, args: [...args, ...(options.args || [])],
  });
  browsers.add(browser);
  browser.on('disconnected', () => browsers.delete(browser));
  return browser;
}

// A context that accepts the servers' self-signed certificates, with short default timeouts
// (a missing element fails in seconds, not after playwright's 30). Its pages are screenshotted
// if the test fails.
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
  context.setDefaultTimeout(options.timeout ?? 10_000);
  context.on('page', (page) => {
    pages.add(page);
    page.on('close', () => pages.delete(page));
    // The page's console and errors, in the test's log.
    page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[page exception] ${e.message}`));
  });
  return context;
}

// A page in a new newContext(browser).
export async function newPage(browser, options = {}) {
  return (await newContext(browser, options)).newPage();
}

// Saves a full-page PNG as <GM_ARTIFACTS>/<test>-<name>.png and returns its path.
export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${testName}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

// ---- processes and files ---------------------------------------------------------------------

// Starts cmd with args and resolves once a line of its stdout or stderr matches readyPattern
// (a RegExp; its match is returned, so the pattern can capture a port), rejecting if it exits
// first or timeoutMs passes. Its output goes to this test's log, prefixed with its name. It is
// killed when the test exits however it ends: the child dies with this process (setpriv
// --pdeathsig, even when ctest SIGKILLs the test) and its process group is killed at exit.
//   -> { child, match, output(), stop() }
export function startProcess(cmd, args = [], { readyPattern, timeoutMs = 15_000, env, cwd,
  name = path.basename(cmd) } = {}) {
  const setpriv = existsSync('/usr/bin/setpriv');
  const child = spawn(setpriv ? '/usr/bin/setpriv' : cmd,
    setpriv ? ['--pdeathsig', 'KILL', '--', cmd, ...args] : args,
    { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  let ready = null;  // { resolve, reject } until it is ready
  const result = new Promise((resolve, reject) => { ready = { resolve, reject }; });
  const timer = setTimeout(() => {
    ready?.reject(new Error(`${name}: no line matching ${readyPattern} within ${timeoutMs} ms;` +
      ` its output:\n${log}`));
    ready = null;
  }, timeoutMs);

  const handle = {
    child,
    match: null,
    output: () => log,
    // SIGTERM, then SIGKILL after 5 s; resolves with the exit code (or signal name).
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve(child.exitCode ?? child.signalCode);
        return;
      }
      const kill = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} },
        5_000);
      child.once('exit', (code, signal) => { clearTimeout(kill); resolve(code ?? signal); });
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* exiting */ }
    }),
  };

  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        log += line + '\n';
        console.log(`[${name}] ${line}`);
        const match = readyPattern && ready ? line.match(readyPattern) : null;
        if (match) {
          clearTimeout(timer);
          handle.match = match;
          ready.resolve(handle);
          ready = null;
        }
      }
    });
  }
  child.on('error', (error) => {
    clearTimeout(timer);
    ready?.reject(new Error(`${name}: cannot start ${cmd}: ${error.message}`));
    ready = null;
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    clearTimeout(timer);
    ready?.reject(new Error(`${name} exited (${code ?? signal}) before it was ready;` +
      ` its output:\n${log}`));
    ready = null;
  });
  if (!readyPattern) {
    clearTimeout(timer);
    ready.resolve(handle);
    ready = null;
  }
  return result;
}

// A folder of its own, removed when the test exits.
export function tempDir(prefix = `gm-${testName}-`) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// A self-signed certificate for 127.0.0.1 (openssl req -x509, EC P-256: made in milliseconds),
// in a temporary folder. -> { dir, keyFile, certFile, key, cert }
export function selfSignedCertificate(dir = tempDir()) {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
    'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  return { dir, keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

// Fails with message unless condition holds (node:assert works as well; this reads shorter).
export function expect(condition, message) {
  if (!condition) throw new Error(message);
}
