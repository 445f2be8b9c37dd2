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
 * DKIM keys: loading (PKCS#1, PKCS#8, dkimpy's Ed25519 seed),
 * generating, the public key for the DNS record, and signing a digest.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "dkim.h"
#include "dkim_int.h"
#include "xmalloc.h"

#define KEYFILE_MAX	(64 * 1024)

struct dkim_key {
	EVP_PKEY	*pkey;
	int		 type;
	int		 refs;
};

static struct dkim_key	*dkim_key_wrap(EVP_PKEY *, char *, size_t);
static int		 dkim_key_nopass(char *, int, int, void *);
static EVP_PKEY		*dkim_key_seed(const char *, size_t);
static void		 dkim_key_sslerr(char *, size_t, const char *);
static char		*dkim_tag(const char *, const char *);
static int		 dkim_in_colon_list(const char *, const char *);

static void
dkim_key_sslerr(char *err, size_t errlen, const char *what)
{
	unsigned long	e = ERR_get_error();
	char		buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		(void)snprintf(err, errlen, "%s: %s", what, buf);
	} else
		(void)snprintf(err, errlen, "%s", what);
	ERR_clear_error();
}

static int
dkim_key_nopass(char *buf, int size, int rw, void *arg)
{
	return 0;	/* no passphrase: encrypted keys fail */
}

static struct dkim_key *
dkim_key_wrap(EVP_PKEY *pkey, char *err, size_t errlen)
{
	struct dkim_key	*k;
	int		 type;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		type = DKIM_KEY_RSA;
		break;
	case EVP_PKEY_ED25519:
		type = DKIM_KEY_ED25519;
		break;
	default:
		(void)snprintf(err, errlen,
		    "not an RSA or Ed25519 private key");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	k->type = type;
	k->refs = 1;
	return k;
}

/* dkimpy's Ed25519 key: one line, base64 of the 32-octet seed. */
static EVP_PKEY *
dkim_key_seed(const char *buf, size_t len)
{
	unsigned char	 seed[48];
	char		 line[64];
	EVP_PKEY	*pkey;
	size_t		 n = len;
	int		 dlen;

	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n != 44 || memchr(buf, '\n', n) != NULL)
		return NULL;
	memcpy(line, buf, n);
	line[n] = '\0';
	dlen = EVP_DecodeBlock(seed, (unsigned char *)line, (int)n);
	explicit_bzero(line, sizeof(line));
	/* 44 base64 chars with one '=' pad: 33 octets decoded, 32 real */
	if (dlen != 33 || buf[43] != '=' || buf[42] == '=') {
		explicit_bzero(seed, sizeof(seed));
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	explicit_bzero(seed, sizeof(seed));
	return pkey;
}

struct dkim_key *
dkim_key_from_pem(const void *buf, size_t len, char *err, size_t errlen)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*bio;

	if (len > KEYFILE_MAX) {
		(void)snprintf(err, errlen, "key too large");
		return NULL;
	}
	if (memmem(buf, len, "-----BEGIN", 10) == NULL) {
		if ((pkey = dkim_key_seed(buf, len)) != NULL)
			return dkim_key_wrap(pkey, err, errlen);
		ERR_clear_error();
		(void)snprintf(err, errlen, "no PEM private key");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		dkim_key_sslerr(err, errlen, "BIO_new_mem_buf");
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, dkim_key_nopass, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		dkim_key_sslerr(err, errlen, "cannot read private key");
		return NULL;
	}
	return dkim_key_wrap(pkey, err, errlen);
}

