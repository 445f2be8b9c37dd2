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
 * SpamAssassin's views of a message body: rendered text (body rules),
 * decoded text (rawbody rules) and URIs (uri rules).  See render.h.
 *
 * Known differences from SpamAssassin 4.0.1 (mime-render-sa.t compares
 * the three views on 127 messages and finds none of these):
 * - body_part_scan_size counts octets of UTF-8 here, characters in
 *   Perl: they differ only on text parts past 50,000 non-ASCII octets
 *   (the 2048-octet line split is on octets in both);
 * - UTF-16 without a BOM is not sniffed (SpamAssassin's detect_utf16);
 *   a charset that Encode knows and iconv does not (or the reverse)
 *   falls back to Windows-1252 here, to Encode's guess there;
 * - the charset guesser Encode::Detect::Detector (not in Debian's
 *   SpamAssassin either) is not used;
 * - HTML::Parser's text events are split where it splits them (at a '<'
 *   that starts no tag, at buffer ends); here text runs from tag to tag,
 *   which matters only for the one-space trims of display_text;
 * - URIs: redirector_patterns are not followed, IDN and numeric hosts
 *   are not rewritten, "uri_truncated" is not reported.
 * HTML.pm's statistics (html_test, html_range, image areas...) for the
 * eval rules are not gathered, only the invisible-text length.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "mime.h"
#include "mimedec.h"
#include "msghdr.h"
#include "render.h"
#include "xmalloc.h"

/* The state of one rendering, across nested encoded messages. */
struct rstate {
	struct render		*r;
	struct mimebuf		 text;	/* the parts, joined */
	struct html_uris	 hu;	/* URIs from HTML */
	size_t			 bscan, rscan;
	int			 chars;	/* a Perl character string */
};

static void	render_parts(struct rstate *, const struct mime *,
		    const char *, size_t, int);
static void	lines_add(struct render_lines *, const char *, size_t);
static void	html_lengths(struct html_result *, const struct mimebuf *,
		    size_t, int);
static void	lines_free(struct render_lines *);
static void	keep_anchors(struct render *);
static void	subject(const struct mime_part *, struct mimebuf *);
static const char *sa_type(const struct mime_part *, char *, size_t);
static void	crlf_to_lf(struct mimebuf *);
static size_t	scan_cut(const char *, size_t, size_t, const char *);
static void	whitespace(struct mimebuf *, const char *, size_t, int);
static size_t	uspace(const char *, size_t, int);
static int	has_above(const char *, size_t, unsigned int);
static void	to_latin1(struct mimebuf *);
static void	short_lines(struct render_lines *, const char *, size_t);
static void	short_paragraphs(struct render_lines *, const char *,
		    size_t);
static void	uri_clean(struct html_uris *, const char *);
static void	text_uri(struct html_uris *, char *, int,
		    const struct render_opts *);
static int	uri_domain_ok(const char *, const struct render_opts *);
static int	tld_ok(const char *, const struct render_opts *);
static size_t	schemeless(const char *, size_t, size_t,
		    const struct render_opts *);
static int	fqdn_valid(const char *, size_t);
static int	in_chars(int, const char *);

static void
lines_add(struct render_lines *l, const char *s, size_t n)
{
	l->off = xreallocarray(l->off, l->n + 1, sizeof(*l->off));
	l->len = xreallocarray(l->len, l->n + 1, sizeof(*l->len));
	l->off[l->n] = l->buf.len;
	l->len[l->n] = n;
	l->n++;
	mimebuf_add(&l->buf, s, n);
}

static void
lines_free(struct render_lines *l)
{
	mimebuf_free(&l->buf);
	free(l->off);
	free(l->len);
}

const char *
render_line(const struct render_lines *l, size_t i, size_t *len)
{
	if (i >= l->n) {
		*len = 0;
		return NULL;
	}
	*len = l->len[i];
	return l->buf.buf + l->off[i];
}

/*
 * Field i of h as SpamAssassin's get_header gives it (Node::header,
 * _decode_header): folds become one space, other line ends go, the ends
 * are trimmed, and (decode set) RFC 2047 words are decoded and 8-bit
 * text that is not UTF-8 read as Windows-1252.  No "\n" is added.
 */
void
render_hdr_value(const struct msghdr *h, size_t i, int decode,
    struct mimebuf *out)
{
	struct mimebuf	 v;
	const char	*raw;
	size_t		 n, j, s, e;

	raw = msghdr_rawvalue(h, i, &n);
	mimebuf_init(&v);
	for (j = 0; j < n; j++) {
		if (raw[j] == '\r' && j + 1 < n && raw[j + 1] == '\n')
			continue;
		if (raw[j] == '\n') {
			if (j + 1 < n && (raw[j + 1] == ' ' ||
			    raw[j + 1] == '\t')) {
				while (j + 1 < n && (raw[j + 1] == ' ' ||
				    raw[j + 1] == '\t'))
					j++;
				mimebuf_addc(&v, ' ');
			}
			continue;
		}
		mimebuf_addc(&v, raw[j]);
	}
	s = 0;
	e = v.len;
	while (s < e && isspace((unsigned char)v.buf[s]))
		s++;
	while (e > s && isspace((unsigned char)v.buf[e - 1]))
		e--;
	if (e > s && decode)
		mime_hdr_decode(out, v.buf + s, e - s, NULL);
	else if (e > s)
		mimebuf_add(out, v.buf + s, e - s);
	mimebuf_free(&v);
}

