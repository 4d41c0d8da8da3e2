/*
 * pool.c: the framuga-fcgi master and its workers.
 *
 * Master.  Loads the configuration, binds the listening socket ("unix:PATH",
 * made 0660 after removing a stale socket file, or "HOST:PORT"), makes it
 * non-blocking and forks the workers of generation 1.  Then it sleeps in
 * poll() on two pipes: a self-pipe that its signal handlers write to
 * (SIGCHLD, SIGHUP, SIGTERM and SIGINT only set a flag and wake the loop),
 * and a "ready" pipe on which each worker writes its pid once app_init() has
 * succeeded.  The master opens no SQLite, libcurl or OpenSSL handle: only
 * the configuration file and the socket.
 *
 * Generations.  Each worker belongs to a generation: the configuration it
 * was forked with.  SIGHUP reads the configuration again into a new,
 * pending generation and forks its workers; once all of them are ready the
 * pending generation serves and the old one retires: each old worker gets
 * SIGTERM, finishes the request in hand and exits.  If a pending worker dies
 * before it is ready (app_init() failed, a crash), the reload is abandoned
 * and the old generation keeps serving.  When the new configuration names
 * the same `listen`, both generations accept on the one socket, so no
 * connection is refused during a reload.
 *
 * Restarts.  A serving worker that dies is replaced at once; when workers
 * die young (before ready, or within POOL_YOUNG seconds) several times in a
 * row, restarts back off exponentially up to POOL_BACKOFF_MAX.  A worker
 * that exits with POOL_EX_CONFIG (its app_init() failed) stops the whole
 * pool instead: forking again would fail the same way.
 *
 * Stop.  On SIGTERM or SIGINT the master removes the unix socket file (nginx
 * then fails at once instead of queueing on a dying socket) and tells each
 * worker to stop: on a unix socket with SIGUSR2, "drain": finish the request
 * in hand, serve the connections already queued, exit; on TCP with SIGTERM:
 * finish the request in hand and exit (new connections keep coming there).
 * Workers still busy after the stop timeout are killed; a second SIGTERM or
 * SIGINT kills them at once.  A retiring generation gets the same timeout.
 *
 * Worker.  After fork: a SIGTERM/SIGUSR2 handler that sets a flag and writes
 * a self-pipe (SA_RESTART, so the request in hand is not disturbed), SIGINT
 * and SIGHUP ignored (Ctrl-C in a terminal reaches the whole process group;
 * the master decides), a parent-death signal on Linux.  Then FCGX_Init(),
 * app_init(), the ready message, and the accept loop:
 *
 *	until told to stop:
 *		FCGX_Accept_r()		accept(2) on the non-blocking socket
 *		got one:  app_handle(), count, maybe recycle
 *		EAGAIN:   poll(listening socket, self-pipe)
 *
 * Under load a connection is usually waiting, so the hot path is the one
 * accept(2) libfcgi makes anyway; poll() runs only when the worker would
 * otherwise block.  The non-blocking socket matters twice: every idle worker
 * wakes on a new connection and all but one lose the accept() race, and a
 * worker told to stop is never stuck inside accept().  libfcgi's OS_Accept()
 * retries only EINTR and its "reasonable" accept errors (ECONNABORTED,
 * EPROTO, ...); on EAGAIN it returns -1, so FCGX_Accept_r() returns -EAGAIN
 * and the worker polls.  An accepted connection is blocking (on Linux
 * accept(2) does not pass O_NONBLOCK on), as libfcgi expects.  libfcgi
 * installs its own SIGTERM handler only over SIG_DFL/SIG_IGN, so ours, set
 * before FCGX_Init(), stays.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "cfg.h"
#include "log.h"
#include "pool.h"

#define POOL_YOUNG		2.0	/* s: dying sooner is "dying at start" */
#define POOL_BACKOFF_FIRST	0.25	/* s: delay after the 2nd young death */
#define POOL_BACKOFF_MAX	10.0	/* s */
#define POOL_STOP_TIMEOUT	10	/* s: default for pool_opts.stop_timeout */

