/*
 * test_sync.c: unit tests of framuga-sync's pure parts (cmocka, TAP):
 * hh:mm:ss intervals, 1C dates, fixed point and the contract's currency
 * conversion, the scheduler's decisions, and the ERP client's record
 * decoder and canonical payloads (erp_decode, no network).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "arena.h"
#include "erp.h"
#include "schedule.h"

/* ---- hh:mm:ss ---- */

static void
test_hms_parse_good(void **s)
{
	static const struct {
		const char *in;
		int64_t want;
	} v[] = {
		{ "00:00:01", 1 },
		{ "00:15:00", 900 },
		{ "1:00:00", 3600 },
		{ "01:00:00", 3600 },
		{ "24:00:00", 86400 },
		{ "168:00:00", 604800 },
		{ "00:59:59", 3599 },
		{ "999:59:59", SCHED_INTERVAL_MAX },
	};
	int64_t got;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(sched_hms_parse(v[i].in, &got), 0);
		assert_int_equal(got, v[i].want);
	}
}

static void
test_hms_parse_bad(void **s)
{
	static const char *const bad[] = {
		"", "00:00:00", "00:60:00", "00:00:60", "0000:00:01",
		"00:0:01", "00:00:1", "00:00", "1", "a0:00:01", "00:00:01 ",
		" 00:00:01", "-1:00:00", "+1:00:00", "1000:00:00",
		"00:00:01:00", "00-00-01", "00:00:0x", "1e2:00:00",
	};
	int64_t got = 42;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sched_hms_parse(bad[i], &got), -1);
		assert_int_equal(got, 0);
	}
	assert_int_equal(sched_hms_parse(NULL, &got), -1);
}

static void
test_hms_format(void **s)
{
	char buf[16];
	int64_t back, t;

	(void)s;
	sched_hms_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "00:00:00");
	sched_hms_format(3661, buf, sizeof(buf));
	assert_string_equal(buf, "01:01:01");
	sched_hms_format(SCHED_INTERVAL_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "999:59:59");
	for (t = 1; t < SCHED_INTERVAL_MAX; t = t * 3 + 7) {
		sched_hms_format(t, buf, sizeof(buf));
		assert_int_equal(sched_hms_parse(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

/* ---- 1C dates ---- */

static int64_t
utc(int y, int mo, int d, int h, int mi, int se)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm);
}

static void
test_date_parse(void **s)
{
	int64_t t;

	(void)s;
	assert_int_equal(erp_date_parse("31.12.2026 23:59:59", 0, &t), 0);
	assert_int_equal(t, utc(2026, 12, 31, 23, 59, 59));
	/* the ERP's wall clock is ahead of UTC by the offset */
	assert_int_equal(erp_date_parse("14.03.2026 10:22:05", 60, &t), 0);
	assert_int_equal(t, utc(2026, 3, 14, 9, 22, 5));
	assert_int_equal(erp_date_parse("01.07.2026 00:30:00", 120, &t), 0);
	assert_int_equal(t, utc(2026, 6, 30, 22, 30, 0));
	assert_int_equal(erp_date_parse("29.02.2024 12:00:00", 0, &t), 0);
	assert_int_equal(t, utc(2024, 2, 29, 12, 0, 0));
	assert_int_equal(erp_date_parse("01.01.1970 00:00:01", 0, &t), 0);
	assert_int_equal(t, 1);
	/* the empty date, and nothing at all */
	t = 5;
	assert_int_equal(erp_date_parse("01.01.0001 00:00:00", 60, &t), 0);
	assert_int_equal(t, 0);
	t = 5;
	assert_int_equal(erp_date_parse("", 0, &t), 0);
	assert_int_equal(t, 0);
}

static void
test_date_parse_bad(void **s)
{
	static const char *const bad[] = {
		"29.02.2025 00:00:00", "31.04.2026 00:00:00",
		"32.01.2026 00:00:00", "00.01.2026 00:00:00",
		"01.13.2026 00:00:00", "01.00.2026 00:00:00",
		"01.01.2026 24:00:00", "01.01.2026 00:60:00",
		"01.01.2026 00:00:60", "1.1.2026 00:00:00",
		"01.01.2026T00:00:00", "2026-01-01 00:00:00",
		"01.01.2026 00:00:00 ", "01.01.2026", "01.01.1960 00:00:00",
		"01.01.0001 00:00:01", "aa.01.2026 00:00:00",
	};
	int64_t t;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 7;
		assert_int_equal(erp_date_parse(bad[i], 0, &t), -1);
		assert_int_equal(t, 0);
	}
}

