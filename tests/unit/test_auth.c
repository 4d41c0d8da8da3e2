/*
 * test_auth.c: unit tests of the accounts core (cgi-src/auth; cmocka, TAP).
 *
 * The pure parts against published vectors (TOTP RFC 6238, HOTP RFC 4226,
 * SHA-256, base32 RFC 4648); password rules and the common list; argon2id
 * hashes checked by libargon2's own verifier, the re-hash decision, the
 * cap on concurrent hashes (a slot held through another descriptor makes a
 * hash wait and give up); the throttle's delays; who may grant what; and,
 * on a real migrated database in a private temporary directory, effective
 * permissions (roles + grants, limited to the customer's modules), the
 * perm_version triggers, and who may manage whom.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <argon2.h>
#include <cmocka.h>

#include "../../cgi-src/auth/auth.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "perm.h"

static char tmpdir[512];
static struct config cfg;

/* ---- tokens, base32, TOTP ---- */

static void
test_token_hash(void **state)
{
	char h[65], t1[65], t2[65];

	auth_token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	auth_token_new(t1);
	auth_token_new(t2);
	assert_int_equal(strlen(t1), 64);
	assert_int_equal(strspn(t1, "0123456789abcdef"), 64);
	assert_string_not_equal(t1, t2);
}

static void
test_base32(void **state)
{
	unsigned char out[32];
	char s[33];
	int n;

	n = auth_base32_decode("MZXW6YTBOI======", out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	n = auth_base32_decode("mzxw 6ytb oi", out, sizeof(out));
	assert_int_equal(n, 6);
	assert_int_equal(auth_base32_decode("MZ1W", out, sizeof(out)), -1);
	auth_totp_new_secret(s);
	assert_int_equal(strlen(s), 32);
	assert_int_equal(auth_base32_decode(s, out, sizeof(out)), 20);
}

static void
test_hotp_rfc4226(void **state)
{
	static const int want[10] = { 755224, 287082, 359152, 969429, 338314,
	    254676, 287922, 162583, 399871, 520489 };
	const unsigned char *key = (const unsigned char *)"12345678901234567890";

	for (int i = 0; i < 10; i++)
		assert_int_equal(auth_hotp(key, 20, (uint64_t)i), want[i]);
}

static void
test_totp_rfc6238(void **state)
{
	/* RFC 6238 appendix B, SHA-1: the last six of the eight digits. */
	static const struct { int64_t t; const char *code; } v[] = {
		{ 59, "287082" }, { 1111111109, "081804" },
		{ 1111111111, "050471" }, { 1234567890, "005924" },
		{ 2000000000, "279037" }, { 20000000000LL, "353130" },
	};
	/* base32 of "12345678901234567890" */
	const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
	int64_t step;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		step = 0;
		assert_true(auth_totp_verify(secret, v[i].code, v[i].t, 0,
		    &step));
		assert_int_equal(step, v[i].t / 30);
	}
	/* one step either side is accepted, two are not */
	assert_true(auth_totp_verify(secret, "287082", 59 + 30, 0, &step));
	assert_true(auth_totp_verify(secret, "081804", 1111111109 - 30, 0,
	    &step));
	assert_false(auth_totp_verify(secret, "081804", 1111111109 + 61, 0,
	    &step));
	/* a code is not accepted twice (replay) */
	assert_false(auth_totp_verify(secret, "050471", 1111111111,
	    1111111111 / 30, &step));
	/* junk */
	assert_false(auth_totp_verify(secret, "05047", 1111111111, 0, &step));
	assert_false(auth_totp_verify(secret, "abcdef", 1111111111, 0, &step));
	assert_false(auth_totp_verify("!!", "050471", 1111111111, 0, &step));
}

static void
test_totp_uri(void **state)
{
	struct arena *a = arena_new(0);
	const char *u = auth_totp_uri(a, "Okna Kowalski", "jan@example.pl",
	    "GEZDGNBV");

	assert_string_equal(u, "otpauth://totp/Okna%20Kowalski:jan@example.pl"
	    "?secret=GEZDGNBV&issuer=Okna%20Kowalski&algorithm=SHA1&digits=6"
	    "&period=30");
	arena_free(a);
}

/* ---- passwords ---- */

