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

#ifndef GREYD_H
#define GREYD_H

/*
 * greyd: spamd(8) for Linux and the BSDs.  Three processes (greyd.8):
 *	parent	root; owns the firewall tables (fwtable) and starts greysync
 *	grey	the greylister: tuple updates, traps, the periodic scan, all
 *		through common/greydb; runs as the greyd user
 *	smtp	the network side, chrooted: the SMTP dialogue and tarpit
 *		(tarpit.c), the blacklists (blacklist.c) and their config
 *		socket (cfgsock.c)
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "greydb.h"

#define GREYD_PORT		8025	/* spamd's "spamd" service */
#define GREYD_CFG_PORT		8026	/* "spamd-cfg"; never getservbyname */
#define GREYD_MAXCON		800
#define GREYD_MAXBLACK_GAP	100	/* maxblack = maxcon - 100 */
#define GREYD_PASSTIME		(25 * 60)
#define GREYD_GREYEXP		(4 * 3600)
#define GREYD_WHITEEXP		(36 * 24 * 3600)
#define GREYD_TRAPEXP		(24 * 3600)
#define GREYD_SCAN_INTERVAL	60
#define GREYD_MAXTIME		400	/* idle timeout, seconds */
#define GREYD_STUTTER		1
#define GREYD_STUTTER_MAX	10
#define GREYD_GREY_STUTTER	10
#define GREYD_GREY_STUTTER_MAX	90
#define GREYD_MAX_ERRORS	20	/* unknown commands before closing */
#define GREYD_MAX_MAIL		1024	/* helo, from, to: spamd's MAX_MAIL */
#define GREYD_BODY_LINES	10	/* blacklisted DATA lines read */
#define GREYD_BANNER		"spamd IP-based SPAM blocker"
#define GREYD_USER		"_spamd"
#define GREYD_CHROOT		"/var/empty"
#define GREYD_GREYSYNC		"greysync"
#define GREYD_LISTEN_MAX	2
#define GREYD_FD_RESERVE	32	/* fds besides the connections */
#define GREYD_SYNC_BACKOFF_MIN	1	/* greysync restarts: 1 s, doubling */
#define GREYD_SYNC_BACKOFF_MAX	60	/*   up to 60 s, reset after a run */
#define GREYD_SYNC_RESET	60	/*   of 60 s */

/* The config socket's limits. */
#define CFG_LINE_MAX		(1024 * 1024 * 16)	/* one line */
#define CFG_MSG_MAX		4096	/* a list's message, expanded */
#define CFG_TAG_MAX		64
#define CFG_LISTS_MAX		256	/* lists held at once */

/* The one global: the command line. */
struct greyd_conf {
	int		 debug;
	int		 verbose;
	int		 blackonly;		/* -b */
	char		 nreply[4];		/* -4 / -5: "450" or "550" */
	int		 maxcon;		/* -c */
	int		 maxblack;		/* -B, -1 until set */
	const char	*tls_cert;		/* -C */
	const char	*tls_key;		/* -K */
	time_t		 passtime;		/* -G */
	time_t		 greyexp;
	time_t		 whiteexp;
	time_t		 trapexp;
	char		 hostname[256];		/* -h */
	const char	*listen[GREYD_LISTEN_MAX];	/* -l */
	int		 nlisten;
	struct addr	 lowprio;		/* -M */
	int		 has_lowprio;
	const char	*banner;		/* -n */
	in_port_t	 port;			/* -p */
	in_port_t	 cfg_port;
	int		 grey_stutter;		/* -S */
	int		 stutter;		/* -s, msec */
	int		 window;		/* -w */
	int		 timeout;		/* -t, seconds idle */
	struct greydb_syncflags sync;		/* -Y, -y */
	const char	*fwspec;		/* -F */
	const char	*dbpath;		/* -D */
	int		 scan_interval;		/* -I */
	int		 cfg_anyport;		/* -U */
	const char	*user;			/* -u */
	const char	*chroot;		/* -j */
	time_t		 started;
	/* prepared by main() before the fork, for the smtp process */
	int		 smtp_fd[GREYD_LISTEN_MAX];
	int		 nsmtp_fd;
	int		 cfg_fd;
	struct tls_ctx	*tls;
};

extern struct greyd_conf	*greyd_conf;

/* imsg types between the processes. */
enum greyd_imsg {
	IMSG_GREY_TUPLE = 1,	/* smtp -> grey: struct grey_tuple */
	IMSG_GREY_TRAPPED,	/* grey -> smtp: struct addr, trapped now */
	IMSG_GREY_SCAN,		/* parent -> grey: scan now (SIGHUP) */
	IMSG_SET_BEGIN,		/* a whole prefix set follows (peerid: */
	IMSG_SET_ADD,		/*   GREYD_SET_*), struct prefix[] chunks, */
	IMSG_SET_END		/*   then END: replace the set */
};

