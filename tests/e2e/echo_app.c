/*
 * echo_app.c: a tiny app (app.h) for testing the worker pool without the
 * portal.  Linked with pool.c and main.c into tests/e2e/framuga-fcgi-echo.
 *
 * Every answer is 200 text/plain, one line:
 *
 *	echo pid=1234 brand=NAME n=7 path=/x
 *
 * pid tells a test which worker answered, brand is the configuration's
 * brand_name as the worker read it at start (so a test sees a reload take
 * effect), n counts the requests this worker served.  Special paths:
 *
 *	/sleep?ms=N	sleep N milliseconds first (at most 60 s)
 *	/crash		abort() the worker in the middle of the request
 *	/2k		a fixed 2 KB HTML page, as tests/bench/bare-fcgi serves
 *	/accel/NAME	an empty answer with X-Accel-Redirect: /_accel/NAME,
 *			so that nginx serves NAME from the data directory
 *
 * app_init() fails (and the worker exits 78) when the environment has
 * ECHO_FAIL_INIT set or brand_name is "FAIL_INIT": the latter lets a test
 * make only a reloaded generation fail.  With ECHO_CRASH_INIT set it
 * abort()s instead, a worker that dies at every start.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cfg.h"
#include "log.h"

#define PAGE_SIZE	2048

static char	 echo_brand[64];
static long	 echo_served;
static char	 echo_page[PAGE_SIZE + 1];

/* The 2 KB page: the same bytes as bench_page() in tests/bench/bare-fcgi.c. */
static void
make_page(char *buf, size_t size)
{
	static const char head[] = "<!DOCTYPE html>\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><title>Framuga bench</title>"
	    "</head>\n<body>\n";
	static const char para[] = "<p>Windows and doors, made to measure. "
	    "Orders, prices and documents in one place.</p>\n";
	static const char tail[] = "</body>\n</html>\n";
	size_t n = 0;

	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	while (n + sizeof(para) - 1 + sizeof(tail) - 1 <= size - 1) {
		memcpy(buf + n, para, sizeof(para) - 1);
		n += sizeof(para) - 1;
	}
	while (n + sizeof(tail) - 1 < size - 1)
		buf[n++] = ' ';
	memcpy(buf + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	buf[n] = '\0';
}

int
app_init(const struct config *cfg)
{
	const char *brand = cfg->brand_name != NULL ? cfg->brand_name : "";
	const char *fail = getenv("ECHO_FAIL_INIT");
	const char *crash = getenv("ECHO_CRASH_INIT");

	if (crash != NULL && *crash != '\0')
		abort();
	if ((fail != NULL && *fail != '\0') || strcmp(brand, "FAIL_INIT") == 0) {
		log_err("echo app: told to fail app_init (%s)",
		    fail != NULL && *fail != '\0' ? "ECHO_FAIL_INIT" :
		    "brand_name = FAIL_INIT");
		return -1;
	}
	snprintf(echo_brand, sizeof(echo_brand), "%s", brand);
	make_page(echo_page, sizeof(echo_page));
	return 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
app_handle(FCGX_Request *r)
{
	const char *path = FCGX_GetParam("DOCUMENT_URI", r->envp);
	const char *query = FCGX_GetParam("QUERY_STRING", r->envp);
	const char *ms;
	long v;

	if (path == NULL)
		path = "";
	if (query == NULL)
		query = "";
	echo_served++;

	if (strcmp(path, "/crash") == 0)
		abort();
	if (strcmp(path, "/2k") == 0) {
		FCGX_PutS("Status: 200 OK\r\n"
		    "Content-Type: text/html; charset=utf-8\r\n\r\n", r->out);
		FCGX_PutStr(echo_page, (int)strlen(echo_page), r->out);
		return;
	}
	if (strncmp(path, "/accel/", 7) == 0 && strstr(path, "..") == NULL) {
		FCGX_FPrintF(r->out, "Status: 200 OK\r\n"
		    "Content-Type: text/plain\r\n"
		    "X-Accel-Redirect: /_accel/%s\r\n\r\n", path + 7);
		return;
	}
	if (strcmp(path, "/sleep") == 0 &&
	    (ms = strstr(query, "ms=")) != NULL) {
		v = strtol(ms + 3, NULL, 10);
		if (v > 0)
			sleep_ms(v > 60000 ? 60000 : v);
	}
	FCGX_FPrintF(r->out, "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "echo pid=%d brand=%s n=%ld path=%s\n",
	    (int)getpid(), echo_brand, echo_served, path);
}

void
app_fini(void)
{
}
