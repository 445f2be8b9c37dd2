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
 * smtp-load: a load generator for the benchmarks (bench/), cheap enough
 * that the server, not the client, is what is measured.
 *
 *	smtp-load [-s] [-c clients] [-n messages] [-r per-connection]
 *	    [-h host] [-p port] [-f from] [-t rcpt] file ...
 *
 * The files (messages, LF or CRLF) are read and encoded once (CRLF,
 * dot-stuffed); then -c processes send -n messages (default: each file
 * once) taking the files in turn, one SMTP connection a message, or -r
 * messages a connection (RSET-less: MAIL follows the last end of data).
 * MAIL, RCPT and DATA go in one write when the server offers PIPELINING.
 * -s speaks the spamd protocol instead (PROCESS SPAMC/1.5, one
 * connection a message, the answer read to its end).  Every socket has
 * TCP_NODELAY.  Prints on stdout
 *	sent N messages in S s: R msg/s (C clients, E errors)
 * and exits 1 if any message was not accepted (the first refusal is
 * printed on stderr).
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"

#define LOAD_LINE	4096

struct load_msg {
	char	*data;		/* CRLF, dot-stuffed, ".\r\n" ended */
	size_t	 len;
	char	*raw;		/* as read (for -s) */
	size_t	 rawlen;
};

struct load_shared {
	uint64_t	 next;		/* the next message to send */
	uint64_t	 sent;
	uint64_t	 errors;
	int		 reported;
};

struct load_conn {
	int	 fd;
	char	 buf[LOAD_LINE];
	size_t	 len;
	int	 pipelining;
};

static struct load_msg		*msgs;
static size_t			 nmsgs;
static struct load_shared	*sh;
static struct addrinfo		*target;
static const char		*from = "load@example.net";
static const char		*rcpt = "bob@example.org";

static void	load_read(const char *, struct load_msg *);
static int	load_connect(struct load_conn *);
static int	load_reply(struct load_conn *, char *, size_t);
static int	load_expect(struct load_conn *, int, const char *);
static int	load_write(int, const void *, size_t);
static int	load_smtp(struct load_conn *, uint64_t, uint64_t, int);
static int	load_spamc(uint64_t);
static void	load_client(uint64_t, int, int);
static void	load_error(const char *, const char *);
static __dead void usage(void);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: smtp-load [-s] [-c clients] [-n messages] "
	    "[-r per-connection] [-h host] [-p port] [-f from] [-t rcpt] "
	    "file ...\n");
	exit(2);
}

/* Read a message; encode it for DATA. */
static void
load_read(const char *path, struct load_msg *m)
{
	struct stat	 st;
	char		*in, *out;
	size_t		 i, o, n;
	int		 fd, bol = 1;
	ssize_t		 r;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		err(2, "%s", path);
	n = st.st_size;
	if ((in = malloc(n + 1)) == NULL)
		err(2, NULL);
	for (i = 0; i < n; i += r)
		if ((r = read(fd, in + i, n - i)) <= 0)
			err(2, "%s", path);
	close(fd);
	/* at worst every octet a bare LF (2) or a line's leading dot */
	if ((out = malloc(2 * n + 8)) == NULL)
		err(2, NULL);
	for (i = o = 0; i < n; i++) {
		if (bol && in[i] == '.')
			out[o++] = '.';
		bol = 0;
		if (in[i] == '\n') {
			if (i == 0 || in[i - 1] != '\r')
				out[o++] = '\r';
			bol = 1;
		}
		out[o++] = in[i];
	}
	if (!bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	memcpy(out + o, ".\r\n", 3);
	m->data = out;
	m->len = o + 3;
	m->raw = in;
	m->rawlen = n;
}

static void
load_error(const char *what, const char *line)
{
	__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&sh->reported, 1, __ATOMIC_RELAXED) == 0)
		fprintf(stderr, "smtp-load: %s: %s\n", what, line);
}

