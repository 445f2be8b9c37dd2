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
 * common/smtpc: the reply and capability parsers, dot-stuffing at every
 * split, and whole sessions against a scripted server (a child process
 * on a socketpair that answers each command line from a list and records
 * what it received).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "io.h"
#include "log.h"
#include "smtpc.h"
#include "tap.h"

static void
test_reply(void)
{
	struct smtpc_reply	 r;
	char			 big[2000];

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "250 OK\r\n", 8), 1, "one line");
	is_int(r.code, 250, "code");
	is_str(r.text, "OK", "text");
	is_str(r.status, "", "no enhanced code");

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "250-mx.example\r\n", 16), 0,
	    "continuation");
	is_int(smtpc_reply_feed(&r, "250-PIPELINING", 14), 0, "no CRLF");
	is_int(smtpc_reply_feed(&r, "250 SIZE 100\n", 13), 1, "last line");
	is_int(r.nlines, 3, "three lines");
	is_str(r.text, "mx.example\nPIPELINING\nSIZE 100", "lines joined");

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "550-5.1.1 no such\r\n", 19), 0, "550-");
	is_int(smtpc_reply_feed(&r, "550 5.1.1 user\r\n", 16), 1, "550");
	is_str(r.status, "5.1.1", "enhanced code");
	is_str(r.text, "no such\nuser", "enhanced code stripped per line");
	ok(smtpc_reply_perm(&r) && !smtpc_reply_temp(&r), "5xx is perm");

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "451 4.3.0", 9), 1, "code only text");
	is_str(r.status, "4.3.0", "enhanced code at end");
	is_str(r.text, "", "empty text");
	ok(smtpc_reply_temp(&r), "4xx is temp");

	smtpc_reply_clear(&r);
	smtpc_reply_feed(&r, "550 4.1.1 class differs", 23);
	is_str(r.status, "", "wrong class is no enhanced code");
	is_str(r.text, "4.1.1 class differs", "kept as text");

	smtpc_reply_clear(&r);
	smtpc_reply_feed(&r, "250 2.1000.0 x", 14);
	is_str(r.status, "", "4-digit subject is no enhanced code");

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "220", 3), 1, "bare code");
	is_int(r.code, 220, "bare code value");

	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "25x ok", 6), -1, "non-digit");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "2500 ok", 7), -1, "four digits");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "250_ok", 6), -1, "bad separator");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "\r\n", 2), -1, "empty line");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "650 x", 5), -1, "class 6");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "150 x", 5), -1, "class 1");
	smtpc_reply_clear(&r);
	is_int(smtpc_reply_feed(&r, "250 a\0b", 7), -1, "NUL");
	smtpc_reply_clear(&r);
	smtpc_reply_feed(&r, "250-a", 5);
	is_int(smtpc_reply_feed(&r, "251 b", 5), -1, "code changes");

	smtpc_reply_clear(&r);
	memset(big, 'x', sizeof(big));
	memcpy(big, "250 ", 4);
	is_int(smtpc_reply_feed(&r, big, sizeof(big)), 1, "long line");
	is_int(strlen(r.text), SMTPC_TEXT_MAX - 1, "long text truncated");
}

static void
test_caps(void)
{
	struct smtpc_caps	 c;
	static const char	*lines[] = {
		"PIPELINING", "SIZE 10240000", "8BITMIME", "starttls",
		"AUTH PLAIN LOGIN CRAM-MD5", "AUTH=LOGIN",
		"ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8", "CHUNKING",
		"BINARYMIME", "XFOO bar", "ETRN", ""
	};
	size_t			 i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < nitems(lines); i++)
		smtpc_caps_parse(&c, lines[i], strlen(lines[i]));
	is_int(c.flags, SMTPC_CAP_PIPELINING | SMTPC_CAP_SIZE |
	    SMTPC_CAP_8BITMIME | SMTPC_CAP_STARTTLS | SMTPC_CAP_AUTH |
	    SMTPC_CAP_ENHANCED | SMTPC_CAP_DSN | SMTPC_CAP_SMTPUTF8 |
	    SMTPC_CAP_CHUNKING | SMTPC_CAP_BINARYMIME, "all flags");
	is_int(c.size, 10240000, "SIZE value");
	is_int(c.auth, SMTPC_AUTH_PLAIN | SMTPC_AUTH_LOGIN |
	    SMTPC_AUTH_CRAM_MD5, "AUTH mechanisms");

	memset(&c, 0, sizeof(c));
	smtpc_caps_parse(&c, "SIZE\r\n", 6);
	ok(c.flags & SMTPC_CAP_SIZE, "SIZE without value");
	is_int(c.size, 0, "no limit");
	smtpc_caps_parse(&c, "SIZE 12x", 8);
	is_int(c.size, 0, "bad SIZE value ignored");
	smtpc_caps_parse(&c, "AUTHX PLAIN", 11);
	is_int(c.auth, 0, "AUTHX is not AUTH");
	is_int(c.flags & SMTPC_CAP_AUTH, 0, "AUTHX sets no flag");
}

