// journey_accounts.mjs: the accounts journey in Chromium, as people do it
// (A2, A5, B1): a firm registers (a wrong NIP first: the form comes back
// with everything typed and the problem named) -> staff approve it in the
// CMS, linking the ERP card found by NIP and choosing the modules -> the
// firm's admin sets a password through the mailed link (read from
// mail_outbox) and logs in -> creates a co-worker with limited rights ->
// the co-worker sets a password, logs in and sees only what was allowed.
// Every page on the way is checked for valid HTML (raw, as sent), for no
// console errors (CSP), and photographed (tests/artifacts/browser/).
// Usage: DB=path PW=password STAFF=email node journey_accounts.mjs BASE_URL
import { ok, done, bail, launch, artifacts, validateHtml } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const base = process.argv[2];
const db = process.env.DB;
const pw = process.env.PW;
const staff = process.env.STAFF;
if (!base || !db || !pw || !staff) bail('usage: DB=… PW=… STAFF=… node journey_accounts.mjs BASE_URL');
const out = artifacts();

const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
// The newest link to set a password mailed to an address.
const mailedLink = (to) => {
  const body = sql(`SELECT body_text FROM mail_outbox WHERE to_addr = '${to}' AND body_text LIKE '%/password/reset/%' ORDER BY id DESC LIMIT 1`);
  const m = body.match(/\/password\/reset\/[0-9a-f]+/);
  return m ? m[0] : null;
};

