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
 * The DKIM signer (RFC 6376 3.4-3.7, 5; RFC 8463): canonicalization,
 * header selection, hashing, the DKIM-Signature field.  See dkim.h.
 *
 * The input goes through one line-end normalizer (CR, LF and CRLF each
 * become CRLF, as common/smtpc sends them), then into the header parser
 * (common/msghdr) until the empty line, then into two body
 * canonicalizers (simple and relaxed), each hashing as it goes.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "dkim.h"
#include "dkim_int.h"
#include "msghdr.h"
#include "xmalloc.h"

#define DKIM_FOLD	78		/* fold the field before this column */
#define DKIM_CHUNK	16384		/* input normalized per step */
#define DKIM_BODYBUF	8192		/* canonical octets per hash call */

struct dkim_body {
	EVP_MD_CTX	*md;
	int		 canon;
	uint64_t	 crlfs;		/* empty lines held back */
	int		 wsp;		/* relaxed: a WSP run held back */
	int		 any;		/* relaxed: something emitted */
	char		*collect;	/* dkim_canon_body: the output */
	size_t		 clen;
	size_t		 ccap;
	size_t		 outlen;
	unsigned char	 out[DKIM_BODYBUF];
};

struct dkim_sig {
	struct dkim_key	*key;
	int		 alg;
	int		 hcanon;
	int		 bcanon;
	char		*domain;
	char		*selector;
	char		*identity;	/* encoded for i=, or NULL */
	char		**headers;	/* lower case, NULL-terminated */
	int		 oversign;
	time_t		 time;
	long long	 expire;
};

struct dkim_sign {
	struct dkim_sig	*sigs;
	size_t		 nsigs;
	struct msghdr	*hdr;
	int		 inbody;
	int		 skiplf;	/* the last octet in was a CR */
	int		 bol;		/* the last octet out was a LF */
	size_t		 linelen;	/* the current line, so far */
	size_t		 maxline;	/* the longest line */
	int		 eof;		/* dkim_sign_eof() was called */
	struct dkim_body body[2];	/* DKIM_CANON_SIMPLE, _RELAXED */
	char		*out;
	size_t		 outlen;
	int		 status;
	char		 err[256];
	char		*scratch;	/* 2 * DKIM_CHUNK */
};

/* A growing string. */
struct dkim_str {
	char		*s;
	size_t		 len;
	size_t		 cap;
	int		 col;		/* for folding */
};

const char *const dkim_default_headers[] = {
	"from", "sender", "reply-to", "subject", "date", "message-id",
	"to", "cc", "mime-version", "content-type",
	"content-transfer-encoding", "content-id", "content-description",
	"resent-date", "resent-from", "resent-sender", "resent-to",
	"resent-cc", "resent-message-id", "in-reply-to", "references",
	"list-id", "list-help", "list-unsubscribe", "list-subscribe",
	"list-post", "list-owner", "list-archive",
	NULL
};

const char *const dkim_oversign_headers[] = {
	"from", "sender", "reply-to", "subject", "date", "message-id",
	"to", "cc", "in-reply-to", "references", "mime-version",
	"content-type", "content-transfer-encoding",
	NULL
};

/* Never signed: RFC 6376 5.4.1 SHOULD NOT, Bcc, signatures. */
static const char *const dkim_never_headers[] = {
	"dkim-signature", "return-path", "received", "comments",
	"keywords", "bcc",
	NULL
};

static void	 str_add(struct dkim_str *, const void *, size_t);
static void	 str_adds(struct dkim_str *, const char *);
static void	 str_fold(struct dkim_str *, size_t);
static void	 str_tag(struct dkim_str *, const char *, const char *);
static int	 dkim_take(struct dkim_sign *, const char *, size_t);
static size_t	 dkim_normalize(struct dkim_sign *, const unsigned char *,
		    size_t, char *);
