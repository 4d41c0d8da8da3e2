-- 0003_accounts.sql: who may do what (issue 3: A1-A7, J4): the portal's
-- side of a customer, its branches and delivery addresses, users (the
-- customers' and the staff's), roles and grants, the modules each customer
-- has, sessions, login throttling, password reset links, registrations and
-- the audit log.  cgi-src/auth/auth.h explains how they are used.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.  Timestamps are
-- unix seconds, UTC.  Tables are STRICT.

------------------------------------------------------------------------
-- Customers: the ERP's card (0002) plus what only the portal knows
------------------------------------------------------------------------

-- The sync writes customer with an upsert that names its own columns, so
-- these are never touched by it.  portal_status: a customer made from a
-- registration starts 'pending' until staff approve it; 'disabled' ends
-- every login of its users (session_load checks it).  invoice_kind: what
-- the customer wants for a sale [faktura / paragon] (A7).  A customer made
-- in the portal before it has an ERP card gets erp_uuid 'portal:' || a
-- random hex, replaced when staff link the card.
ALTER TABLE customer ADD COLUMN portal_status TEXT NOT NULL DEFAULT 'active'
    CHECK (portal_status IN ('pending', 'active', 'rejected', 'disabled'));
ALTER TABLE customer ADD COLUMN invoice_kind TEXT NOT NULL DEFAULT 'invoice'
    CHECK (invoice_kind IN ('invoice', 'receipt'));
ALTER TABLE customer ADD COLUMN registered_at INTEGER;
ALTER TABLE customer ADD COLUMN portal_note TEXT NOT NULL DEFAULT '';

-- Branches [oddziały] of a customer (A4), with their address.
CREATE TABLE branch (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
	name		TEXT NOT NULL CHECK (name <> ''),
	street		TEXT NOT NULL DEFAULT '',
	postcode	TEXT NOT NULL DEFAULT '',
	city		TEXT NOT NULL DEFAULT '',
	country		TEXT NOT NULL DEFAULT 'PL',
	phone		TEXT NOT NULL DEFAULT '',
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	UNIQUE (customer_id, id)
) STRICT;

CREATE INDEX branch_customer ON branch (customer_id, name);

-- Delivery addresses [adresy dostaw] the customer keeps in the portal
-- (A4, A7); branch_id NULL: for the whole company.  (The ERP's own
-- addresses are customer_address, 0002.)
CREATE TABLE delivery_address (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
	branch_id	INTEGER,
	label		TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL DEFAULT '',
	street		TEXT NOT NULL CHECK (street <> ''),
	postcode	TEXT NOT NULL DEFAULT '',
	city		TEXT NOT NULL CHECK (city <> ''),
	country		TEXT NOT NULL DEFAULT 'PL',
	phone		TEXT NOT NULL DEFAULT '',
	contact		TEXT NOT NULL DEFAULT '',
	is_default	INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	-- a branch of the same customer only
	FOREIGN KEY (customer_id, branch_id) REFERENCES branch (customer_id, id)
	    ON DELETE CASCADE
) STRICT;

CREATE INDEX delivery_address_customer ON delivery_address (customer_id,
    branch_id);

------------------------------------------------------------------------
-- Users, roles, grants, modules
------------------------------------------------------------------------

-- A person who logs in.  customer_id NULL: staff.  branch_id NULL: the
-- whole company.  password_hash: a PHC argon2id string, '' when none was
-- set yet (the user sets it by a link).  totp_secret: base32; it may be
-- set while totp_enabled = 0 during enrolment.  totp_last_step: the last
-- accepted TOTP step, so a code is never accepted twice.  perm_version
-- moves (triggers below) whenever the user's effective permissions may
-- have changed; sessions cache the permissions with the version.
CREATE TABLE user (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER REFERENCES customer (id),
	branch_id	INTEGER,
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE
			    CHECK (email LIKE '%_@_%' AND length(email) <= 254),
	name		TEXT NOT NULL DEFAULT '',
	phone		TEXT NOT NULL DEFAULT '',
	lang		TEXT NOT NULL DEFAULT 'pl' CHECK (length(lang) BETWEEN 2 AND 8),
	password_hash	TEXT NOT NULL DEFAULT '',
	is_staff	INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	disabled_at	INTEGER,
	totp_secret	TEXT,
	totp_enabled	INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
	totp_last_step	INTEGER NOT NULL DEFAULT 0,
	perm_version	INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	created_by	INTEGER,
	updated_at	INTEGER NOT NULL,
	last_login_at	INTEGER,
	password_changed_at INTEGER,
	CHECK (is_staff = (customer_id IS NULL)),
	CHECK (totp_enabled = 0 OR totp_secret IS NOT NULL),
	FOREIGN KEY (customer_id, branch_id) REFERENCES branch (customer_id, id)
) STRICT;

