/*
 * sim_gen.c: the deterministic demo-data generator.
 *
 * `oknoerp-sim generate` replaces the store with demo data drawn from one
 * seeded generator (splitmix64): the same seed and knobs give the same
 * uuids, names and numbers on every machine (dates are a fixed base, not
 * the clock).  What it makes:
 *   - currencies PLN, EUR, USD, GBP, CZK with rates (PLN per unit x 10^6);
 *   - N warehouses in Polish cities;
 *   - a category tree of window-trade goods;
 *   - the demo rule set PVC_WINDOW v1 (sim_ruleset.c) and two configurable
 *     window products, then N products in families (windows and balcony
 *     doors in stock sizes, sills, handles, trickle vents, roller
 *     shutters, mosquito nets, glass units, gaskets, installation
 *     accessories) with Polish, English and German names, attributes, a
 *     photo (SVG) each and a PDF datasheet on every tenth;
 *   - catalogue prices in PLN and EUR, some per language version, group
 *     prices for a fifth of the products, and N individual prices spread
 *     over the customers (distinct products per customer, by a stride
 *     through the product list);
 *   - a stock row per product and warehouse;
 *   - N customers: Polish firms with valid NIPs (WINDOWS.md section 3),
 *     groups A/B/C, a few German and Irish firms in EUR with language de
 *     or en, contacts and addresses, some blocked or overdue;
 *   - N orders entered in the ERP in every status, the invoiced ones with
 *     invoices (PDF, FA XML, KSeF number).
 * Bulk load: one connection, synchronous=OFF, the counter triggers off
 * and rebuilt at the end, a transaction per 20,000 rows, prepared
 * statements.  The change queues are empty afterwards: a first sync is a
 * full pull.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "util.h"

#define GEN_BASE_T	1767600000LL	/* 2026-01-05, a fixed "now" */
#define GEN_BATCH	250000

struct rng {
	uint64_t s;
};

static uint64_t
rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static long
rndn(struct rng *r, long n)
{
	return n <= 0 ? 0 : (long)(rnd64(r) % (uint64_t)n);
}

