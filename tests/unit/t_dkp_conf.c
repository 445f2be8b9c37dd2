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
 * t_dkp_conf: dkimproxy_out.conf (Net::Server's grammar), dkimproxy.out's
 * command line, signature specs, sender_map / listid_map and lookups.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "log.h"

#include "../dkimsignd/dkimsignd.h"

/* The article's /etc/dkimproxy_out.conf (dkimproxy's example). */
static const char article[] =
    "# specify what address/port DKIMproxy should listen on\n"
    "listen    127.0.0.1:10027\n"
    "\n"
    "# specify what address/port DKIMproxy forwards mail to\n"
    "relay     127.0.0.1:10028\n"
    "\n"
    "# specify what domains DKIMproxy can sign for (comma-separated, "
    "no spaces)\n"
    "domain    example.com\n"
    "\n"
    "# specify what signatures to add\n"
    "signature dkim(c=relaxed)\n"
    "signature domainkeys(c=nofws)\n"
    "\n"
    "# specify location of the private key\n"
    "keyfile   /var/dkimproxy/default.private\n"
    "\n"
    "# specify the selector (i.e. the name of the key record put in DNS)\n"
    "selector  default\n"
    "\n"
    "# control how many processes DKIMproxy uses\n"
    "#  - more information on these options (and others) can be found by\n"
    "#    running `perldoc Net::Server::PreFork'.\n"
    "#min_servers 5\n"
    "#min_spare_servers 2\n";

static int
feed(struct dkp_conf *c, const char *name, const char *text)
{
	return dkp_conf_text(c, name, text, strlen(text));
}

static struct dkp_conf *
parse(const char *text, int *rv)
{
	struct dkp_conf	*c = dkp_conf_new();

	c->conf_file = strdup("t.conf");
	*rv = dkp_conf_text(c, "t.conf", text, strlen(text));
	if (*rv == 0)
		*rv = dkp_conf_finish(c, 0);
	return c;
}

static int
nsigs(const struct dkp_sigs *sigs)
{
	const struct dkp_sig	*s;
	int			 n = 0;

	TAILQ_FOREACH(s, sigs, entry)
		n++;
	return n;
}

static void
test_article(void)
{
	struct dkp_conf	*c;
	struct dkp_sig	*s;
	int		 rv;

	c = parse(article, &rv);
	is_int(rv, 0, "article: parses");
	is_int(c->errors, 0, "article: no error");
	is_str(c->listen_host, "127.0.0.1", "article: listen host");
	is_str(c->listen_port, "10027", "article: listen port");
	is_str(c->relay_host, "127.0.0.1", "article: relay host");
	is_str(c->relay_port, "10028", "article: relay port");
	is_int((int)c->ndomains, 1, "article: one domain");
	is_str(c->domains[0], "example.com", "article: domain");
	is_int(nsigs(&c->sigs), 2, "article: two signature lines");
	s = TAILQ_FIRST(&c->sigs);
	is_int(s->type, DKP_SIG_DKIM, "article: first is dkim");
	is_int(s->hcanon, DKP_CANON_RELAXED, "article: c=relaxed header");
	is_int(s->bcanon, DKP_CANON_SIMPLE, "article: c=relaxed body simple");
	is_int(s->alg, DKP_ALG_DEFAULT, "article: no a=, by the key");
	is_str(s->keyfile, "/var/dkimproxy/default.private",
	    "article: keyfile inherited");
	is_str(s->selector, "default", "article: selector inherited");
	s = TAILQ_NEXT(s, entry);
	is_int(s->type, DKP_SIG_DOMAINKEYS, "article: second is domainkeys");
	ok(strstr(c->warn, "t.conf:12:") != NULL &&
	    strstr(c->warn, "historic") != NULL,
	    "article: domainkeys warned as historic on its line (%s)",
	    c->warn);
	dkp_conf_free(c);
}

static void
test_syntax(void)
{
	struct dkp_conf	*c;
	int		 rv;

	c = parse("--listen=[::1]:10027\n"
	    "relay: mx.example\n"
	    "domain  A.example, b.example ,c.example\n"
	    "keyfile /k#comment\n"
	    "selector se\\#l\n"
	    "min_servers 5\n"
	    "max_requests 1000\n"
	    "ssl_cert_file /x\n"
	    "   \t\n"
	    "signature dkim(a=rsa-sha1, c=relaxed/relaxed, s=other, "
	    "key=/k2, d=$senderdomain, i=@$senderdomain)\n", &rv);
	is_int(rv, 0, "syntax: parses (%s)", c->err);
	is_str(c->listen_host, "::1", "syntax: [v6]:port host");
	is_str(c->listen_port, "10027", "syntax: [v6]:port port");
	is_str(c->relay_host, "mx.example", "syntax: key: value");
	is_str(c->relay_port, "25", "syntax: relay default port 25");
	is_int((int)c->ndomains, 3, "syntax: three domains, trimmed");
	is_str(c->domains[0], "a.example", "syntax: domain lower-cased");
	is_str(c->domains[2], "c.example", "syntax: third domain");
	is_str(c->keyfile, "/k", "syntax: # starts a comment");
	is_str(c->selector, "se#l", "syntax: \\# is a #");
	if (TAILQ_FIRST(&c->sigs) != NULL) {
		struct dkp_sig *s = TAILQ_FIRST(&c->sigs);

		is_int(s->alg, DKP_ALG_RSA_SHA256, "syntax: rsa-sha1 upgraded");
		is_int(s->sha1, 1, "syntax: rsa-sha1 flagged");
		is_int(s->bcanon, DKP_CANON_RELAXED, "syntax: relaxed/relaxed");
		is_str(s->selector, "other", "syntax: s= alias");
		is_str(s->keyfile, "/k2", "syntax: key= alias");
		is_str(s->domain, "$senderdomain", "syntax: d= macro kept");
		is_str(s->identity, "@$senderdomain", "syntax: i= macro");
	} else
		ok(0, "syntax: no signature parsed");
	ok(strstr(c->warn, "rsa-sha1") != NULL, "syntax: rsa-sha1 warning "
	    "(%s)", c->warn);
	dkp_conf_free(c);

	/* warnings, not errors: unknown key, key alone, junk */
	c = parse("listen 127.0.0.1:1\nrelay 127.0.0.1:2\ndomain x.example\n"
	    "keyfile /k\nselector s\nfrobnicate 1\n", &rv);
	is_int(rv, 0, "unknown key: not an error");
	is_str(c->warn, "t.conf:6: unknown option frobnicate, ignored",
	    "unknown key: warned with file:line");
	dkp_conf_free(c);
	c = parse("listen 127.0.0.1:1\nrelay 127.0.0.1:2\ndomain x.example\n"
	    "keyfile /k\nselector s\nuser\n", &rv);
	is_int(rv, 0, "key without value: not an error");
	is_str(c->warn, "t.conf:6: user: no value, ignored",
	    "key without value: warned");
	dkp_conf_free(c);

	/* last scalar wins, signature accumulates */
	c = parse("listen 127.0.0.1:1\nlisten 127.0.0.1:3\nrelay x:2\n"
	    "domain x.example\nkeyfile /k\nselector a\nselector b\n"
	    "signature dkim\nsignature dkim(s=c)\n", &rv);
	is_str(c->listen_port, "3", "last listen wins");
	is_int(nsigs(&c->sigs), 2, "signature accumulates");
	is_str(TAILQ_FIRST(&c->sigs)->selector, "b", "last selector wins");
	dkp_conf_free(c);

	/* no signature line: one dkim signature */
	c = parse("listen 127.0.0.1:1\nrelay x:2\ndomain x.example\n"
	    "keyfile /k\nselector a\n", &rv);
	is_int(nsigs(&c->sigs), 1, "no signature: default dkim");
	is_int(TAILQ_FIRST(&c->sigs)->hcanon, DKP_CANON_RELAXED,
	    "default dkim: method relaxed");
	dkp_conf_free(c);

	/* Net::Server's host and port instead of listen */
	c = parse("host 127.0.0.2\nport 10027\nrelay x:2\ndomain x.example\n"
	    "keyfile /k\nselector a\nmethod simple\n", &rv);
	is_int(rv, 0, "host/port: parses (%s)", c->err);
	is_str(c->listen_host, "127.0.0.2", "host/port: host");
	is_str(c->listen_port, "10027", "host/port: port");
	is_int(TAILQ_FIRST(&c->sigs)->hcanon, DKP_CANON_SIMPLE,
	    "method simple: inherited");
	dkp_conf_free(c);
}

static void
test_errors(void)
{
	static const struct {
		const char	*text;
		const char	*err;
	} t[] = {
	    { "listen nowhere\n", "t.conf:1: listen: nowhere: expected "
		"ADDR:PORT" },
	    { "listen 1.2.3.4:99999\n", "t.conf:1: listen: 1.2.3.4:99999: "
		"expected ADDR:PORT" },
	    { "method fancy\n", "t.conf:1: method: invalid method fancy" },
	    { "reject_error maybe\n", "t.conf:1: reject_error: maybe: not a "
		"boolean" },
	    { "log_level 9\n", "t.conf:1: log_level: 9: 0 to 4" },
	    { "syslog_facility kern\n", "t.conf:1: syslog_facility: kern: "
		"unknown" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\nkeyfile /k\n"
		"selector s\nsignature dkim(c=nofws)\n",
		"t.conf:6: signature dkim(c=nofws): invalid method nofws" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\nkeyfile /k\n"
		"selector s\nsignature pgp\n",
		"t.conf:6: invalid signature type pgp" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\nkeyfile /k\n"
		"selector s\nsignature dkim(a=rsa-md5)\n",
		"t.conf:6: signature dkim(a=rsa-md5): unknown algorithm "
		"rsa-md5" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\nkeyfile /k\n"
		"selector s\nsignature dkim(c=relaxed\n",
		"t.conf:6: invalid signature specifier: 'dkim(c=relaxed'" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\nkeyfile /k\n"
		"selector s\nsignature dkim(d=$user)\n",
		"t.conf:6: signature dkim(d=$user): unknown macro in $user" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\n"
		"selector s\n", "t.conf: signature dkim: no keyfile "
		"specified" },
	    { "listen 127.0.0.1:1\nrelay r:2\ndomain x.example\n"
		"keyfile /k\n", "t.conf: signature dkim: selector not "
		"specified" },
	    { "listen 127.0.0.1:1\nrelay r:2\nkeyfile /k\nselector s\n",
		"t.conf: signature dkim: domain not specified" },
	    { "relay r:2\ndomain x.example\nkeyfile /k\nselector s\n",
		"t.conf: listening port was not specified (listen "
		"ADDR:PORT)" },
	    { "listen 127.0.0.1:1\ndomain x.example\nkeyfile /k\n"
		"selector s\n", "t.conf: relay host was not specified "
		"(relay HOST:PORT)" },
	};
	struct dkp_conf	*c;
	size_t		 i;
	int		 rv;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = dkp_conf_new();
		c->conf_file = strdup("t.conf");
		rv = dkp_conf_text(c, "t.conf", t[i].text, strlen(t[i].text));
		if (rv == 0)
			rv = dkp_conf_finish(c, 0);
		is_int(rv, -1, "error %zu: refused", i);
		is_str(c->err, t[i].err, "error %zu: message", i);
		dkp_conf_free(c);
	}

	/* every error is reported, not just the first */
	c = dkp_conf_new();
	rv = feed(c, "t.conf", "method x\nlisten y\nlog_level z\n");
	is_int(c->errors, 3, "three bad lines: three errors");
	dkp_conf_free(c);

	/* a key file that cannot be read (DKP_CHECK_FILES) */
	c = dkp_conf_new();
	rv = feed(c, "t.conf", "listen 127.0.0.1:1\nrelay r\n"
	    "domain x.example\nkeyfile /nonexistent/k\nselector s\n");
	rv = dkp_conf_finish(c, DKP_CHECK_FILES);
	is_int(rv, -1, "unreadable keyfile: refused");
	ok(strstr(c->err, "cannot read keyfile /nonexistent/k") != NULL,
	    "unreadable keyfile: said so (%s)", c->err);
	dkp_conf_free(c);
}