-- The CMS lists users of a customer, and staff, by name (keyset on
-- (name, id)).
CREATE INDEX user_customer ON user (customer_id, name, id);
CREATE INDEX user_staff ON user (name, id) WHERE is_staff = 1;

-- A named bundle of permissions.  scope 'customer': customer permissions
-- only; 'staff': cms.* (and customer permissions, which tell whom a staff
-- member may impersonate).  builtin rows come with the program and are
-- not deleted in the CMS.
CREATE TABLE role (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (name <> ''),
	scope		TEXT NOT NULL CHECK (scope IN ('customer', 'staff')),
	builtin		INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
	description	TEXT NOT NULL DEFAULT ''
) STRICT;

-- perm: a name from cgi-src/lib/perm.c ("orders.view").
CREATE TABLE role_perm (
	role_id		INTEGER NOT NULL REFERENCES role (id) ON DELETE CASCADE,
	perm		TEXT NOT NULL CHECK (perm <> ''),
	PRIMARY KEY (role_id, perm)
) STRICT, WITHOUT ROWID;

CREATE TABLE user_role (
	user_id		INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
	role_id		INTEGER NOT NULL REFERENCES role (id) ON DELETE CASCADE,
	granted_by	INTEGER,
	granted_at	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, role_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX user_role_role ON user_role (role_id, user_id);

-- A permission given to one user directly, on top of their roles.
CREATE TABLE user_perm (
	user_id		INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
	perm		TEXT NOT NULL CHECK (perm <> ''),
	granted_by	INTEGER,
	granted_at	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, perm)
) STRICT, WITHOUT ROWID;

-- The modules of the portal (B1).  A customer permission belongs to one
-- (perm_module() in cgi-src/lib/perm.c).
CREATE TABLE portal_module (
	name		TEXT NOT NULL PRIMARY KEY,
	sort		INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

INSERT INTO portal_module (name, sort) VALUES
	('orders', 10), ('catalogue', 20), ('invoices', 30),
	('complaints', 40), ('rfq', 50), ('mail', 60), ('tasks', 70),
	('marketing', 80);

-- The modules a customer has; a customer permission of a module the
-- customer lacks is not effective.  Every customer starts with every
-- module (trigger below); staff switch them off in the CMS.
CREATE TABLE customer_module (
	customer_id	INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
	module		TEXT NOT NULL REFERENCES portal_module (name),
	PRIMARY KEY (customer_id, module)
) STRICT, WITHOUT ROWID;

INSERT INTO customer_module (customer_id, module)
    SELECT c.id, m.name FROM customer c, portal_module m;

CREATE TRIGGER customer_modules_default AFTER INSERT ON customer
BEGIN
	INSERT INTO customer_module (customer_id, module)
	    SELECT NEW.id, name FROM portal_module;
END;

-- perm_version moves whenever something that makes up a user's effective
-- permissions changes, so no caller can forget to invalidate sessions.
CREATE TRIGGER user_role_ai AFTER INSERT ON user_role
BEGIN
	UPDATE user SET perm_version = perm_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_role_ad AFTER DELETE ON user_role
BEGIN
	UPDATE user SET perm_version = perm_version + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER user_perm_ai AFTER INSERT ON user_perm
BEGIN
	UPDATE user SET perm_version = perm_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_perm_ad AFTER DELETE ON user_perm
BEGIN
	UPDATE user SET perm_version = perm_version + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER role_perm_ai AFTER INSERT ON role_perm
BEGIN
	UPDATE user SET perm_version = perm_version + 1
	    WHERE id IN (SELECT user_id FROM user_role WHERE role_id = NEW.role_id);
END;
CREATE TRIGGER role_perm_ad AFTER DELETE ON role_perm
BEGIN
	UPDATE user SET perm_version = perm_version + 1
	    WHERE id IN (SELECT user_id FROM user_role WHERE role_id = OLD.role_id);
END;
CREATE TRIGGER customer_module_ai AFTER INSERT ON customer_module
BEGIN
	UPDATE user SET perm_version = perm_version + 1
	    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER customer_module_ad AFTER DELETE ON customer_module
BEGIN
	UPDATE user SET perm_version = perm_version + 1
	    WHERE customer_id = OLD.customer_id;
END;
CREATE TRIGGER user_scope_au AFTER UPDATE OF customer_id, branch_id,
    is_staff ON user
BEGIN
	UPDATE user SET perm_version = perm_version + 1 WHERE id = NEW.id;
END;

-- Built-in roles.  Customer: the customer's own admin (everything,
-- including managing co-workers), a buyer, a viewer, an accountant.
-- Staff: admin (everything), and roles scoped to one part of the CMS.
INSERT INTO role (name, scope, builtin, description) VALUES
	('customer_admin', 'customer', 1, 'all customer permissions, co-workers included'),
	('buyer', 'customer', 1, 'views and places orders, sees prices'),
	('viewer', 'customer', 1, 'views orders'),
	('accountant', 'customer', 1, 'views invoices'),
	('admin', 'staff', 1, 'everything'),
	('complaints', 'staff', 1, 'complaints only'),
	('sync', 'staff', 1, 'ERP synchronisation only'),
	('content', 'staff', 1, 'content and translations'),
	('users', 'staff', 1, 'customers, users, registrations, audit; impersonates viewers');

