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

/* MIME decoders: base64, quoted-printable, charsets, RFC 2047, 2231. */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mimedec.h"
#include "xmalloc.h"

#define CHARSET_MAX	64
#define PARAM_MAX	256	/* parameters kept per header */
#define CONT_MAX	1000	/* RFC 2231 continuation index bound */

struct rawparam {
	char	*name;
	char	*value;
	int	 section;	/* -1: none */
	int	 extended;	/* trailing '*': %XX and charset'lang' */
};

static int	b64val(int);
static void	b64_tail(struct mimebuf *, uint32_t, int);
static int	hexval(int);
static int	charset_norm(const char *, char *, size_t);
static int	is_ascii_charset(const char *);
static int	is_utf8_charset(const char *);
static void	hdr_flush(struct mimebuf *, const char *, struct mimebuf *,
		    int *);
static int	hdr_word(const char *, size_t, size_t *, size_t *, size_t *,
		    size_t *);
static const char *skip_cfws(const char *, const char *);
static const char *read_token(const char *, const char *, char **, int);
static const char *read_value(const char *, const char *, char **);
static void	pct_decode(struct mimebuf *, const char *);
static int	rawparam_cmp(const void *, const void *);
static void	mimebuf_reserve(struct mimebuf *, size_t);
static int	param_seen(const struct mime_ctype *, const char *);
static void	param_join(struct mime_ctype *, const struct rawparam *,
		    size_t);
static void	params_finish(struct mime_ctype *, struct rawparam *, size_t);

/* Windows-1252 0x80-0x9f; the five holes map to the C1 code point. */
static const unsigned short cp1252_hi[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* Names mail uses that iconv spells differently (or not at all). */
static const struct {
	const char	*name;
	const char	*iconv;
} charset_alias[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "shift-jis", "SHIFT_JIS" },
	{ "gb2312", "GBK" },
	{ "x-gbk", "GBK" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "x-euc-jp", "EUC-JP" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "x-unicode20utf8", "UTF-8" },
	{ "utf8", "UTF-8" },
	{ "latin1", "ISO-8859-1" },
	{ "ansi_x3.4-1968", "ASCII" },
	{ "x-user-defined", "WINDOWS-1252" },
};

void
mimebuf_init(struct mimebuf *b)
{
	b->buf = NULL;
	b->len = 0;
	b->size = 0;
}

void
mimebuf_free(struct mimebuf *b)
{
	free(b->buf);
	mimebuf_init(b);
}

void
mimebuf_reset(struct mimebuf *b)
{
	b->len = 0;
	if (b->buf != NULL)
		b->buf[0] = '\0';
}

/* Room for n more bytes and the NUL. */
static void
mimebuf_reserve(struct mimebuf *b, size_t n)
{
	size_t	nsize;

	if (b->len + n + 1 > b->size) {
		nsize = b->size ? b->size : 64;
		while (nsize < b->len + n + 1) {
			if (nsize > SIZE_MAX / 2)
				nsize = b->len + n + 1;
			else
				nsize *= 2;
		}
		b->buf = xrecallocarray(b->buf, b->size, nsize, 1);
		b->size = nsize;
	}
}

