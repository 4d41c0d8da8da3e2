/*
 * erp.h: the portal's client of OknoERP, one interface for every transport.
 *
 * framuga-sync talks to the ERP only through these functions.  Behind them
 * sits a transport (struct erp_ops): today the SOAP one of
 * doc/oknoerp/contract.md (erp_soap.c, libcurl + libxml2); another (the
 * ERP's own HTTP exchange, another ERP) plugs in by providing the same ops.
 *
 * Records.  Every list the ERP publishes comes as typed records (struct
 * erp_product, erp_price, ...) handed one at a time to a callback while the
 * response is still being read, so that a long list never sits in memory:
 * the transport parses the response as a stream.  A record and every string
 * in it are allocated from the arena the caller passes and live until the
 * caller resets that arena, so a caller may keep a page of records and
 * apply them once the response is known to be complete.  Records reach the
 * callback before the call knows whether the response will end well: a
 * caller that must not act on a partial response (all of framuga-sync)
 * waits for the call's result before writing anything.
 *
 * Every record also carries payload: the transport's own serialisation of
 * that record (for SOAP, canonical XML of the record element), which the
 * sync stores with a per-record failure and hands back to erp_decode() to
 * retry it later, and hashes to notice that a record did not change.
 *
 * Values follow the contract: money in minor units, quantities in
 * thousandths, VAT and discounts in basis points, exchange rates as PLN per
 * unit x 10^6, dates as unix seconds UTC (the ERP's wall-clock text turned
 * into UTC with the offset Ping reported; the empty 1C date is 0).  Strings
 * are never NULL ("" when absent).
 *
 * Errors.  Every call returns an enum erp_err; erp_last_error() has the
 * details (fault text, field, HTTP status, retry-after) of the last failed
 * call.  erp_err_unknown_outcome() says whether a write may have happened
 * anyway (timeouts, dropped connections, 5xx, malformed answers).
 *
 * A struct erp is used by one thread; open it after fork.
 */
#ifndef FRAMUGA_ERP_H
#define FRAMUGA_ERP_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum erp_entity {
	ERP_CATEGORY,
	ERP_PRODUCT,
	ERP_PRICE,
	ERP_CURRENCY,
	ERP_WAREHOUSE,
	ERP_STOCK,
	ERP_CUSTOMER,
	ERP_RULESET,
	ERP_ORDER,
	ERP_INVOICE,
	ERP_ENTITY__MAX
};

/* The contract's entity name ("product"), and back (-1 if unknown). */
const char	*erp_entity_name(enum erp_entity);
int		 erp_entity_from_name(const char *);

enum erp_err {
	ERP_OK = 0,
	/* SOAP faults (contract section 7) */
	ERP_E_AUTH,		/* credentials refused: stop the whole run */
	ERP_E_NOT_FOUND,	/* an answer: the thing does not exist */
	ERP_E_VALIDATION,	/* the request is wrong; do not repeat it */
	ERP_E_BUSY,		/* try later, at least retry_after seconds */
	ERP_E_INTERNAL,		/* the ERP failed */
	/* transport failures: the outcome of a write is unknown */
	ERP_E_CONNECT,		/* no connection (nothing was sent) */
	ERP_E_TIMEOUT,
	ERP_E_DROPPED,		/* connection reset or closed, no answer */
	ERP_E_HTTP,		/* HTTP status other than 200, no fault */
	ERP_E_XML,		/* not well-formed, DOCTYPE, not SOAP */
	ERP_E_TRUNCATED,	/* the answer ended early */
	ERP_E_PROTOCOL,		/* well-formed but not what was asked */
	/* local */
	ERP_E_ABORTED,		/* the caller's callback asked to stop */
	ERP_E_LOCAL,		/* bad arguments, out of memory, file I/O */
	ERP_ERR__MAX
};

/* "AUTH", "TIMEOUT", ... */
const char	*erp_err_name(enum erp_err);
/* Non-zero when a write may have been carried out although the call
 * failed: the caller must look before sending it again. */
int		 erp_err_unknown_outcome(enum erp_err);
/* Non-zero for the failures worth retrying later as they are (BUSY,
 * INTERNAL and transport failures). */