/* The last Subject, as SpamAssassin's get_header gives it, and "\n". */
static void
subject(const struct mime_part *root, struct mimebuf *out)
{
	ssize_t	idx;

	if ((idx = msghdr_find(root->hdr, "Subject", -1)) != -1)
		render_hdr_value(root->hdr, idx, 1, out);
	mimebuf_addc(out, '\n');
}

/*
 * The type SpamAssassin gives a leaf (parse_content_type): text/ * but
 * x-vcard, calendar and html is text/plain.
 */
static const char *
sa_type(const struct mime_part *p, char *buf, size_t bufsz)
{
	int	r;

	if (strcmp(p->type, "text") == 0 &&
	    strcmp(p->subtype, "x-vcard") != 0 &&
	    strcmp(p->subtype, "calendar") != 0 &&
	    strcmp(p->subtype, "html") != 0)
		return "text/plain";
	r = snprintf(buf, bufsz, "%s/%s", p->type, p->subtype);
	if (r < 0 || (size_t)r >= bufsz)
		return "application/octet-stream";
	return buf;
}

static void
crlf_to_lf(struct mimebuf *b)
{
	size_t	i, o;

	for (i = 0, o = 0; i < b->len; i++) {
		if (b->buf[i] == '\r' && i + 1 < b->len &&
		    b->buf[i + 1] == '\n')
			continue;
		b->buf[o++] = b->buf[i];
	}
	b->len = o;
	if (b->buf != NULL)
		b->buf[o] = '\0';
}

/*
 * Where SpamAssassin cuts a part longer than scan: after the first of
 * the characters in "cuts" (tried in order) found within 1 KB past scan,
 * else at scan.
 */
static size_t
scan_cut(const char *s, size_t len, size_t scan, const char *cuts)
{
	const char	*f;

	if (scan == 0 || len <= scan)
		return len;
	for (; *cuts != '\0'; cuts++) {
		f = memchr(s + scan, *cuts, len - scan);
		if (f != NULL && (size_t)(f - s) - scan <= 1024)
			return f - s + 1;
	}
	return scan;
}

/* SpamAssassin's _normalize(text, charset) to UTF-8 octets. */
void
render_to_utf8(struct mimebuf *out, const char *charset, const char *s,
    size_t n)
{
	struct mimebuf	 tmp;
	size_t		 i;
	int		 f = 0;

	for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
		;
	if (i == n || mime_utf8_valid(s, n) == n) {
		mimebuf_add(out, s, n);
		return;
	}
	if (charset == NULL)
		charset = "us-ascii";
	while (*charset == ' ' || *charset == '"' || *charset == '\'')
		charset++;
	if (strncasecmp(charset, "us-ascii", 8) == 0 ||
	    strncasecmp(charset, "ascii", 5) == 0 ||
	    strncasecmp(charset, "utf-16", 6) == 0 ||
	    strncasecmp(charset, "utf16", 5) == 0 ||
	    strncasecmp(charset, "utf-8", 5) == 0 ||
	    strncasecmp(charset, "utf8", 4) == 0 ||
	    strncasecmp(charset, "iso-8859-1", 10) == 0 ||
	    strncasecmp(charset, "iso8859-1", 9) == 0 ||
	    strncasecmp(charset, "windows-1252", 12) == 0 ||
	    strncasecmp(charset, "cp1252", 6) == 0) {
		mime_cp1252_to_utf8(out, s, n);
		return;
	}
	mimebuf_init(&tmp);
	mime_charset_to_utf8(&tmp, charset, s, n, &f);
	if (f & (MIMEDEC_BADSEQ | MIMEDEC_UNKCHARSET))
		mime_cp1252_to_utf8(out, s, n);
	else
		mimebuf_add(out, tmp.buf, tmp.len);
	mimebuf_free(&tmp);
}

/*
 * Length of a white space character (Perl's \s) at s, or 0: Unicode
 * white space in a character string, ASCII only in an octet string.
 */
static size_t
uspace(const char *s, size_t n, int chars)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 cp;
	int			 l;

	if (u[0] < 0x80)
		return (u[0] >= 0x09 && u[0] <= 0x0d) || u[0] == ' ';
	if (!chars)
		return 0;
	if ((l = mime_utf8_decode(s, n, &cp)) < 0)
		return 0;
	return mime_uspace(cp) ? l : 0;
}

/*
 * The joined parts' white space, as SpamAssassin: a run holding two or
 * more "\n" is a paragraph break (what precedes the first and follows
 * the last "\n" in it is a space each), any other run one space; NUL
 * octets become "\n" too.
 */
