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

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "io.h"
#include "log.h"
#include "tap.h"

/* One recorded side of a test connection. */
struct side {
	struct io	*io;
	int		 events[16];
	int		 nevents;
	char		 lines[8][256];
	int		 nlines;
	int		 toolong;
	size_t		 max;
	int		 free_on_data;
	int		 pause_after;	/* stop reading after a line */
	int		 stop_on;	/* event that ends the loop */
	struct event_base *base;
};

static void	side_cb(struct io *, int, void *);
static void	run(struct event_base *, int);
static SSL_CTX	*make_server_ctx(void);
static int	 has_event(struct side *, int);

static void
side_cb(struct io *io, int evt, void *arg)
{
	struct side	*s = arg;
	char		*line;
	ssize_t		 n;

	if (s->nevents < (int)nitems(s->events))
		s->events[s->nevents++] = evt;
	if (evt == IO_DATAIN) {
		if (s->free_on_data) {
			io_free(io);
			s->io = NULL;
			event_base_loopexit(s->base, NULL);
			return;
		}
		for (;;) {
			n = io_getline(io, s->max, &line);
			if (n == 0)
				break;
			if (n == -1) {
				s->toolong++;
				io_skip_line(io);
				continue;
			}
			if (s->nlines < (int)nitems(s->lines)) {
				memcpy(s->lines[s->nlines], line,
				    (size_t)n < 255 ? (size_t)n : 255);
				s->lines[s->nlines][n < 255 ? n : 255] = '\0';
				s->nlines++;
			}
			io_drop(io, n);
			if (s->pause_after) {
				io_pause(io, IO_IN);
				break;
			}
		}
	}
	if (evt == s->stop_on || evt == IO_ERROR)
		event_base_loopexit(s->base, NULL);
}

