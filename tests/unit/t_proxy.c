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
 * common/proxy in one process and one event loop: a next hop (an engine
 * server on 127.0.0.1 that records the envelope and the body and answers
 * with distinctive texts), the proxy on another ephemeral port, and
 * common/smtpc as the client.  Every wait is bounded by a timer.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <sys/un.h>

#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "io.h"
#include "log.h"
#include "proxy.h"
#include "smtp.h"
#include "smtpc.h"
#include "tap.h"

#define NH_SIZE		30000		/* the next hop's SIZE */
#define PX_SIZE		50000		/* the proxy's max_size */
#define PX3_SIZE	20000		/* the third proxy's, smaller */
#define HEADER		"X-Proxy-Test: seen\r\n"

enum xmode {
	X_RELAY,		/* prepend HEADER */
	X_UNCHANGED,		/* add HEADER to head, answer unchanged */
	X_REJECT,
	X_ASYNC			/* prepend HEADER from a timer */
};

static const char	*msg_text =
	"From: a@example.org\r\n"
	"Subject: proxy test\r\n"
	"\r\n"
	"hello\r\n"
	".leading dot\r\n"
	"..two dots\r\n"
	".\r\n"
	"end\r\n";

static struct event_base *base;
static int		 timedout;

/* the next hop's record */
static char		 nh_from[SMTP_PATH_MAX + 1];
static char		 nh_rcpts[1024];
static int		 nh_ndata;
static struct evbuffer	*nh_body;
static const char	*nh_eom = "250 2.0.0 queued as NEXTHOP1";

/* the transform */
static enum xmode	 xmode;
static int		 ncalls;
static char		 x_from[SMTP_PATH_MAX + 1];
static size_t		 x_nrcpts;
static size_t		 x_size;
static struct evbuffer	*x_orig;

/* the client */
struct client {
	struct smtpc_msg	 msg;
	struct smtpc_caps	 caps;
	struct smtpc_reply	 status;
	struct smtpc_reply	 banner;
	struct smtpc_reply	 first;	/* end of data, message 1 */
	int			 again;	/* then a 2nd (relayed) */
	int			 ready;
	int			 done;
	int			 lastevt;
};

static int	 nh_mail(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_mail_params *);
static int	 nh_rcpt(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_rcpt_params *);
static int	 nh_data(struct smtp_session *, void *);
static int	 nh_body_cb(struct smtp_session *, void *, const char *,
		    size_t, int);
static int	 nh_eom_cb(struct smtp_session *, void *,
		    const struct smtp_msg *);
static void	 transform(struct proxy_msg *, void *);
static void	 transform_later(int, short, void *);
static void	 client_cb(struct smtpc *, int, void *);
static void	 timeout_cb(int, short, void *);
static int	 listen_any(struct sockaddr_in *);
static void	 run_client(const struct sockaddr_in *, struct client *,
		    const char *, const char *, int);
static void	 run_client_fd(int, struct client *, const char *);
static void	 run(const struct sockaddr_in *, int, struct client *,
		    const char *, const char *, int);
static void	 reset_records(void);
static char	*replystr(const struct smtpc_reply *);
static char	*bufstr(struct evbuffer *);

static int
nh_mail(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_mail_params *mp)
{
	if (smtp_addr_format(a, nh_from, sizeof(nh_from)) == -1)
		abort();
	smtp_reply(s, "250 2.1.0 NEXTHOP sender ok");
	return SMTP_DEFAULT;
}

static int
nh_rcpt(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *rp)
{
	char	 addr[SMTP_PATH_MAX + 1];

	if (smtp_addr_format(a, addr, sizeof(addr)) == -1)
		abort();
	if (strcmp(a->local, "refused") == 0) {
		smtp_reply(s, "550 5.1.1 NEXTHOP no such user");
		return SMTP_DEFAULT;
	}
	if (nh_rcpts[0] != '\0')
		(void)strlcat(nh_rcpts, ",", sizeof(nh_rcpts));
	(void)strlcat(nh_rcpts, addr, sizeof(nh_rcpts));
	smtp_reply(s, "250 2.1.5 NEXTHOP rcpt ok");
	return SMTP_DEFAULT;
}

