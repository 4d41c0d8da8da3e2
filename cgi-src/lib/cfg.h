/*
 * cfg.h: the one configuration file, "key = value" per line.
 *
 * Every key is declared once in the table in cfg.c with its type, default
 * and a one-line description; `framuga-admin config-defaults` prints that
 * table as a commented file (nginx/framuga.conf.example is made from it by a
 * build rule), and `framuga-admin config-check FILE` validates a file.  A
 * line that is not "key = value", an unknown key or a bad value is an error
 * naming the file and line.  A line whose first non-blank character is '#'
 * is a comment (there are no comments after a value: '#' begins colours);
 * values are taken as they are after trimming spaces (no quoting).  Adding
 * a key: a field here, a row in cfg.c's table, an entry in
 * man/framuga.conf.5 (a test compares the man page with the table).
 */
#ifndef FRAMUGA_CFG_H
#define FRAMUGA_CFG_H

#include <stddef.h>

struct config {
	/* [paths] */
	char	*db_path;		/* SQLite database file */
	char	*data_dir;		/* file store: attachments, ERP PDFs, mail */
	char	*template_dir;		/* shipped templates (www/templates) */
	char	*template_override_dir;	/* deployment's own templates, or "" */
	char	*static_url;		/* URL prefix of www/static, "/static" */
	char	*locale_dir;		/* compiled .mo catalogs */
	char	*tmp_dir;		/* uploads above the memory threshold */
	/* [pool] */
	char	*listen;		/* "unix:/path" or "127.0.0.1:9000" */
	int	 workers;		/* 0: CPU count x 2 */
	int	 max_requests;		/* recycle a worker after so many; 0 never */
	int	 listen_backlog;
	/* [database] */
	int	 busy_timeout_ms;
	int	 cache_kb;
	int	 result_cache_kb;	/* qcache.h; 0: off */
	/* [http] */
	long	 max_body_kb;		/* urlencoded */
	long	 max_upload_kb;		/* multipart */
	int	 max_fields;
	int	 max_files;
	long	 upload_mem_kb;		/* above: streamed to tmp_dir */
	int	 hsts_max_age;		/* 0: no HSTS header */
	char	*public_origin;		/* "https://portal.example.com": CSRF Origin check */
	/* [brand] (J7) */
	char	*brand_name;
	char	*brand_logo;		/* URL of the logo */
	char	*brand_color;		/* #rrggbb primary colour */
	char	*brand_color_dark;	/* #rrggbb header colour */
	/* [languages] */
	char	*default_lang;		/* pl */
	char	*languages;		/* "pl en de" */
	/* [sessions] */
	int	 session_idle_min;
	int	 session_max_hours;
	/* [accounts] (cgi-src/auth/auth.h) */
	int	 argon2_memory_kib;	/* argon2id m */
	int	 argon2_iterations;	/* argon2id t */
	int	 argon2_lanes;		/* argon2id p */
	int	 argon2_max_parallel;	/* hashes at once, all workers */
	int	 argon2_wait_ms;	/* longest wait for a slot: then 503 */
	int	 login_free_attempts;	/* failures per account before delays */
	int	 login_ip_free_attempts; /* failures per address before delays */
	int	 login_max_delay_s;	/* the longest delay between attempts */
	int	 reset_link_minutes;	/* a password link's validity */
	int	 totp_required_for_staff; /* bool */
	/* [erp] */
	char	*erp_url;
	char	*erp_user;
	char	*erp_password;
	char	*erp_ca_file;		/* "" = system CAs */
	int	 erp_timeout_s;
	/* [log] */
	char	*log_level;		/* error, warn, info, debug */
	/* [testing] */
	int	 test_routes;		/* bool: /_test/ routes for the e2e suite */
};

/* Defaults for every key; strings are malloc'd copies.  Call on a struct
 * that holds nothing (fresh, or after cfg_free). */
void	cfg_defaults(struct config *);
/* Read file over the current values.  0, or -1 with "file:line: why" in
 * err (all errors are reported, err holds the first).  Each error goes to
 * log_err(); cfg_load_report() hands each one to report(arg, msg) instead
 * (framuga-admin config-check prints them plainly).  After the file, the
 * keys are checked together (default_lang must be one of languages). */
int	cfg_load(struct config *, const char *path, char *err, size_t errsz);
int	cfg_load_report(struct config *, const char *path, char *err,
	    size_t errsz, void (*report)(void *arg, const char *msg),
	    void *arg);
/* Set one key from text (used by cfg_load and by tests).  0, or -1 with
 * "why" (no file or line) in err; the old value is kept on error. */
int	cfg_set(struct config *, const char *key, const char *value,
	    char *err, size_t errsz);
void	cfg_free(struct config *);
/* Print the documented defaults as a config file to stdout. */
void	cfg_print_defaults(void);
/* The worker count after applying "0 = CPU x 2". */
int	cfg_workers(const struct config *);

#endif
