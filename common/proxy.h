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

#ifndef MX_PROXY_H
#define MX_PROXY_H

/*
 * An SMTP content proxy (spampd, dkimproxy): the server half of the
 * engine (common/smtp) faces the client, common/smtpc the next hop.
 *
 * For each client connection the proxy first connects to the next hop;
 * if that fails the client gets "421" as its greeting.  The envelope is
 * relayed as it comes: the client's MAIL, RCPT and RSET are sent on and
 * answered with the next hop's replies.  The message is taken whole (in
 * memory up to mem_max octets, then in an unlinked temporary file in
 * spool_dir), handed to the transform, and what the transform returns is
 * relayed; the client's end of data is answered only with the next
 * hop's answer.  Whenever the next hop fails (down, slow past the
 * timeout, gone mid-message) the client gets a 4xx, never a 2xx for mail
 * the next hop has not taken.
 *
 * EHLO offers what the engine offers (never CHUNKING or BINARYMIME);
 * SIZE is the smaller of max_size and the next hop's SIZE.  The next hop
 * may speak LMTP (next_lmtp): towards an SMTP client the message is
 * accepted when every recipient is, else the first failure is the answer
 * (temporary if any failure is).
 *
 * The transform is called with a struct proxy_msg and answers, at once
 * or later from any event, with proxy_done():
 *	PROXY_RELAY	relay msg->head (what the transform added to it,
 *			e.g. headers) followed by msg->body, or the
 *			original message if body is NULL
 *	PROXY_UNCHANGED	the transform failed: relay the original as it is
 *	PROXY_REJECT	answer the client with reply ("550 5.7.1 ...",
 *			4xx or 5xx) and relay nothing
 * The message given is exactly what the client sent, unstuffed, CRLF
 * line ends; what is relayed is exactly what the transform returned
 * (dot-stuffed on the wire; bare LF or CR would go out as CRLF).
 * If the client goes away meanwhile, proxy_done still must be called
 * (it then frees the message and relays nothing).
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;
struct proxy;
typedef struct ssl_ctx_st SSL_CTX;

#define PROXY_RELAY		0
#define PROXY_UNCHANGED		1
#define PROXY_REJECT		2

struct proxy_msg {
	/* the transaction, read-only */
	const char	*helo;		/* the client's HELO/EHLO (or NULL) */
	const char	*peer;		/* the client's address */
	const char	*from;		/* reverse-path, "" for <> */
	size_t		 nrcpts;	/* accepted recipients */
	char		**rcpts;
	size_t		 size;		/* octets */
	struct evbuffer	*buf;		/* the message when in memory */
	int		 fd;		/* or in this file (else -1) */
	/* the transform's answer */
	struct evbuffer	*head;		/* prepended; starts empty */
	struct evbuffer	*body;		/* replacement, or NULL; freed */
	void		*priv;
};

typedef void (*proxy_transform_cb)(struct proxy_msg *, void *);

struct proxy_config {
	const char	*hostname;	/* our name: banner, EHLO, HELO */
	const char	*next_host;	/* next hop: host and port */
	const char	*next_port;
	const char	*next_path;	/* or a unix socket (then no host) */
	int		 next_lmtp;	/* the next hop speaks LMTP */
	int		 flags;		/* SMTP_F_* for the client side */
	SSL_CTX		*tls_ctx;	/* client side STARTTLS */
	uint64_t	 max_size;	/* our SIZE; 0: the next hop's */
	size_t		 mem_max;	/* in memory up to (0: 1 MB) */
	const char	*spool_dir;	/* NULL: $TMPDIR or /tmp */
	int		 timeout;	/* msec, next hop replies (0: 300 s) */
	int		 timeout_data;	/* msec, end of data (0: 600 s) */
	proxy_transform_cb transform;	/* NULL: relay unchanged */
	void		*arg;
};

/* NULL (and *errstr) when the next hop cannot be resolved. */
struct proxy	*proxy_new(struct event_base *, const struct proxy_config *,
		    const char **);
void		 proxy_free(struct proxy *);
/* Accept connections on a listening socket (not owned). */
int		 proxy_listen(struct proxy *, int);
/* Take over one accepted connection. */
void		 proxy_accept(struct proxy *, int);
void		 proxy_done(struct proxy_msg *, int, const char *);
/* Read the message (memory or file) from an offset; 0 at its end. */
ssize_t		 proxy_msg_read(struct proxy_msg *, size_t, void *, size_t);

#endif /* MX_PROXY_H */