static void
test_date_format(void **s)
{
	char buf[32];
	int64_t t, back;

	(void)s;
	erp_date_format(0, 60, buf, sizeof(buf));
	assert_string_equal(buf, "01.01.0001 00:00:00");
	t = utc(2026, 3, 14, 9, 22, 5);
	erp_date_format(t, 60, buf, sizeof(buf));
	assert_string_equal(buf, "14.03.2026 10:22:05");
	for (t = 86400; t < 4102444800LL; t = t * 2 + 12345) {
		erp_date_format(t, -300, buf, sizeof(buf));
		assert_int_equal(erp_date_parse(buf, -300, &back), 0);
		assert_int_equal(back, t);
	}
}

/* ---- fixed point and money ---- */

static void
test_int_parse(void **s)
{
	int64_t v;

	(void)s;
	assert_int_equal(erp_int_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(erp_int_parse("-35400", &v), 0);
	assert_int_equal(v, -35400);
	assert_int_equal(erp_int_parse("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(erp_int_parse("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(erp_int_parse("9223372036854775808", &v), -1);
	assert_int_equal(erp_int_parse("", &v), -1);
	assert_int_equal(erp_int_parse("-", &v), -1);
	assert_int_equal(erp_int_parse("12.5", &v), -1);
	assert_int_equal(erp_int_parse(" 1", &v), -1);
	assert_int_equal(erp_int_parse("1 ", &v), -1);
	assert_int_equal(erp_int_parse("0x10", &v), -1);
}

static void
test_fixed_parse(void **s)
{
	int64_t v;

	(void)s;
	assert_int_equal(erp_fixed_parse("4.2713", 6, &v), 0);
	assert_int_equal(v, 4271300);
	assert_int_equal(erp_fixed_parse("1", 6, &v), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(erp_fixed_parse("354.00", 2, &v), 0);
	assert_int_equal(v, 35400);
	assert_int_equal(erp_fixed_parse("-1.5", 3, &v), 0);
	assert_int_equal(v, -1500);
	assert_int_equal(erp_fixed_parse("12.", 2, &v), 0);
	assert_int_equal(v, 1200);
	assert_int_equal(erp_fixed_parse(".5", 1, &v), 0);
	assert_int_equal(v, 5);
	/* more decimals than the scale: half away from zero */
	assert_int_equal(erp_fixed_parse("0.125", 2, &v), 0);
	assert_int_equal(v, 13);
	assert_int_equal(erp_fixed_parse("0.1249999", 2, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(erp_fixed_parse("-0.125", 2, &v), 0);
	assert_int_equal(v, -13);
	assert_int_equal(erp_fixed_parse("2.5", 0, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(erp_fixed_parse("92233720368547758.07", 2, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(erp_fixed_parse("92233720368547758.08", 2, &v), -1);
	assert_int_equal(erp_fixed_parse("", 2, &v), -1);
	assert_int_equal(erp_fixed_parse(".", 2, &v), -1);
	assert_int_equal(erp_fixed_parse("1.2.3", 2, &v), -1);
	assert_int_equal(erp_fixed_parse("1,5", 2, &v), -1);
	assert_int_equal(erp_fixed_parse("1e3", 2, &v), -1);
}

static void
test_fixed_format(void **s)
{
	char buf[32];
	int64_t back;

	(void)s;
	erp_fixed_format(4271300, 6, buf, sizeof(buf));
	assert_string_equal(buf, "4.271300");
	erp_fixed_format(-5, 2, buf, sizeof(buf));
	assert_string_equal(buf, "-0.05");
	erp_fixed_format(35400, 2, buf, sizeof(buf));
	assert_string_equal(buf, "354.00");
	erp_fixed_format(7, 0, buf, sizeof(buf));
	assert_string_equal(buf, "7");
	erp_fixed_format(INT64_MIN, 2, buf, sizeof(buf));
	assert_string_equal(buf, "-92233720368547758.08");
	erp_fixed_format(123456789, 4, buf, sizeof(buf));
	assert_int_equal(erp_fixed_parse(buf, 4, &back), 0);
	assert_int_equal(back, 123456789);
}

static void
test_currency_conversion(void **s)
{
	int64_t v;

	(void)s;
	/* contract 2.1, worked example: 1052.00 PLN at EUR 4.2713 */
	assert_int_equal(erp_from_pln(105200, 4271300, 2, &v), 0);
	assert_int_equal(v, 24630);
	assert_int_equal(erp_from_pln(-105200, 4271300, 2, &v), 0);
	assert_int_equal(v, -24630);
	/* back: 246.30 EUR x 4.2713 = 1052.02 PLN */
	assert_int_equal(erp_to_pln(24630, 4271300, 2, &v), 0);
	assert_int_equal(v, 105202);
	/* exactly half: away from zero, symmetric */
	assert_int_equal(erp_from_pln(1, 2000000, 2, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(erp_from_pln(-1, 2000000, 2, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(erp_from_pln(3, 2000000, 2, &v), 0);
	assert_int_equal(v, 2);
	/* PLN itself */
	assert_int_equal(erp_from_pln(35400, 1000000, 2, &v), 0);
	assert_int_equal(v, 35400);
	/* a currency without minor units: 100.00 PLN at 0.027 PLN/unit */
	assert_int_equal(erp_from_pln(10000, 27000, 0, &v), 0);
	assert_int_equal(v, 3704);
	assert_int_equal(erp_to_pln(3704, 27000, 0, &v), 0);
	assert_int_equal(v, 10001);
	/* refused rather than overflowing */
	assert_int_equal(erp_from_pln(9000000000000LL, 4271300, 2, &v), -1);
	assert_int_equal(erp_from_pln(8999999999999LL, 4271300, 2, &v), 0);
	assert_int_equal(erp_to_pln(8999999999999LL, 4271300, 2, &v), -1);
	assert_int_equal(erp_from_pln(100, 0, 2, &v), -1);
	assert_int_equal(erp_from_pln(100, -5, 2, &v), -1);
	assert_int_equal(erp_from_pln(100, 4271300, 9, &v), -1);
}

static void
test_uuid_valid(void **s)
{
	(void)s;
	assert_true(erp_uuid_valid("3f2a9c1e-0b4d-4e7a-9c61-5b1d2e3f4a5b"));
	assert_false(erp_uuid_valid("3F2A9C1E-0B4D-4E7A-9C61-5B1D2E3F4A5B"));
	assert_false(erp_uuid_valid("3f2a9c1e0b4d4e7a9c615b1d2e3f4a5b"));
	assert_false(erp_uuid_valid("3f2a9c1e-0b4d-4e7a-9c61-5b1d2e3f4a5"));
	assert_false(erp_uuid_valid("3f2a9c1e-0b4d-4e7a-9c61-5b1d2e3f4a5bb"));
	assert_false(erp_uuid_valid("3f2a9c1e-0b4d-4e7a-9c61_5b1d2e3f4a5b"));
	assert_false(erp_uuid_valid("3f2a9c1g-0b4d-4e7a-9c61-5b1d2e3f4a5b"));
	assert_false(erp_uuid_valid(""));
	assert_false(erp_uuid_valid(NULL));
}

/* ---- scheduler decisions ---- */

static void
test_is_due(void **s)
{
	struct sched_op op;

	(void)s;
	memset(&op, 0, sizeof(op));
	op.enabled = 1;
	op.interval_s = 300;
	op.next_run_at = 1000;
	assert_false(sched_is_due(&op, 999));
	assert_true(sched_is_due(&op, 1000));
	assert_true(sched_is_due(&op, 5000));
	/* disabled: the interval no longer counts ... */
	op.enabled = 0;
	assert_false(sched_is_due(&op, 5000));
	/* ... but an explicit run-once does, when its time comes */
	op.run_once_at = 6000;
	assert_false(sched_is_due(&op, 5999));
	assert_true(sched_is_due(&op, 6000));
	/* enabled, interval far ahead, run-once earlier */
	op.enabled = 1;
	op.next_run_at = 9000;
	assert_false(sched_is_due(&op, 5999));
	assert_true(sched_is_due(&op, 6000));
	op.run_once_at = 0;
	assert_false(sched_is_due(&op, 8999));
}

static void
test_next_run(void **s)
{
	(void)s;
	/* a good run: the interval counts from the start */
	assert_int_equal(sched_next_run(1000, 1050, 300, 0, 0), 1300);
	/* longer than its interval: due again at once (never in parallel) */
	assert_int_equal(sched_next_run(1000, 1400, 300, 0, 0), 1300);
	/* failures: 30 s, doubling, from the end, capped at the interval */
	assert_int_equal(sched_next_run(1000, 1050, 300, 1, 0), 1080);
	assert_int_equal(sched_next_run(1000, 1050, 300, 2, 0), 1110);
	assert_int_equal(sched_next_run(1000, 1050, 300, 3, 0), 1170);
	assert_int_equal(sched_next_run(1000, 1050, 300, 4, 0), 1290);
	assert_int_equal(sched_next_run(1000, 1050, 300, 5, 0), 1350);
	assert_int_equal(sched_next_run(1000, 1050, 300, 60, 0), 1350);
	/* the ERP's retry_after is a floor, even above the interval */
	assert_int_equal(sched_next_run(1000, 1050, 300, 1, 120), 1170);
	assert_int_equal(sched_next_run(1000, 1050, 300, 1, 900), 1950);
	/* a short interval caps the back-off below 30 s */
	assert_int_equal(sched_next_run(1000, 1001, 10, 3, 0), 1011);
}

static int64_t fixed_now;

static int64_t
fake_clock(void)
{
	return fixed_now;
}

static void
test_clock(void **s)
{
	(void)s;
	setenv("FRAMUGA_NOW", "1800000000", 1);
	assert_int_equal(sched_now(), 1800000000);
	setenv("FRAMUGA_NOW", "junk", 1);
	assert_true(sched_now() > 1700000000 && sched_now() != 1800000000);
	unsetenv("FRAMUGA_NOW");
	fixed_now = 12345;
	sched_clock = fake_clock;
	assert_int_equal(sched_now(), 12345);
	sched_clock = NULL;
}

static void
test_owner(void **s)
{
	char a[128], b[128];

	(void)s;
	sched_owner(a, sizeof(a));
	sched_owner(b, sizeof(b));
	assert_non_null(strchr(a, '@'));
	assert_non_null(strchr(a, '#'));
	assert_int_equal(strlen(strchr(a, '#') + 1), 16);
	assert_string_not_equal(a, b);
}

/* ---- the SOAP client's record decoder (no network) ---- */

struct got {
	struct erp_record rec;
	int n;
};

static int
keep(void *ctx, const struct erp_record *r)
{
	struct got *g = ctx;

	g->rec = *r;
	g->n++;
	return 0;
}

static struct erp *
client(void)
{
	struct erp_config cfg;
	char err[256];
	struct erp *c;

	memset(&cfg, 0, sizeof(cfg));
	cfg.url = "http://127.0.0.1:9/soap";
	cfg.timeout_s = 5;
	c = erp_open(&cfg, err, sizeof(err));
	assert_non_null(c);
	erp_set_utc_offset(c, 60);
	return c;
}

#define U1 "0c41a1e2-0000-4000-8000-000000000001"
#define U2 "0c41a1e2-0000-4000-8000-000000000002"
#define U3 "0c41a1e2-0000-4000-8000-000000000003"

static const char product_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<o:product xmlns:o=\"urn:oknoerp:portal:1\" xmlns:x=\"urn:other\">\n"
    "  <o:uuid>" U1 "</o:uuid>\n"
    "  <o:code> OK-RU1-1200 </o:code>\n"
    "  <o:category>" U2 "</o:category>\n"
    "  <o:unit>szt</o:unit><o:vat>2300</o:vat>\n"
    "  <o:name lang=\"pl\">Okno PCV &amp; szyba</o:name>\n"
    "  <o:name lang=\"en\">PVC window</o:name>\n"
    "  <o:description lang=\"pl\">Linia 1\nLinia 2</o:description>\n"
    "  <o:attribute><o:code>uw</o:code><o:name lang=\"pl\">Uw</o:name>"
    "<o:value lang=\"pl\">0,9</o:value></o:attribute>\n"
    "  <o:photo><o:uuid>" U3 "</o:uuid><o:file_name>a.jpg</o:file_name>"
    "<o:content_type>image/jpeg</o:content_type><o:size>12</o:size>"
    "<o:sha256>ab</o:sha256></o:photo>\n"
    "  <x:unknown>ignored</x:unknown><o:future>ignored too</o:future>\n"
    "  <o:related>" U2 "</o:related>\n"
    "  <o:substitute>" U3 "</o:substitute>\n"
    "  <o:visible_in>pl</o:visible_in><o:visible_in>de</o:visible_in>\n"
    "  <o:default_warehouse/>\n"
    "  <o:ruleset_code>PVC_WINDOW</o:ruleset_code>\n"
    "  <o:active>false</o:active>\n"
    "</o:product>\n";

static void
test_decode_product(void **s)
{
	struct arena *a = arena_new(0);
	struct erp *c = client();
	struct got g;
	const struct erp_product *p;

	(void)s;
	memset(&g, 0, sizeof(g));
	assert_int_equal(erp_decode(c, ERP_PRODUCT, product_xml,
	    strlen(product_xml), a, keep, &g), ERP_OK);
	assert_int_equal(g.n, 1);
	assert_null(g.rec.invalid);
	assert_string_equal(g.rec.uuid, U1);
	p = g.rec.u.product;
	assert_string_equal(p->code, "OK-RU1-1200");
	assert_string_equal(p->category, U2);
	assert_int_equal(p->vat_bp, 2300);
	assert_int_equal(p->name.n, 2);
	assert_string_equal(p->name.v[0].lang, "pl");
	assert_string_equal(p->name.v[0].text, "Okno PCV & szyba");
	assert_string_equal(p->description.v[0].text, "Linia 1\nLinia 2");
	assert_int_equal(p->nattrs, 1);
	assert_string_equal(p->attrs[0].code, "uw");
	assert_string_equal(p->attrs[0].value.v[0].text, "0,9");
	assert_int_equal(p->nphotos, 1);
	assert_int_equal(p->photos[0].size, 12);
	assert_string_equal(p->photos[0].content_type, "image/jpeg");
	assert_int_equal(p->nfiles, 0);
	assert_int_equal(p->related.n, 1);
	assert_int_equal(p->substitutes.n, 1);
	assert_int_equal(p->visible_in.n, 2);
	assert_string_equal(p->visible_in.v[1], "de");
	assert_string_equal(p->default_warehouse, "");
	assert_string_equal(p->ruleset_code, "PVC_WINDOW");
	assert_int_equal(p->active, 0);
	/* the payload is canonical: no prefixes, no foreign elements, the
	 * white space between elements gone, text kept */
	assert_non_null(strstr(g.rec.payload, "<product xmlns=\""
	    "urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"));
	assert_null(strstr(g.rec.payload, "unknown"));
	assert_non_null(strstr(g.rec.payload, "<future>ignored too</future>"));
	assert_non_null(strstr(g.rec.payload, "Okno PCV &amp; szyba"));
	assert_non_null(strstr(g.rec.payload, "<default_warehouse/>"));
	assert_int_equal(g.rec.payload_len, strlen(g.rec.payload));
	erp_close(c);
	arena_free(a);
}

/* The payload of a payload is itself: same record, same bytes (the sync
 * hashes payloads to skip unchanged records). */
static void
test_decode_canonical_fixpoint(void **s)
{
	struct arena *a = arena_new(0);
	struct erp *c = client();
	struct got g1, g2;
	char *first;

	(void)s;
	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	assert_int_equal(erp_decode(c, ERP_PRODUCT, product_xml,
	    strlen(product_xml), a, keep, &g1), ERP_OK);
	first = strdup(g1.rec.payload);
	assert_int_equal(erp_decode(c, ERP_PRODUCT, first, strlen(first), a,
	    keep, &g2), ERP_OK);
	assert_string_equal(g2.rec.payload, first);
	free(first);
	erp_close(c);
	arena_free(a);
}

static void
test_decode_price_and_invalid(void **s)
{
	static const char good[] =
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "<kind>customer</kind><product>" U2 "</product>"
	    "<currency>EUR</currency><amount>24630</amount><group/>"
	    "<customer>" U3 "</customer><langver>de</langver></price>";
	static const char bad_amount[] =
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "<kind>catalogue</kind><product>" U2 "</product>"
	    "<currency>PLN</currency><amount>354.00</amount></price>";
	static const char bad_kind[] =
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "<kind>special</kind><product>" U2 "</product></price>";
	static const char bad_uuid[] =
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>42</uuid>"
	    "<kind>catalogue</kind></price>";
	struct arena *a = arena_new(0);
	struct erp *c = client();
	struct got g;

	(void)s;
	memset(&g, 0, sizeof(g));
	assert_int_equal(erp_decode(c, ERP_PRICE, good, strlen(good), a, keep,
	    &g), ERP_OK);
	assert_null(g.rec.invalid);
	assert_int_equal(g.rec.u.price->kind, ERP_PRICE_CUSTOMER);
	assert_int_equal(g.rec.u.price->amount, 24630);
	assert_string_equal(g.rec.u.price->customer, U3);
	assert_string_equal(g.rec.u.price->langver, "de");
	/* the same payload comes back byte for byte */
	assert_string_equal(g.rec.payload, good);

	assert_int_equal(erp_decode(c, ERP_PRICE, bad_amount,
	    strlen(bad_amount), a, keep, &g), ERP_OK);
	assert_non_null(g.rec.invalid);
	assert_non_null(strstr(g.rec.invalid, "amount"));
	assert_int_equal(erp_decode(c, ERP_PRICE, bad_kind, strlen(bad_kind),
	    a, keep, &g), ERP_OK);
	assert_non_null(strstr(g.rec.invalid, "kind"));
	assert_int_equal(erp_decode(c, ERP_PRICE, bad_uuid, strlen(bad_uuid),
	    a, keep, &g), ERP_OK);
	assert_non_null(strstr(g.rec.invalid, "uuid"));
	erp_close(c);
	arena_free(a);
}

static void
test_decode_order_dates(void **s)
{
	static const char order[] =
	    "<order xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "<number>ZK/2026/000123</number><external_ref>P-1</external_ref>"
	    "<customer>" U2 "</customer><status>shipped</status>"
	    "<status_changed>14.03.2026 10:22:05</status_changed>"
	    "<created>01.01.0001 00:00:00</created><revision>2</revision>"
	    "<correction_note>qty</correction_note><currency>PLN</currency>"
	    "<net>70800</net><delivery_address><name>Budowa</name><street>"
	    "Polna 1</street><postcode>00-001</postcode><city>Warszawa</city>"
	    "<country>PL</country></delivery_address><notes/>"
	    "<line><line_no>1</line_no><product>" U3 "</product>"
	    "<quantity>2000</quantity><unit_net>35400</unit_net><net>70800"
	    "</net><configuration><ruleset>" U3 "</ruleset><width>1200</width>"
	    "<height>1400</height><value attribute=\"glass\">G3_P4A</value>"
	    "</configuration></line>"
	    "<shipment><carrier>DPD</carrier><waybill>0123</waybill>"
	    "<date>15.03.2026 08:00:00</date></shipment></order>";
	static const char bad_date[] =
	    "<order xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "<status_changed>2026-03-14</status_changed></order>";
	struct arena *a = arena_new(0);
	struct erp *c = client();
	const struct erp_order *o;
	struct got g;

	(void)s;
	memset(&g, 0, sizeof(g));
	assert_int_equal(erp_decode(c, ERP_ORDER, order, strlen(order), a,
	    keep, &g), ERP_OK);
	assert_null(g.rec.invalid);
	o = g.rec.u.order;
	assert_int_equal(o->status_changed, utc(2026, 3, 14, 9, 22, 5));
	assert_int_equal(o->created, 0);
	assert_int_equal(o->revision, 2);
	assert_string_equal(o->delivery.city, "Warszawa");
	assert_int_equal(o->nlines, 1);
	assert_int_equal(o->lines[0].qty_milli, 2000);
	assert_non_null(strstr(o->lines[0].configuration_xml,
	    "<value attribute=\"glass\">G3_P4A</value>"));
	assert_false(o->has_release);
	assert_true(o->has_shipment);
	assert_string_equal(o->waybill, "0123");
	assert_int_equal(o->ship_date, utc(2026, 3, 15, 7, 0, 0));
	assert_int_equal(erp_decode(c, ERP_ORDER, bad_date, strlen(bad_date),
	    a, keep, &g), ERP_OK);
	assert_non_null(g.rec.invalid);
	assert_non_null(strstr(g.rec.invalid, "status_changed"));
	erp_close(c);
	arena_free(a);
}

static void
test_decode_refuses_doctype(void **s)
{
	static const char doctype[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE price [<!ENTITY x \"boom\">]>\n"
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>&x;</uuid></price>";
	static const char external[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE price SYSTEM \"http://127.0.0.1:9/x.dtd\">\n"
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid></price>";
	static const char broken[] =
	    "<price xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>";
	static const char wrong[] =
	    "<product xmlns=\"urn:oknoerp:portal:1\"><uuid>" U1 "</uuid>"
	    "</product>";
	struct arena *a = arena_new(0);
	struct erp *c = client();
	struct got g;

	(void)s;
	memset(&g, 0, sizeof(g));
	assert_int_equal(erp_decode(c, ERP_PRICE, doctype, strlen(doctype), a,
	    keep, &g), ERP_E_XML);
	assert_int_equal(erp_decode(c, ERP_PRICE, external, strlen(external),
	    a, keep, &g), ERP_E_XML);
	assert_int_equal(erp_decode(c, ERP_PRICE, broken, strlen(broken), a,
	    keep, &g), ERP_E_XML);
	assert_int_equal(erp_decode(c, ERP_PRICE, wrong, strlen(wrong), a,
	    keep, &g), ERP_E_XML);
	assert_int_equal(g.n, 0);
	erp_close(c);
	arena_free(a);
}

static void
test_err_classes(void **s)
{
	(void)s;
	assert_string_equal(erp_err_name(ERP_E_AUTH), "AUTH");
	assert_string_equal(erp_entity_name(ERP_PRICE), "price");
	assert_int_equal(erp_entity_from_name("invoice"), ERP_INVOICE);
	assert_int_equal(erp_entity_from_name("nope"), -1);
	/* a write may have happened: look before sending again */
	assert_true(erp_err_unknown_outcome(ERP_E_TIMEOUT));
	assert_true(erp_err_unknown_outcome(ERP_E_DROPPED));
	assert_true(erp_err_unknown_outcome(ERP_E_TRUNCATED));
	assert_true(erp_err_unknown_outcome(ERP_E_HTTP));
	assert_true(erp_err_unknown_outcome(ERP_E_INTERNAL));
	/* these are answers, or nothing was sent */
	assert_false(erp_err_unknown_outcome(ERP_E_VALIDATION));
	assert_false(erp_err_unknown_outcome(ERP_E_NOT_FOUND));
	assert_false(erp_err_unknown_outcome(ERP_E_AUTH));
	assert_false(erp_err_unknown_outcome(ERP_E_CONNECT));
	assert_true(erp_err_transient(ERP_E_CONNECT));
	assert_false(erp_err_transient(ERP_E_VALIDATION));
}

static void
test_open_refuses(void **s)
{
	struct erp_config cfg;
	char err[256];

	(void)s;
	memset(&cfg, 0, sizeof(cfg));
	cfg.timeout_s = 5;
	cfg.url = "ftp://erp.example.com/soap";
	assert_null(erp_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "http"));
	cfg.url = "";
	assert_null(erp_open(&cfg, err, sizeof(err)));
	cfg.url = "https://erp.example.com/soap";
	cfg.timeout_s = 0;
	assert_null(erp_open(&cfg, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hms_parse_good),
		cmocka_unit_test(test_hms_parse_bad),
		cmocka_unit_test(test_hms_format),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_parse_bad),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_int_parse),
		cmocka_unit_test(test_fixed_parse),
		cmocka_unit_test(test_fixed_format),
		cmocka_unit_test(test_currency_conversion),
		cmocka_unit_test(test_uuid_valid),
		cmocka_unit_test(test_is_due),
		cmocka_unit_test(test_next_run),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_decode_product),
		cmocka_unit_test(test_decode_canonical_fixpoint),
		cmocka_unit_test(test_decode_price_and_invalid),
		cmocka_unit_test(test_decode_order_dates),
		cmocka_unit_test(test_decode_refuses_doctype),
		cmocka_unit_test(test_err_classes),
		cmocka_unit_test(test_open_refuses),
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
