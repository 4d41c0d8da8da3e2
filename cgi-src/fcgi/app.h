/*
 * app.h: what the worker pool (pool.c) calls in each worker process.
 *
 * The pool knows nothing of pages: after fork it calls app_init() once, then
 * app_handle() for every accepted request, and app_fini() before the worker
 * exits.  Everything that must not be shared across fork (the SQLite handle,
 * OpenSSL state, the template cache) is made in app_init().
 */
#ifndef FRAMUGA_APP_H
#define FRAMUGA_APP_H

#include <fcgiapp.h>

struct config;

/* 0 on success; -1 (logged) makes the worker exit with status 78
 * (EX_CONFIG), which the master takes as "do not restart in a loop". */
int	app_init(const struct config *);
/* Read the request from r, run it, write the whole response to r->out. */
void	app_handle(FCGX_Request *r);
void	app_fini(void);

#endif