int		 erp_err_transient(enum erp_err);

struct erp_error {
	enum erp_err	 code;
	int		 http_status;	/* 0 if no HTTP answer */
	int		 retry_after;	/* seconds, from the fault or header */
	char		 message[512];	/* faultstring / curl / parser text */
	char		 field[128];	/* the fault's field, or "" */
};

/* ---- records ---- */

struct erp_ltext {		/* a text in one language */
	const char	*lang;
	const char	*text;
};

struct erp_ltexts {
	struct erp_ltext *v;
	size_t		  n;
};

struct erp_strs {
	const char	**v;
	size_t		  n;
};

struct erp_category {
	const char	*uuid;
	const char	*parent;	/* "" at a root */
	const char	*code;
	struct erp_ltexts name;
	int64_t		 sort;
	int		 active;
};

struct erp_fileref {
	const char	*uuid;
	const char	*file_name;
	const char	*content_type;
	int64_t		 size;
	const char	*sha256;	/* lowercase hex */
};

struct erp_pattr {		/* a product's feature */
	const char	*code;
	struct erp_ltexts name;
	struct erp_ltexts value;
};

struct erp_product {
	const char	*uuid;
	const char	*code;
	const char	*category;
	const char	*unit;
	int64_t		 vat_bp;
	struct erp_ltexts name;
	struct erp_ltexts description;
	struct erp_pattr *attrs;
	size_t		  nattrs;
	struct erp_fileref *photos;
	size_t		  nphotos;
	struct erp_fileref *files;
	size_t		  nfiles;
	struct erp_strs	 related;
	struct erp_strs	 substitutes;
	struct erp_strs	 visible_in;
	const char	*default_warehouse;
	const char	*ruleset_code;
	int		 active;
};

enum erp_price_kind {
	ERP_PRICE_CATALOGUE,
	ERP_PRICE_GROUP,
	ERP_PRICE_CUSTOMER
};

struct erp_price {
	const char	*uuid;
	int		 kind;		/* enum erp_price_kind; -1 unknown */
	const char	*product;
	const char	*currency;
	int64_t		 amount;
	const char	*group;		/* kind group */
	const char	*customer;	/* kind customer */
	const char	*langver;	/* "" = every language version */
};

struct erp_currency {
	const char	*uuid;
	const char	*code;
	struct erp_ltexts name;
	int64_t		 minor_digits;
	int64_t		 rate_e6;	/* PLN per 1 unit x 10^6 */
	int64_t		 rate_date;
};

struct erp_warehouse {
	const char	*uuid;
	const char	*code;
	struct erp_ltexts name;
	const char	*city;
	int		 active;
};

struct erp_stock {
	const char	*uuid;
	const char	*warehouse;
	const char	*product;
	int64_t		 qty_milli;
};

struct erp_contact {
	const char	*uuid;		/* may be "" */
	const char	*name;
	const char	*email;
	const char	*phone;
	const char	*role;
};

struct erp_address {
	const char	*uuid;		/* may be "" */
	const char	*kind;		/* main, invoice, delivery, or "" */
	const char	*name;
	const char	*street;
	const char	*postcode;
	const char	*city;
	const char	*country;
};

struct erp_customer {
	const char	*uuid;
	const char	*code;
	const char	*name;
	const char	*nip;
	const char	*group;
	const char	*language;
	const char	*currency;
	int64_t		 payment_days;
	int64_t		 discount_bp;
	int64_t		 credit_limit;
	int64_t		 credit_used;
	int64_t		 overdue;
	int		 blocked;
	const char	*block_reason;
	int		 active;
	const char	*email;
	const char	*phone;
	const char	*default_warehouse;
	struct erp_contact *contacts;
	size_t		  ncontacts;
	struct erp_address *addresses;
	size_t		  naddresses;
};

struct erp_ruleset {
	const char	*uuid;
	const char	*code;
	int64_t		 version;
	int64_t		 valid_from;
	struct erp_ltexts name;
	const char	*currency;
	const char	*bundle;	/* the bundle, canonical XML text */
};

/* A configured line (contract 5.6): values as attribute=value pairs. */
struct erp_config_value {
	const char	*attribute;
	const char	*value;
};

