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
 * t_fd_opts: filterd's command line is spampd's: the defaults, the
 * article's line, the aliases (--rh, --aw, -a, -c), Getopt::Long's
 * forms (--opt value, -opt=value, abbreviations), host:port splitting
 * (the port in --host / --relayhost wins), filterd's own options, and
 * the errors.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "../../filterd/fd.h"

static char	*copy;

static int
parse(struct fd_opts *o, const char *line)
{
	char	*argv[64], *p, *s;
	int	 argc = 0;

	free(copy);
	s = copy = strdup(line);
	argv[argc++] = "filterd";
	while ((p = strsep(&s, " ")) != NULL && argc < 63)
		if (*p != '\0')
			argv[argc++] = p;
	argv[argc] = NULL;
	fd_opts_init(o);
	return fd_opts_parse(o, argc, argv);
}

int
main(void)
{
	struct fd_opts	 o;
	char		*h, *p;

	log_init(1, LOG_MAIL);

	/* spampd 2.53's defaults */
	is_int(parse(&o, ""), 0, "no options");
	is_str(o.host, "127.0.0.1", "default host");
	is_str(o.port, "10025", "default port");
	is_str(o.relayhost, "127.0.0.1", "default relayhost");
	is_str(o.relayport, "25", "default relayport");
	is_int(o.children, 5, "default children");
	is_int(o.maxrequests, 20, "default maxrequests");
	is_int(o.childtimeout, 360, "default childtimeout");
	is_int(o.satimeout, 285, "default satimeout");
	is_int(o.maxsize, 64, "default maxsize 64 KB");
	is_int(o.tagall + o.log_rules_hit + o.dose + o.aw + o.local_only, 0,
	    "flags off by default");
	is_int(o.detach, 1, "detaches by default");
	is_str(o.user, "mail", "default user");
	is_str(o.pidfile, "/var/run/filterd.pid", "default pid file");
	ok(o.spamd_port == NULL && o.delegate_host == NULL,
	    "spamd protocol and delegation off by default");
	fd_opts_free(&o);

	/* the article's command line, unchanged */
	is_int(parse(&o, "--port=10025 --relayhost=127.0.0.1:10026 --tagall "
	    "--aw --rh --maxsize=256"), 0, "the article's line");
	is_str(o.port, "10025", "article: port");
	is_str(o.relayhost, "127.0.0.1", "article: relayhost host");
	is_str(o.relayport, "10026", "article: port from relayhost");
	is_int(o.tagall, 1, "article: --tagall");
	is_int(o.aw, 1, "article: --aw accepted");
	is_int(o.warnings, 1, "article: --aw warned");
	is_int(o.log_rules_hit, 1, "article: --rh is --log-rules-hit");
	is_int(o.maxsize, 256, "article: --maxsize=256");
	fd_opts_free(&o);

	/* Getopt::Long's forms and the short aliases */
	is_int(parse(&o, "-port 2525 --relayport 26 -a -c 3 -L --dose "
	    "--log-rules-hit --auto-whitelist --nodetach -d -p /tmp/x.pid "
	    "--satime=9"), 0, "single dash, separate values, abbreviation");
	is_str(o.port, "2525", "-port 2525");
	is_str(o.relayport, "26", "--relayport 26");
	is_int(o.tagall, 1, "-a");
	is_int(o.children, 3, "-c 3");
	is_int(o.local_only, 1, "-L");
	is_int(o.dose, 1, "--dose");
	is_int(o.detach, 0, "--nodetach");
	is_int(o.debug, 1, "-d");
	is_str(o.pidfile, "/tmp/x.pid", "-p");
	is_int(o.satimeout, 9, "--satime=9 (abbreviation)");
	fd_opts_free(&o);

	is_int(parse(&o, "--host=[::1]:2526 --relayhost=mx.example:2627 "
	    "--relayport=99"), 0, "v6 host, relayhost port wins");
	is_str(o.host, "::1", "[::1] host");
	is_str(o.port, "2526", "port from --host");
	is_str(o.relayhost, "mx.example", "relayhost name");
	is_str(o.relayport, "2627", "the relayhost's port wins over "
	    "--relayport");
	fd_opts_free(&o);

	is_int(parse(&o, "--socket=/tmp/s --socket-perms=0660 "
	    "--relaysocket=/run/lmtp --lmtp -l --detach"), 0, "sockets");
	is_str(o.socket, "/tmp/s", "--socket");
	is_int(o.socket_perms, 0660, "--socket-perms octal");
	is_str(o.relaysocket, "/run/lmtp", "--relaysocket");
	is_int(o.lmtp, 1, "--lmtp");
	is_int(o.local_only, 1, "-l (2.53's short name)");
	fd_opts_free(&o);

	is_int(parse(&o, "--spamd-port=1783 --delegate=127.0.0.1 "
	    "--siteconfigpath=/s -C /r --cf=a --cf=b -n -v"), 0, "ours");
	is_str(o.spamd_host, "127.0.0.1", "--spamd-port: loopback");
	is_str(o.spamd_port, "1783", "--spamd-port port");
	is_str(o.delegate_host, "127.0.0.1", "--delegate host");
	is_str(o.delegate_port, "783", "--delegate: spamd's port by default");
	is_str(o.site_dir, "/s", "--siteconfigpath");
	is_str(o.rules_dir, "/r", "-C");
	is_str(o.post, "a\nb\n", "--cf twice");
	is_int(o.check, 1, "-n");
	is_int(o.verbose, 1, "-v");
	fd_opts_free(&o);

	is_int(parse(&o, "--spamd-port=[::1]:1784 --delegate=/run/spamd.sock"),
	    0, "spamd v6, delegate to a socket");
	is_str(o.spamd_host, "::1", "spamd host v6");
	is_str(o.delegate_path, "/run/spamd.sock", "delegate path");
	fd_opts_free(&o);

	is_int(parse(&o, "--heloname=x --stop-at-threshold"), 0,
	    "deprecated options accepted");
	is_int(o.warnings, 2, "and warned about");
	fd_opts_free(&o);

	/* errors */
	is_int(parse(&o, "--port=0"), -1, "port 0 refused");
	ok(strstr(o.err, "--port") != NULL, "error names the option: %s",
	    o.err);
	fd_opts_free(&o);
	is_int(parse(&o, "--children=0"), -1, "children 0 refused");
	fd_opts_free(&o);
	is_int(parse(&o, "--maxsize=abc"), -1, "maxsize abc refused");
	ok(strstr(o.err, "maxsize") != NULL, "%s", o.err);
	fd_opts_free(&o);
	is_int(parse(&o, "--bogus"), -1, "unknown option");
	ok(strstr(o.err, "--bogus") != NULL, "%s", o.err);
	fd_opts_free(&o);
	is_int(parse(&o, "--port"), -1, "missing argument");
	ok(strstr(o.err, "requires an argument") != NULL, "%s", o.err);
	fd_opts_free(&o);
	is_int(parse(&o, "--logsock=tcp"), -1, "logsock tcp refused");
	is_str(o.err, "--logsock parameter needs to be either unix or inet",
	    "spampd's message");
	fd_opts_free(&o);
	is_int(parse(&o, "--relayhost=host:70000"), -1, "bad relay port");
	fd_opts_free(&o);
	is_int(parse(&o, "--socket-perms=9"), -1, "perms not octal");
	fd_opts_free(&o);
	is_int(parse(&o, "extra"), -1, "positional argument refused");
	fd_opts_free(&o);

	is_int(fd_hostport("[::1]x", NULL, &h, &p), -1, "[::1]x refused");
	is_int(fd_hostport("fd00::1", "25", &h, &p), 0, "bare v6");
	is_str(h, "fd00::1", "bare v6 host");
	is_str(p, "25", "bare v6 default port");
	free(h);
	free(p);
	free(copy);
	return done_testing();
}
