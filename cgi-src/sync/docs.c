/*
 * docs.c: ERP documents into the file store: invoice PDFs and KSeF XML
 * (E6) and product photos and files (C1).
 *
 * The file store.  A file lives at DATA_DIR/store/XX/HASH, where HASH is
 * the lowercase hex SHA-256 of its content and XX its first two
 * characters; the name is made by the server, never by the ERP, and one
 * content is stored once however many rows refer to it.  Rows refer to it
 * by hash (invoice.pdf_sha256, product_file.sha256 + stored); the web side
 * authorises a download and hands the path to nginx (X-Accel-Redirect).
 *
 * How it works: the content streams from the ERP client (base64 decoded in
 * pieces) into a temporary file in DATA_DIR/store/tmp while its SHA-256 is
 * computed; it is checked against the size and hash the ERP declared,
 * fsync'd and renamed into place (or dropped if that content is already
 * stored).  Then one short transaction records it, guarded by the row's
 * erp_hash so that a document fetched for an older version of an invoice
 * is not recorded over a newer one.  No transaction is open while the ERP
 * is asked.  Each run fetches at most opts.docs_max documents; what is
 * left waits for the next run.
 *
 * Thumbnails (C1): a product photo of a raster type (JPEG, PNG, WebP,
 * GIF, the ones the product page shows as images) gets its thumbnails
 * made right after it is in the store and before its row says stored, so
 * the page finds them as soon as it shows the photo (thumb.h: the files
 * sit next to the original).  A photo that does not decode, or is too
 * large, is logged and left without thumbnails: the page shows the
 * original, and the run goes on.  `framuga-admin thumbs` makes what is
 * missing for files stored before.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "sync.h"
#include "thumb.h"
#include "util.h"

struct sink {
	int		 fd;
	EVP_MD_CTX	*md;
	int64_t		 size;
	int		 werr;
};

static int
sink_write(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;
	const char *p = buf;
	ssize_t w;

	EVP_DigestUpdate(s->md, buf, len);
	s->size += (int64_t)len;
	while (len > 0) {
		if ((w = write(s->fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			s->werr = errno;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
mkdirs(const char *path)
{
	char tmp[1024];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0750) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Path of a stored content (hash: 64 hex). */
static void
store_path(struct sctx *x, const char *hash, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/store/%.2s/%s", x->cfg->data_dir, hash, hash);
}