static int
nh_data(struct smtp_session *s, void *arg)
{
	nh_ndata++;
	return SMTP_DEFAULT;
}

static int
nh_body_cb(struct smtp_session *s, void *arg, const char *line, size_t len,
    int flags)
{
	evbuffer_add(nh_body, line, len);
	return 0;
}

static int
nh_eom_cb(struct smtp_session *s, void *arg, const struct smtp_msg *m)
{
	smtp_reply(s, "%s", nh_eom);
	return SMTP_DEFAULT;
}

static void
transform_finish(struct proxy_msg *msg)
{
	switch (xmode) {
	case X_RELAY:
	case X_ASYNC:
		evbuffer_add(msg->head, HEADER, strlen(HEADER));
		proxy_done(msg, PROXY_RELAY, NULL);
		break;
	case X_UNCHANGED:
		evbuffer_add(msg->head, HEADER, strlen(HEADER));
		proxy_done(msg, PROXY_UNCHANGED, NULL);
		break;
	case X_REJECT:
		proxy_done(msg, PROXY_REJECT, "554 5.7.1 FILTER says no");
		break;
	}
}

static void
transform_later(int fd, short ev, void *arg)
{
	struct proxy_msg	*msg = arg;

	event_free(msg->priv);
	msg->priv = NULL;
	transform_finish(msg);
}

static void
transform(struct proxy_msg *msg, void *arg)
{
	struct timeval	 tv = { 0, 50000 };
	char		 buf[4096];
	ssize_t		 n;
	size_t		 off = 0;

	ncalls++;
	(void)strlcpy(x_from, msg->from, sizeof(x_from));
	x_nrcpts = msg->nrcpts;
	x_size = msg->size;
	while ((n = proxy_msg_read(msg, off, buf, sizeof(buf))) > 0) {
		evbuffer_add(x_orig, buf, n);
		off += n;
	}
	if (xmode == X_ASYNC) {
		msg->priv = evtimer_new(base, transform_later, msg);
		evtimer_add(msg->priv, &tv);
		return;
	}
	transform_finish(msg);
}

static void
client_cb(struct smtpc *s, int evt, void *arg)
{
	struct client	*c = arg;

	c->lastevt = evt;
	switch (evt) {
	case SMTPC_READY:
		c->ready = 1;
		c->caps = *smtpc_caps(s);
		if (smtpc_send(s, &c->msg) == -1)
			smtpc_quit(s);
		break;
	case SMTPC_DONE:
		c->done++;
		if (c->again && c->done == 1) {
			c->first = c->msg.data;
			xmode = X_RELAY;
			if (smtpc_send(s, &c->msg) == -1)
				smtpc_quit(s);
			break;
		}
		smtpc_quit(s);
		break;
	default:
		c->status = *smtpc_status(s);
		c->banner = *smtpc_banner(s);
		smtpc_free(s);
		event_base_loopbreak(base);
	}
}

static void
timeout_cb(int fd, short ev, void *arg)
{
	timedout = 1;
	event_base_loopbreak(base);
}

/* A listening socket on 127.0.0.1, ephemeral port. */
static int
listen_any(struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 fd;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1) {
		printf("Bail out! listening socket\n");
		exit(1);
	}
	return fd;
}

static void
reset_records(void)
{
	nh_from[0] = '\0';
	nh_rcpts[0] = '\0';
	nh_ndata = 0;
	evbuffer_drain(nh_body, evbuffer_get_length(nh_body));
	evbuffer_drain(x_orig, evbuffer_get_length(x_orig));
	ncalls = 0;
	x_from[0] = '\0';
	x_nrcpts = 0;
	x_size = 0;
}

