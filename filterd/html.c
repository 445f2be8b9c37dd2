/*
 * Copyright (c) 2026 The mxsuite developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * HTML to text as SpamAssassin renders it.  A small tokenizer with
 * HTML::Parser's habits (literal elements, entities without ';', what
 * it does with broken tags at the end), then SpamAssassin's rules for
 * white space, text style (visibility) and URIs.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "mimedec.h"
#include "xmalloc.h"

#define STYLE_MAX	256	/* text style stack depth kept */
#define ATTR_MAX	32	/* attributes kept per tag */
#define URI_MAX_LEN	8192	/* SpamAssassin's MAX_URI_LENGTH */
#define INVALID		(-1)
#define TRANSPARENT	(-2)

struct entity {
	const char	*name;	/* "name;" when the ';' is required */
	unsigned int	 cp;
};

struct color {
	const char	*name;
	int		 rgb;
};

struct attr {
	char	*name;
	char	*value;
};

struct style {
	char	 tag[12];
	int	 fg, bg, size;
	int	 none, hidden;
};

struct html {
	struct mimebuf		*out;
	struct html_uris	*uris;
	struct html_result	*res;
	size_t			 last_len;	/* last text element */
	int			 have_last;
	int			 last_ws, last_inv;
	struct style		 st[STYLE_MAX];
	int			 nst;
	int			 basefont;
	int			 in_script, in_style, in_a, in_title;
	char			*base;
	char			*href;		/* <a>'s href, as html_uri
						   had it */
};

/* HTML 4 entities as HTML::Parser knows them (HTML::Entities). */
static const struct entity entities[] = {
	{ "AElig", 0xc6 }, { "Aacute", 0xc1 }, { "Acirc", 0xc2 },
	{ "Agrave", 0xc0 }, { "Alpha;", 0x391 }, { "Aring", 0xc5 },
	{ "Atilde", 0xc3 }, { "Auml", 0xc4 }, { "Beta;", 0x392 },
	{ "Ccedil", 0xc7 }, { "Chi;", 0x3a7 }, { "Dagger;", 0x2021 },
	{ "Delta;", 0x394 }, { "ETH", 0xd0 }, { "Eacute", 0xc9 },
	{ "Ecirc", 0xca }, { "Egrave", 0xc8 }, { "Epsilon;", 0x395 },
	{ "Eta;", 0x397 }, { "Euml", 0xcb }, { "Gamma;", 0x393 },
	{ "Iacute", 0xcd }, { "Icirc", 0xce }, { "Igrave", 0xcc },
	{ "Iota;", 0x399 }, { "Iuml", 0xcf }, { "Kappa;", 0x39a },
	{ "Lambda;", 0x39b }, { "Mu;", 0x39c }, { "Ntilde", 0xd1 },
	{ "Nu;", 0x39d }, { "OElig;", 0x152 }, { "Oacute", 0xd3 },
	{ "Ocirc", 0xd4 }, { "Ograve", 0xd2 }, { "Omega;", 0x3a9 },
	{ "Omicron;", 0x39f }, { "Oslash", 0xd8 }, { "Otilde", 0xd5 },
	{ "Ouml", 0xd6 }, { "Phi;", 0x3a6 }, { "Pi;", 0x3a0 },
	{ "Prime;", 0x2033 }, { "Psi;", 0x3a8 }, { "Rho;", 0x3a1 },
	{ "Scaron;", 0x160 }, { "Sigma;", 0x3a3 }, { "THORN", 0xde },
	{ "Tau;", 0x3a4 }, { "Theta;", 0x398 }, { "Uacute", 0xda },
	{ "Ucirc", 0xdb }, { "Ugrave", 0xd9 }, { "Upsilon;", 0x3a5 },
	{ "Uuml", 0xdc }, { "Xi;", 0x39e }, { "Yacute", 0xdd },
	{ "Yuml;", 0x178 }, { "Zeta;", 0x396 }, { "aacute", 0xe1 },
	{ "acirc", 0xe2 }, { "acute", 0xb4 }, { "aelig", 0xe6 },
	{ "agrave", 0xe0 }, { "alefsym;", 0x2135 }, { "alpha;", 0x3b1 },
	{ "amp", 0x26 }, { "and;", 0x2227 }, { "ang;", 0x2220 },
	{ "apos", 0x27 }, { "aring", 0xe5 }, { "asymp;", 0x2248 },
	{ "atilde", 0xe3 }, { "auml", 0xe4 }, { "bdquo;", 0x201e },
	{ "beta;", 0x3b2 }, { "brvbar", 0xa6 }, { "bull;", 0x2022 },
	{ "cap;", 0x2229 }, { "ccedil", 0xe7 }, { "cedil", 0xb8 },
	{ "cent", 0xa2 }, { "chi;", 0x3c7 }, { "circ;", 0x2c6 },
	{ "clubs;", 0x2663 }, { "cong;", 0x2245 }, { "copy", 0xa9 },
	{ "crarr;", 0x21b5 }, { "cup;", 0x222a }, { "curren", 0xa4 },
	{ "dArr;", 0x21d3 }, { "dagger;", 0x2020 }, { "darr;", 0x2193 },
	{ "deg", 0xb0 }, { "delta;", 0x3b4 }, { "diams;", 0x2666 },
	{ "divide", 0xf7 }, { "eacute", 0xe9 }, { "ecirc", 0xea },
	{ "egrave", 0xe8 }, { "empty;", 0x2205 }, { "emsp;", 0x2003 },
	{ "ensp;", 0x2002 }, { "epsilon;", 0x3b5 }, { "equiv;", 0x2261 },
	{ "eta;", 0x3b7 }, { "eth", 0xf0 }, { "euml", 0xeb },
	{ "euro;", 0x20ac }, { "exist;", 0x2203 }, { "fnof;", 0x192 },
	{ "forall;", 0x2200 }, { "frac12", 0xbd }, { "frac14", 0xbc },
	{ "frac34", 0xbe }, { "frasl;", 0x2044 }, { "gamma;", 0x3b3 },
	{ "ge;", 0x2265 }, { "gt", 0x3e }, { "hArr;", 0x21d4 },
	{ "harr;", 0x2194 }, { "hearts;", 0x2665 }, { "hellip;", 0x2026 },
	{ "iacute", 0xed }, { "icirc", 0xee }, { "iexcl", 0xa1 },
	{ "igrave", 0xec }, { "image;", 0x2111 }, { "infin;", 0x221e },
	{ "int;", 0x222b }, { "iota;", 0x3b9 }, { "iquest", 0xbf },
	{ "isin;", 0x2208 }, { "iuml", 0xef }, { "kappa;", 0x3ba },
	{ "lArr;", 0x21d0 }, { "lambda;", 0x3bb }, { "lang;", 0x2329 },
	{ "laquo", 0xab }, { "larr;", 0x2190 }, { "lceil;", 0x2308 },
	{ "ldquo;", 0x201c }, { "le;", 0x2264 }, { "lfloor;", 0x230a },
	{ "lowast;", 0x2217 }, { "loz;", 0x25ca }, { "lrm;", 0x200e },
	{ "lsaquo;", 0x2039 }, { "lsquo;", 0x2018 }, { "lt", 0x3c },
	{ "macr", 0xaf }, { "mdash;", 0x2014 }, { "micro", 0xb5 },
	{ "middot", 0xb7 }, { "minus;", 0x2212 }, { "mu;", 0x3bc },
	{ "nabla;", 0x2207 }, { "nbsp", 0xa0 }, { "ndash;", 0x2013 },
	{ "ne;", 0x2260 }, { "ni;", 0x220b }, { "not", 0xac },
	{ "notin;", 0x2209 }, { "nsub;", 0x2284 }, { "ntilde", 0xf1 },
	{ "nu;", 0x3bd }, { "oacute", 0xf3 }, { "ocirc", 0xf4 },
	{ "oelig;", 0x153 }, { "ograve", 0xf2 }, { "oline;", 0x203e },
	{ "omega;", 0x3c9 }, { "omicron;", 0x3bf }, { "oplus;", 0x2295 },
	{ "or;", 0x2228 }, { "ordf", 0xaa }, { "ordm", 0xba },
	{ "oslash", 0xf8 }, { "otilde", 0xf5 }, { "otimes;", 0x2297 },
	{ "ouml", 0xf6 }, { "para", 0xb6 }, { "part;", 0x2202 },
	{ "permil;", 0x2030 }, { "perp;", 0x22a5 }, { "phi;", 0x3c6 },
	{ "pi;", 0x3c0 }, { "piv;", 0x3d6 }, { "plusmn", 0xb1 },
	{ "pound", 0xa3 }, { "prime;", 0x2032 }, { "prod;", 0x220f },
	{ "prop;", 0x221d }, { "psi;", 0x3c8 }, { "quot", 0x22 },
	{ "rArr;", 0x21d2 }, { "radic;", 0x221a }, { "rang;", 0x232a },
	{ "raquo", 0xbb }, { "rarr;", 0x2192 }, { "rceil;", 0x2309 },
	{ "rdquo;", 0x201d }, { "real;", 0x211c }, { "reg", 0xae },
	{ "rfloor;", 0x230b }, { "rho;", 0x3c1 }, { "rlm;", 0x200f },
	{ "rsaquo;", 0x203a }, { "rsquo;", 0x2019 }, { "sbquo;", 0x201a },
	{ "scaron;", 0x161 }, { "sdot;", 0x22c5 }, { "sect", 0xa7 },
	{ "shy", 0xad }, { "sigma;", 0x3c3 }, { "sigmaf;", 0x3c2 },
	{ "sim;", 0x223c }, { "spades;", 0x2660 }, { "sub;", 0x2282 },
	{ "sube;", 0x2286 }, { "sum;", 0x2211 }, { "sup1", 0xb9 },
	{ "sup2", 0xb2 }, { "sup3", 0xb3 }, { "sup;", 0x2283 },
	{ "supe;", 0x2287 }, { "szlig", 0xdf }, { "tau;", 0x3c4 },
	{ "there4;", 0x2234 }, { "theta;", 0x3b8 }, { "thetasym;", 0x3d1 },
	{ "thinsp;", 0x2009 }, { "thorn", 0xfe }, { "tilde;", 0x2dc },
	{ "times", 0xd7 }, { "trade;", 0x2122 }, { "uArr;", 0x21d1 },
	{ "uacute", 0xfa }, { "uarr;", 0x2191 }, { "ucirc", 0xfb },
	{ "ugrave", 0xf9 }, { "uml", 0xa8 }, { "upsih;", 0x3d2 },
	{ "upsilon;", 0x3c5 }, { "uuml", 0xfc }, { "weierp;", 0x2118 },
	{ "xi;", 0x3be }, { "yacute", 0xfd }, { "yen", 0xa5 },
	{ "yuml", 0xff }, { "zeta;", 0x3b6 }, { "zwj;", 0x200d },
	{ "zwnj;", 0x200c },
};

