/*
 * arena.c: bump allocator in malloc'd chunks, and a growable buffer.
 * See arena.h for the contract.  A chunk header links the chunks in a list,
 * newest first; the first chunk ever made stays at the end of the list and
 * survives arena_reset().
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "arena.h"

#define ARENA_ALIGN	16
#define ARENA_DEFAULT	(16 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 size;	/* usable bytes after the header */
	size_t		 used;
	/* data follows, aligned */
};

struct arena {
	struct chunk	*head;	/* chunk being filled */
	struct chunk	*first;	/* kept across resets */
	size_t		 chunk;
	size_t		 used;
	size_t		 held;
};

struct arena *arena_current;

#define CHUNK_HDR	((sizeof(struct chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

void
xoom(size_t n)
{
	/* No allocation here: stderr is unbuffered. */
	fprintf(stderr, "framuga: out of memory allocating %zu bytes\n", n);
	_exit(70);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xoom(n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		xoom(n * sz);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		xoom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static struct chunk *
chunk_new(struct arena *a, size_t size)
{
	struct chunk *c;

	if (size > SIZE_MAX - CHUNK_HDR)
		xoom(size);
	c = xmalloc(CHUNK_HDR + size);
	c->size = size;
	c->used = 0;
	a->held += CHUNK_HDR + size;
	return c;
}

struct arena *
arena_new(size_t chunk)
{
	struct arena *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->chunk = chunk ? chunk : ARENA_DEFAULT;
	a->first = a->head = chunk_new(a, a->chunk);
	a->first->next = NULL;
	return a;
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	if (arena_current == a)
		arena_current = NULL;
	free(a);
}

void
arena_reset(struct arena *a)
{
	struct chunk *c, *next;

	for (c = a->head; c != a->first; c = next) {
		next = c->next;
		a->held -= CHUNK_HDR + c->size;
		free(c);
	}
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
	a->used = 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}

size_t
arena_held(const struct arena *a)
{
	return a->held;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need;
	char *p;

	if (n > SIZE_MAX - ARENA_ALIGN)
		xoom(n);
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (c->size - c->used < need) {
		if (need > a->chunk / 4) {
			/* Big block: its own chunk, linked behind the head so
			 * the head's free space is not wasted. */
			struct chunk *big = chunk_new(a, need);
			big->used = need;
			big->next = c->next;
			c->next = big;
			if (c == a->first) {
				/* keep first at the tail: make big the head */
				c->next = big->next;
				big->next = c;
				a->head = big;
				/* the head is full; next small alloc makes a
				 * new chunk, which is fine */
			}
			a->used += need;
			return (char *)big + CHUNK_HDR;
		}
		c = chunk_new(a, a->chunk);
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c + CHUNK_HDR + c->used;
	c->used += need;
	a->used += need;
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		xoom(SIZE_MAX);
	p = arena_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n);

	if (n)
		memcpy(p, src, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/* --- struct buf ------------------------------------------------------- */

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->len - 1)
		xoom(SIZE_MAX);
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->p = xrealloc(b->p, b->cap);
}

void
buf_put(struct buf *b, const void *src, size_t n)
{
	if (n == 0)
		return;
	buf_grow(b, n);
	memcpy(b->p + b->len, src, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_cstr(struct buf *b)
{
	return b->p ? b->p : "";
}
