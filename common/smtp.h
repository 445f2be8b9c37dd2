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

#ifndef MX_SMTP_H
#define MX_SMTP_H

/*
 * The server side of the shared SMTP engine (ESMTP and LMTP).  Its
 * behaviour on the wire is described in mxsuite-smtp(7).
 *
 * An application (greyd, mtad, filterd, dkimsignd, maild) describes a
 * listener with a struct smtp_config and gets a struct smtp_server; each
 * accepted connection becomes a struct smtp_session (smtp_session_new,
 * or smtp_server_listen to let the engine accept).  The engine parses
 * commands, enforces sequence, limits and the extensions the listener
 * offers, and calls one hook per phase.
 *
 * Hooks and replies.  Every hook receives the session and the session's
 * application pointer (smtp_config.arg, or what smtp_session_set_arg
 * stored).  A hook answers in one of three ways:
 *   - it returns SMTP_DEFAULT without calling smtp_reply(): the engine
 *     sends its default reply (listed at each hook below);
 *   - it calls smtp_reply() before returning (return value ignored);
 *   - it returns SMTP_DEFER and calls smtp_reply() later, from any
 *     event (asynchronously).  Until then input processing pauses (the
 *     idle timeout too), later pipelined commands wait, and replies
 *     still go out in command order.
 * A missing hook (NULL) behaves as one returning SMTP_DEFAULT.
 * The reply's first digit decides what the engine does: 2xx/3xx accept
 * the step (the sender, the recipient, DATA, the message...), 4xx/5xx
 * refuse it.  421 always closes the session after the reply is sent.
 *
 * smtp_reply() never calls back into the application: the engine acts
 * on the reply from the event loop.
 *
 * Pointers passed to hooks (addresses, parameters, credentials, lines)
 * are valid during the call only; copy what you keep.  Before the
 * connect hook has run (smtps: during the handshake) the session's
 * pointer is smtp_config.arg; the disconnect hook may see it so.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct smtp_server;
struct smtp_session;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

/* Limits (RFC 5321 4.5.3.1 and RFC 4954 4). */
#define SMTP_LINE_MAX		512	/* command line, CRLF included */
#define SMTP_AUTH_LINE_MAX	12288	/* AUTH command and SASL lines */
#define SMTP_TEXTLINE_DEFAULT	1000	/* text line in DATA, CRLF incl. */
#define SMTP_TEXTLINE_HARDMAX	65536	/* largest configurable text line */
#define SMTP_LOCAL_MAX		255	/* local part (RFC says 64; lenient) */
#define SMTP_DOMAIN_MAX		255
#define SMTP_PATH_MAX		(SMTP_LOCAL_MAX + 1 + SMTP_DOMAIN_MAX)
#define SMTP_REPLY_MAX		512	/* one reply line, CRLF included */
#define SMTP_ENVID_MAX		100	/* RFC 3461 4.4 */
#define SMTP_ORCPT_MAX		500	/* RFC 3461 4.2 */
#define SMTP_RCPT_DEFAULT	100	/* recipients per message */
#define SMTP_ERRORS_DEFAULT	10	/* bad commands before 421 */
#define SMTP_TIMEOUT_DEFAULT	300000	/* idle timeout, msec */

/* Hook return values. */
#define SMTP_DEFAULT		0	/* no opinion: the default reply */
#define SMTP_DEFER		1	/* smtp_reply() will come later */
#define SMTP_UNCOUNTED		2	/* error hook: not a counted error */

