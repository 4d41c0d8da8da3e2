-- 0001_core.sql: the first schema: settings kept in the database, the
-- per-language string overrides, news, and the outgoing mail queue.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction, which also
-- sets PRAGMA user_version = 1; so this file holds no BEGIN or COMMIT.  A
-- released migration is never edited: change the schema in a new file.
-- Every timestamp is unix seconds, UTC.  Tables are STRICT (SQLite 3.37), so
-- a value of the wrong type is an error instead of being stored as it came.

-- Key/value settings the program keeps for itself (not the config file).
-- 'i18n_generation' counts changes to i18n_override; each worker compares
-- it once per request and reloads its overrides when it moved.
CREATE TABLE meta (
	key		TEXT NOT NULL PRIMARY KEY,
	value		TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('i18n_generation', '0');

-- A translation edited by staff in the CMS; wins over the gettext catalog.
CREATE TABLE i18n_override (
	lang		TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
	msgid		TEXT NOT NULL CHECK (msgid <> ''),
	msgstr		TEXT NOT NULL,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (lang, msgid)
) STRICT, WITHOUT ROWID;

-- Any change to the overrides bumps the generation.  An upsert, so that a
-- database whose meta row went missing heals itself.
CREATE TRIGGER i18n_override_ai AFTER INSERT ON i18n_override
BEGIN
	INSERT INTO meta (key, value) VALUES ('i18n_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER i18n_override_au AFTER UPDATE ON i18n_override
BEGIN
	INSERT INTO meta (key, value) VALUES ('i18n_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER i18n_override_ad AFTER DELETE ON i18n_override
BEGIN
	INSERT INTO meta (key, value) VALUES ('i18n_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

-- News items, one row per language version.  Listed newest first and paged
-- by keyset, never by OFFSET:
--   SELECT ... FROM news WHERE lang = ? AND (published_at, id) < (?, ?)
--   ORDER BY published_at DESC, id DESC LIMIT ?
-- which news_lang_published answers without a scan or a sort.
CREATE TABLE news (
	id		INTEGER PRIMARY KEY,
	slug		TEXT NOT NULL UNIQUE CHECK (slug <> ''),
	lang		TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
	title		TEXT NOT NULL,
	summary		TEXT NOT NULL DEFAULT '',
	body		TEXT NOT NULL DEFAULT '',
	published_at	INTEGER NOT NULL,
	created_at	INTEGER NOT NULL
) STRICT;

CREATE INDEX news_lang_published ON news (lang, published_at DESC, id DESC);

-- Outgoing mail.  A request never talks to the mail server: it inserts a
-- 'queued' row here and framuga-mail sends it later, then marks it 'sent'
-- (with sent_at) or, after its retries, 'failed' (with last_error).
-- body_html '' means a text-only message.
CREATE TABLE mail_outbox (
	id		INTEGER PRIMARY KEY,
	created_at	INTEGER NOT NULL,
	to_addr		TEXT NOT NULL CHECK (to_addr LIKE '%_@_%'),
	subject		TEXT NOT NULL,
	body_text	TEXT NOT NULL,
	body_html	TEXT NOT NULL DEFAULT '',
	status		TEXT NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error	TEXT,
	sent_at		INTEGER,
	CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) STRICT;

-- The sender's queue scan: only queued rows, oldest first.
CREATE INDEX mail_outbox_queued ON mail_outbox (created_at, id)
    WHERE status = 'queued';
