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
 * dkimproxy_out.conf and dkimproxy.out's command line.
 *
 * The file is Net::Server's: one "key value" a line ("key=value",
 * "key: value" and a leading "--" too), "#" starts a comment unless
 * written "\#".  Keys given on the command line win over the file's;
 * "signature" accumulates, other keys keep the last value.  Net::Server's
 * own keys are accepted; the meaningful ones are honoured (user, group,
 * pidfile, daemonize/setsid/background, log_file, log_level,
 * syslog_facility, host/port), the others ignored.  An unknown key or a
 * line without a value is a warning, as Net::Server ignores them; a bad
 * value is an error ("file:line: message").
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#include "dkimsignd.h"

enum dkp_key {
	K_BACKGROUND,
	K_CONF_FILE,
	K_DAEMONIZE,
	K_DEBUGTRACE,
	K_DKIM_METHOD,
	K_DOMAIN,
	K_DOMAINKEYS_METHOD,
	K_EXPIRE,
	K_GROUP,
	K_HELP,
	K_HOST,
	K_HOSTNAME,
	K_IDENTITY,
	K_KEYFILE,
	K_LISTEN,
	K_LISTID_MAP,
	K_LOG_FILE,
	K_LOG_LEVEL,
	K_METHOD,
	K_OVERSIGN,
	K_PIDFILE,
	K_PORT,
	K_REJECT_ERROR,
	K_RELAY,
	K_RELAY_HOST,
	K_RELAY_PORT,
	K_SELECTOR,
	K_SENDER_MAP,
	K_SIGNATURE,
	K_SYSLOG_FACILITY,
	K_USER,
	K_IGNORED
};

#define DKP_LDH	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		"0123456789-_"

#define T_STR		0
#define T_LIST		1
#define T_BOOL		2
#define T_NUM		3
#define T_IGNORE	4

struct dkp_keydef {
	const char	*name;
	enum dkp_key	 id;
	int		 type;
};

/* Sorted by name (bsearch). */
static const struct dkp_keydef dkp_keys[] = {
	{ "allow",			K_IGNORED,		T_IGNORE },
	{ "background",			K_BACKGROUND,		T_BOOL },
	{ "check_for_dead",		K_IGNORED,		T_IGNORE },
	{ "check_for_dequeue",		K_IGNORED,		T_IGNORE },
	{ "check_for_spawn",		K_IGNORED,		T_IGNORE },
	{ "check_for_waiting",		K_IGNORED,		T_IGNORE },
	{ "child_communication",	K_IGNORED,		T_IGNORE },
	{ "chroot",			K_IGNORED,		T_IGNORE },
	{ "cidr_allow",			K_IGNORED,		T_IGNORE },
	{ "cidr_deny",			K_IGNORED,		T_IGNORE },
	{ "commandline",		K_IGNORED,		T_IGNORE },
	{ "conf_file",			K_CONF_FILE,		T_STR },
	{ "daemonize",			K_DAEMONIZE,		T_BOOL },
	{ "debugtrace",			K_DEBUGTRACE,		T_BOOL },
	{ "deny",			K_IGNORED,		T_IGNORE },
	{ "dkim_method",		K_DKIM_METHOD,		T_STR },
	{ "domain",			K_DOMAIN,		T_STR },
	{ "domainkeys_method",		K_DOMAINKEYS_METHOD,	T_STR },
	{ "double_reverse_lookups",	K_IGNORED,		T_IGNORE },
	{ "expire",			K_EXPIRE,		T_NUM },
	{ "group",			K_GROUP,		T_STR },
	{ "help",			K_HELP,			T_BOOL },
	{ "host",			K_HOST,			T_STR },
	{ "hostname",			K_HOSTNAME,		T_STR },
	{ "identity",			K_IDENTITY,		T_STR },
	{ "ipv",			K_IGNORED,		T_IGNORE },
	{ "keyfile",			K_KEYFILE,		T_STR },
	{ "leave_children_open_on_hup",	K_IGNORED,		T_IGNORE },
	{ "listen",			K_LISTEN,		T_STR },
	{ "listid_map",			K_LISTID_MAP,		T_STR },
	{ "lock_file",			K_IGNORED,		T_IGNORE },
	{ "log_file",			K_LOG_FILE,		T_STR },
	{ "log_level",			K_LOG_LEVEL,		T_NUM },
	{ "max_dequeue",		K_IGNORED,		T_IGNORE },
	{ "max_requests",		K_IGNORED,		T_IGNORE },
	{ "max_servers",		K_IGNORED,		T_IGNORE },
	{ "max_spare_servers",		K_IGNORED,		T_IGNORE },
	{ "method",			K_METHOD,		T_STR },
	{ "min_child_ttl",		K_IGNORED,		T_IGNORE },
	{ "min_servers",		K_IGNORED,		T_IGNORE },
	{ "min_spare_servers",		K_IGNORED,		T_IGNORE },
	{ "no_client_stdout",		K_IGNORED,		T_IGNORE },
	{ "no_close_by_child",		K_IGNORED,		T_IGNORE },
	{ "oversign",			K_OVERSIGN,		T_BOOL },
	{ "pid_file",			K_PIDFILE,		T_STR },
	{ "pidfile",			K_PIDFILE,		T_STR },
	{ "port",			K_PORT,			T_STR },
	{ "proto",			K_IGNORED,		T_IGNORE },
	{ "reject_error",		K_REJECT_ERROR,		T_BOOL },
	{ "relay",			K_RELAY,		T_STR },
	{ "relay_host",			K_RELAY_HOST,		T_STR },
	{ "relay_port",			K_RELAY_PORT,		T_STR },
	{ "reverse_lookups",		K_IGNORED,		T_IGNORE },
	{ "selector",			K_SELECTOR,		T_STR },
	{ "sender_map",			K_SENDER_MAP,		T_STR },
	{ "serialize",			K_IGNORED,		T_IGNORE },
	{ "server_type",		K_IGNORED,		T_IGNORE },
	{ "setsid",			K_DAEMONIZE,		T_BOOL },
	{ "sig_passthrough",		K_IGNORED,		T_IGNORE },
	{ "signature",			K_SIGNATURE,		T_LIST },
	{ "syslog_facility",		K_SYSLOG_FACILITY,	T_STR },
	{ "syslog_ident",		K_IGNORED,		T_IGNORE },
	{ "syslog_logopt",		K_IGNORED,		T_IGNORE },
	{ "syslog_logsock",		K_IGNORED,		T_IGNORE },
	{ "tcp_timeout",		K_IGNORED,		T_IGNORE },
	{ "timeout",			K_IGNORED,		T_IGNORE },
	{ "udp_broadcast",		K_IGNORED,		T_IGNORE },
	{ "udp_recv_flags",		K_IGNORED,		T_IGNORE },
	{ "udp_recv_len",		K_IGNORED,		T_IGNORE },
	{ "user",			K_USER,			T_STR },
};
#define DKP_NKEYS	(sizeof(dkp_keys) / sizeof(dkp_keys[0]))

