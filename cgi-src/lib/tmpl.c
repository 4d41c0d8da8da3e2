/*
 * tmpl.c: the template engine.  The syntax and the API are in tmpl.h.
 *
 * How it works.
 *
 * Parsing.  A template is parsed once into a flat array of fixed-size nodes
 * (struct node, 20 bytes) plus one string pool that holds the text between
 * tags, the pre-split segments of every dotted name, filter names, partial
 * names and msgids.  Blocks are laid out inline: an {{#if}} node is followed
 * by its body and then by the next branch ({{#elif}}, {{else}}) or by the END
 * node; each branch records the index of the next one and the opener records
 * the index of its END, so rendering never searches.  Parse errors name the
 * file and the line of the tag: "news.html:12: {{#each}} opened here is never
 * closed".
 *
 * Sets.  A struct tmpl_set holds the search directories (override directory
 * first) and an open-addressing hash table of parsed templates by name.  It
 * and everything in it is malloc'd and lives until tmpl_set_free() (for a
 * worker: its whole life).  tmpl_load() reads a file from the first directory
 * that has it, parses it, and then loads the partials it names, so a missing
 * partial is reported at load time with the including file and line.
 * Partials are referred to by name, not by pointer, and looked up in the
 * table when rendered (a template whose load failed is never kept).
 * Recursive partials are allowed (a tree menu); rendering stops at a depth
 * of TMPL_MAX_DEPTH with an error.
 *
 * Names.  A template name is a relative path of segments made of
 * [A-Za-z0-9._-] that do not start with a dot: no "..", no absolute path, no
 * hidden file.  After opening, the file's real path must lie inside the real
 * path of its directory, so a symbolic link cannot lead outside either.
 *
 * Rendering walks the node array recursively per block.  Scopes are a chain
 * of frames on the C stack (the context, then one per {{#each}} item); a
 * name's first segment is looked up innermost frame first, the following
 * segments walk objects (or arrays by a numeric segment) from there.  Output
 * goes straight into the caller's struct buf; the only scratch memory is
 * what filters take from env->arena, so a render makes no malloc call once
 * its templates are loaded and the buffer has grown (the json forms call
 * jansson's dumper, which allocates through jansson's allocator).  A
 * render that visits more than TMPL_MAX_STEPS nodes or writes more than
 * TMPL_MAX_OUTPUT bytes stops with an error: a template that fans out
 * (a partial including itself twice, loops in loops) must not hold a worker.
 *
 * Translations.  scripts/tmpl-strings.sh finds {{ _("…") }} in the
 * templates with a regular expression and writes them out as C for
 * xgettext (which cannot read a template itself: to it, a _("…") inside an
 * attribute value is inside a C string).  The parser accepts exactly the
 * spelling the script finds (blanks around, none inside, one line), and the
 * literal follows C (escapes \" \\ \n \t \' only), so the msgid looked up
 * is byte for byte the one in the catalog.  "" is refused: gettext("")
 * returns the catalog header.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_MAX_SIZE	(1024 * 1024)	/* bytes in one template file */
#define TMPL_MAX_NEST	64	/* blocks open at once in one template */
#define TMPL_MAX_DEPTH	16	/* partials (and the page) inside each other */
#define TMPL_MAX_SEGS	32	/* segments in a.b.c */
#define TMPL_MAX_NAME	255	/* bytes in a template name */
#define TMPL_MAX_WALK	16	/* directory depth for tmpl_load_all() */
#define TMPL_MAX_STEPS	(1L << 24)	/* nodes visited by one render */
#define TMPL_MAX_OUTPUT	(64L << 20)	/* bytes written by one render */

enum op {
	OP_TEXT,	/* a: pool offset, b: length */
	OP_VAR,		/* path; mode; b: filter name (M_FILTER) */
	OP_TRANS,	/* a: msgid */
	OP_IF,		/* path; b: next branch; c: END */
	OP_UNLESS,	/* path; b: next branch; c: END */
	OP_ELIF,	/* path; b: next branch */
	OP_ELSE,	/* b: END */
	OP_EACH,	/* path; b: END */
	OP_END,		/* a: opener */
	OP_PARTIAL,	/* a: name; c: hash of the name */
	OP_YIELD
};

enum mode { M_HTML, M_URL, M_JSON, M_RAW, M_FILTER };

/* What a path names: a.b.c (segments), ".", or one of the loop names. */
enum pkind { P_NAME, P_DOT, P_INDEX, P_NUMBER, P_FIRST, P_LAST };

struct node {
	uint8_t		 op;
	uint8_t		 mode;
	uint8_t		 pkind;
	uint8_t		 nseg;
	uint32_t	 line;
	uint32_t	 a;	/* P_NAME: index of the first segment in segs */
	uint32_t	 b;
	uint32_t	 c;
};

struct seg {
	uint32_t	 off;	/* in pool, NUL-terminated */
	uint32_t	 len;
};

struct tmpl {
	char		*name;
	uint32_t	 hash;
	struct node	*nodes;
	uint32_t	 nnodes;
	struct seg	*segs;
	uint32_t	 nsegs;
	char		*pool;
	uint32_t	 poollen;
};

struct tmpl_set {
	char		**dirs;
	size_t		  ndirs;
	struct tmpl	**tab;	/* open addressing, power of two */
	size_t		  tabcap;
	size_t		  ntmpl;
};

/* --- escaping ------------------------------------------------------------- */

static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1
};

void
html_escape(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!html_special[c])
			continue;
		buf_put(b, s + run, i - run);
		switch (c) {
		case '&':
			buf_put(b, "&amp;", 5);
			break;
		case '<':
			buf_put(b, "&lt;", 4);
			break;
		case '>':
			buf_put(b, "&gt;", 4);
			break;
		case '"':
			buf_put(b, "&quot;", 6);
			break;
		default:
			buf_put(b, "&#39;", 5);
			break;
		}
		run = i + 1;
	}
	buf_put(b, s + run, n - run);
}

static int
url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
url_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	char *o;

	if (n == 0)
		return;
	if (n > (SIZE_MAX - 1) / 3)
		xoom(SIZE_MAX);
	buf_grow(b, n * 3);
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (url_unreserved(c))
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
}

