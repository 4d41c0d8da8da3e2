/* catalog_pages.h: handlers of cgi-src/catalog (routes-catalog.inc):
 * the catalogue (C1, C5) with the customer's own prices (C2, C3). */
#ifndef FRAMUGA_CATALOG_PAGES_H
#define FRAMUGA_CATALOG_PAGES_H

struct req;

/* catalog.c, product.c, search.c */
void	catalog_tree(struct req *);		/* GET /catalog */
void	catalog_category(struct req *);		/* GET /catalog/c/{id} */
void	catalog_product(struct req *);		/* GET /catalog/p/{id} */
void	catalog_search(struct req *);		/* GET /catalog/search */
void	catalog_file(struct req *);	/* GET /catalog/p/{id}/f/{sha256} */
void	catalog_thumb(struct req *); /* GET /catalog/p/{id}/t/{sha256}/{size} */

#endif
