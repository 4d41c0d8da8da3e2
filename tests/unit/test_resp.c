/*
 * test_resp.c: the response builder (security headers on every response,
 * redirects that cannot leave the site, cookies, serialization) and the
 * i18n formatting of money, numbers and dates.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "cfg.h"
#include "i18n.h"
#include "req.h"

static struct arena *a;
static struct config cfg;

static int
setup(void **s)
{
	(void)s;
	a = arena_new(0);
	arena_current = a;
	memset(&cfg, 0, sizeof(cfg));
	setenv("TZ", "Europe/Warsaw", 1);
	return 0;
}

static int
teardown(void **s)
{
	(void)s;
	arena_free(a);
	return 0;
}

static void
req_init(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->cfg = &cfg;
	r->lang = "pl";
}

static const char *
out(struct req *r)
{
	static struct buf o;

	buf_reset(&o);
	resp_serialize(r, &o);
	return buf_cstr(&o);
}

static void
test_security_headers(void **s)
{
	struct req r;
	const char *o;
	char want[128];

	(void)s;
	req_init(&r);
	resp_open(&r, 200, NULL);
	resp_puts(&r, "<p>ok</p>");
	o = out(&r);
	assert_non_null(strstr(o, "Status: 200 OK\r\n"));
	assert_non_null(strstr(o, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(o, "X-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(o, "frame-ancestors 'none'"));
	assert_non_null(strstr(o, "Referrer-Policy: same-origin\r\n"));
	assert_non_null(strstr(o, "object-src 'none'"));
	assert_int_equal(strlen(r.resp.nonce), 24);
	snprintf(want, sizeof(want), "script-src 'self' 'nonce-%s'", r.resp.nonce);
	assert_non_null(strstr(o, want));
	assert_null(strstr(o, "Strict-Transport-Security"));
	assert_non_null(strstr(o, "Content-Length: 9\r\n\r\n<p>ok</p>"));
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_nonce_fresh_and_hsts(void **s)
{
	struct req r;
	char first[25];

	(void)s;
	req_init(&r);
	cfg.hsts_max_age = 31536000;
	resp_open(&r, 200, NULL);
	memcpy(first, r.resp.nonce, sizeof(first));
	resp_open(&r, 404, NULL);	/* reopening starts over */
	assert_string_not_equal(first, r.resp.nonce);
	assert_non_null(strstr(out(&r), "Strict-Transport-Security: max-age=31536000"));
	assert_null(strstr(r.resp.head.p + 1, "Status: 200"));
	cfg.hsts_max_age = 0;
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_redirects_stay_local(void **s)
{
	struct req r;

	(void)s;
	req_init(&r);
	resp_redirect(&r, 303, "/news?x=1");
	assert_non_null(strstr(out(&r), "Location: /news?x=1\r\n"));
	resp_redirect(&r, 303, "https://evil.example/");
	assert_non_null(strstr(out(&r), "Location: /\r\n"));
	resp_redirect(&r, 303, "//evil.example/");
	assert_non_null(strstr(out(&r), "Location: /\r\n"));
	resp_redirect(&r, 303, "/\\evil.example/");
	assert_non_null(strstr(out(&r), "Location: /\r\n"));
	resp_redirect(&r, 303, "/a\r\nSet-Cookie: x=1");
	assert_null(strstr(out(&r), "Set-Cookie"));
	assert_non_null(strstr(out(&r), "X-Content-Type-Options: nosniff"));
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_cookies_and_header_injection(void **s)
{
	struct req r;
	const char *o;

	(void)s;
	req_init(&r);
	resp_open(&r, 200, NULL);
	resp_cookie(&r, "sid", "abc", -1, COOKIE_HOST | COOKIE_HTTPONLY | COOKIE_LAX);
	resp_cookie(&r, "bad", "a;b", 10, 0);
	resp_header(&r, "X-Test", "a\r\nInjected: yes");
	o = out(&r);
	assert_non_null(strstr(o, "Set-Cookie: __Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax\r\n"));
	assert_null(strstr(o, "bad="));
	assert_null(strstr(o, "Injected"));
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_head_has_no_body(void **s)
{
	struct req r;
	const char *o;

	(void)s;
	req_init(&r);
	r.resp.head_only = 1;
	resp_open(&r, 200, NULL);
	resp_puts(&r, "hello");
	o = out(&r);
	assert_non_null(strstr(o, "Content-Length: 5\r\n\r\n"));
	assert_null(strstr(o, "hello"));
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_accel_download(void **s)
{
	struct req r;
	const char *o;

	(void)s;
	req_init(&r);
	resp_accel(&r, "/_accel/ab/cd", "Faktura FV 1/2026 \"kopia\".pdf", "application/pdf");
	o = out(&r);
	assert_non_null(strstr(o, "X-Accel-Redirect: /_accel/ab/cd\r\n"));
	assert_non_null(strstr(o, "filename=\"Faktura FV 1/2026 _kopia_.pdf\""));
	assert_non_null(strstr(o, "filename*=UTF-8''Faktura%20FV%201%2F2026%20%22kopia%22.pdf"));
	assert_non_null(strstr(o, "nosniff"));
	buf_free(&r.resp.head);
	buf_free(&r.resp.body);
}

static void
test_money_numbers_dates(void **s)
{
	(void)s;
	i18n_use("pl");
	assert_string_equal(i18n_money(a, 123456, "PLN"), "1\xc2\xa0" "234,56\xc2\xa0zł");
	assert_string_equal(i18n_money(a, -5, "PLN"), "-0,05\xc2\xa0zł");
	assert_string_equal(i18n_money(a, 100, "EUR"), "1,00\xc2\xa0€");
	assert_string_equal(i18n_number(a, 12345, 1), "1\xc2\xa0" "234,5");
	assert_string_equal(i18n_date(a, 1796032800), "30.11.2026");	/* 2026-11-30 10:00 UTC */
	assert_string_equal(i18n_datetime(a, 1796032800), "30.11.2026 11:00");
	i18n_use("en");
	assert_string_equal(i18n_money(a, 123456, "PLN"), "PLN\xc2\xa0" "1,234.56");
	assert_string_equal(i18n_money(a, 123456, "EUR"), "€1,234.56");
	assert_string_equal(i18n_money(a, -123456, "EUR"), "-€1,234.56");
	assert_string_equal(i18n_number(a, 1234567, 0), "1,234,567");
	assert_string_equal(i18n_date(a, 1796032800), "30 Nov 2026");
	i18n_use("de");
	assert_string_equal(i18n_money(a, 123456789, "EUR"), "1.234.567,89\xc2\xa0€");
	assert_string_equal(i18n_money(a, 123456, "PLN"), "1.234,56\xc2\xa0PLN");
	assert_string_equal(i18n_date(a, 1796032800), "30.11.2026");
	i18n_use("xx");		/* unknown: the default */
	assert_string_equal(i18n_current(), "pl");
}

static void
test_lang_pick(void **s)
{
	struct req r;
	struct kv q = { "lang", "de", 2 };
	struct kv c = { "lang", "en", 2 };

	(void)s;
	req_init(&r);
	assert_string_equal(i18n_pick(&r, NULL, "pl"), "pl");
	r.accept_language = "fr-FR, en;q=0.8, de;q=0.9";
	assert_string_equal(i18n_pick(&r, NULL, "pl"), "de");
	r.cookies = &c, r.cookien = 1;
	assert_string_equal(i18n_pick(&r, NULL, "pl"), "en");
	r.query = &q, r.queryn = 1;
	assert_string_equal(i18n_pick(&r, NULL, "pl"), "de");
	assert_string_equal(i18n_pick(&r, "pl", "pl"), "pl");	/* user setting wins */
	assert_string_equal(i18n_pick(&r, "xx", "pl"), "de");	/* unsupported ignored */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_nonce_fresh_and_hsts),
		cmocka_unit_test(test_redirects_stay_local),
		cmocka_unit_test(test_cookies_and_header_injection),
		cmocka_unit_test(test_head_has_no_body),
		cmocka_unit_test(test_accel_download),
		cmocka_unit_test(test_money_numbers_dates),
		cmocka_unit_test(test_lang_pick),
	};

	return cmocka_run_group_tests_name("resp+i18n", tests, setup, teardown);
}