/*
 * json_dump_callback() hands the text over in pieces; held counts the bytes
 * of a possible U+2028/U+2029 (E2 80 A8/A9) seen at the end of one piece.
 */
struct jesc {
	struct buf	*b;
	int		 held;
};

static void
jesc_release(struct jesc *j)
{
	if (j->held >= 1)
		buf_put(j->b, "\xe2", 1);
	if (j->held >= 2)
		buf_put(j->b, "\x80", 1);
	j->held = 0;
}

static int
jesc_cb(const char *s, size_t n, void *data)
{
	struct jesc *j = data;
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (j->held == 1) {
			if (c == 0x80) {
				j->held = 2;
				run = i + 1;
				continue;
			}
			jesc_release(j);
			run = i;
		} else if (j->held == 2) {
			if (c == 0xa8 || c == 0xa9) {
				buf_put(j->b, c == 0xa8 ? "\\u2028" : "\\u2029",
				    6);
				j->held = 0;
				run = i + 1;
				continue;
			}
			jesc_release(j);
			run = i;
		}
		switch (c) {
		case '<':
		case '>':
		case '&':
		case 0xe2:
			break;
		default:
			continue;
		}
		buf_put(j->b, s + run, i - run);
		run = i + 1;
		if (c == '<')
			buf_put(j->b, "\\u003c", 6);
		else if (c == '>')
			buf_put(j->b, "\\u003e", 6);
		else if (c == '&')
			buf_put(j->b, "\\u0026", 6);
		else
			j->held = 1;
	}
	if (j->held == 0)
		buf_put(j->b, s + run, n - run);
	return 0;
}

void
json_escape_html(struct buf *b, json_t *v)
{
	struct jesc j = { b, 0 };

	if (v == NULL) {
		buf_put(b, "null", 4);
		return;
	}
	if (json_dump_callback(v, jesc_cb, &j,
	    JSON_COMPACT | JSON_ENCODE_ANY) == -1) {
		/* Only on a circular structure or out of memory. */
		j.held = 0;
		buf_put(b, "null", 4);
		return;
	}
	jesc_release(&j);
}

/* --- names ---------------------------------------------------------------- */

static uint32_t
hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * A template name: relative, segments of [A-Za-z0-9._-] separated by single
 * slashes, no segment starting with a dot (so no "..", no hidden files).
 */
static int
valid_name(const char *s, size_t n)
{
	size_t i;
	int segstart = 1;

	if (n == 0 || n > TMPL_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/') {
			if (segstart)
				return 0;
			segstart = 1;
			continue;
		}
		if (segstart && c == '.')
			return 0;
		segstart = 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return !segstart;
}

/* --- parser --------------------------------------------------------------- */

struct pblock {
	uint32_t	 node;	/* the opener */
	uint32_t	 last;	/* the last branch, whose b the next one fills */
	uint8_t		 op;
	uint8_t		 has_else;
};

struct parser {
	const char	*name;
	const char	*src;
	size_t		 len;
	unsigned	 line;
	struct tmpl	*t;
	size_t		 nodecap;
	size_t		 segcap;
	size_t		 poolcap;
	uint32_t	 lasttext;	/* pool end of the last text node + 1 */
	struct pblock	 stack[TMPL_MAX_NEST];
	int		 depth;
	char		*err;
	size_t		 errsz;
};