/* SpamAssassin's colour names (HTML.pm). */
static const struct color colors[] = {
	{ "aliceblue", 0xf0f8ff }, { "antiquewhite", 0xfaebd7 },
	{ "aqua", 0x00ffff }, { "aqua", 0x00ffff }, { "aquamarine", 0x7fffd4 },
	{ "azure", 0xf0ffff }, { "beige", 0xf5f5dc }, { "bisque", 0xffe4c4 },
	{ "black", 0x000000 }, { "black", 0x000000 },
	{ "blanchedalmond", 0xffebcd }, { "blue", 0x0000ff },
	{ "blue", 0x0000ff }, { "blueviolet", 0x8a2be2 },
	{ "brown", 0xa52a2a }, { "burlywood", 0xdeb887 },
	{ "cadetblue", 0x5f9ea0 }, { "chartreuse", 0x7fff00 },
	{ "chocolate", 0xd2691e }, { "coral", 0xff7f50 },
	{ "cornflowerblue", 0x6495ed }, { "cornsilk", 0xfff8dc },
	{ "crimson", 0xdc143c }, { "cyan", 0x00ffff },
	{ "darkblue", 0x00008b }, { "darkcyan", 0x008b8b },
	{ "darkgoldenrod", 0xb8860b }, { "darkgray", 0xa9a9a9 },
	{ "darkgreen", 0x006400 }, { "darkgrey", 0xa9a9a9 },
	{ "darkkhaki", 0xbdb76b }, { "darkmagenta", 0x8b008b },
	{ "darkolivegreen", 0x556b2f }, { "darkorange", 0xff8c00 },
	{ "darkorchid", 0x9932cc }, { "darkred", 0x8b0000 },
	{ "darksalmon", 0xe9967a }, { "darkseagreen", 0x8fbc8f },
	{ "darkslateblue", 0x483d8b }, { "darkslategray", 0x2f4f4f },
	{ "darkslategrey", 0x2f4f4f }, { "darkturquoise", 0x00ced1 },
	{ "darkviolet", 0x9400d3 }, { "deeppink", 0xff1493 },
	{ "deepskyblue", 0x00bfff }, { "dimgray", 0x696969 },
	{ "dimgrey", 0x696969 }, { "dodgerblue", 0x1e90ff },
	{ "firebrick", 0xb22222 }, { "floralwhite", 0xfffaf0 },
	{ "forestgreen", 0x228b22 }, { "fuchsia", 0xff00ff },
	{ "fuchsia", 0xff00ff }, { "gainsboro", 0xdcdcdc },
	{ "ghostwhite", 0xf8f8ff }, { "gold", 0xffd700 },
	{ "goldenrod", 0xdaa520 }, { "gray", 0x808080 }, { "gray", 0x808080 },
	{ "green", 0x008000 }, { "green", 0x008000 },
	{ "greenyellow", 0xadff2f }, { "grey", 0x808080 },
	{ "honeydew", 0xf0fff0 }, { "hotpink", 0xff69b4 },
	{ "indianred", 0xcd5c5c }, { "indigo", 0x4b0082 },
	{ "ivory", 0xfffff0 }, { "khaki", 0xf0e68c }, { "lavender", 0xe6e6fa },
	{ "lavenderblush", 0xfff0f5 }, { "lawngreen", 0x7cfc00 },
	{ "lemonchiffon", 0xfffacd }, { "lightblue", 0xadd8e6 },
	{ "lightcoral", 0xf08080 }, { "lightcyan", 0xe0ffff },
	{ "lightgoldenrodyellow", 0xfafad2 }, { "lightgray", 0xd3d3d3 },
	{ "lightgreen", 0x90ee90 }, { "lightgrey", 0xd3d3d3 },
	{ "lightpink", 0xffb6c1 }, { "lightsalmon", 0xffa07a },
	{ "lightseagreen", 0x20b2aa }, { "lightskyblue", 0x87cefa },
	{ "lightslategray", 0x778899 }, { "lightslategrey", 0x778899 },
	{ "lightsteelblue", 0xb0c4de }, { "lightyellow", 0xffffe0 },
	{ "lime", 0x00ff00 }, { "lime", 0x00ff00 }, { "limegreen", 0x32cd32 },
	{ "linen", 0xfaf0e6 }, { "magenta", 0xff00ff }, { "maroon", 0x800000 },
	{ "maroon", 0x800000 }, { "mediumaquamarine", 0x66cdaa },
	{ "mediumblue", 0x0000cd }, { "mediumorchid", 0xba55d3 },
	{ "mediumpurple", 0x9370db }, { "mediumseagreen", 0x3cb371 },
	{ "mediumslateblue", 0x7b68ee }, { "mediumspringgreen", 0x00fa9a },
	{ "mediumturquoise", 0x48d1cc }, { "mediumvioletred", 0xc71585 },
	{ "midnightblue", 0x191970 }, { "mintcream", 0xf5fffa },
	{ "mistyrose", 0xffe4e1 }, { "moccasin", 0xffe4b5 },
	{ "navajowhite", 0xffdead }, { "navy", 0x000080 },
	{ "navy", 0x000080 }, { "oldlace", 0xfdf5e6 }, { "olive", 0x808000 },
	{ "olive", 0x808000 }, { "olivedrab", 0x6b8e23 },
	{ "orange", 0xffa500 }, { "orangered", 0xff4500 },
	{ "orchid", 0xda70d6 }, { "palegoldenrod", 0xeee8aa },
	{ "palegreen", 0x98fb98 }, { "paleturquoise", 0xafeeee },
	{ "palevioletred", 0xdb7093 }, { "papayawhip", 0xffefd5 },
	{ "peachpuff", 0xffdab9 }, { "peru", 0xcd853f }, { "pink", 0xffc0cb },
	{ "plum", 0xdda0dd }, { "powderblue", 0xb0e0e6 },
	{ "purple", 0x800080 }, { "purple", 0x800080 }, { "red", 0xff0000 },
	{ "red", 0xff0000 }, { "rosybrown", 0xbc8f8f },
	{ "royalblue", 0x4169e1 }, { "saddlebrown", 0x8b4513 },
	{ "salmon", 0xfa8072 }, { "sandybrown", 0xf4a460 },
	{ "seagreen", 0x2e8b57 }, { "seashell", 0xfff5ee },
	{ "sienna", 0xa0522d }, { "silver", 0xc0c0c0 }, { "silver", 0xc0c0c0 },
	{ "skyblue", 0x87ceeb }, { "slateblue", 0x6a5acd },
	{ "slategray", 0x708090 }, { "slategrey", 0x708090 },
	{ "snow", 0xfffafa }, { "springgreen", 0x00ff7f },
	{ "steelblue", 0x4682b4 }, { "tan", 0xd2b48c }, { "teal", 0x008080 },
	{ "teal", 0x008080 }, { "thistle", 0xd8bfd8 }, { "tomato", 0xff6347 },
	{ "turquoise", 0x40e0d0 }, { "violet", 0xee82ee },
	{ "wheat", 0xf5deb3 }, { "white", 0xffffff }, { "white", 0xffffff },
	{ "whitesmoke", 0xf5f5f5 }, { "yellow", 0xffff00 },
	{ "yellow", 0xffff00 }, { "yellowgreen", 0x9acd32 },
};

