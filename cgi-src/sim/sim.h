/*
 * sim.h: oknoerp-sim, a stand-in for the OknoERP web service.
 *
 * oknoerp-sim is a real SOAP peer of the portal (doc/oknoerp/contract.md):
 * an HTTP server (libmicrohttpd, one thread per connection) over its own
 * SQLite store, a deterministic demo-data generator, an operator CLI that
 * changes data the way an ERP operator would, and fault knobs for tests.
 *
 * The modules:
 *   sim_main.c    subcommand dispatch and option parsing
 *   sim_store.c   the SQLite store: schema, statement cache, change queue,
 *                 dates, uuids, counters, sha256/base64 helpers
 *   sim_xml.c     XML output (escaping) and request-tree helpers
 *   sim_emit.c    one serializer per entity (the record elements)
 *   sim_soap.c    the operations: request tree in, response body out
 *   sim_http.c    the server: body collection, auth, fault injection
 *   sim_gen.c     demo data generator (names, NIPs, rule set, prices)
 *   sim_op.c      operator verbs and fault knobs
 *   sim_doc.c     documents: invoice PDF, FA XML, KSeF numbers
 *
 * Every connection to the store is a struct sdb; a thread owns at most one
 * (the server opens one per connection thread), so SQLite needs no locks of
 * ours.  Writes go through sdb_begin_write() (BEGIN IMMEDIATE).
 */
#ifndef OKNOERP_SIM_H
#define OKNOERP_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sqlite3.h>
#include <libxml/tree.h>

#include "arena.h"

#define SIM_NS		"urn:oknoerp:portal:1"
#define SIM_SOAP_NS	"http://schemas.xmlsoap.org/soap/envelope/"
#define SIM_SELLER_NIP	"5261040828"	/* demo manufacturer (valid checksum) */
#define SIM_UUID_LEN	36

/* ---- store (sim_store.c) ---- */

#define SDB_CACHE 128

struct sdb {
	sqlite3		*h;
	int		 ncache;
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	} cache[SDB_CACHE];
};

/* Open (and create) the store at path, apply the schema.  bulk: pragmas
 * for the generator (synchronous=OFF, big cache).  NULL on error, with
 * the reason on stderr.  Close with sdb_close(). */
struct sdb	*sdb_open(const char *path, int bulk);
void		 sdb_close(struct sdb *);
/* A cached, reset statement for constant text sql (cached by address). */
sqlite3_stmt	*sdb_stmt(struct sdb *, const char *sql);
/* Reset and clear bindings of a cached statement. */
void		 sdb_done(sqlite3_stmt *);
int		 sdb_exec(struct sdb *, const char *sql);
/* BEGIN IMMEDIATE / BEGIN / COMMIT / ROLLBACK; SQLITE_OK or the code. */
int		 sdb_begin_write(struct sdb *);
int		 sdb_begin_read(struct sdb *);
int		 sdb_commit(struct sdb *);
void		 sdb_rollback(struct sdb *);
/* Convenience: first column of the first row of sql bound with one text
 * (NULL: none); def when no row. */
int64_t		 sdb_int1(struct sdb *, const char *sql, const char *arg,
		    int64_t def);
/* Triggers keeping the list counters; drop before a bulk load, then
 * sdb_counts_rebuild() (which recreates them). */
void		 sdb_triggers_drop(struct sdb *);
int		 sdb_counts_rebuild(struct sdb *);
/* Counter for a list (key "" = all) maintained by triggers. */
int64_t		 sdb_count(struct sdb *, const char *entity, const char *key);

/* Register a change of (entity, uuid) at time t: coalesces to one queue
 * entry per uuid with a new seq.  Call inside the write transaction that
 * made the change.  0 or -1. */
int		 sim_change(struct sdb *, const char *entity, const char *uuid,
		    int64_t t);
/* Next value of a named counter in meta (order numbers...), inside a
 * write transaction. */
int64_t		 sim_counter_next(struct sdb *, const char *name);
/* Current time, seconds (the operator CLI and server use the clock; the
 * generator a fixed base so its output is deterministic). */
int64_t		 sim_now(void);

/* uuid text from 16 random bytes (version 4 layout), 37 bytes out. */
void		 sim_uuid_from(const unsigned char rnd[16], char out[37]);
void		 sim_uuid_random(char out[37]);
int		 sim_uuid_valid(const char *);
/* 1C date text of t (local time), "01.01.0001 00:00:00" for t == 0. */
void		 sim_date1c(int64_t t, char out[20]);
/* Parse 1C date to time (local); 0 for the empty date; -1 bad. */
int		 sim_parse_date1c(const char *, int64_t *);
/* NIP checksum (WINDOWS.md 3): 1 valid, 0 not. */
int		 sim_nip_valid(const char *);
/* Parse a decimal "4.2713" to an integer scaled by 10^digits, exact
 * (more digits than allowed -> -1).  0 or -1. */
int		 sim_parse_fixed(const char *, int digits, int64_t *);

/* ---- XML out (sim_xml.c) ---- */

