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
 * dkimsignd/dkim.c and dkim_key.c: canonicalization and body-hash
 * vectors (research notes 2.1), the RFC 8463 Appendix A signatures
 * (Ed25519 and RSA, b= byte for byte, keys and message as python3-dkim
 * ships them), keys (PKCS#1, PKCS#8, dkimpy seed, encrypted, too
 * small), the signer's field (tags, h= selection, over-signing,
 * folding), determinism under any chunking and line ends, errors; and
 * b= byte for byte against what dkimpy makes here and now with the same
 * keys, relaxed canonicalization (python3 run from the test).
 * That the fields verify is t_dkim_verify's job (dkimpy).
 *
 * Helper mode, for tests/integration/dkim-genkey.t and benchmarks:
 *	t_dkim sign [-n count] DOMAIN KEY:SELECTOR[:CANON] ... < msg
 * prints the fields then the message as read (with -n, signs count
 * times and prints the signing rate and CPU per message instead);
 *	t_dkim check KEY ZONEFILE
 * prints "match" (exit 0) if the record in the zone stub publishes the
 * key, else the reason (exit 1).
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msghdr.h"
#include "xmalloc.h"
#include "../../dkimsignd/dkim.h"
#include "../../dkimsignd/dkim_int.h"
#include "tap.h"

#define PYDATA	"/usr/lib/python3/dist-packages/dkim/tests/data/"

static char	*slurp(const char *, size_t *);
static char	*b_value(const char *, size_t);
static char	*tag_value(const char *, size_t, const char *);
static char	*sign_all(const struct dkim_spec *, size_t, const char *,
		    size_t, size_t, int *);