static int	dkp_keycmp(const void *, const void *);
static void	dkp_conf_vmsg(struct dkp_conf *, int, const char *, int,
		    const char *, va_list)
		    __attribute__((__format__ (printf, 5, 0)));
static void	dkp_err(struct dkp_conf *, const char *, int, const char *,
		    ...) __attribute__((__format__ (printf, 4, 5)));
static void	dkp_warn(struct dkp_conf *, const char *, int, const char *,
		    ...) __attribute__((__format__ (printf, 4, 5)));
static const struct dkp_keydef *dkp_key_find(const char *);
static int	dkp_parse_bool(const char *, int *);
static void	dkp_set_str(char **, const char *);
static char	*dkp_trim(char *);
static int	dkp_conf_line(struct dkp_conf *, const char *, int, char *);
static int	dkp_conf_line_cb(struct dkp_conf *, void *, const char *, int,
		    char *);
static int	dkp_split_domains(struct dkp_conf *);

static int
dkp_keycmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct dkp_keydef *)e)->name);
}

static const struct dkp_keydef *
dkp_key_find(const char *name)
{
	char	 buf[64];
	size_t	 i;

	/* "reject-error": Net::Server cannot take hyphens, we can */
	for (i = 0; name[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = name[i] == '-' ? '_' : tolower((unsigned char)name[i]);
	if (name[i] != '\0')
		return NULL;
	buf[i] = '\0';
	if (strncmp(buf, "ssl_", 4) == 0) {
		static const struct dkp_keydef ssl = { "ssl_*", K_IGNORED,
		    T_IGNORE };
		return &ssl;
	}
	return bsearch(buf, dkp_keys, DKP_NKEYS, sizeof(dkp_keys[0]),
	    dkp_keycmp);
}

/* An error (warn 0) or a warning, "file:line: message", logged and kept. */
static void
dkp_conf_vmsg(struct dkp_conf *conf, int warn, const char *file, int line,
    const char *fmt, va_list ap)
{
	char	*dst = warn ? conf->warn : conf->err;
	int	 n = 0;

	if (file != NULL && line > 0)
		n = snprintf(dst, DKP_ERR_MAX, "%s:%d: ", file, line);
	else if (file != NULL)
		n = snprintf(dst, DKP_ERR_MAX, "%s: ", file);
	if (n < 0 || n >= DKP_ERR_MAX)
		n = 0;
	(void)vsnprintf(dst + n, DKP_ERR_MAX - n, fmt, ap);
	if (warn)
		conf->warnings++;
	else
		conf->errors++;
	log_warnx("%s", dst);
}

void
dkp_conf_msg(struct dkp_conf *conf, int warn, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	dkp_conf_vmsg(conf, warn, file, line, fmt, ap);
	va_end(ap);
}

static void
dkp_err(struct dkp_conf *conf, const char *file, int line, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	dkp_conf_vmsg(conf, 0, file, line, fmt, ap);
	va_end(ap);
}

static void
dkp_warn(struct dkp_conf *conf, const char *file, int line, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	dkp_conf_vmsg(conf, 1, file, line, fmt, ap);
	va_end(ap);
}

struct dkp_conf *
dkp_conf_new(void)
{
	struct dkp_conf	*conf;

	conf = xcalloc(1, sizeof(*conf));
	conf->daemonize = -1;
	conf->log_level = -1;
	conf->oversign = 1;
	TAILQ_INIT(&conf->sigs);
	return conf;
}

void
dkp_conf_free(struct dkp_conf *conf)
{
	size_t	 i;

	if (conf == NULL)
		return;
	free(conf->conf_file);
	free(conf->listen);
	free(conf->listen_host);
	free(conf->listen_port);
	free(conf->relay);
	free(conf->relay_host);
	free(conf->relay_port);
	free(conf->net_host);
	free(conf->net_port);
	free(conf->domain);
	for (i = 0; i < conf->ndomains; i++)
		free(conf->domains[i]);
	free(conf->domains);
	free(conf->keyfile);
	free(conf->selector);
	free(conf->method);
	free(conf->dkim_method);
	free(conf->domainkeys_method);
	free(conf->identity);
	free(conf->sender_map_file);
	free(conf->listid_map_file);
	free(conf->hostname);
	free(conf->user);
	free(conf->group);
	free(conf->pidfile);
	free(conf->log_file);
	free(conf->syslog_facility);
	for (i = 0; i < conf->nsig_args; i++)
		free(conf->sig_args[i]);
	free(conf->sig_args);
	free(conf->sig_lines);
	dkp_sigs_clear(&conf->sigs);
	dkp_map_free(conf->sender_map);
	dkp_map_free(conf->listid_map);
	free(conf);
}

static int
dkp_parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "y" };
	static const char *const no[] = { "0", "no", "false", "off", "n", "" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

static void
dkp_set_str(char **p, const char *v)
{
	free(*p);
	*p = xstrdup(v);
}

static char *
dkp_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
dkp_conf_set(struct dkp_conf *conf, const char *key, const char *val,
    const char *file, int line, int fromargs)
{
	const struct dkp_keydef	*k;
	const char		*errstr;
	char			*v;
	int			 b = 0, n = 0;

	if ((k = dkp_key_find(key)) == NULL) {
		dkp_warn(conf, file, line, "unknown option %s, ignored",
		    key);
		return 0;
	}
	if (k->type == T_IGNORE) {
		log_debug("%s:%d: %s: Net::Server option, ignored",
		    file ? file : "command line", line, key);
		return 0;
	}
	if (!fromargs && (conf->argset & (1ULL << k->id)))
		return 0;		/* the command line's wins */
	if (fromargs)
		conf->argset |= 1ULL << k->id;
	if (k->type == T_BOOL) {
		if (dkp_parse_bool(val, &b) == -1) {
			dkp_err(conf, file, line, "%s: %s: not a boolean",
			    key, val);
			return -1;
		}
	} else if (k->type == T_NUM) {
		n = strtonum(val, 0, 10 * 366 * 24 * 3600, &errstr);
		if (errstr != NULL) {
			dkp_err(conf, file, line, "%s: %s: %s", key, val,
			    errstr);
			return -1;
		}
	} else if (*val == '\0' && k->type != T_LIST) {
		dkp_err(conf, file, line, "%s: empty value", key);
		return -1;
	}

	switch (k->id) {
	case K_BACKGROUND:
	case K_DAEMONIZE:
		conf->daemonize = b;
		break;
	case K_CONF_FILE:
		dkp_set_str(&conf->conf_file, val);
		break;
	case K_DEBUGTRACE:
		conf->debugtrace = b;
		break;
	case K_DKIM_METHOD:
	case K_DOMAINKEYS_METHOD:
	case K_METHOD:
		if (dkp_parse_method(val, NULL, NULL) == -1) {
			dkp_err(conf, file, line, "%s: invalid method %s",
			    key, val);
			return -1;
		}
		dkp_set_str(k->id == K_METHOD ? &conf->method :
		    k->id == K_DKIM_METHOD ? &conf->dkim_method :
		    &conf->domainkeys_method, val);
		break;
	case K_DOMAIN:
		dkp_set_str(&conf->domain, val);
		if (dkp_split_domains(conf) == -1) {
			dkp_err(conf, file, line, "domain: %s: bad domain "
			    "list", val);
			return -1;
		}
		break;
	case K_EXPIRE:
		conf->expire = n;
		break;
	case K_GROUP:
		dkp_set_str(&conf->group, val);
		break;
	case K_HELP:
		conf->help = b;
		break;
	case K_HOST:
		dkp_set_str(&conf->net_host, val);
		break;
	case K_HOSTNAME:
		dkp_set_str(&conf->hostname, val);
		break;
	case K_IDENTITY:
		dkp_set_str(&conf->identity, val);
		break;
	case K_KEYFILE:
		dkp_set_str(&conf->keyfile, val);
		break;
	case K_LISTEN:
		if (dkp_split_hostport(val, NULL, &conf->listen_host,
		    &conf->listen_port) == -1) {
			dkp_err(conf, file, line, "listen: %s: expected "
			    "ADDR:PORT", val);
			return -1;
		}
		dkp_set_str(&conf->listen, val);
		break;
	case K_LISTID_MAP:
		dkp_set_str(&conf->listid_map_file, val);
		break;
	case K_LOG_FILE:
		dkp_set_str(&conf->log_file, val);
		break;
	case K_LOG_LEVEL:
		if (n > 4) {
			dkp_err(conf, file, line, "log_level: %s: 0 to 4",
			    val);
			return -1;
		}
		conf->log_level = n;
		break;
	case K_OVERSIGN:
		conf->oversign = b;
		break;
	case K_PIDFILE:
		dkp_set_str(&conf->pidfile, val);
		break;
	case K_PORT:
		dkp_set_str(&conf->net_port, val);
		break;
	case K_REJECT_ERROR:
		conf->reject_error = b;
		break;
	case K_RELAY:
		if (dkp_split_hostport(val, DKP_RELAY_PORT, &conf->relay_host,
		    &conf->relay_port) == -1) {
			dkp_err(conf, file, line, "relay: %s: expected "
			    "HOST[:PORT]", val);
			return -1;
		}
		dkp_set_str(&conf->relay, val);
		break;
	case K_RELAY_HOST:
		dkp_set_str(&conf->relay_host, val);
		break;
	case K_RELAY_PORT:
		dkp_set_str(&conf->relay_port, val);
		break;
	case K_SELECTOR:
		dkp_set_str(&conf->selector, val);
		break;
	case K_SENDER_MAP:
		dkp_set_str(&conf->sender_map_file, val);
		break;
	case K_SIGNATURE:
		v = xstrdup(val);
		if (*dkp_trim(v) == '\0') {
			free(v);
			dkp_err(conf, file, line, "signature: empty value");
			return -1;
		}
		conf->sig_args = xreallocarray(conf->sig_args,
		    conf->nsig_args + 1, sizeof(*conf->sig_args));
		conf->sig_args[conf->nsig_args] = v;
		conf->sig_lines = xreallocarray(conf->sig_lines,
		    conf->nsig_args + 1, sizeof(*conf->sig_lines));
		conf->sig_lines[conf->nsig_args++] = line;
		break;
	case K_SYSLOG_FACILITY:
		if (dkp_facility(val) == -1) {
			dkp_err(conf, file, line,
			    "syslog_facility: %s: unknown", val);
			return -1;
		}
		dkp_set_str(&conf->syslog_facility, val);
		break;
	case K_USER:
		dkp_set_str(&conf->user, val);
		break;
	case K_IGNORED:
		break;
	}
	return 0;
}

/* A syslog facility's name (NULL: mail), or -1. */
int
dkp_facility(const char *name)
{
	static const struct {
		const char	*name;
		int		 fac;
	} f[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 }
	};
	size_t	 i;

	if (name == NULL)
		return LOG_MAIL;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcasecmp(name, f[i].name) == 0)
			return f[i].fac;
	return -1;
}

