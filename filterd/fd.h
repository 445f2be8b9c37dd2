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

#ifndef FILTERD_FD_H
#define FILTERD_FD_H

/*
 * filterd the daemon (spampd's drop-in), around the scan engine:
 *
 *	fd_opts.c	spampd's command line (and filterd's own options)
 *	fd_scan.c	the scanners: --children worker processes, each
 *			with the engine, fed over a socketpair, so that the
 *			event loop never scans; --satimeout kills a worker
 *			or a real spamd (--delegate), asked over the
 *			spamd protocol
 *	fd_spamc.c	a spamd's reply parser (delegation)
 *	fd_spamd.c	the spamd protocol (SPAMC/1.5) server side: the
 *			request parser, the replies
 *	fd_listen.c	the spamd protocol listener (--spamd-port)
 *	fd_proxy.c	the SMTP proxy's transform (common/proxy)
 *	filterd.c	main(): -n, start-up, daemon life
 *
 * Everything asks for a scan through fd_scan(): one message, one
 * command (what the answer must hold), a callback called once with the
 * result, from the event loop, never from inside fd_scan().
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct event_base;
struct sa_engine;

#define FD_PID_FILE		"/var/run/filterd.pid"
#define FD_SPAMD_PORT		"783"
#define FD_ERR_MAX		256
#define FD_SCORE_MAX		32

/* the spamd commands (also what a scan must return) */
enum fd_cmd {
	FD_CMD_NONE = 0,
	FD_CMD_CHECK,
	FD_CMD_SYMBOLS,
	FD_CMD_REPORT,
	FD_CMD_REPORT_IFSPAM,
	FD_CMD_PROCESS,
	FD_CMD_HEADERS,
	FD_CMD_PING,
	FD_CMD_SKIP,
	FD_CMD_TELL
};

/* spampd's options (Debian 2.53 names and defaults) and filterd's */
struct fd_opts {
	char		*host;		/* listen address */
	char		*port;
	char		*socket;	/* or a unix socket */
	mode_t		 socket_perms;	/* (mode_t)-1: umask's */
	char		*relayhost;
	char		*relayport;
	char		*relaysocket;
	int		 lmtp;		/* --lmtp: the relay speaks LMTP */
	int		 children;	/* worker processes */
	int		 maxrequests;	/* accepted: workers are not recycled */
	int		 childtimeout;	/* seconds, per SMTP command */
	int		 satimeout;	/* seconds, per scan */
	long long	 maxsize;	/* KB: size >= this is not scanned */
	int		 tagall;
	int		 log_rules_hit;
	int		 dose;
	int		 aw;		/* --auto-whitelist: a no-op */
	int		 local_only;
	int		 seh;		/* --set-envelope-headers */
	int		 sef;		/* --set-envelope-from */
	char		*homedir;	/* accepted: no Bayes, no AWL */
	char		*saconfig;	/* read after local.cf */
	char		*pidfile;
	char		*user;
	char		*group;
	int		 detach;
	int		 setsid;
	int		 debug;
	char		*logsock;	/* unix|inet: accepted */
	/* SpamAssassin's configuration (as `filterd -n`) */
	char		*rules_dir;	/* --configpath, -C */
	char		*site_dir;	/* --siteconfigpath */
	char		*post;		/* --cf lines */
	/* the spamd protocol */
	char		*spamd_host;	/* --spamd-port=[host:]port */
	char		*spamd_port;	/* NULL: off */
	char		*delegate_host;	/* --delegate=host[:port] */
	char		*delegate_port;
	char		*delegate_path;	/* --delegate=/path (unix) */
	char		*hostname;	/* banner and EHLO name */
	int		 check;		/* -n */
	int		 verbose;	/* -v */
	int		 help;
	int		 version;
	int		 warnings;
	char		 err[FD_ERR_MAX];
};

void		 fd_opts_init(struct fd_opts *);
void		 fd_opts_free(struct fd_opts *);
/* 0, or -1 with o->err set (a usage error); warnings are logged. */
int		 fd_opts_parse(struct fd_opts *, int, char **);
/* "host[:port]", "[v6]:port", "v6": host and port (dport if none). */
int		 fd_hostport(const char *, const char *, char **, char **);
/* spampd's usage text */
void		 fd_usage(FILE *);