static int	perr(struct parser *, unsigned, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errsz == 0)
		return -1;
	n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, line);
	if (n < 0 || (size_t)n >= p->errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
op_word(uint8_t op)
{
	switch (op) {
	case OP_IF:
		return "if";
	case OP_UNLESS:
		return "unless";
	case OP_EACH:
		return "each";
	default:
		return "?";
	}
}

static uint32_t
pool_add(struct parser *p, const char *s, size_t n, int nul)
{
	struct tmpl *t = p->t;
	size_t need = t->poollen + n + (nul ? 1 : 0);
	uint32_t off = t->poollen;

	if (need > p->poolcap) {
		p->poolcap = p->poolcap ? p->poolcap : 256;
		while (p->poolcap < need)
			p->poolcap *= 2;
		t->pool = xrealloc(t->pool, p->poolcap);
	}
	if (n)
		memcpy(t->pool + off, s, n);
	if (nul)
		t->pool[off + n] = '\0';
	t->poollen = (uint32_t)need;
	return off;
}

static struct node *
node_add(struct parser *p, uint8_t op, unsigned line)
{
	struct tmpl *t = p->t;
	struct node *n;

	if (t->nnodes == p->nodecap) {
		p->nodecap = p->nodecap ? p->nodecap * 2 : 32;
		t->nodes = xrealloc(t->nodes, p->nodecap * sizeof(*t->nodes));
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->line = line;
	return n;
}

static void
add_text(struct parser *p, const char *s, size_t n)
{
	struct tmpl *t = p->t;
	struct node *last;

	if (n == 0)
		return;
	/* Text after a comment continues the text before it. */
	if (t->nnodes > 0 && (last = &t->nodes[t->nnodes - 1])->op == OP_TEXT &&
	    p->lasttext == t->poollen + 1) {
		pool_add(p, s, n, 0);
		last->b += (uint32_t)n;
	} else {
		last = node_add(p, OP_TEXT, p->line);
		last->a = pool_add(p, s, n, 0);
		last->b = (uint32_t)n;
	}
	p->lasttext = t->poollen + 1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
is_namec(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Length of the word at s (up to n): no space. */
static size_t
word_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !is_space(s[i]))
		i++;
	return i;
}

static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/*
 * Parse a path (a.b.c, ".", @index, @number, @first, @last) into node n.
 */
static int
parse_path(struct parser *p, unsigned line, struct node *n, const char *s,
    size_t len)
{
	struct tmpl *t = p->t;
	size_t i, start, nseg = 0;
	uint32_t first;

	if (len == 1 && s[0] == '.') {
		n->pkind = P_DOT;
		return 0;
	}
	if (len > 0 && s[0] == '@') {
		if (word_is(s, len, "@index"))
			n->pkind = P_INDEX;
		else if (word_is(s, len, "@number"))
			n->pkind = P_NUMBER;
		else if (word_is(s, len, "@first"))
			n->pkind = P_FIRST;
		else if (word_is(s, len, "@last"))
			n->pkind = P_LAST;
		else
			return perr(p, line, "unknown name '%.*s'",
			    (int)(len > 64 ? 64 : len), s);
		return 0;
	}
	/* Check first, so that a bad name adds nothing. */
	for (i = 0, start = 0; i <= len; i++) {
		if (i < len && is_namec(s[i]))
			continue;
		if ((i < len && s[i] != '.') || i == start ||
		    ++nseg > TMPL_MAX_SEGS)
			return perr(p, line, "bad name '%.*s'",
			    (int)(len > 64 ? 64 : len), s);
		start = i + 1;
	}
	if (t->nsegs + nseg > p->segcap) {
		p->segcap = p->segcap ? p->segcap : 16;
		while (p->segcap < t->nsegs + nseg)
			p->segcap *= 2;
		t->segs = xrealloc(t->segs, p->segcap * sizeof(*t->segs));
	}
	first = t->nsegs;
	for (i = 0, start = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		t->segs[t->nsegs].off = pool_add(p, s + start, i - start, 1);
		t->segs[t->nsegs].len = (uint32_t)(i - start);
		t->nsegs++;
		start = i + 1;
	}
	n->pkind = P_NAME;
	n->a = first;
	n->nseg = (uint8_t)nseg;
	return 0;
}

/* A block tag's operand: exactly one path. */
static int
parse_operand(struct parser *p, unsigned line, struct node *n, const char *tag,
    const char *s, size_t len)
{
	size_t w;

	if (len == 0)
		return perr(p, line, "{{#%s}} needs a name", tag);
	w = word_len(s, len);
	if (w != len)
		return perr(p, line, "{{#%s}} takes one name, not '%.*s'", tag,
		    (int)(len > 64 ? 64 : len), s);
	return parse_path(p, line, n, s, len);
}

/*
 * A translation, {{ _("…") }}: s/len is all that lies between the braces.
 * Only this spelling is accepted: blanks (spaces) around it, nothing between
 * "_", "(" and the quotes, one C string literal with the escapes \" \\ \n
 * \t \' on one line, not empty.  It is what scripts/tmpl-strings.sh finds
 * for xgettext, so every string the engine looks up is in the catalog.
 */
static int
parse_trans(struct parser *p, unsigned line, const char *s, size_t len)
{
	static const char form[] = "write a translation as {{ _(\"text\") }}: "
	    "one line, no space inside _(\"\"), only blanks around it";
	struct node *n;
	char *tmp = NULL, c;
	size_t i = 0, k, o = 0;

	while (i < len && s[i] == ' ')
		i++;
	if (i + 1 >= len || s[i] != '_' || s[i + 1] != '(')
		return perr(p, line, "%s", form);
	for (k = i += 2; k < len && is_space(s[k]); k++)
		;
	if (k == len || s[k] != '"')
		return perr(p, line,
		    "bad string literal in _(): expected a \"string\"");
	if (k != i)
		return perr(p, line, "%s", form);

	tmp = xmalloc(len);
	for (i++; i < len && s[i] != '"'; i++) {
		c = s[i];
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\' && c != '\'' &&
			    c != '\n' && c != '\r' && c != '\0') {
				perr(p, line, "bad string literal in _(): "
				    "unknown escape '\\%c'", c);
				goto fail;
			} else if (c == '\n' || c == '\r' || c == '\0')
				goto linebreak;
		} else if (c == '\n' || c == '\r' || c == '\0')
			goto linebreak;
		tmp[o++] = c;
	}
	if (i == len) {
		perr(p, line, "bad string literal in _(): never closed");
		goto fail;
	}
	if (o == 0) {
		perr(p, line, "bad string literal in _(): empty");
		goto fail;
	}
	for (k = ++i; k < len && is_space(s[k]); k++)
		;
	if (k == len || s[k] != ')') {
		perr(p, line, "bad string literal in _(): expected ')' after "
		    "the string");
		goto fail;
	}
	if (k != i)
		goto form;
	for (i = k + 1; i < len; i++) {
		if (s[i] == ' ')
			continue;
		if (is_space(s[i]))
			goto form;
		while (len > i && is_space(s[len - 1]))
			len--;
		perr(p, line, "unexpected '%.*s' after _(…)",
		    (int)(len - i > 64 ? 64 : len - i), s + i);
		goto fail;
	}
	n = node_add(p, OP_TRANS, line);
	n->a = pool_add(p, tmp, o, 1);
	free(tmp);
	return 0;
linebreak:
	perr(p, line, "bad string literal in _(): line break or NUL inside");
	goto fail;
form:
	perr(p, line, "%s", form);
fail:
	free(tmp);
	return -1;
}

static int
open_block(struct parser *p, unsigned line, uint8_t op, const char *word,
    const char *s, size_t len)
{
	struct pblock *bl;
	struct node *n;
	uint32_t idx;

	if (p->depth == TMPL_MAX_NEST)
		return perr(p, line, "blocks nested deeper than %d",
		    TMPL_MAX_NEST);
	idx = p->t->nnodes;
	n = node_add(p, op, line);
	if (parse_operand(p, line, n, word, s, len) == -1)
		return -1;
	bl = &p->stack[p->depth++];
	bl->node = bl->last = idx;
	bl->op = op;
	bl->has_else = 0;
	return 0;
}