static int	 body_init(struct dkim_body *, int);
static void	 body_free(struct dkim_body *);
static void	 body_emit(struct dkim_body *, const void *, size_t);
static void	 body_flush(struct dkim_body *);
static void	 body_crlfs(struct dkim_body *);
static void	 body_feed(struct dkim_body *, const char *, size_t);
static int	 body_final(struct dkim_body *, char *, size_t);
static int	 dkim_fail(struct dkim_sign *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static int	 dkim_check_spec(const struct dkim_spec *, char *, size_t);
static int	 dkim_domain_ok(const char *);
static int	 dkim_name_ok(const char *);
static int	 dkim_in_list(const char *, size_t, const char *const *);
static char	*dkim_qp(const char *);
static void	 dkim_sig_clear(struct dkim_sig *);
static int	 dkim_sig_make(struct dkim_sign *, struct dkim_sig *,
		    const char *[2], struct dkim_str *);
static int	 dkim_canon_into(int, const char *, size_t, struct dkim_str *);

/*
 * Strings.
 */

static void
str_add(struct dkim_str *s, const void *p, size_t n)
{
	size_t	ncap;

	if (s->len + n + 1 > s->cap) {
		ncap = s->cap ? s->cap : 256;
		while (ncap < s->len + n + 1)
			ncap *= 2;
		s->s = xreallocarray(s->s, ncap, 1);
		s->cap = ncap;
	}
	memcpy(s->s + s->len, p, n);
	s->len += n;
	s->s[s->len] = '\0';
	s->col += n;
}

static void
str_adds(struct dkim_str *s, const char *p)
{
	str_add(s, p, strlen(p));
}

/* Fold before an item that would pass the limit: CRLF TAB. */
static void
str_fold(struct dkim_str *s, size_t n)
{
	if (s->col + n > DKIM_FOLD) {
		str_adds(s, "\r\n\t");
		s->col = 8;
	}
}

/* " tag=value;" folded before it if need be (never inside it). */
static void
str_tag(struct dkim_str *s, const char *tag, const char *value)
{
	size_t	n = strlen(tag) + 1 + strlen(value) + 1;

	if (s->col + 1 + n > DKIM_FOLD) {
		str_adds(s, "\r\n\t");
		s->col = 8;
	} else
		str_adds(s, " ");
	str_adds(s, tag);
	str_adds(s, "=");
	str_adds(s, value);
	str_adds(s, ";");
}

char *
dkim_b64(const void *p, size_t n)
{
	char	*out;

	out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/*
 * Names.
 */

int
dkim_alg_parse(const char *s, int *upgraded)
{
	if (upgraded != NULL)
		*upgraded = 0;
	if (strcasecmp(s, "rsa-sha256") == 0)
		return DKIM_ALG_RSA_SHA256;
	if (strcasecmp(s, "ed25519-sha256") == 0)
		return DKIM_ALG_ED25519_SHA256;
	if (strcasecmp(s, "rsa-sha1") == 0) {
		if (upgraded != NULL)
			*upgraded = 1;
		return DKIM_ALG_RSA_SHA256;
	}
	return -1;
}

const char *
dkim_alg_name(int alg)
{
	switch (alg) {
	case DKIM_ALG_RSA_SHA256:
		return "rsa-sha256";
	case DKIM_ALG_ED25519_SHA256:
		return "ed25519-sha256";
	}
	return NULL;
}

static int
dkim_canon_word(const char *s, size_t n, int *c)
{
	if (n == 6 && strncasecmp(s, "simple", 6) == 0)
		*c = DKIM_CANON_SIMPLE;
	else if (n == 7 && strncasecmp(s, "relaxed", 7) == 0)
		*c = DKIM_CANON_RELAXED;
	else
		return -1;
	return 0;
}

int
dkim_canon_parse(const char *s, int *hc, int *bc)
{
	const char	*slash;

	if ((slash = strchr(s, '/')) == NULL) {
		if (dkim_canon_word(s, strlen(s), hc) == -1)
			return -1;
		*bc = DKIM_CANON_SIMPLE;
		return 0;
	}
	if (dkim_canon_word(s, slash - s, hc) == -1 ||
	    dkim_canon_word(slash + 1, strlen(slash + 1), bc) == -1)
		return -1;
	return 0;
}

const char *
dkim_canon_name(int c)
{
	return c == DKIM_CANON_RELAXED ? "relaxed" : "simple";
}

/*
 * Body canonicalization (RFC 6376 3.4.3, 3.4.4).  Input: normalized
 * (every line end CRLF).  Empty lines are held back and only emitted
 * before more content, which drops the trailing ones.
 */

static int
body_init(struct dkim_body *b, int canon)
{
	memset(b, 0, sizeof(*b));
	b->canon = canon;
	if ((b->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static void
body_free(struct dkim_body *b)
{
	EVP_MD_CTX_free(b->md);
	free(b->collect);
	b->md = NULL;
	b->collect = NULL;
}

static void
body_flush(struct dkim_body *b)
{
	size_t	ncap;

	if (b->outlen == 0)
		return;
	if (b->md != NULL)
		(void)EVP_DigestUpdate(b->md, b->out, b->outlen);
	if (b->ccap != 0 || b->collect != NULL) {
		if (b->clen + b->outlen > b->ccap) {
			ncap = b->ccap ? b->ccap : 256;
			while (ncap < b->clen + b->outlen)
				ncap *= 2;
			b->collect = xreallocarray(b->collect, ncap, 1);
			b->ccap = ncap;
		}
		memcpy(b->collect + b->clen, b->out, b->outlen);
		b->clen += b->outlen;
	}
	b->outlen = 0;
}

static void
body_emit(struct dkim_body *b, const void *p, size_t n)
{
	size_t	k;

	while (n > 0) {
		if (b->outlen == sizeof(b->out))
			body_flush(b);
		k = sizeof(b->out) - b->outlen;
		if (k > n)
			k = n;
		memcpy(b->out + b->outlen, p, k);
		b->outlen += k;
		p = (const char *)p + k;
		n -= k;
	}
}

/* Emit the empty lines held back: more content follows them. */
static void
body_crlfs(struct dkim_body *b)
{
	while (b->crlfs > 0) {
		body_emit(b, "\r\n", 2);
		b->crlfs--;
	}
}

static void
body_feed(struct dkim_body *b, const char *p, size_t n)
{
	const char	*end = p + n, *run;

	while (p < end) {
		if (*p == '\r') {
			p++;
			continue;
		}
		if (*p == '\n') {
			b->wsp = 0;
			b->crlfs++;
			p++;
			continue;
		}
		if (b->canon == DKIM_CANON_RELAXED &&
		    (*p == ' ' || *p == '\t')) {
			b->wsp = 1;
			p++;
			continue;
		}
		body_crlfs(b);
		if (b->wsp) {
			body_emit(b, " ", 1);
			b->wsp = 0;
		}
		/* a run of plain octets */
		run = p;
		if (b->canon == DKIM_CANON_RELAXED)
			while (p < end && *p != '\r' && *p != '\n' &&
			    *p != ' ' && *p != '\t')
				p++;
		else
			while (p < end && *p != '\r' && *p != '\n')
				p++;
		body_emit(b, run, p - run);
		b->any = 1;
	}
}

/* The end: the canonical body's last CRLF, then the hash in base64. */
static int
body_final(struct dkim_body *b, char *out, size_t outsz)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*s;

	if (b->canon == DKIM_CANON_SIMPLE || b->any)
		body_emit(b, "\r\n", 2);	/* 3.4.3, 3.4.4 */
	b->crlfs = 0;
	body_flush(b);
	if (b->md == NULL)
		return 0;
	if (EVP_DigestFinal_ex(b->md, md, &mdlen) != 1) {
		ERR_clear_error();
		return -1;
	}
	s = dkim_b64(md, mdlen);
	if (strlcpy(out, s, outsz) >= outsz) {
		free(s);
		return -1;
	}
	free(s);
	return 0;
}

/*
 * The line-end normalizer: out holds 2 * n octets.
 */
static size_t
dkim_normalize(struct dkim_sign *s, const unsigned char *p, size_t n,
    char *out)
{
	const unsigned char	*end = p + n, *run;
	char			*o = out;

	while (p < end) {
		if (s->skiplf) {
			s->skiplf = 0;
			if (*p == '\n') {
				p++;
				continue;
			}
		}
		run = p;
		while (p < end && *p != '\r' && *p != '\n')
			p++;
		if (p > run) {
			memcpy(o, run, p - run);
			o += p - run;
			s->bol = 0;
			s->linelen += p - run;
			if (s->linelen > s->maxline)
				s->maxline = s->linelen;
		}
		if (p == end)
			break;
		s->linelen = 0;
		*o++ = '\r';
		*o++ = '\n';
		s->bol = 1;
		if (*p == '\r')
			s->skiplf = 1;
		p++;
	}
	return o - out;
}

char *
dkim_canon_body(int canon, const void *p, size_t n, size_t *outlen)
{
	struct dkim_sign	 s;
	struct dkim_body	 b;
	char			*tmp, *out;
	size_t			 k;

	memset(&s, 0, sizeof(s));
	memset(&b, 0, sizeof(b));
	b.canon = canon;
	b.collect = xmalloc(1);
	b.ccap = 1;
	tmp = xreallocarray(NULL, 2, n + 1);
	k = dkim_normalize(&s, p, n, tmp);
	body_feed(&b, tmp, k);
	free(tmp);
	(void)body_final(&b, NULL, 0);
	out = b.collect;
	*outlen = b.clen;
	out = xreallocarray(out, b.clen + 1, 1);
	out[b.clen] = '\0';
	return out;
}

int
dkim_body_hash(int canon, const void *p, size_t n, char *out, size_t outsz)
{
	struct dkim_sign	 s;
	struct dkim_body	 b;
	char			*tmp;
	size_t			 k;
	int			 r;

	memset(&s, 0, sizeof(s));
	if (body_init(&b, canon) == -1)
		return -1;
	tmp = xreallocarray(NULL, 2, n + 1);
	k = dkim_normalize(&s, p, n, tmp);
	body_feed(&b, tmp, k);
	free(tmp);
	r = body_final(&b, out, outsz);
	body_free(&b);
	return r;
}

/*
 * Header canonicalization (RFC 6376 3.4.1, 3.4.2), appended to out.
 */
static int
dkim_canon_into(int canon, const char *raw, size_t len, struct dkim_str *out)
{
	const char	*colon, *p, *end = raw + len;
	size_t		 i, namelen;
	int		 wsp = 0, any = 0;
	char		 c;

	if (canon == DKIM_CANON_SIMPLE) {
		str_add(out, raw, len);
		if (len < 2 || raw[len - 2] != '\r' || raw[len - 1] != '\n')
			str_add(out, "\r\n", 2);
		return 0;
	}
	if ((colon = memchr(raw, ':', len)) == NULL)
		return -1;
	for (namelen = colon - raw; namelen > 0 &&
	    (raw[namelen - 1] == ' ' || raw[namelen - 1] == '\t'); namelen--)
		;
	for (i = 0; i < namelen; i++) {
		c = (char)tolower((unsigned char)raw[i]);
		str_add(out, &c, 1);
	}
	str_add(out, ":", 1);
	for (p = colon + 1; p < end; p++) {
		if (*p == '\r' || *p == '\n')
			continue;		/* unfold */
		if (*p == ' ' || *p == '\t') {
			wsp = 1;
			continue;
		}
		if (wsp && any)
			str_add(out, " ", 1);
		wsp = 0;
		any = 1;
		str_add(out, p, 1);
	}
	str_add(out, "\r\n", 2);
	return 0;
}

char *
dkim_canon_header(int canon, const char *raw, size_t len, size_t *outlen)
{
	struct dkim_str	out;

	memset(&out, 0, sizeof(out));
	if (dkim_canon_into(canon, raw, len, &out) == -1) {
		free(out.s);
		return NULL;
	}
	*outlen = out.len;
	return out.s;
}

/* Is name (n octets) in the list, case-insensitively? */
static int
dkim_in_list(const char *name, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncasecmp(*list, name, n) == 0)
			return 1;
	return 0;
}

int
dkim_header_hash(const struct msghdr *h, int hcanon, const char *hlist,
    const char *sig, size_t siglen, unsigned char digest[32])
{
	struct dkim_str	 buf, stripped;
	EVP_MD_CTX	*md = NULL;
	const char	*p, *q, *name, *fname, *v, *vend;
	unsigned char	*used;
	unsigned int	 mdlen;
	size_t		 nf = msghdr_count(h), namelen, fnlen, i, rlen;
	const char	*raw;
	int		 ret = -1;

	memset(&buf, 0, sizeof(buf));
	memset(&stripped, 0, sizeof(stripped));
	used = xcalloc(nf + 1, 1);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto done;

	/* each name of h=, the next unused instance from the bottom */
	for (p = hlist; *p != '\0'; ) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == ':')
			p++;
		if (*p == '\0')
			break;
		name = p;
		while (*p != '\0' && *p != ':' && *p != ' ' && *p != '\t' &&
		    *p != '\r' && *p != '\n')
			p++;
		namelen = p - name;
		for (i = nf; i > 0; i--) {
			fname = msghdr_name(h, i - 1, &fnlen);
			if (used[i - 1] || fnlen != namelen ||
			    strncasecmp(fname, name, namelen) != 0)
				continue;
			used[i - 1] = 1;
			raw = msghdr_raw(h, i - 1, &rlen);
			buf.len = 0;
			if (dkim_canon_into(hcanon, raw, rlen, &buf) == -1 ||
			    EVP_DigestUpdate(md, buf.s, buf.len) != 1)
				goto done;
			break;
		}
	}

	/* the signature field, b= value deleted, no final line end */
	while (siglen > 0 && (sig[siglen - 1] == '\n' ||
	    sig[siglen - 1] == '\r'))
		siglen--;
	if ((v = memchr(sig, ':', siglen)) == NULL)
		goto done;
	vend = sig + siglen;
	str_add(&stripped, sig, v + 1 - sig);
	for (p = v + 1; p < vend; ) {
		/* one tag: [FWS] name [FWS] "=" value up to ';' */
		q = p;
		while (q < vend && *q != ';')
			q++;
		name = p;
		while (name < q && (*name == ' ' || *name == '\t' ||
		    *name == '\r' || *name == '\n'))
			name++;
		if (q - name >= 1 && *name == 'b') {
			const char *e = name + 1;

			while (e < q && (*e == ' ' || *e == '\t' ||
			    *e == '\r' || *e == '\n'))
				e++;
			if (e < q && *e == '=') {
				str_add(&stripped, p, e + 1 - p);
				p = q;
				if (p < vend) {
					str_add(&stripped, ";", 1);
					p++;
				}
				continue;
			}
		}
		str_add(&stripped, p, (q < vend ? q + 1 : q) - p);
		p = q < vend ? q + 1 : q;
	}
	buf.len = 0;
	if (dkim_canon_into(hcanon, stripped.s, stripped.len, &buf) == -1)
		goto done;
	buf.len -= 2;		/* the CRLF canonicalization added */
	if (EVP_DigestUpdate(md, buf.s, buf.len) != 1 ||
	    EVP_DigestFinal_ex(md, digest, &mdlen) != 1 || mdlen != 32)
		goto done;
	ret = 0;
 done:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	free(used);
	free(buf.s);
	free(stripped.s);
	return ret;
}

/*
 * The signer.
 */

static int
dkim_fail(struct dkim_sign *s, int status, const char *fmt, ...)
{
	va_list	ap;

	if (s->status != DKIM_OK)
		return -1;		/* keep the first reason */
	s->status = status;
	va_start(ap, fmt);
	(void)vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* A domain name: letters, digits, '-', '_' and dots between labels. */
static int
dkim_domain_ok(const char *d)
{
	size_t	n = strlen(d), i;

	if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (d[i] == '.' && d[i + 1] == '.')
			return 0;
		if (!isalnum((unsigned char)d[i]) && d[i] != '-' &&
		    d[i] != '_' && d[i] != '.')
			return 0;
	}
	return 1;
}

/* A field name (RFC 5322 ftext) that may be signed. */
static int
dkim_name_ok(const char *n)
{
	size_t	i;

	if (*n == '\0')
		return 0;
	for (i = 0; n[i] != '\0'; i++)
		if ((unsigned char)n[i] < 33 || (unsigned char)n[i] > 126 ||
		    n[i] == ':')
			return 0;
	return 1;
}

/* dkim-quoted-printable (RFC 6376 2.11) for i=. */
static char *
dkim_qp(const char *s)
{
	struct dkim_str	out;
	char		hex[4];
	unsigned char	c;

	memset(&out, 0, sizeof(out));
	str_add(&out, "", 0);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c > 0x20 && c < 0x7f && c != ';' && c != '=')
			str_add(&out, s, 1);
		else {
			(void)snprintf(hex, sizeof(hex), "=%02X", c);
			str_add(&out, hex, 3);
		}
	}
	return out.s;
}

