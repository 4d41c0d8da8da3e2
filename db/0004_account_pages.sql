-- 0004_account_pages.sql: what the account pages (cgi-src/account) keep
-- beyond the accounts schema (0003): the customer's own invoice data, and
-- indexes for the registration throttle and the CMS searches.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.

-- The data the customer wants on invoices and receipts (A7), kept by the
-- portal: the ERP's own name, tax id and addresses (customer,
-- customer_address) stay the ERP's and are shown read-only.  Staff carry
-- a change over to the ERP card.  inv_nip: a NIP (ten digits) or an EU VAT
-- number (country code + number), in the one spelling of nip_check().
-- Filled from the registration when staff approve it.
ALTER TABLE customer ADD COLUMN inv_name TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_nip TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_street TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_city TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_country TEXT NOT NULL DEFAULT 'PL';
ALTER TABLE customer ADD COLUMN inv_email TEXT NOT NULL DEFAULT '';
ALTER TABLE customer ADD COLUMN inv_phone TEXT NOT NULL DEFAULT '';

-- The registration form's throttle: recent registrations from one address.
CREATE INDEX registration_ip ON registration (ip, created_at);
-- Registrations of one e-mail address (the CMS shows earlier ones).
CREATE INDEX registration_email ON registration (contact_email);