/* A listening socket; generations with the same `listen` share one. */
struct listener {
	struct listener	*next;
	char		*spec;		/* the `listen` value it was made from */
	int		 fd;
	int		 refs;		/* generations using it */
	int		 is_unix;
	char		*path;		/* socket file to remove, or NULL */
	dev_t		 dev;		/* identity of that file: we remove */
	ino_t		 ino;		/* only the one we made */
};

enum gen_state { GEN_PENDING, GEN_SERVING, GEN_RETIRING };

struct generation {
	struct generation *next;
	unsigned	 id;
	enum gen_state	 state;
	struct config	 cfg;		/* owned */
	struct listener	*lis;		/* holds one reference */
	int		 nworkers;	/* wanted, unless retiring */
	int		 nlive;		/* forked and not yet reaped */
	double		 kill_at;	/* retiring: SIGKILL stragglers then */
	int		 killed;	/* that was done */
};

struct worker {
	struct worker	*next;
	pid_t		 pid;
	struct generation *gen;
	int		 ready;		/* its app_init() succeeded */
	double		 started;	/* now() at fork */
};

/* The master's state.  A worker inherits a copy and uses only its
 * generation, the ready pipe's write end and the pid of the master. */
static struct {
	const char	*config_path;
	int		 workers_override;
	int		 stop_timeout;
	pid_t		 pid;
	int		 sig_pipe[2];
	int		 ready_pipe[2];
	struct listener	*listeners;
	struct generation *gens;
	struct worker	*workers;
	unsigned	 last_gen;
	int		 young_deaths;	/* in a row */
	double		 spawn_at;	/* no fork before then (back-off) */
	int		 stopping;
	double		 stop_kill_at;
	int		 stop_killed;
	int		 exit_status;
	int		 reload_again;	/* SIGHUP came during a reload */
} pool = { .sig_pipe = { -1, -1 }, .ready_pipe = { -1, -1 } };

static volatile sig_atomic_t got_chld, got_hup, got_stop;

static volatile sig_atomic_t worker_stop, worker_drain;
static int worker_wake[2] = { -1, -1 };

static void	worker_main(struct generation *) __attribute__((noreturn));

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Close-on-exec, and non-blocking if nb. 0 or -1. */
static int
fd_flags(int fd, int nb)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	if (!nb)
		return 0;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
pipe_nb(int p[2])
{
	if (pipe(p) == -1)
		return -1;
	if (fd_flags(p[0], 1) == -1 || fd_flags(p[1], 1) == -1) {
		close(p[0]);
		close(p[1]);
		p[0] = p[1] = -1;
		return -1;
	}
	return 0;
}

/* ---- listening sockets ------------------------------------------------ */

/*
 * Bind "unix:PATH".  An existing socket file nobody accepts on is stale
 * (a killed master) and is removed; a live one or a file of another kind
 * is an error.  The socket is made 0660 from the start (umask around
 * bind) so that nginx reaches it through the group.  Returns the fd or -1
 * (logged); fills l->path, dev, ino.
 */