INSERT INTO role_perm (role_id, perm)
    SELECT r.id, p.perm FROM role r, (
	SELECT 'orders.view' AS perm UNION ALL SELECT 'orders.place'
	UNION ALL SELECT 'orders.approve' UNION ALL SELECT 'prices.view'
	UNION ALL SELECT 'invoices.view' UNION ALL SELECT 'complaints.file'
	UNION ALL SELECT 'rfq.create' UNION ALL SELECT 'mail.use'
	UNION ALL SELECT 'tasks.use' UNION ALL SELECT 'users.manage') p
    WHERE r.name IN ('customer_admin', 'admin');
INSERT INTO role_perm (role_id, perm)
    SELECT r.id, p.perm FROM role r, (
	SELECT 'cms' AS perm UNION ALL SELECT 'cms.sync'
	UNION ALL SELECT 'cms.users' UNION ALL SELECT 'cms.content'
	UNION ALL SELECT 'cms.translations' UNION ALL SELECT 'cms.complaints'
	UNION ALL SELECT 'cms.orders' UNION ALL SELECT 'cms.staff'
	UNION ALL SELECT 'cms.audit' UNION ALL SELECT 'cms.impersonate') p
    WHERE r.name = 'admin';
INSERT INTO role_perm (role_id, perm)
    SELECT r.id, p.perm FROM role r, (
	SELECT 'buyer' AS role, 'orders.view' AS perm
	UNION ALL SELECT 'buyer', 'orders.place'
	UNION ALL SELECT 'buyer', 'prices.view'
	UNION ALL SELECT 'viewer', 'orders.view'
	UNION ALL SELECT 'accountant', 'invoices.view'
	UNION ALL SELECT 'complaints', 'cms'
	UNION ALL SELECT 'complaints', 'cms.complaints'
	UNION ALL SELECT 'sync', 'cms'
	UNION ALL SELECT 'sync', 'cms.sync'
	UNION ALL SELECT 'content', 'cms'
	UNION ALL SELECT 'content', 'cms.content'
	UNION ALL SELECT 'content', 'cms.translations'
	UNION ALL SELECT 'users', 'cms'
	UNION ALL SELECT 'users', 'cms.users'
	UNION ALL SELECT 'users', 'cms.audit'
	UNION ALL SELECT 'users', 'cms.impersonate'
	UNION ALL SELECT 'users', 'orders.view'
	UNION ALL SELECT 'users', 'invoices.view') p
    WHERE r.name = p.role;

------------------------------------------------------------------------
-- Sessions, throttling, reset links
------------------------------------------------------------------------

-- A login.  token_hash: hex SHA-256 of the cookie's token (the token
-- itself is never stored).  perms: the effective permissions as a bitmask
-- of enum perm, valid while perm_version equals the user's.  csrf: the
-- session's form token.  impersonator_user_id: the staff member looking
-- through this account.  A session is live while revoked_at IS NULL,
-- expires_at > now and last_seen_at > now - idle timeout.
CREATE TABLE session (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	user_id		INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	last_seen_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	perms		INTEGER NOT NULL DEFAULT 0,
	perm_version	INTEGER NOT NULL DEFAULT 0,
	csrf		TEXT NOT NULL,
	ip		TEXT NOT NULL DEFAULT '',
	user_agent	TEXT NOT NULL DEFAULT '',
	impersonator_user_id INTEGER REFERENCES user (id) ON DELETE CASCADE,
	revoked_at	INTEGER
) STRICT;

