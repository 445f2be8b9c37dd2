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

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "imsg.h"
#include "log.h"
#include "xmalloc.h"

#define IMSG_RBUF_SIZE	(2 * IMSG_MAX_SIZE)
#define IMSG_CMSG_FDS	8	/* fds accepted in one recvmsg() */
#define IMSG_IOV_MAX	16	/* messages batched in one sendmsg() */

/* An fd received, with the stream offsets [start, end) read with it. */
struct imsg_rfd {
	TAILQ_ENTRY(imsg_rfd)	 entry;
	int			 fd;
	uint64_t		 start;
	uint64_t		 end;
};

/* A queued outgoing message: header and payload in one buffer. */
struct imsg_out {
	TAILQ_ENTRY(imsg_out)	 entry;
	unsigned char		*buf;
	size_t			 len;
	size_t			 off;
	int			 fd;
};

struct imsgbuf {
	int				 fd;
	unsigned char			*rbuf;
	size_t				 rlen;	/* bytes in rbuf */
	size_t				 roff;	/* first unparsed byte */
	uint64_t			 rtotal; /* stream bytes received */
	TAILQ_HEAD(, imsg_rfd)		 rfds;
	TAILQ_HEAD(, imsg_out)		 out;
	size_t				 queued;
};

struct imsgev {
	struct imsgbuf	*ibuf;
	struct event	*ev_read;
	struct event	*ev_write;
	imsgev_cb	 cb;
	void		*arg;
	char		*name;
	pid_t		 pid;
	int		 busy;		/* inside the callback loop */
	int		 freed;		/* imsgev_free() while busy */
	int		 closed;
};

static void	imsg_close_fd(int);
static void	imsg_rfd_purge(struct imsgbuf *, uint64_t);
static int	imsg_rfd_take(struct imsgbuf *, uint64_t);
static void	imsgev_read_cb(evutil_socket_t, short, void *);
static void	imsgev_write_cb(evutil_socket_t, short, void *);
static void	imsgev_close(struct imsgev *);
static void	imsgev_destroy(struct imsgev *);
static void	imsgev_want_write(struct imsgev *);

static void
imsg_close_fd(int fd)
{
	int	saved_errno = errno;

	if (fd != -1)
		close(fd);
	errno = saved_errno;
}

struct imsgbuf *
imsgbuf_new(int fd)
{
	struct imsgbuf	*ibuf;
	int		 fl;

	if (fd != -1) {
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
			return NULL;
	}
	ibuf = xcalloc(1, sizeof(*ibuf));
	ibuf->fd = fd;
	ibuf->rbuf = xmalloc(IMSG_RBUF_SIZE);
	TAILQ_INIT(&ibuf->rfds);
	TAILQ_INIT(&ibuf->out);
	return ibuf;
}

void
imsgbuf_free(struct imsgbuf *ibuf)
{
	struct imsg_rfd	*rfd;
	struct imsg_out	*o;

	if (ibuf == NULL)
		return;
	while ((rfd = TAILQ_FIRST(&ibuf->rfds)) != NULL) {
		TAILQ_REMOVE(&ibuf->rfds, rfd, entry);
		imsg_close_fd(rfd->fd);
		free(rfd);
	}
	while ((o = TAILQ_FIRST(&ibuf->out)) != NULL) {
		TAILQ_REMOVE(&ibuf->out, o, entry);
		imsg_close_fd(o->fd);
		free(o->buf);
		free(o);
	}
	imsg_close_fd(ibuf->fd);
	free(ibuf->rbuf);
	free(ibuf);
}

int
imsgbuf_fd(const struct imsgbuf *ibuf)
{
	return ibuf->fd;
}

size_t
imsgbuf_queued(const struct imsgbuf *ibuf)
{
	return ibuf->queued;
}

size_t
imsgbuf_pending(const struct imsgbuf *ibuf)
{
	return ibuf->rlen - ibuf->roff;
}

