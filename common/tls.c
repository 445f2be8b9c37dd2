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
 * OpenSSL 3.0 contexts: see tls.h.  One SSL_CTX per struct tls_ctx.  A
 * server's pki are kept as (cert, chain, key, names); the first one is
 * installed on the SSL_CTX and the SNI callback swaps another onto the
 * SSL when the client's name picks it.  The struct tls_ctx hangs off
 * the SSL_CTX's ex_data and is freed with the SSL_CTX, so sessions that
 * outlive tls_ctx_free() keep a valid callback argument.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "xmalloc.h"

#define TLS_ERRLEN		512
#define TLS_NAMELEN		255
#define TLS_SESSION_ID_CTX	"mxsuite"

/* libtls: "TLSv1.2+AEAD+ECDHE:TLSv1.2+AEAD+DHE"; OpenSSL lacks AEAD */
#define TLS_CIPHERS_SECURE	"ECDHE+AESGCM:ECDHE+CHACHA20:" \
				"DHE+AESGCM:DHE+CHACHA20:!aNULL:!aDSS"
#define TLS_CIPHERS_COMPAT	"HIGH:!aNULL"
#define TLS_CIPHERS_LEGACY	"HIGH:MEDIUM:!aNULL"
#define TLS_CIPHERS_ALL		"ALL:!aNULL:!eNULL"

struct tls_pki {
	X509		 *cert;
	STACK_OF(X509)	 *chain;
	EVP_PKEY	 *key;
	char		**names;
	size_t		  nnames;
};

struct tls_ctx {
	SSL_CTX		*ssl_ctx;
	int		 server;
	int		 seclevel;	/* OpenSSL's, as the ctx came */
	struct tls_pki	*pki;
	size_t		 npki;
	char		 error[TLS_ERRLEN];
};

static struct tls_ctx	*tls_ctx_alloc(int);
static void		 tls_ctx_exfree(void *, void *, CRYPTO_EX_DATA *, int,
			    long, void *);
static void		 tls_seterrx(struct tls_ctx *, const char *, ...)
			    __attribute__((__format__ (printf, 2, 3)));
static void		 tls_seterr(struct tls_ctx *, const char *, ...)
			    __attribute__((__format__ (printf, 2, 3)));
static int		 tls_nopass_cb(char *, int, int, void *);
static int		 tls_load_chain(struct tls_ctx *, BIO *, const char *,
			    X509 **, STACK_OF(X509) **);
static int		 tls_load_key(struct tls_ctx *, BIO *, const char *,
			    EVP_PKEY **);
static int		 tls_load_pair(struct tls_ctx *, BIO *, const char *,
			    BIO *, const char *, struct tls_pki *);
static int		 tls_add_pki(struct tls_ctx *, const char *, BIO *,
			    const char *, BIO *, const char *);
static BIO		*tls_open(struct tls_ctx *, const char *,
			    const char *);
static void		 tls_pki_clear(struct tls_pki *);
static int		 tls_pki_addname(struct tls_pki *, const char *,
			    size_t);
static int		 tls_pki_certnames(struct tls_pki *);
static int		 tls_normalize(const char *, char *, size_t);
static size_t		 tls_pki_match(struct tls_ctx *, const char *);
static int		 tls_sni_cb(SSL *, int *, void *);
static int		 tls_verify_optional_cb(int, X509_STORE_CTX *);
static int		 tls_new_store(struct tls_ctx *, const char *,
			    X509_STORE **);

/*
 * The ex_data slot that ties a struct tls_ctx to its SSL_CTX.  OpenSSL
 * hands out such indexes once per process, hence the one global.
 */
static int	tls_exdata_index = -1;

