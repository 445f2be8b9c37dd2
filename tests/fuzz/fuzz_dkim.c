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
 * libFuzzer target for dkimsignd/dkim.c: the input is a message.  Body
 * canonicalization must be idempotent and well-formed (simple ends in
 * one CRLF; relaxed is empty or ends in CRLF, with no WSP run, no WSP
 * before a line end, no empty line at the end); relaxed header fields
 * are one line; and the signer (Ed25519, two canonicalizations, fixed
 * t=) must give the same fields fed whole or in chunks (the first octet
 * gives the chunk size), fail only for want of a From or header room,
 * and make fields whose lines fit in 78 columns; and each field, read
 * back from the signed message as a verifier would (its h=, bh= and
 * b=), must hash and sign to the same values.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../dkimsignd/dkim.c"
#include "../../dkimsignd/dkim_key.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static struct dkim_key	*fkey;

static char	*tag(const char *, size_t, const char *);
static void	 check_signed(const char *, const uint8_t *, size_t);

/* A tag's value, FWS removed (malloc'd), or NULL. */
static char *
tag(const char *f, size_t len, const char *t)
{
	const char	*p = memchr(f, ':', len), *end = f + len;
	char		*out, *o;
	size_t		 tl = strlen(t);

	while (p != NULL && p < end) {
		p++;
		while (p < end && strchr(" \t\r\n", *p) != NULL)
			p++;
		if ((size_t)(end - p) > tl && strncmp(p, t, tl) == 0 &&
		    p[tl] == '=') {
			o = out = malloc(len + 1);
			CHECK(out != NULL);
			for (p += tl + 1; p < end && *p != ';'; p++)
				if (strchr(" \t\r\n", *p) == NULL)
					*o++ = *p;
			*o = '\0';
			return out;
		}
		p = memchr(p, ';', end - p);
	}
	return NULL;
}

/* Read the two fields back from the relayed message and re-derive them. */
static void
check_signed(const char *fields, const uint8_t *data, size_t size)
{
	struct dkim_sign	 n;
	struct msghdr		*h;
	unsigned char		 digest[32], sig[DKIM_SIG_MAX];
	const char		*raw, *block;
	char			*full, *hl, *b, *bh, *mine, hash[64];
	size_t			 flen = strlen(fields), len, rlen, blen, siglen;
	int			 i, canon;

	memset(&n, 0, sizeof(n));
	n.bol = 1;
	full = malloc(flen + 2 * size + 3);
	CHECK(full != NULL);
	memcpy(full, fields, flen);
	len = flen + dkim_normalize(&n, data, size, full + flen);
	if (!n.bol) {
		memcpy(full + len, "\r\n", 2);
		len += 2;
	}
	h = msghdr_new(0, 0);
	CHECK(msghdr_parse(h, full, len) != -1);
	block = msghdr_block(h, &blen);
	for (i = 0; i < 2; i++) {
		canon = i == 0 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
		raw = msghdr_raw(h, i, &rlen);
		CHECK(raw != NULL && strncmp(raw, "DKIM-Signature:", 15) == 0);
		hl = tag(raw, rlen, "h");
		b = tag(raw, rlen, "b");
		bh = tag(raw, rlen, "bh");
		CHECK(hl != NULL && b != NULL && bh != NULL);
		CHECK(dkim_body_hash(canon, full + blen, len - blen, hash,
		    sizeof(hash)) == 0);
		CHECK(strcmp(hash, bh) == 0);
		CHECK(dkim_header_hash(h, canon, hl, raw, rlen, digest) == 0);
		CHECK(dkim_sign_digest(fkey, digest, sig, &siglen) == 0);
		mine = dkim_b64(sig, siglen);
		CHECK(strcmp(mine, b) == 0);
		free(mine);
		free(hl);
		free(b);
		free(bh);
	}
	msghdr_free(h);
	free(full);
}

