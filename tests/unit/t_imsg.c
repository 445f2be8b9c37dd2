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
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "imsg.h"
#include "log.h"
#include "xmalloc.h"
#include "tap.h"

enum {
	MSG_HELLO = 1,
	MSG_SEQ,
	MSG_FD,
	MSG_BIG,
	MSG_PAIR
};

struct pair {
	uint32_t	a;
	uint32_t	b;
};

static int	fd_is_open(int);
static ssize_t	wait_read(struct imsgbuf *);
static size_t	put_msg(unsigned char *, uint32_t, uint32_t, uint32_t,
		    const void *, size_t);
static void	test_round_trip(void);
static void	test_many(void);
static void	test_bytewise_input(void);
static void	test_bytewise_child(void);
static void	test_max_size(void);
static void	test_bad_wire(void);
static void	test_fd_passing(void);
static void	test_fd_matching(void);
static void	test_size_checks(void);
static void	test_imsgev(void);
static void	test_imsgev_errors(void);
static void	test_imsgev_fds(void);

static int
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Wait (5 s at most) for input, then read it. */
static ssize_t
wait_read(struct imsgbuf *ib)
{
	struct pollfd	pfd;

	pfd.fd = imsgbuf_fd(ib);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	return imsgbuf_read(ib);
}

/* A message on the wire, written by hand. */
static size_t
put_msg(unsigned char *p, uint32_t type, uint32_t len, uint32_t flags,
    const void *data, size_t datalen)
{
	struct imsg_hdr	hdr;

	hdr.type = type;
	hdr.len = len;
	hdr.flags = flags;
	hdr.peerid = 9;
	hdr.pid = 1234;
	memcpy(p, &hdr, sizeof(hdr));
	if (datalen > 0)
		memcpy(p + sizeof(hdr), data, datalen);
	return sizeof(hdr) + datalen;
}

static void
test_round_trip(void)
{
	struct imsgbuf	*a, *b;
	struct imsg	 msg;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		fatal("socketpair");
	a = imsgbuf_new(sv[0]);
	b = imsgbuf_new(sv[1]);
	is_int(imsg_compose(a, MSG_HELLO, 42, getpid(), -1, "hello", 6), 0,
	    "compose");
	is_int(imsgbuf_queued(a), IMSG_HDR_SIZE + 6, "queued bytes");
	is_int(imsgbuf_flush(a), 0, "flush");
	is_int(imsgbuf_queued(a), 0, "nothing queued after flush");
	is_int(wait_read(b), IMSG_HDR_SIZE + 6, "read one message's bytes");
	is_int(imsg_get(b, &msg), 1, "got a message");
	is_int(msg.hdr.type, MSG_HELLO, "type");
	is_int(msg.hdr.peerid, 42, "peerid");
	is_int(msg.hdr.pid, getpid(), "pid");
	is_int(msg.fd, -1, "no fd");
	is_mem(msg.data, msg.datalen, "hello", 6, "payload");
	imsg_free(&msg);
	is_int(imsg_get(b, &msg), 0, "no second message");

	/* Empty payload. */
	imsg_compose(a, MSG_HELLO, 0, 0, -1, NULL, 0);
	imsgbuf_flush(a);
	wait_read(b);
	is_int(imsg_get(b, &msg), 1, "empty message");
	ok(msg.data == NULL && msg.datalen == 0, "empty payload is NULL/0");
	imsg_free(&msg);

	/* EOF */
	imsgbuf_free(a);
	is_int(wait_read(b), 0, "read returns 0 at end of file");
	is_int(imsgbuf_pending(b), 0, "nothing pending at a clean EOF");
	imsgbuf_free(b);
}