static int
dkim_check_spec(const struct dkim_spec *sp, char *err, size_t errlen)
{
	const char	*at;
	size_t		 dl, il, i;
	int		 alg;

	if (sp->key == NULL) {
		(void)snprintf(err, errlen, "no key");
		return -1;
	}
	alg = sp->alg;
	if (alg == DKIM_ALG_DEFAULT)
		alg = dkim_key_type(sp->key) == DKIM_KEY_RSA ?
		    DKIM_ALG_RSA_SHA256 : DKIM_ALG_ED25519_SHA256;
	if ((alg == DKIM_ALG_RSA_SHA256 &&
	    dkim_key_type(sp->key) != DKIM_KEY_RSA) ||
	    (alg == DKIM_ALG_ED25519_SHA256 &&
	    dkim_key_type(sp->key) != DKIM_KEY_ED25519) ||
	    dkim_alg_name(alg) == NULL) {
		(void)snprintf(err, errlen, "algorithm %s and key type differ",
		    dkim_alg_name(alg) ? dkim_alg_name(alg) : "(unknown)");
		return -1;
	}
	if (dkim_key_type(sp->key) == DKIM_KEY_RSA &&
	    dkim_key_bits(sp->key) < DKIM_RSA_MIN_BITS) {
		(void)snprintf(err, errlen, "RSA key of %d bits (RFC 8301: "
		    "at least %d)", dkim_key_bits(sp->key), DKIM_RSA_MIN_BITS);
		return -1;
	}
	if ((sp->hcanon != DKIM_CANON_SIMPLE &&
	    sp->hcanon != DKIM_CANON_RELAXED) ||
	    (sp->bcanon != DKIM_CANON_SIMPLE &&
	    sp->bcanon != DKIM_CANON_RELAXED)) {
		(void)snprintf(err, errlen, "bad canonicalization");
		return -1;
	}
	if (sp->domain == NULL || !dkim_domain_ok(sp->domain)) {
		(void)snprintf(err, errlen, "bad domain \"%s\"",
		    sp->domain ? sp->domain : "");
		return -1;
	}
	if (sp->selector == NULL || !dkim_domain_ok(sp->selector)) {
		(void)snprintf(err, errlen, "bad selector \"%s\"",
		    sp->selector ? sp->selector : "");
		return -1;
	}
	if (sp->identity != NULL) {
		/* i= is in d= or a subdomain of it (RFC 6376 3.5) */
		at = strrchr(sp->identity, '@');
		dl = strlen(sp->domain);
		il = at ? strlen(at + 1) : 0;
		if (at == NULL || il < dl || strcasecmp(at + 1 + il - dl,
		    sp->domain) != 0 || (il > dl && at[il - dl] != '.')) {
			(void)snprintf(err, errlen, "identity \"%s\" not in "
			    "domain %s", sp->identity, sp->domain);
			return -1;
		}
	}
	if (sp->expire < 0 || sp->expire > 100LL * 365 * 86400) {
		(void)snprintf(err, errlen, "bad expiry");
		return -1;
	}
	for (i = 0; sp->headers != NULL && sp->headers[i] != NULL; i++) {
		if (!dkim_name_ok(sp->headers[i])) {
			(void)snprintf(err, errlen, "bad header name \"%s\"",
			    sp->headers[i]);
			return -1;
		}
	}
	return 0;
}

