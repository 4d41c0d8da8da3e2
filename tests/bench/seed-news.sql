-- seed-news.sql: 100,000 news entries in Polish for the platform benchmark
-- (the /news page renders 50 of them through the layout by keyset).  Titles
-- and summaries carry characters that the template must escape.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO news (slug, lang, title, summary, body, published_at, created_at)
SELECT 'wpis-' || i, 'pl',
       'Okno RU ' || (600 + i % 700) || '×' || (800 + i % 1000) || ' <PVC70> & "ciepła ramka" nr ' || i,
       'Zmiana cennika: dopłata za okleinę ' || (i % 30) || '% — dotyczy zamówień od ' || (i % 28 + 1) || '.12',
       'Treść wpisu ' || i,
       strftime('%s','now') - 86400 - i * 60, strftime('%s','now')
FROM n;
