-- 0002_erp.sql: what the portal keeps of OknoERP's data, and the machinery
-- of framuga-sync that keeps it in step (doc/sync.md).
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.
--
-- Conventions of this file:
--  * timestamps are unix seconds, UTC; 0 never means "now", NULL means
--    "none" (the ERP's empty date 01.01.0001 00:00:00 arrives as NULL);
--  * money is an integer in minor units of the row's currency (grosze for
--    PLN); exchange rates are fixed-point with 6 decimals (rate_e6);
--    quantities are thousandths of the unit (qty_milli); percentages and
--    VAT rates are basis points (2300 = 23 %);
--  * an ERP entity row has id INTEGER PRIMARY KEY (what the portal's own
--    tables refer to, stable across syncs) and erp_uuid, the ERP's key;
--  * erp_hash is a 64-bit hash of the record as the ERP last sent it (and
--    of the field-master settings); the sync skips a record whose hash did
--    not move, so an unchanged row is never rewritten;
--  * sync_run_id is the sync_run that last wrote the row and updated_at
--    when; a run that changes nothing leaves both alone;
--  * references into large tables (prices, stock) are integer ids with
--    foreign keys; references to small ERP lists that may arrive later or
--    out of order (a category's parent, a product's category, default
--    warehouses, related products) are the ERP's uuid, resolved by join;
--  * products and customers are never deleted by the sync (orders,
--    accounts and complaints refer to them): an ERP deletion sets
--    deleted_at (and the rows hang on for history); their prices and stock
--    are deleted.  The catalogue reads "deleted_at IS NULL".

------------------------------------------------------------------------
-- Reference lists: currencies, rates, warehouses
------------------------------------------------------------------------