static int
listen_unix(struct listener *l, const char *path, int backlog)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd = -1, probe, rc;

	if (*path == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
		log_err("listen: unix socket path \"%s\" is empty or longer "
		    "than %zu bytes", path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("listen: %s exists and is not a socket; "
			    "not touching it", path);
			return -1;
		}
		if ((probe = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
			log_err("socket: %s", strerror(errno));
			return -1;
		}
		rc = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
		close(probe);
		if (rc == 0) {
			log_err("listen: %s: another server accepts on this "
			    "socket", path);
			return -1;
		}
		if (errno == ECONNREFUSED) {
			if (unlink(path) == -1 && errno != ENOENT) {
				log_err("listen: removing stale socket %s: %s",
				    path, strerror(errno));
				return -1;
			}
			log_info("removed stale socket %s", path);
		}
	} else if (errno != ENOENT) {
		log_err("listen: %s: %s", path, strerror(errno));
		return -1;
	}

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1) {
		log_err("listen: bind %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((l->path = strdup(path)) == NULL) {
		log_err("out of memory");
		unlink(path);
		goto fail;
	}
	if (chmod(path, 0660) == -1)
		log_warn("listen: chmod 0660 %s: %s", path, strerror(errno));
	if (lstat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	if (listen(fd, backlog) == -1) {
		log_err("listen %s: %s", path, strerror(errno));
		unlink(path);
		free(l->path);
		l->path = NULL;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int
addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	return 0;
}

/* Bind "HOST:PORT", "[V6]:PORT" or "*:PORT".  The fd or -1 (logged). */
static int
listen_tcp(const char *spec, int backlog)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *port, *h;
	size_t hlen;
	int fd = -1, on = 1, rc;

	if (spec[0] == '[') {
		h = spec + 1;
		if ((port = strchr(h, ']')) == NULL || port[1] != ':')
			goto bad;
		hlen = (size_t)(port - h);
		port += 2;
	} else {
		h = spec;
		if ((port = strrchr(spec, ':')) == NULL)
			goto bad;
		hlen = (size_t)(port - h);
		port++;
	}
	if (*port == '\0' || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo((hlen == 0 || strcmp(host, "*") == 0) ? NULL : host,
	    port, &hints, &res);
	if (rc != 0) {
		log_err("listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0)
			break;
		rc = errno;
		close(fd);
		fd = -1;
		errno = rc;
	}
	if (fd == -1)
		log_err("listen %s: %s", spec, strerror(errno));
	else if (!addr_is_loopback(ai->ai_addr))
		log_warn("listen %s: FastCGI is not authenticated; keep this "
		    "port behind a firewall or set FCGI_WEB_SERVER_ADDRS",
		    spec);
	freeaddrinfo(res);
	return fd;
bad:
	log_err("listen: \"%s\" is neither unix:PATH nor HOST:PORT", spec);
	return -1;
}

/* The listener for spec: the one already open, or a new one.  NULL on
 * error (logged).  Release with listener_put(). */
static struct listener *
listener_get(const char *spec, int backlog)
{
	struct listener *l;

	for (l = pool.listeners; l != NULL; l = l->next)
		if (strcmp(l->spec, spec) == 0) {
			l->refs++;
			return l;
		}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->spec = strdup(spec)) == NULL) {
		log_err("out of memory");
		free(l);
		return NULL;
	}
	if (backlog <= 0)
		backlog = SOMAXCONN;
	if (strncmp(spec, "unix:", 5) == 0) {
		l->is_unix = 1;
		l->fd = listen_unix(l, spec + 5, backlog);
	} else
		l->fd = listen_tcp(spec, backlog);
	if (l->fd == -1 || fd_flags(l->fd, 1) == -1) {
		if (l->fd != -1) {
			log_err("listen %s: fcntl: %s", spec, strerror(errno));
			close(l->fd);
		}
		if (l->path != NULL)
			unlink(l->path);
		free(l->path);
		free(l->spec);
		free(l);
		return NULL;
	}
	l->refs = 1;
	l->next = pool.listeners;
	pool.listeners = l;
	return l;
}

/* Remove the socket file, if it is still the one we made. */
static void
listener_unlink(struct listener *l)
{
	struct stat st;

	if (l->path == NULL)
		return;
	if (lstat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->path);
	free(l->path);
	l->path = NULL;
}

static void
listener_put(struct listener *l)
{
	struct listener **pp;

	if (--l->refs > 0)
		return;
	listener_unlink(l);
	close(l->fd);
	for (pp = &pool.listeners; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	free(l->spec);
	free(l);
}

/* ---- generations and workers ------------------------------------------ */

/* A new generation that takes over cfg and one reference to lis. */
static struct generation *
gen_new(struct config *cfg, struct listener *lis, enum gen_state state)
{
	struct generation *g, **pp;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		log_err("out of memory");
		return NULL;
	}
	g->id = ++pool.last_gen;
	g->state = state;
	g->cfg = *cfg;
	g->lis = lis;
	g->nworkers = pool.workers_override > 0 ?
	    pool.workers_override : cfg_workers(cfg);
	if (g->nworkers < 1)
		g->nworkers = 1;
	for (pp = &pool.gens; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = g;
	return g;
}

static void
gen_free(struct generation *g)
{
	struct generation **pp;

	for (pp = &pool.gens; *pp != NULL; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	listener_put(g->lis);
	cfg_free(&g->cfg);
	free(g);
}

static struct generation *
gen_find(enum gen_state state)
{
	struct generation *g;

	for (g = pool.gens; g != NULL; g = g->next)
		if (g->state == state)
			return g;
	return NULL;
}

static unsigned
serving_id(void)
{
	struct generation *g = gen_find(GEN_SERVING);

	return g != NULL ? g->id : 0;
}

/* Tell g's workers to finish the request in hand and exit. */
static void
gen_retire(struct generation *g)
{
	struct worker *w;

	g->state = GEN_RETIRING;
	g->kill_at = now() + pool.stop_timeout;
	for (w = pool.workers; w != NULL; w = w->next)
		if (w->gen == g)
			kill(w->pid, SIGTERM);
}

/* Free the retiring generations whose workers are all gone. */
static void
gens_collect(void)
{
	struct generation *g, *next;

	for (g = pool.gens; g != NULL; g = next) {
		next = g->next;
		if (g->state == GEN_RETIRING && g->nlive == 0) {
			log_info("generation %u has stopped", g->id);
			gen_free(g);
		}
	}
}

static struct worker *
worker_find(pid_t pid, int unlink_it)
{
	struct worker *w, **pp;

	for (pp = &pool.workers; (w = *pp) != NULL; pp = &w->next)
		if (w->pid == pid) {
			if (unlink_it)
				*pp = w->next;
			return w;
		}
	return NULL;
}

/* Fork one worker for g.  0, or -1 (logged) if fork failed. */
static int
spawn(struct generation *g)
{
	struct worker *w;
	sigset_t all, old;
	pid_t pid;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_err("out of memory");
		return -1;
	}
	/* No master handler may run in the child before it sets its own. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		free(w);
		worker_main(g);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_err("fork: %s", strerror(errno));
		free(w);
		return -1;
	}
	w->pid = pid;
	w->gen = g;
	w->started = now();
	w->next = pool.workers;
	pool.workers = w;
	g->nlive++;
	log_info("worker %d started (generation %u)", (int)pid, g->id);
	return 0;
}

/* Fork what the pending and serving generations lack, unless backing off. */
static void
spawn_missing(void)
{
	struct generation *g;

	if (pool.stopping || now() < pool.spawn_at)
		return;
	for (g = pool.gens; g != NULL; g = g->next) {
		if (g->state == GEN_RETIRING)
			continue;
		while (g->nlive < g->nworkers)
			if (spawn(g) == -1) {
				pool.spawn_at = now() + 1.0;
				return;
			}
	}
}

static int
missing_workers(void)
{
	struct generation *g;

	for (g = pool.gens; g != NULL; g = g->next)
		if (g->state != GEN_RETIRING && g->nlive < g->nworkers)
			return 1;
	return 0;
}

static void
describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
#ifdef WCOREDUMP
		    WCOREDUMP(status) ? ", core dumped" :
#endif
		    "");
	else
		snprintf(buf, size, "ended with wait status %#x", status);
}

static void	pool_stop(int);

/* Log a reaped worker and decide what follows: nothing, a restart (maybe
 * after a back-off), an abandoned reload, or the end of the pool. */
static void
worker_exited(const struct worker *w, int status)
{
	struct generation *g = w->gen;
	char what[128];
	double age = now() - w->started, delay;

	describe(status, what, sizeof(what));
	if (pool.stopping || g->state == GEN_RETIRING) {
		log_info("worker %d (generation %u) %s after %.1f s",
		    (int)w->pid, g->id, what, age);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == POOL_EX_CONFIG) {
		if (g->state == GEN_PENDING) {
			log_err("reload abandoned: worker %d of generation %u "
			    "could not start (app_init failed, status %d; see "
			    "above); generation %u keeps serving", (int)w->pid,
			    g->id, POOL_EX_CONFIG, serving_id());
			gen_retire(g);
		} else {
			log_err("worker %d (generation %u): app_init failed "
			    "(exit status %d; its reason is logged above): "
			    "stopping the pool instead of restarting workers "
			    "that cannot start", (int)w->pid, g->id,
			    POOL_EX_CONFIG);
			pool_stop(POOL_EX_CONFIG);
		}
		return;
	}
	if (g->state == GEN_PENDING && !w->ready) {
		log_err("reload abandoned: worker %d of generation %u %s "
		    "before it was ready; generation %u keeps serving",
		    (int)w->pid, g->id, what, serving_id());
		gen_retire(g);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("worker %d (generation %u) exited after %.1f s "
		    "(recycled); restarting", (int)w->pid, g->id, age);
		pool.young_deaths = 0;
		return;
	}
	if (!w->ready || age < POOL_YOUNG) {
		pool.young_deaths++;
		delay = 0;
		if (pool.young_deaths > 1) {
			delay = POOL_BACKOFF_FIRST;
			for (int i = 2; i < pool.young_deaths &&
			    delay < POOL_BACKOFF_MAX; i++)
				delay *= 2;
			if (delay > POOL_BACKOFF_MAX)
				delay = POOL_BACKOFF_MAX;
			if (pool.spawn_at < now() + delay)
				pool.spawn_at = now() + delay;
		}
		log_warn("worker %d (generation %u) %s after %.1f s, at start "
		    "(%d in a row); restarting in %.2f s", (int)w->pid, g->id,
		    what, age, pool.young_deaths, delay);
		return;
	}
	pool.young_deaths = 0;
	log_warn("worker %d (generation %u) %s after %.1f s; restarting",
	    (int)w->pid, g->id, what, age);
}

static void
reap(void)
{
	struct worker *w;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((w = worker_find(pid, 1)) == NULL)
			continue;
		w->gen->nlive--;
		worker_exited(w, status);
		free(w);
	}
}

