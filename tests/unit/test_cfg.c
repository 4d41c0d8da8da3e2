/*
 * test_cfg.c: unit tests of cfg.c (cmocka, TAP).
 *
 * Defaults, every type of key, every check of a value, and cfg_load on
 * files written to a private temporary directory: errors must name the file
 * and line, all of them reported, the first one in err.  The printed
 * defaults must load back as a valid file equal to the defaults.
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
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "log.h"

static char tmpdir[512];

static const char *
write_file(const char *name, const char *text)
{
	static char path[640];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Collects reported errors, one per line. */
struct errs {
	char	text[4096];
	int	n;
};

static void
collect(void *arg, const char *msg)
{
	struct errs *e = arg;

	e->n++;
	strncat(e->text, msg, sizeof(e->text) - strlen(e->text) - 2);
	strcat(e->text, "\n");
}

/* cfg_set that must succeed / fail with a message containing want. */
static void
set_ok(struct config *c, const char *k, const char *v)
{
	char err[256] = "";

	if (cfg_set(c, k, v, err, sizeof(err)) != 0)
		fail_msg("%s = %s: %s", k, v, err);
}

static void
set_bad(struct config *c, const char *k, const char *v, const char *want)
{
	char err[256] = "";

	if (cfg_set(c, k, v, err, sizeof(err)) != -1)
		fail_msg("%s = %s was accepted", k, v);
	if (strstr(err, want) == NULL)
		fail_msg("%s = %s: \"%s\" lacks \"%s\"", k, v, err, want);
}

static void
test_defaults(void **state)
{
	struct config c;

	cfg_defaults(&c);
	assert_string_equal(c.db_path, "framuga.db");
	assert_string_equal(c.data_dir, "data");
	assert_string_equal(c.template_dir, PKGDATADIR "/templates");
	assert_string_equal(c.template_override_dir, "");
	assert_string_equal(c.static_url, "/static");
	assert_string_equal(c.locale_dir, LOCALEDIR);
	assert_string_equal(c.tmp_dir, "/tmp");
	assert_string_equal(c.listen, "unix:framuga.sock");
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.max_requests, 10000);
	assert_int_equal(c.listen_backlog, 128);
	assert_int_equal(c.busy_timeout_ms, 5000);
	assert_int_equal(c.cache_kb, 8192);
	assert_int_equal(c.max_body_kb, 1024);
	assert_int_equal(c.max_upload_kb, 65536);
	assert_int_equal(c.max_fields, 256);
	assert_int_equal(c.max_files, 16);
	assert_int_equal(c.upload_mem_kb, 64);
	assert_int_equal(c.hsts_max_age, 0);
	assert_string_equal(c.public_origin, "");
	assert_string_equal(c.brand_name, "Framuga");
	assert_string_equal(c.brand_logo, "/static/img/logo.svg");
	assert_string_equal(c.brand_color, "#1f5f8b");
	assert_string_equal(c.brand_color_dark, "#163e5a");
	assert_string_equal(c.default_lang, "pl");
	assert_string_equal(c.languages, "pl en de");
	assert_int_equal(c.session_idle_min, 30);
	assert_int_equal(c.session_max_hours, 12);
	assert_string_equal(c.erp_url, "http://127.0.0.1:8090/soap");
	assert_string_equal(c.erp_user, "");
	assert_string_equal(c.erp_password, "");
	assert_string_equal(c.erp_ca_file, "");
	assert_int_equal(c.erp_timeout_s, 30);
	assert_string_equal(c.log_level, "info");
	assert_int_equal(c.test_routes, 0);
	cfg_free(&c);
	assert_null(c.db_path);
	assert_null(c.log_level);
}

static void
test_set_types(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_ok(&c, "db_path", "/var/lib/framuga/portal.db");
	assert_string_equal(c.db_path, "/var/lib/framuga/portal.db");
	set_ok(&c, "template_override_dir", "");
	assert_string_equal(c.template_override_dir, "");
	set_ok(&c, "workers", "8");
	assert_int_equal(c.workers, 8);
	set_ok(&c, "max_upload_kb", "16777216");		/* long */
	assert_int_equal(c.max_upload_kb, 16777216L);
	set_ok(&c, "test_routes", "yes");
	assert_int_equal(c.test_routes, 1);
	set_ok(&c, "test_routes", "off");
	assert_int_equal(c.test_routes, 0);
	set_ok(&c, "test_routes", "TRUE");
	assert_int_equal(c.test_routes, 1);
	set_bad(&c, "test_routes", "maybe", "test_routes: 'maybe' is not yes "
	    "or no");
	assert_int_equal(c.test_routes, 1);		/* kept */
	set_ok(&c, "erp_password", "p#ss word=1");
	assert_string_equal(c.erp_password, "p#ss word=1");
	cfg_free(&c);
}