static int
stored(struct sctx *x, const char *hash)
{
	char path[1024];
	struct stat sb;

	if (strlen(hash) != 64)
		return 0;
	store_path(x, hash, path, sizeof(path));
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Fetch a document into the store.  0 (hash, size set), or the ERP error
 * (ERP_E_LOCAL for local trouble, with why). */
static enum erp_err
fetch(struct sctx *x, enum erp_doc kind, const char *uuid, char hash[65],
    int64_t *size, char *why, size_t whysz)
{
	struct erp_file_meta meta;
	struct sink s;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char dir[1024], tmp[1100], final[1100];
	enum erp_err e;

	*why = '\0';
	snprintf(dir, sizeof(dir), "%s/store/tmp", x->cfg->data_dir);
	if (mkdirs(dir) == -1) {
		snprintf(why, whysz, "cannot create %.400s: %s", dir,
		    strerror(errno));
		return ERP_E_LOCAL;
	}
	snprintf(tmp, sizeof(tmp), "%s/doc.XXXXXX", dir);
	memset(&s, 0, sizeof(s));
	if ((s.fd = mkstemp(tmp)) == -1) {
		snprintf(why, whysz, "mkstemp in %.400s: %s", dir, strerror(errno));
		return ERP_E_LOCAL;
	}
	s.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
	e = erp_document(x->erp, kind, uuid, sink_write, &s, &meta);
	EVP_DigestFinal_ex(s.md, md, &mdlen);
	EVP_MD_CTX_free(s.md);
	util_hex(md, mdlen < 32 ? mdlen : 32, hash);
	*size = s.size;
	if (e == ERP_OK && s.werr != 0) {
		snprintf(why, whysz, "writing %.400s: %s", tmp, strerror(s.werr));
		e = ERP_E_LOCAL;
	} else if (e == ERP_OK && meta.sha256[0] != '\0' &&
	    strcmp(meta.sha256, hash) != 0) {
		snprintf(why, whysz, "content does not match its declared "
		    "sha256");
		e = ERP_E_PROTOCOL;
	} else if (e == ERP_OK && meta.size > 0 && meta.size != s.size) {
		snprintf(why, whysz, "content is %lld bytes, declared %lld",
		    (long long)s.size, (long long)meta.size);
		e = ERP_E_PROTOCOL;
	}
	if (e == ERP_OK && fsync(s.fd) == -1) {
		snprintf(why, whysz, "fsync: %s", strerror(errno));
		e = ERP_E_LOCAL;
	}
	close(s.fd);
	if (e != ERP_OK) {
		unlink(tmp);
		return e;
	}
	store_path(x, hash, final, sizeof(final));
	snprintf(dir, sizeof(dir), "%s/store/%.2s", x->cfg->data_dir, hash);
	if (stored(x, hash)) {
		unlink(tmp);	/* the same content is there already */
		return ERP_OK;
	}
	if (mkdirs(dir) == -1 || chmod(tmp, 0640) == -1 ||
	    rename(tmp, final) == -1) {
		snprintf(why, whysz, "storing %.400s: %s", final, strerror(errno));
		unlink(tmp);
		return ERP_E_LOCAL;
	}
	return ERP_OK;
}

static void
doc_failed(struct sctx *x, const char *what, const char *uuid, enum erp_err e,
    const char *why)
{
	x->n.failed++;
	x->partial = 1;
	if (e == ERP_E_LOCAL || why[0] != '\0')
		log_warn("%s: %s %s: %s", x->op, what, uuid, why);
	else
		log_warn("%s: %s %s: %s: %s", x->op, what, uuid,
		    erp_err_name(e), erp_last_error(x->erp)->message);
	/* the ERP or this disk is in trouble: stop fetching for this run */
	if (e == ERP_E_AUTH || e == ERP_E_LOCAL || erp_err_transient(e))
		sync_fail_erp(x, what, e);
}

int
sync_docs_invoices(struct sctx *x)
{
	static const char sql_sel[] =
	    "SELECT erp_uuid, erp_hash, pdf_sha256 IS NULL, xml_sha256 IS NULL"
	    " FROM invoice WHERE pdf_sha256 IS NULL OR xml_sha256 IS NULL"
	    " ORDER BY id LIMIT ?";
	/* '' : the ERP has no such document (NOT_FOUND) */
	static const char sql_set[] =
	    "UPDATE invoice SET"
	    " pdf_sha256 = CASE WHEN ?3 THEN ?4 ELSE pdf_sha256 END,"
	    " pdf_size = CASE WHEN ?3 THEN ?5 ELSE pdf_size END,"
	    " xml_sha256 = CASE WHEN ?6 THEN ?7 ELSE xml_sha256 END,"
	    " xml_size = CASE WHEN ?6 THEN ?8 ELSE xml_size END,"
	    " docs_fetched_at = ?9 WHERE erp_uuid = ?1 AND erp_hash = ?2";
	struct todo {
		const char *uuid;
		int64_t hash;
		int pdf, xml;
	} *todo;
	char pdf[65], xml[65], why[512];
	int64_t pdf_size = 0, xml_size = 0;
	sqlite3_stmt *st;
	size_t n = 0, i;
	enum erp_err e;
	int rc;

	todo = arena_calloc(x->batch, (size_t)x->opts.docs_max, sizeof(*todo));
	if ((st = db_prepare(x->db, sql_sel)) == NULL)
		goto dberr;
	db_bind_int(st, 1, x->opts.docs_max);
	while ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		todo[n].uuid = arena_strdup(x->batch, db_col_text(st, 0));
		todo[n].hash = db_col_int(st, 1);
		todo[n].pdf = (int)db_col_int(st, 2);
		todo[n].xml = (int)db_col_int(st, 3);
		n++;
	}
	db_done(x->db, st);
	if (rc != SQLITE_DONE)
		goto dberr;
	for (i = 0; i < n && !x->failed; i++) {
		pdf[0] = xml[0] = '\0';
		pdf_size = xml_size = 0;
		if (todo[i].pdf) {
			e = fetch(x, ERP_DOC_INVOICE_PDF, todo[i].uuid, pdf,
			    &pdf_size, why, sizeof(why));
			if (e == ERP_E_NOT_FOUND) {
				pdf[0] = '\0';
				pdf_size = 0;
			}
			else if (e != ERP_OK) {
				doc_failed(x, "invoice PDF", todo[i].uuid, e,
				    why);
				continue;
			}
		}
		if (todo[i].xml) {
			e = fetch(x, ERP_DOC_INVOICE_XML, todo[i].uuid, xml,
			    &xml_size, why, sizeof(why));
			if (e == ERP_E_NOT_FOUND) {
				xml[0] = '\0';
				xml_size = 0;
			}
			else if (e != ERP_OK) {
				doc_failed(x, "invoice XML", todo[i].uuid, e,
				    why);
				continue;
			}
		}
		if (db_begin_write(x->db) != SQLITE_OK)
			goto dberr;
		if ((st = db_prepare(x->db, sql_set)) == NULL) {
			db_rollback(x->db);
			goto dberr;
		}
		db_bind_text(st, 1, todo[i].uuid);
		db_bind_int(st, 2, todo[i].hash);
		db_bind_int(st, 3, todo[i].pdf);
		db_bind_text(st, 4, pdf);
		db_bind_int(st, 5, pdf_size);
		db_bind_int(st, 6, todo[i].xml);
		db_bind_text(st, 7, xml);
		db_bind_int(st, 8, xml_size);
		db_bind_int(st, 9, sched_now());
		rc = db_step_done(x->db, st);
		if (rc != SQLITE_DONE || db_commit(x->db) != SQLITE_OK) {
			db_rollback(x->db);
			goto dberr;
		}
		/* documents count as fetched; the invoice rows themselves
		 * were counted when the invoices arrived */
		x->n.fetched += todo[i].pdf + todo[i].xml;
	}
	return x->failed ? -1 : 0;
dberr:
	sync_fail(x, "database error on invoice documents: %s",
	    db_errmsg(x->db));
	return -1;
}

