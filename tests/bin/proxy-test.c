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
 * proxy-test: an SMTP proxy on common/proxy whose transform prepends
 * "X-Proxy-Test: seen".
 *
 *	proxy-test [-dv] [-l [addr:]port] (-n host:port | -u path)
 *	    [--lmtp] [--next-lmtp] [--fail] [--reject "550 5.7.1 text"]
 *	    [--delay msec] [--timeout msec] [--size n] [--mem n]
 *	    [--spool dir] [--replace]
 *
 * --fail: the transform fails (the message is relayed unchanged);
 * --reject: the transform refuses the message with that reply;
 * --delay: the transform answers after msec (asynchronously);
 * --replace: the transform returns a new body (the original, with every
 * "a" made "b") instead of prepending only.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "proxy.h"
#include "smtp.h"

static int		 opt_fail;
static const char	*opt_reject;
static int		 opt_delay;
static int		 opt_replace;
static struct event_base *base;

static void		 usage(void) __attribute__((__noreturn__));

static void
usage(void)
{
	fprintf(stderr, "usage: proxy-test [-dv] [-l [addr:]port] "
	    "(-n host:port | -u path) [--lmtp]\n"
	    "    [--next-lmtp] [--fail] [--reject reply] [--delay msec]\n"
	    "    [--timeout msec] [--size n] [--mem n] [--spool dir] "
	    "[--replace]\n");
	exit(1);
}

static void
finish(struct proxy_msg *msg)
{
	char	 buf[65536];
	ssize_t	 n;
	size_t	 off = 0, i;

	if (opt_reject != NULL) {
		proxy_done(msg, PROXY_REJECT, opt_reject);
		return;
	}
	if (opt_fail) {
		evbuffer_add_printf(msg->head, "X-Proxy-Test: failed\r\n");
		proxy_done(msg, PROXY_UNCHANGED, NULL);
		return;
	}
	evbuffer_add_printf(msg->head, "X-Proxy-Test: seen\r\n");
	if (opt_replace) {
		if ((msg->body = evbuffer_new()) == NULL)
			errx(1, "evbuffer_new");
		while ((n = proxy_msg_read(msg, off, buf, sizeof(buf))) > 0) {
			for (i = 0; i < (size_t)n; i++)
				if (buf[i] == 'a')
					buf[i] = 'b';
			evbuffer_add(msg->body, buf, n);
			off += n;
		}
		if (n == -1) {
			proxy_done(msg, PROXY_UNCHANGED, NULL);
			return;
		}
	}
	proxy_done(msg, PROXY_RELAY, NULL);
}

static void
delayed(int fd, short ev, void *arg)
{
	struct proxy_msg	*msg = arg;

	event_free(msg->priv);
	msg->priv = NULL;
	finish(msg);
}

static void
transform(struct proxy_msg *msg, void *arg)
{
	struct timeval	 tv;

	log_info("proxy-test: message from=<%s> nrcpts=%zu size=%zu %s",
	    msg->from, msg->nrcpts, msg->size,
	    msg->fd != -1 ? "spooled" : "in memory");
	if (opt_delay == 0) {
		finish(msg);
		return;
	}
	tv.tv_sec = opt_delay / 1000;
	tv.tv_usec = (opt_delay % 1000) * 1000;
	msg->priv = evtimer_new(base, delayed, msg);
	evtimer_add(msg->priv, &tv);
}

static int
listen_on(const char *spec)
{
	struct addrinfo	 hints, *res;
	char		*s, *port, *host;
	int		 fd, e, one = 1;

	if ((s = strdup(spec)) == NULL)
		err(1, "strdup");
	if ((port = strrchr(s, ':')) != NULL) {
		*port++ = '\0';
		host = s;
	} else {
		port = s;
		host = "127.0.0.1";
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s: %s", spec, gai_strerror(e));
	if ((fd = socket(res->ai_family, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		err(1, "bind %s", spec);
	if (listen(fd, 128) == -1)
		err(1, "listen");
	freeaddrinfo(res);
	free(s);
	return fd;
}

static void
on_signal(int sig, short ev, void *arg)
{
	event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "lmtp",	no_argument,		NULL, 'L' },
		{ "next-lmtp",	no_argument,		NULL, 'N' },
		{ "fail",	no_argument,		NULL, 'F' },
		{ "reject",	required_argument,	NULL, 'R' },
		{ "delay",	required_argument,	NULL, 'D' },
		{ "timeout",	required_argument,	NULL, 'T' },
		{ "size",	required_argument,	NULL, 'S' },
		{ "mem",	required_argument,	NULL, 'M' },
		{ "spool",	required_argument,	NULL, 'P' },
		{ "replace",	no_argument,		NULL, 'X' },
		{ NULL,		0,			NULL, 0 }
	};
	struct proxy_config	 c;
	struct proxy		*p;
	struct event		*sigterm, *sigint;
	const char		*listen_spec = "10025", *errstr;
	char			*next = NULL, *colon;
	int			 ch, fd, verbose = 0;

	memset(&c, 0, sizeof(c));
	c.hostname = "proxy-test.localhost";
	while ((ch = getopt_long(argc, argv, "dvl:n:u:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			break;
		case 'v':
			verbose++;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'n':
			if ((next = strdup(optarg)) == NULL)
				err(1, "strdup");
			if ((colon = strrchr(next, ':')) == NULL)
				usage();
			*colon = '\0';
			c.next_host = next;
			c.next_port = colon + 1;
			break;
		case 'u':
			c.next_path = optarg;
			break;
		case 'L':
			c.flags |= SMTP_F_LMTP;
			break;
		case 'N':
			c.next_lmtp = 1;
			break;
		case 'F':
			opt_fail = 1;
			break;
		case 'R':
			opt_reject = optarg;
			break;
		case 'D':
			opt_delay = strtonum(optarg, 0, 3600000, &errstr);
			if (errstr != NULL)
				errx(1, "--delay %s: %s", optarg, errstr);
			break;
		case 'T':
			c.timeout = c.timeout_data = strtonum(optarg, 1,
			    3600000, &errstr);
			if (errstr != NULL)
				errx(1, "--timeout %s: %s", optarg, errstr);
			break;
		case 'S':
			c.max_size = strtonum(optarg, 0, LLONG_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "--size %s: %s", optarg, errstr);
			break;
		case 'M':
			c.mem_max = strtonum(optarg, 1, LLONG_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "--mem %s: %s", optarg, errstr);
			break;
		case 'P':
			c.spool_dir = optarg;
			break;
		case 'X':
			opt_replace = 1;
			break;
		default:
			usage();
		}
	}
	if (c.next_host == NULL && c.next_path == NULL)
		usage();
	log_init(1, LOG_MAIL);
	log_setverbose(verbose);
	signal(SIGPIPE, SIG_IGN);
	c.transform = transform;

	fd = listen_on(listen_spec);
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	if ((p = proxy_new(base, &c, &errstr)) == NULL)
		errx(1, "next hop: %s", errstr);
	if (proxy_listen(p, fd) == -1)
		errx(1, "proxy_listen");
	sigterm = evsignal_new(base, SIGTERM, on_signal, NULL);
	sigint = evsignal_new(base, SIGINT, on_signal, NULL);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	log_info("proxy-test: listening on %s", listen_spec);
	event_base_dispatch(base);

	proxy_free(p);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(base);
	close(fd);
	free(next);
	return 0;
}