static void
test_bad_numbers(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_bad(&c, "workers", "abc", "workers: 'abc' is not an integer");
	set_bad(&c, "workers", "4x", "is not an integer");
	set_bad(&c, "workers", "", "is not an integer");
	set_bad(&c, "workers", " 4", "is not an integer");
	set_bad(&c, "workers", "5000", "workers: 5000 is out of range "
	    "(0..256)");
	set_bad(&c, "workers", "-1", "out of range");
	set_bad(&c, "listen_backlog", "0", "out of range (1..65535)");
	set_bad(&c, "max_body_kb", "99999999999999999999999", "out of range");
	set_bad(&c, "erp_timeout_s", "0", "out of range");
	assert_int_equal(c.workers, 0);			/* untouched */
	set_ok(&c, "workers", "256");
	set_ok(&c, "hsts_max_age", "63072000");
	set_ok(&c, "max_requests", "0");
	cfg_free(&c);
}

static void
test_unknown_key(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_bad(&c, "worker", "3", "unknown key 'worker' (did you mean "
	    "'workers'?)");
	set_bad(&c, "brand_colour", "#000000", "did you mean 'brand_color'");
	set_bad(&c, "completely_different", "1",
	    "unknown key 'completely_different'");
	{
		char err[256];

		cfg_set(&c, "zzz", "1", err, sizeof(err));
		assert_null(strstr(err, "did you mean"));
	}
	cfg_free(&c);
}

static void
test_colors(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_ok(&c, "brand_color", "#A0b1C2");
	assert_string_equal(c.brand_color, "#A0b1C2");
	set_ok(&c, "brand_color_dark", "#000000");
	set_bad(&c, "brand_color", "red", "brand_color: 'red' is not a colour "
	    "#rrggbb");
	set_bad(&c, "brand_color", "#fff", "#rrggbb");
	set_bad(&c, "brand_color", "#12345g", "#rrggbb");
	set_bad(&c, "brand_color", "1f5f8b", "#rrggbb");
	set_bad(&c, "brand_color_dark", "#1f5f8b0", "#rrggbb");
	assert_string_equal(c.brand_color, "#A0b1C2");
	cfg_free(&c);
}

static void
test_languages(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_ok(&c, "languages", "en");
	set_ok(&c, "languages", "de  pl");
	set_ok(&c, "default_lang", "de");
	set_bad(&c, "languages", "pl fr", "'fr' is not one of pl, en, de");
	set_bad(&c, "languages", "pl en pl", "'pl' is listed twice");
	set_bad(&c, "languages", "", "at least one language");
	set_bad(&c, "languages", "plen", "not one of");
	set_bad(&c, "default_lang", "fr", "default_lang: 'fr' is not one of");
	set_bad(&c, "default_lang", "", "not one of");
	assert_string_equal(c.languages, "de  pl");
	cfg_free(&c);
}

static void
test_listen(void **state)
{
	static const char *const good[] = {
		"unix:framuga.sock", "unix:/run/framuga/fcgi.sock",
		"127.0.0.1:9000", "localhost:9000", "[::1]:9000",
		"app-1.internal:65535",
	};
	static const char *const bad[] = {
		"unix:", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:90x0", ":9000", "[::1]",
		"[::zz]:9000", "999.0.0.1:9000", "tcp://127.0.0.1:9000",
		"host name:80", "/run/framuga.sock",
	};
	struct config c;
	char longpath[200];
	size_t i;

	cfg_defaults(&c);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		set_ok(&c, "listen", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		set_bad(&c, "listen", bad[i], "listen: ");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath, "unix:/", 6);
	set_bad(&c, "listen", longpath, "longer than");
	assert_string_equal(c.listen, "app-1.internal:65535");
	cfg_free(&c);
}

static void
test_urls_and_level(void **state)
{
	struct config c;

	cfg_defaults(&c);
	set_ok(&c, "public_origin", "https://portal.example.com");
	set_ok(&c, "public_origin", "http://127.0.0.1:8080");
	set_ok(&c, "public_origin", "");
	set_bad(&c, "public_origin", "https://portal.example.com/",
	    "no trailing");
	set_bad(&c, "public_origin", "portal.example.com", "not an origin");
	set_bad(&c, "public_origin", "ftp://x", "not an origin");
	set_ok(&c, "erp_url", "https://erp.example.com:8443/ws/portal");
	set_bad(&c, "erp_url", "erp.example.com/soap", "not an http");
	set_bad(&c, "erp_url", "http:///soap", "not an http");
	set_ok(&c, "static_url", "https://cdn.example.com/framuga");
	set_ok(&c, "static_url", "/assets");
	set_bad(&c, "static_url", "assets", "not a path");
	set_bad(&c, "static_url", "//cdn.example.com", "not a path");
	set_bad(&c, "brand_logo", "logo.svg", "not a path");
	set_bad(&c, "db_path", "", "db_path: must not be empty");
	set_bad(&c, "brand_name", "", "must not be empty");
	set_ok(&c, "log_level", "debug");
	set_bad(&c, "log_level", "verbose", "'verbose' is not error, warn, "
	    "info or debug");
	cfg_free(&c);
}