static int
add_branch(struct parser *p, unsigned line, uint8_t op, const char *s,
    size_t len)
{
	struct pblock *bl;
	struct node *n;
	uint32_t idx;
	const char *what = op == OP_ELSE ? "{{else}}" : "{{#elif}}";

	if (p->depth == 0)
		return perr(p, line, "%s outside {{#if}}%s", what,
		    op == OP_ELSE ? " or {{#unless}}" : "");
	bl = &p->stack[p->depth - 1];
	if (bl->op == OP_EACH || (op == OP_ELIF && bl->op != OP_IF))
		return perr(p, line, "%s inside {{#%s}} (opened on line %u)",
		    what, op_word(bl->op), p->t->nodes[bl->node].line);
	if (bl->has_else)
		return perr(p, line, "%s after {{else}} in {{#%s}} (opened on "
		    "line %u)", what, op_word(bl->op),
		    p->t->nodes[bl->node].line);
	idx = p->t->nnodes;
	n = node_add(p, op, line);
	if (op == OP_ELIF) {
		if (parse_operand(p, line, n, "elif", s, len) == -1)
			return -1;
	} else if (len != 0)
		return perr(p, line, "unexpected '%.*s' after else",
		    (int)(len > 64 ? 64 : len), s);
	p->t->nodes[bl->last].b = idx;
	bl->last = idx;
	if (op == OP_ELSE)
		bl->has_else = 1;
	return 0;
}

static int
close_block(struct parser *p, unsigned line, const char *s, size_t len)
{
	struct pblock *bl;
	struct node *n;
	uint8_t op;
	uint32_t idx;
	size_t w = word_len(s, len);

	if (word_is(s, w, "if"))
		op = OP_IF;
	else if (word_is(s, w, "unless"))
		op = OP_UNLESS;
	else if (word_is(s, w, "each"))
		op = OP_EACH;
	else
		return perr(p, line, "unknown tag '{{/%.*s}}'",
		    (int)(len > 64 ? 64 : len), s);
	if (w != len)
		return perr(p, line, "unexpected '%.*s' in {{/%s}}",
		    (int)(len - w > 64 ? 64 : len - w), s + w, op_word(op));
	if (p->depth == 0)
		return perr(p, line, "{{/%s}} without {{#%s}}", op_word(op),
		    op_word(op));
	bl = &p->stack[p->depth - 1];
	if (bl->op != op)
		return perr(p, line, "{{/%s}} closes {{#%s}} opened on line %u",
		    op_word(op), op_word(bl->op), p->t->nodes[bl->node].line);
	idx = p->t->nnodes;
	n = node_add(p, OP_END, line);
	n->a = bl->node;
	p->t->nodes[bl->last].b = idx;
	p->t->nodes[bl->node].c = idx;
	p->depth--;
	return 0;
}

static void
skip_space(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s))
		(*s)++, (*len)--;
}

/* {{#word operand}}: s/len is what follows the '#'. */
static int
parse_open(struct parser *p, unsigned line, const char *s, size_t len)
{
	const char *rest;
	size_t w, rlen;

	skip_space(&s, &len);
	w = word_len(s, len);
	rest = s + w;
	rlen = len - w;
	skip_space(&rest, &rlen);
	if (word_is(s, w, "if"))
		return open_block(p, line, OP_IF, "if", rest, rlen);
	if (word_is(s, w, "unless"))
		return open_block(p, line, OP_UNLESS, "unless", rest, rlen);
	if (word_is(s, w, "each"))
		return open_block(p, line, OP_EACH, "each", rest, rlen);
	if (word_is(s, w, "elif"))
		return add_branch(p, line, OP_ELIF, rest, rlen);
	return perr(p, line, "unknown tag '{{#%.*s}}'", (int)(w > 64 ? 64 : w),
	    s);
}

/* {{> name}}: s/len is what follows the '>'. */
static int
parse_partial(struct parser *p, unsigned line, const char *s, size_t len)
{
	struct node *n;

	skip_space(&s, &len);
	if (!valid_name(s, len))
		return perr(p, line, "bad partial name '%.*s'",
		    (int)(len > 64 ? 64 : len), s);
	n = node_add(p, OP_PARTIAL, line);
	n->a = pool_add(p, s, len, 1);
	n->c = hash_name(s, len);
	return 0;
}

/* {{ name }}, {{ yield }}, {{ else }} or {{ FORM name }}. */
static int
parse_value(struct parser *p, unsigned line, const char *s, size_t len)
{
	struct node *n;
	const char *arg;
	size_t w = word_len(s, len), alen, i;
	int shown = (int)(len > 64 ? 64 : len);

	if (w == len) {
		if (word_is(s, len, "yield")) {
			node_add(p, OP_YIELD, line);
			return 0;
		}
		if (word_is(s, len, "else"))
			return add_branch(p, line, OP_ELSE, NULL, 0);
		if (word_is(s, len, "raw!") || word_is(s, len, "url") ||
		    word_is(s, len, "json"))
			return perr(p, line, "{{ %.*s }} needs a name", shown, s);
		n = node_add(p, OP_VAR, line);
		n->mode = M_HTML;
		return parse_path(p, line, n, s, len);
	}

	arg = s + w;
	alen = len - w;
	skip_space(&arg, &alen);
	if (word_is(s, w, "else"))
		return perr(p, line, "unknown tag '{{%.*s}}' (for another "
		    "condition write {{#elif x}})", shown, s);
	if (word_len(arg, alen) != alen)
		return perr(p, line, "unknown tag '{{%.*s}}'", shown, s);
	if (word_is(s, w, "raw") || word_is(s, w, "yield"))
		return perr(p, line, "unknown tag '{{%.*s}}'%s", shown, s,
		    s[0] == 'r' ? " (unescaped output is written raw!)" : "");
	n = node_add(p, OP_VAR, line);
	if (word_is(s, w, "raw!"))
		n->mode = M_RAW;
	else if (word_is(s, w, "url"))
		n->mode = M_URL;
	else if (word_is(s, w, "json"))
		n->mode = M_JSON;
	else {
		/* A filter: known only when rendering (env->filters). */
		for (i = 0; i < w; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
			    (i > 0 && s[i] >= '0' && s[i] <= '9')))
				return perr(p, line, "unknown tag '{{%.*s}}'",
				    shown, s);
		n->mode = M_FILTER;
		n->b = pool_add(p, s, w, 1);
	}
	return parse_path(p, line, n, arg, alen);
}