static struct tls_ctx *
tls_ctx_alloc(int server)
{
	struct tls_ctx	*ctx;
	SSL_CTX		*sctx;

	if (tls_exdata_index == -1) {
		tls_exdata_index = SSL_CTX_get_ex_new_index(0, NULL, NULL,
		    NULL, tls_ctx_exfree);
		if (tls_exdata_index == -1) {
			log_warnx("tls: no ex_data index: %s", tls_errors());
			return NULL;
		}
	}
	sctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method());
	if (sctx == NULL) {
		log_warnx("tls: SSL_CTX_new: %s", tls_errors());
		return NULL;
	}
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->ssl_ctx = sctx;
	ctx->server = server;
	ctx->seclevel = SSL_CTX_get_security_level(sctx);
	if (SSL_CTX_set_ex_data(sctx, tls_exdata_index, ctx) != 1) {
		log_warnx("tls: SSL_CTX_set_ex_data: %s", tls_errors());
		free(ctx);
		SSL_CTX_free(sctx);
		return NULL;
	}

	SSL_CTX_set_options(sctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(sctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	if (tls_set_protocols(ctx, "secure") == -1 ||
	    tls_set_ciphers(ctx, "secure") == -1) {
		log_warnx("tls: %s", ctx->error);
		tls_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

struct tls_ctx *
tls_server_new(void)
{
	struct tls_ctx	*ctx;
	SSL_CTX		*sctx;

	if ((ctx = tls_ctx_alloc(1)) == NULL)
		return NULL;
	sctx = ctx->ssl_ctx;
	SSL_CTX_set_options(sctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_tlsext_servername_callback(sctx, tls_sni_cb);
	SSL_CTX_set_tlsext_servername_arg(sctx, ctx);
	if (SSL_CTX_set_session_id_context(sctx,
	    (const unsigned char *)TLS_SESSION_ID_CTX,
	    sizeof(TLS_SESSION_ID_CTX) - 1) != 1 ||
	    tls_server_set_tickets(ctx, TLS_TICKETS_OFF, NULL, 0) == -1) {
		log_warnx("tls: %s", ctx->error);
		tls_ctx_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

struct tls_ctx *
tls_client_new(void)
{
	struct tls_ctx	*ctx;

	if ((ctx = tls_ctx_alloc(0)) == NULL)
		return NULL;
	if (tls_client_set_verify(ctx, TLS_VERIFY_NONE, NULL) == -1) {
		log_warnx("tls: %s", ctx->error);
		tls_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	/* The struct itself goes in tls_ctx_exfree with the last ref. */
	if (ctx != NULL)
		SSL_CTX_free(ctx->ssl_ctx);
}

static void
tls_ctx_exfree(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct tls_ctx	*ctx = ptr;
	size_t		 i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->npki; i++)
		tls_pki_clear(&ctx->pki[i]);
	free(ctx->pki);
	free(ctx);
}

const char *
tls_ctx_error(struct tls_ctx *ctx)
{
	return ctx->error[0] != '\0' ? ctx->error : "no error";
}

SSL_CTX *
tls_ctx_ssl_ctx(struct tls_ctx *ctx)
{
	return ctx->ssl_ctx;
}

static void
tls_seterrx(struct tls_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	ERR_clear_error();
}

/* Like tls_seterrx, then ": " and OpenSSL's queue. */
static void
tls_seterr(struct tls_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(ctx->error))
		(void)snprintf(ctx->error + n, sizeof(ctx->error) - n,
		    ": %s", tls_errors());
	ERR_clear_error();
}

const char *
tls_errors(void)
{
	/* A static buffer, as strerror(3): one thread per process. */
	static char	 buf[1024];
	char		 one[256];
	const char	*data;
	unsigned long	 e;
	size_t		 len = 0;
	int		 flags;

	buf[0] = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data,
	    &flags)) != 0) {
		ERR_error_string_n(e, one, sizeof(one));
		if (len > 0)
			(void)strlcat(buf, "; ", sizeof(buf));
		(void)strlcat(buf, one, sizeof(buf));
		if ((flags & ERR_TXT_STRING) && data != NULL &&
		    *data != '\0') {
			(void)strlcat(buf, " (", sizeof(buf));
			(void)strlcat(buf, data, sizeof(buf));
			(void)strlcat(buf, ")", sizeof(buf));
		}
		len = strlen(buf);
	}
	if (len == 0)
		(void)strlcpy(buf, "no OpenSSL error", sizeof(buf));
	return buf;
}

/*
 * Protocols.
 */

int
tls_parse_protocols(const char *str, uint32_t *out)
{
	char		 word[32];
	const char	*p = str;
	uint32_t	 protos = 0, proto;
	size_t		 n;
	int		 negate, any = 0;

	for (;;) {
		p += strspn(p, ",: \t");
		if (*p == '\0')
			break;
		n = strcspn(p, ",: \t");
		negate = 0;
		if (*p == '!') {
			negate = 1;
			p++;
			n--;
		}
		if (n == 0 || n >= sizeof(word))
			return -1;
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;

		if (strcasecmp(word, "all") == 0 ||
		    strcasecmp(word, "legacy") == 0 ||
		    strcasecmp(word, "tlsv1") == 0)
			proto = TLS_PROTOCOLS_ALL;
		else if (strcasecmp(word, "secure") == 0 ||
		    strcasecmp(word, "default") == 0)
			proto = TLS_PROTOCOLS_DEFAULT;
		else if (strcasecmp(word, "tlsv1.0") == 0)
			proto = TLS_PROTOCOL_TLSv1_0;
		else if (strcasecmp(word, "tlsv1.1") == 0)
			proto = TLS_PROTOCOL_TLSv1_1;
		else if (strcasecmp(word, "tlsv1.2") == 0)
			proto = TLS_PROTOCOL_TLSv1_2;
		else if (strcasecmp(word, "tlsv1.3") == 0)
			proto = TLS_PROTOCOL_TLSv1_3;
		else
			return -1;

		/* "!tlsv1.0" alone means everything but TLSv1.0. */
		if (negate && !any)
			protos = TLS_PROTOCOLS_ALL;
		if (negate)
			protos &= ~proto;
		else
			protos |= proto;
		any = 1;
	}
	if (!any || protos == 0)
		return -1;
	*out = protos;
	return 0;
}

int
tls_set_protocols(struct tls_ctx *ctx, const char *str)
{
	static const struct {
		uint32_t	bit;
		int		version;
		uint64_t	op;
	} map[] = {
		{ TLS_PROTOCOL_TLSv1_0, TLS1_VERSION, SSL_OP_NO_TLSv1 },
		{ TLS_PROTOCOL_TLSv1_1, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1 },
		{ TLS_PROTOCOL_TLSv1_2, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2 },
		{ TLS_PROTOCOL_TLSv1_3, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3 },
	};
	uint32_t	 protos;
	uint64_t	 off = 0, all = 0;
	size_t		 i;
	int		 min = 0, max = 0;

	if (str == NULL)
		str = "secure";
	if (tls_parse_protocols(str, &protos) == -1) {
		tls_seterrx(ctx, "unknown or empty protocol list '%s'", str);
		return -1;
	}
	for (i = 0; i < nitems(map); i++) {
		all |= map[i].op;
		if (protos & map[i].bit) {
			if (min == 0)
				min = map[i].version;
			max = map[i].version;
		} else
			off |= map[i].op;
	}
	if (SSL_CTX_set_min_proto_version(ctx->ssl_ctx, min) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx->ssl_ctx, max) != 1) {
		tls_seterr(ctx, "cannot set protocols '%s'", str);
		return -1;
	}
	/* Versions missing inside [min, max]: "tlsv1.0,tlsv1.2". */
	SSL_CTX_clear_options(ctx->ssl_ctx, all);
	SSL_CTX_set_options(ctx->ssl_ctx, off);
	return 0;
}

int
tls_set_ciphers(struct tls_ctx *ctx, const char *str)
{
	const char	*list;
	int		 level = ctx->seclevel;

	if (str == NULL || strcasecmp(str, "secure") == 0 ||
	    strcasecmp(str, "default") == 0)
		list = TLS_CIPHERS_SECURE;
	else if (strcasecmp(str, "compat") == 0)
		list = TLS_CIPHERS_COMPAT;
	else if (strcasecmp(str, "legacy") == 0)
		list = TLS_CIPHERS_LEGACY;
	else if (strcasecmp(str, "insecure") == 0 ||
	    strcasecmp(str, "all") == 0) {
		list = TLS_CIPHERS_ALL;
		level = 0;
	} else
		list = str;
	ERR_clear_error();
	if (SSL_CTX_set_cipher_list(ctx->ssl_ctx, list) != 1) {
		tls_seterr(ctx, "bad cipher list '%s'", str);
		return -1;
	}
	SSL_CTX_set_security_level(ctx->ssl_ctx, level);
	return 0;
}

int
tls_set_curves(struct tls_ctx *ctx, const char *str)
{
	const char	*list = str;

	/* OpenSSL 3.0's own default list. */
	if (list == NULL || strcasecmp(list, "default") == 0 ||
	    strcasecmp(list, "auto") == 0)
		list = "X25519:P-256:X448:P-521:P-384";
	ERR_clear_error();
	if (SSL_CTX_set1_groups_list(ctx->ssl_ctx, list) != 1) {
		tls_seterr(ctx, "bad curve list '%s'", str);
		return -1;
	}
	return 0;
}

/*
 * Certificates and keys.
 */

static int
tls_nopass_cb(char *buf, int size, int rwflag, void *u)
{
	/* Never prompt on a terminal for an encrypted key. */
	return -1;
}

static BIO *
tls_open(struct tls_ctx *ctx, const char *what, const char *path)
{
	BIO	*bio;

	if (path == NULL || *path == '\0') {
		tls_seterrx(ctx, "no %s file given", what);
		return NULL;
	}
	errno = 0;
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		tls_seterrx(ctx, "%s %s: %s", what, path,
		    errno ? strerror(errno) : "cannot open");
		return NULL;
	}
	return bio;
}

