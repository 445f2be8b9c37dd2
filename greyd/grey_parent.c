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
 * (replaced whole, atomically, from each scan's white list), runs
 * greysync for -Y/-y, and turns SIGHUP into an immediate scan.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "fwtable.h"
#include "greyd.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

struct grey_parent {
	struct fwtable		*fw;
	struct grey_setrx	 rx;
	pid_t			 sync_pid;
};

/* This process's state: its run, dispatch and signal hooks share it. */
static struct grey_parent	*grey_parent;

static int	grey_parent_findexec(const char *, char *, size_t);
static void	grey_parent_sync(struct greyd_conf *, struct grey_parent *);
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
	if (conf->nsync_targets > 0 || conf->sync_listen != NULL)
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
 * from the database journal, so it gets the same -Y and -y and nothing
 * else.  Not installed: logged, and greyd goes on without sync.
 */
static void
grey_parent_sync(struct greyd_conf *conf, struct grey_parent *gp)
{
	char		 path[1024];
	char		*argv[2 * 32 + 4];
	int		 i, n = 0;
	pid_t		 pid;

	if (grey_parent_findexec(GREYD_GREYSYNC, path, sizeof(path)) == -1) {
		log_warnx("%s is not installed: running without sync",
		    GREYD_GREYSYNC);
		return;
	}
	argv[n++] = xstrdup(GREYD_GREYSYNC);
	for (i = 0; i < conf->nsync_targets; i++) {
		argv[n++] = xstrdup("-Y");
		argv[n++] = xstrdup(conf->sync_targets[i]);
	}
	if (conf->sync_listen != NULL) {
		argv[n++] = xstrdup("-y");
		argv[n++] = xstrdup(conf->sync_listen);
	}
	argv[n] = NULL;
	switch ((pid = fork())) {
	case -1:
		log_warn("fork %s", GREYD_GREYSYNC);
		break;
	case 0:
		execv(path, argv);
		log_warn("exec %s", path);
		_exit(127);
	default:
		gp->sync_pid = pid;
		log_info("started %s, pid %ld", path, (long)pid);
		(void)atexit(grey_parent_atexit);
		break;
	}
	for (i = 0; i < n; i++)
		free(argv[i]);
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
	grey_parent_atexit();
	if (grey_parent == NULL)
		return;
	fwtable_close(grey_parent->fw);
	grey_setrx_clear(&grey_parent->rx);
	free(grey_parent);
	grey_parent = NULL;
}