/* The pending generation serves once all its workers are ready. */
static void
maybe_promote(void)
{
	struct generation *pend, *old;
	struct worker *w;

	if ((pend = gen_find(GEN_PENDING)) == NULL ||
	    pend->nlive < pend->nworkers)
		return;
	for (w = pool.workers; w != NULL; w = w->next)
		if (w->gen == pend && !w->ready)
			return;
	old = gen_find(GEN_SERVING);
	pend->state = GEN_SERVING;
	log_init(NULL, pend->cfg.log_level);
	log_info("generation %u serves (%d workers, listen %s)", pend->id,
	    pend->nworkers, pend->cfg.listen);
	if (old != NULL) {
		log_info("generation %u stops: its workers finish the "
		    "requests in hand", old->id);
		gen_retire(old);
	}
}

/* Read the pids of workers whose app_init() succeeded. */
static void
read_ready(void)
{
	pid_t pids[64];
	struct worker *w;
	ssize_t n;

	while ((n = read(pool.ready_pipe[0], pids, sizeof(pids))) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof(pids[0]); i++)
			if ((w = worker_find(pids[i], 0)) != NULL &&
			    !w->ready) {
				w->ready = 1;
				log_debug("worker %d (generation %u) is ready",
				    (int)w->pid, w->gen->id);
			}
	maybe_promote();
}