static void
test_args(void)
{
	struct dkp_conf	*c;
	char		*argv1[] = { "dkimsignd", "--conf_file=/x.conf",
	    "--keyfile", "/cli.key", "--reject-error", "--domain=a.example,"
	    "b.example", "-dv", "--signature=dkim(s=one)", "--signature",
	    "dkim(a=ed25519-sha256,s=two)", "127.0.0.1:10027",
	    "127.0.0.1:10028", NULL };
	char		*argv2[] = { "dkimsignd", "-f", "/y.conf", "-n",
	    "--listen", "127.0.0.1:5", "--relay", "[::1]:6", "--min_servers=3",
	    "--daemonize", "no", "--pidfile=/run/d.pid", "--user=_dkimproxy",
	    "--debugtrace", NULL };
	char		*argv3[] = { "dkimsignd", "onlyone", NULL };
	char		*argv4[] = { "dkimsignd", "-x", NULL };
	int		 flags, verbose = 0, rv;

	c = dkp_conf_new();
	rv = dkp_conf_args(c, 12, argv1, &flags, &verbose);
	is_int(rv, 0, "args: accepted (%s)", c->err);
	is_str(c->conf_file, "/x.conf", "args: --conf_file=");
	is_str(c->keyfile, "/cli.key", "args: --keyfile value");
	is_int(c->reject_error, 1, "args: --reject-error");
	is_int((int)c->ndomains, 2, "args: --domain list");
	is_int(flags & DKP_F_DEBUG, DKP_F_DEBUG, "args: -d");
	is_int(verbose, 1, "args: -v");
	is_str(c->listen_port, "10027", "args: positional LISTEN");
	is_str(c->relay_port, "10028", "args: positional RELAY");
	is_int((int)c->nsig_args, 2, "args: two --signature");
	/* the file does not override the command line */
	rv = feed(c, "f", "keyfile /file.key\nselector fs\n"
	    "signature dkim(s=three)\nlisten 127.0.0.1:1\nreject_error 0\n");
	is_str(c->keyfile, "/cli.key", "args: file's keyfile ignored");
	is_str(c->selector, "fs", "args: file's selector used");
	is_int((int)c->nsig_args, 2, "args: file's signature ignored");
	is_str(c->listen_port, "10027", "args: file's listen ignored");
	is_int(c->reject_error, 1, "args: file's reject_error ignored");
	rv = dkp_conf_finish(c, 0);
	is_int(rv, 0, "args: finish (%s)", c->err);
	if (TAILQ_LAST(&c->sigs, dkp_sigs) != NULL)
		is_int(TAILQ_LAST(&c->sigs, dkp_sigs)->alg,
		    DKP_ALG_ED25519_SHA256, "args: a=ed25519-sha256");
	else
		ok(0, "args: no signature");
	dkp_conf_free(c);

	c = dkp_conf_new();
	verbose = 0;
	rv = dkp_conf_args(c, 14, argv2, &flags, &verbose);
	is_int(rv, 0, "args 2: accepted (%s)", c->err);
	is_str(c->conf_file, "/y.conf", "args 2: -f");
	is_int(flags & DKP_F_CHECK, DKP_F_CHECK, "args 2: -n");
	is_str(c->relay_host, "::1", "args 2: [v6] relay");
	is_int(c->daemonize, 0, "args 2: --daemonize no");
	is_int(c->debugtrace, 1, "args 2: --debugtrace alone");
	is_str(c->pidfile, "/run/d.pid", "args 2: --pidfile");
	is_str(c->user, "_dkimproxy", "args 2: --user");
	dkp_conf_free(c);

	c = dkp_conf_new();
	rv = dkp_conf_args(c, 2, argv3, &flags, &verbose);
	is_int(rv, -1, "args 3: one positional refused");
	is_str(c->err, "wrong number of arguments", "args 3: message");
	dkp_conf_free(c);
	c = dkp_conf_new();
	rv = dkp_conf_args(c, 2, argv4, &flags, &verbose);
	is_int(rv, -1, "args 4: unknown flag refused");
	dkp_conf_free(c);
}

