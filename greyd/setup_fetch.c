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
 * Getting a list: method file (read it), exec (run the command without
 * a shell, words split on blanks as spamd-setup does, and read its
 * standard output), http and https (spamd-setup runs ftp(1); we have
 * our own small HTTP/1.1 GET client on common/io and common/tls).
 *
 * The HTTP client: one request per connection ("Connection: close"),
 * the status line and headers (64 KB at most), then a body delimited
 * by Content-Length, chunked transfer coding or the close of the
 * connection; 301, 302, 303, 307 and 308 followed up to maxredirs
 * times (never from https to http); nothing read or written for
 * `timeout' msec is an error; a body larger than maxsize is an error.
 * https verifies the server's certificate chain and name against the
 * system store, or against cafile when one is given.
 *
 * When opts->user is set (greyd-setup running as root), http and https
 * run in a child process that drops to that user first, as
 * spamd-setup runs ftp(1) as _spamd: the network parser never runs as
 * root.  The child sends 'O' and the body, or 'E' and the error, on a
 * pipe.  exec commands keep the caller's privileges, as in spamd-setup.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "daemon.h"
#include "io.h"
#include "log.h"
#include "tls.h"
#include "xmalloc.h"
#include "setup.h"

#define HTTP_LINE_MAX	8192
#define HTTP_HEAD_MAX	(64 * 1024)

enum http_state {
	HTTP_STATUS,
	HTTP_HEADERS,
	HTTP_BODY_LEN,
	HTTP_BODY_CLOSE,
	HTTP_CHUNK_SIZE,
	HTTP_CHUNK_DATA,
	HTTP_CHUNK_END,
	HTTP_TRAILERS,
	HTTP_DONE
};

struct http_req {
	struct event_base	*base;
	struct io		*io;
	struct tls_ctx		*tls;
	const struct setup_fetch_opts *opts;
	const char		*host;
	const char		*hosthdr;
	const char		*path;
	int			 https;
	enum http_state		 state;
	int			 status;
	int			 chunked;
	long long		 clen;
	unsigned long long	 left;
	size_t			 headbytes;
	char			*location;
	char			*body;
	size_t			 len;
	size_t			 cap;
	int			 finished;	/* 1 done, -1 failed */
	int			 connected;
	char			 err[256];
};

static int	 file_read(const char *, size_t, char **, size_t *, char *,
		    size_t);
static void	 http_fail(struct http_req *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static void	 http_done(struct http_req *);
static void	 http_send(struct http_req *);
static int	 http_append(struct http_req *, const char *, size_t);
static int	 http_header(struct http_req *, char *);
static int	 http_status(struct http_req *, char *);
static void	 http_input(struct http_req *);
static void	 http_cb(struct io *, int, void *);
static int	 http_once(const char *, const struct setup_fetch_opts *,
		    struct http_req *, char **);
static char	*http_resolve(const char *, const char *);
static int	 exec_elapsed(const struct timespec *);
static int	 fetch_unpriv(const char *, const struct setup_fetch_opts *,
		    char **, size_t *, char *, size_t);
static void	 fetch_write(int, const void *, size_t);

static int
file_read(const char *path, size_t max, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				snprintf(err, errlen, "%s: larger than %zu "
				    "bytes", path, max);
				goto fail;
			}
			cap = cap ? MINIMUM(cap * 2, max + 1) : 65536;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	close(fd);
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
 fail:
	close(fd);
	free(buf);
	return -1;
}

int
setup_fetch(const struct setup_list *l, const struct setup_fetch_opts *o,
    char **out, size_t *len, char *err, size_t errlen)
{
	char	*url;
	int	 rv;

	*out = NULL;
	*len = 0;
	switch (l->method) {
	case SETUP_FILE:
		return file_read(l->file, o->maxsize, out, len, err, errlen);
	case SETUP_HTTP:
	case SETUP_HTTPS:
		xasprintf(&url, "%s://%s", l->method == SETUP_HTTP ? "http" :
		    "https", l->file);
		log_debug("Getting %s%s%s", url, o->user ? " as " : "",
		    o->user ? o->user : "");
		if (o->user != NULL)
			rv = fetch_unpriv(url, o, out, len, err, errlen);
		else
			rv = setup_http_get(url, o, out, len, err, errlen);
		free(url);
		return rv;
	case SETUP_EXEC:
		log_debug("Running %s", l->file);
		return setup_exec_read(l->file, o, out, len, err, errlen);
	}
	snprintf(err, errlen, "unknown method");
	return -1;
}

static void
fetch_write(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

static int
fetch_unpriv(const char *url, const struct setup_fetch_opts *o, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	char	*buf = NULL, *body;
	size_t	 len = 0, cap = 0, max = o->maxsize + 1024;
	size_t	 blen;
	ssize_t	 n;
	pid_t	 pid;
	int	 p[2], status;

	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	switch (pid = fork()) {
	case -1:
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	case 0:
		/* Only stdio and the pipe: no root-opened fd stays. */
		close(p[0]);
		if (p[1] != STDERR_FILENO + 1) {
			if (dup2(p[1], STDERR_FILENO + 1) == -1)
				_exit(1);
			p[1] = STDERR_FILENO + 1;
		}
		closefrom(STDERR_FILENO + 2);
		if (daemon_drop_privs(o->user, NULL) != 0) {
			snprintf(err, errlen, "cannot fetch as user %s "
			    "(see -u)", o->user);
			fetch_write(p[1], "E", 1);
			fetch_write(p[1], err, strlen(err));
			_exit(1);
		}
		if (setup_http_get(url, o, &body, &blen, err, errlen) == -1) {
			fetch_write(p[1], "E", 1);
			fetch_write(p[1], err, strlen(err));
			_exit(0);
		}
		fetch_write(p[1], "O", 1);
		fetch_write(p[1], body, blen);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		if (len == cap) {
			if (cap >= max)
				break;
			cap = cap ? MINIMUM(cap * 2, max) : 65536;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(p[0], buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(p[0]);
	if (len >= max)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (len == 0 || len >= max || (buf[0] != 'O' && buf[0] != 'E')) {
		snprintf(err, errlen, "the fetching process failed");
		free(buf);
		return -1;
	}
	if (buf[0] == 'E') {
		snprintf(err, errlen, "%.*s", (int)(len - 1), buf + 1);
		free(buf);
		return -1;
	}
	memmove(buf, buf + 1, len - 1);
	buf[len - 1] = '\0';
	*out = buf;
	*outlen = len - 1;
	return 0;
}

/* exec */

char **
setup_split_words(char *s, size_t *np)
{
	char	**argv;
	char	 *w;
	size_t	  n = 0;

	argv = xcalloc(strlen(s) / 2 + 2, sizeof(*argv));
	while ((w = strsep(&s, " \t")) != NULL)
		if (*w != '\0')
			argv[n++] = w;
	argv[n] = NULL;
	*np = n;
	return argv;
}

static int
exec_elapsed(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int
setup_exec_read(const char *cmd, const struct setup_fetch_opts *o,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	struct pollfd	 pfd;
	struct timespec	 t0;
	char		*copy, **argv, *buf = NULL;
	size_t		 argc, len = 0, cap = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 p[2], status, devnull, left, failed = 0;

	copy = xstrdup(cmd);
	argv = setup_split_words(copy, &argc);
	if (argc == 0) {
		snprintf(err, errlen, "exec: empty command");
		goto fail0;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail0;
	}
	fflush(NULL);
	switch (pid = fork()) {
	case -1:
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		goto fail0;
	case 0:
		if (dup2(p[1], STDOUT_FILENO) == -1)
			_exit(127);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1 &&
		    devnull != STDIN_FILENO) {
			(void)dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
		closefrom(STDERR_FILENO + 1);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "greyd-setup: exec %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (len == cap) {
			if (cap > o->maxsize) {
				snprintf(err, errlen, "exec %s: more than %zu "
				    "bytes of output", argv[0], o->maxsize);
				failed = 1;
				break;
			}
			cap = cap ? MINIMUM(cap * 2, o->maxsize + 1) : 65536;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		left = o->timeout - exec_elapsed(&t0);
		pfd.fd = p[0];
		pfd.events = POLLIN;
		if (left <= 0 || (n = poll(&pfd, 1, left)) == 0) {
			snprintf(err, errlen, "exec %s: no end after %d ms",
			    argv[0], o->timeout);
			failed = 1;
			break;
		}
		if (n == -1 && errno == EINTR)
			continue;
		n = read(p[0], buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "exec %s: read: %s", argv[0],
			    strerror(errno));
			failed = 1;
			break;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(p[0]);
	if (failed)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = 0;
			break;
		}
	if (!failed && WIFSIGNALED(status)) {
		snprintf(err, errlen, "exec %s: killed by signal %d", argv[0],
		    WTERMSIG(status));
		failed = 1;
	} else if (!failed && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "exec %s: exit status %d", argv[0],
		    WEXITSTATUS(status));
		failed = 1;
	}
	if (failed) {
		free(buf);
		goto fail0;
	}
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	free(argv);
	free(copy);
	return 0;
 fail0:
	free(argv);
	free(copy);
	return -1;
}

/* http and https */

int
setup_url_parse(const char *url, int *https, char **host, char **port,
    char **path)
{
	const char	*p, *a, *ae, *h, *he, *pt = NULL, *pe = NULL;
	const char	*errstr;

	*host = *port = *path = NULL;
	if (strncasecmp(url, "http://", 7) == 0) {
		*https = 0;
		p = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		*https = 1;
		p = url + 8;
	} else
		return -1;
	for (a = p; *a != '\0'; a++)
		if ((unsigned char)*a <= ' ' || *a == 0x7f)
			return -1;
	a = p;
	ae = a + strcspn(a, "/?#");
	if (memchr(a, '@', ae - a) != NULL)
		return -1;
	if (*a == '[') {
		h = a + 1;
		if ((he = memchr(h, ']', ae - h)) == NULL)
			return -1;
		p = he + 1;
	} else {
		h = a;
		he = memchr(a, ':', ae - a);
		if (he == NULL)
			he = ae;
		p = he;
	}
	if (he == h)
		return -1;
	if (p < ae) {
		if (*p != ':')
			return -1;
		pt = p + 1;
		pe = ae;
	}
	*host = xstrndup(h, he - h);
	if (pt != NULL && pe > pt) {
		*port = xstrndup(pt, pe - pt);
		(void)strtonum(*port, 1, 65535, &errstr);
		if (errstr != NULL)
			goto bad;
	} else
		*port = xstrdup(*https ? "443" : "80");
	if (*ae == '/')
		*path = xstrndup(ae, strcspn(ae, "#"));
	else if (*ae == '?')
		xasprintf(path, "/%.*s", (int)strcspn(ae, "#"), ae);
	else
		*path = xstrdup("/");
	return 0;
 bad:
	free(*host);
	free(*port);
	*host = *port = NULL;
	return -1;
}

static void
http_fail(struct http_req *r, const char *fmt, ...)
{
	va_list	ap;

	if (r->finished)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->finished = -1;
	event_base_loopbreak(r->base);
}

static void
http_done(struct http_req *r)
{
	if (r->finished)
		return;
	r->state = HTTP_DONE;
	r->finished = 1;
	event_base_loopbreak(r->base);
}

static void
http_send(struct http_req *r)
{
	io_printf(r->io, "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: greyd-setup\r\n"
	    "Accept: */*\r\n"
	    "Accept-Encoding: identity\r\n"
	    "Connection: close\r\n"
	    "\r\n", r->path, r->hosthdr);
}

static int
http_append(struct http_req *r, const char *p, size_t n)
{
	if (n > r->opts->maxsize || r->len > r->opts->maxsize - n) {
		http_fail(r, "body larger than %zu bytes", r->opts->maxsize);
		return -1;
	}
	if (r->len + n + 1 > r->cap) {
		r->cap = MAXIMUM(r->len + n + 1, r->cap * 2);
		r->cap = MAXIMUM(r->cap, 65536);
		r->body = xreallocarray(r->body, r->cap, 1);
	}
	memcpy(r->body + r->len, p, n);
	r->len += n;
	return 0;
}

static int
http_status(struct http_req *r, char *line)
{
	const char	*errstr;
	char		 code[4];

	if (strncmp(line, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)line[7]) || line[8] != ' ' ||
	    strlen(line) < 12 || (line[12] != ' ' && line[12] != '\0')) {
		http_fail(r, "bad status line \"%.60s\"", line);
		return -1;
	}
	memcpy(code, line + 9, 3);
	code[3] = '\0';
	r->status = strtonum(code, 100, 599, &errstr);
	if (errstr != NULL) {
		http_fail(r, "bad status line \"%.60s\"", line);
		return -1;
	}
	return 0;
}

static int
http_header(struct http_req *r, char *line)
{
	char		*v, *e;
	const char	*errstr;
	long long	 n;

	if ((v = strchr(line, ':')) == NULL || v == line) {
		http_fail(r, "bad header line \"%.60s\"", line);
		return -1;
	}
	*v++ = '\0';
	v += strspn(v, " \t");
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	if (strcasecmp(line, "Content-Length") == 0) {
		n = strtonum(v, 0, LLONG_MAX, &errstr);
		if (errstr != NULL || (r->clen != -1 && r->clen != n)) {
			http_fail(r, "bad Content-Length \"%.40s\"", v);
			return -1;
		}
		r->clen = n;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		if (strcasecmp(v, "chunked") != 0) {
			http_fail(r, "unsupported Transfer-Encoding "
			    "\"%.40s\"", v);
			return -1;
		}
		r->chunked = 1;
	} else if (strcasecmp(line, "Location") == 0) {
		free(r->location);
		r->location = xstrdup(v);
	}
	return 0;
}

/* Everything buffered that can be handled now. */
static void
http_input(struct http_req *r)
{
	char		*line, *end;
	ssize_t		 n;
	size_t		 avail;
	unsigned long long sz;

	while (!r->finished) {
		switch (r->state) {
		case HTTP_STATUS:
		case HTTP_HEADERS:
		case HTTP_CHUNK_SIZE:
		case HTTP_CHUNK_END:
		case HTTP_TRAILERS:
			n = io_getline(r->io, HTTP_LINE_MAX, &line);
			if (n == -1) {
				http_fail(r, "line longer than %d bytes",
				    HTTP_LINE_MAX);
				return;
			}
			if (n == 0)
				return;
			r->headbytes += n;
			if (r->headbytes > HTTP_HEAD_MAX) {
				http_fail(r, "headers larger than %d bytes",
				    HTTP_HEAD_MAX);
				return;
			}
			line[n - 1] = '\0';
			if (n >= 2 && line[n - 2] == '\r')
				line[n - 2] = '\0';
			line = xstrdup(line);
			io_drop(r->io, n);
			break;
		case HTTP_BODY_LEN:
		case HTTP_CHUNK_DATA:
		case HTTP_BODY_CLOSE:
			if ((avail = io_datalen(r->io)) == 0)
				return;
			if (r->state != HTTP_BODY_CLOSE && avail > r->left)
				avail = r->left;
			if (http_append(r, io_data(r->io), avail) == -1)
				return;
			io_drop(r->io, avail);
			if (r->state == HTTP_BODY_CLOSE)
				continue;
			r->left -= avail;
			if (r->left > 0)
				continue;
			if (r->state == HTTP_BODY_LEN)
				http_done(r);
			else
				r->state = HTTP_CHUNK_END;
			continue;
		default:
			return;
		}

		switch (r->state) {
		case HTTP_STATUS:
			if (http_status(r, line) == 0)
				r->state = HTTP_HEADERS;
			break;
		case HTTP_HEADERS:
			if (*line != '\0') {
				(void)http_header(r, line);
				break;
			}
			if (r->status < 200) {		/* 100 Continue */
				r->state = HTTP_STATUS;
				r->clen = -1;
				r->chunked = 0;
				break;
			}
			if (r->status != 200) {
				/* Redirect or error: the head is enough. */
				http_done(r);
				break;
			}
			if (r->chunked)
				r->state = HTTP_CHUNK_SIZE;
			else if (r->clen >= 0) {
				r->state = HTTP_BODY_LEN;
				r->left = r->clen;
				if (r->left == 0)
					http_done(r);
			} else
				r->state = HTTP_BODY_CLOSE;
			r->headbytes = 0;
			break;
		case HTTP_CHUNK_SIZE:
			errno = 0;
			sz = strtoull(line, &end, 16);
			if (end == line || errno != 0 || (*end != '\0' &&
			    *end != ';' && *end != ' ' && *end != '\t')) {
				http_fail(r, "bad chunk size \"%.40s\"", line);
				break;
			}
			r->headbytes = 0;
			if (sz == 0)
				r->state = HTTP_TRAILERS;
			else {
				r->left = sz;
				r->state = HTTP_CHUNK_DATA;
			}
			break;
		case HTTP_CHUNK_END:
			if (*line != '\0')
				http_fail(r, "no CRLF after a chunk");
			else
				r->state = HTTP_CHUNK_SIZE;
			break;
		case HTTP_TRAILERS:
			if (*line == '\0')
				http_done(r);
			break;
		default:
			break;
		}
		free(line);
	}
}

static void
http_cb(struct io *io, int ev, void *arg)
{
	struct http_req	*r = arg;
	SSL		*ssl;
	long		 v;

	switch (ev) {
	case IO_CONNECTED:
		r->connected = 1;
		if (!r->https) {
			http_send(r);
			break;
		}
		if ((ssl = tls_ssl_new(r->tls)) == NULL) {
			http_fail(r, "TLS: %s", tls_ctx_error(r->tls));
			break;
		}
		if (tls_ssl_set_servername(ssl, r->host) == -1 ||
		    io_start_tls(io, ssl, 0) == -1)
			http_fail(r, "TLS: cannot start with %s", r->host);
		break;
	case IO_TLSREADY:
		http_send(r);
		break;
	case IO_DATAIN:
		http_input(r);
		break;
	case IO_LOWAT:
		break;
	case IO_CLOSED:
		http_input(r);
		if (r->state == HTTP_BODY_CLOSE)
			http_done(r);
		else
			http_fail(r, "connection closed before the end of "
			    "the response");
		break;
	case IO_TIMEOUT:
		http_fail(r, "timeout: nothing for %d ms", r->opts->timeout);
		break;
	default:
		if (r->https && (ssl = io_tls(io)) != NULL &&
		    (v = SSL_get_verify_result(ssl)) != X509_V_OK)
			http_fail(r, "TLS: certificate: %s",
			    X509_verify_cert_error_string(v));
		else
			http_fail(r, "%s", io_error(io));
		break;
	}
}

/* One request to url; the response in r (body, status, location). */
static int
http_once(const char *url, const struct setup_fetch_opts *o,
    struct http_req *r, char **hostp)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		*host = NULL, *port = NULL, *path = NULL, *hosthdr;
	int		 https, e, rv = -1;

	*hostp = NULL;
	memset(r, 0, sizeof(*r));
	r->opts = o;
	r->clen = -1;
	if (setup_url_parse(url, &https, &host, &port, &path) == -1) {
		snprintf(r->err, sizeof(r->err), "bad URL \"%s\"", url);
		return -1;
	}
	r->https = https;
	r->host = host;
	r->path = path;
	if (strchr(host, ':') != NULL)
		xasprintf(&hosthdr, "[%s]:%s", host, port);
	else
		xasprintf(&hosthdr, "%s:%s", host, port);
	if (strcmp(port, https ? "443" : "80") == 0)
		*strrchr(hosthdr, ':') = '\0';
	r->hosthdr = hosthdr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", host,
		    gai_strerror(e));
		goto out;
	}
	if (https) {
		r->tls = tls_client_new();
		if (r->tls == NULL || tls_client_set_verify(r->tls,
		    TLS_VERIFY_REQUIRE, o->cafile) == -1) {
			snprintf(r->err, sizeof(r->err), "TLS: %s",
			    r->tls != NULL ? tls_ctx_error(r->tls) :
			    "no context");
			goto out;
		}
	}
	if ((r->base = event_base_new()) == NULL) {
		snprintf(r->err, sizeof(r->err), "event_base_new failed");
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		r->finished = 0;
		r->connected = 0;
		r->err[0] = '\0';
		r->io = io_connect(r->base, ai->ai_addr, ai->ai_addrlen, NULL,
		    http_cb, r);
		if (r->io == NULL) {
			snprintf(r->err, sizeof(r->err), "connect: %s",
			    strerror(errno));
			continue;
		}
		io_set_timeout(r->io, o->timeout);
		event_base_dispatch(r->base);
		io_free(r->io);
		r->io = NULL;
		if (r->finished == 1) {
			rv = 0;
			break;
		}
		if (r->connected)	/* only a failed connect tries on */
			break;
	}
 out:
	if (r->base != NULL)
		event_base_free(r->base);
	r->base = NULL;
	tls_ctx_free(r->tls);
	r->tls = NULL;
	if (res != NULL)
		freeaddrinfo(res);
	free(hosthdr);
	free(port);
	free(path);
	r->path = NULL;
	r->hosthdr = NULL;
	r->host = NULL;
	*hostp = host;
	return rv;
}

/* loc relative to base: a new URL (malloc'd), or NULL. */
static char *
http_resolve(const char *base, const char *loc)
{
	char	*host, *port, *path, *u, *slash;
	int	 https;

	if (strncasecmp(loc, "http://", 7) == 0 ||
	    strncasecmp(loc, "https://", 8) == 0)
		return xstrdup(loc);
	if (setup_url_parse(base, &https, &host, &port, &path) == -1)
		return NULL;
	if (strncmp(loc, "//", 2) == 0)
		xasprintf(&u, "%s:%s", https ? "https" : "http", loc);
	else if (*loc == '/')
		xasprintf(&u, "%s://%s%s%s:%s%s", https ? "https" : "http",
		    strchr(host, ':') ? "[" : "", host,
		    strchr(host, ':') ? "]" : "", port, loc);
	else {
		if ((slash = strrchr(path, '/')) != NULL)
			slash[1] = '\0';
		xasprintf(&u, "%s://%s%s%s:%s%s%s", https ? "https" : "http",
		    strchr(host, ':') ? "[" : "", host,
		    strchr(host, ':') ? "]" : "", port, path, loc);
	}
	free(host);
	free(port);
	free(path);
	return u;
}

int
setup_http_get(const char *url, const struct setup_fetch_opts *o,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	struct http_req	 r;
	char		*cur, *next, *host;
	int		 redirs = 0, was_https, rv;

	*out = NULL;
	*outlen = 0;
	cur = xstrdup(url);
	for (;;) {
		was_https = strncasecmp(cur, "https://", 8) == 0;
		rv = http_once(cur, o, &r, &host);
		free(host);
		if (rv == -1) {
			snprintf(err, errlen, "%s: %s", cur, r.err);
			goto fail;
		}
		if (r.status == 200)
			break;
		if (r.status != 301 && r.status != 302 && r.status != 303 &&
		    r.status != 307 && r.status != 308) {
			snprintf(err, errlen, "%s: HTTP status %d", cur,
			    r.status);
			goto fail;
		}
		if (r.location == NULL || ++redirs > o->maxredirs) {
			snprintf(err, errlen, "%s: %s", cur,
			    r.location == NULL ? "redirect without Location" :
			    "too many redirects");
			goto fail;
		}
		next = http_resolve(cur, r.location);
		if (next == NULL) {
			snprintf(err, errlen, "%s: bad Location \"%.80s\"",
			    cur, r.location);
			goto fail;
		}
		if (was_https && strncasecmp(next, "https://", 8) != 0) {
			snprintf(err, errlen, "%s: refusing a redirect from "
			    "https to %.80s", cur, next);
			free(next);
			goto fail;
		}
		log_debug("%s: %d redirect to %s", cur, r.status, next);
		free(r.location);
		free(r.body);
		free(cur);
		cur = next;
	}
	free(r.location);
	free(cur);
	if (r.body == NULL)
		r.body = xmalloc(1);
	r.body[r.len] = '\0';
	*out = r.body;
	*outlen = r.len;
	return 0;
 fail:
	free(r.location);
	free(r.body);
	free(cur);
	return -1;
}