static int	ent_cmp(const void *, const void *);
static int	color_cmp(const void *, const void *);
static const struct entity *ent_find(const char *, size_t, int);
static void	decode_entities(struct mimebuf *, const char *, size_t);
static int	name_to_rgb(const char *);
static int	in_set(const char *, const char *const *);
static int	asciisp(int);
static void	strs_add(struct html_strs *, const char *, size_t);
static void	strs_append(struct html_strs *, const char *, size_t);
static void	strs_clear(struct html_strs *);
static void	inside_add(struct html *, const char *, int);
static size_t	xrun(const char *, size_t, int);
static unsigned int cp_at(const char *, size_t, size_t, int *);
static int	xchar(unsigned int);
static int	wordchar(unsigned int);
static int	face_bad(const char *);
static void	text_tests(struct html *, const char *, size_t);
static void	tag_tests(struct html *, const char *, struct attr *, int);
static void	display_text(struct html *, const char *, size_t, int, int);
static void	html_text(struct html *, const char *, size_t);
static int	font_invisible(const struct html *);
static void	html_tag(struct html *, const char *, struct attr *, int,
		    int);
static void	text_style(struct html *, const char *, struct attr *, int,
		    int);
static void	style_attr(struct style *, const struct style *,
		    const char *);
static int	style_ok_attr(const char *, const char *);
static void	close_tag(struct html *, const char *);
static void	close_table_tag(struct html *, const char *);
static void	html_uri(struct html *, const char *, struct attr *, int);
static const char *canon_uri(struct html *, const char *, size_t *);
static void	anchor_uri(struct html *);
static int	push_uri(struct html *, const char *);
static void	flush_text(struct html *, struct mimebuf *);
static const char *attr_get(struct attr *, int, const char *);
static size_t	parse_tag(const char *, size_t, size_t, char *, size_t,
		    struct attr *, int *, int *);
static size_t	literal_end(const char *, size_t, size_t, const char *);

static const char *const elements[] = {
	"a", "abbr", "acronym", "address", "area", "b", "base", "bdo", "big",
	"blockquote", "body", "br", "button", "caption", "cite", "code",
	"col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em",
	"fieldset", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr",
	"html", "i", "img", "input", "ins", "kbd", "label", "legend", "li",
	"link", "map", "meta", "noscript", "object", "ol", "optgroup",
	"option", "p", "param", "pre", "q", "samp", "script", "select",
	"small", "span", "strong", "style", "sub", "sup", "table", "tbody",
	"td", "textarea", "tfoot", "th", "thead", "title", "tr", "tt", "ul",
	"var", "applet", "basefont", "center", "dir", "font", "frame",
	"frameset", "iframe", "isindex", "menu", "noframes", "s", "strike",
	"u", "nobr", "x-sigsep", "x-tab", NULL
};
/* SpamAssassin's "tricks": handled as elements, not counted as such. */
static const char *const tricks[] = {
	"bgsound", "embed", "listing", "plaintext", "xmp", NULL
};
static const char *const text_style_tags[] = {
	"body", "font", "table", "tr", "th", "td", "big", "small",
	"basefont", "marquee", "span", "p", "div", "a", NULL
};
static const char *const ws_nl[] = { "br", "div", NULL };
static const char *const ws_sp[] = {
	"li", "th", "td", "dt", "dd", "embed", "h1", "h2", "h3", "h4", "h5",
	"h6", NULL
};
static const char *const ws_para[] = {
	"p", "hr", "blockquote", "pre", "listing", "plaintext", "xmp",
	"title", NULL
};
static const char *const uri_tags[] = {
	"body", "table", "tr", "td", "a", "area", "link", "img", "frame",
	"iframe", "embed", "script", "form", "base", "bgsound", "meta", NULL
};
/* Elements whose content HTML::Parser reads as text up to the end tag. */
static const char *const literal_tags[] = {
	"script", "style", "xmp", "title", "textarea", "iframe", "plaintext",
	NULL
};

static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entity *)a)->name,
	    ((const struct entity *)b)->name);
}

static int
color_cmp(const void *a, const void *b)
{
	return strcmp(((const struct color *)a)->name,
	    ((const struct color *)b)->name);
}

/* The entity called exactly s[0, n) (semi: followed by ';'). */
static const struct entity *
ent_find(const char *s, size_t n, int semi)
{
	struct entity	 key;
	const struct entity *e;
	char		 name[16];

	if (n == 0 || n + 2 > sizeof(name))
		return NULL;
	memcpy(name, s, n);
	name[n] = '\0';
	key.name = name;
	if ((e = bsearch(&key, entities, sizeof(entities) /
	    sizeof(entities[0]), sizeof(entities[0]), ent_cmp)) != NULL)
		return e;
	if (!semi)
		return NULL;
	name[n] = ';';
	name[n + 1] = '\0';
	return bsearch(&key, entities, sizeof(entities) / sizeof(entities[0]),
	    sizeof(entities[0]), ent_cmp);
}

/*
 * Appends s with entities decoded as HTML::Parser does: "&name;",
 * "&name" for the Latin-1 ones (the longest known prefix of a longer
 * word: "&copy2" is "(c)2"), "&#N;" and "&#xN;" with or without ';'
 * (0 and values past U+10FFFF are left alone, surrogates give U+FFFD).
 */
