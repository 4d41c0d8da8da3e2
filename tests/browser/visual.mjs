// visual.mjs: every page a person sees, as the user who sees it, photographed
// at desktop (1280 px) and phone (390 px) widths into ARTIFACTS (kept for a
// person to look at), and checked: the raw response is valid HTML, nothing
// breaks the CSP (console errors), no sideways scrolling on a phone, every
// form control has a label and every button a name.  One browser; each user
// logs in once and visits all of their pages.  The impersonation banner is
// seen in both layouts (a customer's portal, a narrower staff member's CMS)
// and its button leads back.
// Usage: DB=… PW=… STAFF=… STAFF2=… DEALER=… node visual.mjs BASE_URL
import { ok, done, bail, launch, artifacts, validateHtml } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const base = process.argv[2];
const { DB: db, PW: pw, STAFF: staff, STAFF2: staff2, DEALER: dealer } = process.env;
if (!base || !db || !pw || !staff || !staff2 || !dealer)
  bail('usage: DB=… PW=… STAFF=… STAFF2=… DEALER=… node visual.mjs BASE_URL');
const out = artifacts();
const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

const ctx = await launch();
const consoleErrors = [];
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'pl' });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A page's own status (a 422 form on purpose) is reported too: skip it.
    if (m.location() && m.location().url === page.url()) return;
    consoleErrors.push(`${m.text()} (${m.location() ? m.location().url : '?'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // Controls without a label (or aria-label/-labelledby); buttons without
  // a name.
  const unlabelled = () => page.evaluate(() => {
    const bad = [];
    for (const e of document.querySelectorAll('input, select, textarea')) {
      if (['hidden', 'submit', 'button', 'reset'].includes(e.type)) continue;
      if ((e.labels && e.labels.length) || e.getAttribute('aria-label') ||
        e.getAttribute('aria-labelledby')) continue;
      bad.push(e.outerHTML.slice(0, 100));
    }
    for (const b of document.querySelectorAll('button, input[type=submit]')) {
      if ((b.textContent || b.value || '').trim() || b.getAttribute('aria-label')) continue;
      bad.push(b.outerHTML.slice(0, 100));
    }
    return bad;
  });

  // The page as shown now: checks and both screenshots.  The raw HTML is
  // checked by the caller (a GET or the POST that made this page).
  const look = async (name) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    const bad = await unlabelled();
    ok(bad.length === 0, `${name}: every form control has a label`, bad.join('\n'));
    await page.setViewportSize({ width: 390, height: 844 });
    const over = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= w + 1) return null;
      // Name what sticks out (not clipped by a scrolling box), for the
      // diagnosis.
      const clipped = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
          if (getComputedStyle(a).overflowX !== 'visible') return true;
        return false;
      };
      return [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > w + 1 && !clipped(e))
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`).join(', ');
    });
    ok(over === null, `${name}: no sideways scrolling at 390 px`, over);
    await page.screenshot({ path: join(out, `${name}-phone.png`), fullPage: true });
    ok(consoleErrors.length === 0, `${name}: no console errors (CSP)`, consoleErrors.join('\n'));
    consoleErrors.length = 0;
  };
  const validRaw = async (html, name) => {
    const v = await validateHtml(html, name);
    ok(v.valid, `${name}: valid HTML`, v.msgs);
  };
  // GET path with this browser's cookies: status, raw HTML, then look.
  const visit = async (path, name, status = 200) => {
    const res = await ctx.request.get(base + path, { headers: { 'Accept-Language': 'pl' } });
    ok(res.status() === status, `${name}: status ${status}`, String(res.status()));
    await validRaw(await res.text(), name);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(base + path);
    await look(name);
  };
  const login = async (email) => {
    await ctx.clearCookies();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(base + '/login');
    await page.getByLabel('Adres e-mail').fill(email);
    await page.getByLabel('Hasło', { exact: true }).fill(pw);
    await submit('Zaloguj się');
  };
  const csrf = () => page.locator('input[name="csrf"]').first().getAttribute('value');
  // Press a button that sends its form and wait for the page it brings (a
  // bare waitForLoadState after the click may see the old page).
  const submit = async (name) => {
    await Promise.all([page.waitForEvent('framenavigated'),
      page.getByRole('button', { name, exact: true }).click()]);
    await page.waitForLoadState('load');
  };

  // 1. Anonymous: the public pages, login, registration (with problems).
  await ctx.clearCookies();
  await visit('/', 'home');
  ok(await page.locator('main a[href="/register"]').count() > 0, 'home: a link to register a company');
  await visit('/news', 'news');
  await visit('/login', 'login');
  ok(await page.locator('main a[href="/register"]').count() > 0, 'login: a link to register a company');
  await visit('/password/forgot', 'password-forgot');
  await visit('/register', 'register');
  {
    const res = await ctx.request.post(base + '/register', {
      form: { csrf: await csrf(), company: 'X', nip: '1234567890', contact_email: 'x' },
    });
    ok(res.status() === 422, 'register-errors: answered 422', String(res.status()));
    await validRaw(await res.text(), 'register-errors');
    await page.getByLabel('Nazwa firmy').fill('Okna Zielińscy Sp. J.');
    await page.getByLabel('NIP').fill('123-456-78-90');
    await page.getByLabel('E-mail').fill('zofia@zielinscy');
    await submit('Wyślij zgłoszenie');
    ok(await page.locator('.form-problems').isVisible(), 'register-errors: the problem summary is shown');
    const red = await page.locator('#f-nip-err').evaluate((e) => getComputedStyle(e).color);
    ok(red !== 'rgb(27, 31, 35)', 'register-errors: the problem is in red', red);
    await look('register-errors');
    // A valid one, so the CMS has a pending registration to list.
    await page.getByLabel('Nazwa firmy').fill('Okna Zielińscy Sp. J.');
    await page.getByLabel('NIP').fill('123-456-32-18');
    await page.getByLabel('Ulica i numer').first().fill('ul. Leśna 5');
    await page.getByLabel('Kod pocztowy').first().fill('61-001');
    await page.getByLabel('Miejscowość').first().fill('Poznań');
    await page.getByLabel('Imię i nazwisko').fill('Zofia Zielińska');
    await page.getByLabel('E-mail').fill('zofia@zielinscy.pl');
    await page.getByLabel('Telefon').fill('+48 600 100 200');
    await submit('Wyślij zgłoszenie');
    ok(page.url().endsWith('/register/sent'), 'register: sent', page.url());
  }

  // 2. The customer's admin: portal and account pages.
  await login(dealer);
  ok(new URL(page.url()).pathname === '/portal', 'dealer: logged in', page.url());
  // A branch and an address added through the forms: the lists have rows
  // and the flash notice is seen.
  await page.goto(base + '/account/branches');
  await page.getByLabel('Nazwa oddziału').fill('Oddział Poznań');
  await page.getByLabel('Ulica i numer').fill('ul. Fabryczna 2');
  await page.getByLabel('Kod pocztowy').fill('60-100');
  await page.getByLabel('Miejscowość').fill('Poznań');
  await submit('Dodaj oddział');
  ok(await page.locator('.notice').isVisible(), 'account-branches: a notice after adding');
  await look('account-branches-added');
  await visit('/portal', 'portal');
  await visit('/account/profile', 'account-profile');
  await visit('/account/users', 'account-users');
  await visit('/account/users/new', 'account-user-new');
  await visit('/account/branches', 'account-branches');
  await visit('/account/addresses', 'account-addresses');
  await visit('/account/password', 'account-password');
  await visit('/account/sessions', 'account-sessions');
  await visit('/account/2fa', 'account-2fa');

  // 3. The staff admin: the CMS.
  const anna = sql(`SELECT id FROM user WHERE email = '${dealer}'`);
  const ula = sql(`SELECT id FROM user WHERE email = '${staff2}'`);
  const k1 = sql("SELECT id FROM customer WHERE code = 'K1'");
  const reg = sql("SELECT id FROM registration ORDER BY id DESC LIMIT 1");
  await login(staff);
  ok(new URL(page.url()).pathname === '/cms', 'staff: logged in to the CMS', page.url());
  ok(await page.locator('.cms-header form[action="/logout"] button').isVisible(),
    'cms: a logout button in the header');
  await visit('/cms', 'cms-home');
  await visit('/cms/users', 'cms-users');
  await visit(`/cms/users/${anna}`, 'cms-user');
  await visit('/cms/customers', 'cms-customers');
  await visit(`/cms/customers/${k1}`, 'cms-customer');
  await visit('/cms/registrations', 'cms-registrations');
  await visit(`/cms/registrations/${reg}`, 'cms-registration');
  await visit('/cms/staff', 'cms-staff');
  await visit('/cms/audit', 'cms-audit');

  // 4. Impersonation: the banner in the portal, and its way back.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base + `/cms/customers/${k1}`);
  await submit('Zaloguj się jako Anna Nowak');
  ok(new URL(page.url()).pathname === '/portal', 'impersonation: in the portal', page.url());
  await validRaw(await (await ctx.request.get(page.url())).text(), 'impersonation-portal');
  ok(await page.locator('.impersonation').isVisible(), 'impersonation-portal: the banner is shown');
  await look('impersonation-portal');
  await page.setViewportSize({ width: 1280, height: 900 });
  await submit('Wróć do swojego konta');
  ok(new URL(page.url()).pathname === '/cms', 'impersonation: back in the CMS', page.url());
  ok(await page.locator('.impersonation').count() === 0, 'impersonation: the banner is gone');
  // ... and in the CMS, looking through a narrower staff member's account.
  // (the CMS offers no button for a staff account; the route allows it)
  await ctx.request.post(base + `/cms/impersonate/${ula}`, { form: { csrf: await csrf() } });
  await page.goto(base + '/cms');
  ok(new URL(page.url()).pathname === '/cms', 'impersonation: staff in the CMS', page.url());
  await validRaw(await (await ctx.request.get(page.url())).text(), 'impersonation-cms');
  ok(await page.locator('.impersonation').isVisible(), 'impersonation-cms: the banner is shown');
  await look('impersonation-cms');
  await page.setViewportSize({ width: 1280, height: 900 });
  await submit('Wróć do swojego konta');
  ok(await page.locator('.impersonation').count() === 0 &&
    (await page.locator('.user-name').textContent()).includes('Szef'),
    'impersonation-cms: back as oneself');
} finally {
  await ctx.close();
}
done();
