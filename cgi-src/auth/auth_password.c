/*
 * auth_password.c: password rules, the common-password set, and argon2id
 * hashing with a cap on concurrent hashes across all worker processes.
 *
 * Rules (NIST SP 800-63B style): 10 to 128 characters (code points), any
 * characters but control ones, no composition rules, not on the list of
 * common passwords (db/common-passwords.txt, compiled in; loaded into an
 * open-addressing hash set on first use, once per process, and kept for the
 * life of the process).
 *
 * Hashing: argon2_ctx() with our own allocator, so the m KiB of a hash are
 * an mmap() of their own, returned with munmap() when the hash ends (glibc
 * would otherwise keep a freed 19 MiB block in the heap of every worker
 * that ever hashed).  The stored form is the PHC string
 * $argon2id$v=19$m=M,t=T,p=P$SALT$HASH (base64 without padding), 16-byte
 * salt, 32-byte hash; parsed and encoded here, verified by recomputing and
 * comparing in constant time.
 *
 * The cap: argon2_max_parallel files data_dir/auth-slots/slot.N; a hash
 * runs while holding flock(LOCK_EX) on one of them.  A worker polls the
 * slots (LOCK_NB) every 5 ms up to argon2_wait_ms; no slot: AUTH_BUSY (the
 * page answers 503).  A worker that dies holding a slot releases it with
 * its file descriptor.  The descriptors are opened on first use in each
 * process (after fork: a descriptor inherited across fork would share the
 * lock with the parent) and kept for the life of the process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <argon2.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "cfg.h"
#include "i18n.h"
#include "log.h"
#include "util.h"

/* From common_passwords.c, generated from db/common-passwords.txt. */
extern const char auth_common_passwords[];
extern const size_t auth_common_passwords_len;

#define SALT_LEN	16
#define HASH_LEN	32

/* ---- the common-password set (per process, never freed) ---- */

static const char **common_set;	/* pointers into auth_common_passwords */
static uint32_t *common_len;
static size_t common_cap;	/* power of two */

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
common_load(void)
{
	const char *p = auth_common_passwords;
	const char *end = p + auth_common_passwords_len;
	size_t n = 0;

	for (const char *q = p; q < end; q++)
		if (*q == '\n')
			n++;
	common_cap = 16;
	while (common_cap < n * 2)
		common_cap <<= 1;
	common_set = xcalloc(common_cap, sizeof(*common_set));
	common_len = xcalloc(common_cap, sizeof(*common_len));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t i = fnv1a(p, len) & (common_cap - 1);

		while (common_set[i] != NULL)
			i = (i + 1) & (common_cap - 1);
		common_set[i] = p;
		common_len[i] = (uint32_t)len;
		p += len + 1;
	}
}

int
auth_password_is_common(const char *pw)
{
	char low[AUTH_PW_MAX * 4 + 1];
	size_t n = strlen(pw), i;

	if (n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] + 32) :
		    pw[i];
	low[n] = '\0';
	if (common_set == NULL)
		common_load();
	for (i = fnv1a(low, n) & (common_cap - 1); common_set[i] != NULL;
	    i = (i + 1) & (common_cap - 1))
		if (common_len[i] == n && memcmp(common_set[i], low, n) == 0)
			return 1;
	return 0;
}

/* Code points of valid UTF-8 without control characters, or -1. */
static long
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p) {
		unsigned c = *p;
		int extra;

		if (c < 0x20 || c == 0x7f)
			return -1;
		if (c < 0x80)
			extra = 0;
		else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			extra = 1;
		else if ((c & 0xf0) == 0xe0)
			extra = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			extra = 3;
		else
			return -1;
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return -1;
		n++;
	}
	return n;
}

enum auth_pw_problem
auth_password_check(const char *pw)
{
	long n;

	if (pw == NULL)
		return AUTH_PW_SHORT;
	if (strlen(pw) > AUTH_PW_MAX * 4)
		return AUTH_PW_LONG;
	if ((n = utf8_chars(pw)) < 0)
		return AUTH_PW_BAD_TEXT;
	if (n < AUTH_PW_MIN)
		return AUTH_PW_SHORT;
	if (n > AUTH_PW_MAX)
		return AUTH_PW_LONG;
	if (auth_password_is_common(pw))
		return AUTH_PW_COMMON;
	return AUTH_PW_FINE;
}