static void
decode_entities(struct mimebuf *out, const char *s, size_t len)
{
	const struct entity	*e;
	size_t			 i, j, k, start;
	unsigned long		 v;
	int			 hex, c;

	for (i = 0; i < len; i++) {
		if (s[i] != '&' || i + 1 >= len) {
			mimebuf_addc(out, s[i]);
			continue;
		}
		if (s[i + 1] == '#') {
			hex = i + 2 < len &&
			    (s[i + 2] == 'x' || s[i + 2] == 'X');
			start = j = i + 2 + hex;
			v = 0;
			for (; j < len && (hex ? isxdigit((unsigned char)s[j]) :
			    isdigit((unsigned char)s[j])); j++) {
				c = tolower((unsigned char)s[j]);
				if (v < 0x1000000)
					v = v * (hex ? 16 : 10) + (isdigit(c) ?
					    c - '0' : c - 'a' + 10);
			}
			if (j == start || v == 0 || v > 0x10ffff) {
				mimebuf_addc(out, s[i]);
				continue;
			}
			mimebuf_add_utf8(out, (unsigned int)v);
			if (j < len && s[j] == ';')
				j++;
			i = j - 1;
			continue;
		}
		for (j = i + 1; j < len && isalnum((unsigned char)s[j]); j++)
			;
		e = NULL;
		if (j < len && s[j] == ';')
			e = ent_find(s + i + 1, j - i - 1, 1);
		if (e != NULL) {
			mimebuf_add_utf8(out, e->cp);
			i = j;
			continue;
		}
		/* no ';': the longest known prefix, if any */
		for (k = j; k > i + 1; k--)
			if ((e = ent_find(s + i + 1, k - i - 1, 0)) != NULL)
				break;
		if (e == NULL) {
			mimebuf_addc(out, s[i]);
			continue;
		}
		mimebuf_add_utf8(out, e->cp);
		i = k - 1;
	}
}

/* A colour as SpamAssassin's name_to_rgb reads it; INVALID if none. */
static int
name_to_rgb(const char *in)
{
	struct color	 key, *c;
	char		 s[64], h[8];
	size_t		 n, i, o;
	unsigned int	 r, g, b;
	int		 pr, pg, pb;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n > 0 && isspace((unsigned char)in[n - 1]))
		n--;
	if (n >= sizeof(s))
		return INVALID;
	for (i = 0; i < n; i++)
		s[i] = tolower((unsigned char)in[i]);
	s[n] = '\0';
	key.name = s;
	if ((c = bsearch(&key, colors, sizeof(colors) / sizeof(colors[0]),
	    sizeof(colors[0]), color_cmp)) != NULL)
		return c->rgb;
	if (sscanf(s, "rgb(%d%%,%d%%,%d%%)", &pr, &pg, &pb) == 3 &&
	    pr >= 0 && pg >= 0 && pb >= 0)
		return ((pr * 255 / 100) & 0xff) << 16 |
		    ((pg * 255 / 100) & 0xff) << 8 | ((pb * 255 / 100) & 0xff);
	if (sscanf(s, "rgb(%d,%d,%d)", &pr, &pg, &pb) == 3 &&
	    pr >= 0 && pg >= 0 && pb >= 0 && pr < 256 && pg < 256 && pb < 256)
		return pr << 16 | pg << 8 | pb;
	if (s[0] != '#')
		return INVALID;
	for (i = 1, o = 0; s[i] != '\0' && o < 6; i++)
		if (isxdigit((unsigned char)s[i]))
			h[o++] = s[i];
	if (o > 3 && o < 6)
		o = 3;
	while (o % 3 != 0 || o == 0)
		h[o++] = '0';
	h[o] = '\0';
	if (o == 3) {
		h[5] = h[2]; h[4] = h[2];
		h[3] = h[1]; h[2] = h[1];
		h[1] = h[0];
		h[6] = '\0';
	}
	if (sscanf(h, "%2x%2x%2x", &r, &g, &b) != 3)
		return INVALID;
	return r << 16 | g << 8 | b;
}

/* HTML.pm's [ \t\n\r\f\x0b] */
static int
asciisp(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

static int
in_set(const char *tag, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(tag, *set) == 0)
			return 1;
	return 0;
}

/* SpamAssassin's display_text: one text element, white space rules. */
static void
display_text(struct html *h, const char *s, size_t n, int ws, int inv)
{
	struct mimebuf	*o = h->out;
	size_t		 start, i;
	int		 sp;

	if (ws) {
		if (h->have_last && !h->last_ws && !h->last_inv &&
		    h->last_len > 0 && o->buf[o->len - 1] == ' ') {
			o->len--;
			o->buf[o->len] = '\0';
		}
		mimebuf_add(o, s, n);
		h->last_len = n;
	} else {
		start = o->len;
		for (i = 0, sp = 0; i < n; i++) {
			if (asciisp(s[i])) {
				if (!sp)
					mimebuf_addc(o, ' ');
				sp = 1;
				continue;
			}
			sp = 0;
			mimebuf_addc(o, s[i]);
		}
		if (h->have_last && !inv && h->last_ws && o->len > start &&
		    o->buf[start] == ' ') {
			memmove(o->buf + start, o->buf + start + 1,
			    o->len - start - 1);
			o->len--;
			o->buf[o->len] = '\0';
		}
		h->last_len = o->len - start;
		if (inv && h->res != NULL)
			h->res->invisible_len += h->last_len;
	}
	h->have_last = 1;
	h->last_ws = ws;
	h->last_inv = inv;
}

/* HTML.pm's html_font_invisible, with its result flags. */
static int
font_invisible(const struct html *h)
{
	const struct style	*s = &h->st[h->nst - 1];
	struct html_result	*r = h->res;
	double			 dr, dg, db, d;

	if (s->fg == s->bg) {
		r->font_low_contrast = 1;
		return 1;
	}
	if (s->fg != INVALID && s->bg != INVALID) {
		dr = 0.2126 * (((s->fg >> 16) & 0xff) - ((s->bg >> 16) & 0xff));
		dg = 0.7152 * (((s->fg >> 8) & 0xff) - ((s->bg >> 8) & 0xff));
		db = 0.0722 * ((s->fg & 0xff) - (s->bg & 0xff));
		d = dr * dr + dg * dg + db * db;
		if (d < 144.0) {
			r->font_low_contrast = 1;
			return 1;
		}
	}
	if (s->fg == INVALID || s->bg == INVALID) {
		r->font_invalid_color = 1;
		return 1;
	}
	if (s->size <= 1)
		return 1;
	return s->none || s->hidden;
}

static void
html_text(struct html *h, const char *s, size_t n)
{
	size_t	i;
	int	inv = 0;

	if (n == 0)
		return;
	if (h->in_script > 0) {
		strs_add(&h->res->script, s, n);
		return;
	}
	if (h->in_style > 0)
		return;
	if (h->in_a > 0)
		strs_append(&h->res->anchor, s, n);
	if (h->in_title > 0)
		strs_append(&h->res->title, s, n);
	for (i = 0; i < n; i++)
		if (!asciisp(s[i])) {
			if (!((unsigned char)s[i] == 0xc2 && i + 1 < n &&
			    (unsigned char)s[i + 1] == 0xa0)) {
				inv = font_invisible(h);
				break;
			}
			i++;
		}
	text_tests(h, s, n);
	display_text(h, s, n, 0, inv);
}

/* The code point starting at s[i] (U+FFFD when not UTF-8). */
static unsigned int
cp_at(const char *s, size_t n, size_t i, int *len)
{
	unsigned int	cp;

	if ((*len = mime_utf8_decode(s + i, n - i, &cp)) < 0) {
		*len = 1;
		return 0xfffd;
	}
	return cp;
}

/* [^\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]: not space, not punct. */
static int
xchar(unsigned int cp)
{
	return !mime_uspace(cp) && !(cp < 0x80 && ispunct((int)cp));
}

/*
 * A \w character, roughly: ASCII letters, digits, '_'; past ASCII, what
 * is not white space, Latin-1 symbols, general punctuation and symbol
 * blocks, CJK punctuation, private use or emoji.
 */
static int
wordchar(unsigned int cp)
{
	if (cp < 0x80)
		return isalnum((int)cp) || cp == '_';
	if (cp == 0xaa || cp == 0xb5 || cp == 0xba)
		return 1;
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || mime_uspace(cp))
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 &&
	    cp <= 0x303f) || (cp >= 0xe000 && cp <= 0xf8ff) ||
	    (cp >= 0xff00 && cp <= 0xff0f) || cp == 0xfffd ||
	    (cp >= 0x1f000 && cp <= 0x1faff))
		return 0;
	return 1;
}

