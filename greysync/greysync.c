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
 * greysync: spamd's sync (-Y/-y) as a program of its own.  main() and
 * start-up only; the work is in gsync.c.
 */

#include <sys/types.h>

#include <err.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "dbdir.h"
#include "greydb.h"
#include "gsync.h"
#include "log.h"
#include "spamsync.h"
#include "xmalloc.h"

#define GREYSYNC_USER		"_spamd"
#define GREYSYNC_WINDOW_MAX	(7 * 24 * 3600)

struct greysync_conf {
	int		 debug;
	int		 foreground;
	struct greydb_config gcfg;
	int		 verbose;
	const char	*dbpath;
	const char	*keyfile;
	struct greydb_syncflags sync;	/* -Y, -y */
	const char	*user;
	int64_t		 window;
};

static struct event_base	*greysync_base;

static __dead void	usage(void);
static void		greysync_signal(int, void *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: greysync [-dFv] [-D dbdir] "
	    "[-G passtime:greyexp:whiteexp] [-k keyfile]\n"
	    "\t[-r window] [-u user] [-y listen] [-Y target] ...\n");
	exit(1);
}

static void
greysync_signal(int sig, void *arg)
{
	struct gsync	*gs = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		event_base_loopbreak(greysync_base);
		break;
	case SIGHUP:
		gsync_log_stats(gs);
		break;
	default:
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct greysync_conf	 conf;
	struct spamsync_key	 key;
	struct spamsync_sender	*ss;
	struct greydb		*db;
	struct gsync		*gs;
	struct daemon_signals	*sigs;
	const char		*errstr;
	char			 ebuf[512];
	sigset_t		 mask;
	time_t			 pass, grey, white;
	size_t			 i;
	int			 ch;

	/*
	 * Started by greyd: take nothing from it but stdio, and no
	 * blocked signal (its SIGTERM must reach us).
	 */
	closefrom(STDERR_FILENO + 1);
	sigemptyset(&mask);
	(void)sigprocmask(SIG_SETMASK, &mask, NULL);

	memset(&conf, 0, sizeof(conf));
	conf.keyfile = SPAMSYNC_KEYFILE;
	conf.dbpath = GREYDB_PATH;
	conf.user = GREYSYNC_USER;
	while ((ch = getopt(argc, argv, "D:dFG:k:r:u:vY:y:")) != -1) {
		switch (ch) {
		case 'D':
			conf.dbpath = optarg;
			break;
		case 'd':
			conf.debug = 1;
			break;
		case 'F':
			conf.foreground = 1;
			break;
		case 'G':
			if (greydb_parse_times(optarg, &pass, &grey,
			    &white) == -1)
				errx(1, "-G %s: need passtime:greyexp:whiteexp",
				    optarg);
			conf.gcfg.passtime = pass;
			conf.gcfg.greyexp = grey;
			conf.gcfg.whiteexp = white;
			break;
		case 'k':
			conf.keyfile = optarg;
			break;
		case 'r':
			conf.window = strtonum(optarg, 1, GREYSYNC_WINDOW_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(1, "-r %s: %s", optarg, errstr);
			break;
		case 'u':
			conf.user = optarg;
			break;
		case 'v':
			conf.verbose++;
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
	if (conf.sync.ntargets == 0 && conf.sync.listen == NULL)
		errx(1, "nothing to do: give -Y target or -y listen");

	if (geteuid() == 0 && getpwnam(conf.user) == NULL)
		errx(1, "unknown user %s", conf.user);
	/* the database is opened after the drop: the user's */
	if (geteuid() == 0 && dbdir_take(conf.dbpath, conf.user, ebuf,
	    sizeof(ebuf)) == -1)
		errx(1, "%s", ebuf);

	log_init(conf.debug, LOG_MAIL);
	log_setverbose(conf.verbose);

	if (spamsync_key_load(&key, conf.keyfile) == -1)
		exit(1);
	if (key.text[0] == '\0')
		log_warnx("%s: no key file, packets are signed with the "
		    "empty key", conf.keyfile);
	ss = spamsync_sender_new(0);
	for (i = 0; i < conf.sync.ntargets; i++)
		if (spamsync_sender_add(ss, conf.sync.targets[i]) == -1)
			exit(1);
	if (spamsync_sender_open(ss, conf.sync.listen) == -1)
		exit(1);

	if (!conf.debug && !conf.foreground && daemon_detach() == -1)
		fatal("daemon");
	if (daemon_drop_privs(conf.user, NULL) == -1)
		fatalx("cannot drop privileges");

	if ((db = greydb_open(conf.dbpath, &conf.gcfg)) == NULL) {
		log_warnx("cannot open the database %s", conf.dbpath);
		exit(1);
	}
	(void)greydb_alloweddomains_load(db, GREYDB_ALLOWEDDOMAINS);

	if ((greysync_base = event_base_new()) == NULL)
		fatalx("event_base_new");
	gs = gsync_new(db, &key, ss, conf.window);
	if ((sigs = daemon_signals_new(greysync_base, greysync_signal,
	    gs)) == NULL)
		exit(1);
	if (gsync_start(gs, greysync_base, conf.sync.listen != NULL,
	    conf.sync.ntargets > 0) == -1)
		exit(1);
	log_info("started: %zu target%s, %s%s, replay window %s",
	    spamsync_sender_ntargets(ss),
	    spamsync_sender_ntargets(ss) == 1 ? "" : "s",
	    conf.sync.listen != NULL ? "listening on " : "not listening",
	    conf.sync.listen != NULL ? conf.sync.listen : "",
	    conf.window > 0 ? "on" : "off");

	event_base_dispatch(greysync_base);

	gsync_log_stats(gs);
	log_info("exiting");
	daemon_signals_free(sigs);
	gsync_free(gs);
	greydb_close(db);
	spamsync_sender_free(ss);
	spamsync_key_clear(&key);
	event_base_free(greysync_base);
	return 0;
}
