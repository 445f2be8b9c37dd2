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

#ifndef MX_SMTPC_H
#define MX_SMTPC_H

/*
 * Asynchronous SMTP / LMTP client on common/io.
 *
 *	s = smtpc_connect(base, sa, salen, &params, cb, arg);
 *	cb(s, SMTPC_READY)	banner, EHLO (or HELO; LHLO for LMTP),
 *				STARTTLS + EHLO again, AUTH are done
 *	smtpc_send(s, msg)	RSET if needed, MAIL, RCPT..., DATA, body
 *	cb(s, SMTPC_DONE)	msg->rcpts[i].result is the final word on
 *				each recipient; smtpc_send() again, or
 *	smtpc_quit(s)		QUIT; cb(s, SMTPC_CLOSED) follows
 *	smtpc_command(s, ...)	one command; cb(s, SMTPC_REPLY) follows
 *	cb(s, SMTPC_ERROR)	the session is unusable: smtpc_status(s)
 *				says why (a real or a local reply); a
 *				message in flight has every recipient
 *				without a final reply given that status
 *
 * The callback may smtpc_free() the session (and should after
 * SMTPC_ERROR and SMTPC_CLOSED).  It is never called from inside an
 * smtpc_* call.
 *
 * Local replies (no answer from the server) use SMTP codes so a caller
 * can pass them on: 421 4.4.1 connection refused / no answer, 421 4.4.2
 * timeout or connection lost, 421 4.7.0 TLS failure, 554 5.3.4 message
 * larger than the server's SIZE; they have local set.  A reply's class
 * (smtpc_reply_temp/perm) is what a caller answers its own client with.
 *
 * The body is sent from an evbuffer or a file descriptor, neither of
 * which is consumed (a message can be sent again elsewhere): CRLF is
 * normalised (bare LF and bare CR become CRLF), lines starting with "."
 * are dot-stuffed, a missing final CRLF is added, in large chunks.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

struct event_base;
struct evbuffer;
struct io;
struct smtpc;
typedef struct ssl_ctx_st SSL_CTX;

#define SMTPC_TEXT_MAX		512
#define SMTPC_LINE_MAX		4096	/* longest reply line accepted */

struct smtpc_reply {
	int		 code;		/* 0: no reply (yet) */
	int		 local;		/* made up here, not the server's */
	int		 nlines;
	char		 status[16];	/* enhanced code "2.1.5" or "" */
	char		 text[SMTPC_TEXT_MAX]; /* lines joined with "\n" */
};

/* Capabilities (EHLO/LHLO keywords). */
#define SMTPC_CAP_PIPELINING	0x0001
#define SMTPC_CAP_SIZE		0x0002
#define SMTPC_CAP_8BITMIME	0x0004
#define SMTPC_CAP_STARTTLS	0x0008
#define SMTPC_CAP_AUTH		0x0010
#define SMTPC_CAP_ENHANCED	0x0020	/* ENHANCEDSTATUSCODES */
#define SMTPC_CAP_DSN		0x0040
#define SMTPC_CAP_SMTPUTF8	0x0080
#define SMTPC_CAP_CHUNKING	0x0100
#define SMTPC_CAP_BINARYMIME	0x0200

#define SMTPC_AUTH_PLAIN	0x01
#define SMTPC_AUTH_LOGIN	0x02
#define SMTPC_AUTH_CRAM_MD5	0x04
#define SMTPC_AUTH_OTHER	0x80

struct smtpc_caps {
	int		 flags;		/* SMTPC_CAP_* */
	int		 auth;		/* SMTPC_AUTH_* */
	size_t		 size;		/* SIZE n; 0: none given */
};

/* STARTTLS policy. */
#define SMTPC_TLS_NO		0	/* never */
#define SMTPC_TLS_TRY		1	/* if offered; any certificate;
					   a failed handshake: connect
					   again without (smtpc_connect) */
#define SMTPC_TLS_VERIFY	2	/* required, chain + name verified */

struct smtpc_params {
	const char	*helo;		/* our name; NULL: "localhost" */
	int		 lmtp;
	int		 tls;		/* SMTPC_TLS_* */
	SSL_CTX		*ssl_ctx;	/* client context (for tls != NO) */
	const char	*servername;	/* SNI and name verified */
	const char	*auth_user;	/* AUTH PLAIN if set */
	const char	*auth_pass;
	/* msec; 0: the default in parentheses */
	int		 timeout_connect;	/* (30 s) */
	int		 timeout_greeting;	/* (300 s) */
	int		 timeout_cmd;		/* (300 s) reply to a command */
	int		 timeout_data;		/* (600 s) no progress in body,
						   reply to end of data */
};

