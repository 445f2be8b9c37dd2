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
 * dkimsignd: an SMTP proxy that DKIM-signs mail, dkimproxy.out's drop-in.
 * main() and start-up only: the configuration, the listening sockets,
 * daemon life (detach, pidfile, user/group), signals (SIGHUP re-reads
 * the configuration and the keys).
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "proxy.h"

#include "dkimsignd.h"

#define DKP_LISTEN_MAX	16

static struct {
	int		 argc;
	char		**argv;
	struct event_base *base;
	struct dkp_state st;
	int		 fds[DKP_LISTEN_MAX];
	size_t		 nfds;
	int		 cwd;		/* start-up's, for relative paths */
} dkp;

static __dead void usage(int);
static struct dkp_conf *dkp_load(int, int, int *, int *);
static int	dkp_drop(const char *, const char *);
static void	dkp_signal(int, void *);
static void	dkp_reload(void);

static __dead void
usage(int rv)
{
	fprintf(rv ? stderr : stdout,
	    "usage: %s [-dhnv] [-f file] [--conf_file=file]\n"
	    "\t[--listen=addr:port]"
	    " [--relay=host:port] [--domain=dom[,dom...]]\n"
	    "\t[--keyfile=file]"
	    " [--selector=sel] [--method=canon]\n"
	    "\t[--signature=spec ...]"
	    " [--sender_map=file] [--listid_map=file]\n"
	    "\t[--identity=i]"
	    " [--reject-error] [--daemonize[=0]] [--pidfile=file]\n"
	    "\t[--user=user] [--group=group] [--key=value ...]\n"
	    "\t[listenaddr:port relayaddr:port]\n", getprogname());
	exit(rv);
}

/*
 * The command line, the file (-f, --conf_file, else /etc/dkimproxy_out.conf
 * when it exists), the maps and the keys.  NULL when anything is wrong
 * (each error logged).
 */
static struct dkp_conf *
dkp_load(int checks, int keys, int *flags, int *verbose)
{
	struct dkp_conf	*conf;

	conf = dkp_conf_new();
	if (dkp_conf_args(conf, dkp.argc, dkp.argv, flags, verbose) == -1) {
		log_warnx("%s", conf->err);
		dkp_conf_free(conf);
		if (dkp.base == NULL)
			usage(1);	/* at start-up */
		return NULL;
	}
	if (*flags & DKP_F_HELP) {
		dkp_conf_free(conf);
		usage(0);
	}
	if (conf->conf_file == NULL && access(DKP_CONF_FILE, F_OK) == 0)
		conf->conf_file = strdup(DKP_CONF_FILE);
	if (conf->conf_file != NULL)
		(void)dkp_conf_file(conf, conf->conf_file);
	if (dkp_conf_finish(conf, checks) == 0 && keys)
		(void)dkp_keys_load(conf);
	if (conf->errors) {
		dkp_keys_free(conf);
		dkp_conf_free(conf);
		return NULL;
	}
	return conf;
}

/*
 * user and group (Net::Server's): the user's own group through
 * daemon_drop_privs; another group named in the configuration is set
 * here first, then the same checks.
 */
static int
dkp_drop(const char *user, const char *group)
{
	struct passwd	*pw;
	struct group	*gr;
	gid_t		 gid;

	if (user == NULL && group == NULL)
		return 0;
	if (geteuid() != 0) {
		log_info("not root: user and group not changed");
		return 0;
	}
	if (user == NULL) {
		log_warnx("group %s without user: ignored", group);
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("unknown user %s", user);
		return -1;
	}
	if (group == NULL)
		return daemon_drop_privs(user, NULL) == -1 ? -1 : 0;
	if ((gr = getgrnam(group)) == NULL) {
		log_warnx("unknown group %s", group);
		return -1;
	}
	if (gr->gr_gid == pw->pw_gid)
		return daemon_drop_privs(user, NULL) == -1 ? -1 : 0;
	gid = gr->gr_gid;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("cannot become %s:%s", user, group);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("PR_SET_NO_NEW_PRIVS");
	if (setuid(0) != -1 || seteuid(0) != -1) {
		log_warnx("root could be regained");
		return -1;
	}
	return 0;
}

/* SIGHUP: the configuration and the keys again; on error, keep the old. */
static void
dkp_reload(void)
{
	struct dkp_conf	*conf, *old = dkp.st.conf;
	int		 flags, verbose = 0;

	/* relative names (-f, keys, maps) are from where we started */
	if (dkp.cwd != -1 && fchdir(dkp.cwd) == -1)
		log_warn("SIGHUP: cannot go back to the start-up directory");
	conf = dkp_load(DKP_CHECK_FILES, 1, &flags, &verbose);
	if (dkp.cwd != -1 && chdir("/") == -1)
		log_warn("chdir /");
	if (conf == NULL) {
		log_warnx("SIGHUP: configuration not reloaded, the old one "
		    "stays");
		return;
	}
	if (strcmp(conf->listen_port, old->listen_port) != 0 ||
	    strcmp(conf->relay_host, old->relay_host) != 0 ||
	    strcmp(conf->relay_port, old->relay_port) != 0)
		log_warnx("SIGHUP: listen and relay changes need a restart");
	dkp.st.conf = conf;
	log_info("SIGHUP: configuration and %zu key%s reloaded", conf->nkeys,
	    conf->nkeys == 1 ? "" : "s");
	dkp_keys_free(old);
	dkp_conf_free(old);
}