static int
tls_load_chain(struct tls_ctx *ctx, BIO *bio, const char *label,
    X509 **certp, STACK_OF(X509) **chainp)
{
	X509		*cert, *x;
	STACK_OF(X509)	*chain;
	unsigned long	 e;

	ERR_clear_error();
	cert = PEM_read_bio_X509_AUX(bio, NULL, tls_nopass_cb, NULL);
	if (cert == NULL) {
		tls_seterr(ctx, "certificate %s: no PEM certificate", label);
		return -1;
	}
	if ((chain = sk_X509_new_null()) == NULL)
		fatalx("tls: out of memory");
	while ((x = PEM_read_bio_X509(bio, NULL, tls_nopass_cb,
	    NULL)) != NULL) {
		if (sk_X509_push(chain, x) == 0)
			fatalx("tls: out of memory");
	}
	/* The loop must have ended at the end of the file, nowhere else. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	else if (e != 0) {
		tls_seterr(ctx, "certificate %s: bad chain certificate #%d",
		    label, sk_X509_num(chain) + 2);
		X509_free(cert);
		sk_X509_pop_free(chain, X509_free);
		return -1;
	}
	*certp = cert;
	*chainp = chain;
	return 0;
}

static int
tls_load_key(struct tls_ctx *ctx, BIO *bio, const char *label,
    EVP_PKEY **keyp)
{
	EVP_PKEY	*key;

	ERR_clear_error();
	key = PEM_read_bio_PrivateKey(bio, NULL, tls_nopass_cb, NULL);
	if (key == NULL) {
		tls_seterr(ctx, "key %s: no usable PEM private key "
		    "(encrypted keys are not supported)", label);
		return -1;
	}
	*keyp = key;
	return 0;
}

static int
tls_load_pair(struct tls_ctx *ctx, BIO *cbio, const char *clabel,
    BIO *kbio, const char *klabel, struct tls_pki *pki)
{
	memset(pki, 0, sizeof(*pki));
	if (tls_load_chain(ctx, cbio, clabel, &pki->cert, &pki->chain) == -1)
		return -1;
	if (tls_load_key(ctx, kbio, klabel, &pki->key) == -1) {
		tls_pki_clear(pki);
		return -1;
	}
	ERR_clear_error();
	if (X509_check_private_key(pki->cert, pki->key) != 1) {
		tls_seterrx(ctx, "key %s does not match certificate %s",
		    klabel, clabel);
		tls_pki_clear(pki);
		return -1;
	}
	return 0;
}

static void
tls_pki_clear(struct tls_pki *pki)
{
	size_t	i;

	X509_free(pki->cert);
	sk_X509_pop_free(pki->chain, X509_free);
	EVP_PKEY_free(pki->key);
	for (i = 0; i < pki->nnames; i++)
		free(pki->names[i]);
	free(pki->names);
	memset(pki, 0, sizeof(*pki));
}

/*
 * Store a name in lower case without a trailing dot.  Names with a NUL
 * or a blank in them, or too long, are not names: skipped.
 */
static int
tls_pki_addname(struct tls_pki *pki, const char *name, size_t len)
{
	char	buf[TLS_NAMELEN + 1];
	size_t	i;

	if (len == 0 || len > TLS_NAMELEN || memchr(name, '\0', len) != NULL)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (tls_normalize(buf, buf, sizeof(buf)) == -1)
		return -1;
	for (i = 0; i < pki->nnames; i++)
		if (strcmp(pki->names[i], buf) == 0)
			return 0;
	pki->names = xreallocarray(pki->names, pki->nnames + 1,
	    sizeof(*pki->names));
	pki->names[pki->nnames++] = xstrdup(buf);
	return 0;
}

static int
tls_pki_certnames(struct tls_pki *pki)
{
	GENERAL_NAMES		*sans;
	const GENERAL_NAME	*gn;
	X509_NAME		*subj;
	X509_NAME_ENTRY		*ent;
	unsigned char		*utf8;
	int			 i, n, dns = 0;

	sans = X509_get_ext_d2i(pki->cert, NID_subject_alt_name, NULL, NULL);
	if (sans != NULL) {
		n = sk_GENERAL_NAME_num(sans);
		for (i = 0; i < n; i++) {
			gn = sk_GENERAL_NAME_value(sans, i);
			if (gn->type != GEN_DNS)
				continue;
			dns++;
			(void)tls_pki_addname(pki, (const char *)
			    ASN1_STRING_get0_data(gn->d.dNSName),
			    ASN1_STRING_length(gn->d.dNSName));
		}
		GENERAL_NAMES_free(sans);
	}
	if (dns > 0)
		return 0;
	/* No DNS subjectAltName: the subject's (last) CN. */
	subj = X509_get_subject_name(pki->cert);
	i = -1;
	while ((n = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0)
		i = n;
	if (i < 0 || (ent = X509_NAME_get_entry(subj, i)) == NULL)
		return 0;
	if ((n = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(ent))) < 0) {
		ERR_clear_error();
		return 0;
	}
	(void)tls_pki_addname(pki, (const char *)utf8, n);
	OPENSSL_free(utf8);
	return 0;
}

/* Lower case, no trailing dot, only printable non-blank characters. */
static int
tls_normalize(const char *in, char *out, size_t outlen)
{
	size_t	len, i;

	len = strlen(in);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isgraph((unsigned char)in[i]))
			return -1;
		out[i] = tolower((unsigned char)in[i]);
	}
	out[len] = '\0';
	return 0;
}

