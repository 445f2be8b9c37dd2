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
 * The config socket (spamd-cfg, 127.0.0.1:8026) that greyd-setup feeds
 * with one blacklist per line.  As in spamd: one connection at a time
 * (the others wait in the listen queue), and a client whose source port
 * is not privileged (>= 1024) is dropped at once, so only root can load
 * lists (-U lifts this for unprivileged tests).  Beyond spamd: a line
 * may not exceed CFG_LINE_MAX bytes (the connection is dropped; lines
 * already read stay applied), a connection idle for CFG_IDLE seconds is
 * dropped, and each line is handed over as soon as it is complete.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "addr.h"
#include "greyd.h"
#include "log.h"
#include "xmalloc.h"

#define CFG_IDLE	60	/* seconds */
#define CFG_READ	65536

struct cfgsock {
	struct event_base	*base;
	int			 lfd;
	int			 anyport;
	struct event		*ev_listen;
	int			 fd;
	struct event		*ev_read;
	struct evbuffer		*buf;
	char			 peer[ADDR_STRLEN];
	size_t			 lineno;
	size_t			 scanned;	/* no newline before */
	void			(*line_cb)(const char *, void *);
	void			(*done_cb)(void *);
	void			*arg;
};

static void	cfgsock_accept(int, short, void *);
static void	cfgsock_read(int, short, void *);
static void	cfgsock_lines(struct cfgsock *, int);
static void	cfgsock_end(struct cfgsock *);

struct cfgsock *
cfgsock_new(struct event_base *base, int lfd, int anyport,
    void (*line_cb)(const char *, void *), void (*done_cb)(void *),
    void *arg)
{
	struct cfgsock	*cs;

	cs = xcalloc(1, sizeof(*cs));
	cs->base = base;
	cs->lfd = lfd;
	cs->fd = -1;
	cs->anyport = anyport;
	cs->line_cb = line_cb;
	cs->done_cb = done_cb;
	cs->arg = arg;
	cs->ev_listen = event_new(base, lfd, EV_READ | EV_PERSIST,
	    cfgsock_accept, cs);
	if (cs->ev_listen == NULL || event_add(cs->ev_listen, NULL) == -1)
		fatalx("cfgsock: event");
	return cs;
}

void
cfgsock_free(struct cfgsock *cs)
{
	if (cs == NULL)
		return;
	if (cs->fd != -1) {
		event_free(cs->ev_read);
		evbuffer_free(cs->buf);
		close(cs->fd);
	}
	event_free(cs->ev_listen);
	close(cs->lfd);
	free(cs);
}

static void
cfgsock_accept(int lfd, short ev, void *arg)
{
	struct cfgsock		*cs = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct addr		 a;
	in_port_t		 port;
	struct timeval		 tv = { CFG_IDLE, 0 };
	int			 fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("config socket: accept");
		return;
	}
	if (addr_from_sockaddr(&a, &port, (struct sockaddr *)&ss) == -1) {
		close(fd);
		return;
	}
	(void)addr_ntop(&a, cs->peer, sizeof(cs->peer));
	if (port >= IPPORT_RESERVED && !cs->anyport) {
		log_warnx("config connection from %s port %u refused: "
		    "source port not privileged", cs->peer, port);
		close(fd);
		return;
	}
	log_debug("config connection from %s port %u", cs->peer, port);
	cs->fd = fd;
	cs->lineno = 0;
	cs->scanned = 0;
	cs->buf = evbuffer_new();
	cs->ev_read = event_new(cs->base, fd, EV_READ | EV_PERSIST |
	    EV_TIMEOUT, cfgsock_read, cs);
	if (cs->buf == NULL || cs->ev_read == NULL)
		fatalx("cfgsock: event");
	/* one at a time: the next waits in the listen queue */
	event_del(cs->ev_listen);
	event_add(cs->ev_read, &tv);
}

static void
cfgsock_read(int fd, short ev, void *arg)
{
	struct cfgsock	*cs = arg;
	int		 n;

	if (ev & EV_TIMEOUT) {
		log_warnx("config connection from %s: idle, dropped",
		    cs->peer);
		cfgsock_end(cs);
		return;
	}
	n = evbuffer_read(cs->buf, fd, CFG_READ);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1)
		log_warn("config connection from %s", cs->peer);
	if (n <= 0) {
		if (n == 0)
			cfgsock_lines(cs, 1);
		cfgsock_end(cs);
		return;
	}
	cfgsock_lines(cs, 0);
	if (cs->fd != -1 && evbuffer_get_length(cs->buf) > CFG_LINE_MAX) {
		log_warnx("config connection from %s: line %zu longer than "
		    "%d bytes, dropped", cs->peer, cs->lineno + 1,
		    CFG_LINE_MAX);
		cfgsock_end(cs);
	}
}

/*
 * Hand over every complete line; at eof the last one too.  The search
 * for the newline resumes where the previous one stopped, so a long
 * line arriving in many reads costs linear time.
 */
static void
cfgsock_lines(struct cfgsock *cs, int eof)
{
	struct evbuffer_ptr	 start, nl;
	char			*line;
	size_t			 len;

	for (;;) {
		len = evbuffer_get_length(cs->buf);
		if (len == 0)
			return;
		if (evbuffer_ptr_set(cs->buf, &start, cs->scanned,
		    EVBUFFER_PTR_SET) == -1)
			return;
		nl = evbuffer_search_eol(cs->buf, &start, NULL,
		    EVBUFFER_EOL_LF);
		if (nl.pos == -1) {
			cs->scanned = len;
			if (!eof || len > CFG_LINE_MAX)
				return;
		} else
			len = nl.pos;
		line = xmalloc(len + 1);
		if (evbuffer_remove(cs->buf, line, len) != (int)len)
			fatalx("cfgsock: evbuffer_remove");
		line[len] = '\0';
		if (nl.pos != -1)
			(void)evbuffer_drain(cs->buf, 1);
		cs->scanned = 0;
		cs->lineno++;
		if (strlen(line) != len)
			log_warnx("config line %zu from %s: NUL byte, ignored",
			    cs->lineno, cs->peer);
		else if (len > 1)	/* spamd skips lines of 0 or 1 byte */
			cs->line_cb(line, cs->arg);
		free(line);
	}
}

static void
cfgsock_end(struct cfgsock *cs)
{
	event_free(cs->ev_read);
	cs->ev_read = NULL;
	evbuffer_free(cs->buf);
	cs->buf = NULL;
	close(cs->fd);
	cs->fd = -1;
	log_debug("config connection from %s: %zu lines", cs->peer,
	    cs->lineno);
	cs->done_cb(cs->arg);
	event_add(cs->ev_listen, NULL);
}