static void
dkp_signal(int sig, void *arg)
{
	switch (sig) {
	case SIGHUP:
		dkp_reload();
		break;
	case SIGTERM:
	case SIGINT:
		event_base_loopbreak(dkp.base);
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct dkp_conf		*conf;
	struct proxy_config	 pc;
	struct proxy		*p;
	struct pidfh		*pfh = NULL;
	struct daemon_signals	*sigs;
	const char		*errstr;
	char			 hostname[256];
	size_t			 i;
	int			 flags = 0, verbose = 0, fg, fac, logfd = -1;
	int			 tosyslog, nl;

	dkp.argc = argc;
	dkp.argv = argv;
	dkp.cwd = -1;
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	if ((conf = dkp_load(DKP_CHECK_FILES, 1, &flags, &verbose)) == NULL)
		exit(1);
	if (flags & DKP_F_CHECK) {
		if (verbose)
			dkp_conf_print(conf, stdout);
		fprintf(stderr, "configuration OK\n");
		dkp_keys_free(conf);
		dkp_conf_free(conf);
		exit(0);
	}
	fac = dkp_facility(conf->syslog_facility);
	fg = (flags & DKP_F_DEBUG) || conf->daemonize == 0;
	tosyslog = conf->log_file != NULL ? strcmp(conf->log_file,
	    "Sys::Syslog") == 0 : !fg;
	if (conf->log_file != NULL && !tosyslog &&
	    (logfd = open(conf->log_file, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0640)) == -1)
		err(1, "log_file %s", conf->log_file);
	if (conf->hostname != NULL)
		(void)strlcpy(hostname, conf->hostname, sizeof(hostname));
	else if (gethostname(hostname, sizeof(hostname)) == -1)
		err(1, "gethostname");

	if ((nl = daemon_listen_tcp(conf->listen_host, conf->listen_port,
	    dkp.fds, DKP_LISTEN_MAX)) == -1)
		exit(1);
	dkp.nfds = (size_t)nl;
	if (conf->pidfile != NULL &&
	    (pfh = daemon_pidfile_open(conf->pidfile)) == NULL)
		exit(1);
	if (!fg && (dkp.cwd = open(".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		err(1, "the current directory");
	if (!fg && daemon_detach() == -1)
		err(1, "daemon");
	if (logfd != -1) {
		(void)dup2(logfd, STDERR_FILENO);
		close(logfd);
	}
	log_init(!tosyslog, fac);
	log_setverbose(verbose || conf->log_level >= 4 || conf->debugtrace);
	if (pfh != NULL)
		daemon_pidfile_write(pfh);
	if (dkp_drop(conf->user, conf->group) == -1)
		fatalx("cannot drop privileges");

	if ((dkp.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	dkp.st.conf = conf;
	memset(&pc, 0, sizeof(pc));
	pc.hostname = hostname;
	pc.next_host = conf->relay_host;
	pc.next_port = conf->relay_port;
	pc.transform = dkp_transform;
	pc.arg = &dkp.st;
	if ((p = proxy_new(dkp.base, &pc, &errstr)) == NULL)
		fatalx("relay %s:%s: %s", conf->relay_host, conf->relay_port,
		    errstr);
	for (i = 0; i < dkp.nfds; i++)
		if (proxy_listen(p, dkp.fds[i]) == -1)
			fatalx("proxy_listen");
	if ((sigs = daemon_signals_new(dkp.base, dkp_signal, NULL)) == NULL)
		fatalx("signals");
	log_info("listening on %s%s%s:%s, relaying to %s:%s, %zu key%s",
	    conf->listen_host && strchr(conf->listen_host, ':') ? "[" : "",
	    conf->listen_host ? conf->listen_host : "*",
	    conf->listen_host && strchr(conf->listen_host, ':') ? "]" : "",
	    conf->listen_port, conf->relay_host, conf->relay_port,
	    conf->nkeys, conf->nkeys == 1 ? "" : "s");

	event_base_dispatch(dkp.base);

	log_info("exiting signed=%llu skipped=%llu failed=%llu",
	    dkp.st.nsigned, dkp.st.nskipped, dkp.st.nfailed);
	proxy_free(p);
	daemon_signals_free(sigs);
	for (i = 0; i < dkp.nfds; i++)
		close(dkp.fds[i]);
	event_base_free(dkp.base);
	daemon_pidfile_remove(pfh);
	if (dkp.cwd != -1)
		close(dkp.cwd);
	dkp_keys_free(dkp.st.conf);
	dkp_conf_free(dkp.st.conf);
	return 0;
}