struct dkim_key *
dkim_key_load(const char *path, char *err, size_t errlen)
{
	struct dkim_key	*k;
	struct stat	 st;
	char		*buf;
	ssize_t		 r;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > KEYFILE_MAX) {
		(void)snprintf(err, errlen, "%s: not a key file", path);
		close(fd);
		return NULL;
	}
	buf = xmalloc(KEYFILE_MAX + 1);
	while (len < KEYFILE_MAX) {
		r = read(fd, buf + len, KEYFILE_MAX - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			(void)snprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			close(fd);
			freezero(buf, KEYFILE_MAX + 1);
			return NULL;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	k = dkim_key_from_pem(buf, len, err, errlen);
	freezero(buf, KEYFILE_MAX + 1);
	if (k == NULL && err[0] != '\0') {
		char	tmp[256];

		(void)snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		(void)strlcpy(err, tmp, errlen);
	}
	return k;
}

struct dkim_key *
dkim_key_generate(int type, int bits, char *err, size_t errlen)
{
	EVP_PKEY	*pkey = NULL;

	switch (type) {
	case DKIM_KEY_RSA:
		if (bits == 0)
			bits = 2048;
		if (bits < DKIM_RSA_MIN_BITS || bits > 8192) {
			(void)snprintf(err, errlen,
			    "RSA key size %d not in %d..8192", bits,
			    DKIM_RSA_MIN_BITS);
			return NULL;
		}
		pkey = EVP_RSA_gen((unsigned int)bits);
		break;
	case DKIM_KEY_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		(void)snprintf(err, errlen, "unknown key type");
		return NULL;
	}
	if (pkey == NULL) {
		dkim_key_sslerr(err, errlen, "key generation failed");
		return NULL;
	}
	return dkim_key_wrap(pkey, err, errlen);
}

struct dkim_key *
dkim_key_ref(struct dkim_key *k)
{
	k->refs++;
	return k;
}

void
dkim_key_free(struct dkim_key *k)
{
	if (k == NULL || --k->refs > 0)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
dkim_key_type(const struct dkim_key *k)
{
	return k->type;
}

int
dkim_key_bits(const struct dkim_key *k)
{
	return EVP_PKEY_get_bits(k->pkey);
}

char *
dkim_key_public_b64(const struct dkim_key *k)
{
	unsigned char	*der = NULL, raw[32];
	char		*out;
	size_t		 rawlen = sizeof(raw);
	int		 len;

	if (k->type == DKIM_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &rawlen) != 1 ||
		    rawlen != 32) {
			ERR_clear_error();
			return NULL;
		}
		return dkim_b64(raw, rawlen);
	}
	if ((len = i2d_PUBKEY(k->pkey, &der)) <= 0) {
		ERR_clear_error();
		return NULL;
	}
	out = dkim_b64(der, (size_t)len);
	OPENSSL_free(der);
	return out;
}

char *
dkim_key_private_pem(const struct dkim_key *k)
{
	BIO	*bio;
	BUF_MEM	*mem;
	char	*out = NULL;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
	    NULL) == 1) {
		BIO_get_mem_ptr(bio, &mem);
		out = xmalloc(mem->length + 1);
		memcpy(out, mem->data, mem->length);
		out[mem->length] = '\0';
	}
	ERR_clear_error();
	BIO_free(bio);	/* BIO_s_mem clears its buffer on free */
	return out;
}

char *
dkim_record_from_zone(const char *text)
{
	const char	*p;
	char		*out, *o;
	int		 inq = 0, any = 0;

	o = out = xmalloc(strlen(text) + 1);
	for (p = text; *p != '\0'; p++) {
		if (!inq && *p == ';' && any)
			break;		/* the zone file's comment */
		if (*p == '"') {
			inq = !inq;
			any = 1;
			continue;
		}
		if (!inq)
			continue;
		if (*p == '\\' && p[1] != '\0')
			p++;
		*o++ = *p;
	}
	*o = '\0';
	if (!any) {
		free(out);
		return xstrdup(text);
	}
	return out;
}