/*
 * Make the thumbnails of a stored photo (hash: 64 hex) if any is missing.
 * Never fails the run: an image that does not decode is the ERP's content,
 * not our trouble, and the original stays downloadable.
 */
static void
photo_thumbs(struct sctx *x, const char *uuid, const char *hash)
{
	char path[1024], why[512];
	enum thumb_err e;
	int made = 0;

	store_path(x, hash, path, sizeof(path));
	if ((e = thumb_make(path, &made, why, sizeof(why))) != THUMB_OK)
		log_warn("%s: photo %s (%s): no thumbnails: %s: %s", x->op,
		    uuid, hash, thumb_strerror(e), why);
	else if (made > 0)
		log_info("%s: photo %s: %d thumbnails made", x->op, uuid, made);
}

int
sync_docs_files(struct sctx *x)
{
	/* the third column: a photo of a type the page shows as an image
	 * and thumb.c decodes (product.c's image_type() but SVG) */
	static const char sql_sel[] =
	    "SELECT erp_uuid, sha256, max(kind = 'photo' AND mime IN"
	    " ('image/jpeg', 'image/png', 'image/webp', 'image/gif'))"
	    " FROM product_file WHERE stored = 0"
	    " GROUP BY erp_uuid, sha256 LIMIT ?";
	static const char sql_set[] =
	    "UPDATE product_file SET stored = 1"
	    " WHERE erp_uuid = ?1 AND sha256 = ?2 AND stored = 0";
	static const char sql_left[] =
	    "SELECT count(DISTINCT erp_uuid) FROM product_file WHERE stored = 0";
	struct { const char *uuid, *sha; int photo; } *todo;
	char hash[65], why[512];
	int64_t size;
	sqlite3_stmt *st;
	size_t n = 0, i;
	enum erp_err e;
	int rc;

	todo = arena_calloc(x->batch, (size_t)x->opts.docs_max, sizeof(*todo));
	if ((st = db_prepare(x->db, sql_sel)) == NULL)
		goto dberr;
	db_bind_int(st, 1, x->opts.docs_max);
	while ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		todo[n].uuid = arena_strdup(x->batch, db_col_text(st, 0));
		todo[n].sha = arena_strdup(x->batch, db_col_text(st, 1));
		todo[n].photo = db_col_int(st, 2) != 0;
		n++;
	}
	db_done(x->db, st);
	if (rc != SQLITE_DONE)
		goto dberr;
	x->n.fetched = (int64_t)n;
	for (i = 0; i < n && !x->failed; i++) {
		if (!stored(x, todo[i].sha)) {
			e = fetch(x, ERP_DOC_FILE, todo[i].uuid, hash, &size,
			    why, sizeof(why));
			if (e != ERP_OK) {
				doc_failed(x, "file", todo[i].uuid, e, why);
				continue;
			}
			if (strcmp(hash, todo[i].sha) != 0) {
				/* stored under its real hash; the row waits
				 * for the product record to say so */
				doc_failed(x, "file", todo[i].uuid,
				    ERP_E_PROTOCOL, "content differs from the "
				    "product's sha256");
				continue;
			}
		}
		/* outside any transaction: decoding takes tens of ms */
		if (todo[i].photo)
			photo_thumbs(x, todo[i].uuid, todo[i].sha);
		if (db_begin_write(x->db) != SQLITE_OK)
			goto dberr;
		if ((st = db_prepare(x->db, sql_set)) == NULL) {
			db_rollback(x->db);
			goto dberr;
		}
		db_bind_text(st, 1, todo[i].uuid);
		db_bind_text(st, 2, todo[i].sha);
		rc = db_step_done(x->db, st);
		if (rc != SQLITE_DONE || db_commit(x->db) != SQLITE_OK) {
			db_rollback(x->db);
			goto dberr;
		}
		x->n.upserted++;
	}
	if ((st = db_prepare(x->db, sql_left)) != NULL) {
		if (db_step(x->db, st) == SQLITE_ROW)
			x->backlog = db_col_int(st, 0);
		db_done(x->db, st);
	}
	return x->failed ? -1 : 0;
dberr:
	sync_fail(x, "database error on files: %s", db_errmsg(x->db));
	return -1;
}
