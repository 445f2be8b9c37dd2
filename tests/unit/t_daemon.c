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
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "tap.h"

struct drop_report {
	int	rv;
	uid_t	ruid, euid, suid;
	gid_t	rgid, egid, sgid;
	int	ngroups;
	gid_t	group0;
	int	marker;		/* access("/marker") == 0 */
	int	regain;		/* setuid(0) == 0 */
	int	nnp;		/* PR_GET_NO_NEW_PRIVS */
};

struct detach_report {
	int	rv;
	int	own_session;
	int	cwd_root;
	int	stdin_null;
	int	stdout_null;
	int	stderr_null;
	pid_t	pid;
};

static char	tmpdir[PATH_MAX];

static int	read_full(int, void *, size_t, int);
static pid_t	fork_piped(int [2]);
static void	read_all(int, char *, size_t);
static void	rm_tree(void);
static void	test_pidfile(void);
static void	test_drop(void);
static void	test_pidfile_dropped(void);
static void	test_drop_unknown(void);
static void	test_detach(void);
static void	test_signals(void);
static int	is_devnull(int);

/*
 * fork() with a pipe from the child (p[1]) to the parent (p[0]); each
 * side's other end closed.  The pid as fork's.
 */
static pid_t
fork_piped(int p[2])
{
	pid_t	 pid;

	if (pipe(p) == -1)
		fatal("pipe");
	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	close(pid == 0 ? p[0] : p[1]);
	return pid;
}

/* Everything fd gives until EOF (truncated to size - 1), then close it. */
static void
read_all(int fd, char *buf, size_t size)
{
	size_t	 n = 0;
	ssize_t	 r;

	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
}