static void
test_many(void)
{
	struct imsgbuf	*a, *b;
	struct imsg	 msg;
	uint32_t	 i, v, bad = 0;
	ssize_t		 n;
	int		 sv[2], got = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		fatal("socketpair");
	a = imsgbuf_new(sv[0]);
	b = imsgbuf_new(sv[1]);
	for (i = 0; i < 100; i++)
		imsg_compose(a, MSG_SEQ, i, 0, -1, &i, sizeof(i));
	imsgbuf_flush(a);
	n = wait_read(b);
	is_int(n, 100 * (IMSG_HDR_SIZE + 4), "100 messages in one read");
	while (imsg_get(b, &msg) == 1) {
		if (imsg_get_data(&msg, &v, sizeof(v)) == -1 ||
		    v != (uint32_t)got || msg.hdr.peerid != (uint32_t)got)
			bad++;
		got++;
		imsg_free(&msg);
	}
	is_int(got, 100, "all 100 parsed from that read");
	is_int(bad, 0, "in order, payloads intact");
	imsgbuf_free(a);
	imsgbuf_free(b);
}

/* Every byte of a stream of three messages fed on its own. */
static void
test_bytewise_input(void)
{
	unsigned char	 wire[2048], big[1000];
	struct imsgbuf	*b;
	struct imsg	 msg;
	size_t		 len = 0, i;
	int		 got = 0, early = 0, r;

	memset(big, 'x', sizeof(big));
	len += put_msg(wire + len, 1, IMSG_HDR_SIZE, 0, NULL, 0);
	len += put_msg(wire + len, 2, IMSG_HDR_SIZE + 5, 0, "abcde", 5);
	len += put_msg(wire + len, 3, IMSG_HDR_SIZE + sizeof(big), 0, big,
	    sizeof(big));
	b = imsgbuf_new(-1);
	for (i = 0; i < len; i++) {
		imsgbuf_input(b, wire + i, 1, NULL, 0);
		while ((r = imsg_get(b, &msg)) == 1) {
			got++;
			if (msg.hdr.type != (uint32_t)got)
				early++;
			if (got == 3 && (msg.datalen != sizeof(big) ||
			    memcmp(msg.data, big, sizeof(big)) != 0))
				early++;
			imsg_free(&msg);
		}
		if (r == -1)
			early++;
	}
	is_int(got, 3, "byte by byte: three messages");
	is_int(early, 0, "byte by byte: right types and payloads, no error");
	is_int(imsgbuf_pending(b), 0, "nothing left over");
	imsgbuf_free(b);
}

/* A child writes the stream one byte per write(2). */
static void
test_bytewise_child(void)
{
	unsigned char	 wire[512], fill[100];
	struct imsgbuf	*b;
	struct imsg	 msg;
	size_t		 len = 0, i;
	ssize_t		 n;
	pid_t		 pid;
	int		 sv[2], got = 0, reads = 0, bad = 0, st;

	len += put_msg(wire + len, 1, IMSG_HDR_SIZE + 3, 0, "one", 3);
	memset(fill, 'f', sizeof(fill));
	len += put_msg(wire + len, 2, IMSG_HDR_SIZE + 100, 0, fill, 100);
	len += put_msg(wire + len, 3, IMSG_HDR_SIZE + 5, 0, "three", 5);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		fatal("socketpair");
	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(sv[1]);
		for (i = 0; i < len; i++) {
			if (write(sv[0], wire + i, 1) != 1)
				_exit(1);
			if (i % 16 == 0)
				usleep(1000);
		}
		_exit(0);
	}
	close(sv[0]);
	b = imsgbuf_new(sv[1]);
	for (;;) {
		if ((n = wait_read(b)) <= 0)
			break;
		reads++;
		while (imsg_get(b, &msg) == 1) {
			got++;
			if (msg.hdr.type != (uint32_t)got)
				bad++;
			if (got == 3 && (msg.datalen != 5 ||
			    memcmp(msg.data, "three", 5) != 0))
				bad++;
			imsg_free(&msg);
		}
	}
	waitpid(pid, &st, 0);
	is_int(n, 0, "reader saw a clean end of file");
	is_int(got, 3, "three messages from one-byte writes");
	is_int(bad, 0, "in order and intact");
	ok(reads > 3, "they came in several partial reads (%d)", reads);
	is_int(imsgbuf_pending(b), 0, "nothing truncated");
	imsgbuf_free(b);
}

