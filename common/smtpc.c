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
 * The SMTP / LMTP client: see smtpc.h.  One state per thing we wait
 * for; a transaction is a list of commands whose replies come back in
 * order (all at once with PIPELINING, one by one without).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "io.h"
#include "log.h"
#include "smtpc.h"
#include "xmalloc.h"

enum smtpc_state {
	S_CONNECT,
	S_BANNER,
	S_EHLO,
	S_HELO,
	S_STARTTLS,
	S_TLS,
	S_AUTH,
	S_READY,
	S_TXN,
	S_BODY,
	S_EOD,
	S_DISCARD,	/* 354 with no recipient: "." sent, reply ignored */
	S_QUIT,
	S_CMD,		/* smtpc_command: one reply */
	S_DEAD
};

enum smtpc_cmd {
	C_RSET,
	C_MAIL,
	C_RCPT,
	C_DATA
};

struct smtpc_pend {
	enum smtpc_cmd	 cmd;
	size_t		 rcpt;
};

#define SMTPC_CHUNK	(128 * 1024)	/* body read per step */
#define SMTPC_HIWAT	(1024 * 1024)	/* output queued at most */
#define SMTPC_LOWAT	(256 * 1024)

struct smtpc {
	struct event_base	*base;
	struct io		*io;
	struct smtpc_params	 params;
	smtpc_cb		 cb;
	void			*arg;
	enum smtpc_state	 state;
	struct event		*timer;
	struct event		*defer;
	int			 defer_evt;
	int			 busy;		/* in a callback */
	int			 freed;
	int			 tls;		/* TLS is on */
	int			 notls;		/* TLS failed: plain retry */
	struct sockaddr_storage	 sa;		/* smtpc_connect's, to retry */
	socklen_t		 salen;
	int			 helo;		/* fell back to HELO */
	int			 need_rset;
	struct smtpc_caps	 caps;
	struct smtpc_reply	 banner;
	struct smtpc_reply	 reply;		/* being read */
	struct smtpc_reply	 status;	/* why we failed */
	struct smtpc_reply	 last;		/* reply to smtpc_command */
	char			*cmd;		/* smtpc_command after RSET */
	int			 cmd_rset;	/* waiting for RSET's reply */
	char			 cmdname[16];	/* its verb, for messages */
	/* the transaction */
	struct smtpc_msg	*msg;
	struct smtpc_pend	*pend;
	size_t			 npend;
	size_t			 nsent;		/* commands written */
	size_t			 nreplied;	/* replies read */
	size_t			 nrcpt_ok;	/* RCPT answered 2xx */
	size_t			 eod_left;	/* end-of-data replies due */
	size_t			 eod_next;	/* LMTP: next rcpt to answer */
	int			 in_head;	/* sending msg->head */
	off_t			 body_off;
	size_t			 body_len;
	struct smtpc_dot	 dot;
	struct evbuffer		*out;
};

static void	smtpc_io_cb(struct io *, int, void *);
static void	smtpc_timer_cb(int, short, void *);
static void	smtpc_defer_cb(int, short, void *);
static void	smtpc_start(struct smtpc *);
static int	smtpc_tls_retry(struct smtpc *);
static void	smtpc_arm(struct smtpc *, int);
static void	smtpc_call(struct smtpc *, int);
static void	smtpc_fail(struct smtpc *, int, const char *, const char *,
		    ...) __attribute__((__format__ (printf, 4, 5)));
static void	smtpc_fail_reply(struct smtpc *, const struct smtpc_reply *);
static void	smtpc_destroy(struct smtpc *);
static void	smtpc_read(struct smtpc *);
static void	smtpc_reply(struct smtpc *, struct smtpc_reply *);
static void	smtpc_ehlo(struct smtpc *);
static void	smtpc_after_ehlo(struct smtpc *);
static void	smtpc_auth(struct smtpc *);
static void	smtpc_ready(struct smtpc *);
static void	smtpc_starttls(struct smtpc *);
static void	smtpc_send_cmd(struct smtpc *, size_t);
static void	smtpc_txn_reply(struct smtpc *, struct smtpc_reply *);
static void	smtpc_txn_done(struct smtpc *);
static void	smtpc_body_start(struct smtpc *);
static void	smtpc_body_pump(struct smtpc *);
static void	smtpc_eod_reply(struct smtpc *, struct smtpc_reply *);
static const char *smtpc_phase(struct smtpc *);

static const char *
smtpc_cmdname(enum smtpc_cmd c)
{
	switch (c) {
	case C_RSET:
		return "RSET";
	case C_MAIL:
		return "MAIL FROM";
	case C_RCPT:
		return "RCPT TO";
	case C_DATA:
		return "DATA";
	}
	return "?";
}

const char *
smtpc_strevent(int evt)
{
	switch (evt) {
	case SMTPC_READY:
		return "SMTPC_READY";
	case SMTPC_DONE:
		return "SMTPC_DONE";
	case SMTPC_CLOSED:
		return "SMTPC_CLOSED";
	case SMTPC_ERROR:
		return "SMTPC_ERROR";
	case SMTPC_REPLY:
		return "SMTPC_REPLY";
	}
	return "SMTPC_?";
}

/*
 * Replies.
 */

void
smtpc_reply_clear(struct smtpc_reply *r)
{
	r->code = 0;
	r->local = 0;
	r->nlines = 0;
	r->status[0] = '\0';
	r->text[0] = '\0';
}