/* Read exactly len bytes within ms milliseconds. */
static int
read_full(int fd, void *buf, size_t len, int ms)
{
	struct pollfd	 pfd;
	unsigned char	*p = buf;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < len) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) != 1)
			return -1;
		if ((n = read(fd, p + off, len - off)) <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static void
rm_tree(void)
{
	char	path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/marker", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/test.pid", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/drop.pid", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

static void
test_pidfile(void)
{
	struct pidfh	*pfh;
	struct stat	 sb;
	char		 path[PATH_MAX + 32], buf[256], want[64];
	FILE		*fp;
	pid_t		 pid, other = 0;
	int		 p[2], st, fd;

	snprintf(path, sizeof(path), "%s/test.pid", tmpdir);
	pfh = daemon_pidfile_open(path);
	ok(pfh != NULL, "pidfile opened");
	is_int(daemon_pidfile_write(pfh), 0, "pidfile written");
	buf[0] = '\0';
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(want, sizeof(want), "%ld", (long)getpid());
	is_str(buf, want, "pidfile holds our pid");

	/* A second instance (another process) must fail, naming us. */
	if ((pid = fork_piped(p)) == 0) {
		struct pidfh	*pfh2;

		dup2(p[1], STDERR_FILENO);
		pfh2 = pidfile_open(path, 0644, &other);
		if (pfh2 != NULL || errno != EEXIST)
			_exit(2);
		if (daemon_pidfile_open(path) != NULL || errno != EEXIST)
			_exit(3);
		/* the pid libbsd read, after the log line */
		fprintf(stderr, "\nother=%ld\n", (long)other);
		_exit(0);
	}
	read_all(p[0], buf, sizeof(buf));
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	    "second open failed with EEXIST (both APIs)");
	snprintf(want, sizeof(want), "already running, pid %ld",
	    (long)getpid());
	ok(strstr(buf, want) != NULL, "the message names the running pid");
	if (strstr(buf, want) == NULL)
		diag("got: %s", buf);
	snprintf(want, sizeof(want), "other=%ld", (long)getpid());
	ok(strstr(buf, want) != NULL, "pidfile_open reported our pid");

	daemon_pidfile_remove(pfh);
	ok(stat(path, &sb) == -1 && errno == ENOENT, "pidfile removed");

	/* A stale pidfile (nobody holds the lock) is taken over. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
		if (write(fd, "99999\n", 6) != 6)
			diag("write failed");
		close(fd);
	}
	pfh = daemon_pidfile_open(path);
	ok(pfh != NULL, "stale pidfile taken over");
	daemon_pidfile_remove(pfh);
}

static void
test_drop(void)
{
	struct drop_report	 r;
	struct passwd		*pw;
	char			 path[PATH_MAX + 32];
	pid_t			 pid;
	uid_t			 nuid;
	gid_t			 ngid;
	int			 p[2], st, fd;

	if ((pw = getpwnam("nobody")) == NULL) {
		skip(11, "no user nobody on this system");
		return;
	}
	nuid = pw->pw_uid;
	ngid = pw->pw_gid;
	snprintf(path, sizeof(path), "%s/marker", tmpdir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) == -1)
		fatal("%s", path);
	close(fd);
	/* nobody must be able to search the chroot */
	chmod(tmpdir, 0755);

	if ((pid = fork_piped(p)) == 0) {
		memset(&r, 0, sizeof(r));
		r.rv = daemon_drop_privs("nobody", tmpdir);
		getresuid(&r.ruid, &r.euid, &r.suid);
		getresgid(&r.rgid, &r.egid, &r.sgid);
		r.ngroups = getgroups(1, &r.group0);
		r.marker = access("/marker", F_OK) == 0;
		r.regain = setuid(0) == 0 || seteuid(0) == 0;
#ifdef __linux__
		r.nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
#else
		r.nnp = 1;
#endif
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	memset(&r, 0, sizeof(r));
	is_int(read_full(p[0], &r, sizeof(r), 5000), 0,
	    "drop: the child reported");
	close(p[0]);
	waitpid(pid, &st, 0);

	if (!tap_real_root()) {
		is_int(r.rv, 1, "not root: drop skipped (returns 1)");
		is_int(r.euid, geteuid(), "not root: uid unchanged");
		skip(8, "not root: setresuid/chroot need root");
		return;
	}
	is_int(r.rv, 0, "root: daemon_drop_privs(nobody, tmpdir) returns 0");
	ok(r.ruid == nuid && r.euid == nuid && r.suid == nuid,
	    "real, effective and saved uid are nobody's (%ld/%ld/%ld)",
	    (long)r.ruid, (long)r.euid, (long)r.suid);
	ok(r.rgid == ngid && r.egid == ngid && r.sgid == ngid,
	    "real, effective and saved gid are nobody's (%ld/%ld/%ld)",
	    (long)r.rgid, (long)r.egid, (long)r.sgid);
	is_int(r.ngroups, 1, "one supplementary group");
	is_int(r.group0, ngid, "it is nobody's group");
	is_int(r.marker, 1, "\"/\" is the chroot: /marker exists");
	is_int(r.regain, 0, "setuid(0) fails afterwards");
	is_int(r.nnp, 1, "PR_SET_NO_NEW_PRIVS is set");
	ok(access("/marker", F_OK) == -1, "(the real / has no marker)");
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "drop: child exit 0");
}

/*
 * A pidfile in root's directory, removed at exit after the drop to
 * nobody: it cannot be unlinked; it is left empty, and nothing is
 * logged at the default level (no "Permission denied").
 */
static void
test_pidfile_dropped(void)
{
	struct pidfh	*pfh;
	struct stat	 sb;
	char		 path[PATH_MAX + 32], buf[2048];
	pid_t		 pid;
	int		 p[2], st;

	if (!tap_real_root() || getpwnam("nobody") == NULL) {
		skip(4, "not root: no privilege drop");
		return;
	}
	snprintf(path, sizeof(path), "%s/drop.pid", tmpdir);
	chmod(tmpdir, 0755);
	if ((pid = fork_piped(p)) == 0) {
		dup2(p[1], STDERR_FILENO);
		log_init(1, LOG_MAIL);
		log_setverbose(0);
		if ((pfh = daemon_pidfile_open(path)) == NULL ||
		    daemon_pidfile_write(pfh) == -1 ||
		    daemon_drop_privs("nobody", NULL) != 0)
			_exit(1);
		daemon_pidfile_remove(pfh);
		_exit(0);
	}
	read_all(p[0], buf, sizeof(buf));
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	    "dropped: pidfile opened, written, drop done");
	ok(stat(path, &sb) == 0, "dropped: the pidfile is still there "
	    "(root's directory)");
	is_int(sb.st_size, 0, "dropped: and empty, naming no process");
	ok(strstr(buf, "Permission denied") == NULL &&
	    strstr(buf, "pidfile") == NULL, "dropped: nothing logged");
	if (buf[0] != '\0')
		diag("child said: %s", buf);
}

static void
test_drop_unknown(void)
{
	pid_t	pid;
	int	st;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0)
		_exit(daemon_drop_privs("no-such-user-mxsuite", NULL) + 10);
	waitpid(pid, &st, 0);
	if (geteuid() != 0)
		is_int(WEXITSTATUS(st), 11, "not root: unknown user: skipped");
	else
		is_int(WEXITSTATUS(st), 9, "root: unknown user: -1");
}

static int
is_devnull(int fd)
{
	struct stat	a, b;

	if (fstat(fd, &a) == -1 || stat("/dev/null", &b) == -1)
		return 0;
	return S_ISCHR(a.st_mode) && a.st_rdev == b.st_rdev;
}

