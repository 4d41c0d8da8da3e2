/*
 * sim_ruleset.c: the demo configurator rule set (doc/oknoerp/contract.md
 * 5.5; the data is ../shared/domain/WINDOWS.md section 2, "Demo rule set:
 * PVC window") written as the <o:bundle> element the contract serves.
 *
 * The price grids are computed from the formulas the domain notes give
 * (RU1: 220 + 280·Wb·Hb/10^6 PLN; RU_RU_POST: 380 + 300·Wb·Hb/10^6 PLN,
 * Wb and Hb the band bounds in mm, rounded half-up to whole PLN) and
 * written in grosze; the unit test vectors of the notes (600x800 -> 354,
 * 1300x1800 -> 875, 1600x1400 -> 1052, 2000x1600 -> 1340) hold.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sim.h"

struct opt {
	const char	*code;
	const char	*pl, *en, *de;
	const char	*params;	/* "name=value name=value" */
};

struct attr {
	const char	*code, *type, *def;
	int		 min, max;	/* int attributes; -1: none */
	const char	*applies;
	const char	*pl, *en, *de;
	const struct opt *opts;
};

static const struct opt o_type[] = {
	{ "RU1", "Okno 1-skrzydłowe rozwierno-uchylne", "Single-sash tilt-turn window", "Einflügeliges Dreh-Kipp-Fenster", "" },
	{ "RU_RU_POST", "Okno 2-skrzydłowe ze słupkiem stałym", "Double-sash window with fixed mullion", "Zweiflügeliges Fenster mit festem Pfosten", "" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_system[] = {
	{ "PVC70", "PCV 70 mm", "PVC 70 mm", "PVC 70 mm", "uf=1300" },
	{ "PVC82", "PCV 82 mm", "PVC 82 mm", "PVC 82 mm", "uf=1000" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_hinge_side[] = {
	{ "L", "Lewe (OL)", "Left (OL)", "Links (OL)", "" },
	{ "R", "Prawe (OP)", "Right (OP)", "Rechts (OP)", "" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_glass[] = {
	{ "G3_05", "3-szybowy 4/16/4/16/4 Ug 0,5", "Triple glazing 4/16/4/16/4 Ug 0.5", "Dreifachverglasung 4/16/4/16/4 Ug 0,5", "ug=500 thickness_mm=12" },
	{ "G2_11", "2-szybowy 4/16/4 Ug 1,1", "Double glazing 4/16/4 Ug 1.1", "Zweifachverglasung 4/16/4 Ug 1,1", "ug=1100 thickness_mm=8" },
	{ "G3_P2A", "3-szybowy bezpieczny P2A Ug 0,6", "Triple laminated P2A Ug 0.6", "Dreifach VSG P2A Ug 0,6", "ug=600 thickness_mm=14" },
	{ "G3_P4A", "3-szybowy antywłamaniowy P4A Ug 0,6", "Triple laminated P4A Ug 0.6", "Dreifach VSG P4A Ug 0,6", "ug=600 thickness_mm=16" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_spacer[] = {
	{ "WARM", "Ciepła ramka", "Warm edge spacer", "Warme Kante", "psi=40" },
	{ "ALU", "Ramka aluminiowa", "Aluminium spacer", "Aluminium-Abstandhalter", "psi=80" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_colour[] = {
	{ "WHITE", "Biały", "White", "Weiß", "lead_days=10" },
	{ "FOIL_OUT", "Okleina zewnętrzna", "Foil outside", "Folie außen", "lead_days=15" },
	{ "FOIL_2S", "Okleina dwustronna", "Foil both sides", "Folie beidseitig", "lead_days=15" },
	{ "RAL", "Kolor RAL", "RAL colour", "RAL-Farbe", "lead_days=25" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_hardware[] = {
	{ "STD", "Standardowe", "Standard", "Standard", "" },
	{ "RC1N", "Antywłamaniowe RC1N", "Burglar-resistant RC1N", "Einbruchhemmend RC1N", "" },
	{ "RC2N", "Antywłamaniowe RC2N", "Burglar-resistant RC2N", "Einbruchhemmend RC2N", "" },
	{ "RC2", "Antywłamaniowe RC2", "Burglar-resistant RC2", "Einbruchhemmend RC2", "" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_hinge[] = {
	{ "STD", "Zawiasy standardowe (100 kg)", "Standard hinges (100 kg)", "Standardbänder (100 kg)", "max_g=100000" },
	{ "HEAVY", "Zawiasy wzmocnione (130 kg)", "Heavy-duty hinges (130 kg)", "Verstärkte Bänder (130 kg)", "max_g=130000" },
	{ NULL, NULL, NULL, NULL, NULL }
};
static const struct opt o_handle[] = {
	{ "STD", "Klamka standardowa", "Standard handle", "Standardgriff", "" },
	{ "KEY", "Klamka z kluczykiem", "Lockable handle", "Abschließbarer Griff", "" },
	{ NULL, NULL, NULL, NULL, NULL }
};

static const struct attr attrs[] = {
	{ "type", "choice", "RU1", -1, -1, "", "Typ okna", "Window type", "Fenstertyp", o_type },
	{ "width", "int", "1000", 450, 2600, "", "Szerokość (mm)", "Width (mm)", "Breite (mm)", NULL },
	{ "height", "int", "1400", 500, 2400, "", "Wysokość (mm)", "Height (mm)", "Höhe (mm)", NULL },
	{ "post", "int", "", 450, 2150, "RU_RU_POST", "Położenie słupka (mm)", "Mullion position (mm)", "Pfostenposition (mm)", NULL },
	{ "system", "choice", "PVC70", -1, -1, "", "System profili", "Profile system", "Profilsystem", o_system },
	{ "hinge_side", "choice", "R", -1, -1, "RU1", "Strona zawiasów", "Hinge side", "Bandseite", o_hinge_side },
	{ "glass", "choice", "G3_05", -1, -1, "", "Szyba", "Glazing", "Verglasung", o_glass },
	{ "spacer", "choice", "WARM", -1, -1, "", "Ramka dystansowa", "Spacer", "Abstandhalter", o_spacer },
	{ "colour", "choice", "WHITE", -1, -1, "", "Kolor", "Colour", "Farbe", o_colour },
	{ "hardware", "choice", "STD", -1, -1, "", "Okucia", "Hardware", "Beschlag", o_hardware },
	{ "hinge", "choice", "STD", -1, -1, "", "Zawiasy", "Hinges", "Bänder", o_hinge },
	{ "microvent", "bool", "true", -1, -1, "", "Mikrowentylacja", "Micro-ventilation", "Spaltlüftung", NULL },
	{ "handle", "choice", "STD", -1, -1, "", "Klamka", "Handle", "Griff", o_handle },
	{ "vent_qty", "int", "0", 0, 4, "", "Nawiewniki (szt.)", "Trickle vents (pcs)", "Fensterfalzlüfter (Stk.)", NULL },
	{ "sill", "bool", "false", -1, -1, "", "Parapet zewnętrzny", "External sill", "Außenfensterbank", NULL },
};

struct cons {
	const char	*id, *kind, *severity, *when;
	const char	*params;	/* "name=value ..." */
	const char	*needs;		/* "attr=value ..." */
	const char	*pl, *en, *de;
};

static const struct cons constraints[] = {
	{ "R1", "size", "error", "type=RU1",
	  "width_min=450 width_max=1300 height_min=500 height_max=2400", "",
	  "Okno 1-skrzydłowe: szerokość 450-1300 mm, wysokość 500-2400 mm",
	  "Single-sash window: width 450-1300 mm, height 500-2400 mm",
	  "Einflügeliges Fenster: Breite 450-1300 mm, Höhe 500-2400 mm" },
	{ "R2", "size", "error", "type=RU_RU_POST",
	  "width_min=900 width_max=2600 height_min=500 height_max=2400 field_min=450 field_max=1300", "",
	  "Okno 2-skrzydłowe: szerokość 900-2600 mm, wysokość 500-2400 mm, każde pole 450-1300 mm",
	  "Double-sash window: width 900-2600 mm, height 500-2400 mm, each field 450-1300 mm",
	  "Zweiflügeliges Fenster: Breite 900-2600 mm, Höhe 500-2400 mm, jedes Feld 450-1300 mm" },
	{ "R3", "sash_ratio", "warning", "", "max_ratio_ppm=1200000", "",
	  "Skrzydło szersze niż 1,2 × wysokość: ryzyko opadania",
	  "Sash wider than 1.2 × its height: risk of sagging",
	  "Flügel breiter als 1,2 × Höhe: Gefahr des Absackens" },
	{ "R4", "sash_weight", "error", "", "max_g.STD=100000 max_g.HEAVY=130000", "",
	  "Skrzydło za ciężkie dla wybranych zawiasów",
	  "Sash too heavy for the chosen hinges",
	  "Flügel zu schwer für die gewählten Bänder" },
	{ "R5", "colour_size", "error", "colour!=WHITE", "max_side=2500 max_area_mm2=5000000", "",
	  "Okno kolorowe: maks. 2500 mm boku i 5 m²",
	  "Coloured window: at most 2500 mm a side and 5 m²",
	  "Farbiges Fenster: höchstens 2500 mm Seitenlänge und 5 m²" },
	{ "R6", "requires", "error", "hardware=RC2", "", "glass=G3_P4A handle=KEY",
	  "RC2 wymaga szyby P4A i klamki z kluczykiem",
	  "RC2 requires P4A glass and a lockable handle",
	  "RC2 erfordert P4A-Glas und einen abschließbaren Griff" },
	{ "R7", "vent_width", "error", "vent_qty>0", "min_sash_width=500", "",
	  "Nawiewnik wymaga skrzydła o szerokości co najmniej 500 mm",
	  "A trickle vent needs a sash at least 500 mm wide",
	  "Ein Fensterfalzlüfter braucht einen Flügel von mindestens 500 mm Breite" },
	{ "R8", "uw_max", "warning", "", "max=900", "",
	  "Uw powyżej 0,9 W/m²K: nie spełnia WT 2021",
	  "Uw above 0.9 W/m²K: does not meet WT 2021",
	  "Uw über 0,9 W/m²K: erfüllt WT 2021 nicht" },
	{ "R9", "lead_time", "info", "", "", "",
	  "Czas realizacji w dniach roboczych zależy od koloru",
	  "Lead time in working days depends on the colour",
	  "Lieferzeit in Arbeitstagen hängt von der Farbe ab" },
	{ "R10", "grid_bounds", "error", "", "", "",
	  "Wymiar niedostępny w cenniku",
	  "Size not available in the price list",
	  "Maß in der Preisliste nicht verfügbar" },
};

struct sur {
	const char	*attr, *opt, *basis;
	long		 value;
	int		 offset_mm;
};

static const struct sur surcharges[] = {
	{ "colour", "FOIL_OUT", "grid_pct", 1800, 0 },
	{ "colour", "FOIL_2S", "grid_pct", 3000, 0 },
	{ "colour", "RAL", "grid_pct", 3500, 0 },
	{ "system", "PVC82", "grid_pct", 1200, 0 },
	{ "glass", "G2_11", "per_m2", -4500, 0 },
	{ "glass", "G3_P2A", "per_m2", 12000, 0 },
	{ "glass", "G3_P4A", "per_m2", 21000, 0 },
	{ "spacer", "ALU", "per_glass_m", -600, 0 },
	{ "hardware", "RC1N", "per_sash", 12000, 0 },
	{ "hardware", "RC2N", "per_sash", 32000, 0 },
	{ "hardware", "RC2", "per_sash", 38000, 0 },
	{ "hinge", "HEAVY", "per_sash", 8500, 0 },
	{ "handle", "KEY", "per_handle", 6500, 0 },
	{ "vent_qty", "", "per_piece", 9500, 0 },
	{ "sill", "true", "per_width_m", 5500, 50 },
};

static void
names3(struct buf *b, const char *elem, const char *pl, const char *en,
    const char *de)
{
	x_lang(b, elem, "pl", pl);
	x_lang(b, elem, "en", en);
	x_lang(b, elem, "de", de);
}

/* "a=1 b=2" -> <o:param name="a">1</o:param>...; elem "need" for
 * attr=value pairs with text values. */
static void
params(struct buf *b, const char *s, const char *elem, const char *attr)
{
	char tmp[256], *p, *save = NULL, *eq;

	snprintf(tmp, sizeof(tmp), "%s", s);
	for (p = strtok_r(tmp, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		buf_printf(b, "<o:%s %s=\"", elem, attr);
		x_esc(b, p, strlen(p));
		buf_puts(b, "\">");
		x_esc(b, eq + 1, strlen(eq + 1));
		buf_printf(b, "</o:%s>", elem);
	}
}

static long
cell(long base, long k, long wb, long hb)
{
	/* base + k*wb*hb/10^6, half-up to whole PLN, in grosze */
	long long v = (long long)base * 1000000 + (long long)k * wb * hb;

	return (long)((v + 500000) / 1000000) * 100;
}

static void
grid(struct buf *b, const char *type, const long *w, size_t nw, long base,
    long k)
{
	static const long h[] = { 800, 1000, 1200, 1400, 1600, 1800 };
	size_t i, j;

	x_open(b, "grid");
	x_text(b, "type", type);
	x_open(b, "widths");
	for (i = 0; i < nw; i++)
		buf_printf(b, "%s%ld", i ? " " : "", w[i]);
	x_close(b, "widths");
	x_open(b, "heights");
	for (j = 0; j < 6; j++)
		buf_printf(b, "%s%ld", j ? " " : "", h[j]);
	x_close(b, "heights");
	for (j = 0; j < 6; j++) {
		buf_printf(b, "<o:row h=\"%ld\">", h[j]);
		for (i = 0; i < nw; i++)
			buf_printf(b, "%s%ld", i ? " " : "",
			    cell(base, k, w[i], h[j]));
		x_close(b, "row");
	}
	x_close(b, "grid");
}

void
sim_ruleset_bundle(struct buf *b)
{
	static const long w1[] = { 600, 800, 1000, 1200, 1300 };
	static const long w2[] = { 1000, 1200, 1400, 1600, 1800, 2000, 2200,
	    2400, 2600 };
	size_t i;

	x_open(b, "bundle");
	x_open(b, "geometry");
	x_int(b, "frame_mm", 115);
	x_int(b, "post_mm", 145);
	x_int(b, "sash_minus_mm", 100);
	x_int(b, "glass_g_per_m2_mm", 2500);
	x_int(b, "profile_g_per_m", 1800);
	x_int(b, "uw_max", 900);
	x_close(b, "geometry");
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		const struct attr *a = &attrs[i];

		x_open(b, "attribute");
		x_text(b, "code", a->code);
		x_text(b, "type", a->type);
		x_text(b, "default", a->def);
		if (a->min >= 0)
			x_int(b, "min", a->min);
		if (a->max >= 0)
			x_int(b, "max", a->max);
		x_text(b, "applies_to", a->applies);
		names3(b, "name", a->pl, a->en, a->de);
		for (const struct opt *o = a->opts; o && o->code; o++) {
			x_open(b, "option");
			x_text(b, "code", o->code);
			names3(b, "name", o->pl, o->en, o->de);
			params(b, o->params, "param", "name");
			x_close(b, "option");
		}
		x_close(b, "attribute");
	}
	for (i = 0; i < sizeof(constraints) / sizeof(constraints[0]); i++) {
		const struct cons *c = &constraints[i];

		x_open(b, "constraint");
		x_text(b, "id", c->id);
		x_text(b, "kind", c->kind);
		x_text(b, "severity", c->severity);
		x_text(b, "when", c->when);
		params(b, c->params, "param", "name");
		params(b, c->needs, "need", "attribute");
		names3(b, "message", c->pl, c->en, c->de);
		x_close(b, "constraint");
	}
	grid(b, "RU1", w1, sizeof(w1) / sizeof(w1[0]), 220, 280);
	grid(b, "RU_RU_POST", w2, sizeof(w2) / sizeof(w2[0]), 380, 300);
	for (i = 0; i < sizeof(surcharges) / sizeof(surcharges[0]); i++) {
		const struct sur *s = &surcharges[i];

		x_open(b, "surcharge");
		x_text(b, "attribute", s->attr);
		x_text(b, "option", s->opt);
		x_text(b, "basis", s->basis);
		x_int(b, "value", s->value);
		if (s->offset_mm)
			x_int(b, "offset_mm", s->offset_mm);
		x_close(b, "surcharge");
	}
	{
		static const struct { const char *g; int v; } d[] = {
			{ "A", 3500 }, { "B", 2800 }, { "C", 2000 } };

		for (i = 0; i < 3; i++) {
			x_open(b, "discount");
			x_text(b, "group", d[i].g);
			x_int(b, "value", d[i].v);
			x_close(b, "discount");
		}
	}
	x_close(b, "bundle");
}
