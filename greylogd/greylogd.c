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
 * greylogd: spamlogd(8).  Start-up only: the options, the capture and
 * the sync socket opened as root, the database directory, the drop to
 * the user chrooted into the database directory, then the event loop
 * (or the pcap file, -r, to its end).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "dbdir.h"
#include "greydb.h"
#include "greylogd.h"
#include "log.h"
#include "spamsync.h"

#define GREYLOGD_MAXSYNC	32

struct greylogd_conf {
	int		 debug;
	int		 verbose;
	const char	*logif;
	const char	*dbpath;
	const char	*pcapfile;
	const char	*user;
	const char	*keyfile;
	const char	*sync[GREYLOGD_MAXSYNC];
	int		 nsync;
};

/* The one global: the daemon's state, for the event callbacks. */
static struct glog	 greylogd;

static __dead void	usage(void);
static void		greylogd_pkt(int, const unsigned char *, size_t,
			    void *);
static void		greylogd_read(int, short, void *);
static void		greylogd_signal(int, void *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-DIv] [-f dbdir] [-i interface] "
	    "[-k keyfile] [-l logif]\n\t[-r file.pcap] [-u user] "
	    "[-W whiteexp] [-Y synctarget] ...\n", getprogname());
	exit(1);
}

static void
greylogd_pkt(int dlt, const unsigned char *p, size_t len, void *arg)
{
	(void)glog_handle(arg, dlt, p, len);
}

static void
greylogd_read(int fd, short ev, void *arg)
{
	struct glog_cap	*cap = arg;

	if (glog_cap_dispatch(cap, greylogd_pkt, &greylogd) == -1)
		fatalx("capture failed");
}

static void
greylogd_signal(int sig, void *arg)
{
	struct event_base	*base = arg;

	switch (sig) {
	case SIGHUP:
		log_info("packets=%llu bad=%llu white=%llu sync=%llu",
		    (unsigned long long)greylogd.npkts,
		    (unsigned long long)greylogd.nbad,
		    (unsigned long long)greylogd.nwhite,
		    (unsigned long long)greylogd.nsync);
		break;
	case SIGTERM:
	case SIGINT:
		event_base_loopbreak(base);
		break;
	}
}