int
imsg_compose(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const void *data, size_t len)
{
	struct iovec	iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return imsg_composev(ibuf, type, peerid, pid, fd, &iov,
	    len == 0 ? 0 : 1);
}

int
imsg_composev(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const struct iovec *iov, int iovcnt)
{
	struct imsg_hdr	 hdr;
	struct imsg_out	*o;
	size_t		 len = 0, off;
	int		 i;

	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > IMSG_MAX_DATA - len) {
			imsg_close_fd(fd);
			errno = EMSGSIZE;
			return -1;
		}
		len += iov[i].iov_len;
	}
	hdr.type = type;
	hdr.len = (uint32_t)(IMSG_HDR_SIZE + len);
	hdr.flags = fd == -1 ? 0 : IMSG_F_FD;
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)pid;

	o = xcalloc(1, sizeof(*o));
	o->len = IMSG_HDR_SIZE + len;
	o->buf = xmalloc(o->len);
	o->fd = fd;
	memcpy(o->buf, &hdr, IMSG_HDR_SIZE);
	off = IMSG_HDR_SIZE;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(o->buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	TAILQ_INSERT_TAIL(&ibuf->out, o, entry);
	ibuf->queued += o->len;
	return 0;
}

/*
 * One sendmsg(): either the head message alone with its fd, or up to
 * IMSG_IOV_MAX messages without fds, stopping before one that has an fd
 * (its data must start a sendmsg() of its own, see imsg.h).
 */
int
imsgbuf_write(struct imsgbuf *ibuf)
{
	struct iovec	 iov[IMSG_IOV_MAX];
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct imsg_out	*o, *next;
	ssize_t		 n;
	int		 iovcnt, flags = 0;

#ifdef MSG_NOSIGNAL
	flags |= MSG_NOSIGNAL;
#endif
	while ((o = TAILQ_FIRST(&ibuf->out)) != NULL) {
		memset(&mh, 0, sizeof(mh));
		iovcnt = 0;
		if (o->fd != -1) {
			iov[0].iov_base = o->buf + o->off;
			iov[0].iov_len = o->len - o->off;
			iovcnt = 1;
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			mh.msg_control = cmsgbuf.buf;
			mh.msg_controllen = sizeof(cmsgbuf.buf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cm), &o->fd, sizeof(int));
		} else {
			for (; o != NULL && o->fd == -1 &&
			    iovcnt < IMSG_IOV_MAX;
			    o = TAILQ_NEXT(o, entry)) {
				iov[iovcnt].iov_base = o->buf + o->off;
				iov[iovcnt].iov_len = o->len - o->off;
				iovcnt++;
			}
		}
		mh.msg_iov = iov;
		mh.msg_iovlen = iovcnt;
		n = sendmsg(ibuf->fd, &mh, flags);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		for (o = TAILQ_FIRST(&ibuf->out); o != NULL && n > 0;
		    o = next) {
			next = TAILQ_NEXT(o, entry);
			/* The fd went with the first byte sent. */
			if (o->fd != -1) {
				close(o->fd);
				o->fd = -1;
			}
			if ((size_t)n < o->len - o->off) {
				o->off += n;
				ibuf->queued -= n;
				break;
			}
			n -= o->len - o->off;
			ibuf->queued -= o->len - o->off;
			TAILQ_REMOVE(&ibuf->out, o, entry);
			free(o->buf);
			free(o);
		}
	}
	return 0;
}

