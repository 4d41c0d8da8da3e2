/*
 * auth.h: accounts, sessions, permissions, passwords, second factor and the
 * audit log (issue 3: A1, A3, A6).  The API the portal's and the CMS's pages
 * use; the login, password and session pages themselves are in
 * auth_pages.h.
 *
 * How a request is authenticated: app.c calls session_load() once, before
 * routing.  The session cookie (`__Host-sid` behind HTTPS, `framuga_sid`
 * otherwise) holds 32 random bytes in hex; the database keeps only their
 * SHA-256, so a copy of the database does not hand out sessions.  One
 * indexed read (session JOIN user) finds the session, checks the idle
 * timeout (session_idle_min), the absolute one (session_max_hours), that
 * the user is not disabled and that their customer is active, and fills
 * r->session (arena memory).  last_seen_at is written at most once a minute,
 * so a busy user does not cost a database write per request.
 *
 * Permissions: a user's effective permissions are their roles' permissions
 * plus their direct grants (user_perm); for a customer user only customer
 * permissions count and only those of the modules enabled for their customer
 * (customer_module); staff get the cms.* ones their roles name.  The set is
 * computed at login and cached in the session row as a bitmask with the
 * user's perm_version; triggers in db/0003_accounts.sql bump perm_version on
 * any change of roles, grants or modules, and the next request of every
 * session of that user recomputes it.  So a revoked right is gone at the
 * user's next request, without a query per request.
 *
 * THE CUSTOMER-SCOPE RULE.  Every query that reads or writes customer data
 * binds r->session->customer_id (from auth_require_customer(), never from
 * the URL or a form) and, where the user is limited to a branch
 * (session->branch_id != 0), the branch too.  An object id in a URL is
 * looked up WITH the customer id in the WHERE clause; a row of another
 * customer is answered like a missing one (404), so ids are not probed.
 * Staff reach customer data only through CMS routes that name a cms.*
 * permission.
 *
 * Passwords: argon2id (libargon2) in the PHC string format
 * "$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH"; parameters from the
 * configuration (argon2_memory_kib, argon2_iterations, argon2_lanes).  A
 * hash with weaker parameters than configured is re-hashed at the next
 * successful login.  A hash takes argon2_memory_kib of memory for its
 * duration, so at most argon2_max_parallel hashes run at once across ALL
 * worker processes: each holds an flock()ed slot file under
 * data_dir/auth-slots (a crashed worker's lock goes with it); a request
 * that gets no slot within argon2_wait_ms answers 503.  The hash's memory
 * is mmap()ed and munmap()ed, so it returns to the system at once instead
 * of staying in the worker's heap.
 *
 * Times are unix seconds, UTC, from auth_now() (with test_routes = on the
 * e2e tests move the clock: see auth_now()).
 *
 * Memory: what these functions return lives in the request's arena (or
 * the caller's buffer, where one is passed) unless said otherwise.
 */
#ifndef FRAMUGA_AUTH_H
#define FRAMUGA_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "perm.h"

struct arena;
struct config;
struct db;
struct req;

/* One bit per enum perm. */
#define AUTH_BIT(p)		((uint64_t)1 << (unsigned)(p))
/* Permissions a customer's user can hold (orders.view .. users.manage). */
extern const uint64_t auth_customer_perms;
/* Permissions only staff hold (cms, cms.*). */
extern const uint64_t auth_staff_perms;

