/*
 * sync_panel.c: the control panel of framuga-sync in the CMS (J5).
 *
 * Staff with PERM_CMS_SYNC see every operation of framuga-sync (its
 * schedule, its last run, its change backlog and open per-record failures)
 * and change the schedule: run now, run once after a delay, cancel that,
 * enable, disable, change the interval; per operation, the run history
 * (keyset paged, newest first) and the open failures with a retry button.
 *
 * How it works: every read and every change goes through
 * cgi-src/sync/schedule.h, the functions framuga-sync's command line uses,
 * so the panel and `framuga-sync schedule` behave alike.  A web request
 * never talks to the ERP: "run now" is "run once in 0 s", which cron's next
 * `framuga-sync --due` (each minute) carries out; the page says so.
 *
 * Actions are POST forms (CSRF checked by the router before the handler);
 * a good one answers 303 to the list (or the operation's page) with
 * ?done=ACTION&op=NAME, which the page shows as a translated notice, so no
 * cookie state is needed.  A value that does not validate (interval, delay)
 * re-shows the list with status 422, the typed value kept and the problem
 * named next to the field; nothing is written.  An unknown operation or
 * failure is 404; a busy database 503.
 *
 * Everything a handler builds lives in the request's arena (page.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"
#include "../sync/schedule.h"

#define SYNC_PANEL_RUNS		50	/* history rows per page */
#define SYNC_PANEL_FAILURES	200	/* open failures listed per operation */

/* The operations' names for people, in the order of doc/sync.md; an
 * operation missing here shows its own name. */
static const struct {
	const char	*name;
	const char	*label;		/* msgid */
} op_labels[] = {
	{ "rates", N_("Kursy walut") },
	{ "warehouses", N_("Magazyny") },
	{ "categories", N_("Kategorie") },
	{ "products", N_("Produkty") },
	{ "customers", N_("Klienci") },
	{ "prices", N_("Ceny") },
	{ "stock", N_("Stany magazynowe") },
	{ "rulesets", N_("Reguły konfiguratora") },
	{ "order_push", N_("Wysyłanie zamówień") },
	{ "orders", N_("Zamówienia") },
	{ "invoices", N_("Faktury") },
	{ "files", N_("Zdjęcia i pliki produktów") },
	{ "reconcile", N_("Pełne uzgodnienie") },
};

/* What ?done= may say, and the notice shown for it. */
static const struct {
	const char	*done;
	const char	*text;		/* msgid */
} notices[] = {
	{ "run", N_("uruchomi się przy najbliższym takcie crona "
	    "(w ciągu minuty).") },
	{ "once", N_("zaplanowano jednorazowe uruchomienie.") },
	{ "cancel", N_("odwołano jednorazowe uruchomienie.") },
	{ "enable", N_("harmonogram włączony.") },
	{ "disable", N_("harmonogram wyłączony; zaplanowane jednorazowe "
	    "uruchomienie nadal się wykona.") },
	{ "interval", N_("zmieniono interwał.") },
	{ "retry", N_("rekord zostanie ponowiony przy najbliższym takcie "
	    "crona.") },
	{ "retry_all", N_("wszystkie błędne rekordy zostaną ponowione przy "
	    "najbliższym takcie crona.") },
};

const char *
sync_panel_label(const char *name)
{
	for (size_t i = 0; i < sizeof(op_labels) / sizeof(op_labels[0]); i++)
		if (strcmp(op_labels[i].name, name) == 0)
			return _(op_labels[i].label);
	return name;
}

/* Copy s without the blanks around it into the arena. */
static char *
trim(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return arena_strdup(a, "");
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

int
sync_panel_parse_delay(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = 0;

	*out = 0;
	if (s == NULL || *s == '\0')
		return -1;
	if (strchr(s, ':') != NULL)
		return sched_hms_parse(s, out);
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 5)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (v * 60 > SCHED_INTERVAL_MAX)
		return -1;
	*out = v * 60;
	return 0;
}