/* "a.example,b.example": split and trimmed, lower case. */
static int
dkp_split_domains(struct dkp_conf *conf)
{
	char	*s, *p, *tok, *d;
	size_t	 i;

	for (i = 0; i < conf->ndomains; i++)
		free(conf->domains[i]);
	free(conf->domains);
	conf->domains = NULL;
	conf->ndomains = 0;
	s = xstrdup(conf->domain);
	for (p = s; (tok = strsep(&p, ",")) != NULL; ) {
		d = dkp_trim(tok);
		if (*d == '\0')
			continue;
		if (strpbrk(d, " \t;()<>@\"") != NULL) {
			free(s);
			return -1;
		}
		for (i = 0; d[i] != '\0'; i++)
			d[i] = tolower((unsigned char)d[i]);
		conf->domains = xreallocarray(conf->domains,
		    conf->ndomains + 1, sizeof(*conf->domains));
		conf->domains[conf->ndomains++] = xstrdup(d);
	}
	free(s);
	return conf->ndomains == 0 ? -1 : 0;
}

/*
 * "host:port", "[v6]:port", "port" (listen only: the host is then
 * NULL), "host" (with a default port).  A bare IPv6 address with
 * several colons is taken whole as the host.
 */
int
dkp_split_hostport(const char *s, const char *dport, char **hostp,
    char **portp)
{
	const char	*colon, *end, *errstr;
	char		*host = NULL, *port = NULL;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || end == s + 1)
			return -1;
		host = xstrndup(s + 1, end - s - 1);
		if (end[1] == ':')
			port = xstrdup(end + 2);
		else if (end[1] == '\0' && dport != NULL)
			port = xstrdup(dport);
		else
			goto bad;
	} else if ((colon = strrchr(s, ':')) != NULL &&
	    strchr(s, ':') == colon) {
		if (colon == s)
			goto bad;
		host = xstrndup(s, colon - s);
		port = xstrdup(colon + 1);
	} else if (colon != NULL) {
		if (dport == NULL)
			goto bad;
		host = xstrdup(s);
		port = xstrdup(dport);
	} else if (*s >= '0' && *s <= '9' && strspn(s, "0123456789") ==
	    strlen(s) && dport == NULL) {
		port = xstrdup(s);
	} else {
		if (dport == NULL)
			goto bad;
		host = xstrdup(s);
		port = xstrdup(dport);
	}
	if (host != NULL && (*host == '\0' || strpbrk(host, " \t") != NULL))
		goto bad;
	if (*port == '\0')
		goto bad;
	if (strspn(port, "0123456789") == strlen(port)) {
		(void)strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL)
			goto bad;
	} else if (strpbrk(port, " \t:/") != NULL)
		goto bad;
	free(*hostp);
	free(*portp);
	*hostp = host;
	*portp = port;
	return 0;
 bad:
	free(host);
	free(port);
	return -1;
}