static void
test_max_size(void)
{
	struct imsgbuf	*a, *b;
	struct imsg	 msg;
	unsigned char	*big;
	int		 sv[2], p[2], r, got = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(p) == -1)
		fatal("socketpair");
	a = imsgbuf_new(sv[0]);
	b = imsgbuf_new(sv[1]);
	big = xcalloc(1, IMSG_MAX_DATA + 1);
	big[IMSG_MAX_DATA - 1] = 0x5a;
	errno = 0;
	r = imsg_compose(a, MSG_BIG, 0, 0, p[0], big, IMSG_MAX_DATA + 1);
	is_int(r, -1, "payload of IMSG_MAX_DATA + 1 refused");
	is_int(errno, EMSGSIZE, "errno EMSGSIZE");
	ok(!fd_is_open(p[0]), "its fd was closed, not leaked");
	is_int(imsgbuf_queued(a), 0, "nothing queued");
	is_int(imsg_compose(a, MSG_BIG, 0, 0, -1, big, IMSG_MAX_DATA), 0,
	    "payload of exactly IMSG_MAX_DATA accepted");
	is_int(imsgbuf_flush(a), 0, "flushed");
	while (got == 0 && wait_read(b) > 0)
		got = imsg_get(b, &msg);
	is_int(got, 1, "largest message received");
	if (got == 1) {
		is_int(msg.datalen, IMSG_MAX_DATA, "its length");
		is_int(((unsigned char *)msg.data)[IMSG_MAX_DATA - 1], 0x5a,
		    "its last byte");
		imsg_free(&msg);
	} else
		skip(2, "nothing received");
	close(p[1]);
	free(big);
	imsgbuf_free(a);
	imsgbuf_free(b);
}

static void
test_bad_wire(void)
{
	unsigned char	 wire[64];
	struct imsgbuf	*b;
	struct imsg	 msg;
	size_t		 len;

	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, IMSG_MAX_SIZE + 1, 0, NULL, 0);
	imsgbuf_input(b, wire, len, NULL, 0);
	is_int(imsg_get(b, &msg), -1, "length above IMSG_MAX_SIZE: error");
	is_int(errno, EBADMSG, "errno EBADMSG");
	imsgbuf_free(b);

	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, IMSG_HDR_SIZE - 1, 0, NULL, 0);
	imsgbuf_input(b, wire, len, NULL, 0);
	is_int(imsg_get(b, &msg), -1, "length below the header: error");
	imsgbuf_free(b);

	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, IMSG_HDR_SIZE, 0x80, NULL, 0);
	imsgbuf_input(b, wire, len, NULL, 0);
	is_int(imsg_get(b, &msg), -1, "unknown flag: error");
	imsgbuf_free(b);

	/* Oversized is refused from the header alone. */
	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, 0xffffffffU, 0, NULL, 0);
	imsgbuf_input(b, wire, IMSG_HDR_SIZE, NULL, 0);
	is_int(imsg_get(b, &msg), -1,
	    "length 0xffffffff refused before its payload arrives");
	imsgbuf_free(b);

	/* Truncated: a complete header, half the payload. */
	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, IMSG_HDR_SIZE + 10, 0, "01234", 5);
	imsgbuf_input(b, wire, len, NULL, 0);
	is_int(imsg_get(b, &msg), 0, "truncated message: not yet complete");
	is_int(imsgbuf_pending(b), IMSG_HDR_SIZE + 5,
	    "its bytes stay pending (EOF then means truncated)");
	imsgbuf_free(b);
}

