// catalog_journey.mjs: the catalogue journey in Chromium, as a dealer does
// it (issue 5: C1-C4): logs in -> the category tree -> a category, sorted
// by code -> searches "zolte dachowe" (no diacritics) -> opens the product found ->
// sees their own individual price (123,45 zł net, never the other
// customer's 98,76) and the exact stock of their group's rule in their
// default warehouse.  Every page is checked for valid HTML (as sent) and
// for no console errors (CSP), and photographed (tests/artifacts/browser/).
// Usage: PW=… EMAIL=… CAT=id PROD=id node catalog_journey.mjs BASE_URL
import { ok, done, bail, launch, artifacts, validateHtml } from './lib.mjs';
import { join } from 'node:path';

const base = process.argv[2];
const { PW: pw, EMAIL: email, CAT: cat, PROD: prod, FNAME: fname, FVALUE: fvalue, FN: fn } = process.env;
if (!base || !pw || !email || !cat || !prod) bail('usage: PW=… EMAIL=… CAT=… PROD=… node catalog_journey.mjs BASE_URL');
const out = artifacts();

const ctx = await launch();
const consoleErrors = [];
let shot = 0;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'pl' });
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    consoleErrors.push(`${m.text()} (${m.location() ? m.location().url : '?'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const valid = async (name) => {
    const res = await ctx.request.get(page.url());
    const v = await validateHtml(await res.text(), name);
    ok(v.valid, `${name}: valid HTML`, v.msgs);
  };
  const snap = async (name) => {
    shot++;
    await page.screenshot({ path: join(out, `catalog-${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    ok(consoleErrors.length === 0, `${name}: no console errors (CSP)`, consoleErrors.join('\n'));
    consoleErrors.length = 0;
  };
  const go = async (locator) => {
    await Promise.all([page.waitForEvent('framenavigated'), locator.click()]);
    await page.waitForLoadState('load');
  };

  // 1. Log in.
  await page.goto(base + '/login');
  await page.getByLabel('Adres e-mail').fill(email);
  await page.getByLabel('Hasło', { exact: true }).fill(pw);
  await go(page.getByRole('button', { name: 'Zaloguj się' }));
  ok(!new URL(page.url()).pathname.startsWith('/login'), 'the dealer is logged in', page.url());

  // 2. The category tree, then the category.
  await page.goto(base + '/catalog');
  ok(/Katalog/.test(await page.locator('h1').textContent()), 'the catalogue opens');
  await valid('tree');
  await snap('tree');
  await go(page.locator(`a[href="/catalog/c/${cat}"]`).first());
  ok(new URL(page.url()).pathname === `/catalog/c/${cat}`, 'the category opens', page.url());
  ok(await page.locator('td.price-net').count() > 0, 'the list shows prices');
  await valid('category');
  await snap('category');

  // 3. Sorted by code: the product (the lowest code) comes first.
  await go(page.getByRole('link', { name: 'według kodu' }));
  ok(new URL(page.url()).searchParams.get('sort') === 'code', 'sorted by code', page.url());
  ok((await page.locator('strong[aria-current="true"]').textContent()).includes('według kodu'),
    'the sort in force is marked');
  const first = await page.locator('tbody tr').first().locator('a').getAttribute('href');
  ok(first === `/catalog/p/${prod}`, 'the product with the lowest code is first', first);
  const row = page.locator('tbody tr').first();
  ok((await row.locator('td.price-net').textContent()).includes('123,45'), 'the list row shows the dealer\'s own net price');
  await valid('category-by-code');
  await snap('category-by-code');

  // 3b. Filtered by one of the product's attributes: it stays first.
  await page.getByLabel(fname, { exact: true }).selectOption(fvalue);
  await go(page.getByRole('button', { name: 'Filtruj' }));
  const url = new URL(page.url());
  ok([...url.searchParams.values()].includes(fvalue) && url.searchParams.get('sort') === 'code',
    `filtered by ${fname} = ${fvalue}, still by code`, page.url());
  const nrows = await page.locator('tbody tr').count();
  ok(nrows === Math.min(Number(fn), 50), `the rows with that value (${fn} in the category)`, String(nrows));
  ok(await page.locator('tbody tr').first().locator('a').getAttribute('href') === `/catalog/p/${prod}`,
    'the product is still first');
  ok(await page.getByLabel(fname, { exact: true }).inputValue() === fvalue, 'the filter shows what was chosen');
  await valid('category-filtered');
  await snap('category-filtered');

  // 4. Search without diacritics.
  await page.goto(base + '/catalog');
  await page.getByRole('searchbox', { name: 'Szukaj w katalogu' }).fill('zolte dachowe');
  await go(page.getByRole('button', { name: 'Szukaj' }));
  ok(new URL(page.url()).pathname === '/catalog/search', 'the search answers', page.url());
  const hit = page.getByRole('link', { name: 'Okno dachowe żółte testowe' });
  ok(await hit.count() === 1, '"zolte dachowe" finds "Okno dachowe żółte testowe"');
  await valid('search');
  await snap('search');

  // 5. The product: the dealer's own price and stock.
  await go(hit);
  ok(new URL(page.url()).pathname === `/catalog/p/${prod}`, 'the product opens', page.url());
  const net = (await page.locator('dd.price-net').textContent()).trim();
  ok(net.includes('123,45') && net.includes('zł'), 'their individual price, 123,45 zł net', net);
  ok((await page.locator('dd.price-gross').textContent()).includes('151,84'), 'and gross with 23 % VAT',
    await page.locator('dd.price-gross').textContent());
  ok(!(await page.content()).includes('98,76'), 'never the other customer\'s price');
  const stock = (await page.locator('dd.stock').textContent()).trim();
  ok(stock.startsWith('7 szt'), 'the exact stock of their group\'s rule', stock);
  ok((await page.locator('dd.warehouse').textContent()).includes('7 szt'), 'in their default warehouse',
    await page.locator('dd.warehouse').textContent());
  await valid('product');
  await snap('product');
} finally {
  await ctx.close();
}
done();