/* Escaped text: & < > " ' and invalid UTF-8 / control chars as '?'. */
void		 x_esc(struct buf *, const char *, size_t);
void		 x_open(struct buf *, const char *name);
void		 x_close(struct buf *, const char *name);
void		 x_text(struct buf *, const char *name, const char *text);
void		 x_int(struct buf *, const char *name, int64_t);
void		 x_bool(struct buf *, const char *name, int);
void		 x_date(struct buf *, const char *name, int64_t t);
void		 x_lang(struct buf *, const char *name, const char *lang,
		    const char *text);
/* Request tree: first child element of n in our namespace named name. */
xmlNode		*x_child(xmlNode *, const char *name);
xmlNode		*x_next(xmlNode *, const char *name);	/* next sibling */
/* Text content of child name, allocated in the arena; NULL if absent. */
char		*x_child_text(struct arena *, xmlNode *, const char *name);
/* Parse request bytes safely (no network, no DTD, no entities; a DOCTYPE
 * or an entity declaration is refused).  NULL with why set. */
xmlDoc		*x_parse(const char *, size_t, const char **why);

/* ---- records (sim_emit.c): append the element for uuid; 0, or 1 when
 * the record does not exist (then nothing is appended) ---- */

struct sim_entity {
	const char	*name;		/* queue name: "product" */
	const char	*elem;		/* record element: "product" */
	const char	*pull_op;	/* "GetProducts" */
	const char	*filter;	/* optional filter element, or NULL */
	const char	*sql_page;	/* uuids > ?1, LIMIT ?2 */
	const char	*sql_page_filter; /* the same AND filter = ?3 */
	int		(*emit)(struct sdb *, struct buf *, const char *uuid);
};
extern const struct sim_entity sim_entities[];
extern const size_t sim_nentities;
const struct sim_entity *sim_entity_find(const char *name);

int		 emit_address(struct sdb *, struct buf *, const char *elem,
		    sqlite3_stmt *, int col);

/* ---- operations (sim_soap.c) ---- */

enum fault_code { F_NONE = 0, F_AUTH, F_NOT_FOUND, F_VALIDATION, F_BUSY,
	F_INTERNAL, F__MAX };
extern const char *const fault_names[F__MAX];
int		 fault_from_name(const char *);

struct soap_rq {
	struct sdb	*db;
	struct arena	*arena;
	xmlNode		*op;		/* the operation element of the body */
	const char	*opname;
	struct buf	*out;		/* body of the response element */
	enum fault_code	 fault;
	const char	*fault_msg;
	const char	*fault_field;
	int		 committed;	/* a write was committed */
};
/* Run the request; on success the full envelope is in out; on a fault
 * out holds the fault envelope and the HTTP status is returned. */
int		 soap_handle(struct sdb *, const char *body, size_t len,
		    const char *soapaction, struct buf *out,
		    char *opname, size_t opsz, int *committed);
void		 soap_fault_envelope(struct buf *, enum fault_code,
		    const char *msg, const char *field, int retry_after);
int		 soap_fault_http(enum fault_code);

/* ---- server (sim_http.c) ---- */
/* Serve until SIGINT/SIGTERM; port_file (or NULL) receives the bound
 * port (useful with port 0).  Exit status. */
int		 sim_serve(const char *dbpath, const char *listen,
		    const char *user, const char *password,
		    const char *port_file);

/* ---- generator (sim_gen.c) ---- */
struct gen_opts {
	long	products;
	long	customers;
	long	individual;
	long	warehouses;
	long	orders;
	uint64_t seed;
};
int		 sim_generate(const char *dbpath, const struct gen_opts *);
/* The rule set bundle XML of the demo rule set (WINDOWS.md section 2). */
void		 sim_ruleset_bundle(struct buf *);

/* ---- operator (sim_op.c) ---- */
int		 sim_op(const char *dbpath, int argc, char **argv);
int		 sim_fault(const char *dbpath, int argc, char **argv);

/* ---- documents (sim_doc.c) ---- */
/* KSeF number: nip-YYYYMMDD-12 hex-CRC8; rnd supplies the technical part. */
void		 sim_ksef_number(const char *nip, int64_t t, uint64_t rnd,
		    char out[36]);
unsigned	 sim_crc8(const char *, size_t);
/* A one-page PDF with the given lines of text (Latin-2 transliterated to
 * ASCII for the standard font); appended to b. */
void		 sim_pdf(struct buf *, const char *title, const char *const *lines,
		    size_t nlines);
/* Invoice the order ord as inv (uuid) at time t; rnd feeds the KSeF
 * number's technical part; paid: mark it paid.  Queues the invoice and
 * the order; inside the caller's write transaction.  0 or -1. */
int		 sim_invoice_create(struct sdb *, const char *ord,
		    const char *inv, int64_t t, uint64_t rnd, int paid);
/* The invoice's structured XML (FA shape) and PDF from the store. */
int		 sim_invoice_docs(struct sdb *, const char *inv_uuid,
		    struct buf *pdf, struct buf *xml);

#endif