/*
 * The run of X characters (see xchar) that starts (dir 1) or ends
 * (dir -1) s: its length in characters if a word boundary sits at its
 * far end (HTML.pm's \b), else 0.
 */
static size_t
xrun(const char *s, size_t n, int dir)
{
	unsigned int	cp, edge = 0, out = 0;
	size_t		i, chars = 0;
	int		l, have_out = 0;

	if (dir > 0) {
		for (i = 0; i < n; i += l) {
			cp = cp_at(s, n, i, &l);
			if (!xchar(cp)) {
				out = cp;
				have_out = 1;
				break;
			}
			edge = cp;
			chars++;
		}
	} else {
		/* walk back over UTF-8 continuation octets */
		for (i = n; i > 0; ) {
			size_t	j = i - 1;

			while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
				j--;
			cp = cp_at(s, n, j, &l);
			if (!xchar(cp)) {
				out = cp;
				have_out = 1;
				break;
			}
			edge = cp;
			chars++;
			i = j;
		}
	}
	if (chars == 0)
		return 0;
	/* \b: the run's edge and what lies past it differ in wordness */
	if (wordchar(edge) == (have_out && wordchar(out)))
		return 0;
	return chars;
}

/* HTML.pm's obfuscation and "backhair" counts, against the last text. */
static void
text_tests(struct html *h, const char *s, size_t n)
{
	const char	*last;
	char		 key[32];
	size_t		 a, b, i, j;
	int		 l;

	if (!h->have_last || h->last_len == 0)
		return;
	last = h->out->buf + h->out->len - h->last_len;
	for (j = h->last_len - 1; j > 0 &&
	    ((unsigned char)last[j] & 0xc0) == 0x80; j--)
		;
	if (xchar(cp_at(s, n, 0, &l)) &&
	    xchar(cp_at(last, h->last_len, j, &l)))
		h->res->obfuscation++;
	a = xrun(last, h->last_len, -1);
	b = xrun(s, n, 1);
	if (a < 1 || a > 7 || b < 1 || b > 7)
		return;
	snprintf(key, sizeof(key), "%zu_%zu", a, b);
	for (i = 0; i < h->res->backhair.n; i++)
		if (strcmp(h->res->backhair.v[i], key) == 0)
			return;
	strs_add(&h->res->backhair, key, strlen(key));
	h->res->backhair_count = h->res->backhair.n;
}

static void
strs_add(struct html_strs *l, const char *s, size_t n)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, n);
}

/* Appends to the last string (which must exist). */
static void
strs_append(struct html_strs *l, const char *s, size_t n)
{
	char	*o;

	if (l->n == 0)
		return;
	o = l->v[l->n - 1];
	xasprintf(&l->v[l->n - 1], "%s%.*s", o, (int)n, s);
	free(o);
}

static void
strs_clear(struct html_strs *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* inside{tag} += d, never below 0 (closed_extra counts those). */
static void
inside_add(struct html *h, const char *tag, int d)
{
	struct html_result	*r = h->res;
	size_t			 i;

	for (i = 0; i < r->ninside; i++)
		if (strcmp(r->inside[i].name, tag) == 0)
			break;
	if (i == r->ninside) {
		if (r->ninside >= 4096)
			return;
		r->inside = xreallocarray(r->inside, r->ninside + 1,
		    sizeof(*r->inside));
		r->inside[i].name = xstrdup(tag);
		r->inside[i].count = 0;
		r->ninside++;
	}
	r->inside[i].count += d;
	if (r->inside[i].count < 0) {
		r->inside[i].count = 0;
		r->closed_extra++;
	}
}

int
html_inside(const struct html_result *r, const char *tag)
{
	size_t	i;

	for (i = 0; i < r->ninside; i++)
		if (strcmp(r->inside[i].name, tag) == 0)
			return r->inside[i].count;
	return -1;
}

void
html_result_clear(struct html_result *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ninside; i++)
		free(r->inside[i].name);
	free(r->inside);
	strs_clear(&r->title);
	strs_clear(&r->anchor);
	strs_clear(&r->anchor_uri);
	strs_clear(&r->comment);
	strs_clear(&r->script);
	strs_clear(&r->backhair);
	memset(r, 0, sizeof(*r));
}

/*
 * A <font face> HTML.pm finds bad: not a comma list of names of
 * letters, spaces and '-' (each maybe quoted, maybe ending in a digit).
 */
static int
face_bad(const char *f)
{
	const char	*p = f;
	size_t		 n;
	int		 first = 1;

	while (isspace((unsigned char)*p))
		p++;
	for (;;) {
		if (first && (*p == '"' || *p == '\'' || *p == '.'))
			p++;
		else if (!first && (*p == '"' || *p == '\''))
			p++;
		/* [a-z ][a-z -]*[a-z]\d? (first), [a-z][a-z -]*[a-z]\d? */
		if (!(isalpha((unsigned char)*p) || (first && *p == ' ')))
			return 1;
		for (n = 1; isalpha((unsigned char)p[n]) || p[n] == ' ' ||
		    p[n] == '-'; n++)
			;
		/* backtrack to end on a letter */
		while (n > 1 && !isalpha((unsigned char)p[n - 1]))
			n--;
		if (n < 2)
			return 1;
		p += n;
		if (isdigit((unsigned char)*p))
			p++;
		if (*p == '"' || *p == '\'')
			p++;
		first = 0;
		if (*p != ',')
			break;
		p++;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (*p == ';')
		p++;
	return *p != '\0' && !(*p == '\n' && p[1] == '\0');
}

/* HTML.pm's html_tests for a start tag. */
static void
tag_tests(struct html *h, const char *tag, struct attr *a, int na)
{
	struct html_result	*r = h->res;
	const char		*v;
	char			*e;
	long			 w = 0, ht = 0;

	if (strcmp(tag, "font") == 0 && (v = attr_get(a, na, "face")) !=
	    NULL && face_bad(v))
		r->font_face_bad = 1;
	if (strcmp(tag, "img") == 0 && h->in_a > 0)
		strs_append(&r->anchor, "<img>\n", 6);
	if (strcmp(tag, "img") == 0 && (v = attr_get(a, na, "width")) !=
	    NULL && attr_get(a, na, "height") != NULL) {
		if (isdigit((unsigned char)*v)) {
			w = strtol(v, &e, 10);
			if (*e == '%' && e[1] == '\0')
				w *= 8;
			else if (*e != '\0')
				w = 0;
		}
		v = attr_get(a, na, "height");
		if (isdigit((unsigned char)*v)) {
			ht = strtol(v, &e, 10);
			if (*e == '%' && e[1] == '\0')
				ht *= 6;
			else if (*e != '\0')
				ht = 0;
		}
		if (w <= 0 || w > 1000000)
			w = w <= 0 ? 200 : 1000000;
		if (ht <= 0 || ht > 1000000)
			ht = ht <= 0 ? 200 : 1000000;
		r->image_area += w * ht;
	}
	if (strcmp(tag, "form") == 0 && (v = attr_get(a, na, "action")) !=
	    NULL && strcasestr(v, "mailto:") != NULL)
		r->form_action_mailto = 1;
	if (strcmp(tag, "object") == 0 || strcmp(tag, "embed") == 0)
		r->embeds = 1;
	if (strcmp(tag, "a") == 0) {
		strs_add(&r->anchor, "", 0);
		anchor_uri(h);
	}
	if (strcmp(tag, "title") == 0)
		strs_add(&r->title, "", 0);
}

/* The text gathered since the last tag, entities decoded. */
static void
flush_text(struct html *h, struct mimebuf *raw)
{
	struct mimebuf	dec;

	if (raw->len == 0)
		return;
	mimebuf_init(&dec);
	decode_entities(&dec, raw->buf, raw->len);
	html_text(h, dec.buf, dec.len);
	mimebuf_free(&dec);
	mimebuf_reset(raw);
}

static const char *
attr_get(struct attr *a, int n, const char *name)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i].name, name) == 0)
			return a[i].value;
	return NULL;
}