static void
stuff(const char *in, size_t len, const size_t *cuts, size_t ncuts,
    struct evbuffer *out)
{
	struct smtpc_dot	 d;
	size_t			 i, from = 0;

	smtpc_dot_init(&d);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		smtpc_dot_feed(&d, in + from, to - from, out);
		from = to;
	}
	smtpc_dot_end(&d, out);
}

static void
test_dot(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "", ".\r\n" },
		{ "a", "a\r\n.\r\n" },
		{ "a\r\n", "a\r\n.\r\n" },
		{ "a\n", "a\r\n.\r\n" },
		{ ".", "..\r\n.\r\n" },
		{ ".\r\n", "..\r\n.\r\n" },
		{ "a\n.\nb", "a\r\n..\r\nb\r\n.\r\n" },
		{ "x\r\n.\r\n..y\r\n", "x\r\n..\r\n...y\r\n.\r\n" },
		{ "a\rb", "a\r\nb\r\n.\r\n" },
		{ "a\r\r\nb\n\n", "a\r\n\r\nb\r\n\r\n.\r\n" },
		{ "\r\n.a.\r\n\r\r", "\r\n..a.\r\n\r\n\r\n.\r\n" },
		{ "a.b\r\nc.", "a.b\r\nc.\r\n.\r\n" },
	};
	struct evbuffer	*out;
	size_t		 i, k, j, len, cuts[2], bad;

	out = evbuffer_new();
	for (i = 0; i < nitems(t); i++) {
		len = strlen(t[i].in);
		bad = 0;
		/* one cut at every offset, and two cuts at every pair */
		for (k = 0; k <= len; k++) {
			for (j = k; j <= len; j++) {
				cuts[0] = k;
				cuts[1] = j;
				stuff(t[i].in, len, cuts, 2, out);
				if (evbuffer_get_length(out) !=
				    strlen(t[i].out) || memcmp(
				    evbuffer_pullup(out, -1), t[i].out,
				    strlen(t[i].out)) != 0) {
					if (bad++ == 0)
						diag("case %zu cut %zu,%zu",
						    i, k, j);
				}
				evbuffer_drain(out, evbuffer_get_length(out));
			}
		}
		stuff(t[i].in, len, NULL, 0, out);
		is_mem(evbuffer_pullup(out, -1), evbuffer_get_length(out),
		    t[i].out, strlen(t[i].out), "dot case %zu", i);
		evbuffer_drain(out, evbuffer_get_length(out));
		is_int(bad, 0, "dot case %zu: same at every split", i);
	}
	evbuffer_free(out);
}

/*
 * Scripted server.  Each command line gets the next reply; "CLOSE"
 * closes, "SLEEP" waits (the client times out).  DATA content is read
 * to ".\r\n" and the next reply answers it.  Everything received goes
 * to the transcript pipe.
 */
static pid_t
server(int fd, const char **script, int tfd)
{
	FILE	*f;
	char	 line[8192];
	int	 data = 0, i = 0;
	pid_t	 pid;

	if ((pid = fork()) != 0)
		return pid;
	f = fdopen(fd, "r+");
	setvbuf(f, NULL, _IONBF, 0);
	dprintf(fd, "%s\r\n", script[i++]);
	while (fgets(line, sizeof(line), f) != NULL) {
		(void)write(tfd, line, strlen(line));
		if (data) {
			if (strcmp(line, ".\r\n") != 0)
				continue;
			data = 0;
		} else if (strncmp(line, "DATA", 4) == 0 &&
		    script[i] != NULL && strncmp(script[i], "354", 3) == 0)
			data = 1;
		if (script[i] == NULL)
			break;
		if (strcmp(script[i], "CLOSE") == 0)
			break;
		if (strcmp(script[i], "SLEEP") == 0) {
			sleep(5);
			break;
		}
		dprintf(fd, "%s\r\n", script[i++]);
	}
	_exit(0);
}

struct sess {
	struct event_base	*base;
	struct smtpc_msg	*msg;
	int			 nmsg;
	int			 events[16];
	int			 nevents;
	int			 refused;	/* smtpc_send said -1 */
	struct smtpc_reply	 status;
};