static int
tls_add_pki(struct tls_ctx *ctx, const char *name, BIO *cbio,
    const char *clabel, BIO *kbio, const char *klabel)
{
	struct tls_pki	 pki;

	if (!ctx->server) {
		tls_seterrx(ctx, "pki on a client context");
		return -1;
	}
	if (tls_load_pair(ctx, cbio, clabel, kbio, klabel, &pki) == -1)
		return -1;
	if (name != NULL && tls_pki_addname(&pki, name, strlen(name)) == -1) {
		tls_seterrx(ctx, "pki %s: bad name '%s'", clabel, name);
		tls_pki_clear(&pki);
		return -1;
	}
	(void)tls_pki_certnames(&pki);
	if (pki.nnames == 0)
		log_debug("tls: certificate %s carries no DNS name", clabel);
	if (ctx->npki == 0) {
		ERR_clear_error();
		if (SSL_CTX_use_cert_and_key(ctx->ssl_ctx, pki.cert, pki.key,
		    pki.chain, 1) != 1) {
			tls_seterr(ctx, "certificate %s", clabel);
			tls_pki_clear(&pki);
			return -1;
		}
	}
	ctx->pki = xreallocarray(ctx->pki, ctx->npki + 1, sizeof(*ctx->pki));
	ctx->pki[ctx->npki++] = pki;
	return 0;
}

