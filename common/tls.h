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

#ifndef MX_TLS_H
#define MX_TLS_H

/*
 * TLS contexts (OpenSSL 3.0) for every TLS speaker of the suite.  A
 * struct tls_ctx wraps one SSL_CTX; tls_ssl_new() makes the fresh SSL
 * that io_start_tls(io, ssl, server) takes over.
 *
 * Server:
 *
 *	ctx = tls_server_new();
 *	tls_server_add_pki(ctx, "mx.example.org", "/etc/ssl/mx.crt",
 *	    "/etc/ssl/private/mx.key");		the first pki is the default
 *	tls_server_add_pki(ctx, NULL, "other.crt", "other.key");
 *	tls_set_protocols(ctx, "secure");	optional, this is the default
 *	tls_set_ciphers(ctx, "secure");		optional, this is the default
 *	...
 *	ssl = tls_ssl_new(ctx);  io_start_tls(io, ssl, 1);
 *
 * Each pki is a certificate chain file (PEM: the leaf first, then any
 * intermediates) and a private key file (PEM, PKCS#1 "RSA PRIVATE KEY",
 * SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY"; encrypted keys are
 * refused, never prompted for).  A pki answers to the DNS names of its
 * certificate's subjectAltName (or, without any, its subject CN) and to
 * the explicit name given (OpenSMTPD's "pki NAME cert FILE key FILE").
 * The client's SNI picks the pki: an exact name first (case does not
 * matter, a trailing dot is ignored), then a wildcard name (*.example.org
 * matches exactly one more label: a.example.org, not example.org nor
 * a.b.example.org), else the first pki added, which is also what a
 * client without SNI gets.
 *
 * Client:
 *
 *	ctx = tls_client_new();
 *	tls_client_set_verify(ctx, TLS_VERIFY_REQUIRE, NULL);
 *	ssl = tls_ssl_new(ctx);
 *	tls_ssl_set_servername(ssl, "mx.example.org");
 *	io_start_tls(io, ssl, 0);
 *
 * A new client context is opportunistic (TLS_VERIFY_NONE), as SMTP
 * relaying is by default: any certificate is accepted, but the chain
 * and the name are still checked against the system store, so that
 * tls_ssl_describe() can log verify=ok or verify=fail.
 *
 * Errors: every function that takes a ctx returns -1 (or NULL) when it
 * fails and leaves a one-line message in tls_ctx_error(ctx), naming the
 * files involved and OpenSSL's reason ("key /k.pem does not match
 * certificate /c.pem", "unknown protocol 'tlsv9'"); nothing is logged
 * and nothing is fatal, so a config parser can prefix file:line.  A
 * failed call leaves the context as it was before the call.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
struct tls_ctx;

/* Protocol bits (libtls values), for tls_parse_protocols(). */
#define TLS_PROTOCOL_TLSv1_0	0x02
#define TLS_PROTOCOL_TLSv1_1	0x04
#define TLS_PROTOCOL_TLSv1_2	0x08
#define TLS_PROTOCOL_TLSv1_3	0x10
#define TLS_PROTOCOLS_ALL	(TLS_PROTOCOL_TLSv1_0 | TLS_PROTOCOL_TLSv1_1 | \
				 TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3)
#define TLS_PROTOCOLS_DEFAULT	(TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3)

/* Peer verification (client: of the server; server: of client certs). */
#define TLS_VERIFY_NONE		0	/* no check is enforced */
#define TLS_VERIFY_OPTIONAL	1	/* server: ask for a certificate,
					   accept the client whatever it is */
#define TLS_VERIFY_REQUIRE	2	/* a valid certificate is required */

/* Session resumption (server). */
#define TLS_TICKETS_OFF		0	/* no tickets, no session cache */
#define TLS_TICKETS_RANDOM	1	/* tickets under a random key made
					   with the context (lives with the
					   process and its forks) */
