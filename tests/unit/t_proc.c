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
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "tap.h"

enum {
	PROC_ALPHA = 1,
	PROC_BETA
};

enum {
	MSG_PING = 1,
	MSG_PONG,
	MSG_RELAY,
	MSG_PEER,
	MSG_PEER_OK,
	MSG_FD,
	MSG_FD_OK,
	MSG_DIE
};

struct report {
	int	privdrop;
	uid_t	uid;
	uid_t	euid;
	int	marker;
	pid_t	pid;
};

/* The parent side of the test (the children have their own copy). */
struct state {
	struct proc	*p;
	struct report	 rep[3];
	int		 pongs;
	char		 peer_msg[64];
	int		 peer_from;
	char		 fd_msg[64];
	int		 done;
	int		 timeout;
	int		 bad;
};

static char		tmpdir[PATH_MAX];
static struct state	st;

static void	parent_dispatch(struct proc *, int, struct imsg *);
static void	child_dispatch(struct proc *, int, struct imsg *);
static int	child_run(struct proc *);
static void	guard_cb(evutil_socket_t, short, void *);
static void	check_done(struct proc *);
static int	run_scenario(int);

static const struct proc_def parent = {
	PROC_PARENT, "parent", NULL, parent_dispatch, NULL, NULL, 0, NULL
};

static struct proc_def children[] = {
	{ PROC_ALPHA, "alpha", child_run, child_dispatch, NULL, "nobody",
	    PROC_BIT(PROC_BETA), NULL },
	{ PROC_BETA, "beta", child_run, child_dispatch, NULL, "nobody",
	    0, NULL }
};

static int
child_run(struct proc *p)
{
	return 0;
}

static void
child_dispatch(struct proc *p, int from, struct imsg *msg)
{
	struct report	 r;
	char		 buf[64];
	ssize_t		 n;
	int		 fd;

	switch (msg->hdr.type) {
	case MSG_PING:
		memset(&r, 0, sizeof(r));
		r.privdrop = proc_privdrop(p);
		r.uid = getuid();
		r.euid = geteuid();
		r.marker = access("/marker", F_OK) == 0;
		r.pid = getpid();
		proc_compose(p, PROC_PARENT, MSG_PONG, proc_id(p), -1, &r,
		    sizeof(r));
		break;
	case MSG_RELAY:
		proc_compose(p, PROC_BETA, MSG_PEER, 0, -1, "hi from alpha",
		    14);
		break;
	case MSG_PEER:
		if (imsg_get_string(msg, buf, sizeof(buf)) == -1)
			break;
		proc_compose(p, PROC_PARENT, MSG_PEER_OK, from, -1, buf,
		    strlen(buf) + 1);
		break;
	case MSG_FD:
		fd = imsg_get_fd(msg);
		memset(buf, 0, sizeof(buf));
		n = fd == -1 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (n < 0)
			n = 0;
		buf[n] = '\0';
		if (fd != -1)
			close(fd);
		proc_compose(p, PROC_PARENT, MSG_FD_OK, 0, -1, buf, n + 1);
		break;
	case MSG_DIE:
		proc_exit(p, 3);
		break;
	}
}

static void
check_done(struct proc *p)
{
	if (st.pongs == 2 && st.peer_msg[0] != '\0' && st.fd_msg[0] != '\0' &&
	    !st.done) {
		st.done = 1;
		proc_shutdown(p);
	}
}

static void
parent_dispatch(struct proc *p, int from, struct imsg *msg)
{
	struct report	r;

	switch (msg->hdr.type) {
	case MSG_PONG:
		if (from < 1 || from > 2 ||
		    imsg_get_data(msg, &r, sizeof(r)) == -1) {
			st.bad++;
			break;
		}
		st.rep[from] = r;
		st.pongs++;
		break;
	case MSG_PEER_OK:
		if (from != PROC_BETA || imsg_get_string(msg, st.peer_msg,
		    sizeof(st.peer_msg)) == -1)
			st.bad++;
		st.peer_from = msg->hdr.peerid;
		break;
	case MSG_FD_OK:
		if (imsg_get_string(msg, st.fd_msg, sizeof(st.fd_msg)) == -1)
			st.bad++;
		break;
	default:
		st.bad++;
	}
	check_done(p);
}

static void
guard_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct proc	*p = arg;

	st.timeout = 1;
	proc_shutdown(p);
}

/*
 * 0: talk to both children, then shut down.
 * 1: beta exits with status 3; the parent must notice.
 * 2: SIGTERM to the parent; it must stop the children.
 */
static int
run_scenario(int which)
{
	struct event	*guard;
	struct timeval	 tv = { 10, 0 };
	struct proc	*p;
	int		 pfd[2], rv;

	memset(&st, 0, sizeof(st));
	p = proc_start(&parent, children, nitems(children), &st);
	st.p = p;
	guard = evtimer_new(proc_base(p), guard_cb, p);
	evtimer_add(guard, &tv);
	switch (which) {
	case 0:
		proc_compose(p, PROC_ALPHA, MSG_PING, 0, -1, NULL, 0);
		proc_compose(p, PROC_BETA, MSG_PING, 0, -1, NULL, 0);
		proc_compose(p, PROC_ALPHA, MSG_RELAY, 0, -1, NULL, 0);
		if (pipe(pfd) == -1)
			fatal("pipe");
		if (write(pfd[1], "secret", 6) != 6)
			fatal("write");
		close(pfd[1]);
		proc_compose(p, PROC_BETA, MSG_FD, 0, pfd[0], NULL, 0);
		break;
	case 1:
		proc_compose(p, PROC_BETA, MSG_DIE, 0, -1, NULL, 0);
		break;
	case 2:
		kill(getpid(), SIGTERM);
		break;
	}
	rv = proc_dispatch(p);
	event_free(guard);
	st.p = p;
	return rv;
}