int
imsgbuf_flush(struct imsgbuf *ibuf)
{
	struct pollfd	pfd;
	int		r;

	for (;;) {
		if ((r = imsgbuf_write(ibuf)) != 1)
			return r;
		pfd.fd = ibuf->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
}

int
imsgbuf_input(struct imsgbuf *ibuf, const void *data, size_t len,
    const int *fds, int nfds)
{
	struct imsg_rfd	*rfd;
	int		 i;

	if (len > IMSG_RBUF_SIZE - ibuf->rlen) {
		/* Move the unparsed tail to the front first. */
		if (ibuf->roff > 0) {
			memmove(ibuf->rbuf, ibuf->rbuf + ibuf->roff,
			    ibuf->rlen - ibuf->roff);
			ibuf->rlen -= ibuf->roff;
			ibuf->roff = 0;
		}
		if (len > IMSG_RBUF_SIZE - ibuf->rlen) {
			for (i = 0; i < nfds; i++)
				imsg_close_fd(fds[i]);
			errno = ENOBUFS;
			return -1;
		}
	}
	for (i = 0; i < nfds; i++) {
		rfd = xcalloc(1, sizeof(*rfd));
		rfd->fd = fds[i];
		rfd->start = ibuf->rtotal;
		rfd->end = ibuf->rtotal + len;
		TAILQ_INSERT_TAIL(&ibuf->rfds, rfd, entry);
	}
	if (len > 0)
		memcpy(ibuf->rbuf + ibuf->rlen, data, len);
	ibuf->rlen += len;
	ibuf->rtotal += len;
	return 0;
}

ssize_t
imsgbuf_read(struct imsgbuf *ibuf)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(int) * IMSG_CMSG_FDS)];
	}		 cmsgbuf;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	int		 fds[IMSG_CMSG_FDS * 2];
	int		 nfds = 0, i, n, flags = 0;
	ssize_t		 r;

	/* Room for at least one whole message after the unparsed tail. */
	if (ibuf->roff > 0 && ibuf->rlen + IMSG_MAX_SIZE > IMSG_RBUF_SIZE) {
		memmove(ibuf->rbuf, ibuf->rbuf + ibuf->roff,
		    ibuf->rlen - ibuf->roff);
		ibuf->rlen -= ibuf->roff;
		ibuf->roff = 0;
	}
	if (ibuf->rlen == IMSG_RBUF_SIZE) {
		errno = ENOBUFS;	/* the caller does not drain */
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = ibuf->rbuf + ibuf->rlen;
	iov.iov_len = IMSG_RBUF_SIZE - ibuf->rlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
#ifdef MSG_CMSG_CLOEXEC
	flags |= MSG_CMSG_CLOEXEC;
#endif
	do {
		r = recvmsg(ibuf->fd, &mh, flags);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;

	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int	fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (nfds < (int)nitems(fds))
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		log_warnx("imsg: control data truncated (too many fds)");
		errno = EBADMSG;
		return -1;
	}
	if (r == 0) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return 0;
	}
	/* The data is already in place: account for it and its fds. */
	for (i = 0; i < nfds; i++) {
		struct imsg_rfd	*rfd;

		rfd = xcalloc(1, sizeof(*rfd));
		rfd->fd = fds[i];
		rfd->start = ibuf->rtotal;
		rfd->end = ibuf->rtotal + r;
		TAILQ_INSERT_TAIL(&ibuf->rfds, rfd, entry);
	}
	ibuf->rlen += r;
	ibuf->rtotal += r;
	return r;
}

/* Close fds that no message starting at or after off can claim. */
static void
imsg_rfd_purge(struct imsgbuf *ibuf, uint64_t off)
{
	struct imsg_rfd	*rfd;

	while ((rfd = TAILQ_FIRST(&ibuf->rfds)) != NULL && rfd->end <= off) {
		log_warnx("imsg: unexpected fd received, closed");
		TAILQ_REMOVE(&ibuf->rfds, rfd, entry);
		imsg_close_fd(rfd->fd);
		free(rfd);
	}
}

static int
imsg_rfd_take(struct imsgbuf *ibuf, uint64_t off)
{
	struct imsg_rfd	*rfd;
	int		 fd;

	rfd = TAILQ_FIRST(&ibuf->rfds);
	if (rfd == NULL || rfd->start > off || rfd->end <= off)
		return -1;
	TAILQ_REMOVE(&ibuf->rfds, rfd, entry);
	fd = rfd->fd;
	free(rfd);
	return fd;
}

