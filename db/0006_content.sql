-- 0006_content.sql: content staff publish (issue 5: B1-B3): marketing
-- materials per customer group and language, what each user has seen of
-- them (the dashboard's "new since your last visit"), and the setting of
-- whether the catalogue is public without prices.
--
-- A marketing item is a file (kept in data_dir/marketing/ by the SHA-256
-- of its content, never in the web root; nginx sends it through
-- X-Accel-Redirect after the app checked that the item is the customer's)
-- or a short page (title, body).  grp '' and lang '' mean "every group" and
-- "every language".  Unpublished items keep their row (unpublished_at set).
-- The customer's list:
--   SELECT ... FROM marketing_item WHERE unpublished_at IS NULL
--   AND published_at <= ? AND grp IN (?, '') AND lang IN (?, '')
--   AND (published_at, id) < (?, ?) ORDER BY published_at DESC, id DESC
-- reads marketing_item_pub in order (few items match per step).
CREATE TABLE marketing_item (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('file', 'page')),
	title		TEXT NOT NULL CHECK (title <> ''),
	body		TEXT NOT NULL DEFAULT '',
	grp		TEXT NOT NULL DEFAULT '' CHECK (grp IN ('', 'A', 'B', 'C')),
	lang		TEXT NOT NULL DEFAULT '' CHECK (lang IN ('', 'pl', 'en', 'de')),
	file_sha256	TEXT,
	file_name	TEXT,
	file_type	TEXT,
	file_size	INTEGER,
	published_at	INTEGER NOT NULL,
	unpublished_at	INTEGER,
	created_by	INTEGER REFERENCES user (id) ON DELETE SET NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CHECK ((kind = 'file') = (file_sha256 IS NOT NULL))
) STRICT;

CREATE INDEX marketing_item_pub ON marketing_item (published_at DESC, id DESC);

-- When a user last opened /portal/marketing.
CREATE TABLE marketing_seen (
	user_id		INTEGER PRIMARY KEY REFERENCES user (id) ON DELETE CASCADE,
	seen_at		INTEGER NOT NULL
) STRICT;

-- 'catalog_public': '1' the catalogue is public without prices, '0' it is
-- closed to anonymous visitors (edited at /cms/news/settings).
INSERT INTO meta (key, value) VALUES ('catalog_public', '0');
