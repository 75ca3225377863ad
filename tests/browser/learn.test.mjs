// Academy's learning pages in a real browser, used as people use them: a teacher finds a course in
// the catalog, enrolls, reads lessons, takes a quiz (partly with the keyboard) and writes a
// reflection; registers for a workshop session and cancels; a facilitator opens the session's
// roster and the authoring pages; a program admin finds an issued credential, and anyone, signed
// in or not, can verify it and fetch its certificate. axe-core (WCAG 2.1 A and AA) checks every
// page state visited, error states included, and the skip link is checked on each.
//
// The server, the browser and the checks come from harness.mjs (see signin.test.mjs). The tests
// run in order on one server and build on each other: the teacher's registration in the second
// test is what the facilitator finds on the roster in the third, and the credential the admin
// opens in the fourth is the one the visitor verifies in the fifth.
//
// Run it with `node learn.test.mjs` after `npm ci`; `cargo xtask test` runs it with the others.
// Exit codes as signin.test.mjs: 0 passed, 1 failed, 77 Chromium missing.

import assert from 'node:assert/strict';

import { PASSWORD, browserTest, checkAxe, checkPage, pathOf, setUp, signIn, url, visit } from './harness.mjs';

await setUp();

const COURSE = 'student-privacy-and-ai';
const COURSE_TITLE = 'Student Privacy and AI';
const WORKSHOP = 'ai-ethics-roundtable';
const WORKSHOP_TITLE = 'Hard Cases: Privacy, Fairness and Integrity';
const TEACHER_NAME = 'Priya Natarajan';
const CREDENTIAL_WAIT_MS = 20_000;

// Shared between the tests (they run in order): the session the teacher stays registered for, and
// the credential the admin found.
let registeredSessionPath;
let credentialPath;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Clicks `locator` and waits for the navigation it starts; returns the final response. */
async function clickAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  assert.ok(response, `no response after clicking ${locator} on ${page.url()}`);
  return response;
}

/** Presses `key` on the focused element and waits for the navigation it starts. */
async function pressAndWait(page, key) {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
  assert.ok(response, `no response after pressing ${key} on ${page.url()}`);
  return response;
}

function expectOk(response, what) {
  assert.equal(response.status(), 200, `${what}: answered ${response.status()} at ${response.url()}`);
}

async function signInAs(page, email) {
  await visit(page, '/sign-in');
  await signIn(page, email, PASSWORD);
  assert.equal(pathOf(page), '/', `after signing in ${email} should be home, is at ${page.url()}`);
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** The status notice after a redirect ("You are registered. …"). */
async function expectNotice(page, text) {
  const notice = page.locator('.notice[role="status"]');
  assert.equal(await notice.count(), 1, `expected the notice "${text}" on ${page.url()}, found none`);
  assert.equal((await notice.innerText()).trim(), text, `the notice on ${page.url()}`);
}

/** The error summary of a refused form: present, announced (role=alert), with `pattern` in it. */
async function expectErrorSummary(page, pattern) {
  const summary = page.locator('.error-summary[role="alert"]');
  assert.equal(await summary.count(), 1, `expected an error summary on ${page.url()}, found none`);
  const text = await summary.innerText();
  assert.match(text, /There is a problem/, `error summary on ${page.url()}: ${text}`);
  assert.match(text, pattern, `error summary on ${page.url()}: ${text}`);
  return text;
}

/** The catalog's result count, from its "N results" heading. */
async function resultCount(page) {
  const text = (await page.locator('h2#results').innerText()).trim();
  const match = /^(\d+) results?$/.exec(text);
  assert.ok(match, `the catalog's results heading reads "${text}"`);
  return Number(match[1]);
}

async function resultTitles(page) {
  return page.locator('ul.cards > li.card h3').allInnerTexts();
}

/** What has the keyboard focus, for assertions and messages. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id || null,
      name: el?.getAttribute('name') ?? null,
      type: el?.getAttribute('type') ?? null,
      text: (el?.textContent ?? '').trim().slice(0, 60),
      checked: el?.checked ?? null,
    };
  });
}

/** Presses Tab until `matches(focused)` holds; fails after `limit` presses. */
async function tabUntil(page, matches, what, limit = 60) {
  const seen = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (matches(now)) return now;
    seen.push(now.id ? `#${now.id}` : `${now.tag} "${now.text}"`);
  }
  assert.fail(`keyboard: Tab never reached ${what} on ${page.url()} after ${limit} presses; went through ${seen.join(', ')}`);
}

