/*
 * sim_doc.c: invoices and their documents.
 *
 * sim_invoice_create() turns an order into an invoice the way the ERP's
 * operator does: one invoice line per order line, VAT per line (net x
 * rate, half-up to a grosz), totals summed from the lines; a number from
 * the invoice counter (FV/YYYY/MM/NNNNNN); a KSeF number in the real
 * format (seller NIP - acceptance date - 12 hex - CRC-8 of the first 32
 * characters, polynomial 0x07, initial 0); the PDF (a one-page PDF 1.4
 * this file writes by hand with the standard Helvetica font, so Polish
 * letters are transliterated) and the structured XML in the shape of the
 * FA(2) e-invoice.  The order goes to status invoiced; both records are
 * registered in the change queues, in the caller's transaction.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

unsigned
sim_crc8(const char *s, size_t n)
{
	unsigned crc = 0;

	for (size_t i = 0; i < n; i++) {
		crc ^= (unsigned char)s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 0x80) ? ((crc << 1) ^ 0x07) & 0xff :
			    (crc << 1) & 0xff;
	}
	return crc;
}

void
sim_ksef_number(const char *nip, int64_t t, uint64_t rnd, char out[36])
{
	struct tm tm;
	time_t tt = (time_t)t;

	char tmp[96];

	localtime_r(&tt, &tm);
	snprintf(tmp, sizeof(tmp), "%.10s-%04d%02d%02d-%012llX", nip,
	    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
	    (unsigned long long)(rnd & 0xffffffffffffULL));
	memcpy(out, tmp, 32);
	snprintf(out + 32, 4, "-%02X", sim_crc8(out, 32) & 0xff);
}

/* Polish letters (UTF-8) to ASCII for the PDF's standard font. */
static void
pdf_text(struct buf *b, const char *s)
{
	static const struct { const char *u; char a; } map[] = {
		{ "ą", 'a' }, { "ć", 'c' }, { "ę", 'e' }, { "ł", 'l' },
		{ "ń", 'n' }, { "ó", 'o' }, { "ś", 's' }, { "ź", 'z' },
		{ "ż", 'z' }, { "Ą", 'A' }, { "Ć", 'C' }, { "Ę", 'E' },
		{ "Ł", 'L' }, { "Ń", 'N' }, { "Ó", 'O' }, { "Ś", 'S' },
		{ "Ź", 'Z' }, { "Ż", 'Z' }, { "ä", 'a' }, { "ö", 'o' },
		{ "ü", 'u' }, { "ß", 's' }, { "Ä", 'A' }, { "Ö", 'O' },
		{ "Ü", 'U' }, { "²", '2' }, { "×", 'x' },
	};

	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t i;

		if (c < 0x80) {
			if (c == '(' || c == ')' || c == '\\')
				buf_putc(b, '\\');
			buf_putc(b, c >= 0x20 ? (char)c : ' ');
			s++;
			continue;
		}
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strncmp(s, map[i].u, strlen(map[i].u)) == 0)
				break;
		if (i < sizeof(map) / sizeof(map[0])) {
			buf_putc(b, map[i].a);
			s += strlen(map[i].u);
			continue;
		}
		buf_putc(b, '?');
		for (s++; (*s & 0xc0) == 0x80; s++)
			;
	}
}