/*
 * One line of the file: Net::Server's _read_conf.  Returns 0, or -1
 * after logging an error.
 */
static int
dkp_conf_line(struct dkp_conf *conf, const char *file, int lineno,
    char *line)
{
	char	*p, *q, *key, *val;

	/* comments: "#" unless "\#", which becomes "#" */
	for (p = q = line; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == '#') {
			*q++ = '#';
			p++;
			continue;
		}
		if (*p == '#')
			break;
		*q++ = *p;
	}
	*q = '\0';
	p = dkp_trim(line);
	if (*p == '\0')
		return 0;
	key = p;
	if (key[0] == '-' && key[1] == '-')
		key += 2;
	for (p = key; isalnum((unsigned char)*p) || *p == '_' || *p == '-';
	    p++)
		;
	if (p == key || (*p != '\0' && *p != ' ' && *p != '\t' &&
	    *p != '=' && *p != ':')) {
		dkp_warn(conf, file, lineno, "not \"key value\", ignored");
		return 0;
	}
	val = p;
	while (*val == ' ' || *val == '\t')
		val++;
	if (*val == '=' || *val == ':')
		val++;
	else if (val == p) {
		/* no separator: only the end of the line can follow */
		if (*val != '\0') {
			dkp_warn(conf, file, lineno,
			    "not \"key value\", ignored");
			return 0;
		}
	}
	*p = '\0';
	val = dkp_trim(val);
	if (*val == '\0') {
		dkp_warn(conf, file, lineno, "%s: no value, ignored", key);
		return 0;
	}
	return dkp_conf_set(conf, key, val, file, lineno, 0);
}

/*
 * Each line of text (NUL octets refused) to cb; every line is seen,
 * -1 if any failed.
 */
int
dkp_lines(struct dkp_conf *conf, const char *name, const char *text,
    size_t len, int (*cb)(struct dkp_conf *, void *, const char *, int,
    char *), void *arg)
{
	const char	*p = text, *end = text + len, *nl;
	char		*line;
	int		 lineno = 0, rv = 0;

	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		line = xstrndup(p, nl - p);
		if (strlen(line) != (size_t)(nl - p)) {
			dkp_err(conf, name, lineno, "NUL in line");
			rv = -1;
		} else if (cb(conf, arg, name, lineno, line) == -1)
			rv = -1;
		free(line);
		p = nl + 1;
	}
	return rv;
}