static void
dkim_sig_clear(struct dkim_sig *g)
{
	size_t	i;

	dkim_key_free(g->key);
	free(g->domain);
	free(g->selector);
	free(g->identity);
	for (i = 0; g->headers != NULL && g->headers[i] != NULL; i++)
		free(g->headers[i]);
	free(g->headers);
	memset(g, 0, sizeof(*g));
}

int
dkim_sign_add(struct dkim_sign *s, const struct dkim_spec *sp)
{
	const char *const	*names;
	struct dkim_sig		*g;
	char			*c;
	size_t			 i, n, j;

	if (s->out != NULL) {
		(void)strlcpy(s->err, "signature added after the end",
		    sizeof(s->err));
		return -1;
	}
	if (dkim_check_spec(sp, s->err, sizeof(s->err)) == -1)
		return -1;		/* the signer goes on */
	s->sigs = xreallocarray(s->sigs, s->nsigs + 1, sizeof(*s->sigs));
	g = &s->sigs[s->nsigs++];
	memset(g, 0, sizeof(*g));
	g->key = dkim_key_ref(sp->key);
	g->alg = sp->alg;
	if (g->alg == DKIM_ALG_DEFAULT)
		g->alg = dkim_key_type(sp->key) == DKIM_KEY_RSA ?
		    DKIM_ALG_RSA_SHA256 : DKIM_ALG_ED25519_SHA256;
	g->hcanon = sp->hcanon;
	g->bcanon = sp->bcanon;
	g->domain = xstrdup(sp->domain);
	g->selector = xstrdup(sp->selector);
	g->identity = sp->identity ? dkim_qp(sp->identity) : NULL;
	g->oversign = sp->oversign;
	g->time = sp->time;
	g->expire = sp->expire;
	names = sp->headers ? sp->headers : dkim_default_headers;
	for (n = 0; names[n] != NULL; n++)
		;
	g->headers = xcalloc(n + 2, sizeof(*g->headers));
	g->headers[0] = xstrdup("from");	/* From is always signed */
	for (i = 0, j = 1; i < n; i++) {
		if (strcasecmp(names[i], "from") == 0)
			continue;
		g->headers[j] = xstrdup(names[i]);
		for (c = g->headers[j]; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		j++;
	}
	return 0;
}

struct dkim_sign *
dkim_sign_new(const struct dkim_spec *specs, size_t n, char *err,
    size_t errlen)
{
	struct dkim_sign	*s;
	size_t			 i;

	s = xcalloc(1, sizeof(*s));
	s->bol = 1;
	s->hdr = msghdr_new(DKIM_HEADER_MAX, DKIM_HEADER_MAX);
	s->scratch = xmalloc(2 * DKIM_CHUNK);
	if (body_init(&s->body[DKIM_CANON_SIMPLE], DKIM_CANON_SIMPLE) == -1 ||
	    body_init(&s->body[DKIM_CANON_RELAXED],
	    DKIM_CANON_RELAXED) == -1) {
		(void)snprintf(err, errlen, "cannot set up SHA-256");
		dkim_sign_free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (dkim_sign_add(s, &specs[i]) == -1) {
			(void)strlcpy(err, s->err, errlen);
			dkim_sign_free(s);
			return NULL;
		}
	}
	return s;
}

void
dkim_sign_free(struct dkim_sign *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsigs; i++)
		dkim_sig_clear(&s->sigs[i]);
	free(s->sigs);
	msghdr_free(s->hdr);
	body_free(&s->body[0]);
	body_free(&s->body[1]);
	free(s->out);
	free(s->scratch);
	free(s);
}