/* One tag; s/len is what lies between {{ and }}. */
static int
parse_tag(struct parser *p, unsigned line, const char *s, size_t len)
{
	const char *raw = s;
	size_t rawlen = len, w;

	skip_space(&s, &len);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return perr(p, line, "empty tag {{ }}");

	switch (s[0]) {
	case '!':
		return 0;
	case '{':
		return perr(p, line, "'{{{' is not supported: use {{ raw! name }}");
	case '#':
		return parse_open(p, line, s + 1, len - 1);
	case '/':
		s++, len--;
		skip_space(&s, &len);
		return close_block(p, line, s, len);
	case '>':
		return parse_partial(p, line, s + 1, len - 1);
	case '_':
		w = 1;
		while (w < len && is_space(s[w]))
			w++;
		if (w < len && s[w] == '(')
			return parse_trans(p, line, raw, rawlen);
		break;
	}
	return parse_value(p, line, s, len);
}

/*
 * Where the tag that opens at s[from] ("{{" already skipped) ends: the
 * index of its "}}", or (size_t)-1.  In _("…") a "}}" inside the string does
 * not end the tag.
 */
static size_t
tag_end(const char *s, size_t len, size_t from)
{
	size_t i = from;
	int instr = 0, trans;

	while (i < len && is_space(s[i]))
		i++;
	trans = i < len && s[i] == '_';
	for (; i + 1 < len || (instr && i < len); i++) {
		char c = s[i];

		if (instr) {
			if (c == '\\' && i + 1 < len && s[i + 1] != '\n')
				i++;
			else if (c == '"')
				instr = 0;
			else if (c == '\n')
				/* parse_trans() reports it; stop here. */
				instr = trans = 0;
			continue;
		}
		if (trans && c == '"')
			instr = 1;
		else if (c == '}' && s[i + 1] == '}')
			return i;
	}
	return (size_t)-1;
}

static unsigned
count_lines(const char *s, size_t n)
{
	unsigned k = 0;
	const char *e = s + n;

	while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		k++;
		s++;
	}
	return k;
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->nodes);
	free(t->segs);
	free(t->pool);
	free(t);
}

/* Parse src into a new template called name; NULL with the error. */
static struct tmpl *
parse(const char *name, const char *src, size_t len, char *err, size_t errsz)
{
	struct parser p;
	struct tmpl *t;
	size_t pos = 0, open, close;
	const char *q;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.src = src;
	p.len = len;
	p.line = 1;
	p.err = err;
	p.errsz = errsz;
	if (len > TMPL_MAX_SIZE) {
		util_errf(err, errsz, "%s: larger than %d bytes", name,
		    TMPL_MAX_SIZE);
		return NULL;
	}
	t = p.t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->hash = hash_name(name, strlen(name));

	while (pos < len) {
		q = len - pos >= 2 ? memmem(src + pos, len - pos, "{{", 2) :
		    NULL;
		open = q ? (size_t)(q - src) : len;
		add_text(&p, src + pos, open - pos);
		p.line += count_lines(src + pos, open - pos);
		if (q == NULL)
			break;
		close = tag_end(src, len, open + 2);
		if (close == (size_t)-1) {
			perr(&p, p.line, "'{{' is never closed with '}}'");
			goto fail;
		}
		if (parse_tag(&p, p.line, src + open + 2, close - open - 2) ==
		    -1)
			goto fail;
		p.line += count_lines(src + open, close - open);
		pos = close + 2;
	}
	if (p.depth > 0) {
		struct pblock *bl = &p.stack[p.depth - 1];

		perr(&p, t->nodes[bl->node].line,
		    "{{#%s}} opened here is never closed", op_word(bl->op));
		goto fail;
	}
	return t;
fail:
	tmpl_free(t);
	return NULL;
}

int
tmpl_parse_check(const char *name, const char *src, size_t len, char *err,
    size_t errsz)
{
	struct tmpl *t;

	if ((t = parse(name ? name : "-", src, len, err, errsz)) == NULL)
		return -1;
	tmpl_free(t);
	return 0;
}

/* --- sets ----------------------------------------------------------------- */

struct tmpl_set *
tmpl_set_new(const char *const *dirs, size_t ndirs)
{
	struct tmpl_set *set;
	size_t i, n;

	set = xcalloc(1, sizeof(*set));
	set->dirs = xcalloc(ndirs ? ndirs : 1, sizeof(*set->dirs));
	for (i = 0; i < ndirs; i++) {
		if (dirs == NULL || dirs[i] == NULL)
			continue;
		set->dirs[set->ndirs] = xstrdup(dirs[i]);
		n = strlen(dirs[i]);
		while (n > 1 && set->dirs[set->ndirs][n - 1] == '/')
			set->dirs[set->ndirs][--n] = '\0';
		set->ndirs++;
	}
	set->tabcap = 64;
	set->tab = xcalloc(set->tabcap, sizeof(*set->tab));
	return set;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->tabcap; i++)
		tmpl_free(set->tab[i]);
	for (i = 0; i < set->ndirs; i++)
		free(set->dirs[i]);
	free(set->dirs);
	free(set->tab);
	free(set);
}

static size_t
set_slot(const struct tmpl_set *set, const char *name, uint32_t h)
{
	size_t mask = set->tabcap - 1, i = h & mask;

	while (set->tab[i] != NULL &&
	    (set->tab[i]->hash != h || strcmp(set->tab[i]->name, name) != 0))
		i = (i + 1) & mask;
	return i;
}

static struct tmpl *
set_find(const struct tmpl_set *set, const char *name, uint32_t h)
{
	return set->tab[set_slot(set, name, h)];
}

/* Put t in (replacing and freeing one of the same name). */
static void
set_insert(struct tmpl_set *set, struct tmpl *t)
{
	size_t i, j, oldcap;
	struct tmpl **old;

	if ((set->ntmpl + 1) * 2 > set->tabcap) {
		old = set->tab;
		oldcap = set->tabcap;
		set->tabcap *= 2;
		set->tab = xcalloc(set->tabcap, sizeof(*set->tab));
		for (j = 0; j < oldcap; j++)
			if (old[j] != NULL)
				set->tab[set_slot(set, old[j]->name,
				    old[j]->hash)] = old[j];
		free(old);
	}
	i = set_slot(set, t->name, t->hash);
	if (set->tab[i] != NULL)
		tmpl_free(set->tab[i]);
	else
		set->ntmpl++;
	set->tab[i] = t;
}

