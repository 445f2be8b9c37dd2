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
 * imsg: typed messages between the processes of one daemon, over a
 * non-blocking AF_UNIX SOCK_STREAM socketpair, with file descriptor
 * passing (SCM_RIGHTS, at most one fd per message).
 *
 * Why SOCK_STREAM and not SOCK_SEQPACKET: a stream works the same on
 * Linux and every BSD, has no per-record size limit tied to the socket
 * buffer, lets the writer batch many small messages into one sendmsg(2),
 * and the reader must cope with partial data anyway (it is the input
 * of a less privileged process).  The price is matching fds to their
 * message: each message that carries an fd is sent by its own sendmsg()
 * whose data starts with the message header, so the kernel hands the fd
 * to the same recvmsg() that returns the header's first byte.  The reader
 * remembers, for each fd received, the range of stream offsets read with
 * it; a message flagged IMSG_F_FD takes the oldest queued fd whose range
 * holds the message's first byte.  An fd that no message can claim any
 * more is closed and logged; a flagged message without its fd is a
 * protocol error.
 *
 * Wire format (host byte order: both ends are on the same host):
 *
 *	u32 type	what the payload is; the daemon defines these
 *	u32 len		header + payload, IMSG_HDR_SIZE..IMSG_MAX_SIZE
 *	u32 flags	IMSG_F_FD: an fd travels with this message
 *	u32 peerid	free for the daemon (a session id, a request id)
 *	u32 pid		the sender's pid
 *	payload		len - IMSG_HDR_SIZE bytes
 *
 * A header with len out of range or an unknown flag is a protocol error:
 * imsg_get() logs it and returns -1, and the channel must be closed
 * (imsgev does it).  Nothing a peer sends can crash the reader.
 *
 * Ownership: imsgbuf_new() takes the socket and imsgbuf_free() closes it.
 * An fd given to imsg_compose() belongs to the imsgbuf from then on,
 * also when compose fails.  The fd of a received message is closed by
 * imsg_free() unless the receiver took it with imsg_get_fd().
 *
 * Plain use (blocking flush, poll(2) for input):
 *
 *	struct imsgbuf	*ib = imsgbuf_new(sock);
 *	struct imsg	 msg;
 *	struct req	 req;
 *
 *	imsg_compose(ib, MSG_HELLO, 0, getpid(), -1, "hi", 3);
 *	imsgbuf_flush(ib);
 *	... poll(sock, POLLIN) ...
 *	if (imsgbuf_read(ib) == -1 && errno != EAGAIN) ... error ...
 *	while (imsg_get(ib, &msg) == 1) {
 *		if (msg.hdr.type == MSG_REQ &&
 *		    imsg_get_data(&msg, &req, sizeof(req)) == 0)
 *			handle(&req, imsg_get_fd(&msg));
 *		imsg_free(&msg);
 *	}
 *	imsgbuf_free(ib);
 *
 * With libevent (one callback per message; msg == NULL when the channel
 * closed, after which the only thing to do is imsgev_free()):
 *
 *	static void
 *	dispatch(struct imsgev *iev, struct imsg *msg, void *arg)
 *	{
 *		if (msg == NULL) {
 *			imsgev_free(iev);
 *			return;
 *		}
 *		switch (msg->hdr.type) { ... }
 *	}
 *	iev = imsgev_new(base, sock, dispatch, arg);
 *	imsgev_compose(iev, MSG_HELLO, 0, -1, NULL, 0);
 */

#ifndef MX_IMSG_H
#define MX_IMSG_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

struct event_base;

#define IMSG_HDR_SIZE	20
#define IMSG_MAX_SIZE	65536		/* header included */
#define IMSG_MAX_DATA	(IMSG_MAX_SIZE - IMSG_HDR_SIZE)

#define IMSG_F_FD	0x00000001	/* an fd comes with the message */

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;
	uint32_t	 flags;
	uint32_t	 peerid;
	uint32_t	 pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1 when none */
	void		*data;		/* NULL when datalen is 0 */
	size_t		 datalen;
};