struct erp_configuration {
	const char	*ruleset;
	int64_t		 width, height;
	int64_t		 post;		/* -1 when absent */
	struct erp_config_value *values;
	size_t		  nvalues;
};

struct erp_order_line {
	int64_t		 line_no;
	const char	*product;
	const char	*name;
	int64_t		 qty_milli;
	int64_t		 unit_net;
	int64_t		 net;
	/* CreateOrder sends configuration (NULL: none); records read from
	 * the ERP carry it as canonical XML text instead ("" when none). */
	struct erp_configuration *configuration;
	const char	*configuration_xml;
};

struct erp_order {
	const char	*uuid;
	const char	*number;
	const char	*external_ref;
	const char	*customer;
	const char	*status;
	int64_t		 status_changed;
	int64_t		 created;
	int64_t		 revision;
	const char	*correction_note;
	const char	*currency;
	int64_t		 net;
	struct erp_address delivery;
	const char	*notes;
	struct erp_order_line *lines;
	size_t		  nlines;
	int		 has_release;
	const char	*wz_number;
	int64_t		 release_date;
	int		 has_shipment;
	const char	*carrier;
	const char	*waybill;
	int64_t		 ship_date;
};

struct erp_invoice_line {
	int64_t		 line_no;
	const char	*product;
	const char	*name;
	int64_t		 qty_milli;
	int64_t		 unit_net;
	int64_t		 net;
	int64_t		 vat_rate_bp;
	int64_t		 vat;
	int64_t		 gross;
};

struct erp_invoice {
	const char	*uuid;
	const char	*number;
	const char	*ksef_number;
	const char	*order;
	const char	*customer;
	int64_t		 issued;
	int64_t		 sale_date;
	int64_t		 due_date;
	const char	*currency;
	int64_t		 net, vat, gross, paid;
	struct erp_invoice_line *lines;
	size_t		  nlines;
};

/* Every record struct above starts with its uuid.
 *
 * One record of a pull or one entry of a change queue.  For a change,
 * seq > 0 and deleted says whether the record is gone (then only uuid is
 * set and the union pointer is NULL). */
struct erp_record {
	enum erp_entity	 entity;
	const char	*uuid;
	int64_t		 seq;		/* 0 in a pull */
	int		 deleted;
	int64_t		 changed;	/* change time, 0 in a pull */
	const char	*payload;	/* transport's serialisation */
	size_t		 payload_len;
	/* Non-NULL when the transport could not decode the record's values
	 * (why, for the failure log); the union may be partly filled. */
	const char	*invalid;
	union {
		void			*any;
		struct erp_category	*category;
		struct erp_product	*product;
		struct erp_price	*price;
		struct erp_currency	*currency;
		struct erp_warehouse	*warehouse;
		struct erp_stock	*stock;
		struct erp_customer	*customer;
		struct erp_ruleset	*ruleset;
		struct erp_order	*order;
		struct erp_invoice	*invoice;
	} u;
};

/* Called for each record; return 0 to go on, non-zero to stop the call
 * (which then returns ERP_E_ABORTED). */
typedef int	(*erp_record_cb)(void *ctx, const struct erp_record *);

/* What a page or a change batch said about itself. */
struct erp_page {
	int64_t		 total;		/* list size / entries pending */
	char		 next[64];	/* pull: after := next; "" = last page */
	size_t		 count;		/* records handed to the callback */
};

struct erp_ping {
	int64_t		 version;
	char		 server[128];
	int64_t		 now;		/* the ERP's clock, UTC */
	int64_t		 utc_offset_min;
};

/* A new order for CreateOrder (contract 6.1). */
struct erp_order_new {
	const char	*external_ref;
	const char	*customer;
	const char	*currency;
	const struct erp_address *delivery;	/* NULL: none */
	const char	*notes;
	const struct erp_order_line *lines;
	size_t		 nlines;
};

struct erp_order_created {
	char		 uuid[64];
	char		 number[128];
	char		 status[32];
	int		 existed;
};