const char *
auth_password_problem_text(enum auth_pw_problem p)
{
	switch (p) {
	case AUTH_PW_FINE:
		return "";
	case AUTH_PW_SHORT:
		return _("Hasło musi mieć co najmniej 10 znaków.");
	case AUTH_PW_LONG:
		return _("Hasło może mieć najwyżej 128 znaków.");
	case AUTH_PW_COMMON:
		return _("To hasło jest zbyt popularne i łatwe do odgadnięcia. "
		    "Wybierz inne, np. kilka niezwiązanych słów.");
	case AUTH_PW_BAD_TEXT:
	default:
		return _("Hasło zawiera niedozwolone znaki.");
	}
}

/* ---- base64 without padding (PHC); encoding is util_base64() ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decode up to the first '$' or NUL; returns bytes or -1. */
static int
b64_decode(const char *s, unsigned char *out, size_t outsz, const char **endp)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; *s && *s != '$'; s++) {
		const char *at = strchr(b64, *s);

		if (at == NULL)
			return -1;
		acc = (acc << 6) | (uint32_t)(at - b64);
		bits += 6;
		if (bits >= 8) {
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	*endp = s;
	return (int)o;
}

struct phc {
	uint32_t	 m, t, p;
	unsigned char	 salt[64];
	int		 saltlen;
	unsigned char	 hash[64];
	int		 hashlen;
};

static int
phc_parse(const char *s, struct phc *h)
{
	unsigned m, t, p;
	int n = 0;
	const char *e;

	if (s == NULL || strncmp(s, "$argon2id$v=19$", 15) != 0)
		return -1;
	s += 15;
	if (sscanf(s, "m=%u,t=%u,p=%u$%n", &m, &t, &p, &n) != 3 || n == 0)
		return -1;
	s += n;
	/* Bounds: nothing we would make, and nothing that could exhaust a
	 * worker if the database were tampered with. */
	if (m < 8 || m > 4194304 || t < 1 || t > 100 || p < 1 || p > 16 ||
	    m < 8 * p)
		return -1;
	h->m = m, h->t = t, h->p = p;
	if ((h->saltlen = b64_decode(s, h->salt, sizeof(h->salt), &e)) < 8 ||
	    *e != '$')
		return -1;
	if ((h->hashlen = b64_decode(e + 1, h->hash, sizeof(h->hash), &e)) <
	    16 || *e != '\0')
		return -1;
	return 0;
}

/* ---- hashing slots ---- */

static int *slot_fd;
static int slot_n;
static pid_t slot_pid;
static long last_wait_ms;

long
auth_hash_last_wait_ms(void)
{
	return last_wait_ms;
}

static int
slots_open(const struct config *cfg)
{
	char dir[4096], path[4200];

	if (slot_fd != NULL && slot_pid == getpid() &&
	    slot_n == cfg->argon2_max_parallel)
		return 0;
	if (slot_fd != NULL) {
		for (int i = 0; i < slot_n; i++)
			if (slot_fd[i] >= 0)
				close(slot_fd[i]);
		free(slot_fd);
		slot_fd = NULL;
	}
	snprintf(dir, sizeof(dir), "%s/auth-slots", cfg->data_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	slot_n = cfg->argon2_max_parallel;
	slot_fd = xcalloc((size_t)slot_n, sizeof(int));
	for (int i = 0; i < slot_n; i++) {
		snprintf(path, sizeof(path), "%s/slot.%d", dir, i);
		if ((slot_fd[i] = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
		    0600)) < 0) {
			log_err("open %s: %s", path, strerror(errno));
			for (int j = 0; j < i; j++)
				close(slot_fd[j]);
			free(slot_fd);
			slot_fd = NULL;
			return -1;
		}
	}
	slot_pid = getpid();
	return 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A slot index, or -1 (none in time: AUTH_BUSY), or -2 (error). */
static int
slot_take(const struct config *cfg)
{
	int64_t start = mono_ms(), deadline = start + cfg->argon2_wait_ms;

	if (slots_open(cfg) != 0)
		return -2;
	/* Start at a different slot in each process, so that waiters do
	 * not all fight over slot 0. */
	for (;;) {
		int first = (int)(getpid() % slot_n);

		for (int k = 0; k < slot_n; k++) {
			int i = (first + k) % slot_n;

			if (flock(slot_fd[i], LOCK_EX | LOCK_NB) == 0) {
				last_wait_ms = (long)(mono_ms() - start);
				return i;
			}
		}
		if (mono_ms() >= deadline) {
			last_wait_ms = (long)(mono_ms() - start);
			log_warn("no password hashing slot within %d ms",
			    cfg->argon2_wait_ms);
			return -1;
		}
		usleep(5000);
	}
}

static void
slot_give(int i)
{
	if (i >= 0 && slot_fd != NULL && i < slot_n)
		flock(slot_fd[i], LOCK_UN);
}

/* ---- argon2 with mmap'ed memory ---- */

static int
mmap_alloc(uint8_t **memory, size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return ARGON2_MEMORY_ALLOCATION_ERROR;
	*memory = p;
	return ARGON2_OK;
}

static void
mmap_free(uint8_t *memory, size_t n)
{
	if (memory != NULL)
		munmap(memory, n);
}

/* Raw argon2id of pw into out[outlen].  Takes a slot.  AUTH_OK, AUTH_BUSY,
 * AUTH_ERR. */
static int
argon2_raw(const struct config *cfg, const char *pw, const unsigned char *salt,
    size_t saltlen, uint32_t m, uint32_t t, uint32_t p, unsigned char *out,
    size_t outlen)
{
	argon2_context ctx;
	int slot, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = (uint32_t)outlen;
	ctx.pwd = (uint8_t *)(uintptr_t)pw;
	ctx.pwdlen = (uint32_t)strlen(pw);
	ctx.salt = (uint8_t *)(uintptr_t)salt;
	ctx.saltlen = (uint32_t)saltlen;
	ctx.t_cost = t;
	ctx.m_cost = m;
	ctx.lanes = p;
	ctx.threads = p;
	ctx.version = ARGON2_VERSION_13;
	ctx.allocate_cbk = mmap_alloc;
	ctx.free_cbk = mmap_free;
	ctx.flags = ARGON2_DEFAULT_FLAGS;

	if ((slot = slot_take(cfg)) < 0)
		return slot == -1 ? AUTH_BUSY : AUTH_ERR;
	rc = argon2id_ctx(&ctx);
	slot_give(slot);
	if (rc != ARGON2_OK) {
		log_err("argon2id: %s", argon2_error_message(rc));
		return AUTH_ERR;
	}
	return AUTH_OK;
}

int
auth_password_hash(const struct config *cfg, const char *pw, char *out,
    size_t outsz)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char s64[SALT_LEN * 2], h64[HASH_LEN * 2];
	int rc, n;

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return AUTH_ERR;
	rc = argon2_raw(cfg, pw, salt, sizeof(salt),
	    (uint32_t)cfg->argon2_memory_kib, (uint32_t)cfg->argon2_iterations,
	    (uint32_t)cfg->argon2_lanes, hash, sizeof(hash));
	if (rc != AUTH_OK)
		return rc;
	util_base64(salt, sizeof(salt), s64, 0);
	util_base64(hash, sizeof(hash), h64, 0);
	n = snprintf(out, outsz, "$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
	    cfg->argon2_memory_kib, cfg->argon2_iterations, cfg->argon2_lanes,
	    s64, h64);
	OPENSSL_cleanse(hash, sizeof(hash));
	return n > 0 && (size_t)n < outsz ? AUTH_OK : AUTH_ERR;
}

int
auth_password_verify(const struct config *cfg, const char *encoded,
    const char *pw)
{
	struct phc h;
	unsigned char got[64];
	int rc, bad = 0;

	if (phc_parse(encoded, &h) != 0) {
		/* Unknown user or no password yet: do the same work with the
		 * configured parameters, so the time does not tell. */
		memset(&h, 0, sizeof(h));
		h.m = (uint32_t)cfg->argon2_memory_kib;
		h.t = (uint32_t)cfg->argon2_iterations;
		h.p = (uint32_t)cfg->argon2_lanes;
		h.saltlen = SALT_LEN;
		h.hashlen = HASH_LEN;
		bad = 1;
	}
	rc = argon2_raw(cfg, pw, h.salt, (size_t)h.saltlen, h.m, h.t, h.p,
	    got, (size_t)h.hashlen);
	if (rc != AUTH_OK)
		return rc;
	rc = CRYPTO_memcmp(got, h.hash, (size_t)h.hashlen) == 0 && !bad ?
	    AUTH_OK : AUTH_MISMATCH;
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

int
auth_password_needs_rehash(const struct config *cfg, const char *encoded)
{
	struct phc h;

	if (phc_parse(encoded, &h) != 0)
		return 1;
	return h.m != (uint32_t)cfg->argon2_memory_kib ||
	    h.t != (uint32_t)cfg->argon2_iterations ||
	    h.p != (uint32_t)cfg->argon2_lanes || h.hashlen != HASH_LEN;
}