/* The logged-in user of a request (r->session).  Arena memory. */
struct session {
	int64_t		 id;		/* session row */
	int64_t		 user_id;
	int64_t		 customer_id;	/* 0 for staff */
	int64_t		 branch_id;	/* 0: the whole company */
	int		 is_staff;
	const char	*name;
	const char	*email;
	const char	*lang;		/* user's language, "" if none */
	const char	*customer_name;	/* "" for staff */
	uint64_t	 perms;		/* AUTH_BIT(PERM_...) set */
	/* Impersonation: the staff member who is looking through this
	 * account (0 / NULL when not impersonating). */
	int64_t		 impersonator_user_id;
	const char	*impersonator_name;
	const char	*csrf;		/* this session's form token (hex) */
	int64_t		 created_at;
	int64_t		 last_seen_at;
	int64_t		 expires_at;	/* absolute end */
	int		 totp_enabled;
	/* Staff without a second factor where totp_required_for_staff = on:
	 * only PERM_LOGIN until they enrol at /account/2fa. */
	int		 must_enrol_totp;
};

/* Results of the password and hashing functions. */
enum auth_rc {
	AUTH_OK = 0,
	AUTH_MISMATCH,		/* wrong password / code */
	AUTH_BUSY,		/* no hashing slot in time, or SQLITE_BUSY: 503 */
	AUTH_EXISTS,		/* e-mail already taken */
	AUTH_INVALID,		/* bad input (see the message) */
	AUTH_ERR = -1		/* logged */
};

/* ---- clock ------------------------------------------------------------------ */

/* Unix seconds.  Only when cfg->test_routes is on, the file named by
 * $FRAMUGA_CLOCK_SKEW_FILE, if it exists, sets the clock: "@T" stands at T,
 * "N" runs N seconds ahead (the e2e tests move time to expire sessions and
 * reset links, and hold it still to measure throttling delays). */
int64_t		 auth_now(const struct config *);

/* ---- sessions --------------------------------------------------------------- */

/* Cookie -> r->session, or NULL (no cookie, unknown, revoked, expired, user
 * disabled, customer not active).  A cookie that names no live session is
 * cleared in the response.  0, or -1 on a database error (logged; the
 * request goes on anonymous). */
int		 session_load(struct req *);
/* A new session for user_id (impersonator_user_id: the staff member who
 * impersonates, or 0), with a new token (rotation: a login never reuses
 * one); r->session becomes it and the cookie is sent with the response.
 * Also refreshes the user's last_login_at (not when impersonating).
 * Runs its own write transaction.  AUTH_OK, AUTH_BUSY or AUTH_ERR. */
int		 session_start(struct req *, int64_t user_id,
		    int64_t impersonator_user_id);
/* The same with an upper bound on the absolute expiry (0: none): an
 * impersonation does not outlive the staff member's own session, and
 * going back from one does not extend it. */
int		 session_start_until(struct req *, int64_t user_id,
		    int64_t impersonator_user_id, int64_t until);
/* Revoke the request's session (if any), set r->session to NULL and clear
 * the cookie. */
void		 session_end(struct req *);
/* For app.c, after the handler: Set-Cookie for a session started or ended
 * in this request (kept by session_load/start/end in the module's
 * per-request state, which session_load resets at every request). */
void		 auth_finish_response(struct req *);
/* The session cookie's name for this request. */
const char	*auth_cookie_name(const struct req *);
/* Revoke every live session of user_id but except_session_id (0: all).
 * Returns how many were revoked, or -1. */
int		 auth_revoke_user_sessions(struct db *, int64_t user_id,
		    int64_t except_session_id);
/* Disable (disabled = 1) or enable a user.  Disabling revokes all their
 * sessions at once, in the same transaction; both are audited with the
 * request's actor (r may be NULL: the command line).  AUTH_OK, AUTH_BUSY,
 * AUTH_ERR. */
int		 auth_user_set_disabled(struct db *, const struct req *,
		    int64_t user_id, int disabled);

/* ---- permissions --------------------------------------------------------------- */

/* The effective permissions of user_id (see above) into *out.  0 or -1. */
int		 auth_user_perms(struct db *, int64_t user_id, uint64_t *out);
/* enum perm by name ("orders.view"), or -1. */
int		 auth_perm_by_name(const char *);
/* Could granter give these permissions to another user of the given kind?
 * A customer user needs users.manage, grants only customer permissions and
 * only ones they hold themselves.  Staff need cms.users to grant customer
 * permissions, and cms.staff plus holding them to grant staff ones.  No one
 * grants while impersonating.  1 or 0.  (Nobody can raise their own rights:
 * see also auth_can_manage_user, which refuses oneself.) */