/* Take t out (it is in the table) and free it. */
static void
set_remove(struct tmpl_set *set, struct tmpl *t)
{
	size_t mask = set->tabcap - 1, i, j, k;

	i = set_slot(set, t->name, t->hash);
	if (set->tab[i] != t)
		return;
	tmpl_free(t);
	set->tab[i] = NULL;
	set->ntmpl--;
	/* Re-seat the rest of the cluster (linear probing deletion). */
	for (j = (i + 1) & mask; set->tab[j] != NULL; j = (j + 1) & mask) {
		struct tmpl *m = set->tab[j];

		set->tab[j] = NULL;
		k = set_slot(set, m->name, m->hash);
		set->tab[k] = m;
	}
}

/*
 * Read name from the first directory that has it.  0 with a malloc'd
 * buffer; -1 with the error, *notfound set when no directory has the file.
 */
static int
read_template(const struct tmpl_set *set, const char *name, char **out,
    size_t *outlen, int *notfound, char *err, size_t errsz)
{
	char path[PATH_MAX], real[PATH_MAX], realdir[PATH_MAX];
	struct stat st;
	size_t i, dl, got;
	ssize_t r;
	char *data;
	int fd;

	*notfound = 0;
	for (i = 0; i < set->ndirs; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", set->dirs[i], name) >=
		    (int)sizeof(path))
			continue;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			util_errf(err, errsz, "%s: %s", name, strerror(errno));
			return -1;
		}
		if (realpath(path, real) == NULL ||
		    realpath(set->dirs[i], realdir) == NULL) {
			util_errf(err, errsz, "%s: %s", name, strerror(errno));
			close(fd);
			return -1;
		}
		dl = strlen(realdir);
		if (strncmp(real, realdir, dl) != 0 ||
		    (real[dl] != '/' && !(dl == 1 && realdir[0] == '/'))) {
			util_errf(err, errsz, "%s: resolves outside its "
			    "template directory", name);
			close(fd);
			return -1;
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			util_errf(err, errsz, "%s: not a regular file", name);
			close(fd);
			return -1;
		}
		if (st.st_size > TMPL_MAX_SIZE) {
			util_errf(err, errsz, "%s: larger than %d bytes", name,
			    TMPL_MAX_SIZE);
			close(fd);
			return -1;
		}
		data = xmalloc((size_t)st.st_size + 1);
		got = 0;
		while (got < (size_t)st.st_size) {
			r = read(fd, data + got, (size_t)st.st_size - got);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		if (got != (size_t)st.st_size) {
			util_errf(err, errsz, "%s: short read", name);
			free(data);
			return -1;
		}
		data[got] = '\0';
		*out = data;
		*outlen = got;
		return 0;
	}
	*notfound = 1;
	util_errf(err, errsz, "template '%s' not found", name);
	return -1;
}

/*
 * The template called name, from the table or loaded now with the
 * partials it names (depth: partials above this one).  NULL with the error;
 * *notfound when the file itself is missing.
 */
static struct tmpl *
load(struct tmpl_set *set, const char *name, int depth, int *notfound,
    char *err, size_t errsz)
{
	struct tmpl *t;
	char *src = NULL;
	size_t len = 0, nl = strlen(name);
	uint32_t i;
	int nf;

	*notfound = 0;
	if (!valid_name(name, nl)) {
		util_errf(err, errsz, "bad template name '%.*s'",
		    (int)(nl > 64 ? 64 : nl), name);
		return NULL;
	}
	if ((t = set_find(set, name, hash_name(name, nl))) != NULL)
		return t;
	if (read_template(set, name, &src, &len, notfound, err, errsz) == -1)
		return NULL;
	t = parse(name, src, len, err, errsz);
	free(src);
	if (t == NULL)
		return NULL;
	/* In the table before its partials, so that a cycle ends here. */
	set_insert(set, t);
	for (i = 0; i < t->nnodes; i++) {
		const struct node *n = &t->nodes[i];
		const char *pname = t->pool + n->a;

		if (n->op != OP_PARTIAL)
			continue;
		if (depth + 1 >= TMPL_MAX_DEPTH) {
			util_errf(err, errsz,
			    "%s:%u: partials nested deeper than %d",
			    name, n->line, TMPL_MAX_DEPTH);
			goto fail;
		}
		if (load(set, pname, depth + 1, &nf, err, errsz) == NULL) {
			if (nf)
				util_errf(err, errsz, "%s:%u: partial '%s' not "
				    "found", name, n->line, pname);
			goto fail;
		}
	}
	return t;
fail:
	set_remove(set, t);
	return NULL;
}

int
tmpl_load(struct tmpl_set *set, const char *name, char *err, size_t errsz)
{
	int nf;

	return load(set, name, 0, &nf, err, errsz) ? 0 : -1;
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
    size_t len, char *err, size_t errsz)
{
	struct tmpl *t;
	size_t nl = strlen(name);

	if (!valid_name(name, nl)) {
		util_errf(err, errsz, "bad template name '%.*s'",
		    (int)(nl > 64 ? 64 : nl), name);
		return -1;
	}
	if ((t = parse(name, src, len, err, errsz)) == NULL)
		return -1;
	set_insert(set, t);
	return 0;
}

/* Load every *.html under dir/rel; count failures, keep the first error. */
static void
load_tree(struct tmpl_set *set, const char *dir, const char *rel, int level,
    int *nerr, char *err, size_t errsz)
{
	char path[PATH_MAX], sub[PATH_MAX], tmp[512];
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t n;

	if (level > TMPL_MAX_WALK)
		return;
	if (snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "",
	    rel) >= (int)sizeof(path))
		return;
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name) >= (int)sizeof(sub))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
		    (int)sizeof(path) || lstat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			load_tree(set, dir, sub, level + 1, nerr, err, errsz);
			continue;
		}
		n = strlen(sub);
		if (!S_ISREG(st.st_mode) || n < 5 ||
		    strcmp(sub + n - 5, ".html") != 0 || !valid_name(sub, n))
			continue;
		if (tmpl_load(set, sub, tmp, sizeof(tmp)) == -1 &&
		    (*nerr)++ == 0)
			util_errf(err, errsz, "%s", tmp);
	}
	closedir(d);
}