static void
check_body(const uint8_t *data, size_t size)
{
	char	*s, *r, *s2, *r2;
	size_t	 sl, rl, sl2, rl2, i;

	s = dkim_canon_body(DKIM_CANON_SIMPLE, data, size, &sl);
	r = dkim_canon_body(DKIM_CANON_RELAXED, data, size, &rl);
	CHECK(sl >= 2 && memcmp(s + sl - 2, "\r\n", 2) == 0);
	CHECK(sl < 4 || memcmp(s + sl - 4, "\r\n\r\n", 4) != 0);
	CHECK(rl == 0 || (rl >= 2 && memcmp(r + rl - 2, "\r\n", 2) == 0));
	CHECK(rl < 4 || memcmp(r + rl - 4, "\r\n\r\n", 4) != 0);
	for (i = 0; i < rl; i++) {
		CHECK(r[i] != '\t');
		if (r[i] == ' ')
			CHECK(i + 1 < rl && r[i + 1] != ' ' &&
			    r[i + 1] != '\r');
		if (r[i] == '\r')
			CHECK(i + 1 < rl && r[i + 1] == '\n');
	}
	s2 = dkim_canon_body(DKIM_CANON_SIMPLE, s, sl, &sl2);
	r2 = dkim_canon_body(DKIM_CANON_RELAXED, r, rl, &rl2);
	CHECK(sl2 == sl && memcmp(s, s2, sl) == 0);
	CHECK(rl2 == rl && memcmp(r, r2, rl) == 0);
	free(s);
	free(r);
	free(s2);
	free(r2);
}

static void
check_headers(const uint8_t *data, size_t size)
{
	struct msghdr	*h;
	const char	*raw;
	char		*c;
	size_t		 i, len, cl;

	h = msghdr_new(0, 0);
	if (msghdr_parse(h, data, size) != -1) {
		for (i = 0; i < msghdr_count(h); i++) {
			if (msghdr_field(h, i)->namelen == 0)
				continue;
			raw = msghdr_raw(h, i, &len);
			c = dkim_canon_header(DKIM_CANON_RELAXED, raw, len,
			    &cl);
			CHECK(c != NULL && cl >= 3);
			CHECK(memchr(c, '\n', cl) == c + cl - 1);
			CHECK(memchr(c, '\t', cl) == NULL);
			CHECK(memmem(c, cl, "  ", 2) == NULL);
			free(c);
		}
	}
	msghdr_free(h);
}

static char *
sign(const uint8_t *data, size_t size, size_t step, int *st)
{
	struct dkim_spec	 sp[2];
	struct dkim_sign	*s;
	const char		*out;
	char			 err[256], *ret = NULL;
	size_t			 off, olen;

	memset(sp, 0, sizeof(sp));
	sp[0].key = fkey;
	sp[0].domain = "example.com";
	sp[0].selector = "f";
	sp[0].time = 1700000000;
	sp[0].oversign = 1;
	sp[1] = sp[0];
	sp[1].hcanon = DKIM_CANON_RELAXED;
	sp[1].bcanon = DKIM_CANON_RELAXED;
	s = dkim_sign_new(sp, 2, err, sizeof(err));
	CHECK(s != NULL);
	for (off = 0; off < size; off += step)
		(void)dkim_sign_update(s, data + off,
		    size - off < step ? size - off : step);
	*st = dkim_sign_final(s, &out, &olen);
	if (*st == DKIM_OK) {
		CHECK(strlen(out) == olen);
		ret = strdup(out);
	} else
		CHECK(*st == DKIM_PERMFAIL);
	dkim_sign_free(s);
	return ret;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 seed[] =
	    "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
	char			 err[256], *a, *b, *p, *e;
	size_t			 step;
	int			 s1, s2;

	if (fkey == NULL) {
		fkey = dkim_key_from_pem(seed, strlen(seed), err, sizeof(err));
		CHECK(fkey != NULL);
	}
	if (size == 0)
		return 0;
	step = data[0] % 13 + 1;
	data++;
	size--;
	check_body(data, size);
	check_headers(data, size);
	a = sign(data, size, size ? size : 1, &s1);
	b = sign(data, size, step, &s2);
	CHECK(s1 == s2);
	CHECK((a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0));
	for (p = a; p != NULL && *p != '\0'; p = e + 2) {
		e = strstr(p, "\r\n");
		CHECK(e != NULL && e - p <= 78);
	}
	if (a != NULL)
		check_signed(a, data, size);
	free(a);
	free(b);
	return 0;
}