static int	 check_fold(const char *);
static void	 resign(struct dkim_key *, const char *, const char *, int);
static void	 test_body(void);
static void	 test_header(void);
static void	 test_names(void);
static void	 test_rfc8463(void);
static void	 test_keys(void);
static void	 test_signer(void);
static void	 test_chunks(void);
static void	 test_errors(void);
static void	 test_dkimpy(void);
static int	 helper_sign(int, char **);
static int	 helper_check(int, char **);

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		diag("%s: cannot open", path);
		return NULL;
	}
	buf = xmalloc(1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* LF to CRLF */
static char *
crlf(const char *s)
{
	char	*out, *o;

	o = out = xmalloc(2 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* A tag's value in a field, FWS removed. */
static char *
tag_value(const char *f, size_t len, const char *tag)
{
	const char	*p, *end = f + len;
	char		*out, *o;
	size_t		 tl = strlen(tag);

	for (p = memchr(f, ':', len); p != NULL && p < end; p++) {
		while (p < end && strchr(" \t\r\n;:", *p) != NULL)
			p++;
		if ((size_t)(end - p) > tl && strncmp(p, tag, tl) == 0 &&
		    p[tl] == '=') {
			p += tl + 1;
			o = out = xmalloc(len + 1);
			for (; p < end && *p != ';'; p++)
				if (strchr(" \t\r\n", *p) == NULL)
					*o++ = *p;
			*o = '\0';
			return out;
		}
		p = memchr(p, ';', end - p);
		if (p == NULL)
			break;
	}
	return NULL;
}

static char *
b_value(const char *f, size_t len)
{
	return tag_value(f, len, "b");
}

/* Sign msg fed in chunks of step octets (0: at once). */
static char *
sign_all(const struct dkim_spec *sp, size_t n, const char *msg, size_t len,
    size_t step, int *status)
{
	struct dkim_sign	*s;
	const char		*out;
	char			 err[256], *ret = NULL;
	size_t			 olen, i, k;

	if ((s = dkim_sign_new(sp, n, err, sizeof(err))) == NULL) {
		diag("dkim_sign_new: %s", err);
		*status = 99;
		return NULL;
	}
	for (i = 0; i < len; i += k) {
		k = step == 0 || len - i < step ? len - i : step;
		(void)dkim_sign_update(s, msg + i, k);
	}
	*status = dkim_sign_final(s, &out, &olen);
	if (*status == DKIM_OK)
		ret = xstrndup(out, olen);
	else
		diag("dkim_sign_final: %s", dkim_sign_error(s));
	dkim_sign_free(s);
	return ret;
}

/* Every line at most 78 columns, continuation lines start with TAB. */
static int
check_fold(const char *f)
{
	const char	*p, *e;
	int		 first = 1;

	for (p = f; *p != '\0'; p = e + 2, first = 0) {
		if ((e = strstr(p, "\r\n")) == NULL)
			return 0;
		if (e - p + (first ? 0 : 7) > 78)
			return 0;
		if (!first && *p != '\t' && strncmp(p, "DKIM-Signature:",
		    15) != 0)
			return 0;
	}
	return 1;
}

static void
test_body(void)
{
	static const struct {
		const char	*in;
		size_t		 slen;
		const char	*sbh;
		size_t		 rlen;
		const char	*rbh;
	} t[] = {
		{ "", 2, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
		    0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "\r\n", 2, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
		    0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "\r\n\r\n\r\n", 2,
		    "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
		    0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "hello", 7, "zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=",
		    7, "zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=" },
		{ "hello\r\n", 7,
		    "zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=",
		    7, "zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=" },
		{ "a \t b  \r\n\r\n\r\n", 9,
		    "8N0Wkq/Kx3L/G11k7gUD1Z/2XOrmoRkK/hReal/Levs=",
		    5, "SuEZjyiTjUp1XHpGpmLw9XKayjy3FMrk431guExO6cw=" },
		{ " \r\n", 3, "a99mtb8qROZYvqLuhmlasVCgbmAL9nzVzOJFrVSWLGE=",
		    0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
		    "Joe.\r\n", 55,
		    "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=",
		    54, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=" },
		/* LF-only and bare CR are line ends */
		{ "a \t b  \n\n\r", 9,
		    "8N0Wkq/Kx3L/G11k7gUD1Z/2XOrmoRkK/hReal/Levs=",
		    5, "SuEZjyiTjUp1XHpGpmLw9XKayjy3FMrk431guExO6cw=" },
	};
	char	 bh[64], *c;
	size_t	 i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = dkim_canon_body(DKIM_CANON_SIMPLE, t[i].in,
		    strlen(t[i].in), &len);
		is_int(len, t[i].slen, "body %zu simple length", i);
		free(c);
		c = dkim_canon_body(DKIM_CANON_RELAXED, t[i].in,
		    strlen(t[i].in), &len);
		is_int(len, t[i].rlen, "body %zu relaxed length", i);
		free(c);
		ok(dkim_body_hash(DKIM_CANON_SIMPLE, t[i].in, strlen(t[i].in),
		    bh, sizeof(bh)) == 0, "body %zu simple hash", i);
		is_str(bh, t[i].sbh, "body %zu simple bh", i);
		ok(dkim_body_hash(DKIM_CANON_RELAXED, t[i].in,
		    strlen(t[i].in), bh, sizeof(bh)) == 0,
		    "body %zu relaxed hash", i);
		is_str(bh, t[i].rbh, "body %zu relaxed bh", i);
	}
	c = dkim_canon_body(DKIM_CANON_RELAXED, "  x \t y\t\r\n\t\r\nz", 14,
	    &len);
	is_mem(c, len, " x y\r\n\r\nz\r\n", 11, "relaxed: leading WSP is one "
	    "SP, WSP-only line empty but kept before content");
	free(c);
	c = dkim_canon_body(DKIM_CANON_SIMPLE, "x\r\n \r\n\r\n", 8, &len);
	is_mem(c, len, "x\r\n \r\n", 6, "simple: a WSP line is not empty");
	free(c);
}

static void
test_header(void)
{
	static const struct {
		const char	*in;
		const char	*relaxed;
	} t[] = {
		{ "SUBJect:   AbC  \r\n\tdef \r\n", "subject:AbC def\r\n" },
		{ "From : Joe <j@x>\r\n", "from:Joe <j@x>\r\n" },
		{ "X:\r\n", "x:\r\n" },
		{ "X: \t \r\n \r\n", "x:\r\n" },
		{ "To: a,\r\n  b,\r\n\t\tc\r\n", "to:a, b, c\r\n" },
	};
	char	*c;
	size_t	 i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = dkim_canon_header(DKIM_CANON_RELAXED, t[i].in,
		    strlen(t[i].in), &len);
		is_mem(c, len, t[i].relaxed, strlen(t[i].relaxed),
		    "relaxed header %zu", i);
		free(c);
		c = dkim_canon_header(DKIM_CANON_SIMPLE, t[i].in,
		    strlen(t[i].in), &len);
		is_mem(c, len, t[i].in, strlen(t[i].in), "simple header %zu",
		    i);
		free(c);
	}
	ok(dkim_canon_header(DKIM_CANON_RELAXED, "no colon\r\n", 10,
	    &len) == NULL, "relaxed: no colon is an error");
}

static void
test_names(void)
{
	int	hc = -1, bc = -1, up = -1;

	ok(dkim_canon_parse("relaxed", &hc, &bc) == 0 &&
	    hc == DKIM_CANON_RELAXED && bc == DKIM_CANON_SIMPLE,
	    "c=relaxed is relaxed/simple");
	ok(dkim_canon_parse("simple/relaxed", &hc, &bc) == 0 &&
	    hc == DKIM_CANON_SIMPLE && bc == DKIM_CANON_RELAXED,
	    "simple/relaxed");
	ok(dkim_canon_parse("Relaxed/Relaxed", &hc, &bc) == 0 &&
	    hc == DKIM_CANON_RELAXED && bc == DKIM_CANON_RELAXED,
	    "Relaxed/Relaxed");
	is_int(dkim_canon_parse("nowsp", &hc, &bc), -1, "nowsp refused");
	is_int(dkim_canon_parse("relaxed/", &hc, &bc), -1, "relaxed/");
	is_int(dkim_alg_parse("rsa-sha256", &up), DKIM_ALG_RSA_SHA256,
	    "rsa-sha256");
	is_int(up, 0, "not upgraded");
	is_int(dkim_alg_parse("rsa-sha1", &up), DKIM_ALG_RSA_SHA256,
	    "rsa-sha1 becomes rsa-sha256");
	is_int(up, 1, "upgraded");
	is_int(dkim_alg_parse("ed25519-sha256", NULL),
	    DKIM_ALG_ED25519_SHA256, "ed25519-sha256");
	is_int(dkim_alg_parse("rsa-md5", NULL), -1, "unknown algorithm");
	is_str(dkim_alg_name(DKIM_ALG_ED25519_SHA256), "ed25519-sha256",
	    "name");
	is_str(dkim_canon_name(DKIM_CANON_RELAXED), "relaxed", "canon name");
}

/*
 * Recompute the b= of the signature field sig over msg with key, as a
 * verifier would, and compare.
 */
static void
resign(struct dkim_key *key, const char *msg, const char *what, int canon)
{
	struct msghdr	*h;
	unsigned char	 digest[32], sig[DKIM_SIG_MAX];
	const char	*raw;
	char		*hl, *b, *mine;
	size_t		 rlen, siglen;

	h = msghdr_new(0, 0);
	(void)msghdr_parse(h, msg, strlen(msg));
	raw = msghdr_raw(h, 0, &rlen);
	hl = tag_value(raw, rlen, "h");
	b = b_value(raw, rlen);
	ok(hl != NULL && b != NULL, "%s: h= and b= found", what);
	ok(dkim_header_hash(h, canon, hl ? hl : "", raw, rlen,
	    digest) == 0, "%s: header hash", what);
	ok(dkim_sign_digest(key, digest, sig, &siglen) == 0, "%s: sign",
	    what);
	mine = dkim_b64(sig, siglen);
	is_str(mine, b, "%s: b= byte for byte", what);
	free(mine);
	free(hl);
	free(b);
	msghdr_free(h);
}

static void
test_rfc8463(void)
{
	struct dkim_key	*ed, *rsa;
	struct msghdr	*h;
	char		 err[256], *m, *msg, *second, *p, *v;
	const char	*raw;
	size_t		 rlen;

	ed = dkim_key_load(PYDATA "rfc8032_7_1.key", err, sizeof(err));
	ok(ed != NULL, "Ed25519 seed key loads (%s)", ed ? "ok" : err);
	rsa = dkim_key_load(PYDATA "test.private", err, sizeof(err));
	ok(rsa != NULL, "RSA PKCS#1 key loads (%s)", rsa ? "ok" : err);
	m = slurp(PYDATA "rfc6376.signed.msg", NULL);
	if (ed == NULL || rsa == NULL || m == NULL)
		exit(done_testing());
	msg = crlf(m);
	free(m);

	/* the Ed25519 field is first; the RSA one is second */
	resign(ed, msg, "RFC 8463 A.3 ed25519-sha256", DKIM_CANON_SIMPLE);
	second = strstr(msg + 1, "DKIM-Signature:");
	resign(rsa, second, "RFC 8463 A.3 rsa-sha256", DKIM_CANON_SIMPLE);

	/* the public keys are the records' */
	p = dkim_key_public_b64(ed);
	is_str(p, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	    "Ed25519 p= as in RFC 8463 A.2");
	free(p);
	p = dkim_key_public_b64(rsa);
	m = slurp(PYDATA "test.txt", NULL);
	v = m ? strstr(m, "p=") : NULL;
	if (v != NULL)
		v[strcspn(v, "\r\n")] = '\0';
	is_str(p, v ? v + 2 : NULL, "RSA p= as in python3-dkim's test.txt");
	free(p);
	free(m);

	/* the bh= in the example is what we compute */
	h = msghdr_new(0, 0);
	(void)msghdr_parse(h, msg, strlen(msg));
	raw = msghdr_raw(h, 0, &rlen);
	v = tag_value(raw, rlen, "bh");
	is_str(v, "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=",
	    "RFC 8463 bh=");
	free(v);
	msghdr_free(h);
	free(msg);
	dkim_key_free(ed);
	dkim_key_free(rsa);
}

static void
test_keys(void)
{
	struct dkim_key	*k, *k2;
	char		 err[256], *pem, *p1, *p2;
	char		 cmd[256], path[] = "/tmp/t_dkim.XXXXXX";
	int		 fd;

	k = dkim_key_load(PYDATA "2048_testkey_PKCS8.key", err, sizeof(err));
	ok(k != NULL, "RSA PKCS#8 loads");
	if (k != NULL) {
		is_int(dkim_key_type(k), DKIM_KEY_RSA, "PKCS#8 type RSA");
		is_int(dkim_key_bits(k), 2048, "2048 bits");
		dkim_key_free(k);
	}
	k = dkim_key_load(PYDATA "test.private", err, sizeof(err));
	ok(k != NULL && dkim_key_bits(k) == 1024, "PKCS#1 1024 bits");
	dkim_key_free(k);

	k = dkim_key_generate(DKIM_KEY_ED25519, 0, err, sizeof(err));
	ok(k != NULL, "Ed25519 generated");
	is_int(dkim_key_type(k), DKIM_KEY_ED25519, "type Ed25519");
	is_int(dkim_key_bits(k), 256, "Ed25519: 256 bits");
	pem = dkim_key_private_pem(k);
	ok(pem != NULL && strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) ==
	    0, "PKCS#8 PEM out");
	k2 = dkim_key_from_pem(pem, strlen(pem), err, sizeof(err));
	ok(k2 != NULL, "PKCS#8 Ed25519 loads back");
	p1 = dkim_key_public_b64(k);
	p2 = k2 ? dkim_key_public_b64(k2) : NULL;
	is_str(p2, p1, "same public key");
	ok(p1 != NULL && strlen(p1) == 44, "raw 32-octet key in base64");
	free(p1);
	free(p2);
	freezero(pem, strlen(pem));
	dkim_key_free(k2);
	dkim_key_free(k);

	/* records: from a zone stub, checked against the key */
	{
		struct dkim_key	*rk, *ek;
		char		*txt, *rec, *pub, stub[1024], bad[1024];

		rk = dkim_key_load(PYDATA "test.private", err, sizeof(err));
		ek = dkim_key_load(PYDATA "rfc8032_7_1.key", err,
		    sizeof(err));
		txt = slurp(PYDATA "test.txt", NULL);
		ok(rk != NULL && ek != NULL && txt != NULL, "keys, record");
		if (rk == NULL || ek == NULL || txt == NULL)
			exit(done_testing());
		rec = dkim_record_from_zone(txt);
		is_str(rec, txt, "no quotes: the text itself");
		is_int(dkim_key_check_record(rk, rec, err, sizeof(err)), 0,
		    "test.txt publishes test.private");
		free(rec);
		is_int(dkim_key_check_record(ek, txt, err, sizeof(err)), -1,
		    "an RSA record for an Ed25519 key");
		is_str(err, "k=rsa for an Ed25519 key", "reason");
		pub = dkim_key_public_b64(rk);
		(void)snprintf(stub, sizeof(stub), "test._domainkey\tIN\tTXT\t"
		    "( \"v=DKIM1; n=\\\"a; b\\\"; h=sha1:sha256; k=rsa; \"\n"
		    "\t  \"p=%.100s\"\n\t  \"%s\" )  ; ----- DKIM key "
		    "test for \"x\"\n", pub, pub + 100);
		rec = dkim_record_from_zone(stub);
		(void)snprintf(bad, sizeof(bad), "v=DKIM1; n=\"a; b\"; "
		    "h=sha1:sha256; k=rsa; p=%s", pub);
		is_str(rec, bad, "zone stub: strings joined, comment dropped");
		free(rec);
		is_int(dkim_key_check_record(rk, bad, err, sizeof(err)), 0,
		    "opendkim-genkey's n=\"a; b\" does not hide p=");
		(void)snprintf(bad, sizeof(bad), "v=DKIM1; h=sha1:sha256; "
		    "k=rsa; p=%s", pub);
		is_int(dkim_key_check_record(rk, bad, err, sizeof(err)), 0,
		    "h=sha1:sha256 allows sha256");
		(void)snprintf(bad, sizeof(bad), "v=DKIM1; h=sha1; p=%s", pub);
		is_int(dkim_key_check_record(rk, bad, err, sizeof(err)), -1,
		    "h=sha1 only: %s", err);
		is_int(dkim_key_check_record(rk, "v=DKIM1; k=rsa; p=", err,
		    sizeof(err)), -1, "revoked: %s", err);
		(void)snprintf(bad, sizeof(bad), "v=DKIM1; p=%.40sA%s", pub,
		    pub + 41);
		is_int(dkim_key_check_record(rk, bad, err, sizeof(err)), -1,
		    "another key: %s", err);
		(void)snprintf(bad, sizeof(bad), "v=DKIM2; p=%s", pub);
		is_int(dkim_key_check_record(rk, bad, err, sizeof(err)), -1,
		    "v=DKIM2: %s", err);
		free(pub);
		pub = dkim_key_public_b64(ek);
		(void)snprintf(bad, sizeof(bad), "v=DKIM1; k=ed25519; "
		    "p=%s", pub);
		is_int(dkim_key_check_record(ek, bad, err, sizeof(err)), 0,
		    "Ed25519 record");
		free(pub);
		free(txt);
		dkim_key_free(rk);
		dkim_key_free(ek);
	}

	ok(dkim_key_generate(DKIM_KEY_RSA, 512, err, sizeof(err)) == NULL,
	    "512-bit RSA not generated");
	ok(dkim_key_from_pem("junk", 4, err, sizeof(err)) == NULL,
	    "junk refused");
	ok(dkim_key_load("/nonexistent/key", err, sizeof(err)) == NULL &&
	    strstr(err, "/nonexistent/key") != NULL, "missing file: %s", err);

	/* an encrypted key fails at once (no prompt), a small one signs no */
	if ((fd = mkstemp(path)) == -1)
		exit(1);
	close(fd);
	(void)snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm RSA "
	    "-pkeyopt rsa_keygen_bits:1024 -aes128 -pass pass:x -out %s "
	    "2>/dev/null </dev/null", path);
	is_int(system(cmd), 0, "openssl made an encrypted key");
	k = dkim_key_load(path, err, sizeof(err));
	ok(k == NULL, "encrypted key refused: %s", err);
	dkim_key_free(k);
	(void)snprintf(cmd, sizeof(cmd), "openssl genrsa -traditional "
	    "-out %s 512 2>/dev/null", path);
	is_int(system(cmd), 0, "openssl made a 512-bit key");
	k = dkim_key_load(path, err, sizeof(err));
	ok(k != NULL && dkim_key_bits(k) == 512, "512-bit key loads");
	if (k != NULL) {
		struct dkim_spec	sp;

		memset(&sp, 0, sizeof(sp));
		sp.key = k;
		sp.domain = "example.com";
		sp.selector = "s";
		ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
		    "512-bit key refused for signing");
		ok(strstr(err, "RFC 8301") != NULL, "reason: %s", err);
		dkim_key_free(k);
	}
	(void)unlink(path);
}

