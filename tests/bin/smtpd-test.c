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
 * smtpd-test: a test-only SMTP/LMTP server on the common/smtp engine.
 * It doubles as the sink for the benchmarks.
 *
 *	smtpd-test [-dDLPQSsTvX] [-A user:pass] [-a addr] [-b msec] [-C cert]
 *	    [-c reply] [-E nlines] [-e nerrors] [-F pattern] [-H reply]
 *	    [-K key] [-l textline] [-o dir] [-p port] [-R pattern]
 *	    [-r maxrcpt] [-t msec] [-w msec] [-x msec] [-z size]
 *
 *	-A u:p	offer AUTH PLAIN LOGIN, accept that user and password
 *	-a addr	listen address (127.0.0.1)
 *	-b ms	banner delay (early-talker check)
 *	-c text	answer connections with this reply (e.g. "554 go away")
 *	-C/-K	certificate and key: STARTTLS (smtps with -S)
 *	-D	offer DSN
 *	-d	foreground, log to stderr (-v: debug)
 *	-E n	end DATA after n message lines: "554 5.7.1 Enough", close
 *	-e n	errors before 421
 *	-F pat	LMTP: fail delivery (550 at end of data) for recipients
 *		matching the fnmatch(3) pattern
 *	-H text	answer HELO/EHLO with this reply, verbatim (\n: lines)
 *	-L	LMTP
 *	-l n	text line limit
 *	-o dir	write each accepted message to dir/msg.N, the envelope to
 *		dir/msg.N.env ("from=<...>" then one "rcpt=<...>" a line)
 *	-P	allow AUTH without TLS
 *	-p port	port (2525)
 *	-Q	at the error limit: no 421, just close
 *	-R pat	reject recipients matching the pattern at RCPT (550)
 *	-r n	recipients per message
 *	-S	smtps (TLS from the first byte)
 *	-s	sink: no hooks at all (fast path)
 *	-T	require STARTTLS
 *	-t ms	idle timeout
 *	-w ms	every hook answers after this delay (asynchronously)
 *	-x ms	tarpit: every output byte paced at this interval
 *	-X	tarpit: each reply waits one interval before its first byte
 *	-z n	maximum message size
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "log.h"
#include "smtp.h"
#include "tls.h"
#include "xmalloc.h"

struct sess {
	struct smtp_session	*s;
	struct event		*ev;		/* delayed reply */
	char			 reply[SMTP_PATH_MAX + 64];
	FILE			*fp;
	char			 tmp[1024];
	int			 failed;
	int			 nlines;	/* -E */
};

struct opts {
	const char	*dir;
	const char	*user;
	const char	*pass;
	const char	*reject;
	const char	*fail;
	const char	*connect;
	const char	*helo;
	int		 early;
	int		 delay;
	int		 pace;
	unsigned long	 seq;
	struct event_base *base;
};

static struct opts	 opt;		/* the one global: options */

static int	answer(struct sess *, const char *);
static void	delay_cb(evutil_socket_t, short, void *);
static int	h_connect(struct smtp_session *, void *);
static int	h_helo(struct smtp_session *, void *, const char *);
static int	h_auth(struct smtp_session *, void *, const char *,
		    const char *, const char *, const char *);
static int	h_mail(struct smtp_session *, void *, const struct smtp_addr *,
		    const struct smtp_mail_params *);
static int	h_rcpt(struct smtp_session *, void *, const struct smtp_addr *,
		    const struct smtp_rcpt_params *);
static int	h_data(struct smtp_session *, void *);
static int	h_body(struct smtp_session *, void *, const char *, size_t,
		    int);
static int	h_eom(struct smtp_session *, void *, const struct smtp_msg *);
static int	h_rset(struct smtp_session *, void *, enum smtp_rset_why);
static void	h_disconnect(struct smtp_session *, void *, const char *);
static void	drop_file(struct sess *);
static void	sig_cb(evutil_socket_t, short, void *);
static __dead void usage(void);

static void
delay_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sess	*x = arg;

	smtp_reply(x->s, "%s", x->reply);
}

/* Reply now, or after -w msec. */
static int
answer(struct sess *x, const char *text)
{
	struct timeval	 tv;

	if (opt.delay <= 0) {
		smtp_reply(x->s, "%s", text);
		return SMTP_DEFAULT;
	}
	(void)strlcpy(x->reply, text, sizeof(x->reply));
	tv.tv_sec = opt.delay / 1000;
	tv.tv_usec = (opt.delay % 1000) * 1000;
	evtimer_add(x->ev, &tv);
	return SMTP_DEFER;
}