static void
close_tag(struct html *h, const char *tag)
{
	int	i;

	for (i = h->nst - 1; i > 0; i--)
		if (strcmp(h->st[i].tag, tag) == 0)
			break;
	if (i <= 0)
		return;
	h->nst = i;
}

/* An implied </td> or </tr> before a new <td> or <tr>. */
static void
close_table_tag(struct html *h, const char *tag)
{
	int	i, found = 0;
	const char *top;

	for (i = 1; i < h->nst; i++)
		if (strcmp(h->st[i].tag, tag) == 0)
			found = 1;
	if (!found)
		return;
	while (h->nst > 1) {
		top = h->st[h->nst - 1].tag;
		if ((strcmp(tag, "td") == 0 && (strcmp(top, "font") == 0 ||
		    strcmp(top, "td") == 0)) || (strcmp(tag, "tr") == 0 &&
		    (strcmp(top, "font") == 0 || strcmp(top, "td") == 0 ||
		    strcmp(top, "tr") == 0)))
			h->nst--;
		else
			break;
	}
}

/* One "name: value" of a style attribute, into ns. */
static void
style_attr(struct style *ns, const struct style *parent, const char *style)
{
	char		*copy, *decl, *p, *colon, *v, *e;
	size_t		 n;
	int		 c, bg;

	copy = xstrdup(style);
	for (p = copy; (decl = strsep(&p, ";")) != NULL; ) {
		if ((colon = strchr(decl, ':')) == NULL)
			continue;
		*colon = '\0';
		while (isspace((unsigned char)*decl))
			decl++;
		n = strlen(decl);
		while (n > 0 && isspace((unsigned char)decl[n - 1]))
			decl[--n] = '\0';
		v = colon + 1;
		while (isspace((unsigned char)*v))
			v++;
		n = strlen(v);
		while (n > 0 && isspace((unsigned char)v[n - 1]))
			v[--n] = '\0';
		for (e = v; *e != '\0'; e++)
			*e = tolower((unsigned char)*e);
		if (strcasecmp(decl, "color") == 0 ||
		    strcasecmp(decl, "background-color") == 0) {
			bg = decl[0] == 'b' || decl[0] == 'B';
			if ((e = strstr(v, "!important")) != NULL) {
				for (*e = '\0'; e > v &&
				    isspace((unsigned char)e[-1]); e--)
					e[-1] = '\0';
			}
			if (strcmp(v, "inherit") == 0)
				continue;
			c = strcmp(v, "transparent") == 0 ? TRANSPARENT :
			    name_to_rgb(v);
			if (bg)
				ns->bg = c;
			else
				ns->fg = c;
		} else if (strcasecmp(decl, "background") == 0) {
			/* the bottom layer's first valid colour */
			if ((e = strrchr(v, ',')) != NULL)
				v = e + 1;
			while ((e = strsep(&v, " ")) != NULL)
				if (*e != '\0' && (c = name_to_rgb(e)) !=
				    INVALID) {
					ns->bg = c;
					break;
				}
		} else if (strcasecmp(decl, "display") == 0)
			ns->none = strcmp(v, "none") == 0;
		else if (strcasecmp(decl, "visibility") == 0)
			ns->hidden = strcmp(v, "hidden") == 0;
	}
	free(copy);
	if (ns->bg == TRANSPARENT)
		ns->bg = parent->bg;
	if (ns->fg == TRANSPARENT)
		ns->fg = ns->bg;
}

/* HTML.pm's ok_attributes: what text_style looks at, by tag. */
static int
style_ok_attr(const char *tag, const char *attr)
{
	static const struct {
		const char	*tag;
		const char	*attrs;
	} ok[] = {
		{ "basefont", " color face size " },
		{ "body", " text bgcolor link alink vlink background " },
		{ "font", " color face size " },
		{ "marquee", " bgcolor background " },
		{ "table", " bgcolor style " },
		{ "td", " bgcolor style " },
		{ "th", " bgcolor style " },
		{ "tr", " bgcolor style " },
		{ "span", " style " },
		{ "p", " style " },
		{ "div", " style " },
		{ "a", " style " },
	};
	char	key[40];
	size_t	i;
	int	r;

	r = snprintf(key, sizeof(key), " %s ", attr);
	if (r < 0 || (size_t)r >= sizeof(key))
		return 0;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(ok[i].tag, tag) == 0)
			return strstr(ok[i].attrs, key) != NULL;
	return 0;
}

static void
text_style(struct html *h, const char *tag, struct attr *a, int na,
    int start)
{
	struct style	 ns;
	const char	*v;
	long		 n;
	char		*e;
	int		 i;

	if (strcmp(tag, "th") == 0)
		tag = "td";
	if (!start) {
		if (strcmp(tag, "body") != 0)
			close_tag(h, tag);
		return;
	}
	if (strcmp(tag, "basefont") == 0 && (v = attr_get(a, na, "size")) !=
	    NULL) {
		while (isspace((unsigned char)*v))
			v++;
		if (isdigit((unsigned char)*v)) {
			n = strtol(v, NULL, 10);
			h->basefont = n > 1000 ? 1000 : n;
			return;
		}
	}
	if (strcmp(tag, "td") == 0 || strcmp(tag, "tr") == 0)
		close_table_tag(h, tag);
	ns = h->st[h->nst - 1];
	strlcpy(ns.tag, tag, sizeof(ns.tag));
	if (strcmp(tag, "big") == 0)
		ns.size++;
	else if (strcmp(tag, "small") == 0)
		ns.size--;
	else {
		for (i = 0; i < na; i++) {
			v = a[i].value;
			if (!style_ok_attr(tag, a[i].name))
				continue;
			if (strcmp(a[i].name, "color") == 0 ||
			    strcmp(a[i].name, "text") == 0)
				ns.fg = name_to_rgb(v);
			else if (strcmp(a[i].name, "size") == 0) {
				while (isspace((unsigned char)*v))
					v++;
				n = strtol(v, &e, 10);
				if (e != v && n <= 1000 && n >= -1000)
					ns.size = (*v == '+' || *v == '-') ?
					    h->basefont + n : n;
			} else if (strcmp(a[i].name, "style") == 0)
				style_attr(&ns, &h->st[h->nst - 1], v);
			if (ns.size > h->res->max_size)
				h->res->max_size = ns.size;
			else if (ns.size < h->res->min_size)
				h->res->min_size = ns.size;
		}
	}
	if (h->nst < STYLE_MAX)
		h->st[h->nst++] = ns;
}

