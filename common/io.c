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
 * Buffered event-driven I/O over libevent bufferevents: see io.h.
 * A plain connection is one socket bufferevent; TLS (STARTTLS or smtps)
 * stacks a bufferevent_openssl filter on top of it, so that the switch
 * happens in place on an established connection.  All bufferevents use
 * deferred callbacks: io_* calls never call back into the application.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "io.h"
#include "log.h"
#include "xmalloc.h"

struct io {
	struct event_base	*base;
	struct bufferevent	*bev;		/* top of the stack */
	int			 fd;
	io_cb			 cb;
	void			*arg;
	SSL			*ssl;
	int			 tls_ready;
	int			 connecting;
	int			 timeout;	/* msec */
	size_t			 lowat;
	size_t			 read_max;
	int			 paused;	/* IO_IN | IO_OUT */
	int			 skipping;	/* dropping input to "\n" */
	int			 in_cb;
	int			 freed;
	struct event		*lowat_ev;	/* IO_LOWAT under TLS */
	char			 err[256];
};

static void	io_readcb(struct bufferevent *, void *);
static void	io_writecb(struct bufferevent *, void *);
static void	io_eventcb(struct bufferevent *, short, void *);
static void	io_dispatch(struct io *, int);
static void	io_setup_bev(struct io *);
static void	io_destroy(struct io *);
static int	io_skip(struct io *);
static void	io_set_error(struct io *, short);
static size_t	io_under_queued(struct io *);
static void	io_under_outcb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	io_lowat_evcb(int, short, void *);

static const int io_bev_opts = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;

const char *
io_strevent(int evt)
{
	switch (evt) {
	case IO_CONNECTED:
		return "IO_CONNECTED";
	case IO_TLSREADY:
		return "IO_TLSREADY";
	case IO_DATAIN:
		return "IO_DATAIN";
	case IO_LOWAT:
		return "IO_LOWAT";
	case IO_CLOSED:
		return "IO_CLOSED";
	case IO_TIMEOUT:
		return "IO_TIMEOUT";
	case IO_ERROR:
		return "IO_ERROR";
	}
	return "IO_?";
}

static void
io_sockopts(int fd)
{
	int	 one = 1;

	/*
	 * We coalesce output ourselves, so Nagle only adds delay (a
	 * final ".\r\n" held back for a delayed ACK costs 40 ms).
	 * Not a TCP socket (unix, socketpair): the call fails harmlessly.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

struct io *
io_new(struct event_base *base, int fd, io_cb cb, void *arg)
{
	struct io	*io;

	if (evutil_make_socket_nonblocking(fd) == -1)
		return NULL;
	io = xcalloc(1, sizeof(*io));
	io->base = base;
	io->fd = fd;
	io->cb = cb;
	io->arg = arg;
	io->bev = bufferevent_socket_new(base, fd, io_bev_opts);
	if (io->bev == NULL) {
		free(io);
		return NULL;
	}
	io_sockopts(fd);
	io_setup_bev(io);
	return io;
}

struct io *
io_connect(struct event_base *base, const struct sockaddr *sa,
    socklen_t salen, const struct sockaddr *src, io_cb cb, void *arg)
{
	struct io	*io;
	int		 fd, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return NULL;
	if (src != NULL && bind(fd, src, src->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	if ((io = io_new(base, fd, cb, arg)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	io->connecting = 1;
	if (bufferevent_socket_connect(io->bev, sa, salen) == -1) {
		saved = errno;
		io_destroy(io);
		errno = saved ? saved : ECONNREFUSED;
		return NULL;
	}
	return io;
}

static void
io_setup_bev(struct io *io)
{
	struct timeval	 tv;
	short		 ev = 0;

	bufferevent_setcb(io->bev, io_readcb, io_writecb, io_eventcb, io);
	bufferevent_setwatermark(io->bev, EV_WRITE, io->lowat, 0);
	bufferevent_setwatermark(io->bev, EV_READ, 0, io->read_max);
	if (io->timeout > 0) {
		tv.tv_sec = io->timeout / 1000;
		tv.tv_usec = (io->timeout % 1000) * 1000;
		bufferevent_set_timeouts(io->bev, &tv, &tv);
	} else
		bufferevent_set_timeouts(io->bev, NULL, NULL);
	if (!(io->paused & IO_IN))
		ev |= EV_READ;
	if (!(io->paused & IO_OUT))
		ev |= EV_WRITE;
	if (ev)
		bufferevent_enable(io->bev, ev);
}

static void
io_destroy(struct io *io)
{
	if (io->lowat_ev != NULL)
		event_free(io->lowat_ev);
	if (io->bev != NULL)
		bufferevent_free(io->bev);	/* closes fd, frees SSL */
	free(io);
}

void
io_free(struct io *io)
{
	if (io == NULL)
		return;
	if (io->in_cb) {
		/* freed from its own callback: finish after it returns */
		io->freed = 1;
		bufferevent_disable(io->bev, EV_READ | EV_WRITE);
		return;
	}
	io_destroy(io);
}

void
io_set_callback(struct io *io, io_cb cb, void *arg)
{
	io->cb = cb;
	io->arg = arg;
}