static void
run(struct event_base *base, int msec)
{
	struct timeval	 tv;

	tv.tv_sec = msec / 1000;
	tv.tv_usec = (msec % 1000) * 1000;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static int
has_event(struct side *s, int evt)
{
	int	 i;

	for (i = 0; i < s->nevents; i++)
		if (s->events[i] == evt)
			return 1;
	return 0;
}

static SSL_CTX *
make_server_ctx(void)
{
	SSL_CTX		*ctx;
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;

	key = EVP_EC_gen("P-256");
	x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"io.test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_sign(x, key, EVP_sha256());
	ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

int
main(void)
{
	struct event_base	*base;
	struct side		 a, b, c;
	struct sockaddr_in	 sin;
	socklen_t		 slen;
	SSL_CTX			*sctx, *cctx;
	int			 sp[2], lfd;
	const char		*msg;

	log_init(1, LOG_MAIL);
	signal(SIGPIPE, SIG_IGN);
	plan(25);
	base = event_base_new();

	/* Lines, the length limit, skipping. */
	memset(&a, 0, sizeof(a));
	a.base = base;
	a.max = 16;
	a.stop_on = -1;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	a.io = io_new(base, sp[0], side_cb, &a);
	ok(a.io != NULL, "io_new on a socketpair");
	msg = "one\r\ntwo\nthis line is far too long\r\nthree\r\npart";
	write(sp[1], msg, strlen(msg));
	run(base, 200);
	is_int(a.nlines, 3, "three complete lines read");
	is_str(a.lines[0], "one\r\n", "CRLF kept as it came");
	is_str(a.lines[1], "two\n", "bare LF line kept as it came");
	is_str(a.lines[2], "three\r\n", "line after the skipped one");
	is_int(a.toolong, 1, "over-long line reported once");
	is_int((int)io_datalen(a.io), 4, "partial line stays buffered");

	/* A long line arriving in pieces is still skipped whole. */
	a.nlines = 0;
	write(sp[1], "\n0123456789abcdefghij", 21);
	run(base, 100);
	write(sp[1], "klmnop\r\nafter\r\n", 15);
	run(base, 100);
	is_int(a.nlines, 2, "two lines after a split long line");
	is_str(a.lines[1], "after\r\n", "skip crossed reads");

	/* Pause: nothing delivered; resume: buffered input delivered. */
	a.nlines = 0;
	io_pause(a.io, IO_IN);
	write(sp[1], "x\r\n", 3);
	run(base, 100);
	is_int(a.nlines, 0, "paused: no input delivered");
	io_resume(a.io, IO_IN);
	run(base, 100);
	is_int(a.nlines, 1, "resumed: buffered line delivered");

	/* Timeout, then close by peer. */
	a.nevents = 0;
	a.stop_on = IO_TIMEOUT;
	io_set_timeout(a.io, 100);
	run(base, 2000);
	ok(has_event(&a, IO_TIMEOUT), "idle timeout reported");
	io_set_timeout(a.io, 0);
	io_printf(a.io, "%d bye\r\n", 421);
	a.stop_on = IO_LOWAT;
	run(base, 1000);
	ok(has_event(&a, IO_LOWAT), "output drained: IO_LOWAT");
	{
		char	 buf[64];
		ssize_t	 n = read(sp[1], buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		is_str(buf, "421 bye\r\n", "written after a timeout");
	}
	a.stop_on = IO_CLOSED;
	close(sp[1]);
	run(base, 1000);
	ok(has_event(&a, IO_CLOSED), "peer close reported");
	io_free(a.io);

	/* io_free from inside the callback. */
	memset(&a, 0, sizeof(a));
	a.base = base;
	a.free_on_data = 1;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	a.io = io_new(base, sp[0], side_cb, &a);
	write(sp[1], "x", 1);
	run(base, 1000);
	ok(a.io == NULL, "io freed from its own callback");
	close(sp[1]);

	/* TCP connect: success and refusal. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(lfd, (struct sockaddr *)&sin, sizeof(sin));
	listen(lfd, 5);
	slen = sizeof(sin);
	getsockname(lfd, (struct sockaddr *)&sin, &slen);
	memset(&b, 0, sizeof(b));
	b.base = base;
	b.stop_on = IO_CONNECTED;
	b.io = io_connect(base, (struct sockaddr *)&sin, sizeof(sin), NULL,
	    side_cb, &b);
	run(base, 2000);
	ok(has_event(&b, IO_CONNECTED), "io_connect: IO_CONNECTED");
	io_free(b.io);
	close(lfd);
	memset(&b, 0, sizeof(b));
	b.base = base;
	b.stop_on = IO_ERROR;
	b.io = io_connect(base, (struct sockaddr *)&sin, sizeof(sin), NULL,
	    side_cb, &b);
	if (b.io != NULL)
		run(base, 2000);
	ok(b.io == NULL || has_event(&b, IO_ERROR),
	    "io_connect to a closed port fails");
	if (b.io != NULL)
		diag("error: %s", io_error(b.io));
	io_free(b.io);

	/* STARTTLS in place; plaintext after the command is dropped. */
	sctx = make_server_ctx();
	cctx = SSL_CTX_new(TLS_client_method());
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	b.base = c.base = base;
	b.max = c.max = 256;
	b.stop_on = c.stop_on = -1;
	b.io = io_new(base, sp[0], side_cb, &b);	/* server */
	c.io = io_new(base, sp[1], side_cb, &c);	/* client */
	b.pause_after = 1;
	io_print(c.io, "STARTTLS\r\nINJECTED\r\n");
	run(base, 200);
	is_int(b.nlines, 1, "server read the STARTTLS command");
	ok(io_datalen(b.io) > 0, "the injected plaintext is buffered");
	io_print(b.io, "220 go ahead\r\n");
	run(base, 200);
	is_str(c.lines[0], "220 go ahead\r\n", "client got 220");
	b.nlines = 0;
	b.nevents = c.nevents = 0;
	b.pause_after = 0;
	io_start_tls(b.io, SSL_new(sctx), 1);
	io_resume(b.io, IO_IN);
	io_start_tls(c.io, SSL_new(cctx), 0);
	run(base, 1000);
	ok(has_event(&b, IO_TLSREADY) && has_event(&c, IO_TLSREADY),
	    "both sides: IO_TLSREADY");
	ok(io_tls_ready(b.io) && io_tls(b.io) != NULL, "server is TLS");
	io_print(c.io, "EHLO over tls\r\n");
	run(base, 300);
	is_int(b.nlines, 1, "one line over TLS (no injected plaintext)");
	is_str(b.lines[0], "EHLO over tls\r\n", "TLS line intact");
	io_free(b.io);
	io_free(c.io);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);

	event_base_free(base);
	return done_testing();
}