/* cfg_defaults() + cfg_load().  0, or -1 (cfg_load() has logged every
 * error with its file:line; cfg then holds nothing to free). */
static int
load_config(struct config *cfg)
{
	char err[512];

	cfg_defaults(cfg);
	if (cfg_load(cfg, pool.config_path, err, sizeof(err)) == -1) {
		cfg_free(cfg);
		return -1;
	}
	return 0;
}

/* SIGHUP: a new generation from the configuration file as it is now. */
static void
reload(void)
{
	struct config cfg;
	struct listener *l;

	if (pool.stopping)
		return;
	if (gen_find(GEN_PENDING) != NULL) {
		pool.reload_again = 1;
		log_info("reload requested during a reload: reloading again "
		    "when this one is done");
		return;
	}
	log_info("reloading %s", pool.config_path);
	if (load_config(&cfg) == -1) {
		log_err("reload abandoned: %s has errors; generation %u keeps "
		    "serving", pool.config_path, serving_id());
		return;
	}
	if ((l = listener_get(cfg.listen, cfg.listen_backlog)) == NULL) {
		log_err("reload abandoned: generation %u keeps serving",
		    serving_id());
		cfg_free(&cfg);
		return;
	}
	if (gen_new(&cfg, l, GEN_PENDING) == NULL) {
		listener_put(l);
		cfg_free(&cfg);
	}
	/* the main loop forks its workers */
}