int
tls_server_add_pki(struct tls_ctx *ctx, const char *name, const char *cert,
    const char *key)
{
	BIO	*cbio, *kbio;
	int	 rv;

	if ((cbio = tls_open(ctx, "certificate", cert)) == NULL)
		return -1;
	if ((kbio = tls_open(ctx, "key", key)) == NULL) {
		BIO_free(cbio);
		return -1;
	}
	rv = tls_add_pki(ctx, name, cbio, cert, kbio, key);
	BIO_free(cbio);
	BIO_free(kbio);
	return rv;
}

int
tls_server_add_pki_mem(struct tls_ctx *ctx, const char *name,
    const char *cert, size_t certlen, const char *key, size_t keylen)
{
	BIO	*cbio, *kbio;
	int	 rv;

	if (certlen > INT_MAX || keylen > INT_MAX) {
		tls_seterrx(ctx, "pki %s: too large", name ? name : "");
		return -1;
	}
	if ((cbio = BIO_new_mem_buf(cert, (int)certlen)) == NULL ||
	    (kbio = BIO_new_mem_buf(key, (int)keylen)) == NULL)
		fatalx("tls: out of memory");
	rv = tls_add_pki(ctx, name, cbio, "(memory)", kbio, "(memory)");
	BIO_free(cbio);
	BIO_free(kbio);
	return rv;
}

size_t
tls_server_npki(struct tls_ctx *ctx)
{
	return ctx->npki;
}

/*
 * The pki for SNI name: exact match, then wildcard, then the first.
 */
