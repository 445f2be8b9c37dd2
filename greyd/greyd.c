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
 * greyd: main() and start-up.  See greyd.8 and greyd.h.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "daemon.h"
#include "dbdir.h"
#include "fwtable.h"
#include "greydb.h"
#include "greyd.h"
#include "log.h"
#include "proc.h"
#include "tls.h"

struct greyd_conf	*greyd_conf;

static __dead void	usage(void);
static int		greyd_bind(const char *, in_port_t, int, int);
static void		greyd_nofile(struct greyd_conf *);

/* What LMDB keeps in the database directory. */
static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-45bdUv] [-B maxblack] [-C file] [-c maxcon] "
	    "[-D dbpath]\n"
	    "\t[-F backend] [-G passtime:greyexp:whiteexp] [-h hostname]\n"
	    "\t[-I interval] [-j chroot] [-K file] [-l address] "
	    "[-M address]\n"
	    "\t[-n name] [-p port] [-S secs] [-s secs] [-t timeout] "
	    "[-u user]\n"
	    "\t[-w window] [-Y synctarget] [-y synclisten]\n",
	    getprogname());
	exit(1);
}

/*
 * A listening TCP socket on a numeric address; -1 (logged) on error.
 * With optional, a family the host lacks is no error: -2, quietly.
 */
