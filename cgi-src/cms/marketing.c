/*
 * marketing.c: marketing materials in the CMS (B2), PERM_CMS_CONTENT:
 * list (every item, newest first, keyset-paged by id), create, edit,
 * unpublish.  An item is a short page (title, body) or a file, for one
 * customer group (A, B, C) or all, and one language (pl, en, de) or all.
 *
 * Files come as multipart uploads (the body parser already refuses what is
 * over max_upload_kb with 413); here a file is limited to MKT_MAX_BYTES
 * (413) and to the types in mkt_types by its extension (415); the type we
 * serve it with is ours, never the browser's.  It is stored OUTSIDE the web
 * root, in data_dir/marketing/XX/SHA256 (XX: the hash's first two digits),
 * written to a temporary name, fsync()ed and renamed, so a reader never
 * sees half a file and the same content is kept once.  Files are written
 * before the database transaction (which then only names the hash); a file
 * no row names is harmless.  The portal serves them via X-Accel-Redirect
 * (cgi-src/portal/marketing.c).  Every change is audited (auth_audit).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../auth/auth.h"
#include "cfg.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"
#include "util.h"

#define MKT_MAX_BYTES	(20 * 1024 * 1024)
#define MKT_CMS_PAGE	50
#define MKT_TITLE_MAX	200
#define MKT_BODY_MAX	20000

static const struct { const char *ext, *type; } mkt_types[] = {
	{ "pdf", "application/pdf" },
	{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "png", "image/png" }, { "webp", "image/webp" },
	{ "zip", "application/zip" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" },
	{ "pptx", "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation" },
};

/* The served type of a file name by its extension, or NULL. */
static const char *
mkt_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(mkt_types) / sizeof(mkt_types[0]); i++)
		if (strcasecmp(dot + 1, mkt_types[i].ext) == 0)
			return mkt_types[i].type;
	return NULL;
}

static int
valid_choice(const char *v, const char *const *ok)
{
	for (; *ok; ok++)
		if (strcmp(v, *ok) == 0)
			return 1;
	return 0;
}
static const char *const grps[] = { "", "A", "B", "C", NULL };
static const char *const langs[] = { "", "pl", "en", "de", NULL };

/* Store an upload by content hash under data_dir/marketing; sha_out gets
 * the hash.  0, or -1 (logged). */