static void
test_fd_passing(void)
{
	struct imsgbuf	*a, *b;
	struct imsg	 msg;
	char		 buf[16];
	int		 sv[2], p[2], fd;
	ssize_t		 n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(p) == -1)
		fatal("socketpair");
	a = imsgbuf_new(sv[0]);
	b = imsgbuf_new(sv[1]);
	imsg_compose(a, MSG_SEQ, 1, 0, -1, "x", 1);
	imsg_compose(a, MSG_FD, 2, 0, p[0], "pipe", 4);
	imsg_compose(a, MSG_SEQ, 3, 0, -1, "y", 1);
	is_int(imsgbuf_flush(a), 0, "flush with an fd");
	ok(!fd_is_open(p[0]), "sender's copy of the fd closed once sent");
	while (imsgbuf_pending(b) < 3 * IMSG_HDR_SIZE + 6 &&
	    wait_read(b) > 0)
		;
	is_int(imsg_get(b, &msg), 1, "first message");
	is_int(msg.fd, -1, "first message: no fd");
	imsg_free(&msg);
	is_int(imsg_get(b, &msg), 1, "second message");
	ok(msg.hdr.flags & IMSG_F_FD, "second message flagged");
	fd = imsg_get_fd(&msg);
	ok(fd >= 0, "second message carries the fd (%d)", fd);
	is_int(imsg_get_fd(&msg), -1, "the fd can be taken once");
	imsg_free(&msg);
	is_int(write(p[1], "through", 7), 7, "write into the pipe");
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	is_mem(buf, n < 0 ? 0 : (size_t)n, "through", 7,
	    "read through the passed fd");
	is_int(imsg_get(b, &msg), 1, "third message");
	is_int(msg.fd, -1, "third message: no fd");
	imsg_free(&msg);
	if (fd >= 0)
		close(fd);
	close(p[1]);
	imsgbuf_free(a);
	imsgbuf_free(b);
}

static void
test_fd_matching(void)
{
	unsigned char	 wire[128];
	struct imsgbuf	*b;
	struct imsg	 msg;
	size_t		 len;
	int		 fds[2], fd;

	/* An fd with a message that does not expect one is closed. */
	b = imsgbuf_new(-1);
	fd = open("/dev/null", O_RDONLY);
	len = put_msg(wire, 1, IMSG_HDR_SIZE, 0, NULL, 0);
	imsgbuf_input(b, wire, len, &fd, 1);
	is_int(imsg_get(b, &msg), 1, "message without the fd flag");
	is_int(msg.fd, -1, "it gets no fd");
	imsg_free(&msg);
	ok(!fd_is_open(fd), "the unexpected fd was closed");
	imsgbuf_free(b);

	/* A flagged message whose fd did not come is an error. */
	b = imsgbuf_new(-1);
	len = put_msg(wire, 1, IMSG_HDR_SIZE, IMSG_F_FD, NULL, 0);
	imsgbuf_input(b, wire, len, NULL, 0);
	is_int(imsg_get(b, &msg), -1, "flagged message without an fd: error");
	imsgbuf_free(b);

	/* Two fds with one flagged message: the spare one is closed. */
	b = imsgbuf_new(-1);
	fds[0] = open("/dev/null", O_RDONLY);
	fds[1] = open("/dev/null", O_RDONLY);
	len = put_msg(wire, 1, IMSG_HDR_SIZE, IMSG_F_FD, NULL, 0);
	imsgbuf_input(b, wire, len, fds, 2);
	is_int(imsg_get(b, &msg), 1, "flagged message");
	is_int(msg.fd, fds[0], "gets the first fd");
	imsg_free(&msg);
	ok(!fd_is_open(fds[0]) && !fd_is_open(fds[1]),
	    "imsg_free closed its fd and the spare one is closed too");
	imsgbuf_free(b);

	/* fds still queued when the channel goes are closed. */
	b = imsgbuf_new(-1);
	fd = open("/dev/null", O_RDONLY);
	len = put_msg(wire, 1, IMSG_HDR_SIZE + 4, IMSG_F_FD, "ab", 2);
	imsgbuf_input(b, wire, len, &fd, 1);
	is_int(imsg_get(b, &msg), 0, "incomplete flagged message");
	imsgbuf_free(b);
	ok(!fd_is_open(fd), "imsgbuf_free closed the queued fd");

	/* The fd arrives with the first part; the rest comes later. */
	b = imsgbuf_new(-1);
	fd = open("/dev/null", O_RDONLY);
	len = put_msg(wire, 1, IMSG_HDR_SIZE, 0, NULL, 0);
	len += put_msg(wire + len, 2, IMSG_HDR_SIZE + 4, IMSG_F_FD,
	    "abcd", 4);
	imsgbuf_input(b, wire, IMSG_HDR_SIZE + 3, &fd, 1);
	imsgbuf_input(b, wire + IMSG_HDR_SIZE + 3, len - IMSG_HDR_SIZE - 3,
	    NULL, 0);
	is_int(imsg_get(b, &msg), 1, "split: first message");
	is_int(msg.fd, -1, "split: first has no fd");
	imsg_free(&msg);
	is_int(imsg_get(b, &msg), 1, "split: second message");
	is_int(msg.fd, fd, "split: second gets the fd read with its head");
	imsg_free(&msg);
	imsgbuf_free(b);
}

