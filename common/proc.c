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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#define PROC_FLUSH_MS	1000	/* a child's last words, at most */

struct proc_peer {
	struct proc		*p;
	int			 id;
	const struct proc_def	*def;
	struct imsgev		*iev;
	pid_t			 pid;		/* parent: the child's */
	int			 status;
	int			 reaped;
};

struct proc {
	struct event_base	*base;
	const struct proc_def	*self;
	struct proc_peer	 peer[PROC_MAX];
	struct daemon_signals	*sigs;
	struct event		*ev_kill;
	void			*arg;
	int			 is_parent;
	int			 privdrop;
	int			 stopping;
	int			 exit_status;
	int			 nalive;
};

static void	proc_check_table(const struct proc_def *,
		    const struct proc_def *, size_t,
		    const struct proc_def **);
static int	proc_linked(const struct proc_def **, int, int);
static struct proc *proc_new(const struct proc_def *, void *);
static void	proc_add_channel(struct proc *, int, const struct proc_def *,
		    int);
static __dead void proc_child(const struct proc_def **, int, int,
		    const int *, void *, const sigset_t *);
static void	proc_imsg_cb(struct imsgev *, struct imsg *, void *);
static void	proc_signal_cb(int, void *);
static void	proc_reap(struct proc *);
static void	proc_kill_cb(evutil_socket_t, short, void *);
static void	proc_kill_all(struct proc *, int);
static void	proc_wait_all(struct proc *);
static void	proc_close_channels(struct proc *);

static void
proc_check_table(const struct proc_def *parent, const struct proc_def *procs,
    size_t nprocs, const struct proc_def **byid)
{
	size_t	i;
	int	id;

	if (parent == NULL || parent->id != PROC_PARENT ||
	    parent->dispatch == NULL)
		fatalx("proc: the parent entry needs id PROC_PARENT and a "
		    "dispatch function");
	byid[PROC_PARENT] = parent;
	for (i = 0; i < nprocs; i++) {
		id = procs[i].id;
		if (id <= PROC_PARENT || id >= PROC_MAX || byid[id] != NULL)
			fatalx("proc: bad or duplicate id %d", id);
		if (procs[i].name == NULL || procs[i].dispatch == NULL)
			fatalx("proc: process %d needs a name and a dispatch "
			    "function", id);
		byid[id] = &procs[i];
	}
}

static int
proc_linked(const struct proc_def **byid, int a, int b)
{
	if (a == b || byid[a] == NULL || byid[b] == NULL ||
	    a == PROC_PARENT || b == PROC_PARENT)
		return 0;
	return (byid[a]->peers & PROC_BIT(b)) ||
	    (byid[b]->peers & PROC_BIT(a));
}

static struct proc *
proc_new(const struct proc_def *self, void *arg)
{
	struct proc	*p;
	int		 i;

	p = xcalloc(1, sizeof(*p));
	p->self = self;
	p->arg = arg;
	for (i = 0; i < PROC_MAX; i++) {
		p->peer[i].p = p;
		p->peer[i].id = i;
	}
	if ((p->base = event_base_new()) == NULL)
		fatalx("proc %s: event_base_new", self->name);
	if ((p->sigs = daemon_signals_new(p->base, proc_signal_cb, p)) ==
	    NULL)
		fatalx("proc %s: signal handlers", self->name);
	return p;
}

static void
proc_add_channel(struct proc *p, int id, const struct proc_def *def, int fd)
{
	struct proc_peer	*pp = &p->peer[id];

	pp->def = def;
	if ((pp->iev = imsgev_new(p->base, fd, proc_imsg_cb, pp)) == NULL)
		fatal("proc %s: channel to %s", p->self->name, def->name);
	imsgev_set_name(pp->iev, def->name);
}

