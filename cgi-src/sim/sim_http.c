/*
 * sim_http.c: the simulator's HTTP server (libmicrohttpd).
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION); each thread
 * opens its own connection to the SQLite store on first use and closes it
 * when the thread ends (a pthread key destructor), so no SQLite handle is
 * shared between threads and the store needs no lock of ours.
 *
 * A request: POST /soap, body collected up to 8 MiB (413 above), HTTP
 * Basic auth when a user is configured (401 + AUTH fault), then the fault
 * knobs (table `faults`, written by `oknoerp-sim fault` and read on every
 * request, so a running server picks them up at once), then soap_handle().
 * Fault kinds: latency (sleep param ms, then go on), http5xx (answer param
 * status with an HTML body, nothing done), soapfault (answer a SOAP fault
 * with the given code, nothing done), drop (do the work, commit, then close
 * the connection without a response), malformed (do the work, answer XML
 * that is not well-formed), truncated (do the work, answer the first half
 * of the body).  A knob fires for every matching request while it has a
 * count left (count -1 = forever), each time with probability rate.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <libxml/parser.h>

#include "log.h"
#include "sim.h"

#define SIM_MAX_BODY (8u << 20)

struct srv {
	const char	*dbpath;
	char		*auth;		/* "user:password", or NULL: no auth */
};

struct conn {
	struct buf	 body;
	int		 too_big;
};

static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void
tl_close(void *p)
{
	sdb_close(p);
}

static void
tl_init(void)
{
	(void)pthread_key_create(&tl_key, tl_close);
}

/* This thread's store connection, opened on first use; NULL on error. */
static struct sdb *
tl_db(const char *path)
{
	struct sdb *db;

	(void)pthread_once(&tl_once, tl_init);
	if ((db = pthread_getspecific(tl_key)) != NULL)
		return db;
	if ((db = sdb_open(path, 0)) != NULL)
		(void)pthread_setspecific(tl_key, db);
	return db;
}