static void
test_size_checks(void)
{
	struct imsgbuf	*b;
	struct imsg	 msg;
	unsigned char	 wire[128];
	struct pair	 pr = { 7, 8 }, out;
	char		 s[8];
	size_t		 len;

	b = imsgbuf_new(-1);
	len = put_msg(wire, MSG_PAIR, IMSG_HDR_SIZE + sizeof(pr), 0, &pr,
	    sizeof(pr));
	len += put_msg(wire + len, MSG_PAIR, IMSG_HDR_SIZE + 3, 0, "ab", 3);
	len += put_msg(wire + len, MSG_PAIR, IMSG_HDR_SIZE + 3, 0, "a\0b",
	    3);
	imsgbuf_input(b, wire, len, NULL, 0);

	imsg_get(b, &msg);
	memset(&out, 0, sizeof(out));
	is_int(imsg_get_data(&msg, &out, sizeof(out)), 0,
	    "get_data: exact size accepted");
	ok(out.a == 7 && out.b == 8, "get_data copied it");
	is_int(imsg_get_data(&msg, &out, sizeof(out) - 1), -1,
	    "get_data: payload bigger than expected refused");
	is_int(imsg_check_len(&msg, sizeof(out) + 1), -1,
	    "check_len: payload smaller than expected refused");
	is_int(imsg_check_minlen(&msg, 4), 0, "check_minlen: 8 >= 4");
	is_int(imsg_check_minlen(&msg, 9), -1, "check_minlen: 8 < 9 refused");
	is_int(imsg_get_string(&msg, s, sizeof(s)), -1,
	    "get_string: no NUL at the end refused");
	imsg_free(&msg);

	imsg_get(b, &msg);
	is_int(imsg_get_string(&msg, s, sizeof(s)), 0, "get_string: \"ab\"");
	is_str(s, "ab", "get_string copied it");
	is_int(imsg_get_string(&msg, s, 2), -1,
	    "get_string: does not fit: refused");
	is_int(imsg_get_data(&msg, &out, sizeof(out)), -1,
	    "get_data: 3 bytes for an 8-byte struct refused");
	imsg_free(&msg);

	imsg_get(b, &msg);
	is_int(imsg_get_string(&msg, s, sizeof(s)), -1,
	    "get_string: embedded NUL refused");
	imsg_free(&msg);
	imsgbuf_free(b);
}

/* imsgev: two ends in one event base, bulk one way, echo back. */
struct evside {
	struct event_base	*base;
	struct imsgev		*iev;
	int			 got;
	int			 bad;
	int			 closed;
	int			 want;
	int			 echoed;
};