static void
sess_cb(struct smtpc *s, int evt, void *arg)
{
	struct sess	*t = arg;

	if (t->nevents < 16)
		t->events[t->nevents++] = evt;
	switch (evt) {
	case SMTPC_READY:
		if (smtpc_send(s, t->msg) == -1) {
			t->refused = 1;
			smtpc_quit(s);
		}
		break;
	case SMTPC_DONE:
		if (--t->nmsg > 0)
			smtpc_send(s, t->msg);
		else
			smtpc_quit(s);
		break;
	default:
		t->status = *smtpc_status(s);
		smtpc_free(s);
		event_base_loopbreak(t->base);
	}
}

/* Run one session; returns the transcript (static buffer). */
static const char *
run(const char **script, struct smtpc_params *p, struct smtpc_msg *m,
    int nmsg, struct sess *t)
{
	static char	 tr[65536];
	int		 sv[2], tp[2], st;
	ssize_t		 n, got = 0;
	pid_t		 pid;
	struct io	*io;

	memset(t, 0, sizeof(*t));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(tp) == -1)
		abort();
	pid = server(sv[1], script, tp[1]);
	close(sv[1]);
	close(tp[1]);
	t->base = event_base_new();
	t->msg = m;
	t->nmsg = nmsg;
	io = io_new(t->base, sv[0], NULL, NULL);
	smtpc_new(t->base, io, p, sess_cb, t);
	event_base_dispatch(t->base);
	event_base_free(t->base);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	while ((n = read(tp[0], tr + got, sizeof(tr) - 1 - got)) > 0)
		got += n;
	tr[got] = '\0';
	close(tp[0]);
	return tr;
}