static void
test_sigs(void)
{
	struct dkp_conf	*c = dkp_conf_new();
	struct dkp_sigs	 sigs;
	struct dkp_sig	*s;
	char		 err[DKP_ERR_MAX] = "";
	int		 hc, bc;

	TAILQ_INIT(&sigs);
	c->keyfile = strdup("/g.key");
	c->selector = strdup("gsel");
	c->dkim_method = strdup("simple");
	is_int(dkp_sig_parse_list(c, " dkim(c=relaxed,a=rsa-sha256) , "
	    "domainkeys(c=nofws), dkim", &sigs, err, sizeof(err)), 0,
	    "list: parses (%s)", err);
	is_int(nsigs(&sigs), 3, "list: three, commas in () kept");
	s = TAILQ_FIRST(&sigs);
	is_str(s->method, "relaxed", "list: 1st c=");
	is_str(s->algorithm, "rsa-sha256", "list: 1st a=");
	s = TAILQ_NEXT(s, entry);
	is_int(s->type, DKP_SIG_DOMAINKEYS, "list: 2nd domainkeys");
	s = TAILQ_NEXT(s, entry);
	is_str(s->method, "simple", "list: 3rd dkim_method default");
	is_str(s->keyfile, "/g.key", "list: 3rd keyfile default");
	dkp_sigs_clear(&sigs);
	is_int(dkp_sig_parse_list(c, "dkim(h=from:to,i=a@b.example,"
	    "selector=x,domain=d.example,identity=z@d.example)", &sigs, err,
	    sizeof(err)), 0, "long names: parse");
	s = TAILQ_FIRST(&sigs);
	is_str(s->headers, "from:to", "h= kept");
	is_str(s->identity, "z@d.example", "identity= (last wins)");
	is_str(s->domain, "d.example", "domain=");
	dkp_sigs_clear(&sigs);
	is_int(dkp_sig_parse_list(c, " , ", &sigs, err, sizeof(err)), -1,
	    "empty list refused");
	is_int(dkp_sig_parse_list(c, "dkim(c)", &sigs, err, sizeof(err)), -1,
	    "option without value refused");
	dkp_sigs_clear(&sigs);
	dkp_conf_free(c);

	is_int(dkp_parse_method("relaxed", &hc, &bc), 0, "method relaxed");
	ok(hc == DKP_CANON_RELAXED && bc == DKP_CANON_SIMPLE,
	    "relaxed = relaxed/simple");
	is_int(dkp_parse_method("simple/relaxed", &hc, &bc), 0,
	    "method simple/relaxed");
	ok(hc == DKP_CANON_SIMPLE && bc == DKP_CANON_RELAXED,
	    "simple/relaxed split");
	is_int(dkp_parse_method("relaxed/", &hc, &bc), -1, "relaxed/ bad");
	is_int(dkp_parse_method("RELAXED", &hc, &bc), -1, "case matters");
}