int
tmpl_load_all(struct tmpl_set *set, char *err, size_t errsz)
{
	size_t i, l;
	int nerr = 0;

	for (i = 0; i < set->ndirs; i++)
		load_tree(set, set->dirs[i], "", 0, &nerr, err, errsz);
	if (nerr > 1 && err != NULL && (l = strlen(err)) + 1 < errsz)
		snprintf(err + l, errsz - l, " (and %d more errors)", nerr - 1);
	return nerr ? -1 : 0;
}

/* --- rendering ------------------------------------------------------------ */

struct frame {
	json_t			*v;
	const struct frame	*up;
	size_t			 index;	/* each: the item's position */
	size_t			 count;	/* each: the number of items */
	int			 each;
};

struct rstate {
	struct tmpl_set		*set;
	const struct tmpl_env	*env;
	struct buf		*out;
	const struct tmpl	*page;
	int			 depth;
	int			 in_page;
	long			 steps;
	size_t			 start;	/* out->len before the render */
	char			*err;
	size_t			 errsz;
};

/* A value: json (NULL when missing), or a loop number or flag. */
enum vkind { V_JSON, V_NUM, V_BOOL };

struct val {
	enum vkind	 kind;
	json_t		*j;
	size_t		 n;
};

static void
eval(const struct tmpl *t, const struct node *n, const struct frame *f,
    struct val *v)
{
	const struct frame *g;
	const struct seg *sg;
	json_t *j = NULL;
	unsigned k;

	v->kind = V_JSON;
	v->j = NULL;
	switch (n->pkind) {
	case P_DOT:
		v->j = f->v;
		return;
	case P_NAME:
		break;
	default:
		for (g = f; g != NULL && !g->each; g = g->up)
			;
		if (g == NULL)
			return;
		v->kind = n->pkind == P_INDEX || n->pkind == P_NUMBER ?
		    V_NUM : V_BOOL;
		if (n->pkind == P_INDEX)
			v->n = g->index;
		else if (n->pkind == P_NUMBER)
			v->n = g->index + 1;
		else if (n->pkind == P_FIRST)
			v->n = g->index == 0;
		else
			v->n = g->index + 1 == g->count;
		return;
	}
	sg = &t->segs[n->a];
	for (g = f; g != NULL; g = g->up)
		if (json_is_object(g->v) && (j = json_object_get(g->v,
		    t->pool + sg->off)) != NULL)
			break;
	for (k = 1; j != NULL && k < n->nseg; k++) {
		const char *s = t->pool + sg[k].off;

		if (json_is_object(j))
			j = json_object_get(j, s);
		else if (json_is_array(j) && s[0] >= '0' && s[0] <= '9' &&
		    sg[k].len < 10) {
			size_t idx = 0, c;

			for (c = 0; c < sg[k].len; c++) {
				if (s[c] < '0' || s[c] > '9')
					break;
				idx = idx * 10 + (size_t)(s[c] - '0');
			}
			j = c == sg[k].len ? json_array_get(j, idx) : NULL;
		} else
			j = NULL;
	}
	v->j = j;
}

static int
truthy(const struct val *v)
{
	json_t *j = v->j;

	if (v->kind != V_JSON)
		return v->n != 0;
	switch (json_typeof(j ? j : json_null())) {
	case JSON_OBJECT:
		return json_object_size(j) > 0;
	case JSON_ARRAY:
		return json_array_size(j) > 0;
	case JSON_STRING:
		return json_string_length(j) > 0;
	case JSON_INTEGER:
		return json_integer_value(j) != 0;
	case JSON_REAL:
		return json_real_value(j) != 0.0;
	case JSON_TRUE:
		return 1;
	default:
		return 0;
	}
}

/* Decimal digits of v, written backwards from the end of tmp[24]. */
static const char *
fmt_int(char *tmp, long long v, size_t *len)
{
	char *e = tmp + 24, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	*len = (size_t)(e - p);
	return p;
}

/* The text a value prints as (NULL: nothing).  tmp holds 32 bytes. */
static const char *
val_text(const struct val *v, char *tmp, size_t *len)
{
	json_t *j = v->j;
	int r;

	if (v->kind == V_NUM)
		return fmt_int(tmp, (long long)v->n, len);
	if (v->kind == V_BOOL) {
		*len = 1;
		return v->n ? "1" : NULL;
	}
	switch (json_typeof(j ? j : json_null())) {
	case JSON_STRING:
		*len = json_string_length(j);
		return json_string_value(j);
	case JSON_INTEGER:
		return fmt_int(tmp, (long long)json_integer_value(j), len);
	case JSON_REAL:
		r = snprintf(tmp, 32, "%g", json_real_value(j));
		if (r < 0 || r >= 32)
			return NULL;
		*len = (size_t)r;
		return tmp;
	case JSON_TRUE:
		*len = 1;
		return "1";
	default:
		return NULL;
	}
}