static const char sample[] =
    "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=old.example; s=x; b=AAAA\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "X-Mailer: none\r\n"
    "Bcc: hidden@example.net\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

static void
test_signer(void)
{
	struct dkim_key		*ed, *rsa;
	struct dkim_spec	 sp[2];
	const char		*h[] = { "Subject", "X-Mailer", "Received",
				    NULL };
	char			 err[256], *out, *v, *second;
	int			 st;

	ed = dkim_key_load(PYDATA "rfc8032_7_1.key", err, sizeof(err));
	rsa = dkim_key_load(PYDATA "2048_testkey_PKCS8.key", err,
	    sizeof(err));
	if (ed == NULL || rsa == NULL)
		exit(done_testing());
	memset(sp, 0, sizeof(sp));
	sp[0].key = rsa;
	sp[0].hcanon = DKIM_CANON_RELAXED;
	sp[0].bcanon = DKIM_CANON_RELAXED;
	sp[0].domain = "football.example.com";
	sp[0].selector = "test";
	sp[0].oversign = 1;
	sp[0].time = 1700000000;
	sp[1] = sp[0];
	sp[1].key = ed;
	sp[1].selector = "brisbane";
	sp[1].hcanon = DKIM_CANON_SIMPLE;
	sp[1].bcanon = DKIM_CANON_SIMPLE;
	sp[1].identity = "joe;x=@football.example.com";
	sp[1].expire = 3600;
	sp[1].oversign = 0;

	out = sign_all(sp, 2, sample, sizeof(sample) - 1, 0, &st);
	is_int(st, DKIM_OK, "two signatures");
	if (out == NULL)
		exit(done_testing());
	is_mem(out, 93, "DKIM-Signature: v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=football.example.com;\r\n\ts=test; "
	    "t=1700000000; h=", 93, "first field's start");
	second = strstr(out + 1, "DKIM-Signature: ");
	ok(second != NULL && strncmp(second, "DKIM-Signature: v=1; "
	    "a=ed25519-sha256; c=simple/simple;", 55) == 0,
	    "second field is the Ed25519 one");
	ok(check_fold(out), "folded within 78 columns, TAB continuations");
	ok(strstr(out, "l=") == NULL && strstr(out, "q=") == NULL &&
	    strstr(out, "rsa-sha1") == NULL, "no l=, q=, rsa-sha1");
	v = tag_value(out, second - out, "h");
	is_str(v, "from:to:subject:date:message-id:from:subject:date:"
	    "message-id:to", "default h=: listed, present, over-signed");
	free(v);
	v = tag_value(out, second - out, "bh");
	is_str(v, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=",
	    "relaxed bh=");
	free(v);
	v = tag_value(second, strlen(second), "bh");
	is_str(v, "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=",
	    "simple bh=");
	free(v);
	v = tag_value(second, strlen(second), "h");
	is_str(v, "from:to:subject:date:message-id", "no over-signing");
	free(v);
	v = tag_value(second, strlen(second), "x");
	is_str(v, "1700003600", "x= is t= + expiry");
	free(v);
	v = tag_value(second, strlen(second), "i");
	is_str(v, "joe=3Bx=3D@football.example.com", "i= quoted-printable");
	free(v);
	ok(strstr(out, "\r\n\tb=") != NULL || strstr(out, " b=") != NULL,
	    "b= present");
	ok(strlen(out) > 2 && strcmp(out + strlen(out) - 2, "\r\n") == 0,
	    "CRLF-terminated");

	/* deterministic: the same again, and verifiable by re-signing */
	{
		char	*again, *full;
		int	 st2;

		again = sign_all(sp, 2, sample, sizeof(sample) - 1, 0, &st2);
		is_str(again, out, "same input, same fields");
		free(again);
		full = xmalloc(strlen(second) + sizeof(sample));
		(void)snprintf(full, strlen(second) + sizeof(sample), "%s%s",
		    second, sample);
		resign(ed, full, "our Ed25519 field re-signed",
		    DKIM_CANON_SIMPLE);
		free(full);
		full = xmalloc(strlen(out) + sizeof(sample));
		(void)snprintf(full, strlen(out) + sizeof(sample), "%s%s",
		    out, sample);
		resign(rsa, full, "our RSA field re-signed",
		    DKIM_CANON_RELAXED);
		free(full);
	}
	free(out);

	/* a given list: only those, never Received; From always */
	sp[0].headers = h;
	out = sign_all(sp, 1, sample, sizeof(sample) - 1, 0, &st);
	v = out ? tag_value(out, strlen(out), "h") : NULL;
	is_str(v, "from:subject:x-mailer:from:subject",
	    "given list plus From, over-signed, Received never");
	free(v);
	free(out);
	sp[0].headers = NULL;

	/* two From fields, both signed and the name over-signed */
	{
		const char *two = "From: a@football.example.com\r\n"
		    "From: b@football.example.com\r\n\r\nx\r\n";

		sp[0].oversign = 1;
		out = sign_all(sp, 1, two, strlen(two), 0, &st);
		v = out ? tag_value(out, strlen(out), "h") : NULL;
		is_str(v, "from:from:from", "two From fields, over-signed");
		free(v);
		free(out);
	}

	/* a long h= folds before a colon */
	{
		char	*big, *q;
		size_t	 i;

		big = xmalloc(8192);
		q = big;
		for (i = 0; i < 30; i++)
			q += snprintf(q, 100, "Resent-Message-ID: <%zu@x>\r\n",
			    i);
		q += snprintf(q, 100, "From: a@football.example.com\r\n\r\n");
		out = sign_all(sp, 1, big, q - big, 0, &st);
		ok(out != NULL && check_fold(out), "long h= folded");
		ok(out != NULL && strstr(out, "\r\n\t:resent-message-id") !=
		    NULL, "folded before ':'");
		v = out ? tag_value(out, strlen(out), "h") : NULL;
		ok(v != NULL && strlen(v) == 30 * 18 + 4 + 5,
		    "30 Resent-Message-ID listed, From over-signed");
		free(v);
		free(out);
		free(big);
	}

	/* a spec added once the header is known */
	{
		struct dkim_sign	*s;
		const struct msghdr	*hdr;
		const char		*o;
		size_t			 ol;
		char			 box[128];

		s = dkim_sign_new(NULL, 0, err, sizeof(err));
		ok(s != NULL, "signer with no spec");
		(void)dkim_sign_update(s, sample, 100);
		ok(dkim_sign_header(s) == NULL, "header not known yet");
		(void)dkim_sign_update(s, sample + 100, sizeof(sample) - 101);
		hdr = dkim_sign_header(s);
		ok(hdr != NULL, "header known");
		if (hdr != NULL) {
			ssize_t i = msghdr_find(hdr, "from", -1);
			char	*val = msghdr_value(hdr, i);

			ok(msghdr_mailbox(val, box, sizeof(box)) == 0 &&
			    strcmp(box, "joe@football.example.com") == 0,
			    "sender from the header: %s", box);
			free(val);
		}
		sp[0].domain = "football.example.com";
		is_int(dkim_sign_add(s, &sp[0]), 0, "spec added late");
		sp[0].domain = "bad..domain";
		is_int(dkim_sign_add(s, &sp[0]), -1, "bad spec refused");
		ok(strstr(dkim_sign_error(s), "bad domain") != NULL,
		    "reason: %s", dkim_sign_error(s));
		sp[0].domain = "football.example.com";
		is_int(dkim_sign_final(s, &o, &ol), DKIM_OK,
		    "signs with the good spec");
		out = sign_all(sp, 1, sample, sizeof(sample) - 1, 0, &st);
		is_str(o, out, "same as signing with it from the start");
		is_int(dkim_sign_add(s, &sp[0]), -1, "no spec after the end");
		is_int(dkim_sign_update(s, "x", 1), -1, "no input after it");
		free(out);
		dkim_sign_free(s);

		/* a message with no empty line: the header at the end */
		s = dkim_sign_new(NULL, 0, err, sizeof(err));
		(void)dkim_sign_update(s, "From: a@football.example.com\r\n"
		    "Subject: x", 40);
		ok(dkim_sign_header(s) == NULL, "no empty line: no header yet");
		hdr = dkim_sign_eof(s);
		ok(hdr != NULL && msghdr_count(hdr) == 2,
		    "dkim_sign_eof: the header, 2 fields");
		ok(dkim_sign_header(s) == hdr, "dkim_sign_header agrees");
		is_int(dkim_sign_update(s, "y", 1), -1, "no input after eof");
		dkim_sign_free(s);
		s = dkim_sign_new(NULL, 0, err, sizeof(err));
		(void)dkim_sign_update(s, "From: a@football.example.com\r\n"
		    "Subject: x", 40);
		(void)dkim_sign_eof(s);
		is_int(dkim_sign_add(s, &sp[0]), 0, "spec added after eof");
		is_int(dkim_sign_final(s, &o, &ol), DKIM_OK, "signed");
		out = sign_all(sp, 1, "From: a@football.example.com\r\n"
		    "Subject: x", 40, 0, &st);
		is_str(o, out, "same as without eof");
		free(out);
		dkim_sign_free(s);

		s = dkim_sign_new(NULL, 0, err, sizeof(err));
		(void)dkim_sign_update(s, sample, sizeof(sample) - 1);
		is_int(dkim_sign_final(s, &o, &ol), DKIM_OK, "no spec: OK");
		is_int(ol, 0, "no spec: nothing");
		dkim_sign_free(s);
	}
	dkim_key_free(ed);
	dkim_key_free(rsa);
}