void
io_set_timeout(struct io *io, int msec)
{
	struct timeval	 tv;

	io->timeout = msec;
	if (msec > 0) {
		tv.tv_sec = msec / 1000;
		tv.tv_usec = (msec % 1000) * 1000;
		bufferevent_set_timeouts(io->bev, &tv, &tv);
	} else
		bufferevent_set_timeouts(io->bev, NULL, NULL);
}

void
io_set_lowat(struct io *io, size_t lowat)
{
	io->lowat = lowat;
	bufferevent_setwatermark(io->bev, EV_WRITE, lowat, 0);
}

void
io_set_read_max(struct io *io, size_t max)
{
	io->read_max = max;
	bufferevent_setwatermark(io->bev, EV_READ, 0, max);
}

void
io_pause(struct io *io, int dir)
{
	short	 ev = 0;

	io->paused |= dir;
	if (dir & IO_IN)
		ev |= EV_READ;
	if (dir & IO_OUT)
		ev |= EV_WRITE;
	bufferevent_disable(io->bev, ev);
}

void
io_resume(struct io *io, int dir)
{
	short	 ev = 0;

	io->paused &= ~dir;
	if (io->freed)
		return;
	if (dir & IO_IN)
		ev |= EV_READ;
	if (dir & IO_OUT)
		ev |= EV_WRITE;
	bufferevent_enable(io->bev, ev);
	/*
	 * Input that arrived while paused is already buffered: tell the
	 * application again, or a pipelined batch would wait for more.
	 */
	if ((dir & IO_IN) &&
	    evbuffer_get_length(bufferevent_get_input(io->bev)) > 0)
		bufferevent_trigger(io->bev, EV_READ,
		    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

int
io_fileno(struct io *io)
{
	return io->fd;
}

const char *
io_error(struct io *io)
{
	return io->err[0] ? io->err : "no error";
}

static void
io_dispatch(struct io *io, int evt)
{
	io->in_cb++;
	io->cb(io, evt, io->arg);
	io->in_cb--;
	if (io->freed && io->in_cb == 0)
		io_destroy(io);
}

static int
io_skip(struct io *io)
{
	struct evbuffer		*in = bufferevent_get_input(io->bev);
	struct evbuffer_ptr	 p;

	p = evbuffer_search(in, "\n", 1, NULL);
	if (p.pos == -1) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return 0;
	}
	evbuffer_drain(in, p.pos + 1);
	io->skipping = 0;
	return 1;
}

static void
io_readcb(struct bufferevent *bev, void *arg)
{
	struct io	*io = arg;

	if (io->skipping && !io_skip(io))
		return;
	if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
		return;
	io_dispatch(io, IO_DATAIN);
}

/*
 * Output that the TLS layer already encrypted waits in the socket
 * bufferevent underneath: "drained" means drained there too.
 */
static size_t
io_under_queued(struct io *io)
{
	struct bufferevent	*under;

	if (io->ssl == NULL ||
	    (under = bufferevent_get_underlying(io->bev)) == NULL)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(under));
}

static void
io_writecb(struct bufferevent *bev, void *arg)
{
	struct io	*io = arg;

	if (io_under_queued(io) > io->lowat)
		return;		/* io_under_outcb reports it later */
	io_dispatch(io, IO_LOWAT);
}

/*
 * The socket buffer under TLS shrank.  This runs inside libevent's
 * buffer operations, possibly inside an io_* call, so IO_LOWAT goes out
 * through an event of its own, from the loop.
 */
static void
io_under_outcb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct io	*io = arg;

	if (info->n_deleted == 0 || io->freed)
		return;
	if (evbuffer_get_length(buf) <= io->lowat &&
	    evbuffer_get_length(bufferevent_get_output(io->bev)) <= io->lowat)
		event_active(io->lowat_ev, EV_WRITE, 0);
}

static void
io_lowat_evcb(int fd, short what, void *arg)
{
	struct io	*io = arg;

	if (io->freed)
		return;
	io_dispatch(io, IO_LOWAT);
}

static void
io_set_error(struct io *io, short what)
{
	unsigned long	 e;
	int		 serr;
	char		 buf[128];

	io->err[0] = '\0';
	if (io->ssl != NULL && (e = bufferevent_get_openssl_error(io->bev))) {
		ERR_error_string_n(e, buf, sizeof(buf));
		(void)snprintf(io->err, sizeof(io->err), "TLS: %s", buf);
		while (bufferevent_get_openssl_error(io->bev))
			;
		return;
	}
	serr = EVUTIL_SOCKET_ERROR();
	if (serr == 0 && io->ssl != NULL)
		(void)snprintf(io->err, sizeof(io->err),
		    "TLS: connection failed during %s",
		    io->tls_ready ? "session" : "handshake");
	else if (serr == 0)
		(void)snprintf(io->err, sizeof(io->err), "%s error",
		    (what & BEV_EVENT_READING) ? "read" : "write");
	else
		(void)snprintf(io->err, sizeof(io->err), "%s",
		    evutil_socket_error_to_string(serr));
}

