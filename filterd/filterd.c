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
 * filterd: spampd and SpamAssassin in one daemon.  main() and start-up:
 * the command line (spampd's, fd_opts.c), `filterd -n` (load
 * SpamAssassin's configuration, report what filterd cannot run, rule by
 * rule), then the daemon: the rules loaded and compiled once, the
 * listening sockets, detach, pidfile, user, the --children workers
 * (fd_scan.c), the SMTP proxy (common/proxy, fd_proxy.c) and the spamd
 * protocol listener (fd_spamd.c).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
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
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "proxy.h"
#include "smtp.h"
#include "xmalloc.h"
#include "sa_conf.h"
#include "sa_engine.h"

#include "fd.h"

#define FD_LISTEN_MAX	16

static struct {
	struct event_base	*base;
	struct fd_scanner	*scanner;
	struct fd_opts		*opts;
	struct sa_conf		*conf;
	struct sa_engine	*engine;
	int			 fds[FD_LISTEN_MAX];
	size_t			 nfds;
	int			 spamd_fd;
	char			*unlink_path;
} fdd;

__dead static void	usage(int);
static void		print_summary(const struct sa_conf *, int);
static void		print_evals(const struct sa_conf *);
static int		fd_check(const struct fd_opts *);
static struct sa_conf	*fd_load(const struct fd_opts *, int);
static int		fd_bind_unix(const char *, mode_t);
static int		fd_user(const char *, const char *);
static void		fd_signal(int, void *);
static void		fd_reload(void);
static int		fd_daemon(struct fd_opts *);

/* each eval function the rules call, how many rules, and its status */
static void
print_evals(const struct sa_conf *c)
{
	const struct sa_rule	*r, *q;
	size_t			 i, j, n;

	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (!r->is_eval || r->is_mimeheader || r->eval_func == NULL)
			continue;
		for (j = 0; j < i; j++) {
			q = c->rules[j];
			if (q->is_eval && q->eval_func != NULL &&
			    !q->is_mimeheader &&
			    strcmp(q->eval_func, r->eval_func) == 0)
				break;
		}
		if (j < i)
			continue;
		for (n = 0, j = i; j < c->nrules; j++) {
			q = c->rules[j];
			n += q->is_eval && q->eval_func != NULL &&
			    !q->is_mimeheader &&
			    strcmp(q->eval_func, r->eval_func) == 0;
		}
		printf("eval %s: %zu rule%s, %s\n", r->eval_func, n,
		    n == 1 ? "" : "s", r->unsupported == NULL ? "supported" :
		    strncmp(r->unsupported, "network", 7) == 0 ? "network" :
		    "not implemented");
	}
}

__dead static void
usage(int rv)
{
	fd_usage(rv ? stderr : stdout);
	exit(rv);
}

static void
print_summary(const struct sa_conf *c, int verbose)
{
	static const char *const types[] = { "header", "exists", "body",
	    "rawbody", "full", "uri", "meta", "header_eval", "rbl_eval",
	    "body_eval", "rawbody_eval", "full_eval", "empty" };
	const struct sa_rule	*r;
	size_t			 i, j, n, nre = 0, nok = 0, nsplit = 0;
	size_t			 nuns = 0, nerr, njit = 0, npieces = 0;

	printf("SpamAssassin %s configuration: %zu files, %zu plugins "
	    "loaded\n", SA_VERSION_STR, c->nfiles, c->nplugins);
	for (i = 0; i < c->nfiles; i++)
		printf("file %s\n", c->files[i]);
	for (i = 0; i < c->nplugins; i++)
		printf("plugin %s\n", c->plugins[i]);
	printf("rules: %zu\n", c->nrules);
	for (j = 0; j < nitems(types); j++) {
		for (i = n = 0; i < c->nrules; i++)
			n += strcmp(sa_rtype_name(c->rules[i]), types[j]) == 0;
		printf("rules %s: %zu\n", types[j], n);
	}
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->re_sa != NULL) {
			nre++;
			if (r->re != NULL) {
				nok++;
				nsplit += r->re->ncodes > 1;
				npieces += r->re->ncodes > 1 ?
				    r->re->ncodes : 0;
				njit += r->re->jit != 0;
			}
		}
		nuns += r->unsupported != NULL;
	}
	printf("regex: %zu, compiled %zu (JIT %zu, split %zu into %zu), "
	    "failed %zu\n", nre, nok, njit, nsplit, npieces, nre - nok);
	printf("unsupported: %zu\n", nuns);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->unsupported != NULL)
			printf("unsupported %s %s: %s\n", r->name,
			    sa_rtype_name(r), r->unsupported);
	}
	print_evals(c);
	for (i = 0; i < c->nignored; i++)
		printf("ignored setting %s: %zu line%s\n", c->ignored[i].key,
		    c->ignored[i].n, c->ignored[i].n == 1 ? "" : "s");
	if (verbose)
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			printf("rule %s %s %g,%g,%g,%g %d %s\n", r->name,
			    sa_rtype_name(r), r->score[0], r->score[1],
			    r->score[2], r->score[3], r->priority,
			    r->tflags != NULL ? r->tflags : "");
		}
	if (verbose > 1)
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			if (r->re_sa != NULL && !r->is_mimeheader)
				printf("regex %s %s\n", r->name, r->re_sa);
		}
	nerr = sa_conf_nerrors(c);
	for (i = 0; i < c->ndiags; i++)
		if (c->diags[i].error || verbose)
			fprintf(stderr, "%s:%zu: %s%s\n", c->diags[i].file,
			    c->diags[i].line, c->diags[i].error ? "" :
			    "warning: ", c->diags[i].msg);
	if (nerr == 0)
		printf("configuration OK\n");
	else
		printf("configuration: %zu error%s\n", nerr,
		    nerr == 1 ? "" : "s");
}