/* A new customer for CreateCustomer (contract 6.3). */
struct erp_customer_new {
	const char	*external_ref;
	const char	*name;
	const char	*nip;
	const char	*email;
	const char	*phone;
	const char	*language;
	const char	*currency;
	const char	*group;		/* "" : the ERP's default */
	const struct erp_address *addresses;
	size_t		 naddresses;
	const struct erp_contact *contacts;
	size_t		 ncontacts;
};

struct erp_customer_created {
	char		 uuid[64];
	char		 code[128];
	int		 existed;
};

enum erp_doc {
	ERP_DOC_FILE,		/* GetFile: product photos and files */
	ERP_DOC_INVOICE_PDF,
	ERP_DOC_INVOICE_XML
};

struct erp_file_meta {
	char		 file_name[256];
	char		 content_type[128];
	int64_t		 size;		/* declared by the ERP */
	char		 sha256[65];	/* declared by the ERP */
};

/* Receives a document's decoded bytes in pieces; non-zero stops. */
typedef int	(*erp_sink_cb)(void *ctx, const void *buf, size_t len);

/* ---- opening ---- */

struct erp_config {
	const char	*url;		/* http(s)://host[:port]/path */
	const char	*user;		/* "" : no authentication */
	const char	*password;
	const char	*ca_file;	/* "" : the system's CAs */
	int		 timeout_s;	/* whole request */
	int		 connect_timeout_s;	/* 0: min(10, timeout_s) */
};

struct erp;

/* A client for cfg (strings copied).  NULL with the reason in err on a bad
 * configuration.  No network I/O happens here.  Close with erp_close(). */
struct erp	*erp_open(const struct erp_config *cfg, char *err, size_t errsz);
void		 erp_close(struct erp *);
const struct erp_error *erp_last_error(const struct erp *);
/* The transport's name ("soap"). */
const char	*erp_transport(const struct erp *);

/* Ping: also sets the UTC offset used to read every later date. */
enum erp_err	 erp_ping(struct erp *, struct erp_ping *out);
/* Use this offset (minutes east of UTC) for dates without asking. */
void		 erp_set_utc_offset(struct erp *, int64_t minutes);

/* One page of a full pull: records with uuid > after ("" from the start),
 * at most limit (the ERP may clamp it).  out->next says where to go on. */
enum erp_err	 erp_pull(struct erp *, enum erp_entity, const char *after,
		    int limit, struct arena *, erp_record_cb, void *ctx,
		    struct erp_page *out);
/* The oldest entries of the entity's change queue (at most limit). */
enum erp_err	 erp_changes(struct erp *, enum erp_entity, int limit,
		    struct arena *, erp_record_cb, void *ctx,
		    struct erp_page *out);
/* Acknowledge entries by seq (any number: sent in calls of at most
 * 1000).  *acked (may be NULL) counts those the ERP actually removed. */
enum erp_err	 erp_ack(struct erp *, enum erp_entity, const int64_t *seqs,
		    size_t n, int64_t *acked);
/* Decode a payload kept from an earlier record back into a record (for
 * retries).  The record is handed to cb like any other. */
enum erp_err	 erp_decode(struct erp *, enum erp_entity, const char *payload,
		    size_t len, struct arena *, erp_record_cb, void *ctx);

enum erp_err	 erp_order_create(struct erp *, const struct erp_order_new *,
		    struct erp_order_created *out);
/* The ERP's order with this external reference; ERP_E_NOT_FOUND when the
 * ERP holds none.  The order is allocated from the arena. */
enum erp_err	 erp_order_find(struct erp *, const char *external_ref,
		    struct arena *, struct erp_order **out);
enum erp_err	 erp_customer_create(struct erp *,
		    const struct erp_customer_new *,
		    struct erp_customer_created *out);
/* A document's content, decoded and handed to sink in pieces, with what
 * the ERP declared about it in meta. */
enum erp_err	 erp_document(struct erp *, enum erp_doc, const char *uuid,
		    erp_sink_cb sink, void *ctx, struct erp_file_meta *meta);

/* ---- the transport interface (for erp_soap.c and its successors) ---- */

