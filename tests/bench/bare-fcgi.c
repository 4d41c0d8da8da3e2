/*
 * bare-fcgi.c: the benchmark's reference, a bare libfcgi responder.
 *
 *	bare-fcgi -s SOCKET [-n WORKERS]
 *
 * Binds the unix socket SOCKET (mode 0660), forks WORKERS (default 4)
 * processes, and each answers every request with the same fixed 2 KB HTML
 * page in the plain blocking FCGX_Accept_r() loop.  Nothing else: no
 * parsing, no database, no master duties.  Whatever framuga-fcgi serves
 * slower than this is the price of the pool and the application.
 *
 * SIGTERM or SIGINT to the parent stops the children and removes the
 * socket.  Used by tests/bench/run.sh; not a test.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define PAGE_SIZE	2048
#define MAX_WORKERS	256

static char	page[PAGE_SIZE + 1];

/* The 2 KB page: the same bytes as make_page() in tests/e2e/echo_app.c. */
static void
bench_page(char *buf, size_t size)
{
	static const char head[] = "<!DOCTYPE html>\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><title>Framuga bench</title>"
	    "</head>\n<body>\n";
	static const char para[] = "<p>Windows and doors, made to measure. "
	    "Orders, prices and documents in one place.</p>\n";
	static const char tail[] = "</body>\n</html>\n";
	size_t n;

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

static void
serve(int sock)
{
	FCGX_Request req;
	int len = (int)strlen(page);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, sock, 0) != 0) {
		fprintf(stderr, "bare-fcgi: libfcgi init failed\n");
		_exit(1);
	}
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutS("Status: 200 OK\r\n"
		    "Content-Type: text/html; charset=utf-8\r\n\r\n", req.out);
		FCGX_PutStr(page, len, req.out);
	}
	_exit(0);
}

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t block, old;
	pid_t kids[MAX_WORKERS];
	const char *path = NULL;
	int ch, n = 4, sock, i;

	while ((ch = getopt(argc, argv, "n:s:")) != -1)
		switch (ch) {
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			path = optarg;
			break;
		default:
			goto usage;
		}
	if (path == NULL || n < 1 || n > MAX_WORKERS)
		goto usage;
	bench_page(page, sizeof(page));

	/* FCGX_OpenSocket removes an old file and binds a unix socket when
	 * the path has no ':' in it. */
	if ((sock = FCGX_OpenSocket(path, 128)) == -1) {
		fprintf(stderr, "bare-fcgi: cannot listen on %s\n", path);
		return 1;
	}
	chmod(path, 0660);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Blocked except inside sigsuspend(), so a stop is never missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);

	for (i = 0; i < n; i++) {
		if ((kids[i] = fork()) == -1) {
			perror("bare-fcgi: fork");
			n = i;
			stop = 1;
			break;
		}
		if (kids[i] == 0) {
			sa.sa_handler = SIG_DFL;
			sigaction(SIGTERM, &sa, NULL);
			sigaction(SIGINT, &sa, NULL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			serve(sock);
		}
	}
	fprintf(stderr, "bare-fcgi: %d workers on %s\n", n, path);
	while (!stop)
		sigsuspend(&old);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(path);
	return 0;
usage:
	fprintf(stderr, "usage: bare-fcgi -s socket [-n workers]\n");
	return 64;
}
