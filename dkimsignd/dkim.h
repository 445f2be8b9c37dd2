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

#ifndef MX_DKIM_H
#define MX_DKIM_H

/*
 * DKIM signing (RFC 6376, RFC 8301, RFC 8463): keys, and a streaming
 * signer that makes one or several DKIM-Signature fields in one pass
 * over a message.
 *
 * Keys (dkim_key.c).  A private key in PEM: RSA as PKCS#1 ("BEGIN RSA
 * PRIVATE KEY") or PKCS#8 ("BEGIN PRIVATE KEY"), Ed25519 as PKCS#8;
 * also dkimpy's Ed25519 format (the base64 of the 32-octet seed on one
 * line).  Encrypted keys are refused (never a passphrase prompt).  A key
 * is reference counted: a signer holds its own reference, so the
 * caller may dkim_key_free() (e.g. on SIGHUP, to load a new one) while
 * signers made with the old key are still running.
 *
 * The signer.
 *	s = dkim_sign_new(specs, n, errbuf, sizeof(errbuf));
 *	while (more)
 *		dkim_sign_update(s, buf, len);	(any chunking)
 *	if (dkim_sign_final(s, &fields, &len) == DKIM_OK)
 *		prepend the len octets of fields above the message;
 *	else
 *		log dkim_sign_error(s); relay unsigned, or 451/550;
 *	dkim_sign_free(s);
 *
 * Input: the message exactly as it will be relayed (after SMTP dot
 * unstuffing, without the final "."), header then body.  Line ends:
 * CRLF, a bare LF and a bare CR each count as one CRLF, which is what
 * common/smtpc's dot-stuffing puts on the wire for them (proxy.h), so
 * the hashed octets are the relayed octets.  A message that does not
 * end in a line end gets CRLF on the wire and is hashed so.  A message
 * with no empty line is all header and an empty body.
 *
 * The header block is buffered (at most DKIM_HEADER_MAX octets: past
 * that the signing fails, permanently); the body is never buffered:
 * it is canonicalized and hashed as it streams, simple and relaxed at
 * once, so signatures may also be added with dkim_sign_add() after the
 * header is known (e.g. to choose d= from From:/Sender:, found with
 * dkim_sign_header()), at any time before dkim_sign_final().
 *
 * Output, for each spec in order: one field
 *	DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.org;
 *		s=sel; t=1700000000; h=from:to:subject:date:from:subject:date;
 *		bh=<44 base64 chars>;
 *		b=<base64, folded over lines>
 * folded with CRLF TAB at 78 columns at most, CRLF-terminated, to go
 * above every other header field (above existing DKIM-Signature fields
 * too).  v a c d s t [x] [i] h bh b in that order; never l=, never q=
 * (its default is the only value), never a=rsa-sha1.
 *
 * Header selection.  spec->headers NULL: dkim_default_headers (Mail::DKIM
 * and dkimproxy's list plus In-Reply-To, References and List-*).  Every
 * instance present of a listed name is signed; h= lists the name once
 * per instance.  With spec->oversign, each name in dkim_oversign_headers
 * that occurs is listed once more (at the end of h=), so that a field of
 * that name added later breaks the signature (RFC 6376 8.15).  From must
 * occur, and the first line must not begin with WSP (it would continue
 * the field put above it), else DKIM_PERMFAIL.  DKIM-Signature and the
 * names RFC 6376 5.4.1 says SHOULD NOT be signed (Return-Path,
 * Received, Comments, Keywords) are never signed, and neither is Bcc.
 */

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

struct msghdr;

/* Results of dkim_sign_final() (and of the other int functions: -1). */
#define DKIM_OK			0
#define DKIM_TEMPFAIL		(-1)	/* our fault (memory, crypto) */
#define DKIM_PERMFAIL		(-2)	/* the message's (no From, ...) */

/* Key types, algorithms, canonicalizations. */
#define DKIM_KEY_RSA		1
#define DKIM_KEY_ED25519	2

#define DKIM_ALG_DEFAULT	0	/* from the key's type */
#define DKIM_ALG_RSA_SHA256	1	/* a=rsa-sha256 */
#define DKIM_ALG_ED25519_SHA256	2	/* a=ed25519-sha256 (RFC 8463) */

#define DKIM_CANON_SIMPLE	0
#define DKIM_CANON_RELAXED	1

#define DKIM_HEADER_MAX		(1024 * 1024)	/* header block, octets */
#define DKIM_RSA_MIN_BITS	1024		/* RFC 8301 */
#define DKIM_SIG_MAX		1024		/* signature octets, at most */

struct dkim_key;
struct dkim_sign;

struct dkim_spec {
	struct dkim_key		 *key;
	int			  alg;		/* DKIM_ALG_*; 0: key's */
	int			  hcanon;	/* DKIM_CANON_* header */
	int			  bcanon;	/* DKIM_CANON_* body */
	const char		 *domain;	/* d=, required */
	const char		 *selector;	/* s=, required */
	const char		 *identity;	/* i= (AUID) or NULL */
	const char *const	 *headers;	/* names, NULL-terminated;
						   NULL: the default */
	int			  oversign;	/* over-sign singletons */
	time_t			  time;		/* t=; 0: now */
	long long		  expire;	/* x= t + expire; 0: no x= */
};

/* NULL-terminated lists of field names, lower case. */
extern const char *const dkim_default_headers[];
extern const char *const dkim_oversign_headers[];

/*
 * Keys.  load and from_pem return NULL with a reason in err (never
 * fatal).  bits: RSA modulus size, 256 for Ed25519.
 */