struct proc *
proc_start(const struct proc_def *parent, const struct proc_def *procs,
    size_t nprocs, void *arg)
{
	const struct proc_def	*byid[PROC_MAX];
	int			 pfd[PROC_MAX][2];
	int			 cfd[PROC_MAX][PROC_MAX][2];
	int			 peerfd[PROC_MAX];
	struct proc		*p;
	sigset_t		 set, oset;
	pid_t			 pids[PROC_MAX];
	int			 a, b, c;

	memset(byid, 0, sizeof(byid));
	memset(pfd, -1, sizeof(pfd));
	memset(cfd, -1, sizeof(cfd));
	memset(pids, 0, sizeof(pids));
	proc_check_table(parent, procs, nprocs, byid);

	for (a = 1; a < PROC_MAX; a++) {
		if (byid[a] == NULL)
			continue;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    pfd[a]) == -1)
			fatal("proc: socketpair");
		for (b = a + 1; b < PROC_MAX; b++)
			if (proc_linked(byid, a, b) &&
			    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			    cfd[a][b]) == -1)
				fatal("proc: socketpair");
	}

	/*
	 * Signals wait until each process has its handlers in place, so a
	 * SIGTERM during start-up is an orderly stop, not a sudden death.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &oset);

	/* Nothing buffered may be written twice. */
	fflush(NULL);
	for (c = 1; c < PROC_MAX; c++) {
		if (byid[c] == NULL)
			continue;
		switch ((pids[c] = fork())) {
		case -1:
			fatal("proc: fork %s", byid[c]->name);
		case 0:
			/* Keep our ends, close everything else. */
			for (a = 0; a < PROC_MAX; a++)
				peerfd[a] = -1;
			for (a = 0; a < PROC_MAX; a++) {
				if (pfd[a][0] != -1)
					close(pfd[a][0]);
				if (a != c && pfd[a][1] != -1)
					close(pfd[a][1]);
				for (b = a + 1; b < PROC_MAX; b++) {
					if (cfd[a][b][0] == -1)
						continue;
					if (a == c)
						peerfd[b] = cfd[a][b][0];
					else
						close(cfd[a][b][0]);
					if (b == c)
						peerfd[a] = cfd[a][b][1];
					else
						close(cfd[a][b][1]);
				}
			}
			proc_child(byid, c, pfd[c][1], peerfd, arg, &oset);
			/* NOTREACHED */
		default:
			break;
		}
	}

	for (a = 0; a < PROC_MAX; a++) {
		if (pfd[a][1] != -1)
			close(pfd[a][1]);
		for (b = a + 1; b < PROC_MAX; b++) {
			if (cfd[a][b][0] != -1)
				close(cfd[a][b][0]);
			if (cfd[a][b][1] != -1)
				close(cfd[a][b][1]);
		}
	}

	p = proc_new(parent, arg);
	p->is_parent = 1;
	sigprocmask(SIG_SETMASK, &oset, NULL);
	log_procinit(parent->name);
	for (c = 1; c < PROC_MAX; c++) {
		if (byid[c] == NULL)
			continue;
		p->peer[c].pid = pids[c];
		p->nalive++;
		proc_add_channel(p, c, byid[c], pfd[c][0]);
	}
	if (parent->run != NULL && parent->run(p) == -1) {
		log_warnx("start-up failed");
		proc_exit(p, 1);
	}
	return p;
}

static __dead void
proc_child(const struct proc_def **byid, int id, int parentfd,
    const int *peerfd, void *arg, const sigset_t *oset)
{
	const struct proc_def	*self = byid[id];
	struct proc		*p;
	struct imsgbuf		*ibuf;
	struct pollfd		 pfd;
	struct timespec		 t0, t1;
	sigset_t		 set;
	int			 i, status, ms;

	log_procinit(self->name);
	setproctitle("%s", self->name);
	p = proc_new(self, arg);
	sigprocmask(SIG_SETMASK, oset, NULL);
	if (self->user != NULL || self->chroot != NULL) {
		if ((p->privdrop = daemon_drop_privs(self->user,
		    self->chroot)) == -1)
			fatalx("cannot drop privileges");
	}
	proc_add_channel(p, PROC_PARENT, byid[PROC_PARENT], parentfd);
	for (i = 1; i < PROC_MAX; i++)
		if (peerfd[i] != -1)
			proc_add_channel(p, i, byid[i], peerfd[i]);
	if (self->run != NULL && self->run(p) == -1) {
		log_warnx("start-up failed");
		p->exit_status = 1;
	} else
		event_base_dispatch(p->base);

	/*
	 * Leaving: a SIGTERM from the parent now (it may have seen our
	 * channel close) must not turn our exit status into a kill.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* Last words to the parent, bounded in time. */
	if (p->peer[PROC_PARENT].iev != NULL) {
		ibuf = imsgev_buf(p->peer[PROC_PARENT].iev);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (imsgbuf_write(ibuf) == 1) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = PROC_FLUSH_MS - (int)((t1.tv_sec - t0.tv_sec) *
			    1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
			if (ms <= 0)
				break;
			pfd.fd = imsgbuf_fd(ibuf);
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
				break;
		}
	}
	status = p->exit_status;
	proc_free(p);
	/*
	 * _exit: the parent's atexit handlers (a pidfile removal, say) are
	 * not ours to run.  (LeakSanitizer could not run here anyway: it
	 * needs /proc and ptrace, gone after chroot and setresuid.)
	 */
	fflush(NULL);
	_exit(status);
}