/* One client session through the proxy: one message, then QUIT. */
static void
run_client(const struct sockaddr_in *sin, struct client *c,
    const char *rcpt1, const char *rcpt2, int again)
{
	run(sin, -1, c, rcpt1, rcpt2, again);
}

/* The same over an established socket (the banner still to come). */
static void
run_client_fd(int fd, struct client *c, const char *rcpt1)
{
	run(NULL, fd, c, rcpt1, NULL, 0);
}

static void
run(const struct sockaddr_in *sin, int fd, struct client *c,
    const char *rcpt1, const char *rcpt2, int again)
{
	struct smtpc_params	 cp;
	struct event		*tmo;
	struct timeval		 tv = { 10, 0 };
	struct smtpc		*s;

	reset_records();
	memset(c, 0, sizeof(*c));
	c->again = again;
	smtpc_msg_init(&c->msg, "sender@example.org");
	smtpc_msg_add_rcpt(&c->msg, rcpt1);
	if (rcpt2 != NULL)
		smtpc_msg_add_rcpt(&c->msg, rcpt2);
	c->msg.body = evbuffer_new();
	evbuffer_add(c->msg.body, msg_text, strlen(msg_text));

	memset(&cp, 0, sizeof(cp));
	cp.helo = "client.test";
	cp.timeout_connect = cp.timeout_greeting = cp.timeout_cmd =
	    cp.timeout_data = 5000;
	tmo = evtimer_new(base, timeout_cb, NULL);
	evtimer_add(tmo, &tv);
	if (sin != NULL)
		s = smtpc_connect(base, (const struct sockaddr *)sin,
		    sizeof(*sin), &cp, client_cb, c);
	else
		s = smtpc_new(base, io_new(base, fd, NULL, NULL), &cp,
		    client_cb, c);
	if (s == NULL) {
		printf("Bail out! smtpc_connect\n");
		exit(1);
	}
	event_base_dispatch(base);
	event_free(tmo);
	if (timedout) {
		printf("Bail out! the session hung (10 s)\n");
		exit(1);
	}
	evbuffer_free(c->msg.body);
	c->msg.body = NULL;
}

static char *
replystr(const struct smtpc_reply *r)
{
	static char	 buf[4][SMTPC_TEXT_MAX + 32];
	static int	 i;

	i = (i + 1) % 4;
	return (char *)smtpc_reply_str(r, buf[i], sizeof(buf[i]));
}

/* The buffer as a string (static, valid until the next call). */
static char *
bufstr(struct evbuffer *b)
{
	static char	 buf[8192];
	size_t		 n = evbuffer_get_length(b);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	evbuffer_copyout(b, buf, n);
	buf[n] = '\0';
	return buf;
}

