-- 0009_marketing_perm_held.sql: marketing.view is held, not granted.
--
-- 0008 gave marketing.view to every customer role (and to the staff roles
-- that impersonate).  But a customer's admin gives a role only whole, and
-- only when every permission in it is in their effective set, which
-- leaves out the permissions of modules the customer lacks
-- (cgi-src/account/users.c, tested in t_account.sh): with marketing.view
-- in every role, the admin of a customer without the marketing module
-- could give no role at all.  So the permission is now held by every
-- user of a customer that has the module, and by staff, without a grant
-- (cgi-src/auth/auth_session.c; cgi-src/lib/perm.h says why), and is no
-- longer a customer permission anyone can give.  The rows 0008 made go.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.  The triggers
-- on role_perm and user_perm (0003) move perm_version, so live sessions
-- recompute their permissions at their next request.

DELETE FROM role_perm WHERE perm = 'marketing.view';
DELETE FROM user_perm WHERE perm = 'marketing.view';