/* Normalized octets: to the header until its end, then the body. */
static int
dkim_take(struct dkim_sign *s, const char *p, size_t n)
{
	ssize_t	r;

	if (!s->inbody) {
		if ((r = msghdr_feed(s->hdr, p, n)) == -1)
			return dkim_fail(s, DKIM_PERMFAIL, "%s",
			    msghdr_error(s->hdr));
		if (!msghdr_done(s->hdr))
			return 0;
		s->inbody = 1;
		p += r;
		n -= r;
	}
	body_feed(&s->body[DKIM_CANON_SIMPLE], p, n);
	body_feed(&s->body[DKIM_CANON_RELAXED], p, n);
	return 0;
}

int
dkim_sign_update(struct dkim_sign *s, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 k, n;

	if (s->status != DKIM_OK || s->out != NULL)
		return -1;
	if (s->eof)
		return dkim_fail(s, DKIM_TEMPFAIL, "input after the end");
	while (len > 0) {
		k = len < DKIM_CHUNK ? len : DKIM_CHUNK;
		n = dkim_normalize(s, p, k, s->scratch);
		if (dkim_take(s, s->scratch, n) == -1)
			return -1;
		p += k;
		len -= k;
	}
	return 0;
}

const struct msghdr *
dkim_sign_header(const struct dkim_sign *s)
{
	return s->inbody || s->out != NULL ? s->hdr : NULL;
}