void
mimebuf_add(struct mimebuf *b, const void *p, size_t n)
{
	mimebuf_reserve(b, n);
	if (n > 0)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
mimebuf_addc(struct mimebuf *b, int c)
{
	char	ch = c;

	mimebuf_add(b, &ch, 1);
}

void
mimebuf_adds(struct mimebuf *b, const char *s)
{
	mimebuf_add(b, s, strlen(s));
}

void
mimebuf_add_utf8(struct mimebuf *b, unsigned int cp)
{
	char	u[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = cp;
		mimebuf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = 0xc0 | (cp >> 6);
		u[1] = 0x80 | (cp & 0x3f);
		mimebuf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | (cp >> 12);
		u[1] = 0x80 | ((cp >> 6) & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		mimebuf_add(b, u, 3);
	} else {
		u[0] = 0xf0 | (cp >> 18);
		u[1] = 0x80 | ((cp >> 12) & 0x3f);
		u[2] = 0x80 | ((cp >> 6) & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		mimebuf_add(b, u, 4);
	}
}

/* The buffer's string (never NULL), which the caller now owns. */
char *
mimebuf_steal(struct mimebuf *b)
{
	char	*s;

	if (b->buf == NULL)
		return xstrdup("");
	s = b->buf;
	mimebuf_init(b);
	return s;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The whole bytes of a quantum of n (2 or 3) sextets. */
static void
b64_tail(struct mimebuf *out, uint32_t acc, int n)
{
	unsigned char	q[2];

	if (n == 2)
		q[0] = acc >> 4;
	else {
		q[0] = acc >> 10;
		q[1] = acc >> 2;
	}
	mimebuf_add(out, q, n - 1);
}

void
mime_b64_decode(struct mimebuf *out, const char *in, size_t len, int *flags)
{
	unsigned char	q[3];
	uint32_t	acc = 0;
	size_t		i;
	int		n = 0, v, f = 0;

	for (i = 0; i < len; i++) {
		v = b64val((unsigned char)in[i]);
		if (v < 0) {
			if (in[i] == '=') {
				/* end of a quantum: keep its whole bytes */
				if (n == 1)
					f |= MIMEDEC_TRUNC;
				if (n >= 2)
					b64_tail(out, acc, n);
				n = 0;
				acc = 0;
			} else if (!isspace((unsigned char)in[i]))
				f |= MIMEDEC_BADCHAR;
			continue;
		}
		acc = (acc << 6) | v;
		if (++n == 4) {
			q[0] = acc >> 16;
			q[1] = acc >> 8;
			q[2] = acc;
			mimebuf_add(out, q, 3);
			n = 0;
			acc = 0;
		}
	}
	if (n > 0) {
		f |= MIMEDEC_TRUNC;
		if (n >= 2)
			b64_tail(out, acc, n);
	}
	if (flags != NULL)
		*flags |= f;
}

/*
 * Quoted-printable.  With *flags holding MIMEDEC_QHDR on entry, the Q
 * encoding of RFC 2047 ('_' is a space).
 */
void
mime_qp_decode(struct mimebuf *out, const char *in, size_t len, int *flags)
{
	size_t	i, j, k;
	int	hi, lo, f = 0, qhdr;

	qhdr = flags != NULL && (*flags & MIMEDEC_QHDR);
	for (i = 0; i < len; i++) {
		if (in[i] == ' ' || in[i] == '\t') {
			/* trailing blanks before a line end are deleted */
			for (j = i; j < len && (in[j] == ' ' || in[j] == '\t');
			    j++)
				;
			if (j == len || in[j] == '\n' ||
			    (in[j] == '\r' && j + 1 < len &&
			    in[j + 1] == '\n')) {
				i = j - 1;
				continue;
			}
			mimebuf_add(out, in + i, j - i);
			i = j - 1;
			continue;
		}
		if (in[i] == '_' && qhdr) {
			mimebuf_addc(out, ' ');
			continue;
		}
		if (in[i] != '=') {
			mimebuf_addc(out, in[i]);
			continue;
		}
		/* soft line break: "=", blanks, line end */
		for (k = i + 1; k < len && (in[k] == ' ' || in[k] == '\t');
		    k++)
			;
		if (k < len && in[k] == '\n') {
			i = k;
			continue;
		}
		if (k + 1 < len && in[k] == '\r' && in[k + 1] == '\n') {
			i = k + 1;
			continue;
		}
		if (k == len) {
			i = k - 1;
			continue;
		}
		if (i + 2 < len &&
		    (hi = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)in[i + 2])) >= 0) {
			mimebuf_addc(out, hi * 16 + lo);
			i += 2;
			continue;
		}
		f |= MIMEDEC_BADESC;
		mimebuf_addc(out, '=');
	}
	if (flags != NULL)
		*flags |= f;
}

/* Length of one UTF-8 character at s, its code point in *cp; -1 bad. */
int
mime_utf8_decode(const char *s, size_t len, unsigned int *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 c, min;
	int			 n, i;

	if (len == 0)
		return -1;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return n;
}

/* Is the code point white space (Perl's \s on a character string)? */
int
mime_uspace(unsigned int cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

/* Length of the longest valid UTF-8 prefix: len when all is valid. */
size_t
mime_utf8_valid(const char *s, size_t len)
{
	size_t		i = 0;
	unsigned int	cp;
	int		n;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = mime_utf8_decode(s + i, len - i, &cp)) < 0)
			return i;
		i += n;
	}
	return len;
}

/* Windows-1252 (a superset of ISO-8859-1 as readers use it) to UTF-8. */
void
mime_cp1252_to_utf8(struct mimebuf *out, const char *s, size_t len)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c < 0x80)
			mimebuf_addc(out, c);
		else if (c < 0xa0)
			mimebuf_add_utf8(out, cp1252_hi[c - 0x80]);
		else
			mimebuf_add_utf8(out, c);
	}
}