/** The item page's "N of M steps done", as [N, M], and the progress bar's value. */
async function itemProgress(page) {
  const panel = page.getByRole('region', { name: 'Your progress' });
  const text = await panel.innerText();
  const match = /(\d+) of (\d+) steps done/.exec(text);
  assert.ok(match, `the progress panel on ${page.url()} reads: ${text}`);
  const bar = panel.getByRole('progressbar', { name: 'Progress' });
  return { done: Number(match[1]), total: Number(match[2]), bar: Number(await bar.getAttribute('value')) };
}

/** "N of M left" on a session page, as N. */
async function seatsLeft(page) {
  const text = await page.locator('dl.attributes').innerText();
  const match = /(\d+) of (\d+) left/.exec(text);
  assert.ok(match, `the session's seats on ${page.url()} read: ${text}`);
  return Number(match[1]);
}

function words(n) {
  const pool = ['I', 'will', 'check', 'whether', 'my', 'district', 'approved', 'each', 'tool', 'before', 'pasting',
    'student', 'work', 'and', 'describe', 'patterns', 'instead', 'of', 'individual', 'learners'];
  return Array.from({ length: n }, (_, i) => pool[i % pool.length]).join(' ') + '.';
}

// ---------------------------------------------------------------------------------------------
// The tests