/* Make one DKIM-Signature field, appended to out. */
static int
dkim_sig_make(struct dkim_sign *s, struct dkim_sig *g, const char *bh[2],
    struct dkim_str *out)
{
	struct dkim_str	 f, hl;
	unsigned char	 digest[32], sig[DKIM_SIG_MAX];
	const char	*name;
	char		 num[32], c[32], *b64;
	size_t		 i, j, n, siglen, namelen, nf;
	time_t		 t;
	int		 first;

	if (msghdr_find(s->hdr, "from", 0) == -1)
		return dkim_fail(s, DKIM_PERMFAIL, "no From header field");
	/* a first line in WSP would continue the field put above it */
	if ((name = msghdr_raw(s->hdr, 0, &n)) != NULL && n > 0 &&
	    (name[0] == ' ' || name[0] == '\t'))
		return dkim_fail(s, DKIM_PERMFAIL, "the header begins with a "
		    "continuation line");
	memset(&f, 0, sizeof(f));
	memset(&hl, 0, sizeof(hl));
	str_add(&hl, "", 0);

	/* h=: the listed names present, top down, then the over-signed */
	nf = msghdr_count(s->hdr);
	for (i = 0; i < nf; i++) {
		name = msghdr_name(s->hdr, i, &namelen);
		if (namelen == 0 || dkim_in_list(name, namelen,
		    dkim_never_headers) || !dkim_in_list(name, namelen,
		    (const char *const *)g->headers))
			continue;
		if (hl.len > 0)
			str_add(&hl, ":", 1);
		for (j = 0; j < namelen; j++) {
			c[0] = (char)tolower((unsigned char)name[j]);
			str_add(&hl, c, 1);
		}
	}
	for (i = 0; g->oversign && g->headers[i] != NULL; i++) {
		if (!dkim_in_list(g->headers[i], strlen(g->headers[i]),
		    dkim_oversign_headers) ||
		    msghdr_find(s->hdr, g->headers[i], 0) == -1)
			continue;
		str_add(&hl, ":", 1);
		str_adds(&hl, g->headers[i]);
	}