static void
test_load_good_file(void **state)
{
	struct config c;
	char err[256] = "";
	const char *p;

	p = write_file("good.conf",
	    "\xef\xbb\xbf# a comment\n"
	    "\n"
	    "   # an indented comment\n"
	    "db_path = /srv/framuga/db.sqlite\n"
	    "workers=4\r\n"
	    "\tbrand_color\t=\t#aabbcc   \n"
	    "brand_name = Okna Kowalski & Syn\n"
	    "erp_password = se#cret = yes\n"
	    "template_override_dir =\n"
	    "languages = pl en\n"
	    "default_lang = en\n"
	    "test_routes = yes\n"
	    "max_upload_kb = 1024");		/* no newline at the end */
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, p, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.db_path, "/srv/framuga/db.sqlite");
	assert_int_equal(c.workers, 4);
	assert_string_equal(c.brand_color, "#aabbcc");
	assert_string_equal(c.brand_name, "Okna Kowalski & Syn");
	assert_string_equal(c.erp_password, "se#cret = yes");
	assert_string_equal(c.template_override_dir, "");
	assert_string_equal(c.languages, "pl en");
	assert_string_equal(c.default_lang, "en");
	assert_int_equal(c.test_routes, 1);
	assert_int_equal(c.max_upload_kb, 1024);
	assert_string_equal(c.log_level, "info");	/* default kept */
	cfg_free(&c);
}

static void
test_load_reports_every_error(void **state)
{
	struct config c;
	struct errs e;
	char err[256] = "", want[700];
	const char *p;

	p = write_file("bad.conf",
	    "# errors on lines 2, 3, 5, 6, 7 and 8\n"
	    "workers = many\n"
	    "this line has no equals sign\n"
	    "db_path = ok.db\n"
	    "wokers = 3\n"
	    "brand_color = blue\n"
	    "db_path = again.db\n"
	    " = value\n");
	memset(&e, 0, sizeof(e));
	cfg_defaults(&c);
	assert_int_equal(cfg_load_report(&c, p, err, sizeof(err), collect,
	    &e), -1);
	snprintf(want, sizeof(want), "%s:2: workers: 'many' is not an "
	    "integer", p);
	assert_string_equal(err, want);
	assert_int_equal(e.n, 6);
	snprintf(want, sizeof(want),
	    "%s:2: workers: 'many' is not an integer\n"
	    "%s:3: missing '=' (lines are \"key = value\")\n"
	    "%s:5: unknown key 'wokers' (did you mean 'workers'?)\n"
	    "%s:6: brand_color: 'blue' is not a colour #rrggbb\n"
	    "%s:7: db_path is already set on line 4\n"
	    "%s:8: no key before '='\n", p, p, p, p, p, p);
	assert_string_equal(e.text, want);
	/* the good lines were applied, the bad ones left the defaults */
	assert_string_equal(c.db_path, "ok.db");
	assert_int_equal(c.workers, 0);
	assert_string_equal(c.brand_color, "#1f5f8b");
	cfg_free(&c);
}

static void
test_load_logs_errors(void **state)
{
	struct config c;
	char err[256], logf[640], text[1024];
	const char *p;
	int fd, saved;
	FILE *f;
	size_t n;

	p = write_file("log.conf", "a = 1\nb = 2\n");
	snprintf(logf, sizeof(logf), "%s/stderr.txt", tmpdir);
	fflush(stderr);
	fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, p, err, sizeof(err)), -1);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(logf, "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "log.conf:1: unknown key 'a'"));
	assert_non_null(strstr(text, "log.conf:2: unknown key 'b'"));
	cfg_free(&c);
}

static void
test_load_missing_file(void **state)
{
	struct config c;
	struct errs e;
	char err[256] = "";

	memset(&e, 0, sizeof(e));
	cfg_defaults(&c);
	assert_int_equal(cfg_load_report(&c, "/nonexistent/framuga.conf",
	    err, sizeof(err), collect, &e), -1);
	assert_string_equal(err, "/nonexistent/framuga.conf: No such file "
	    "or directory");
	assert_int_equal(e.n, 1);
	cfg_free(&c);
}