static int
mkt_store(struct req *r, const struct upload *u, char sha_out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = NULL;
	const char *dir, *path, *tmp;
	char b[65536];
	FILE *in = NULL;
	int fd = -1, rc = -1;
	size_t n;

	if ((c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		goto out;
	if (u->data != NULL)
		EVP_DigestUpdate(c, u->data, u->size);
	else {
		if ((in = fopen(u->path, "rb")) == NULL) {
			log_err("marketing: %s: %s", u->path, strerror(errno));
			goto out;
		}
		while ((n = fread(b, 1, sizeof(b), in)) > 0)
			EVP_DigestUpdate(c, b, n);
		if (ferror(in))
			goto out;
	}
	EVP_DigestFinal_ex(c, md, &mdlen);
	util_hex(md, 32, sha_out);
	sha_out[64] = '\0';

	dir = arena_printf(r->arena, "%s/marketing", r->cfg->data_dir);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		goto fail_dir;
	dir = arena_printf(r->arena, "%s/%.2s", dir, sha_out);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		goto fail_dir;
	path = arena_printf(r->arena, "%s/%s", dir, sha_out);
	if (access(path, F_OK) == 0) {		/* the same content: kept once */
		rc = 0;
		goto out;
	}
	tmp = arena_printf(r->arena, "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0) {
		log_err("marketing: %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (u->data != NULL) {
		if (write(fd, u->data, u->size) != (ssize_t)u->size)
			goto fail_write;
	} else {
		rewind(in);
		while ((n = fread(b, 1, sizeof(b), in)) > 0)
			if (write(fd, b, n) != (ssize_t)n)
				goto fail_write;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail_write;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail_write;
	rc = 0;
	goto out;
fail_write:
	log_err("marketing: writing %s: %s", tmp, strerror(errno));
	unlink(tmp);
	goto out;
fail_dir:
	log_err("marketing: %s: %s", dir, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (in != NULL)
		fclose(in);
	EVP_MD_CTX_free(c);
	return rc;
}

static json_t *
choices(const char *const *vals, const char *sel, const char *all_label)
{
	json_t *a = json_array();

	for (; *vals; vals++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}",
		    "v", *vals, "t", **vals ? *vals : all_label,
		    "sel", strcmp(*vals, sel) == 0));
	return a;
}

/* The form (new: id 0) with values and an error message. */
static void
render_form(struct req *r, int status, int64_t id, const char *kind,
    const char *title, const char *body, const char *grp, const char *lang,
    const char *file_name, const char *error)
{
	json_t *ctx = page_ctx(r, id ? _("Edycja materiału") :
	    _("Nowy materiał marketingowy"), AREA_CMS);

	json_object_set_new(ctx, "item", json_pack(
	    "{s:I, s:b, s:s, s:s, s:s}", "id", (json_int_t)id,
	    "file", strcmp(kind, "file") == 0, "title", title, "body", body,
	    "file_name", file_name ? file_name : ""));
	json_object_set_new(ctx, "grps", choices(grps, grp, _("wszystkie")));
	json_object_set_new(ctx, "langs", choices(langs, lang,
	    _("wszystkie")));
	json_object_set_new(ctx, "max_mb", json_integer(MKT_MAX_BYTES >> 20));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	page_render(r, status, "cms/marketing_form.html", ctx);
}

/* GET /cms/marketing[?before=ID] */
void
cms_marketing_list(struct req *r)
{
	static const char q[] =
	    "SELECT id, kind, title, grp, lang, published_at, unpublished_at, "
	    "file_name FROM marketing_item WHERE id < ? ORDER BY id DESC "
	    "LIMIT ?";
	const char *before = req_query(r, "before");
	int64_t from = INT64_MAX, last = 0;
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	char *end;
	int n = 0;

	if (before != NULL) {
		from = strtoll(before, &end, 10);
		if (*before < '0' || *before > '9' || *end != '\0' ||
		    from <= 0) {
			page_error(r, 400, _("Nieprawidłowy numer strony."));
			return;
		}
	}
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, from);
	db_bind_int(st, 2, MKT_CMS_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		if (++n > MKT_CMS_PAGE)
			break;
		last = db_col_int(st, 0);
		json_array_append_new(rows, json_pack(
		    "{s:I, s:b, s:s, s:s, s:s, s:I, s:b, s:s}",
		    "id", (json_int_t)last,
		    "file", strcmp(db_col_text(st, 1), "file") == 0,
		    "title", db_col_text(st, 2), "grp", db_col_text(st, 3),
		    "lang", db_col_text(st, 4),
		    "published_at", (json_int_t)db_col_int(st, 5),
		    "unpublished", !db_col_is_null(st, 6),
		    "file_name", db_col_text(st, 7)));
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Materiały marketingowe"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "pager", json_pack("{s:s?, s:s?}",
	    "first", before ? "/cms/marketing" : NULL,
	    "next", n > MKT_CMS_PAGE ? arena_printf(r->arena,
	    "/cms/marketing?before=%" PRId64, last) : NULL));
	page_render(r, 200, "cms/marketing.html", ctx);
}

/* GET /cms/marketing/new */
void
cms_marketing_new(struct req *r)
{
	render_form(r, 200, 0, "file", "", "", "", "", NULL, NULL);
}

/* Read and check the form (fixed_kind: an existing item's kind, else
 * from the form); on a problem the form is answered and -1
 * returned.  *sha is set ("" when no file came). */
static int
read_form(struct req *r, int64_t id, const char *fixed_kind,
    const char **kind, const char **title,
    const char **body, const char **grp, const char **lang,
    const struct upload **file, const char **type, char sha[65])
{
	const char *err = NULL;
	int status = 400;

	*kind = fixed_kind ? fixed_kind : req_form(r, "kind");
	*title = req_form(r, "title");
	*body = req_form(r, "body");
	*grp = req_form(r, "grp");
	*lang = req_form(r, "lang");
	if (*kind == NULL || (strcmp(*kind, "file") != 0 &&
	    strcmp(*kind, "page") != 0))
		*kind = "page";
	if (*title == NULL) *title = "";
	if (*body == NULL) *body = "";
	if (*grp == NULL || !valid_choice(*grp, grps)) *grp = "";
	if (*lang == NULL || !valid_choice(*lang, langs)) *lang = "";
	*file = req_file(r, "file");
	if (*file != NULL && (*file)->size == 0 && *(*file)->filename == '\0')
		*file = NULL;		/* the empty file input */
	sha[0] = '\0';
	*type = NULL;
	if (**title == '\0' || strlen(*title) > MKT_TITLE_MAX)
		err = _("Podaj tytuł (do 200 znaków).");
	else if (strlen(*body) > MKT_BODY_MAX)
		err = _("Treść jest za długa.");
	else if (*file != NULL && (*file)->size > MKT_MAX_BYTES) {
		err = _("Plik jest za duży.");
		status = 413;
	} else if (*file != NULL &&
	    (*type = mkt_type((*file)->filename)) == NULL) {
		err = _("Niedozwolony rodzaj pliku. Dozwolone: PDF, JPG, PNG, "
		    "WEBP, ZIP, TXT, DOCX, XLSX, PPTX.");
		status = 415;
	} else if (id == 0 && strcmp(*kind, "file") == 0 && *file == NULL)
		err = _("Wybierz plik.");
	if (err != NULL) {
		render_form(r, status, id, *kind, *title, *body, *grp, *lang,
		    NULL, err);
		return -1;
	}
	if (strcmp(*kind, "page") == 0)
		*file = NULL;
	if (*file != NULL && mkt_store(r, *file, sha) != 0) {
		page_error(r, 500, NULL);
		return -1;
	}
	return 0;
}

/* POST /cms/marketing (multipart) */
void
cms_marketing_create(struct req *r)
{
	static const char q[] =
	    "INSERT INTO marketing_item (kind, title, body, grp, lang, "
	    "file_sha256, file_name, file_type, file_size, published_at, "
	    "created_by, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?10)";
	const char *kind, *title, *body, *grp, *lang, *type;
	const struct upload *f;
	char sha[65];
	sqlite3_stmt *st;
	int64_t now = auth_now(r->cfg), id;
	int rc;

	if (read_form(r, 0, NULL, &kind, &title, &body, &grp, &lang, &f, &type,
	    sha) != 0)
		return;
	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_text(st, 1, f ? "file" : "page");
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	db_bind_text(st, 4, grp);
	db_bind_text(st, 5, lang);
	if (f != NULL) {
		db_bind_text(st, 6, sha);
		db_bind_text(st, 7, f->filename);
		db_bind_text(st, 8, type);
		db_bind_int(st, 9, (int64_t)f->size);
	}
	db_bind_int(st, 10, now);
	db_bind_int(st, 11, r->session->user_id);
	if (db_step_done(r->db, st) != SQLITE_DONE)
		goto fail;
	id = db_last_rowid(r->db);
	if (auth_audit(r->db, r, 0, "marketing.create", "marketing", id, 0,
	    title) != 0 || db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, arena_printf(r->arena, "/cms/marketing/%"
	    PRId64, id));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* GET /cms/marketing/{id} */
void
cms_marketing_edit(struct req *r)
{
	static const char q[] = "SELECT kind, title, body, grp, lang, "
	    "file_name, unpublished_at FROM marketing_item WHERE id = ?";
	sqlite3_stmt *st;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[0]);
	if ((st = page_row(r, st)) == NULL)
		return;
	{
		const char *kind = arena_strdup(r->arena, db_col_text(st, 0));
		const char *title = arena_strdup(r->arena, db_col_text(st, 1));
		const char *body = arena_strdup(r->arena, db_col_text(st, 2));
		const char *grp = arena_strdup(r->arena, db_col_text(st, 3));
		const char *lang = arena_strdup(r->arena, db_col_text(st, 4));
		const char *fn = arena_strdup(r->arena, db_col_text(st, 5));
		int unpub = !db_col_is_null(st, 6);

		db_done(r->db, st);
		render_form(r, 200, r->iparam[0], kind, title, body, grp, lang,
		    fn, unpub ? _("Ten materiał jest wycofany.") : NULL);
	}
}

/* POST /cms/marketing/{id} (multipart): title, body, group, language; a
 * new file replaces the old one (file items only). */
void
cms_marketing_update(struct req *r)
{
	static const char q_kind[] =
	    "SELECT kind FROM marketing_item WHERE id = ?";
	static const char q[] =
	    "UPDATE marketing_item SET title = ?2, body = ?3, grp = ?4, "
	    "lang = ?5, updated_at = ?6, "
	    "file_sha256 = coalesce(?7, file_sha256), "
	    "file_name = coalesce(?8, file_name), "
	    "file_type = coalesce(?9, file_type), "
	    "file_size = coalesce(?10, file_size) WHERE id = ?1";
	const char *kind, *title, *body, *grp, *lang, *type;
	const struct upload *f;
	char sha[65];
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q_kind)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[0]);
	rc = db_step(r->db, st);
	kind = rc == SQLITE_ROW ? arena_strdup(r->arena, db_col_text(st, 0)) :
	    NULL;
	db_done(r->db, st);
	if (kind == NULL) {
		page_error(r, rc == SQLITE_DONE ? 404 : 500, NULL);
		return;
	}
	/* The kind stays what it was. */
	if (read_form(r, r->iparam[0], kind, &kind, &title, &body, &grp, &lang, &f,
	    &type, sha) != 0)
		return;
	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	db_bind_text(st, 4, grp);
	db_bind_text(st, 5, lang);
	db_bind_int(st, 6, auth_now(r->cfg));
	if (f != NULL) {
		db_bind_text(st, 7, sha);
		db_bind_text(st, 8, f->filename);
		db_bind_text(st, 9, type);
		db_bind_int(st, 10, (int64_t)f->size);
	}
	if (db_step_done(r->db, st) != SQLITE_DONE)
		goto fail;
	if (auth_audit(r->db, r, 0, "marketing.update", "marketing",
	    r->iparam[0], 0, title) != 0 || db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, arena_printf(r->arena, "/cms/marketing/%"
	    PRId64, r->iparam[0]));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /cms/marketing/{id}/unpublish */
void
cms_marketing_unpublish(struct req *r)
{
	static const char q[] =
	    "UPDATE marketing_item SET unpublished_at = ?2, updated_at = ?2 "
	    "WHERE id = ?1 AND unpublished_at IS NULL";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_int(st, 2, auth_now(r->cfg));
	if (db_step_done(r->db, st) != SQLITE_DONE)
		goto fail;
	if (db_changes(r->db) > 0 && auth_audit(r->db, r, 0,
	    "marketing.unpublish", "marketing", r->iparam[0], 0, NULL) != 0)
		goto fail;
	if (db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, "/cms/marketing");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