static void
test_sessions(void)
{
	struct smtpc_params	 p;
	struct smtpc_msg	 m;
	struct sess		 t;
	const char		*tr;
	static const char	*pipelined[] = {
		"220 hi", "250-x\r\n250-PIPELINING\r\n250 SIZE 1000",
		"250 2.1.0 ok", "250 ok", "550 5.1.1 no such user",
		"250 ok", "354 go", "250 2.0.0 queued", "221 bye", NULL
	};
	static const char	*lmtp[] = {
		"220 hi", "250-x\r\n250 PIPELINING", "250 ok", "250 ok",
		"250 ok", "354 go",
		"250 2.0.0 delivered a\r\n452 4.2.2 mailbox full", "221 bye",
		NULL
	};
	static const char	*helo[] = {
		"220 hi", "502 5.5.1 no EHLO", "250 hello", "250 ok",
		"550 no", "550 no", "250 reset", "250 ok", "250 ok",
		"250 ok", "354 go", "250 ok", "221 bye", NULL
	};
	static const char	*banner554[] = { "554 5.3.2 go away", NULL };
	static const char	*middata[] = {
		"220 hi", "250 x", "250 ok", "250 ok", "250 ok", "354 go",
		"CLOSE",
		NULL
	};
	static const char	*slow[] = {
		"220 hi", "250 x", "SLEEP", NULL
	};
	static const char	*params[] = {
		"220 hi", "250-x\r\n250-DSN\r\n250-8BITMIME\r\n"
		"250-SMTPUTF8\r\n250-PIPELINING\r\n250 SIZE",
		"250 ok", "250 ok", "250 ok", "354 go", "250 ok", "221 bye",
		NULL
	};
	static const char	*noparams[] = {
		"220 hi", "250-x\r\n250 PIPELINING", "250 ok", "250 ok",
		"250 ok", "354 go", "250 ok", "221 bye", NULL
	};
	static const char	*big[] = {
		"220 hi", "250-x\r\n250 SIZE 5", "221 bye", NULL
	};

	memset(&p, 0, sizeof(p));
	p.helo = "client.example";
	smtpc_msg_init(&m, "f@x");
	smtpc_msg_add_rcpt(&m, "a@x");
	smtpc_msg_add_rcpt(&m, "b@x");
	smtpc_msg_add_rcpt(&m, "c@x");
	m.body = evbuffer_new();
	evbuffer_add(m.body, "a\n.b\r\nc", 7);

	tr = run(pipelined, &p, &m, 1, &t);
	is_str(tr, "EHLO client.example\r\nMAIL FROM:<f@x> SIZE=7\r\n"
	    "RCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n"
	    "a\r\n..b\r\nc\r\n.\r\nQUIT\r\n", "pipelined transcript");
	is_int(m.rcpts[0].result.code, 250, "rcpt a accepted");
	is_int(m.rcpts[1].result.code, 550, "rcpt b rejected");
	is_str(m.rcpts[1].result.status, "5.1.1", "rcpt b status");
	is_str(m.rcpts[1].result.text, "no such user", "rcpt b text");
	is_int(m.rcpts[2].result.code, 250, "rcpt c accepted");
	is_str(m.rcpts[2].result.text, "queued", "final reply is DATA's");
	is_int(m.naccepted, 2, "two accepted");
	is_int(t.events[t.nevents - 1], SMTPC_CLOSED, "closed after QUIT");

	p.lmtp = 1;
	smtpc_msg_clear(&m);
	smtpc_msg_add_rcpt(&m, "a@x");
	smtpc_msg_add_rcpt(&m, "b@x");
	tr = run(lmtp, &p, &m, 1, &t);
	ok(strncmp(tr, "LHLO client.example\r\n", 21) == 0, "LHLO");
	is_int(m.rcpts[0].result.code, 250, "LMTP rcpt a delivered");
	is_str(m.rcpts[0].result.text, "delivered a", "LMTP a text");
	is_int(m.rcpts[1].result.code, 452, "LMTP rcpt b deferred");
	is_str(m.rcpts[1].result.status, "4.2.2", "LMTP b status");
	p.lmtp = 0;

	/* no PIPELINING, HELO fallback, then RSET before message 2 */
	smtpc_msg_clear(&m);
	smtpc_msg_add_rcpt(&m, "a@x");
	smtpc_msg_add_rcpt(&m, "b@x");
	tr = run(helo, &p, &m, 2, &t);
	is_str(tr, "EHLO client.example\r\nHELO client.example\r\n"
	    "MAIL FROM:<f@x>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\n"
	    "RSET\r\nMAIL FROM:<f@x>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\n"
	    "DATA\r\na\r\n..b\r\nc\r\n.\r\nQUIT\r\n",
	    "HELO, no DATA without recipients, RSET, second message");
	is_int(m.naccepted, 2, "second message accepted");

	tr = run(banner554, &p, &m, 1, &t);
	is_int(t.events[0], SMTPC_ERROR, "554 banner: error");
	is_int(t.status.code, 554, "554 banner: server's code");
	is_int(t.status.local, 0, "554 banner: not local");

	tr = run(middata, &p, &m, 1, &t);
	is_int(t.events[t.nevents - 1], SMTPC_ERROR, "close mid-data: error");
	is_int(t.status.code, 421, "close mid-data: 421");
	ok(strstr(t.status.text, "closed") != NULL, "close mid-data: text");
	is_int(m.rcpts[0].result.code, 421, "close mid-data: rcpt temp");
	ok(smtpc_reply_temp(&m.rcpts[1].result), "close mid-data: temp");

	p.timeout_cmd = 300;
	tr = run(slow, &p, &m, 1, &t);
	is_int(t.status.code, 421, "timeout: 421");
	is_str(t.status.text, "timeout during MAIL FROM", "timeout: phase");
	ok(t.status.local, "timeout: local");
	p.timeout_cmd = 0;

	/* ESMTP parameters only when the server offers them */
	smtpc_msg_clear(&m);
	smtpc_msg_add_rcpt(&m, "a@x");
	smtpc_msg_add_rcpt(&m, "b@x");
	m.rcpts[0].dsn = "NOTIFY=FAILURE,DELAY ORCPT=rfc822;a@x";
	m.dsn = "RET=HDRS ENVID=abc";
	m.body8bit = 1;
	m.smtputf8 = 1;
	tr = run(params, &p, &m, 1, &t);
	ok(strstr(tr, "MAIL FROM:<f@x> SIZE=7 BODY=8BITMIME SMTPUTF8 "
	    "RET=HDRS ENVID=abc\r\nRCPT TO:<a@x> NOTIFY=FAILURE,DELAY "
	    "ORCPT=rfc822;a@x\r\nRCPT TO:<b@x>\r\n") != NULL,
	    "MAIL and RCPT parameters when offered");
	tr = run(noparams, &p, &m, 1, &t);
	ok(strstr(tr, "MAIL FROM:<f@x>\r\nRCPT TO:<a@x>\r\n"
	    "RCPT TO:<b@x>\r\n") != NULL, "no parameters when not offered");
	is_int(m.naccepted, 2, "accepted without parameters");
	m.dsn = NULL;
	m.body8bit = m.smtputf8 = 0;
	m.rcpts[1].addr = "b@x>\r\nRCPT TO:<evil@x";
	tr = run(noparams, &p, &m, 1, &t);
	is_int(t.refused, 1, "CR LF in an address: smtpc_send refuses");
	ok(strstr(tr, "evil") == NULL, "CR LF in an address: nothing sent");
	m.rcpts[1].addr = "b@x";

	tr = run(big, &p, &m, 1, &t);
	is_int(m.rcpts[0].result.code, 552, "SIZE exceeded: 552");
	is_str(m.rcpts[0].result.status, "5.3.4", "SIZE exceeded: 5.3.4");
	ok(strstr(tr, "MAIL") == NULL, "SIZE exceeded: no MAIL sent");

	evbuffer_free(m.body);
	smtpc_msg_clear(&m);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	plan(100);
	test_reply();
	test_caps();
	test_dot();
	test_sessions();
	return done_testing();
}