static void	ev_recv_cb(struct imsgev *, struct imsg *, void *);
static void	ev_send_cb(struct imsgev *, struct imsg *, void *);

#define EV_BULK		200
#define EV_BULK_SIZE	60000

static void
ev_recv_cb(struct imsgev *iev, struct imsg *msg, void *arg)
{
	struct evside	*s = arg;
	unsigned char	*d;

	if (msg == NULL) {
		s->closed++;
		imsgev_free(iev);
		s->iev = NULL;
		event_base_loopexit(s->base, NULL);
		return;
	}
	d = msg->data;
	if (msg->hdr.type != MSG_BIG || msg->datalen != EV_BULK_SIZE ||
	    msg->hdr.peerid != (uint32_t)s->got ||
	    d[0] != (unsigned char)s->got ||
	    d[EV_BULK_SIZE - 1] != (unsigned char)s->got)
		s->bad++;
	s->got++;
	imsgev_compose(iev, MSG_SEQ, msg->hdr.peerid, -1, NULL, 0);
}

static void
ev_send_cb(struct imsgev *iev, struct imsg *msg, void *arg)
{
	struct evside	*s = arg;

	if (msg == NULL) {
		s->closed++;
		imsgev_free(iev);
		s->iev = NULL;
		return;
	}
	if (msg->hdr.type == MSG_SEQ && msg->hdr.peerid == (uint32_t)s->echoed)
		s->echoed++;
	else
		s->bad++;
	if (s->echoed == s->want)
		event_base_loopexit(s->base, NULL);
}

static void
test_imsgev(void)
{
	struct event_base	*base;
	struct evside		 snd, rcv;
	struct timeval		 tv = { 20, 0 };
	unsigned char		*buf;
	int			 sv[2], i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		fatal("socketpair");
	base = event_base_new();
	memset(&snd, 0, sizeof(snd));
	memset(&rcv, 0, sizeof(rcv));
	snd.base = rcv.base = base;
	snd.want = EV_BULK;
	snd.iev = imsgev_new(base, sv[0], ev_send_cb, &snd);
	rcv.iev = imsgev_new(base, sv[1], ev_recv_cb, &rcv);
	imsgev_set_name(snd.iev, "sender");
	buf = xmalloc(EV_BULK_SIZE);
	/* 12 MB queued at once: far more than the socket takes. */
	for (i = 0; i < EV_BULK; i++) {
		memset(buf, i, EV_BULK_SIZE);
		imsgev_compose(snd.iev, MSG_BIG, i, -1, buf, EV_BULK_SIZE);
	}
	free(buf);
	ok(imsgbuf_queued(imsgev_buf(snd.iev)) ==
	    (size_t)EV_BULK * (EV_BULK_SIZE + IMSG_HDR_SIZE),
	    "imsgev: 12 MB queued");
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	is_int(rcv.got, EV_BULK, "imsgev: every message arrived");
	is_int(rcv.bad, 0, "imsgev: in order, intact");
	is_int(snd.echoed, EV_BULK, "imsgev: every echo came back");
	is_int(snd.bad, 0, "imsgev: echoes in order");

	/* The sender goes away: the receiver's callback sees the close. */
	imsgev_free(snd.iev);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	is_int(rcv.closed, 1, "imsgev: close reported once, with msg NULL");
	ok(rcv.iev == NULL, "imsgev: freed from inside its callback");
	event_base_free(base);
}

/*
 * Many messages of varied sizes, every third with a pipe whose other end
 * holds the message's number: each fd must reach its own message, read
 * after read, whatever the kernel glues together.
 */
#define FDS_MSGS	300

struct fdside {
	struct event_base	*base;
	int			 got;
	int			 fds;
	int			 bad;
};

static void	fds_recv_cb(struct imsgev *, struct imsg *, void *);

