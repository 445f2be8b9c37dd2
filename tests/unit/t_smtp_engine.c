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
 * t_smtp_engine: the server engine's hooks over a socketpair, in one
 * process: call order, deferred (asynchronous) replies, LMTP replies per
 * recipient, body failures, rset reasons, backpressure, early talkers,
 * the session accessors, and what greyd needs to speak like spamd:
 * verbatim HELO replies, the noop and error hooks, lax sequence and
 * HELO, the quiet error limit, DATA ended early by the body hook.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "smtp.h"
#include "tap.h"

/* What a test wants from its hooks. */
struct t {
	const char		*name;
	int			 defer_mail;	/* answer MAIL 30 ms later */
	int			 defer_eom;	/* answer end of data later */
	int			 lmtp_sync;	/* LMTP: one reply, defaults */
	int			 body_fail;	/* body hook returns -1 */
	int			 data_fail;	/* smtp_data_fail() */
	int			 pause_body;	/* pause at line 2, resume */
	int			 early_ok;	/* early talker: let it in */
	int			 refuse_data;	/* greyd: 451 at DATA */
	const char		*connect_reply;
	const char		*helo_reply;	/* the helo hook's reply */
	const char		*noop_reply;
	int			 use_error;	/* the error hook */
	int			 max_errors;
	int			 early_end;	/* smtp_data_reply at line 1 */
	int			 early_close;
	int			 close_after;	/* close after the reply */
	/* results */
	char			 calls[2048];
	int			 ndisconnect;
	int			 arg_ok;
	char			 mail_from[300];
	char			 mail_raw[300];	/* parameters as sent */
	char			 rcpt_raw[300];
	size_t			 nrcpt_eom;
	char			 rcpt1[300];
	size_t			 body_lines;
	struct smtp_session	*s;
	struct event		*ev;
	struct event_base	*base;
	int			 pending;	/* 1 mail, 2 eom, 3 resume */
};

/* Note a call: "what" and, if given, its argument. */
static void
rec(struct t *t, const char *what, const char *arg)
{
	if (t->calls[0] != '\0')
		(void)strlcat(t->calls, " ", sizeof(t->calls));
	(void)strlcat(t->calls, what, sizeof(t->calls));
	if (arg != NULL)
		(void)strlcat(t->calls, arg, sizeof(t->calls));
}

static void
later_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct t	*t = arg;
	size_t		 i;

	switch (t->pending) {
	case 1:
		rec(t, "mail-answer", NULL);
		smtp_reply(t->s, "250 2.1.0 Later");
		break;
	case 2:
		rec(t, "eom-answer", NULL);
		for (i = 0; i < smtp_session_nrcpt(t->s); i++)
			smtp_reply(t->s, "250 2.0.0 late %zu", i);
		if (smtp_session_nrcpt(t->s) == 0 || i == 0)
			smtp_reply(t->s, "250 2.0.0 late");
		if (t->close_after)
			smtp_session_close(t->s, "test closes");
		break;
	case 3:
		rec(t, "resume", NULL);
		smtp_resume(t->s);
		break;
	}
}

static void
later(struct t *t, int what)
{
	struct timeval	 tv = { 0, 30000 };

	t->pending = what;
	evtimer_add(t->ev, &tv);
}

static int
h_connect(struct smtp_session *s, void *arg)
{
	struct t	*t = arg;

	t->s = s;
	rec(t, "connect", NULL);
	if (t->connect_reply != NULL)
		smtp_reply(s, "%s", t->connect_reply);
	return SMTP_DEFAULT;
}

static int
h_early(struct smtp_session *s, void *arg)
{
	struct t	*t = arg;

	rec(t, "early", NULL);
	if (t->early_ok)
		smtp_reply(s, "220 go on then");
	return SMTP_DEFAULT;
}

static int
h_helo(struct smtp_session *s, void *arg, const char *h)
{
	struct t	*t = arg;

	rec(t, "helo=", h);
	if (t->helo_reply != NULL)
		smtp_reply(s, "%s", t->helo_reply);
	return SMTP_DEFAULT;
}