void
sim_pdf(struct buf *b, const char *title, const char *const *lines,
    size_t nlines)
{
	struct buf content = BUF_INIT;
	size_t off[6], xref, start = b->len;
	int y = 800;

	buf_puts(&content, "BT /F1 16 Tf 50 800 Td (");
	pdf_text(&content, title);
	buf_puts(&content, ") Tj ET\n");
	for (size_t i = 0; i < nlines && y > 60; i++) {
		y -= i == 0 ? 30 : 16;
		buf_printf(&content, "BT /F1 10 Tf 50 %d Td (", y);
		pdf_text(&content, lines[i]);
		buf_puts(&content, ") Tj ET\n");
	}
	buf_puts(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	off[1] = b->len - start;
	buf_puts(b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = b->len - start;
	buf_puts(b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	off[3] = b->len - start;
	buf_puts(b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
	    " /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n");
	off[4] = b->len - start;
	buf_printf(b, "4 0 obj\n<< /Length %zu >>\nstream\n", content.len);
	buf_put(b, content.p, content.len);
	buf_puts(b, "endstream\nendobj\n");
	off[5] = b->len - start;
	buf_puts(b, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
	    " /Encoding /WinAnsiEncoding >>\nendobj\n");
	xref = b->len - start;
	buf_puts(b, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 1; i <= 5; i++)
		buf_printf(b, "%010zu 00000 n \n", off[i]);
	buf_printf(b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
	    xref);
	buf_free(&content);
}

static void
money(char *out, size_t n, int64_t v)
{
	int64_t a = v < 0 ? -v : v;

	snprintf(out, n, "%s%lld.%02lld", v < 0 ? "-" : "",
	    (long long)(a / 100), (long long)(a % 100));
}

static void
qty(char *out, size_t n, int64_t v)
{
	if (v % 1000 == 0)
		snprintf(out, n, "%lld", (long long)(v / 1000));
	else
		snprintf(out, n, "%lld.%03lld", (long long)(v / 1000),
		    (long long)(v % 1000));
}

static int64_t
half_up_div(__int128 num, int64_t den)
{
	int neg = num < 0;

	if (neg)
		num = -num;
	num = (num * 2 + den) / (2 * (__int128)den);
	return neg ? -(int64_t)num : (int64_t)num;
}

static void
xml_el(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	x_esc(b, text, strlen(text));
	buf_printf(b, "</%s>", name);
}

int
sim_invoice_docs(struct sdb *db, const char *inv, struct buf *pdf,
    struct buf *xml)
{
	static const char sql[] = "SELECT i.number, i.ksef, i.issued,"
	    " i.due_date, i.currency, i.net, i.vat, i.gross, c.name, c.nip,"
	    " coalesce(o.number, '') FROM invoice i JOIN customer c"
	    " ON c.uuid = i.customer LEFT JOIN orders o ON o.uuid = i.order_uuid"
	    " WHERE i.uuid = ?1";
	static const char sql_l[] = "SELECT l.line_no, l.name, l.quantity,"
	    " l.unit_net, l.net, l.vat_rate, l.vat, l.gross,"
	    " coalesce(p.unit, 'szt') FROM invoice_line l LEFT JOIN product p"
	    " ON p.uuid = l.product WHERE l.invoice = ?1 ORDER BY l.line_no";
	sqlite3_stmt *st = sdb_stmt(db, sql), *sl;
	char a[32], b2[32], c[32], d[20], dd[20], q[32];
	const char *lines[64];
	char *own[64];
	size_t nl = 0;
	struct tm tm;
	time_t tt;
	char *number, *cur, *cname, *nip, *ksef, *onum;
	int64_t issued, due, net, vat, gross;

	sqlite3_bind_text(st, 1, inv, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sdb_done(st);
		return -1;
	}
	number = xstrdup((const char *)sqlite3_column_text(st, 0));
	ksef = xstrdup((const char *)sqlite3_column_text(st, 1));
	issued = sqlite3_column_int64(st, 2);
	due = sqlite3_column_int64(st, 3);
	cur = xstrdup((const char *)sqlite3_column_text(st, 4));
	net = sqlite3_column_int64(st, 5);
	vat = sqlite3_column_int64(st, 6);
	gross = sqlite3_column_int64(st, 7);
	cname = xstrdup((const char *)sqlite3_column_text(st, 8));
	nip = xstrdup((const char *)sqlite3_column_text(st, 9));
	onum = xstrdup((const char *)sqlite3_column_text(st, 10));
	sdb_done(st);

	tt = (time_t)issued;
	localtime_r(&tt, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d", &tm);
	tt = (time_t)due;
	localtime_r(&tt, &tm);
	strftime(dd, sizeof(dd), "%Y-%m-%d", &tm);

#define LINE(...) do { if (nl < 64) { own[nl] = NULL; \
	if (asprintf(&own[nl], __VA_ARGS__) < 0) own[nl] = NULL; \
	if (own[nl]) { lines[nl] = own[nl]; nl++; } } } while (0)
	LINE("Sprzedawca: Fabryka Okien Demo sp. z o.o., NIP %s", SIM_SELLER_NIP);
	LINE("Nabywca: %s, NIP %s", cname, nip);
	LINE("Data wystawienia: %s   Termin platnosci: %s", d, dd);
	LINE("Numer KSeF: %s", *ksef ? ksef : "-");
	if (*onum)
		LINE("Zamowienie: %s", onum);
	LINE("Lp.  Nazwa  Ilosc  Cena netto  Netto  VAT  Brutto");

	buf_puts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Faktura xmlns=\"http://crd.gov.pl/wzor/2023/06/29/12648/\">"
	    "<Naglowek><KodFormularza kodSystemowy=\"FA (2)\""
	    " wersjaSchemy=\"1-0E\">FA</KodFormularza>"
	    "<WariantFormularza>2</WariantFormularza>");
	xml_el(xml, "DataWytworzeniaFa", d);
	buf_puts(xml, "<SystemInfo>oknoerp-sim</SystemInfo></Naglowek>"
	    "<Podmiot1><DaneIdentyfikacyjne>");
	xml_el(xml, "NIP", SIM_SELLER_NIP);
	buf_puts(xml, "<Nazwa>Fabryka Okien Demo sp. z o.o.</Nazwa>"
	    "</DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju>"
	    "<AdresL1>ul. Przemysłowa 1, 60-001 Poznań</AdresL1></Adres>"
	    "</Podmiot1><Podmiot2><DaneIdentyfikacyjne>");
	if (nip[0] >= 'A' && nip[0] <= 'Z') {
		char cc[3] = { nip[0], nip[1], 0 };

		xml_el(xml, "KodUE", cc);
		xml_el(xml, "NrVatUE", nip + 2);
	} else
		xml_el(xml, "NIP", nip);
	xml_el(xml, "Nazwa", cname);
	buf_puts(xml, "</DaneIdentyfikacyjne></Podmiot2><Fa>");
	xml_el(xml, "KodWaluty", cur);
	xml_el(xml, "P_1", d);
	xml_el(xml, "P_2", number);
	money(a, sizeof(a), net);
	xml_el(xml, "P_13_1", a);
	money(a, sizeof(a), vat);
	xml_el(xml, "P_14_1", a);
	money(a, sizeof(a), gross);
	xml_el(xml, "P_15", a);
	buf_puts(xml, "<RodzajFaktury>VAT</RodzajFaktury>");

	sl = sdb_stmt(db, sql_l);
	sqlite3_bind_text(sl, 1, inv, -1, SQLITE_STATIC);
	while (sqlite3_step(sl) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(sl, 1);
		char rate[24];

		qty(q, sizeof(q), sqlite3_column_int64(sl, 2));
		money(a, sizeof(a), sqlite3_column_int64(sl, 3));
		money(b2, sizeof(b2), sqlite3_column_int64(sl, 4));
		money(c, sizeof(c), sqlite3_column_int64(sl, 7));
		snprintf(rate, sizeof(rate), "%lld",
		    (long long)(sqlite3_column_int64(sl, 5) / 100));
		LINE("%lld. %.48s  %s %s  %s  %s  %s%%  %s",
		    (long long)sqlite3_column_int64(sl, 0), name, q,
		    (const char *)sqlite3_column_text(sl, 8), a, b2, rate, c);
		buf_puts(xml, "<FaWiersz>");
		buf_printf(xml, "<NrWierszaFa>%lld</NrWierszaFa>",
		    (long long)sqlite3_column_int64(sl, 0));
		xml_el(xml, "P_7", name);
		xml_el(xml, "P_8A", (const char *)sqlite3_column_text(sl, 8));
		xml_el(xml, "P_8B", q);
		xml_el(xml, "P_9A", a);
		xml_el(xml, "P_11", b2);
		xml_el(xml, "P_12", rate);
		buf_puts(xml, "</FaWiersz>");
	}
	sdb_done(sl);
	buf_puts(xml, "</Fa></Faktura>\n");
	money(a, sizeof(a), net);
	money(b2, sizeof(b2), vat);
	money(c, sizeof(c), gross);
	LINE("Razem netto %s %s, VAT %s %s, brutto %s %s", a, cur, b2, cur, c,
	    cur);
#undef LINE
	{
		char *title = NULL;

		if (asprintf(&title, "Faktura VAT %s", number) < 0)
			title = NULL;
		sim_pdf(pdf, title ? title : "Faktura VAT", lines, nl);
		free(title);
	}
	for (size_t i = 0; i < nl; i++)
		free(own[i]);
	free(number);
	free(ksef);
	free(cur);
	free(cname);
	free(nip);
	free(onum);
	return 0;
}

int
sim_invoice_create(struct sdb *db, const char *ord, const char *inv,
    int64_t t, uint64_t rnd, int paid)
{
	static const char sql_o[] = "SELECT o.customer, o.currency,"
	    " c.payment_days FROM orders o JOIN customer c ON c.uuid = o.customer"
	    " WHERE o.uuid = ?1";
	static const char sql_l[] = "SELECT l.line_no, l.product, l.name,"
	    " l.quantity, l.unit_net, coalesce(p.vat, 2300) FROM order_line l"
	    " LEFT JOIN product p ON p.uuid = l.product WHERE l.order_uuid = ?1"
	    " ORDER BY l.line_no";
	static const char sql_il[] = "INSERT INTO invoice_line(invoice, line_no,"
	    " product, name, quantity, unit_net, net, vat_rate, vat, gross)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	static const char sql_i[] = "INSERT INTO invoice(uuid, number, ksef,"
	    " order_uuid, customer, issued, sale_date, due_date, currency, net,"
	    " vat, gross, paid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12)";
	static const char sql_docs[] = "UPDATE invoice SET pdf = ?2, xml = ?3"
	    " WHERE uuid = ?1";
	static const char sql_os[] = "UPDATE orders SET status = 'invoiced',"
	    " status_changed = ?2 WHERE uuid = ?1";
	sqlite3_stmt *st, *si;
	char *cust, *cur, number[40], ksef[36];
	struct buf pdf = BUF_INIT, xml = BUF_INIT;
	int64_t pdays, net = 0, vat = 0, n;
	struct tm tm;
	time_t tt = (time_t)t;
	int ret = -1, rc;

	st = sdb_stmt(db, sql_o);
	sqlite3_bind_text(st, 1, ord, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sdb_done(st);
		return -1;
	}
	cust = xstrdup((const char *)sqlite3_column_text(st, 0));
	cur = xstrdup((const char *)sqlite3_column_text(st, 1));
	pdays = sqlite3_column_int64(st, 2);
	sdb_done(st);

	st = sdb_stmt(db, sql_l);
	sqlite3_bind_text(st, 1, ord, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t q = sqlite3_column_int64(st, 3);
		int64_t u = sqlite3_column_int64(st, 4);
		int64_t rate = sqlite3_column_int64(st, 5);
		int64_t lnet = half_up_div((__int128)q * u, 1000);
		int64_t lvat = half_up_div((__int128)lnet * rate, 10000);

		si = sdb_stmt(db, sql_il);
		sqlite3_bind_text(si, 1, inv, -1, SQLITE_STATIC);
		sqlite3_bind_int64(si, 2, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(si, 3, (const char *)sqlite3_column_text(st, 1),
		    -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(si, 4, (const char *)sqlite3_column_text(st, 2),
		    -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(si, 5, q);
		sqlite3_bind_int64(si, 6, u);
		sqlite3_bind_int64(si, 7, lnet);
		sqlite3_bind_int64(si, 8, rate);
		sqlite3_bind_int64(si, 9, lvat);
		sqlite3_bind_int64(si, 10, lnet + lvat);
		rc = sqlite3_step(si);
		sdb_done(si);
		if (rc != SQLITE_DONE) {
			sdb_done(st);
			goto out;
		}
		net += lnet;
		vat += lvat;
	}
	sdb_done(st);
	localtime_r(&tt, &tm);
	n = sim_counter_next(db, "invoice_no");
	snprintf(number, sizeof(number), "FV/%04d/%02d/%06lld",
	    tm.tm_year + 1900, tm.tm_mon + 1, (long long)n);
	sim_ksef_number(SIM_SELLER_NIP, t, rnd, ksef);
	st = sdb_stmt(db, sql_i);
	sqlite3_bind_text(st, 1, inv, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ksef, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ord, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cust, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, t);
	sqlite3_bind_int64(st, 7, t + pdays * 86400);
	sqlite3_bind_text(st, 8, cur, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, net);
	sqlite3_bind_int64(st, 10, vat);
	sqlite3_bind_int64(st, 11, net + vat);
	sqlite3_bind_int64(st, 12, paid ? net + vat : 0);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE)
		goto out;
	if (sim_invoice_docs(db, inv, &pdf, &xml) != 0)
		goto out;
	st = sdb_stmt(db, sql_docs);
	sqlite3_bind_text(st, 1, inv, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pdf.p, (int)pdf.len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, xml.p, (int)xml.len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE)
		goto out;
	st = sdb_stmt(db, sql_os);
	sqlite3_bind_text(st, 1, ord, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE)
		goto out;
	if (sim_change(db, "invoice", inv, t) || sim_change(db, "order", ord, t))
		goto out;
	ret = 0;
out:
	buf_free(&pdf);
	buf_free(&xml);
	free(cust);
	free(cur);
	return ret;
}
