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
 * common/tls: a CA hierarchy made here with the openssl CLI in a temp
 * directory, real handshakes between a client and a server SSL in this
 * process over an in-memory BIO pair.
 *
 *	root CA (EC) -> intermediate CA (EC) -> mail.example.org (RSA,
 *	    PKCS#8 key; SANs mail/smtp.example.org; chain file leaf+int)
 *	root CA -> *.example.net (RSA, PKCS#1 key, CN only, no SAN)
 *	evil CA (not trusted) -> mail.example.org (EC)
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "io.h"
#include "log.h"
#include "tls.h"
#include "tap.h"

#define MAIL_SUBJ	"CN=mail.example.org,O=Example"
#define NET_SUBJ	"CN=*.example.net,O=Example Net"
#define EVIL_SUBJ	"CN=mail.example.org,O=Evil"

struct hs {
	int	ok;		/* both sides finished */
	int	cfail;		/* client failed */
	int	sfail;		/* server failed */
	char	cerr[1024];	/* OpenSSL's reason on the failing side */
	char	serr[1024];
};

/* One end of a connection driven through common/io. */
struct end {
	struct event_base	*base;
	int			 ready;		/* IO_TLSREADY seen */
	int			 error;		/* IO_ERROR/IO_CLOSED seen */
	int			*other;		/* the other end's ready */
};

static char	tmpdir[] = "/tmp/t_tls.XXXXXX";

static const char	*fpath(const char *);
static int		 sh(const char *, ...)
			    __attribute__((__format__ (printf, 1, 2)));
static int		 make_pki(void);
static void		 rm_tmpdir(void);
static int		 first_line(const char *, const char *);
static char		*slurp(const char *, size_t *);
static void		 handshake(SSL *, SSL *, struct hs *);
static int		 try(struct tls_ctx *, struct tls_ctx *, const char *,
			    struct hs *, char *, size_t, char *, size_t);
static void		 check_sni(struct tls_ctx *, struct tls_ctx *,
			    const char *, const char *);
static struct tls_ctx	*server_ctx(void);
static void		 end_cb(struct io *, int, void *);
static void		 io_check(struct tls_ctx *, struct tls_ctx *);
static struct tls_ctx	*client_ctx(int, const char *, const char *);

/* A path in the temp dir; a ring of buffers so a few can live at once. */
static const char *
fpath(const char *name)
{
	static char	buf[8][PATH_MAX];
	static int	i;
	int		n;

	i = (i + 1) % 8;
	n = snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	if (n < 0 || (size_t)n >= sizeof(buf[i]))
		abort();
	return buf[i];
}

static int
sh(const char *fmt, ...)
{
	char	cmd[4096];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	n = system(cmd);
	if (n != 0)
		diag("command failed (%d): %s", n, cmd);
	return n == 0 ? 0 : -1;
}

static int
make_pki(void)
{
	static const char *script =
	    "exec >log 2>&1\nset -e\n"
	    "o() { openssl \"$@\"; }\n"
	    "ec() { o genpkey -algorithm EC"
	    " -pkeyopt ec_paramgen_curve:P-256 -out $1; }\n"
	    "printf 'basicConstraints=critical,CA:TRUE\\n"
	    "keyUsage=critical,keyCertSign,cRLSign\\n' > ca.ext\n"
	    /* root and intermediate */
	    "ec root.key\n"
	    "o req -new -key root.key -subj '/O=mxsuite test/CN=Test Root CA'"
	    " -out root.csr\n"
	    "o x509 -req -in root.csr -signkey root.key -days 30"
	    " -extfile ca.ext -set_serial 1 -out root.crt\n"
	    "ec int.key\n"
	    "o req -new -key int.key -subj '/O=mxsuite test/CN=Test Int CA'"
	    " -out int.csr\n"
	    "o x509 -req -in int.csr -CA root.crt -CAkey root.key -days 30"
	    " -extfile ca.ext -set_serial 2 -out int.crt\n"
	    /* mail.example.org: PKCS#8 RSA key, chain with intermediate */
	    "o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
	    " -out mail.key\n"
	    "o req -new -key mail.key -subj '/O=Example/CN=mail.example.org'"
	    " -out mail.csr\n"
	    "printf 'subjectAltName=DNS:mail.example.org,"
	    "DNS:smtp.example.org\\n' > mail.ext\n"
	    "o x509 -req -in mail.csr -CA int.crt -CAkey int.key -days 30"
	    " -extfile mail.ext -set_serial 3 -out mail.leaf\n"
	    "cat mail.leaf int.crt > mail.crt\n"
	    /* *.example.net: PKCS#1 RSA key, CN only */
	    "o genrsa -traditional -out net.key 2048\n"
	    "o req -new -key net.key -subj '/O=Example Net/CN=*.example.net'"
	    " -out net.csr\n"
	    "o x509 -req -in net.csr -CA root.crt -CAkey root.key -days 30"
	    " -set_serial 4 -out net.crt\n"
	    /* an untrusted CA and its mail.example.org */
	    "ec evilca.key\n"
	    "o req -new -key evilca.key -subj '/CN=Evil CA' -out evilca.csr\n"
	    "o x509 -req -in evilca.csr -signkey evilca.key -days 30"
	    " -extfile ca.ext -set_serial 5 -out evilca.crt\n"
	    "ec evil.key\n"
	    "o req -new -key evil.key -subj '/O=Evil/CN=mail.example.org'"
	    " -out evil.csr\n"
	    "o x509 -req -in evil.csr -CA evilca.crt -CAkey evilca.key"
	    " -days 30 -extfile mail.ext -set_serial 6 -out evil.crt\n"
	    /* DH parameters (a named group: instant) and junk */
	    "o genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048"
	    " -out dh.pem\n"
	    "printf -- '-----BEGIN CERTIFICATE-----\\nnot base64 at all\\n"
	    "-----END CERTIFICATE-----\\n' > junk.pem\n"
	    "o x509 -in mail.leaf -noout -fingerprint -sha256 > mail.fp\n";

	FILE	*fp;

	if ((fp = fopen(fpath("mk.sh"), "w")) == NULL ||
	    fputs(script, fp) == EOF || fclose(fp) == EOF) {
		diag("cannot write %s", fpath("mk.sh"));
		return -1;
	}
	return sh("cd '%s' && sh ./mk.sh", tmpdir);
}

static void
rm_tmpdir(void)
{
	struct dirent	*de;
	DIR		*d;

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			(void)unlink(fpath(de->d_name));
	closedir(d);
	(void)rmdir(tmpdir);
}

/* Does file's first line equal want? */
static int
first_line(const char *file, const char *want)
{
	char	 line[256];
	FILE	*fp;
	int	 rv = 0;

	if ((fp = fopen(file, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		rv = strcmp(line, want) == 0;
		if (!rv)
			diag("%s starts with '%s'", file, line);
	}
	fclose(fp);
	return rv;
}

static char *
slurp(const char *file, size_t *lenp)
{
	char	*buf;
	FILE	*fp;
	size_t	 len;

	if ((fp = fopen(file, "r")) == NULL)
		return NULL;
	buf = calloc(1, 65536);
	len = buf ? fread(buf, 1, 65535, fp) : 0;
	fclose(fp);
	*lenp = len;
	return buf;
}

/* Drive both ends over a BIO pair until both finish or one fails. */
static void
handshake(SSL *c, SSL *s, struct hs *hs)
{
	BIO	*bc, *bs;
	int	 i, r, cdone = 0, sdone = 0;

	memset(hs, 0, sizeof(*hs));
	if (BIO_new_bio_pair(&bc, 0, &bs, 0) != 1)
		abort();
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (i = 0; i < 50 && !(cdone && sdone); i++) {
		if (!cdone) {
			ERR_clear_error();
			if ((r = SSL_do_handshake(c)) == 1)
				cdone = 1;
			else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(c, r) != SSL_ERROR_WANT_WRITE) {
				hs->cfail = 1;
				strlcpy(hs->cerr, tls_errors(),
				    sizeof(hs->cerr));
				break;
			}
		}
		if (!sdone) {
			ERR_clear_error();
			if ((r = SSL_do_handshake(s)) == 1)
				sdone = 1;
			else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(s, r) != SSL_ERROR_WANT_WRITE) {
				hs->sfail = 1;
				strlcpy(hs->serr, tls_errors(),
				    sizeof(hs->serr));
				break;
			}
		}
	}
	hs->ok = cdone && sdone;
	if (!hs->ok && !hs->cfail && !hs->sfail)
		diag("handshake stalled");
}

/*
 * One handshake; on success fill the client's view (peer subject) and
 * the client's describe line, when asked for.
 */
static int
try(struct tls_ctx *sctx, struct tls_ctx *cctx, const char *sni,
    struct hs *hs, char *subj, size_t subjlen, char *desc, size_t desclen)
{
	SSL	*c, *s;

	if ((s = tls_ssl_new(sctx)) == NULL) {
		diag("tls_ssl_new(server): %s", tls_ctx_error(sctx));
		return -1;
	}
	if ((c = tls_ssl_new(cctx)) == NULL) {
		diag("tls_ssl_new(client): %s", tls_ctx_error(cctx));
		SSL_free(s);
		return -1;
	}
	if (sni != NULL && tls_ssl_set_servername(c, sni) == -1)
		diag("tls_ssl_set_servername %s failed", sni);
	handshake(c, s, hs);
	if (subj != NULL) {
		subj[0] = '\0';
		if (hs->ok && tls_peer_subject(c, subj, subjlen) == -1)
			(void)strlcpy(subj, "(no subject)", subjlen);
	}
	if (desc != NULL) {
		desc[0] = '\0';
		if (hs->ok && tls_ssl_describe(c, desc, desclen) == -1)
			(void)strlcpy(desc, "(no description)", desclen);
	}
	/* Callers that want neither expect a refusal: no noise then. */
	if (!hs->ok && (subj != NULL || desc != NULL))
		diag("handshake sni=%s failed: client: %s (verify: %s); "
		    "server: %s", sni ? sni : "-", hs->cerr,
		    X509_verify_cert_error_string(SSL_get_verify_result(c)),
		    hs->serr);
	SSL_free(c);
	SSL_free(s);
	return hs->ok ? 0 : -1;
}

static void
check_sni(struct tls_ctx *sctx, struct tls_ctx *cctx, const char *sni,
    const char *want)
{
	struct hs	hs;
	char		subj[256];

	(void)try(sctx, cctx, sni, &hs, subj, sizeof(subj), NULL, 0);
	is_str(subj, want, "SNI %s: certificate %s", sni ? sni : "(none)",
	    want);
}

static struct tls_ctx *
server_ctx(void)
{
	struct tls_ctx	*ctx;

	if ((ctx = tls_server_new()) == NULL)
		abort();
	if (tls_server_add_pki(ctx, NULL, fpath("mail.crt"),
	    fpath("mail.key")) == -1)
		diag("%s", tls_ctx_error(ctx));
	if (tls_server_add_pki(ctx, "mx.other.test", fpath("net.crt"),
	    fpath("net.key")) == -1)
		diag("%s", tls_ctx_error(ctx));
	return ctx;
}

static struct tls_ctx *
client_ctx(int verify, const char *ca, const char *protocols)
{
	struct tls_ctx	*ctx;

	if ((ctx = tls_client_new()) == NULL)
		abort();
	if (tls_client_set_verify(ctx, verify, ca) == -1)
		diag("%s", tls_ctx_error(ctx));
	if (protocols != NULL && tls_set_protocols(ctx, protocols) == -1)
		diag("%s", tls_ctx_error(ctx));
	return ctx;
}

static void
end_cb(struct io *io, int evt, void *arg)
{
	struct end	*e = arg;

	if (evt == IO_TLSREADY)
		e->ready = 1;
	else if (evt == IO_ERROR || evt == IO_CLOSED || evt == IO_TIMEOUT) {
		diag("io: %s: %s", io_strevent(evt), io_error(io));
		e->error = 1;
	}
	if (e->error || (e->ready && *e->other))
		event_base_loopexit(e->base, NULL);
}

/*
 * The same contexts through common/io (bufferevent_openssl) over a
 * socketpair: foo.example.net must come back with the wildcard pki.
 */
static void
io_check(struct tls_ctx *sctx, struct tls_ctx *cctx)
{
	struct event_base	*base;
	struct end		 se, ce;
	struct timeval		 tv = { 5, 0 };
	struct io		*sio, *cio;
	char			 subj[256], desc[256];
	SSL			*ssl;
	int			 sp[2];

	if ((base = event_base_new()) == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		abort();
	memset(&se, 0, sizeof(se));
	memset(&ce, 0, sizeof(ce));
	se.base = ce.base = base;
	se.other = &ce.ready;
	ce.other = &se.ready;
	sio = io_new(base, sp[0], end_cb, &se);
	cio = io_new(base, sp[1], end_cb, &ce);
	io_start_tls(sio, tls_ssl_new(sctx), 1);
	ssl = tls_ssl_new(cctx);
	(void)tls_ssl_set_servername(ssl, "foo.example.net");
	io_start_tls(cio, ssl, 0);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);

	ok(se.ready && ce.ready, "io: both ends IO_TLSREADY");
	subj[0] = desc[0] = '\0';
	if (ce.ready) {
		(void)tls_peer_subject(io_tls(cio), subj, sizeof(subj));
		(void)tls_ssl_describe(io_tls(cio), desc, sizeof(desc));
	}
	is_str(subj, NET_SUBJ, "io: SNI foo.example.net, wildcard pki");
	is_str(desc, "version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
	    "bits=256 verify=ok", "io: client describes the session");
	io_free(sio);
	io_free(cio);
	event_base_free(base);
}


int
main(void)
{
	struct tls_ctx	*sctx, *cctx, *vctx, *ectx, *ctx;
	struct hs	 hs;
	SSL		*c, *s;
	SSL_SESSION	*sess;
	FILE		*fp;
	uint32_t	 protos;
	unsigned char	 tkey[TLS_TICKET_KEYLEN];
	char		 buf[1024], want[256], subj[256], desc[256];
	char		*p, *q;
	size_t		 i, len;

	log_init(1, LOG_MAIL);
	plan(99);

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(rm_tmpdir);
	if (make_pki() == -1) {
		(void)sh("cat '%s/log' >&2", tmpdir);
		return 1;
	}
	ok(first_line(fpath("mail.key"), "-----BEGIN PRIVATE KEY-----"),
	    "mail.example.org key is PKCS#8");
	ok(first_line(fpath("net.key"), "-----BEGIN RSA PRIVATE KEY-----"),
	    "*.example.net key is PKCS#1");

	/* Protocol words. */
	is_int(tls_parse_protocols("secure", &protos), 0, "parse secure");
	is_int(protos, TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3,
	    "secure = TLSv1.2+TLSv1.3");
	protos = 0;
	(void)tls_parse_protocols("default", &protos);
	is_int(protos, TLS_PROTOCOLS_DEFAULT, "default = secure");
	(void)tls_parse_protocols("all", &protos);
	is_int(protos, TLS_PROTOCOLS_ALL, "all");
	(void)tls_parse_protocols("tlsv1.2,tlsv1.3", &protos);
	is_int(protos, TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3,
	    "tlsv1.2,tlsv1.3");
	(void)tls_parse_protocols("TLSv1.3", &protos);
	is_int(protos, TLS_PROTOCOL_TLSv1_3, "TLSv1.3 (case)");
	(void)tls_parse_protocols("all:!tlsv1.0, !tlsv1.1", &protos);
	is_int(protos, TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3,
	    "all:!tlsv1.0, !tlsv1.1");
	(void)tls_parse_protocols("!tlsv1.3", &protos);
	is_int(protos, TLS_PROTOCOL_TLSv1_0 | TLS_PROTOCOL_TLSv1_1 |
	    TLS_PROTOCOL_TLSv1_2, "!tlsv1.3 alone starts from all");
	is_int(tls_parse_protocols("tlsv1.2,sslv3", &protos), -1,
	    "sslv3 is unknown");
	is_int(tls_parse_protocols("", &protos), -1, "empty list");
	is_int(tls_parse_protocols("tlsv1.2,!tlsv1.2", &protos), -1,
	    "list that leaves nothing");

	/* Errors that name what went wrong. */
	sctx = tls_server_new();
	ok(sctx != NULL, "tls_server_new");
	is_int(tls_set_protocols(sctx, "tlsv1.2,tlsv9"), -1,
	    "tls_set_protocols tlsv9 fails");
	ok(strstr(tls_ctx_error(sctx), "'tlsv1.2,tlsv9'") != NULL,
	    "error names the protocol list: %s", tls_ctx_error(sctx));
	is_int(tls_set_ciphers(sctx, "NO-SUCH-CIPHER"), -1,
	    "bad cipher string fails");
	ok(strstr(tls_ctx_error(sctx), "NO-SUCH-CIPHER") != NULL,
	    "error names the cipher string: %s", tls_ctx_error(sctx));
	ok(tls_set_ciphers(sctx, "compat") == 0 &&
	    tls_set_ciphers(sctx, "legacy") == 0 &&
	    tls_set_ciphers(sctx, "all") == 0 &&
	    tls_set_ciphers(sctx, "ECDHE-RSA-AES128-GCM-SHA256") == 0 &&
	    tls_set_ciphers(sctx, "secure") == 0, "libtls cipher words");
	is_int(tls_set_curves(sctx, "X25519:nosuchcurve"), -1, "bad curve");
	is_int(tls_set_curves(sctx, "X25519:P-256"), 0, "curves");
	ok(tls_ssl_new(sctx) == NULL && strstr(tls_ctx_error(sctx),
	    "without a certificate") != NULL,
	    "no SSL from a server without pki: %s", tls_ctx_error(sctx));

	is_int(tls_server_add_pki(sctx, NULL, fpath("nonexistent.crt"),
	    fpath("mail.key")), -1, "missing certificate file");
	(void)snprintf(want, sizeof(want), "certificate %s: "
	    "No such file or directory", fpath("nonexistent.crt"));
	is_str(tls_ctx_error(sctx), want, "error names the missing file");
	is_int(tls_server_add_pki(sctx, NULL, fpath("mail.crt"),
	    fpath("nonexistent.key")), -1, "missing key file");
	(void)snprintf(want, sizeof(want), "key %s: "
	    "No such file or directory", fpath("nonexistent.key"));
	is_str(tls_ctx_error(sctx), want, "error names the missing key");
	is_int(tls_server_add_pki(sctx, NULL, fpath("mail.crt"),
	    fpath("net.key")), -1, "key/certificate mismatch");
	(void)snprintf(want, sizeof(want), "key %s does not match "
	    "certificate %s", fpath("net.key"), fpath("mail.crt"));
	is_str(tls_ctx_error(sctx), want, "mismatch names both files");
	is_int(tls_server_add_pki(sctx, NULL, fpath("junk.pem"),
	    fpath("mail.key")), -1, "bad PEM certificate");
	(void)snprintf(want, sizeof(want), "certificate %s: no PEM",
	    fpath("junk.pem"));
	ok(strncmp(tls_ctx_error(sctx), want, strlen(want)) == 0,
	    "bad PEM error: %s", tls_ctx_error(sctx));
	is_int(tls_server_add_pki(sctx, NULL, fpath("mail.crt"),
	    fpath("mail.crt")), -1, "certificate given as key");
	is_int(tls_server_npki(sctx), 0, "failed loads added nothing");
	is_int(tls_server_set_dhparams(sctx, fpath("dh.pem")), 0,
	    "dhparams from a PEM file");
	is_int(tls_server_set_dhparams(sctx, fpath("mail.key")), -1,
	    "a key is not DH parameters");
	ok(tls_server_set_dhparams(sctx, "auto") == 0 &&
	    tls_server_set_dhparams(sctx, "none") == 0, "dhparams auto/none");
	is_int(tls_server_set_tickets(sctx, TLS_TICKETS_KEY, tkey, 48), -1,
	    "ticket key of the wrong size");
	is_int(tls_server_set_verify_client(sctx, TLS_VERIFY_REQUIRE,
	    fpath("nonexistent.crt")), -1, "client CA file missing");
	tls_ctx_free(sctx);

	/* SNI: mail.example.org (default) and *.example.net. */
	sctx = server_ctx();
	is_int(tls_server_npki(sctx), 2, "two pki loaded");
	cctx = client_ctx(TLS_VERIFY_NONE, NULL, NULL);
	check_sni(sctx, cctx, "mail.example.org", MAIL_SUBJ);
	check_sni(sctx, cctx, "smtp.example.org", MAIL_SUBJ);
	check_sni(sctx, cctx, "foo.example.net", NET_SUBJ);
	check_sni(sctx, cctx, "Foo.EXAMPLE.Net", NET_SUBJ);
	check_sni(sctx, cctx, "mx.other.test", NET_SUBJ);
	check_sni(sctx, cctx, "a.b.example.net", MAIL_SUBJ);
	check_sni(sctx, cctx, "example.net", MAIL_SUBJ);
	check_sni(sctx, cctx, "unknown.test", MAIL_SUBJ);
	check_sni(sctx, cctx, NULL, MAIL_SUBJ);

	/* Opportunistic: anything goes, but the log says so. */
	(void)try(sctx, cctx, "unknown.test", &hs, NULL, 0, desc,
	    sizeof(desc));
	ok(hs.ok, "opportunistic client accepts a name mismatch");
	is_str(desc, "version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
	    "bits=256 verify=fail", "describe: verify=fail");
	ectx = tls_server_new();
	if (tls_server_add_pki(ectx, NULL, fpath("evil.crt"),
	    fpath("evil.key")) == -1)
		diag("%s", tls_ctx_error(ectx));
	(void)try(ectx, cctx, "mail.example.org", &hs, subj, sizeof(subj),
	    NULL, 0);
	ok(hs.ok, "opportunistic client accepts an untrusted CA");
	is_str(subj, EVIL_SUBJ, "and sees the untrusted certificate");
	tls_ctx_free(cctx);

	/* Verified client, trusting the root only (chain is sent). */
	vctx = client_ctx(TLS_VERIFY_REQUIRE, fpath("root.crt"), NULL);
	(void)try(sctx, vctx, "mail.example.org", &hs, subj, sizeof(subj),
	    desc, sizeof(desc));
	ok(hs.ok, "verified client accepts mail.example.org");
	is_str(desc, "version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
	    "bits=256 verify=ok", "describe: verify=ok");
	(void)try(sctx, vctx, "foo.example.net", &hs, subj, sizeof(subj),
	    NULL, 0);
	ok(hs.ok, "verified client accepts foo.example.net (wildcard CN)");
	is_str(subj, NET_SUBJ, "and got the wildcard certificate");

	(void)try(sctx, vctx, "unknown.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok && hs.cfail, "verified client rejects a wrong name");
	ok(strstr(hs.cerr, "certificate verify failed") != NULL,
	    "reason: %s", hs.cerr);
	(void)try(ectx, vctx, "mail.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok && hs.cfail, "verified client rejects an untrusted CA");

	/* The verify reason, seen on the client SSL itself. */
	s = tls_ssl_new(ectx);
	c = tls_ssl_new(vctx);
	(void)tls_ssl_set_servername(c, "mail.example.org");
	handshake(c, s, &hs);
	is_int(SSL_get_verify_result(c),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    "untrusted CA: unable to get local issuer certificate");
	SSL_free(c);
	SSL_free(s);
	s = tls_ssl_new(sctx);
	c = tls_ssl_new(vctx);
	(void)tls_ssl_set_servername(c, "www.example.org");
	handshake(c, s, &hs);
	is_int(SSL_get_verify_result(c), X509_V_ERR_HOSTNAME_MISMATCH,
	    "wrong name: hostname mismatch");
	SSL_free(c);
	SSL_free(s);
	tls_ctx_free(ectx);

	/* Peer certificate helpers. */
	s = tls_ssl_new(sctx);
	c = tls_ssl_new(vctx);
	is_int(tls_ssl_set_servername(c, "bad name"), -1,
	    "a name with a blank is refused");
	(void)tls_ssl_set_servername(c, "mail.example.org.");
	handshake(c, s, &hs);
	is_str(tls_ssl_servername(s), "mail.example.org",
	    "server sees the SNI, without the trailing dot");
	ok(tls_ssl_describe(s, desc, sizeof(desc)) == 0 &&
	    strstr(desc, " verify=none") != NULL,
	    "server side: no client certificate: %s", desc);
	is_str(tls_ssl_verify_error(c), "ok", "verify error: ok");
	is_int(tls_ssl_describe(c, desc, 20), -1, "describe: small buffer");
	buf[0] = '\0';
	if ((fp = fopen(fpath("mail.fp"), "r")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
	}
	/* "sha256 Fingerprint=AB:CD:..." -> "SHA256:abcd..." */
	(void)strlcpy(want, "SHA256:", sizeof(want));
	p = strchr(buf, '=');
	for (q = want + 7, p = p ? p + 1 : buf; *p != '\0' && *p != '\n' &&
	    q < want + sizeof(want) - 1; p++)
		if (*p != ':')
			*q++ = tolower((unsigned char)*p);
	*q = '\0';
	ok(tls_peer_fingerprint(c, subj, sizeof(subj)) == 0,
	    "tls_peer_fingerprint");
	is_str(subj, want, "fingerprint equals openssl x509 -fingerprint");
	is_int(tls_peer_fingerprint(s, subj, sizeof(subj)), -1,
	    "no fingerprint without a peer certificate");
	SSL_free(c);
	SSL_free(s);

	/* Protocols: a TLSv1.3-only server refuses a TLSv1.2-only client. */
	ctx = server_ctx();
	is_int(tls_set_protocols(ctx, "tlsv1.3"), 0, "server tlsv1.3 only");
	cctx = client_ctx(TLS_VERIFY_NONE, NULL, "tlsv1.2");
	(void)try(ctx, cctx, "mail.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok && hs.sfail, "TLSv1.3 server refuses a TLSv1.2 client");
	ok(strstr(hs.serr, "unsupported protocol") != NULL,
	    "reason: %s", hs.serr);
	is_int(tls_set_protocols(ctx, "tlsv1.2,tlsv1.3"), 0,
	    "server tlsv1.2,tlsv1.3");
	(void)try(ctx, cctx, "mail.example.org", &hs, NULL, 0, desc,
	    sizeof(desc));
	ok(strncmp(desc, "version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-"
	    "SHA384 bits=256 ", 54) == 0, "TLSv1.2 session: %s", desc);
	tls_ctx_free(cctx);

	/* Session tickets: off by default, on with a key, random. */
	cctx = client_ctx(TLS_VERIFY_NONE, NULL, NULL);
	memset(tkey, 'k', sizeof(tkey));
	for (i = 0; i < 3; i++) {
		if ((i == 1 && tls_server_set_tickets(ctx, TLS_TICKETS_KEY,
		    tkey, sizeof(tkey)) == -1) || (i == 2 &&
		    tls_server_set_tickets(ctx, TLS_TICKETS_RANDOM, NULL,
		    0) == -1))
			diag("%s", tls_ctx_error(ctx));
		s = tls_ssl_new(ctx);
		c = tls_ssl_new(cctx);
		handshake(c, s, &hs);
		/* TLSv1.3 tickets come after the handshake: read them. */
		(void)SSL_read(c, buf, 1);
		sess = SSL_get1_session(c);
		/* Freed without a shutdown, a session is not resumable. */
		(void)SSL_shutdown(c);
		SSL_free(c);
		SSL_free(s);
		s = tls_ssl_new(ctx);
		c = tls_ssl_new(cctx);
		SSL_set_session(c, sess);
		handshake(c, s, &hs);
		ok(hs.ok && SSL_session_reused(c) == (i > 0),
		    "tickets %s: session %sresumed",
		    i == 0 ? "off" : i == 1 ? "with a key" : "random",
		    i ? "" : "not ");
		SSL_SESSION_free(sess);
		SSL_free(c);
		SSL_free(s);
	}
	tls_ctx_free(cctx);
	tls_ctx_free(ctx);

	/* Client certificates, required by the server. */
	ctx = server_ctx();
	is_int(tls_server_set_verify_client(ctx, TLS_VERIFY_REQUIRE,
	    fpath("root.crt")), 0, "server requires client certificates");
	(void)try(ctx, vctx, "mail.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok && hs.sfail, "client without certificate refused");
	cctx = client_ctx(TLS_VERIFY_REQUIRE, fpath("root.crt"), NULL);
	is_int(tls_client_set_cert(cctx, fpath("net.crt"), fpath("net.key")),
	    0, "client certificate loaded");
	s = tls_ssl_new(ctx);
	c = tls_ssl_new(cctx);
	(void)tls_ssl_set_servername(c, "mail.example.org");
	handshake(c, s, &hs);
	ok(hs.ok, "client with certificate accepted");
	subj[0] = '\0';
	(void)tls_peer_subject(s, subj, sizeof(subj));
	is_str(subj, NET_SUBJ, "server sees the client's subject");
	ok(tls_ssl_describe(s, desc, sizeof(desc)) == 0 &&
	    strstr(desc, " verify=ok") != NULL, "server: %s", desc);
	SSL_free(c);
	SSL_free(s);
	tls_ctx_free(cctx);
	tls_ctx_free(ctx);

	/* Optional client certificates: any goes, the log tells. */
	ctx = server_ctx();
	is_int(tls_server_set_verify_client(ctx, TLS_VERIFY_OPTIONAL,
	    fpath("root.crt")), 0, "server asks for optional certificates");
	cctx = client_ctx(TLS_VERIFY_NONE, NULL, NULL);
	if (tls_client_set_cert(cctx, fpath("evil.crt"),
	    fpath("evil.key")) == -1)
		diag("%s", tls_ctx_error(cctx));
	s = tls_ssl_new(ctx);
	c = tls_ssl_new(cctx);
	handshake(c, s, &hs);
	ok(hs.ok && tls_ssl_describe(s, desc, sizeof(desc)) == 0 &&
	    strstr(desc, " verify=fail") != NULL,
	    "untrusted client certificate accepted, verify=fail: %s", desc);
	is_str(tls_ssl_verify_error(s), "unable to verify the first "
	    "certificate", "server: why it failed");
	SSL_free(c);
	SSL_free(s);
	tls_ctx_free(cctx);
	tls_ctx_free(ctx);

	/* The system store does not trust our test CA. */
	cctx = client_ctx(TLS_VERIFY_REQUIRE, NULL, NULL);
	(void)try(sctx, cctx, "mail.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok && hs.cfail, "system store: test CA not trusted");
	tls_ctx_free(cctx);

	/* pki from memory, as a privsep parent would send it. */
	ctx = tls_server_new();
	p = slurp(fpath("net.crt"), &i);
	q = slurp(fpath("mail.key"), &len);
	ok(p != NULL && q != NULL, "read PEM into memory");
	is_int(tls_server_add_pki_mem(ctx, "x", p, i, q, len), -1,
	    "mismatch in memory");
	is_str(tls_ctx_error(ctx), "key (memory) does not match "
	    "certificate (memory)", "memory mismatch message");
	free(q);
	q = slurp(fpath("net.key"), &len);
	is_int(tls_server_add_pki_mem(ctx, NULL, p, i, q, len), 0,
	    "pki from memory");
	if (q != NULL)
		explicit_bzero(q, len);
	free(p);
	free(q);
	(void)try(ctx, vctx, "a.example.net", &hs, subj, sizeof(subj),
	    NULL, 0);
	is_str(subj, NET_SUBJ, "memory pki serves a.example.net");
	tls_ctx_free(ctx);

	/* Legacy: TLSv1.0 with "all" protocols and "all" ciphers. */
	ctx = server_ctx();
	ok(tls_set_protocols(ctx, "all") == 0 &&
	    tls_set_ciphers(ctx, "all") == 0, "server: all/all");
	cctx = client_ctx(TLS_VERIFY_NONE, NULL, "tlsv1.0");
	if (tls_set_ciphers(cctx, "all") == -1)
		diag("%s", tls_ctx_error(cctx));
	(void)try(ctx, cctx, "mail.example.org", &hs, NULL, 0, desc,
	    sizeof(desc));
	ok(strncmp(desc, "version=TLSv1 ", 14) == 0, "TLSv1.0: %s", desc);
	(void)tls_set_ciphers(ctx, "secure");
	(void)try(ctx, cctx, "mail.example.org", &hs, NULL, 0, NULL, 0);
	ok(!hs.ok, "TLSv1.0 refused with the secure ciphers");
	tls_ctx_free(cctx);
	tls_ctx_free(ctx);

	/* Through common/io. */
	io_check(sctx, vctx);

	/* An SSL outlives its tls_ctx (reload while sessions run). */
	s = tls_ssl_new(sctx);
	tls_ctx_free(sctx);
	c = tls_ssl_new(vctx);
	(void)tls_ssl_set_servername(c, "foo.example.net");
	handshake(c, s, &hs);
	subj[0] = '\0';
	(void)tls_peer_subject(c, subj, sizeof(subj));
	ok(hs.ok, "handshake after tls_ctx_free of the server context");
	is_str(subj, NET_SUBJ, "SNI still picks from the freed context");
	SSL_free(c);
	SSL_free(s);
	tls_ctx_free(vctx);

	return done_testing();
}