static void
test_password_rules(void **state)
{
	char long_pw[200];

	assert_int_equal(auth_password_check("krótkie12"), AUTH_PW_SHORT);
	assert_int_equal(auth_password_check("okno-drzwi-parapet"),
	    AUTH_PW_FINE);
	/* characters, not bytes: 10 Polish letters are 15 bytes */
	assert_int_equal(auth_password_check("zażółćgęśl"), AUTH_PW_FINE);
	assert_int_equal(auth_password_check("zażółćgęś"), AUTH_PW_SHORT);
	memset(long_pw, 'x', 128);
	long_pw[128] = '\0';
	long_pw[0] = 'Q', long_pw[5] = '7';
	assert_int_equal(auth_password_check(long_pw), AUTH_PW_FINE);
	long_pw[128] = 'y', long_pw[129] = '\0';
	assert_int_equal(auth_password_check(long_pw), AUTH_PW_LONG);
	/* the common list, in any case; no composition rules */
	assert_int_equal(auth_password_check("Password123"), AUTH_PW_COMMON);
	assert_int_equal(auth_password_check("QWERTYUIOP"), AUTH_PW_COMMON);
	assert_int_equal(auth_password_check("zaq12wsx2024"), AUTH_PW_COMMON);
	assert_int_equal(auth_password_check("1234567890"), AUTH_PW_COMMON);
	assert_int_equal(auth_password_check("kochanie1990!"), AUTH_PW_COMMON);
	assert_int_equal(auth_password_check("alllowercaseletters"),
	    AUTH_PW_FINE);
	assert_true(auth_password_is_common("iloveyou2023"));
	assert_false(auth_password_is_common("correct horse battery"));
	/* control characters and broken UTF-8 */
	assert_int_equal(auth_password_check("abc\tdefghijkl"),
	    AUTH_PW_BAD_TEXT);
	assert_int_equal(auth_password_check("abc\xc3(defghijkl"),
	    AUTH_PW_BAD_TEXT);
	assert_string_not_equal(auth_password_problem_text(AUTH_PW_COMMON), "");
}

