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

#ifndef MX_IO_H
#define MX_IO_H

/*
 * Buffered, event-driven I/O on a connected socket, plain or TLS, over
 * libevent bufferevents.  One callback receives every event:
 *
 *	IO_CONNECTED	io_connect() finished the TCP connection
 *	IO_TLSREADY	the TLS handshake finished (io_start_tls)
 *	IO_DATAIN	new input is buffered (read it with io_getline or
 *			io_data/io_datalen/io_drop)
 *	IO_LOWAT	the output buffer drained to the low-water mark
 *			(0 unless io_set_lowat says otherwise)
 *	IO_CLOSED	the peer closed the connection
 *	IO_TIMEOUT	nothing was read or written for the timeout
 *	IO_ERROR	socket or TLS error; io_error() says what
 *
 * The callback may io_free() the io it was called for; nothing touches
 * the io after the callback returns.  Callbacks never run from inside an
 * io_* call (libevent's deferred callbacks), so there is no re-entry.
 *
 * Backpressure: io_pause(io, IO_IN) stops reading (and the read timeout);
 * io_resume() starts again.  Input is also read no further once
 * io_set_read_max() bytes are buffered and unconsumed.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct io;
typedef struct ssl_st SSL;

enum io_event {
	IO_CONNECTED = 1,
	IO_TLSREADY,
	IO_DATAIN,
	IO_LOWAT,
	IO_CLOSED,
	IO_TIMEOUT,
	IO_ERROR
};

#define IO_IN		0x01
#define IO_OUT		0x02

typedef void (*io_cb)(struct io *, int, void *);

/* Take over connected socket fd (made non-blocking; closed by io_free). */
struct io	*io_new(struct event_base *, int, io_cb, void *);
/* Connect to sa (optionally from src); IO_CONNECTED or IO_ERROR follows. */
struct io	*io_connect(struct event_base *, const struct sockaddr *,
		    socklen_t, const struct sockaddr *, io_cb, void *);
void		 io_free(struct io *);
void		 io_set_callback(struct io *, io_cb, void *);
void		 io_set_timeout(struct io *, int);	/* msec, 0: none */
void		 io_set_lowat(struct io *, size_t);
void		 io_set_read_max(struct io *, size_t);	/* 0: no limit */
void		 io_pause(struct io *, int);
void		 io_resume(struct io *, int);
int		 io_fileno(struct io *);
const char	*io_error(struct io *);
const char	*io_strevent(int);

/* Output.  Nothing is sent per call: data leaves in large writes. */
int		 io_write(struct io *, const void *, size_t);
int		 io_print(struct io *, const char *);
int		 io_printf(struct io *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
int		 io_vprintf(struct io *, const char *, va_list)
		    __attribute__((__format__ (printf, 2, 0)));
/* Move all of buf to the output without copying; buf is left empty. */
int		 io_write_buffer(struct io *, struct evbuffer *);
size_t		 io_queued(struct io *);

/* Input. */
size_t		 io_datalen(struct io *);
void		*io_data(struct io *);		/* all input, contiguous */
void		 io_drop(struct io *, size_t);
/*
 * The next line, terminator included (it ends in "\n"; "\r\n" is left
 * as it came): returns its length and points *line into the input
 * buffer, valid until the next io_* call; the caller io_drop()s it when
 * done.  Returns 0 when no full line is buffered yet, -1 when max octets
 * arrived without a "\n" (the line is too long: see io_skip_line).
 */
ssize_t		 io_getline(struct io *, size_t, char **);
/* Discard input up to and including the next "\n", however far. */
void		 io_skip_line(struct io *);

/*
 * TLS.  Start TLS on the connection in place (STARTTLS, or at once for
 * smtps): ssl is a fresh SSL from the caller's context; server says
 * which side we are.  Input buffered before the call is discarded, so
 * that plaintext pipelined after STARTTLS never counts as TLS input.
 * IO_TLSREADY or IO_ERROR follows.
 */
int		 io_start_tls(struct io *, SSL *, int);
SSL		*io_tls(struct io *);		/* NULL until io_start_tls */
int		 io_tls_ready(struct io *);

#endif /* MX_IO_H */