static void
proc_imsg_cb(struct imsgev *iev, struct imsg *msg, void *arg)
{
	struct proc_peer	*pp = arg;
	struct proc		*p = pp->p;

	if (msg != NULL) {
		p->self->dispatch(p, pp->id, msg);
		return;
	}
	imsgev_free(iev);
	pp->iev = NULL;
	if (p->stopping)
		return;
	if (p->is_parent) {
		log_warnx("lost the channel to %s, shutting down",
		    pp->def->name);
		proc_exit(p, 1);
	} else if (pp->id == PROC_PARENT) {
		log_debug("parent gone, exiting");
		proc_exit(p, 0);
	} else
		log_debug("lost the channel to %s", pp->def->name);
}

static void
proc_signal_cb(int sig, void *arg)
{
	struct proc	*p = arg;

	if (!p->is_parent) {
		/* The parent tells children when to stop. */
		if (sig == SIGTERM)
			proc_exit(p, 0);
		return;
	}
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (!p->stopping)
			log_info("received signal %d, shutting down", sig);
		proc_shutdown(p);
		break;
	case SIGHUP:
		if (p->self->sighup != NULL)
			p->self->sighup(p);
		break;
	case SIGCHLD:
		proc_reap(p);
		break;
	}
}

static void
proc_reap(struct proc *p)
{
	struct proc_peer	*pp;
	pid_t			 r;
	int			 i, st;

	for (i = 1; i < PROC_MAX; i++) {
		pp = &p->peer[i];
		if (pp->pid <= 0 || pp->reaped)
			continue;
		do {
			r = waitpid(pp->pid, &st, WNOHANG);
		} while (r == -1 && errno == EINTR);
		if (r != pp->pid)
			continue;
		pp->reaped = 1;
		pp->status = st;
		p->nalive--;
		if (p->stopping && ((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
		    (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)))
			log_debug("%s: pid %ld exited", pp->def->name,
			    (long)pp->pid);
		else if (WIFSIGNALED(st))
			log_warnx("%s: pid %ld killed by signal %d",
			    pp->def->name, (long)pp->pid, WTERMSIG(st));
		else
			log_warnx("%s: pid %ld exited with status %d",
			    pp->def->name, (long)pp->pid, WEXITSTATUS(st));
		if (!p->stopping) {
			log_warnx("child %s died, shutting down",
			    pp->def->name);
			proc_exit(p, 1);
		}
	}
	if (p->stopping && p->nalive == 0)
		event_base_loopexit(p->base, NULL);
}

static void
proc_kill_all(struct proc *p, int sig)
{
	int	i;

	for (i = 1; i < PROC_MAX; i++)
		if (p->peer[i].pid > 0 && !p->peer[i].reaped)
			(void)kill(p->peer[i].pid, sig);
}

static void
proc_kill_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc	*p = arg;

	log_warnx("children still running after %d s, killing",
	    PROC_KILL_WAIT);
	proc_kill_all(p, SIGKILL);
}

