/*
 * pool.h: the framuga-fcgi process pool (master and workers).
 *
 * One master process loads the configuration, binds the FastCGI socket and
 * forks N single-threaded workers; each worker calls app_init() (app.h),
 * then serves requests with FCGX_Accept_r() and app_handle() until it is
 * told to stop or has served max_requests.  The master restarts workers
 * that die, reloads on SIGHUP and drains on SIGTERM/SIGINT.  See pool.c
 * for how, and framuga-fcgi(8) for the operator's view.
 */
#ifndef FRAMUGA_POOL_H
#define FRAMUGA_POOL_H

/* Exit status of a worker whose app_init() failed, and of the master when
 * that stopped the pool (sysexits.h EX_CONFIG). */
#define POOL_EX_CONFIG	78

struct pool_opts {
	const char	*config_path;	/* the configuration file */
	int		 workers;	/* > 0: overrides cfg_workers() */
	int		 stop_timeout;	/* seconds a stopping worker gets
					 * before SIGKILL; <= 0: 10 */
};

/*
 * Run the pool in the foreground until it is stopped.  Logs through log.h
 * to stderr.  Returns the process exit status: 0 after a requested stop,
 * POOL_EX_CONFIG when the configuration could not be loaded or a worker's
 * app_init() failed, 1 on other start-up errors (socket, pipes).  Only the
 * master returns; workers exit inside.
 */
int	pool_run(const struct pool_opts *);

#endif