/* `filterd -n`: load, report, exit 0 when SpamAssassin's --lint would. */
static int
fd_check(const struct fd_opts *fo)
{
	struct sa_load_opts	 o;
	struct sa_conf		*c;
	int			 rc;

	memset(&o, 0, sizeof(o));
	o.rules_dir = fo->rules_dir;
	o.site_dir = fo->site_dir;
	o.post_config = fo->post;
	o.local_tests_only = fo->local_only;
	o.evals = sa_eval_names();	/* what the engine runs is supported */
	c = sa_conf_new();
	rc = sa_conf_load(c, &o);
	print_summary(c, fo->verbose);
	sa_conf_free(c);
	return rc == 0 ? 0 : 1;
}

/* The rules for the daemon: NULL when they cannot be read at all. */
static struct sa_conf *
fd_load(const struct fd_opts *fo, int with_evals)
{
	struct sa_load_opts	 o;
	struct sa_conf		*c;
	char			*post = NULL, *t, *file;
	size_t			 i, n;
	FILE			*f;
	long			 len;

	memset(&o, 0, sizeof(o));
	o.rules_dir = fo->rules_dir;
	o.site_dir = fo->site_dir;
	o.local_tests_only = fo->local_only;
	if (with_evals)
		o.evals = sa_eval_names();
	if (fo->post != NULL)
		post = xstrdup(fo->post);
	if (fo->saconfig != NULL) {
		/* spampd's userprefs_filename: read after local.cf */
		if ((f = fopen(fo->saconfig, "r")) == NULL) {
			log_warn("--saconfig %s", fo->saconfig);
			free(post);
			return NULL;
		}
		if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) == -1) {
			log_warn("--saconfig %s", fo->saconfig);
			fclose(f);
			free(post);
			return NULL;
		}
		file = xmalloc(len + 1);
		n = fread(file, 1, len, f);
		file[n] = '\0';
		fclose(f);
		if (xasprintf(&t, "%s\n%s", file, post != NULL ? post : "")
		    == -1)
			fatal("asprintf");
		free(file);
		free(post);
		post = t;
	}
	o.post_config = post;
	c = sa_conf_new();
	if (sa_conf_load(c, &o) == -1) {
		for (i = 0; i < c->ndiags; i++)
			if (c->diags[i].error)
				log_warnx("%s:%zu: %s", c->diags[i].file,
				    c->diags[i].line, c->diags[i].msg);
		log_warnx("the SpamAssassin configuration has %zu error%s "
		    "(filterd -n lists them); going on as spamd does",
		    sa_conf_nerrors(c), sa_conf_nerrors(c) == 1 ? "" : "s");
	}
	free(post);
	if (c->nrules == 0) {
		log_warnx("no SpamAssassin rules found");
		sa_conf_free(c);
		return NULL;
	}
	return c;
}

static int
fd_bind_unix(const char *path, mode_t perms)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("--socket %s: name too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 128) == -1) {
		log_warn("--socket %s", path);
		close(fd);
		return -1;
	}
	if (perms != (mode_t)-1 && chmod(path, perms) == -1) {
		log_warn("--socket-perms %s", path);
		close(fd);
		return -1;
	}
	fdd.fds[fdd.nfds++] = fd;
	fdd.unlink_path = xstrdup(path);
	return 0;
}