int
imsg_get(struct imsgbuf *ibuf, struct imsg *msg)
{
	struct imsg_hdr	 hdr;
	size_t		 avail = ibuf->rlen - ibuf->roff;
	uint64_t	 off = ibuf->rtotal - avail;

	memset(msg, 0, sizeof(*msg));
	msg->fd = -1;
	imsg_rfd_purge(ibuf, off);
	if (avail < IMSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, ibuf->rbuf + ibuf->roff, IMSG_HDR_SIZE);
	if (hdr.len < IMSG_HDR_SIZE || hdr.len > IMSG_MAX_SIZE) {
		log_warnx("imsg: bad message length %u (type %u)",
		    hdr.len, hdr.type);
		errno = EBADMSG;
		return -1;
	}
	if ((hdr.flags & ~IMSG_F_FD) != 0) {
		log_warnx("imsg: unknown flags 0x%x (type %u)",
		    hdr.flags, hdr.type);
		errno = EBADMSG;
		return -1;
	}
	if (avail < hdr.len)
		return 0;
	if (hdr.flags & IMSG_F_FD) {
		if ((msg->fd = imsg_rfd_take(ibuf, off)) == -1) {
			log_warnx("imsg: message type %u without its fd",
			    hdr.type);
			errno = EBADMSG;
			return -1;
		}
	}
	msg->hdr = hdr;
	msg->datalen = hdr.len - IMSG_HDR_SIZE;
	if (msg->datalen > 0)
		msg->data = xmemdup(ibuf->rbuf + ibuf->roff + IMSG_HDR_SIZE,
		    msg->datalen);
	ibuf->roff += hdr.len;
	if (ibuf->roff == ibuf->rlen)
		ibuf->roff = ibuf->rlen = 0;
	/* An fd read only with this message's bytes is unclaimed. */
	imsg_rfd_purge(ibuf, off + hdr.len);
	return 1;
}

void
imsg_free(struct imsg *msg)
{
	if (msg == NULL)
		return;
	imsg_close_fd(msg->fd);
	msg->fd = -1;
	free(msg->data);
	msg->data = NULL;
	msg->datalen = 0;
}

int
imsg_get_fd(struct imsg *msg)
{
	int	fd = msg->fd;

	msg->fd = -1;
	return fd;
}

size_t
imsg_get_len(const struct imsg *msg)
{
	return msg->datalen;
}