/* A whole regular file of at most max octets (malloc'd), or NULL. */
char *
dkp_file_read(struct dkp_conf *conf, const char *path, size_t max,
    size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		dkp_err(conf, path, 0, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		dkp_err(conf, path, 0,
		    "not a regular file of a sane size");
		close(fd);
		return NULL;
	}
	buf = xmalloc(st.st_size + 1);
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, st.st_size - off)) > 0)
		off += n;
	close(fd);
	buf[off] = '\0';
	*lenp = off;
	return buf;
}

static int
dkp_conf_line_cb(struct dkp_conf *conf, void *arg, const char *name,
    int lineno, char *line)
{
	return dkp_conf_line(conf, name, lineno, line);
}

int
dkp_conf_text(struct dkp_conf *conf, const char *name, const char *text,
    size_t len)
{
	return dkp_lines(conf, name, text, len, dkp_conf_line_cb, NULL);
}

int
dkp_conf_file(struct dkp_conf *conf, const char *path)
{
	char	*buf;
	size_t	 len;
	int	 rv;

	if ((buf = dkp_file_read(conf, path, DKP_CONF_MAX, &len)) == NULL)
		return -1;
	rv = dkp_conf_text(conf, path, buf, len);
	free(buf);
	return rv;
}

/*
 * argv as dkimproxy.out takes it: --key=value or --key value (a boolean
 * key takes no separate value), LISTEN RELAY as two positional
 * arguments; and ours: -d (foreground, log to stderr), -f file, -n
 * (check the configuration), -v (more verbose), -h.
 */
int
dkp_conf_args(struct dkp_conf *conf, int argc, char **argv, int *flags,
    int *verbose)
{
	const struct dkp_keydef	*k;
	char			*key, *eq, *pos[2];
	int			 i, j, npos = 0, b;

	*flags = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++) {
				if (npos == 2)
					goto usage;
				pos[npos++] = argv[i];
			}
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			key = xstrdup(argv[i] + 2);
			if ((eq = strchr(key, '=')) != NULL)
				*eq++ = '\0';
			k = dkp_key_find(key);
			if (eq == NULL && k != NULL && k->type == T_BOOL) {
				/* "--daemonize 0" as well as "--daemonize" */
				if (i + 1 < argc &&
				    dkp_parse_bool(argv[i + 1], &b) == 0 &&
				    argv[i + 1][0] != '\0')
					eq = argv[++i];
				else
					eq = "1";
			} else if (eq == NULL) {
				if (i + 1 == argc) {
					(void)snprintf(conf->err, DKP_ERR_MAX,
					    "--%s needs a value", key);
					free(key);
					return -1;
				}
				eq = argv[++i];
			}
			if (dkp_conf_set(conf, key, eq, NULL, 0, 1) == -1) {
				free(key);
				return -1;
			}
			free(key);
			continue;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			if (npos == 2)
				goto usage;
			pos[npos++] = argv[i];
			continue;
		}
		for (j = 1; argv[i][j] != '\0'; j++) {
			switch (argv[i][j]) {
			case 'd':
				*flags |= DKP_F_DEBUG;
				break;
			case 'n':
				*flags |= DKP_F_CHECK;
				break;
			case 'v':
				(*verbose)++;
				break;
			case 'h':
				*flags |= DKP_F_HELP;
				break;
			case 'f':
				if (argv[i][j + 1] != '\0')
					key = argv[i] + j + 1;
				else if (i + 1 < argc)
					key = argv[++i];
				else
					goto usage;
				(void)dkp_conf_set(conf, "conf_file", key,
				    NULL, 0, 1);
				goto next;
			default:
				(void)snprintf(conf->err, DKP_ERR_MAX,
				    "unknown flag -%c", argv[i][j]);
				return -1;
			}
		}
 next:
		;
	}
	if (npos == 1)
		goto usage;
	if (npos == 2) {
		if (dkp_conf_set(conf, "listen", pos[0], NULL, 0, 1) == -1 ||
		    dkp_conf_set(conf, "relay", pos[1], NULL, 0, 1) == -1)
			return -1;
	}
	if (conf->help)
		*flags |= DKP_F_HELP;
	return conf->errors ? -1 : 0;
 usage:
	(void)snprintf(conf->err, DKP_ERR_MAX, "wrong number of arguments");
	return -1;
}

/*
 * Canonicalization: simple, relaxed, a/b, nowsp (an old draft's, read
 * as relaxed), nofws (DomainKeys').  hcanon/bcanon may be NULL.
 */
int
dkp_parse_method(const char *m, int *hcanon, int *bcanon)
{
	char	 h[16], *b;
	int	 hc, bc = DKP_CANON_SIMPLE;

	if (strcmp(m, "nowsp") == 0 || strcmp(m, "nofws") == 0) {
		hc = bc = DKP_CANON_RELAXED;
		goto done;
	}
	if (strlcpy(h, m, sizeof(h)) >= sizeof(h))
		return -1;
	if ((b = strchr(h, '/')) != NULL)
		*b++ = '\0';
	if (strcmp(h, "simple") == 0)
		hc = DKP_CANON_SIMPLE;
	else if (strcmp(h, "relaxed") == 0)
		hc = DKP_CANON_RELAXED;
	else
		return -1;
	if (b == NULL)
		bc = DKP_CANON_SIMPLE;	/* RFC 6376 3.5: c=relaxed */
	else if (strcmp(b, "simple") == 0)
		bc = DKP_CANON_SIMPLE;
	else if (strcmp(b, "relaxed") == 0)
		bc = DKP_CANON_RELAXED;
	else
		return -1;
 done:
	if (hcanon != NULL)
		*hcanon = hc;
	if (bcanon != NULL)
		*bcanon = bc;
	return 0;
}