/* --user and --group: the group must be the user's own (or absent). */
static int
fd_user(const char *user, const char *group)
{
	struct passwd	*pw;
	struct group	*gr;

	if (user == NULL || geteuid() != 0) {
		if (user != NULL)
			log_info("not root: user %s not taken", user);
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("--user %s: no such user", user);
		return -1;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			log_warnx("--group %s: no such group", group);
			return -1;
		}
		if (gr->gr_gid != pw->pw_gid) {
			log_warnx("--group %s: filterd runs with the user's "
			    "own group only (%s's is %lu)", group, user,
			    (unsigned long)pw->pw_gid);
			return -1;
		}
	}
	return daemon_drop_privs(user, NULL) == -1 ? -1 : 0;
}

/* SIGHUP: the rules again; on any error the old ones stay. */
static void
fd_reload(void)
{
	struct sa_conf		*conf;
	struct sa_engine	*engine;
	struct sa_engine_opts	 eo;
	char			 err[FD_ERR_MAX];

	if (fdd.engine == NULL) {
		log_info("SIGHUP: delegating to spamd: nothing to reload");
		return;
	}
	if ((conf = fd_load(fdd.opts, 1)) == NULL) {
		log_warnx("SIGHUP: rules not reloaded, the old ones stay");
		return;
	}
	memset(&eo, 0, sizeof(eo));
	eo.score_set = -1;
	if ((engine = sa_engine_new(conf, &eo, err, sizeof(err))) == NULL) {
		log_warnx("SIGHUP: scan engine: %s; the old rules stay", err);
		sa_conf_free(conf);
		return;
	}
	fd_scanner_set_engine(fdd.scanner, engine);
	sa_engine_free(fdd.engine);
	sa_conf_free(fdd.conf);
	fdd.engine = engine;
	fdd.conf = conf;
	log_info("SIGHUP: %zu rules reloaded", conf->nrules);
}

static void
fd_signal(int sig, void *arg)
{
	pid_t	 pid;
	int	 status;

	switch (sig) {
	case SIGCHLD:
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			(void)fd_scanner_reap(fdd.scanner, pid, status);
		break;
	case SIGHUP:
		fd_reload();
		break;
	case SIGTERM:
	case SIGINT:
		event_base_loopbreak(fdd.base);
		break;
	}
}