static int
h_noop(struct smtp_session *s, void *arg)
{
	struct t	*t = arg;

	rec(t, "noop", NULL);
	if (t->noop_reply != NULL)
		smtp_reply(s, "%s", t->noop_reply);
	return SMTP_DEFAULT;
}

/* spamd-like: a bare HELO is not counted, the last error says bye. */
static int
h_error(struct smtp_session *s, void *arg, enum smtp_verb verb,
    const char *deftext, int last)
{
	struct t	*t = arg;

	if (!t->use_error)
		return SMTP_DEFAULT;
	rec(t, last ? "error-last=" : "error=", deftext);
	if (verb == SMTP_CMD_HELO) {
		smtp_reply(s, "501 helo requires domain name.");
		return SMTP_UNCOUNTED;
	}
	if (last)
		smtp_reply(s, "451 that was one too many");
	return SMTP_DEFAULT;
}

static int
h_mail(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_mail_params *p)
{
	struct t	*t = arg;

	rec(t, "mail=", a->local);
	(void)strlcpy(t->mail_raw, p->raw, sizeof(t->mail_raw));
	if (t->defer_mail) {
		later(t, 1);
		return SMTP_DEFER;
	}
	return SMTP_DEFAULT;
}

static int
h_rcpt(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *p)
{
	struct t	*t = arg;

	(void)strlcpy(t->rcpt_raw, p->raw, sizeof(t->rcpt_raw));
	rec(arg, "rcpt=", a->local);
	if (strcmp(a->local, "no") == 0)
		smtp_reply(s, "550 5.1.1 no");
	return SMTP_DEFAULT;
}

static int
h_data(struct smtp_session *s, void *arg)
{
	struct t	*t = arg;

	rec(t, "data", NULL);
	if (t->refuse_data)
		smtp_reply(s, "451 4.7.1 Greylisted, try again later");
	return SMTP_DEFAULT;
}

static int
h_body(struct smtp_session *s, void *arg, const char *line, size_t len,
    int flags)
{
	struct t	*t = arg;

	t->body_lines++;
	if (t->pause_body && t->body_lines == 2) {
		rec(t, "pause", NULL);
		smtp_pause(s);
		later(t, 3);
	}
	if (t->data_fail && t->body_lines == 1)
		smtp_data_fail(s, "554 5.7.1 Virus found");
	if (t->early_end && t->body_lines == 1)
		smtp_data_reply(s, t->early_close, "554 5.7.1 Enough");
	if (t->body_fail && t->body_lines == 1)
		return -1;
	return 0;
}

static int
h_eom(struct smtp_session *s, void *arg, const struct smtp_msg *m)
{
	struct t		*t = arg;
	const struct smtp_rcpt	*r;

	rec(t, "eom lines=", m->nlines == 3 ? "3" : "?");
	t->nrcpt_eom = smtp_session_nrcpt(s);
	if (smtp_session_mail_from(s) != NULL)
		(void)smtp_addr_format(smtp_session_mail_from(s),
		    t->mail_from, sizeof(t->mail_from));
	if ((r = smtp_session_rcpt(s, 1)) != NULL)
		(void)smtp_addr_format(&r->addr, t->rcpt1, sizeof(t->rcpt1));
	if (t->lmtp_sync) {
		smtp_reply(s, "452 4.2.2 first is full");
		return SMTP_DEFAULT;
	}
	if (t->defer_eom) {
		later(t, 2);
		return SMTP_DEFER;
	}
	return SMTP_DEFAULT;
}

static int
h_rset(struct smtp_session *s, void *arg, enum smtp_rset_why why)
{
	static const char *names[] = { "?", "cmd", "helo", "tls", "rejected",
	    "disconnect" };

	rec(arg, "rset=", names[why]);
	return SMTP_DEFAULT;
}

static int
h_quit(struct smtp_session *s, void *arg)
{
	rec(arg, "quit", NULL);
	smtp_reply(s, "221 2.0.0 See you");
	return SMTP_DEFAULT;
}