/*
 * All read: the listener and next hop, the default signatures, the
 * maps.  Every error is logged; -1 if there was any (here or before).
 */
int
dkp_conf_finish(struct dkp_conf *conf, int checks)
{
	const char	*file = conf->conf_file;
	struct dkp_sig	*sig;
	char		 err[DKP_ERR_MAX];
	size_t		 i;

	if (conf->listen_port == NULL && conf->net_port != NULL) {
		/* Net::Server's own host and port */
		if (dkp_split_hostport(conf->net_port, NULL,
		    &conf->listen_host, &conf->listen_port) == -1)
			dkp_err(conf, file, 0, "port: %s: bad port",
			    conf->net_port);
		else if (conf->listen_host == NULL && conf->net_host != NULL &&
		    strcmp(conf->net_host, "*") != 0)
			conf->listen_host = xstrdup(conf->net_host);
	}
	if (conf->listen_port == NULL)
		dkp_err(conf, file, 0, "listening port was not specified "
		    "(listen ADDR:PORT)");
	if (conf->relay_host == NULL)
		dkp_err(conf, file, 0, "relay host was not specified "
		    "(relay HOST:PORT)");
	else if (conf->relay_port == NULL)
		conf->relay_port = xstrdup(DKP_RELAY_PORT);

	/* no signature and no map: one dkim signature (dkimproxy) */
	if (conf->nsig_args == 0 && conf->sender_map_file == NULL &&
	    conf->listid_map_file == NULL)
		(void)dkp_conf_set(conf, "signature", "dkim", NULL, 0, 0);
	for (i = 0; i < conf->nsig_args; i++) {
		if ((sig = dkp_sig_parse(conf, conf->sig_args[i], err,
		    sizeof(err))) == NULL) {
			dkp_err(conf, file, conf->sig_lines[i], "%s", err);
			continue;
		}
		if (sig->domain == NULL && conf->ndomains == 0) {
			dkp_err(conf, file, conf->sig_lines[i],
			    "signature %s: domain not specified", sig->spec);
			dkp_sig_free(sig);
			continue;
		}
		if (dkp_sig_check(sig, checks, err, sizeof(err)) == -1) {
			dkp_err(conf, file, conf->sig_lines[i], "%s", err);
			dkp_sig_free(sig);
			continue;
		}
		if (sig->sha1)
			dkp_warn(conf, file, conf->sig_lines[i],
			    "signature %s: rsa-sha1 is forbidden (RFC 8301), "
			    "signing rsa-sha256", sig->spec);
		if (sig->type == DKP_SIG_DOMAINKEYS)
			dkp_warn(conf, file, conf->sig_lines[i],
			    "signature %s: DomainKeys is historic (RFC 4870), "
			    "not emitted", sig->spec);
		TAILQ_INSERT_TAIL(&conf->sigs, sig, entry);
	}
	if (conf->sender_map_file != NULL) {
		dkp_map_free(conf->sender_map);
		conf->sender_map = dkp_map_load(conf, conf->sender_map_file,
		    checks);
	}
	if (conf->listid_map_file != NULL) {
		dkp_map_free(conf->listid_map);
		conf->listid_map = dkp_map_load(conf, conf->listid_map_file,
		    checks);
	}
	return conf->errors ? -1 : 0;
}

/*
 * "type" or "type(opt=val,opt=val)": options as dkimproxy names them,
 * the global keyfile, selector, method and identity as defaults.
 */