static int
fd_daemon(struct fd_opts *o)
{
	struct sa_conf		*conf = NULL;
	struct sa_engine	*engine = NULL;
	struct sa_engine_opts	 eo;
	struct proxy_config	 pc;
	struct proxy		*p;
	struct fd_spamd		*sd = NULL;
	struct fd_proxy_ctx	 ctx;
	struct pidfh		*pfh = NULL;
	struct daemon_signals	*sigs;
	struct event_config	*cfg;
	const char		*errstr;
	char			 hostname[256], err[FD_ERR_MAX];
	size_t			 i;
	int			 fg = !o->detach, n;

	fdd.spamd_fd = -1;
	if (o->delegate_host == NULL && o->delegate_path == NULL) {
		if ((conf = fd_load(o, 1)) == NULL)
			return 1;
		memset(&eo, 0, sizeof(eo));
		eo.score_set = -1;
		if ((engine = sa_engine_new(conf, &eo, err, sizeof(err))) ==
		    NULL) {
			log_warnx("scan engine: %s", err);
			sa_conf_free(conf);
			return 1;
		}
	}
	if (o->hostname != NULL)
		(void)strlcpy(hostname, o->hostname, sizeof(hostname));
	else if (gethostname(hostname, sizeof(hostname)) == -1)
		fatal("gethostname");

	if (o->socket != NULL) {
		if (fd_bind_unix(o->socket, o->socket_perms) == -1)
			return 1;
	} else {
		if ((n = daemon_listen_tcp(o->host, o->port, fdd.fds,
		    FD_LISTEN_MAX)) == -1)
			return 1;
		fdd.nfds = n;
	}
	if (o->spamd_port != NULL && daemon_listen_tcp(o->spamd_host,
	    o->spamd_port, &fdd.spamd_fd, 1) == -1)
		return 1;
	if (o->pidfile != NULL && *o->pidfile != '\0' &&
	    (pfh = daemon_pidfile_open(o->pidfile)) == NULL)
		return 1;
	if (!fg && daemon_detach() == -1)
		fatal("daemon");
	log_init(fg, LOG_MAIL);
	log_setverbose(o->debug || o->verbose);
	if (pfh != NULL)
		daemon_pidfile_write(pfh);
	if (fd_user(o->user, o->group) == -1)
		fatalx("cannot drop privileges");

	/*
	 * epoll's changelist: a bufferevent's write interest comes and goes
	 * with each reply; changes are made at the next epoll_wait, those
	 * undone meanwhile never reach the kernel.
	 */
	if ((cfg = event_config_new()) == NULL)
		fatalx("event_config_new");
	(void)event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	fdd.base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (fdd.base == NULL)
		fatalx("event_base_new");
	fd_scan_logging(fg, LOG_MAIL);
	if (engine != NULL) {
		if ((fdd.scanner = fd_scanner_pool(fdd.base, engine,
		    o->children, o->satimeout)) == NULL)
			fatalx("cannot start the workers");
	} else if ((fdd.scanner = fd_scanner_spamd(fdd.base,
	    o->delegate_host, o->delegate_port, o->delegate_path,
	    o->satimeout, err, sizeof(err))) == NULL)
		fatalx("--delegate: %s", err);
	ctx.opts = o;
	ctx.scanner = fdd.scanner;
	memset(&pc, 0, sizeof(pc));
	pc.hostname = hostname;
	if (o->relaysocket != NULL)
		pc.next_path = o->relaysocket;
	else {
		pc.next_host = o->relayhost;
		pc.next_port = o->relayport;
	}
	pc.next_lmtp = o->lmtp;
	/* spampd logs each message, not each SMTP session: -v does */
	pc.flags = SMTP_F_LOG_QUIET;
	pc.timeout_data = (o->satimeout + 300) * 1000;
	pc.transform = fd_transform;
	pc.arg = &ctx;
	if ((p = proxy_new(fdd.base, &pc, &errstr)) == NULL)
		fatalx("relay %s:%s: %s", o->relayhost, o->relayport, errstr);
	for (i = 0; i < fdd.nfds; i++)
		if (proxy_listen(p, fdd.fds[i]) == -1)
			fatalx("proxy_listen");
	if (fdd.spamd_fd != -1 && (sd = fd_spamd_new(fdd.base, fdd.scanner,
	    fdd.spamd_fd, 64LL * 1024 * 1024)) == NULL)
		fatalx("spamd listener");
	fdd.opts = o;
	fdd.conf = conf;
	fdd.engine = engine;
	if ((sigs = daemon_signals_new(fdd.base, fd_signal, NULL)) == NULL)
		fatalx("signals");
	log_info("listening on %s%s%s, relaying to %s%s%s, %s%s, "
	    "maxsize %lld KB%s%s%s%s%s",
	    o->socket ? o->socket : o->host, o->socket ? "" : ":",
	    o->socket ? "" : o->port,
	    o->relaysocket ? o->relaysocket : o->relayhost,
	    o->relaysocket ? "" : ":", o->relaysocket ? "" : o->relayport,
	    engine != NULL ? "built-in engine" : "delegating to spamd on ",
	    engine != NULL ? "" : o->delegate_path != NULL ?
	    o->delegate_path : o->delegate_host, o->maxsize,
	    o->tagall ? ", tagall" : "", o->dose ? ", dose" : "",
	    o->log_rules_hit ? ", log-rules-hit" : "",
	    sd != NULL ? ", spamd protocol on port " : "",
	    sd != NULL ? o->spamd_port : "");
	if (engine != NULL)
		log_info("%d children, %zu rules", o->children,
		    conf->nrules);

	event_base_dispatch(fdd.base);

	log_info("exiting scanned=%llu spam=%llu errors=%llu timeouts=%llu "
	    "skipped=%llu", fd_stats.scanned, fd_stats.spam, fd_stats.errors,
	    fd_stats.timeouts, fd_stats.skipped);
	proxy_free(p);
	fd_spamd_free(sd);
	fd_scanner_free(fdd.scanner);
	daemon_signals_free(sigs);
	for (i = 0; i < fdd.nfds; i++)
		close(fdd.fds[i]);
	if (fdd.unlink_path != NULL) {
		(void)unlink(fdd.unlink_path);
		free(fdd.unlink_path);
	}
	event_base_free(fdd.base);
	daemon_pidfile_remove(pfh);
	sa_engine_free(fdd.engine);
	sa_conf_free(fdd.conf);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct fd_opts	 o;
	int		 rv;

	log_init(1, LOG_MAIL);
	fd_opts_init(&o);
	if (fd_opts_parse(&o, argc, argv) == -1) {
		fprintf(stderr, "filterd: %s\n", o.err);
		usage(1);
	}
	if (o.help)
		usage(0);
	if (o.version) {
		printf("filterd (mxsuite), spampd 2.53 options, SpamAssassin "
		    "%s rules\n", SA_VERSION_STR);
		fd_opts_free(&o);
		return 0;
	}
	if (o.check)
		rv = fd_check(&o);
	else
		rv = fd_daemon(&o);
	fd_opts_free(&o);
	return rv;
}