struct dkim_key	*dkim_key_load(const char *, char *, size_t);
struct dkim_key	*dkim_key_from_pem(const void *, size_t, char *, size_t);
/* A new key: DKIM_KEY_RSA with bits (0: 2048), or DKIM_KEY_ED25519. */
struct dkim_key	*dkim_key_generate(int, int, char *, size_t);
void		 dkim_key_free(struct dkim_key *);
int		 dkim_key_type(const struct dkim_key *);
int		 dkim_key_bits(const struct dkim_key *);
/*
 * The public key as a DNS record's p= value (malloc'd, NUL-terminated):
 * base64 of the DER SubjectPublicKeyInfo for RSA, of the raw 32-octet
 * key for Ed25519 (RFC 8463 4).
 */
char		*dkim_key_public_b64(const struct dkim_key *);
/* The private key as PKCS#8 PEM (malloc'd, NUL-terminated). */
char		*dkim_key_private_pem(const struct dkim_key *);
/*
 * The record's text from a zone-file stub such as dkim-genkey's and
 * opendkim-genkey's SEL.txt: the quoted strings joined, \" and \\
 * unquoted (malloc'd); or the text itself if it has no quotes.
 */
char		*dkim_record_from_zone(const char *);
/*
 * Does a DNS record ("v=DKIM1; k=rsa; p=...") publish this key?  0 if
 * so, else -1 with the reason (k= differs, p= differs or is empty,
 * h= does not allow sha256, v= not DKIM1).
 */
int		 dkim_key_check_record(const struct dkim_key *, const char *,
		    char *, size_t);

/*
 * Names.  dkim_alg_parse: "rsa-sha256", "ed25519-sha256" (and
 * "rsa-sha1", which gives DKIM_ALG_RSA_SHA256 with *upgraded set);
 * -1 otherwise.  dkim_canon_parse: "simple", "relaxed" (= relaxed
 * header, simple body: RFC 6376 3.5), "a/b"; 0 or -1.
 */
int		 dkim_alg_parse(const char *, int *);
const char	*dkim_alg_name(int);
int		 dkim_canon_parse(const char *, int *, int *);
const char	*dkim_canon_name(int);

/*
 * The signer.  new: n specs (n may be 0, see dkim_sign_add); NULL with
 * a reason in err when a spec is unusable (no key, key and algorithm
 * differ, RSA under DKIM_RSA_MIN_BITS, bad d=, s=, i= or name).  The
 * spec strings are copied.
 */
struct dkim_sign *dkim_sign_new(const struct dkim_spec *, size_t, char *,
		    size_t);
/* Add one more signature; -1 (reason in dkim_sign_error) if unusable. */
int		 dkim_sign_add(struct dkim_sign *, const struct dkim_spec *);
/* Feed message octets; -1 once an error is known (it stays). */
int		 dkim_sign_update(struct dkim_sign *, const void *, size_t);
/* The header block once complete (else NULL); owned by the signer. */
const struct msghdr *dkim_sign_header(const struct dkim_sign *);
/*
 * The input is all there: the header ends here if it had not (a message
 * with no empty line) and is returned, so that signatures may still be
 * chosen and added; NULL on error.  dkim_sign_final() does this too.
 */
const struct msghdr *dkim_sign_eof(struct dkim_sign *);
/*
 * End of message: DKIM_OK with *out the fields (NUL-terminated too,
 * owned by the signer until dkim_sign_free), or DKIM_TEMPFAIL /
 * DKIM_PERMFAIL with the reason in dkim_sign_error().  No spec at all
 * is DKIM_OK with *outlen 0.
 */
int		 dkim_sign_final(struct dkim_sign *, const char **, size_t *);
const char	*dkim_sign_error(const struct dkim_sign *);
/*
 * The longest line fed so far, in octets without its line end: over
 * 998 (RFC 5322 2.1.1), a relay may re-wrap it after signing and break
 * the signature, which is worth a log line.
 */
size_t		 dkim_sign_longest_line(const struct dkim_sign *);
void		 dkim_sign_free(struct dkim_sign *);

/*
 * Building blocks, shared with a verifier and used by the tests.
 *
 * dkim_canon_body: the canonical form of a whole body (malloc'd, in
 * *outlen); dkim_body_hash: its SHA-256 in base64 (45 octets with the
 * NUL).  dkim_canon_header: one field's canonical form (raw field in,
 * with its line end, malloc'd out with CRLF).
 */
char		*dkim_canon_body(int, const void *, size_t, size_t *);
int		 dkim_body_hash(int, const void *, size_t, char *, size_t);
char		*dkim_canon_header(int, const char *, size_t, size_t *);
/*
 * dkim_header_hash: SHA-256 over the header fields that hlist (an h=
 * value: names separated by ':', with optional FWS) selects, bottom-up
 * instances, each canonicalized, then the signature field sig (raw,
 * with or without its line end) with its b= value deleted and no
 * line end.  0 or -1.
 */
int		 dkim_header_hash(const struct msghdr *, int, const char *,
		    const char *, size_t, unsigned char [32]);
/*
 * Sign a SHA-256 digest: RSA PKCS#1 v1.5, or Ed25519 over the 32-octet
 * digest (RFC 8463 3); the buffer holds DKIM_SIG_MAX octets.  0 or -1.
 */
int		 dkim_sign_digest(struct dkim_key *, const unsigned char [32],
		    unsigned char *, size_t *);

#endif /* MX_DKIM_H */