int		 auth_can_grant(const struct session *granter, uint64_t perms,
		    int target_is_staff);
/* May the session's user manage (edit, grant to, disable) target_user_id?
 * Never oneself.  A customer admin (users.manage): users of their own
 * customer (and, if they are limited to a branch, of that branch) whose
 * permissions are within their own.  Staff with cms.users: customer users;
 * with cms.staff: staff whose permissions are within their own.
 * 1 yes, 0 no (also for an unknown user), -1 database error. */
int		 auth_can_manage_user(struct db *, const struct session *,
		    int64_t target_user_id);
/* The caller's customer id for a customer-data page: > 0, or 0 after the
 * 403 page was answered (staff, anonymous).  See THE CUSTOMER-SCOPE RULE. */
int64_t		 auth_require_customer(struct req *);

/* ---- users ------------------------------------------------------------------------ */

struct auth_new_user {
	int64_t		 customer_id;	/* 0: staff */
	int64_t		 branch_id;	/* 0: whole company */
	const char	*email;
	const char	*name;
	const char	*lang;		/* NULL: "pl" */
	const char	*password;	/* NULL: none yet (set by a link) */
	const char	*role;		/* built-in role name, or NULL */
};
/* Create a user (and give the role); hashes the password (which must pass
 * auth_password_check: else AUTH_INVALID).  *id_out gets the new id.
 * Audited as "user.create" with r's actor (r may be NULL).  Runs its own
 * write transaction (or joins the caller's).  AUTH_OK, AUTH_EXISTS,
 * AUTH_INVALID, AUTH_BUSY, AUTH_ERR. */
int		 auth_user_create(struct db *, const struct req *,
		    const struct config *, const struct auth_new_user *,
		    int64_t *id_out);
/* Give or take a role by name (scope must fit the user).  0 or -1. */
int		 auth_user_add_role(struct db *, int64_t user_id,
		    const char *role);
int		 auth_user_remove_role(struct db *, int64_t user_id,
		    const char *role);
/* Queue a mail with a single-use link to /password/reset/TOKEN, valid one
 * hour (invite = 1: worded as "set your password" for a new account).
 * base_url: "https://portal.example" (no trailing slash).  Within a
 * caller's transaction or its own.  0 or -1. */
int		 auth_send_password_link(struct db *, const struct config *,
		    int64_t user_id, const char *base_url, int invite);
/* The portal's base URL for links in mail: public_origin, else the
 * request's scheme and Host. */
const char	*auth_base_url(struct req *);
/* Queue one mail (mail_outbox).  0 or -1. */
int		 auth_mail_queue(struct db *, int64_t now, const char *to,
		    const char *subject, const char *body_text);

/* ---- audit log -------------------------------------------------------------------- */

/* One audit_log row: when (auth_now, UTC), who (actor_user_id, else the
 * request's session user; the impersonator too), from where (the request's
 * remote address; "cli" without a request), what (action: "login.ok",
 * "login.fail", "logout", "password.change", "password.reset",
 * "totp.enable", "totp.disable", "session.end", "user.create",
 * "user.disable", "user.enable", "role.grant", "perm.grant",
 * "impersonate.start", "impersonate.end", "registration.approve", ...),
 * on what (target_type "user", "customer", "session", "role", ...,
 * target_id; "" / 0 for none), detail (free text, may be NULL; never a
 * secret).  customer_id of the target, when known, is for the CMS filter
 * (0: none).  0 or -1.  Joins the caller's transaction if there is one. */
int		 auth_audit(struct db *, const struct req *, int64_t actor_user_id,
		    const char *action, const char *target_type, int64_t target_id,
		    int64_t customer_id, const char *detail);

