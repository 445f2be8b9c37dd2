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
 * Daemon life: detaching, the pidfile, dropping privileges, signals.
 *
 *	struct pidfh		*pfh;
 *	struct daemon_signals	*sigs;
 *
 *	if ((pfh = daemon_pidfile_open("/var/run/greyd.pid")) == NULL)
 *		exit(1);		(logged: "already running, pid N")
 *	if (!debug && daemon_detach() == -1)
 *		fatal("daemon");
 *	daemon_pidfile_write(pfh);
 *	if (daemon_drop_privs("_greyd", "/var/empty") == -1)
 *		fatalx("cannot drop privileges");
 *	base = event_base_new();
 *	sigs = daemon_signals_new(base, on_signal, NULL);
 *	event_base_dispatch(base);
 *	daemon_signals_free(sigs);
 *	daemon_pidfile_remove(pfh);
 */

#ifndef MX_DAEMON_H
#define MX_DAEMON_H

#include <sys/types.h>

struct event_base;
struct pidfh;
struct daemon_signals;

/*
 * Detach: open /dev/null and fork (errors returned, -1 and errno, while
 * the caller can still report them on its terminal), the parent exits 0,
 * the child calls setsid(), chdir("/") and points stdin, stdout and
 * stderr at /dev/null.  Other fds are left alone.
 */
int	daemon_detach(void);

/*
 * The pidfile, on libbsd's (FreeBSD's) pidfile_open() API, locked for as
 * long as the daemon runs.  open: NULL when another instance holds it,
 * logged as "<path>: already running, pid N", or on another error
 * (logged).  write: the current pid, after daemon_detach().  remove:
 * at exit (NULL is fine); after a privilege drop, in a directory the
 * user may not write (root's /var/run), the file is left there empty.
 * close: in a child that must not remove it.
 */
struct pidfh	*daemon_pidfile_open(const char *);
int		 daemon_pidfile_write(struct pidfh *);
void		 daemon_pidfile_remove(struct pidfh *);
void		 daemon_pidfile_close(struct pidfh *);

/*
 * Drop root for good: look the user up, chroot(dir) and chdir("/") when
 * dir is not NULL, setgroups() to the user's group, setresgid(),
 * setresuid(), PR_SET_NO_NEW_PRIVS on Linux, then check that root cannot
 * be regained.  user NULL: chroot only, stay root.  Returns 0 when done,
 * 1 when skipped because the process is not root (logged: tests and
 * "make run" work as an ordinary user), -1 on failure (logged; the
 * caller must not go on).
 */
int	daemon_drop_privs(const char *, const char *);
/*
 * 1 if the id is not mapped in this user namespace (map "uid_map" or
 * "gid_map" of /proc/self; unshare -r maps only our own): a drop to it
 * cannot work there.  0 when it is, or without user namespaces.
 */
int	daemon_id_unmapped(const char *, unsigned long);
/*
 * Listen on TCP host:port (host NULL, "" or "*": every address), one
 * socket per address getaddrinfo gives, IPv6 ones v6-only, non-blocking
 * and close-on-exec, SO_REUSEADDR, backlog 128; at most max of them
 * into fds.  The count opened (> 0), or -1 (logged) when none could be.
 */
int	daemon_listen_tcp(const char *, const char *, int *, int);

/*
 * Signals through libevent: SIGTERM, SIGINT, SIGHUP and SIGCHLD call
 * cb(signo, arg) from the event loop; SIGPIPE is ignored (a closed peer
 * shows as EPIPE).  NULL on failure (logged).
 */
struct daemon_signals	*daemon_signals_new(struct event_base *,
			    void (*)(int, void *), void *);
void			 daemon_signals_free(struct daemon_signals *);

#endif /* MX_DAEMON_H */