static int
greyd_bind(const char *host, in_port_t port, int backlog, int optional)
{
	struct addrinfo	 hints, *res;
	char		 pbuf[8];
	int		 fd, on = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	(void)snprintf(pbuf, sizeof(pbuf), "%u", port);
	if ((e = getaddrinfo(host, pbuf, &hints, &res)) != 0) {
		warnx("%s: %s", host, gai_strerror(e));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1 && optional && errno == EAFNOSUPPORT) {
		freeaddrinfo(res);
		return -2;
	}
	if (fd == -1) {
		warn("socket");
		freeaddrinfo(res);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (res->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, backlog) == -1) {
		if (optional && (errno == EADDRNOTAVAIL ||
		    errno == EAFNOSUPPORT)) {
			close(fd);
			freeaddrinfo(res);
			return -2;
		}
		warn("%s port %u", host, port);
		close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * spamd sets RLIMIT_NOFILE to maxcon + 15.  Raise the soft limit to
 * maxcon + GREYD_FD_RESERVE, up to the hard limit; if that is still
 * short, lower maxcon to what fits, and say so.
 */
static void
greyd_nofile(struct greyd_conf *conf)
{
	struct rlimit	 rl;
	rlim_t		 need = (rlim_t)conf->maxcon + GREYD_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = need;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			err(1, "setrlimit");
		log_debug("file descriptor limit raised to %llu",
		    (unsigned long long)rl.rlim_cur);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		if (rl.rlim_cur < GREYD_FD_RESERVE + 1)
			errx(1, "the file descriptor limit (%llu) leaves no "
			    "room for connections",
			    (unsigned long long)rl.rlim_cur);
		log_warnx("maxcon %d lowered to %d: the file descriptor "
		    "limit is %llu", conf->maxcon,
		    (int)(rl.rlim_cur - GREYD_FD_RESERVE),
		    (unsigned long long)rl.rlim_cur);
		conf->maxcon = (int)(rl.rlim_cur - GREYD_FD_RESERVE);
	}
}

int
main(int argc, char *argv[])
{
	static struct greyd_conf	 conf;
	struct proc_def			 parent, procs[2];
	struct proc			*p;
	struct fwtable_spec		 fs;
	const char			*errstr;
	char				 ebuf[256];
	int				 ch, fd, i, nprocs, rv;

	memset(&conf, 0, sizeof(conf));
	greyd_conf = &conf;
	(void)strlcpy(conf.nreply, "450", sizeof(conf.nreply));
	conf.maxcon = GREYD_MAXCON;
	conf.maxblack = -1;
	conf.passtime = GREYD_PASSTIME;
	conf.greyexp = GREYD_GREYEXP;
	conf.whiteexp = GREYD_WHITEEXP;
	conf.trapexp = GREYD_TRAPEXP;
	conf.banner = GREYD_BANNER;
	conf.port = GREYD_PORT;
	conf.cfg_port = GREYD_CFG_PORT;
	conf.grey_stutter = GREYD_GREY_STUTTER;
	conf.stutter = GREYD_STUTTER * 1000;
	conf.timeout = GREYD_MAXTIME;
	conf.fwspec = FWTABLE_SPEC_DEFAULT;
	conf.scan_interval = GREYD_SCAN_INTERVAL;
	conf.user = GREYD_USER;
	conf.chroot = GREYD_CHROOT;
	conf.cfg_fd = -1;

	while ((ch = getopt(argc, argv,
	    "45B:bC:c:D:dF:G:h:I:j:K:l:M:n:p:S:s:t:Uu:vw:Y:y:")) != -1) {
		switch (ch) {
		case '4':
			(void)strlcpy(conf.nreply, "450", sizeof(conf.nreply));
			break;
		case '5':
			(void)strlcpy(conf.nreply, "550", sizeof(conf.nreply));
			break;
		case 'B':
			conf.maxblack = strtonum(optarg, 0, INT_MAX, &errstr);
			if (errstr)
				errx(1, "-B %s: %s", optarg, errstr);
			break;
		case 'b':
			conf.blackonly = 1;
			break;
		case 'C':
			conf.tls_cert = optarg;
			break;
		case 'c':
			conf.maxcon = strtonum(optarg, 1, 1000000, &errstr);
			if (errstr)
				errx(1, "-c %s: %s", optarg, errstr);
			break;
		case 'D':
			conf.dbpath = optarg;
			break;
		case 'd':
			conf.debug = 1;
			break;
		case 'F':
			conf.fwspec = optarg;
			break;
		case 'G':
			if (greydb_parse_times(optarg, &conf.passtime,
			    &conf.greyexp, &conf.whiteexp) == -1)
				errx(1, "-G %s: need passtime:greyexp:whiteexp",
				    optarg);
			break;
		case 'h':
			if (strlcpy(conf.hostname, optarg,
			    sizeof(conf.hostname)) >= sizeof(conf.hostname))
				errx(1, "-h %s: too long", optarg);
			break;
		case 'I': {
			time_t	 t;

			if (greydb_parse_duration(optarg, 1, &t) == -1 ||
			    t < 1 || t > 86400)
				errx(1, "-I %s: need 1s..1d", optarg);
			conf.scan_interval = (int)t;
			break;
		}
		case 'j':
			conf.chroot = optarg;
			break;
		case 'K':
			conf.tls_key = optarg;
			break;
		case 'l':
			if (conf.nlisten == GREYD_LISTEN_MAX)
				errx(1, "-l given more than %d times",
				    GREYD_LISTEN_MAX);
			conf.listen[conf.nlisten++] = optarg;
			break;
		case 'M':
			if (addr_parse(optarg, &conf.lowprio, 0) == -1)
				errx(1, "-M %s: not an IP address", optarg);
			conf.has_lowprio = 1;
			break;
		case 'n':
			conf.banner = optarg;
			break;
		case 'p':
			conf.port = strtonum(optarg, 1, 65535, &errstr);
			if (errstr)
				errx(1, "-p %s: %s", optarg, errstr);
			break;
		case 'S':
			conf.grey_stutter = strtonum(optarg, 0,
			    GREYD_GREY_STUTTER_MAX, &errstr);
			if (errstr)
				errx(1, "-S %s: %s", optarg, errstr);
			break;
		case 's':
			if (grey_parse_msec(optarg, GREYD_STUTTER_MAX * 1000,
			    &conf.stutter) == -1)
				errx(1, "-s %s: need 0..%d seconds, or a "
				    "number of ms", optarg, GREYD_STUTTER_MAX);
			break;
		case 't': {
			time_t	 t;

			if (greydb_parse_duration(optarg, 1, &t) == -1 ||
			    t < 1 || t > 86400)
				errx(1, "-t %s: need 1s..1d", optarg);
			conf.timeout = (int)t;
			break;
		}
		case 'U':
			conf.cfg_anyport = 1;
			break;
		case 'u':
			conf.user = optarg;
			break;
		case 'v':
			conf.verbose = 1;
			break;
		case 'w':
			conf.window = strtonum(optarg, 1, INT_MAX, &errstr);
			if (errstr)
				errx(1, "-w %s: %s", optarg, errstr);
			break;
		case 'Y':
		case 'y':
			if ((errstr = greydb_syncflag(&conf.sync, ch,
			    optarg)) != NULL)
				errx(1, "%s", errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc != 0)
		usage();

	/*
	 * spamd: -b stutters up to maxcon blacklisted connections; when
	 * greylisting, -B may not exceed maxcon, and maxcon itself (or no
	 * -B) means maxcon - 100.
	 */
	if (!conf.blackonly && conf.maxblack > conf.maxcon)
		errx(1, "maxblack (%d) > maxcon (%d)", conf.maxblack,
		    conf.maxcon);
	log_init(conf.debug, LOG_MAIL);
	greyd_nofile(&conf);
	if (conf.blackonly)
		conf.maxblack = conf.maxcon;
	else {
		if (conf.maxblack > conf.maxcon)
			conf.maxblack = conf.maxcon;
		if (conf.maxblack == -1 || conf.maxblack >= conf.maxcon)
			conf.maxblack = conf.maxcon - GREYD_MAXBLACK_GAP;
		if (conf.maxblack < 0)
			conf.maxblack = 0;
	}
	if ((conf.tls_cert == NULL) != (conf.tls_key == NULL))
		errx(1, "-C and -K go together");
	if (conf.hostname[0] == '\0' &&
	    gethostname(conf.hostname, sizeof(conf.hostname)) == -1)
		err(1, "gethostname");
	if (fwtable_spec_parse(conf.fwspec, &fs, ebuf, sizeof(ebuf)) == -1)
		errx(1, "-F %s: %s", conf.fwspec, ebuf);
	if (geteuid() == 0 && getpwnam(conf.user) == NULL)
		errx(1, "unknown user %s", conf.user);

	/*
	 * The greylister opens the database after dropping to -u user:
	 * the directory must be that user's, as spamd's is _spamd's.
	 */
	if (geteuid() == 0 && !conf.blackonly && dbdir_take(conf.dbpath !=
	    NULL ? conf.dbpath : GREYDB_PATH, conf.user, ebuf,
	    sizeof(ebuf)) == -1)
		errx(1, "%s", ebuf);
	/*
	 * spamd's empty chroot exists on the BSDs; Debian has none: make
	 * it (root's, empty, 0755) rather than fail at the drop.
	 */
	if (geteuid() == 0 && conf.chroot != NULL &&
	    mkdir(conf.chroot, 0755) == 0)
		log_info("created the empty chroot directory %s",
		    conf.chroot);
	if (conf.tls_cert != NULL) {
		if ((conf.tls = tls_server_new()) == NULL ||
		    tls_server_add_pki(conf.tls, NULL, conf.tls_cert,
		    conf.tls_key) == -1)
			errx(1, "TLS: %s", conf.tls ?
			    tls_ctx_error(conf.tls) : "no context");
	}
	/*
	 * Without -l: 127.0.0.1 as spamd, and [::] (IPv6 only), where
	 * nftables' "redirect" sends IPv6 (greyd.8, EXAMPLES); a host
	 * without IPv6 gets the IPv4 socket alone.
	 */
	if (conf.nlisten == 0) {
		conf.smtp_fd[conf.nsmtp_fd++] = greyd_bind("127.0.0.1",
		    conf.port, 128, 0);
		if (conf.smtp_fd[0] == -1)
			exit(1);
		if ((fd = greyd_bind("::", conf.port, 128, 1)) >= 0)
			conf.smtp_fd[conf.nsmtp_fd++] = fd;
		else if (fd == -1)
			exit(1);
		else
			log_info("no IPv6: listening on 127.0.0.1 only");
	}
	for (i = 0; i < conf.nlisten; i++)
		if ((conf.smtp_fd[conf.nsmtp_fd++] = greyd_bind(conf.listen[i],
		    conf.port, 128, 0)) == -1)
			exit(1);
	if ((conf.cfg_fd = greyd_bind("127.0.0.1", conf.cfg_port, 10,
	    0)) == -1)
		exit(1);

	if (!conf.debug && daemon_detach() == -1)
		err(1, "daemon");
	conf.started = time(NULL);

	memset(&parent, 0, sizeof(parent));
	parent.id = PROC_PARENT;
	parent.name = "parent";
	parent.run = greyd_parent_run;
	parent.dispatch = greyd_parent_dispatch;
	parent.sighup = greyd_parent_sighup;
	memset(procs, 0, sizeof(procs));
	nprocs = 0;
	if (!conf.blackonly) {
		procs[nprocs].id = PROC_GREY;
		procs[nprocs].name = "greylister";
		procs[nprocs].run = grey_proc_run;
		procs[nprocs].dispatch = grey_proc_dispatch;
		procs[nprocs].user = conf.user;
		procs[nprocs].peers = PROC_BIT(PROC_SMTP);
		nprocs++;
	}
	procs[nprocs].id = PROC_SMTP;
	procs[nprocs].name = "smtp";
	procs[nprocs].run = tarpit_run;
	procs[nprocs].dispatch = tarpit_dispatch;
	procs[nprocs].chroot = conf.chroot;
	procs[nprocs].user = conf.user;
	procs[nprocs].peers = conf.blackonly ? 0 : PROC_BIT(PROC_GREY);
	nprocs++;

	log_info("listening on port %u, %s mode", conf.port,
	    conf.blackonly ? "blacklist-only" : "greylisting");
	p = proc_start(&parent, procs, nprocs, &conf);
	rv = proc_dispatch(p);
	greyd_parent_free();		/* its events are on p's base */
	proc_free(p);
	tls_ctx_free(conf.tls);
	return rv;
}