/* smtp_config.flags: what the listener offers and demands. */
#define SMTP_F_LMTP		0x0001	/* LMTP: LHLO, per-recipient replies */
#define SMTP_F_SMTPS		0x0002	/* TLS from the first byte */
#define SMTP_F_STARTTLS		0x0004	/* offer STARTTLS (needs tls_ctx) */
#define SMTP_F_TLS_REQUIRE	0x0008	/* 530 until STARTTLS is done */
#define SMTP_F_AUTH		0x0010	/* offer AUTH PLAIN LOGIN */
#define SMTP_F_AUTH_PLAINTEXT	0x0020	/* ...also without TLS */
#define SMTP_F_AUTH_REQUIRE	0x0040	/* 530 at MAIL until authenticated */
#define SMTP_F_DSN		0x0080	/* offer DSN (RET ENVID NOTIFY ORCPT) */
#define SMTP_F_NO_PIPELINING	0x0100	/* do not advertise PIPELINING */
#define SMTP_F_NO_8BITMIME	0x0200	/* do not offer 8BITMIME */
#define SMTP_F_NO_SMTPUTF8	0x0400	/* do not offer SMTPUTF8 */
#define SMTP_F_NO_ENHANCED	0x0800	/* do not advertise the extension */
#define SMTP_F_HELO_VERBATIM	0x1000	/* a 2xx helo hook reply replaces the
					   greeting and capability list */
#define SMTP_F_LAX_SEQUENCE	0x2000	/* MAIL accepted before HELO/EHLO */
#define SMTP_F_LAX_HELO		0x4000	/* HELO/EHLO: any first word; only an
					   empty argument is an error */
#define SMTP_F_ERRORS_QUIET	0x8000	/* at max_errors: no 421, the last
					   error reply is sent, then close */
#define SMTP_F_PACE_DELAY	0x10000	/* paced output: each reply waits one
					   interval before its first octet */
#define SMTP_F_LOG_QUIET	0x20000	/* connect, message and disconnect
					   logged at debug level only (the
					   application logs its own) */

/* Parsed command verbs. */
enum smtp_verb {
	SMTP_CMD_NONE = 0,	/* empty line */
	SMTP_CMD_UNKNOWN,	/* 500 5.5.1 */
	SMTP_CMD_HELO,
	SMTP_CMD_EHLO,
	SMTP_CMD_LHLO,
	SMTP_CMD_STARTTLS,
	SMTP_CMD_AUTH,
	SMTP_CMD_MAIL,
	SMTP_CMD_RCPT,
	SMTP_CMD_DATA,
	SMTP_CMD_RSET,
	SMTP_CMD_NOOP,
	SMTP_CMD_QUIT,
	SMTP_CMD_HELP,
	SMTP_CMD_VRFY,
	SMTP_CMD_EXPN,
	SMTP_CMD_NOTIMPL	/* BDAT ETRN TURN ATRN SEND SOML SAML: 502 */
};

/* A command line split into verb and arguments. */
struct smtp_cmd {
	enum smtp_verb	 verb;
	const char	*name;		/* the verb, upper case (static) */
	char		*args;		/* after the verb; "" if none */
};

/*
 * A path: <local@domain>.  Null reverse-path <>: both empty.  RCPT
 * <postmaster> (RFC 5321 4.1.1.3): local "postmaster", domain "".
 * A quoted local part is kept as it came, quotes included.  Source
 * routes (<@a,@b:user@dom>) are accepted and dropped.
 */
struct smtp_addr {
	char	local[SMTP_LOCAL_MAX + 1];
	char	domain[SMTP_DOMAIN_MAX + 1];
};

#define SMTP_BODY_NONE		0	/* no BODY= parameter */
#define SMTP_BODY_7BIT		1
#define SMTP_BODY_8BITMIME	2

#define SMTP_RET_NONE		0
#define SMTP_RET_FULL		1
#define SMTP_RET_HDRS		2

/* MAIL FROM parameters (RFC 1870, 6152, 6531, 3461, 4954). */
struct smtp_mail_params {
	int		 has_size;
	uint64_t	 size;		/* SIZE=, when has_size */
	int		 body;		/* SMTP_BODY_* */
	int		 smtputf8;	/* SMTPUTF8 given */
	int		 ret;		/* SMTP_RET_* */
	char		 envid[SMTP_ENVID_MAX + 1];	/* xtext, as sent */
	char		 auth[SMTP_PATH_MAX + 3];	/* AUTH=, as sent */
	const char	*raw;		/* parameters as sent (hooks only) */
};

#define SMTP_NOTIFY_NEVER	0x01
#define SMTP_NOTIFY_SUCCESS	0x02
#define SMTP_NOTIFY_FAILURE	0x04
#define SMTP_NOTIFY_DELAY	0x08