struct dkp_sig *
dkp_sig_parse(const struct dkp_conf *conf, const char *spec, char *err,
    size_t errlen)
{
	struct dkp_sig	*sig;
	char		*s, *p, *opts, *o, *n, *v, **slot;
	size_t		 len;

	sig = xcalloc(1, sizeof(*sig));
	sig->spec = xstrdup(spec);
	s = xstrdup(spec);
	for (p = s; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	len = p - s;
	if (len == 4 && strncasecmp(s, "dkim", 4) == 0)
		sig->type = DKP_SIG_DKIM;
	else if (len == 10 && strncasecmp(s, "domainkeys", 10) == 0)
		sig->type = DKP_SIG_DOMAINKEYS;
	else {
		if (len == 0)
			(void)snprintf(err, errlen, "invalid signature "
			    "specifier: '%s'", spec);
		else
			(void)snprintf(err, errlen, "invalid signature type "
			    "%.*s", (int)len, s);
		goto fail;
	}
	if (*p == '(') {
		if ((len = strlen(p)) < 2 || p[len - 1] != ')') {
			(void)snprintf(err, errlen, "invalid signature "
			    "specifier: '%s'", spec);
			goto fail;
		}
		p[len - 1] = '\0';
		opts = p + 1;
		while ((o = strsep(&opts, ",")) != NULL) {
			o = dkp_trim(o);
			if (*o == '\0')
				continue;
			n = o;
			if ((v = strchr(o, '=')) == NULL) {
				(void)snprintf(err, errlen, "signature %s: "
				    "option %s has no value", spec, o);
				goto fail;
			}
			*v++ = '\0';
			n = dkp_trim(n);
			v = dkp_trim(v);
			if (strcmp(n, "key") == 0 || strcmp(n, "keyfile") == 0)
				slot = &sig->keyfile;
			else if (strcmp(n, "s") == 0 ||
			    strcmp(n, "selector") == 0)
				slot = &sig->selector;
			else if (strcmp(n, "d") == 0 ||
			    strcmp(n, "domain") == 0)
				slot = &sig->domain;
			else if (strcmp(n, "c") == 0 ||
			    strcmp(n, "method") == 0)
				slot = &sig->method;
			else if (strcmp(n, "a") == 0 ||
			    strcmp(n, "algorithm") == 0)
				slot = &sig->algorithm;
			else if (strcmp(n, "h") == 0 ||
			    strcmp(n, "headers") == 0)
				slot = &sig->headers;
			else if (strcmp(n, "i") == 0 ||
			    strcmp(n, "identity") == 0)
				slot = &sig->identity;
			else {
				(void)snprintf(err, errlen, "signature %s: "
				    "unknown option %s", spec, n);
				goto fail;
			}
			if (*v == '\0') {
				(void)snprintf(err, errlen, "signature %s: "
				    "option %s has no value", spec, n);
				goto fail;
			}
			free(*slot);
			*slot = xstrdup(v);
		}
	} else if (*p != '\0') {
		(void)snprintf(err, errlen, "invalid signature specifier: "
		    "'%s'", spec);
		goto fail;
	}
	free(s);
	if (sig->keyfile == NULL && conf->keyfile != NULL)
		sig->keyfile = xstrdup(conf->keyfile);
	if (sig->selector == NULL && conf->selector != NULL)
		sig->selector = xstrdup(conf->selector);
	if (sig->method == NULL) {
		p = sig->type == DKP_SIG_DKIM ? conf->dkim_method :
		    conf->domainkeys_method;
		if (p == NULL)
			p = conf->method;
		if (p != NULL)
			sig->method = xstrdup(p);
	}
	if (sig->identity == NULL && conf->identity != NULL)
		sig->identity = xstrdup(conf->identity);
	return sig;
 fail:
	free(s);
	dkp_sig_free(sig);
	return NULL;
}

/* A list of specs split on the commas outside parentheses. */
int
dkp_sig_parse_list(const struct dkp_conf *conf, const char *list,
    struct dkp_sigs *sigs, char *err, size_t errlen)
{
	struct dkp_sig	*sig;
	const char	*p, *start;
	char		*item, *t;
	int		 depth = 0, n = 0;

	for (start = p = list; ; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (*p != '\0' && (*p != ',' || depth > 0))
			continue;
		item = xstrndup(start, p - start);
		t = dkp_trim(item);
		if (*t != '\0') {
			if ((sig = dkp_sig_parse(conf, t, err, errlen)) ==
			    NULL) {
				free(item);
				return -1;
			}
			TAILQ_INSERT_TAIL(sigs, sig, entry);
			n++;
		}
		free(item);
		if (*p == '\0')
			break;
		start = p + 1;
	}
	if (n == 0) {
		(void)snprintf(err, errlen, "no signature specified");
		return -1;
	}
	return 0;
}

/*
 * What dkimproxy's check_signature_options checks, and ours: the key
 * file is named (readable with DKP_CHECK_FILES), the selector given,
 * the method valid for the type, the algorithm one we sign (rsa-sha1
 * is taken as rsa-sha256 and flagged), macros only known ones.
 */
int
dkp_sig_check(struct dkp_sig *sig, int checks, char *err, size_t errlen)
{
	const char	*a, *m, *p;

	if (sig->keyfile == NULL) {
		(void)snprintf(err, errlen, "signature %s: no keyfile "
		    "specified", sig->spec);
		return -1;
	}
	if ((checks & DKP_CHECK_FILES) && access(sig->keyfile, R_OK) == -1) {
		(void)snprintf(err, errlen, "signature %s: cannot read "
		    "keyfile %s: %s", sig->spec, sig->keyfile,
		    strerror(errno));
		return -1;
	}
	if (sig->selector == NULL) {
		(void)snprintf(err, errlen, "signature %s: selector not "
		    "specified", sig->spec);
		return -1;
	}
	if (sig->selector[0] == '\0' || sig->selector[strspn(sig->selector,
	    DKP_LDH ".")] != '\0') {
		(void)snprintf(err, errlen, "signature %s: bad selector %s",
		    sig->spec, sig->selector);
		return -1;
	}
	m = sig->method;
	if (m == NULL)
		m = sig->type == DKP_SIG_DKIM ? "relaxed" : "nofws";
	if (sig->type == DKP_SIG_DOMAINKEYS) {
		if (strcmp(m, "simple") != 0 && strcmp(m, "nofws") != 0) {
			(void)snprintf(err, errlen, "signature %s: invalid "
			    "method %s", sig->spec, m);
			return -1;
		}
	} else if (strcmp(m, "nofws") == 0 ||
	    dkp_parse_method(m, &sig->hcanon, &sig->bcanon) == -1) {
		(void)snprintf(err, errlen, "signature %s: invalid method %s",
		    sig->spec, m);
		return -1;
	}
	a = sig->algorithm;
	sig->sha1 = 0;
	if (a == NULL)
		sig->alg = DKP_ALG_DEFAULT;
	else if (strcasecmp(a, "rsa-sha256") == 0)
		sig->alg = DKP_ALG_RSA_SHA256;
	else if (strcasecmp(a, "ed25519-sha256") == 0)
		sig->alg = DKP_ALG_ED25519_SHA256;
	else if (strcasecmp(a, "rsa-sha1") == 0) {
		sig->alg = DKP_ALG_RSA_SHA256;
		sig->sha1 = sig->type == DKP_SIG_DKIM;
	} else {
		(void)snprintf(err, errlen, "signature %s: unknown algorithm "
		    "%s", sig->spec, a);
		return -1;
	}
	if (sig->type == DKP_SIG_DOMAINKEYS && sig->alg ==
	    DKP_ALG_ED25519_SHA256) {
		(void)snprintf(err, errlen, "signature %s: DomainKeys is "
		    "rsa-sha1 only", sig->spec);
		return -1;
	}
	if (sig->domain != NULL && sig->domain[strspn(sig->domain,
	    DKP_LDH ".$")] != '\0') {
		(void)snprintf(err, errlen, "signature %s: bad domain %s",
		    sig->spec, sig->domain);
		return -1;
	}
	if (sig->identity != NULL && (sig->identity[strspn(sig->identity,
	    DKP_LDH ".$@+=!#%&'*/?^`{|}~")] != '\0' ||
	    (strchr(sig->identity, '@') == NULL &&
	    strchr(sig->identity, '$') == NULL))) {
		(void)snprintf(err, errlen, "signature %s: bad identity %s",
		    sig->spec, sig->identity);
		return -1;
	}
	for (p = sig->domain; p != NULL && (p = strchr(p, '$')) != NULL; ) {
		if (p[1] == '$') {
			p += 2;
			continue;
		}
		if (strncmp(p + 1, "senderdomain", 12) != 0 &&
		    strncmp(p + 1, "sender", 6) != 0 &&
		    strncmp(p + 1, "keydomain", 9) != 0 &&
		    strncmp(p + 1, "key", 3) != 0) {
			(void)snprintf(err, errlen, "signature %s: unknown "
			    "macro in %s", sig->spec, sig->domain);
			return -1;
		}
		p++;
	}
	return 0;
}

void
dkp_sig_free(struct dkp_sig *sig)
{
	if (sig == NULL)
		return;
	free(sig->spec);
	free(sig->keyfile);
	free(sig->selector);
	free(sig->domain);
	free(sig->method);
	free(sig->algorithm);
	free(sig->headers);
	free(sig->identity);
	free(sig);
}

void
dkp_sigs_clear(struct dkp_sigs *sigs)
{
	struct dkp_sig	*sig;

	while ((sig = TAILQ_FIRST(sigs)) != NULL) {
		TAILQ_REMOVE(sigs, sig, entry);
		dkp_sig_free(sig);
	}
}

/* A value as the file reads it back: "#" written "\\#". */
static void
dkp_print_val(FILE *fp, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '#')
			fputc('\\', fp);
		fputc(*v, fp);
	}
}

