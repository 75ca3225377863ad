// The harness the browser tests share (`*.test.mjs` in this folder): it starts the academy binary
// with the demo program on a fresh SQLite database in a temporary directory, launches Debian's
// Chromium (/usr/bin/chromium) through playwright-core, and offers the checks every test uses:
// axe-core (WCAG 2.1 A and AA) and the keyboard check of the skip link.
//
// The binary is ACADEMY_BIN, else $CARGO_TARGET_DIR/debug/academy, else
// <repo>/target/debug/academy; nothing is built here.
//
// Importing this module checks the prerequisites: without Chromium the process exits with 77
// (the caller decides whether that is a skip or a failure), without the node modules or the
// binary with 1. A test file then awaits `setUp()` once, at its top level, and declares its tests
// with `browserTest`. `server` and `browser` are live bindings, set by `setUp()`.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_MISSING = 77;
// Without the background-networking flags Chromium keeps calling out to Google's hosts, which a
// closed network refuses; the browser is always Debian's, never a downloaded one.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const PASSWORD = 'learn-together-2026';
const READY_TIMEOUT_MS = 60_000;
export const STEP_TIMEOUT_MS = 20_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function fatal(message, code = 1) {
  process.stderr.write(`browser test: ${message}\n`);
  process.exit(code);
}

if (!fs.existsSync(CHROMIUM)) {
  fatal(`chromium not installed (apt-get install chromium): ${CHROMIUM} is missing`, CHROMIUM_MISSING);
}

const require = createRequire(import.meta.url);
let AXE_PATH;
let chromium;
try {
  AXE_PATH = require.resolve('axe-core');
  ({ chromium } = require('playwright-core'));
} catch (error) {
  fatal(`the node modules are missing (run \`npm ci\` in ${here}): ${error.message}`);
}

function academyBin() {
  if (process.env.ACADEMY_BIN) return path.resolve(process.env.ACADEMY_BIN);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  return path.join(targetDir, 'debug', 'academy');
}

const bin = academyBin();
if (!fs.existsSync(bin)) {
  fatal(`the academy binary is not at ${bin}; build it with \`cargo build -p academy\` or set ACADEMY_BIN`);
}

// ---------------------------------------------------------------------------------------------
// The server

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `academy serve --demo` on a free port with its data in `dataDir`. */
async function startServer(dataDir) {
  const port = await freePort();
  // The server reads ACADEMY_* and DATABASE_URL: drop the caller's (ACADEMY_BIN, a developer's
  // DATABASE_URL, ...) so it runs on its own fresh SQLite database and nothing else.
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('ACADEMY_') && key !== 'DATABASE_URL') env[key] = value;
  }
  env.ACADEMY_DATA_DIR = path.join(dataDir, 'academy-data');
  env.NO_COLOR = '1';
  const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`], {
    cwd: dataDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, port, base: `http://127.0.0.1:${port}`, log: '' };
  child.stdout.on('data', (chunk) => (server.log += chunk));
  child.stderr.on('data', (chunk) => (server.log += chunk));
  server.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => (server.log += `\n(spawn failed: ${error.message})\n`));
  return server;
}

async function waitReady(server) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the server stopped before it was ready (exit ${server.child.exitCode ?? server.child.signalCode})`);
    }
    try {
      const response = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `/readyz answered ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s (${last})`);
}

async function stopServer(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  if ((await Promise.race([server.exited, timeout])) === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Set-up and tear-down

/** Where this run keeps its data, the server's database and failure screenshots. */
export let workDir;
/** The running server (`{ child, port, base, log }`) and browser, once `setUp()` has returned. */
export let server;
export let browser;
let anyFailure = false;

/** Marks the run as failed, so that the server log is printed and `workDir` kept at the end. */
export function noteFailure() {
  anyFailure = true;
}

// Whatever happens (a failed assertion, an exception, Ctrl-C), the server does not outlive us.
process.on('exit', () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`browser test: interrupted by ${signal}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