static void
rnd_uuid(struct rng *r, char out[37])
{
	unsigned char b[16];
	uint64_t a = rnd64(r), c = rnd64(r);

	memcpy(b, &a, 8);
	memcpy(b + 8, &c, 8);
	sim_uuid_from(b, out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[rndn((r), (long)N(a))])

/* ---- name material ---- */

struct city { const char *name, *pc; };
static const struct city pl_cities[] = {
	{ "Poznań", "60" }, { "Warszawa", "02" }, { "Kraków", "31" },
	{ "Wrocław", "53" }, { "Gdańsk", "80" }, { "Łódź", "90" },
	{ "Katowice", "40" }, { "Szczecin", "70" }, { "Lublin", "20" },
	{ "Bydgoszcz", "85" }, { "Białystok", "15" }, { "Rzeszów", "35" },
	{ "Olsztyn", "10" }, { "Kielce", "25" }, { "Opole", "45" },
	{ "Zielona Góra", "65" }, { "Toruń", "87" }, { "Gniezno", "62" },
	{ "Leszno", "64" }, { "Kalisz", "62" }, { "Piła", "64" },
	{ "Konin", "62" }, { "Gorzów Wielkopolski", "66" }, { "Radom", "26" },
	{ "Częstochowa", "42" }, { "Nowy Sącz", "33" }, { "Płock", "09" },
};
static const struct city de_cities[] = {
	{ "Berlin", "10" }, { "Hamburg", "20" }, { "München", "80" },
	{ "Köln", "50" }, { "Leipzig", "04" }, { "Dresden", "01" },
	{ "Frankfurt (Oder)", "15" }, { "Cottbus", "03" },
};
static const struct city ie_cities[] = {
	{ "Dublin", "D02" }, { "Cork", "T12" }, { "Galway", "H91" },
	{ "Limerick", "V94" },
};
static const char *const streets[] = {
	"Polna", "Leśna", "Słoneczna", "Krótka", "Szkolna", "Ogrodowa",
	"Lipowa", "Łąkowa", "Brzozowa", "Kwiatowa", "Przemysłowa", "Fabryczna",
	"Kolejowa", "Spokojna", "Zielona", "Składowa", "Rzemieślnicza",
	"Poznańska", "Warszawska", "Długa", "Kościuszki", "Mickiewicza",
};
static const char *const surnames[] = {
	"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
	"Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
	"Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
	"Piotrowski", "Grabowski", "Nowakowski", "Pawłowski", "Michalski",
	"Nowicki", "Adamczyk", "Dudek", "Zając", "Wieczorek", "Jabłoński",
	"Król", "Majewski", "Olszewski", "Jaworski", "Wróbel", "Malinowski",
};
static const char *const firstnames[] = {
	"Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Krzysztof",
	"Agnieszka", "Marcin", "Joanna", "Paweł", "Monika", "Michał",
	"Ewa", "Grzegorz", "Barbara", "Łukasz", "Małgorzata", "Jacek",
};
static const char *const brands[] = {
	"Okna-Bud", "Okmont", "Fenestra", "Stolbud", "Montex", "Termo-Okna",
	"Domex", "Budmax", "Okpol", "Drewbud", "Alubud", "Winbud",
	"Panorama Okna", "Okna Plus", "Euro-Okna", "Pro-Okna", "Ramex",
	"Glasbud", "Oknotech", "Stolmar", "Okmet", "Fenbud", "Termobud",
	"Okno-Serwis", "Drzwi i Okna", "Vitrum", "Lumen", "Solid-Bud",
};
static const char *const legal[] = {
	"sp. z o.o.", "sp. j.", "s.c.", "S.A.", "sp. k.", "sp. z o.o. sp. k.",
};
static const char *const de_surnames[] = {
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
	"Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter",
};
static const char *const ie_surnames[] = {
	"Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Ryan", "O'Connor",
	"Doyle", "McCarthy", "Gallagher",
};
static const char *const block_reasons[] = {
	"Przekroczony termin płatności powyżej 30 dni",
	"Decyzja działu windykacji",
	"Brak aktualnej umowy handlowej",
	"Przekroczony limit kupiecki",
};
static const char *const roles[] = {
	"właściciel", "zakupy", "księgowość", "kierownik budowy", "biuro",
};

/* ---- product families ---- */

struct colour { const char *pl, *en, *de, *code; };
static const struct colour colours[] = {
	{ "biały", "white", "weiß", "BIA" },
	{ "złoty dąb", "golden oak", "Golden Oak", "ZDA" },
	{ "orzech", "walnut", "Nussbaum", "ORZ" },
	{ "antracyt", "anthracite", "anthrazit", "ANT" },
	{ "mahoń", "mahogany", "Mahagoni", "MAH" },
	{ "winchester", "winchester", "Winchester", "WIN" },
	{ "srebrny", "silver", "silber", "SRE" },
	{ "brązowy", "brown", "braun", "BRA" },
};
static const char *const suppliers[] = {
	"Vetra", "Termofix", "Polmet", "Okmar", "Profix", "Nordglas",
	"Winpol", "Ramex",
};

enum fam { F_WINDOW, F_BALCONY, F_SILL_IN, F_SILL_OUT, F_HANDLE, F_VENT,
	F_SHUTTER, F_NET, F_GLASS, F_GASKET, F_FOAM, F_TAPE, F_ANCHOR,
	F_HARDWARE, FAM__MAX };

struct family {
	const char	*prefix, *cat, *unit;
	int		 weight;
	long		 price_min, price_span;	/* grosze */
};

static const struct family fams[FAM__MAX] = {
	[F_WINDOW]	= { "OKN", "okna-std", "szt", 10, 45000, 120000 },
	[F_BALCONY]	= { "DBL", "drzwi-balk", "szt", 4, 120000, 180000 },
	[F_SILL_IN]	= { "PAW", "parapety-wew", "szt", 12, 4500, 30000 },
	[F_SILL_OUT]	= { "PAZ", "parapety-zew", "szt", 12, 3500, 22000 },
	[F_HANDLE]	= { "KLA", "klamki", "szt", 8, 1900, 14000 },
	[F_VENT]	= { "NAW", "nawiewniki", "szt", 5, 6500, 22000 },
	[F_SHUTTER]	= { "ROL", "rolety", "szt", 12, 38000, 160000 },
	[F_NET]		= { "MOS", "moskitiery", "szt", 12, 9000, 45000 },
	[F_GLASS]	= { "SZY", "szyby", "szt", 10, 15000, 90000 },
	[F_GASKET]	= { "USZ", "uszczelki", "mb", 3, 250, 900 },
	[F_FOAM]	= { "PIA", "montaz", "szt", 2, 2500, 4500 },
	[F_TAPE]	= { "TAS", "montaz", "mb", 3, 350, 1500 },
	[F_ANCHOR]	= { "KOT", "montaz", "szt", 3, 90, 600 },
	[F_HARDWARE]	= { "OKU", "okucia", "kpl", 4, 9000, 60000 },
};

struct prod {
	char	 name[3][200];
	char	 desc[3][400];
	int	 nattr;
	char	 attr[4][7][80];	/* code, name pl/en/de, value pl/en/de */
};

static void
attr_set(struct prod *p, const char *code, const char *npl,
    const char *nen, const char *nde, const char *vpl, const char *ven,
    const char *vde)
{
	char (*a)[80];

	if (p->nattr >= 4)
		return;
	a = p->attr[p->nattr++];
	snprintf(a[0], 80, "%s", code);
	snprintf(a[1], 80, "%s", npl);
	snprintf(a[2], 80, "%s", nen);
	snprintf(a[3], 80, "%s", nde);
	snprintf(a[4], 80, "%s", vpl);
	snprintf(a[5], 80, "%s", ven);
	snprintf(a[6], 80, "%s", vde);
}

static void
attr_colour(struct prod *p, const struct colour *c)
{
	attr_set(p, "colour", "Kolor", "Colour", "Farbe", c->pl, c->en, c->de);
}

static void
attr_dims(struct prod *p, long w, long h)
{
	char v[40];

	snprintf(v, sizeof(v), "%ld × %ld mm", w, h);
	attr_set(p, "size", "Wymiary", "Size", "Maße", v, v, v);
}

/*
 * Names of variant k of family f (mixed radix over the family's axes,
 * then the supplier, so that every k gives a distinct name).
 */
static void
make_product(enum fam f, long k, struct prod *p)
{
	const struct colour *c = &colours[k % 8];
	const char *sup;
	long q = k / 8;

	memset(p, 0, sizeof(*p));
	switch (f) {
	case F_WINDOW: {
		static const char *const t[][3] = {
			{ "Okno PCV rozwierno-uchylne 1-skrzydłowe",
			  "PVC tilt-turn window, single sash",
			  "Kunststofffenster Dreh-Kipp, einflügelig" },
			{ "Okno PCV 2-skrzydłowe ze słupkiem",
			  "PVC double-sash window with mullion",
			  "Kunststofffenster zweiflügelig mit Pfosten" },
			{ "Okno PCV uchylne",
			  "PVC bottom-hung window", "Kunststofffenster Kipp" },
			{ "Okno PCV stałe", "PVC fixed window",
			  "Kunststofffenster festverglast" },
		};
		long ti = q % 4, w = 500 + (q / 4 % 17) * 100,
		    h = 600 + (q / 68 % 13) * 100;

		q /= 884;
		snprintf(p->name[0], 200, "%s %ld×%ld %s", t[ti][0], w, h, c->pl);
		snprintf(p->name[1], 200, "%s %ld×%ld %s", t[ti][1], w, h, c->en);
		snprintf(p->name[2], 200, "%s %ld×%ld %s", t[ti][2], w, h, c->de);
		snprintf(p->desc[0], 400, "Okno w wymiarze standardowym z magazynu, profil 70 mm, pakiet 3-szybowy Ug 0,5, ciepła ramka. Wymiar %ld×%ld mm.", w, h);
		snprintf(p->desc[1], 400, "Stock-size window, 70 mm profile, triple glazing Ug 0.5, warm edge spacer. Size %ld×%ld mm.", w, h);
		snprintf(p->desc[2], 400, "Fenster in Standardgröße ab Lager, 70-mm-Profil, Dreifachverglasung Ug 0,5, warme Kante. Maß %ld×%ld mm.", w, h);
		attr_dims(p, w, h);
		attr_colour(p, c);
		attr_set(p, "uw", "Uw", "Uw", "Uw", "0,9 W/m²K", "0.9 W/m²K", "0,9 W/m²K");
		break;
	}
	case F_BALCONY: {
		long w = 800 + (q % 8) * 100, h = 2000 + (q / 8 % 5) * 100;

		q /= 40;
		snprintf(p->name[0], 200, "Drzwi balkonowe PCV %ld×%ld %s", w, h, c->pl);
		snprintf(p->name[1], 200, "PVC balcony door %ld×%ld %s", w, h, c->en);
		snprintf(p->name[2], 200, "Balkontür Kunststoff %ld×%ld %s", w, h, c->de);
		snprintf(p->desc[0], 400, "Drzwi balkonowe rozwierno-uchylne z niskim progiem, klamka dwustronna.");
		snprintf(p->desc[1], 400, "Tilt-turn balcony door with a low threshold and a handle on both sides.");
		snprintf(p->desc[2], 400, "Dreh-Kipp-Balkontür mit flacher Schwelle und beidseitigem Griff.");
		attr_dims(p, w, h);
		attr_colour(p, c);
		break;
	}
	case F_SILL_IN:
	case F_SILL_OUT: {
		static const char *const m[][3] = {
			{ "PCV", "PVC", "PVC" },
			{ "konglomerat", "agglomerate stone", "Agglo-Marmor" },
			{ "MDF", "MDF", "MDF" },
			{ "stalowy", "steel", "Stahl" },
			{ "aluminiowy", "aluminium", "Aluminium" },
		};
		int out = f == F_SILL_OUT;
		long mi = out ? 3 + q % 2 : q % 3, d = 100 + (q / 3 % 15) * 25,
		    l = 600 + (q / 45 % 13) * 200;

		q /= 585;
		snprintf(p->name[0], 200, "Parapet %s %s %ld mm, dł. %ld mm, %s",
		    out ? "zewnętrzny" : "wewnętrzny", m[mi][0], d, l, c->pl);
		snprintf(p->name[1], 200, "%s sill, %s, %ld mm deep, %ld mm long, %s",
		    out ? "External" : "Internal", m[mi][1], d, l, c->en);
		snprintf(p->name[2], 200, "%s %s %ld mm, Länge %ld mm, %s",
		    out ? "Außenfensterbank" : "Innenfensterbank", m[mi][2], d, l, c->de);
		snprintf(p->desc[0], 400, "Parapet %s, głębokość %ld mm, z zaślepkami.", m[mi][0], d);
		snprintf(p->desc[1], 400, "%s sill, %ld mm deep, end caps included.", m[mi][1], d);
		snprintf(p->desc[2], 400, "Fensterbank %s, Tiefe %ld mm, mit Abschlusskappen.", m[mi][2], d);
		attr_set(p, "material", "Materiał", "Material", "Material", m[mi][0], m[mi][1], m[mi][2]);
		attr_colour(p, c);
		break;
	}
	case F_HANDLE: {
		static const char *const model[] = { "Atlanta", "Verona",
		    "Dublin", "Tokyo", "Linz", "Secustik", "Luna", "Toledo",
		    "Bergen", "Rondo", "Kanto", "Oslo" };
		static const char *const t[][3] = {
			{ "Klamka okienna", "Window handle", "Fenstergriff" },
			{ "Klamka okienna z kluczykiem", "Lockable window handle", "Abschließbarer Fenstergriff" },
			{ "Klamka balkonowa dwustronna", "Balcony door handle set", "Balkontürgriff beidseitig" },
		};
		long mi = q % 12, ti = q / 12 % 3;

		q /= 36;
		snprintf(p->name[0], 200, "%s %s %s", t[ti][0], model[mi], c->pl);
		snprintf(p->name[1], 200, "%s %s %s", t[ti][1], model[mi], c->en);
		snprintf(p->name[2], 200, "%s %s %s", t[ti][2], model[mi], c->de);
		snprintf(p->desc[0], 400, "Klamka aluminiowa, trzpień 35 mm, 4 pozycje zapadkowe.");
		snprintf(p->desc[1], 400, "Aluminium handle, 35 mm spindle, 4 detent positions.");
		snprintf(p->desc[2], 400, "Aluminiumgriff, Vierkantstift 35 mm, 4 Raststellungen.");
		attr_colour(p, c);
		attr_set(p, "spindle", "Trzpień", "Spindle", "Stift", "35 mm", "35 mm", "35 mm");
		break;
	}
	case F_VENT: {
		static const char *const t[][3] = {
			{ "Nawiewnik higrosterowany", "Humidity-controlled trickle vent", "Feuchtegesteuerter Fensterfalzlüfter" },
			{ "Nawiewnik ciśnieniowy", "Pressure-controlled trickle vent", "Druckgesteuerter Fensterfalzlüfter" },
			{ "Nawiewnik akustyczny", "Acoustic trickle vent", "Schalldämmender Fensterfalzlüfter" },
		};
		long ti = q % 3, cap = 15 + (q / 3 % 6) * 5;

		q /= 18;
		snprintf(p->name[0], 200, "%s %ld m³/h %s", t[ti][0], cap, c->pl);
		snprintf(p->name[1], 200, "%s %ld m³/h %s", t[ti][1], cap, c->en);
		snprintf(p->name[2], 200, "%s %ld m³/h %s", t[ti][2], cap, c->de);
		snprintf(p->desc[0], 400, "Nawiewnik okienny montowany we wrębie, przepływ %ld m³/h.", cap);
		snprintf(p->desc[1], 400, "Window trickle vent fitted in the rebate, airflow %ld m³/h.", cap);
		snprintf(p->desc[2], 400, "Fensterfalzlüfter, Luftstrom %ld m³/h.", cap);
		attr_colour(p, c);
		break;
	}
	case F_SHUTTER: {
		static const char *const t[][3] = {
			{ "Roleta zewnętrzna nadstawna", "External top-mounted roller shutter", "Aufsatzrollladen" },
			{ "Roleta zewnętrzna podtynkowa", "External concealed roller shutter", "Unterputz-Rollladen" },
			{ "Roleta zewnętrzna natynkowa", "External surface-mounted roller shutter", "Vorbaurollladen" },
		};
		long ti = q % 3, w = 600 + (q / 3 % 20) * 100,
		    h = 800 + (q / 60 % 15) * 100;

		q /= 900;
		snprintf(p->name[0], 200, "%s %ld×%ld %s", t[ti][0], w, h, c->pl);
		snprintf(p->name[1], 200, "%s %ld×%ld %s", t[ti][1], w, h, c->en);
		snprintf(p->name[2], 200, "%s %ld×%ld %s", t[ti][2], w, h, c->de);
		snprintf(p->desc[0], 400, "Pancerz aluminiowy wypełniony pianką, napęd elektryczny lub na taśmę.");
		snprintf(p->desc[1], 400, "Foam-filled aluminium curtain, electric or strap drive.");
		snprintf(p->desc[2], 400, "Ausgeschäumter Aluminiumpanzer, Elektro- oder Gurtantrieb.");
		attr_dims(p, w, h);
		attr_colour(p, c);
		break;
	}
	case F_NET: {
		static const char *const t[][3] = {
			{ "Moskitiera ramkowa", "Framed mosquito net", "Insektenschutz-Spannrahmen" },
			{ "Moskitiera przesuwna", "Sliding mosquito net", "Insektenschutz-Schiebeanlage" },
			{ "Moskitiera drzwiowa", "Door mosquito net", "Insektenschutz-Drehtür" },
			{ "Moskitiera plisowana", "Pleated mosquito net", "Insektenschutz-Plissee" },
		};
		long ti = q % 4, w = 400 + (q / 4 % 20) * 50,
		    h = 600 + (q / 80 % 20) * 75;

		q /= 1600;
		snprintf(p->name[0], 200, "%s %ld×%ld %s", t[ti][0], w, h, c->pl);
		snprintf(p->name[1], 200, "%s %ld×%ld %s", t[ti][1], w, h, c->en);
		snprintf(p->name[2], 200, "%s %ld×%ld %s", t[ti][2], w, h, c->de);
		snprintf(p->desc[0], 400, "Siatka z włókna szklanego, rama aluminiowa, montaż bez wiercenia.");
		snprintf(p->desc[1], 400, "Fibreglass mesh, aluminium frame, fitted without drilling.");
		snprintf(p->desc[2], 400, "Glasfasergewebe, Aluminiumrahmen, Montage ohne Bohren.");
		attr_dims(p, w, h);
		attr_colour(p, c);
		break;
	}
	case F_GLASS: {
		static const char *const t[][3] = {
			{ "Szyba zespolona 4/16/4 Ug 1,1", "Insulated glass unit 4/16/4 Ug 1.1", "Isolierglas 4/16/4 Ug 1,1" },
			{ "Szyba zespolona 4/14/4/14/4 Ug 0,6", "Triple glass unit 4/14/4/14/4 Ug 0.6", "Dreifach-Isolierglas 4/14/4/14/4 Ug 0,6" },
			{ "Szyba zespolona 4/16/4/16/4 Ug 0,5", "Triple glass unit 4/16/4/16/4 Ug 0.5", "Dreifach-Isolierglas 4/16/4/16/4 Ug 0,5" },
			{ "Szyba bezpieczna P2A 33.1/16/4", "Laminated safety glass P2A 33.1/16/4", "Verbundsicherheitsglas P2A 33.1/16/4" },
			{ "Szyba antywłamaniowa P4A 44.2/16/4", "Burglar-resistant glass P4A 44.2/16/4", "Einbruchhemmendes Glas P4A 44.2/16/4" },
			{ "Szyba ornamentowa Chinchilla 4/16/4", "Obscure glass Chinchilla 4/16/4", "Ornamentglas Chinchilla 4/16/4" },
		};
		long ti = k % 6, w = 300 + (k / 6 % 20) * 50,
		    h = 400 + (k / 120 % 20) * 75;

		q = k / 2400;
		snprintf(p->name[0], 200, "%s %ld×%ld mm", t[ti][0], w, h);
		snprintf(p->name[1], 200, "%s %ld×%ld mm", t[ti][1], w, h);
		snprintf(p->name[2], 200, "%s %ld×%ld mm", t[ti][2], w, h);
		snprintf(p->desc[0], 400, "Pakiet szybowy na wymiar z ciepłą ramką, wypełnienie argonem.");
		snprintf(p->desc[1], 400, "Glass unit to size with warm edge spacer, argon filled.");
		snprintf(p->desc[2], 400, "Isolierglas nach Maß mit warmer Kante, Argonfüllung.");
		attr_dims(p, w, h);
		break;
	}
	case F_GASKET: {
		static const char *const t[][3] = {
			{ "Uszczelka przylgowa", "Rebate gasket", "Anschlagdichtung" },
			{ "Uszczelka przyszybowa", "Glazing gasket", "Verglasungsdichtung" },
			{ "Uszczelka środkowa", "Centre gasket", "Mitteldichtung" },
		};
		long ti = q % 3;

		q /= 3;
		snprintf(p->name[0], 200, "%s EPDM %s", t[ti][0], c->pl);
		snprintf(p->name[1], 200, "%s EPDM %s", t[ti][1], c->en);
		snprintf(p->name[2], 200, "%s EPDM %s", t[ti][2], c->de);
		snprintf(p->desc[0], 400, "Uszczelka EPDM sprzedawana na metry bieżące.");
		snprintf(p->desc[1], 400, "EPDM gasket sold by the running metre.");
		snprintf(p->desc[2], 400, "EPDM-Dichtung, Meterware.");
		attr_colour(p, c);
		break;
	}
	case F_FOAM: {
		long v = 500 + (k % 3) * 250;

		q = k / 3;
		snprintf(p->name[0], 200, "Pianka montażowa niskoprężna %ld ml", v);
		snprintf(p->name[1], 200, "Low-expansion installation foam %ld ml", v);
		snprintf(p->name[2], 200, "Montageschaum niedrigexpandierend %ld ml", v);
		snprintf(p->desc[0], 400, "Pianka poliuretanowa do montażu okien i drzwi.");
		snprintf(p->desc[1], 400, "Polyurethane foam for fitting windows and doors.");
		snprintf(p->desc[2], 400, "PU-Schaum für die Fenster- und Türmontage.");
		break;
	}
	case F_TAPE: {
		static const char *const t[][3] = {
			{ "Taśma paroizolacyjna", "Vapour barrier tape", "Dampfsperrband" },
			{ "Taśma paroprzepuszczalna", "Vapour permeable tape", "Dampfdiffusionsoffenes Band" },
			{ "Taśma rozprężna", "Expanding sealing tape", "Kompriband" },
		};
		long ti = k % 3, wd = 50 + (k / 3 % 6) * 25;

		q = k / 18;
		snprintf(p->name[0], 200, "%s %ld mm", t[ti][0], wd);
		snprintf(p->name[1], 200, "%s %ld mm", t[ti][1], wd);
		snprintf(p->name[2], 200, "%s %ld mm", t[ti][2], wd);
		snprintf(p->desc[0], 400, "Taśma do ciepłego montażu okien, szerokość %ld mm.", wd);
		snprintf(p->desc[1], 400, "Tape for warm window installation, %ld mm wide.", wd);
		snprintf(p->desc[2], 400, "Band für die RAL-Montage, %ld mm breit.", wd);
		break;
	}
	case F_ANCHOR: {
		long l = 100 + (k % 8) * 25;

		q = k / 8;
		snprintf(p->name[0], 200, "Kotwa montażowa do okien %ld mm", l);
		snprintf(p->name[1], 200, "Window fixing anchor %ld mm", l);
		snprintf(p->name[2], 200, "Fenstermontageanker %ld mm", l);
		snprintf(p->desc[0], 400, "Kotwa stalowa ocynkowana.");
		snprintf(p->desc[1], 400, "Galvanised steel anchor.");
		snprintf(p->desc[2], 400, "Verzinkter Stahlanker.");
		break;
	}
	default: {
		static const char *const t[][3] = {
			{ "Zestaw okuć obwiedniowych RU", "Tilt-turn hardware set", "Dreh-Kipp-Beschlagsatz" },
			{ "Zestaw okuć antywłamaniowych RC2", "RC2 security hardware set", "RC2-Sicherheitsbeschlagsatz" },
			{ "Zawias wzmocniony 130 kg", "Heavy-duty hinge 130 kg", "Verstärktes Band 130 kg" },
			{ "Mikrowentylacja do okuć", "Micro-ventilation kit", "Spaltlüftungsset" },
		};
		long ti = q % 4;

		q /= 4;
		snprintf(p->name[0], 200, "%s %s", t[ti][0], c->pl);
		snprintf(p->name[1], 200, "%s %s", t[ti][1], c->en);
		snprintf(p->name[2], 200, "%s %s", t[ti][2], c->de);
		snprintf(p->desc[0], 400, "Komplet okuć do okien PCV, klasa nośności 100 kg.");
		snprintf(p->desc[1], 400, "Hardware set for PVC windows, 100 kg load class.");
		snprintf(p->desc[2], 400, "Beschlagsatz für Kunststofffenster, Tragkraft 100 kg.");
		attr_colour(p, c);
		break;
	}
	}
	/* variants beyond a family's own axes come from other suppliers */
	if (q > 0) {
		sup = suppliers[(q - 1) % 8];
		for (int i = 0; i < 3; i++) {
			size_t l = strlen(p->name[i]);

			if (q <= 8)
				snprintf(p->name[i] + l, 200 - l, " (%s)", sup);
			else
				snprintf(p->name[i] + l, 200 - l, " (%s %ld)",
				    sup, (q - 1) / 8 + 1);
		}
		attr_set(p, "supplier", "Producent", "Manufacturer",
		    "Hersteller", sup, sup, sup);
	}
}

/* ---- helpers ---- */

static int
step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sdb_done(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "oknoerp-sim: generate: %s\n",
		    sqlite3_errmsg(sqlite3_db_handle(st)));
		return -1;
	}
	return 0;
}