static void
whitespace(struct mimebuf *out, const char *s, size_t n, int chars)
{
	size_t	i, j, w, first, last, nl;

	for (i = 0; i < n; ) {
		if ((w = uspace(s + i, n - i, chars)) == 0) {
			mimebuf_addc(out, s[i] == '\0' ? '\n' : s[i]);
			i++;
			continue;
		}
		nl = 0;
		first = last = 0;
		for (j = i; j < n && (w = uspace(s + j, n - j, chars)) > 0;
		    j += w)
			if (s[j] == '\n') {
				if (nl++ == 0)
					first = j;
				last = j;
			}
		if (nl < 2)
			mimebuf_addc(out, ' ');
		else {
			if (first > i)
				mimebuf_addc(out, ' ');
			mimebuf_addc(out, '\n');
			if (last + 1 < j)
				mimebuf_addc(out, ' ');
		}
		i = j;
	}
}

/* split_into_array_of_short_lines */
static void
short_lines(struct render_lines *l, const char *s, size_t n)
{
	const char	*nl;
	size_t		 len, k;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		len = nl == NULL ? n : (size_t)(nl - s) + 1;
		while (len > RENDER_LINE_MAX) {
			for (k = RENDER_LINE_MAX + 1; k > 0 && s[k - 1] != ' ';
			    k--)
				;
			if (k == 0)
				k = RENDER_LINE_MAX;
			lines_add(l, s, k);
			s += k;
			n -= k;
			len -= k;
		}
		lines_add(l, s, len);
		s += len;
		n -= len;
	}
}

/* split_into_array_of_short_paragraphs */
static void
short_paragraphs(struct render_lines *l, const char *s, size_t n)
{
	const char	*cuts = "\n> ", *c, *f;
	size_t		 ofs, j;

	if (n <= RENDER_LINE_MAX) {
		lines_add(l, s, n);
		return;
	}
	for (ofs = 0; n - ofs > 2 * RENDER_LINE_MAX; ofs = j + 1) {
		j = ofs + RENDER_LINE_MAX;
		for (c = cuts; *c != '\0'; c++) {
			f = memchr(s + ofs + RENDER_LINE_MAX, *c,
			    n - ofs - RENDER_LINE_MAX);
			if (f != NULL && (size_t)(f - s) - ofs + 1 <=
			    2 * RENDER_LINE_MAX) {
				j = f - s;
				break;
			}
		}
		lines_add(l, s + ofs, j - ofs + 1);
	}
	if (ofs < n)
		lines_add(l, s + ofs, n - ofs);
}

/* Does the UTF-8 text hold a code point above max? */
static int
has_above(const char *s, size_t n, unsigned int max)
{
	unsigned int	cp;
	size_t		i;
	int		l;

	for (i = 0; i < n; i += l) {
		if ((unsigned char)s[i] < 0x80) {
			l = 1;
			continue;
		}
		if ((l = mime_utf8_decode(s + i, n - i, &cp)) < 0)
			return 1;
		if (cp > max)
			return 1;
	}
	return 0;
}

/* UTF-8 holding nothing above U+00FF to Latin-1 octets, in place. */
static void
to_latin1(struct mimebuf *b)
{
	unsigned int	cp;
	size_t		i, o;
	int		l;

	for (i = 0, o = 0; i < b->len; i += l) {
		if ((unsigned char)b->buf[i] < 0x80 ||
		    (l = mime_utf8_decode(b->buf + i, b->len - i, &cp)) < 0) {
			b->buf[o++] = b->buf[i];
			l = 1;
			continue;
		}
		b->buf[o++] = cp;
	}
	b->len = o;
	if (b->buf != NULL)
		b->buf[o] = '\0';
}