struct erp_ops {
	const char	*name;
	enum erp_err	(*ping)(struct erp *, struct erp_ping *);
	enum erp_err	(*pull)(struct erp *, enum erp_entity, const char *,
			    int, struct arena *, erp_record_cb, void *,
			    struct erp_page *);
	enum erp_err	(*changes)(struct erp *, enum erp_entity, int,
			    struct arena *, erp_record_cb, void *,
			    struct erp_page *);
	enum erp_err	(*ack)(struct erp *, enum erp_entity, const int64_t *,
			    size_t, int64_t *);
	enum erp_err	(*decode)(struct erp *, enum erp_entity, const char *,
			    size_t, struct arena *, erp_record_cb, void *);
	enum erp_err	(*order_create)(struct erp *,
			    const struct erp_order_new *,
			    struct erp_order_created *);
	enum erp_err	(*order_find)(struct erp *, const char *,
			    struct arena *, struct erp_order **);
	enum erp_err	(*customer_create)(struct erp *,
			    const struct erp_customer_new *,
			    struct erp_customer_created *);
	enum erp_err	(*document)(struct erp *, enum erp_doc, const char *,
			    erp_sink_cb, void *, struct erp_file_meta *);
	void		(*close)(struct erp *);
};

/* The common part of every client; a transport embeds it first. */
struct erp {
	const struct erp_ops *ops;
	struct erp_error err;
	int64_t		 utc_offset_min;
	int		 utc_offset_known;
};

/* The SOAP transport (erp_soap.c). */
struct erp	*erp_soap_open(const struct erp_config *, char *err,
		    size_t errsz);

/* For the fuzz harness and tests: from now on the SOAP client e (from
 * erp_soap_open) sends nothing and reads every answer from next(ctx),
 * which sets *p and *len to the next piece of the body and returns 1, or
 * returns 0 at its end; the pieces reach the parsers as libcurl's would,
 * and the answer has HTTP status status.  No network I/O happens.  next ==
 * NULL goes back to the network. */
typedef int	(*erp_soap_feed_fn)(void *ctx, const char **p, size_t *len);
void		 erp_soap_set_feed(struct erp *e, erp_soap_feed_fn next,
		    void *ctx, long status);

/* Record an error on the client (printf-style message); returns code. */
enum erp_err	 erp_fail(struct erp *, enum erp_err code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 erp_clear_error(struct erp *);

/* ---- values (erp.c; no I/O, unit tested) ---- */

/* A 1C date "DD.MM.YYYY hh:mm:ss" of the ERP's wall clock, which is
 * utc_offset_min minutes ahead of UTC, to unix seconds UTC in *out.  The
 * empty date 01.01.0001 00:00:00 and "" give 0.  0, or -1 if malformed
 * (out of range fields, wrong shape, a date before 1970 that is not the
 * empty one). */
int		 erp_date_parse(const char *s, int64_t utc_offset_min,
		    int64_t *out);
/* The reverse, for requests: t (0 = empty date) into buf (>= 20 bytes). */
void		 erp_date_format(int64_t t, int64_t utc_offset_min, char *buf,
		    size_t bufsz);

/* A decimal text "-12.3456" to a fixed-point integer with scale decimal
 * places (the value x 10^scale); more decimals than scale are rounded half
 * away from zero.  0, or -1 if malformed or out of int64 range. */
int		 erp_fixed_parse(const char *s, int scale, int64_t *out);
/* The reverse: v / 10^scale with exactly scale decimals. */
void		 erp_fixed_format(int64_t v, int scale, char *buf, size_t bufsz);
/* Strict integer text (optional '-', digits only) to int64: 0 or -1. */
int		 erp_int_parse(const char *s, int64_t *out);
/* Contract 2.1: an amount in PLN minor units to currency X with
 * minor_digits dx at rate_e6 (PLN per unit x 10^6), rounded half away
 * from zero; and back.  0, or -1 on overflow or a bad rate. */
int		 erp_from_pln(int64_t pln_minor, int64_t rate_e6, int dx,
		    int64_t *out);
int		 erp_to_pln(int64_t x_minor, int64_t rate_e6, int dx,
		    int64_t *out);
/* Non-zero if s is a contract uuid (36 chars, lowercase hex 8-4-4-4-12). */
int		 erp_uuid_valid(const char *s);

#endif