static void
fds_recv_cb(struct imsgev *iev, struct imsg *msg, void *arg)
{
	struct fdside	*s = arg;
	uint32_t	 n = 0;
	int		 fd;

	if (msg == NULL) {
		imsgev_free(iev);
		event_base_loopexit(s->base, NULL);
		return;
	}
	if (msg->hdr.peerid != (uint32_t)s->got)
		s->bad++;
	fd = imsg_get_fd(msg);
	if ((msg->hdr.peerid % 3 == 0) != (fd != -1))
		s->bad++;
	if (fd != -1) {
		if (read(fd, &n, sizeof(n)) != sizeof(n) ||
		    n != msg->hdr.peerid)
			s->bad++;
		close(fd);
		s->fds++;
	}
	s->got++;
	if (s->got == FDS_MSGS)
		event_base_loopexit(s->base, NULL);
}

static void
test_imsgev_fds(void)
{
	struct event_base	*base;
	struct imsgev		*snd, *rcv;
	struct fdside		 s;
	struct timeval		 tv = { 20, 0 };
	unsigned char		*buf;
	uint32_t		 i;
	int			 sv[2], p[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		fatal("socketpair");
	base = event_base_new();
	memset(&s, 0, sizeof(s));
	s.base = base;
	snd = imsgev_new(base, sv[0], ev_send_cb, NULL);
	rcv = imsgev_new(base, sv[1], fds_recv_cb, &s);
	buf = xcalloc(1, 20000);
	for (i = 0; i < FDS_MSGS; i++) {
		p[0] = -1;
		if (i % 3 == 0) {
			if (pipe(p) == -1)
				fatal("pipe");
			if (write(p[1], &i, sizeof(i)) != sizeof(i))
				fatal("write");
			close(p[1]);
		}
		imsgev_compose(snd, MSG_FD, i, p[0], buf, (i * 7919) % 20000);
	}
	free(buf);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	is_int(s.got, FDS_MSGS, "fds: every message arrived");
	is_int(s.fds, FDS_MSGS / 3, "fds: every third carried an fd");
	is_int(s.bad, 0, "fds: each fd with its own message, content right");
	imsgev_free(snd);
	imsgev_free(rcv);
	event_base_free(base);
}

/* Errors on the wire close the channel; nothing crashes. */
static void
test_imsgev_errors(void)
{
	struct event_base	*base;
	struct evside		 rcv;
	struct timeval		 tv = { 5, 0 };
	unsigned char		 wire[128];
	size_t			 len;
	int			 sv[2], round;

	for (round = 0; round < 2; round++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
			fatal("socketpair");
		base = event_base_new();
		memset(&rcv, 0, sizeof(rcv));
		rcv.base = base;
		rcv.iev = imsgev_new(base, sv[1], ev_recv_cb, &rcv);
		if (round == 0) {
			/* Oversized header: the channel closes. */
			len = put_msg(wire, MSG_BIG, IMSG_MAX_SIZE + 1, 0,
			    NULL, 0);
			if (write(sv[0], wire, len) != (ssize_t)len)
				fatal("write");
		} else {
			/* Half a message, then EOF. */
			len = put_msg(wire, MSG_BIG, IMSG_HDR_SIZE + 50, 0,
			    "0123456789", 10);
			if (write(sv[0], wire, len) != (ssize_t)len)
				fatal("write");
			close(sv[0]);
		}
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		is_int(rcv.got, 0, "%s: no message delivered",
		    round == 0 ? "oversized" : "truncated");
		is_int(rcv.closed, 1, "%s: channel closed",
		    round == 0 ? "oversized" : "truncated");
		if (round == 0)
			close(sv[0]);
		event_base_free(base);
	}
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	signal(SIGPIPE, SIG_IGN);
	plan(94);

	test_round_trip();
	test_many();
	test_bytewise_input();
	test_bytewise_child();
	test_max_size();
	test_bad_wire();
	test_fd_passing();
	test_fd_matching();
	test_size_checks();
	test_imsgev();
	test_imsgev_fds();
	test_imsgev_errors();
	return done_testing();
}