static void
test_load_default_lang_in_languages(void **state)
{
	struct config c;
	struct errs e;
	char err[256] = "", want[700];
	const char *p;

	p = write_file("lang.conf", "default_lang = de\n# x\nlanguages = "
	    "pl en\n");
	memset(&e, 0, sizeof(e));
	cfg_defaults(&c);
	assert_int_equal(cfg_load_report(&c, p, err, sizeof(err), collect,
	    &e), -1);
	snprintf(want, sizeof(want), "%s:3: default_lang de is not one of "
	    "languages (pl en)", p);
	assert_string_equal(err, want);
	cfg_free(&c);

	/* either order of the two lines is fine when they agree */
	p = write_file("lang2.conf", "default_lang = en\nlanguages = de en\n");
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, p, err, sizeof(err)), 0);
	cfg_free(&c);
}

static void
test_workers(void **state)
{
	struct config c;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	cfg_defaults(&c);
	assert_int_equal(cfg_workers(&c), (int)(n > 0 ? n : 1) * 2);
	set_ok(&c, "workers", "3");
	assert_int_equal(cfg_workers(&c), 3);
	cfg_free(&c);
}

static void
test_print_defaults_round_trip(void **state)
{
	static const char *const keys[] = {
		"db_path", "data_dir", "template_dir", "template_override_dir",
		"static_url", "locale_dir", "tmp_dir", "listen", "workers",
		"max_requests", "listen_backlog", "busy_timeout_ms",
		"cache_kb", "result_cache_kb", "max_body_kb", "max_upload_kb", "max_fields",
		"max_files", "upload_mem_kb", "hsts_max_age", "public_origin",
		"brand_name", "brand_logo", "brand_color", "brand_color_dark",
		"default_lang", "languages", "session_idle_min",
		"session_max_hours", "argon2_memory_kib",
		"argon2_iterations", "argon2_lanes", "argon2_max_parallel",
		"argon2_wait_ms", "login_free_attempts",
		"login_ip_free_attempts", "login_max_delay_s",
		"reset_link_minutes", "totp_required_for_staff", "erp_url", "erp_user", "erp_password",
		"erp_ca_file", "erp_timeout_s", "log_level", "test_routes",
	};
	static const char *const sections[] = {
		"# [paths]", "# [pool]", "# [database]", "# [http]",
		"# [brand]", "# [languages]", "# [sessions]", "# [accounts]",
		"# [erp]",
		"# [log]", "# [testing]",
	};
	struct config c, d;
	char path[640], err[256] = "", line[512], *text;
	size_t i, n, cap = 65536;
	int fd, saved, found;
	FILE *f;

	snprintf(path, sizeof(path), "%s/defaults.conf", tmpdir);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	cfg_print_defaults();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	/* it loads without an error and gives the defaults */
	cfg_defaults(&c);
	cfg_defaults(&d);
	set_ok(&c, "workers", "7");
	set_ok(&c, "brand_color", "#000000");
	assert_int_equal(cfg_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.workers, d.workers);
	assert_string_equal(c.brand_color, d.brand_color);
	assert_string_equal(c.template_dir, d.template_dir);
	assert_int_equal(c.max_upload_kb, d.max_upload_kb);
	cfg_free(&c);
	cfg_free(&d);

	/* every key once, each after a comment line (its doc) */
	text = calloc(1, cap);
	f = fopen(path, "r");
	n = fread(text, 1, cap - 1, f);
	fclose(f);
	assert_true(n > 1000);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *at, *prev;

		snprintf(line, sizeof(line), "\n%s =", keys[i]);
		at = strstr(text, line);
		if (at == NULL)
			fail_msg("key %s not printed", keys[i]);
		assert_null(strstr(at + 1, line));
		/* the line before is a comment */
		prev = at - 1;
		while (prev > text && prev[-1] != '\n')
			prev--;
		assert_int_equal(*prev, '#');
	}
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		assert_non_null(strstr(text, sections[i]));
	/* no key lines other than those */
	found = 0;
	for (char *s = text; (s = strchr(s, '\n')) != NULL; s++)
		if (s[1] != '#' && s[1] != '\n' && s[1] != '\0')
			found++;
	assert_int_equal(found, (int)(sizeof(keys) / sizeof(keys[0])));
	free(text);
}

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_cfg.XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	log_init("test_cfg", "info");
	return 0;
}

static int
group_teardown(void **state)
{
	char p[1024];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
	closedir(d);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_types),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_urls_and_level),
		cmocka_unit_test(test_load_good_file),
		cmocka_unit_test(test_load_reports_every_error),
		cmocka_unit_test(test_load_logs_errors),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_default_lang_in_languages),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_print_defaults_round_trip),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
