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
 * Privilege separation: a daemon declares its processes in a static
 * table and proc_start() forks them, each with an imsg channel to the
 * parent and, where the table says so, to other children.  Each child
 * sets its title, creates its own event base, chroots and drops to its
 * user (daemon_drop_privs(); skipped and logged when not root), then
 * calls its run function and serves its channels until told to stop.
 * The parent keeps its privileges and the channels to every child,
 * passes privileged resources as fds (open as root, send the fd), and
 * notices a child's death: one child dying, or SIGTERM/SIGINT, stops
 * them all (SIGTERM to every child, SIGKILL after PROC_KILL_WAIT s).
 *
 *	enum { PROC_DB = 1, PROC_SMTP };
 *	enum { MSG_LOOKUP = 1, MSG_RESULT, MSG_LISTEN_FD };
 *
 *	static const struct proc_def parent = {
 *		PROC_PARENT, "parent", parent_run, parent_dispatch,
 *		NULL, NULL, 0, parent_sighup
 *	};
 *	static const struct proc_def procs[] = {
 *		{ PROC_DB, "db", db_run, db_dispatch, NULL, "_greyd",
 *		    PROC_BIT(PROC_SMTP), NULL },
 *		{ PROC_SMTP, "smtp", smtp_run, smtp_dispatch, "/var/empty",
 *		    "_greyd", PROC_BIT(PROC_DB), NULL },
 *	};
 *
 *	p = proc_start(&parent, procs, nitems(procs), &conf);
 *	(only the parent comes back; children exit inside)
 *	proc_compose(p, PROC_SMTP, MSG_LISTEN_FD, 0, listen_fd, NULL, 0);
 *	rv = proc_dispatch(p);	(0: stopped by a signal; 1: a child died)
 *	proc_free(p);
 *	return rv;
 *
 * Call proc_start() before creating any event base: every process gets
 * its own, proc_base(p).  Every fd open at proc_start() is inherited by
 * every child: open privileged resources after it, in the parent, and
 * pass them to the one child that needs each.  Children exit with
 * _exit(): the parent's atexit handlers (pidfile removal) stay its own.
 * SIGTERM, SIGINT, SIGHUP and SIGCHLD are blocked while processes start,
 * so a signal during start-up is handled, not fatal.  In a child, the
 * dispatch callback gets messages from the parent (from == PROC_PARENT)
 * and from peers; it answers with proc_compose(p, from, ...).  The
 * message is freed after the callback returns; keep its fd with
 * imsg_get_fd().
 */

#ifndef MX_PROC_H
#define MX_PROC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "imsg.h"

#define PROC_PARENT	0
#define PROC_MAX	32		/* ids are 0 .. PROC_MAX - 1 */
#define PROC_BIT(id)	(1U << (id))
#define PROC_KILL_WAIT	5		/* seconds before SIGKILL */

struct proc;

struct proc_def {
	int		 id;		/* PROC_PARENT, or 1 .. PROC_MAX - 1 */
	const char	*name;		/* process title and log prefix */
	/* Set-up in the process, after the drop; -1 makes it exit 1. */
	int		(*run)(struct proc *);
	void		(*dispatch)(struct proc *, int, struct imsg *);
	const char	*chroot;	/* NULL: none */
	const char	*user;		/* NULL: stay root */
	uint32_t	 peers;		/* PROC_BIT()s of children to talk to */
	void		(*sighup)(struct proc *);	/* parent only */
};

struct proc	*proc_start(const struct proc_def *, const struct proc_def *,
		    size_t, void *);
int		 proc_dispatch(struct proc *);
void		 proc_shutdown(struct proc *);
void		 proc_exit(struct proc *, int);
void		 proc_free(struct proc *);

/* fd: -1 or owned by the channel from now on (closed on failure). */
int		 proc_compose(struct proc *, int, uint32_t, uint32_t, int,
		    const void *, size_t);
int		 proc_composev(struct proc *, int, uint32_t, uint32_t, int,
		    const struct iovec *, int);

struct event_base *proc_base(struct proc *);
void		*proc_arg(struct proc *);
int		 proc_id(const struct proc *);
const char	*proc_name(const struct proc *);
/* Child: what daemon_drop_privs() returned (0 dropped, 1 skipped). */
int		 proc_privdrop(const struct proc *);
/* Parent: a child's pid; its wait status once it has been reaped. */
pid_t		 proc_child_pid(const struct proc *, int);
int		 proc_child_status(const struct proc *, int, int *);

#endif /* MX_PROC_H */