static struct dkp_map *
mapparse(struct dkp_conf *c, const char *text)
{
	return dkp_map_parse(c, "map", text, strlen(text), 0);
}

static void
test_maps(void)
{
	static const char text[] =
	    "# sender map\n"
	    "; also a comment\n"
	    "\n"
	    "jason@long.name   dkim(key=/j.key,s=js)\n"
	    "Example.ORG  dkim(c=relaxed,a=rsa-sha256), domainkeys(c=nofws)\n"
	    "sub.example.net   dkim(d=example.net)\n"
	    ".                 dkim(d=catchall.example)\n";
	struct dkp_conf			*c = dkp_conf_new();
	struct dkp_map			*m;
	const struct dkp_map_entry	*e;

	c->keyfile = strdup("/g.key");
	c->selector = strdup("gsel");
	m = dkp_map_parse(c, "map", text, strlen(text), 0);
	ok(m != NULL, "map: parses (%s)", c->err);
	if (m == NULL) {
		dkp_conf_free(c);
		return;
	}
	is_int((int)m->n, 4, "map: four entries");
	e = dkp_map_lookup_address(m, "Jason@Long.Name");
	ok(e != NULL && strcmp(e->key, "jason@long.name") == 0,
	    "lookup: full address, any case");
	e = dkp_map_lookup_address(m, "jason+lists@long.name");
	ok(e != NULL && strcmp(e->key, "jason@long.name") == 0,
	    "lookup: +extension dropped");
	e = dkp_map_lookup_address(m, "other@long.name");
	ok(e != NULL && strcmp(e->key, ".") == 0,
	    "lookup: other user of long.name: catch-all");
	e = dkp_map_lookup_address(m, "x@mail.dept.example.org");
	ok(e != NULL && strcmp(e->key, "example.org") == 0,
	    "lookup: parent domains");
	is_int(e != NULL ? nsigs(&e->sigs) : 0, 2, "lookup: two specs");
	e = dkp_map_lookup_address(m, "y@sub.example.net");
	ok(e != NULL && strcmp(e->key, "sub.example.net") == 0,
	    "lookup: subdomain key");
	e = dkp_map_lookup_listid(m, "list.example.org");
	ok(e != NULL && strcmp(e->key, "example.org") == 0,
	    "listid: suffixes");
	e = dkp_map_lookup_address(m, "z@nowhere.test");
	ok(e != NULL && strcmp(e->key, ".") == 0, "lookup: catch-all");
	is_str(TAILQ_FIRST(&dkp_map_find(m, "jason@long.name")->sigs)->selector,
	    "js", "map: spec option");
	is_str(TAILQ_FIRST(&dkp_map_find(m, "example.org")->sigs)->selector,
	    "gsel", "map: global default selector");
	dkp_map_free(m);

	m = mapparse(c, "a.example dkim\nb.example\nc.example dkim(x=1)\n");
	ok(m == NULL, "bad map refused");
	is_int(c->errors, 2, "bad map: both bad lines reported");
	is_str(c->err, "map:3: signature dkim(x=1): unknown option x",
	    "bad map: file:line");
	m = mapparse(c, "a.example dkim\nA.example dkim(s=2)\n");
	ok(m != NULL && m->n == 1, "duplicate key: one entry");
	if (m != NULL)
		is_str(TAILQ_FIRST(&dkp_map_find(m, "a.example")->sigs)->
		    selector, "2", "duplicate key: last wins");
	dkp_map_free(m);
	dkp_conf_free(c);
}