#define TLS_TICKETS_KEY		2	/* tickets under the caller's key */
#define TLS_TICKET_KEYLEN	80	/* 16 name + 32 HMAC + 32 AES */

struct tls_ctx	*tls_server_new(void);
struct tls_ctx	*tls_client_new(void);
void		 tls_ctx_free(struct tls_ctx *);
const char	*tls_ctx_error(struct tls_ctx *);
SSL_CTX		*tls_ctx_ssl_ctx(struct tls_ctx *);	/* still ours */

/*
 * Either side.
 *
 * tls_set_protocols: libtls/OpenSMTPD syntax, words separated by commas,
 * colons or blanks, "!" in front removes: "secure" or "default" (TLSv1.2
 * and TLSv1.3, the default), "all" or "legacy" (TLSv1.0 to TLSv1.3;
 * TLSv1.0/1.1 also need security level 0: tls_set_ciphers "all"),
 * "tlsv1" (same as all), "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3";
 * e.g. "tlsv1.2,tlsv1.3", "all,!tlsv1.0".  A gap ("tlsv1.0,tlsv1.2")
 * disables the missing version.
 *
 * tls_set_ciphers: TLSv1.2 and older cipher list, libtls words "secure"
 * or "default" (AES-GCM or ChaCha20-Poly1305 with ECDHE or DHE: libtls's
 * AEAD list in OpenSSL's words), "compat" (HIGH:!aNULL),
 * "legacy" (HIGH:MEDIUM:!aNULL), "insecure" or "all" (ALL:!aNULL:!eNULL,
 * and OpenSSL security level 0), else an OpenSSL cipher string used as
 * it is.  TLSv1.3 suites stay OpenSSL's defaults.
 *
 * tls_set_curves: ECDHE groups, OpenSSL syntax ("X25519:P-256"); NULL,
 * "default" or "auto" for OpenSSL 3.0's default EC list (X25519, P-256,
 * X448, P-521, P-384).  ECDHE itself is always on (OpenSSL's "ecdh
 * auto"), with or without this call.
 */
int		 tls_parse_protocols(const char *, uint32_t *);
int		 tls_set_protocols(struct tls_ctx *, const char *);
int		 tls_set_ciphers(struct tls_ctx *, const char *);
int		 tls_set_curves(struct tls_ctx *, const char *);

/*
 * Server.
 *
 * tls_server_add_pki: load a certificate chain and its key; name is an
 * extra SNI name (NULL: only the certificate's names).  A key that does
 * not match the certificate is an error naming both files.  The _mem
 * variant takes the PEM text itself (for a parent that reads the files
 * and sends them to a chrooted child); the caller wipes its copy of the
 * key.
 *
 * tls_server_set_dhparams: "none" (the default: no finite-field DHE),
 * "auto" (OpenSSL picks an RFC 7919 group matching the certificate's
 * strength), "legacy" (accepted for OpenSMTPD configs, same as auto), or
 * a file of PEM DH parameters.
 *
 * tls_server_set_prefer_server_ciphers: on (the default) or off.
 *
 * tls_server_set_tickets: TLS_TICKETS_OFF (the default: no resumption
 * at all, neither stateless tickets nor a session cache),
 * TLS_TICKETS_RANDOM (stateless RFC 5077/8446 tickets sealed with the
 * 80-byte random key OpenSSL draws when the context is made; processes
 * forked after tls_server_new share it, a restart forgets it), or
 * TLS_TICKETS_KEY with TLS_TICKET_KEYLEN bytes of key (for several
 * servers that must accept each other's tickets; the caller rotates it
 * by calling again).  OpenSSL marks a session that was freed without
 * SSL_shutdown() as not resumable: close cleanly to let clients resume.
 *
 * tls_server_set_verify_client: ask clients for a certificate issued by
 * a CA in cafile (PEM, one or more).  TLS_VERIFY_OPTIONAL keeps the
 * handshake going whatever the client sends (see tls_ssl_describe for
 * the result); TLS_VERIFY_REQUIRE refuses a client without a valid
 * certificate; TLS_VERIFY_NONE (the default) asks for nothing.
 */
