/*
 * log.h: one log line per event, to stderr (which the pool master sends to
 * its log file or the journal): "2026-11-30T10:00:00Z framuga-fcgi[123]
 * warn: message".  Levels below the configured one are dropped.
 */
#ifndef FRAMUGA_LOG_H
#define FRAMUGA_LOG_H

enum log_level { LOG_ERR_ = 0, LOG_WARN_, LOG_INFO_, LOG_DEBUG_ };

void	log_init(const char *progname, const char *level);
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Would a line of this level be written? */
int	log_enabled(enum log_level);

#endif
