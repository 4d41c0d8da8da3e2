/*
 * testroutes.c: instrumentation for the end-to-end suite, off unless the
 * config says test_routes = on (it answers 404 otherwise, like any unknown
 * page).  It lets the tests drive the real multipart and form paths through
 * nginx before the features that take uploads exist.
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"
#include "util.h"

static int
enabled(struct req *r)
{
	if (r->cfg->test_routes)
		return 1;
	page_error(r, 404, NULL);
	return 0;
}

/* sha256 hex of a file's content, from memory or its spill file. */
static const char *
file_sha256(struct req *r, const struct upload *u)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *hex = arena_alloc(r->arena, 65);
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	if (u->data != NULL)
		EVP_DigestUpdate(c, u->data, u->size);
	else {
		FILE *f = fopen(u->path, "rb");
		char b[8192];
		size_t n;

		while (f != NULL && (n = fread(b, 1, sizeof(b), f)) > 0)
			EVP_DigestUpdate(c, b, n);
		if (f != NULL)
			fclose(f);
	}
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	util_hex(md, 32, hex);
	return hex;
}

/* POST /_test/upload: fields and files as JSON (size, sha256, on disk?) */
void
test_upload(struct req *r)
{
	json_t *o, *fields, *files;

	if (!enabled(r))
		return;
	fields = json_object();
	for (size_t i = 0; i < r->formn; i++)
		json_object_set_new(fields, r->form[i].key,
		    json_stringn(r->form[i].val, r->form[i].len));
	files = json_array();
	for (size_t i = 0; i < r->filen; i++)
		json_array_append_new(files, json_pack(
		    "{s:s, s:s, s:s, s:I, s:s, s:b}",
		    "field", r->files[i].field,
		    "filename", r->files[i].filename,
		    "type", r->files[i].ctype,
		    "size", (json_int_t)r->files[i].size,
		    "sha256", file_sha256(r, &r->files[i]),
		    "on_disk", r->files[i].path != NULL));
	o = json_pack("{s:o, s:o}", "fields", fields, "files", files);
	resp_json(r, 200, o);
}

/* GET /_test/form: a form that re-shows what was typed (validation demo) */
void
test_form(struct req *r)
{
	json_t *ctx;

	if (!enabled(r))
		return;
	ctx = page_ctx(r, "Test", AREA_PUBLIC);
	page_render(r, 200, "test/form.html", ctx);
}

/* POST /_test/form: name required, 2-80 characters. */
void
test_form_post(struct req *r)
{
	const char *name = req_form(r, "name");
	json_t *ctx;
	size_t n;

	if (!enabled(r))
		return;
	n = name ? strlen(name) : 0;
	ctx = page_ctx(r, "Test", AREA_PUBLIC);
	json_object_set_new(ctx, "name", json_string(name ? name : ""));
	if (n < 2 || n > 80) {
		json_object_set_new(ctx, "error",
		    json_string(_("Podaj od 2 do 80 znaków.")));
		page_render(r, 422, "test/form.html", ctx);
		return;
	}
	json_object_set_new(ctx, "saved", json_true());
	page_render(r, 200, "test/form.html", ctx);
}