/* Any chunking, any line ends: the same fields. */
static void
test_chunks(void)
{
	struct dkim_key		*rsa, *ed;
	struct dkim_spec	 sp[2];
	char			 err[256], *ref, *o, *lf, *q;
	const char		*m = "From: a@example.com\r\n"
	    "Subject: folded\r\n\tline  \r\n\r\nbody \r\n\r\nend";
	size_t			 len = strlen(m), cut, i;
	int			 st, bad = 0;

	rsa = dkim_key_load(PYDATA "2048_testkey.key", err, sizeof(err));
	ed = dkim_key_load(PYDATA "rfc8032_7_1.key", err, sizeof(err));
	if (rsa == NULL || ed == NULL)
		exit(done_testing());
	memset(sp, 0, sizeof(sp));
	sp[0].key = ed;
	sp[0].domain = "example.com";
	sp[0].selector = "e";
	sp[0].hcanon = DKIM_CANON_SIMPLE;
	sp[0].bcanon = DKIM_CANON_SIMPLE;
	sp[0].time = 1700000000;
	sp[0].oversign = 1;
	sp[1] = sp[0];
	sp[1].key = rsa;
	sp[1].selector = "r";
	sp[1].hcanon = DKIM_CANON_RELAXED;
	sp[1].bcanon = DKIM_CANON_RELAXED;
	ref = sign_all(sp, 2, m, len, 0, &st);
	is_int(st, DKIM_OK, "reference signed");
	for (cut = 1; cut < len; cut++) {
		struct dkim_sign	*s;
		const char		*out;
		size_t			 ol;

		s = dkim_sign_new(sp, 2, err, sizeof(err));
		(void)dkim_sign_update(s, m, cut);
		(void)dkim_sign_update(s, m + cut, len - cut);
		if (dkim_sign_final(s, &out, &ol) != DKIM_OK ||
		    ref == NULL || strcmp(out, ref) != 0)
			bad++;
		dkim_sign_free(s);
	}
	is_int(bad, 0, "split at every position: same fields");
	o = sign_all(sp, 2, m, len, 1, &st);
	is_str(o, ref, "one octet at a time: same fields");
	free(o);
	{
		struct dkim_sign	*s;

		s = dkim_sign_new(sp, 2, err, sizeof(err));
		(void)dkim_sign_update(s, m, 10);
		(void)dkim_sign_update(s, m + 10, len - 10);
		is_int(dkim_sign_longest_line(s), 19,
		    "longest line, across chunks");
		dkim_sign_free(s);
	}

	/* LF-only, CR-only input: same as CRLF (smtpc sends CRLF) */
	lf = xstrdup(m);
	for (i = 0, q = lf; m[i] != '\0'; i++)
		if (m[i] != '\r')
			*q++ = m[i];
	*q = '\0';
	o = sign_all(sp, 2, lf, strlen(lf), 0, &st);
	is_str(o, ref, "LF-only input: same fields");
	free(o);
	o = sign_all(sp, 2, lf, strlen(lf), 1, &st);
	is_str(o, ref, "LF-only input by octets: same fields");
	free(o);
	for (q = lf; *q != '\0'; q++)
		if (*q == '\n')
			*q = '\r';
	o = sign_all(sp, 2, lf, strlen(lf), 3, &st);
	is_str(o, ref, "CR-only input in 3-octet chunks: same fields");
	free(o);
	free(lf);
	free(ref);

	/* a 20 MB body, streamed */
	{
		struct dkim_sign	*s;
		const char		*out;
		char			*chunk, *v, *whole;
		size_t			 ol, n = 0, total = 20 << 20;

		chunk = xmalloc(65536);
		for (i = 0; i < 65536; i++)
			chunk[i] = (i % 64 == 63) ? '\n' : 'a' + i % 26;
		whole = xmalloc(total);
		for (i = 0; i < total; i += 65536)
			memcpy(whole + i, chunk, 65536);
		s = dkim_sign_new(sp, 2, err, sizeof(err));
		(void)dkim_sign_update(s, "From: a@example.com\r\n\r\n", 23);
		while (n < total) {
			(void)dkim_sign_update(s, chunk, 65536);
			n += 65536;
		}
		is_int(dkim_sign_final(s, &out, &ol), DKIM_OK, "20 MB signed");
		v = tag_value(out, ol, "bh");
		{
			char bh[64];

			(void)dkim_body_hash(DKIM_CANON_SIMPLE, whole, total,
			    bh, sizeof(bh));
			is_str(v, bh, "20 MB body hash streamed = whole");
		}
		free(v);
		free(whole);
		free(chunk);
		dkim_sign_free(s);
	}
	dkim_key_free(rsa);
	dkim_key_free(ed);
}