function serverLogTail(lines = 60) {
  return (server?.log ?? '').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts the server and the browser (exiting with 1 when either fails), and registers the
 * `after` hook that stops both. Call it once, at the top level of a test file, before its tests.
 */
export async function setUp() {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'academy-browser-'));
  try {
    server = await startServer(workDir);
    await waitReady(server);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    process.stdout.write(`# academy ${bin} at ${server.base}; ${CHROMIUM} ${browser.version()}\n`);
  } catch (error) {
    process.stderr.write(`browser test: set-up failed: ${error.message}\n`);
    if (server) process.stderr.write(`--- server output ---\n${serverLogTail()}\n---\n`);
    await browser?.close().catch(() => {});
    await stopServer(server);
    process.exit(1);
  }

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer(server);
    if (anyFailure) {
      process.stderr.write(`--- server output (last lines) ---\n${serverLogTail()}\n---\n`);
      process.stderr.write(`browser test: data, server database and failure screenshots kept in ${workDir}\n`);
    } else {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
}

/**
 * A test in its own browser context (its own cookies), collecting accessibility problems so that
 * one run lists every page's violations instead of stopping at the first. `body` gets
 * `{ page, problems, context }`.
 */
export function browserTest(name, body) {
  test(name, { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    const problems = [];
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await body({ page, problems, context });
      assert.deepEqual(pageErrors, [], `JavaScript errors in the page:\n${pageErrors.join('\n')}`);
      if (problems.length > 0) {
        assert.fail(`${problems.length} problem(s):\n\n${problems.join('\n\n')}`);
      }
    } catch (error) {
      anyFailure = true;
      if (problems.length > 0) process.stderr.write(`${problems.join('\n\n')}\n`);
      const shot = path.join(workDir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      process.stderr.write(`browser test: "${name}" failed on ${page.url()} (screenshot: ${shot})\n`);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

export function url(pathname) {
  return `${server.base}${pathname}`;
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Loads `pathname`, expecting a successful answer (after any redirects). */
export async function visit(page, pathname) {
  const response = await page.goto(url(pathname));
  assert.ok(response, `no response for ${pathname}`);
  assert.equal(response.status(), 200, `GET ${pathname} (ended at ${page.url()}) answered ${response.status()}`);
  return response;
}

/** Runs axe-core (WCAG 2.1 A/AA) on the page as it is now; violations become problems. */
export async function checkAxe(page, label, problems) {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  for (const v of violations) {
    const nodes = v.nodes
      .map((n) => `    - ${n.target}\n      ${n.html}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`)
      .join('\n');
    const text = `axe: ${label} (${pathOf(page)}): ${v.id} [${v.impact}] ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    problems.push(text);
  }
}

/** The first Tab focuses a visible "Skip to main content" link, which leads to <main>. */
export async function checkSkipLink(page, label, problems) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      text: (el.textContent ?? '').trim(),
      href: el.getAttribute('href'),
      visible: r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    };
  });
  const where = `keyboard: ${label} (${pathOf(page)})`;
  if (!focused || focused.tag !== 'a' || focused.text !== 'Skip to main content') {
    problems.push(`${where}: the first Tab focused ${JSON.stringify(focused)}, not the "Skip to main content" link`);
    return;
  }
  if (!focused.visible) {
    problems.push(`${where}: the focused "Skip to main content" link is not visible on screen`);
  }
  const target = (focused.href ?? '').replace(/^#/, '');
  await page.keyboard.press('Enter');
  const landed = await page.evaluate(() => document.activeElement?.id ?? null);
  if (!target || landed !== target || (await page.locator(`#${target}`).evaluate((el) => el.tagName)) !== 'MAIN') {
    problems.push(`${where}: following the skip link focused #${landed}, not the <main> element (${focused.href})`);
  }
}

/** axe, then the keyboard check (which moves focus, so it comes last). */
export async function checkPage(page, label, problems) {
  await checkAxe(page, label, problems);
  await checkSkipLink(page, label, problems);
}

export async function signIn(page, email, password) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

