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
 * filterd's command line: spampd 2.53's options with its defaults, read
 * as Getopt::Long reads them (--opt=value, --opt value, -opt, unique
 * abbreviations), plus filterd's own (-n, the SpamAssassin paths, the
 * spamd protocol, delegation).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#include "fd.h"

enum {
	O_HOST = 256, O_PORT, O_SOCKET, O_SOCKET_PERMS, O_RELAYHOST,
	O_RELAYPORT, O_RELAYSOCKET, O_CHILDTIMEOUT, O_SATIMEOUT, O_MAXSIZE,
	O_DOSE, O_LOGSOCK, O_DETACH, O_NODETACH, O_SETSID, O_SEH, O_SEF,
	O_SACONFIG, O_HOMEDIR, O_AW, O_RH, O_MR, O_VERSION, O_DEPRECATED,
	O_SITECONFIG, O_CF, O_SPAMD_PORT, O_DELEGATE, O_LMTP, O_HOSTNAME
};

static int	fd_opt_err(struct fd_opts *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	fd_opt_int(struct fd_opts *, const char *, const char *,
		    long long, long long, long long *);
static void	fd_setstr(char **, const char *);

static const struct option fd_longopts[] = {
	{ "host", required_argument, NULL, O_HOST },
	{ "port", required_argument, NULL, O_PORT },
	{ "socket", required_argument, NULL, O_SOCKET },
	{ "socket-perms", required_argument, NULL, O_SOCKET_PERMS },
	{ "relayhost", required_argument, NULL, O_RELAYHOST },
	{ "relayport", required_argument, NULL, O_RELAYPORT },
	{ "relaysocket", required_argument, NULL, O_RELAYSOCKET },
	{ "lmtp", no_argument, NULL, O_LMTP },
	{ "children", required_argument, NULL, 'c' },
	{ "maxrequests", required_argument, NULL, O_MR },
	{ "mr", required_argument, NULL, O_MR },
	{ "childtimeout", required_argument, NULL, O_CHILDTIMEOUT },
	{ "satimeout", required_argument, NULL, O_SATIMEOUT },
	{ "pid", required_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'u' },
	{ "group", required_argument, NULL, 'g' },
	{ "maxsize", required_argument, NULL, O_MAXSIZE },
	{ "tagall", no_argument, NULL, 'a' },
	{ "log-rules-hit", no_argument, NULL, O_RH },
	{ "rh", no_argument, NULL, O_RH },
	{ "debug", no_argument, NULL, 'd' },
	{ "dose", no_argument, NULL, O_DOSE },
	{ "logsock", required_argument, NULL, O_LOGSOCK },
	{ "detach", no_argument, NULL, O_DETACH },
	{ "nodetach", no_argument, NULL, O_NODETACH },
	{ "no-detach", no_argument, NULL, O_NODETACH },
	{ "setsid", no_argument, NULL, O_SETSID },
	{ "set-envelope-headers", no_argument, NULL, O_SEH },
	{ "seh", no_argument, NULL, O_SEH },
	{ "set-envelope-from", no_argument, NULL, O_SEF },
	{ "sef", no_argument, NULL, O_SEF },
	{ "saconfig", required_argument, NULL, O_SACONFIG },
	{ "homedir", required_argument, NULL, O_HOMEDIR },
	{ "local-only", no_argument, NULL, 'L' },
	{ "local", no_argument, NULL, 'L' },
	{ "auto-whitelist", no_argument, NULL, O_AW },
	{ "aw", no_argument, NULL, O_AW },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "dead-letters", required_argument, NULL, O_DEPRECATED },
	{ "heloname", required_argument, NULL, O_DEPRECATED },
	{ "stop-at-threshold", no_argument, NULL, O_DEPRECATED },
	{ "add-sc-header", no_argument, NULL, O_DEPRECATED },
	{ "ash", no_argument, NULL, O_DEPRECATED },
	{ "hostname", required_argument, NULL, O_HOSTNAME },
	/* filterd's own */
	{ "configpath", required_argument, NULL, 'C' },
	{ "siteconfigpath", required_argument, NULL, O_SITECONFIG },
	{ "cf", required_argument, NULL, O_CF },
	{ "spamd-port", required_argument, NULL, O_SPAMD_PORT },
	{ "delegate", required_argument, NULL, O_DELEGATE },
	{ NULL, 0, NULL, 0 }
};

