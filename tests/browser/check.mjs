// Checks a running Newsdesk as readers' browsers see it.
//
//   node tests/browser/check.mjs http://127.0.0.1:PORT
//
// Crawls the site from its home page (same-origin links, bounded), and for every page:
// - in headless Chromium, light mode on a desktop and dark mode on a phone: no request to any
//   other host, no console error (a CSP violation is one), no horizontal scrolling, and no
//   WCAG 2.2 A/AA violation found by axe-core (contrast included);
// - in the Nu HTML Checker (vnu.jar): valid HTML5, without errors or warnings.
// Prints what failed and exits 1 when anything did.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const base = new URL(process.argv[2] ?? 'http://127.0.0.1:8080');
const MAX_PAGES = 30;
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

// 1. Crawl: every same-origin page reachable from home, plus a page that does not exist.
const pages = new Map(); // path -> html
const queue = ['/', '/gibt-es-nicht'];
while (queue.length > 0 && pages.size < MAX_PAGES) {
  const path = queue.shift();
  if (pages.has(path)) continue;
  const response = await fetch(new URL(path, base), { redirect: 'manual' });
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/html')) continue;
  const html = await response.text();
  pages.set(path, html);
  if (response.status >= 400 && path !== '/gibt-es-nicht') fail(path, `status ${response.status}`);
  for (const match of html.matchAll(/href="([^"#]+)"/g)) {
    const url = new URL(match[1].replaceAll('&amp;', '&'), new URL(path, base));
    if (url.origin === base.origin && !url.pathname.startsWith('/static/') && !pages.has(url.pathname)) {
      queue.push(url.pathname + url.search);
    }
  }
}

// 2. Browser checks.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const setups = [
  { name: 'desktop/light', viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
  { name: 'phone/dark', viewport: { width: 375, height: 740 }, colorScheme: 'dark', isMobile: true },
];
for (const setup of setups) {
  const context = await browser.newContext(setup);
  for (const path of pages.keys()) {
    const where = `${setup.name} ${path}`;
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== base.origin) fail(where, `request to another host: ${url}`);
    });
    page.on('console', (message) => {
      // The deliberate 404 page logs its own status; anything else is a defect.
      if (message.type() === 'error' && !(path === '/gibt-es-nicht' && message.text().includes('404'))) {
        fail(where, `console error: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => fail(where, `page error: ${error.message}`));
    await page.goto(new URL(path, base).href, { waitUntil: 'load' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) fail(where, `scrolls sideways by ${overflow}px`);
    await page.evaluate(axeSource); // evaluated through DevTools, so the page's CSP stays as it is
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    for (const violation of result.violations) {
      const targets = violation.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
      fail(where, `${violation.id} (${violation.impact}): ${violation.help} at ${targets}`);
    }
    await page.close();
  }
  await context.close();
}

// 2b. A reader comments and a moderator approves it, in the browser. The admin pages join the
// checks above (axe) and below (HTML validity).
if (process.env.ADMIN_EMAIL) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail('flow', `console error: ${m.text()}`); });
  const article = [...pages.keys()].find((p) => p.startsWith('/news/'));
  await page.goto(new URL(article, base).href);
  await page.fill('#name-new', 'Browser-Leserin');
  await page.fill('#text-new', 'Ein Kommentar aus dem echten Browser zu diesem Artikel.');
  await Promise.all([page.waitForNavigation(), page.click('form.comment-form:not(details form) button[type=submit]')]);
  if (!(await page.content()).includes('Danke für Ihren Kommentar')) fail('flow', 'the comment was not received');
  await page.goto(new URL('/admin/comments', base).href);
  if (!page.url().includes('/admin/login')) fail('flow', 'the queue did not ask for sign-in');
  await page.fill('#email', process.env.ADMIN_EMAIL);
  await page.fill('#password', process.env.ADMIN_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (!new URL(page.url()).pathname.startsWith('/admin/comments')) fail('flow', `sign-in landed on ${page.url()}`);
  for (const path of ['/admin', '/admin/comments']) {
    await page.goto(new URL(path, base).href);
    pages.set(path, await page.content());
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    for (const v of result.violations) fail(`admin ${path}`, `${v.id} (${v.impact}): ${v.help}`);
  }
  const approve = page.locator('li.queued', { hasText: 'Browser-Leserin' }).locator('button[value^="approve:"]');
  await Promise.all([page.waitForNavigation(), approve.click()]);
  await page.goto(new URL(article, base).href);
  if (!(await page.content()).includes('Browser-Leserin')) fail('flow', 'the approved comment is not on the article');
  await context.close();
  console.log('comment flow checked: submitted, signed in, approved, shown');
}

// 2c. The editors' pages (jobs and promotions), signed in as an editor.
if (process.env.EDITOR_EMAIL) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail('editor', `console error: ${m.text()}`); });
  await page.goto(new URL('/admin/login', base).href);
  await page.fill('#email', process.env.EDITOR_EMAIL);
  await page.fill('#password', process.env.EDITOR_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  for (const path of ['/admin', '/admin/articles', '/admin/articles/new', '/admin/tags', '/admin/authors',
    '/admin/account', '/admin/newsletter', '/admin/jobs', '/admin/jobs/new', '/admin/promotions',
    '/admin/promotions/new']) {
    const response = await page.goto(new URL(path, base).href);
    if (response.status() !== 200) fail(`editor ${path}`, `status ${response.status()}`);
    pages.set(path, await page.content());
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    for (const v of result.violations) fail(`editor ${path}`, `${v.id} (${v.impact}): ${v.help}`);
  }
  console.log('editor pages checked');

  // An editor writes an article, previews it, schedules it a minute ahead (in the
  // publication's time zone) and sees it on the home page when its time comes.
  const title = 'Browsertest: Zweite Fähre nach Hiddensee';
  await page.goto(new URL('/admin/articles/new', base).href);
  await page.fill('#title', title);
  await page.fill('#lead', 'Ab Juni fährt eine zweite Fähre.');
  await page.fill('#body', 'Die Fähre fährt **stündlich**.\n\n## Fahrplan\n\nAb Stralsund um 8 Uhr.');
  await page.fill('#tags', 'Verkehr');
  await page.fill('#authors', 'Ada Lovelace');
  await Promise.all([page.waitForNavigation(), page.click('button[value=preview]')]);
  if (!(await page.content()).includes('<strong>stündlich</strong>')) fail('article', 'the preview is missing');
  const berlin = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  await page.fill('#publish_at', berlin.format(new Date(Date.now() + 60_000)).replace(' ', 'T'));
  await Promise.all([page.waitForNavigation(), page.click('button[value=schedule]')]);
  if (!page.url().includes('notice=scheduled')) fail('article', `scheduling landed on ${page.url()}`);
  const editorPath = new URL(page.url()).pathname;
  pages.set(editorPath, await page.content());
  await page.evaluate(axeSource);
  const editorResult = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  for (const v of editorResult.violations) fail(`editor ${editorPath}`, `${v.id} (${v.impact}): ${v.help}`);
  let live = false;
  for (let i = 0; i < 50 && !live; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await page.goto(new URL('/', base).href);
    live = (await page.content()).includes(title);
  }
  if (!live) fail('article', 'the scheduled article did not reach the home page');
  await context.close();
  console.log('article flow checked: written, previewed, scheduled, live on the home page');
}
// 2d. An admin changes a setting in the browser; the site shows it at once.
if (process.env.OWNER_EMAIL) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail('admin', `console error: ${m.text()}`); });
  await page.goto(new URL('/admin/login', base).href);
  await page.fill('#email', process.env.OWNER_EMAIL);
  await page.fill('#password', process.env.OWNER_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  for (const path of ['/admin/users', '/admin/settings']) {
    const response = await page.goto(new URL(path, base).href);
    if (response.status() !== 200) fail(`admin ${path}`, `status ${response.status()}`);
    pages.set(path, await page.content());
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    for (const v of result.violations) fail(`admin ${path}`, `${v.id} (${v.impact}): ${v.help}`);
  }
  await page.fill('#site-name', 'Nordblatt im Browsertest');
  await Promise.all([page.waitForNavigation(), page.click('.settings-form button[type=submit]')]);
  if (!page.url().includes('notice=saved')) fail('settings', `saving landed on ${page.url()}`);
  await page.goto(new URL('/', base).href);
  if (!(await page.title()).includes('Nordblatt im Browsertest')) fail('settings', `home title is ${await page.title()}`);
  await context.close();
  console.log('settings flow checked: changed in the browser, shown on the site');
}
await browser.close();

// 3. HTML validity with the Nu HTML Checker.
const dir = mkdtempSync(join(tmpdir(), 'newsdesk-vnu-'));
const files = [];
const fileToPath = new Map();
[...pages.entries()].forEach(([path, html], i) => {
  const file = join(dir, `page-${i}.html`);
  writeFileSync(file, html);
  files.push(file);
  fileToPath.set(`file:${file}`, path);
});
const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
const json = execFileSync('java', ['-jar', jar, '--stdout', '--format', 'json', '--exit-zero-always', ...files],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
for (const message of JSON.parse(json).messages) {
  const path = fileToPath.get(message.url) ?? message.url;
  fail(`html ${path}`, `${message.type}${message.subType ? '/' + message.subType : ''} line ${message.lastLine}: ${message.message}`);
}

console.log(`${pages.size} pages checked in ${setups.length} browser setups and the HTML checker`);
if (failures.length > 0) {
  console.log(failures.join('\n'));
  console.log(`${failures.length} failures`);
  process.exit(1);
}
console.log('no failures');
