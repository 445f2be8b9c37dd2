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
 * The spamd protocol listener (--spamd-port): one connection, one
 * request (fd_spamd_parse), one scan through the same scanners as the
 * proxy (built-in workers or a delegated spamd), one reply, then the
 * connection closes, as spamd does.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "xmalloc.h"

#include "fd.h"

#define FD_SPAMD_TIMEOUT	300		/* s, reading a request */
#define EX_DATAERR_	65
#define EX_PROTOCOL_	76

struct fd_spamd_conn {
	struct fd_spamd		*sd;
	struct bufferevent	*bev;
	struct fd_spamd_req	 req;
	int			 parsed;
	int			 eof;
	int			 closing;
	struct fd_job		*job;
};

struct fd_spamd {
	struct event_base	*base;
	struct fd_scanner	*scanner;
	struct evconnlistener	*l;
	long long		 max;		/* message octets */
};

static void	fd_spamd_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	fd_spamd_conn_read(struct bufferevent *, void *);
static void	fd_spamd_conn_write(struct bufferevent *, void *);
static void	fd_spamd_conn_event(struct bufferevent *, short, void *);
static void	fd_spamd_conn_free(struct fd_spamd_conn *);
static void	fd_spamd_conn_step(struct fd_spamd_conn *);
static void	fd_spamd_send(struct fd_spamd_conn *, char *, size_t);
static void	fd_spamd_scanned(struct fd_result *, void *);

/* ---- the listener ---- */

struct fd_spamd *
fd_spamd_new(struct event_base *base, struct fd_scanner *s, int fd,
    long long max)
{
	struct fd_spamd	*sd;

	sd = xcalloc(1, sizeof(*sd));
	sd->base = base;
	sd->scanner = s;
	sd->max = max;
	if ((sd->l = evconnlistener_new(base, fd_spamd_accept, sd,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd)) == NULL) {
		free(sd);
		return NULL;
	}
	return sd;
}

void
fd_spamd_free(struct fd_spamd *sd)
{
	if (sd == NULL)
		return;
	evconnlistener_free(sd->l);
	free(sd);
}

static void
fd_spamd_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct fd_spamd		*sd = arg;
	struct fd_spamd_conn	*c;
	struct timeval		 tv = { FD_SPAMD_TIMEOUT, 0 };

	c = xcalloc(1, sizeof(*c));
	c->sd = sd;
	if ((c->bev = bufferevent_socket_new(sd->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, fd_spamd_conn_read, NULL,
	    fd_spamd_conn_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
fd_spamd_conn_free(struct fd_spamd_conn *c)
{
	fd_scan_cancel(c->job);
	bufferevent_free(c->bev);
	free(c);
}

static void
fd_spamd_send(struct fd_spamd_conn *c, char *s, size_t len)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_write(c->bev, s, len);
	free(s);
	bufferevent_setcb(c->bev, NULL, fd_spamd_conn_write,
	    fd_spamd_conn_event, c);
	if (len == 0)
		fd_spamd_conn_write(c->bev, c);
}

static void
fd_spamd_conn_write(struct bufferevent *bev, void *arg)
{
	struct fd_spamd_conn	*c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		fd_spamd_conn_free(c);
}

static void
fd_spamd_conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct fd_spamd_conn	*c = arg;

	if (c->closing || !(what & BEV_EVENT_EOF)) {
		fd_spamd_conn_free(c);
		return;
	}
	c->eof = 1;		/* the client half-closed: a body ends */
	bufferevent_disable(bev, EV_READ);
	if (c->job == NULL)
		fd_spamd_conn_step(c);
}

static void
fd_spamd_conn_read(struct bufferevent *bev, void *arg)
{
	fd_spamd_conn_step(arg);
}

static void
fd_spamd_conn_step(struct fd_spamd_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	const char	*p;
	char		*msg, *s, err[FD_ERR_MAX];
	size_t		 len = evbuffer_get_length(in), mlen, slen;
	int		 rc;

	if (c->job != NULL || c->closing)
		return;
	p = (const char *)evbuffer_pullup(in, -1);
	if (p == NULL)
		p = "";
	if (!c->parsed) {
		rc = fd_spamd_parse(p, len, c->eof, &c->req);
		if (rc == FD_SPAMD_MORE)
			return;
		if (rc == FD_SPAMD_BAD) {
			log_warnx("spamd protocol: %s", c->req.err);
			s = fd_spamd_error(c->req.error, c->req.err, &slen);
			fd_spamd_send(c, s, slen);
			return;
		}
		c->parsed = 1;
	}
	mlen = len - c->req.hdrlen;
	if (c->sd->max > 0 && (long long)mlen > c->sd->max) {
		s = fd_spamd_error(EX_DATAERR_, "Bad header line: (message "
		    "too big)", &slen);
		fd_spamd_send(c, s, slen);
		return;
	}
	rc = fd_spamd_body_done(&c->req, mlen, c->eof);
	if (rc == 0)
		return;
	if (rc == -1) {
		(void)snprintf(err, sizeof(err), "Bad header line: "
		    "(Content-Length mismatch: Expected %lld bytes, got %zu "
		    "bytes)", c->req.clen, mlen);
		s = fd_spamd_error(EX_PROTOCOL_, err, &slen);
		fd_spamd_send(c, s, slen);
		return;
	}
	if (c->req.cmd == FD_CMD_SKIP) {
		fd_spamd_send(c, xstrdup(""), 0);
		return;
	}
	if (c->req.cmd == FD_CMD_PING) {
		s = fd_spamd_reply(&c->req, NULL, &slen);
		fd_spamd_send(c, s, slen);
		return;
	}
	if (c->req.clen != -1)
		mlen = c->req.clen;
	if (c->req.compress) {
		msg = fd_inflate(p + c->req.hdrlen, mlen, c->sd->max > 0 ?
		    (size_t)c->sd->max : (size_t)1 << 30, &mlen, err,
		    sizeof(err));
		if (msg == NULL) {
			s = fd_spamd_error(EX_PROTOCOL_, err, &slen);
			fd_spamd_send(c, s, slen);
			return;
		}
	} else {
		msg = xmalloc(mlen + 1);
		memcpy(msg, p + c->req.hdrlen, mlen);
	}
	evbuffer_drain(in, len);
	bufferevent_disable(c->bev, EV_READ);
	c->job = fd_scan(c->sd->scanner, c->req.cmd, msg, mlen, NULL,
	    fd_spamd_scanned, c);
}

static void
fd_spamd_scanned(struct fd_result *res, void *arg)
{
	struct fd_spamd_conn	*c = arg;
	char			*s;
	size_t			 len;

	c->job = NULL;
	if (res->status == FD_OK)
		log_info("spamd: %s message (%s/%s) in %.2fs, %s",
		    res->is_spam ? "identified spam" : "clean",
		    res->score, res->required, res->secs,
		    fd_cmd_name(c->req.cmd));
	else
		log_warnx("spamd: %s failed: %s", fd_cmd_name(c->req.cmd),
		    res->err);
	s = fd_spamd_reply(&c->req, res, &len);
	fd_spamd_send(c, s, len);
}