struct smtpc_rcpt {
	const char		*addr;		/* without <> */
	const char		*dsn;		/* "NOTIFY=... ORCPT=..." */
	struct smtpc_reply	 rcpt;		/* reply to RCPT TO */
	struct smtpc_reply	 result;	/* the final word */
};

struct smtpc_msg {
	const char		*from;		/* without <>; "" for <> */
	const char		*dsn;		/* "RET=... ENVID=..." */
	int			 body8bit;	/* BODY=8BITMIME */
	int			 smtputf8;	/* SMTPUTF8 */
	struct evbuffer		*head;		/* sent first (may be NULL) */
	struct evbuffer		*body;		/* then either this */
	int			 fd;		/* or this (pread from 0) */
	size_t			 nrcpts;
	struct smtpc_rcpt	*rcpts;
	struct smtpc_reply	 mail;		/* reply to MAIL FROM */
	struct smtpc_reply	 data;		/* to DATA, then end of data
						   (SMTP; LMTP: the last) */
	size_t			 naccepted;	/* final 2xx recipients */
};

enum smtpc_event {
	SMTPC_READY = 1,
	SMTPC_DONE,
	SMTPC_CLOSED,
	SMTPC_ERROR,
	SMTPC_REPLY
};

typedef void (*smtpc_cb)(struct smtpc *, int, void *);

struct smtpc	*smtpc_connect(struct event_base *, const struct sockaddr *,
		    socklen_t, const struct smtpc_params *, smtpc_cb, void *);
/* Take over an established io (the banner is still to be read). */
struct smtpc	*smtpc_new(struct event_base *, struct io *,
		    const struct smtpc_params *, smtpc_cb, void *);
void		 smtpc_free(struct smtpc *);
int		 smtpc_send(struct smtpc *, struct smtpc_msg *);
void		 smtpc_quit(struct smtpc *);
const struct smtpc_reply *smtpc_status(struct smtpc *);
const struct smtpc_caps *smtpc_caps(struct smtpc *);
const struct smtpc_reply *smtpc_banner(struct smtpc *);
int		 smtpc_tls_active(struct smtpc *);

/*
 * Step by step (the proxy relays its client's envelope as it comes):
 * smtpc_command sends one command line (no CRLF) from READY and
 * SMTPC_REPLY follows (smtpc_last_reply); smtpc_data sends DATA and the
 * body of msg, whose rcpts are the recipients the server accepted (LMTP
 * answers once for each), and SMTPC_DONE follows.  smtpc_reset sends
 * RSET before the next command or transaction, its reply unreported.
 */
int		 smtpc_command(struct smtpc *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
const struct smtpc_reply *smtpc_last_reply(struct smtpc *);
int		 smtpc_data(struct smtpc *, struct smtpc_msg *);
void		 smtpc_reset(struct smtpc *);
const char	*smtpc_strevent(int);

/* Message set-up helpers (the caller may also fill the struct). */
void		 smtpc_msg_init(struct smtpc_msg *, const char *);
void		 smtpc_msg_add_rcpt(struct smtpc_msg *, const char *);
void		 smtpc_msg_clear(struct smtpc_msg *);	/* frees rcpts */

/* Replies. */
void		 smtpc_reply_clear(struct smtpc_reply *);
/*
 * Feed one reply line (CRLF or LF stripped or not): 1 when the reply is
 * complete, 0 when more lines follow, -1 when the line is malformed.
 */
int		 smtpc_reply_feed(struct smtpc_reply *, const char *, size_t);
void		 smtpc_reply_set(struct smtpc_reply *, int, const char *,
		    const char *);
int		 smtpc_reply_temp(const struct smtpc_reply *);
int		 smtpc_reply_perm(const struct smtpc_reply *);
/* "250 2.0.0 text" on one line (first line of text) into buf. */
const char	*smtpc_reply_str(const struct smtpc_reply *, char *, size_t);

/* Capabilities: one line of text from an EHLO reply (after "250-"). */
void		 smtpc_caps_parse(struct smtpc_caps *, const char *, size_t);

/*
 * Dot-stuffing and CRLF normalisation, streaming: feed any split of the
 * body, then end (adds a final CRLF if missing, then ".\r\n").
 */
struct smtpc_dot {
	int		 bol;		/* at the beginning of a line */
	int		 skiplf;	/* a CR went out as CRLF: drop a LF */
};
void		 smtpc_dot_init(struct smtpc_dot *);
int		 smtpc_dot_feed(struct smtpc_dot *, const void *, size_t,
		    struct evbuffer *);
int		 smtpc_dot_end(struct smtpc_dot *, struct evbuffer *);

#endif /* MX_SMTPC_H */