/* Length of an enhanced status code "c.s.d" at p (class cls), or 0. */
static size_t
smtpc_enhanced_len(const char *p, size_t len, char cls)
{
	size_t	 i = 0, n;
	int	 part;

	if (len < 5 || p[0] != cls || p[1] != '.')
		return 0;
	i = 2;
	for (part = 0; part < 2; part++) {
		for (n = 0; i < len && n < 4 && isdigit((unsigned char)p[i]);
		    n++)
			i++;
		if (n == 0 || n > 3)
			return 0;
		if (part == 0) {
			if (i >= len || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < len && p[i] != ' ')
		return 0;
	return i;
}

int
smtpc_reply_feed(struct smtpc_reply *r, const char *line, size_t len)
{
	const char	*text;
	size_t		 tlen, elen, used;
	int		 code, more;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]))
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	more = len > 3 && line[3] == '-';
	if (r->nlines > 0 && code != r->code)
		return -1;
	if (memchr(line, '\0', len) != NULL)
		return -1;
	text = len > 4 ? line + 4 : "";
	tlen = len > 4 ? len - 4 : 0;
	if ((elen = smtpc_enhanced_len(text, tlen, line[0])) > 0) {
		if (r->status[0] == '\0' && elen < sizeof(r->status)) {
			memcpy(r->status, text, elen);
			r->status[elen] = '\0';
		}
		text += elen;
		tlen -= elen;
		if (tlen > 0 && *text == ' ') {
			text++;
			tlen--;
		}
	}
	r->code = code;
	used = strlen(r->text);
	if (r->nlines > 0 && used + 1 < sizeof(r->text))
		r->text[used++] = '\n';
	if (used + tlen >= sizeof(r->text))
		tlen = sizeof(r->text) - used - 1;
	memcpy(r->text + used, text, tlen);
	r->text[used + tlen] = '\0';
	r->nlines++;
	return more ? 0 : 1;
}

void
smtpc_reply_set(struct smtpc_reply *r, int code, const char *status,
    const char *text)
{
	smtpc_reply_clear(r);
	r->code = code;
	r->local = 1;
	r->nlines = 1;
	if (strlcpy(r->status, status, sizeof(r->status)) >=
	    sizeof(r->status))
		r->status[0] = '\0';
	(void)strlcpy(r->text, text, sizeof(r->text));
}

int
smtpc_reply_temp(const struct smtpc_reply *r)
{
	return r->code >= 400 && r->code < 500;
}

int
smtpc_reply_perm(const struct smtpc_reply *r)
{
	return r->code >= 500 && r->code < 600;
}

const char *
smtpc_reply_str(const struct smtpc_reply *r, char *buf, size_t len)
{
	size_t	 n;

	n = strcspn(r->text, "\n");
	if (snprintf(buf, len, "%03d%s%s %.*s", r->code,
	    r->status[0] ? " " : "", r->status, (int)n, r->text) < 0)
		buf[0] = '\0';
	return buf;
}

/*
 * EHLO capabilities.
 */

static int
smtpc_word(const char **p, const char *end, const char **w, size_t *wl)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '='))
		(*p)++;
	if (*p >= end)
		return 0;
	*w = *p;
	while (*p < end && **p != ' ' && **p != '\t' && **p != '=')
		(*p)++;
	*wl = *p - *w;
	return 1;
}

static int
smtpc_wordis(const char *w, size_t wl, const char *kw)
{
	return strlen(kw) == wl && strncasecmp(w, kw, wl) == 0;
}

void
smtpc_caps_parse(struct smtpc_caps *caps, const char *line, size_t len)
{
	static const struct {
		const char	*kw;
		int		 flag;
	} kws[] = {
		{ "PIPELINING",		SMTPC_CAP_PIPELINING },
		{ "8BITMIME",		SMTPC_CAP_8BITMIME },
		{ "STARTTLS",		SMTPC_CAP_STARTTLS },
		{ "ENHANCEDSTATUSCODES", SMTPC_CAP_ENHANCED },
		{ "DSN",		SMTPC_CAP_DSN },
		{ "SMTPUTF8",		SMTPC_CAP_SMTPUTF8 },
		{ "CHUNKING",		SMTPC_CAP_CHUNKING },
		{ "BINARYMIME",		SMTPC_CAP_BINARYMIME },
	};
	const char	*p = line, *end = line + len, *w, *num;
	size_t		 wl, i;
	long long	 n;
	char		 buf[32];

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (!smtpc_word(&p, end, &w, &wl))
		return;
	for (i = 0; i < nitems(kws); i++) {
		if (smtpc_wordis(w, wl, kws[i].kw)) {
			caps->flags |= kws[i].flag;
			return;
		}
	}
	if (smtpc_wordis(w, wl, "SIZE")) {
		caps->flags |= SMTPC_CAP_SIZE;
		caps->size = 0;
		if (!smtpc_word(&p, end, &num, &wl) || wl >= sizeof(buf))
			return;
		memcpy(buf, num, wl);
		buf[wl] = '\0';
		n = strtonum(buf, 0, LLONG_MAX, NULL);
		caps->size = (size_t)n;
		return;
	}
	if (smtpc_wordis(w, wl, "AUTH")) {
		caps->flags |= SMTPC_CAP_AUTH;
		while (smtpc_word(&p, end, &w, &wl)) {
			if (smtpc_wordis(w, wl, "PLAIN"))
				caps->auth |= SMTPC_AUTH_PLAIN;
			else if (smtpc_wordis(w, wl, "LOGIN"))
				caps->auth |= SMTPC_AUTH_LOGIN;
			else if (smtpc_wordis(w, wl, "CRAM-MD5"))
				caps->auth |= SMTPC_AUTH_CRAM_MD5;
			else
				caps->auth |= SMTPC_AUTH_OTHER;
		}
	}
}

/*
 * Dot-stuffing and CRLF normalisation.  Output goes into space reserved
 * in the evbuffer, a chunk at a time (at most 2 * len + 1 octets: every
 * input octet may become two, plus one "." in front).
 */

void
smtpc_dot_init(struct smtpc_dot *d)
{
	d->bol = 1;
	d->skiplf = 0;
}

int
smtpc_dot_feed(struct smtpc_dot *d, const void *in, size_t len,
    struct evbuffer *out)
{
	const unsigned char	*p = in, *end = p + len, *run;
	struct evbuffer_iovec	 vec;
	unsigned char		*o, *ostart;
	size_t			 n;