static int
h_connect(struct smtp_session *s, void *arg)
{
	struct sess		*x;

	x = xcalloc(1, sizeof(*x));
	x->s = s;
	if ((x->ev = evtimer_new(opt.base, delay_cb, x)) == NULL)
		fatalx("evtimer_new");
	smtp_session_set_arg(s, x);
	if (opt.pace > 0)
		smtp_session_set_pace(s, opt.pace);
	if (opt.connect != NULL)
		return answer(x, opt.connect);
	return SMTP_DEFAULT;
}

static int
h_helo(struct smtp_session *s, void *arg, const char *name)
{
	return answer(arg, opt.helo != NULL ? opt.helo : "250 Ok");
}

static int
h_auth(struct smtp_session *s, void *arg, const char *mech,
    const char *authzid, const char *user, const char *pass)
{
	size_t	 lp = strlen(pass), lo = strlen(opt.pass);

	if (strcmp(user, opt.user) == 0 && lp == lo &&
	    CRYPTO_memcmp(pass, opt.pass, lp) == 0)
		return answer(arg, "235 2.7.0 Authentication successful");
	return answer(arg, "535 5.7.8 Authentication credentials invalid");
}

static int
h_mail(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_mail_params *p)
{
	return answer(arg, "250 2.1.0 Ok");
}

static int
h_rcpt(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *p)
{
	char	 buf[SMTP_PATH_MAX + 1], r[SMTP_PATH_MAX + 64];

	if (smtp_addr_format(a, buf, sizeof(buf)) == -1)
		return answer(arg, "501 5.1.3 Bad recipient address");
	if (opt.reject != NULL && fnmatch(opt.reject, buf, 0) == 0) {
		(void)snprintf(r, sizeof(r), "550 5.1.1 <%s>: Recipient "
		    "address rejected", buf);
		return answer(arg, r);
	}
	return answer(arg, "250 2.1.5 Ok");
}

static int
h_data(struct smtp_session *s, void *arg)
{
	struct sess	*x = arg;
	int		 fd;

	if (opt.dir != NULL) {
		(void)snprintf(x->tmp, sizeof(x->tmp), "%s/.tmp.XXXXXX",
		    opt.dir);
		if ((fd = mkstemp(x->tmp)) == -1 ||
		    (x->fp = fdopen(fd, "w")) == NULL) {
			log_warn("%s", x->tmp);
			if (fd != -1)
				close(fd);
			return answer(arg, "451 4.3.0 Cannot create file");
		}
	}
	x->failed = 0;
	x->nlines = 0;
	return answer(arg, "354 Go ahead");
}

static int
h_body(struct smtp_session *s, void *arg, const char *line, size_t len,
    int flags)
{
	struct sess	*x = arg;

	if (x->fp != NULL && fwrite(line, 1, len, x->fp) != len) {
		x->failed = 1;
		return -1;
	}
	if (opt.early > 0 && ++x->nlines == opt.early)
		smtp_data_reply(s, 1, "554 5.7.1 Enough");
	return 0;
}

static void
drop_file(struct sess *x)
{
	if (x->fp != NULL) {
		fclose(x->fp);
		x->fp = NULL;
		unlink(x->tmp);
	}
}