void
fd_usage(FILE *f)
{
	fprintf(f,
	    "usage: filterd [--host=ip[:port]] [--port=n] [--socket=path]"
	    " [--socket-perms=mode]\n"
	    "\t[--relayhost=host[:port]] [--relayport=n]"
	    " [--relaysocket=path] [--lmtp]\n"
	    "\t[--children=n] [--maxrequests=n] [--childtimeout=s]"
	    " [--satimeout=s]\n"
	    "\t[--maxsize=KB] [--tagall] [--log-rules-hit] [--dose]"
	    " [--local-only]\n"
	    "\t[--auto-whitelist] [--set-envelope-headers]"
	    " [--set-envelope-from]\n"
	    "\t[--saconfig=file] [--homedir=dir] [--pid=file]"
	    " [--user=u] [--group=g]\n"
	    "\t[--[no]detach] [--setsid] [--debug] [--logsock=unix|inet]"
	    " [--hostname=name]\n"
	    "\t[--configpath=dir] [--siteconfigpath=dir] [--cf=line]\n"
	    "\t[--spamd-port=[host:]port] [--delegate=host[:port]|path]\n"
	    "       filterd -n [-Lv] [-C dir] [--siteconfigpath=dir]"
	    " [--cf=line]\n");
}

void
fd_opts_init(struct fd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = xstrdup("127.0.0.1");
	o->port = xstrdup("10025");
	o->socket_perms = (mode_t)-1;
	o->relayhost = xstrdup("127.0.0.1");
	o->relayport = xstrdup("25");
	o->children = 5;
	o->maxrequests = 20;
	o->childtimeout = 6 * 60;
	o->satimeout = 285;
	o->maxsize = 64;
	o->pidfile = xstrdup(FD_PID_FILE);
	o->user = xstrdup("mail");
	o->group = xstrdup("mail");
	o->detach = 1;
	o->logsock = xstrdup("unix");
}

void
fd_opts_free(struct fd_opts *o)
{
	if (o == NULL)
		return;
	free(o->host);
	free(o->port);
	free(o->socket);
	free(o->relayhost);
	free(o->relayport);
	free(o->relaysocket);
	free(o->homedir);
	free(o->saconfig);
	free(o->pidfile);
	free(o->user);
	free(o->group);
	free(o->logsock);
	free(o->rules_dir);
	free(o->site_dir);
	free(o->post);
	free(o->spamd_host);
	free(o->spamd_port);
	free(o->delegate_host);
	free(o->delegate_port);
	free(o->delegate_path);
	free(o->hostname);
	memset(o, 0, sizeof(*o));
}

static int
fd_opt_err(struct fd_opts *o, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -1;
}

static void
fd_setstr(char **p, const char *v)
{
	free(*p);
	*p = v != NULL ? xstrdup(v) : NULL;
}

static int
fd_opt_int(struct fd_opts *o, const char *name, const char *v,
    long long min, long long max, long long *out)
{
	const char	*errstr;

	*out = strtonum(v, min, max, &errstr);
	if (errstr != NULL)
		return fd_opt_err(o, "option --%s: \"%s\" is %s (%lld..%lld)",
		    name, v, errstr, min, max);
	return 0;
}

/*
 * "host:port", "[v6]:port", a bare v6 (two colons or more) or a host:
 * *host and *port malloc'd (port dport when not given; NULL dport
 * leaves it NULL).
 */
int
fd_hostport(const char *s, const char *dport, char **host, char **port)
{
	const char	*c, *e;

	*host = *port = NULL;
	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL || e == s + 1)
			return -1;
		*host = xstrndup(s + 1, e - s - 1);
		if (e[1] == ':' && e[2] != '\0')
			*port = xstrdup(e + 2);
		else if (e[1] != '\0') {
			free(*host);
			*host = NULL;
			return -1;
		}
	} else if ((c = strchr(s, ':')) != NULL && strchr(c + 1, ':') ==
	    NULL) {
		if (c == s)
			return -1;
		*host = xstrndup(s, c - s);
		if (c[1] != '\0')
			*port = xstrdup(c + 1);
	} else
		*host = xstrdup(s);
	if (*port == NULL && dport != NULL)
		*port = xstrdup(dport);
	return 0;
}