/* The answer to one scan. */
#define FD_OK		0
#define FD_ERROR	1		/* no verdict: relay untagged */
#define FD_TIMEOUT	2		/* --satimeout */
struct fd_result {
	int		 status;
	int		 is_spam;
	char		 score[FD_SCORE_MAX];	/* "1001.3", as SA shows it */
	char		 required[FD_SCORE_MAX];	/* "5.0" */
	char		*tests;		/* "A,B,C" (or NULL) */
	char		*report;	/* REPORT, REPORT_IFSPAM */
	char		*out;		/* PROCESS/HEADERS: the message */
	size_t		 outlen;
	double		 secs;		/* how long it took */
	char		 err[FD_ERR_MAX];
};
void		 fd_result_clear(struct fd_result *);

typedef void (*fd_scan_cb)(struct fd_result *, void *);

struct fd_scanner;
struct fd_job;

/*
 * The built-in engine in --children workers (engine NULL: no engine,
 * every scan answers FD_ERROR; tests), or a spamd (fd_scanner_spamd).
 */
struct fd_scanner *fd_scanner_pool(struct event_base *, struct sa_engine *,
		    int, int);
struct fd_scanner *fd_scanner_spamd(struct event_base *, const char *,
		    const char *, const char *, int, char *, size_t);
void		 fd_scanner_free(struct fd_scanner *);
/* SIGHUP: scan with new rules from now on (pool only). */
void		 fd_scanner_set_engine(struct fd_scanner *, struct sa_engine *);
void		 fd_scan_logging(int, int);
/*
 * Scan msg (malloc'd, taken over) for cmd; from is the envelope sender
 * or NULL.  cb is called exactly once, later, unless fd_scan_cancel().
 */
struct fd_job	*fd_scan(struct fd_scanner *, enum fd_cmd, char *, size_t,
		    const char *, fd_scan_cb, void *);
void		 fd_scan_cancel(struct fd_job *);
/* Is the pool worker pid ours?  Reap it (SIGCHLD); 1 if it was. */
int		 fd_scanner_reap(struct fd_scanner *, pid_t, int);
/* counters */
struct fd_stats {
	unsigned long long	 scanned;
	unsigned long long	 spam;
	unsigned long long	 errors;
	unsigned long long	 timeouts;
	unsigned long long	 skipped;
};
extern struct fd_stats	fd_stats;

/* fd_spamd.c: the protocol */
struct fd_spamd_req {
	enum fd_cmd	 cmd;
	int		 vmajor, vminor;	/* SPAMC/x.y */
	long long	 clen;			/* Content-length, -1: none */
	int		 compress;		/* Compress: zlib */
	char		 user[128];
	size_t		 hdrlen;		/* octets before the body */
	int		 error;			/* sysexits code */
	char		 err[FD_ERR_MAX];	/* "Bad header line: ..." */
};
#define FD_SPAMD_MORE	0
#define FD_SPAMD_DONE	1
#define FD_SPAMD_BAD	(-1)
/*
 * Parse a request's first line and headers from buf (what has come so
 * far; eof: the client half-closed).  MORE: read on; DONE: req is
 * filled (the body starts at req->hdrlen); BAD: reply with req->error
 * and req->err, then close.
 */
int		 fd_spamd_parse(const char *, size_t, int,
		    struct fd_spamd_req *);
/* The whole body arrived (Content-length or eof)?  -1: too much. */
int		 fd_spamd_body_done(const struct fd_spamd_req *, size_t, int);
/* The reply to a request with this result (malloc'd, length in *len). */
char		*fd_spamd_reply(const struct fd_spamd_req *,
		    const struct fd_result *, size_t *);
/* The reply to a protocol error: "SPAMD/1.0 76 Bad header line: ..." */
char		*fd_spamd_error(int, const char *, size_t *);
const char	*fd_cmd_name(enum fd_cmd);
/* Inflate a Compress: zlib body; NULL on error (err set). */
char		*fd_inflate(const char *, size_t, size_t, size_t *, char *,
		    size_t);

struct fd_spamd;
struct fd_spamd	*fd_spamd_new(struct event_base *, struct fd_scanner *,
		    int, long long);
void		 fd_spamd_free(struct fd_spamd *);

/* fd_spamc.c: a spamd's reply ("SPAMD/1.1 0 EX_OK" ...) into result */
int		 fd_spamc_parse(const char *, size_t, enum fd_cmd,
		    struct fd_result *);

/* fd_proxy.c: the proxy's transform; arg is a struct fd_proxy_ctx */
struct proxy_msg;
struct fd_proxy_ctx {
	const struct fd_opts	*opts;
	struct fd_scanner	*scanner;
};
void		 fd_transform(struct proxy_msg *, void *);
/* The Message-ID (or "(unknown)") of a message, for the log lines. */
void		 fd_msgid(const char *, size_t, char *, size_t);

#endif /* FILTERD_FD_H */