/* A tag's value in a tag=value list, WSP removed (malloc'd), or NULL. */
static char *
dkim_tag(const char *rec, const char *tag)
{
	const char	*p = rec, *name, *end;
	char		*out, *o;
	size_t		 tl = strlen(tag);

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == ';')
			p++;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';')
			p++;
		end = p;
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (*p != '=')
			continue;
		p++;
		if ((size_t)(end - name) == tl && strncmp(name, tag, tl) == 0) {
			o = out = xmalloc(strlen(p) + 1);
			for (; *p != '\0' && *p != ';'; p++)
				if (*p != ' ' && *p != '\t' && *p != '\r' &&
				    *p != '\n')
					*o++ = *p;
			*o = '\0';
			return out;
		}
		while (*p != '\0' && *p != ';')
			p++;
	}
	return NULL;
}

/* Is word one of the ':'-separated items of list? */
static int
dkim_in_colon_list(const char *list, const char *word)
{
	size_t	n = strlen(word), k;

	while (*list != '\0') {
		k = strcspn(list, ":");
		if (k == n && strncmp(list, word, n) == 0)
			return 1;
		list += k;
		if (*list == ':')
			list++;
	}
	return 0;
}

int
dkim_key_check_record(const struct dkim_key *k, const char *rec, char *err,
    size_t errlen)
{
	char	*v, *kt, *h, *p, *mine = NULL;
	int	 ret = -1;

	v = dkim_tag(rec, "v");
	kt = dkim_tag(rec, "k");
	h = dkim_tag(rec, "h");
	p = dkim_tag(rec, "p");
	if (v != NULL && strcmp(v, "DKIM1") != 0)
		(void)snprintf(err, errlen, "v=%s, not DKIM1", v);
	else if (strcmp(kt ? kt : "rsa", k->type == DKIM_KEY_RSA ? "rsa" :
	    "ed25519") != 0)
		(void)snprintf(err, errlen, "k=%s for an %s key",
		    kt ? kt : "rsa", k->type == DKIM_KEY_RSA ? "RSA" :
		    "Ed25519");
	else if (p == NULL || *p == '\0')
		(void)snprintf(err, errlen, "no public key (p=)");
	else if ((mine = dkim_key_public_b64(k)) == NULL ||
	    strcmp(mine, p) != 0)
		(void)snprintf(err, errlen, "p= is another key");
	else {
		ret = 0;
		if (h != NULL && !dkim_in_colon_list(h, "sha256")) {
			(void)snprintf(err, errlen,
			    "h=%s does not allow sha256", h);
			ret = -1;
		}
	}
	free(v);
	free(kt);
	free(h);
	free(p);
	free(mine);
	return ret;
}

int
dkim_sign_digest(struct dkim_key *k, const unsigned char digest[32],
    unsigned char *sig, size_t *siglen)
{
	EVP_PKEY_CTX	*pctx = NULL;
	EVP_MD_CTX	*mctx = NULL;
	size_t		 len = DKIM_SIG_MAX;
	int		 ret = -1;

	if ((size_t)EVP_PKEY_get_size(k->pkey) > DKIM_SIG_MAX)
		return -1;
	if (k->type == DKIM_KEY_RSA) {
		/* RSASSA-PKCS1-v1_5 with the SHA-256 DigestInfo */
		if ((pctx = EVP_PKEY_CTX_new(k->pkey, NULL)) == NULL ||
		    EVP_PKEY_sign_init(pctx) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) != 1 ||
		    EVP_PKEY_sign(pctx, sig, &len, digest, 32) != 1)
			goto done;
	} else {
		/* RFC 8463 3: PureEdDSA over the 32-octet digest */
		if ((mctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestSignInit(mctx, NULL, NULL, NULL,
		    k->pkey) != 1 ||
		    EVP_DigestSign(mctx, sig, &len, digest, 32) != 1)
			goto done;
	}
	*siglen = len;
	ret = 0;
 done:
	ERR_clear_error();
	EVP_PKEY_CTX_free(pctx);
	EVP_MD_CTX_free(mctx);
	return ret;
}