/* HTML.pm's canon_uri: trimmed of white space and NBSP, cut at 8192 */
static const char *
canon_uri(struct html *h, const char *uri, size_t *np)
{
	const char	*s = uri;
	size_t		 n;

	for (;;) {
		if (isspace((unsigned char)*s))
			s++;
		else if ((unsigned char)s[0] == 0xc2 &&
		    (unsigned char)s[1] == 0xa0)
			s += 2;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n > 1 && (unsigned char)s[n - 2] == 0xc2 &&
		    (unsigned char)s[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	if (n > URI_MAX_LEN) {
		n = URI_MAX_LEN;
		h->res->uri_truncated = 1;
	}
	*np = n;
	return s;
}

/* the anchor just opened: its key, canon_uri(href) */
static void
anchor_uri(struct html *h)
{
	const char	*s;
	size_t		 n = 0;

	s = h->href != NULL ? canon_uri(h, h->href, &n) : "";
	strs_add(&h->res->anchor_uri, s, n);
	free(h->href);
	h->href = NULL;
}

static int
push_uri(struct html *h, const char *uri)
{
	struct mimebuf	 b;
	const char	*s, *slash;
	size_t		 n;

	s = canon_uri(h, uri, &n);
	if (n == 0)
		return 0;
	/* as written, and resolved against <base href> when relative */
	html_uris_add(h->uris, s, n);
	mimebuf_init(&b);
	if (h->base != NULL && strncasecmp(s, "data:", 5) != 0 &&
	    strncasecmp(s, "mailto:", 7) != 0 &&
	    strncasecmp(s, "file:", 5) != 0 &&
	    strncasecmp(s, "cid:", 4) != 0 && strncasecmp(s, "tel:", 4) != 0 &&
	    s[strcspn(s, ":/?#")] != ':') {
		/* relative: against <base href> */
		if (s[0] == '/' && s[1] == '/') {
			slash = strchr(h->base, ':');
			mimebuf_add(&b, h->base, slash - h->base + 1);
		} else if (s[0] == '/') {
			slash = strchr(h->base, ':');
			slash = strchr(slash + 3, '/');
			mimebuf_add(&b, h->base, slash != NULL ?
			    (size_t)(slash - h->base) : strlen(h->base));
		} else
			mimebuf_adds(&b, h->base);
	}
	mimebuf_add(&b, s, n);
	html_uris_add(h->uris, b.buf, b.len);
	mimebuf_free(&b);
	return 1;
}

static void
html_uri(struct html *h, const char *tag, struct attr *a, int na)
{
	const char	*v, *c;
	char		*base, *u;
	size_t		 n;
	int		 i;

	if (strcmp(tag, "body") == 0 || strcmp(tag, "table") == 0 ||
	    strcmp(tag, "tr") == 0 || strcmp(tag, "td") == 0) {
		if ((v = attr_get(a, na, "background")) != NULL)
			push_uri(h, v);
	} else if (strcmp(tag, "a") == 0 || strcmp(tag, "area") == 0 ||
	    strcmp(tag, "link") == 0) {
		v = attr_get(a, na, "href");
		for (i = 0; i < na; i++)
			if ((c = strstr(a[i].name, "/href")) != NULL &&
			    c > a[i].name && c - a[i].name <= 8)
				v = a[i].value;
		if (v != NULL) {
			/* without U+FEFF */
			u = xstrdup(v);
			while ((c = strstr(u, "\xef\xbb\xbf")) != NULL)
				memmove((char *)c, c + 3, strlen(c + 3) + 1);
			(void)push_uri(h, u);
			if (strcmp(tag, "a") == 0) {
				free(h->href);
				h->href = u;
			} else
				free(u);
		}
		if ((v = attr_get(a, na, "data-saferedirecturl")) != NULL)
			push_uri(h, v);
	} else if (strcmp(tag, "img") == 0 || strcmp(tag, "frame") == 0 ||
	    strcmp(tag, "iframe") == 0 || strcmp(tag, "embed") == 0 ||
	    strcmp(tag, "script") == 0 || strcmp(tag, "bgsound") == 0) {
		v = attr_get(a, na, "src");
		for (i = 0; i < na; i++)
			if ((c = strstr(a[i].name, "/src")) != NULL &&
			    c > a[i].name && c - a[i].name <= 8)
				v = a[i].value;
		if (v != NULL && push_uri(h, v) && strcmp(tag, "iframe") == 0)
			h->res->iframe_src = 1;
	} else if (strcmp(tag, "form") == 0) {
		if ((v = attr_get(a, na, "action")) != NULL)
			push_uri(h, v);
	} else if (strcmp(tag, "base") == 0) {
		if ((v = attr_get(a, na, "href")) == NULL || *v == '\0')
			return;
		push_uri(h, v);
		while (isspace((unsigned char)*v))
			v++;
		if (strncasecmp(v, "http:", 5) != 0 &&
		    strncasecmp(v, "https:", 6) != 0 &&
		    strncasecmp(v, "ftp:", 4) != 0)
			return;
		base = xstrdup(v);
		n = strlen(base);
		while (n > 0 && isspace((unsigned char)base[n - 1]))
			base[--n] = '\0';
		/* a trailing file name goes; it ends in '/' */
		if ((c = strrchr(base, '/')) != NULL &&
		    c > strstr(base, "//") + 1 && strchr(c, '.') != NULL)
			base[c - base + 1] = '\0';
		free(h->base);
		if (base[0] != '\0' && base[strlen(base) - 1] != '/')
			xasprintf(&h->base, "%s/", base);
		else
			h->base = xstrdup(base);
		free(base);
	} else if (strcmp(tag, "meta") == 0) {
		if ((v = attr_get(a, na, "http-equiv")) == NULL ||
		    strcasestr(v, "refresh") == NULL ||
		    (c = attr_get(a, na, "content")) == NULL ||
		    (v = strcasestr(c, "url")) == NULL)
			return;
		for (v += 3; isspace((unsigned char)*v); v++)
			;
		if (*v != '=')
			return;
		for (v++; isspace((unsigned char)*v); v++)
			;
		u = xstrndup(v, strcspn(v, ";"));
		n = strlen(u);
		while (n > 0 && isspace((unsigned char)u[n - 1]))
			u[--n] = '\0';
		push_uri(h, u);
		free(u);
	}
}

static void
html_tag(struct html *h, const char *tag, struct attr *a, int na,
    int start)
{
	struct html_result	*r = h->res;
	int			 ns, el;

	ns = (tag[0] == 'o' && tag[1] == ':') || (tag[0] == 's' &&
	    tag[1] == 't' && isdigit((unsigned char)tag[2]) &&
	    strchr(tag, ':') != NULL);
	el = ns || in_set(tag, elements);
	if (el) {
		r->elements++;
		if (html_inside(r, tag) == -1)
			r->elements_seen++;
	}
	r->tags++;
	if (html_inside(r, tag) == -1)
		r->tags_seen++;
	inside_add(h, tag, start ? 1 : -1);
	if (strcmp(tag, "script") == 0)
		h->in_script += start ? 1 : (h->in_script > 0 ? -1 : 0);
	else if (strcmp(tag, "style") == 0)
		h->in_style += start ? 1 : (h->in_style > 0 ? -1 : 0);
	else if (strcmp(tag, "a") == 0)
		h->in_a += start ? 1 : (h->in_a > 0 ? -1 : 0);
	else if (strcmp(tag, "title") == 0)
		h->in_title += start ? 1 : (h->in_title > 0 ? -1 : 0);
	/* o:p, st1:x: Office namespaces, nothing else */
	if (ns || !(el || in_set(tag, tricks)))
		return;
	if (in_set(tag, text_style_tags))
		text_style(h, tag, a, na, start);
	if (in_set(tag, ws_nl))
		display_text(h, "\n", 1, 1, 0);
	else if (in_set(tag, ws_sp))
		display_text(h, " ", 1, 1, 0);
	else if (in_set(tag, ws_para))
		display_text(h, "\n\n", 2, 1, 0);
	if (start) {
		if (in_set(tag, uri_tags))
			html_uri(h, tag, a, na);
		tag_tests(h, tag, a, na);
	} else if (strcmp(tag, "html") == 0)
		r->closed_html = 1;
	else if (strcmp(tag, "body") == 0)
		r->closed_body = 1;
}

/*
 * A tag at buf[i] == '<' (start or end): its lower-cased name, its
 * attributes (values entity-decoded), and where it ends (after '>');
 * 0 when it has no '>' before the end.
 */
static size_t
parse_tag(const char *buf, size_t len, size_t i, char *name, size_t namesz,
    struct attr *a, int *na, int *end)
{
	struct mimebuf	 v;
	size_t		 j, k, n;
	char		 q;

	*na = 0;
	*end = buf[i + 1] == '/';
	j = i + 1 + *end;
	for (k = j; k < len && !isspace((unsigned char)buf[k]) &&
	    buf[k] != '>'; k++)
		;
	n = k - j;
	/* <br/> is <br> (SpamAssassin rewrites <\w+\s*\/> first) */
	if (n > 1 && buf[k - 1] == '/' && k < len && buf[k] == '>')
		n--;
	if (n >= namesz)
		n = namesz - 1;
	for (j = 0; j < n; j++)
		name[j] = tolower((unsigned char)buf[i + 1 + *end + j]);
	name[n] = '\0';
	while (k < len && buf[k] != '>') {
		if (isspace((unsigned char)buf[k]) || buf[k] == '/') {
			k++;
			continue;
		}
		j = k;
		while (k < len && !isspace((unsigned char)buf[k]) &&
		    buf[k] != '>' && buf[k] != '=')
			k++;
		if (*na < ATTR_MAX && !*end) {
			a[*na].name = xstrndup(buf + j, k - j);
			for (n = 0; a[*na].name[n] != '\0'; n++)
				a[*na].name[n] =
				    tolower((unsigned char)a[*na].name[n]);
			a[*na].value = NULL;
		}
		while (k < len && isspace((unsigned char)buf[k]))
			k++;
		mimebuf_init(&v);
		if (k < len && buf[k] == '=') {
			k++;
			while (k < len && isspace((unsigned char)buf[k]))
				k++;
			if (k < len && (buf[k] == '"' || buf[k] == '\'')) {
				q = buf[k++];
				j = k;
				while (k < len && buf[k] != q)
					k++;
				decode_entities(&v, buf + j, k - j);
				if (k < len)
					k++;
			} else {
				j = k;
				while (k < len &&
				    !isspace((unsigned char)buf[k]) &&
				    buf[k] != '>')
					k++;
				decode_entities(&v, buf + j, k - j);
			}
		}
		if (*na < ATTR_MAX && !*end) {
			a[*na].value = mimebuf_steal(&v);
			(*na)++;
		} else
			mimebuf_free(&v);
	}
	if (k >= len) {
		for (j = 0; j < (size_t)*na; j++) {
			free(a[j].name);
			free(a[j].value);
		}
		*na = 0;
		return 0;
	}
	return k + 1;
}

/* Where the literal content starting at i ends: at "</tag" or the end. */
static size_t
literal_end(const char *buf, size_t len, size_t i, const char *tag)
{
	size_t	n = strlen(tag);

	if (strcmp(tag, "plaintext") == 0)
		return len;
	for (; i + n + 2 <= len; i++)
		if (buf[i] == '<' && buf[i + 1] == '/' &&
		    strncasecmp(buf + i + 2, tag, n) == 0 &&
		    (i + n + 2 == len || buf[i + n + 2] == '>' ||
		    isspace((unsigned char)buf[i + n + 2])))
			return i;
	return len;
}

void
html_render(const char *buf, size_t len, struct mimebuf *out,
    struct html_uris *uris, struct html_result *res)
{
	struct html		 h;
	struct html_result	 local;
	struct mimebuf		 text, pre;
	struct attr		 a[ATTR_MAX];
	char			 name[32];
	const char		*e;
	size_t			 i, j, k;
	int			 na, end, t, comment;

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.uris = uris;
	if (res == NULL) {
		memset(&local, 0, sizeof(local));
		res = &local;
	}
	h.res = res;
	res->min_size = res->max_size = 3;
	/* characters of the input */
	for (i = 0; i < len; i++)
		if (((unsigned char)buf[i] & 0xc0) != 0x80)
			res->length++;
	h.basefont = 3;
	strlcpy(h.st[0].tag, "default", sizeof(h.st[0].tag));
	h.st[0].fg = 0x000000;
	h.st[0].bg = 0xffffff;
	h.st[0].size = 3;
	h.nst = 1;
	mimebuf_init(&text);
	/*
	 * As SpamAssassin before parsing: "&nbsp;" is a plain space and
	 * curly double quotes are straight ones (even around attributes).
	 */
	mimebuf_init(&pre);
	for (i = 0; i < len; i++) {
		if (buf[i] == '&' && len - i >= 6 &&
		    memcmp(buf + i, "&nbsp;", 6) == 0) {
			mimebuf_addc(&pre, ' ');
			i += 5;
		} else if ((unsigned char)buf[i] == 0xe2 && len - i >= 3 &&
		    (unsigned char)buf[i + 1] == 0x80 &&
		    ((unsigned char)buf[i + 2] == 0x9c ||
		    (unsigned char)buf[i + 2] == 0x9d)) {
			mimebuf_addc(&pre, '"');
			i += 2;
		} else
			mimebuf_addc(&pre, buf[i]);
	}
	buf = pre.buf != NULL ? pre.buf : "";
	len = pre.len;
	for (i = 0; i < len; ) {
		if (buf[i] != '<' || i + 1 >= len) {
			mimebuf_addc(&text, buf[i++]);
			continue;
		}
		comment = 1;
		if (len - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
			e = memmem(buf + i + 4, len - i - 4, "-->", 3);
			j = e == NULL ? len : (size_t)(e - buf) + 3;
		} else if (len - i >= 9 &&
		    memcmp(buf + i, "<![CDATA[", 9) == 0) {
			e = memmem(buf + i + 9, len - i - 9, "]]>", 3);
			k = e == NULL ? len : (size_t)(e - buf);
			mimebuf_add(&text, buf + i + 9, k - i - 9);
			i = e == NULL ? len : k + 3;
			continue;
		} else if (buf[i + 1] == '!' || buf[i + 1] == '?' ||
		    (buf[i + 1] == '/' && (i + 2 >= len ||
		    !isalpha((unsigned char)buf[i + 2])))) {
			if (buf[i + 1] == '/' && i + 2 < len &&
			    !isalpha((unsigned char)buf[i + 2]) &&
			    memchr(buf + i, '>', len - i) == NULL) {
				mimebuf_addc(&text, buf[i++]);
				continue;
			}
			e = memchr(buf + i, '>', len - i);
			j = e == NULL ? len : (size_t)(e - buf) + 1;
			if (buf[i + 1] == '?')
				comment = 0;	/* a processing instruction */
			else if (len - i >= 9 &&
			    strncasecmp(buf + i, "<!doctype", 9) == 0) {
				/* the declaration HTML.pm counts */
				comment = 0;
				res->elements++;
				res->tags++;
				inside_add(&h, "!doctype", 0);
			}
		} else if (isalpha((unsigned char)buf[i + 1]) ||
		    buf[i + 1] == '/') {
			j = parse_tag(buf, len, i, name, sizeof(name), a, &na,
			    &end);
			if (j == 0)
				j = len;	/* cut short: dropped */
			else {
				flush_text(&h, &text);
				html_tag(&h, name, a, na, !end);
				for (t = 0; t < na; t++) {
					free(a[t].name);
					free(a[t].value);
				}
				if (!end && in_set(name, literal_tags)) {
					k = literal_end(buf, len, j, name);
					if (strcmp(name, "title") == 0 ||
					    strcmp(name, "textarea") == 0) {
						mimebuf_add(&text, buf + j,
						    k - j);
						flush_text(&h, &text);
					} else
						html_text(&h, buf + j, k - j);
					j = k;
				}
				i = j;
				continue;
			}
		} else {
			mimebuf_addc(&text, buf[i++]);
			continue;
		}
		/* a comment, declaration or the like: it ends the text */
		flush_text(&h, &text);
		if (comment)
			strs_add(&res->comment, buf + i, j - i);
		i = j;
	}
	flush_text(&h, &text);
	/* unclosed <style> and <script> get end tags (HTML.pm, bug 7437) */
	while (h.in_style > 0)
		html_tag(&h, "style", NULL, 0, 0);
	while (h.in_script > 0)
		html_tag(&h, "script", NULL, 0, 0);
	mimebuf_free(&text);
	mimebuf_free(&pre);
	free(h.base);
	free(h.href);
	mimebuf_add(out, "", 0);
	if (res == &local)
		html_result_clear(&local);
}

void
html_uris_add(struct html_uris *u, const char *s, size_t n)
{
	size_t	i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		if (strlen(u->v[i]) == n && memcmp(u->v[i], s, n) == 0)
			return;
	u->v = xreallocarray(u->v, u->n + 1, sizeof(*u->v));
	u->v[u->n++] = xstrndup(s, n);
}

void
html_uris_clear(struct html_uris *u)
{
	size_t	i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		free(u->v[i]);
	free(u->v);
	u->v = NULL;
	u->n = 0;
}
