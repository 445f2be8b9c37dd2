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
 * greyd's privileged parent: it owns the firewall table spamd-white
 * (replaced whole, atomically, from each scan's white list), runs and
 * supervises greysync for -Y/-y, and turns SIGHUP into an immediate
 * scan.
 *
 * greysync is restarted whenever it dies, after 1 s, then 2, 4 ... up
 * to 60 s while it keeps dying young; a run of 60 s resets the delay
 * (grey_sync_backoff).  greysync runs in the foreground (-F, or -d
 * when greyd has it), so the process started is the one to follow.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "fwtable.h"
#include "greydb.h"
#include "greyd.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#define GREY_SYNC_ARGV		(2 * GREYDB_SYNC_MAXTARGETS + 16)

struct grey_parent {
	struct proc		*proc;
	struct fwtable		*fw;
	struct grey_setrx	 rx;
	/* greysync */
	char			 sync_path[1024];
	char			*sync_argv[GREY_SYNC_ARGV];
	pid_t			 sync_pid;	/* the one we wait for */
	time_t			 sync_started;
	int			 sync_delay;	/* before the last start */
	struct event		*ev_chld;
	struct event		*ev_restart;
};

/* This process's state: its run, dispatch and signal hooks share it. */
static struct grey_parent	*grey_parent;

static int	grey_parent_findexec(const char *, char *, size_t);
static void	grey_parent_sync(struct greyd_conf *, struct grey_parent *);
static void	grey_sync_start(struct grey_parent *);
static void	grey_sync_chld(int, short, void *);
static void	grey_sync_restart(int, short, void *);
static void	grey_sync_later(struct grey_parent *, time_t);
static void	grey_parent_atexit(void);

int
greyd_parent_run(struct proc *p)
{
	struct greyd_conf	*conf = proc_arg(p);
	struct grey_parent	*gp;
	char			 err[256];
	int			 i;

	for (i = 0; i < conf->nsmtp_fd; i++)
		close(conf->smtp_fd[i]);
	if (conf->cfg_fd != -1)
		close(conf->cfg_fd);
	gp = xcalloc(1, sizeof(*gp));
	gp->proc = p;
	gp->sync_pid = -1;
	grey_parent = gp;
	if (!conf->blackonly) {
		gp->fw = fwtable_open(conf->fwspec, FWTABLE_CREATE, err,
		    sizeof(err));
		if (gp->fw == NULL) {
			log_warnx("firewall %s: %s", conf->fwspec, err);
			return -1;
		}
		log_debug("firewall back-end %s", fwtable_spec(gp->fw));
	}
	if (conf->sync.ntargets > 0 || conf->sync.listen != NULL)
		grey_parent_sync(conf, gp);
	return 0;
}

void
greyd_parent_dispatch(struct proc *p, int from, struct imsg *msg)
{
	struct grey_parent	*gp = grey_parent;
	struct prefixset	*set;
	int			 which, r;

	switch (msg->hdr.type) {
	case IMSG_SET_BEGIN:
	case IMSG_SET_ADD:
	case IMSG_SET_END:
		if (from != PROC_GREY)
			break;
		r = grey_set_recv(&gp->rx, msg, &which, &set);
		if (r != 1)
			break;
		if (which == GREYD_SET_WHITE && gp->fw != NULL) {
			if (fwtable_replace(gp->fw, GREYD_TABLE_WHITE,
			    set) == -1)
				log_warnx("%s: %s", GREYD_TABLE_WHITE,
				    fwtable_error(gp->fw));
			else
				log_debug("%s: %zu addresses",
				    GREYD_TABLE_WHITE, prefixset_count(set));
		}
		prefixset_free(set);
		break;
	default:
		log_warnx("unexpected message %u from process %d",
		    msg->hdr.type, from);
		break;
	}
}

void
greyd_parent_sighup(struct proc *p)
{
	struct greyd_conf	*conf = proc_arg(p);

	if (conf->blackonly)
		return;
	log_info("SIGHUP: scanning the database now");
	(void)proc_compose(p, PROC_GREY, IMSG_GREY_SCAN, 0, -1, NULL, 0);
}

/* The first executable name in PATH (or name itself with a '/'). */
static int
grey_parent_findexec(const char *name, char *out, size_t len)
{
	const char	*path, *p, *e;
	int		 n;

	if (strchr(name, '/') != NULL) {
		if (strlcpy(out, name, len) >= len)
			return -1;
		return access(out, X_OK);
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		n = snprintf(out, len, "%.*s/%s", (int)(e - p), p, name);
		if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/*
 * -Y/-y: greysync does spamd's sync; it reads the changes greyd makes
 * from the database journal, so it gets greyd's -d, -u, -D, -Y and -y
 * and nothing else.  Not installed: logged, and greyd goes on without sync.
 */
static void
grey_parent_sync(struct greyd_conf *conf, struct grey_parent *gp)
{
	size_t	 i;
	int	 n = 0;

	if (grey_parent_findexec(GREYD_GREYSYNC, gp->sync_path,
	    sizeof(gp->sync_path)) == -1) {
		log_warnx("%s is not installed: running without sync",
		    GREYD_GREYSYNC);
		return;
	}
	gp->sync_argv[n++] = xstrdup(GREYD_GREYSYNC);
	gp->sync_argv[n++] = xstrdup(conf->debug ? "-d" : "-F");
	gp->sync_argv[n++] = xstrdup("-G");
	(void)xasprintf(&gp->sync_argv[n++], "%llds:%llds:%llds",
	    (long long)conf->passtime, (long long)conf->greyexp,
	    (long long)conf->whiteexp);
	gp->sync_argv[n++] = xstrdup("-u");
	gp->sync_argv[n++] = xstrdup(conf->user);
	gp->sync_argv[n++] = xstrdup("-D");
	gp->sync_argv[n++] = xstrdup(conf->dbpath != NULL ? conf->dbpath :
	    GREYDB_PATH);
	for (i = 0; i < conf->sync.ntargets; i++) {
		gp->sync_argv[n++] = xstrdup("-Y");
		gp->sync_argv[n++] = xstrdup(conf->sync.targets[i]);
	}
	if (conf->sync.listen != NULL) {
		gp->sync_argv[n++] = xstrdup("-y");
		gp->sync_argv[n++] = xstrdup(conf->sync.listen);
	}
	gp->sync_argv[n] = NULL;
	gp->ev_chld = evsignal_new(proc_base(gp->proc), SIGCHLD,
	    grey_sync_chld, gp);
	gp->ev_restart = evtimer_new(proc_base(gp->proc), grey_sync_restart,
	    gp);
	if (gp->ev_chld == NULL || gp->ev_restart == NULL ||
	    evsignal_add(gp->ev_chld, NULL) == -1)
		fatalx("greysync events");
	(void)atexit(grey_parent_atexit);
	grey_sync_start(gp);
}

static void
grey_sync_start(struct grey_parent *gp)
{
	pid_t		 pid;

	gp->sync_started = time(NULL);
	switch ((pid = fork())) {
	case -1:
		log_warn("fork %s", GREYD_GREYSYNC);
		grey_sync_later(gp, 0);
		return;
	case 0:
		execv(gp->sync_path, gp->sync_argv);
		log_warn("exec %s", gp->sync_path);
		_exit(127);
	default:
		gp->sync_pid = pid;
		log_info("started %s, pid %ld", gp->sync_path, (long)pid);
		break;
	}
}

static void
grey_sync_chld(int sig, short ev, void *arg)
{
	struct grey_parent	*gp = arg;
	time_t			 ran;
	pid_t			 r;
	int			 st;

	if (gp->sync_pid <= 0)
		return;
	do {
		r = waitpid(gp->sync_pid, &st, WNOHANG);
	} while (r == -1 && errno == EINTR);
	if (r != gp->sync_pid)
		return;
	ran = time(NULL) - gp->sync_started;
	grey_sync_later(gp, ran);
	if (WIFSIGNALED(st))
		log_warnx("%s (pid %ld) killed by signal %d after %lld s: "
		    "restarting in %d s", GREYD_GREYSYNC, (long)gp->sync_pid,
		    WTERMSIG(st), (long long)ran, gp->sync_delay);
	else
		log_warnx("%s (pid %ld) exited with status %d after %lld s: "
		    "restarting in %d s", GREYD_GREYSYNC, (long)gp->sync_pid,
		    WEXITSTATUS(st), (long long)ran, gp->sync_delay);
	gp->sync_pid = -1;
}

/* The next start, after the back-off for a run of `ran' seconds. */
static void
grey_sync_later(struct grey_parent *gp, time_t ran)
{
	struct timeval	 tv;

	gp->sync_delay = grey_sync_backoff(gp->sync_delay, ran);
	tv.tv_sec = gp->sync_delay;
	tv.tv_usec = 0;
	evtimer_add(gp->ev_restart, &tv);
}

static void
grey_sync_restart(int fd, short ev, void *arg)
{
	grey_sync_start(arg);
}

static void
grey_parent_atexit(void)
{
	if (grey_parent != NULL && grey_parent->sync_pid > 0) {
		(void)kill(grey_parent->sync_pid, SIGTERM);
		(void)waitpid(grey_parent->sync_pid, NULL, 0);
		grey_parent->sync_pid = -1;
	}
}

/* Called by main() when the processes are gone. */
void
greyd_parent_free(void)
{
	int	 i;

	grey_parent_atexit();
	if (grey_parent == NULL)
		return;
	fwtable_close(grey_parent->fw);
	grey_setrx_clear(&grey_parent->rx);
	if (grey_parent->ev_chld != NULL)
		event_free(grey_parent->ev_chld);
	if (grey_parent->ev_restart != NULL)
		event_free(grey_parent->ev_restart);
	for (i = 0; grey_parent->sync_argv[i] != NULL; i++)
		free(grey_parent->sync_argv[i]);
	free(grey_parent);
	grey_parent = NULL;
}