static void
bt(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Commit every GEN_BATCH rows so no transaction grows without bound. */
static int
batch(struct sdb *db, long *rows)
{
	if (++*rows % GEN_BATCH != 0)
		return 0;
	if (sdb_commit(db) != SQLITE_OK || sdb_begin_write(db) != SQLITE_OK)
		return -1;
	return 0;
}

static void
make_nip(struct rng *r, char out[11])
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int d[10], sum;

	for (;;) {
		d[0] = 1 + (int)rndn(r, 9);
		sum = 6 * d[0];
		for (int i = 1; i < 9; i++) {
			d[i] = (int)rndn(r, 10);
			sum += w[i] * d[i];
		}
		if (sum % 11 != 10)
			break;
	}
	d[9] = sum % 11;
	for (int i = 0; i < 10; i++)
		out[i] = (char)('0' + d[i]);
	out[10] = '\0';
}

/* ASCII slug of a name for e-mail domains. */
static void
slug(const char *s, char *out, size_t n)
{
	static const struct { const char *u; char a; } map[] = {
		{ "ą", 'a' }, { "ć", 'c' }, { "ę", 'e' }, { "ł", 'l' },
		{ "ń", 'n' }, { "ó", 'o' }, { "ś", 's' }, { "ź", 'z' },
		{ "ż", 'z' }, { "Ł", 'l' }, { "Ś", 's' }, { "Ż", 'z' },
		{ "ü", 'u' }, { "ö", 'o' }, { "ä", 'a' },
	};
	size_t o = 0;

	while (*s && o + 1 < n) {
		unsigned char c = (unsigned char)*s;
		size_t i;

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				out[o++] = (char)c;
			else if (c >= 'A' && c <= 'Z')
				out[o++] = (char)(c - 'A' + 'a');
			else if ((c == ' ' || c == '-') && o > 0 &&
			    out[o - 1] != '-')
				out[o++] = '-';
			s++;
			continue;
		}
		for (i = 0; i < N(map); i++)
			if (strncmp(s, map[i].u, strlen(map[i].u)) == 0)
				break;
		if (i < N(map)) {
			out[o++] = map[i].a;
			s += strlen(map[i].u);
		} else
			for (s++; (*s & 0xc0) == 0x80; s++)
				;
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
}