static void
test_print(void)
{
	struct dkp_conf	*c, *c2;
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*fp;
	int		 rv;

	c = parse("listen [::1]:10027\nrelay 127.0.0.1:10028\n"
	    "domain example.com,example.org\nkeyfile /k#1\nselector s\n"
	    "signature dkim(c=relaxed)\n"
	    "signature dkim(a=ed25519-sha256,s=ed,key=/ed,i=@$senderdomain)\n"
	    "signature domainkeys\nreject_error yes\noversign 0\n"
	    "expire 86400\nuser _dkimproxy\ndaemonize 0\n", &rv);
	is_int(rv, 0, "print: parses (%s)", c->err);
	fp = open_memstream(&out, &len);
	dkp_conf_print(c, fp);
	fclose(fp);
	is_str(out, "listen [::1]:10027\n"
	    "relay 127.0.0.1:10028\n"
	    "domain example.com,example.org\n"
	    "signature dkim(c=relaxed/simple,s=s,key=/k)\n"
	    "signature dkim(a=ed25519-sha256,c=relaxed/simple,"
	    "i=@$senderdomain,s=ed,key=/ed)\n"
	    "signature domainkeys(s=s,key=/k)\n"
	    "reject_error 1\noversign 0\nexpire 86400\nuser _dkimproxy\n"
	    "daemonize 0\n", "print: -nv output");
	c2 = parse(out, &rv);
	is_int(rv, 0, "print: the output parses again (%s)", c2->err);
	is_int(c2->reject_error + c2->oversign * 10, 1, "print: same flags");
	dkp_conf_free(c2);
	free(out);
	dkp_conf_free(c);
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	test_article();
	test_syntax();
	test_errors();
	test_args();
	test_sigs();
	test_maps();
	test_print();
	return done_testing();
}