/* SIGTERM, SIGINT, or a worker that cannot start: stop everything. */
static void
pool_stop(int status)
{
	struct listener *l;
	struct worker *w;
	int n = 0;

	if (pool.stopping)
		return;
	pool.stopping = 1;
	pool.exit_status = status;
	pool.stop_kill_at = now() + pool.stop_timeout;
	for (l = pool.listeners; l != NULL; l = l->next)
		listener_unlink(l);
	for (w = pool.workers; w != NULL; w = w->next, n++)
		kill(w->pid, w->gen->lis->is_unix ? SIGUSR2 : SIGTERM);
	log_info("stopping: workers finish the requests in hand (%d running; "
	    "killed after %d s)", n, pool.stop_timeout);
}

static void
kill_workers(struct generation *g, const char *why)
{
	struct worker *w;

	for (w = pool.workers; w != NULL; w = w->next)
		if (g == NULL || w->gen == g) {
			log_warn("worker %d (generation %u) killed: %s",
			    (int)w->pid, w->gen->id, why);
			kill(w->pid, SIGKILL);
		}
}

/* Kill what overstayed; the next deadline (0: none). */
static double
deadlines(void)
{
	struct generation *g;
	double t = now(), next = 0;

#define SOONER(x) do { if (next == 0 || (x) < next) next = (x); } while (0)
	if (pool.stopping && !pool.stop_killed) {
		if (t >= pool.stop_kill_at) {
			kill_workers(NULL, "still busy at the stop timeout");
			pool.stop_killed = 1;
		} else
			SOONER(pool.stop_kill_at);
	}
	for (g = pool.gens; g != NULL; g = g->next) {
		if (g->state != GEN_RETIRING || g->killed || g->nlive == 0)
			continue;
		if (t >= g->kill_at) {
			kill_workers(g, "still busy at the stop timeout");
			g->killed = 1;
		} else
			SOONER(g->kill_at);
	}
	if (!pool.stopping && pool.spawn_at > t && missing_workers())
		SOONER(pool.spawn_at);
#undef SOONER
	return next;
}

static void
master_on_signal(int sig)
{
	int save = errno;

	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (got_stop < 2)
		got_stop++;
	(void)!write(pool.sig_pipe[1], "", 1);
	errno = save;
}

static int
master_signals(void)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = master_on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	return 0;
}

int
pool_run(const struct pool_opts *opts)
{
	struct config cfg;
	struct listener *l;
	struct generation *g;
	struct pollfd pfd[2];
	char junk[64];
	double next;
	int seen_stop = 0, timeout;

	pool.config_path = opts->config_path;
	pool.workers_override = opts->workers;
	pool.stop_timeout = opts->stop_timeout > 0 ?
	    opts->stop_timeout : POOL_STOP_TIMEOUT;
	pool.pid = getpid();

	if (load_config(&cfg) == -1) {
		log_err("not starting: %s has errors", pool.config_path);
		return POOL_EX_CONFIG;
	}
	log_init(NULL, cfg.log_level);
	if (pipe_nb(pool.sig_pipe) == -1 || pipe_nb(pool.ready_pipe) == -1) {
		log_err("pipe: %s", strerror(errno));
		cfg_free(&cfg);
		return 1;
	}
	if ((l = listener_get(cfg.listen, cfg.listen_backlog)) == NULL) {
		cfg_free(&cfg);
		return 1;
	}
	if ((g = gen_new(&cfg, l, GEN_SERVING)) == NULL) {
		listener_put(l);
		cfg_free(&cfg);
		return 1;
	}
	if (master_signals() == -1) {
		log_err("sigaction: %s", strerror(errno));
		gen_free(g);
		return 1;
	}
	log_info("framuga-fcgi %s starting: listen %s, workers %d, "
	    "configuration %s", PACKAGE_VERSION, g->cfg.listen, g->nworkers,
	    pool.config_path);

	for (;;) {
		if (got_stop != seen_stop) {
			if (seen_stop == 0)
				pool_stop(0);
			else if (!pool.stop_killed) {
				kill_workers(NULL, "second stop signal");
				pool.stop_killed = 1;
			}
			seen_stop = got_stop;
		}
		read_ready();
		if (got_chld) {
			got_chld = 0;
			reap();
		}
		if (got_hup) {
			got_hup = 0;
			reload();
		}
		if (pool.reload_again && gen_find(GEN_PENDING) == NULL) {
			pool.reload_again = 0;
			reload();
		}
		next = deadlines();
		gens_collect();
		if (pool.stopping && pool.workers == NULL)
			break;
		spawn_missing();

		timeout = -1;
		if (next > 0) {
			next -= now();
			timeout = next <= 0 ? 0 : (int)(next * 1000) + 1;
		}
		pfd[0].fd = pool.sig_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = pool.ready_pipe[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			pool_stop(1);
		}
		while (read(pool.sig_pipe[0], junk, sizeof(junk)) > 0)
			;
	}

	while (pool.gens != NULL)
		gen_free(pool.gens);
	close(pool.sig_pipe[0]);
	close(pool.sig_pipe[1]);
	close(pool.ready_pipe[0]);
	close(pool.ready_pipe[1]);
	log_info("stopped");
	return pool.exit_status;
}