static void
h_disconnect(struct smtp_session *s, void *arg, const char *why)
{
	struct t	*t = arg;

	rec(t, "disconnect", NULL);
	t->ndisconnect++;
	t->arg_ok = smtp_session_arg(s) == t && smtp_session_fd(s) >= 0 &&
	    smtp_session_ssl(s) == NULL && smtp_session_tls(s) == 0 &&
	    strcmp(smtp_session_peer_addr(s), "local") == 0;
	event_base_loopexit(t->base, NULL);
}

static const struct smtp_hooks hooks = {
	.connect = h_connect, .early_talker = h_early, .helo = h_helo,
	.mail = h_mail, .rcpt = h_rcpt, .data = h_data, .body = h_body,
	.eom = h_eom, .rset = h_rset, .quit = h_quit,
	.disconnect = h_disconnect, .noop = h_noop, .error = h_error
};

/*
 * Run one session: input written up front (banner_delay > 0: before the
 * banner), then EOF if eof, the loop runs until the session ends (at
 * most 5 s); returns everything the server wrote.
 */
static char *
run(struct t *t, int flags, int banner_delay, const char *input, int eof)
{
	static char		 out[16384];
	struct smtp_config	 c;
	struct smtp_server	*srv;
	struct timeval		 tv = { 5, 0 };
	int			 sp[2];
	ssize_t			 n;
	size_t			 off = 0;

	memset(&c, 0, sizeof(c));
	c.hostname = "mx.test";
	c.flags = flags;
	c.banner_delay = banner_delay;
	c.max_errors = t->max_errors;
	c.hooks = &hooks;
	c.arg = t;
	t->base = event_base_new();
	t->ev = evtimer_new(t->base, later_cb, t);
	srv = smtp_server_new(t->base, &c);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		abort();
	if (write(sp[0], input, strlen(input)) != (ssize_t)strlen(input))
		abort();
	if (eof)
		(void)shutdown(sp[0], SHUT_WR);
	(void)smtp_session_new(srv, sp[1], NULL, 0);
	event_base_loopexit(t->base, &tv);
	event_base_dispatch(t->base);
	smtp_server_free(srv);
	(void)fcntl(sp[0], F_SETFL, O_NONBLOCK);
	while (off < sizeof(out) - 1 &&
	    (n = read(sp[0], out + off, sizeof(out) - 1 - off)) > 0)
		off += n;
	out[off] = '\0';
	close(sp[0]);
	event_free(t->ev);
	event_base_free(t->base);
	return out;
}

/* The reply codes in order, "220 250 ..." (continuation lines skipped). */
static const char *
codes(const char *out)
{
	static char	 buf[1024];
	const char	*p;

	buf[0] = '\0';
	for (p = out; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strlen(p) >= 4 && p[3] == ' ') {
			if (buf[0] != '\0')
				(void)strlcat(buf, " ", sizeof(buf));
			(void)strncat(buf, p, 3);
		}
		if (strchr(p, '\n') == NULL)
			break;
	}
	return buf;
}

#define TXN	"MAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n" \
		"RCPT TO:<no@x.example>\r\nRCPT TO:<c@x.example>\r\nDATA\r\n"
#define MSG	"Subject: t\r\n\r\nbody\r\n.\r\n"