static int
h_eom(struct smtp_session *s, void *arg, const struct smtp_msg *m)
{
	struct sess		*x = arg;
	const struct smtp_rcpt	*r;
	char			 path[1024], buf[SMTP_PATH_MAX + 1];
	FILE			*env;
	size_t			 i;
	int			 lmtp;

	lmtp = smtp_server_config(smtp_session_server(s))->flags &
	    SMTP_F_LMTP;
	if (x->fp != NULL) {
		opt.seq++;
		if (fclose(x->fp) != 0)
			x->failed = 1;
		x->fp = NULL;
		(void)snprintf(path, sizeof(path), "%s/msg.%lu.env", opt.dir,
		    opt.seq);
		if ((env = fopen(path, "w")) == NULL)
			x->failed = 1;
		else {
			if (smtp_addr_format(smtp_session_mail_from(s), buf,
			    sizeof(buf)) == -1)
				buf[0] = '\0';
			fprintf(env, "from=<%s>\n", buf);
			for (i = 0; (r = smtp_session_rcpt(s, i)) != NULL;
			    i++) {
				if (smtp_addr_format(&r->addr, buf,
				    sizeof(buf)) == -1)
					buf[0] = '\0';
				fprintf(env, "rcpt=<%s>\n", buf);
			}
			if (fclose(env) != 0)
				x->failed = 1;
		}
		(void)snprintf(path, sizeof(path), "%s/msg.%lu", opt.dir,
		    opt.seq);
		if (!x->failed && rename(x->tmp, path) == -1)
			x->failed = 1;
		if (x->failed)
			unlink(x->tmp);
	}
	if (x->failed)
		return answer(arg, "451 4.3.0 Cannot store message");
	if (!lmtp)
		return answer(arg, "250 2.0.0 Ok: queued");
	/* LMTP: one reply per recipient, now */
	for (i = 0; (r = smtp_session_rcpt(s, i)) != NULL; i++) {
		if (smtp_addr_format(&r->addr, buf, sizeof(buf)) == -1)
			buf[0] = '\0';
		if (opt.fail != NULL && fnmatch(opt.fail, buf, 0) == 0)
			smtp_reply(s, "550 5.2.1 <%s>: Mailbox unavailable",
			    buf);
		else
			smtp_reply(s, "250 2.0.0 <%s> Ok: delivered", buf);
	}
	return SMTP_DEFAULT;
}

static int
h_rset(struct smtp_session *s, void *arg, enum smtp_rset_why why)
{
	drop_file(arg);
	if (why == SMTP_RSET_CMD)
		return answer(arg, "250 2.0.0 Ok");
	return SMTP_DEFAULT;
}

static void
h_disconnect(struct smtp_session *s, void *arg, const char *reason)
{
	struct sess	*x = arg;

	if (x == NULL)
		return;
	drop_file(x);
	event_free(x->ev);
	free(x);
}

/* SIGTERM/SIGINT: leave the loop, free everything (leak checks). */
static void
sig_cb(evutil_socket_t sig, short ev, void *arg)
{
	event_base_loopbreak(arg);
}