const char *
sync_panel_duration(struct arena *a, int64_t ms)
{
	char hms[32];

	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		return arena_printf(a, "%s ms", i18n_number(a, ms, 0));
	if (ms < 60000)
		return arena_printf(a, "%s s", i18n_number(a, ms / 100, 1));
	sched_hms_format(ms / 1000, hms, sizeof(hms));
	return arena_strdup(a, hms);
}

/* "2026-01-05T10:00:00Z" for <time datetime>, or "" for 0. */
static const char *
iso_time(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char *s;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return "";
	s = arena_alloc(a, 32);
	if (strftime(s, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return "";
	return s;
}

static void
set_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new_nocheck(o, k, json_integer((json_int_t)v));
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new_nocheck(o, k, json_string(v != NULL ? v : ""));
}

static void
set_bool(json_t *o, const char *k, int v)
{
	json_object_set_new_nocheck(o, k, json_boolean(v));
}

static void
set_time(struct arena *a, json_t *o, const char *k, const char *kiso,
    int64_t t)
{
	set_int(o, k, t > 0 ? t : 0);
	set_str(o, kiso, iso_time(a, t));
}

/* A run's status for people, and a word for the CSS class. */
static const char *
status_text(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return _("poprawnie");
	if (strcmp(status, "partial") == 0)
		return _("częściowo");
	if (strcmp(status, "failed") == 0)
		return _("błąd");
	if (strcmp(status, "running") == 0)
		return _("w toku");
	return status;
}

/* An operation as the list and the operation's page show it. */
static json_t *
op_json(struct req *r, const struct sched_op *op, int64_t now)
{
	json_t *o = json_object(), *last;
	char hms[32];
	int running = op->lock_owner[0] != '\0' && op->lock_until > now;

	set_str(o, "name", op->name);
	set_str(o, "label", sync_panel_label(op->name));
	set_bool(o, "enabled", op->enabled);
	sched_hms_format(op->interval_s, hms, sizeof(hms));
	set_str(o, "interval", hms);
	set_str(o, "interval_value", hms);
	set_str(o, "delay_value", "");
	set_bool(o, "running", running);
	if (running)
		set_time(r->arena, o, "lock_until", "lock_until_iso",
		    op->lock_until);
	/* Next run: only what the interval schedule says; the run-once is
	 * shown beside it. */
	if (op->enabled && op->next_run_at <= now)
		set_bool(o, "next_due", 1);
	else if (op->enabled)
		set_time(r->arena, o, "next_at", "next_iso", op->next_run_at);
	if (op->run_once_at > 0) {
		set_time(r->arena, o, "once_at", "once_iso", op->run_once_at);
		set_bool(o, "once_due", op->run_once_at <= now);
	}
	set_int(o, "backlog", op->backlog);
	set_int(o, "open_failures", op->open_failures);
	set_int(o, "failures", op->failures);
	set_time(r->arena, o, "last_full_at", "last_full_iso",
	    op->last_full_at);
	if (op->last_run_id > 0) {
		last = json_object();
		set_int(last, "id", op->last_run_id);
		set_time(r->arena, last, "started_at", "started_iso",
		    op->last_started_at);
		if (strcmp(op->last_status, "running") != 0)
			set_str(last, "duration", sync_panel_duration(r->arena,
			    op->last_duration_ms));
		set_str(last, "status", op->last_status);
		set_str(last, "status_text", status_text(op->last_status));
		set_int(last, "fetched", op->last_fetched);
		set_int(last, "upserted", op->last_upserted);
		set_int(last, "deleted", op->last_deleted);
		set_int(last, "failed", op->last_failed);
		set_int(last, "acked", op->last_acked);
		set_str(last, "error", op->last_error);
		json_object_set_new_nocheck(o, "last", last);
	}
	return o;
}

/* The notice for ?done=X&op=Y (both checked), or NULL. */
static json_t *
notice_json(struct req *r, const char *want_op)
{
	const char *done = req_query(r, "done"), *op = req_query(r, "op");
	struct sched_op so;

	if (done == NULL || op == NULL)
		return NULL;
	if (want_op != NULL && strcmp(op, want_op) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(notices) / sizeof(notices[0]); i++) {
		if (strcmp(notices[i].done, done) != 0)
			continue;
		if (sched_get(r->db, op, &so, NULL, 0) != 0)
			return NULL;
		return json_pack("{s:s, s:s, s:s}", "op", so.name,
		    "label", sync_panel_label(so.name),
		    "text", _(notices[i].text));
	}
	return NULL;
}

/* A field that did not validate, to re-show (422). */
struct field_error {
	const char	*op;		/* the row */
	const char	*field;		/* "interval" or "delay" */
	const char	*typed;
	const char	*message;
};

/* The list, with status and (for a 422) the field to mark. */
static void
render_list(struct req *r, int status, const struct field_error *fe)
{
	json_t *ctx, *rows, *row, *n;
	struct sched_op *ops;
	size_t nops;
	char err[256];
	int64_t now = sched_now();

	if (sched_list(r->db, r->arena, &ops, &nops, err, sizeof(err)) != 0) {
		log_err("sync panel: %s", err);
		page_error(r, 500, NULL);
		return;
	}
	ctx = page_ctx(r, _("Synchronizacja z ERP"), AREA_CMS);
	rows = json_array();
	for (size_t i = 0; i < nops; i++) {
		row = op_json(r, &ops[i], now);
		if (fe != NULL && strcmp(fe->op, ops[i].name) == 0) {
			if (strcmp(fe->field, "interval") == 0) {
				set_str(row, "interval_value", fe->typed);
				set_str(row, "interval_error", fe->message);
			} else {
				set_str(row, "delay_value", fe->typed);
				set_str(row, "delay_error", fe->message);
			}
		}
		json_array_append_new(rows, row);
	}
	json_object_set_new(ctx, "ops", rows);
	if (fe != NULL)
		json_object_set_new(ctx, "problem", json_pack("{s:s, s:s, s:s}",
		    "id", arena_printf(r->arena, "%s-%s", fe->field, fe->op),
		    "label", sync_panel_label(fe->op),
		    "message", fe->message));
	else if ((n = notice_json(r, NULL)) != NULL)
		json_object_set_new(ctx, "notice", n);
	page_render(r, status, "cms/sync.html", ctx);
}

/* GET /cms/sync (PERM_CMS_SYNC) */
void
sync_panel_list(struct req *r)
{
	render_list(r, 200, NULL);
}

/* Parse ?before=ID: a positive decimal (the id of the last run shown). */
static int
parse_before(const char *s, int64_t *out)
{
	int64_t v = 0;

	*out = 0;
	if (s == NULL)
		return 0;
	if (*s < '1' || *s > '9')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_C(1) << 53) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* The operation named by the route, into op; 0, or -1 after answering
 * (404 unknown, 500 otherwise). */
static int
route_op(struct req *r, struct sched_op *op)
{
	char err[256];

	if (sched_get(r->db, r->param[0], op, err, sizeof(err)) == 0)
		return 0;
	/* schedule.h: an unknown name says "no such operation" */
	if (strncmp(err, "no such operation", 17) == 0)
		page_error(r, 404, NULL);
	else {
		log_err("sync panel: %s", err);
		page_error(r, 500, NULL);
	}
	return -1;
}

/* GET /cms/sync/{op}[?before=ID] (PERM_CMS_SYNC) */
void
sync_panel_show(struct req *r)
{
	struct sched_op op;
	struct sched_run *runs;
	struct sched_failure *fails;
	size_t nruns, nfails, shown;
	json_t *ctx, *a, *o, *n;
	int64_t before, now = sched_now();
	char err[256];

	if (parse_before(req_query(r, "before"), &before) != 0) {
		page_error(r, 400, _("Nieprawidłowy numer strony."));
		return;
	}
	if (route_op(r, &op) != 0)
		return;
	if (sched_runs(r->db, r->arena, op.name, before, SYNC_PANEL_RUNS + 1,
	    &runs, &nruns, err, sizeof(err)) != 0 ||
	    sched_failures(r->db, r->arena, op.name, SYNC_PANEL_FAILURES,
	    &fails, &nfails, err, sizeof(err)) != 0) {
		log_err("sync panel: %s", err);
		page_error(r, 500, NULL);
		return;
	}
	ctx = page_ctx(r, sync_panel_label(op.name), AREA_CMS);
	json_object_set_new(ctx, "op", op_json(r, &op, now));

	shown = nruns > SYNC_PANEL_RUNS ? SYNC_PANEL_RUNS : nruns;
	a = json_array();
	for (size_t i = 0; i < shown; i++) {
		o = json_object();
		set_int(o, "id", runs[i].id);
		set_time(r->arena, o, "started_at", "started_iso",
		    runs[i].started_at);
		set_time(r->arena, o, "finished_at", "finished_iso",
		    runs[i].finished_at);
		if (strcmp(runs[i].status, "running") != 0)
			set_str(o, "duration", sync_panel_duration(r->arena,
			    runs[i].duration_ms));
		set_str(o, "mode", runs[i].mode);
		set_str(o, "status", runs[i].status);
		set_str(o, "status_text", status_text(runs[i].status));
		set_int(o, "fetched", runs[i].fetched);
		set_int(o, "upserted", runs[i].upserted);
		set_int(o, "deleted", runs[i].deleted);
		set_int(o, "failed", runs[i].failed);
		set_int(o, "acked", runs[i].acked);
		set_str(o, "error", runs[i].error);
		json_array_append_new(a, o);
	}
	json_object_set_new(ctx, "runs", a);
	if (nruns > SYNC_PANEL_RUNS)
		json_object_set_new(ctx, "next", json_string(arena_printf(
		    r->arena, "%" PRId64, runs[shown - 1].id)));
	set_bool(ctx, "paged", before > 0);

	a = json_array();
	for (size_t i = 0; i < nfails; i++) {
		o = json_object();
		set_int(o, "id", fails[i].id);
		set_str(o, "entity", fails[i].entity);
		set_str(o, "uuid", fails[i].uuid);
		set_str(o, "reason", fails[i].reason);
		set_int(o, "attempts", fails[i].attempts);
		set_time(r->arena, o, "first_at", "first_iso",
		    fails[i].first_at);
		set_time(r->arena, o, "last_at", "last_iso", fails[i].last_at);
		if (fails[i].next_retry_at > now)
			set_time(r->arena, o, "retry_at", "retry_iso",
			    fails[i].next_retry_at);
		json_array_append_new(a, o);
	}
	json_object_set_new(ctx, "fails", a);
	set_int(ctx, "fails_shown", (int64_t)nfails);
	set_bool(ctx, "fails_more", op.open_failures > (int64_t)nfails);
	if ((n = notice_json(r, op.name)) != NULL)
		json_object_set_new(ctx, "notice", n);
	page_render(r, 200, "cms/sync_op.html", ctx);
}

/* After a schedule function failed with err: 503 if the database was
 * busy (try again), else 500.  The message is logged. */
static void
write_failed(struct req *r, const char *err)
{
	log_err("sync panel: %s %s: %s", r->method_name ? r->method_name :
	    "?", r->path, err);
	if (strstr(err, "busy") != NULL)
		page_error(r, 503, NULL);
	else
		page_error(r, 500, NULL);
}

static void
done(struct req *r, const char *page_op, const char *what, const char *op)
{
	if (page_op != NULL)
		resp_redirect(r, 303, arena_printf(r->arena,
		    "/cms/sync/%s?done=%s&op=%s", page_op, what, op));
	else
		resp_redirect(r, 303, arena_printf(r->arena,
		    "/cms/sync?done=%s&op=%s#op-%s", what, op, op));
}

/* POST /cms/sync/{op}/run: run once in 0 s (cron's next tick runs it). */
void
sync_panel_run(struct req *r)
{
	struct sched_op op;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	if (sched_run_once_in(r->db, op.name, 0, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, NULL, "run", op.name);
}

/* POST /cms/sync/{op}/once, delay=MINUTES or hh:mm:ss */
void
sync_panel_once(struct req *r)
{
	struct sched_op op;
	struct field_error fe;
	const char *typed;
	int64_t delay;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	typed = trim(r->arena, req_form(r, "delay"));
	if (sync_panel_parse_delay(typed, &delay) != 0) {
		fe.op = op.name;
		fe.field = "delay";
		fe.typed = typed;
		fe.message = _("Podaj opóźnienie w minutach (np. 30) albo jako "
		    "gg:mm:ss (np. 01:30:00), najwyżej 999:59:59.");
		render_list(r, 422, &fe);
		return;
	}
	if (sched_run_once_in(r->db, op.name, delay, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, NULL, "once", op.name);
}

/* POST /cms/sync/{op}/cancel: drop a pending run-once. */
void
sync_panel_cancel(struct req *r)
{
	struct sched_op op;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	if (sched_run_once_cancel(r->db, op.name, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, NULL, "cancel", op.name);
}

static void
set_enabled(struct req *r, int on)
{
	struct sched_op op;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	if (sched_set_enabled(r->db, op.name, on, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, NULL, on ? "enable" : "disable", op.name);
}

/* POST /cms/sync/{op}/enable */
void
sync_panel_enable(struct req *r)
{
	set_enabled(r, 1);
}

/* POST /cms/sync/{op}/disable */
void
sync_panel_disable(struct req *r)
{
	set_enabled(r, 0);
}

/* POST /cms/sync/{op}/interval, interval=hh:mm:ss */
void
sync_panel_interval(struct req *r)
{
	struct sched_op op;
	struct field_error fe;
	const char *typed;
	int64_t secs;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	typed = trim(r->arena, req_form(r, "interval"));
	if (sched_hms_parse(typed, &secs) != 0) {
		fe.op = op.name;
		fe.field = "interval";
		fe.typed = typed;
		fe.message = _("Podaj interwał jako gg:mm:ss, od 00:00:01 do "
		    "999:59:59 (np. 00:15:00).");
		render_list(r, 422, &fe);
		return;
	}
	if (sched_set_interval(r->db, op.name, secs, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, NULL, "interval", op.name);
}

/* POST /cms/sync/{op}/failures/{id}/retry: the failure is retried at the
 * operation's next run, which is asked for now (sched_failure_retry:
 * next_retry_at = 0, the contract framuga-sync's retry pass honours). */
void
sync_panel_retry(struct req *r)
{
	static const char q_open[] =
	    "SELECT 1 FROM sync_failure"
	    " WHERE id = ?1 AND operation = ?2 AND resolved = 0";
	struct sched_op op;
	sqlite3_stmt *st;
	char err[256];
	int rc;

	if (route_op(r, &op) != 0)
		return;
	/* Only an open failure of this operation: anything else is 404 and
	 * changes nothing (no run is asked for). */
	if ((st = db_prepare(r->db, q_open)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[1]);
	db_bind_text(st, 2, op.name);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_ROW) {
		page_error(r, rc == SQLITE_DONE ? 404 : 500, NULL);
		return;
	}
	if (sched_failure_retry(r->db, op.name, r->iparam[1], err,
	    sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, op.name, "retry", op.name);
}

/* POST /cms/sync/{op}/failures/retry: every open failure of op. */
void
sync_panel_retry_all(struct req *r)
{
	struct sched_op op;
	char err[256];

	if (route_op(r, &op) != 0)
		return;
	if (sched_failure_retry(r->db, op.name, 0, err, sizeof(err)) != 0) {
		write_failed(r, err);
		return;
	}
	done(r, op.name, "retry_all", op.name);
}