static int
load_write(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 r;

	while (n > 0) {
		if ((r = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += r;
		n -= r;
	}
	return 0;
}

static int
load_connect(struct load_conn *c)
{
	int	 one = 1;

	c->len = 0;
	c->pipelining = 0;
	if ((c->fd = socket(target->ai_family, SOCK_STREAM, 0)) == -1)
		return -1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, target->ai_addr, target->ai_addrlen) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/*
 * One reply (all its lines); its code, the last line in line.  With
 * PIPELINING in an EHLO reply, c->pipelining is set.  -1: EOF, error.
 */
static int
load_reply(struct load_conn *c, char *line, size_t linelen)
{
	char	*nl;
	size_t	 n;
	ssize_t	 r;
	int	 code;

	for (;;) {
		while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
			if (c->len == sizeof(c->buf))
				return -1;
			r = read(c->fd, c->buf + c->len,
			    sizeof(c->buf) - c->len);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			c->len += r;
		}
		n = nl - c->buf + 1;
		if (n < 4)
			return -1;
		code = (c->buf[0] - '0') * 100 + (c->buf[1] - '0') * 10 +
		    (c->buf[2] - '0');
		if (n - 4 >= 10 && strncasecmp(c->buf + 4, "PIPELINING",
		    10) == 0)
			c->pipelining = 1;
		(void)snprintf(line, linelen, "%.*s", (int)(n > 2 ? n - 2 :
		    n), c->buf);
		memmove(c->buf, c->buf + n, c->len - n);
		c->len -= n;
		if (line[3] != '-')
			return code;
	}
}

static int
load_expect(struct load_conn *c, int want, const char *what)
{
	char	 line[LOAD_LINE];
	int	 code;

	if ((code = load_reply(c, line, sizeof(line))) == -1) {
		load_error(what, "connection lost");
		return -1;
	}
	if (code / 100 != want) {
		load_error(what, line);
		return -1;
	}
	return 0;
}

/*
 * Message i, then up to per - 1 more (their indexes taken from the
 * shared counter as it goes) on one connection; 0, or -1 (an error,
 * counted: the connection is dropped).
 */
static int
load_smtp(struct load_conn *c, uint64_t i, uint64_t total, int per)
{
	char		 cmd[1024];
	struct load_msg	*m;
	int		 n, k;

	if (load_connect(c) == -1) {
		load_error("connect", strerror(errno));
		return -1;
	}
	if (load_expect(c, 2, "greeting") == -1)
		goto fail;
	if (load_write(c->fd, "EHLO load.example\r\n", 19) == -1 ||
	    load_expect(c, 2, "EHLO") == -1)
		goto fail;
	for (k = 0; k < per && i < total; k++) {
		m = &msgs[i % nmsgs];
		n = snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>\r\n"
		    "RCPT TO:<%s>\r\nDATA\r\n", from, rcpt);
		if (n < 0 || (size_t)n >= sizeof(cmd))
			errx(2, "addresses too long");
		if (c->pipelining) {
			if (load_write(c->fd, cmd, n) == -1 ||
			    load_expect(c, 2, "MAIL") == -1 ||
			    load_expect(c, 2, "RCPT") == -1 ||
			    load_expect(c, 3, "DATA") == -1)
				goto fail;
		} else {
			n = snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>\r\n",
			    from);
			if (load_write(c->fd, cmd, n) == -1 ||
			    load_expect(c, 2, "MAIL") == -1)
				goto fail;
			n = snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n",
			    rcpt);
			if (load_write(c->fd, cmd, n) == -1 ||
			    load_expect(c, 2, "RCPT") == -1 ||
			    load_write(c->fd, "DATA\r\n", 6) == -1 ||
			    load_expect(c, 3, "DATA") == -1)
				goto fail;
		}
		if (load_write(c->fd, m->data, m->len) == -1 ||
		    load_expect(c, 2, "end of data") == -1)
			goto fail;
		__atomic_fetch_add(&sh->sent, 1, __ATOMIC_RELAXED);
		if (k + 1 < per)
			i = __atomic_fetch_add(&sh->next, 1,
			    __ATOMIC_RELAXED);
	}
	if (load_write(c->fd, "QUIT\r\n", 6) == 0)
		(void)load_expect(c, 2, "QUIT");
	close(c->fd);
	return 0;
 fail:
	close(c->fd);
	return -1;
}