	if (len == 0)
		return 0;
	if (len > (SIZE_MAX - 1) / 2)
		return -1;
	if (evbuffer_reserve_space(out, 2 * len + 1, &vec, 1) != 1)
		return -1;
	o = ostart = vec.iov_base;
	while (p < end) {
		if (d->skiplf) {
			d->skiplf = 0;
			if (*p == '\n') {
				p++;
				continue;
			}
		}
		if (d->bol) {
			d->bol = 0;
			if (*p == '.')
				*o++ = '.';
		}
		/* copy a run of ordinary octets */
		run = p;
		while (p < end && *p != '\r' && *p != '\n')
			p++;
		n = p - run;
		if (n > 0) {
			memcpy(o, run, n);
			o += n;
		}
		if (p == end)
			break;
		/* CR, LF, or CRLF: one CRLF out */
		*o++ = '\r';
		*o++ = '\n';
		d->bol = 1;
		if (*p == '\r')
			d->skiplf = 1;
		p++;
	}
	vec.iov_len = o - ostart;
	return evbuffer_commit_space(out, &vec, 1);
}

int
smtpc_dot_end(struct smtpc_dot *d, struct evbuffer *out)
{
	if (!d->bol && evbuffer_add(out, "\r\n", 2) == -1)
		return -1;
	d->bol = 1;
	d->skiplf = 0;
	return evbuffer_add(out, ".\r\n", 3);
}

/*
 * Messages.
 */

void
smtpc_msg_init(struct smtpc_msg *m, const char *from)
{
	memset(m, 0, sizeof(*m));
	m->from = from;
	m->fd = -1;
}

void
smtpc_msg_add_rcpt(struct smtpc_msg *m, const char *addr)
{
	m->rcpts = xreallocarray(m->rcpts, m->nrcpts + 1,
	    sizeof(*m->rcpts));
	memset(&m->rcpts[m->nrcpts], 0, sizeof(*m->rcpts));
	m->rcpts[m->nrcpts].addr = addr;
	m->nrcpts++;
}

void
smtpc_msg_clear(struct smtpc_msg *m)
{
	free(m->rcpts);
	m->rcpts = NULL;
	m->nrcpts = 0;
}

/*
 * Sessions.
 */

static struct smtpc *
smtpc_alloc(struct event_base *base, const struct smtpc_params *p,
    smtpc_cb cb, void *arg)
{
	struct smtpc	*s;

	s = xcalloc(1, sizeof(*s));
	s->base = base;
	if (p != NULL)
		s->params = *p;
	if (s->params.helo == NULL)
		s->params.helo = "localhost";
	if (s->params.timeout_connect <= 0)
		s->params.timeout_connect = 30 * 1000;
	if (s->params.timeout_greeting <= 0)
		s->params.timeout_greeting = 300 * 1000;
	if (s->params.timeout_cmd <= 0)
		s->params.timeout_cmd = 300 * 1000;
	if (s->params.timeout_data <= 0)
		s->params.timeout_data = 600 * 1000;
	s->cb = cb;
	s->arg = arg;
	if ((s->timer = evtimer_new(base, smtpc_timer_cb, s)) == NULL ||
	    (s->defer = evtimer_new(base, smtpc_defer_cb, s)) == NULL ||
	    (s->out = evbuffer_new()) == NULL)
		fatalx("smtpc: out of memory");
	return s;
}

struct smtpc *
smtpc_connect(struct event_base *base, const struct sockaddr *sa,
    socklen_t salen, const struct smtpc_params *p, smtpc_cb cb, void *arg)
{
	struct smtpc	*s;

	s = smtpc_alloc(base, p, cb, arg);
	s->state = S_CONNECT;
	if (salen <= sizeof(s->sa)) {
		memcpy(&s->sa, sa, salen);
		s->salen = salen;
	}
	s->io = io_connect(base, sa, salen, NULL, smtpc_io_cb, s);
	if (s->io == NULL) {
		/* report it from the event loop, never from here */
		s->state = S_DEAD;
		smtpc_reply_set(&s->status, 421, "4.4.1", "");
		(void)snprintf(s->status.text, sizeof(s->status.text),
		    "connect: %s", strerror(errno));
		s->defer_evt = SMTPC_ERROR;
		event_active(s->defer, EV_TIMEOUT, 0);
		return s;
	}
	smtpc_arm(s, s->params.timeout_connect);
	return s;
}

struct smtpc *
smtpc_new(struct event_base *base, struct io *io,
    const struct smtpc_params *p, smtpc_cb cb, void *arg)
{
	struct smtpc	*s;

	s = smtpc_alloc(base, p, cb, arg);
	s->io = io;
	io_set_callback(io, smtpc_io_cb, s);
	smtpc_start(s);
	/* a banner may already be buffered */
	if (io_datalen(io) > 0) {
		s->defer_evt = 0;
		event_active(s->defer, EV_TIMEOUT, 0);
	}
	return s;
}

static void
smtpc_start(struct smtpc *s)
{
	s->state = S_BANNER;
	io_set_timeout(s->io, 0);
	smtpc_reply_clear(&s->reply);
	smtpc_arm(s, s->params.timeout_greeting);
}

/*
 * Opportunistic TLS whose handshake failed: like other MTAs, connect
 * again and go on without TLS.  Only when we made the connection.
 */
static int
smtpc_tls_retry(struct smtpc *s)
{
	if (s->params.tls != SMTPC_TLS_TRY || s->salen == 0 || s->notls)
		return -1;
	log_debug("smtpc: TLS handshake failed (%s), retrying without TLS",
	    io_error(s->io));
	io_free(s->io);
	s->notls = 1;
	s->state = S_CONNECT;
	memset(&s->caps, 0, sizeof(s->caps));
	s->io = io_connect(s->base, (struct sockaddr *)&s->sa, s->salen,
	    NULL, smtpc_io_cb, s);
	if (s->io == NULL) {
		smtpc_fail(s, 421, "4.4.1", "connect: %s", strerror(errno));
		return 0;
	}
	smtpc_arm(s, s->params.timeout_connect);
	return 0;
}