/* ---- the worker ------------------------------------------------------- */

static void
worker_on_signal(int sig)
{
	int save = errno;

	worker_stop = 1;
	if (sig == SIGUSR2)
		worker_drain = 1;
	(void)!write(worker_wake[1], "", 1);
	errno = save;
}

/* Runs in the child right after fork, with every signal blocked; never
 * returns.  Exit status: 0 stopped or recycled, POOL_EX_CONFIG app_init()
 * failed, 1 other errors. */
static void
worker_main(struct generation *g)
{
	struct sigaction sa;
	struct listener *l;
	struct pollfd pfd[2];
	FCGX_Request req;
	sigset_t none;
	long served = 0, max;
	pid_t self;
	int rc, status = 0, fd = g->lis->fd;

	/* The master's plumbing is not ours. */
	close(pool.sig_pipe[0]);
	close(pool.sig_pipe[1]);
	close(pool.ready_pipe[0]);
	for (l = pool.listeners; l != NULL; l = l->next)
		if (l != g->lis)
			close(l->fd);
	log_init(NULL, g->cfg.log_level);
	if (pipe_nb(worker_wake) == -1) {
		log_err("pipe: %s", strerror(errno));
		_exit(1);
	}

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = worker_on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
#ifdef __linux__
	/* A master killed with -9 must not leave workers behind. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (getppid() != pool.pid)
		_exit(0);

	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		_exit(1);
	}
	if (app_init(&g->cfg) == -1) {
		log_err("app_init failed: exiting with status %d",
		    POOL_EX_CONFIG);
		_exit(POOL_EX_CONFIG);
	}
	self = getpid();
	if (write(pool.ready_pipe[1], &self, sizeof(self)) != sizeof(self))
		log_warn("telling the master we are ready: %s",
		    strerror(errno));
	close(pool.ready_pipe[1]);
	if (FCGX_InitRequest(&req, fd, 0) != 0) {
		log_err("FCGX_InitRequest failed");
		app_fini();
		_exit(1);
	}
	max = g->cfg.max_requests;
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = worker_wake[0];
	pfd[1].events = POLLIN;

	for (;;) {
		if (worker_stop && !worker_drain)
			break;
		rc = FCGX_Accept_r(&req);
		if (rc >= 0) {
			app_handle(&req);
			if (max > 0 && ++served >= max) {
				log_info("served %ld requests (max_requests): "
				    "exiting to be replaced", served);
				break;
			}
			continue;
		}
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) {
			if (worker_drain)
				break;		/* the queue is empty */
			if (poll(pfd, 2, -1) == -1 && errno != EINTR) {
				log_err("poll: %s", strerror(errno));
				status = 1;
				break;
			}
			continue;
		}
		if (rc == -EMFILE || rc == -ENFILE || rc == -ENOBUFS ||
		    rc == -ENOMEM) {
			log_warn("accept: %s; pausing 100 ms", strerror(-rc));
			(void)poll(NULL, 0, 100);
			continue;
		}
		log_err("accept: %s", rc != -9999 ? strerror(-rc) :
		    "libfcgi error");
		status = 1;
		break;
	}
	FCGX_Finish_r(&req);
	app_fini();
	exit(status);
}