static void
io_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct io	*io = arg;

	if (what & BEV_EVENT_CONNECTED) {
		if (io->ssl != NULL && !io->tls_ready) {
			io->tls_ready = 1;
			io_dispatch(io, IO_TLSREADY);
		} else if (io->connecting) {
			io->connecting = 0;
			io_sockopts(io->fd);
			io_dispatch(io, IO_CONNECTED);
		}
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		/*
		 * libevent disabled the direction that timed out; turn it
		 * back on, so that the application can still write its last
		 * words (421 ...) or wait another period, and EOF is seen.
		 */
		if (!(io->paused & IO_OUT))
			bufferevent_enable(bev, EV_WRITE);
		if (!(io->paused & IO_IN))
			bufferevent_enable(bev, EV_READ);
		(void)snprintf(io->err, sizeof(io->err), "timeout");
		io_dispatch(io, IO_TIMEOUT);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* Buffered input is the application's first. */
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 0 &&
		    !io->skipping && !(io->paused & IO_IN)) {
			io->in_cb++;
			io->cb(io, IO_DATAIN, io->arg);
			io->in_cb--;
			if (io->freed) {
				if (io->in_cb == 0)
					io_destroy(io);
				return;
			}
		}
		(void)snprintf(io->err, sizeof(io->err),
		    "connection closed by peer");
		io_dispatch(io, IO_CLOSED);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		io_set_error(io, what);
		if (io->connecting)
			io->connecting = 0;
		io_dispatch(io, IO_ERROR);
	}
}

int
io_write(struct io *io, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	return bufferevent_write(io->bev, buf, len);
}

int
io_print(struct io *io, const char *s)
{
	return io_write(io, s, strlen(s));
}

int
io_vprintf(struct io *io, const char *fmt, va_list ap)
{
	return evbuffer_add_vprintf(bufferevent_get_output(io->bev), fmt,
	    ap) < 0 ? -1 : 0;
}

int
io_printf(struct io *io, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = io_vprintf(io, fmt, ap);
	va_end(ap);
	return r;
}

int
io_write_buffer(struct io *io, struct evbuffer *buf)
{
	return bufferevent_write_buffer(io->bev, buf);
}

size_t
io_queued(struct io *io)
{
	return evbuffer_get_length(bufferevent_get_output(io->bev)) +
	    io_under_queued(io);
}

size_t
io_datalen(struct io *io)
{
	return evbuffer_get_length(bufferevent_get_input(io->bev));
}

void *
io_data(struct io *io)
{
	return evbuffer_pullup(bufferevent_get_input(io->bev), -1);
}

void
io_drop(struct io *io, size_t len)
{
	evbuffer_drain(bufferevent_get_input(io->bev), len);
}

ssize_t
io_getline(struct io *io, size_t max, char **line)
{
	struct evbuffer		*in = bufferevent_get_input(io->bev);
	struct evbuffer_ptr	 end, p;
	size_t			 len, lim;

	*line = NULL;
	if ((len = evbuffer_get_length(in)) == 0)
		return 0;
	lim = len < max ? len : max;
	if (evbuffer_ptr_set(in, &end, lim, EVBUFFER_PTR_SET) == -1)
		return 0;
	p = evbuffer_search_range(in, "\n", 1, NULL, &end);
	if (p.pos == -1)
		return len >= max ? -1 : 0;
	*line = (char *)evbuffer_pullup(in, p.pos + 1);
	if (*line == NULL)
		return 0;
	return p.pos + 1;
}

void
io_skip_line(struct io *io)
{
	io->skipping = 1;
	(void)io_skip(io);
}

int
io_start_tls(struct io *io, SSL *ssl, int server)
{
	struct bufferevent	*filter;
	struct evbuffer		*in;

	if (io->ssl != NULL) {
		(void)snprintf(io->err, sizeof(io->err), "TLS already on");
		return -1;
	}
	/* Plaintext that followed STARTTLS must never count as TLS input. */
	in = bufferevent_get_input(io->bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	io->skipping = 0;

	if (io->lowat_ev == NULL &&
	    (io->lowat_ev = event_new(io->base, -1, 0, io_lowat_evcb,
	    io)) == NULL) {
		(void)snprintf(io->err, sizeof(io->err),
		    "cannot set up TLS");
		return -1;
	}
	filter = bufferevent_openssl_filter_new(io->base, io->bev, ssl,
	    server ? BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING,
	    io_bev_opts);
	if (filter == NULL) {
		(void)snprintf(io->err, sizeof(io->err),
		    "cannot set up TLS");
		return -1;
	}
	/* Many peers close without close_notify; that is not an error. */
	bufferevent_openssl_set_allow_dirty_shutdown(filter, 1);
	evbuffer_add_cb(bufferevent_get_output(io->bev), io_under_outcb, io);
	io->ssl = ssl;
	io->tls_ready = 0;
	io->bev = filter;
	io_setup_bev(io);
	return 0;
}

SSL *
io_tls(struct io *io)
{
	return io->ssl;
}

int
io_tls_ready(struct io *io)
{
	return io->ssl != NULL && io->tls_ready;
}