static enum MHD_Result
reply(struct MHD_Connection *c, int status, const char *ctype,
    struct buf *b, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, b->p ? b->p : (void *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate",
		    "Basic realm=\"OknoERP\", charset=\"UTF-8\"");
	if (status == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
reply_text(struct MHD_Connection *c, int status, const char *text)
{
	struct buf b = BUF_INIT;
	enum MHD_Result ret;

	buf_puts(&b, text);
	ret = reply(c, status, "text/plain; charset=utf-8", &b, b.len);
	buf_free(&b);
	return ret;
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* 1 when the Authorization header carries exactly want ("user:pass"). */
static int
auth_ok(struct MHD_Connection *c, const char *want)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	unsigned char dec[512];
	size_t n = 0, wl = strlen(want);
	unsigned acc = 0;
	int bits = 0, v;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (h += 6; *h == ' '; h++)
		;
	for (; *h && *h != '='; h++) {
		if ((v = b64val((unsigned char)*h)) < 0)
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == sizeof(dec))
				return 0;
			dec[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (n != wl)
		return 0;
	return CRYPTO_memcmp(dec, want, wl) == 0;
}

enum fault_act { FA_NONE, FA_HTTP, FA_SOAP, FA_DROP, FA_MALFORMED,
	FA_TRUNCATED };

struct fault_pick {
	long		latency_ms;
	enum fault_act	act;
	int		param;
	char		code[24];
};

/* Op name of a request for fault matching (a second, cheap parse that runs
 * only while knobs are set). */
static void
peek_op(const char *body, size_t len, char *op, size_t opsz)
{
	const char *why;
	xmlDoc *doc = x_parse(body, len, &why);
	xmlNode *n;

	op[0] = '\0';
	if (doc == NULL)
		return;
	n = xmlDocGetRootElement(doc);
	for (n = n ? n->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "Body") == 0)
			break;
	for (n = n ? n->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE) {
			snprintf(op, opsz, "%s", (const char *)n->name);
			break;
		}
	xmlFreeDoc(doc);
}

/* A uniform draw in [0, 1) for fault rates: from the kernel, since each
 * connection is a fresh thread and a per-thread seed would repeat. */
static double
fault_rand(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)rand();
	return (double)v / 4294967296.0;
}

static void
faults_pick(struct sdb *db, const char *body, size_t len,
    struct fault_pick *fp)
{
	static const char sql_any[] =
	    "SELECT count(*) FROM faults WHERE count_left <> 0";
	static const char sql[] = "SELECT id, kind, op, rate_ppm, count_left,"
	    " param, code FROM faults WHERE count_left <> 0 ORDER BY id";
	static const char sql_fire[] = "UPDATE faults SET fired = fired + 1,"
	    " count_left = CASE WHEN count_left > 0 THEN count_left - 1"
	    " ELSE count_left END WHERE id = ?1 AND count_left <> 0";
	struct { int64_t id, rate; int param; char kind[16], code[24]; } k[64];
	char op[64];
	sqlite3_stmt *st;
	int nk = 0;

	memset(fp, 0, sizeof(*fp));
	if (sdb_int1(db, sql_any, NULL, 0) == 0)
		return;
	peek_op(body, len, op, sizeof(op));
	if (sdb_begin_write(db) != SQLITE_OK)
		return;
	/* read the knobs first, then fire: no update under a running scan */
	st = sdb_stmt(db, sql);
	while (nk < (int)(sizeof(k) / sizeof(k[0])) &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *fop = (const char *)sqlite3_column_text(st, 2);

		if (*fop && strcmp(fop, op) != 0)
			continue;
		k[nk].id = sqlite3_column_int64(st, 0);
		snprintf(k[nk].kind, sizeof(k[nk].kind), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		k[nk].rate = sqlite3_column_int64(st, 3);
		k[nk].param = sqlite3_column_int(st, 5);
		snprintf(k[nk].code, sizeof(k[nk].code), "%s",
		    (const char *)sqlite3_column_text(st, 6));
		nk++;
	}
	sdb_done(st);
	for (int i = 0; i < nk; i++) {
		int is_lat = strcmp(k[i].kind, "latency") == 0;
		sqlite3_stmt *u;

		if (!is_lat && fp->act != FA_NONE)
			continue;
		if (k[i].rate < 1000000 && fault_rand() * 1e6 >= (double)k[i].rate)
			continue;
		u = sdb_stmt(db, sql_fire);
		sqlite3_bind_int64(u, 1, k[i].id);
		(void)sqlite3_step(u);
		sdb_done(u);
		if (is_lat) {
			fp->latency_ms += k[i].param;
			continue;
		}
		fp->param = k[i].param;
		snprintf(fp->code, sizeof(fp->code), "%s", k[i].code);
		if (strcmp(k[i].kind, "http5xx") == 0)
			fp->act = FA_HTTP;
		else if (strcmp(k[i].kind, "soapfault") == 0)
			fp->act = FA_SOAP;
		else if (strcmp(k[i].kind, "drop") == 0)
			fp->act = FA_DROP;
		else if (strcmp(k[i].kind, "malformed") == 0)
			fp->act = FA_MALFORMED;
		else if (strcmp(k[i].kind, "truncated") == 0)
			fp->act = FA_TRUNCATED;
	}
	if (sdb_commit(db) != SQLITE_OK)
		sdb_rollback(db);
}

static enum MHD_Result
serve_soap(struct srv *s, struct MHD_Connection *c, struct conn *cn)
{
	struct buf out = BUF_INIT;
	struct fault_pick fp;
	struct sdb *db;
	char op[64];
	const char *action;
	enum MHD_Result ret;
	int status, committed;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((db = tl_db(s->dbpath)) == NULL) {
		soap_fault_envelope(&out, F_INTERNAL, "store unavailable",
		    NULL, 0);
		ret = reply(c, 500, "text/xml; charset=utf-8", &out, out.len);
		buf_free(&out);
		return ret;
	}
	faults_pick(db, cn->body.p ? cn->body.p : "", cn->body.len, &fp);
	if (fp.latency_ms > 0) {
		struct timespec ts = { fp.latency_ms / 1000,
		    (fp.latency_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	if (fp.act == FA_HTTP) {
		int st = fp.param >= 500 && fp.param <= 599 ? fp.param : 503;

		buf_puts(&out, "<html><body><h1>Service unavailable</h1>"
		    "</body></html>\n");
		ret = reply(c, st, "text/html; charset=utf-8", &out, out.len);
		buf_free(&out);
		return ret;
	}
	if (fp.act == FA_SOAP) {
		int code = fault_from_name(fp.code);

		if (code < 0)
			code = F_INTERNAL;
		soap_fault_envelope(&out, (enum fault_code)code,
		    "injected fault", NULL, code == F_BUSY ? 1 : 0);
		ret = reply(c, soap_fault_http((enum fault_code)code),
		    "text/xml; charset=utf-8", &out, out.len);
		buf_free(&out);
		return ret;
	}
	action = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "SOAPAction");
	status = soap_handle(db, cn->body.p ? cn->body.p : "", cn->body.len,
	    action, &out, op, sizeof(op), &committed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("%s status=%d bytes=%zu ms=%ld%s", op[0] ? op : "-", status,
	    out.len, (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000),
	    fp.act != FA_NONE ? " (fault injected)" : "");
	if (fp.act == FA_DROP) {
		buf_free(&out);
		return MHD_NO;		/* MHD closes without a response */
	}
	if (fp.act == FA_MALFORMED) {
		/* a stray end tag and a bare ampersand in the middle */
		size_t mid = out.len / 2;
		struct buf bad = BUF_INIT;

		buf_put(&bad, out.p, mid);
		buf_puts(&bad, "</o:oops>&<");
		buf_put(&bad, out.p + mid, out.len - mid);
		ret = reply(c, status, "text/xml; charset=utf-8", &bad, bad.len);
		buf_free(&bad);
		buf_free(&out);
		return ret;
	}
	ret = reply(c, status, "text/xml; charset=utf-8", &out,
	    fp.act == FA_TRUNCATED ? out.len / 2 : out.len);
	buf_free(&out);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn *cn = *con_cls;

	(void)version;
	if (cn == NULL) {
		cn = xcalloc(1, sizeof(*cn));
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (cn->body.len + *upload_size > SIM_MAX_BODY)
			cn->too_big = 1;
		else
			buf_put(&cn->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/soap") != 0)
		return reply_text(c, 404, "not found\n");
	if (strcmp(method, "POST") != 0)
		return reply_text(c, 405, "POST only\n");
	if (s->auth != NULL && !auth_ok(c, s->auth)) {
		struct buf out = BUF_INIT;
		enum MHD_Result ret;

		soap_fault_envelope(&out, F_AUTH, "authentication required",
		    NULL, 0);
		ret = reply(c, 401, "text/xml; charset=utf-8", &out, out.len);
		buf_free(&out);
		return ret;
	}
	if (cn->too_big)
		return reply_text(c, 413, "request body above 8 MiB\n");
	return serve_soap(s, c, cn);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	(void)cls; (void)c; (void)toe;
	if (cn == NULL)
		return;
	buf_free(&cn->body);
	free(cn);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("microhttpd: %s", line);
}

int
sim_serve(const char *dbpath, const char *listen, const char *user,
    const char *password, const char *port_file)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	struct srv s;
	const union MHD_DaemonInfo *di;
	char host[64];
	const char *colon;
	struct sdb *check;
	sigset_t set;
	int sig, port;

	memset(&s, 0, sizeof(s));
	s.dbpath = dbpath;
	if (user != NULL) {
		size_t n = strlen(user) + strlen(password ? password : "") + 2;

		s.auth = xmalloc(n);
		snprintf(s.auth, n, "%s:%s", user, password ? password : "");
	}
	colon = strrchr(listen, ':');
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "oknoerp-sim: --listen wants ADDRESS:PORT\n");
		return 1;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = atoi(colon + 1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (port < 0 || port > 65535 || inet_pton(AF_INET, host,
	    &sa.sin_addr) != 1) {
		fprintf(stderr, "oknoerp-sim: bad --listen %s\n", listen);
		return 1;
	}
	/* open once up front: a bad path fails now, not at the first request */
	if ((check = sdb_open(dbpath, 0)) == NULL)
		return 1;
	sdb_close(check);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, &s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "oknoerp-sim: cannot listen on %s\n", listen);
		free(s.auth);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (di != NULL)
		port = di->port;
	log_info("listening on %s:%d, store %s%s", host, port, dbpath,
	    s.auth ? ", basic auth on" : "");
	if (port_file != NULL) {
		FILE *f = fopen(port_file, "w");

		if (f != NULL) {
			fprintf(f, "%d\n", port);
			fclose(f);
		}
	}
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: stopping", sig);
	MHD_stop_daemon(d);
	free(s.auth);
	return 0;
}