	/* the field up to "b=" */
	t = g->time ? g->time : time(NULL);
	str_adds(&f, "DKIM-Signature: v=1;");
	str_tag(&f, "a", dkim_alg_name(g->alg));
	(void)snprintf(c, sizeof(c), "%s/%s", dkim_canon_name(g->hcanon),
	    dkim_canon_name(g->bcanon));
	str_tag(&f, "c", c);
	str_tag(&f, "d", g->domain);
	str_tag(&f, "s", g->selector);
	(void)snprintf(num, sizeof(num), "%lld", (long long)t);
	str_tag(&f, "t", num);
	if (g->expire > 0) {
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)t + g->expire);
		str_tag(&f, "x", num);
	}
	if (g->identity != NULL)
		str_tag(&f, "i", g->identity);
	/* h=, folded before a ':' when need be */
	str_fold(&f, 1 + 2 + strcspn(hl.s, ":") + 1);
	str_adds(&f, f.col == 8 ? "h=" : " h=");
	for (first = 1, name = hl.s; *name != '\0'; first = 0) {
		n = strcspn(name + (first ? 0 : 1), ":") + (first ? 0 : 1);
		if (!first)
			str_fold(&f, n + 1);
		str_add(&f, name, n);
		name += n;
	}
	str_adds(&f, ";");
	str_tag(&f, "bh", bh[g->bcanon]);
	str_fold(&f, 4);
	str_adds(&f, f.col == 8 ? "b=" : " b=");

	if (dkim_header_hash(s->hdr, g->hcanon, hl.s, f.s, f.len,
	    digest) == -1) {
		free(f.s);
		free(hl.s);
		return dkim_fail(s, DKIM_TEMPFAIL, "header hash failed");
	}
	if (dkim_sign_digest(g->key, digest, sig, &siglen) == -1) {
		free(f.s);
		free(hl.s);
		return dkim_fail(s, DKIM_TEMPFAIL, "%s signing failed (s=%s)",
		    dkim_alg_name(g->alg), g->selector);
	}
	b64 = dkim_b64(sig, siglen);
	for (name = b64; *name != '\0'; name += n) {
		if (f.col >= DKIM_FOLD - 1) {
			str_adds(&f, "\r\n\t");
			f.col = 8;
		}
		n = strlen(name);
		if (n > (size_t)(DKIM_FOLD - f.col))
			n = DKIM_FOLD - f.col;
		str_add(&f, name, n);
	}
	str_adds(&f, "\r\n");
	str_add(out, f.s, f.len);
	free(b64);
	free(f.s);
	free(hl.s);
	return 0;
}

