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
 * smtpc-test: send messages with common/smtpc.
 *
 *	smtpc-test [-s host] [-p port] [-S unixpath] [-f from] [-m file]
 *	    [--lmtp] [--starttls verify|try|no] [--cafile f]
 *	    [--servername n] [--auth user:pass] [--count N] [--buffer]
 *	    [--helo name] [--timeout msec] [--caps] rcpt ...
 *
 * Prints one line per recipient and message:
 *	msg=N rcpt=<addr> CODE STATUS TEXT
 * then, on a session failure, "error: CODE STATUS TEXT".  Exit 0 when
 * every recipient of every message was accepted, 1 when some was not,
 * 2 on a session failure, 3 on a usage error.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "log.h"
#include "smtpc.h"

struct run {
	struct event_base	*base;
	struct smtpc_msg	 msg;
	int			 count;
	int			 sent;
	int			 rejected;
	int			 failed;
	int			 show_caps;
};

static void	 usage(void) __attribute__((__noreturn__));
static void	 cb(struct smtpc *, int, void *);
static void	 print_results(struct run *);

static void
usage(void)
{
	fprintf(stderr, "usage: smtpc-test [-s host] [-p port] [-S path] "
	    "[-f from] [-m file] [--lmtp]\n"
	    "    [--starttls verify|try|no] [--cafile file] "
	    "[--servername name]\n"
	    "    [--auth user:pass] [--count N] [--buffer] [--helo name]\n"
	    "    [--timeout msec] [--caps] rcpt ...\n");
	exit(3);
}

static void
print_results(struct run *r)
{
	char	 buf[SMTPC_TEXT_MAX + 32];
	size_t	 i;

	for (i = 0; i < r->msg.nrcpts; i++) {
		printf("msg=%d rcpt=<%s> %s\n", r->sent + 1,
		    r->msg.rcpts[i].addr,
		    smtpc_reply_str(&r->msg.rcpts[i].result, buf,
		    sizeof(buf)));
		if (r->msg.rcpts[i].result.code / 100 != 2)
			r->rejected++;
	}
	fflush(stdout);
}