-- A user's live sessions (the sessions page, revocation).
CREATE INDEX session_user ON session (user_id, revoked_at);
CREATE INDEX session_expires ON session (expires_at);

-- Every login attempt, for throttling per account (email, whether or not
-- it exists) and per source address; rows older than a day are deleted.
CREATE TABLE login_attempt (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	email		TEXT NOT NULL COLLATE NOCASE,
	ip		TEXT NOT NULL,
	ok		INTEGER NOT NULL CHECK (ok IN (0, 1))
) STRICT;

CREATE INDEX login_attempt_email ON login_attempt (email, at);
CREATE INDEX login_attempt_ip ON login_attempt (ip, at);
CREATE INDEX login_attempt_at ON login_attempt (at);

-- A password reset (or first password) link: single use (used_at), valid
-- until expires_at.  token_hash: hex SHA-256 of the token in the link.
CREATE TABLE password_reset (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	user_id		INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used_at		INTEGER
) STRICT;

CREATE INDEX password_reset_user ON password_reset (user_id, created_at);

------------------------------------------------------------------------
-- Registration (A5)
------------------------------------------------------------------------

-- A request for a B2B account from the public form.  Staff approve it
-- (linking an ERP customer card, customer_id, and/or a contact person,
-- contact_id) or reject it; decided_by / decided_at say who and when.
CREATE TABLE registration (
	id		INTEGER PRIMARY KEY,
	created_at	INTEGER NOT NULL,
	company		TEXT NOT NULL CHECK (company <> ''),
	nip		TEXT NOT NULL DEFAULT '',
	street		TEXT NOT NULL DEFAULT '',
	postcode	TEXT NOT NULL DEFAULT '',
	city		TEXT NOT NULL DEFAULT '',
	country		TEXT NOT NULL DEFAULT 'PL',
	delivery_street	TEXT NOT NULL DEFAULT '',
	delivery_postcode TEXT NOT NULL DEFAULT '',
	delivery_city	TEXT NOT NULL DEFAULT '',
	contact_name	TEXT NOT NULL CHECK (contact_name <> ''),
	contact_email	TEXT NOT NULL CHECK (contact_email LIKE '%_@_%'),
	contact_phone	TEXT NOT NULL DEFAULT '',
	lang		TEXT NOT NULL DEFAULT 'pl',
	invoice_kind	TEXT NOT NULL DEFAULT 'invoice'
			    CHECK (invoice_kind IN ('invoice', 'receipt')),
	message		TEXT NOT NULL DEFAULT '',
	ip		TEXT NOT NULL DEFAULT '',
	status		TEXT NOT NULL DEFAULT 'pending'
			    CHECK (status IN ('pending', 'approved', 'rejected')),
	customer_id	INTEGER REFERENCES customer (id),
	contact_id	INTEGER REFERENCES customer_contact (id),
	user_id		INTEGER REFERENCES user (id),
	decided_by	INTEGER REFERENCES user (id),
	decided_at	INTEGER,
	decision_note	TEXT NOT NULL DEFAULT '',
	CHECK ((status = 'pending') = (decided_at IS NULL))
) STRICT;

CREATE INDEX registration_status ON registration (status, id);
CREATE INDEX registration_nip ON registration (nip) WHERE nip <> '';

------------------------------------------------------------------------
-- Audit log
------------------------------------------------------------------------

-- Security events: who (actor_user_id; impersonator_user_id when a staff
-- member acted through another account), what (action, on target_type /
-- target_id; customer_id of the target, for the per-customer filter), when
-- (at, UTC), from where (ip), detail (free text, never a secret).  Rows
-- are only inserted.  The CMS list is keyset-paged by id, newest first,
-- optionally filtered by one of: action, actor, target, customer; each
-- filter has its index ending in id.
CREATE TABLE audit_log (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor_user_id	INTEGER,
	impersonator_user_id INTEGER,
	action		TEXT NOT NULL CHECK (action <> ''),
	target_type	TEXT NOT NULL DEFAULT '',
	target_id	INTEGER NOT NULL DEFAULT 0,
	customer_id	INTEGER,
	ip		TEXT NOT NULL DEFAULT '',
	detail		TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
CREATE INDEX audit_log_customer ON audit_log (customer_id, id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX audit_log_at ON audit_log (at, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log rows are never changed');
END;