/*
 * A charset name as iconv takes it: trimmed, quotes gone, aliases
 * applied; -1 when it holds characters no charset name has (which also
 * keeps iconv's "//TRANSLIT" suffixes out).
 */
static int
charset_norm(const char *cs, char *out, size_t outsz)
{
	size_t	i, n;

	while (*cs == ' ' || *cs == '\t' || *cs == '"' || *cs == '\'')
		cs++;
	n = strcspn(cs, " \t\"';");
	if (n == 0 || n >= outsz || n >= CHARSET_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)cs[i]) &&
		    strchr("-_.:+()", cs[i]) == NULL)
			return -1;
		out[i] = cs[i];
	}
	out[n] = '\0';
	for (i = 0; i < sizeof(charset_alias) / sizeof(charset_alias[0]);
	    i++)
		if (strcasecmp(out, charset_alias[i].name) == 0) {
			if (strlcpy(out, charset_alias[i].iconv, outsz) >=
			    outsz)
				return -1;
			break;
		}
	return 0;
}

static int
is_utf8_charset(const char *cs)
{
	return strcasecmp(cs, "UTF-8") == 0;
}

static int
is_ascii_charset(const char *cs)
{
	return strcasecmp(cs, "US-ASCII") == 0 ||
	    strcasecmp(cs, "ASCII") == 0 ||
	    strcasecmp(cs, "ANSI_X3.4-1986") == 0 ||
	    strcasecmp(cs, "ISO646-US") == 0;
}