static void
dkp_print_sig(const struct dkp_sig *sig, FILE *fp)
{
	static const char *const canon[] = { "simple", "relaxed" };

	fprintf(fp, "%s(", sig->type == DKP_SIG_DKIM ? "dkim" : "domainkeys");
	if (sig->type == DKP_SIG_DKIM && sig->alg != DKP_ALG_DEFAULT)
		fprintf(fp, "a=%s,", sig->alg == DKP_ALG_RSA_SHA256 ?
		    "rsa-sha256" : "ed25519-sha256");
	if (sig->type == DKP_SIG_DKIM)
		fprintf(fp, "c=%s/%s,", canon[sig->hcanon],
		    canon[sig->bcanon]);
	if (sig->domain != NULL)
		fprintf(fp, "d=%s,", sig->domain);
	if (sig->identity != NULL) {
		fprintf(fp, "i=");
		dkp_print_val(fp, sig->identity);
		fprintf(fp, ",");
	}
	fprintf(fp, "s=%s,key=", sig->selector);
	dkp_print_val(fp, sig->keyfile);
	fprintf(fp, ")");
}

void
dkp_conf_print(const struct dkp_conf *conf, FILE *fp)
{
	const struct dkp_sig	*sig;
	struct dkp_map		*maps[2];
	struct dkp_map_entry	*e;
	size_t			 i;

	fprintf(fp, "listen %s%s%s:%s\n", conf->listen_host &&
	    strchr(conf->listen_host, ':') ? "[" : "",
	    conf->listen_host ? conf->listen_host : "*",
	    conf->listen_host && strchr(conf->listen_host, ':') ? "]" : "",
	    conf->listen_port);
	fprintf(fp, "relay %s%s%s:%s\n", strchr(conf->relay_host, ':') ?
	    "[" : "", conf->relay_host, strchr(conf->relay_host, ':') ?
	    "]" : "", conf->relay_port);
	if (conf->ndomains > 0) {
		fprintf(fp, "domain ");
		for (i = 0; i < conf->ndomains; i++)
			fprintf(fp, "%s%s", i ? "," : "", conf->domains[i]);
		fprintf(fp, "\n");
	}
	TAILQ_FOREACH(sig, &conf->sigs, entry) {
		fprintf(fp, "signature ");
		dkp_print_sig(sig, fp);
		fprintf(fp, "\n");
	}
	maps[0] = conf->listid_map;
	maps[1] = conf->sender_map;
	for (i = 0; i < 2; i++) {
		if (maps[i] == NULL)
			continue;
		fprintf(fp, "%s %s\n", i == 0 ? "listid_map" : "sender_map",
		    maps[i]->path);
		RB_FOREACH(e, dkp_map_tree, &maps[i]->tree) {
			fprintf(fp, "#\t%s\t", e->key);
			TAILQ_FOREACH(sig, &e->sigs, entry) {
				if (sig != TAILQ_FIRST(&e->sigs))
					fprintf(fp, ", ");
				dkp_print_sig(sig, fp);
			}
			fprintf(fp, "\n");
		}
	}
	if (conf->reject_error)
		fprintf(fp, "reject_error 1\n");
	if (!conf->oversign)
		fprintf(fp, "oversign 0\n");
	if (conf->expire)
		fprintf(fp, "expire %lld\n", conf->expire);
	if (conf->hostname != NULL)
		fprintf(fp, "hostname %s\n", conf->hostname);
	if (conf->user != NULL)
		fprintf(fp, "user %s\n", conf->user);
	if (conf->group != NULL)
		fprintf(fp, "group %s\n", conf->group);
	if (conf->pidfile != NULL)
		fprintf(fp, "pidfile %s\n", conf->pidfile);
	if (conf->daemonize != -1)
		fprintf(fp, "daemonize %d\n", conf->daemonize);
	if (conf->log_file != NULL)
		fprintf(fp, "log_file %s\n", conf->log_file);
	if (conf->log_level != -1)
		fprintf(fp, "log_level %d\n", conf->log_level);
	if (conf->syslog_facility != NULL)
		fprintf(fp, "syslog_facility %s\n", conf->syslog_facility);
}