/* One message over the spamd protocol. */
static int
load_spamc(uint64_t i)
{
	struct load_conn	 c;
	struct load_msg		*m = &msgs[i % nmsgs];
	char			 hdr[128], line[LOAD_LINE];
	ssize_t			 r;
	int			 n;

	if (load_connect(&c) == -1) {
		load_error("connect", strerror(errno));
		return -1;
	}
	n = snprintf(hdr, sizeof(hdr), "PROCESS SPAMC/1.5\r\n"
	    "Content-length: %zu\r\n\r\n", m->rawlen);
	if (load_write(c.fd, hdr, n) == -1 ||
	    load_write(c.fd, m->raw, m->rawlen) == -1) {
		load_error("spamd request", strerror(errno));
		close(c.fd);
		return -1;
	}
	(void)shutdown(c.fd, SHUT_WR);
	while ((r = read(c.fd, c.buf + c.len, sizeof(c.buf) - c.len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;
		if (c.len < 64)
			c.len += r;
	}
	close(c.fd);
	if (r == -1 || c.len < 16 || strncmp(c.buf, "SPAMD/1.", 8) != 0 ||
	    strncmp(c.buf + 9, " 0 ", 3) != 0) {
		(void)snprintf(line, sizeof(line), "%.*s", (int)(c.len < 64 ?
		    c.len : 64), c.buf);
		load_error("spamd answer", line);
		return -1;
	}
	__atomic_fetch_add(&sh->sent, 1, __ATOMIC_RELAXED);
	return 0;
}

static void
load_client(uint64_t total, int per, int spamc)
{
	struct load_conn	 c;
	uint64_t		 i;

	for (;;) {
		i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);
		if (i >= total)
			break;
		if (spamc)
			(void)load_spamc(i);
		else
			(void)load_smtp(&c, i, total, per);
	}
}

int
main(int argc, char *argv[])
{
	struct addrinfo		 hints;
	struct timespec		 t0, t1;
	const char		*host = "127.0.0.1", *port = "25", *errstr;
	uint64_t		 total = 0;
	double			 secs;
	pid_t			 pid;
	int			 ch, clients = 1, per = 1, spamc = 0, i, e;
	int			 status, failed = 0;

	while ((ch = getopt(argc, argv, "c:f:h:n:p:r:st:")) != -1) {
		switch (ch) {
		case 'c':
			clients = strtonum(optarg, 1, 1024, &errstr);
			if (errstr != NULL)
				errx(2, "-c %s: %s", optarg, errstr);
			break;
		case 'f':
			from = optarg;
			break;
		case 'h':
			host = optarg;
			break;
		case 'n':
			total = strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL)
				errx(2, "-n %s: %s", optarg, errstr);
			break;
		case 'p':
			port = optarg;
			break;
		case 'r':
			per = strtonum(optarg, 1, 1000000, &errstr);
			if (errstr != NULL)
				errx(2, "-r %s: %s", optarg, errstr);
			break;
		case 's':
			spamc = 1;
			break;
		case 't':
			rcpt = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	nmsgs = argc;
	if ((msgs = calloc(nmsgs, sizeof(*msgs))) == NULL)
		err(2, NULL);
	for (i = 0; i < argc; i++)
		load_read(argv[i], &msgs[i]);
	if (total == 0)
		total = nmsgs;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &target)) != 0)
		errx(2, "%s:%s: %s", host, port, gai_strerror(e));
	if ((sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		err(2, "mmap");
	memset(sh, 0, sizeof(*sh));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < clients; i++) {
		if ((pid = fork()) == -1)
			err(2, "fork");
		if (pid == 0) {
			load_client(total, per, spamc);
			_exit(0);
		}
	}
	for (i = 0; i < clients; i++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %llu messages in %.3f s: %.1f msg/s (%d clients, "
	    "%llu errors)\n", (unsigned long long)sh->sent, secs,
	    secs > 0 ? sh->sent / secs : 0.0, clients,
	    (unsigned long long)sh->errors);
	return (failed || sh->errors > 0 || sh->sent < total) ? 1 : 0;
}
