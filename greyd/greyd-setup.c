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
 * greyd-setup: spamd-setup(8) for greyd.  Reads spamd.conf, gets each
 * black and white list, and loads greyd through its config socket;
 * with -b it also replaces the firewall table "spamd".  main() and
 * start-up only: the work is in setup_*.c.
 */

#include <sys/types.h>

#include <netinet/in.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "daemon.h"
#include "fwtable.h"
#include "log.h"
#include "setup.h"

#define SETUP_TABLE	"spamd"
#define SETUP_USER	"_spamd"

static __dead void	usage(void);
static int		sink_send(const char *, const char *, size_t, void *);
static int		sink_print(const char *, const char *, size_t,
			    void *);
static int		print_prefix(const struct prefix *, void *, void *);

static __dead void
usage(void)
{
	extern char	*__progname;

	fprintf(stderr, "usage: %s [-bDdn] [-C cafile] [-F backend] "
	    "[-f file] [-u user]\n", __progname);
	exit(1);
}

static int
sink_send(const char *tag, const char *line, size_t len, void *arg)
{
	const struct setup_opts	*o = arg;
	static int		 warned;
	char			 err[512];
	in_port_t		 lport;

	if (setup_send(line, len, SETUP_CFG_PORT, o->fetch.timeout, &lport,
	    err, sizeof(err)) == -1) {
		log_warnx("%s: %s", tag, err);
		return -1;
	}
	if (lport >= IPPORT_RESERVED && !warned) {
		/* spamd drops such a client; greyd does unless -U. */
		log_warnx("not root: the config connection came from port "
		    "%u, which greyd accepts only with -U", (unsigned)lport);
		warned = 1;
	}
	log_debug("%s: %zu bytes sent to greyd from port %u", tag, len,
	    (unsigned)lport);
	return 0;
}

static int
sink_print(const char *tag, const char *line, size_t len, void *arg)
{
	if (fwrite(line, 1, len, stdout) != len)
		return -1;
	return 0;
}

static int
print_prefix(const struct prefix *p, void *data, void *arg)
{
	char	buf[PREFIX_STRLEN];

	printf("table %s %s\n", SETUP_TABLE,
	    prefix_ntop(p, buf, sizeof(buf)));
	return 0;
}

int
main(int argc, char *argv[])
{
	struct setup_opts	 o;
	struct fwtable		*fw = NULL;
	const char		*fwspec = NULL, *user = SETUP_USER;
	char			 err[512], *conf;
	int			 ch, blackonly = 0, daemonize = 0, debug = 0;
	int			 dryrun = 0, rv;

	memset(&o, 0, sizeof(o));
	o.conffile = SETUP_CONF;
	o.fetch.timeout = SETUP_TIMEOUT;
	o.fetch.maxsize = SETUP_MAXSIZE;
	o.fetch.maxredirs = SETUP_MAXREDIRS;

	log_init(1, LOG_MAIL);
	while ((ch = getopt(argc, argv, "bC:DdF:f:nu:")) != -1) {
		switch (ch) {
		case 'b':
			blackonly = 1;
			break;
		case 'C':
			o.fetch.cafile = optarg;
			break;
		case 'D':
			daemonize = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'F':
			fwspec = optarg;
			break;
		case 'f':
			o.conffile = optarg;
			break;
		case 'n':
			dryrun = 1;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0)
		usage();

	log_setverbose(debug);
	(void)signal(SIGPIPE, SIG_IGN);
	/* As root, http and https are fetched as an unprivileged user. */
	if (geteuid() == 0)
		o.fetch.user = user;

	if (blackonly && !dryrun) {
		fw = fwtable_open(fwspec, FWTABLE_CREATE, err, sizeof(err));
		if (fw == NULL) {
			log_warnx("firewall table %s: %s", SETUP_TABLE, err);
			exit(1);
		}
	} else if (fwspec != NULL) {
		struct fwtable_spec	spec;

		if (fwtable_spec_parse(fwspec, &spec, err,
		    sizeof(err)) == -1) {
			log_warnx("-F %s: %s", fwspec, err);
			exit(1);
		}
	}
	if (blackonly)
		o.table = prefixset_new();

	/*
	 * spamd-setup works from "/": relative paths in spamd.conf mean
	 * the same with and without -D.  -f is resolved before that.
	 */
	if ((conf = realpath(o.conffile, NULL)) == NULL) {
		log_warn("%s", o.conffile);
		exit(1);
	}
	o.conffile = conf;
	if (chdir("/") == -1) {
		log_warn("chdir /");
		exit(1);
	}

	if (daemonize) {
		if (daemon_detach() == -1) {
			log_warn("daemon");
			exit(1);
		}
		log_init(0, LOG_MAIL);
		log_setverbose(debug);
	}

	o.sink = dryrun ? sink_print : sink_send;
	o.sink_arg = &o;
	rv = setup_run(&o);

	if (blackonly) {
		/* Loaded into greyd or not, complete lists go to the table. */
		if (rv == -1)
			log_warnx("table %s not replaced: a list failed",
			    SETUP_TABLE);
		else if (dryrun)
			(void)prefixset_walk(o.table, print_prefix, NULL);
		else if (fwtable_replace(fw, SETUP_TABLE, o.table) == -1) {
			log_warnx("table %s (%s): %s", SETUP_TABLE,
			    fwtable_spec(fw), fwtable_error(fw));
			rv = -1;
		} else
			log_debug("table %s (%s): %zu prefixes", SETUP_TABLE,
			    fwtable_spec(fw), prefixset_count(o.table));
	}
	prefixset_free(o.table);
	fwtable_close(fw);
	free(conf);
	if (fflush(stdout) == EOF)
		rv = -1;
	return rv == 0 ? 0 : 1;
}
