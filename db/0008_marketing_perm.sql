-- 0008_marketing_perm.sql: marketing materials (B2) get a permission of
-- their own, marketing.view (PERM_MARKETING_VIEW in cgi-src/lib/perm.h),
-- which belongs to the 'marketing' module like orders.view belongs to
-- 'orders'.  Until now the pages asked only for a login and checked the
-- module themselves, so the menu showed "Materiały marketingowe" to a
-- customer without the module, who then got 403.  With the permission,
-- the session's effective set drops it when the customer lacks the module
-- (auth_session.c), and the menu, the dashboard and the routes all ask
-- for it.
--
-- Nobody loses what they could see: every customer user could open the
-- materials (module permitting), so every customer role gets the
-- permission, and so does a customer user who holds no role at all (only
-- direct grants).  Staff roles that hold customer permissions (admin, and
-- users, which impersonates viewers) get it too: impersonation needs the
-- staff member to hold every permission of the account looked through.
-- From now on it is granted like any other (roles, co-worker grants).
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.  The triggers
-- on role_perm and user_perm (0003) move perm_version, so live sessions
-- recompute their permissions at their next request.

INSERT OR IGNORE INTO role_perm (role_id, perm)
    SELECT id, 'marketing.view' FROM role WHERE scope = 'customer';

INSERT OR IGNORE INTO role_perm (role_id, perm)
    SELECT DISTINCT rp.role_id, 'marketing.view' FROM role_perm rp
    JOIN role r ON r.id = rp.role_id
    WHERE r.scope = 'staff' AND rp.perm IN ('orders.view', 'orders.place',
	'orders.approve', 'prices.view', 'invoices.view', 'complaints.file',
	'rfq.create', 'mail.use', 'tasks.use', 'users.manage');

INSERT OR IGNORE INTO user_perm (user_id, perm, granted_at)
    SELECT u.id, 'marketing.view', 0 FROM user u
    WHERE u.is_staff = 0
    AND NOT EXISTS (SELECT 1 FROM user_role ur WHERE ur.user_id = u.id);