int		 tls_server_add_pki(struct tls_ctx *, const char *,
		    const char *, const char *);
int		 tls_server_add_pki_mem(struct tls_ctx *, const char *,
		    const char *, size_t, const char *, size_t);
size_t		 tls_server_npki(struct tls_ctx *);
int		 tls_server_set_dhparams(struct tls_ctx *, const char *);
int		 tls_server_set_prefer_server_ciphers(struct tls_ctx *, int);
int		 tls_server_set_tickets(struct tls_ctx *, int,
		    const unsigned char *, size_t);
int		 tls_server_set_verify_client(struct tls_ctx *, int,
		    const char *);

/*
 * Client.
 *
 * tls_client_set_verify: TLS_VERIFY_NONE (opportunistic, the default)
 * or TLS_VERIFY_REQUIRE (the chain must verify and the certificate must
 * carry the name given to tls_ssl_set_servername).  cafile is a PEM file
 * or a hashed directory of trusted CAs; NULL is the system store
 * (OpenSSL's default paths: /etc/ssl/certs on Debian, or $SSL_CERT_FILE
 * and $SSL_CERT_DIR).
 *
 * tls_client_set_cert: a client certificate (chain) and key to offer.
 */
int		 tls_client_set_verify(struct tls_ctx *, int, const char *);
int		 tls_client_set_cert(struct tls_ctx *, const char *,
		    const char *);

/*
 * Sessions.
 *
 * tls_ssl_new: a fresh SSL for io_start_tls(); NULL on failure (see
 * tls_ctx_error).  Each SSL holds a reference on its context: after
 * tls_ctx_free() (a reload, say) the sessions still open keep working,
 * and the memory goes with the last of them.
 *
 * tls_ssl_set_servername (client SSL, before the handshake): send name
 * as SNI (unless it is an IP address literal, bare or in brackets) and
 * check the server's certificate against it (DNS name, wildcards only
 * as a whole left-most label; or IP address).  -1 for a name that is
 * empty, too long or holds blanks or control characters.
 *
 * tls_ssl_describe: after the handshake, one line for the logs:
 *	version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=ok
 * verify= is "ok" (the peer sent a certificate that verified), "fail"
 * (it sent one that did not: see tls_ssl_verify_error) or "none" (no
 * certificate).  Returns -1 if buf is too small or no session is up.
 *
 * tls_ssl_verify_error: OpenSSL's reason for verify=fail ("certificate
 * has expired", "hostname mismatch"), "ok", or "no peer certificate".
 *
 * tls_ssl_servername: the SNI the client sent (server side), or NULL.
 *
 * tls_peer_subject: the peer certificate's subject, RFC 2253 order
 * ("CN=mail.example.org,O=Example"); tls_peer_fingerprint: the SHA-256
 * of its DER as "SHA256:" and 64 lowercase hex digits (libtls's form).
 * Both return -1 with no peer certificate or a too small buf.
 */
SSL		*tls_ssl_new(struct tls_ctx *);
int		 tls_ssl_set_servername(SSL *, const char *);
int		 tls_ssl_describe(SSL *, char *, size_t);
const char	*tls_ssl_verify_error(SSL *);
const char	*tls_ssl_servername(SSL *);
int		 tls_peer_subject(SSL *, char *, size_t);
int		 tls_peer_fingerprint(SSL *, char *, size_t);

/*
 * OpenSSL's error queue, drained into one line ("error:0A000086:SSL
 * routines::certificate verify failed; ..."), or "no OpenSSL error"
 * when it was empty.  The string lives in a static buffer until the
 * next call (one thread per process: see STYLE.md).
 */
const char	*tls_errors(void);

#endif /* MX_TLS_H */