/* RCPT TO parameters (RFC 3461). */
struct smtp_rcpt_params {
	int		 notify;	/* SMTP_NOTIFY_* mask, 0: not given */
	char		 orcpt[SMTP_ORCPT_MAX + 1];	/* "type;xtext" */
	const char	*raw;		/* parameters as sent (hooks only) */
};

/* One accepted recipient of the current transaction. */
struct smtp_rcpt {
	struct smtp_addr	 addr;
	struct smtp_rcpt_params	 params;	/* raw is NULL here */
};

/*
 * Parameter parsing flags: which extensions the listener offers.  A
 * parameter of an extension not offered is "not recognised" (555).
 */
#define SMTP_P_SIZE		0x01
#define SMTP_P_8BITMIME		0x02
#define SMTP_P_SMTPUTF8		0x04
#define SMTP_P_DSN		0x08
#define SMTP_P_AUTH		0x10

/* body hook flags */
#define SMTP_LINE_HEADER	0x01	/* a header line (before the blank) */

/* The message as the engine saw it, at the end of data. */
struct smtp_msg {
	size_t	size;			/* octets, unstuffed, CRLF included */
	size_t	nlines;
	size_t	nrcpt;			/* accepted recipients */
};

/* Why a transaction was dropped (rset hook). */
enum smtp_rset_why {
	SMTP_RSET_CMD = 1,	/* RSET command: the hook may reply */
	SMTP_RSET_HELO,		/* HELO/EHLO/LHLO again */
	SMTP_RSET_TLS,		/* STARTTLS */
	SMTP_RSET_REJECTED,	/* engine refused the message at end of data
				   (bare CR/LF, line too long, too big, body
				   hook error) */
	SMTP_RSET_DISCONNECT	/* connection lost mid-transaction */
};