-- Currencies and their current rate (contract 5, "currency").  name is the
-- name in the portal's default language.  minor_digits: the ISO 4217
-- exponent; rate_e6: PLN per 1 unit x 10^6 (PLN itself 1000000).
CREATE TABLE currency (
	code		TEXT NOT NULL PRIMARY KEY
			    CHECK (length(code) = 3 AND code = upper(code)),
	erp_uuid	TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL DEFAULT '',
	minor_digits	INTEGER NOT NULL DEFAULT 2 CHECK (minor_digits BETWEEN 0 AND 4),
	rate_e6		INTEGER NOT NULL CHECK (rate_e6 > 0),
	rate_date	INTEGER,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Every rate the sync has seen, for prices of the past (an order keeps
-- the rate it was priced at; this is the history).  The rate in force at t:
--   SELECT rate_e6 FROM exchange_rate WHERE currency = ? AND
--   valid_from <= ? ORDER BY valid_from DESC LIMIT 1
CREATE TABLE exchange_rate (
	currency	TEXT NOT NULL REFERENCES currency (code) ON DELETE CASCADE,
	valid_from	INTEGER NOT NULL,
	rate_e6		INTEGER NOT NULL CHECK (rate_e6 > 0),
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (currency, valid_from)
) STRICT, WITHOUT ROWID;

CREATE TABLE warehouse (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	code		TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',	-- default language
	city		TEXT NOT NULL DEFAULT '',
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

------------------------------------------------------------------------
-- Catalogue: categories and products
------------------------------------------------------------------------

-- A tree by parent_uuid ('' at the root).  Children of one node:
-- category_parent; the whole tree is small (hundreds of rows).
CREATE TABLE category (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	parent_uuid	TEXT NOT NULL DEFAULT '',
	code		TEXT NOT NULL DEFAULT '',
	sort		INTEGER NOT NULL DEFAULT 0,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX category_parent ON category (parent_uuid, sort);

CREATE TABLE category_text (
	category_id	INTEGER NOT NULL REFERENCES category (id) ON DELETE CASCADE,
	lang		TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
	name		TEXT NOT NULL,
	PRIMARY KEY (category_id, lang)
) STRICT, WITHOUT ROWID;

CREATE TABLE product (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	code		TEXT NOT NULL DEFAULT '',	-- catalogue number
	unit		TEXT NOT NULL DEFAULT 'szt',	-- szt, mb, m2, kpl
	vat_bp		INTEGER NOT NULL DEFAULT 2300 CHECK (vat_bp BETWEEN 0 AND 10000),
	category_uuid	TEXT NOT NULL DEFAULT '',
	-- C4: where an order line of this product is served from by default.
	default_warehouse_uuid TEXT NOT NULL DEFAULT '',
	-- D2: configurable products name their rule set family ('' if not).
	ruleset_code	TEXT NOT NULL DEFAULT '',
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	deleted_at	INTEGER,
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX product_code ON product (code);
CREATE INDEX product_category ON product (category_uuid, code)
    WHERE deleted_at IS NULL;

-- Names and descriptions per language.
CREATE TABLE product_text (
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	lang		TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (product_id, lang)
) STRICT, WITHOUT ROWID;

-- Features (C1): code is the attribute's key ("glass", "uw"), one row per
-- language in which the ERP names it or gives its value; sort keeps the
-- ERP's order.
CREATE TABLE product_attr (
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	code		TEXT NOT NULL,
	lang		TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',
	value		TEXT NOT NULL DEFAULT '',
	unit		TEXT NOT NULL DEFAULT '',
	sort		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (product_id, code, lang)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_attr_value ON product_attr (code, value);

-- Photos and files.  The ERP names a file by uuid and declares its size
-- and SHA-256; the 'files' operation fetches the content (GetFile) into
-- the file store under that hash (doc/sync.md) and sets stored = 1.
CREATE TABLE product_file (
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	erp_uuid	TEXT NOT NULL,
	kind		TEXT NOT NULL DEFAULT 'file' CHECK (kind IN ('photo', 'file')),
	name		TEXT NOT NULL DEFAULT '',
	mime		TEXT NOT NULL DEFAULT '',
	size		INTEGER NOT NULL DEFAULT 0,
	sha256		TEXT NOT NULL DEFAULT '',
	sort		INTEGER NOT NULL DEFAULT 0,
	stored		INTEGER NOT NULL DEFAULT 0 CHECK (stored IN (0, 1)),
	PRIMARY KEY (product_id, erp_uuid)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_file_missing ON product_file (product_id, erp_uuid)
    WHERE stored = 0;

-- Related products and substitutes [zamienniki], by the other product's
-- uuid (it may not have arrived yet).
CREATE TABLE product_relation (
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('related', 'substitute')),
	other_uuid	TEXT NOT NULL,
	sort		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (product_id, kind, other_uuid)
) STRICT, WITHOUT ROWID;

-- C3: a product is offered in the language versions listed here; a product
-- with no row is offered in none.
CREATE TABLE product_visibility (
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	lang		TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
	PRIMARY KEY (product_id, lang)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_visibility_lang ON product_visibility (lang, product_id);

-- I4: who owns each product field.  'erp': the sync writes it;
-- 'portal': staff edit it in the CMS (J2) and the sync never overwrites it
-- (a product the sync creates still gets the ERP's value once).  Changing a
-- row here changes every product's erp_hash seed, so the next full pull
-- (reconcile) rewrites what the ERP now owns.
CREATE TABLE field_master (
	field		TEXT NOT NULL PRIMARY KEY,
	master		TEXT NOT NULL DEFAULT 'erp' CHECK (master IN ('erp', 'portal')),
	description	TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

INSERT INTO field_master (field, master, description) VALUES
	('product.code', 'erp', 'catalogue number'),
	('product.unit', 'erp', 'unit of measure'),
	('product.vat', 'erp', 'VAT rate'),
	('product.category', 'erp', 'category'),
	('product.default_warehouse', 'erp', 'default warehouse'),
	('product.ruleset', 'erp', 'configurator rule set family'),
	('product.active', 'erp', 'offered or not'),
	('product.name', 'erp', 'name (every language)'),
	('product.description', 'erp', 'description (every language)'),
	('product.attributes', 'erp', 'features / attributes'),
	('product.files', 'erp', 'photos and files'),
	('product.relations', 'erp', 'related products and substitutes'),
	('product.visibility', 'erp', 'language versions offering it');

------------------------------------------------------------------------
-- Customers
------------------------------------------------------------------------

-- A customer card [kontrahent].  Portal accounts (issue 3) refer to id.
-- credit_*, overdue are minor units of the customer's currency.
CREATE TABLE customer (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	code		TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',
	nip		TEXT NOT NULL DEFAULT '',
	grp		TEXT NOT NULL DEFAULT '',	-- price group (A, B, C)
	-- lang: documents and mail; currency: prices and documents (F2, K1)
	lang		TEXT NOT NULL DEFAULT 'pl',
	currency	TEXT NOT NULL DEFAULT 'PLN',
	payment_days	INTEGER NOT NULL DEFAULT 0 CHECK (payment_days >= 0),
	discount_bp	INTEGER CHECK (discount_bp BETWEEN 0 AND 10000),
	credit_limit	INTEGER NOT NULL DEFAULT 0,
	credit_used	INTEGER NOT NULL DEFAULT 0,
	overdue		INTEGER NOT NULL DEFAULT 0,
	blocked		INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
	blocked_reason	TEXT NOT NULL DEFAULT '',
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	email		TEXT NOT NULL DEFAULT '',
	phone		TEXT NOT NULL DEFAULT '',
	default_warehouse_uuid TEXT NOT NULL DEFAULT '',
	deleted_at	INTEGER,
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX customer_code ON customer (code);
CREATE INDEX customer_nip ON customer (nip) WHERE nip <> '';

CREATE TABLE customer_contact (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
	erp_uuid	TEXT NOT NULL,
	name		TEXT NOT NULL DEFAULT '',
	role		TEXT NOT NULL DEFAULT '',
	email		TEXT NOT NULL DEFAULT '',
	phone		TEXT NOT NULL DEFAULT '',
	UNIQUE (customer_id, erp_uuid)
) STRICT;

CREATE INDEX customer_contact_email ON customer_contact (email) WHERE email <> '';

CREATE TABLE customer_address (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
	erp_uuid	TEXT NOT NULL,
	kind		TEXT NOT NULL DEFAULT 'delivery'
			    CHECK (kind IN ('main', 'invoice', 'delivery')),
	name		TEXT NOT NULL DEFAULT '',
	street		TEXT NOT NULL DEFAULT '',
	postcode	TEXT NOT NULL DEFAULT '',
	city		TEXT NOT NULL DEFAULT '',
	country		TEXT NOT NULL DEFAULT 'PL',
	is_default	INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
	UNIQUE (customer_id, erp_uuid)
) STRICT;

------------------------------------------------------------------------
-- Prices and stock
------------------------------------------------------------------------

-- One price of one product (C2, C3): kind 'catalogue' (grp '' and no
-- customer), 'group' (grp set) or 'individual' (customer_id set; the
-- contract's kind "customer"); per
-- currency and language version (lang '' = every version).  amount is net,
-- minor units, per unit of the product.  The most specific price wins,
-- each step one probe of price_lookup:
--   individual: WHERE product_id=? AND kind='individual' AND customer_id=?
--               AND currency=? AND lang IN (?, '') ORDER BY lang DESC LIMIT 1
--   group:      WHERE product_id=? AND kind='group' AND customer_id IS NULL
--               AND grp=? AND currency=? AND lang IN (?, '') ...
--   catalogue:  WHERE product_id=? AND kind='catalogue' AND customer_id IS NULL
--               AND grp='' AND currency=? AND lang IN (?, '') ...
-- Rows are keyed by the ERP's uuid of the price line (erp_uuid); the
-- lookup index is not UNIQUE on purpose (the ERP promises one row per key,
-- contract 5.3; should it ever send two, both are kept and a lookup takes
-- one, rather than the sync failing a row over the ERP's data).
CREATE TABLE price (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	kind		TEXT NOT NULL
			    CHECK (kind IN ('catalogue', 'group', 'individual')),
	customer_id	INTEGER REFERENCES customer (id) ON DELETE CASCADE,
	grp		TEXT NOT NULL DEFAULT '',
	currency	TEXT NOT NULL,
	lang		TEXT NOT NULL DEFAULT '',
	amount		INTEGER NOT NULL CHECK (amount >= 0),
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL,
	CHECK ((kind = 'individual') = (customer_id IS NOT NULL)),
	CHECK ((kind = 'group') = (grp <> ''))
) STRICT;

CREATE INDEX price_lookup ON price (product_id, kind, customer_id, grp,
    currency, lang);
-- A customer's individual price list (and the foreign key's cascade).
CREATE INDEX price_customer ON price (customer_id, product_id)
    WHERE customer_id IS NOT NULL;

-- Stock per warehouse (C4), in thousandths of the product's unit.  The
-- ERP keys a stock row by its own uuid (a delete carries only that).
-- What a customer sees of it is the catalogue's business (C4 rules).
CREATE TABLE stock (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	product_id	INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
	warehouse_id	INTEGER NOT NULL REFERENCES warehouse (id) ON DELETE CASCADE,
	qty_milli	INTEGER NOT NULL,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX stock_product ON stock (product_id, warehouse_id);
CREATE INDEX stock_warehouse ON stock (warehouse_id, product_id);

------------------------------------------------------------------------
-- Configurator rule sets (D2)
------------------------------------------------------------------------

-- A versioned bundle: the configurator uses, for a product family (code),
-- the highest version whose valid_from <= now.
CREATE TABLE ruleset (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	code		TEXT NOT NULL DEFAULT '',	-- family, e.g. PVC_WINDOW
	version		INTEGER NOT NULL,
	valid_from	INTEGER,
	name		TEXT NOT NULL DEFAULT '',	-- default language
	currency	TEXT NOT NULL DEFAULT 'PLN',	-- of the grids
	-- The contract's <bundle> element as canonical XML (elements of
	-- urn:oknoerp:portal:1 by local name, that namespace the default on
	-- the root, white space between elements dropped).
	bundle		TEXT NOT NULL,
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX ruleset_code ON ruleset (code, valid_from, version);

------------------------------------------------------------------------
-- Orders and invoices as the ERP sees them
------------------------------------------------------------------------

-- The ERP's view of an order the portal pushed (E5, E7).  external_ref is
-- the portal's order number (order_outbox.order_no).  revision counts the
-- operator's corrections the ERP reported; corrected_at is when the sync
-- last saw the lines change after the first version (NULL: never
-- corrected); the ordering pages compare it with the customer's
-- confirmation.
CREATE TABLE erp_order (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	external_ref	TEXT NOT NULL DEFAULT '',
	number		TEXT NOT NULL DEFAULT '',
	customer_uuid	TEXT NOT NULL DEFAULT '',
	status		TEXT NOT NULL DEFAULT '',
	status_at	INTEGER,
	created_at	INTEGER,
	currency	TEXT NOT NULL DEFAULT 'PLN',
	net		INTEGER NOT NULL DEFAULT 0,
	notes		TEXT NOT NULL DEFAULT '',
	-- delivery address as the ERP holds it
	delivery_uuid	TEXT NOT NULL DEFAULT '',
	delivery_name	TEXT NOT NULL DEFAULT '',
	delivery_street	TEXT NOT NULL DEFAULT '',
	delivery_postcode TEXT NOT NULL DEFAULT '',
	delivery_city	TEXT NOT NULL DEFAULT '',
	delivery_country TEXT NOT NULL DEFAULT '',
	revision	INTEGER NOT NULL DEFAULT 0,
	corrected_at	INTEGER,
	correction_note	TEXT NOT NULL DEFAULT '',
	release_wz	TEXT NOT NULL DEFAULT '',	-- warehouse release document
	released_at	INTEGER,
	carrier		TEXT NOT NULL DEFAULT '',
	waybill		TEXT NOT NULL DEFAULT '',
	shipped_at	INTEGER,
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX erp_order_ref ON erp_order (external_ref);
CREATE INDEX erp_order_customer ON erp_order (customer_uuid, id);

CREATE TABLE erp_order_line (
	order_id	INTEGER NOT NULL REFERENCES erp_order (id) ON DELETE CASCADE,
	line_no		INTEGER NOT NULL,
	product_uuid	TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',
	qty_milli	INTEGER NOT NULL,
	unit_net	INTEGER NOT NULL DEFAULT 0,
	net		INTEGER NOT NULL DEFAULT 0,
	-- a configured window: the contract's <configuration>, canonical XML
	configuration	TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;

-- An invoice (E6).  The PDF and the KSeF FA XML live in the file store
-- under their SHA-256 (doc/sync.md); pdf_sha256 / xml_sha256 are NULL
-- until fetched (and again after the ERP changes the invoice).
CREATE TABLE invoice (
	id		INTEGER PRIMARY KEY,
	erp_uuid	TEXT NOT NULL UNIQUE,
	number		TEXT NOT NULL DEFAULT '',
	customer_uuid	TEXT NOT NULL DEFAULT '',
	order_uuid	TEXT NOT NULL DEFAULT '',
	issued_at	INTEGER,
	sale_date	INTEGER,
	due_at		INTEGER,
	currency	TEXT NOT NULL DEFAULT 'PLN',
	net		INTEGER NOT NULL DEFAULT 0,
	vat		INTEGER NOT NULL DEFAULT 0,
	gross		INTEGER NOT NULL DEFAULT 0,
	paid		INTEGER NOT NULL DEFAULT 0,
	ksef_number	TEXT NOT NULL DEFAULT '',
	pdf_sha256	TEXT,
	pdf_size	INTEGER,
	xml_sha256	TEXT,
	xml_size	INTEGER,
	docs_fetched_at	INTEGER,
	erp_hash	INTEGER NOT NULL DEFAULT 0,
	sync_run_id	INTEGER,
	updated_at	INTEGER NOT NULL
) STRICT;

CREATE TABLE invoice_line (
	invoice_id	INTEGER NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
	line_no		INTEGER NOT NULL,
	product_uuid	TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',
	qty_milli	INTEGER NOT NULL,
	unit_net	INTEGER NOT NULL DEFAULT 0,
	net		INTEGER NOT NULL DEFAULT 0,
	vat_bp		INTEGER NOT NULL DEFAULT 0,
	vat		INTEGER NOT NULL DEFAULT 0,
	gross		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (invoice_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE INDEX invoice_customer ON invoice (customer_uuid, issued_at);
CREATE INDEX invoice_order ON invoice (order_uuid) WHERE order_uuid <> '';
CREATE INDEX invoice_docs_missing ON invoice (id)
    WHERE pdf_sha256 IS NULL OR xml_sha256 IS NULL;

------------------------------------------------------------------------
-- Sync machinery
------------------------------------------------------------------------

-- One row per operation (I3, J5).  Due when enabled and next_run_at <= now,
-- or when run_once_at <= now (even if disabled; cleared by that run).
-- lock_owner "pid@host#random" holds the operation until lock_until; a
-- crashed run's lock simply expires.  backlog: what is left to do as last
-- seen (ERP change queue length, or queued outbox rows).
CREATE TABLE sync_operation (
	name		TEXT NOT NULL PRIMARY KEY,
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	interval_s	INTEGER NOT NULL CHECK (interval_s BETWEEN 1 AND 3599999),
	next_run_at	INTEGER NOT NULL DEFAULT 0,
	run_once_at	INTEGER,
	lock_owner	TEXT,
	lock_until	INTEGER,
	last_run_id	INTEGER,
	last_full_at	INTEGER,	-- last complete full pull (NULL: never)
	backlog		INTEGER NOT NULL DEFAULT 0,
	failures	INTEGER NOT NULL DEFAULT 0,	-- consecutive failed runs
	sort		INTEGER NOT NULL DEFAULT 0,
	CHECK ((lock_owner IS NULL) = (lock_until IS NULL))
) STRICT, WITHOUT ROWID;

-- Default intervals: what changes often and matters at once (stock,
-- customers' credit and blocks, orders' status, pushes) runs every few
-- minutes; reference data hourly or daily.  sort is the run order of a
-- --due pass: what others refer to first (contract 5).
INSERT INTO sync_operation (name, interval_s, sort) VALUES
	('rates',          3600,  10),
	('warehouses',     86400, 20),
	('categories',     3600,  30),
	('products',       900,   40),
	('customers',      300,   50),
	('prices',         900,   60),
	('stock',          300,   70),
	('rulesets',       3600,  80),
	('order_push',     60,    90),
	('orders',         120,   100),
	('invoices',       900,   110),
	('files',          3600,  120),
	('reconcile',      86400, 130);

-- Every run of every operation.  status 'running' while it runs (a run
-- found 'running' behind an expired lock is closed as 'failed').
CREATE TABLE sync_run (
	id		INTEGER PRIMARY KEY,
	operation	TEXT NOT NULL,
	started_at	INTEGER NOT NULL,
	finished_at	INTEGER,
	duration_ms	INTEGER,
	status		TEXT NOT NULL DEFAULT 'running'
			    CHECK (status IN ('running', 'ok', 'partial', 'failed')),
	mode		TEXT NOT NULL DEFAULT '',	-- full, changes, push, ...
	fetched		INTEGER NOT NULL DEFAULT 0,
	upserted	INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0,
	failed		INTEGER NOT NULL DEFAULT 0,
	acked		INTEGER NOT NULL DEFAULT 0,
	error		TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sync_run_operation ON sync_run (operation, id);

-- A record the sync could not apply, kept for a retry.  payload is the
-- record as the ERP sent it (the client's own serialisation); each run of
-- the operation retries the open ones first.  A later good copy of the
-- same record resolves it.
CREATE TABLE sync_failure (
	id		INTEGER PRIMARY KEY,
	operation	TEXT NOT NULL,
	entity		TEXT NOT NULL,
	uuid		TEXT NOT NULL,
	reason		TEXT NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 1,
	first_at	INTEGER NOT NULL,
	last_at		INTEGER NOT NULL,
	payload		TEXT,
	next_retry_at	INTEGER NOT NULL DEFAULT 0,
	resolved	INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
	resolved_at	INTEGER,
	run_id		INTEGER
) STRICT;

CREATE UNIQUE INDEX sync_failure_open ON sync_failure (entity, uuid)
    WHERE resolved = 0;
CREATE INDEX sync_failure_operation ON sync_failure (operation, resolved, id);

-- Orders waiting to go to the ERP (E7, I2).  order_no is the portal's
-- order number, fixed when the order is created: it travels as the ERP
-- order's external reference and is the idempotency key.  payload: the
-- order as JSON (doc/sync.md).  state: queued -> sending -> sent, or
-- failed (rejected by the ERP; re-queued on demand).  lookup_first: the
-- last attempt's outcome is unknown, so the next one asks the ERP
-- (FindOrderByRef) before sending again.  lease_until: a 'sending' row
-- whose pusher died is taken up again after it.
CREATE TABLE order_outbox (
	order_no	TEXT NOT NULL PRIMARY KEY CHECK (order_no <> ''),
	created_at	INTEGER NOT NULL,
	payload		TEXT NOT NULL,
	state		TEXT NOT NULL DEFAULT 'queued'
			    CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL DEFAULT 0,
	lease_until	INTEGER,
	lookup_first	INTEGER NOT NULL DEFAULT 0 CHECK (lookup_first IN (0, 1)),
	erp_uuid	TEXT,
	erp_number	TEXT,
	last_error	TEXT NOT NULL DEFAULT '',
	sent_at		INTEGER,
	updated_at	INTEGER NOT NULL,
	CHECK ((state = 'sent') = (erp_uuid IS NOT NULL))
) STRICT, WITHOUT ROWID;

CREATE INDEX order_outbox_due ON order_outbox (next_attempt_at)
    WHERE state IN ('queued', 'sending');