static void
test_errors(void)
{
	struct dkim_key		*ed, *rsa;
	struct dkim_spec	 sp;
	struct dkim_sign	*s;
	const char		*out, *bad_names[] = { "Sub ject", NULL };
	char			 err[256], *big;
	size_t			 ol;
	int			 st;

	ed = dkim_key_load(PYDATA "rfc8032_7_1.key", err, sizeof(err));
	rsa = dkim_key_load(PYDATA "test.private", err, sizeof(err));
	memset(&sp, 0, sizeof(sp));
	sp.key = ed;
	sp.domain = "example.com";
	sp.selector = "s";

	out = sign_all(&sp, 1, "To: x@y\r\n\r\nbody\r\n", 17, 0, &st);
	is_int(st, DKIM_PERMFAIL, "no From: permanent failure");
	free((char *)out);
	out = sign_all(&sp, 1, " x\r\nFrom: a@y\r\n\r\nbody\r\n", 23, 0,
	    &st);
	is_int(st, DKIM_PERMFAIL, "a first line in WSP would continue our "
	    "field: permanent failure");
	free((char *)out);

	s = dkim_sign_new(&sp, 1, err, sizeof(err));
	big = xmalloc(DKIM_HEADER_MAX + 100);
	memset(big, 'x', DKIM_HEADER_MAX + 100);
	memcpy(big, "X: ", 3);
	is_int(dkim_sign_update(s, big, DKIM_HEADER_MAX + 100), -1,
	    "header over the limit");
	is_int(dkim_sign_update(s, "\r\n", 2), -1, "stays failed");
	is_int(dkim_sign_final(s, &out, &ol), DKIM_PERMFAIL,
	    "header too large: permanent");
	ok(strstr(dkim_sign_error(s), "too") != NULL, "reason: %s",
	    dkim_sign_error(s));
	dkim_sign_free(s);
	free(big);

	sp.alg = DKIM_ALG_RSA_SHA256;
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
	    "rsa-sha256 with an Ed25519 key refused: %s", err);
	sp.alg = DKIM_ALG_DEFAULT;
	sp.selector = "bad selector";
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
	    "bad selector refused: %s", err);
	sp.selector = "s";
	sp.identity = "joe@other.example";
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
	    "i= outside d= refused: %s", err);
	sp.identity = "joe@badexample.com";
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
	    "i= in a look-alike domain refused");
	sp.identity = "@sub.example.com";
	s = dkim_sign_new(&sp, 1, err, sizeof(err));
	ok(s != NULL, "i= in a subdomain is fine");
	dkim_sign_free(s);
	sp.identity = NULL;
	sp.headers = bad_names;
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL,
	    "bad header name refused: %s", err);
	sp.headers = NULL;
	sp.key = NULL;
	ok(dkim_sign_new(&sp, 1, err, sizeof(err)) == NULL, "no key refused");

	/* the key may go while a signer uses it */
	sp.key = rsa;
	s = dkim_sign_new(&sp, 1, err, sizeof(err));
	dkim_key_free(rsa);
	(void)dkim_sign_update(s, "From: a@example.com\r\n\r\n", 23);
	is_int(dkim_sign_final(s, &out, &ol), DKIM_OK,
	    "signer keeps its own key reference");
	dkim_sign_free(s);
	dkim_key_free(ed);
}