int
main(void)
{
	struct t	 t;
	const char	*out;

	log_init(1, LOG_MAIL);
	log_setverbose(0);
	plan(56);

	memset(&t, 0, sizeof(t));
	out = run(&t, 0, 0, "EHLO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 250 221",
	    "plain session: replies");
	is_str(t.calls, "connect helo=c.example mail=a rcpt=b rcpt=no rcpt=c "
	    "data eom lines=3 quit disconnect", "plain session: hooks");
	is_int(t.ndisconnect, 1, "disconnect hook once");
	ok(t.arg_ok, "the session arg is the config arg; fd, no TLS, local");
	is_int(t.nrcpt_eom, 2, "two recipients accepted (one refused)");
	is_str(t.mail_from, "a@x.example", "mail_from during eom");
	is_str(t.rcpt1, "c@x.example", "second accepted recipient");
	ok(strstr(out, "221 2.0.0 See you\r\n") != NULL, "quit hook's reply");

	memset(&t, 0, sizeof(t));
	t.defer_mail = 1;
	t.defer_eom = 1;
	out = run(&t, 0, 0, "EHLO c.example\r\n" TXN MSG "NOOP\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 250 250 221",
	    "deferred MAIL and end of data: replies in order");
	is_str(t.calls, "connect helo=c.example mail=a mail-answer rcpt=b "
	    "rcpt=no rcpt=c data eom lines=3 eom-answer noop quit disconnect",
	    "the next command waits for the deferred reply");
	ok(strstr(out, "250 2.1.0 Later\r\n") != NULL &&
	    strstr(out, "250 2.0.0 late 0\r\n") != NULL,
	    "deferred replies are the app's");

	memset(&t, 0, sizeof(t));
	out = run(&t, SMTP_F_DSN, 0, "EHLO c.example\r\n"
	    "MAIL FROM:<a@x.example> SIZE=27 BODY=8BITMIME RET=HDRS\r\n"
	    "RCPT TO:<b@x.example> NOTIFY=SUCCESS,FAILURE\r\nQUIT\r\n", 0);
	is_str(t.mail_raw, "SIZE=27 BODY=8BITMIME RET=HDRS",
	    "MAIL parameters reach the hook as sent");
	is_str(t.rcpt_raw, "NOTIFY=SUCCESS,FAILURE",
	    "RCPT parameters reach the hook as sent");

	memset(&t, 0, sizeof(t));
	t.defer_eom = 1;
	t.close_after = 1;
	out = run(&t, 0, 0, "EHLO c.example\r\n" TXN MSG "NOOP\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 250",
	    "a deferred reply then smtp_session_close: the reply goes out, "
	    "nothing after it");
	ok(strstr(out, "250 2.0.0 late 0\r\n") != NULL,
	    "the deferred end-of-data reply reached the client");

	memset(&t, 0, sizeof(t));
	t.lmtp_sync = 1;
	out = run(&t, SMTP_F_LMTP, 0, "LHLO c.example\r\n" TXN MSG
	    "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 452 250 221",
	    "LMTP: one reply per accepted recipient, defaults fill in");
	ok(strstr(out, "220 mx.test LMTP") != NULL, "LMTP banner");

	memset(&t, 0, sizeof(t));
	t.defer_eom = 1;
	out = run(&t, SMTP_F_LMTP, 0, "LHLO c.example\r\n" TXN MSG
	    "QUIT\r\n", 0);
	ok(strstr(out, "250 2.0.0 late 0\r\n250 2.0.0 late 1\r\n221") != NULL,
	    "LMTP: deferred per-recipient replies, in order");
	memset(&t, 0, sizeof(t));
	out = run(&t, SMTP_F_LMTP, 0, "EHLO c.example\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 500 221", "LMTP: EHLO is unknown");

	memset(&t, 0, sizeof(t));
	t.body_fail = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	ok(strstr(out, "451 4.3.0 Local error in processing\r\n") != NULL,
	    "body hook -1: 451 at end of data");
	ok(strstr(t.calls, "rset=rejected") != NULL &&
	    strstr(t.calls, "eom") == NULL, "rejected: rset, no eom hook");

	memset(&t, 0, sizeof(t));
	t.data_fail = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	ok(strstr(out, "554 5.7.1 Virus found\r\n") != NULL,
	    "smtp_data_fail: the app's reply at end of data");

	memset(&t, 0, sizeof(t));
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN "x\n.\r\n.\r\n"
	    "MAIL FROM:<d@x.example>\r\nRSET\r\nMAIL FROM:<e@x.example>\r\n"
	    "HELO again.example\r\nMAIL FROM:<f@x.example>\r\n", 1);
	is_str(codes(out), "220 250 250 250 550 250 354 550 250 250 250 250 "
	    "250", "bare LF, RSET, HELO again, then the peer goes");
	if (!ok(strstr(t.calls, "data rset=rejected mail=d rset=cmd mail=e "
	    "rset=helo helo=again.example mail=f rset=disconnect "
	    "disconnect") != NULL, "rset reasons: rejected cmd helo "
	    "disconnect"))
		diag("calls: %s", t.calls);

	memset(&t, 0, sizeof(t));
	t.pause_body = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 250 221",
	    "smtp_pause in the body, smtp_resume later: message whole");
	ok(strstr(t.calls, "pause resume eom lines=3") != NULL,
	    "paused, resumed, then end of data");

	memset(&t, 0, sizeof(t));
	out = run(&t, 0, 100, "EHLO early.example\r\n", 0);
	is_str(codes(out), "554", "early talker: 554 by default");
	ok(strstr(t.calls, "connect early disconnect") != NULL,
	    "early-talker hook, then closed");
	memset(&t, 0, sizeof(t));
	t.early_ok = 1;
	out = run(&t, 0, 100, "EHLO early.example\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 250 221", "early talker let through");
	ok(strncmp(out, "220 go on then\r\n", 16) == 0,
	    "with the app's banner");

	memset(&t, 0, sizeof(t));
	t.refuse_data = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 451 500 500 500 500 221",
	    "DATA refused: the message lines are (bad) commands");
	ok(strstr(t.calls, "eom") == NULL && strstr(t.calls, "body") == NULL,
	    "DATA refused: no body, no end of data");

	memset(&t, 0, sizeof(t));
	t.connect_reply = "421 4.3.2 Not now";
	out = run(&t, 0, 0, "EHLO c.example\r\n", 0);
	is_str(out, "421 4.3.2 Not now\r\n", "421 at connect, then closed");
	ok(strstr(t.calls, "helo") == NULL, "no command served after 421");

	/* the helo hook's 2xx reply: ignored, or verbatim with the flag */
	memset(&t, 0, sizeof(t));
	t.helo_reply = "250 mx.test\nX-ONE\nX-TWO";
	out = run(&t, 0, 0, "EHLO c.example\r\nQUIT\r\n", 0);
	ok(strstr(out, "\r\n250-SIZE\r\n") != NULL &&
	    strstr(out, "X-ONE") == NULL,
	    "without SMTP_F_HELO_VERBATIM: the engine's capabilities");
	memset(&t, 0, sizeof(t));
	t.helo_reply = "250 mx.test\nX-ONE\nX-TWO";
	out = run(&t, SMTP_F_HELO_VERBATIM, 0, "EHLO c.example\r\n"
	    "HELO c.example\r\nQUIT\r\n", 0);
	if (!ok(strstr(out, "\r\n250-mx.test\r\n250-X-ONE\r\n250 X-TWO\r\n"
	    "250-mx.test\r\n250-X-ONE\r\n250 X-TWO\r\n221 ") != NULL &&
	    strstr(out, "SIZE") == NULL && strstr(out, "HELP") == NULL,
	    "SMTP_F_HELO_VERBATIM: the hook's reply, exactly, for EHLO and "
	    "HELO"))
		diag("out: %s", out);
	memset(&t, 0, sizeof(t));
	out = run(&t, SMTP_F_HELO_VERBATIM, 0, "EHLO c.example\r\nQUIT\r\n",
	    0);
	ok(strstr(out, "\r\n250-SIZE\r\n") != NULL,
	    "SMTP_F_HELO_VERBATIM, no reply from the hook: the default");

	/* NOOP */
	memset(&t, 0, sizeof(t));
	out = run(&t, 0, 0, "NOOP\r\nQUIT\r\n", 0);
	ok(strstr(out, "\r\n250 2.0.0 Ok\r\n221") != NULL &&
	    strstr(t.calls, "noop") != NULL, "noop hook: default reply");
	memset(&t, 0, sizeof(t));
	t.noop_reply = "250 2.0.0 OK I did nothing";
	out = run(&t, 0, 0, "NOOP\r\nQUIT\r\n", 0);
	ok(strstr(out, "\r\n250 2.0.0 OK I did nothing\r\n221") != NULL,
	    "noop hook: its reply");

	/* sequence and HELO leniency */
	memset(&t, 0, sizeof(t));
	out = run(&t, 0, 0, "MAIL FROM:<a@x.example>\r\nHELO\r\n"
	    "QUIT\r\n", 0);
	is_str(codes(out), "220 503 501 221",
	    "default: MAIL before HELO 503, bad HELO 501");
	memset(&t, 0, sizeof(t));
	out = run(&t, SMTP_F_LAX_SEQUENCE | SMTP_F_LAX_HELO, 0,
	    "MAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
	    "HELO [x y\r\nHELO\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 501 221",
	    "SMTP_F_LAX_SEQUENCE, SMTP_F_LAX_HELO: MAIL before HELO, any "
	    "word, only an empty HELO refused");
	ok(strstr(t.calls, "mail=a rcpt=b rset=helo helo=[x quit") != NULL,
	    "the first word is the HELO name");

	/* the error hook and the error limit */
	memset(&t, 0, sizeof(t));
	t.max_errors = 3;
	out = run(&t, 0, 0, "XYZ\r\nXYZ\r\nXYZ\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 500 500 500 421",
	    "default: 421 after the last error");
	memset(&t, 0, sizeof(t));
	t.max_errors = 3;
	t.use_error = 1;
	out = run(&t, SMTP_F_ERRORS_QUIET, 0, "XYZ\r\nNOOP\r\nHELO\r\n"
	    "HELO\r\nXYZ\r\nVRFY\r\nNOOP\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 500 250 501 501 500 451",
	    "SMTP_F_ERRORS_QUIET: the hook's last reply, no 421, closed");
	ok(strstr(out, "501 helo requires domain name.\r\n501 helo") != NULL,
	    "error hook: its reply replaces the default");
	ok(strstr(t.calls, "error-last=501 5.5.4 Syntax: VRFY address "
	    "disconnect") != NULL, "uncounted errors left out; last flagged");
	ok(strstr(t.calls, "error=500 5.5.1 Command unrecognized") != NULL,
	    "error hook: the default reply text");

	/* DATA ended early */
	memset(&t, 0, sizeof(t));
	t.early_end = 1;
	t.early_close = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 554",
	    "smtp_data_reply, close: the reply, then closed");
	ok(strstr(out, "554 5.7.1 Enough\r\n") != NULL, "the app's text");
	ok(strstr(t.calls, "rset=rejected") != NULL &&
	    strstr(t.calls, "eom") == NULL && strstr(t.calls, "quit") == NULL,
	    "no eom hook, transaction dropped, nothing read after");
	is_int(t.body_lines, 1, "the body hook is not called again");
	memset(&t, 0, sizeof(t));
	t.early_end = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN MSG
	    "MAIL FROM:<d@x.example>\r\nQUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 554 250 221",
	    "smtp_data_reply, go on: the rest of the message read silently");
	ok(strstr(t.calls, "rset=rejected mail=d quit") != NULL,
	    "then the session goes on");
	is_int(t.body_lines, 1, "the discarded lines reach no hook");
	memset(&t, 0, sizeof(t));
	t.early_end = 1;
	out = run(&t, SMTP_F_LMTP, 0, "LHLO c.example\r\n" TXN MSG
	    "QUIT\r\n", 0);
	is_str(codes(out), "220 250 250 250 550 250 354 554 554 221",
	    "smtp_data_reply, LMTP: once per accepted recipient");
	memset(&t, 0, sizeof(t));
	t.early_end = 1;
	out = run(&t, 0, 0, "HELO c.example\r\n" TXN "Subject: t\r\n"
	    "x\r\n", 1);
	ok(strstr(out, "554 5.7.1 Enough\r\n") != NULL && t.ndisconnect == 1,
	    "smtp_data_reply, go on, peer gone before the end: one "
	    "disconnect");
	return done_testing();
}