struct imsgbuf;
struct imsgev;

/* Channel: takes the socket (set non-blocking); free closes it. */
struct imsgbuf	*imsgbuf_new(int);
void		 imsgbuf_free(struct imsgbuf *);
int		 imsgbuf_fd(const struct imsgbuf *);

/*
 * Queue a message.  fd -1 for none; the fd is owned by the imsgbuf from
 * now on (closed once sent, or at once on failure).  -1 with errno
 * EMSGSIZE when the payload exceeds IMSG_MAX_DATA.
 */
int	 imsg_compose(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
	    const void *, size_t);
int	 imsg_composev(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
	    const struct iovec *, int);

/*
 * Output: imsgbuf_write() sends what the socket takes now: 0 all sent,
 * 1 output still queued (wait for POLLOUT), -1 error (errno; EPIPE when
 * the peer is gone).  imsgbuf_flush() blocks (poll) until all is sent.
 */
int	 imsgbuf_write(struct imsgbuf *);
int	 imsgbuf_flush(struct imsgbuf *);
size_t	 imsgbuf_queued(const struct imsgbuf *);

/*
 * Input: imsgbuf_read() reads what is there: bytes read, 0 at end of
 * file, -1 on error (errno EAGAIN: nothing to read now).  imsg_get():
 * 1 and *msg filled, 0 when no complete message is buffered, -1 on a
 * protocol error (logged; close the channel).  imsgbuf_pending() is
 * the number of buffered bytes not yet forming a message (non-zero at
 * end of file means the peer sent a truncated message).
 */
ssize_t	 imsgbuf_read(struct imsgbuf *);
int	 imsg_get(struct imsgbuf *, struct imsg *);
size_t	 imsgbuf_pending(const struct imsgbuf *);

/*
 * imsgbuf_input(): the path every received byte takes, exposed for the
 * fuzzer and for tests: append len bytes as if read in one recvmsg()
 * together with the nfds fds (owned by the imsgbuf from now on).
 */
int	 imsgbuf_input(struct imsgbuf *, const void *, size_t, const int *,
	    int);

/* A received message. */
void	 imsg_free(struct imsg *);
int	 imsg_get_fd(struct imsg *);		/* take it; -1 if none */
size_t	 imsg_get_len(const struct imsg *);
/*
 * Size-checked payload access: 0 when the payload has exactly len bytes
 * (imsg_get_data() copies it to buf), at least len bytes
 * (imsg_check_minlen()); otherwise -1, errno EBADMSG, and a log line
 * naming the type and both sizes.  imsg_get_string(): the payload is a
 * NUL-terminated string without other NULs that fits in len.
 */
int	 imsg_get_data(const struct imsg *, void *, size_t);
int	 imsg_check_len(const struct imsg *, size_t);
int	 imsg_check_minlen(const struct imsg *, size_t);
int	 imsg_get_string(const struct imsg *, char *, size_t);

/*
 * libevent wrapper: a read event on the socket, the callback once per
 * complete message (the message is freed after the callback returns;
 * take its fd with imsg_get_fd() to keep it), a write event while
 * output is queued.  On end of file, a read or write error or a
 * protocol error the channel is closed (logged unless a clean EOF) and
 * the callback runs once more with msg NULL.  imsgev_free() may be
 * called from the callback.
 */
typedef void	(*imsgev_cb)(struct imsgev *, struct imsg *, void *);

struct imsgev	*imsgev_new(struct event_base *, int, imsgev_cb, void *);
void		 imsgev_free(struct imsgev *);
int		 imsgev_compose(struct imsgev *, uint32_t, uint32_t, int,
		    const void *, size_t);
int		 imsgev_composev(struct imsgev *, uint32_t, uint32_t, int,
		    const struct iovec *, int);
struct imsgbuf	*imsgev_buf(struct imsgev *);
void		 imsgev_set_name(struct imsgev *, const char *);
int		 imsgev_closed(const struct imsgev *);

#endif /* MX_IMSG_H */