void
proc_shutdown(struct proc *p)
{
	struct timeval	tv = { PROC_KILL_WAIT, 0 };

	if (!p->is_parent) {
		proc_exit(p, p->exit_status);
		return;
	}
	if (p->stopping)
		return;
	p->stopping = 1;
	proc_kill_all(p, SIGTERM);
	if (p->nalive == 0) {
		event_base_loopexit(p->base, NULL);
		return;
	}
	if ((p->ev_kill = evtimer_new(p->base, proc_kill_cb, p)) != NULL)
		evtimer_add(p->ev_kill, &tv);
}

void
proc_exit(struct proc *p, int status)
{
	if (status != 0 || !p->stopping)
		p->exit_status = status;
	if (p->is_parent) {
		proc_shutdown(p);
		return;
	}
	p->stopping = 1;
	event_base_loopexit(p->base, NULL);
}

int
proc_dispatch(struct proc *p)
{
	/* A child may have died before SIGCHLD was watched. */
	if (p->is_parent)
		proc_reap(p);
	if (!(p->stopping && p->nalive == 0))
		event_base_dispatch(p->base);
	return p->exit_status;
}

/* Parent: SIGTERM, PROC_KILL_WAIT seconds, SIGKILL, reap. */
static void
proc_wait_all(struct proc *p)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	struct proc_peer *pp;
	int		 i, tries, st;

	if (p->nalive == 0)
		return;
	proc_kill_all(p, SIGTERM);
	for (tries = 0; tries < PROC_KILL_WAIT * 100 && p->nalive > 0;
	    tries++) {
		for (i = 1; i < PROC_MAX; i++) {
			pp = &p->peer[i];
			if (pp->pid > 0 && !pp->reaped &&
			    waitpid(pp->pid, &st, WNOHANG) == pp->pid) {
				pp->reaped = 1;
				pp->status = st;
				p->nalive--;
			}
		}
		if (p->nalive > 0)
			nanosleep(&ts, NULL);
	}
	proc_kill_all(p, SIGKILL);
	for (i = 1; i < PROC_MAX; i++) {
		pp = &p->peer[i];
		if (pp->pid > 0 && !pp->reaped &&
		    waitpid(pp->pid, &st, 0) == pp->pid) {
			pp->reaped = 1;
			pp->status = st;
			p->nalive--;
		}
	}
}

static void
proc_close_channels(struct proc *p)
{
	int	i;

	for (i = 0; i < PROC_MAX; i++) {
		imsgev_free(p->peer[i].iev);
		p->peer[i].iev = NULL;
	}
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	p->stopping = 1;
	proc_close_channels(p);
	if (p->is_parent)
		proc_wait_all(p);
	if (p->ev_kill != NULL)
		event_free(p->ev_kill);
	daemon_signals_free(p->sigs);
	event_base_free(p->base);
	free(p);
}

int
proc_compose(struct proc *p, int to, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct iovec	iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return proc_composev(p, to, type, peerid, fd, &iov, len == 0 ? 0 : 1);
}

int
proc_composev(struct proc *p, int to, uint32_t type, uint32_t peerid, int fd,
    const struct iovec *iov, int iovcnt)
{
	if (to < 0 || to >= PROC_MAX || p->peer[to].iev == NULL) {
		log_warnx("no channel to process %d", to);
		if (fd != -1)
			close(fd);
		errno = ENOTCONN;
		return -1;
	}
	return imsgev_composev(p->peer[to].iev, type, peerid, fd, iov,
	    iovcnt);
}

struct event_base *
proc_base(struct proc *p)
{
	return p->base;
}

void *
proc_arg(struct proc *p)
{
	return p->arg;
}

int
proc_id(const struct proc *p)
{
	return p->self->id;
}

const char *
proc_name(const struct proc *p)
{
	return p->self->name;
}

int
proc_privdrop(const struct proc *p)
{
	return p->privdrop;
}

pid_t
proc_child_pid(const struct proc *p, int id)
{
	if (!p->is_parent || id <= 0 || id >= PROC_MAX)
		return -1;
	return p->peer[id].pid;
}

int
proc_child_status(const struct proc *p, int id, int *status)
{
	if (!p->is_parent || id <= 0 || id >= PROC_MAX ||
	    p->peer[id].pid <= 0 || !p->peer[id].reaped)
		return -1;
	*status = p->peer[id].status;
	return 0;
}