static int	rerr(struct rstate *, const struct tmpl *, const struct node *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static int
rerr(struct rstate *st, const struct tmpl *t, const struct node *n,
    const char *fmt, ...)
{
	va_list ap;
	int k;

	if (st->err == NULL || st->errsz == 0)
		return -1;
	k = snprintf(st->err, st->errsz, "%s:%u: ", t->name, n->line);
	if (k < 0 || (size_t)k >= st->errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(st->err + k, st->errsz - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int
render_filter(struct rstate *st, const struct tmpl *t, const struct node *n,
    const struct val *v)
{
	const struct tmpl_filter *fl;
	const char *fname = t->pool + n->b, *s;
	json_t *j = v->j, *tmpj = NULL;

	for (fl = st->env ? st->env->filters : NULL; fl && fl->name; fl++)
		if (strcmp(fl->name, fname) == 0)
			break;
	if (fl == NULL || fl->name == NULL)
		return rerr(st, t, n, "unknown filter '%s'", fname);
	if (v->kind == V_NUM)
		j = tmpj = json_integer((json_int_t)v->n);
	else if (v->kind == V_BOOL)
		j = v->n ? json_true() : json_false();
	else if (j == NULL)
		j = json_null();
	s = fl->fn(st->env->ud, st->env->arena, j);
	json_decref(tmpj);
	if (s != NULL)
		html_escape(st->out, s, strlen(s));
	return 0;
}

static int	render_range(struct rstate *, const struct tmpl *,
		    const struct frame *, uint32_t, uint32_t);

/* Render a whole template (a partial or the page) one level deeper. */
static int
render_nested(struct rstate *st, const struct tmpl *t, const struct node *n,
    const struct tmpl *sub, const struct frame *f)
{
	int r;

	if (st->depth >= TMPL_MAX_DEPTH)
		return rerr(st, t, n, "partials nested deeper than %d (does "
		    "'%s' include itself without end?)", TMPL_MAX_DEPTH,
		    sub->name);
	st->depth++;
	r = render_range(st, sub, f, 0, sub->nnodes);
	st->depth--;
	return r;
}

static int
render_range(struct rstate *st, const struct tmpl *t, const struct frame *f,
    uint32_t lo, uint32_t hi)
{
	const struct node *n, *br;
	const struct tmpl *sub;
	struct frame item;
	struct val v;
	char tmp[32];
	const char *s;
	size_t len, i, count;
	uint32_t k;
	int truth, nf;

	while (lo < hi) {
		n = &t->nodes[lo];
		/* A runaway template (partials fanning out, loops in loops)
		 * ends with an error instead of holding the worker. */
		if (++st->steps > TMPL_MAX_STEPS)
			return rerr(st, t, n, "rendering takes more than %ld "
			    "steps", TMPL_MAX_STEPS);
		if (st->out->len - st->start > TMPL_MAX_OUTPUT)
			return rerr(st, t, n, "output larger than %ld bytes",
			    TMPL_MAX_OUTPUT);
		switch (n->op) {
		case OP_TEXT:
			buf_put(st->out, t->pool + n->a, n->b);
			lo++;
			break;
		case OP_VAR:
			eval(t, n, f, &v);
			lo++;
			switch (n->mode) {
			case M_FILTER:
				if (render_filter(st, t, n, &v) == -1)
					return -1;
				continue;
			case M_JSON:
				if (v.kind == V_NUM)
					buf_printf(st->out, "%zu", v.n);
				else if (v.kind == V_BOOL)
					buf_puts(st->out,
					    v.n ? "true" : "false");
				else
					json_escape_html(st->out, v.j);
				continue;
			default:
				break;
			}
			if ((s = val_text(&v, tmp, &len)) == NULL)
				continue;
			if (n->mode == M_HTML)
				html_escape(st->out, s, len);
			else if (n->mode == M_URL)
				url_escape(st->out, s, len);
			else
				buf_put(st->out, s, len);
			break;
		case OP_TRANS:
			s = t->pool + n->a;
			if (st->env && st->env->gettext) {
				const char *tr = st->env->gettext(st->env->ud, s);

				if (tr != NULL)
					s = tr;
			}
			html_escape(st->out, s, strlen(s));
			lo++;
			break;
		case OP_IF:
		case OP_UNLESS:
			for (k = lo;; k = br->b) {
				br = &t->nodes[k];
				if (br->op == OP_END)
					break;
				if (br->op == OP_ELSE)
					truth = 1;
				else {
					eval(t, br, f, &v);
					truth = truthy(&v);
					if (br->op == OP_UNLESS)
						truth = !truth;
				}
				if (truth) {
					if (render_range(st, t, f, k + 1,
					    br->b) == -1)
						return -1;
					break;
				}
			}
			lo = n->c + 1;
			break;
		case OP_EACH:
			eval(t, n, f, &v);
			if (v.kind == V_JSON && json_is_array(v.j)) {
				count = json_array_size(v.j);
				item.up = f;
				item.count = count;
				item.each = 1;
				for (i = 0; i < count; i++) {
					item.v = json_array_get(v.j, i);
					item.index = i;
					if (render_range(st, t, &item, lo + 1,
					    n->b) == -1)
						return -1;
				}
			}
			lo = n->b + 1;
			break;
		case OP_PARTIAL:
			s = t->pool + n->a;
			if ((sub = set_find(st->set, s, n->c)) == NULL) {
				/* Loaded by name at first use: the one
				 * tmpl_load() saw may have been dropped. */
				sub = load(st->set, s, st->depth + 1, &nf,
				    st->err, st->errsz);
				if (sub == NULL) {
					if (nf)
						rerr(st, t, n, "partial '%s' "
						    "not found", s);
					return -1;
				}
			}
			if (render_nested(st, t, n, sub, f) == -1)
				return -1;
			lo++;
			break;
		case OP_YIELD:
			lo++;
			if (st->page == NULL)
				break;
			if (st->in_page)
				return rerr(st, t, n, "{{ yield }} inside the "
				    "page '%s' itself", st->page->name);
			st->in_page = 1;
			if (render_nested(st, t, n, st->page, f) == -1)
				return -1;
			st->in_page = 0;
			break;
		default:
			/* ELIF, ELSE, END are jumped over, never reached. */
			lo++;
			break;
		}
	}
	return 0;
}

int
tmpl_render(struct tmpl_set *set, const char *name, const char *page,
    json_t *ctx, const struct tmpl_env *env, struct buf *out, char *err,
    size_t errsz)
{
	struct rstate st;
	struct frame root;
	const struct tmpl *t;
	int nf;

	memset(&st, 0, sizeof(st));
	if ((t = load(set, name, 0, &nf, err, errsz)) == NULL)
		return -1;
	if (page != NULL && (st.page = load(set, page, 0, &nf, err,
	    errsz)) == NULL)
		return -1;
	st.set = set;
	st.env = env;
	st.out = out;
	st.err = err;
	st.errsz = errsz;
	st.start = out->len;
	root.v = ctx;
	root.up = NULL;
	root.index = root.count = 0;
	root.each = 0;
	/* An empty render still leaves a NUL-terminated buffer. */
	buf_grow(out, 0);
	out->p[out->len] = '\0';
	return render_range(&st, t, &root, 0, t->nnodes);
}