static int
fd_port_ok(const char *p)
{
	const char	*errstr;

	(void)strtonum(p, 1, 65535, &errstr);
	return errstr == NULL;
}

int
fd_opts_parse(struct fd_opts *o, int argc, char **argv)
{
	char		*h, *p, *t, *relayhost = NULL, *host = NULL;
	char		*relayport = NULL, *port = NULL;
	long long	 n;
	int		 ch, rv = -1;
	const char	*dep;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long_only(argc, argv, ":ac:dg:hlnp:u:vC:L",
	    fd_longopts, NULL)) != -1) {
		switch (ch) {
		case O_HOST:
			fd_setstr(&host, optarg);
			break;
		case O_PORT:
			if (fd_opt_int(o, "port", optarg, 1, 65535, &n) == -1)
				goto out;
			fd_setstr(&port, optarg);
			break;
		case O_SOCKET:
			fd_setstr(&o->socket, optarg);
			break;
		case O_SOCKET_PERMS:
			n = strtoll(optarg, &t, 8);
			if (*optarg == '\0' || *t != '\0' || n < 0 ||
			    n > 07777) {
				fd_opt_err(o, "option --socket-perms: \"%s\""
				    " is not an octal mode", optarg);
				goto out;
			}
			o->socket_perms = (mode_t)n;
			break;
		case O_RELAYHOST:
			fd_setstr(&relayhost, optarg);
			break;
		case O_RELAYPORT:
			if (fd_opt_int(o, "relayport", optarg, 1, 65535,
			    &n) == -1)
				goto out;
			fd_setstr(&relayport, optarg);
			break;
		case O_RELAYSOCKET:
			fd_setstr(&o->relaysocket, optarg);
			break;
		case O_LMTP:
			o->lmtp = 1;
			break;
		case 'c':
			if (fd_opt_int(o, "children", optarg, 1, 256, &n) ==
			    -1)
				goto out;
			o->children = n;
			break;
		case O_MR:
			if (fd_opt_int(o, "maxrequests", optarg, 0, INT_MAX,
			    &n) == -1)
				goto out;
			o->maxrequests = n;
			break;
		case O_CHILDTIMEOUT:
			if (fd_opt_int(o, "childtimeout", optarg, 1, 86400,
			    &n) == -1)
				goto out;
			o->childtimeout = n;
			break;
		case O_SATIMEOUT:
			if (fd_opt_int(o, "satimeout", optarg, 1, 86400,
			    &n) == -1)
				goto out;
			o->satimeout = n;
			break;
		case 'p':
			fd_setstr(&o->pidfile, optarg);
			break;
		case 'u':
			fd_setstr(&o->user, optarg);
			break;
		case 'g':
			fd_setstr(&o->group, optarg);
			break;
		case O_MAXSIZE:
			if (fd_opt_int(o, "maxsize", optarg, 1,
			    LLONG_MAX / 1024, &n) == -1)
				goto out;
			o->maxsize = n;
			break;
		case 'a':
			o->tagall = 1;
			break;
		case O_RH:
			o->log_rules_hit = 1;
			break;
		case 'd':
			o->debug = 1;
			break;
		case O_DOSE:
			o->dose = 1;
			break;
		case O_LOGSOCK:
			if (strcmp(optarg, "unix") != 0 &&
			    strcmp(optarg, "inet") != 0) {
				fd_opt_err(o, "--logsock parameter needs to "
				    "be either unix or inet");
				goto out;
			}
			fd_setstr(&o->logsock, optarg);
			break;
		case O_DETACH:
			o->detach = 1;
			break;
		case O_NODETACH:
			o->detach = 0;
			break;
		case O_SETSID:
			o->setsid = 1;
			break;
		case O_SEH:
			o->seh = 1;
			break;
		case O_SEF:
			o->sef = 1;
			break;
		case O_SACONFIG:
			fd_setstr(&o->saconfig, optarg);
			break;
		case O_HOMEDIR:
			fd_setstr(&o->homedir, optarg);
			break;
		case 'l':
		case 'L':
			o->local_only = 1;
			break;
		case O_AW:
			if (!o->aw) {
				log_warnx("--auto-whitelist (--aw) has no "
				    "effect: filterd has no AWL (SpamAssassin"
				    " 3+ configures it in its own files); "
				    "ignored");
				o->warnings++;
			}
			o->aw = 1;
			break;
		case 'h':
			o->help = 1;
			break;
		case O_VERSION:
			o->version = 1;
			break;
		case O_DEPRECATED:
			dep = argv[optind - 1];
			log_warnx("option %s is deprecated and ignored (as "
			    "spampd ignores it)", dep);
			o->warnings++;
			break;
		case O_HOSTNAME:
			fd_setstr(&o->hostname, optarg);
			break;
		case 'C':
			fd_setstr(&o->rules_dir, optarg);
			break;
		case O_SITECONFIG:
			fd_setstr(&o->site_dir, optarg);
			break;
		case O_CF:
			if (xasprintf(&t, "%s%s\n", o->post != NULL ?
			    o->post : "", optarg) == -1)
				fatal("asprintf");
			free(o->post);
			o->post = t;
			break;
		case O_SPAMD_PORT:
			if (fd_hostport(optarg, NULL, &h, &p) == -1) {
				fd_opt_err(o, "option --spamd-port: \"%s\": "
				    "expected [host:]port", optarg);
				goto out;
			}
			if (p == NULL) {	/* a bare port */
				p = h;
				h = xstrdup("127.0.0.1");
			}
			free(o->spamd_host);
			free(o->spamd_port);
			o->spamd_host = h;
			o->spamd_port = p;
			if (!fd_port_ok(p)) {
				fd_opt_err(o, "option --spamd-port: bad port "
				    "\"%s\"", p);
				goto out;
			}
			break;
		case O_DELEGATE:
			free(o->delegate_host);
			free(o->delegate_port);
			o->delegate_host = o->delegate_port = NULL;
			fd_setstr(&o->delegate_path, NULL);
			if (optarg[0] == '/')
				fd_setstr(&o->delegate_path, optarg);
			else if (fd_hostport(optarg, FD_SPAMD_PORT,
			    &o->delegate_host, &o->delegate_port) == -1 ||
			    !fd_port_ok(o->delegate_port)) {
				fd_opt_err(o, "option --delegate: \"%s\": "
				    "expected host[:port] or /path",
				    optarg);
				goto out;
			}
			break;
		case 'n':
			o->check = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		case ':':
			fd_opt_err(o, "option %s requires an argument",
			    argv[optind - 1]);
			goto out;
		default:
			fd_opt_err(o, "unknown or ambiguous option %s",
			    argv[optind - 1]);
			goto out;
		}
	}
	if (optind != argc) {
		fd_opt_err(o, "unexpected argument \"%s\"", argv[optind]);
		goto out;
	}

	/* spampd: the port in --host / --relayhost wins over --port */
	if (host != NULL) {
		if (fd_hostport(host, NULL, &h, &p) == -1) {
			fd_opt_err(o, "option --host: \"%s\": expected "
			    "ip[:port]", host);
			goto out;
		}
		fd_setstr(&o->host, h);
		free(h);
		if (p != NULL) {
			fd_setstr(&port, p);
			free(p);
		}
	}
	if (port != NULL)
		fd_setstr(&o->port, port);
	if (!fd_port_ok(o->port)) {
		fd_opt_err(o, "option --host: bad port \"%s\"", o->port);
		goto out;
	}
	if (relayhost != NULL) {
		if (fd_hostport(relayhost, NULL, &h, &p) == -1) {
			fd_opt_err(o, "option --relayhost: \"%s\": expected "
			    "host[:port]", relayhost);
			goto out;
		}
		fd_setstr(&o->relayhost, h);
		free(h);
		if (p != NULL) {
			fd_setstr(&relayport, p);
			free(p);
		}
	}
	if (relayport != NULL)
		fd_setstr(&o->relayport, relayport);
	if (!fd_port_ok(o->relayport)) {
		fd_opt_err(o, "option --relayhost: bad port \"%s\"",
		    o->relayport);
		goto out;
	}
	rv = 0;
 out:
	free(host);
	free(port);
	free(relayhost);
	free(relayport);
	return rv;
}