const struct msghdr *
dkim_sign_eof(struct dkim_sign *s)
{
	if (s->status != DKIM_OK)
		return NULL;
	if (s->eof)
		return s->hdr;
	/* what smtpc adds on the wire: a last line end */
	if (!s->bol) {
		if (dkim_take(s, "\r\n", 2) == -1)
			return NULL;
		s->bol = 1;
	}
	if (!s->inbody) {
		if (msghdr_finish(s->hdr) == -1) {
			(void)dkim_fail(s, DKIM_PERMFAIL, "%s",
			    msghdr_error(s->hdr));
			return NULL;
		}
		s->inbody = 1;
	}
	s->eof = 1;
	return s->hdr;
}

int
dkim_sign_final(struct dkim_sign *s, const char **out, size_t *outlen)
{
	struct dkim_str	 o;
	char		 bh[2][64];
	const char	*bhp[2];
	size_t		 i;

	if (s->out != NULL)
		goto done;
	if (dkim_sign_eof(s) == NULL)
		return s->status;
	for (i = 0; i < 2; i++) {
		if (body_final(&s->body[i], bh[i], sizeof(bh[i])) == -1) {
			(void)dkim_fail(s, DKIM_TEMPFAIL, "body hash failed");
			return s->status;
		}
		bhp[i] = bh[i];
	}
	memset(&o, 0, sizeof(o));
	str_add(&o, "", 0);
	for (i = 0; i < s->nsigs; i++) {
		if (dkim_sig_make(s, &s->sigs[i], bhp, &o) == -1) {
			free(o.s);
			return s->status;
		}
	}
	s->out = o.s;
	s->outlen = o.len;
 done:
	*out = s->out;
	*outlen = s->outlen;
	return DKIM_OK;
}

size_t
dkim_sign_longest_line(const struct dkim_sign *s)
{
	return s->maxline;
}

const char *
dkim_sign_error(const struct dkim_sign *s)
{
	return s->err[0] != '\0' ? s->err : "no error";
}