/* Whether iconv (or the built-in UTF-8/ASCII path) knows this charset. */
int
mime_charset_known(const char *charset)
{
	char	cs[CHARSET_MAX];
	iconv_t	cd;

	if (charset == NULL || charset_norm(charset, cs, sizeof(cs)) == -1)
		return 0;
	if (is_utf8_charset(cs) || is_ascii_charset(cs))
		return 1;
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

/*
 * Appends in (len bytes in charset) converted to UTF-8.  0: done (maybe
 * with U+FFFD for bad bytes, MIMEDEC_BADSEQ); -1: unknown charset, the
 * bytes appended unchanged (MIMEDEC_UNKCHARSET).  ASCII with 8-bit bytes
 * is read as UTF-8 when it is, else as Windows-1252, as readers do.
 */
int
mime_charset_to_utf8(struct mimebuf *out, const char *charset,
    const char *in, size_t len, int *flags)
{
	char		 cs[CHARSET_MAX];
	char		*ip, *op;
	size_t		 il, ol, i, done;
	unsigned int	 cp;
	iconv_t		 cd;
	int		 n, f = 0, ret = 0;

	if (charset == NULL || charset_norm(charset, cs, sizeof(cs)) == -1) {
		f |= MIMEDEC_UNKCHARSET;
		mimebuf_add(out, in, len);
		ret = -1;
		goto out;
	}
	if (is_ascii_charset(cs) || is_utf8_charset(cs)) {
		if (is_ascii_charset(cs) && mime_utf8_valid(in, len) != len) {
			mime_cp1252_to_utf8(out, in, len);
			goto out;
		}
		for (i = 0; i < len; ) {
			if ((unsigned char)in[i] < 0x80) {
				mimebuf_addc(out, in[i++]);
				continue;
			}
			if ((n = mime_utf8_decode(in + i, len - i, &cp)) < 0) {
				f |= MIMEDEC_BADSEQ;
				mimebuf_add_utf8(out, 0xfffd);
				i++;
				continue;
			}
			mimebuf_add(out, in + i, n);
			i += n;
		}
		goto out;
	}
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1) {
		f |= MIMEDEC_UNKCHARSET;
		mimebuf_add(out, in, len);
		ret = -1;
		goto out;
	}
	ip = (char *)in;
	il = len;
	while (il > 0) {
		mimebuf_reserve(out, il * 4 + 16);
		op = out->buf + out->len;
		ol = out->size - out->len - 1;
		done = iconv(cd, &ip, &il, &op, &ol);
		out->len = op - out->buf;
		out->buf[out->len] = '\0';
		if (done != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL (cut short at the end): one bad byte */
		f |= MIMEDEC_BADSEQ;
		mimebuf_add_utf8(out, 0xfffd);
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* the shift state of a stateful encoding */
	mimebuf_reserve(out, 16);
	op = out->buf + out->len;
	ol = out->size - out->len - 1;
	if (iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1) {
		out->len = op - out->buf;
		out->buf[out->len] = '\0';
	}
	iconv_close(cd);
 out:
	if (flags != NULL)
		*flags |= f;
	return ret;
}

/*
 * At s[0]: an encoded-word "=?cs?X?text?="?  Gives the word's length and
 * where its charset and text are.  The charset character set is
 * SpamAssassin's ([A-Za-z0-9*_-]).
 */
static int
hdr_word(const char *s, size_t len, size_t *wlen, size_t *cslen,
    size_t *toff, size_t *tlen)
{
	size_t	i, j;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	for (i = 2; i < len && (isalnum((unsigned char)s[i]) ||
	    s[i] == '*' || s[i] == '_' || s[i] == '-'); i++)
		;
	if (i == 2 || i + 3 >= len || s[i] != '?' ||
	    strchr("bBqQ", s[i + 1]) == NULL || s[i + 2] != '?')
		return 0;
	*cslen = i - 2;
	*toff = i + 3;
	for (j = *toff; j < len && s[j] != '?'; j++)
		;
	if (j + 1 >= len || s[j + 1] != '=')
		return 0;
	*tlen = j - *toff;
	*wlen = j + 2;
	return 1;
}

/* Appends the pending bytes of one charset, converted. */
static void
hdr_flush(struct mimebuf *out, const char *cs, struct mimebuf *pend,
    int *flags)
{
	struct mimebuf	tmp;
	int		f = 0;

	if (pend->len == 0)
		return;
	mimebuf_init(&tmp);
	if (mime_charset_to_utf8(&tmp, cs, pend->buf, pend->len, &f) == -1) {
		/* unknown charset: UTF-8 if it is, else Windows-1252 */
		mimebuf_reset(&tmp);
		if (mime_utf8_valid(pend->buf, pend->len) == pend->len)
			mimebuf_add(&tmp, pend->buf, pend->len);
		else
			mime_cp1252_to_utf8(&tmp, pend->buf, pend->len);
	}
	mimebuf_add(out, tmp.buf, tmp.len);
	mimebuf_free(&tmp);
	mimebuf_reset(pend);
	if (flags != NULL)
		*flags |= f;
}

void
mime_hdr_decode(struct mimebuf *out, const char *in, size_t len, int *flags)
{
	struct mimebuf	 raw, pend;
	char		 cs[CHARSET_MAX], wcs[CHARSET_MAX];
	size_t		 i, j, wl, csl, to, tl, k, wl2, a, b, c;
	int		 f = 0, qf;
	char		*star;

	mimebuf_init(&raw);
	mimebuf_init(&pend);
	/* unfold: line breaks go, the white space after them stays */
	for (i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		if (in[i] == '\n')
			continue;
		mimebuf_addc(&raw, in[i]);
	}
	cs[0] = '\0';
	for (i = 0; i < raw.len; ) {
		if (hdr_word(raw.buf + i, raw.len - i, &wl, &csl, &to, &tl)) {
			memcpy(wcs, raw.buf + i + 2, csl < sizeof(wcs) - 1 ?
			    csl : sizeof(wcs) - 1);
			wcs[csl < sizeof(wcs) - 1 ? csl : sizeof(wcs) - 1] =
			    '\0';
			if ((star = strchr(wcs, '*')) != NULL)
				*star = '\0';
			if (strcasecmp(wcs, cs) != 0) {
				hdr_flush(out, cs, &pend, &f);
				if (strlcpy(cs, wcs, sizeof(cs)) >= sizeof(cs))
					cs[0] = '\0';
			}
			if (raw.buf[i + to - 2] == 'b' ||
			    raw.buf[i + to - 2] == 'B')
				mime_b64_decode(&pend, raw.buf + i + to, tl,
				    NULL);
			else {
				qf = MIMEDEC_QHDR;
				mime_qp_decode(&pend, raw.buf + i + to, tl,
				    &qf);
			}
			i += wl;
			/* white space up to another word is dropped */
			for (k = i; k < raw.len && (raw.buf[k] == ' ' ||
			    raw.buf[k] == '\t'); k++)
				;
			if (k > i && hdr_word(raw.buf + k, raw.len - k, &wl2,
			    &a, &b, &c))
				i = k;
			continue;
		}
		/* plain text up to the next "=?" */
		hdr_flush(out, cs, &pend, &f);
		cs[0] = '\0';
		for (j = i + 1; j < raw.len && !(raw.buf[j] == '=' &&
		    j + 1 < raw.len && raw.buf[j + 1] == '?'); j++)
			;
		if (mime_utf8_valid(raw.buf + i, j - i) == j - i)
			mimebuf_add(out, raw.buf + i, j - i);
		else {
			f |= MIMEDEC_BADSEQ;
			mime_cp1252_to_utf8(out, raw.buf + i, j - i);
		}
		i = j;
	}
	hdr_flush(out, cs, &pend, &f);
	mimebuf_add(out, "", 0);
	mimebuf_free(&raw);
	mimebuf_free(&pend);
	if (flags != NULL)
		*flags |= f;
}

/* Skips white space and (nested (comments)) with quoted-pairs. */
static const char *
skip_cfws(const char *p, const char *end)
{
	int	depth;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		if (p >= end || *p != '(')
			return p;
		depth = 0;
		for (; p < end; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

/* A token (RFC 2045 tspecials end it; '/' too when slash is set). */
static const char *
read_token(const char *p, const char *end, char **out, int slash)
{
	const char	*s = p;

	while (p < end && (unsigned char)*p > ' ' && *p != 0x7f &&
	    strchr("()<>@,;:\\\"[]?=", *p) == NULL &&
	    (!slash || *p != '/'))
		p++;
	*out = p > s ? xstrndup(s, p - s) : NULL;
	return p;
}

/* A parameter value: a quoted-string, or everything up to ; or blank. */
static const char *
read_value(const char *p, const char *end, char **out)
{
	struct mimebuf	 b;
	const char	*s;

	mimebuf_init(&b);
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (*p == '\r' || *p == '\n')
				continue;
			mimebuf_addc(&b, *p);
		}
		if (p < end)
			p++;
	} else {
		s = p;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t' &&
		    *p != '\r' && *p != '\n' && *p != '(' && *p != '"')
			p++;
		mimebuf_add(&b, s, p - s);
	}
	*out = mimebuf_steal(&b);
	return p;
}

static void
pct_decode(struct mimebuf *b, const char *s)
{
	int	hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = hexval((unsigned char)s[1])) >= 0 &&
		    (lo = hexval((unsigned char)s[2])) >= 0) {
			mimebuf_addc(b, hi * 16 + lo);
			s += 2;
		} else
			mimebuf_addc(b, *s);
	}
}

