// sync_panel.mjs: framuga-sync's control panel (J5) in Chromium.
//
//   node sync_panel.mjs BASE_URL
//
// Environment:
//   SYNC_PANEL_PAGES  a directory of panel pages rendered by
//                     tests/unit/test_sync_panel (SYNC_PANEL_DUMP): each is
//                     checked for valid HTML, with or without a login.
//   STAFF_EMAIL, STAFF_PASSWORD
//                     a staff user holding cms.sync.  Then the browser logs
//                     in at /login, checks the list (valid HTML, no CSP
//                     errors, keyboard), gives a bad interval (422: the
//                     problem named next to the field, the typed value
//                     kept), changes the interval, runs an operation now
//                     and opens its history.  Without them those cases are
//                     reported as skipped: "staff login not available yet".
//   SYNC_PANEL_OP     the operation to work on (default products).
//   SYNC_PANEL_DB     the portal's database: what the clicks wrote is read
//                     back from it with the sqlite3 command.
// Screenshots go to ARTIFACTS (tests/artifacts/browser/).
import { ok, done, bail, launch, artifacts, validateHtml } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) bail('usage: node sync_panel.mjs BASE_URL');
const out = artifacts();
const op = process.env.SYNC_PANEL_OP || 'products';
const db = process.env.SYNC_PANEL_DB;
// One value from the portal's database (op is a word: no quoting issue).
const pq = (sql) => execFileSync('sqlite3', ['-batch', '-noheader', db, sql]).toString().trim();

// ---- pages rendered without a login --------------------------------------------
const dir = process.env.SYNC_PANEL_PAGES;
if (dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  ok(files.length > 0, 'pre-rendered panel pages exist', dir);
  for (const f of files) {
    const v = await validateHtml(readFileSync(join(dir, f), 'utf8'), f);
    ok(v.valid, `rendered ${f}: valid HTML`, v.msgs);
  }
}

// ---- a staff member in the browser ----------------------------------------------
const email = process.env.STAFF_EMAIL, password = process.env.STAFF_PASSWORD;
const staffCases = [
  'log in as staff', 'the panel lists every operation', 'the panel is valid HTML',
  'skip link first', 'a bad interval: 422 with the problem named',
  'a bad interval: the typed value kept', 'the interval is changed',
  'the database has the new interval',
  'run now: the notice says the next cron tick', 'run now: the row shows it',
  'run now: run_once_at is now in the database',
  'the history page: valid HTML', 'no console errors (CSP)',
];
if (!email || !password) {
  for (const c of staffCases) ok(true, `staff: ${c} # SKIP staff login not available yet`);
  done();
} else {
  const ctx = await launch();
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    const consoleErrors = [];
    // Console errors: CSP violations and failed subresources.  The page's
    // own status (the 422 on purpose) is reported there too: skip it.
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (m.location() && m.location().url === page.url()) return;
      consoleErrors.push(`${m.text()} (${m.location() ? m.location().url : '?'})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'pl' });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Log in through the real form.
    await page.goto(base + '/login');
    await page.locator('input[type=email], input[name=email]').first().fill(email);
    await page.locator('input[type=password]').first().fill(password);
    await Promise.all([
      page.waitForNavigation(),
      page.locator('form:has(input[type=password]) [type=submit]').first().click(),
    ]);
    let res = await page.goto(base + '/cms/sync');
    ok(res.status() === 200, 'staff: log in as staff', `GET /cms/sync: ${res.status()}`);
    const rows = await page.locator('table.sync-ops tbody tr').count();
    ok(rows === 13, 'staff: the panel lists every operation', `${rows} rows`);
    let v = await validateHtml(await res.text(), 'sync');
    ok(v.valid, 'staff: the panel is valid HTML', v.msgs);
    await page.screenshot({ path: join(out, 'sync-panel.png'), fullPage: true });
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
    ok(focused === 'skip', 'staff: skip link first', focused);

    // A bad interval: re-shown with the problem next to the field.
    const field = page.locator(`#interval-${op}`);
    const form = page.locator(`form[action="/cms/sync/${op}/interval"]`);
    await field.fill('25:61:00');
    [res] = await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    ok(res.status() === 422 && await page.locator(`#interval-${op}-err`).isVisible() &&
      (await field.getAttribute('aria-invalid')) === 'true',
    'staff: a bad interval: 422 with the problem named', `status ${res.status()}`);
    ok((await field.inputValue()) === '25:61:00', 'staff: a bad interval: the typed value kept');
    await page.locator(`#op-${op}`).screenshot({ path: join(out, 'sync-panel-interval-error.png') });

    // A good one.
    await field.fill('00:10:00');
    await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    const interval = await page.locator(`#op-${op} .interval`).textContent();
    ok(interval === '00:10:00' && await page.getByRole('status').isVisible(),
      'staff: the interval is changed', `interval ${interval}`);
    await page.locator(`#op-${op}`).screenshot({ path: join(out, 'sync-panel-interval.png') });
    const secs = pq(`SELECT interval_s FROM sync_operation WHERE name = '${op}'`);
    ok(secs === '600', 'staff: the database has the new interval', secs);

    // Run now.
    await Promise.all([
      page.waitForNavigation(),
      page.locator(`form[action="/cms/sync/${op}/run"] button[type=submit]`).first().click(),
    ]);
    const notice = await page.getByRole('status').textContent();
    ok(/takcie crona/.test(notice || ''), 'staff: run now: the notice says the next cron tick', notice);
    const row = await page.locator(`#op-${op}`).textContent();
    ok(/jednorazowo/.test(row || ''), 'staff: run now: the row shows it', row);
    await page.screenshot({ path: join(out, 'sync-panel-run-now.png'), fullPage: true });
    const lag = Number(pq(`SELECT strftime('%s', 'now') - ifnull(run_once_at, 0) FROM sync_operation WHERE name = '${op}'`));
    ok(lag >= 0 && lag < 120, 'staff: run now: run_once_at is now in the database', `${lag} s ago`);

    // The operation's own page.
    await Promise.all([page.waitForNavigation(), page.locator(`#op-${op} th a`).click()]);
    res = await page.goto(page.url());
    v = await validateHtml(await res.text(), `sync-${op}`);
    ok(v.valid, 'staff: the history page: valid HTML', v.msgs);
    await page.screenshot({ path: join(out, 'sync-panel-history.png'), fullPage: true });
    ok(consoleErrors.length === 0, 'staff: no console errors (CSP)', consoleErrors.join('\n'));
  } finally {
    await ctx.close();
  }
  done();
}
