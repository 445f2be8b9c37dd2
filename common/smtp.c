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
 * The SMTP server engine: one session per connection, a state machine
 * driven by common/io events, check/proceed pairs per command, and one
 * application hook per phase (see smtp.h and mxsuite-smtp(7)).
 *
 * A session is never freed from inside a call chain that could touch it
 * again: ending a session marks it dead and a deferred event frees it.
 * Replies given by the application (smtp_reply) are acted upon from the
 * event loop too, so smtp_reply() never calls back into the application.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "io.h"
#include "log.h"
#include "smtp.h"
#include "xmalloc.h"

#define SMTP_READ_MAX		(256 * 1024)
#define SMTP_OUT_MAX		16384

enum smtp_phase {
	SMTP_PH_SETUP,		/* before the banner */
	SMTP_PH_REJECTED,	/* 554 at connect: 503 to all but QUIT */
	SMTP_PH_INIT,		/* banner sent, no HELO yet */
	SMTP_PH_HELO,		/* greeted, no transaction */
	SMTP_PH_MAIL,		/* transaction open */
	SMTP_PH_DATA,		/* reading the message */
	SMTP_PH_AUTH,		/* SASL exchange */
	SMTP_PH_STARTTLS,	/* 220 sent, waiting for it to drain */
	SMTP_PH_HANDSHAKE,	/* TLS handshake */
	SMTP_PH_CLOSING,	/* flushing, then end */
	SMTP_PH_DEAD		/* ended: freed from the event loop */
};

enum smtp_pending {
	SMTP_PEND_NONE,
	SMTP_PEND_CONNECT,
	SMTP_PEND_EARLY,
	SMTP_PEND_HELO,
	SMTP_PEND_TLS,
	SMTP_PEND_AUTH,
	SMTP_PEND_MAIL,
	SMTP_PEND_RCPT,
	SMTP_PEND_DATA,
	SMTP_PEND_EOM,
	SMTP_PEND_RSET,
	SMTP_PEND_QUIT,
	SMTP_PEND_NOOP,
	SMTP_PEND_STARTTLS,
	SMTP_PEND_ERROR,	/* the error hook (synchronous) */
	SMTP_PEND_IGNORE	/* an internal rset: replies are dropped */
};

enum smtp_auth_step {
	SMTP_AUTH_PLAIN,	/* waiting for the PLAIN response */
	SMTP_AUTH_LOGIN_USER,
	SMTP_AUTH_LOGIN_PASS
};

struct smtp_server {
	struct event_base	*base;
	struct smtp_config	 conf;
	struct evconnlistener	*listener;
	TAILQ_HEAD(, smtp_session) sessions;
};

/* The envelope, allocated by MAIL and freed when the transaction ends. */
struct smtp_txn {
	struct smtp_addr	 mail_from;
	struct smtp_mail_params	 mail_params;
	struct smtp_addr	 tmp_addr;
	struct smtp_rcpt_params	 tmp_rparams;
};

struct smtp_session {
	TAILQ_ENTRY(smtp_session) entry;
	struct smtp_server	*srv;
	const struct smtp_config *conf;
	const struct smtp_hooks	*hooks;
	void			*arg;
	uint64_t		 id;
	struct io		*io;
	struct event		*ev_resume;	/* deferred work */
	struct event		*ev_timer;	/* banner delay, pacing */
	struct sockaddr_storage	 peer, local;
	char			 peer_addr[64];	/* numeric, scoped v6 */

	enum smtp_phase		 phase;
	enum smtp_pending	 pending;
	int			 in_hook;
	int			 has_reply;
	char			*reply;		/* allocated while needed */
	enum smtp_verb		 cur_verb;	/* for the error hook */
	int			 app_paused;
	int			 close_req;	/* smtp_session_close() */
	char			 close_reason[128];
	int			 banner_ready;	/* connect said 2xx */
	int			 nerrors;

	char			 helo[SMTP_DOMAIN_MAX + 1];
	int			 esmtp;
	int			 tls;
	char			 tls_info[128];
	int			 authed;
	char			 auth_user[SMTP_LOCAL_MAX + 1];
	char			 auth_tmp_user[SMTP_LOCAL_MAX + 1];
	enum smtp_auth_step	 auth_step;

	/* the transaction */
	int			 txn;		/* MAIL accepted */
	struct smtp_txn		*t;		/* from MAIL to its end */
	struct smtp_rcpt	*rcpts;
	size_t			 nrcpt, rcpt_cap, rcpt_tries;
	struct smtp_data	 data;
	char			*data_fail;	/* smtp_data_fail() */
	char			*early_reply;	/* smtp_data_reply() */
	int			 early_close;
	int			 discard;	/* reading the rest, silently */
	size_t			 lmtp_replies;
	int			 lmtp_accepted;

	/* tarpit */
	int			 pace;
	char			*paced;		/* output not sent yet, */
	size_t			 paced_len;	/* allocated to fit */
	size_t			 paced_off;
};

