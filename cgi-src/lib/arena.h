/*
 * arena.h: the per-request memory arena.
 *
 * Everything a request allocates comes from one arena, and the worker frees
 * it all with one arena_reset() at the bottom of its accept loop.  Memory is
 * taken from malloc in chunks; an allocation larger than a quarter chunk gets
 * a chunk of its own.  arena_reset() keeps the first chunk (so a worker's
 * steady state makes no malloc calls for small requests) and returns every
 * other chunk to malloc, so one huge request does not pin memory for the life
 * of the worker.
 *
 * Also here: struct buf, a growable byte buffer whose storage comes from
 * malloc (not the arena) so that it can grow in place; a worker keeps its
 * output buffers across requests and calls buf_reset() between them.
 */
#ifndef FRAMUGA_ARENA_H
#define FRAMUGA_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena whose chunks are at least chunk bytes (0: 16 KiB).  NULL on
 * out of memory.  Free with arena_free(). */
struct arena	*arena_new(size_t chunk);
void		 arena_free(struct arena *);
/* Forget every allocation; keep the first chunk, free the others. */
void		 arena_reset(struct arena *);
/* Bytes handed out since the last reset, and bytes held from malloc. */
size_t		 arena_used(const struct arena *);
size_t		 arena_held(const struct arena *);

/* Allocation never returns NULL: on out of memory the process logs and
 * exits (a worker is restarted by the master; see pool.c). Aligned to 16. */
void		*arena_alloc(struct arena *, size_t);
void		*arena_calloc(struct arena *, size_t nmemb, size_t size);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
void		*arena_memdup(struct arena *, const void *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* The arena that the current request uses, for code (the jansson allocator
 * hooks, i18n) that cannot be handed one.  Set by the worker loop. */
extern struct arena *arena_current;

struct buf {
	char	*p;	/* always NUL-terminated when len > 0 or after buf_cstr */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void		 buf_reset(struct buf *);	/* len = 0, keeps storage */
void		 buf_free(struct buf *);	/* frees storage */
void		 buf_grow(struct buf *, size_t extra);
void		 buf_put(struct buf *, const void *, size_t);
void		 buf_puts(struct buf *, const char *);
void		 buf_putc(struct buf *, char);
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
const char	*buf_cstr(struct buf *);	/* "" for an empty buffer */

/* Fatal out-of-memory exit used by arena and buf; logs once. */
void		 xoom(size_t) __attribute__((noreturn));
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);

#endif
