// smoke.mjs: load the platform's pages in Chromium, in each language, at
// desktop and phone widths; keep the screenshots; check each raw page is
// valid HTML, that nothing breaks the CSP (console errors), that the page is
// reachable by keyboard (skip link first), and that a form re-shows what
// was typed with the problem named.  Usage: node smoke.mjs BASE_URL
import { ok, done, bail, launch, artifacts, validateHtml } from './lib.mjs';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) bail('usage: node smoke.mjs BASE_URL');
const out = artifacts();

const pages = [
  { path: '/', h1: /./, status: 200, name: 'home' },
  { path: '/news', h1: /Aktualności/, status: 200, name: 'news' },
  { path: '/?lang=en', h1: /./, status: 200, name: 'home-en', nav: 'News' },
  { path: '/?lang=de', h1: /./, status: 200, name: 'home-de', nav: 'Neuigkeiten' },
  { path: '/portal', h1: /Brak dostępu/, status: 403, name: 'portal-denied' },
  { path: '/cms', h1: /Brak dostępu/, status: 403, name: 'cms-denied' },
  { path: '/no-such-page', h1: /Nie znaleziono strony/, status: 404, name: 'not-found' },
  { path: '/_test/form', h1: /Test/, status: 200, name: 'form' },
];

const ctx = await launch();
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  const consoleErrors = [];
  // Console errors: CSP violations and failed subresources.  The page's own
  // status (a 403 or 404 page on purpose) is reported there too: skip it.
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.location() && m.location().url === page.url()) return;
    consoleErrors.push(`${m.text()} (${m.location() ? m.location().url : '?'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  for (const p of pages) {
    // Raw HTML, as the server sent it, must be valid.
    const res = await fetch(base + p.path, { headers: { 'Accept-Language': 'pl' } });
    const html = await res.text();
    ok(res.status === p.status, `${p.name}: status ${p.status}`, `got ${res.status}`);
    const v = await validateHtml(html, p.name);
    ok(v.valid, `${p.name}: valid HTML`, v.msgs);

    consoleErrors.length = 0;
    await ctx.clearCookies();
    if (p.path.includes('lang=') === false) await page.setExtraHTTPHeaders({ 'Accept-Language': 'pl' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(base + p.path);
    const h1 = await page.locator('h1').first().textContent();
    ok(p.h1.test(h1 || ''), `${p.name}: heading`, `h1 was ${JSON.stringify(h1)}`);
    if (p.nav) {
      const nav = await page.locator('nav.main-nav').textContent();
      ok(nav.includes(p.nav), `${p.name}: navigation translated`, nav);
    }
    // The CSS loaded and the nonce'd brand style applied (CSP allowed it).
    const brand = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim());
    ok(/^#[0-9a-f]{6}$/i.test(brand), `${p.name}: brand colour from config applied`, brand);
    const headerBg = await page.evaluate(() => getComputedStyle(document.querySelector('header')).backgroundColor);
    ok(headerBg !== 'rgba(0, 0, 0, 0)', `${p.name}: stylesheet applied`, headerBg);
    await page.screenshot({ path: join(out, `${p.name}.png`), fullPage: true });
    // Keyboard: the first Tab lands on the skip link.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
    ok(focused === 'skip', `${p.name}: skip link is the first stop`, focused);
    ok(consoleErrors.length === 0, `${p.name}: no console errors (CSP)`, consoleErrors.join('\n'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(out, `${p.name}-phone.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    ok(!overflow, `${p.name}: no sideways scrolling on a phone`);
  }

  // A form with a problem keeps what was typed and names the problem.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(base + '/_test/form');
  await page.fill('#name', 'x');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  ok(await page.locator('#name-err').isVisible(), 'form: error shown next to the field');
  ok((await page.inputValue('#name')) === 'x', 'form: typed value kept');
  ok((await page.getAttribute('#name', 'aria-invalid')) === 'true', 'form: field marked invalid for assistive tech');
  await page.screenshot({ path: join(out, 'form-error.png') });
  await page.fill('#name', 'Okna Nowak');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  ok(await page.getByRole('status').isVisible(), 'form: saved after correction');
  ok((await page.inputValue('#name')) === 'Okna Nowak', 'form: value shown after save');
} finally {
  await ctx.close();
}
done();