static void
test_detach(void)
{
	struct detach_report	r;
	char			cwd[PATH_MAX];
	pid_t			pid;
	int			p[2], st;

	if ((pid = fork_piped(p)) == 0) {
		memset(&r, 0, sizeof(r));
		r.rv = daemon_detach();
		/* only the detached grandchild gets here */
		r.pid = getpid();
		r.own_session = getsid(0) == getpid();
		r.cwd_root = getcwd(cwd, sizeof(cwd)) != NULL &&
		    strcmp(cwd, "/") == 0;
		r.stdin_null = is_devnull(STDIN_FILENO);
		r.stdout_null = is_devnull(STDOUT_FILENO);
		r.stderr_null = is_devnull(STDERR_FILENO);
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	    "detach: the calling process exits 0");
	memset(&r, 0, sizeof(r));
	is_int(read_full(p[0], &r, sizeof(r), 5000), 0,
	    "detach: the daemon reported");
	close(p[0]);
	is_int(r.rv, 0, "detach: returns 0 in the daemon");
	ok(r.pid != pid && r.pid > 0, "detach: the daemon is a new process");
	is_int(r.own_session, 1, "detach: session leader (setsid)");
	is_int(r.cwd_root, 1, "detach: cwd is /");
	ok(r.stdin_null && r.stdout_null && r.stderr_null,
	    "detach: stdin, stdout and stderr are /dev/null");
}

struct sigcount {
	struct event_base	*base;
	int			 hup, term, intr, chld;
};

static void	sig_cb(int, void *);

static void
sig_cb(int sig, void *arg)
{
	struct sigcount	*sc = arg;

	switch (sig) {
	case SIGHUP:
		sc->hup++;
		break;
	case SIGTERM:
		sc->term++;
		break;
	case SIGINT:
		sc->intr++;
		break;
	case SIGCHLD:
		sc->chld++;
		break;
	}
	if (sc->hup && sc->term && sc->intr && sc->chld)
		event_base_loopexit(sc->base, NULL);
}

static void
test_signals(void)
{
	struct daemon_signals	*ds;
	struct sigcount		 sc;
	struct sigaction	 sa;
	struct timeval		 tv = { 5, 0 };
	pid_t			 pid;
	int			 st;

	memset(&sc, 0, sizeof(sc));
	sc.base = event_base_new();
	ds = daemon_signals_new(sc.base, sig_cb, &sc);
	ok(ds != NULL, "signal handlers installed");
	sigaction(SIGPIPE, NULL, &sa);
	ok(sa.sa_handler == SIG_IGN, "SIGPIPE ignored");
	kill(getpid(), SIGHUP);
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGINT);
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(0);
	event_base_loopexit(sc.base, &tv);
	event_base_dispatch(sc.base);
	waitpid(pid, &st, 0);
	ok(sc.hup == 1 && sc.term == 1 && sc.intr == 1 && sc.chld == 1,
	    "HUP, TERM, INT, CHLD reached the callback from the loop "
	    "(%d %d %d %d)", sc.hup, sc.term, sc.intr, sc.chld);
	daemon_signals_free(ds);
	event_base_free(sc.base);
}

/* daemon_listen_tcp: a real listener that accepts; errors are -1. */
static void
test_listen(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fds[4], n, c, a = -1, fl, acc = 0;

	n = daemon_listen_tcp("127.0.0.1", "0", fds, 4);
	is_int(n, 1, "listen on 127.0.0.1: one socket");
	if (n != 1) {
		skip(3, "no listener");
		return;
	}
	fl = fcntl(fds[0], F_GETFL);
	ok(fl != -1 && (fl & O_NONBLOCK) &&
	    (fcntl(fds[0], F_GETFD) & FD_CLOEXEC), "non-blocking, cloexec");
	getsockname(fds[0], (struct sockaddr *)&sin, &len);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&sin, len) == 0) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		if (poll(&pfd, 1, 2000) == 1 &&
		    (a = accept(fds[0], NULL, NULL)) != -1)
			acc = 1;
	}
	ok(acc, "a client connects and is accepted");
	close(c);
	if (a != -1)
		close(a);
	close(fds[0]);
	is_int(daemon_listen_tcp("no.such.host.invalid", "25", fds, 4), -1,
	    "an unknown host: -1");
}

int
main(void)
{
	const char	*t;

	log_init(1, LOG_MAIL);
	plan(38);
	if ((t = getenv("TMPDIR")) == NULL)
		t = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/t_daemon.XXXXXX", t);
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");

	test_pidfile();
	test_drop();
	test_pidfile_dropped();
	test_drop_unknown();
	test_detach();
	test_signals();
	test_listen();
	rm_tree();
	return done_testing();
}