/*
 * dkimpy signs the RFC 8463 message (RSA relaxed/relaxed, Ed25519
 * relaxed/simple); our hashing and signing must give its b= exactly.
 */
static void
test_dkimpy(void)
{
	static const char py[] =
	    "/usr/bin/python3 -c '"
	    "import dkim, sys\n"
	    "D = \"" PYDATA "\"\n"
	    "m = open(D + \"rfc6376.msg\", \"rb\").read()"
	    ".replace(b\"\\n\", b\"\\r\\n\")\n"
	    "k = open(D + \"test.private\", \"rb\").read()\n"
	    "e = open(D + \"rfc8032_7_1.key\", \"rb\").read()\n"
	    "s = dkim.sign(m, b\"test\", b\"football.example.com\", k, "
	    "canonicalize=(b\"relaxed\", b\"relaxed\"), "
	    "include_headers=[b\"from\", b\"to\", b\"subject\"])\n"
	    "sys.stdout.buffer.write(s + m + b\"\\0\")\n"
	    "s = dkim.sign(m, b\"brisbane\", b\"football.example.com\", e, "
	    "canonicalize=(b\"relaxed\", b\"simple\"), "
	    "signature_algorithm=b\"ed25519-sha256\")\n"
	    "sys.stdout.buffer.write(s + m + b\"\\0\")\n"
	    "'";
	struct dkim_key	*rsa, *ed;
	FILE		*f;
	char		 err[256], *buf, *second;
	size_t		 n;

	rsa = dkim_key_load(PYDATA "test.private", err, sizeof(err));
	ed = dkim_key_load(PYDATA "rfc8032_7_1.key", err, sizeof(err));
	buf = xcalloc(1, 65536);
	if ((f = popen(py, "r")) == NULL)
		exit(1);
	n = fread(buf, 1, 65535, f);
	is_int(pclose(f), 0, "dkimpy signed");
	second = memchr(buf, '\0', n);
	ok(second != NULL && second + 1 < buf + n, "two signed messages");
	if (rsa == NULL || ed == NULL || second == NULL ||
	    second + 1 >= buf + n)
		exit(done_testing());
	resign(rsa, buf, "dkimpy rsa-sha256 relaxed/relaxed",
	    DKIM_CANON_RELAXED);
	resign(ed, second + 1, "dkimpy ed25519-sha256 relaxed/simple",
	    DKIM_CANON_RELAXED);
	free(buf);
	dkim_key_free(rsa);
	dkim_key_free(ed);
}

