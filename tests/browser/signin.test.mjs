// Academy in a real browser: signing in and out, the pages a program admin uses, keyboard access
// and an axe-core check (WCAG 2.1 A and AA) of every page visited.
//
// It builds nothing. It starts the academy binary (ACADEMY_BIN, else
// $CARGO_TARGET_DIR/debug/academy, else <repo>/target/debug/academy) with the demo program on a
// fresh SQLite database in a temporary directory, and drives Debian's Chromium (/usr/bin/chromium)
// through playwright-core; the set-up and the checks are in harness.mjs, shared with the other
// `*.test.mjs` files here. Run it with `node signin.test.mjs` (or `npm test`, which runs every
// test file) after `npm ci`; `cargo xtask test` does all of that.
//
// Exit codes: 0 when every check passed, 1 on any failure, 77 when Chromium is not installed
// (the caller decides whether that is a skip or a failure). Under `node --test` the 77 becomes a
// plain failure, so run it with plain `node`.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  PASSWORD,
  browser,
  browserTest,
  checkAxe,
  checkPage,
  checkSkipLink,
  noteFailure,
  pathOf,
  setUp,
  signIn,
  visit,
} from './harness.mjs';

await setUp();

// ---------------------------------------------------------------------------------------------
// The tests

// A check that cannot fail proves nothing: on a page built to break both rules, axe and the
// keyboard check must each report a problem.
test('the accessibility checks catch a broken page', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><title>Broken</title><body>' +
        '<a href="#x">First link</a><main><h1>Broken</h1><img src="data:,"></main></body></html>',
    );
    const problems = [];
    await checkAxe(page, 'deliberately broken page', problems);
    await checkSkipLink(page, 'deliberately broken page', problems);
    assert.equal(problems.length, 2, `expected an axe and a keyboard problem, got:\n${problems.join('\n')}`);
    assert.match(problems[0], /image-alt/);
    assert.match(problems[1], /not the "Skip to main content" link/);
  } catch (error) {
    noteFailure();
    throw error;
  } finally {
    await context.close().catch(() => {});
  }
});

browserTest('a visitor is sent to the sign-in page, which is accessible', async ({ page, problems }) => {
  await visit(page, '/');
  assert.equal(pathOf(page), '/sign-in', `/ should redirect a visitor to /sign-in, ended at ${page.url()}`);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await checkPage(page, 'sign-in page', problems);
});

browserTest('a wrong password shows the error summary', async ({ page, problems }) => {
  await visit(page, '/sign-in');
  await signIn(page, 'teacher@academy.test', 'not-the-password');
  assert.equal(pathOf(page), '/sign-in', `a wrong password should stay on /sign-in, went to ${page.url()}`);
  const summary = page.locator('.error-summary[role="alert"]');
  await summary.waitFor();
  const text = await summary.innerText();
  assert.match(text, /There is a problem/, `error summary text: ${text}`);
  assert.match(text, /The email address or password is not right\./, `error summary text: ${text}`);
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#email');
  assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Email address').inputValue(), 'teacher@academy.test');
  await checkPage(page, 'sign-in page with a wrong password', problems);
});

browserTest('a teacher signs in, lands on the home page and signs out', async ({ page, problems }) => {
  await visit(page, '/');
  await signIn(page, 'teacher@academy.test', PASSWORD);
  assert.equal(pathOf(page), '/', `after signing in the teacher should be home, is at ${page.url()}`);
  await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
  await checkPage(page, 'teacher home page', problems);

  await Promise.all([
    page.waitForNavigation(),
    page.locator('header').getByRole('button', { name: 'Sign out' }).click(),
  ]);
  assert.equal(pathOf(page), '/sign-in', `signing out should end on /sign-in, ended at ${page.url()}`);
  const notice = page.locator('.notice[role="status"]');
  assert.equal((await notice.innerText()).trim(), 'You have signed out.');
  await checkPage(page, 'sign-in page after signing out', problems);

  // The session really ended: home sends us back to sign in.
  await visit(page, '/');
  assert.equal(pathOf(page), '/sign-in', `after signing out / should redirect to /sign-in, ended at ${page.url()}`);
});

browserTest('a program admin finds the admin pages accessible', async ({ page, problems }) => {
  await visit(page, '/sign-in');
  await signIn(page, 'admin@academy.test', PASSWORD);
  assert.equal(pathOf(page), '/', `after signing in the admin should be home, is at ${page.url()}`);
  await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
  await checkPage(page, 'admin home page', problems);

  // A program admin's one scope is the national org, so the list redirects to its page.
  await visit(page, '/admin/orgs');
  const orgPath = pathOf(page);
  assert.match(orgPath, /^\/admin\/orgs\/\d+$/, `/admin/orgs should redirect to the national org, ended at ${page.url()}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkPage(page, 'national org page', problems);

  await visit(page, orgPath);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /^People in / }).first().click()]);
  assert.equal(pathOf(page), `${orgPath}/members`);
  await page.getByRole('heading', { level: 1, name: /^People in / }).waitFor();
  await checkPage(page, 'org members page', problems);

  await visit(page, `${orgPath}/invite`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkPage(page, 'org invite form', problems);

  await visit(page, '/admin/outbox');
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkPage(page, 'outbox', problems);

  await visit(page, '/account');
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkPage(page, 'account page', problems);
});