static int
title_has(pid_t pid, const char *name)
{
	char	path[64], buf[512];
	ssize_t	n, i;
	int	fd;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, name) != NULL;
}

int
main(void)
{
	struct passwd	*pw;
	struct proc	*p;
	const char	*t;
	char		 path[PATH_MAX + 32];
	uid_t		 nuid;
	int		 rv, status, fd, root = tap_real_root();
	int		 ta, tb;

	log_init(1, LOG_MAIL);
	plan(24);
	if ((t = getenv("TMPDIR")) == NULL)
		t = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/t_proc.XXXXXX", t);
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");
	chmod(tmpdir, 0755);
	snprintf(path, sizeof(path), "%s/marker", tmpdir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) == -1)
		fatal("%s", path);
	close(fd);
	children[0].chroot = tmpdir;
	if ((pw = getpwnam("nobody")) == NULL)
		fatalx("no user nobody");
	nuid = pw->pw_uid;

	/* 0: messages both ways, child to child, an fd, then shutdown. */
	rv = run_scenario(0);
	p = st.p;
	is_int(st.timeout, 0, "talk: finished before the 10 s guard");
	is_int(st.bad, 0, "talk: no unexpected or malformed message");
	is_int(st.pongs, 2, "talk: both children answered the parent");
	is_str(st.peer_msg, "hi from alpha",
	    "talk: alpha -> beta -> parent relay");
	is_int(st.peer_from, PROC_ALPHA, "talk: beta saw it come from alpha");
	is_str(st.fd_msg, "secret", "talk: beta read through the passed fd");
	ok(st.rep[1].pid == proc_child_pid(p, PROC_ALPHA) &&
	    st.rep[2].pid == proc_child_pid(p, PROC_BETA),
	    "talk: answers came from the children's pids");
	is_int(rv, 0, "talk: orderly shutdown returns 0");
	ok(proc_child_status(p, PROC_ALPHA, &status) == 0 &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "talk: alpha exited 0 on SIGTERM");
	ok(proc_child_status(p, PROC_BETA, &status) == 0 &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "talk: beta exited 0 on SIGTERM");
	if (root) {
		is_int(st.rep[1].privdrop, 0, "root: alpha dropped privileges");
		ok(st.rep[1].uid == nuid && st.rep[1].euid == nuid,
		    "root: alpha runs as nobody (uid %ld)",
		    (long)st.rep[1].uid);
		ok(st.rep[2].uid == nuid && st.rep[2].euid == nuid,
		    "root: beta runs as nobody (uid %ld)",
		    (long)st.rep[2].uid);
		is_int(st.rep[1].marker, 1, "root: alpha's / is the chroot");
		is_int(st.rep[2].marker, 0, "root: beta is not chrooted");
	} else {
		is_int(st.rep[1].privdrop, 1,
		    "not root: alpha skipped the drop (and logged it)");
		is_int(st.rep[1].uid, getuid(),
		    "not root: alpha keeps our uid");
		is_int(st.rep[2].privdrop, 1, "not root: beta skipped too");
		skip(2, "not root: setresuid and chroot need root");
	}
	proc_free(p);

	/* 1: a child dies; the parent notices and stops the other. */
	rv = run_scenario(1);
	p = st.p;
	is_int(st.timeout, 0, "death: noticed before the 10 s guard");
	is_int(rv, 1, "death: proc_dispatch returns 1");
	ok(proc_child_status(p, PROC_BETA, &status) == 0 &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 3,
	    "death: beta's exit status 3 was reaped");
	ok(proc_child_status(p, PROC_ALPHA, &status) == 0 &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "death: alpha was stopped (exit 0)");
	proc_free(p);

	/* 2: SIGTERM to the parent stops everything. */
	rv = run_scenario(2);
	p = st.p;
	is_int(st.timeout, 0, "sigterm: handled before the 10 s guard");
	is_int(rv, 0, "sigterm: proc_dispatch returns 0");
	ok(proc_child_status(p, PROC_ALPHA, &status) == 0 &&
	    proc_child_status(p, PROC_BETA, &status) == 0,
	    "sigterm: both children reaped");
	proc_free(p);

	/* 3: process titles, seen from outside. */
	memset(&st, 0, sizeof(st));
	p = proc_start(&parent, children, nitems(children), &st);
	usleep(200 * 1000);
	ta = title_has(proc_child_pid(p, PROC_ALPHA), "alpha");
	tb = title_has(proc_child_pid(p, PROC_BETA), "beta");
	if (ta == -1)
		skip(2, "no /proc to read titles from");
	else {
		is_int(ta, 1, "title: alpha's cmdline names it");
		is_int(tb, 1, "title: beta's cmdline names it");
	}
	proc_free(p);

	unlink(path);
	rmdir(tmpdir);
	return done_testing();
}