static int64_t
to_cur(int64_t pln, int64_t rate)
{
	/* contract 2.1: round_half_up(p * 10^6 / r) */
	return (int64_t)(((__int128)2 * pln * 1000000 + rate) / (2 * rate));
}

/* ---- the generator ---- */

struct gen {
	struct sdb	*db;
	struct rng	 r;
	const struct gen_opts *o;
	long		 rows;
	char		 (*wh)[37];
	char		 (*prod)[37];
	int64_t		*pln;		/* catalogue PLN price per product */
	char		 (*cust)[37];
	char		 (*cust_cur)[4];
	long		 nprod;
};

static const struct { const char *code, *pl, *en, *de; int64_t rate; }
    gen_currencies[] = {
	{ "PLN", "złoty polski", "Polish zloty", "Polnischer Złoty", 1000000 },
	{ "EUR", "euro", "euro", "Euro", 4271300 },
	{ "USD", "dolar amerykański", "US dollar", "US-Dollar", 3987600 },
	{ "GBP", "funt szterling", "pound sterling", "Pfund Sterling", 5012000 },
	{ "CZK", "korona czeska", "Czech koruna", "Tschechische Krone", 171200 },
};

static int
gen_currencies_wh(struct gen *g)
{
	static const char sc[] = "INSERT INTO currency(uuid, code, name_pl,"
	    " name_en, name_de, minor_digits, rate, rate_date)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, 2, ?6, ?7)";
	static const char sw[] = "INSERT INTO warehouse(uuid, code, name_pl,"
	    " name_en, name_de, city, active) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1)";
	static const char *const de_city[] = { "Posen", "Warschau", "Krakau",
	    "Breslau", "Danzig", "Lodz", "Kattowitz", "Stettin", "Lublin",
	    "Bromberg" };
	static const char *const en_city[] = { "Poznan", "Warsaw", "Cracow",
	    "Wroclaw", "Gdansk", "Lodz", "Katowice", "Szczecin", "Lublin",
	    "Bydgoszcz" };
	char u[37], code[32], n[3][120];
	sqlite3_stmt *st;

	for (size_t i = 0; i < N(gen_currencies); i++) {
		rnd_uuid(&g->r, u);
		st = sdb_stmt(g->db, sc);
		bt(st, 1, u);
		bt(st, 2, gen_currencies[i].code);
		bt(st, 3, gen_currencies[i].pl);
		bt(st, 4, gen_currencies[i].en);
		bt(st, 5, gen_currencies[i].de);
		sqlite3_bind_int64(st, 6, gen_currencies[i].rate);
		sqlite3_bind_int64(st, 7, GEN_BASE_T - 86400);
		if (step(st))
			return -1;
	}
	g->wh = xcalloc((size_t)g->o->warehouses, sizeof(*g->wh));
	for (long i = 0; i < g->o->warehouses; i++) {
		const char *city = pl_cities[i % 10].name;

		rnd_uuid(&g->r, g->wh[i]);
		snprintf(code, sizeof(code), "MG%02ld", i + 1);
		if (i == 0) {
			snprintf(n[0], 120, "Magazyn główny %s", city);
			snprintf(n[1], 120, "Main warehouse %s", en_city[0]);
			snprintf(n[2], 120, "Hauptlager %s", de_city[0]);
		} else {
			snprintf(n[0], 120, "Magazyn %s%s", city,
			    i >= 10 ? " 2" : "");
			snprintf(n[1], 120, "Warehouse %s%s", en_city[i % 10],
			    i >= 10 ? " 2" : "");
			snprintf(n[2], 120, "Lager %s%s", de_city[i % 10],
			    i >= 10 ? " 2" : "");
		}
		st = sdb_stmt(g->db, sw);
		bt(st, 1, g->wh[i]);
		bt(st, 2, code);
		bt(st, 3, n[0]);
		bt(st, 4, n[1]);
		bt(st, 5, n[2]);
		bt(st, 6, city);
		if (step(st))
			return -1;
	}
	return 0;
}