static __dead void
usage(void)
{
	fprintf(stderr, "usage: smtpd-test [-dDLPQSsTvX] [-A user:pass] "
	    "[-a addr] [-b msec] [-C cert]\n\t[-c reply] [-E nlines] "
	    "[-e nerrors] [-F pattern] [-H reply] [-K key]\n"
	    "\t[-l textline] [-o dir] [-p port] [-R pattern] [-r maxrcpt] "
	    "[-t msec]\n\t[-w msec] [-x msec] [-z size]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	static struct smtp_hooks	 hooks = {
		.connect = h_connect, .helo = h_helo, .mail = h_mail,
		.rcpt = h_rcpt, .data = h_data, .body = h_body,
		.eom = h_eom, .rset = h_rset, .disconnect = h_disconnect
	};
	static const struct smtp_hooks	 sink = { 0 };
	struct smtp_config		 conf;
	struct event_base		*base;
	struct smtp_server		*srv;
	struct event			*evterm, *evint;
	struct tls_ctx			*tls = NULL;
	struct sockaddr_in		 sin;
	const char			*addr = "127.0.0.1", *cert = NULL;
	const char			*key = NULL, *errstr;
	char				*p;
	int				 ch, debug = 0, verbose = 0;
	int				 port = 2525, fd, on = 1;
	int				 sinkmode = 0;

	memset(&conf, 0, sizeof(conf));
	conf.hostname = "mx.test";
	while ((ch = getopt(argc, argv,
	    "A:a:b:C:c:DdE:F:e:H:K:Ll:o:Pp:QR:r:SsTt:vw:Xx:z:")) != -1) {
		switch (ch) {
		case 'A':
			if ((p = strchr(optarg, ':')) == NULL)
				usage();
			*p = '\0';
			opt.user = optarg;
			opt.pass = p + 1;
			conf.flags |= SMTP_F_AUTH;
			hooks.auth = h_auth;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'b':
			conf.banner_delay = strtonum(optarg, 0, 600000,
			    &errstr);
			if (errstr)
				errx(1, "-b %s: %s", optarg, errstr);
			break;
		case 'C':
			cert = optarg;
			break;
		case 'c':
			opt.connect = optarg;
			break;
		case 'D':
			conf.flags |= SMTP_F_DSN;
			break;
		case 'd':
			debug = 1;
			break;
		case 'E':
			opt.early = strtonum(optarg, 1, 1000000, &errstr);
			if (errstr)
				errx(1, "-E %s: %s", optarg, errstr);
			break;
		case 'H':
			opt.helo = optarg;
			conf.flags |= SMTP_F_HELO_VERBATIM;
			break;
		case 'Q':
			conf.flags |= SMTP_F_ERRORS_QUIET;
			break;
		case 'X':
			conf.flags |= SMTP_F_PACE_DELAY;
			break;
		case 'e':
			conf.max_errors = strtonum(optarg, 1, 1000, &errstr);
			if (errstr)
				errx(1, "-e %s: %s", optarg, errstr);
			break;
		case 'F':
			opt.fail = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'L':
			conf.flags |= SMTP_F_LMTP;
			break;
		case 'l':
			conf.max_textline = strtonum(optarg, 3,
			    SMTP_TEXTLINE_HARDMAX, &errstr);
			if (errstr)
				errx(1, "-l %s: %s", optarg, errstr);
			break;
		case 'o':
			opt.dir = optarg;
			break;
		case 'P':
			conf.flags |= SMTP_F_AUTH_PLAINTEXT;
			break;
		case 'p':
			port = strtonum(optarg, 1, 65535, &errstr);
			if (errstr)
				errx(1, "-p %s: %s", optarg, errstr);
			break;
		case 'R':
			opt.reject = optarg;
			break;
		case 'r':
			conf.max_rcpt = strtonum(optarg, 1, 100000, &errstr);
			if (errstr)
				errx(1, "-r %s: %s", optarg, errstr);
			break;
		case 'S':
			conf.flags |= SMTP_F_SMTPS;
			break;
		case 's':
			sinkmode = 1;
			break;
		case 'T':
			conf.flags |= SMTP_F_TLS_REQUIRE;
			break;
		case 't':
			conf.timeout = strtonum(optarg, 1, 3600000, &errstr);
			if (errstr)
				errx(1, "-t %s: %s", optarg, errstr);
			break;
		case 'v':
			verbose++;
			break;
		case 'w':
			opt.delay = strtonum(optarg, 0, 600000, &errstr);
			if (errstr)
				errx(1, "-w %s: %s", optarg, errstr);
			break;
		case 'x':
			opt.pace = strtonum(optarg, 0, 60000, &errstr);
			if (errstr)
				errx(1, "-x %s: %s", optarg, errstr);
			break;
		case 'z':
			conf.max_size = strtonum(optarg, 0, LLONG_MAX, &errstr);
			if (errstr)
				errx(1, "-z %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	log_init(debug, LOG_MAIL);
	log_setverbose(verbose);
	signal(SIGPIPE, SIG_IGN);

	if (cert != NULL || key != NULL) {
		if (cert == NULL || key == NULL)
			errx(1, "-C and -K go together");
		if ((tls = tls_server_new()) == NULL)
			errx(1, "tls_server_new failed");
		if (tls_server_add_pki(tls, conf.hostname, cert, key) == -1)
			errx(1, "%s", tls_ctx_error(tls));
		conf.tls_ctx = tls_ctx_ssl_ctx(tls);
		if (!(conf.flags & SMTP_F_SMTPS))
			conf.flags |= SMTP_F_STARTTLS;
	} else if (conf.flags & (SMTP_F_SMTPS | SMTP_F_TLS_REQUIRE))
		errx(1, "-S and -T need -C and -K");

	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	conf.hooks = sinkmode ? &sink : &hooks;
	conf.arg = NULL;	/* the connect hook sets each session's */
	opt.base = base;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		errx(1, "bad address %s", addr);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		err(1, "setsockopt");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind %s:%d", addr, port);
	if (listen(fd, 128) == -1)
		err(1, "listen");
	if ((srv = smtp_server_new(base, &conf)) == NULL ||
	    smtp_server_listen(srv, fd) == -1)
		errx(1, "cannot start the server");
	evterm = evsignal_new(base, SIGTERM, sig_cb, base);
	evint = evsignal_new(base, SIGINT, sig_cb, base);
	if (evterm == NULL || evint == NULL || evsignal_add(evterm, NULL) ||
	    evsignal_add(evint, NULL))
		errx(1, "cannot set up signals");
	log_info("smtpd-test listening on %s:%d", addr, port);
	event_base_dispatch(base);
	log_info("smtpd-test exiting");
	smtp_server_free(srv);
	event_free(evterm);
	event_free(evint);
	tls_ctx_free(tls);
	event_base_free(base);
	close(fd);
	return 0;
}