static void
test_argon2_hash_verify(void **state)
{
	char h[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
	const char *pw = "okno-drzwi-parapet";

	assert_int_equal(auth_password_hash(&cfg, pw, h, sizeof(h)), AUTH_OK);
	assert_true(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	/* libargon2's own verifier agrees with our PHC encoding */
	assert_int_equal(argon2id_verify(h, pw, strlen(pw)), ARGON2_OK);
	assert_int_equal(auth_password_verify(&cfg, h, pw), AUTH_OK);
	assert_int_equal(auth_password_verify(&cfg, h, "okno-drzwi-parapeT"),
	    AUTH_MISMATCH);
	assert_int_equal(auth_password_verify(&cfg, "", pw), AUTH_MISMATCH);
	assert_int_equal(auth_password_verify(&cfg, "$argon2id$v=19$junk", pw),
	    AUTH_MISMATCH);
	/* two hashes of one password differ (salt) */
	assert_int_equal(auth_password_hash(&cfg, pw, h2, sizeof(h2)), AUTH_OK);
	assert_string_not_equal(h, h2);
	/* a hash made by libargon2 with other parameters verifies, and is
	 * due for a re-hash */
	{
		char lib[256];
		const unsigned char salt[16] = "0123456789abcdef";

		assert_int_equal(argon2id_hash_encoded(1, 4096, 1, pw,
		    strlen(pw), salt, sizeof(salt), 32, lib, sizeof(lib)),
		    ARGON2_OK);
		assert_int_equal(auth_password_verify(&cfg, lib, pw), AUTH_OK);
		assert_true(auth_password_needs_rehash(&cfg, lib));
	}
	/* raising a parameter makes the stored hash due */
	assert_false(auth_password_needs_rehash(&cfg, h));
	cfg.argon2_iterations = 3;
	assert_true(auth_password_needs_rehash(&cfg, h));
	assert_int_equal(auth_password_verify(&cfg, h, pw), AUTH_OK);
	cfg.argon2_iterations = 2;
	/* absurd parameters in a stored string are refused, not run */
	assert_int_equal(auth_password_verify(&cfg, "$argon2id$v=19$m=99999999,"
	    "t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
	    "ODlhYmNkZWY", pw), AUTH_MISMATCH);
}

static void
test_argon2_slot_cap(void **state)
{
	char h[AUTH_HASH_MAX], path[700];
	int fd;

	cfg.argon2_max_parallel = 1;
	cfg.argon2_wait_ms = 100;
	/* take the only slot through another open file description */
	assert_int_equal(auth_password_hash(&cfg, "okno-drzwi-parapet", h,
	    sizeof(h)), AUTH_OK);
	snprintf(path, sizeof(path), "%s/auth-slots/slot.0", tmpdir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(auth_password_hash(&cfg, "okno-drzwi-parapet", h,
	    sizeof(h)), AUTH_BUSY);
	assert_true(auth_hash_last_wait_ms() >= 100);
	assert_int_equal(auth_password_verify(&cfg, h, "x"), AUTH_BUSY);
	flock(fd, LOCK_UN);
	close(fd);
	assert_int_equal(auth_password_hash(&cfg, "okno-drzwi-parapet", h,
	    sizeof(h)), AUTH_OK);
	cfg.argon2_max_parallel = 2;
	cfg.argon2_wait_ms = 2000;
}

/* ---- throttling ---- */

static void
test_throttle_delay(void **state)
{
	for (int i = 0; i <= 5; i++)
		assert_int_equal(auth_throttle_delay(i, 5, 60), 0);
	assert_int_equal(auth_throttle_delay(6, 5, 60), 1);
	assert_int_equal(auth_throttle_delay(7, 5, 60), 2);
	assert_int_equal(auth_throttle_delay(8, 5, 60), 4);
	assert_int_equal(auth_throttle_delay(11, 5, 60), 32);
	assert_int_equal(auth_throttle_delay(12, 5, 60), 60);
	assert_int_equal(auth_throttle_delay(100000, 5, 60), 60);
	assert_int_equal(auth_throttle_delay(1, 0, 3), 1);
	assert_int_equal(auth_throttle_delay(-4, 0, 3), 0);
}

/* ---- granting ---- */

static void
test_can_grant(void **state)
{
	struct session admin, buyer, staff_users, staff_admin;
	uint64_t place = AUTH_BIT(PERM_ORDERS_PLACE);

	memset(&admin, 0, sizeof(admin));
	admin.customer_id = 7;
	admin.perms = auth_customer_perms & ~AUTH_BIT(PERM_INVOICES_VIEW);
	buyer = admin;
	buyer.perms = AUTH_BIT(PERM_ORDERS_VIEW) | place;
	memset(&staff_users, 0, sizeof(staff_users));
	staff_users.is_staff = 1;
	staff_users.perms = AUTH_BIT(PERM_CMS) | AUTH_BIT(PERM_CMS_USERS);
	staff_admin = staff_users;
	staff_admin.perms = auth_customer_perms | auth_staff_perms;

	/* a customer admin grants what they hold, to customer users only */
	assert_true(auth_can_grant(&admin, place, 0));
	assert_true(auth_can_grant(&admin, AUTH_BIT(PERM_USERS_MANAGE), 0));
	assert_false(auth_can_grant(&admin, AUTH_BIT(PERM_INVOICES_VIEW), 0));
	assert_false(auth_can_grant(&admin, AUTH_BIT(PERM_CMS), 0));
	assert_false(auth_can_grant(&admin, place, 1));
	assert_false(auth_can_grant(&admin, AUTH_BIT(PERM_LOGIN), 0));
	/* without users.manage nothing */
	assert_false(auth_can_grant(&buyer, place, 0));
	/* staff with cms.users: customer permissions, not staff ones */
	assert_true(auth_can_grant(&staff_users, auth_customer_perms, 0));
	assert_false(auth_can_grant(&staff_users, AUTH_BIT(PERM_CMS_USERS), 1));
	assert_false(auth_can_grant(&staff_users, AUTH_BIT(PERM_CMS), 0));
	/* staff to staff: needs cms.staff and only what one holds */
	assert_true(auth_can_grant(&staff_admin, AUTH_BIT(PERM_CMS_SYNC), 1));
	staff_admin.perms &= ~AUTH_BIT(PERM_CMS_AUDIT);
	assert_false(auth_can_grant(&staff_admin, AUTH_BIT(PERM_CMS_AUDIT), 1));
	/* nobody grants while impersonating */
	admin.impersonator_user_id = 3;
	assert_false(auth_can_grant(&admin, place, 0));
}

/* ---- on a database ---- */

static struct db *
fresh_db(const char *name)
{
	char path[700], err[256];
	struct db *db;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	db = db_open(path, DB_CREATE | DB_NOCHECK, 2000, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	return db;
}

static int64_t
one_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_prepare_once(db, sql);
	int64_t v = -1;

	assert_non_null(st);
	if (db_step(db, st) == SQLITE_ROW)
		v = db_col_int(st, 0);
	db_done(db, st);
	return v;
}

static void
test_perms_from_roles_grants_modules(void **state)
{
	struct db *db = fresh_db("perms.db");
	struct auth_new_user nu;
	int64_t admin, buyer, staff, other, v1, v2;
	uint64_t p;
	struct session s;

	assert_int_equal(db_exec(db, "INSERT INTO customer (erp_uuid, name,"
	    " updated_at) VALUES ('c-1', 'Okna Nowak', 0), ('c-2', 'Drzwi"
	    " Kowalski', 0)"), SQLITE_OK);
	/* every new customer starts with every module */
	assert_int_equal(one_int(db, "SELECT count(*) FROM customer_module"
	    " WHERE customer_id = 1"), 8);

	memset(&nu, 0, sizeof(nu));
	nu.customer_id = 1, nu.email = "admin@nowak.pl", nu.name = "Anna";
	nu.role = "customer_admin";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, &admin), AUTH_OK);
	nu.email = "ADMIN@nowak.pl";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, NULL),
	    AUTH_EXISTS);
	nu.email = "kupiec@nowak.pl", nu.name = "Kuba", nu.role = "buyer";
	nu.password = "okno-drzwi-parapet";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, &buyer),
	    AUTH_OK);
	nu.password = "password123";
	nu.email = "x@nowak.pl";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, NULL),
	    AUTH_INVALID);
	nu.password = NULL;
	nu.role = "admin";	/* a staff role for a customer user */
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, NULL),
	    AUTH_INVALID);
	nu.customer_id = 2, nu.email = "szef@kowalski.pl";
	nu.role = "customer_admin";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, &other),
	    AUTH_OK);
	memset(&nu, 0, sizeof(nu));
	nu.email = "obsluga@framuga.pl", nu.name = "Ola", nu.role = "users";
	assert_int_equal(auth_user_create(db, NULL, &cfg, &nu, &staff),
	    AUTH_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'user.create'"), 4);

	assert_int_equal(auth_user_perms(db, admin, &p), 0);
	/* marketing.view: every customer user, module permitting */
	assert_true(p == (auth_customer_perms | AUTH_BIT(PERM_MARKETING_VIEW)));
	assert_int_equal(auth_user_perms(db, buyer, &p), 0);
	assert_true(p == (AUTH_BIT(PERM_ORDERS_VIEW) |
	    AUTH_BIT(PERM_ORDERS_PLACE) | AUTH_BIT(PERM_PRICES_VIEW) |
	    AUTH_BIT(PERM_MARKETING_VIEW)));
	/* staff: cms.* of the role, the CMS shell, customer bits too */
	assert_int_equal(auth_user_perms(db, staff, &p), 0);
	assert_true(p & AUTH_BIT(PERM_CMS_USERS));
	assert_true(p & AUTH_BIT(PERM_CMS_IMPERSONATE));
	assert_false(p & AUTH_BIT(PERM_CMS_STAFF));

	/* a direct grant adds; a module switched off removes; each moves
	 * perm_version */
	v1 = one_int(db, "SELECT perm_version FROM user WHERE id = 2");
	assert_int_equal(db_exec(db, "INSERT INTO user_perm (user_id, perm)"
	    " VALUES (2, 'invoices.view'), (2, 'cms.sync')"), SQLITE_OK);
	v2 = one_int(db, "SELECT perm_version FROM user WHERE id = 2");
	assert_true(v2 > v1);
	assert_int_equal(auth_user_perms(db, buyer, &p), 0);
	assert_true(p & AUTH_BIT(PERM_INVOICES_VIEW));
	assert_false(p & AUTH_BIT(PERM_CMS_SYNC));	/* not for customers */
	assert_int_equal(db_exec(db, "DELETE FROM customer_module"
	    " WHERE customer_id = 1 AND module = 'orders'"), SQLITE_OK);
	assert_true(one_int(db, "SELECT perm_version FROM user WHERE id = 2")
	    > v2);
	assert_int_equal(auth_user_perms(db, buyer, &p), 0);
	assert_false(p & AUTH_BIT(PERM_ORDERS_VIEW));
	assert_false(p & AUTH_BIT(PERM_ORDERS_PLACE));
	assert_true(p & AUTH_BIT(PERM_PRICES_VIEW));
	v1 = one_int(db, "SELECT perm_version FROM user WHERE id = 1");
	assert_int_equal(db_exec(db, "INSERT INTO role_perm (role_id, perm)"
	    " SELECT id, 'tasks.use' FROM role WHERE name = 'buyer'"),
	    SQLITE_OK);
	assert_int_equal(one_int(db, "SELECT perm_version FROM user"
	    " WHERE id = 1"), v1);	/* admin is no buyer */
	assert_true(one_int(db, "SELECT perm_version FROM user WHERE id = 2")
	    > v2 + 1);

	/* who may manage whom */
	memset(&s, 0, sizeof(s));
	s.user_id = admin, s.customer_id = 1;
	assert_int_equal(auth_user_perms(db, admin, &s.perms), 0);
	assert_int_equal(auth_can_manage_user(db, &s, buyer), 1);
	assert_int_equal(auth_can_manage_user(db, &s, admin), 0);  /* self */
	assert_int_equal(auth_can_manage_user(db, &s, other), 0);  /* other customer */
	assert_int_equal(auth_can_manage_user(db, &s, staff), 0);
	assert_int_equal(auth_can_manage_user(db, &s, 999), 0);
	s.perms &= ~AUTH_BIT(PERM_USERS_MANAGE);
	assert_int_equal(auth_can_manage_user(db, &s, buyer), 0);
	memset(&s, 0, sizeof(s));
	s.user_id = staff, s.is_staff = 1;
	assert_int_equal(auth_user_perms(db, staff, &s.perms), 0);
	assert_int_equal(auth_can_manage_user(db, &s, other), 1);
	assert_int_equal(auth_can_manage_user(db, &s, staff), 0);

	/* disabling revokes every session */
	assert_int_equal(db_exec(db, "INSERT INTO session (token_hash,"
	    " user_id, created_at, last_seen_at, expires_at, csrf) VALUES"
	    " (printf('%064d', 1), 2, 0, 0, 9999999999, 'x'),"
	    " (printf('%064d', 2), 2, 0, 0, 9999999999, 'y')"), SQLITE_OK);
	assert_int_equal(auth_user_set_disabled(db, NULL, buyer, 1), AUTH_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM session"
	    " WHERE user_id = 2 AND revoked_at IS NULL"), 0);
	assert_int_equal(one_int(db, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'user.disable' AND target_id = 2"), 1);
	/* a reset link is not sent to a disabled user */
	assert_int_equal(auth_send_password_link(db, &cfg, buyer,
	    "http://x", 0), -1);
	assert_int_equal(auth_send_password_link(db, &cfg, admin,
	    "http://portal.example", 1), 0);
	assert_int_equal(one_int(db, "SELECT count(*) FROM mail_outbox"
	    " WHERE to_addr = 'admin@nowak.pl' AND body_text LIKE"
	    " '%http://portal.example/password/reset/%'"), 1);
	assert_int_equal(one_int(db, "SELECT expires_at - created_at FROM"
	    " password_reset WHERE user_id = 1"), 3600);
	db_close(db);
}

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");
	char err[256];

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_auth.XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	log_init("test_auth", "error");
	cfg_defaults(&cfg);
	if (cfg_set(&cfg, "data_dir", tmpdir, err, sizeof(err)) != 0)
		return -1;
	return 0;
}

static void
rm_tree(const char *dir)
{
	DIR *d;
	struct dirent *de;
	char p[1024];
	struct stat sb;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int
group_teardown(void **state)
{
	cfg_free(&cfg);
	rm_tree(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_hotp_rfc4226),
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test(test_totp_uri),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_argon2_hash_verify),
		cmocka_unit_test(test_argon2_slot_cap),
		cmocka_unit_test(test_throttle_delay),
		cmocka_unit_test(test_can_grant),
		cmocka_unit_test(test_perms_from_roles_grants_modules),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