struct smtp_hooks {
	/*
	 * New connection, before the banner.  Default: the banner
	 * "220 <hostname> ESMTP <banner>".  A 2xx reply replaces the
	 * banner; 421 is sent and closes; 554 is sent and the session
	 * answers 503 to everything but QUIT (RFC 5321 3.1).  Deferring
	 * delays the banner (the early-talker check applies).
	 */
	int	(*connect)(struct smtp_session *, void *);
	/*
	 * The client talked before the banner went out.  Default:
	 * "554 5.5.0 SMTP protocol violation: talked before the banner"
	 * and close.  A 2xx reply is sent as the banner and the session
	 * goes on (the early input is then processed); any other reply is
	 * sent and the connection closed.
	 */
	int	(*early_talker)(struct smtp_session *, void *);
	/*
	 * HELO/EHLO/LHLO with its argument (verb: smtp_session_esmtp()).
	 * Default: 250 with the capabilities.  A 2xx reply: the engine
	 * still sends its own greeting and capability list, unless the
	 * listener has SMTP_F_HELO_VERBATIM: then the reply is sent as it
	 * is (multi-line: "250 host\nEXT\nEXT"); 4xx/5xx are sent as they
	 * are and the greeting is not recorded.
	 */
	int	(*helo)(struct smtp_session *, void *, const char *);
	/* TLS is up (STARTTLS or smtps).  A 421 reply closes. */
	int	(*tls)(struct smtp_session *, void *);
	/*
	 * AUTH: mechanism ("PLAIN" or "LOGIN"), authzid ("" if none),
	 * user, password, decoded.  Wiped after the call: copy them if you
	 * defer.  Default: 535 5.7.8 Authentication failed.  235 = ok.
	 */
	int	(*auth)(struct smtp_session *, void *, const char *,
		    const char *, const char *, const char *);
	/* MAIL FROM.  Default 250 2.1.0 Ok. */
	int	(*mail)(struct smtp_session *, void *, const struct smtp_addr *,
		    const struct smtp_mail_params *);
	/* RCPT TO.  Default 250 2.1.5 Ok.  2xx adds the recipient. */
	int	(*rcpt)(struct smtp_session *, void *, const struct smtp_addr *,
		    const struct smtp_rcpt_params *);
	/* DATA.  Default 354 (go ahead).  4xx/5xx refuse DATA. */
	int	(*data)(struct smtp_session *, void *);
	/*
	 * One line of message content: dot-unstuffed, ending in CRLF,
	 * flags SMTP_LINE_HEADER while in the header.  Not called again
	 * once the message is doomed (bare CR/LF, too long, too big).
	 * Return 0, or -1 to fail the message: the engine then answers
	 * "451 4.3.0 Local error in processing" at the end of data unless
	 * the app replaced it with smtp_data_fail().  Use smtp_pause() /
	 * smtp_resume() for backpressure.
	 */
	int	(*body)(struct smtp_session *, void *, const char *, size_t,
		    int);
	/*
	 * End of data (CRLF.CRLF), message valid.  Default 250 2.0.0 Ok.
	 * Reply only once the message is durable.  LMTP: one reply per
	 * accepted recipient, in RCPT order (smtp_reply() called nrcpt
	 * times); replies still missing when the hook returns
	 * SMTP_DEFAULT get the default.
	 */
	int	(*eom)(struct smtp_session *, void *, const struct smtp_msg *);
	/* Transaction dropped (see smtp_rset_why).  Default 250 2.0.0 Ok. */
	int	(*rset)(struct smtp_session *, void *, enum smtp_rset_why);
	/* QUIT.  Default 221 2.0.0 Bye; the session closes after it. */
	int	(*quit)(struct smtp_session *, void *);
	/*
	 * The session ends (any reason: QUIT, 421, timeout, error, peer
	 * gone).  Last call for this session: cancel pending work (a
	 * deferred reply must never come) and free your state here.  The
	 * session is freed right after; do not call smtp_* on it.
	 */
	void	(*disconnect)(struct smtp_session *, void *, const char *);
	/*
	 * STARTTLS (offered, allowed now).  Default "220 2.0.0 Ready to
	 * start TLS"; a 2xx reply replaces it, 4xx/5xx refuse TLS.
	 */
	int	(*starttls)(struct smtp_session *, void *);
	/* NOOP.  Default 250 2.0.0 Ok. */
	int	(*noop)(struct smtp_session *, void *);
	/*
	 * A client error the engine answers itself (unknown or not
	 * implemented command, bad syntax, bad sequence, line too long),
	 * with the command's verb (SMTP_CMD_UNKNOWN for a line too long),
	 * the default reply text, and last: 1 when this error reaches
	 * max_errors.  A reply given during the call replaces the default
	 * (no deferring: SMTP_DEFER is SMTP_DEFAULT here).  Returning
	 * SMTP_UNCOUNTED leaves the error out of the max_errors count.
	 */
	int	(*error)(struct smtp_session *, void *, enum smtp_verb,
		    const char *, int);
};

/* One listener.  Strings are copied by smtp_server_new. */
struct smtp_config {
	const char		*hostname;	/* in banner, EHLO; required */
	const char		*banner;	/* after "ESMTP"; or NULL */
	const char		*tag;		/* listener tag, or NULL */
	int			 flags;		/* SMTP_F_* */
	SSL_CTX			*tls_ctx;	/* STARTTLS, smtps; not ours */
	uint64_t		 max_size;	/* SIZE; 0: no limit */
	size_t			 max_rcpt;	/* 0: SMTP_RCPT_DEFAULT */
	size_t			 max_textline;	/* 0: SMTP_TEXTLINE_DEFAULT */
	int			 max_errors;	/* 0: SMTP_ERRORS_DEFAULT */
	int			 timeout;	/* msec; 0: the default */
	int			 banner_delay;	/* msec before the banner */
	const struct smtp_hooks	*hooks;
	void			*arg;		/* initial session arg */
};

struct smtp_server *smtp_server_new(struct event_base *,
		    const struct smtp_config *);
/* Frees the server; the sessions still open are closed first. */
void		 smtp_server_free(struct smtp_server *);
/* Accept connections on a bound, listening socket fd (not owned). */
int		 smtp_server_listen(struct smtp_server *, int);
const struct smtp_config *smtp_server_config(struct smtp_server *);