static const struct { const char *code, *parent, *pl, *en, *de; } cats[] = {
	{ "okna", "", "Okna", "Windows", "Fenster" },
	{ "okna-konf", "okna", "Okna na wymiar", "Made-to-measure windows", "Fenster nach Maß" },
	{ "okna-std", "okna", "Okna w wymiarach standardowych", "Stock-size windows", "Fenster in Standardgrößen" },
	{ "drzwi-balk", "", "Drzwi balkonowe", "Balcony doors", "Balkontüren" },
	{ "parapety", "", "Parapety", "Window sills", "Fensterbänke" },
	{ "parapety-wew", "parapety", "Parapety wewnętrzne", "Internal sills", "Innenfensterbänke" },
	{ "parapety-zew", "parapety", "Parapety zewnętrzne", "External sills", "Außenfensterbänke" },
	{ "akcesoria", "", "Akcesoria okienne", "Window accessories", "Fensterzubehör" },
	{ "klamki", "akcesoria", "Klamki", "Handles", "Griffe" },
	{ "okucia", "akcesoria", "Okucia", "Hardware", "Beschläge" },
	{ "nawiewniki", "akcesoria", "Nawiewniki", "Trickle vents", "Fensterfalzlüfter" },
	{ "uszczelki", "akcesoria", "Uszczelki", "Gaskets", "Dichtungen" },
	{ "oslony", "", "Osłony okienne", "Window shading", "Sonnenschutz" },
	{ "rolety", "oslony", "Rolety zewnętrzne", "Roller shutters", "Rollläden" },
	{ "moskitiery", "oslony", "Moskitiery", "Mosquito nets", "Insektenschutz" },
	{ "szyby", "", "Szyby zespolone", "Glass units", "Isolierglas" },
	{ "montaz", "", "Materiały montażowe", "Installation materials", "Montagematerial" },
};

static char cat_uuid[N(cats)][37];

static const char *
cat_of(const char *code)
{
	for (size_t i = 0; i < N(cats); i++)
		if (strcmp(cats[i].code, code) == 0)
			return cat_uuid[i];
	return "";
}

static int
gen_categories(struct gen *g)
{
	static const char sql[] = "INSERT INTO category(uuid, parent, code,"
	    " sort, active, name_pl, name_en, name_de)"
	    " VALUES(?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)";

	for (size_t i = 0; i < N(cats); i++)
		rnd_uuid(&g->r, cat_uuid[i]);
	for (size_t i = 0; i < N(cats); i++) {
		sqlite3_stmt *st = sdb_stmt(g->db, sql);

		bt(st, 1, cat_uuid[i]);
		bt(st, 2, *cats[i].parent ? cat_of(cats[i].parent) : "");
		bt(st, 3, cats[i].code);
		sqlite3_bind_int(st, 4, (int)(i + 1) * 10);
		bt(st, 5, cats[i].pl);
		bt(st, 6, cats[i].en);
		bt(st, 7, cats[i].de);
		if (step(st))
			return -1;
	}
	return 0;
}

static int
gen_ruleset(struct gen *g)
{
	static const char sql[] = "INSERT INTO ruleset(uuid, code, version,"
	    " valid_from, name_pl, name_en, name_de, currency, bundle)"
	    " VALUES(?1, 'PVC_WINDOW', 1, ?2, 'Okno PCV na wymiar',"
	    " 'Made-to-measure PVC window', 'Kunststofffenster nach Maß', 'PLN',"
	    " ?3)";
	struct buf b = BUF_INIT;
	sqlite3_stmt *st = sdb_stmt(g->db, sql);
	char u[37];
	int rc;

	rnd_uuid(&g->r, u);
	sim_ruleset_bundle(&b);
	bt(st, 1, u);
	sqlite3_bind_int64(st, 2, 1767222000LL);	/* 01.01.2026 00:00 CET */
	bt(st, 3, buf_cstr(&b));
	rc = step(st);
	buf_free(&b);
	return rc;
}

static int
gen_files(struct gen *g, const char *pu, const char *code, const char *name,
    int datasheet)
{
	static const char sql[] = "INSERT INTO file(uuid, product, kind, pos,"
	    " file_name, content_type, size, sha256, content)"
	    " VALUES(?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8)";
	struct buf b = BUF_INIT;
	char u[37], sha[65], fname[80];
	sqlite3_stmt *st;
	int rc;

	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\""
	    " height=\"240\" viewBox=\"0 0 320 240\"><rect width=\"320\""
	    " height=\"240\" fill=\"#eef2f5\"/><rect x=\"60\" y=\"30\""
	    " width=\"200\" height=\"180\" fill=\"#fff\" stroke=\"#456\""
	    " stroke-width=\"8\"/><line x1=\"160\" y1=\"30\" x2=\"160\""
	    " y2=\"210\" stroke=\"#456\" stroke-width=\"6\"/><text x=\"160\""
	    " y=\"232\" font-size=\"14\" text-anchor=\"middle\""
	    " font-family=\"sans-serif\">");
	x_esc(&b, code, strlen(code));
	buf_puts(&b, "</text></svg>\n");
	rnd_uuid(&g->r, u);
	util_sha256_hex(b.p, b.len, sha);
	snprintf(fname, sizeof(fname), "%s.svg", code);
	st = sdb_stmt(g->db, sql);
	bt(st, 1, u);
	bt(st, 2, pu);
	sqlite3_bind_int(st, 3, 0);
	bt(st, 4, fname);
	bt(st, 5, "image/svg+xml");
	sqlite3_bind_int64(st, 6, (int64_t)b.len);
	bt(st, 7, sha);
	sqlite3_bind_blob(st, 8, b.p, (int)b.len, SQLITE_TRANSIENT);
	rc = step(st);
	if (rc == 0 && datasheet) {
		const char *lines[] = { name, "Karta techniczna produktu",
		    "Dane orientacyjne; obowiazuje aktualny cennik." };

		buf_reset(&b);
		sim_pdf(&b, code, lines, N(lines));
		rnd_uuid(&g->r, u);
		util_sha256_hex(b.p, b.len, sha);
		snprintf(fname, sizeof(fname), "karta-%s.pdf", code);
		st = sdb_stmt(g->db, sql);
		bt(st, 1, u);
		bt(st, 2, pu);
		sqlite3_bind_int(st, 3, 1);
		bt(st, 4, fname);
		bt(st, 5, "application/pdf");
		sqlite3_bind_int64(st, 6, (int64_t)b.len);
		bt(st, 7, sha);
		sqlite3_bind_blob(st, 8, b.p, (int)b.len, SQLITE_TRANSIENT);
		rc = step(st);
	}
	buf_free(&b);
	return rc;
}