browserTest('a teacher finds a course, takes a lesson, a quiz and a reflection', async ({ page, problems }) => {
  await signInAs(page, 'teacher@academy.test');

  // My learning, empty for now.
  const mainNav = page.getByRole('navigation', { name: 'Main' });
  await clickAndWait(page, mainNav.getByRole('link', { name: 'My learning' }));
  assert.equal(pathOf(page), '/learn');
  await heading(page, 'My learning');
  assert.equal(await mainNav.getByRole('link', { name: 'My learning' }).getAttribute('aria-current'), 'page');
  await checkPage(page, 'my learning', problems);

  // The catalog: everything, then a search, then a filter on top of it, then the filter removed.
  await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Find something new' }));
  assert.equal(pathOf(page), '/learn/catalog');
  await heading(page, 'Catalog');
  const all = await resultCount(page);
  assert.ok(all >= 6, `the demo catalog should list at least 6 items, lists ${all}`);
  await checkPage(page, 'catalog', problems);

  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.click();
  await search.pressSequentially('privacy');
  expectOk(await pressAndWait(page, 'Enter'), 'searching the catalog');
  assert.equal(new URL(page.url()).searchParams.get('q'), 'privacy', `the search should be in the address: ${page.url()}`);
  const searched = await resultCount(page);
  const searchedTitles = await resultTitles(page);
  assert.ok(searched > 0 && searched < all, `searching "privacy" should narrow ${all} results, gave ${searched}`);
  assert.ok(searchedTitles.includes(COURSE_TITLE), `searching "privacy" should find "${COURSE_TITLE}": ${searchedTitles.join(' | ')}`);
  assert.equal(await search.inputValue(), 'privacy', 'the search box should keep the words searched for');
  assert.equal(await page.getByRole('link', { name: 'Clear filters' }).count(), 1, 'a filtered catalog offers "Clear filters"');
  await checkPage(page, 'catalog searched for "privacy"', problems);

  await page.getByLabel('Format').selectOption({ label: 'Hands-on lab' });
  expectOk(await clickAndWait(page, page.getByRole('button', { name: 'Show results' })), 'filtering the catalog');
  assert.ok(new URL(page.url()).searchParams.get('format'), `the filter should be in the address: ${page.url()}`);
  const labs = await resultCount(page);
  assert.ok(labs > 0 && labs < searched, `filtering on labs should narrow ${searched} results, gave ${labs}`);
  const metas = await page.locator('ul.cards > li.card .meta').allInnerTexts();
  assert.equal(metas.length, labs, 'one card per result');
  for (const meta of metas) assert.match(meta, /^Hands-on lab/, `a lab filter result is not a lab: ${meta}`);
  assert.ok(!(await resultTitles(page)).includes(COURSE_TITLE), 'a course should not be among the labs');
  assert.equal(await search.inputValue(), 'privacy', 'the search should survive the filter');
  await checkPage(page, 'catalog searched and filtered to labs', problems);

  await page.getByLabel('Format').selectOption({ label: 'Any format' });
  await clickAndWait(page, page.getByRole('button', { name: 'Show results' }));
  assert.equal(await resultCount(page), searched, 'removing the format filter should bring the search results back');
  await checkAxe(page, 'catalog with the format filter removed', problems);

  // The course page, before enrolling.
  await clickAndWait(page, page.getByRole('link', { name: COURSE_TITLE, exact: true }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}`);
  await heading(page, COURSE_TITLE);
  await page.getByText('You are not enrolled yet.').waitFor();
  await checkPage(page, 'course page, not enrolled', problems);

  // Enroll: the first lesson opens.
  await clickAndWait(page, page.getByRole('button', { name: 'Enroll and start' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/1`, `enrolling should open the first step, opened ${page.url()}`);
  await heading(page, 'FERPA and COPPA in plain terms');
  await page.getByText('Step 1 of 7 · Lesson').waitFor();
  await checkPage(page, 'first lesson', problems);

  await clickAndWait(page, page.getByRole('button', { name: 'Mark as done and continue' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/2`, `finishing lesson 1 should open step 2, opened ${page.url()}`);
  await heading(page, 'What counts as student personal data');
  await checkPage(page, 'second lesson', problems);

  await clickAndWait(page, page.getByRole('button', { name: 'Mark as done and continue' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/3`, `finishing lesson 2 should open the quiz, opened ${page.url()}`);
  await heading(page, 'Check your understanding: the rules and the data');
  await checkPage(page, 'quiz, not started', problems);

  // The quiz.
  // Starting the quiz leads to the step's #quiz: the page opens at the questions, so the first Tab
  // goes into them (there, and on the results below, the skip-link check does not apply; it ran
  // on this step before, without the fragment).
  await clickAndWait(page, page.getByRole('button', { name: 'Start the quiz' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/3`);
  assert.equal(new URL(page.url()).hash, '#quiz', `starting the quiz should lead to its questions: ${page.url()}`);
  const quiz = page.locator('form', { has: page.getByRole('button', { name: 'Submit answers' }) });
  await quiz.waitFor();
  const questions = quiz.getByRole('group', { name: /^Question \d+$/ });
  assert.equal(await questions.count(), 6, 'the first quiz of the course has 6 questions');
  const firstDescription = await questions.nth(0).evaluate((el) => (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
  assert.match(firstDescription, /Which statement best describes what FERPA does\?/, "question 1's prompt should describe its group");
  await checkAxe(page, 'quiz, open attempt', problems);

  // Keyboard: Tab into question 1's radio group, which focuses its first choice, unchosen; an
  // arrow key moves to and chooses the next one (the right answer); one Tab leaves the group.
  const entered = await tabUntil(page, (f) => f.name === 'q1', "question 1's radio buttons", 1);
  assert.equal(entered.id, 'q1-0', `Tab should enter question 1 at its first choice, focused ${JSON.stringify(entered)}`);
  assert.equal(entered.checked, false, 'tabbing into a radio group should not choose anything');
  await page.keyboard.press('ArrowDown');
  const moved = await focused(page);
  assert.equal(moved.id, 'q1-1', `ArrowDown should move to the second choice, focused ${JSON.stringify(moved)}`);
  assert.equal(moved.checked, true, 'ArrowDown should choose the radio button it moves to');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  assert.equal((await focused(page)).id, 'q1-1', 'ArrowDown then ArrowUp should come back to the second choice');
  const q1 = questions.nth(0);
  assert.ok(await q1.getByRole('radio', { name: /It protects students' education records/ }).isChecked(), 'question 1: the keyboard choice');
  assert.equal(await q1.locator('input:checked').count(), 1, 'question 1: exactly one choice');
  const left = await focused(page);
  await page.keyboard.press('Tab');
  const next = await focused(page);
  assert.equal(next.name, 'q2', `one Tab from question 1's group should reach question 2, focused ${JSON.stringify(next)} (from ${left.id})`);

  // The rest with the mouse, clicking the labels; question 4 is answered wrong on purpose, so the
  // results show both kinds of feedback (5 of 6 right still passes at 80%).
  const choose = async (question, text) => {
    await question.locator('label', { hasText: text }).click();
    assert.ok(await question.getByLabel(text).isChecked(), `clicking the label "${text}" should check its input`);
  };
  const q2 = questions.nth(1);
  await choose(q2, "A student's full name and reading level");
  await choose(q2, 'A student ID number');
  await choose(q2, 'The only 8th grader who transferred');
  assert.equal(await q2.locator('input:checked').count(), 3, 'question 2: three boxes ticked');
  await choose(questions.nth(2), 'Operators of commercial websites');
  await choose(questions.nth(3), 'Have students use nicknames');
  const shortAnswer = questions.nth(4).getByLabel('Your answer');
  await shortAnswer.click();
  await shortAnswer.pressSequentially('eligible');
  await choose(questions.nth(5), 'The description identifies the child');

  // Keyboard: from the last question (clicking a label focuses its radio button), Tab reaches the
  // submit button, and Enter submits.
  const last = await focused(page);
  assert.equal(last.name, 'q6', `clicking a label should focus its radio button, focused ${JSON.stringify(last)}`);
  await page.keyboard.press('Tab');
  const submit = await focused(page);
  assert.ok(submit.tag === 'button' && submit.text === 'Submit answers', `Tab from the last question should reach "Submit answers", focused ${JSON.stringify(submit)}`);
  expectOk(await pressAndWait(page, 'Enter'), 'submitting the quiz');

  // The results, with feedback on every question.
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/3`, `the quiz results should be on the step, are at ${page.url()}`);
  await expectNotice(page, 'You passed the quiz.');
  const lastAttempt = await page.getByRole('heading', { level: 3, name: /^Your last attempt/ }).innerText();
  assert.match(lastAttempt, /^Your last attempt: 8\d%$/, `5 of 6 right: ${lastAttempt}`);
  const results = page.locator('ol.results > li');
  assert.equal(await results.count(), 6, 'one result per question');
  const verdicts = await page.locator('ol.results > li > p strong').allInnerTexts();
  assert.deepEqual(verdicts, ['Right.', 'Right.', 'Right.', 'Not quite.', 'Right.', 'Right.'], 'the verdict on each question');
  for (const [i, feedback] of (await page.locator('ol.results .feedback').allInnerTexts()).entries()) {
    assert.ok(feedback.trim().length > 20, `question ${i + 1} should have feedback, has "${feedback}"`);
  }
  await page.locator('p.notice-inline', { hasText: 'You passed' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#quiz', `the results should open at the quiz: ${page.url()}`);
  await checkAxe(page, 'quiz results', problems);

  // Back to the course: three steps of seven done.
  await clickAndWait(page, page.getByRole('navigation', { name: 'Steps' }).getByRole('link', { name: 'Back to the outline' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}`);
  assert.deepEqual(await itemProgress(page), { done: 3, total: 7, bar: 3 }, 'progress after two lessons and a quiz');
  await checkPage(page, 'course page, in progress', problems);

  // The reflection: too short first, then long enough.
  await clickAndWait(page, page.getByRole('link', { name: 'Your own data, your own tools' }));
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/7`);
  await heading(page, 'Your own data, your own tools');
  await checkPage(page, 'reflection', problems);

  const reflection = page.getByLabel('Your reflection');
  await reflection.fill('Too short to count.');
  const refused = await clickAndWait(page, page.getByRole('button', { name: 'Save and continue' }));
  assert.equal(refused.status(), 422, `a too-short reflection should be refused with 422, got ${refused.status()}`);
  assert.equal(pathOf(page), `/learn/items/${COURSE}/steps/7/reflection`, 'the refused form is shown again');
  const summary = await expectErrorSummary(page, /80 words/);
  assert.equal(await reflection.inputValue(), 'Too short to count.', 'the refused text should be kept');
  assert.equal(await reflection.getAttribute('aria-invalid'), 'true', 'the refused field should be marked invalid');
  // The field carries its error too, and the summary leads to it.
  const described = (await reflection.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  const description = (await Promise.all(described.map((id) => page.locator(`#${id}`).innerText()))).join(' ');
  assert.match(description, /80 words/, `the reflection field's description should include the error: "${description}"`);
  await checkPage(page, 'reflection with too few words', problems);
  await page.locator('.error-summary').getByRole('link').click();
  assert.equal((await focused(page)).id, 'text', `the error summary's link should lead to the field (${summary})`);

  await reflection.fill(words(90));
  await clickAndWait(page, page.getByRole('button', { name: 'Save and continue' }));
  // The last step: back to the course page, four steps done.
  assert.equal(pathOf(page), `/learn/items/${COURSE}`, `a saved last step should lead to the course page, led to ${page.url()}`);
  assert.deepEqual(await itemProgress(page), { done: 4, total: 7, bar: 4 }, 'progress after the reflection');
  const reflectionLine = page.locator('ol.outline ol > li', { has: page.getByRole('link', { name: 'Your own data, your own tools' }) });
  assert.match(await reflectionLine.innerText(), /\(Reflection, done\)/, 'the outline marks the reflection done');
  await checkPage(page, 'course page after the reflection', problems);

  // My learning lists the course in progress.
  await visit(page, '/learn');
  const card = page.locator('ul.cards > li.card', { has: page.getByRole('link', { name: COURSE_TITLE }) });
  assert.match(await card.innerText(), /4 of 7 steps/, 'my learning shows the progress');
  await checkPage(page, 'my learning with a course in progress', problems);
});

browserTest('a teacher registers for a workshop session, cancels, and finds the calendar and transcript', async ({ page, problems }) => {
  await signInAs(page, 'teacher@academy.test');

  await visit(page, `/learn/items/${WORKSHOP}`);
  await heading(page, WORKSHOP_TITLE);
  await checkPage(page, 'workshop page', problems);

  const sessions = page.getByRole('table', { name: 'Upcoming sessions' });
  await clickAndWait(page, sessions.getByRole('link', { name: /^Details and registration/ }).first());
  const sessionPath = pathOf(page);
  assert.match(sessionPath, /^\/workshops\/sessions\/\d+$/, `the session link led to ${page.url()}`);
  await heading(page, WORKSHOP_TITLE);
  const before = await seatsLeft(page);
  await checkPage(page, 'session page', problems);

  expectOk(await clickAndWait(page, page.getByRole('button', { name: 'Register' })), 'registering');
  assert.equal(pathOf(page), sessionPath);
  await expectNotice(page, 'You are registered. A confirmation is on its way to your email.');
  await page.getByRole('region', { name: 'Your registration' }).getByText('You are registered.').waitFor();
  assert.equal(await seatsLeft(page), before - 1, 'registering should take a seat');
  await checkPage(page, 'session page, registered', problems);

  // The session's own calendar file.
  const ics = await page.request.get(url(await page.getByRole('link', { name: /Add to your calendar/ }).getAttribute('href')));
  assert.equal(ics.status(), 200, 'the session .ics');
  assert.match(ics.headers()['content-type'] ?? '', /^text\/calendar/, 'the session .ics content type');
  assert.match(await ics.text(), /BEGIN:VCALENDAR[\s\S]*BEGIN:VEVENT/, 'the session .ics body');

  // Cancelling is asked once more, on a page of its own that works without JavaScript.
  expectOk(await clickAndWait(page, page.getByRole('button', { name: 'Cancel my registration' })), 'asking to cancel');
  assert.equal(pathOf(page), `${sessionPath}/cancel`);
  await page.getByRole('heading', { level: 1, name: /^Cancel your registration for / }).waitFor();
  await checkPage(page, 'cancel registration, confirm', problems);
  expectOk(await clickAndWait(page, page.getByRole('button', { name: 'Yes, cancel my registration' })), 'cancelling');
  assert.equal(pathOf(page), sessionPath);
  await expectNotice(page, 'Your registration is cancelled.');
  await page.getByRole('button', { name: 'Register' }).waitFor();
  assert.equal(await seatsLeft(page), before, 'cancelling should free the seat');
  await checkPage(page, 'session page, cancelled', problems);

  // Register again, to stay on the roster the facilitator opens in the next test.
  await clickAndWait(page, page.getByRole('button', { name: 'Register' }));
  await expectNotice(page, 'You are registered. A confirmation is on its way to your email.');
  registeredSessionPath = sessionPath;

  // My learning lists the session; from there, the calendar feed and the transcript.
  await visit(page, '/learn');
  const upcoming = page.getByRole('region', { name: 'Upcoming sessions' });
  assert.equal(await upcoming.getByRole('link', { name: WORKSHOP_TITLE }).getAttribute('href'), sessionPath, 'my learning lists the session');
  await checkPage(page, 'my learning with an upcoming session', problems);

  await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Calendar feed' }));
  assert.equal(pathOf(page), '/learn/calendar');
  await heading(page, 'Your calendar feed');
  const feed = await page.getByLabel('Feed address').inputValue();
  assert.ok(feed.startsWith(url('/')), `the feed address should be on this server: ${feed}`);
  await checkPage(page, 'calendar feed page', problems);
  const feedResponse = await page.request.get(feed);
  assert.equal(feedResponse.status(), 200, `the calendar feed ${feed}`);
  assert.match(feedResponse.headers()['content-type'] ?? '', /^text\/calendar/, 'the feed content type');
  assert.match(await feedResponse.text(), /BEGIN:VEVENT[\s\S]*Hard Cases/, 'the feed should contain the registered session');

  await visit(page, '/learn');
  await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Transcript' }));
  assert.equal(pathOf(page), '/learn/transcript');
  await heading(page, 'Transcript');
  await page.getByText(TEACHER_NAME).first().waitFor();
  await checkPage(page, 'transcript', problems);
});

browserTest('a facilitator opens a roster and the authoring pages', async ({ page, problems }) => {
  assert.ok(registeredSessionPath, 'needs the session the teacher registered for in the previous test');
  await signInAs(page, 'facilitator@academy.test');

  // The authoring home lists what the facilitator may change (nothing of the national catalog)
  // and the national workshops they may offer sessions of.
  await visit(page, '/author');
  await heading(page, 'Authoring');
  await checkPage(page, 'authoring home', problems);
  const schedule = page.getByRole('link', { name: `Schedule a session of ${WORKSHOP_TITLE}` });
  assert.equal(await schedule.count(), 1, 'a published national workshop may be offered locally');
  await clickAndWait(page, schedule);
  assert.equal(pathOf(page), `/author/items/${WORKSHOP}/sessions/new`);
  assert.match(await page.getByLabel('Host organization').innerText(), /Riverbend Independent School District/);
  assert.match(await page.getByLabel('Time zone').innerText(), /Central \(America\/Chicago\)/);
  await checkPage(page, 'new session form', problems);

  // The roster of the session the teacher registered for, from the home page.
  await visit(page, '/');
  const rosterPath = `${registeredSessionPath}/roster`;
  const rosterLink = page.locator(`a[href="${rosterPath}"]`);
  assert.equal(await rosterLink.count(), 1, `the home page should link to ${rosterPath}`);
  await clickAndWait(page, rosterLink);
  assert.equal(pathOf(page), rosterPath);
  await heading(page, `Roster: ${WORKSHOP_TITLE}`);
  const teacherRow = page.getByRole('row').filter({ hasText: TEACHER_NAME });
  assert.equal(await teacherRow.count(), 1, `the roster should list ${TEACHER_NAME}`);
  assert.match(await teacherRow.innerText(), /Seat/, 'the teacher holds a seat');
  await checkPage(page, 'roster', problems);

  // The demo sessions are a week or more away, so no check-in code yet: an error, accessible too.
  const refused = await clickAndWait(page, page.getByRole('button', { name: 'Show a check-in code' }));
  assert.equal(refused.status(), 409, `a check-in code for a future session should be refused with 409, got ${refused.status()}`);
  await expectErrorSummary(page, /Check-in opens half an hour before the session/);
  await heading(page, `Roster: ${WORKSHOP_TITLE}`);
  await checkPage(page, 'roster, check-in code refused', problems);

  // A new course belongs to the facilitator's district; its URL name may be left to the title.
  await visit(page, '/author/items/new?kind=course');
  await heading(page, 'New catalog item');
  assert.match(await page.getByLabel('Belongs to').innerText(), /^Riverbend Independent School District/);
  await checkPage(page, 'new catalog item form', problems);

  await visit(page, '/author');
  await clickAndWait(page, page.getByRole('link', { name: 'Import a course package' }));
  assert.equal(pathOf(page), '/author/import');
  await heading(page, 'Import a course package');
  await checkPage(page, 'import page', problems);
});

browserTest('a program admin edits a quiz with the question editor, without JavaScript', async ({ page, problems }) => {
  await signInAs(page, 'admin@academy.test');
  await visit(page, '/author');
  await clickAndWait(page, page.getByRole('link', { name: COURSE_TITLE }));
  assert.equal(pathOf(page), `/author/items/${COURSE}`);
  await heading(page, COURSE_TITLE);
  await checkPage(page, 'authoring page of a course', problems);

  await clickAndWait(page, page.getByRole('link', { name: 'Check your understanding: the rules and the data' }));
  assert.equal(pathOf(page), `/author/items/${COURSE}/steps/3/edit`);
  await heading(page, /^Edit step: Check your understanding: the rules and the data/);
  assert.ok(await page.getByRole('radio', { name: /^Quiz:/ }).isChecked(), 'the step editor shows the kind of step');
  const questions = page.getByRole('group', { name: /^Question \d+$/ });
  assert.equal(await questions.count(), 6, 'the quiz has 6 questions, each in its own group');
  assert.notEqual(await page.locator('#q1-prompt').inputValue(), '', 'the first question is filled in');
  await checkPage(page, 'step editor', problems);

  await clickAndWait(page, page.getByRole('button', { name: 'Add a question' }));
  assert.equal(await questions.count(), 7, 'one more question, no JavaScript needed');
  await checkAxe(page, 'step editor with a new question', problems);
  await clickAndWait(page, page.getByRole('button', { name: 'Preview' }));
  await page.getByRole('heading', { level: 2, name: /^Preview/ }).waitFor();
  await checkAxe(page, 'step editor preview', problems);
});

browserTest('a Texas admin offers a role to an Ohio teacher, who accepts it', async ({ page, problems }) => {
  // The first demo teacher at an Ohio school (the demo names teachers in order, Texas first).
  const ohioTeacher = 'elena.johnson24@academy.test';
  await signInAs(page, 'texas.admin@academy.test');
  await visit(page, '/admin/orgs');
  await clickAndWait(page, page.getByRole('link', { name: 'Riverbend Independent School District' }));
  await heading(page, 'Riverbend Independent School District');
  await page.getByLabel('Their email address').fill(ohioTeacher);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Facilitator' });
  await clickAndWait(page, page.getByRole('button', { name: 'Grant role' }));
  await expectNotice(page, 'If they have an account, they will be asked to accept; otherwise invite them.');
  await checkPage(page, 'organization page after an offer', problems);

  await page.context().clearCookies();
  await signInAs(page, ohioTeacher);
  const waiting = page.getByRole('region', { name: 'Waiting for your answer' });
  await waiting.waitFor();
  await checkAxe(page, 'home page with an offer', problems);
  await clickAndWait(page, waiting.getByRole('link', { name: /^Accept or decline/ }));
  assert.match(pathOf(page), /^\/offers\/\d+$/);
  await heading(page, 'An offer for you');
  await checkPage(page, 'offer page', problems);
  await clickAndWait(page, page.getByRole('button', { name: 'Accept' }));
  assert.equal(pathOf(page), '/');
  await expectNotice(page, 'You accepted the offer.');
  await page.getByText('Facilitator at Riverbend Independent School District').waitFor();
});

browserTest('a program admin finds an issued credential, verified, with its certificate', async ({ page, problems }) => {
  await signInAs(page, 'admin@academy.test');

  // The job worker issues the demo credentials shortly after start: wait for the first.
  await visit(page, '/admin/credentials');
  const links = page.locator('table a[href^="/credentials/"]');
  const deadline = Date.now() + CREDENTIAL_WAIT_MS;
  while ((await links.count()) === 0) {
    assert.ok(Date.now() < deadline, `no credential listed on /admin/credentials after ${CREDENTIAL_WAIT_MS / 1000} s`);
    await page.waitForTimeout(250);
    await page.reload();
  }
  await heading(page, 'Credentials');
  await checkPage(page, 'credentials list', problems);

  await clickAndWait(page, links.first());
  credentialPath = pathOf(page);
  assert.match(credentialPath, /^\/credentials\/[0-9a-f-]{36}$/, `the credential link led to ${page.url()}`);
  assert.match(await page.locator('p.notice-inline').innerText(), /^Verified\./, 'the credential page should say "Verified."');
  await checkPage(page, 'credential page (admin)', problems);

  const certificate = await page.getByRole('link', { name: 'Printable certificate (PDF)' }).getAttribute('href');
  assert.equal(certificate, `${credentialPath}/certificate.pdf`);
  const pdf = await page.request.get(url(certificate));
  assert.equal(pdf.status(), 200, `GET ${certificate}`);
  assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/, `the certificate's content type`);
  assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-', 'the certificate should be a PDF');
});

browserTest('anyone can verify a credential without signing in', async ({ page, problems }) => {
  assert.ok(credentialPath, 'needs the credential found in the previous test');
  const response = await visit(page, credentialPath);
  assert.equal(pathOf(page), credentialPath, `a visitor should see the credential, was sent to ${page.url()}`);
  expectOk(response, 'the public credential page');
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'the visitor is not signed in');
  assert.match(await page.locator('p.notice-inline').innerText(), /^Verified\./, 'the credential page should say "Verified."');
  assert.equal(await page.getByRole('heading', { name: 'Revoke' }).count(), 0, 'a visitor cannot revoke');
  await checkPage(page, 'credential page (signed out)', problems);

  // Reflow (WCAG 1.4.10): at 320 CSS pixels the page, long identifiers included, needs no
  // horizontal scrolling.
  await page.setViewportSize({ width: 320, height: 640 });
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(widths.scroll <= widths.client, `at 320 px the credential page scrolls sideways (${widths.scroll} px wide)`);

  const pdf = await page.request.get(url(`${credentialPath}/certificate.pdf`));
  assert.equal(pdf.status(), 200, 'the certificate, signed out');
  assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/, `the certificate's content type, signed out`);
});