int
main(int argc, char *argv[])
{
	static struct greylogd_conf	 conf;
	static char			 dbdir[PATH_MAX];
	char				 ebuf[512];
	struct greydb_config		 dbc;
	struct spamsync_key		 key;
	struct glog_cap			*cap;
	struct event_base		*base;
	struct event			*ev;
	struct daemon_signals		*sigs;
	const char			*errstr, *dbpath;
	long long			 hours = GREYLOGD_WHITEEXP_H;
	int				 ch, i, n, root, rv = 0;

	memset(&conf, 0, sizeof(conf));
	memset(&greylogd, 0, sizeof(greylogd));
	memset(&key, 0, sizeof(key));
	conf.logif = GREYLOGD_LOGIF;
	conf.dbpath = GREYDB_PATH;
	conf.user = GREYLOGD_USER;
	conf.keyfile = SPAMSYNC_KEYFILE;

	while ((ch = getopt(argc, argv, "Df:Ii:k:l:r:u:vW:Y:")) != -1) {
		switch (ch) {
		case 'D':
			conf.debug = 1;
			break;
		case 'f':
			conf.dbpath = optarg;
			break;
		case 'I':
			greylogd.opts.inbound_only = 1;
			break;
		case 'i':
			if (strlen(optarg) >= IFNAMSIZ)
				errx(1, "-i %s: interface name too long",
				    optarg);
			greylogd.opts.ifname = optarg;
			break;
		case 'k':
			conf.keyfile = optarg;
			break;
		case 'l':
			conf.logif = optarg;
			break;
		case 'r':
			conf.pcapfile = optarg;
			break;
		case 'u':
			conf.user = optarg;
			break;
		case 'v':
			conf.verbose++;
			break;
		case 'W':
			/* spamlogd: 1 to 2160 hours (90 days) */
			hours = strtonum(optarg, 1, GREYLOGD_WHITEEXP_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(1, "-W %s: %s (1 to %d hours)", optarg,
				    errstr, GREYLOGD_WHITEEXP_MAX);
			break;
		case 'Y':
			if (conf.nsync == GREYLOGD_MAXSYNC)
				errx(1, "too many -Y");
			conf.sync[conf.nsync++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	greylogd.whiteexp = (int64_t)hours * 60 * 60;

	log_init(conf.debug, LOG_MAIL);
	log_setverbose(conf.debug || conf.verbose);
	root = geteuid() == 0;
	if (root && getpwnam(conf.user) == NULL)
		errx(1, "unknown user %s", conf.user);

	/* What needs root: the capture, the key, the sync socket. */
	if (conf.pcapfile != NULL)
		cap = glog_cap_file(conf.pcapfile);
	else
		cap = glog_cap_live(conf.logif, greylogd.opts.ifname);
	if (cap == NULL)
		exit(1);
	if (conf.nsync > 0) {
		if (spamsync_key_load(&key, conf.keyfile) == -1)
			exit(1);
		greylogd.key = &key;
		greylogd.sync = spamsync_sender_new(0);
		for (i = 0; i < conf.nsync; i++)
			if (spamsync_sender_add(greylogd.sync,
			    conf.sync[i]) == -1)
				exit(1);
		if (spamsync_sender_open(greylogd.sync, NULL) == -1)
			exit(1);
	}
	greylogd.local = glog_local_new(greylogd.opts.ifname, NULL, NULL);
	/* before any second of the clock: the first unknown reloads */
	if (glog_local_refresh(greylogd.local, -2) == -1)
		exit(1);
	if (root) {
		/* the database is opened after the drop: the user's */
		if (dbdir_take(conf.dbpath, conf.user, ebuf,
		    sizeof(ebuf)) == -1)
			errx(1, "%s", ebuf);
		/* daemon_detach() goes to "/" before the chroot */
		if (realpath(conf.dbpath, dbdir) == NULL)
			err(1, "database directory %s", conf.dbpath);
		conf.dbpath = dbdir;
	}

	if (conf.pcapfile == NULL && !conf.debug && daemon_detach() == -1)
		err(1, "daemon");

	/*
	 * Drop to the user, chrooted into the database directory: all the
	 * daemon touches from now on is the database (and its wake-up
	 * socket for greysync, which is there too).  getifaddrs(3) needs
	 * no file: netlink on Linux, sysctl on the BSDs.
	 */
	dbpath = conf.dbpath;
	if ((n = daemon_drop_privs(conf.user, conf.dbpath)) == -1)
		fatalx("cannot drop privileges");
	if (root)
		dbpath = "/";

	memset(&dbc, 0, sizeof(dbc));
	dbc.whiteexp = greylogd.whiteexp;
	if ((greylogd.db = greydb_open(dbpath, &dbc)) == NULL)
		fatalx("cannot open the database %s", conf.dbpath);

	if (conf.pcapfile != NULL) {
		while ((n = glog_cap_dispatch(cap, greylogd_pkt,
		    &greylogd)) > 0)
			;
		if (n == -1)
			rv = 1;
		log_info("%s: packets=%llu bad=%llu white=%llu sync=%llu",
		    conf.pcapfile, (unsigned long long)greylogd.npkts,
		    (unsigned long long)greylogd.nbad,
		    (unsigned long long)greylogd.nwhite,
		    (unsigned long long)greylogd.nsync);
	} else {
		log_info("listening on %s%s%s%s", conf.logif,
		    greylogd.opts.ifname != NULL ? " for interface " : "",
		    greylogd.opts.ifname != NULL ? greylogd.opts.ifname : "",
		    greylogd.opts.inbound_only ? ", inbound only" : "");
		if ((base = event_base_new()) == NULL)
			fatalx("event_base_new");
		if ((sigs = daemon_signals_new(base, greylogd_signal,
		    base)) == NULL)
			fatalx("signals");
		ev = event_new(base, glog_cap_fd(cap), EV_READ | EV_PERSIST,
		    greylogd_read, cap);
		if (ev == NULL || event_add(ev, NULL) == -1)
			fatalx("event_add");
		event_base_dispatch(base);
		log_info("exiting");
		event_free(ev);
		daemon_signals_free(sigs);
		event_base_free(base);
	}

	glog_cap_free(cap);
	greydb_close(greylogd.db);
	glog_local_free(greylogd.local);
	spamsync_sender_free(greylogd.sync);
	spamsync_key_clear(&key);
	return rv;
}
