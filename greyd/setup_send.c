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
 * The config socket client.  spamd reads one config connection at a
 * time on 127.0.0.1:8026 and drops any whose source port is not
 * reserved (< 1024), so spamd-setup connects with rresvport(3).  We
 * bind 127.0.0.1 to a port from 1023 down to 512 when the system lets
 * us (root, or CAP_NET_BIND_SERVICE), else to any port: greyd accepts
 * such a connection only when told to.  The line is written, our side
 * shut down, and greyd's close awaited (bounded), so that a second
 * connection never overtakes the first.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "setup.h"

static int	send_socket(in_port_t *);
static int	send_wait(int, int, int);
static int	send_elapsed(const struct timespec *);

static int
send_elapsed(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A socket bound to 127.0.0.1, a reserved port when allowed. */
static int
send_socket(in_port_t *lport)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			s, port;

	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (port = IPPORT_RESERVED - 1; port >= IPPORT_RESERVED / 2;
	    port--) {
		sin.sin_port = htons(port);
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			goto bound;
		if (errno != EADDRINUSE)
			break;
	}
	log_debug("no reserved source port (%s): using any port; greyd "
	    "must be told to accept that", strerror(errno));
	sin.sin_port = 0;
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(s);
		return -1;
	}
 bound:
	len = sizeof(sin);
	if (getsockname(s, (struct sockaddr *)&sin, &len) == -1) {
		close(s);
		return -1;
	}
	*lport = ntohs(sin.sin_port);
	return s;
}

/* Wait for events on s for what is left of timeout: 1, 0 timed out. */
static int
send_wait(int s, int events, int left)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = s;
	pfd.events = events;
	if (left < 0)
		left = 0;
	do {
		n = poll(&pfd, 1, left);
	} while (n == -1 && errno == EINTR);
	return n;
}

int
setup_send(const char *line, size_t len, in_port_t port, int timeout,
    in_port_t *lportp, char *err, size_t errlen)
{
	struct sockaddr_in	sin;
	struct timespec		t0;
	in_port_t		lport = 0;
	size_t			off = 0;
	ssize_t			n;
	char			buf[512];
	int			s, soerr;
	socklen_t		sl;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((s = send_socket(&lport)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (lportp != NULL)
		*lportp = lport;
	if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == -1)
		goto syserr;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		if (errno != EINPROGRESS)
			goto connerr;
		if (send_wait(s, POLLOUT, timeout - send_elapsed(&t0)) <= 0) {
			errno = ETIMEDOUT;
			goto connerr;
		}
		sl = sizeof(soerr);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			goto connerr;
		if (soerr != 0) {
			errno = soerr;
			goto connerr;
		}
	}
	while (off < len) {
		n = send(s, line + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (send_wait(s, POLLOUT,
			    timeout - send_elapsed(&t0)) <= 0) {
				errno = ETIMEDOUT;
				goto syserr;
			}
			continue;
		}
		if (n == -1)
			goto syserr;
		off += n;
	}
	if (shutdown(s, SHUT_WR) == -1)
		goto syserr;
	/* greyd reads to the end, then closes: wait for that. */
	for (;;) {
		if (send_wait(s, POLLIN, timeout - send_elapsed(&t0)) <= 0) {
			log_debug("greyd did not close the config connection "
			    "within %d ms", timeout);
			break;
		}
		n = recv(s, buf, sizeof(buf), 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1 && errno == ECONNRESET)
			goto dropped;
		if (n <= 0)
			break;
	}
	close(s);
	return 0;
 connerr:
	snprintf(err, errlen, "connect to 127.0.0.1:%u: %s",
	    (unsigned)port, strerror(errno));
	close(s);
	return -1;
 syserr:
	if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
		goto dropped;
	snprintf(err, errlen, "config socket 127.0.0.1:%u: %s",
	    (unsigned)port, strerror(errno));
	close(s);
	return -1;
 dropped:
	/* Closed without reading: greyd does that to an unreserved port. */
	snprintf(err, errlen, "greyd dropped the connection from port %u%s",
	    (unsigned)lport, lport >= IPPORT_RESERVED ? " (not a reserved "
	    "port: greyd accepts it only with -U)" : "");
	close(s);
	return -1;
}
