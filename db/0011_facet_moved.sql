-- 0011_facet_moved.sql: a product that moves to another category takes
-- its attribute values out of the old category's filters.
--
-- framuga-sync regroups catalog_facet after a products run for the
-- categories of the products it wrote (cgi-src/sync/facets.c).  A product
-- that moved is in its new category by then, so the old one kept the
-- product's values and counts until the next reconcile: a filter could
-- offer a value no product of the category has.  The trigger notes the
-- category a product leaves; the next regrouping includes it and empties
-- the list in the same transaction.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.

CREATE TABLE catalog_facet_stale (
	category_uuid	TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER product_facet_moved AFTER UPDATE OF category_uuid ON product
    WHEN old.category_uuid IS NOT new.category_uuid
BEGIN
	INSERT INTO catalog_facet_stale (category_uuid)
	    VALUES (old.category_uuid) ON CONFLICT DO NOTHING;
END;