/* Prefix sets carried between the processes. */
#define GREYD_SET_WHITE		1	/* grey -> parent: spamd-white */
#define GREYD_SET_TRAP		2	/* grey -> smtp: the traplist */
#define GREYD_SET_BLACK		3	/* smtp -> grey: greyd-setup lists */
#define GREYD_SET_MAX		3

#define GREYD_TABLE_WHITE	"spamd-white"
#define GREYD_TRAPLIST		"spamd-greytrap"
#define GREYD_TRAPMSG \
	"Your address %A has mailed to spamtraps here\\n"

/* Process ids (common/proc). */
enum {
	PROC_GREY = 1,
	PROC_SMTP
};

/* One RCPT: the tuple (spamd's CO/HE/IP/FR/TO lines). */
struct grey_tuple {
	struct addr	 src;
	char		 dst[ADDR_STRLEN];	/* original destination or "" */
	char		 helo[GREYD_MAX_MAIL];
	char		 from[GREYD_MAX_MAIL];
	char		 to[GREYD_MAX_MAIL];
};

struct event_base;
struct imsg;
struct proc;
struct prefixset;
struct tls_ctx;

/* grey_set.c: prefix sets over imsg. */
struct grey_setrx {
	struct prefixset	*staging[GREYD_SET_MAX + 1];
};
int	 grey_set_send(struct proc *, int, int, const struct prefixset *);
/* A SET_* message: 1 when set `which' is complete (*out: take it). */
int	 grey_set_recv(struct grey_setrx *, struct imsg *, int *,
	    struct prefixset **);
void	 grey_setrx_clear(struct grey_setrx *);

/* The processes' run and dispatch functions. */
int	 grey_proc_run(struct proc *);
void	 grey_proc_dispatch(struct proc *, int, struct imsg *);
int	 tarpit_run(struct proc *);
void	 tarpit_dispatch(struct proc *, int, struct imsg *);
int	 greyd_parent_run(struct proc *);
void	 greyd_parent_dispatch(struct proc *, int, struct imsg *);
void	 greyd_parent_sighup(struct proc *);
void	 greyd_parent_free(void);


/* cfgsock.c: the config socket (one client at a time). */
struct cfgsock;
struct cfgsock	*cfgsock_new(struct event_base *, int, int,
		    void (*)(const char *, void *), void (*)(void *), void *);
void		 cfgsock_free(struct cfgsock *);

/* grey_conf.c: command-line helpers (pure). */
int	 grey_parse_msec(const char *, int, int *);
/* Delay before greysync's next start, after it ran `ran' seconds. */
int	 grey_sync_backoff(int, time_t);

/* grey_import.c: greydb -I's line parser (pure). */
struct greydb_entry;
const char	*grey_import_parse(char *, struct greydb_entry *);

/* blacklist.c: lists loaded through the config socket (pure). */
struct bl_list {
	TAILQ_ENTRY(bl_list)	 entry;
	char			 tag[CFG_TAG_MAX];
	char			*msg;		/* between the quotes, raw */
	struct prefixset	*set;
};
TAILQ_HEAD(bl_lists, bl_list);

struct blacklist {
	struct bl_lists		 lists;
	size_t			 nlists;
};

struct blacklist *blacklist_new(void);
void		 blacklist_free(struct blacklist *);
/*
 * One config line (without its newline): 0 applied, -1 malformed (errp
 * says why; nothing changed).
 */
int		 blacklist_parse_line(struct blacklist *, const char *,
		    const char **);
int		 blacklist_set(struct blacklist *, const char *, const char *,
		    struct prefixset *);
int		 blacklist_delete(struct blacklist *, const char *);
struct bl_list	*blacklist_find(struct blacklist *, const char *);
/* Every list holding the address, in list order; count returned. */
size_t		 blacklist_match(struct blacklist *, const struct addr *,
		    struct bl_list **, size_t);

/* grey_reply.c: the texts greyd sends (pure). */
/*
 * A list's message as spamd expands it: \" \n \\ %% and %A (the
 * address); anything else is kept.  Into buf; -1 if it did not fit.
 */
int		 grey_expand(const char *, const char *, char *, size_t);
/*
 * The blacklisted reply: every list's message, one line each message
 * line, the first prefixed by the code (smtp_reply form "450 a\nb").
 */
int		 grey_black_reply(const char *, const char *,
		    struct bl_list **, size_t, char *, size_t);
int		 grey_banner(const char *, const char *, time_t, char *,
		    size_t);
/* "<local@domain>" as spamd logs and keys it; "<>" for the null path. */
struct smtp_addr;
int		 grey_path(const struct smtp_addr *, char *, size_t);
/* " lists: a b" (spamd's loglists), "" without lists. */
void		 grey_loglists(struct bl_list **, size_t, char *, size_t);

#endif /* GREYD_H */