static size_t
tls_pki_match(struct tls_ctx *ctx, const char *name)
{
	char		 buf[TLS_NAMELEN + 1];
	const char	*dot, *n;
	size_t		 i, j;

	if (name == NULL || tls_normalize(name, buf, sizeof(buf)) == -1)
		return 0;
	for (i = 0; i < ctx->npki; i++)
		for (j = 0; j < ctx->pki[i].nnames; j++)
			if (strcmp(ctx->pki[i].names[j], buf) == 0)
				return i;
	dot = strchr(buf, '.');
	if (dot == NULL || dot == buf)
		return 0;
	for (i = 0; i < ctx->npki; i++)
		for (j = 0; j < ctx->pki[i].nnames; j++) {
			n = ctx->pki[i].names[j];
			if (n[0] == '*' && n[1] == '.' &&
			    strcmp(n + 1, dot) == 0)
				return i;
		}
	return 0;
}

static int
tls_sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct tls_ctx	*ctx = arg;
	struct tls_pki	*pki;
	size_t		 i;

	if (ctx->npki == 0) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	i = tls_pki_match(ctx,
	    SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
	if (i == 0)
		return SSL_TLSEXT_ERR_OK;	/* the SSL_CTX's own */
	pki = &ctx->pki[i];
	SSL_certs_clear(ssl);
	if (SSL_use_cert_and_key(ssl, pki->cert, pki->key, pki->chain,
	    1) != 1) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

int
tls_server_set_dhparams(struct tls_ctx *ctx, const char *how)
{
	EVP_PKEY	*dh;
	BIO		*bio;

	if (how == NULL || strcasecmp(how, "none") == 0) {
		SSL_CTX_set_dh_auto(ctx->ssl_ctx, 0);
		SSL_CTX_set0_tmp_dh_pkey(ctx->ssl_ctx, NULL);
		return 0;
	}
	if (strcasecmp(how, "auto") == 0 || strcasecmp(how, "legacy") == 0) {
		SSL_CTX_set0_tmp_dh_pkey(ctx->ssl_ctx, NULL);
		SSL_CTX_set_dh_auto(ctx->ssl_ctx, 1);
		return 0;
	}
	if ((bio = tls_open(ctx, "dhparams", how)) == NULL)
		return -1;
	ERR_clear_error();
	dh = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	if (dh == NULL || !EVP_PKEY_is_a(dh, "DH")) {
		EVP_PKEY_free(dh);
		tls_seterr(ctx, "dhparams %s: no PEM DH parameters", how);
		return -1;
	}
	if (SSL_CTX_set0_tmp_dh_pkey(ctx->ssl_ctx, dh) != 1) {
		EVP_PKEY_free(dh);
		tls_seterr(ctx, "dhparams %s", how);
		return -1;
	}
	SSL_CTX_set_dh_auto(ctx->ssl_ctx, 0);
	return 0;
}

int
tls_server_set_prefer_server_ciphers(struct tls_ctx *ctx, int on)
{
	if (on)
		SSL_CTX_set_options(ctx->ssl_ctx,
		    SSL_OP_CIPHER_SERVER_PREFERENCE);
	else
		SSL_CTX_clear_options(ctx->ssl_ctx,
		    SSL_OP_CIPHER_SERVER_PREFERENCE);
	return 0;
}

int
tls_server_set_tickets(struct tls_ctx *ctx, int mode,
    const unsigned char *key, size_t keylen)
{
	unsigned char	 rnd[TLS_TICKET_KEYLEN];
	SSL_CTX		*sctx = ctx->ssl_ctx;

	/* Never a server-side cache: stateless tickets or nothing. */
	SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
	switch (mode) {
	case TLS_TICKETS_OFF:
		SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
		(void)SSL_CTX_set_num_tickets(sctx, 0);
		return 0;
	case TLS_TICKETS_RANDOM:
		if (RAND_priv_bytes(rnd, sizeof(rnd)) != 1) {
			tls_seterr(ctx, "no random ticket key");
			return -1;
		}
		key = rnd;
		keylen = sizeof(rnd);
		break;
	case TLS_TICKETS_KEY:
		if (key == NULL || keylen != TLS_TICKET_KEYLEN) {
			tls_seterrx(ctx, "ticket key must be %d bytes",
			    TLS_TICKET_KEYLEN);
			return -1;
		}
		break;
	default:
		tls_seterrx(ctx, "unknown ticket mode %d", mode);
		return -1;
	}
	if (SSL_CTX_set_tlsext_ticket_keys(sctx, (void *)(uintptr_t)key,
	    keylen) != 1) {
		explicit_bzero(rnd, sizeof(rnd));
		tls_seterr(ctx, "cannot set ticket key");
		return -1;
	}
	explicit_bzero(rnd, sizeof(rnd));
	SSL_CTX_clear_options(sctx, SSL_OP_NO_TICKET);
	(void)SSL_CTX_set_num_tickets(sctx, 2);
	return 0;
}

static int
tls_verify_optional_cb(int preverify_ok, X509_STORE_CTX *xctx)
{
	/* Go on; SSL_get_verify_result() keeps the verdict. */
	return 1;
}

/* A fresh store from cafile (file or directory), or the system's. */
static int
tls_new_store(struct tls_ctx *ctx, const char *cafile, X509_STORE **out)
{
	X509_STORE	*store;
	BIO		*bio;
	int		 ok;

	if ((store = X509_STORE_new()) == NULL)
		fatalx("tls: out of memory");
	ERR_clear_error();
	if (cafile == NULL)
		ok = X509_STORE_set_default_paths(store);
	else {
		/* Say "no such file" rather than OpenSSL's "system lib". */
		if ((bio = tls_open(ctx, "CA", cafile)) == NULL) {
			X509_STORE_free(store);
			return -1;
		}
		BIO_free(bio);
		ok = X509_STORE_load_file(store, cafile);
		if (!ok) {
			ERR_clear_error();
			ok = X509_STORE_load_path(store, cafile);
		}
	}
	if (!ok) {
		tls_seterr(ctx, "CA %s", cafile ? cafile : "(system store)");
		X509_STORE_free(store);
		return -1;
	}
	ERR_clear_error();
	*out = store;
	return 0;
}

int
tls_server_set_verify_client(struct tls_ctx *ctx, int mode,
    const char *cafile)
{
	STACK_OF(X509_NAME)	*names;
	X509_STORE		*store;

	if (!ctx->server) {
		tls_seterrx(ctx, "client verification on a client context");
		return -1;
	}
	if (mode == TLS_VERIFY_NONE) {
		SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (mode != TLS_VERIFY_OPTIONAL && mode != TLS_VERIFY_REQUIRE) {
		tls_seterrx(ctx, "unknown verify mode %d", mode);
		return -1;
	}
	if (cafile == NULL) {
		tls_seterrx(ctx, "client verification needs a CA file");
		return -1;
	}
	if (tls_new_store(ctx, cafile, &store) == -1)
		return -1;
	if ((names = SSL_load_client_CA_file(cafile)) == NULL) {
		tls_seterr(ctx, "CA %s: no CA names", cafile);
		X509_STORE_free(store);
		return -1;
	}
	SSL_CTX_set_cert_store(ctx->ssl_ctx, store);
	SSL_CTX_set_client_CA_list(ctx->ssl_ctx, names);
	if (mode == TLS_VERIFY_OPTIONAL)
		SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER,
		    tls_verify_optional_cb);
	else
		SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

int
tls_client_set_verify(struct tls_ctx *ctx, int mode, const char *cafile)
{
	X509_STORE	*store;

	if (ctx->server) {
		tls_seterrx(ctx, "server verification on a server context");
		return -1;
	}
	if (mode != TLS_VERIFY_NONE && mode != TLS_VERIFY_REQUIRE) {
		tls_seterrx(ctx, "unknown verify mode %d", mode);
		return -1;
	}
	if (tls_new_store(ctx, cafile, &store) == -1) {
		/* Opportunistic without a store: every peer is "fail". */
		if (mode != TLS_VERIFY_NONE || cafile != NULL)
			return -1;
		if ((store = X509_STORE_new()) == NULL)
			fatalx("tls: out of memory");
		ctx->error[0] = '\0';
	}
	SSL_CTX_set_cert_store(ctx->ssl_ctx, store);
	SSL_CTX_set_verify(ctx->ssl_ctx, mode == TLS_VERIFY_REQUIRE ?
	    SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	return 0;
}

int
tls_client_set_cert(struct tls_ctx *ctx, const char *cert, const char *key)
{
	struct tls_pki	 pki;
	BIO		*cbio, *kbio;
	int		 rv;

	if ((cbio = tls_open(ctx, "certificate", cert)) == NULL)
		return -1;
	if ((kbio = tls_open(ctx, "key", key)) == NULL) {
		BIO_free(cbio);
		return -1;
	}
	rv = tls_load_pair(ctx, cbio, cert, kbio, key, &pki);
	BIO_free(cbio);
	BIO_free(kbio);
	if (rv == -1)
		return -1;
	ERR_clear_error();
	if (SSL_CTX_use_cert_and_key(ctx->ssl_ctx, pki.cert, pki.key,
	    pki.chain, 1) != 1) {
		tls_seterr(ctx, "certificate %s", cert);
		rv = -1;
	}
	tls_pki_clear(&pki);
	return rv;
}

/*
 * Sessions.
 */

SSL *
tls_ssl_new(struct tls_ctx *ctx)
{
	SSL	*ssl;

	ERR_clear_error();
	if (ctx->server && ctx->npki == 0) {
		tls_seterrx(ctx, "server context without a certificate");
		return NULL;
	}
	if ((ssl = SSL_new(ctx->ssl_ctx)) == NULL)
		tls_seterr(ctx, "SSL_new");
	return ssl;
}

int
tls_ssl_set_servername(SSL *ssl, const char *name)
{
	X509_VERIFY_PARAM	*param;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	char			 buf[INET6_ADDRSTRLEN + 2];
	char			 host[TLS_NAMELEN + 1];
	size_t			 len;

	if (name == NULL || *name == '\0')
		return -1;
	param = SSL_get0_param(ssl);
	/* An address literal, bare or as "[::1]": no SNI, check the IP. */
	len = strlen(name);
	if (name[0] == '[' && len > 2 && name[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, name + 1, len - 2);
		buf[len - 2] = '\0';
	} else if (strlcpy(buf, name, sizeof(buf)) >= sizeof(buf))
		buf[0] = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1 ||
	    inet_pton(AF_INET6, buf, &a6) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(param, buf) == 1 ? 0 : -1;

	/* "mx.example.org." is a name too, but SNI carries no dot. */
	if (tls_normalize(name, host, sizeof(host)) == -1)
		return -1;
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1 ||
	    SSL_set_tlsext_host_name(ssl, host) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
tls_ssl_describe(SSL *ssl, char *buf, size_t len)
{
	const SSL_CIPHER	*cipher;
	const char		*verify;
	int			 n;

	if (!SSL_is_init_finished(ssl) ||
	    (cipher = SSL_get_current_cipher(ssl)) == NULL)
		return -1;
	if (SSL_get0_peer_certificate(ssl) == NULL)
		verify = "none";
	else if (SSL_get_verify_result(ssl) == X509_V_OK)
		verify = "ok";
	else
		verify = "fail";
	n = snprintf(buf, len, "version=%s cipher=%s bits=%d verify=%s",
	    SSL_get_version(ssl), SSL_CIPHER_get_name(cipher),
	    SSL_CIPHER_get_bits(cipher, NULL), verify);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

const char *
tls_ssl_verify_error(SSL *ssl)
{
	long	r;

	if (SSL_get0_peer_certificate(ssl) == NULL)
		return "no peer certificate";
	r = SSL_get_verify_result(ssl);
	return r == X509_V_OK ? "ok" : X509_verify_cert_error_string(r);
}

const char *
tls_ssl_servername(SSL *ssl)
{
	return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
}

int
tls_peer_subject(SSL *ssl, char *buf, size_t len)
{
	X509	*peer;
	BIO	*bio;
	char	*data;
	long	 n;
	int	 rv = -1;

	if ((peer = SSL_get0_peer_certificate(ssl)) == NULL || len == 0)
		return -1;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatalx("tls: out of memory");
	if (X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0,
	    XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		if (n >= 0 && (size_t)n < len) {
			memcpy(buf, data, n);
			buf[n] = '\0';
			rv = 0;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	return rv;
}

int
tls_peer_fingerprint(SSL *ssl, char *buf, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	X509			*peer;

	if ((peer = SSL_get0_peer_certificate(ssl)) == NULL)
		return -1;
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) != 1) {
		ERR_clear_error();
		return -1;
	}
	if (len < sizeof("SHA256:") + 2 * (size_t)mdlen)
		return -1;
	(void)strlcpy(buf, "SHA256:", len);
	for (i = 0; i < mdlen; i++) {
		buf[7 + 2 * i] = hex[md[i] >> 4];
		buf[7 + 2 * i + 1] = hex[md[i] & 0x0f];
	}
	buf[7 + 2 * mdlen] = '\0';
	return 0;
}