int
main(void)
{
	struct smtp_hooks	 nh_hooks;
	struct smtp_config	 nc;
	struct smtp_server	*nh, *nh2;
	struct proxy_config	 pc;
	struct proxy		*px, *pxdown, *px3;
	struct sockaddr_un	 sun;
	char			 dir[] = "/tmp/t_proxy.XXXXXX";
	int			 ufd, sv[2];
	struct sockaddr_in	 nh_sin, px_sin, down_sin, dead_sin;
	struct client		 c;
	const char		*errstr = NULL;
	char			 port[16], deadport[16], want[8192];
	int			 nh_fd, px_fd, down_fd, dead_fd;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	plan(80);

	base = event_base_new();
	nh_body = evbuffer_new();
	x_orig = evbuffer_new();
	(void)snprintf(want, sizeof(want), "%s%s", HEADER, msg_text);

	/* the next hop */
	memset(&nh_hooks, 0, sizeof(nh_hooks));
	nh_hooks.mail = nh_mail;
	nh_hooks.rcpt = nh_rcpt;
	nh_hooks.data = nh_data;
	nh_hooks.body = nh_body_cb;
	nh_hooks.eom = nh_eom_cb;
	memset(&nc, 0, sizeof(nc));
	nc.hostname = "nexthop.test";
	nc.max_size = NH_SIZE;
	nc.hooks = &nh_hooks;
	nh = smtp_server_new(base, &nc);
	nh_fd = listen_any(&nh_sin);
	if (nh == NULL || smtp_server_listen(nh, nh_fd) == -1) {
		printf("Bail out! next hop server\n");
		return 1;
	}

	/* the proxy */
	(void)snprintf(port, sizeof(port), "%u", ntohs(nh_sin.sin_port));
	memset(&pc, 0, sizeof(pc));
	pc.hostname = "proxy.test";
	pc.next_host = "127.0.0.1";
	pc.next_port = port;
	pc.max_size = PX_SIZE;
	pc.timeout = 5000;
	pc.timeout_data = 5000;
	pc.transform = transform;
	px = proxy_new(base, &pc, &errstr);
	ok(px != NULL, "proxy_new (%s)", errstr ? errstr : "ok");
	px_fd = listen_any(&px_sin);
	is_int(proxy_listen(px, px_fd), 0, "proxy_listen");

	/* 1: transformed, two recipients, one refused at the next hop */
	xmode = X_RELAY;
	run_client(&px_sin, &c, "good@example.net", "refused@example.net", 0);
	is_int(c.lastevt, SMTPC_CLOSED, "relay: session ends with QUIT");
	is_str(replystr(&c.banner), "220 proxy.test ESMTP",
	    "relay: the proxy's banner");
	ok(c.ready, "relay: EHLO done");
	is_int(c.caps.size, NH_SIZE, "EHLO: SIZE is the smaller (next hop's)");
	ok(c.caps.flags & SMTPC_CAP_SIZE, "EHLO: SIZE offered");
	is_int(c.caps.flags & (SMTPC_CAP_CHUNKING | SMTPC_CAP_BINARYMIME), 0,
	    "EHLO: no CHUNKING, no BINARYMIME");
	is_str(replystr(&c.msg.mail), "250 2.1.0 NEXTHOP sender ok",
	    "relay: MAIL reply is the next hop's");
	is_str(replystr(&c.msg.rcpts[0].rcpt), "250 2.1.5 NEXTHOP rcpt ok",
	    "relay: RCPT 1 reply is the next hop's");
	is_str(replystr(&c.msg.rcpts[1].rcpt),
	    "550 5.1.1 NEXTHOP no such user",
	    "relay: RCPT 2 refused with the next hop's 550");
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "relay: end of data answered with the next hop's reply");
	is_int(c.msg.naccepted, 1, "relay: one recipient accepted");
	is_int(ncalls, 1, "relay: transform called once");
	is_str(x_from, "sender@example.org", "transform: from");
	is_int(x_nrcpts, 1, "transform: accepted recipients only");
	is_int(x_size, strlen(msg_text), "transform: size");
	is_str(bufstr(x_orig), msg_text,
	    "transform: the client's message, unstuffed");
	is_str(nh_from, "sender@example.org", "next hop: MAIL FROM");
	is_str(nh_rcpts, "good@example.net", "next hop: recipients");
	is_int(nh_ndata, 1, "next hop: one DATA");
	is_str(bufstr(nh_body), want,
	    "next hop: header prepended, dot lines intact");
	is_int(evbuffer_get_length(nh_body), strlen(want),
	    "next hop: body length");
	smtpc_msg_clear(&c.msg);

	/* 2: transform fails: the original goes on */
	xmode = X_UNCHANGED;
	run_client(&px_sin, &c, "good@example.net", NULL, 0);
	is_int(c.lastevt, SMTPC_CLOSED, "unchanged: session ends with QUIT");
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "unchanged: next hop's reply");
	is_int(ncalls, 1, "unchanged: transform called");
	is_int(nh_ndata, 1, "unchanged: next hop got DATA");
	is_str(bufstr(nh_body), msg_text,
	    "unchanged: next hop got the original bytes");
	is_int(evbuffer_get_length(nh_body), strlen(msg_text),
	    "unchanged: body length");
	smtpc_msg_clear(&c.msg);

	/* 3: transform rejects: the client gets its reply, no DATA on */
	xmode = X_REJECT;
	run_client(&px_sin, &c, "good@example.net", NULL, 0);
	is_int(c.lastevt, SMTPC_CLOSED, "reject: session ends with QUIT");
	is_str(replystr(&c.msg.rcpts[0].rcpt), "250 2.1.5 NEXTHOP rcpt ok",
	    "reject: RCPT relayed");
	is_str(replystr(&c.msg.data), "554 5.7.1 FILTER says no",
	    "reject: the filter's reply");
	is_int(c.msg.naccepted, 0, "reject: nothing accepted");
	is_int(ncalls, 1, "reject: transform called");
	is_str(nh_rcpts, "good@example.net", "reject: next hop saw RCPT");
	is_int(nh_ndata, 0, "reject: next hop got no DATA");
	is_int(evbuffer_get_length(nh_body), 0, "reject: next hop no body");
	smtpc_msg_clear(&c.msg);

	/* 3b: a rejected message, then a relayed one in the same session */
	xmode = X_REJECT;
	run_client(&px_sin, &c, "good@example.net", NULL, 1);
	is_int(c.lastevt, SMTPC_CLOSED, "reject+relay: ends with QUIT");
	is_int(c.done, 2, "reject+relay: two messages done");
	is_str(replystr(&c.first), "554 5.7.1 FILTER says no",
	    "reject+relay: first refused by the filter");
	is_str(replystr(&c.msg.mail), "250 2.1.0 NEXTHOP sender ok",
	    "reject+relay: second MAIL answered by the next hop");
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "reject+relay: second relayed");
	is_int(ncalls, 2, "reject+relay: transform called twice");
	is_int(nh_ndata, 1, "reject+relay: next hop got one DATA");
	is_str(nh_rcpts, "good@example.net,good@example.net",
	    "reject+relay: next hop saw both RCPTs");
	is_str(bufstr(nh_body), want, "reject+relay: the second message");
	smtpc_msg_clear(&c.msg);

	/* 4: asynchronous transform */
	xmode = X_ASYNC;
	run_client(&px_sin, &c, "good@example.net", NULL, 0);
	is_int(c.lastevt, SMTPC_CLOSED, "async: session ends with QUIT");
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "async: next hop's reply");
	is_int(c.msg.naccepted, 1, "async: accepted");
	is_int(ncalls, 1, "async: transform called");
	is_int(nh_ndata, 1, "async: next hop got DATA");
	is_str(bufstr(nh_body), want, "async: header prepended");
	smtpc_msg_clear(&c.msg);

	/* 5: the next hop answers 451 at the end of data */
	xmode = X_RELAY;
	nh_eom = "451 4.3.0 NEXTHOP try later";
	run_client(&px_sin, &c, "good@example.net", NULL, 0);
	is_int(c.lastevt, SMTPC_CLOSED, "451: session ends with QUIT");
	is_str(replystr(&c.msg.data), "451 4.3.0 NEXTHOP try later",
	    "451: the client gets the next hop's 451");
	is_int(c.msg.naccepted, 0, "451: nothing accepted");
	is_int(smtpc_reply_temp(&c.msg.rcpts[0].result), 1,
	    "451: the recipient's result is temporary");
	is_int(nh_ndata, 1, "451: next hop got DATA");
	is_str(bufstr(nh_body), want, "451: next hop saw the message");
	nh_eom = "250 2.0.0 queued as NEXTHOP1";
	smtpc_msg_clear(&c.msg);

	/* 6: again after all that: the proxy still relays */
	run_client(&px_sin, &c, "good@example.net", NULL, 0);
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "again: relayed");
	is_str(bufstr(nh_body), want, "again: body");
	smtpc_msg_clear(&c.msg);

	/* 7: the next hop is down: 421 at the greeting */
	dead_fd = listen_any(&dead_sin);
	close(dead_fd);
	(void)snprintf(deadport, sizeof(deadport), "%u",
	    ntohs(dead_sin.sin_port));
	pc.next_port = deadport;
	pxdown = proxy_new(base, &pc, &errstr);
	ok(pxdown != NULL, "proxy_new, next hop down");
	down_fd = listen_any(&down_sin);
	is_int(proxy_listen(pxdown, down_fd), 0, "proxy_listen, next hop down");
	run_client(&down_sin, &c, "good@example.net", NULL, 0);
	is_int(c.lastevt, SMTPC_ERROR, "down: the client fails");
	ok(!c.ready, "down: never ready");
	is_int(c.banner.code, 421, "down: 421 greeting");
	is_int(c.banner.local, 0, "down: the greeting came from the proxy");
	is_str(replystr(&c.banner),
	    "421 4.4.1 proxy.test Service not available: next hop "
	    "unavailable", "down: greeting text");
	is_int(c.status.code, 421, "down: status 421");
	is_int(c.msg.mail.code, 0, "down: no MAIL sent");
	is_int(ncalls, 0, "down: no transform");
	is_int(nh_ndata, 0, "down: nothing relayed");
	is_str(nh_from, "", "down: next hop saw no MAIL");
	smtpc_msg_clear(&c.msg);

	/*
	 * 8: the next hop on a unix socket, the client handed over with
	 * proxy_accept, our SIZE the smaller, the message spooled to a file
	 */
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/nh.sock", dir);
	if ((ufd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(ufd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(ufd, 16) == -1 ||
	    (nh2 = smtp_server_new(base, &nc)) == NULL ||
	    smtp_server_listen(nh2, ufd) == -1) {
		printf("Bail out! unix socket\n");
		return 1;
	}
	memset(&pc, 0, sizeof(pc));
	pc.hostname = "proxy3.test";
	pc.next_path = sun.sun_path;
	pc.max_size = PX3_SIZE;
	pc.mem_max = 40;
	pc.spool_dir = dir;
	pc.timeout = 5000;
	pc.timeout_data = 5000;
	pc.transform = transform;
	px3 = proxy_new(base, &pc, &errstr);
	ok(px3 != NULL, "proxy_new, unix next hop");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		printf("Bail out! socketpair\n");
		return 1;
	}
	proxy_accept(px3, sv[1]);
	xmode = X_RELAY;
	run_client_fd(sv[0], &c, "good@example.net");
	is_int(c.lastevt, SMTPC_CLOSED, "unix: session ends with QUIT");
	is_str(replystr(&c.banner), "220 proxy3.test ESMTP",
	    "unix: the proxy's banner");
	is_int(c.caps.size, PX3_SIZE, "unix: SIZE is the smaller (ours)");
	is_int(c.caps.flags & SMTPC_CAP_CHUNKING, 0, "unix: no CHUNKING");
	is_str(replystr(&c.msg.data), "250 2.0.0 queued as NEXTHOP1",
	    "unix: next hop's reply");
	is_str(bufstr(x_orig), msg_text,
	    "unix: transform read the spooled message");
	is_str(bufstr(nh_body), want, "unix: next hop got it transformed");
	smtpc_msg_clear(&c.msg);

	/* the last QUITs to the next hop, then tear down */
	{
		struct timeval	 tv = { 0, 200000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	proxy_free(px3);
	proxy_free(pxdown);
	proxy_free(px);
	smtp_server_free(nh2);
	smtp_server_free(nh);
	close(down_fd);
	close(px_fd);
	close(nh_fd);
	close(ufd);
	(void)unlink(sun.sun_path);
	if (rmdir(dir) == -1)
		diag("rmdir %s: the spool file was left behind?", dir);
	evbuffer_free(nh_body);
	evbuffer_free(x_orig);
	event_base_free(base);
	return done_testing();
}