/*
 * Take over an accepted socket.  peer/local may be NULL (then the engine
 * asks getpeername/getsockname).  The connect hook runs from the event
 * loop, not from inside this call.  NULL on error (fd closed).
 */
struct smtp_session *smtp_session_new(struct smtp_server *, int,
		    const struct sockaddr *, socklen_t);

/*
 * Answer the pending command (or the banner, or end of data).  The text
 * is "CODE[ ]text"; "\n" separates the lines of a multi-line reply (the
 * engine writes "CODE-" continuations and CRLFs).  Control characters are
 * replaced, lines longer than SMTP_REPLY_MAX truncated.  A reply when
 * nothing is pending is logged and dropped.
 */
void		 smtp_reply(struct smtp_session *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
void		 smtp_vreply(struct smtp_session *, const char *, va_list)
		    __attribute__((__format__ (printf, 2, 0)));
/* Body-phase failure: the reply to give at end of data (body hook). */
void		 smtp_data_fail(struct smtp_session *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
/*
 * From the body hook: end DATA now, without waiting for CRLF.CRLF.  The
 * reply goes out after the hook returns (LMTP: once per recipient); the
 * transaction is dropped (rset hook, SMTP_RSET_REJECTED; no eom hook).
 * close: 1, the session then closes (what follows is not read); 0, the
 * rest of the message is read and discarded silently up to CRLF.CRLF
 * and the session goes on.
 */
void		 smtp_data_reply(struct smtp_session *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

/*
 * Tarpit: from now on output leaves one byte every msec (0: normally).
 * Set it in the connect hook to pace the banner too.
 */
void		 smtp_session_set_pace(struct smtp_session *, int);
/* Stop / restart reading the client (backpressure while streaming). */
void		 smtp_pause(struct smtp_session *);
void		 smtp_resume(struct smtp_session *);
/*
 * Close: flush what is queued (paced output included), then end the
 * session (the disconnect hook runs with the given reason).
 */
void		 smtp_session_close(struct smtp_session *, const char *);

void		 smtp_session_set_arg(struct smtp_session *, void *);
void		*smtp_session_arg(struct smtp_session *);
struct smtp_server *smtp_session_server(struct smtp_session *);

/* Session facts. */
uint64_t	 smtp_session_id(struct smtp_session *);
const struct sockaddr *smtp_session_peer(struct smtp_session *);
const struct sockaddr *smtp_session_local(struct smtp_session *);
const char	*smtp_session_peer_addr(struct smtp_session *);	/* numeric */
const char	*smtp_session_helo(struct smtp_session *);	/* or NULL */
int		 smtp_session_esmtp(struct smtp_session *);	/* EHLO/LHLO */
int		 smtp_session_tls(struct smtp_session *);	/* TLS is up */
/* The socket (getsockopt: SO_ORIGINAL_DST...); do not read or close it. */
int		 smtp_session_fd(struct smtp_session *);
/* The TLS connection (certificates, SNI), or NULL before STARTTLS. */
SSL		*smtp_session_ssl(struct smtp_session *);
/* "version=TLSv1.3 cipher=NAME" once TLS is up, else NULL */
const char	*smtp_session_tls_info(struct smtp_session *);
const char	*smtp_session_auth_user(struct smtp_session *);	/* or NULL */
const char	*smtp_session_tag(struct smtp_session *);	/* or NULL */
/* The current transaction (NULL / 0 when none). */
const struct smtp_addr *smtp_session_mail_from(struct smtp_session *);
const struct smtp_mail_params *smtp_session_mail_params(
		    struct smtp_session *);
size_t		 smtp_session_nrcpt(struct smtp_session *);
const struct smtp_rcpt *smtp_session_rcpt(struct smtp_session *, size_t);

/*
 * Pure parsers (smtp_parse.c), used by the engine, the tests, the fuzz
 * targets and the client.  All return 0 on success, -1 on error with a
 * complete reply text ("501 5.1.7 ...") in *errp (static string).
 */
/* Split a command line (CR/LF already removed; modified in place). */
int		 smtp_parse_cmd(char *, struct smtp_cmd *);
/*
 * "FROM:<path> params" / "TO:<path> params": the path and where the
 * parameters start (*paramsp; "" if none).  mail: 1 for MAIL (null path
 * allowed), 0 for RCPT (<postmaster> allowed).  utf8: allow UTF-8.
 */
int		 smtp_parse_path(char *, int, int, struct smtp_addr *,
		    char **, const char **);
int		 smtp_parse_mail_params(char *, int, struct smtp_mail_params *,
		    const char **);
int		 smtp_parse_rcpt_params(char *, int, struct smtp_rcpt_params *,
		    const char **);
/* Validate a HELO/EHLO argument (domain or address literal). */
int		 smtp_parse_helo(const char *);
/* "local@domain", "" for <>; -1 if it does not fit. */
int		 smtp_addr_format(const struct smtp_addr *, char *, size_t);
/* xtext check (RFC 3461 4): 1 valid, 0 not. */
int		 smtp_xtext_valid(const char *);
/* base64 decode: decoded length or -1; out must hold 3 * len / 4 + 3. */
ssize_t		 smtp_b64_decode(const char *, size_t, unsigned char *,
		    size_t);
/*
 * Format a reply text into wire form (CODE-text CRLF ... CODE text
 * CRLF) into buf; returns the length or -1 (bad code / no room).
 */
ssize_t		 smtp_reply_format(const char *, char *, size_t);

/*
 * The DATA reader: fed the bytes after "354", in chunks of any size,
 * it finds the end (CRLF.CRLF and nothing else), unstuffs dots, and
 * hands each valid line (CRLF included) to a callback.  Bare CR or LF
 * anywhere neither ends a line nor ends the data: it dooms the message
 * (SMTP_DATA_BARE), as do a line longer than the text-line limit
 * (SMTP_DATA_LONGLINE) and a message bigger than the size limit
 * (SMTP_DATA_TOOBIG).  Once doomed, the callback is not called again,
 * but reading goes on to the real end.  At most one partial line
 * (textline octets) is buffered.
 */
#define SMTP_DATA_DONE		0x01	/* CRLF.CRLF seen */
#define SMTP_DATA_BARE		0x02	/* bare CR or LF seen */
#define SMTP_DATA_LONGLINE	0x04	/* text line over the limit */
#define SMTP_DATA_TOOBIG	0x08	/* over max size */
#define SMTP_DATA_FAILED	0x10	/* the line callback returned -1 */
#define SMTP_DATA_PAUSE		0x20	/* set by the callback: feed returns
					   after this line (backpressure) */
#define SMTP_DATA_DOOMED	(SMTP_DATA_BARE | SMTP_DATA_LONGLINE | \
				 SMTP_DATA_TOOBIG | SMTP_DATA_FAILED)

typedef int (*smtp_data_cb)(void *, const char *, size_t, int);

struct smtp_data {
	int		 flags;		/* SMTP_DATA_* */
	size_t		 size;		/* octets unstuffed, CRLF included */
	size_t		 nlines;
	/* private */
	size_t		 textline;
	uint64_t	 max_size;
	smtp_data_cb	 cb;
	void		*arg;
	char		*buf;		/* partial line, textline octets */
	size_t		 buflen;
	size_t		 linelen;	/* raw octets of the current line */
	int		 midline;	/* not at the start of a line */
	int		 inheader;
	int		 lastcr;	/* the last octet added was CR */
	int		 crlf;		/* the line's LF follows a CR */
};

/* textline 0: SMTP_TEXTLINE_DEFAULT; max_size 0: no limit. */
void		 smtp_data_init(struct smtp_data *, size_t, uint64_t,
		    smtp_data_cb, void *);
void		 smtp_data_clear(struct smtp_data *);
/* Octets consumed; stops right after CRLF.CRLF (SMTP_DATA_DONE). */
size_t		 smtp_data_feed(struct smtp_data *, const char *, size_t);

#endif /* MX_SMTP_H */