static int
gen_products(struct gen *g)
{
	static const char sql[] = "INSERT INTO product(uuid, code, category,"
	    " unit, vat, name_pl, name_en, name_de, desc_pl, desc_en, desc_de,"
	    " vis, default_warehouse, ruleset_code, active)"
	    " VALUES(?1, ?2, ?3, ?4, 2300, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, ?14)";
	static const char sql_a[] = "INSERT INTO product_attr(product, pos, code,"
	    " name_pl, name_en, name_de, value_pl, value_en, value_de)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char sql_r[] = "INSERT OR IGNORE INTO product_rel(product,"
	    " kind, pos, other) VALUES(?1, ?2, ?3, ?4)";
	long counter[FAM__MAX] = { 0 }, last[FAM__MAX], total_w = 0;
	long n = g->nprod;
	struct prod *p = xmalloc(sizeof(*p));
	char code[32];

	for (int f = 0; f < FAM__MAX; f++) {
		total_w += fams[f].weight;
		last[f] = -1;
	}
	g->prod = xcalloc((size_t)n, sizeof(*g->prod));
	g->pln = xcalloc((size_t)n, sizeof(*g->pln));
	for (long i = 0; i < n; i++)
		rnd_uuid(&g->r, g->prod[i]);
	for (long i = 0; i < n; i++) {
		sqlite3_stmt *st = sdb_stmt(g->db, sql);
		const char *cat, *unit, *rs = "";
		long pick, f;
		int vis = 7, active = 1;

		if (i < 2) {
			/* the configurable windows of the demo rule set */
			memset(p, 0, sizeof(*p));
			snprintf(p->name[0], 200, i == 0 ?
			    "Okno PCV na wymiar, 1-skrzydłowe" :
			    "Okno PCV na wymiar, 2-skrzydłowe ze słupkiem");
			snprintf(p->name[1], 200, i == 0 ?
			    "Made-to-measure PVC window, single sash" :
			    "Made-to-measure PVC window, double sash with mullion");
			snprintf(p->name[2], 200, i == 0 ?
			    "Kunststofffenster nach Maß, einflügelig" :
			    "Kunststofffenster nach Maß, zweiflügelig mit Pfosten");
			snprintf(p->desc[0], 400, "Skonfiguruj wymiary, szyby, kolor i okucia; cena według cennika PVC_WINDOW.");
			snprintf(p->desc[1], 400, "Configure size, glazing, colour and hardware; priced by the PVC_WINDOW price list.");
			snprintf(p->desc[2], 400, "Maße, Verglasung, Farbe und Beschlag wählen; Preis nach Preisliste PVC_WINDOW.");
			snprintf(code, sizeof(code), "OKN-KONF-%ld", i + 1);
			cat = cat_of("okna-konf");
			unit = "szt";
			rs = "PVC_WINDOW";
			f = -1;
		} else {
			pick = rndn(&g->r, total_w);
			for (f = 0; f < FAM__MAX - 1; f++) {
				if (pick < fams[f].weight)
					break;
				pick -= fams[f].weight;
			}
			make_product((enum fam)f, counter[f]++, p);
			snprintf(code, sizeof(code), "%s-%06ld", fams[f].prefix, i);
			cat = cat_of(fams[f].cat);
			unit = fams[f].unit;
			g->pln[i] = fams[f].price_min +
			    rndn(&g->r, fams[f].price_span);
			g->pln[i] = g->pln[i] / 100 * 100 + 99; /* x.99 */
			if (rndn(&g->r, 100) < 5)
				vis = 1;
			else if (rndn(&g->r, 100) < 3)
				vis = 5;
			if (rndn(&g->r, 100) < 2)
				active = 0;
		}
		bt(st, 1, g->prod[i]);
		bt(st, 2, code);
		bt(st, 3, cat);
		bt(st, 4, unit);
		for (int l = 0; l < 3; l++) {
			bt(st, 5 + l, p->name[l]);
			bt(st, 8 + l, p->desc[l]);
		}
		sqlite3_bind_int(st, 11, vis);
		bt(st, 12, g->wh[rndn(&g->r, 10) < 8 ? 0 :
		    rndn(&g->r, g->o->warehouses)]);
		bt(st, 13, rs);
		sqlite3_bind_int(st, 14, active);
		if (step(st) || batch(g->db, &g->rows))
			goto fail;
		for (int a = 0; a < p->nattr; a++) {
			st = sdb_stmt(g->db, sql_a);
			bt(st, 1, g->prod[i]);
			sqlite3_bind_int(st, 2, a);
			for (int c = 0; c < 7; c++)
				bt(st, 3 + c, p->attr[a][c]);
			if (step(st))
				goto fail;
		}
		/* two related products, a substitute: the previous variant */
		for (int k = 0; k < 2 && n > 3; k++) {
			st = sdb_stmt(g->db, sql_r);
			bt(st, 1, g->prod[i]);
			sqlite3_bind_int(st, 2, 0);
			sqlite3_bind_int(st, 3, k);
			bt(st, 4, g->prod[2 + rndn(&g->r, n - 2)]);
			if (step(st))
				goto fail;
		}
		if (f >= 0 && last[f] >= 0 && rndn(&g->r, 2) == 0) {
			st = sdb_stmt(g->db, sql_r);
			bt(st, 1, g->prod[i]);
			sqlite3_bind_int(st, 2, 1);
			sqlite3_bind_int(st, 3, 0);
			bt(st, 4, g->prod[last[f]]);
			if (step(st))
				goto fail;
		}
		if (f >= 0)
			last[f] = i;
		if (gen_files(g, g->prod[i], code, p->name[0], i % 10 == 0))
			goto fail;
	}
	free(p);
	return 0;
fail:
	free(p);
	return -1;
}

static int
ins_price(struct gen *g, const char *kind, long pi, const char *cur,
    int64_t amount, const char *grp, const char *cust, const char *lv)
{
	static const char sql[] = "INSERT INTO price(uuid, kind, product,"
	    " currency, amount, grp, customer, langver)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *st = sdb_stmt(g->db, sql);
	char u[37];

	rnd_uuid(&g->r, u);
	bt(st, 1, u);
	bt(st, 2, kind);
	bt(st, 3, g->prod[pi]);
	bt(st, 4, cur);
	sqlite3_bind_int64(st, 5, amount);
	bt(st, 6, grp);
	bt(st, 7, cust);
	bt(st, 8, lv);
	if (step(st))
		return -1;
	return batch(g->db, &g->rows);
}

static int
gen_prices(struct gen *g)
{
	int64_t eur = gen_currencies[1].rate;

	for (long i = 2; i < g->nprod; i++) {
		int64_t p = g->pln[i], e = to_cur(p, eur) * 103 / 100;

		if (ins_price(g, "catalogue", i, "PLN", p, "", "", "") ||
		    ins_price(g, "catalogue", i, "EUR", e, "", "", ""))
			return -1;
		if (rndn(&g->r, 100) < 5 &&
		    ins_price(g, "catalogue", i, "EUR", e * 105 / 100, "", "",
		    "de"))
			return -1;
		if (rndn(&g->r, 100) < 3 &&
		    ins_price(g, "catalogue", i, "EUR", e * 98 / 100, "", "",
		    "en"))
			return -1;
		if (rndn(&g->r, 5) == 0 &&
		    (ins_price(g, "group", i, "PLN", p * 88 / 100, "A", "", "") ||
		    ins_price(g, "group", i, "PLN", p * 92 / 100, "B", "", "") ||
		    ins_price(g, "group", i, "PLN", p * 96 / 100, "C", "", "")))
			return -1;
	}
	return 0;
}

static long
gcd(long a, long b)
{
	while (b) {
		long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int
gen_individual(struct gen *g)
{
	long nc = g->o->customers, span = g->nprod - 2, left = g->o->individual;

	if (span <= 0)
		return 0;
	for (long c = 0; c < nc && left > 0; c++) {
		long want = g->o->individual / nc + (c < g->o->individual % nc),
		    start = rndn(&g->r, span), stride;
		int64_t rate = 1000000;

		if (want > span)
			want = span;
		do
			stride = 1 + rndn(&g->r, span);
		while (gcd(stride, span) != 1);
		for (size_t k = 0; k < N(gen_currencies); k++)
			if (strcmp(gen_currencies[k].code, g->cust_cur[c]) == 0)
				rate = gen_currencies[k].rate;
		for (long k = 0; k < want; k++) {
			long pi = 2 + (long)((start + (__int128)k * stride) % span);
			int64_t a = to_cur(g->pln[pi], rate) *
			    (95 - rndn(&g->r, 20)) / 100;

			if (ins_price(g, "customer", pi, g->cust_cur[c], a, "",
			    g->cust[c], ""))
				return -1;
		}
		left -= want;
	}
	return 0;
}

static int
gen_stock(struct gen *g)
{
	static const char sql[] = "INSERT INTO stock(uuid, warehouse, product,"
	    " quantity) VALUES(?1, ?2, ?3, ?4)";
	char u[37];

	for (long w = 0; w < g->o->warehouses; w++)
		for (long i = 2; i < g->nprod; i++) {
			sqlite3_stmt *st = sdb_stmt(g->db, sql);
			int64_t q = rndn(&g->r, 5) == 0 ? 0 :
			    (1 + rndn(&g->r, w == 0 ? 400 : 60)) * 1000;

			if (rndn(&g->r, 10) == 0)
				q += rndn(&g->r, 1000);	/* cut lengths */
			rnd_uuid(&g->r, u);
			bt(st, 1, u);
			bt(st, 2, g->wh[w]);
			bt(st, 3, g->prod[i]);
			sqlite3_bind_int64(st, 4, q);
			if (step(st) || batch(g->db, &g->rows))
				return -1;
		}
	return 0;
}

static int
ins_address(struct gen *g, const char *cust, int pos, const char *kind,
    const char *name, const struct city *c, const char *country)
{
	static const char sql[] = "INSERT INTO address(uuid, customer, pos,"
	    " kind, name, street, postcode, city, country)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	sqlite3_stmt *st = sdb_stmt(g->db, sql);
	char u[37], street[80], pc[16];

	rnd_uuid(&g->r, u);
	if (strcmp(country, "PL") == 0) {
		snprintf(street, sizeof(street), "ul. %s %ld", PICK(&g->r, streets),
		    1 + rndn(&g->r, 180));
		snprintf(pc, sizeof(pc), "%s-%03ld", c->pc, rndn(&g->r, 1000));
	} else if (strcmp(country, "DE") == 0) {
		static const char *const s[] = { "Hauptstraße", "Industriestraße",
		    "Bahnhofstraße", "Gewerbering" };

		snprintf(street, sizeof(street), "%s %ld", PICK(&g->r, s),
		    1 + rndn(&g->r, 120));
		snprintf(pc, sizeof(pc), "%s%03ld", c->pc, rndn(&g->r, 1000));
	} else {
		static const char *const s[] = { "Main Street", "Industrial Estate",
		    "Quay Road", "Church Lane" };

		snprintf(street, sizeof(street), "%ld %s", 1 + rndn(&g->r, 90),
		    PICK(&g->r, s));
		snprintf(pc, sizeof(pc), "%s %c%ld%c%ld", c->pc,
		    (char)('A' + rndn(&g->r, 26)), rndn(&g->r, 10),
		    (char)('A' + rndn(&g->r, 26)), rndn(&g->r, 10));
	}
	bt(st, 1, u);
	bt(st, 2, cust);
	sqlite3_bind_int(st, 3, pos);
	bt(st, 4, kind);
	bt(st, 5, name);
	bt(st, 6, street);
	bt(st, 7, pc);
	bt(st, 8, c->name);
	bt(st, 9, country);
	return step(st);
}

static int
gen_customers(struct gen *g)
{
	static const char sql[] = "INSERT INTO customer(uuid, code, name, nip,"
	    " grp, lang, currency, payment_days, discount, credit_limit,"
	    " credit_used, overdue, blocked, block_reason, active, email, phone,"
	    " default_warehouse) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
	static const char sql_c[] = "INSERT INTO contact(uuid, customer, pos,"
	    " name, email, phone, role) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const int pdays[] = { 7, 14, 14, 21, 30, 30, 45, 60 };
	long nc = g->o->customers;

	g->cust = xcalloc((size_t)nc, sizeof(*g->cust));
	g->cust_cur = xcalloc((size_t)nc, sizeof(*g->cust_cur));
	for (long i = 0; i < nc; i++) {
		sqlite3_stmt *st = sdb_stmt(g->db, sql);
		char code[32], name[160], nip[24], email[120], phone[40], sl[80];
		const char *grp, *lang = "pl", *country = "PL", *cur = "PLN";
		const struct city *city;
		long gr = rndn(&g->r, 100), foreign = rndn(&g->r, 100);
		int64_t limit, used, overdue = 0, discount;
		int blocked = 0, active = rndn(&g->r, 100) >= 3;

		rnd_uuid(&g->r, g->cust[i]);
		snprintf(code, sizeof(code), "K%05ld", i + 1);
		grp = gr < 15 ? "A" : gr < 50 ? "B" : "C";
		if (foreign < 3) {
			const char *sn = PICK(&g->r, de_surnames);

			lang = "de";
			country = "DE";
			cur = "EUR";
			city = &PICK(&g->r, de_cities);
			snprintf(name, sizeof(name), "%s Fensterbau GmbH", sn);
			snprintf(nip, sizeof(nip), "DE%09ld",
			    100000000 + rndn(&g->r, 899999999));
			slug(sn, sl, sizeof(sl));
			snprintf(email, sizeof(email), "info@%s-fensterbau.de", sl);
			snprintf(phone, sizeof(phone), "+49 30 %07ld",
			    rndn(&g->r, 10000000));
		} else if (foreign < 5) {
			const char *sn = PICK(&g->r, ie_surnames);

			lang = "en";
			country = "IE";
			cur = "EUR";
			city = &PICK(&g->r, ie_cities);
			snprintf(name, sizeof(name), "%s Windows & Doors Ltd", sn);
			snprintf(nip, sizeof(nip), "IE%07ld%c",
			    rndn(&g->r, 10000000), (char)('A' + rndn(&g->r, 23)));
			slug(sn, sl, sizeof(sl));
			snprintf(email, sizeof(email), "sales@%swindows.ie", sl);
			snprintf(phone, sizeof(phone), "+353 1 %07ld",
			    rndn(&g->r, 10000000));
		} else {
			const char *br = PICK(&g->r, brands);
			const char *sn = PICK(&g->r, surnames);
			const char *lf = PICK(&g->r, legal);
			long form = rndn(&g->r, 4);

			city = &PICK(&g->r, pl_cities);
			if (form == 0)
				snprintf(name, sizeof(name), "%s %s %s", br, sn, lf);
			else if (form == 1)
				snprintf(name, sizeof(name), "PHU %s %s", br, sn);
			else if (form == 2)
				snprintf(name, sizeof(name), "%s %s", br, lf);
			else
				snprintf(name, sizeof(name), "%s %s %s", br,
				    city->name, lf);
			make_nip(&g->r, nip);
			slug(br, sl, sizeof(sl));
			snprintf(email, sizeof(email), "biuro@%s%ld.pl", sl,
			    i + 1);
			snprintf(phone, sizeof(phone), "+48 %s %03ld %02ld %02ld",
			    city->pc, rndn(&g->r, 1000), rndn(&g->r, 100),
			    rndn(&g->r, 100));
		}
		memcpy(g->cust_cur[i], cur, 4);
		limit = (grp[0] == 'A' ? 200000 + rndn(&g->r, 300000) :
		    grp[0] == 'B' ? 50000 + rndn(&g->r, 150000) :
		    10000 + rndn(&g->r, 40000)) / 1000 * 1000 * 100;
		if (strcmp(cur, "EUR") == 0)
			limit = limit / 4 / 100000 * 100000;
		used = limit / 100 * rndn(&g->r, 95);
		if (rndn(&g->r, 10) == 0)
			overdue = used / 100 * (5 + rndn(&g->r, 40));
		if (rndn(&g->r, 50) == 0)
			blocked = 1;
		discount = grp[0] == 'A' ? 3500 : grp[0] == 'B' ? 2800 : 2000;
		if (rndn(&g->r, 10) == 0)
			discount = 2000 + rndn(&g->r, 16) * 100;
		bt(st, 1, g->cust[i]);
		bt(st, 2, code);
		bt(st, 3, name);
		bt(st, 4, nip);
		bt(st, 5, grp);
		bt(st, 6, lang);
		bt(st, 7, cur);
		sqlite3_bind_int(st, 8, PICK(&g->r, pdays));
		sqlite3_bind_int64(st, 9, discount);
		sqlite3_bind_int64(st, 10, limit);
		sqlite3_bind_int64(st, 11, used);
		sqlite3_bind_int64(st, 12, overdue);
		sqlite3_bind_int(st, 13, blocked);
		bt(st, 14, blocked ? PICK(&g->r, block_reasons) : "");
		sqlite3_bind_int(st, 15, active);
		bt(st, 16, email);
		bt(st, 17, phone);
		bt(st, 18, rndn(&g->r, 4) == 0 ?
		    g->wh[rndn(&g->r, g->o->warehouses)] : "");
		if (step(st))
			return -1;
		if (ins_address(g, g->cust[i], 0, "main", name, city, country))
			return -1;
		for (long d = 0, nd = rndn(&g->r, 4); d < nd; d++) {
			char dn[200];
			const struct city *dc = strcmp(country, "PL") == 0 ?
			    &PICK(&g->r, pl_cities) : city;

			snprintf(dn, sizeof(dn), "%s, budowa %s", name, dc->name);
			if (strcmp(country, "PL") != 0)
				snprintf(dn, sizeof(dn), "%s, site %ld", name,
				    d + 1);
			if (ins_address(g, g->cust[i], (int)d + 1, "delivery",
			    dn, dc, country))
				return -1;
		}
		for (long k = 0, nk = 1 + rndn(&g->r, 3); k < nk; k++) {
			char pn[120], pe[160], pp[40], fl[40], sl2[40];
			const char *fn = PICK(&g->r, firstnames);
			const char *sn = strcmp(country, "DE") == 0 ?
			    PICK(&g->r, de_surnames) : strcmp(country, "IE") == 0 ?
			    PICK(&g->r, ie_surnames) : PICK(&g->r, surnames);
			char u[37];

			snprintf(pn, sizeof(pn), "%s %s", fn, sn);
			slug(fn, fl, sizeof(fl));
			slug(sn, sl2, sizeof(sl2));
			snprintf(pe, sizeof(pe), "%s.%s@%s", fl, sl2,
			    strchr(email, '@') + 1);
			snprintf(pp, sizeof(pp), "%s%03ld %03ld %03ld",
			    strcmp(country, "PL") == 0 ? "+48 " :
			    strcmp(country, "DE") == 0 ? "+49 " : "+353 ",
			    500 + rndn(&g->r, 300), rndn(&g->r, 1000),
			    rndn(&g->r, 1000));
			rnd_uuid(&g->r, u);
			st = sdb_stmt(g->db, sql_c);
			bt(st, 1, u);
			bt(st, 2, g->cust[i]);
			sqlite3_bind_int(st, 3, (int)k);
			bt(st, 4, pn);
			bt(st, 5, pe);
			bt(st, 6, pp);
			bt(st, 7, k == 0 ? "właściciel" : PICK(&g->r, roles));
			if (step(st))
				return -1;
		}
		if (batch(g->db, &g->rows))
			return -1;
	}
	return 0;
}

static int
gen_orders(struct gen *g)
{
	static const char sql[] = "INSERT INTO orders(uuid, number, customer,"
	    " status, status_changed, created, currency, notes, da_uuid, da_kind,"
	    " da_name, da_street, da_postcode, da_city, da_country, wz_number,"
	    " wz_date, carrier, waybill, shipped) SELECT ?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, a.uuid, 'delivery', a.name, a.street, a.postcode, a.city,"
	    " a.country, ?9, ?10, ?11, ?12, ?13 FROM address a"
	    " WHERE a.customer = ?3 ORDER BY a.pos DESC LIMIT 1";
	static const char sql_l[] = "INSERT INTO order_line(order_uuid, line_no,"
	    " product, name, quantity, unit_net) SELECT ?1, ?2, uuid, name_pl,"
	    " ?3, ?4 FROM product WHERE uuid = ?5";
	static const char *const statuses[] = { "new", "accepted",
	    "in_production", "in_production", "ready", "released", "shipped",
	    "shipped", "invoiced", "invoiced" };
	static const char *const carriers[] = { "DPD", "DHL", "Raben",
	    "GEODIS", "transport własny" };
	int64_t eur = gen_currencies[1].rate;

	for (long i = 0; i < g->o->orders; i++) {
		sqlite3_stmt *st = sdb_stmt(g->db, sql);
		long ci = rndn(&g->r, g->o->customers);
		const char *status = PICK(&g->r, statuses);
		int64_t created = GEN_BASE_T - (g->o->orders - i) * 3600 * 5;
		int64_t changed = created + 86400;
		int rel = !strcmp(status, "released") || !strcmp(status,
		    "shipped") || !strcmp(status, "invoiced");
		int shp = !strcmp(status, "shipped") || !strcmp(status,
		    "invoiced");
		char u[37], num[48], wz[48], wb[32];
		struct tm tm;
		time_t tt = (time_t)created;

		localtime_r(&tt, &tm);
		rnd_uuid(&g->r, u);
		snprintf(num, sizeof(num), "ZK/%04d/%06ld", tm.tm_year + 1900,
		    i + 1);
		snprintf(wz, sizeof(wz), "WZ/%04d/%06ld", tm.tm_year + 1900,
		    i + 1);
		snprintf(wb, sizeof(wb), "%014lld",
		    (long long)(rnd64(&g->r) % 100000000000000ULL));
		bt(st, 1, u);
		bt(st, 2, num);
		bt(st, 3, g->cust[ci]);
		bt(st, 4, strcmp(status, "invoiced") ? status : "shipped");
		sqlite3_bind_int64(st, 5, changed);
		sqlite3_bind_int64(st, 6, created);
		bt(st, 7, g->cust_cur[ci]);
		bt(st, 8, rndn(&g->r, 3) == 0 ? "Dostawa w godz. 7-15" : "");
		bt(st, 9, rel ? wz : "");
		sqlite3_bind_int64(st, 10, rel ? changed : 0);
		bt(st, 11, shp ? PICK(&g->r, carriers) : "");
		bt(st, 12, shp ? wb : "");
		sqlite3_bind_int64(st, 13, shp ? changed + 3600 : 0);
		if (step(st))
			return -1;
		for (long l = 0, nl = 1 + rndn(&g->r, 4); l < nl; l++) {
			long pi = 2 + rndn(&g->r, g->nprod - 2);
			int64_t unit = strcmp(g->cust_cur[ci], "EUR") == 0 ?
			    to_cur(g->pln[pi], eur) : g->pln[pi];

			st = sdb_stmt(g->db, sql_l);
			bt(st, 1, u);
			sqlite3_bind_int64(st, 2, l + 1);
			sqlite3_bind_int64(st, 3, (1 + rndn(&g->r, 12)) * 1000);
			sqlite3_bind_int64(st, 4, unit);
			bt(st, 5, g->prod[pi]);
			if (step(st))
				return -1;
		}
		if (!strcmp(status, "invoiced")) {
			char iu[37];

			rnd_uuid(&g->r, iu);
			if (sim_invoice_create(g->db, u, iu, changed + 7200,
			    rnd64(&g->r), rndn(&g->r, 2)) != 0)
				return -1;
		}
		if (batch(g->db, &g->rows))
			return -1;
	}
	/* numbering goes on after the demo orders and invoices */
	return sdb_exec(g->db, "DELETE FROM changes") != 0 ? -1 : 0;
}

static double
secs_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int
sim_generate(const char *path, const struct gen_opts *o)
{
	static const char sql_meta[] = "INSERT INTO meta(key, value)"
	    " VALUES('order_no', ?1), ('customer_no', ?2), ('seed', ?3)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	struct gen g;
	struct timespec t0, ts;
	char side[4096];
	int ret = -1;
	sqlite3_stmt *st;

	memset(&g, 0, sizeof(g));
	g.o = o;
	g.r.s = o->seed * 0x2545f4914f6cdd1dULL + 1;
	g.nprod = o->products;
	/* a fresh store: the generator replaces whatever was there */
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((g.db = sdb_open(path, 1)) == NULL)
		return -1;
	sdb_triggers_drop(g.db);
	if (sdb_begin_write(g.db) != SQLITE_OK)
		goto out;
#define PHASE(fn, what) do { clock_gettime(CLOCK_MONOTONIC, &ts); \
	if (fn(&g) != 0) goto out; \
	fprintf(stderr, "oknoerp-sim: %-22s %8.2f s\n", what, secs_since(&ts)); \
	} while (0)
	PHASE(gen_currencies_wh, "currencies, warehouses");
	PHASE(gen_categories, "categories");
	PHASE(gen_ruleset, "rule set");
	PHASE(gen_products, "products");
	PHASE(gen_prices, "catalogue/group prices");
	PHASE(gen_customers, "customers");
	PHASE(gen_individual, "individual prices");
	PHASE(gen_stock, "stock");
	PHASE(gen_orders, "orders, invoices");
#undef PHASE
	st = sdb_stmt(g.db, sql_meta);
	sqlite3_bind_int64(st, 1, o->orders);
	sqlite3_bind_int64(st, 2, o->customers);
	sqlite3_bind_int64(st, 3, (int64_t)o->seed);
	if (step(st))
		goto out;
	if (sdb_counts_rebuild(g.db) != 0)
		goto out;
	if (sdb_commit(g.db) != SQLITE_OK)
		goto out;
	(void)sdb_exec(g.db, "ANALYZE");
	if (sdb_exec(g.db, "PRAGMA journal_mode=WAL") != 0)
		goto out;
	fprintf(stderr, "oknoerp-sim: generated %ld products, %ld customers,"
	    " %lld prices (%ld individual), %lld stock rows, %ld orders in"
	    " %.2f s\n", o->products, o->customers,
	    (long long)sdb_count(g.db, "price", ""), o->individual,
	    (long long)sdb_count(g.db, "stock", ""), o->orders,
	    secs_since(&t0));
	ret = 0;
out:
	if (ret != 0)
		sdb_rollback(g.db);
	sdb_close(g.db);
	free(g.wh);
	free(g.prod);
	free(g.pln);
	free(g.cust);
	free(g.cust_cur);
	return ret;
}
