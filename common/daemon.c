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
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libutil.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "xmalloc.h"

static const int daemon_signos[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

struct daemon_signals {
	struct event	*ev[nitems(daemon_signos)];
	void		(*cb)(int, void *);
	void		*arg;
};

static int	daemon_setgroups_denied(void);
static void	daemon_signal_cb(evutil_socket_t, short, void *);

int
daemon_detach(void)
{
	int	fd, saved_errno;
	pid_t	pid;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	switch ((pid = fork())) {
	case -1:
		saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return -1;
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1 || chdir("/") == -1)
		_exit(1);	/* cannot happen; nobody left to tell */
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

struct pidfh *
daemon_pidfile_open(const char *path)
{
	struct pidfh	*pfh;
	pid_t		 other = -1;

	if ((pfh = pidfile_open(path, 0644, &other)) != NULL)
		return pfh;
	if (errno == EEXIST) {
		if (other > 0)
			log_warnx("%s: already running, pid %ld", path,
			    (long)other);
		else
			log_warnx("%s: already running (pid unknown)", path);
		errno = EEXIST;
	} else
		log_warn("pidfile %s", path);
	return NULL;
}

int
daemon_pidfile_write(struct pidfh *pfh)
{
	if (pfh == NULL)
		return 0;
	if (pidfile_write(pfh) == -1) {
		log_warn("pidfile write");
		return -1;
	}
	return 0;
}

/*
 * After the drop to the daemon's user, the directory of a pidfile that
 * root made (/var/run) no longer lets us unlink it: the file, still
 * open for writing, is emptied first, so that what stays behind names
 * no process (rc scripts take an empty pidfile for "not running").
 */
void
daemon_pidfile_remove(struct pidfh *pfh)
{
	int	 fd;

	if (pfh == NULL)
		return;
	if ((fd = pidfile_fileno(pfh)) != -1 && ftruncate(fd, 0) == -1)
		log_debug("pidfile truncate: %s", strerror(errno));
	if (pidfile_remove(pfh) == -1) {
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			log_debug("pidfile left empty: its directory is not "
			    "ours to write");
		else
			log_warn("pidfile remove");
	}
}

void
daemon_pidfile_close(struct pidfh *pfh)
{
	if (pfh != NULL)
		(void)pidfile_close(pfh);
}

/*
 * In a user namespace (unshare -r) only the ids of its map exist: 1 if
 * id is not among them (the drop cannot work there), 0 otherwise or when
 * the map cannot be read (no user namespaces: every id exists).
 */
int
daemon_id_unmapped(const char *map, unsigned long id)
{
#ifdef __linux__
	char		 path[64];
	FILE		*fp;
	unsigned long	 in, out, count;
	int		 found = 0;

	(void)snprintf(path, sizeof(path), "/proc/self/%s", map);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fscanf(fp, "%lu %lu %lu", &in, &out, &count) == 3)
		if (id >= in && id - in < count)
			found = 1;
	fclose(fp);
	return !found;
#else
	return 0;
#endif
}

/* A user namespace may forbid setgroups(2) (unshare -r does). */
static int
daemon_setgroups_denied(void)
{
#ifdef __linux__
	char	 buf[16];
	FILE	*fp;
	int	 denied = 0;

	if ((fp = fopen("/proc/self/setgroups", "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    strncmp(buf, "deny", 4) == 0)
		denied = 1;
	fclose(fp);
	return denied;
#else
	return 0;
#endif
}

int
daemon_drop_privs(const char *user, const char *dir)
{
	struct passwd	*pw = NULL;
	uid_t		 uid = 0, ruid, euid, suid;
	gid_t		 gid = 0, rgid, egid, sgid;
	int		 unmapped = 0, sg_denied = 0;

	if (geteuid() != 0) {
		log_info("not running as root: privilege drop to %s%s%s "
		    "skipped", user ? user : "(none)",
		    dir ? ", chroot " : "", dir ? dir : "");
		return 1;
	}
	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			log_warnx("unknown user %s", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		/* /proc is out of sight once chrooted: look now */
		unmapped = daemon_id_unmapped("uid_map", uid) ||
		    daemon_id_unmapped("gid_map", gid);
		sg_denied = daemon_setgroups_denied();
	}
	if (dir != NULL) {
		if (chroot(dir) == -1) {
			log_warn("chroot %s", dir);
			return -1;
		}
		if (chdir("/") == -1) {
			log_warn("chdir / in %s", dir);
			return -1;
		}
	}
	if (user == NULL)
		return 0;
	if (unmapped) {
		/* unshare -r and friends: only our own id exists here */
		log_info("user namespace without %s's ids: privilege drop "
		    "skipped", user);
		return 1;
	}
	if (!sg_denied && setgroups(1, &gid) == -1) {
		log_warn("setgroups");
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		log_warn("setresgid %ld", (long)gid);
		return -1;
	}
	if (setresuid(uid, uid, uid) == -1) {
		log_warn("setresuid %ld", (long)uid);
		return -1;
	}
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl PR_SET_NO_NEW_PRIVS");
		return -1;
	}
#endif
	/* Verify: every id is the user's, and root is out of reach. */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid) {
		log_warnx("privilege drop to %s did not take", user);
		return -1;
	}
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		log_warnx("privilege drop to %s: root regained", user);
		return -1;
	}
	log_debug("dropped privileges to %s uid=%ld gid=%ld%s%s", user,
	    (long)uid, (long)gid, dir ? " chroot=" : "", dir ? dir : "");
	return 0;
}

static void
daemon_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct daemon_signals	*ds = arg;

	ds->cb((int)sig, ds->arg);
}

struct daemon_signals *
daemon_signals_new(struct event_base *base, void (*cb)(int, void *),
    void *arg)
{
	struct daemon_signals	*ds;
	struct sigaction	 sa;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		log_warn("sigaction SIGPIPE");
		return NULL;
	}
	ds = xcalloc(1, sizeof(*ds));
	ds->cb = cb;
	ds->arg = arg;
	for (i = 0; i < nitems(daemon_signos); i++) {
		ds->ev[i] = evsignal_new(base, daemon_signos[i],
		    daemon_signal_cb, ds);
		if (ds->ev[i] == NULL || evsignal_add(ds->ev[i], NULL) == -1) {
			log_warnx("cannot install handler for signal %d",
			    daemon_signos[i]);
			daemon_signals_free(ds);
			return NULL;
		}
	}
	return ds;
}

void
daemon_signals_free(struct daemon_signals *ds)
{
	size_t	i;

	if (ds == NULL)
		return;
	for (i = 0; i < nitems(daemon_signos); i++)
		if (ds->ev[i] != NULL)
			event_free(ds->ev[i]);
	free(ds);
}

int
daemon_listen_tcp(const char *host, const char *port, int *fds, int max)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd, on = 1, e, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (host != NULL && (strcmp(host, "*") == 0 || *host == '\0'))
		host = NULL;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("listen %s:%s: %s", host ? host : "*", port,
		    gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			log_warn("socket");
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, 128) == -1) {
			log_warn("listen %s:%s", host ? host : "*", port);
			close(fd);
			continue;
		}
		fds[n++] = fd;
	}
	freeaddrinfo(res);
	return n > 0 ? n : -1;
}