static void
smtpc_destroy(struct smtpc *s)
{
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->defer != NULL)
		event_free(s->defer);
	io_free(s->io);
	evbuffer_free(s->out);
	free(s->pend);
	free(s->cmd);
	free(s);
}

void
smtpc_free(struct smtpc *s)
{
	if (s == NULL)
		return;
	if (s->busy) {
		s->freed = 1;
		return;
	}
	smtpc_destroy(s);
}

const struct smtpc_reply *
smtpc_status(struct smtpc *s)
{
	return &s->status;
}

const struct smtpc_caps *
smtpc_caps(struct smtpc *s)
{
	return &s->caps;
}

const struct smtpc_reply *
smtpc_banner(struct smtpc *s)
{
	return &s->banner;
}

int
smtpc_tls_active(struct smtpc *s)
{
	return s->tls;
}

static void
smtpc_arm(struct smtpc *s, int msec)
{
	struct timeval	 tv;

	tv.tv_sec = msec / 1000;
	tv.tv_usec = (msec % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static const char *
smtpc_phase(struct smtpc *s)
{
	switch (s->state) {
	case S_CONNECT:
		return "connect";
	case S_BANNER:
		return "greeting";
	case S_EHLO:
		return s->params.lmtp ? "LHLO" : "EHLO";
	case S_HELO:
		return "HELO";
	case S_STARTTLS:
		return "STARTTLS";
	case S_TLS:
		return "TLS handshake";
	case S_AUTH:
		return "AUTH";
	case S_READY:
		return "idle";
	case S_TXN:
		if (s->nreplied < s->npend)
			return smtpc_cmdname(s->pend[s->nreplied].cmd);
		return "transaction";
	case S_BODY:
		return "message body";
	case S_EOD:
	case S_DISCARD:
		return "end of data";
	case S_QUIT:
		return "QUIT";
	case S_CMD:
		return s->cmd_rset ? "RSET" : s->cmdname;
	case S_DEAD:
		return "closed";
	}
	return "?";
}

/* Run the application's callback; free the session if it asked. */
static void
smtpc_call(struct smtpc *s, int evt)
{
	s->busy++;
	s->cb(s, evt, s->arg);
	s->busy--;
}

static void
smtpc_defer_cb(int fd, short ev, void *arg)
{
	struct smtpc	*s = arg;

	if (s->defer_evt == 0) {
		/* smtpc_new with input already buffered */
		smtpc_io_cb(s->io, IO_DATAIN, s);
		return;
	}
	smtpc_call(s, s->defer_evt);
	if (s->freed)
		smtpc_destroy(s);
}

/*
 * The session failed: every recipient of a message in flight without a
 * final answer gets the status, then the application hears of it.
 */
static void
smtpc_fail_reply(struct smtpc *s, const struct smtpc_reply *r)
{
	struct smtpc_msg	*m = s->msg;
	char			 buf[SMTPC_TEXT_MAX + 32];
	size_t			 i;

	if (s->state == S_DEAD)
		return;
	s->status = *r;
	log_debug("smtpc: session failed during %s: %s", smtpc_phase(s),
	    smtpc_reply_str(r, buf, sizeof(buf)));
	s->state = S_DEAD;
	evtimer_del(s->timer);
	if (s->io != NULL) {
		io_free(s->io);
		s->io = NULL;
	}
	if (m != NULL) {
		for (i = 0; i < m->nrcpts; i++)
			if (m->rcpts[i].result.code == 0)
				m->rcpts[i].result = *r;
		if (m->mail.code == 0)
			m->mail = *r;
		if (m->data.code == 0)
			m->data = *r;
		s->msg = NULL;
	}
	smtpc_call(s, SMTPC_ERROR);
}

static void
smtpc_fail(struct smtpc *s, int code, const char *status, const char *fmt,
    ...)
{
	struct smtpc_reply	 r;
	va_list			 ap;

	smtpc_reply_set(&r, code, status, "");
	va_start(ap, fmt);
	(void)vsnprintf(r.text, sizeof(r.text), fmt, ap);
	va_end(ap);
	smtpc_fail_reply(s, &r);
}

static void
smtpc_timer_cb(int fd, short ev, void *arg)
{
	struct smtpc	*s = arg;

	s->busy++;
	if (s->state == S_QUIT) {
		s->state = S_DEAD;
		io_free(s->io);
		s->io = NULL;
		smtpc_call(s, SMTPC_CLOSED);
	} else if (s->state == S_CONNECT)
		smtpc_fail(s, 421, "4.4.1", "connect: timeout");
	else
		smtpc_fail(s, 421, "4.4.2", "timeout during %s",
		    smtpc_phase(s));
	s->busy--;
	if (s->freed)
		smtpc_destroy(s);
}

static void
smtpc_io_cb(struct io *io, int evt, void *arg)
{
	struct smtpc	*s = arg;

	s->busy++;
	switch (evt) {
	case IO_CONNECTED:
		if (s->state == S_CONNECT)
			smtpc_start(s);
		break;
	case IO_TLSREADY:
		if (s->state != S_TLS)
			break;
		s->tls = 1;
		memset(&s->caps, 0, sizeof(s->caps));
		s->state = S_EHLO;
		smtpc_ehlo(s);
		break;
	case IO_DATAIN:
		smtpc_read(s);
		break;
	case IO_LOWAT:
		if (s->state == S_BODY)
			smtpc_body_pump(s);
		break;
	case IO_CLOSED:
		if (s->state == S_TLS && smtpc_tls_retry(s) == 0)
			break;
		if (s->state == S_QUIT) {
			s->state = S_DEAD;
			evtimer_del(s->timer);
			io_free(s->io);
			s->io = NULL;
			smtpc_call(s, SMTPC_CLOSED);
		} else
			smtpc_fail(s, 421, "4.4.2",
			    "connection closed by server during %s",
			    smtpc_phase(s));
		break;
	case IO_TIMEOUT:
		smtpc_fail(s, 421, "4.4.2", "timeout during %s",
		    smtpc_phase(s));
		break;
	case IO_ERROR:
		if (s->state == S_CONNECT)
			smtpc_fail(s, 421, "4.4.1", "connect: %s",
			    io_error(io));
		else if (s->state == S_TLS && smtpc_tls_retry(s) == 0)
			break;
		else if (s->state == S_TLS)
			smtpc_fail(s, 421, "4.7.0", "TLS handshake: %s",
			    io_error(io));
		else
			smtpc_fail(s, 421, "4.4.2", "during %s: %s",
			    smtpc_phase(s), io_error(io));
		break;
	}
	s->busy--;
	if (s->freed && s->busy == 0)
		smtpc_destroy(s);
}

static void
smtpc_read(struct smtpc *s)
{
	char		*line;
	ssize_t		 len;
	int		 r;

	while (s->io != NULL && !s->freed && s->state != S_DEAD &&
	    s->state != S_TLS) {
		len = io_getline(s->io, SMTPC_LINE_MAX, &line);
		if (len == 0)
			return;
		if (len < 0) {
			smtpc_fail(s, 421, "4.5.0",
			    "reply line too long during %s", smtpc_phase(s));
			return;
		}
		if (s->state == S_EHLO && s->reply.nlines > 0 && len > 4)
			smtpc_caps_parse(&s->caps, line + 4, len - 4);
		r = smtpc_reply_feed(&s->reply, line, len);
		io_drop(s->io, len);
		if (r == -1) {
			smtpc_fail(s, 421, "4.5.0",
			    "malformed reply during %s", smtpc_phase(s));
			return;
		}
		if (r == 1) {
			struct smtpc_reply	 rep = s->reply;

			smtpc_reply_clear(&s->reply);
			smtpc_reply(s, &rep);
		}
	}
}

static void
smtpc_ehlo(struct smtpc *s)
{
	smtpc_arm(s, s->params.timeout_cmd);
	memset(&s->caps, 0, sizeof(s->caps));
	if (s->state == S_HELO)
		io_printf(s->io, "HELO %s\r\n", s->params.helo);
	else
		io_printf(s->io, "%s %s\r\n", s->params.lmtp ? "LHLO" : "EHLO",
		    s->params.helo);
}

static void
smtpc_starttls(struct smtpc *s)
{
	SSL	*ssl;

	if (s->params.ssl_ctx == NULL ||
	    (ssl = SSL_new(s->params.ssl_ctx)) == NULL) {
		smtpc_fail(s, 421, "4.7.0", "TLS: no client context");
		return;
	}
	if (s->params.servername != NULL) {
		(void)SSL_set_tlsext_host_name(ssl, s->params.servername);
		if (s->params.tls == SMTPC_TLS_VERIFY &&
		    SSL_set1_host(ssl, s->params.servername) != 1) {
			SSL_free(ssl);
			smtpc_fail(s, 421, "4.7.0", "TLS: bad server name");
			return;
		}
	}
	if (s->params.tls == SMTPC_TLS_VERIFY)
		SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
	else
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	s->state = S_TLS;
	if (io_start_tls(s->io, ssl, 0) == -1) {
		SSL_free(ssl);
		smtpc_fail(s, 421, "4.7.0", "TLS: %s", io_error(s->io));
		return;
	}
}

static void
smtpc_after_ehlo(struct smtpc *s)
{
	if (!s->tls && !s->notls && s->params.tls != SMTPC_TLS_NO) {
		if (s->caps.flags & SMTPC_CAP_STARTTLS) {
			s->state = S_STARTTLS;
			smtpc_arm(s, s->params.timeout_cmd);
			io_print(s->io, "STARTTLS\r\n");
			return;
		}
		if (s->params.tls == SMTPC_TLS_VERIFY) {
			smtpc_fail(s, 421, "4.7.0",
			    "STARTTLS required but not offered");
			return;
		}
	}
	smtpc_auth(s);
}

static void
smtpc_auth(struct smtpc *s)
{
	char	*raw, *b64;
	size_t	 ul, pl, rl;

	if (s->params.auth_user == NULL) {
		smtpc_ready(s);
		return;
	}
	if (!(s->caps.auth & SMTPC_AUTH_PLAIN)) {
		smtpc_fail(s, 454, "4.7.0", "server offers no AUTH PLAIN");
		return;
	}
	ul = strlen(s->params.auth_user);
	pl = s->params.auth_pass ? strlen(s->params.auth_pass) : 0;
	rl = ul + pl + 2;
	raw = xmalloc(rl);
	raw[0] = '\0';
	memcpy(raw + 1, s->params.auth_user, ul);
	raw[ul + 1] = '\0';
	if (pl)
		memcpy(raw + ul + 2, s->params.auth_pass, pl);
	b64 = xmalloc(4 * ((rl + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)raw, rl);
	s->state = S_AUTH;
	smtpc_arm(s, s->params.timeout_cmd);
	io_printf(s->io, "AUTH PLAIN %s\r\n", b64);
	freezero(raw, rl);
	freezero(b64, strlen(b64));
}

static void
smtpc_ready(struct smtpc *s)
{
	s->state = S_READY;
	evtimer_del(s->timer);
	smtpc_call(s, SMTPC_READY);
}

/* One complete reply, outside or inside a transaction. */
static void
smtpc_reply(struct smtpc *s, struct smtpc_reply *r)
{
	char	 buf[SMTPC_TEXT_MAX + 32];

	log_debug("smtpc: < %s (%s)", smtpc_reply_str(r, buf, sizeof(buf)),
	    smtpc_phase(s));
	switch (s->state) {
	case S_BANNER:
		s->banner = *r;
		if (r->code != 220) {
			/* say goodbye politely, then give up */
			io_print(s->io, "QUIT\r\n");
			smtpc_fail_reply(s, r);
			return;
		}
		s->state = S_EHLO;
		smtpc_ehlo(s);
		break;
	case S_EHLO:
		if (r->code / 100 == 2) {
			smtpc_after_ehlo(s);
			return;
		}
		if (r->code / 100 == 5 && !s->params.lmtp &&
		    r->code != 554 && !s->tls) {
			s->state = S_HELO;
			s->helo = 1;
			smtpc_ehlo(s);
			return;
		}
		smtpc_fail_reply(s, r);
		break;
	case S_HELO:
		if (r->code / 100 == 2) {
			smtpc_after_ehlo(s);
			return;
		}
		smtpc_fail_reply(s, r);
		break;
	case S_STARTTLS:
		if (r->code == 220) {
			smtpc_starttls(s);
			return;
		}
		if (s->params.tls == SMTPC_TLS_VERIFY) {
			smtpc_fail_reply(s, r);
			return;
		}
		smtpc_auth(s);
		break;
	case S_AUTH:
		if (r->code / 100 == 2) {
			smtpc_ready(s);
			return;
		}
		smtpc_fail_reply(s, r);
		break;
	case S_TXN:
		smtpc_txn_reply(s, r);
		break;
	case S_EOD:
		smtpc_eod_reply(s, r);
		break;
	case S_DISCARD:
		s->need_rset = 1;
		smtpc_txn_done(s);
		break;
	case S_QUIT:
		s->state = S_DEAD;
		evtimer_del(s->timer);
		io_free(s->io);
		s->io = NULL;
		smtpc_call(s, SMTPC_CLOSED);
		break;
	case S_CMD:
		if (s->cmd_rset) {
			if (r->code / 100 != 2) {
				smtpc_fail_reply(s, r);
				return;
			}
			s->cmd_rset = 0;
			io_printf(s->io, "%s\r\n", s->cmd);
			smtpc_arm(s, s->params.timeout_cmd);
			return;
		}
		s->last = *r;
		s->state = S_READY;
		evtimer_del(s->timer);
		smtpc_call(s, SMTPC_REPLY);
		break;
	case S_READY:
	case S_BODY:
		/* unsolicited (421 shutdown) or out of turn */
		smtpc_fail_reply(s, r->code / 100 == 2 ?
		    &(struct smtpc_reply){ .code = 421, .local = 1,
		    .nlines = 1, .status = "4.5.0",
		    .text = "unexpected reply from server" } : r);
		break;
	default:
		break;
	}
}

/*
 * Transactions.
 */

static int
smtpc_addr_ok(const char *a)
{
	return a != NULL && strlen(a) < 1000 && strpbrk(a, "\r\n<>") == NULL;
}

int
smtpc_send(struct smtpc *s, struct smtpc_msg *m)
{
	struct stat	 st;
	size_t		 i, n;

	if (s->state != S_READY || m->nrcpts == 0)
		return -1;
	if (!smtpc_addr_ok(m->from))
		return -1;
	if (m->dsn != NULL && strpbrk(m->dsn, "\r\n") != NULL)
		return -1;
	for (i = 0; i < m->nrcpts; i++) {
		if (!smtpc_addr_ok(m->rcpts[i].addr))
			return -1;
		if (m->rcpts[i].dsn != NULL &&
		    strpbrk(m->rcpts[i].dsn, "\r\n") != NULL)
			return -1;
		smtpc_reply_clear(&m->rcpts[i].rcpt);
		smtpc_reply_clear(&m->rcpts[i].result);
	}
	if (m->body != NULL)
		s->body_len = evbuffer_get_length(m->body);
	else if (m->fd != -1 && fstat(m->fd, &st) == 0)
		s->body_len = st.st_size;
	else if (m->fd != -1)
		return -1;
	else
		s->body_len = 0;
	if (m->head != NULL)
		s->body_len += evbuffer_get_length(m->head);
	smtpc_reply_clear(&m->mail);
	smtpc_reply_clear(&m->data);
	m->naccepted = 0;
	s->msg = m;
	s->nrcpt_ok = 0;
	s->nsent = s->nreplied = 0;
	s->body_off = 0;

	if ((s->caps.flags & SMTPC_CAP_SIZE) && s->caps.size > 0 &&
	    s->body_len > s->caps.size) {
		smtpc_reply_set(&m->mail, 552, "5.3.4", "");
		(void)snprintf(m->mail.text, sizeof(m->mail.text),
		    "message size %zu exceeds the server's limit %zu",
		    s->body_len, s->caps.size);
		for (i = 0; i < m->nrcpts; i++)
			m->rcpts[i].result = m->mail;
		s->msg = NULL;
		s->defer_evt = SMTPC_DONE;
		event_active(s->defer, EV_TIMEOUT, 0);
		return 0;
	}

	n = m->nrcpts + 2 + (s->need_rset ? 1 : 0);
	s->pend = xreallocarray(s->pend, n, sizeof(*s->pend));
	s->npend = 0;
	if (s->need_rset)
		s->pend[s->npend++].cmd = C_RSET;
	s->need_rset = 0;
	s->pend[s->npend++].cmd = C_MAIL;
	for (i = 0; i < m->nrcpts; i++) {
		s->pend[s->npend].cmd = C_RCPT;
		s->pend[s->npend++].rcpt = i;
	}
	s->pend[s->npend++].cmd = C_DATA;
	s->state = S_TXN;
	smtpc_arm(s, s->params.timeout_cmd);
	if (s->caps.flags & SMTPC_CAP_PIPELINING) {
		while (s->nsent < s->npend)
			smtpc_send_cmd(s, s->nsent);
	} else
		smtpc_send_cmd(s, 0);
	return 0;
}

static void
smtpc_send_cmd(struct smtpc *s, size_t k)
{
	struct smtpc_msg	*m = s->msg;
	struct smtpc_rcpt	*r;
	struct smtpc_pend	*p = &s->pend[k];

	s->nsent = k + 1;
	switch (p->cmd) {
	case C_RSET:
		io_print(s->io, "RSET\r\n");
		break;
	case C_MAIL:
		io_printf(s->io, "MAIL FROM:<%s>", m->from);
		if ((s->caps.flags & SMTPC_CAP_SIZE) && s->body_len > 0)
			io_printf(s->io, " SIZE=%zu", s->body_len);
		if (m->body8bit && (s->caps.flags & SMTPC_CAP_8BITMIME))
			io_print(s->io, " BODY=8BITMIME");
		if (m->smtputf8 && (s->caps.flags & SMTPC_CAP_SMTPUTF8))
			io_print(s->io, " SMTPUTF8");
		if (m->dsn != NULL && *m->dsn &&
		    (s->caps.flags & SMTPC_CAP_DSN))
			io_printf(s->io, " %s", m->dsn);
		io_print(s->io, "\r\n");
		break;
	case C_RCPT:
		r = &m->rcpts[p->rcpt];
		io_printf(s->io, "RCPT TO:<%s>", r->addr);
		if (r->dsn != NULL && *r->dsn &&
		    (s->caps.flags & SMTPC_CAP_DSN))
			io_printf(s->io, " %s", r->dsn);
		io_print(s->io, "\r\n");
		break;
	case C_DATA:
		io_print(s->io, "DATA\r\n");
		break;
	}
}

static void
smtpc_txn_reply(struct smtpc *s, struct smtpc_reply *r)
{
	struct smtpc_msg	*m = s->msg;
	struct smtpc_pend	*p;
	size_t			 i;
	int			 pipelined;

	if (s->nreplied >= s->nsent) {
		smtpc_fail(s, 421, "4.5.0", "unexpected reply from server");
		return;
	}
	pipelined = (s->caps.flags & SMTPC_CAP_PIPELINING) != 0;
	p = &s->pend[s->nreplied++];
	smtpc_arm(s, s->params.timeout_cmd);
	if (r->code / 100 == 3 && p->cmd != C_DATA) {
		smtpc_fail(s, 421, "4.5.0", "unexpected %d reply to %s",
		    r->code, smtpc_cmdname(p->cmd));
		return;
	}
	switch (p->cmd) {
	case C_RSET:
		if (r->code / 100 != 2) {
			smtpc_fail_reply(s, r);
			return;
		}
		break;
	case C_MAIL:
		m->mail = *r;
		if (r->code / 100 != 2) {
			for (i = 0; i < m->nrcpts; i++)
				m->rcpts[i].result = *r;
			if (!pipelined) {
				s->need_rset = 1;
				smtpc_txn_done(s);
				return;
			}
		}
		break;
	case C_RCPT:
		m->rcpts[p->rcpt].rcpt = *r;
		if (m->mail.code / 100 != 2)
			break;		/* result is MAIL's */
		if (r->code / 100 == 2)
			s->nrcpt_ok++;
		else
			m->rcpts[p->rcpt].result = *r;
		if (!pipelined && s->nreplied == s->npend - 1 &&
		    s->nrcpt_ok == 0) {
			/* nobody accepted: no DATA */
			s->need_rset = 1;
			smtpc_txn_done(s);
			return;
		}
		break;
	case C_DATA:
		m->data = *r;
		if (r->code == 354 &&
		    (s->nrcpt_ok == 0 || m->mail.code / 100 != 2)) {
			/* a pipelining server that took DATA anyway */
			s->state = S_DISCARD;
			smtpc_arm(s, s->params.timeout_data);
			io_print(s->io, ".\r\n");
			return;
		}
		if (r->code == 354) {
			smtpc_body_start(s);
			return;
		}
		for (i = 0; i < m->nrcpts; i++)
			if (m->rcpts[i].result.code == 0)
				m->rcpts[i].result = *r;
		s->need_rset = 1;
		smtpc_txn_done(s);
		return;
	}
	if (!pipelined && s->nsent < s->npend)
		smtpc_send_cmd(s, s->nsent);
}

static void
smtpc_txn_done(struct smtpc *s)
{
	struct smtpc_msg	*m = s->msg;
	size_t			 i;

	s->state = S_READY;
	evtimer_del(s->timer);
	io_set_lowat(s->io, 0);
	m->naccepted = 0;
	for (i = 0; i < m->nrcpts; i++)
		if (m->rcpts[i].result.code / 100 == 2)
			m->naccepted++;
	s->msg = NULL;
	smtpc_call(s, SMTPC_DONE);
}

static void
smtpc_body_start(struct smtpc *s)
{
	s->state = S_BODY;
	s->body_off = 0;
	s->in_head = s->msg->head != NULL;
	smtpc_dot_init(&s->dot);
	io_set_lowat(s->io, SMTPC_LOWAT);
	smtpc_body_pump(s);
}

/* Feed up to SMTPC_CHUNK octets of buf from s->body_off; 0 at its end. */
static size_t
smtpc_body_buffer(struct smtpc *s, struct evbuffer *buf)
{
	struct evbuffer_iovec	 vec[16];
	struct evbuffer_ptr	 pos;
	int			 nvec, i;
	size_t			 got = 0;

	if ((size_t)s->body_off >= evbuffer_get_length(buf))
		return 0;
	if (evbuffer_ptr_set(buf, &pos, s->body_off, EVBUFFER_PTR_SET) == -1)
		return 0;
	nvec = evbuffer_peek(buf, SMTPC_CHUNK, &pos, vec, nitems(vec));
	if (nvec > (int)nitems(vec))
		nvec = nitems(vec);
	for (i = 0; i < nvec && got < SMTPC_CHUNK; i++) {
		if (smtpc_dot_feed(&s->dot, vec[i].iov_base, vec[i].iov_len,
		    s->out) == -1)
			fatalx("smtpc: out of memory");
		got += vec[i].iov_len;
	}
	s->body_off += got;
	return got;
}

static void
smtpc_body_pump(struct smtpc *s)
{
	struct smtpc_msg	*m = s->msg;
	unsigned char		*chunk = NULL;
	ssize_t			 n;
	int			 eof = 0;

	smtpc_arm(s, s->params.timeout_data);
	while (!eof && io_queued(s->io) < SMTPC_HIWAT) {
		if (s->in_head) {
			if (smtpc_body_buffer(s, m->head) == 0) {
				s->in_head = 0;
				s->body_off = 0;
			}
		} else if (m->body != NULL) {
			if (smtpc_body_buffer(s, m->body) == 0)
				eof = 1;
		} else if (m->fd != -1) {
			if (chunk == NULL)
				chunk = xmalloc(SMTPC_CHUNK);
			n = pread(m->fd, chunk, SMTPC_CHUNK, s->body_off);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1) {
				free(chunk);
				/* never end a message we could not read */
				smtpc_fail(s, 451, "4.3.0",
				    "reading the message: %s",
				    strerror(errno));
				return;
			}
			if (n == 0) {
				eof = 1;
				break;
			}
			if (smtpc_dot_feed(&s->dot, chunk, n, s->out) == -1)
				fatalx("smtpc: out of memory");
			s->body_off += n;
		} else
			eof = 1;
		io_write_buffer(s->io, s->out);
	}
	free(chunk);
	if (!eof)
		return;
	if (smtpc_dot_end(&s->dot, s->out) == -1)
		fatalx("smtpc: out of memory");
	io_write_buffer(s->io, s->out);
	io_set_lowat(s->io, 0);
	s->state = S_EOD;
	s->eod_left = s->params.lmtp ? s->nrcpt_ok : 1;
	s->eod_next = 0;
}

static void
smtpc_eod_reply(struct smtpc *s, struct smtpc_reply *r)
{
	struct smtpc_msg	*m = s->msg;
	size_t			 i;

	smtpc_arm(s, s->params.timeout_data);
	m->data = *r;
	if (!s->params.lmtp) {
		for (i = 0; i < m->nrcpts; i++)
			if (m->rcpts[i].result.code == 0)
				m->rcpts[i].result = *r;
		smtpc_txn_done(s);
		return;
	}
	/* LMTP: the next accepted recipient's answer */
	for (i = s->eod_next; i < m->nrcpts; i++)
		if (m->rcpts[i].result.code == 0)
			break;
	if (i < m->nrcpts) {
		m->rcpts[i].result = *r;
		s->eod_next = i + 1;
	}
	if (--s->eod_left == 0)
		smtpc_txn_done(s);
}

int
smtpc_command(struct smtpc *s, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	if (s->state != S_READY)
		return -1;
	free(s->cmd);
	s->cmd = NULL;
	va_start(ap, fmt);
	r = vasprintf(&s->cmd, fmt, ap);
	va_end(ap);
	if (r == -1) {
		s->cmd = NULL;
		return -1;
	}
	if (strpbrk(s->cmd, "\r\n") != NULL || r > 2000)
		return -1;
	(void)strlcpy(s->cmdname, s->cmd, sizeof(s->cmdname));
	s->cmdname[strcspn(s->cmdname, ": ")] = '\0';
	smtpc_reply_clear(&s->last);
	s->state = S_CMD;
	smtpc_arm(s, s->params.timeout_cmd);
	if (s->need_rset) {
		s->need_rset = 0;
		s->cmd_rset = 1;
		io_print(s->io, "RSET\r\n");
	} else
		io_printf(s->io, "%s\r\n", s->cmd);
	return 0;
}

const struct smtpc_reply *
smtpc_last_reply(struct smtpc *s)
{
	return &s->last;
}

void
smtpc_reset(struct smtpc *s)
{
	s->need_rset = 1;
}

int
smtpc_data(struct smtpc *s, struct smtpc_msg *m)
{
	struct stat	 st;
	size_t		 i;

	if (s->state != S_READY || m->nrcpts == 0)
		return -1;
	if (m->body != NULL)
		s->body_len = evbuffer_get_length(m->body);
	else if (m->fd != -1 && fstat(m->fd, &st) == 0)
		s->body_len = st.st_size;
	else
		s->body_len = 0;
	if (m->head != NULL)
		s->body_len += evbuffer_get_length(m->head);
	for (i = 0; i < m->nrcpts; i++) {
		smtpc_reply_clear(&m->rcpts[i].rcpt);
		m->rcpts[i].rcpt.code = 250;
		smtpc_reply_clear(&m->rcpts[i].result);
	}
	smtpc_reply_set(&m->mail, 250, "", "relayed envelope");
	smtpc_reply_clear(&m->data);
	m->naccepted = 0;
	s->msg = m;
	s->nrcpt_ok = m->nrcpts;
	s->pend = xreallocarray(s->pend, 1, sizeof(*s->pend));
	s->pend[0].cmd = C_DATA;
	s->npend = 1;
	s->nsent = s->nreplied = 0;
	s->body_off = 0;
	s->state = S_TXN;
	smtpc_arm(s, s->params.timeout_cmd);
	smtpc_send_cmd(s, 0);
	return 0;
}

void
smtpc_quit(struct smtpc *s)
{
	if (s->state == S_DEAD || s->state == S_QUIT)
		return;
	if (s->io == NULL) {
		s->state = S_DEAD;
		return;
	}
	s->state = S_QUIT;
	io_print(s->io, "QUIT\r\n");
	smtpc_arm(s, 10 * 1000);
}