static void
cb(struct smtpc *s, int evt, void *arg)
{
	struct run		*r = arg;
	const struct smtpc_caps	*c;
	char			 buf[SMTPC_TEXT_MAX + 32];

	switch (evt) {
	case SMTPC_READY:
		if (r->show_caps) {
			c = smtpc_caps(s);
			printf("caps=0x%x auth=0x%x size=%zu tls=%d\n",
			    c->flags, c->auth, c->size, smtpc_tls_active(s));
		}
		if (smtpc_send(s, &r->msg) == -1) {
			printf("error: smtpc_send refused\n");
			r->failed = 1;
			smtpc_free(s);
			event_base_loopbreak(r->base);
		}
		break;
	case SMTPC_DONE:
		print_results(r);
		if (++r->sent < r->count) {
			if (smtpc_send(s, &r->msg) == -1) {
				printf("error: smtpc_send refused\n");
				r->failed = 1;
				smtpc_free(s);
				event_base_loopbreak(r->base);
			}
		} else
			smtpc_quit(s);
		break;
	case SMTPC_ERROR:
		if (r->msg.rcpts[0].result.code != 0)
			print_results(r);
		printf("error: %s\n", smtpc_reply_str(smtpc_status(s), buf,
		    sizeof(buf)));
		r->failed = 1;
		smtpc_free(s);
		event_base_loopbreak(r->base);
		break;
	case SMTPC_CLOSED:
		smtpc_free(s);
		event_base_loopbreak(r->base);
		break;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "lmtp",	no_argument,		NULL, 'L' },
		{ "starttls",	required_argument,	NULL, 'T' },
		{ "cafile",	required_argument,	NULL, 'C' },
		{ "servername",	required_argument,	NULL, 'N' },
		{ "auth",	required_argument,	NULL, 'A' },
		{ "count",	required_argument,	NULL, 'n' },
		{ "buffer",	no_argument,		NULL, 'B' },
		{ "helo",	required_argument,	NULL, 'H' },
		{ "timeout",	required_argument,	NULL, 'o' },
		{ "caps",	no_argument,		NULL, 'c' },
		{ "8bit",	no_argument,		NULL, '8' },
		{ NULL,		0,			NULL, 0 }
	};
	struct smtpc_params	 p;
	struct run		 r;
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_un	 sun;
	struct sockaddr		*sa;
	socklen_t		 salen;
	struct smtpc		*s;
	SSL_CTX			*ctx = NULL;
	const char		*host = "127.0.0.1", *port = "25";
	const char		*upath = NULL, *from = "", *file = NULL;
	const char		*cafile = NULL, *errstr;
	char			*auth = NULL, *colon;
	int			 ch, fd, usebuf = 0, e, i;

	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	r.count = 1;
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	while ((ch = getopt_long(argc, argv, "s:p:S:f:m:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'S':
			upath = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'm':
			file = optarg;
			break;
		case 'v':
			log_setverbose(2);
			break;
		case 'L':
			p.lmtp = 1;
			break;
		case 'T':
			if (strcmp(optarg, "verify") == 0)
				p.tls = SMTPC_TLS_VERIFY;
			else if (strcmp(optarg, "try") == 0)
				p.tls = SMTPC_TLS_TRY;
			else if (strcmp(optarg, "no") == 0)
				p.tls = SMTPC_TLS_NO;
			else
				usage();
			break;
		case 'C':
			cafile = optarg;
			break;
		case 'N':
			p.servername = optarg;
			break;
		case 'A':
			if ((auth = strdup(optarg)) == NULL)
				err(3, "strdup");
			if ((colon = strchr(auth, ':')) == NULL)
				usage();
			*colon = '\0';
			p.auth_user = auth;
			p.auth_pass = colon + 1;
			break;
		case 'n':
			r.count = strtonum(optarg, 1, 1000000, &errstr);
			if (errstr != NULL)
				errx(3, "--count %s: %s", optarg, errstr);
			break;
		case 'B':
			usebuf = 1;
			break;
		case 'H':
			p.helo = optarg;
			break;
		case 'o':
			p.timeout_connect = p.timeout_greeting =
			    p.timeout_cmd = p.timeout_data =
			    strtonum(optarg, 1, 3600 * 1000, &errstr);
			if (errstr != NULL)
				errx(3, "--timeout %s: %s", optarg, errstr);
			break;
		case 'c':
			r.show_caps = 1;
			break;
		case '8':
			r.msg.body8bit = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	i = r.msg.body8bit;
	smtpc_msg_init(&r.msg, from);
	r.msg.body8bit = i;
	for (i = 0; i < argc; i++)
		smtpc_msg_add_rcpt(&r.msg, argv[i]);
	if (file != NULL) {
		if ((fd = open(file, O_RDONLY)) == -1)
			err(3, "%s", file);
	} else
		fd = STDIN_FILENO;
	if (usebuf || file == NULL) {
		if ((r.msg.body = evbuffer_new()) == NULL)
			errx(3, "evbuffer_new");
		while ((e = evbuffer_read(r.msg.body, fd, 65536)) > 0)
			;
		if (e == -1)
			err(3, "read");
	} else
		r.msg.fd = fd;

	if (p.tls != SMTPC_TLS_NO) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			errx(3, "SSL_CTX_new");
		if (cafile != NULL &&
		    SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
			errx(3, "cannot load %s", cafile);
		if (cafile == NULL)
			SSL_CTX_set_default_verify_paths(ctx);
		p.ssl_ctx = ctx;
		if (p.servername == NULL)
			p.servername = host;
	}

	if (upath != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlcpy(sun.sun_path, upath, sizeof(sun.sun_path)) >=
		    sizeof(sun.sun_path))
			errx(3, "%s: path too long", upath);
		sa = (struct sockaddr *)&sun;
		salen = sizeof(sun);
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
			errx(3, "%s:%s: %s", host, port, gai_strerror(e));
		sa = res->ai_addr;
		salen = res->ai_addrlen;
	}

	if ((r.base = event_base_new()) == NULL)
		errx(3, "event_base_new");
	s = smtpc_connect(r.base, sa, salen, &p, cb, &r);
	if (s == NULL)
		errx(2, "smtpc_connect failed");
	event_base_dispatch(r.base);

	if (res != NULL)
		freeaddrinfo(res);
	if (r.msg.body != NULL)
		evbuffer_free(r.msg.body);
	if (r.msg.fd != -1)
		close(r.msg.fd);
	smtpc_msg_clear(&r.msg);
	event_base_free(r.base);
	SSL_CTX_free(ctx);
	free(auth);
	if (r.failed)
		return 2;
	return r.rejected ? 1 : 0;
}