int
imsg_check_len(const struct imsg *msg, size_t len)
{
	if (msg->datalen != len) {
		log_warnx("imsg: type %u: payload of %zu bytes, expected %zu",
		    msg->hdr.type, msg->datalen, len);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int
imsg_check_minlen(const struct imsg *msg, size_t len)
{
	if (msg->datalen < len) {
		log_warnx("imsg: type %u: payload of %zu bytes, expected at "
		    "least %zu", msg->hdr.type, msg->datalen, len);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int
imsg_get_data(const struct imsg *msg, void *buf, size_t len)
{
	if (imsg_check_len(msg, len) == -1)
		return -1;
	if (len > 0)
		memcpy(buf, msg->data, len);
	return 0;
}

int
imsg_get_string(const struct imsg *msg, char *buf, size_t len)
{
	const char	*s = msg->data;

	if (msg->datalen == 0 || msg->datalen > len ||
	    memchr(s, '\0', msg->datalen) != s + msg->datalen - 1) {
		log_warnx("imsg: type %u: payload of %zu bytes is not a "
		    "string of at most %zu bytes", msg->hdr.type,
		    msg->datalen, len);
		errno = EBADMSG;
		return -1;
	}
	memcpy(buf, s, msg->datalen);
	return 0;
}

/* libevent wrapper */

struct imsgev *
imsgev_new(struct event_base *base, int fd, imsgev_cb cb, void *arg)
{
	struct imsgev	*iev;

	iev = xcalloc(1, sizeof(*iev));
	if ((iev->ibuf = imsgbuf_new(fd)) == NULL) {
		free(iev);
		return NULL;
	}
	iev->cb = cb;
	iev->arg = arg;
	iev->pid = getpid();
	iev->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    imsgev_read_cb, iev);
	iev->ev_write = event_new(base, fd, EV_WRITE, imsgev_write_cb, iev);
	if (iev->ev_read == NULL || iev->ev_write == NULL ||
	    event_add(iev->ev_read, NULL) == -1) {
		/* the caller keeps the fd on failure */
		iev->ibuf->fd = -1;
		imsgev_destroy(iev);
		return NULL;
	}
	return iev;
}

void
imsgev_set_name(struct imsgev *iev, const char *name)
{
	free(iev->name);
	iev->name = name == NULL ? NULL : xstrdup(name);
}

static void
imsgev_destroy(struct imsgev *iev)
{
	if (iev->ev_read != NULL)
		event_free(iev->ev_read);
	if (iev->ev_write != NULL)
		event_free(iev->ev_write);
	imsgbuf_free(iev->ibuf);
	free(iev->name);
	free(iev);
}

void
imsgev_free(struct imsgev *iev)
{
	if (iev == NULL)
		return;
	if (iev->busy) {
		/* Inside our own callback loop: finish there. */
		iev->freed = 1;
		event_del(iev->ev_read);
		event_del(iev->ev_write);
		return;
	}
	imsgev_destroy(iev);
}

struct imsgbuf *
imsgev_buf(struct imsgev *iev)
{
	return iev->ibuf;
}

int
imsgev_closed(const struct imsgev *iev)
{
	return iev->closed;
}

static void
imsgev_want_write(struct imsgev *iev)
{
	if (!iev->closed && !iev->freed && imsgbuf_queued(iev->ibuf) > 0)
		event_add(iev->ev_write, NULL);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct iovec	iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return imsgev_composev(iev, type, peerid, fd, &iov, len == 0 ? 0 : 1);
}

int
imsgev_composev(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const struct iovec *iov, int iovcnt)
{
	if (iev->closed || iev->freed) {
		imsg_close_fd(fd);
		errno = EPIPE;
		return -1;
	}
	if (imsg_composev(iev->ibuf, type, peerid, iev->pid, fd, iov,
	    iovcnt) == -1)
		return -1;
	imsgev_want_write(iev);
	return 0;
}

static void
imsgev_close(struct imsgev *iev)
{
	if (iev->closed)
		return;
	iev->closed = 1;
	event_del(iev->ev_read);
	event_del(iev->ev_write);
	if (!iev->freed)
		iev->cb(iev, NULL, iev->arg);
}

static void
imsgev_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 msg;
	const char	*name = iev->name ? iev->name : "peer";
	ssize_t		 n;
	int		 r;

	iev->busy++;
	n = imsgbuf_read(iev->ibuf);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		goto done;
	if (n == -1)
		log_warn("imsg channel to %s: read", name);
	for (;;) {
		r = imsg_get(iev->ibuf, &msg);
		if (r == -1) {
			log_warnx("imsg channel to %s: protocol error, "
			    "closing", name);
			imsgev_close(iev);
			goto done;
		}
		if (r == 0)
			break;
		iev->cb(iev, &msg, iev->arg);
		imsg_free(&msg);
		if (iev->freed || iev->closed)
			goto done;
	}
	if (n == 0 && imsgbuf_pending(iev->ibuf) > 0)
		log_warnx("imsg channel to %s: truncated message at end of "
		    "file (%zu bytes)", name, imsgbuf_pending(iev->ibuf));
	if (n <= 0)
		imsgev_close(iev);
 done:
	if (--iev->busy == 0 && iev->freed)
		imsgev_destroy(iev);
}

static void
imsgev_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct imsgev	*iev = arg;
	int		 r;

	r = imsgbuf_write(iev->ibuf);
	if (r == 1) {
		event_add(iev->ev_write, NULL);
		return;
	}
	if (r == -1) {
		if (errno != EPIPE && errno != ECONNRESET)
			log_warn("imsg channel to %s: write",
			    iev->name ? iev->name : "peer");
		iev->busy++;
		imsgev_close(iev);
		if (--iev->busy == 0 && iev->freed)
			imsgev_destroy(iev);
	}
}