const ctx = await launch();
const consoleErrors = [];
let shot = 0;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'pl' });
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.location() && m.location().url === page.url()) return;
    consoleErrors.push(`${m.text()} (${m.location() ? m.location().url : '?'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // The page as sent (with this browser's cookies) must be valid HTML.
  const valid = async (name) => {
    const res = await ctx.request.get(page.url());
    const v = await validateHtml(await res.text(), name);
    ok(v.valid, `${name}: valid HTML`, v.msgs);
  };
  // A form sent back with problems (422) must be valid HTML too.
  const valid422 = async (path, form, name) => {
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
    const res = await ctx.request.post(base + path, { form: { csrf, ...form } });
    ok(res.status() === 422, `${name}: answered 422`, String(res.status()));
    const v = await validateHtml(await res.text(), name);
    ok(v.valid, `${name}: valid HTML`, v.msgs);
  };
  const snap = async (name) => {
    shot++;
    await page.screenshot({ path: join(out, `journey-${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    ok(consoleErrors.length === 0, `${name}: no console errors (CSP)`, consoleErrors.join('\n'));
    consoleErrors.length = 0;
  };
  // Click something that loads a new page, and wait for that page: a bare
  // waitForLoadState after the click can see the old, already loaded page.
  const go = async (locator) => {
    await Promise.all([page.waitForEvent('framenavigated'), locator.click()]);
    await page.waitForLoadState('load');
  };
  const login = async (email) => {
    await ctx.clearCookies();
    await page.goto(base + '/login');
    await page.getByLabel('Adres e-mail').fill(email);
    await page.getByLabel('Hasło', { exact: true }).fill(pw);
    await go(page.getByRole('button', { name: 'Zaloguj się' }));
    await page.waitForLoadState('load');
  };
  const setPassword = async (email, name) => {
    const link = mailedLink(email);
    ok(link !== null, `${name}: a link to set a password was mailed`);
    if (!link) return;
    await ctx.clearCookies();
    await page.goto(base + link);
    await page.getByLabel('Nowe hasło', { exact: true }).fill(pw);
    await page.getByLabel('Powtórz nowe hasło').fill(pw);
    await go(page.getByRole('button', { name: 'Ustaw hasło' }));
    await page.waitForLoadState('load');
    ok(page.url().includes('/login'), `${name}: password set, on to the login page`, page.url());
  };

  // 1. Registration, first with a NIP whose check digit is wrong.
  await page.goto(base + '/register');
  await valid('register');
  await page.getByLabel('Nazwa firmy').fill('Okna Zielińscy Sp. J.');
  await page.getByLabel('NIP').fill('123-456-78-90');
  await page.getByLabel('Ulica i numer').first().fill('ul. Leśna 5');
  await page.getByLabel('Kod pocztowy').first().fill('61-001');
  await page.getByLabel('Miejscowość').first().fill('Poznań');
  await page.getByLabel('Imię i nazwisko').fill('Zofia Zielińska');
  await page.getByLabel('E-mail').fill('zofia@zielinscy.pl');
  await page.getByLabel('Telefon').fill('+48 600 100 200');
  await go(page.getByRole('button', { name: 'Wyślij zgłoszenie' }));
  await page.waitForLoadState('load');
  ok(await page.locator('#f-nip-err').isVisible(), 'register: the NIP problem is shown next to the field');
  ok((await page.getAttribute('#f-nip', 'aria-invalid')) === 'true', 'register: the field is marked invalid');
  ok((await page.inputValue('#f-company')) === 'Okna Zielińscy Sp. J.', 'register: the company typed is kept');
  ok((await page.inputValue('#f-contact_email')) === 'zofia@zielinscy.pl', 'register: the e-mail typed is kept');
  ok(await page.getByRole('alert').isVisible(), 'register: a summary of the problems');
  await snap('register-bad-nip');
  await valid422('/register', { company: 'X', nip: '1234567890', contact_email: 'x' }, 'register-422');
  await page.getByLabel('NIP').fill('123-456-32-18');
  await go(page.getByRole('button', { name: 'Wyślij zgłoszenie' }));
  await page.waitForLoadState('load');
  ok(page.url().endsWith('/register/sent'), 'register: sent', page.url());
  ok(/Zgłoszenie przyjęte/.test(await page.locator('h1').textContent()), 'register: the thank-you page');
  await snap('register-sent');
  ok(sql("SELECT status FROM registration WHERE contact_email = 'zofia@zielinscy.pl'") === 'pending',
    'register: a pending registration is stored');

  // 2. Staff approve it, linking the ERP card found by NIP.
  await login(staff);
  ok(new URL(page.url()).pathname.startsWith('/cms'), 'staff: logged in to the CMS', page.url());
  await go(page.getByRole('link', { name: 'Rejestracje' }));
  await valid('cms-registrations');
  await snap('cms-registrations');
  await go(page.getByRole('link', { name: 'Okna Zielińscy Sp. J.' }));
  await valid('cms-registration');
  const card = page.getByLabel(/Zieliński Okna \(ERP\)/);
  ok(await card.isChecked(), 'cms: the ERP card with the same NIP is suggested and chosen');
  for (const m of ['Reklamacje', 'Zapytania ofertowe', 'Poczta', 'Zadania', 'Materiały marketingowe'])
    await page.getByLabel(m, { exact: true }).uncheck();
  await snap('cms-registration');
  await go(page.getByRole('button', { name: 'Akceptuj i wyślij zaproszenie' }));
  await page.waitForLoadState('load');
  ok(await page.getByRole('status').isVisible(), 'cms: the approval is confirmed');
  await snap('cms-approved');
  const cust = sql("SELECT customer_id FROM registration WHERE contact_email = 'zofia@zielinscy.pl'");
  ok(cust === sql("SELECT id FROM customer WHERE code = 'Z100'"), 'cms: linked to the ERP card');
  ok(sql(`SELECT group_concat(module) FROM (SELECT module FROM customer_module WHERE customer_id = ${cust} ORDER BY module)`) ===
    'catalogue,invoices,orders', 'cms: the customer has the modules chosen');

  // 3. The firm's admin: first password through the mailed link, login.
  await setPassword('zofia@zielinscy.pl', 'admin');
  await login('zofia@zielinscy.pl');
  ok(new URL(page.url()).pathname === '/portal', 'admin: logged in to the portal', page.url());
  await snap('admin-portal');
  await go(page.getByRole('link', { name: 'Profil' }));
  await valid('admin-profile');
  const adminAccess = await page.locator('ul.access').textContent();
  ok(/Zamówienia/.test(adminAccess) && /Faktury/.test(adminAccess) && !/Reklamacje/.test(adminAccess),
    'admin: sees the modules the customer has, not the others', adminAccess);
  await snap('admin-profile');

  // 4. The admin creates a co-worker who may only view orders.
  await go(page.getByRole('link', { name: 'Współpracownicy' }));
  await valid('admin-users');
  await go(page.getByRole('link', { name: 'Dodaj współpracownika' }));
  await valid('admin-user-new');
  ok(await page.getByLabel('Zgłaszanie reklamacji').count() === 0,
    'admin: no permission offered of a module the customer lacks');
  await valid422('/account/users', { name: '', email: 'nie-adres', lang: 'pl', role_viewer: '1' },
    'admin-user-new-422');
  await page.getByLabel('Imię i nazwisko').fill('Wiktor Widz');
  await page.getByLabel('E-mail').fill('wiktor@zielinscy.pl');
  await page.getByLabel('Podgląd zamówień').check();
  await snap('admin-user-new');
  await go(page.getByRole('button', { name: 'Utwórz konto i wyślij zaproszenie' }));
  await page.waitForLoadState('load');
  ok(await page.getByRole('status').isVisible(), 'admin: the co-worker is created');
  ok(/wiktor@zielinscy\.pl/.test(await page.locator('table.list').textContent()), 'admin: listed');
  await snap('admin-users');

  // 5. The co-worker: password, login, and only what was allowed.
  await setPassword('wiktor@zielinscy.pl', 'co-worker');
  await login('wiktor@zielinscy.pl');
  ok(new URL(page.url()).pathname === '/portal', 'co-worker: logged in', page.url());
  const nav = await page.locator('nav.main-nav').textContent();
  ok(!/Współpracownicy/.test(nav) && !/Oddziały/.test(nav), 'co-worker: no account management in the menu', nav);
  await go(page.getByRole('link', { name: 'Profil' }));
  await valid('coworker-profile');
  const access = (await page.locator('ul.access li').allTextContents()).join(' | ');
  ok(/^Zamówienia: Przeglądanie zamówień$/.test(access), 'co-worker: sees only viewing orders', access);
  ok(!/Faktury|Katalog|Zarządzanie/.test(access), 'co-worker: no invoices, prices nor user management', access);
  ok(await page.locator('form[action="/account/profile"]').count() === 0, 'co-worker: the company data is read-only');
  await snap('coworker-profile');
  const res = await page.goto(base + '/account/users');
  ok(res.status() === 403, 'co-worker: the co-workers page is refused (403)', String(res.status()));
  await snap('coworker-denied');
  // A phone-sized screen of the co-worker's profile, without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/account/profile');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  ok(!overflow, 'co-worker: no sideways scrolling on a phone');
  await snap('coworker-profile-phone');

  // 6. The other pages of the accounts module, as their users see them:
  // valid HTML, no console errors, a screenshot each.
  await page.setViewportSize({ width: 1280, height: 900 });
  const visit = async (path, name, h1) => {
    const r = await page.goto(base + path);
    ok(r.status() === 200, `${name}: status 200`, String(r.status()));
    if (h1) ok(h1.test(await page.locator('h1').first().textContent()), `${name}: heading`);
    await valid(name);
    await snap(name);
  };
  const wiktor = sql("SELECT id FROM user WHERE email = 'wiktor@zielinscy.pl'");
  await login('zofia@zielinscy.pl');
  await visit('/account/branches', 'admin-branches', /Oddziały/);
  await page.getByLabel('Nazwa oddziału').fill('Oddział Poznań');
  await page.getByLabel('Ulica i numer').fill('ul. Fabryczna 2');
  await page.getByLabel('Kod pocztowy').fill('60-100');
  await page.getByLabel('Miejscowość').fill('Poznań');
  await go(page.getByRole('button', { name: 'Dodaj oddział' }));
  await page.waitForLoadState('load');
  ok(/Oddział Poznań/.test(await page.locator('table.list').textContent()), 'admin: a branch added');
  await visit('/account/addresses', 'admin-addresses', /Adresy dostaw/);
  await valid422('/account/addresses', { label: '', street: '', country: 'PL', postcode: '1' },
    'admin-addresses-422');
  await visit(`/account/users/${wiktor}`, 'admin-user-edit', /Wiktor Widz/);
  await login(staff);
  const zid = sql("SELECT id FROM customer WHERE code = 'Z100'");
  const zofia = sql("SELECT id FROM user WHERE email = 'zofia@zielinscy.pl'");
  const me = sql(`SELECT id FROM user WHERE email = '${staff}'`);
  await visit('/cms/customers', 'cms-customers', /Klienci/);
  await visit(`/cms/customers/${zid}`, 'cms-customer', /Zieliński Okna/);
  await visit('/cms/users', 'cms-users', /Użytkownicy/);
  await visit(`/cms/users/${zofia}`, 'cms-user', /Zofia/);
  await visit('/cms/staff', 'cms-staff', /Pracownicy/);
  await visit('/cms/staff/new', 'cms-staff-new', /Nowy pracownik/);
  await visit(`/cms/staff/${me}`, 'cms-staff-user', /Szef/);
  await visit('/cms/audit', 'cms-audit', /Dziennik/);
  await visit('/cms/registrations?status=approved', 'cms-registrations-approved', /Rejestracje/);
} finally {
  await ctx.close();
}
done();