/* t_dkim sign [-n count] DOMAIN KEY:SELECTOR[:CANON] ... < msg */
static int
helper_sign(int argc, char **argv)
{
	struct dkim_spec	 sp[8];
	struct dkim_sign	*s;
	struct rusage		 ru0, ru1;
	struct timeval		 t0, t1;
	const char		*out;
	char			 err[256], *msg, *c, *sel;
	size_t			 len, olen, cap = 1 << 16;
	long			 count = 0, i;
	int			 n = 0, a = 0, st;
	double			 wall, cpu;

	if (argc > a + 1 && strcmp(argv[a], "-n") == 0) {
		count = strtol(argv[a + 1], NULL, 10);
		a += 2;
	}
	if (argc - a < 2 || argc - a - 1 > 8) {
		fprintf(stderr, "usage: t_dkim sign [-n count] DOMAIN "
		    "KEY:SELECTOR[:CANON] ...\n");
		return 2;
	}
	memset(sp, 0, sizeof(sp));
	for (i = a + 1; i < argc; i++, n++) {
		sel = strchr(argv[i], ':');
		if (sel == NULL)
			return 2;
		*sel++ = '\0';
		if ((c = strchr(sel, ':')) != NULL) {
			*c++ = '\0';
			if (dkim_canon_parse(c, &sp[n].hcanon,
			    &sp[n].bcanon) == -1)
				return 2;
		}
		if ((sp[n].key = dkim_key_load(argv[i], err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		sp[n].domain = argv[a];
		sp[n].selector = sel;
		sp[n].oversign = 1;
	}
	msg = xmalloc(cap);
	len = 0;
	while ((olen = fread(msg + len, 1, cap - len, stdin)) > 0) {
		len += olen;
		if (len == cap)
			msg = xreallocarray(msg, 2, cap), cap *= 2;
	}
	getrusage(RUSAGE_SELF, &ru0);
	gettimeofday(&t0, NULL);
	for (i = 0; i < (count ? count : 1); i++) {
		if ((s = dkim_sign_new(sp, n, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		(void)dkim_sign_update(s, msg, len);
		if ((st = dkim_sign_final(s, &out, &olen)) != DKIM_OK) {
			fprintf(stderr, "%s\n", dkim_sign_error(s));
			return 1;
		}
		if (count == 0) {
			fwrite(out, 1, olen, stdout);
			fwrite(msg, 1, len, stdout);
		}
		dkim_sign_free(s);
	}
	if (count > 0) {
		getrusage(RUSAGE_SELF, &ru1);
		gettimeofday(&t1, NULL);
		wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) /
		    1e6;
		cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		    (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
		    (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		    (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
		printf("messages=%ld octets=%zu signatures=%d wall=%.3fs "
		    "msg/s=%.0f cpu_ms_per_msg=%.4f\n", count, len, n, wall,
		    count / wall, cpu * 1000 / count);
	}
	for (i = 0; i < n; i++)
		dkim_key_free(sp[i].key);
	free(msg);
	return 0;
}

/* t_dkim check KEY ZONEFILE: does the record publish the key? */
static int
helper_check(int argc, char **argv)
{
	struct dkim_key	*k;
	char		 err[256], *txt, *rec;
	int		 r;

	if (argc != 2)
		return 2;
	if ((k = dkim_key_load(argv[0], err, sizeof(err))) == NULL ||
	    (txt = slurp(argv[1], NULL)) == NULL) {
		fprintf(stderr, "%s\n", k ? argv[1] : err);
		dkim_key_free(k);
		return 2;
	}
	rec = dkim_record_from_zone(txt);
	r = dkim_key_check_record(k, rec, err, sizeof(err));
	printf("%s\n", r == 0 ? "match" : err);
	free(rec);
	free(txt);
	dkim_key_free(k);
	return r == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "sign") == 0)
		return helper_sign(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return helper_check(argc - 2, argv + 2);
	test_body();
	test_header();
	test_names();
	test_rfc8463();
	test_keys();
	test_signer();
	test_chunks();
	test_errors();
	test_dkimpy();
	return done_testing();
}
