/*
 * log.c: see log.h.  Formats into a stack buffer and writes with one
 * write(2), so lines from several workers sharing stderr do not interleave.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "framuga";
static enum log_level log_min = LOG_INFO_;

void
log_init(const char *progname, const char *level)
{
	if (progname != NULL)
		log_prog = progname;
	if (level == NULL)
		return;
	if (strcmp(level, "error") == 0)
		log_min = LOG_ERR_;
	else if (strcmp(level, "warn") == 0)
		log_min = LOG_WARN_;
	else if (strcmp(level, "debug") == 0)
		log_min = LOG_DEBUG_;
	else
		log_min = LOG_INFO_;
}

int
log_enabled(enum log_level lv)
{
	return lv <= log_min;
}

static void
log_v(enum log_level lv, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char line[2048];
	struct tm tm;
	time_t now;
	int n, m;

	if (lv > log_min)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%d] %s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, log_prog, (int)getpid(), names[lv]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	/* one line per event: control characters from input are flattened */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_FN(name, lv) \
void name(const char *fmt, ...) { va_list ap; va_start(ap, fmt); log_v(lv, fmt, ap); va_end(ap); }

LOG_FN(log_err, LOG_ERR_)
LOG_FN(log_warn, LOG_WARN_)
LOG_FN(log_info, LOG_INFO_)
LOG_FN(log_debug, LOG_DEBUG_)