/* ---- passwords -------------------------------------------------------------------- */

/* Length limits, in characters (UTF-8 code points). */
#define AUTH_PW_MIN	10
#define AUTH_PW_MAX	128
enum auth_pw_problem {
	AUTH_PW_FINE = 0,
	AUTH_PW_SHORT,		/* under 10 characters */
	AUTH_PW_LONG,		/* over 128 */
	AUTH_PW_COMMON,		/* on the shipped list of common passwords */
	AUTH_PW_BAD_TEXT	/* not UTF-8, or control characters */
};
/* The rules: length only, no composition rules, not a common password
 * (compared in lower case; the list is compiled in and loaded into a hash
 * set once per process). */
enum auth_pw_problem auth_password_check(const char *pw);
/* A sentence for the form, translated (gettext). */
const char	*auth_password_problem_text(enum auth_pw_problem);
/* Is pw (any case) on the common list?  1 or 0. */
int		 auth_password_is_common(const char *pw);

/* A PHC argon2id string of pw with the configured parameters into out
 * (outsz >= AUTH_HASH_MAX).  Takes a hashing slot.  AUTH_OK, AUTH_BUSY,
 * AUTH_ERR. */
#define AUTH_HASH_MAX	192
int		 auth_password_hash(const struct config *, const char *pw,
		    char *out, size_t outsz);
/* Check pw against a stored PHC string (any argon2id parameters; "" or an
 * unparsable string never matches, after the same work).  Takes a slot.
 * AUTH_OK (matches), AUTH_MISMATCH, AUTH_BUSY, AUTH_ERR. */
int		 auth_password_verify(const struct config *, const char *encoded,
		    const char *pw);
/* 1 if encoded was made with other parameters than configured (so login
 * re-hashes it), else 0. */
int		 auth_password_needs_rehash(const struct config *,
		    const char *encoded);
/* How long a request waited for a hashing slot last time (ms), for logs
 * and the benchmark. */
long		 auth_hash_last_wait_ms(void);

/* ---- tokens --------------------------------------------------------------------- */

/* 32 random bytes (getrandom) as 64 hex digits into out[65]. */
void		 auth_token_new(char out[65]);
/* SHA-256 of the token's text as 64 hex digits into out[65]. */
void		 auth_token_hash(const char *token, char out[65]);

/* ---- second factor (TOTP, RFC 6238: SHA-1, 30 s, 6 digits, +-1 step) ----------- */

/* 20 random bytes as base32 (32 characters, no padding) into out[33]. */
void		 auth_totp_new_secret(char out[33]);
/* RFC 4648 base32 (upper or lower case, spaces and '=' ignored) into
 * out; returns the byte count or -1. */
int		 auth_base32_decode(const char *, unsigned char *out, size_t outsz);
/* HOTP (RFC 4226) of counter with key: the 6-digit code, or -1. */
int		 auth_hotp(const unsigned char *key, size_t keylen, uint64_t counter);
/* Check a 6-digit code against secret (base32) at time now, allowing one
 * step either side.  A step at or before last_step (replay) is refused.
 * On success *step_out is the matching step (store it as the new
 * last_step).  1 match, 0 no. */
int		 auth_totp_verify(const char *secret_b32, const char *code,
		    int64_t now, int64_t last_step, int64_t *step_out);
/* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&
 * digits=6&period=30 (arena). */
const char	*auth_totp_uri(struct arena *, const char *issuer,
		    const char *account, const char *secret_b32);

/* ---- login throttling ----------------------------------------------------------- */

/* Seconds to wait after `failures` failed attempts: 0 up to `free`, then
 * 1, 2, 4 ... doubling, never above cap_s.  A real user who waits that long
 * can always log in (the delay never locks an account for good). */
int64_t		 auth_throttle_delay(int failures, int free, int cap_s);

#endif