static void	smtp_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	smtp_io_cb(struct io *, int, void *);
static void	smtp_log_event(struct smtp_session *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static void	smtp_resume_cb(evutil_socket_t, short, void *);
static void	smtp_timer_cb(evutil_socket_t, short, void *);
static void	smtp_schedule(struct smtp_session *);
static void	smtp_start(struct smtp_session *);
static void	smtp_banner(struct smtp_session *, const char *);
static void	smtp_process(struct smtp_session *);
static void	smtp_process_data(struct smtp_session *);
static void	smtp_command(struct smtp_session *, char *);
static void	smtp_auth_line(struct smtp_session *, char *);
static void	smtp_send(struct smtp_session *, const char *);
static void	smtp_error(struct smtp_session *, const char *);
static void	smtp_close(struct smtp_session *, const char *);
static void	smtp_end(struct smtp_session *, const char *);
static void	smtp_drained(struct smtp_session *);
static void	smtp_free(struct smtp_session *);
static int	smtp_output_empty(struct smtp_session *);
static void	smtp_hook_done(struct smtp_session *, int, const char *);
static void	smtp_proceed(struct smtp_session *, const char *);
static void	smtp_txn_reset(struct smtp_session *, enum smtp_rset_why);
static void	smtp_eom(struct smtp_session *);
static void	smtp_data_early(struct smtp_session *);
static void	smtp_set_reply(struct smtp_session *, const char *);
static void	smtp_txn_free(struct smtp_session *);
static void	smtp_paced_add(struct smtp_session *, const char *, size_t);
static void	smtp_paced_free(struct smtp_session *);
static void	smtp_check_noop(struct smtp_session *, struct smtp_cmd *);
static void	smtp_ehlo_reply(struct smtp_session *);
static int	smtp_ext_mask(struct smtp_session *);
static int	smtp_auth_offered(struct smtp_session *);
static void	smtp_tls_start(struct smtp_session *);
static void	smtp_tls_ready(struct smtp_session *);
static void	smtp_auth_call(struct smtp_session *, const char *,
		    const char *, const char *, const char *);
static void	smtp_log_message(struct smtp_session *, const char *);
static int	smtp_body_cb(void *, const char *, size_t, int);

static void	smtp_check_helo(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_starttls(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_auth(struct smtp_session *, struct smtp_cmd *);
static int	smtp_keep_raw(const char *, char *, size_t);
static void	smtp_check_mail(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_rcpt(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_data(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_rset(struct smtp_session *, struct smtp_cmd *);
static void	smtp_check_quit(struct smtp_session *, struct smtp_cmd *);

struct smtp_server *
smtp_server_new(struct event_base *base, const struct smtp_config *conf)
{
	struct smtp_server	*srv;
	static const struct smtp_hooks no_hooks;

	srv = xcalloc(1, sizeof(*srv));
	srv->base = base;
	srv->conf = *conf;
	srv->conf.hostname = xstrdup(conf->hostname ? conf->hostname :
	    "localhost");
	srv->conf.banner = conf->banner ? xstrdup(conf->banner) : NULL;
	srv->conf.tag = conf->tag ? xstrdup(conf->tag) : NULL;
	if (srv->conf.hooks == NULL)
		srv->conf.hooks = &no_hooks;
	if (srv->conf.max_rcpt == 0)
		srv->conf.max_rcpt = SMTP_RCPT_DEFAULT;
	if (srv->conf.max_textline == 0)
		srv->conf.max_textline = SMTP_TEXTLINE_DEFAULT;
	if (srv->conf.max_textline > SMTP_TEXTLINE_HARDMAX)
		srv->conf.max_textline = SMTP_TEXTLINE_HARDMAX;
	if (srv->conf.max_errors <= 0)
		srv->conf.max_errors = SMTP_ERRORS_DEFAULT;
	if (srv->conf.timeout <= 0)
		srv->conf.timeout = SMTP_TIMEOUT_DEFAULT;
	if (srv->conf.tls_ctx == NULL)
		srv->conf.flags &= ~(SMTP_F_STARTTLS | SMTP_F_SMTPS);
	TAILQ_INIT(&srv->sessions);
	return srv;
}

void
smtp_server_free(struct smtp_server *srv)
{
	struct smtp_session	*s;

	if (srv == NULL)
		return;
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	while ((s = TAILQ_FIRST(&srv->sessions)) != NULL) {
		if (s->phase != SMTP_PH_DEAD)
			smtp_end(s, "server shutdown");
		smtp_free(s);
	}
	free((char *)srv->conf.hostname);
	free((char *)srv->conf.banner);
	free((char *)srv->conf.tag);
	free(srv);
}

static void
smtp_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)smtp_session_new(arg, fd, sa, salen);
}

int
smtp_server_listen(struct smtp_server *srv, int fd)
{
	if (srv->listener != NULL)
		return -1;
	/* the listener accepts until EAGAIN: the socket must not block */
	if (evutil_make_socket_nonblocking(fd) == -1) {
		log_warn("smtp: fd %d", fd);
		return -1;
	}
	srv->listener = evconnlistener_new(srv->base, smtp_accept_cb, srv,
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (srv->listener == NULL) {
		log_warnx("smtp: cannot listen on fd %d", fd);
		return -1;
	}
	return 0;
}

const struct smtp_config *
smtp_server_config(struct smtp_server *srv)
{
	return &srv->conf;
}

struct smtp_session *
smtp_session_new(struct smtp_server *srv, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct smtp_session	*s;
	socklen_t		 len;

	s = xcalloc(1, sizeof(*s));
	s->srv = srv;
	s->conf = &srv->conf;
	s->hooks = srv->conf.hooks;
	s->arg = srv->conf.arg;
	s->id = ((uint64_t)arc4random() << 32) | arc4random();
	if (sa != NULL && salen <= sizeof(s->peer))
		memcpy(&s->peer, sa, salen);
	else {
		len = sizeof(s->peer);
		if (getpeername(fd, (struct sockaddr *)&s->peer, &len) == -1)
			memset(&s->peer, 0, sizeof(s->peer));
	}
	len = sizeof(s->local);
	if (getsockname(fd, (struct sockaddr *)&s->local, &len) == -1)
		memset(&s->local, 0, sizeof(s->local));
	if (s->peer.ss_family == AF_UNIX || s->peer.ss_family == AF_UNSPEC)
		(void)strlcpy(s->peer_addr, "local", sizeof(s->peer_addr));
	else if (getnameinfo((struct sockaddr *)&s->peer,
	    SA_LEN((struct sockaddr *)&s->peer), s->peer_addr,
	    sizeof(s->peer_addr), NULL, 0, NI_NUMERICHOST) != 0)
		(void)strlcpy(s->peer_addr, "unknown", sizeof(s->peer_addr));

	if ((s->io = io_new(srv->base, fd, smtp_io_cb, s)) == NULL) {
		log_warnx("smtp: cannot set up session io");
		close(fd);
		free(s);
		return NULL;
	}
	s->ev_resume = event_new(srv->base, -1, 0, smtp_resume_cb, s);
	s->ev_timer = event_new(srv->base, -1, 0, smtp_timer_cb, s);
	if (s->ev_resume == NULL || s->ev_timer == NULL)
		fatalx("smtp: out of memory");
	io_set_timeout(s->io, s->conf->timeout);
	io_set_read_max(s->io, SMTP_READ_MAX);
	io_set_lowat(s->io, 0);
	s->phase = SMTP_PH_SETUP;
	TAILQ_INSERT_TAIL(&srv->sessions, s, entry);
	smtp_log_event(s, "smtp session=%016llx event=connect address=%s%s%s",
	    (unsigned long long)s->id, s->peer_addr,
	    s->conf->tag ? " tag=" : "", s->conf->tag ? s->conf->tag : "");
	if (s->conf->flags & SMTP_F_SMTPS)
		smtp_tls_start(s);
	else
		smtp_schedule(s);
	return s;
}

/* Deferred work: run smtp_resume_cb from the event loop. */
static void
smtp_schedule(struct smtp_session *s)
{
	event_active(s->ev_resume, 0, 0);
}

static void
smtp_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtp_session	*s = arg;

	if (s->phase == SMTP_PH_DEAD) {
		smtp_free(s);
		return;
	}
	if (s->phase == SMTP_PH_STARTTLS && !s->close_req) {
		if (smtp_output_empty(s))
			smtp_tls_start(s);
		return;
	}
	if (s->phase == SMTP_PH_SETUP && s->pending == SMTP_PEND_NONE &&
	    !s->banner_ready && !s->close_req) {
		smtp_start(s);
		return;
	}
	if (s->pending != SMTP_PEND_NONE && !s->in_hook) {
		if (s->pending == SMTP_PEND_EOM &&
		    (s->conf->flags & SMTP_F_LMTP)) {
			if (s->lmtp_replies >= s->nrcpt)
				smtp_proceed(s, NULL);
		} else if (s->has_reply) {
			s->has_reply = 0;
			smtp_proceed(s, s->reply);
		}
	}
	/* a close asked for after a reply: the reply goes out first */
	if (s->close_req && s->phase != SMTP_PH_DEAD) {
		s->close_req = 0;
		smtp_close(s, s->close_reason);
		return;
	}
	if (s->phase != SMTP_PH_DEAD && s->phase != SMTP_PH_CLOSING &&
	    s->phase != SMTP_PH_STARTTLS &&
	    s->pending == SMTP_PEND_NONE && !s->app_paused) {
		io_resume(s->io, IO_IN);
		smtp_process(s);
	}
}

/* The connect hook, then the banner (after the banner delay). */
static void
smtp_start(struct smtp_session *s)
{
	int	 ret = SMTP_DEFAULT;

	s->pending = SMTP_PEND_CONNECT;
	s->in_hook++;
	if (s->hooks->connect != NULL)
		ret = s->hooks->connect(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_default_banner(struct smtp_session *s, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "220 %s %s%s%s", s->conf->hostname,
	    (s->conf->flags & SMTP_F_LMTP) ? "LMTP" : "ESMTP",
	    s->conf->banner ? " " : "", s->conf->banner ? s->conf->banner : "");
	if (n < 0 || (size_t)n >= len)
		(void)strlcpy(buf, "220 ESMTP", len);
}

/* Send the banner (text: a 2xx reply), unless the client talked first. */
static void
smtp_banner(struct smtp_session *s, const char *text)
{
	int	 ret = SMTP_DEFAULT;

	if (io_datalen(s->io) > 0 && s->pending != SMTP_PEND_EARLY) {
		log_info("smtp session=%016llx event=early-talker address=%s",
		    (unsigned long long)s->id, s->peer_addr);
		smtp_set_reply(s, text);
		s->pending = SMTP_PEND_EARLY;
		s->in_hook++;
		if (s->hooks->early_talker != NULL)
			ret = s->hooks->early_talker(s, s->arg);
		s->in_hook--;
		smtp_hook_done(s, ret, "554 5.5.0 SMTP protocol violation: "
		    "talked before the banner");
		return;
	}
	s->pending = SMTP_PEND_NONE;
	smtp_send(s, text);
	if (text == s->reply) {
		free(s->reply);
		s->reply = NULL;
	}
	s->phase = SMTP_PH_INIT;
	smtp_schedule(s);
}

/* Keep a reply text until it is acted upon (freed then). */
static void
smtp_set_reply(struct smtp_session *s, const char *text)
{
	char	*p;

	if (text == s->reply)
		return;
	p = xstrdup(text);
	free(s->reply);
	s->reply = p;
}

static void
smtp_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtp_session	*s = arg;
	struct timeval		 tv;
	unsigned char		 c;

	if (s->phase == SMTP_PH_DEAD)
		return;
	if (s->phase == SMTP_PH_SETUP && s->banner_ready) {
		/* the banner delay is over */
		s->banner_ready = 0;
		smtp_banner(s, s->reply);
		return;
	}
	/* tarpit: one octet per tick */
	if (s->paced_off < s->paced_len) {
		c = s->paced[s->paced_off++];
		(void)io_write(s->io, &c, 1);
	}
	if (s->paced_off == s->paced_len)
		smtp_paced_free(s);
	else {
		tv.tv_sec = s->pace / 1000;
		tv.tv_usec = (s->pace % 1000) * 1000;
		evtimer_add(s->ev_timer, &tv);
	}
}

/* A session event line: log_info, or log_debug with SMTP_F_LOG_QUIET. */
static void
smtp_log_event(struct smtp_session *s, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	va_start(ap, fmt);
	if (!(s->conf->flags & SMTP_F_LOG_QUIET))
		vlog(LOG_INFO, fmt, ap);
	else if (log_getverbose() > 0) {
		(void)vsnprintf(buf, sizeof(buf), fmt, ap);
		log_debug("%s", buf);
	}
	va_end(ap);
}

static void
smtp_io_cb(struct io *io, int evt, void *arg)
{
	struct smtp_session	*s = arg;

	if (s->phase == SMTP_PH_DEAD)
		return;
	switch (evt) {
	case IO_DATAIN:
		smtp_process(s);
		break;
	case IO_LOWAT:
		if (!smtp_output_empty(s))
			break;
		if (s->phase == SMTP_PH_CLOSING)
			smtp_drained(s);
		else if (s->phase == SMTP_PH_STARTTLS)
			smtp_tls_start(s);
		break;
	case IO_TLSREADY:
		smtp_tls_ready(s);
		break;
	case IO_TIMEOUT:
		if (s->phase == SMTP_PH_CLOSING) {
			smtp_end(s, "timeout while closing");
			break;
		}
		log_info("smtp session=%016llx event=timeout address=%s",
		    (unsigned long long)s->id, s->peer_addr);
		if (s->phase == SMTP_PH_HANDSHAKE) {
			smtp_end(s, "timeout during TLS handshake");
			break;
		}
		smtp_send(s, "421 4.4.2 Timeout, closing connection");
		smtp_close(s, "timeout");
		break;
	case IO_CLOSED:
		/* the peer may only have shut down its side: flush first */
		if (s->phase != SMTP_PH_CLOSING)
			smtp_close(s, "connection closed by peer");
		else if (smtp_output_empty(s))
			smtp_drained(s);
		break;
	case IO_ERROR:
	default:
		if (s->phase == SMTP_PH_HANDSHAKE)
			log_info("smtp session=%016llx event=tls-failed "
			    "address=%s error=\"%s\"",
			    (unsigned long long)s->id, s->peer_addr,
			    io_error(io));
		smtp_end(s, io_error(io));
		break;
	}
}

static int
smtp_output_empty(struct smtp_session *s)
{
	return s->paced_off == s->paced_len && io_queued(s->io) == 0;
}

/*
 * Paced output waiting for the timer: a plain buffer that fits what is
 * left (a tarpitted session holds its current reply, nothing more).
 */
static void
smtp_paced_add(struct smtp_session *s, const char *out, size_t n)
{
	size_t	 left = s->paced_len - s->paced_off;
	char	*p;

	p = xmalloc(left + n);
	if (left > 0)
		memcpy(p, s->paced + s->paced_off, left);
	memcpy(p + left, out, n);
	free(s->paced);
	s->paced = p;
	s->paced_len = left + n;
	s->paced_off = 0;
}

static void
smtp_paced_free(struct smtp_session *s)
{
	free(s->paced);
	s->paced = NULL;
	s->paced_len = s->paced_off = 0;
}

/* Write a reply (wire form), paced when the tarpit is on. */
static void
smtp_send(struct smtp_session *s, const char *text)
{
	char		 out[SMTP_OUT_MAX];
	ssize_t		 n;
	struct timeval	 tv;

	if ((n = smtp_reply_format(text, out, sizeof(out))) == -1) {
		log_warnx("smtp session=%016llx bad reply \"%.40s\"",
		    (unsigned long long)s->id, text);
		n = smtp_reply_format("451 4.3.0 Internal error", out,
		    sizeof(out));
	}
	log_debug("smtp session=%016llx reply=\"%.*s\"",
	    (unsigned long long)s->id, (int)(n > 2 ? n - 2 : 0), out);
	if (s->pace > 0) {
		if (s->paced_off == s->paced_len &&
		    !evtimer_pending(s->ev_timer, NULL)) {
			tv.tv_sec = tv.tv_usec = 0;
			if (s->conf->flags & SMTP_F_PACE_DELAY) {
				tv.tv_sec = s->pace / 1000;
				tv.tv_usec = (s->pace % 1000) * 1000;
			}
			evtimer_add(s->ev_timer, &tv);
		}
		smtp_paced_add(s, out, n);
		return;
	}
	if (io_write(s->io, out, n) == -1)
		smtp_end(s, "write error");
}

/*
 * A protocol error by the client: the error hook may replace the reply
 * and leave it uncounted; counted, too many closes.
 */
static void
smtp_error(struct smtp_session *s, const char *text)
{
	char			 buf[SMTP_OUT_MAX];
	enum smtp_pending	 saved = s->pending;
	int			 ret = SMTP_DEFAULT, last;

	last = s->nerrors + 1 >= s->conf->max_errors;
	if (s->hooks->error != NULL) {
		s->pending = SMTP_PEND_ERROR;
		s->in_hook++;
		ret = s->hooks->error(s, s->arg, s->cur_verb, text, last);
		s->in_hook--;
		if (s->phase == SMTP_PH_DEAD)
			return;
		s->pending = saved;
		if (s->has_reply) {
			s->has_reply = 0;
			(void)strlcpy(buf, s->reply, sizeof(buf));
			free(s->reply);
			s->reply = NULL;
			text = buf;
		}
	}
	smtp_send(s, text);
	if (strncmp(text, "421", 3) == 0) {
		smtp_close(s, "421 reply");
		return;
	}
	if (ret == SMTP_UNCOUNTED)
		return;
	if (++s->nerrors >= s->conf->max_errors) {
		if (!(s->conf->flags & SMTP_F_ERRORS_QUIET))
			smtp_send(s, "421 4.7.0 Too many errors, closing "
			    "connection");
		log_info("smtp session=%016llx event=too-many-errors "
		    "address=%s", (unsigned long long)s->id, s->peer_addr);
		smtp_close(s, "too many errors");
	}
}

/* Flush, then end. */
static void
smtp_close(struct smtp_session *s, const char *reason)
{
	if (s->phase == SMTP_PH_DEAD)
		return;
	if (s->close_reason != reason)
		(void)strlcpy(s->close_reason, reason,
		    sizeof(s->close_reason));
	s->phase = SMTP_PH_CLOSING;
	io_pause(s->io, IO_IN);
	if (smtp_output_empty(s))
		smtp_drained(s);
}

/*
 * Closing, and all our output reached the socket (io_queued and
 * IO_LOWAT count the TLS layer's buffer too): end the session.
 */
static void
smtp_drained(struct smtp_session *s)
{
	smtp_end(s, s->close_reason);
}

/* End now: disconnect hook, then free from the event loop. */
static void
smtp_end(struct smtp_session *s, const char *reason)
{
	char	 why[128];

	if (s->phase == SMTP_PH_DEAD)
		return;
	(void)strlcpy(why, reason, sizeof(why));
	if (s->txn)
		smtp_txn_reset(s, SMTP_RSET_DISCONNECT);
	s->phase = SMTP_PH_DEAD;
	s->pending = SMTP_PEND_NONE;
	smtp_log_event(s, "smtp session=%016llx event=disconnect "
	    "address=%s reason=\"%s\"", (unsigned long long)s->id,
	    s->peer_addr, why);
	if (s->hooks->disconnect != NULL)
		s->hooks->disconnect(s, s->arg, why);
	io_pause(s->io, IO_IN | IO_OUT);
	evtimer_del(s->ev_timer);
	smtp_schedule(s);
}

static void
smtp_free(struct smtp_session *s)
{
	TAILQ_REMOVE(&s->srv->sessions, s, entry);
	io_free(s->io);
	event_free(s->ev_resume);
	event_free(s->ev_timer);
	smtp_paced_free(s);
	smtp_data_clear(&s->data);
	free(s->rcpts);
	free(s->reply);
	free(s->early_reply);
	free(s->data_fail);
	free(s->t);
	free(s);
}

/*
 * A hook returned: act on its reply, its default, or wait for
 * smtp_reply() (input paused meanwhile).
 */
static void
smtp_hook_done(struct smtp_session *s, int ret, const char *deftext)
{
	if (s->phase == SMTP_PH_DEAD)
		return;
	if (s->pending == SMTP_PEND_EOM && (s->conf->flags & SMTP_F_LMTP)) {
		if (s->lmtp_replies < s->nrcpt && ret == SMTP_DEFER) {
			io_pause(s->io, IO_IN);
			return;
		}
		smtp_proceed(s, NULL);
		return;
	}
	if (s->has_reply) {
		s->has_reply = 0;
		smtp_proceed(s, s->reply);
	} else if (ret == SMTP_DEFER) {
		if (s->phase != SMTP_PH_SETUP)
			io_pause(s->io, IO_IN);
	} else
		smtp_proceed(s, deftext);
}

void
smtp_reply(struct smtp_session *s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
}

void
smtp_vreply(struct smtp_session *s, const char *fmt, va_list ap)
{
	char	 buf[SMTP_OUT_MAX];
	int	 n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		(void)strlcpy(buf, "451 4.3.0 Internal error", sizeof(buf));
	if (s->phase == SMTP_PH_DEAD)
		return;
	if (s->pending == SMTP_PEND_IGNORE)
		return;
	if (s->pending == SMTP_PEND_EOM && (s->conf->flags & SMTP_F_LMTP)) {
		if (s->lmtp_replies >= s->nrcpt) {
			log_warnx("smtp session=%016llx extra LMTP reply "
			    "dropped", (unsigned long long)s->id);
			return;
		}
		if (buf[0] == '2')
			s->lmtp_accepted++;
		s->lmtp_replies++;
		smtp_send(s, buf);
		if (!s->in_hook && s->lmtp_replies >= s->nrcpt)
			smtp_schedule(s);
		return;
	}
	if (s->pending == SMTP_PEND_NONE || s->has_reply) {
		log_warnx("smtp session=%016llx reply with nothing pending "
		    "dropped: \"%.40s\"", (unsigned long long)s->id, buf);
		return;
	}
	smtp_set_reply(s, buf);
	s->has_reply = 1;
	if (!s->in_hook)
		smtp_schedule(s);
}

void
smtp_data_fail(struct smtp_session *s, const char *fmt, ...)
{
	char	 buf[SMTP_REPLY_MAX];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(s->data_fail);
	s->data_fail = n < 0 ? NULL : xstrdup(buf);
	s->data.flags |= SMTP_DATA_FAILED;
}

/* Act on the reply to the pending step. */
static void
smtp_proceed(struct smtp_session *s, const char *text)
{
	enum smtp_pending	 p = s->pending;
	char			 buf[SMTP_OUT_MAX];
	int			 ok;

	s->pending = SMTP_PEND_NONE;
	if (text != NULL) {
		(void)strlcpy(buf, text, sizeof(buf));
		if (text == s->reply) {
			free(s->reply);
			s->reply = NULL;
		}
		text = buf;
	}
	ok = text != NULL && (text[0] == '2' || text[0] == '3');

	switch (p) {
	case SMTP_PEND_CONNECT:
		if (text == NULL) {
			smtp_default_banner(s, buf, sizeof(buf));
			text = buf;
			ok = 1;
		}
		if (ok) {
			if (s->conf->banner_delay > 0) {
				struct timeval	 tv;

				smtp_set_reply(s, text);
				s->banner_ready = 1;
				tv.tv_sec = s->conf->banner_delay / 1000;
				tv.tv_usec = (s->conf->banner_delay % 1000) *
				    1000;
				evtimer_add(s->ev_timer, &tv);
			} else
				smtp_banner(s, text);
		} else {
			log_info("smtp session=%016llx event=rejected "
			    "address=%s reply=\"%s\"",
			    (unsigned long long)s->id, s->peer_addr, text);
			smtp_send(s, text);
			if (strncmp(text, "421", 3) == 0)
				smtp_close(s, "rejected at connect");
			else {
				s->phase = SMTP_PH_REJECTED;
				smtp_schedule(s);
			}
		}
		break;
	case SMTP_PEND_EARLY:
		if (text == NULL)
			text = "554 5.5.0 SMTP protocol violation";
		smtp_send(s, text);
		if (ok) {
			s->phase = SMTP_PH_INIT;
			smtp_schedule(s);
		} else
			smtp_close(s, "early talker");
		break;
	case SMTP_PEND_HELO:
		if (text != NULL && ok &&
		    (s->conf->flags & SMTP_F_HELO_VERBATIM)) {
			smtp_send(s, text);
			s->phase = SMTP_PH_HELO;
		} else if (text == NULL || ok) {
			if (s->esmtp)
				smtp_ehlo_reply(s);
			else {
				(void)snprintf(buf, sizeof(buf),
				    "250 %s Hello %s [%s], pleased to meet you",
				    s->conf->hostname, s->helo, s->peer_addr);
				smtp_send(s, buf);
			}
			s->phase = SMTP_PH_HELO;
		} else {
			s->helo[0] = '\0';
			s->esmtp = 0;
			smtp_send(s, text);
		}
		break;
	case SMTP_PEND_TLS:
		if (text != NULL && strncmp(text, "421", 3) == 0) {
			smtp_send(s, text);
			smtp_close(s, "refused after TLS");
		} else
			smtp_schedule(s);
		break;
	case SMTP_PEND_AUTH:
		s->phase = s->helo[0] ? SMTP_PH_HELO : SMTP_PH_INIT;
		if (text == NULL)
			text = "535 5.7.8 Authentication failed";
		ok = strncmp(text, "235", 3) == 0;
		log_info("smtp session=%016llx event=auth address=%s "
		    "user=%s result=%s", (unsigned long long)s->id,
		    s->peer_addr, s->auth_tmp_user, ok ? "ok" : "fail");
		if (ok) {
			s->authed = 1;
			(void)strlcpy(s->auth_user, s->auth_tmp_user,
			    sizeof(s->auth_user));
			smtp_send(s, text);
		} else
			smtp_error(s, text);
		break;
	case SMTP_PEND_MAIL:
		if (text == NULL || ok) {
			s->t->mail_from = s->t->tmp_addr;
			s->phase = SMTP_PH_MAIL;
			s->txn = 1;
			smtp_send(s, text ? text : "250 2.1.0 Ok");
		} else {
			smtp_txn_free(s);
			smtp_send(s, text);
		}
		break;
	case SMTP_PEND_RCPT:
		if (text == NULL || ok) {
			if (s->nrcpt == s->rcpt_cap) {
				s->rcpt_cap = s->rcpt_cap ? s->rcpt_cap * 2 : 8;
				s->rcpts = xreallocarray(s->rcpts,
				    s->rcpt_cap, sizeof(*s->rcpts));
			}
			s->rcpts[s->nrcpt].addr = s->t->tmp_addr;
			s->rcpts[s->nrcpt].params = s->t->tmp_rparams;
			s->rcpts[s->nrcpt].params.raw = NULL;
			s->nrcpt++;
			smtp_send(s, text ? text : "250 2.1.5 Ok");
		} else
			smtp_send(s, text);
		break;
	case SMTP_PEND_DATA:
		if (text == NULL || ok) {
			smtp_data_clear(&s->data);
			smtp_data_init(&s->data, s->conf->max_textline,
			    s->conf->max_size, smtp_body_cb, s);
			free(s->data_fail);
			s->data_fail = NULL;
			s->phase = SMTP_PH_DATA;
			smtp_send(s, text ? text : "354 End data with "
			    "<CR><LF>.<CR><LF>");
		} else
			smtp_send(s, text);
		break;
	case SMTP_PEND_EOM:
		if (s->conf->flags & SMTP_F_LMTP) {
			while (s->lmtp_replies < s->nrcpt) {
				s->lmtp_replies++;
				s->lmtp_accepted++;
				smtp_send(s, "250 2.0.0 Ok");
			}
			(void)snprintf(buf, sizeof(buf), "%zu of %zu accepted",
			    (size_t)s->lmtp_accepted, s->nrcpt);
			smtp_log_message(s, buf);
		} else {
			if (text == NULL)
				text = "250 2.0.0 Ok";
			smtp_send(s, text);
			smtp_log_message(s, text);
		}
		smtp_data_clear(&s->data);
		smtp_txn_free(s);
		s->nrcpt = s->rcpt_tries = 0;
		s->txn = 0;
		if (s->phase != SMTP_PH_CLOSING)
			s->phase = SMTP_PH_HELO;
		break;
	case SMTP_PEND_RSET:
		smtp_send(s, text ? text : "250 2.0.0 Ok");
		break;
	case SMTP_PEND_QUIT:
		smtp_send(s, text ? text : "221 2.0.0 Bye");
		smtp_close(s, "quit");
		break;
	case SMTP_PEND_NOOP:
		smtp_send(s, text ? text : "250 2.0.0 Ok");
		break;
	case SMTP_PEND_STARTTLS:
		if (text != NULL && !ok) {
			smtp_send(s, text);
			break;
		}
		smtp_send(s, text ? text : "220 2.0.0 Ready to start TLS");
		/* nothing more is read: what follows in plaintext is lost */
		s->phase = SMTP_PH_STARTTLS;
		io_pause(s->io, IO_IN);
		smtp_schedule(s);	/* if drained, LOWAT may not come */
		break;
	case SMTP_PEND_ERROR:
	case SMTP_PEND_NONE:
	case SMTP_PEND_IGNORE:
		break;
	}
	if (s->phase != SMTP_PH_CLOSING && s->phase != SMTP_PH_DEAD &&
	    text != NULL && strncmp(text, "421", 3) == 0)
		smtp_close(s, "421 reply");
}

static void
smtp_log_message(struct smtp_session *s, const char *result)
{
	char	 from[SMTP_PATH_MAX + 1];

	if (s->t == NULL ||
	    smtp_addr_format(&s->t->mail_from, from, sizeof(from)) == -1)
		from[0] = '\0';
	smtp_log_event(s, "smtp session=%016llx event=message address=%s "
	    "from=<%s> nrcpt=%zu size=%zu result=\"%s\"",
	    (unsigned long long)s->id, s->peer_addr, from, s->nrcpt,
	    s->data.size, result);
}

/* Drop the transaction (and tell the application why). */
static void
smtp_txn_reset(struct smtp_session *s, enum smtp_rset_why why)
{
	enum smtp_pending	 saved = s->pending;

	if (why != SMTP_RSET_CMD && s->hooks->rset != NULL) {
		s->pending = SMTP_PEND_IGNORE;
		s->in_hook++;
		(void)s->hooks->rset(s, s->arg, why);
		s->in_hook--;
		s->pending = saved;
	}
	smtp_data_clear(&s->data);
	smtp_txn_free(s);
	s->nrcpt = s->rcpt_tries = 0;
	s->txn = 0;
	if (s->phase == SMTP_PH_MAIL || s->phase == SMTP_PH_DATA)
		s->phase = SMTP_PH_HELO;
}

/* The envelope is gone: free it (an idle session keeps none). */
static void
smtp_txn_free(struct smtp_session *s)
{
	free(s->t);
	s->t = NULL;
	free(s->data_fail);
	s->data_fail = NULL;
}

static int
smtp_body_cb(void *arg, const char *line, size_t len, int flags)
{
	struct smtp_session	*s = arg;
	int			 r = 0;

	if (s->hooks->body != NULL)
		r = s->hooks->body(s, s->arg, line, len, flags);
	if (s->early_reply != NULL)
		s->data.flags |= SMTP_DATA_PAUSE;
	if (s->app_paused)
		s->data.flags |= SMTP_DATA_PAUSE;
	return r;
}

/* Read input: commands, SASL lines or message data, until a hook waits. */
static void
smtp_process(struct smtp_session *s)
{
	char	 cmdline[SMTP_AUTH_LINE_MAX + 1];	/* not kept: stack */
	char	*line;
	ssize_t	 n;
	size_t	 len;

	while (s->pending == SMTP_PEND_NONE && !s->app_paused) {
		switch (s->phase) {
		case SMTP_PH_DATA:
			smtp_process_data(s);
			if (s->phase == SMTP_PH_DATA)
				return;
			continue;
		case SMTP_PH_REJECTED:
		case SMTP_PH_INIT:
		case SMTP_PH_HELO:
		case SMTP_PH_MAIL:
		case SMTP_PH_AUTH:
			break;
		default:
			return;
		}
		n = io_getline(s->io, SMTP_AUTH_LINE_MAX, &line);
		if (n == 0)
			return;
		s->cur_verb = s->phase == SMTP_PH_AUTH ? SMTP_CMD_AUTH :
		    SMTP_CMD_UNKNOWN;
		if (n < 0) {
			io_skip_line(s->io);
			if (s->phase == SMTP_PH_AUTH) {
				s->phase = s->helo[0] ? SMTP_PH_HELO :
				    SMTP_PH_INIT;
				smtp_error(s, "500 5.5.6 Authentication "
				    "exchange line is too long");
			} else
				smtp_error(s, "500 5.5.2 Line too long");
			continue;
		}
		len = n - 1;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		memcpy(cmdline, line, len);
		cmdline[len] = '\0';
		if (s->phase == SMTP_PH_AUTH || (len >= 4 &&
		    strncasecmp(line, "AUTH", 4) == 0))
			explicit_bzero(line, n);	/* credentials */
		io_drop(s->io, n);
		if (memchr(cmdline, '\r', len) != NULL ||
		    memchr(cmdline, '\0', len) != NULL) {
			explicit_bzero(cmdline, len);
			if (s->phase == SMTP_PH_AUTH)
				s->phase = s->helo[0] ? SMTP_PH_HELO :
				    SMTP_PH_INIT;
			smtp_error(s, "500 5.5.2 Syntax error: bare CR or NUL "
			    "in command");
			continue;
		}
		if (s->phase == SMTP_PH_AUTH) {
			smtp_auth_line(s, cmdline);
			explicit_bzero(cmdline, len);
			continue;
		}
		if ((size_t)n > SMTP_LINE_MAX &&
		    strncasecmp(cmdline, "AUTH ", 5) != 0) {
			smtp_error(s, "500 5.5.2 Line too long");
			continue;
		}
		smtp_command(s, cmdline);
		if (strncasecmp(cmdline, "AUTH", 4) == 0)
			explicit_bzero(cmdline, len);
	}
}

/* Message data through the DATA reader, line by line. */
static void
smtp_process_data(struct smtp_session *s)
{
	char	*line;
	ssize_t	 n;
	size_t	 used;

	while (s->phase == SMTP_PH_DATA && !s->app_paused) {
		n = io_getline(s->io, s->conf->max_textline + 2, &line);
		if (n == 0)
			return;
		if (n < 0) {
			/* a long line: feed what is there, in a chunk */
			n = io_datalen(s->io);
			line = io_data(s->io);
			if (line == NULL)
				return;
		}
		used = smtp_data_feed(&s->data, line, n);
		io_drop(s->io, used);
		if (s->early_reply != NULL)
			smtp_data_early(s);
		else if (s->discard) {
			if (s->data.flags & SMTP_DATA_DONE) {
				s->discard = 0;
				smtp_data_clear(&s->data);
				s->phase = SMTP_PH_HELO;
			}
		} else if (s->data.flags & SMTP_DATA_DONE)
			smtp_eom(s);
	}
}

/* The body hook ended DATA early (smtp_data_reply). */
static void
smtp_data_early(struct smtp_session *s)
{
	char	*text = s->early_reply;
	size_t	 i;
	int	 done = s->data.flags & SMTP_DATA_DONE;

	s->early_reply = NULL;
	smtp_send(s, text);
	if (s->conf->flags & SMTP_F_LMTP)	/* one reply per recipient */
		for (i = 1; i < s->nrcpt; i++)
			smtp_send(s, text);
	smtp_log_message(s, text);
	smtp_txn_reset(s, SMTP_RSET_REJECTED);
	s->phase = SMTP_PH_HELO;
	if (s->early_close || strncmp(text, "421", 3) == 0)
		smtp_close(s, "end of data");
	else if (!done) {
		/* at the start of a line: read on to CRLF.CRLF, quietly */
		smtp_data_init(&s->data, s->conf->max_textline, 0, NULL, s);
		s->discard = 1;
		s->phase = SMTP_PH_DATA;
	}
	free(text);
}

void
smtp_data_reply(struct smtp_session *s, int close, const char *fmt, ...)
{
	char	 buf[SMTP_OUT_MAX];
	va_list	 ap;
	int	 n;

	if (s->phase != SMTP_PH_DATA || s->discard ||
	    s->early_reply != NULL) {
		log_warnx("smtp session=%016llx data reply out of DATA "
		    "dropped", (unsigned long long)s->id);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		(void)strlcpy(buf, "451 4.3.0 Internal error", sizeof(buf));
	s->early_reply = xstrdup(buf);
	s->early_close = close;
	s->data.flags |= SMTP_DATA_PAUSE;
}

/* CRLF.CRLF: the engine's verdict, or the application's. */
static void
smtp_eom(struct smtp_session *s)
{
	char		 buf[SMTP_REPLY_MAX];
	const char	*text = NULL;
	struct smtp_msg	 msg;
	size_t		 i;
	int		 f = s->data.flags, ret = SMTP_DEFAULT;

	if (f & SMTP_DATA_BARE)
		text = "550 5.6.0 Message rejected: bare CR or LF in message "
		    "data (only CRLF may end a line)";
	else if (f & SMTP_DATA_TOOBIG)
		text = "552 5.3.4 Message rejected: size exceeds fixed "
		    "maximum message size";
	else if (f & SMTP_DATA_LONGLINE) {
		(void)snprintf(buf, sizeof(buf), "500 5.5.2 Message "
		    "rejected: text line longer than %zu octets",
		    s->conf->max_textline);
		text = buf;
	} else if (f & SMTP_DATA_FAILED)
		text = s->data_fail != NULL ? s->data_fail :
		    "451 4.3.0 Local error in processing";
	if (text != NULL) {
		if (s->conf->flags & SMTP_F_LMTP)
			for (i = 0; i < s->nrcpt; i++)
				smtp_send(s, text);
		else
			smtp_send(s, text);
		smtp_log_message(s, text);
		smtp_txn_reset(s, SMTP_RSET_REJECTED);
		s->phase = SMTP_PH_HELO;
		return;
	}
	s->phase = SMTP_PH_HELO;	/* no more data is read */
	msg.size = s->data.size;
	msg.nlines = s->data.nlines;
	msg.nrcpt = s->nrcpt;
	s->lmtp_replies = 0;
	s->lmtp_accepted = 0;
	s->pending = SMTP_PEND_EOM;
	s->in_hook++;
	if (s->hooks->eom != NULL)
		ret = s->hooks->eom(s, s->arg, &msg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static int
smtp_ext_mask(struct smtp_session *s)
{
	int	 m = SMTP_P_SIZE;

	if (!s->esmtp)
		return 0;
	if (!(s->conf->flags & SMTP_F_NO_8BITMIME))
		m |= SMTP_P_8BITMIME;
	if (!(s->conf->flags & SMTP_F_NO_SMTPUTF8))
		m |= SMTP_P_SMTPUTF8;
	if (s->conf->flags & SMTP_F_DSN)
		m |= SMTP_P_DSN;
	if (s->conf->flags & SMTP_F_AUTH)
		m |= SMTP_P_AUTH;
	return m;
}

static int
smtp_auth_offered(struct smtp_session *s)
{
	return (s->conf->flags & SMTP_F_AUTH) && s->hooks->auth != NULL &&
	    (s->tls || (s->conf->flags & SMTP_F_AUTH_PLAINTEXT));
}

static void
smtp_ehlo_reply(struct smtp_session *s)
{
	char	 buf[SMTP_OUT_MAX];
	int	 f = s->conf->flags;

	(void)snprintf(buf, sizeof(buf), "250 %s Hello %s [%s], pleased to "
	    "meet you", s->conf->hostname, s->helo, s->peer_addr);
	if (!(f & SMTP_F_NO_8BITMIME))
		(void)strlcat(buf, "\n8BITMIME", sizeof(buf));
	if (!(f & SMTP_F_NO_ENHANCED))
		(void)strlcat(buf, "\nENHANCEDSTATUSCODES", sizeof(buf));
	if (s->conf->max_size > 0) {
		char	 sz[32];

		(void)snprintf(sz, sizeof(sz), "\nSIZE %llu",
		    (unsigned long long)s->conf->max_size);
		(void)strlcat(buf, sz, sizeof(buf));
	} else
		(void)strlcat(buf, "\nSIZE", sizeof(buf));
	if (!(f & SMTP_F_NO_PIPELINING))
		(void)strlcat(buf, "\nPIPELINING", sizeof(buf));
	if (f & SMTP_F_DSN)
		(void)strlcat(buf, "\nDSN", sizeof(buf));
	if (!(f & SMTP_F_NO_SMTPUTF8))
		(void)strlcat(buf, "\nSMTPUTF8", sizeof(buf));
	if ((f & SMTP_F_STARTTLS) && !s->tls)
		(void)strlcat(buf, "\nSTARTTLS", sizeof(buf));
	if (smtp_auth_offered(s) && !s->authed)
		(void)strlcat(buf, "\nAUTH PLAIN LOGIN", sizeof(buf));
	(void)strlcat(buf, "\nHELP", sizeof(buf));
	smtp_send(s, buf);
}

/* One command line (CRLF removed). */
static void
smtp_command(struct smtp_session *s, char *line)
{
	struct smtp_cmd	 cmd;
	int		 lmtp = s->conf->flags & SMTP_F_LMTP;

	(void)smtp_parse_cmd(line, &cmd);
	s->cur_verb = cmd.verb;
	if (cmd.verb == SMTP_CMD_AUTH)
		log_debug("smtp session=%016llx command=AUTH",
		    (unsigned long long)s->id);
	else
		log_debug("smtp session=%016llx command=\"%s\"",
		    (unsigned long long)s->id, line);

	if (s->phase == SMTP_PH_REJECTED) {
		if (cmd.verb == SMTP_CMD_QUIT) {
			smtp_send(s, "221 2.0.0 Bye");
			smtp_close(s, "quit");
		} else
			smtp_error(s, "503 5.5.1 Error: session rejected, "
			    "only QUIT is allowed");
		return;
	}
	if ((lmtp && (cmd.verb == SMTP_CMD_HELO ||
	    cmd.verb == SMTP_CMD_EHLO)) || (!lmtp &&
	    cmd.verb == SMTP_CMD_LHLO))
		cmd.verb = SMTP_CMD_UNKNOWN;
	if ((s->conf->flags & SMTP_F_TLS_REQUIRE) && !s->tls) {
		switch (cmd.verb) {
		case SMTP_CMD_HELO:
		case SMTP_CMD_EHLO:
		case SMTP_CMD_LHLO:
		case SMTP_CMD_STARTTLS:
		case SMTP_CMD_NOOP:
		case SMTP_CMD_RSET:
		case SMTP_CMD_QUIT:
		case SMTP_CMD_HELP:
		case SMTP_CMD_NONE:
		case SMTP_CMD_UNKNOWN:
			break;
		default:
			smtp_error(s, "530 5.7.0 Must issue a STARTTLS "
			    "command first");
			return;
		}
	}

	switch (cmd.verb) {
	case SMTP_CMD_NONE:
		smtp_error(s, "500 5.5.2 Syntax error: empty command");
		break;
	case SMTP_CMD_UNKNOWN:
		smtp_error(s, "500 5.5.1 Command unrecognized");
		break;
	case SMTP_CMD_NOTIMPL:
		smtp_error(s, "502 5.5.1 Command not implemented");
		break;
	case SMTP_CMD_HELO:
	case SMTP_CMD_EHLO:
	case SMTP_CMD_LHLO:
		smtp_check_helo(s, &cmd);
		break;
	case SMTP_CMD_STARTTLS:
		smtp_check_starttls(s, &cmd);
		break;
	case SMTP_CMD_AUTH:
		smtp_check_auth(s, &cmd);
		break;
	case SMTP_CMD_MAIL:
		smtp_check_mail(s, &cmd);
		break;
	case SMTP_CMD_RCPT:
		smtp_check_rcpt(s, &cmd);
		break;
	case SMTP_CMD_DATA:
		smtp_check_data(s, &cmd);
		break;
	case SMTP_CMD_RSET:
		smtp_check_rset(s, &cmd);
		break;
	case SMTP_CMD_QUIT:
		smtp_check_quit(s, &cmd);
		break;
	case SMTP_CMD_NOOP:
		smtp_check_noop(s, &cmd);
		break;
	case SMTP_CMD_HELP:
		smtp_send(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA "
		    "RSET NOOP QUIT HELP VRFY\n2.0.0 See RFC 5321");
		break;
	case SMTP_CMD_VRFY:
		if (*cmd.args == '\0')
			smtp_error(s, "501 5.5.4 Syntax: VRFY address");
		else
			smtp_send(s, "252 2.5.2 Cannot VRFY user, but will "
			    "accept message and attempt delivery");
		break;
	case SMTP_CMD_EXPN:
		smtp_send(s, "502 5.5.1 EXPN not supported");
		break;
	}
}

static void
smtp_check_helo(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	if (s->conf->flags & SMTP_F_LAX_HELO) {
		/* the first word, whatever it is (spamd) */
		cmd->args[strcspn(cmd->args, " \t")] = '\0';
		if (*cmd->args == '\0')
			cmd->args = NULL;
	} else if (smtp_parse_helo(cmd->args) == -1)
		cmd->args = NULL;
	if (cmd->args == NULL) {
		smtp_error(s, cmd->verb == SMTP_CMD_HELO ?
		    "501 5.5.4 Syntax: HELO hostname" :
		    cmd->verb == SMTP_CMD_EHLO ?
		    "501 5.5.4 Syntax: EHLO hostname" :
		    "501 5.5.4 Syntax: LHLO hostname");
		return;
	}
	if (s->phase == SMTP_PH_MAIL)
		smtp_txn_reset(s, SMTP_RSET_HELO);
	(void)strlcpy(s->helo, cmd->args, sizeof(s->helo));
	s->esmtp = cmd->verb != SMTP_CMD_HELO;
	s->pending = SMTP_PEND_HELO;
	s->in_hook++;
	if (s->hooks->helo != NULL)
		ret = s->hooks->helo(s, s->arg, s->helo);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_starttls(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	if (!(s->conf->flags & SMTP_F_STARTTLS)) {
		smtp_error(s, "502 5.5.1 Command not implemented");
		return;
	}
	if (*cmd->args != '\0') {
		smtp_error(s, "501 5.5.4 Syntax: STARTTLS (no parameters)");
		return;
	}
	if (s->tls) {
		smtp_error(s, "503 5.5.1 Error: TLS already active");
		return;
	}
	if (s->phase == SMTP_PH_MAIL) {
		smtp_error(s, "503 5.5.1 Error: STARTTLS not permitted during "
		    "a mail transaction");
		return;
	}
	s->pending = SMTP_PEND_STARTTLS;
	s->in_hook++;
	if (s->hooks->starttls != NULL)
		ret = s->hooks->starttls(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_tls_start(struct smtp_session *s)
{
	SSL	*ssl;

	if ((ssl = SSL_new(s->conf->tls_ctx)) == NULL) {
		log_warnx("smtp session=%016llx SSL_new failed",
		    (unsigned long long)s->id);
		smtp_end(s, "TLS setup failed");
		return;
	}
	s->phase = SMTP_PH_HANDSHAKE;
	if (io_start_tls(s->io, ssl, 1) == -1) {
		SSL_free(ssl);
		smtp_end(s, "TLS setup failed");
		return;
	}
	io_resume(s->io, IO_IN);
}

static void
smtp_tls_ready(struct smtp_session *s)
{
	SSL	*ssl = io_tls(s->io);
	int	 ret = SMTP_DEFAULT;
	int	 smtps = s->conf->flags & SMTP_F_SMTPS;	/* before the banner */

	s->tls = 1;
	(void)snprintf(s->tls_info, sizeof(s->tls_info),
	    "version=%s cipher=%s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
	log_info("smtp session=%016llx event=tls address=%s %s",
	    (unsigned long long)s->id, s->peer_addr, s->tls_info);
	/* RFC 3207 4.2: forget everything learnt before TLS */
	s->helo[0] = '\0';
	s->esmtp = 0;
	s->authed = 0;
	s->auth_user[0] = '\0';
	s->phase = smtps ? SMTP_PH_SETUP : SMTP_PH_INIT;
	s->pending = SMTP_PEND_TLS;
	s->in_hook++;
	if (s->hooks->tls != NULL)
		ret = s->hooks->tls(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_auth(struct smtp_session *s, struct smtp_cmd *cmd)
{
	char		*mech, *resp;
	ssize_t		 n;

	if (!(s->conf->flags & SMTP_F_AUTH) || s->hooks->auth == NULL) {
		smtp_error(s, "502 5.5.1 Command not implemented");
		return;
	}
	if (!smtp_auth_offered(s)) {
		smtp_error(s, "530 5.7.0 Must issue a STARTTLS command first");
		return;
	}
	if (!s->esmtp || s->helo[0] == '\0') {
		smtp_error(s, "503 5.5.1 Error: send EHLO first");
		return;
	}
	if (s->authed) {
		smtp_error(s, "503 5.5.1 Error: already authenticated");
		return;
	}
	if (s->phase == SMTP_PH_MAIL) {
		smtp_error(s, "503 5.5.1 Error: AUTH not permitted during a "
		    "mail transaction");
		return;
	}
	mech = cmd->args;
	if ((resp = strchr(mech, ' ')) != NULL) {
		*resp++ = '\0';
		while (*resp == ' ')
			resp++;
		if (*resp == '\0' || strchr(resp, ' ') != NULL) {
			smtp_error(s, "501 5.5.4 Syntax: AUTH mechanism "
			    "[initial-response]");
			return;
		}
	}
	if (strcasecmp(mech, "PLAIN") == 0) {
		s->auth_step = SMTP_AUTH_PLAIN;
		if (resp == NULL) {
			s->phase = SMTP_PH_AUTH;
			smtp_send(s, "334 ");
			return;
		}
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		s->auth_step = SMTP_AUTH_LOGIN_USER;
		if (resp == NULL) {
			s->phase = SMTP_PH_AUTH;
			smtp_send(s, "334 VXNlcm5hbWU6");
			return;
		}
	} else {
		smtp_error(s, "504 5.5.4 Unrecognized authentication "
		    "mechanism");
		return;
	}
	s->phase = SMTP_PH_AUTH;
	n = strlen(resp);
	smtp_auth_line(s, resp);
	explicit_bzero(resp, n);
}

/*
 * A SASL response line (base64, or "*" to cancel).  The decoded
 * credentials live in a buffer sized to this line, wiped and freed
 * before returning: an idle session keeps none.
 */
static void
smtp_auth_line(struct smtp_session *s, char *line)
{
	unsigned char	*b, *user, *pass, *end;
	char		*authzid;
	ssize_t		 n;
	size_t		 ulen, len = strlen(line), bsize;

	s->phase = s->helo[0] ? SMTP_PH_HELO : SMTP_PH_INIT;
	if (strcmp(line, "*") == 0) {
		smtp_error(s, "501 5.0.0 Authentication cancelled");
		return;
	}
	/* the decoded octets, a NUL, and room for the LOGIN user name */
	bsize = 3 * len / 4 + 3 + 1 + sizeof(s->auth_tmp_user) + 1;
	b = xmalloc(bsize);
	if (strcmp(line, "=") == 0)
		n = 0;
	else if ((n = smtp_b64_decode(line, len, b, bsize - 1)) == -1) {
		freezero(b, bsize);
		smtp_error(s, "501 5.5.2 Cannot decode response");
		return;
	}
	b[n] = '\0';
	end = b + n;
	switch (s->auth_step) {
	case SMTP_AUTH_PLAIN:
		/* authzid NUL user NUL password */
		authzid = (char *)b;
		user = memchr(b, '\0', n);
		pass = user ? memchr(user + 1, '\0', end - user - 1) : NULL;
		if (user == NULL || pass == NULL || user + 1 == pass ||
		    memchr(pass + 1, '\0', end - pass - 1) != NULL) {
			freezero(b, bsize);
			smtp_error(s, "501 5.5.2 Invalid PLAIN response");
			return;
		}
		smtp_auth_call(s, "PLAIN", authzid, (char *)user + 1,
		    (char *)pass + 1);
		break;
	case SMTP_AUTH_LOGIN_USER:
		if (n == 0 || memchr(b, '\0', n) != NULL ||
		    (size_t)n >= sizeof(s->auth_tmp_user)) {
			freezero(b, bsize);
			smtp_error(s, "501 5.5.2 Invalid user name");
			return;
		}
		memcpy(s->auth_tmp_user, b, n + 1);
		s->auth_step = SMTP_AUTH_LOGIN_PASS;
		s->phase = SMTP_PH_AUTH;
		smtp_send(s, "334 UGFzc3dvcmQ6");
		break;
	case SMTP_AUTH_LOGIN_PASS:
		ulen = strlen(s->auth_tmp_user);
		if (memchr(b, '\0', n) != NULL ||
		    (size_t)n + 1 + ulen + 1 > bsize) {
			freezero(b, bsize);
			smtp_error(s, "501 5.5.2 Invalid password");
			return;
		}
		/* user after the password, in the same wiped buffer */
		memcpy(b + n + 1, s->auth_tmp_user, ulen + 1);
		smtp_auth_call(s, "LOGIN", "", (char *)b + n + 1, (char *)b);
		break;
	}
	freezero(b, bsize);
}

static void
smtp_auth_call(struct smtp_session *s, const char *mech, const char *authzid,
    const char *user, const char *pass)
{
	char	*p;
	int	 ret = SMTP_DEFAULT;

	if (strlcpy(s->auth_tmp_user, user, sizeof(s->auth_tmp_user)) >=
	    sizeof(s->auth_tmp_user))
		s->auth_tmp_user[0] = '\0';
	/* the user name is logged: keep it printable */
	for (p = s->auth_tmp_user; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' ||
		    (unsigned char)*p >= 0x7f)
			*p = '?';
	s->pending = SMTP_PEND_AUTH;
	s->in_hook++;
	ret = s->hooks->auth(s, s->arg, mech, authzid, user, pass);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

/*
 * The parameter parsers cut their input up: keep the parameters as the
 * client sent them for the hooks (smtp_*_params.raw).  A command line
 * is shorter than raw, so nothing is cut; returns 0 to chain.
 */
static int
smtp_keep_raw(const char *params, char *raw, size_t len)
{
	(void)strlcpy(raw, params, len);
	return 0;
}

static void
smtp_check_mail(struct smtp_session *s, struct smtp_cmd *cmd)
{
	const char	*err;
	char		*params, raw[SMTP_LINE_MAX];
	int		 ret = SMTP_DEFAULT, mask = smtp_ext_mask(s);
	size_t		 i;

	if (s->helo[0] == '\0' && !(s->conf->flags & SMTP_F_LAX_SEQUENCE)) {
		smtp_error(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->phase == SMTP_PH_MAIL) {
		smtp_error(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if ((s->conf->flags & SMTP_F_AUTH_REQUIRE) && !s->authed) {
		smtp_error(s, "530 5.7.0 Authentication required");
		return;
	}
	if (s->t == NULL)
		s->t = xcalloc(1, sizeof(*s->t));
	if (smtp_parse_path(cmd->args, 1, mask & SMTP_P_SMTPUTF8,
	    &s->t->tmp_addr, &params, &err) == -1 ||
	    smtp_keep_raw(params, raw, sizeof(raw)) ||
	    smtp_parse_mail_params(params, mask, &s->t->mail_params,
	    &err) == -1) {
		smtp_txn_free(s);
		smtp_error(s, err);
		return;
	}
	if (!s->t->mail_params.smtputf8) {
		for (i = 0; s->t->tmp_addr.local[i] != '\0'; i++)
			if ((unsigned char)s->t->tmp_addr.local[i] >= 0x80)
				break;
		if (s->t->tmp_addr.local[i] != '\0' ||
		    strspn(s->t->tmp_addr.domain, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_[]:") !=
		    strlen(s->t->tmp_addr.domain)) {
			smtp_txn_free(s);
			smtp_error(s, "553 5.6.7 Non-ASCII address requires "
			    "SMTPUTF8");
			return;
		}
	}
	if (s->conf->max_size > 0 && s->t->mail_params.has_size &&
	    s->t->mail_params.size > s->conf->max_size) {
		smtp_txn_free(s);
		smtp_send(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
		return;
	}
	s->t->mail_params.raw = raw;
	s->pending = SMTP_PEND_MAIL;
	s->in_hook++;
	if (s->hooks->mail != NULL)
		ret = s->hooks->mail(s, s->arg, &s->t->tmp_addr,
		    &s->t->mail_params);
	s->in_hook--;
	s->t->mail_params.raw = NULL;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_rcpt(struct smtp_session *s, struct smtp_cmd *cmd)
{
	const char	*err;
	char		*params, raw[SMTP_LINE_MAX];
	int		 ret = SMTP_DEFAULT, mask = smtp_ext_mask(s);

	if (s->phase != SMTP_PH_MAIL) {
		smtp_error(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt >= s->conf->max_rcpt) {
		smtp_send(s, "452 4.5.3 Too many recipients");
		return;
	}
	if (s->t == NULL)
		s->t = xcalloc(1, sizeof(*s->t));
	if (smtp_parse_path(cmd->args, 0, s->t->mail_params.smtputf8,
	    &s->t->tmp_addr, &params, &err) == -1 ||
	    smtp_keep_raw(params, raw, sizeof(raw)) ||
	    smtp_parse_rcpt_params(params, mask, &s->t->tmp_rparams,
	    &err) == -1) {
		smtp_error(s, err);
		return;
	}
	s->rcpt_tries++;
	s->t->tmp_rparams.raw = raw;
	s->pending = SMTP_PEND_RCPT;
	s->in_hook++;
	if (s->hooks->rcpt != NULL)
		ret = s->hooks->rcpt(s, s->arg, &s->t->tmp_addr,
		    &s->t->tmp_rparams);
	s->in_hook--;
	s->t->tmp_rparams.raw = NULL;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_data(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	if (*cmd->args != '\0') {
		smtp_error(s, "501 5.5.4 Syntax: DATA (no parameters)");
		return;
	}
	if (s->phase != SMTP_PH_MAIL) {
		smtp_error(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt == 0) {
		if (s->rcpt_tries > 0)
			smtp_send(s, "554 5.5.1 Error: no valid recipients");
		else
			smtp_error(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	s->pending = SMTP_PEND_DATA;
	s->in_hook++;
	if (s->hooks->data != NULL)
		ret = s->hooks->data(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_rset(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	if (*cmd->args != '\0') {
		smtp_error(s, "501 5.5.4 Syntax: RSET (no parameters)");
		return;
	}
	smtp_txn_reset(s, SMTP_RSET_CMD);
	s->pending = SMTP_PEND_RSET;
	s->in_hook++;
	if (s->hooks->rset != NULL)
		ret = s->hooks->rset(s, s->arg, SMTP_RSET_CMD);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_noop(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	s->pending = SMTP_PEND_NOOP;
	s->in_hook++;
	if (s->hooks->noop != NULL)
		ret = s->hooks->noop(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

static void
smtp_check_quit(struct smtp_session *s, struct smtp_cmd *cmd)
{
	int	 ret = SMTP_DEFAULT;

	if (*cmd->args != '\0') {
		smtp_error(s, "501 5.5.4 Syntax: QUIT (no parameters)");
		return;
	}
	s->pending = SMTP_PEND_QUIT;
	s->in_hook++;
	if (s->hooks->quit != NULL)
		ret = s->hooks->quit(s, s->arg);
	s->in_hook--;
	smtp_hook_done(s, ret, NULL);
}

void
smtp_session_set_pace(struct smtp_session *s, int msec)
{
	s->pace = msec > 0 ? msec : 0;
	if (s->pace == 0 && s->paced_off < s->paced_len) {
		evtimer_del(s->ev_timer);
		(void)io_write(s->io, s->paced + s->paced_off,
		    s->paced_len - s->paced_off);
		smtp_paced_free(s);
	}
}

void
smtp_pause(struct smtp_session *s)
{
	s->app_paused = 1;
	s->data.flags |= SMTP_DATA_PAUSE;
	io_pause(s->io, IO_IN);
}

void
smtp_resume(struct smtp_session *s)
{
	if (!s->app_paused)
		return;
	s->app_paused = 0;
	smtp_schedule(s);
}

void
smtp_session_close(struct smtp_session *s, const char *reason)
{
	if (s->phase == SMTP_PH_DEAD)
		return;
	(void)strlcpy(s->close_reason, reason ? reason : "closed",
	    sizeof(s->close_reason));
	s->close_req = 1;
	smtp_schedule(s);
}

void
smtp_session_set_arg(struct smtp_session *s, void *arg)
{
	s->arg = arg;
}

void *
smtp_session_arg(struct smtp_session *s)
{
	return s->arg;
}

struct smtp_server *
smtp_session_server(struct smtp_session *s)
{
	return s->srv;
}

uint64_t
smtp_session_id(struct smtp_session *s)
{
	return s->id;
}

const struct sockaddr *
smtp_session_peer(struct smtp_session *s)
{
	return (const struct sockaddr *)&s->peer;
}

const struct sockaddr *
smtp_session_local(struct smtp_session *s)
{
	return (const struct sockaddr *)&s->local;
}

const char *
smtp_session_peer_addr(struct smtp_session *s)
{
	return s->peer_addr;
}

const char *
smtp_session_helo(struct smtp_session *s)
{
	return s->helo[0] ? s->helo : NULL;
}

int
smtp_session_esmtp(struct smtp_session *s)
{
	return s->esmtp;
}

int
smtp_session_tls(struct smtp_session *s)
{
	return s->tls;
}

int
smtp_session_fd(struct smtp_session *s)
{
	return io_fileno(s->io);
}

SSL *
smtp_session_ssl(struct smtp_session *s)
{
	return io_tls(s->io);
}

const char *
smtp_session_tls_info(struct smtp_session *s)
{
	return s->tls ? s->tls_info : NULL;
}

const char *
smtp_session_auth_user(struct smtp_session *s)
{
	return s->authed ? s->auth_user : NULL;
}

const char *
smtp_session_tag(struct smtp_session *s)
{
	return s->conf->tag;
}

const struct smtp_addr *
smtp_session_mail_from(struct smtp_session *s)
{
	if (s->phase != SMTP_PH_MAIL && s->phase != SMTP_PH_DATA &&
	    s->pending != SMTP_PEND_EOM)
		return NULL;
	if (s->t == NULL)
		return NULL;
	return &s->t->mail_from;
}

const struct smtp_mail_params *
smtp_session_mail_params(struct smtp_session *s)
{
	if (smtp_session_mail_from(s) == NULL)
		return NULL;
	return &s->t->mail_params;
}

size_t
smtp_session_nrcpt(struct smtp_session *s)
{
	return s->nrcpt;
}

const struct smtp_rcpt *
smtp_session_rcpt(struct smtp_session *s, size_t i)
{
	return i < s->nrcpt ? &s->rcpts[i] : NULL;
}