static int
in_chars(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

#define END_DELIM	"><\"`}]{[| \t\n\r\f\v\x1b"
#define START_DELIM	"><\"'`,{[(| \t\n\r\f\v\x1b"
#define SC_START_DELIM	"!\"#$&'()*+,/:;<=>?@[\\]^`{|}~ \t\n\r\f\v\x1b"

/* Util::uri_list_canonicalize, the common cases: adds u's forms. */
static void
uri_clean(struct html_uris *out, const char *u)
{
	struct mimebuf	 b;
	char		*n, *p, *h, *port;
	size_t		 i;
	int		 hi, lo;

	html_uris_add(out, u, strlen(u));
	if (strlen(u) <= 1 || u[0] == '#' || u[0] == '?' || u[0] == '&' ||
	    (u[0] == '/' && u[1] != '/'))
		return;
	if (strncasecmp(u, "mailto:", 7) == 0 || (strchr(u, '@') != NULL &&
	    strcspn(u, ":") > strcspn(u, "@"))) {
		/* the address without ?query or &rest */
		i = strcspn(u, "@");
		if (i > 0 && u[i] == '@') {
			n = strchr(u + i, '?') != NULL ? xstrndup(u,
			    strcspn(u + i, "?") + i) : NULL;
			if (n != NULL && strcspn(u + i, "?") > 1)
				html_uris_add(out, n, strlen(n));
			free(n);
			if (strcspn(u + i, "?&") > 1 &&
			    u[i + strcspn(u + i, "?&")] == '&') {
				n = xstrndup(u, i + strcspn(u + i, "?&"));
				html_uris_add(out, n, strlen(n));
				free(n);
			}
		}
		return;
	}
	mimebuf_init(&b);
	for (i = 0; u[i] != '\0'; i++)
		mimebuf_addc(&b, u[i] == '\\' ? '/' : u[i]);
	n = mimebuf_steal(&b);
	/* http:/x and http:x are http://x */
	if (strncasecmp(n, "http:", 5) == 0 || strncasecmp(n, "https:", 6) ==
	    0) {
		p = strchr(n, ':') + 1;
		for (i = 0; p[i] == '/'; i++)
			;
		if (i != 2) {
			xasprintf(&h, "%.*s//%s", (int)(p - n), n, p + i);
			free(n);
			n = h;
		}
	}
	mimebuf_init(&b);
	for (i = 0; n[i] != '\0'; i++) {
		if (n[i] == '%' && isxdigit((unsigned char)n[i + 1]) &&
		    isxdigit((unsigned char)n[i + 2])) {
			hi = isdigit((unsigned char)n[i + 1]) ? n[i + 1] - '0' :
			    tolower((unsigned char)n[i + 1]) - 'a' + 10;
			lo = isdigit((unsigned char)n[i + 2]) ? n[i + 2] - '0' :
			    tolower((unsigned char)n[i + 2]) - 'a' + 10;
			mimebuf_addc(&b, hi * 16 + lo);
			i += 2;
		} else
			mimebuf_addc(&b, n[i]);
	}
	free(n);
	n = mimebuf_steal(&b);
	for (i = 0; isalnum((unsigned char)n[i]) || n[i] == '-' ||
	    n[i] == '_'; i++)
		;
	if (n[i] != ':' || i == 0) {
		xasprintf(&h, "%s%s", strncmp(n, "ftp.", 4) == 0 ? "ftp://" :
		    "http://", n);
		free(n);
		n = h;
	}
	/* a "/" between the host and ? or # */
	if (strncasecmp(n, "http://", 7) == 0 ||
	    strncasecmp(n, "https://", 8) == 0) {
		p = strstr(n, "//") + 2;
		i = strcspn(p, "/?#");
		if (p[i] == '?' || p[i] == '#') {
			xasprintf(&h, "%.*s/%s", (int)(p - n + i), n, p + i);
			free(n);
			n = h;
		}
	}
	if (strcmp(n, u) != 0)
		html_uris_add(out, n, strlen(n));
	/* :80 and :443 dropped */
	if ((strncasecmp(n, "http://", 7) == 0 ||
	    strncasecmp(n, "https://", 8) == 0)) {
		p = strstr(n, "//") + 2;
		i = strcspn(p, "/?#");
		if ((port = memchr(p, ':', i)) != NULL &&
		    ((n[4] == ':' && strncmp(port, ":80", 3) == 0 &&
		    !isdigit((unsigned char)port[3])) ||
		    (n[4] != ':' && strncmp(port, ":443", 4) == 0 &&
		    !isdigit((unsigned char)port[4])))) {
			xasprintf(&h, "%.*s%s", (int)(port - n), n,
			    port + (n[4] == ':' ? 3 : 4));
			html_uris_add(out, h, strlen(h));
			free(h);
		}
		/* http://word is taken for http://www.word.com */
		i = strcspn(p, "/?#:");
		if (n[4] == ':' && memchr(p, '@', strcspn(p, "/?#")) == NULL &&
		    p[i] != ':' && i > 0 && !(i == 9 &&
		    strncasecmp(p, "localhost", 9) == 0)) {
			h = strncasecmp(p, "www.", 4) == 0 && i > 4 ? p + 4 : p;
			if (memchr(h, '.', i - (h - p)) == NULL) {
				xasprintf(&port, "http://www.%.*s.com%s",
				    (int)(i - (h - p)), h, p + i);
				html_uris_add(out, port, strlen(port));
				free(port);
			}
		}
	}
	free(n);
}

/* One raw URI found in text: Thunderbird's trimming, then scheme. */
/* A TLD: the configured list's verdict, or letters (or xn--) by default. */
static int
tld_ok(const char *tld, const struct render_opts *o)
{
	size_t	n = strlen(tld), i;

	if (o != NULL && o->tld_valid != NULL)
		return o->tld_valid(tld, o->tld_arg);
	if (strncmp(tld, "xn--", 4) == 0)
		return n > 4;
	for (i = 0; i < n; i++)
		if (!isalpha((unsigned char)tld[i]))
			return 0;
	return n >= 2 && n <= 63;
}

/*
 * RegistryBoundaries::uri_to_domain succeeds: the host of u is an IPv4
 * address, or a valid name (labels of letters, digits, '-' and '_', at
 * least one dot) ending in a valid TLD.
 */
static int
uri_domain_ok(const char *u, const struct render_opts *o)
{
	char	*h;

	if ((h = render_uri_host(u, o)) == NULL)
		return 0;
	free(h);
	return 1;
}

char *
render_uri_host(const char *u, const struct render_opts *o)
{
	char	*h, *p, *e, *lab;
	size_t	 n, i;
	int	 ok = 0, dots = 0;

	h = xstrdup(u);
	for (p = h; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	p = h;
	if (strncmp(p, "javascript:", 11) == 0 || strncmp(p, "cid:", 4) == 0 ||
	    strncmp(p, "file:", 5) == 0)
		goto done;
	if (strncmp(p, "mailto:", 7) == 0) {
		p += 7;
		p[strcspn(p, "?")] = '\0';
		if ((e = strchr(p, '@')) == NULL || strchr(e + 1, '@') != NULL)
			goto done;
		p = e + 1;
	} else {
		for (i = 0; isalpha((unsigned char)p[i]); i++)
			;
		if (i > 0 && p[i] == ':') {
			p += i + 1;
			for (i = 0; i < 2 && *p == '/'; i++)
				p++;
		}
		p[strcspn(p, "/?#")] = '\0';
		if ((e = strrchr(p, '@')) != NULL)
			p = e + 1;
		if ((e = strrchr(p, ':')) != NULL &&
		    strspn(e + 1, "0123456789") == strlen(e + 1))
			*e = '\0';
	}
	n = strlen(p);
	if (n == 0 || n > 253)
		goto done;
	if (strspn(p, "0123456789.") == n) {
		ok = 1;		/* an IPv4 address (or digits: let it be) */
		goto done;
	}
	lab = p;
	for (i = 0; i <= n; i++) {
		if (p[i] != '.' && p[i] != '\0') {
			if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
			    p[i] != '_')
				goto done;
			continue;
		}
		if (&p[i] == lab || &p[i] - lab > 63 || *lab == '-' ||
		    p[i - 1] == '-')
			goto done;
		if (p[i] == '.')
			dots++;
		lab = &p[i + 1];
	}
	ok = dots > 0 && tld_ok(strrchr(p, '.') + 1, o);
 done:
	if (ok)
		memmove(h, p, strlen(p) + 1);
	else {
		free(h);
		h = NULL;
	}
	return h;
}

static void
text_uri(struct html_uris *out, char *raw, int mail,
    const struct render_opts *o)
{
	struct html_uris	 forms;
	char			*p, *u, *at, *host;
	size_t			 n, i;

	/* ")" ends it when no "(" comes before */
	if ((p = strchr(raw, ')')) != NULL && memchr(raw, '(', p - raw) ==
	    NULL)
		*p = '\0';
	n = strlen(raw);
	while (n > 0 && strchr("-~!@#^&*()_+=:;'?,.", raw[n - 1]) != NULL)
		raw[--n] = '\0';
	if (n == 0 || (mail && strchr(raw, '@') == NULL))
		return;
	if (strncasecmp(raw, "cid:", 4) == 0 || strncasecmp(raw, "mid:", 4) ==
	    0)
		return;
	for (i = 0; isalnum((unsigned char)raw[i]) || raw[i] == '_'; i++)
		;
	if (i > 0 && raw[i] == ':' && strspn(raw + i + 1, "/") ==
	    strlen(raw + i + 1) && strlen(raw + i + 1) <= 2)
		return;
	if (strncasecmp(raw, "http:", 5) == 0 ||
	    strncasecmp(raw, "https:", 6) == 0 ||
	    strncasecmp(raw, "ftp:", 4) == 0 ||
	    strncasecmp(raw, "mailto:", 7) == 0)
		u = xstrdup(raw);
	else if (strncasecmp(raw, "ftp.", 4) == 0)
		xasprintf(&u, "ftp://%s", raw);
	else if (strncasecmp(raw, "www", 3) == 0)
		xasprintf(&u, "http://%s", raw);
	else if ((at = strchr(raw, '@')) != NULL) {
		if ((p = strchr(raw, '/')) != NULL && p < at)
			xasprintf(&u, "http://%s", raw);
		else {
			if (strchr(at + 2, '.') == NULL || at[1] == '\0' ||
			    strstr(raw, "&nbsp;") != NULL)
				return;
			p = raw;
			if (strncasecmp(p, "skype", 5) == 0)
				p += 5;
			else if (strncasecmp(p, "email", 5) == 0)
				p += 5;
			else if (strncasecmp(p, "e-mail", 6) == 0)
				p += 6;
			else if (strncasecmp(p, "mail", 4) == 0)
				p += 4;
			if (*p == ':')
				while (*p == ':')
					p++;
			else
				p = raw;
			xasprintf(&u, "mailto:%s", p);
		}
	} else {
		if (strchr(raw, '.') == NULL)
			return;
		xasprintf(&u, "http://%s", raw);
	}
	if (strncasecmp(u, "mailto:", 7) == 0) {
		/* a valid-looking domain after the @ */
		if ((at = strchr(u, '@')) == NULL) {
			free(u);
			return;
		}
		host = xstrndup(at + 1, strcspn(at + 1, "?&>"));
		p = strrchr(host, '.');
		if (p == NULL || p == host || strchr(host, ' ') != NULL ||
		    !tld_ok(p + 1, o)) {
			free(host);
			free(u);
			return;
		}
		free(host);
	}
	/* kept only if one of its forms has a valid domain */
	memset(&forms, 0, sizeof(forms));
	uri_clean(&forms, u);
	for (i = 0; i < forms.n; i++)
		if (uri_domain_ok(forms.v[i], o))
			break;
	if (i < forms.n)
		for (i = 0; i < forms.n; i++)
			html_uris_add(out, forms.v[i], strlen(forms.v[i]));
	html_uris_clear(&forms);
	free(u);
}

/*
 * PerMsgStatus's schemeless URI at s[i]: a host name of letters,
 * digits, '.', '_', '-' whose last label is a valid TLD (followed by
 * neither a name character nor ".x"), then an optional '.', :port and
 * /path, then an end delimiter or the end.  Returns where it ends, or 0.
 * The host must be a valid FQDN (labels of 1 to 63, no '-' at their
 * ends, 253 at most).
 */
/* Util::is_fqdn_valid: two labels or more, each a name label. */
static int
fqdn_valid(const char *h, size_t n)
{
	size_t	i, start, labels = 0;

	while (n > 0 && h[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (i = start = 0; i <= n; i++) {
		if (i < n && h[i] != '.') {
			if (!isalnum((unsigned char)h[i]) && h[i] != '_' &&
			    h[i] != '-')
				return 0;
			continue;
		}
		if (i == start || i - start > 63 || h[start] == '-' ||
		    h[i - 1] == '-')
			return 0;
		labels++;
		start = i + 1;
	}
	return labels > 1;
}

static size_t
schemeless(const char *s, size_t n, size_t i, const struct render_opts *o)
{
	char	tld[64];
	size_t	r, p, q, e, k;

	if (!isalnum((unsigned char)s[i]))
		return 0;
	for (r = i; r < n && r - i < 253 && (isalnum((unsigned char)s[r]) ||
	    s[r] == '.' || s[r] == '_' || s[r] == '-'); r++)
		;
	for (p = r; p > i + 1; p--) {
		if (s[p - 1] != '.')
			continue;
		/* the label after this dot, whole */
		for (q = p; q < n && (isalnum((unsigned char)s[q]) ||
		    s[q] == '-'); q++)
			;
		if (q == p || q - p >= sizeof(tld) || (q < n && s[q] == '.' &&
		    q + 1 < n && isalnum((unsigned char)s[q + 1])))
			continue;
		for (k = 0; k < q - p; k++)
			tld[k] = tolower((unsigned char)s[p + k]);
		tld[k] = '\0';
		if (!tld_ok(tld, o))
			continue;
		e = q;
		if (e < n && s[e] == '.')
			e++;
		if (e < n && s[e] == ':' && e + 1 < n &&
		    isdigit((unsigned char)s[e + 1])) {
			for (k = e + 1; k < n && k < e + 6 &&
			    isdigit((unsigned char)s[k]); k++)
				;
			e = k;
		}
		if (e < n && s[e] == '/' && e + 1 < n &&
		    !in_chars(s[e + 1], END_DELIM) &&
		    (unsigned char)s[e + 1] != 0xa0)
			for (e++; e < n && !in_chars(s[e], END_DELIM) &&
			    (unsigned char)s[e] != 0xa0; e++)
				;
		if (e < n && !in_chars(s[e], END_DELIM) &&
		    (unsigned char)s[e] != 0xa0)
			continue;
		return fqdn_valid(s + i, q - i) ? e : 0;
	}
	return 0;
}

/*
 * URIs in a line of text, as PerMsgStatus's Thunderbird-like regex
 * finds them: scheme://, www. and ftp. hosts, mailto: and addresses.
 */
void
render_text_uris(struct html_uris *out, const char *s, size_t n,
    const struct render_opts *o)
{
	static const char	*email_end = END_DELIM ",('";
	char			*raw;
	size_t			 i, j, k, nomail = 0;
	int			 boundary, w0, w1;

	for (i = 0; i < n; ) {
		w1 = isalnum((unsigned char)s[i]) || s[i] == '_';
		w0 = i > 0 && (isalnum((unsigned char)s[i - 1]) ||
		    s[i - 1] == '_');
		boundary = (w0 != w1) || (i > 0 && in_chars(s[i - 1],
		    START_DELIM));
		if (!boundary) {
			i++;
			continue;
		}
		k = 0;
		if (n - i >= 7 && strncasecmp(s + i, "http://", 7) == 0)
			k = 7;
		else if (n - i >= 8 && strncasecmp(s + i, "https://", 8) == 0)
			k = 8;
		else if (n - i >= 6 && strncasecmp(s + i, "ftp://", 6) == 0)
			k = 6;
		else if (n - i >= 4 && strncasecmp(s + i, "ftp.", 4) == 0)
			k = 4;
		else if (n - i >= 4 && strncasecmp(s + i, "www", 3) == 0) {
			for (j = i + 3; j < n && j < i + 5 &&
			    isdigit((unsigned char)s[j]); j++)
				;
			if (j < n && s[j] == '.')
				k = j + 1 - i;
		}
		if (k > 0) {
			for (j = i + k; j < n && !in_chars(s[j], END_DELIM) &&
			    (unsigned char)s[j] != 0xa0; j++)
				;
			if (j > i + k) {
				raw = xstrndup(s + i, j - i);
				text_uri(out, raw, 0, o);
				free(raw);
				i = j;
				continue;
			}
		}
		/* mailto:..., or local@domain */
		if (n - i > 7 && strncasecmp(s + i, "mailto:", 7) == 0) {
			for (j = i + 7; j < n && !in_chars(s[j], email_end) &&
			    (unsigned char)s[j] < 0x80; j++)
				;
			if (j > i + 7) {
				raw = xstrndup(s + i, j - i);
				text_uri(out, raw, 1, o);
				free(raw);
				i = j;
				continue;
			}
		}
		/*
		 * local@domain; a run that ended without '@' ends every
		 * run starting inside it the same way: skip those.
		 */
		j = i;
		if (i >= nomail) {
			for (; j < n && !in_chars(s[j], email_end) &&
			    s[j] != '@' && (unsigned char)s[j] < 0x80; j++)
				;
			if (j == n || s[j] != '@')
				nomail = j;
		}
		if (j > i && j < n && s[j] == '@') {
			for (k = j + 1; k < n && !in_chars(s[k], email_end) &&
			    (unsigned char)s[k] < 0x80; k++)
				;
			if (k > j + 1) {
				raw = xstrndup(s + i, k - i);
				text_uri(out, raw, 1, o);
				free(raw);
				i = k;
				continue;
			}
		}
		/* a bare host name under a valid TLD */
		if ((i == 0 || in_chars(s[i - 1], SC_START_DELIM) ||
		    (unsigned char)s[i - 1] == 0xa0) &&
		    (k = schemeless(s, n, i, o)) > 0) {
			raw = xstrndup(s + i, k - i);
			text_uri(out, raw, 0, o);
			free(raw);
			i = k;
			continue;
		}
		i++;
	}
}

/*
 * Message::Node::rendered's end-of-document values: the rendered
 * length in characters, those not white space (Unicode white space in a
 * character string, [ \t\n\r\x0b] in an octet string), and the
 * ratio to the decoded part's octets.
 */
static void
html_lengths(struct html_result *res, const struct mimebuf *rnd,
    size_t declen, int chars)
{
	size_t	i, w, space = 0;

	res->html_length = 0;
	for (i = 0; i < rnd->len; i++)
		if (((unsigned char)rnd->buf[i] & 0xc0) != 0x80)
			res->html_length++;
	for (i = 0; i < rnd->len; i += w ? w : 1) {
		w = 0;
		if (chars) {
			if ((w = uspace(rnd->buf + i, rnd->len - i, 1)) > 0)
				space++;
		} else if (strchr(" \t\n\r\v", rnd->buf[i]) != NULL &&
		    rnd->buf[i] != '\0')
			space++;
	}
	res->non_space_len = res->html_length - space;
	res->ratio = declen > 0 ? ((double)declen - res->html_length) /
	    declen : 0;
}

/* The leaves of one message (nested encoded messages recurse). */
static void
render_parts(struct rstate *st, const struct mime *m, const char *buf,
    size_t len, int depth)
{
	const struct mime_part	*p;
	struct mime		*sub;
	struct mimebuf		 dec, utf, rnd;
	const char		*t, *name, *nl;
	char			 tbuf[128];
	size_t			 n;
	int			 html, squash, partchars;

	/* CRLF lines are LF only when the first or last line is CRLF */
	nl = len > 0 ? memchr(buf, '\n', len) : NULL;
	squash = (nl != NULL && nl > buf && nl[-1] == '\r') || (len >= 2 &&
	    buf[len - 1] == '\n' && buf[len - 2] == '\r');
	mimebuf_init(&dec);
	mimebuf_init(&utf);
	mimebuf_init(&rnd);
	for (p = mime_root(m); p != NULL; p = mime_next(p)) {
		if (p->nchild > 0)
			continue;
		mimebuf_reset(&dec);
		mime_decode(m, p, &dec, 0);
		if (strcmp(p->type, "message") == 0 &&
		    (strcmp(p->subtype, "rfc822") == 0 ||
		    strcmp(p->subtype, "global") == 0) &&
		    (p->enc == MIME_ENC_BASE64 || p->enc == MIME_ENC_QP) &&
		    dec.len > 0 && depth < MIME_DEPTH_MAX) {
			/* an encoded message: decoded and parsed here */
			sub = mime_parse(dec.buf, dec.len, NULL);
			render_parts(st, sub, dec.buf, dec.len, depth + 1);
			mime_free(sub);
			continue;
		}
		if (st->text.len > 0)
			mimebuf_addc(&st->text, '\n');
		t = sa_type(p, tbuf, sizeof(tbuf));
		html = strcmp(t, "text/html") == 0;
		if ((name = mime_filename(p)) != NULL &&
		    (n = strlen(name)) >= 4 && (strcasecmp(name + n - 4,
		    ".htm") == 0 || (n >= 5 && strcasecmp(name + n - 5,
		    ".html") == 0) || (n >= 6 && strcasecmp(name + n - 6,
		    ".shtml") == 0)))
			html = 1;
		if (p->enc == MIME_ENC_QP || (p->enc == MIME_ENC_BASE64 &&
		    (strcmp(p->type, "text") == 0 ||
		    strcmp(p->type, "message") == 0)) ||
		    (p->enc != MIME_ENC_QP && p->enc != MIME_ENC_BASE64 &&
		    squash))
			crlf_to_lf(&dec);
		/* rawbody: text and message parts, but text/calendar */
		if ((html || strcmp(p->type, "text") == 0 ||
		    strcmp(p->type, "message") == 0) &&
		    strcmp(t, "text/calendar") != 0)
			short_paragraphs(&st->r->rawbody,
			    dec.buf ? dec.buf : "",
			    scan_cut(dec.buf, dec.len, st->rscan, "\n> "));
		/* body: text/plain and text/html */
		if (!html && strcmp(t, "text/plain") != 0)
			continue;
		mimebuf_reset(&utf);
		render_to_utf8(&utf, mime_param(p, "charset"), dec.buf,
		    dec.len);
		/*
		 * Perl keeps all-ASCII input as octets: the part is a
		 * character string only if its input had 8-bit text or its
		 * HTML entities went past U+00FF.
		 */
		if (has_above(utf.buf, utf.len, 0x7f))
			st->chars = 1;
		mimebuf_reset(&rnd);
		if (html && utf.len > 0) {
			/* the results are the last HTML part's */
			st->r->has_html = 1;
			html_result_clear(&st->r->html);
			html_render(utf.buf, utf.len, &rnd, &st->hu,
			    &st->r->html);
			partchars = has_above(utf.buf, utf.len, 0x7f) ||
			    has_above(rnd.buf, rnd.len, 0xff);
			if (partchars)
				st->chars = 1;
			html_lengths(&st->r->html, &rnd, dec.len, partchars);
			keep_anchors(st->r);
		} else
			mimebuf_add(&rnd, utf.buf, utf.len);
		mimebuf_add(&st->text, rnd.buf, scan_cut(rnd.buf, rnd.len,
		    st->bscan, "\n "));
	}
	mimebuf_free(&dec);
	mimebuf_free(&utf);
	mimebuf_free(&rnd);
}

/* the HTML part just rendered: its anchors and flags kept */
static void
keep_anchors(struct render *r)
{
	const struct html_result	*h = &r->html;
	struct render_anchor		*a;
	size_t				 i;

	for (i = 0; i < h->anchor.n && i < h->anchor_uri.n; i++) {
		r->anchors = xreallocarray(r->anchors, r->nanchors + 1,
		    sizeof(*r->anchors));
		a = &r->anchors[r->nanchors++];
		a->uri = xstrdup(h->anchor_uri.v[i]);
		a->text = xstrdup(h->anchor.v[i]);
		a->part = r->nhtml;
	}
	r->nhtml++;
	r->iframe_src |= h->iframe_src;
	r->uri_truncated |= h->uri_truncated;
}

struct render *
render_message(const struct mime *m, const struct render_opts *o)
{
	struct rstate	 st;
	struct render	*r;
	struct mimebuf	 subj, ws;
	const char	*buf;
	size_t		 i, len;

	r = xcalloc(1, sizeof(*r));
	memset(&st, 0, sizeof(st));
	st.r = r;
	st.bscan = o != NULL && o->body_scan ? o->body_scan :
	    RENDER_BODY_SCAN;
	st.rscan = o != NULL && o->rawbody_scan ? o->rawbody_scan :
	    RENDER_RAWBODY_SCAN;
	mimebuf_init(&st.text);
	buf = mime_buf(m, &len);
	render_parts(&st, m, buf, len, 0);

	/*
	 * An octet string (no part was characters): entities of U+0080 to
	 * U+00FF stay single octets, as SpamAssassin leaves them.
	 */
	if (!st.chars)
		to_latin1(&st.text);
	mimebuf_init(&ws);
	whitespace(&ws, st.text.buf, st.text.len, st.chars);
	mimebuf_init(&subj);
	subject(mime_root(m), &subj);
	short_lines(&r->body, subj.buf, subj.len);
	short_lines(&r->body, ws.buf, ws.len);
	/* URIs: the lines' first (SpamAssassin: text, then HTML) */
	for (i = 0; i < r->body.n; i++)
		render_text_uris(&r->uris, r->body.buf.buf + r->body.off[i],
		    r->body.len[i], o);
	for (i = 0; i < st.hu.n; i++)
		uri_clean(&r->uris, st.hu.v[i]);
	html_uris_clear(&st.hu);
	/* PerMsgStatus::add_uri_detail_list cuts a longer one */
	for (i = 0; i < r->uris.n; i++)
		if (strlen(r->uris.v[i]) > 8192)
			r->uri_truncated = 1;
	mimebuf_free(&subj);
	mimebuf_free(&ws);
	mimebuf_free(&st.text);
	return r;
}

void
render_free(struct render *r)
{
	size_t	i;

	if (r == NULL)
		return;
	lines_free(&r->body);
	lines_free(&r->rawbody);
	html_uris_clear(&r->uris);
	html_result_clear(&r->html);
	for (i = 0; i < r->nanchors; i++) {
		free(r->anchors[i].uri);
		free(r->anchors[i].text);
	}
	free(r->anchors);
	free(r);
}