static int
rawparam_cmp(const void *a, const void *b)
{
	const struct rawparam	*pa = a, *pb = b;
	int			 c;

	if ((c = strcmp(pa->name, pb->name)) != 0)
		return c;
	return (pa->section > pb->section) - (pa->section < pb->section);
}

static int
param_seen(const struct mime_ctype *ct, const char *name)
{
	size_t	k;

	for (k = 0; k < ct->nparams; k++)
		if (strcmp(ct->params[k].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Adds one parameter made of n raw pieces (one plain value, or the
 * sorted RFC 2231 sections of one name): joined, %XX decoded where
 * extended, converted from the first piece's charset to UTF-8.
 */
static void
param_join(struct mime_ctype *ct, const struct rawparam *rp, size_t n)
{
	struct mimebuf		 bytes, val;
	struct mime_param	*mp;
	size_t			 k;
	char			*cs = NULL, *lang = NULL;
	const char		*v, *q1, *q2;

	mimebuf_init(&bytes);
	for (k = 0; k < n; k++) {
		if (k > 0 && rp[k].section == rp[k - 1].section)
			continue;
		v = rp[k].value;
		if (k == 0 && rp[k].extended &&
		    (q1 = strchr(v, '\'')) != NULL &&
		    (q2 = strchr(q1 + 1, '\'')) != NULL) {
			if (q1 > v)
				cs = xstrndup(v, q1 - v);
			if (q2 > q1 + 1)
				lang = xstrndup(q1 + 1, q2 - q1 - 1);
			v = q2 + 1;
		}
		if (rp[k].extended)
			pct_decode(&bytes, v);
		else
			mimebuf_adds(&bytes, v);
	}
	ct->params = xreallocarray(ct->params, ct->nparams + 1,
	    sizeof(*ct->params));
	mp = &ct->params[ct->nparams++];
	mp->name = xstrdup(rp[0].name);
	mimebuf_init(&val);
	if (cs != NULL)
		mime_charset_to_utf8(&val, cs, bytes.buf, bytes.len, NULL);
	else
		mimebuf_add(&val, bytes.buf, bytes.len);
	mp->value = mimebuf_steal(&val);
	mp->charset = cs;
	mp->lang = lang;
	mimebuf_free(&bytes);
}

/*
 * Stores the parameters: plain (unsectioned) ones first, in order, the
 * first of a name winning; then RFC 2231 sectioned names, joined.
 */
static void
params_finish(struct mime_ctype *ct, struct rawparam *rp, size_t n)
{
	size_t	i, j, first;

	for (i = 0; i < n; i++)
		if (rp[i].section == -1 && !param_seen(ct, rp[i].name))
			param_join(ct, &rp[i], 1);
	qsort(rp, n, sizeof(*rp), rawparam_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && strcmp(rp[j].name, rp[i].name) == 0; j++)
			;
		for (first = i; first < j && rp[first].section == -1; first++)
			;
		if (first < j && !param_seen(ct, rp[i].name))
			param_join(ct, rp + first, j - first);
	}
}

/*
 * Parses a Content-Type ("type/subtype; params") or Content-Disposition
 * ("type; params": subtype stays NULL) value.  0, or -1 when there is
 * no type (parameters are still read).  Free with mime_ctype_clear().
 */
int
mime_ctype_parse(const char *s, size_t len, struct mime_ctype *ct)
{
	const char		*p = s, *end = s + len, *q;
	struct rawparam		 rp[PARAM_MAX];
	size_t			 nrp = 0, i, nl;
	char			*name, *value, *star, *ep;
	long			 sec;

	memset(ct, 0, sizeof(*ct));
	p = skip_cfws(p, end);
	p = read_token(p, end, &ct->type, 1);
	p = skip_cfws(p, end);
	if (ct->type != NULL && p < end && *p == '/') {
		p = skip_cfws(p + 1, end);
		p = read_token(p, end, &ct->subtype, 1);
	}
	for (i = 0; ct->type != NULL && ct->type[i] != '\0'; i++)
		ct->type[i] = tolower((unsigned char)ct->type[i]);
	for (i = 0; ct->subtype != NULL && ct->subtype[i] != '\0'; i++)
		ct->subtype[i] = tolower((unsigned char)ct->subtype[i]);

	while (p < end) {
		p = skip_cfws(p, end);
		if (p < end && *p == ';') {
			p++;
			continue;
		}
		if (p >= end)
			break;
		q = p;
		p = read_token(p, end, &name, 0);
		if (name == NULL) {
			/* junk: skip to the next ';' */
			while (p < end && *p != ';')
				p++;
			continue;
		}
		p = skip_cfws(p, end);
		if (p >= end || *p != '=') {
			free(name);
			if (p == q)
				p++;
			continue;
		}
		p = skip_cfws(p + 1, end);
		p = read_value(p, end, &value);
		if (nrp == PARAM_MAX) {
			free(name);
			free(value);
			continue;
		}
		nl = strlen(name);
		for (i = 0; i < nl; i++)
			name[i] = tolower((unsigned char)name[i]);
		rp[nrp].section = -1;
		rp[nrp].extended = 0;
		if (nl > 1 && name[nl - 1] == '*') {
			rp[nrp].extended = 1;
			name[--nl] = '\0';
		}
		if ((star = strrchr(name, '*')) != NULL && star > name &&
		    isdigit((unsigned char)star[1])) {
			errno = 0;
			sec = strtol(star + 1, &ep, 10);
			if (*ep == '\0' && errno == 0 && sec >= 0 &&
			    sec < CONT_MAX) {
				rp[nrp].section = sec;
				*star = '\0';
			}
		}
		rp[nrp].name = name;
		rp[nrp].value = value;
		nrp++;
	}
	params_finish(ct, rp, nrp);
	for (i = 0; i < nrp; i++) {
		free(rp[i].name);
		free(rp[i].value);
	}
	return ct->type != NULL ? 0 : -1;
}

void
mime_ctype_clear(struct mime_ctype *ct)
{
	size_t	i;

	if (ct == NULL)
		return;
	free(ct->type);
	free(ct->subtype);
	for (i = 0; i < ct->nparams; i++) {
		free(ct->params[i].name);
		free(ct->params[i].value);
		free(ct->params[i].charset);
		free(ct->params[i].lang);
	}
	free(ct->params);
	memset(ct, 0, sizeof(*ct));
}

/* The value of parameter name (case-insensitive), or NULL. */
const char *
mime_ctype_param(const struct mime_ctype *ct, const char *name)
{
	size_t	i;

	for (i = 0; i < ct->nparams; i++)
		if (strcasecmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	return NULL;
}
