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
 * common/greydb: spamd's greylisting rules and arithmetic on a fake
 * clock, the sync receiver rules, long keys, the journal, bogus records.
 *
 * Also a helper for tests/integration/greydb-cli.t, which cannot make
 * GREY entries with greydb itself:
 *	t_greydb grey DIR IP HELO FROM TO	greylist a tuple (now)
 *	t_greydb bogus DIR KEY			store an undecodable record
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "greydb.h"
#include "log.h"
#include "tap.h"
#include "t_rmtree.h"

#define T0	1700000000LL

static char	tmpdir[] = "/tmp/t_greydb.XXXXXX";
static int64_t	fake_now = T0;
static int	ndb;

static int64_t	fake_clock(void *);
static struct greydb *open_db(const struct greydb_config *);
static char	*tkey(const char *, const char *, const char *, const char *);
static int	get(struct greydb *, const char *, struct greydb_entry *);
static int	grey(struct greydb *, const char *, const char *,
		    const char *, const char *, const char *, int);
static int	bl_cb(const char *, void *);
static int	jr_cb(const struct greydb_change *, void *);
static int	walk_cb(const struct greydb_entry *, void *);
static int	put_raw(const char *, const char *, const void *, size_t);
static int	helper(int, char **);
static void	test_greylist(void);
static void	test_scan(void);
static void	test_traps(void);
static void	test_lowprio(void);
static void	test_sync(void);
static void	test_manual(void);
static void	test_put(void);
static void	test_put_many(void);
static void	test_syncflags(void);
static void	test_delete(void);
static void	test_longkeys(void);
static void	test_journal(void);
static void	test_bogus(void);
static void	test_parse(void);
static void	test_procs(void);

struct jr_log {
	int		 n;
	uint64_t	 seq[32];
	int		 kind[32];
	int		 op[32];
	int		 origin[32];
	int64_t		 expire[32];
	char		 ip[32][64];
	char		 to[32][64];
};

struct walk_log {
	int		 n;
	int		 bogus;
	char		 keys[16][128];
	int		 types[16];
};

static int64_t
fake_clock(void *arg)
{
	(void)arg;
	return (fake_now);
}

/* A fresh database in its own directory, on the fake clock. */
static struct greydb *
open_db(const struct greydb_config *cfg)
{
	struct greydb_config	 c;
	struct greydb		*db;
	char			 p[256];

	if (cfg != NULL)
		c = *cfg;
	else
		memset(&c, 0, sizeof(c));
	c.flags |= GREYDB_NOSYNC;
	snprintf(p, sizeof(p), "%s/db%d", tmpdir, ndb++);
	if ((db = greydb_open(p, &c)) == NULL) {
		printf("Bail out! cannot open %s\n", p);
		exit(1);
	}
	greydb_set_clock(db, fake_clock, NULL);
	greydb_set_startup(db, fake_now);
	return (db);
}

static char *
tkey(const char *ip, const char *helo, const char *from, const char *to)
{
	static char	buf[4][4200];
	static int	i;
	char		*s = buf[i++ % 4];

	snprintf(s, sizeof(buf[0]), "%s\n%s\n%s\n%s", ip, helo, from, to);
	return (s);
}

static int
get(struct greydb *db, const char *key, struct greydb_entry *e)
{
	int	r;

	r = greydb_get(db, key, e);
	if (r != 0)
		memset(e, 0, sizeof(*e));
	return (r);
}

static int
grey(struct greydb *db, const char *ip, const char *helo, const char *from,
    const char *to, const char *co, int flags)
{
	struct greydb_tuple	t;
	int			res = 0;

	t.ip = ip;
	t.helo = helo;
	t.from = from;
	t.to = to;
	if (greydb_grey(db, &t, co, flags, &res) == -1)
		return (-1);
	return (res);
}

static int
bl_cb(const char *ip, void *arg)
{
	return (strcmp(ip, (const char *)arg) == 0);
}

static int
jr_cb(const struct greydb_change *c, void *arg)
{
	struct jr_log	*l = arg;

	if (l->n >= 32)
		return (1);
	l->seq[l->n] = c->seq;
	l->kind[l->n] = c->kind;
	l->op[l->n] = c->op;
	l->origin[l->n] = c->origin;
	l->expire[l->n] = c->expire;
	snprintf(l->ip[l->n], sizeof(l->ip[0]), "%s", c->ip);
	snprintf(l->to[l->n], sizeof(l->to[0]), "%s", c->to);
	l->n++;
	return (0);
}

static int
walk_cb(const struct greydb_entry *e, void *arg)
{
	struct walk_log	*l = arg;

	if (e->type == GREYDB_BOGUS)
		l->bogus++;
	if (l->n < 16) {
		snprintf(l->keys[l->n], sizeof(l->keys[0]), "%s", e->key);
		l->types[l->n] = e->type;
	}
	l->n++;
	return (0);
}

/* Store a raw value under a raw key in the "grey" sub-database. */
static int
put_raw(const char *path, const char *key, const void *val, size_t vlen)
{
	struct db_options	 o;
	struct db_env		*env;
	struct db_txn		*txn;
	unsigned int		 dbi;
	int			 r = -1;

	memset(&o, 0, sizeof(o));
	o.mapsize = 64UL * 1024 * 1024;
	o.maxdbs = 8;
	if ((env = db_open(path, &o)) == NULL)
		return (-1);
	if (db_dbi_open(env, "grey", DB_CREATE, &dbi) == 0 &&
	    (txn = db_txn_begin(env, 0)) != NULL) {
		if (db_put(txn, dbi, key, strlen(key), val, vlen, 0) == 0)
			r = db_txn_commit(txn);
		else
			db_txn_abort(txn);
	}
	db_close(env);
	return (r);
}

static void
test_greylist(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	char			*k;

	fake_now = T0;
	db = open_db(NULL);
	k = tkey("192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>");
	is_int(grey(db, "192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>", NULL, 0), GREYDB_R_GREY, "new tuple");
	is_int(get(db, k, &e), 0, "tuple stored under ip\\nhelo\\nfrom\\nto");
	is_int(e.type, GREYDB_GREY, "type GREY");
	is_str(e.from, "<Alice@Example.org>", "from kept raw");
	is_str(e.to, "<bob@example.net>", "to kept raw");
	is_str(e.helo, "mx.example.org", "helo");
	is_int(e.first, T0, "new: first = now");
	is_int(e.pass, T0 + 4 * 3600, "new: pass = now + greyexp");
	is_int(e.expire, T0 + 4 * 3600, "new: expire = now + greyexp");
	is_int(e.bcount, 1, "new: bcount 1");
	is_int(e.pcount, 0, "new: pcount 0");
	greydb_entry_free(&e);

	fake_now = T0 + 60;
	grey(db, "192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>", NULL, 0);
	get(db, k, &e);
	is_int(e.bcount, 2, "retry: bcount++");
	is_int(e.pass, T0 + 4 * 3600, "retry before passtime: pass unchanged");
	greydb_entry_free(&e);

	fake_now = T0 + 1500;	/* first + passtime == now: not yet */
	grey(db, "192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>", NULL, 0);
	get(db, k, &e);
	is_int(e.pass, T0 + 4 * 3600, "retry at exactly passtime: not passed");
	greydb_entry_free(&e);

	fake_now = T0 + 1501;
	grey(db, "192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>", NULL, 0);
	get(db, k, &e);
	is_int(e.pass, T0 + 1501, "retry after passtime: pass = now");
	is_int(e.bcount, 4, "bcount counts every attempt");
	is_int(e.expire, T0 + 4 * 3600, "expire never extended");
	is_int(e.first, T0, "first unchanged");
	greydb_entry_free(&e);

	fake_now = T0 + 4 * 3600 - 1;
	grey(db, "192.0.2.1", "mx.example.org", "<Alice@Example.org>",
	    "<bob@example.net>", NULL, 0);
	get(db, k, &e);
	is_int(e.expire, T0 + 4 * 3600, "late retry: expire still not moved");
	greydb_entry_free(&e);

	/* case matters: another tuple */
	grey(db, "192.0.2.1", "mx.example.org", "<alice@example.org>",
	    "<bob@example.net>", NULL, 0);
	ok(get(db, tkey("192.0.2.1", "mx.example.org", "<alice@example.org>",
	    "<bob@example.net>"), &e) == 0 && e.bcount == 1,
	    "from differing in case is a separate tuple");
	greydb_entry_free(&e);

	/* configured times (greyd -G) */
	greydb_close(db);
	{
		struct greydb_config	c;

		memset(&c, 0, sizeof(c));
		c.passtime = 5;
		c.greyexp = 60;
		c.whiteexp = 600;
		fake_now = T0;
		db = open_db(&c);
		grey(db, "192.0.2.2", "h", "<a@b>", "<c@d>", NULL, 0);
		fake_now = T0 + 6;
		grey(db, "192.0.2.2", "h", "<a@b>", "<c@d>", NULL, 0);
		get(db, tkey("192.0.2.2", "h", "<a@b>", "<c@d>"), &e);
		is_int(e.expire, T0 + 60, "-G greyexp used");
		is_int(e.pass, T0 + 6, "-G passtime used");
		greydb_entry_free(&e);
		greydb_close(db);
	}
}

static void
test_scan(void)
{
	struct greydb		*db;
	struct greydb_scan	 s;
	struct greydb_entry	 e;

	fake_now = T0;
	db = open_db(NULL);
	grey(db, "192.0.2.1", "h", "<a@b>", "<c@d>", NULL, 0);
	grey(db, "192.0.2.1", "h", "<a@b>", "<e@d>", NULL, 0);
	grey(db, "203.0.113.5", "h", "<a@b>", "<c@d>", NULL, 0);
	grey(db, "198.51.100.3", "h", "<a@b>", "<c@d>", NULL, 0);
	greydb_add(db, GREYDB_TRAPPED, "198.51.100.3");

	fake_now = T0 + 1000;
	is_int(greydb_scan(db, NULL, NULL, &s), 0, "scan");
	is_int(s.nwhite, 0, "nothing passed yet");
	is_int(s.ntrapped, 1, "trapped listed");
	ok(s.ntrapped == 1 && strcmp(s.trapped[0], "198.51.100.3") == 0,
	    "traplist holds the trapped IP");
	greydb_scan_free(&s);

	fake_now = T0 + 1600;
	grey(db, "192.0.2.1", "h", "<a@b>", "<c@d>", NULL, 0);
	grey(db, "192.0.2.1", "h", "<a@b>", "<e@d>", NULL, 0);
	grey(db, "203.0.113.5", "h", "<a@b>", "<c@d>", NULL, 0);
	grey(db, "198.51.100.3", "h", "<a@b>", "<c@d>", NULL, 0);
	ok(get(db, "192.0.2.1", &e) == GREYDB_NOTFOUND,
	    "passed but not scanned: no WHITE yet");

	fake_now = T0 + 1660;
	is_int(greydb_scan(db, bl_cb, "203.0.113.5", &s), 0, "scan 2");
	is_int(s.nwhite, 1, "one IP whitelisted (duplicates merged)");
	ok(s.nwhite >= 1 && strcmp(s.white[0], "192.0.2.1") == 0,
	    "white set holds 192.0.2.1");
	is_int(s.whitelisted, 1, "one WHITE record made");
	ok(s.ntrapped == 1, "trapped IP with a passed tuple stays trapped");
	greydb_scan_free(&s);
	is_int(get(db, "192.0.2.1", &e), 0, "WHITE record made by scan");
	is_int(e.type, GREYDB_WHITE, "type WHITE");
	is_int(e.first, T0, "WHITE carries the tuple's first");
	is_int(e.pass, T0 + 1600, "WHITE carries the tuple's pass");
	is_int(e.expire, T0 + 1660 + 36 * 86400,
	    "WHITE expire = now + whiteexp");
	is_int(e.bcount, 2, "WHITE carries the tuple's bcount");
	greydb_entry_free(&e);
	ok(get(db, "203.0.113.5", &e) == GREYDB_NOTFOUND,
	    "blacklisted IP never whitelisted");
	ok(get(db, tkey("203.0.113.5", "h", "<a@b>", "<c@d>"), &e) ==
	    GREYDB_NOTFOUND, "blacklisted IP's passed tuple removed");
	ok(get(db, tkey("192.0.2.1", "h", "<a@b>", "<c@d>"), &e) == 0,
	    "the passed tuple itself is left to expire");
	greydb_entry_free(&e);

	/* blacklisted later: its WHITE record goes */
	fake_now = T0 + 1720;
	greydb_scan(db, bl_cb, "192.0.2.1", &s);
	is_int(s.nwhite, 0, "IP blacklisted after whitelisting: not in set");
	greydb_scan_free(&s);
	ok(get(db, "192.0.2.1", &e) == GREYDB_NOTFOUND,
	    "and its WHITE record deleted");

	/* expiry: tuples at expire, TRAPPED at expire, SPAMTRAP never */
	greydb_add(db, GREYDB_SPAMTRAP, "trap@example.org");
	fake_now = T0 + 1800;
	grey(db, "192.0.2.77", "h", "<a@b>", "<c@d>", NULL, 0);
	fake_now = T0 + 1800 + 4 * 3600 - 1;
	greydb_scan(db, NULL, NULL, &s);
	ok(get(db, tkey("192.0.2.77", "h", "<a@b>", "<c@d>"), &e) == 0,
	    "tuple kept while expire > now");
	greydb_entry_free(&e);
	is_int(s.expired, 1, "one expired (198.51.100.3's tuple)");
	greydb_scan_free(&s);
	fake_now = T0 + 1800 + 4 * 3600;
	greydb_scan(db, NULL, NULL, &s);
	ok(get(db, tkey("192.0.2.77", "h", "<a@b>", "<c@d>"), &e) ==
	    GREYDB_NOTFOUND, "tuple deleted when expire <= now");
	is_int(s.expired, 1, "expired counted");
	greydb_scan_free(&s);
	fake_now = T0 + 400 * 86400;
	greydb_scan(db, NULL, NULL, &s);
	is_int(s.ntrapped, 0, "TRAPPED expired");
	greydb_scan_free(&s);
	is_int(get(db, "trap@example.org", &e), 0, "SPAMTRAP never expires");
	is_int(e.type, GREYDB_SPAMTRAP, "type SPAMTRAP");
	greydb_entry_free(&e);
	greydb_close(db);
}

static void
test_traps(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	const char		*dom[] = { "example.org", "Example.NET" };
	char			 p[512];
	FILE			*fp;
	int			 i;

	fake_now = T0;
	db = open_db(NULL);
	is_int(greydb_add(db, GREYDB_SPAMTRAP, "Trap@Example.ORG"), 0,
	    "spamtrap added");
	is_int(get(db, "trap@example.org", &e), 0, "spamtrap lower-cased");
	is_int(e.expire, 0, "spamtrap expire 0");
	is_int(e.pcount, -2, "spamtrap pcount -2");
	greydb_entry_free(&e);
	is_int(greydb_add(db, GREYDB_SPAMTRAP, "nobody"), GREYDB_NOTEMAIL,
	    "spamtrap without @ refused");

	is_int(grey(db, "192.0.2.9", "h", "<x@y>", "<TRAP@example.org>", NULL,
	    0), GREYDB_R_TRAPPED, "RCPT to a spamtrap traps");
	is_int(get(db, "192.0.2.9", &e), 0, "IP record");
	is_int(e.type, GREYDB_TRAPPED, "type TRAPPED");
	is_int(e.first, T0, "trapped first");
	is_int(e.expire, T0 + 86400, "trapped expire = now + trapexp");
	is_int(e.pass, T0 + 86400, "trapped pass = now + trapexp");
	is_int(e.bcount, 1, "trapped bcount");
	greydb_entry_free(&e);
	ok(get(db, tkey("192.0.2.9", "h", "<x@y>", "<TRAP@example.org>"),
	    &e) == GREYDB_NOTFOUND, "no tuple for a trapped RCPT");
	fake_now = T0 + 100;
	grey(db, "192.0.2.9", "h", "<x@y>", "trap@example.org", NULL, 0);
	get(db, "192.0.2.9", &e);
	is_int(e.bcount, 2, "trapped again: bcount++");
	is_int(e.expire, T0 + 86400, "trapped again: expire not extended");
	greydb_entry_free(&e);

	/* an IP already WHITE that hits a trap becomes TRAPPED */
	greydb_add(db, GREYDB_WHITE, "192.0.2.10");
	grey(db, "192.0.2.10", "h", "<x@y>", "<trap@example.org>", NULL, 0);
	get(db, "192.0.2.10", &e);
	is_int(e.type, GREYDB_TRAPPED, "WHITE IP hitting a trap is TRAPPED");
	is_int(e.expire, T0 + 100 + 36 * 86400,
	    "and keeps its expire (spamd)");
	greydb_entry_free(&e);

	/* alloweddomains */
	greydb_set_alloweddomains(db, dom, 2);
	is_int(grey(db, "192.0.2.11", "h", "<x@y>", "<bob@other.net>", NULL,
	    0), GREYDB_R_TRAPPED, "alloweddomains miss traps");
	is_int(grey(db, "192.0.2.12", "h", "<x@y>", "<Bob@Sub.EXAMPLE.org>",
	    NULL, 0), GREYDB_R_GREY, "suffix match, any case: greylisted");
	is_int(grey(db, "192.0.2.12", "h", "<x@y>", "<bob@example.net>",
	    NULL, 0), GREYDB_R_GREY, "second suffix");
	is_int(grey(db, "192.0.2.12", "h", "<x@y>", "<trap@example.org>",
	    NULL, 0), GREYDB_R_TRAPPED, "allowed domain, spamtrap: trapped");

	snprintf(p, sizeof(p), "%s/allowed", tmpdir);
	fp = fopen(p, "w");
	fprintf(fp, "# comment\n\n   example.com  \n\t#x\n");
	fclose(fp);
	is_int(greydb_alloweddomains_load(db, p), 0, "alloweddomains load");
	is_int(grey(db, "192.0.2.13", "h", "<x@y>", "<u@example.com>", NULL,
	    0), GREYDB_R_GREY, "loaded suffix matches (blanks trimmed)");
	is_int(grey(db, "192.0.2.13", "h", "<x@y>", "<u@example.org>", NULL,
	    0), GREYDB_R_TRAPPED, "old list replaced");
	fp = fopen(p, "w");
	fprintf(fp, "example.com\n");
	for (i = 0; i < 1100; i++)
		fputc('a', fp);
	fprintf(fp, "\n");
	fclose(fp);
	greydb_alloweddomains_load(db, p);
	is_int(grey(db, "192.0.2.14", "h", "<x@y>", "<u@other.org>", NULL,
	    0), GREYDB_R_GREY, "a line too long: file ignored (no check)");
	snprintf(p, sizeof(p), "%s/missing", tmpdir);
	is_int(greydb_alloweddomains_load(db, p), 0, "missing file is fine");
	greydb_close(db);
}

static void
test_lowprio(void)
{
	struct greydb_config	 c;
	struct greydb		*db;
	struct greydb_entry	 e;

	memset(&c, 0, sizeof(c));
	c.lowprio_mx = "192.0.2.250";
	fake_now = T0;
	db = open_db(&c);
	fake_now = T0 + 30;
	is_int(grey(db, "198.51.100.1", "h", "<a@b>", "<c@d>", "192.0.2.250",
	    0), GREYDB_R_GREY, "-M within 60 s of start-up: not trapped");
	fake_now = T0 + 61;
	is_int(grey(db, "198.51.100.2", "h", "<a@b>", "<c@d>", "192.0.2.250",
	    0), GREYDB_R_TRAPPED, "-M new tuple to the low MX: trapped");
	get(db, "198.51.100.2", &e);
	is_int(e.pcount, -1, "-M: IP TRAPPED");
	is_int(e.expire, T0 + 61 + 86400, "-M: trap expiry");
	greydb_entry_free(&e);
	is_int(grey(db, "198.51.100.1", "h", "<a@b>", "<c@d>", "192.0.2.250",
	    0), GREYDB_R_GREY, "-M: known tuple not trapped");
	is_int(grey(db, "198.51.100.3", "h", "<a@b>", "<c@d>", "192.0.2.250",
	    GREYDB_FROMSYNC), GREYDB_R_GREY, "-M: synced tuple not trapped");
	is_int(grey(db, "198.51.100.4", "h", "<a@b>", "<c@d>", "192.0.2.1",
	    0), GREYDB_R_GREY, "-M: other destination not trapped");
	greydb_close(db);
}

static void
test_sync(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	uint64_t		 s0, s1;

	fake_now = T0;
	db = open_db(NULL);
	greydb_journal_last(db, &s0);
	is_int(greydb_sync_white(db, "192.0.2.1", T0 - 1), -1,
	    "sync WHITE already expired: ignored");
	ok(get(db, "192.0.2.1", &e) == GREYDB_NOTFOUND, "nothing stored");
	is_int(greydb_sync_white(db, "192.0.2.1", T0 + 1000), 0, "sync WHITE");
	get(db, "192.0.2.1", &e);
	ok(e.type == GREYDB_WHITE && e.first == T0 && e.pass == 0 &&
	    e.bcount == 0 && e.pcount == 0 && e.expire == T0 + 1000,
	    "new from sync: first=now pass=0 bcount=0 pcount=0 (got %lld %lld "
	    "%d %d %lld)", (long long)e.first, (long long)e.pass, e.bcount,
	    e.pcount, (long long)e.expire);
	greydb_entry_free(&e);
	fake_now = T0 + 10;
	greydb_sync_white(db, "192.0.2.1", T0 + 99999);
	get(db, "192.0.2.1", &e);
	is_int(e.pcount, 1, "existing from sync: pcount++");
	is_int(e.expire, T0 + 1000, "existing from sync: expire NOT extended");
	greydb_entry_free(&e);

	is_int(greydb_sync_trapped(db, "192.0.2.1", T0 + 5000), 0,
	    "sync TRAPPED on a WHITE");
	get(db, "192.0.2.1", &e);
	ok(e.pcount == -1 && e.bcount == 1 && e.expire == T0 + 1000,
	    "existing trapped by sync: pcount -1, bcount++, expire kept");
	greydb_entry_free(&e);
	greydb_sync_trapped(db, "192.0.2.2", T0 + 5000);
	get(db, "192.0.2.2", &e);
	ok(e.type == GREYDB_TRAPPED && e.first == T0 + 10 && e.bcount == 0 &&
	    e.expire == T0 + 5000, "new TRAPPED from sync");
	greydb_entry_free(&e);
	is_int(grey(db, "192.0.2.3", "h", "<a@b>", "<c@d>", NULL,
	    GREYDB_FROMSYNC), GREYDB_R_GREY, "GREY from sync");
	greydb_journal_last(db, &s1);
	is_int(s1, s0, "nothing from sync is journaled");
	greydb_close(db);
}

static void
test_manual(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;

	fake_now = T0;
	db = open_db(NULL);
	is_int(greydb_add(db, GREYDB_WHITE, "192.0.2.7"), 0, "-a WHITE");
	get(db, "192.0.2.7", &e);
	ok(e.first == T0 && e.pass == T0 && e.expire == T0 + 3110400 &&
	    e.bcount == 1 && e.pcount == 0, "-a new: T|T|T+3110400|1|0");
	greydb_entry_free(&e);
	fake_now = T0 + 50;
	greydb_add(db, GREYDB_WHITE, "192.0.2.7");
	get(db, "192.0.2.7", &e);
	ok(e.first == T0 && e.pass == T0 + 50 && e.expire == T0 + 50 +
	    3110400 && e.bcount == 1 && e.pcount == 1,
	    "-a existing: pcount++, pass=now, expire moved");
	greydb_entry_free(&e);
	is_int(greydb_add(db, GREYDB_TRAPPED, "198.51.100.9"), 0, "-t -a");
	get(db, "198.51.100.9", &e);
	ok(e.type == GREYDB_TRAPPED && e.pass == 0 && e.expire == T0 + 50 +
	    86400 && e.bcount == 1, "-t -a new");
	greydb_entry_free(&e);
	greydb_add(db, GREYDB_TRAPPED, "192.0.2.7");
	get(db, "192.0.2.7", &e);
	ok(e.type == GREYDB_TRAPPED && e.expire == T0 + 50 + 86400,
	    "-t -a on a WHITE: TRAPPED, expire now + trapexp");
	greydb_entry_free(&e);
	is_int(greydb_add(db, GREYDB_GREY, "192.0.2.7"), -1,
	    "GREY cannot be added");

	/* greylogd's refresh */
	fake_now = T0 + 100;
	is_int(greydb_white_refresh(db, "192.0.2.7", 0), 0, "refresh");
	get(db, "192.0.2.7", &e);
	ok(e.type == GREYDB_WHITE && e.pcount == 0 && e.pass == T0 + 50 &&
	    e.expire == T0 + 100 + 3110400,
	    "refresh of TRAPPED: pcount -1+1 = 0 (WHITE), pass kept");
	greydb_entry_free(&e);
	greydb_white_refresh(db, "192.0.2.8", 3600);
	get(db, "192.0.2.8", &e);
	ok(e.first == T0 + 100 && e.pass == T0 + 100 && e.bcount == 1 &&
	    e.pcount == 0 && e.expire == T0 + 100 + 3600,
	    "refresh of a missing IP: new WHITE, -W expiry");
	greydb_entry_free(&e);
	greydb_close(db);
}

/* greydb_put_entry(): whole records, as greydb -I imports them. */
static void
test_put(void)
{
	struct greydb		*db;
	struct greydb_entry	 e, in;
	struct jr_log		 l;

	fake_now = T0;
	db = open_db(NULL);
	memset(&in, 0, sizeof(in));
	in.type = GREYDB_GREY;
	in.ip = "192.0.2.10";
	in.helo = "mx.example.org";
	in.from = "<Alice@Example.org>";
	in.to = "<bob@example.net>";
	in.first = 1000;
	in.pass = 2000;
	in.expire = 3000;
	in.bcount = 3;
	in.pcount = 0;
	is_int(greydb_put_entry(db, &in), 0, "put GREY");
	is_int(get(db, tkey("192.0.2.10", "mx.example.org",
	    "<Alice@Example.org>", "<bob@example.net>"), &e), 0,
	    "... found by its tuple key, case and brackets kept");
	ok(e.type == GREYDB_GREY && e.first == 1000 && e.pass == 2000 &&
	    e.expire == 3000 && e.bcount == 3 && e.pcount == 0,
	    "... with its times and counts as given (%lld %lld %lld %d %d)",
	    (long long)e.first, (long long)e.pass, (long long)e.expire,
	    (int)e.bcount, (int)e.pcount);
	greydb_entry_free(&e);
	in.helo = "";
	in.from = "<>";
	is_int(greydb_put_entry(db, &in), 0, "put GREY, empty helo, <>");
	is_int(get(db, tkey("192.0.2.10", "", "<>", "<bob@example.net>"),
	    &e), 0, "... found");
	greydb_entry_free(&e);
	in.to = "";
	is_int(greydb_put_entry(db, &in), -1, "GREY without a to: refused");
	in.to = "<a\nb>";
	is_int(greydb_put_entry(db, &in), -1, "a newline in a field: refused");

	memset(&in, 0, sizeof(in));
	in.type = GREYDB_WHITE;
	in.ip = "2001:db8::7";
	in.first = 10;
	in.pass = 20;
	in.expire = T0 + 99;
	in.bcount = 4;
	in.pcount = 2;
	is_int(greydb_put_entry(db, &in), 0, "put WHITE");
	get(db, "2001:db8::7", &e);
	ok(e.type == GREYDB_WHITE && e.first == 10 && e.pass == 20 &&
	    e.expire == T0 + 99 && e.bcount == 4 && e.pcount == 2,
	    "... as given");
	greydb_entry_free(&e);
	in.first = 11;
	greydb_put_entry(db, &in);
	get(db, "2001:db8::7", &e);
	is_int((int)e.first, 11, "a second put replaces the record");
	greydb_entry_free(&e);
	in.pcount = -1;
	is_int(greydb_put_entry(db, &in), -1, "WHITE with pcount -1 refused");

	in.type = GREYDB_TRAPPED;
	in.ip = "198.51.100.9";
	in.pcount = 5;
	in.expire = T0 + 86400;
	is_int(greydb_put_entry(db, &in), 0, "put TRAPPED");
	get(db, "198.51.100.9", &e);
	ok(e.type == GREYDB_TRAPPED && e.pcount == -1 &&
	    e.expire == T0 + 86400, "... pcount forced to -1, expire kept");
	greydb_entry_free(&e);

	in.type = GREYDB_SPAMTRAP;
	in.ip = "Trap@Example.ORG";
	in.expire = 1234;
	is_int(greydb_put_entry(db, &in), 0, "put SPAMTRAP");
	get(db, "trap@example.org", &e);
	ok(e.type == GREYDB_SPAMTRAP && e.expire == 0 && e.pcount == -2,
	    "... lower-cased, expire 0, pcount -2");
	greydb_entry_free(&e);
	in.ip = "nobody";
	is_int(greydb_put_entry(db, &in), GREYDB_NOTEMAIL,
	    "SPAMTRAP without '@': GREYDB_NOTEMAIL");
	in.type = GREYDB_BOGUS;
	in.ip = "192.0.2.1";
	is_int(greydb_put_entry(db, &in), -1, "BOGUS cannot be stored");
	in.type = GREYDB_WHITE;
	in.ip = "";
	is_int(greydb_put_entry(db, &in), -1, "empty key refused");
	is_int(greydb_put_entry(db, NULL), -1, "NULL refused");

	memset(&l, 0, sizeof(l));
	greydb_journal_read(db, 0, 0, jr_cb, &l);
	is_int(l.n, 5, "journal: 2 GREY, 2 WHITE, 1 TRAPPED "
	    "(SPAMTRAP not): %d", l.n);
	ok(l.n >= 5 && l.kind[0] == GREYDB_GREY &&
	    l.origin[0] == GREYDB_ORIGIN_MANUAL && l.op[0] == GREYDB_OP_SET &&
	    strcmp(l.to[0], "<bob@example.net>") == 0,
	    "... the GREY one as a manual SET with its tuple");
	ok(l.n >= 5 && l.kind[4] == GREYDB_TRAPPED &&
	    l.expire[4] == T0 + 86400, "... the TRAPPED one with its expire");
	greydb_close(db);
}

/* greydb_put_entries(): one transaction, refused records reported. */
static void
test_put_many(void)
{
	struct greydb		*db;
	struct greydb_entry	 in[5], e;
	struct jr_log		 l;
	int			 res[5] = { 9, 9, 9, 9, 9 };
	int			 i;

	fake_now = T0;
	db = open_db(NULL);
	memset(in, 0, sizeof(in));
	for (i = 0; i < 5; i++) {
		in[i].type = GREYDB_WHITE;
		in[i].first = 10;
		in[i].pass = 20;
		in[i].expire = T0 + 99;
		in[i].bcount = 1;
		in[i].pcount = i;
	}
	in[0].ip = "192.0.2.1";
	in[1].ip = "192.0.2.2";
	in[2].type = GREYDB_SPAMTRAP;
	in[2].ip = "nobody";		/* refused: GREYDB_NOTEMAIL */
	in[3].ip = "192.0.2.1";		/* replaces in[0] */
	in[4].ip = "192.0.2.4";
	in[4].pcount = -1;		/* refused: -1 */
	is_int(greydb_put_entries(db, in, 5, res), 0,
	    "put_entries: the transaction commits");
	ok(res[0] == 0 && res[1] == 0 && res[2] == GREYDB_NOTEMAIL &&
	    res[3] == 0 && res[4] == -1, "... results 0 0 NOTEMAIL 0 -1 "
	    "(%d %d %d %d %d)", res[0], res[1], res[2], res[3], res[4]);
	is_int(get(db, "192.0.2.1", &e), 0, "... the first stored");
	is_int(e.pcount, 3, "... with the values of its last record");
	greydb_entry_free(&e);
	is_int(get(db, "192.0.2.2", &e), 0, "... the second stored");
	greydb_entry_free(&e);
	ok(get(db, "192.0.2.4", &e) != 0, "... the refused one not");
	memset(&l, 0, sizeof(l));
	greydb_journal_read(db, 0, 0, jr_cb, &l);
	is_int(l.n, 3, "... journaled: the three stored");
	is_int(greydb_put_entries(db, in, 0, res), 0, "no records: 0");
	greydb_close(db);
}

/* greyd's and greysync's -Y and -y. */
static void
test_syncflags(void)
{
	struct greydb_syncflags	 sf;
	const char		*why;
	int			 i, n = 0;

	memset(&sf, 0, sizeof(sf));
	ok(greydb_syncflag(&sf, 'Y', "mx2.example.org") == NULL &&
	    greydb_syncflag(&sf, 'Y', "em0:2") == NULL &&
	    greydb_syncflag(&sf, 'y', "127.0.0.1") == NULL,
	    "syncflags: -Y twice, -y once");
	ok(sf.ntargets == 2 && strcmp(sf.targets[1], "em0:2") == 0 &&
	    strcmp(sf.listen, "127.0.0.1") == 0, "... kept in order");
	why = greydb_syncflag(&sf, 'y', "em0");
	is_str(why, "-y may be given once", "a second -y refused");
	for (i = 2; i < GREYDB_SYNC_MAXTARGETS + 1; i++)
		if (greydb_syncflag(&sf, 'Y', "mx") == NULL)
			n++;
	is_int(n, GREYDB_SYNC_MAXTARGETS - 2, "-Y up to the most");
	is_str(greydb_syncflag(&sf, 'Y', "mx"), "too many -Y",
	    "one more -Y refused");
	ok(greydb_syncflag(&sf, 'x', "a") != NULL, "another flag refused");
}

static void
test_delete(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	struct walk_log		 w;

	fake_now = T0;
	db = open_db(NULL);
	grey(db, "10.0.0.1", "h", "<a@b>", "<z@d>", NULL, 0);
	grey(db, "10.0.0.1", "h", "<a@b>", "<c@d>", NULL, 0);
	grey(db, "10.0.0.10", "h", "<a@b>", "<a@d>", NULL, 0);
	greydb_add(db, GREYDB_WHITE, "10.0.0.1");
	is_int(greydb_del(db, "10.0.0.2"), GREYDB_NOTFOUND, "del missing");
	is_int(greydb_del_grey(db, "10.0.0.1"), 0, "-G -d first tuple");
	ok(get(db, tkey("10.0.0.1", "h", "<a@b>", "<c@d>"), &e) ==
	    GREYDB_NOTFOUND, "the first in key order went");
	ok(get(db, tkey("10.0.0.1", "h", "<a@b>", "<z@d>"), &e) == 0,
	    "the other stays");
	greydb_entry_free(&e);
	ok(get(db, "10.0.0.1", &e) == 0, "-G -d leaves the WHITE entry");
	greydb_entry_free(&e);
	is_int(greydb_del_grey(db, "10.0.0.1"), 0, "-G -d second tuple");
	is_int(greydb_del_grey(db, "10.0.0.1"), GREYDB_NOTFOUND,
	    "-G -d: no more (10.0.0.10 not matched)");
	memset(&w, 0, sizeof(w));
	greydb_walk(db, walk_cb, &w);
	is_int(w.n, 2, "two records left");
	is_str(w.keys[0], "10.0.0.1", "walk in key order (1)");
	ok(strncmp(w.keys[1], "10.0.0.10\n", 10) == 0, "walk order (2)");
	is_int(greydb_del(db, "10.0.0.1"), 0, "-d WHITE");
	ok(get(db, "10.0.0.1", &e) == GREYDB_NOTFOUND, "gone");
	is_int(greydb_del(db, tkey("10.0.0.10", "h", "<a@b>", "<a@d>")), 0,
	    "-d by full tuple key");
	greydb_close(db);
}

static void
test_longkeys(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	struct greydb_scan	 s;
	struct walk_log		 w;
	char			 helo[1024], from[1024], to1[1024], to2[1024];
	char			 big[1025];
	char			*k1, *k2;

	memset(helo, 'h', sizeof(helo) - 1);
	helo[sizeof(helo) - 1] = '\0';
	memset(from, 'f', sizeof(from) - 1);
	from[0] = '<';
	from[sizeof(from) - 1] = '\0';
	memset(to1, 't', sizeof(to1) - 1);
	to1[sizeof(to1) - 1] = '\0';
	memcpy(to2, to1, sizeof(to2));
	to2[sizeof(to2) - 2] = 'X';	/* differs in the last byte only */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	fake_now = T0;
	db = open_db(NULL);
	is_int(grey(db, "192.0.2.1", helo, from, to1, NULL, 0), GREYDB_R_GREY,
	    "3 KB tuple greylisted");
	is_int(grey(db, "192.0.2.1", helo, from, to2, NULL, 0), GREYDB_R_GREY,
	    "second long tuple");
	is_int(grey(db, "192.0.2.1", big, from, to2, NULL, 0), -1,
	    "a 1024-byte field refused");
	fake_now = T0 + 2000;
	grey(db, "192.0.2.1", helo, from, to2, NULL, 0);
	k1 = tkey("192.0.2.1", helo, from, to1);
	k2 = tkey("192.0.2.1", helo, from, to2);
	ok(strlen(k1) > 511, "key longer than LMDB's limit (%zu)",
	    strlen(k1));
	is_int(get(db, k1, &e), 0, "long key 1 found");
	ok(e.bcount == 1 && e.pass == T0 + 4 * 3600, "long key 1 untouched");
	is_str(e.to, to1, "long key 1: to intact");
	greydb_entry_free(&e);
	is_int(get(db, k2, &e), 0, "long key 2 found");
	ok(e.bcount == 2 && e.pass == T0 + 2000, "long key 2 updated alone");
	is_int((long long)e.keylen, (long long)strlen(k2), "full key back");
	greydb_entry_free(&e);
	memset(&w, 0, sizeof(w));
	greydb_walk(db, walk_cb, &w);
	ok(w.n == 2 && w.bogus == 0, "walk: 2 long records, none bogus");
	fake_now = T0 + 2100;
	greydb_scan(db, NULL, NULL, &s);
	ok(s.nwhite == 1 && strcmp(s.white[0], "192.0.2.1") == 0,
	    "long tuple whitelists its IP");
	greydb_scan_free(&s);
	is_int(greydb_del_grey(db, "192.0.2.1"), 0, "-G -d on long tuples");
	is_int(greydb_del(db, k2) + greydb_del(db, k1), GREYDB_NOTFOUND,
	    "one long tuple left, deleted by key");
	greydb_close(db);
}

static void
test_journal(void)
{
	struct greydb_config	 c;
	struct greydb		*db;
	struct greydb_scan	 s;
	struct jr_log		 l;
	struct pollfd		 pfd;
	uint64_t		 last;
	int			 fd, i;

	fake_now = T0;
	memset(&c, 0, sizeof(c));
	c.journal_max = 5;
	db = open_db(&c);
	fd = greydb_journal_listen(db);
	ok(fd != -1, "journal listen socket");
	greydb_journal_last(db, &last);
	is_int(last, 0, "empty journal: sequence 0");
	grey(db, "192.0.2.1", "h", "<a@b>", "<c@d>", NULL, 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	is_int(poll(&pfd, 1, 2000), 1, "writer woke the reader");
	greydb_journal_drain(fd);
	is_int(poll(&pfd, 1, 0), 0, "drained");
	greydb_add(db, GREYDB_TRAPPED, "192.0.2.2");
	greydb_add(db, GREYDB_SPAMTRAP, "t@x.org");
	grey(db, "192.0.2.3", "h", "<a@b>", "<T@X.org>", NULL, 0);
	greydb_del(db, "192.0.2.2");
	memset(&l, 0, sizeof(l));
	is_int(greydb_journal_read(db, 0, 0, jr_cb, &l), 4,
	    "4 changes (SPAMTRAP not journaled)");
	ok(l.seq[0] == 1 && l.seq[1] == 2 && l.seq[2] == 3 && l.seq[3] == 4,
	    "sequences 1..4");
	ok(l.kind[0] == GREYDB_GREY && l.op[0] == GREYDB_OP_SET &&
	    l.origin[0] == GREYDB_ORIGIN_GREYD &&
	    strcmp(l.to[0], "<c@d>") == 0 && l.expire[0] == T0 + 4 * 3600,
	    "GREY change from greyd");
	ok(l.kind[1] == GREYDB_TRAPPED && l.origin[1] == GREYDB_ORIGIN_MANUAL,
	    "manual TRAPPED");
	ok(l.kind[2] == GREYDB_TRAPPED && l.origin[2] == GREYDB_ORIGIN_GREYD &&
	    strcmp(l.ip[2], "192.0.2.3") == 0 && l.expire[2] == T0 + 86400,
	    "greytrap hit: TRAPPED, expire now + 24 h");
	ok(l.kind[3] == GREYDB_TRAPPED && l.op[3] == GREYDB_OP_DEL,
	    "manual delete");
	memset(&l, 0, sizeof(l));
	is_int(greydb_journal_read(db, 2, 1, jr_cb, &l), 1,
	    "read after 2, max 1");
	is_int(l.seq[0], 3, "starts after the given sequence");
	is_int(greydb_journal_trim(db, 3), 0, "trim to 3");
	memset(&l, 0, sizeof(l));
	greydb_journal_read(db, 0, 0, jr_cb, &l);
	ok(l.n == 1 && l.seq[0] == 4, "trimmed: only 4 left");
	greydb_journal_trim(db, 4);
	greydb_journal_last(db, &last);
	is_int(last, 4, "sequence survives an empty journal");
	fake_now = T0 + 2000;
	grey(db, "192.0.2.1", "h", "<a@b>", "<c@d>", NULL, 0);
	fake_now = T0 + 2100;
	greydb_scan(db, NULL, NULL, &s);
	greydb_scan_free(&s);
	memset(&l, 0, sizeof(l));
	greydb_journal_read(db, 0, 0, jr_cb, &l);
	ok(l.n == 2 && l.seq[0] == 5 && l.kind[1] == GREYDB_WHITE &&
	    l.origin[1] == GREYDB_ORIGIN_SCAN &&
	    l.expire[1] == T0 + 2100 + 3110400,
	    "scan whitelisting journaled as WHITE/SCAN");
	for (i = 0; i < 10; i++)
		greydb_white_refresh(db, "192.0.2.50", 0);
	memset(&l, 0, sizeof(l));
	greydb_journal_read(db, 0, 0, jr_cb, &l);
	ok(l.n == 5 && l.seq[0] == 12 && l.seq[4] == 16 &&
	    l.origin[4] == GREYDB_ORIGIN_LOGD,
	    "journal_max 5: the oldest dropped (n=%d first=%llu)", l.n,
	    (unsigned long long)l.seq[0]);
	/* a reader that never reads does not block the writers */
	for (i = 0; i < 3000; i++)
		if (greydb_white_refresh(db, "192.0.2.51", 0) != 0)
			break;
	is_int(i, 3000, "3000 writes with the wake-up socket never read");
	close(fd);
	greydb_close(db);
}

static void
test_bogus(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	struct greydb_scan	 s;
	struct walk_log		 w;
	char			 p[256];
	const unsigned char	 v2[] = { 2, 0, 0, 0 };

	fake_now = T0;
	db = open_db(NULL);
	greydb_add(db, GREYDB_WHITE, "192.0.2.1");
	snprintf(p, sizeof(p), "%s", greydb_path(db));
	greydb_close(db);
	ok(put_raw(p, "192.0.2.99", "\001garbage", 8) == 0 &&
	    put_raw(p, "192.0.2.98", v2, sizeof(v2)) == 0 &&
	    put_raw(p, "192.0.2.97\nonly", "", 0) == 0 &&
	    put_raw(p, "192.0.2.5\nh\n<a@b>\n<c@d>", "\001x", 2) == 0,
	    "corrupt records stored");
	db = greydb_open(p, NULL);
	greydb_set_clock(db, fake_clock, NULL);
	is_int(get(db, "192.0.2.99", &e), 0, "bogus record found");
	is_int(e.type, GREYDB_BOGUS, "reported as bogus");
	greydb_entry_free(&e);
	memset(&w, 0, sizeof(w));
	is_int(greydb_walk(db, walk_cb, &w), 0, "walk over bogus records");
	ok(w.n == 5 && w.bogus == 4, "walk sees 4 bogus of 5 (n=%d bogus=%d)",
	    w.n, w.bogus);
	is_int(greydb_add(db, GREYDB_WHITE, "192.0.2.99"), 0,
	    "-a over a bogus record");
	get(db, "192.0.2.99", &e);
	ok(e.type == GREYDB_WHITE && e.bcount == 1, "overwritten as new");
	greydb_entry_free(&e);
	is_int(grey(db, "192.0.2.5", "h", "<a@b>", "<c@d>", NULL, 0),
	    GREYDB_R_GREY, "greylisting over a bogus tuple record");
	get(db, tkey("192.0.2.5", "h", "<a@b>", "<c@d>"), &e);
	ok(e.type == GREYDB_GREY && e.bcount == 1 && e.first == T0,
	    "bogus tuple replaced by a new one");
	greydb_entry_free(&e);
	is_int(greydb_scan(db, NULL, NULL, &s), 0, "scan with bogus records");
	is_int(s.bogus, 2, "scan deleted the bogus records");
	is_int(s.nwhite, 2, "and whitelisted the good ones");
	greydb_scan_free(&s);
	memset(&w, 0, sizeof(w));
	greydb_walk(db, walk_cb, &w);
	ok(w.n == 3 && w.bogus == 0, "only good records left (n=%d)", w.n);
	greydb_close(db);
}

static void
test_parse(void)
{
	struct greydb_entry	 e;
	const void		*fk;
	size_t			 fklen;
	unsigned char		 rec[] = { 1, 0, 0, 0, 0, 0, 0, 0, 5,
	    0, 0, 0, 0, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0 };

	is_int(greydb_key_parse("1.2.3.4\nfrom\nto", 15, &e), 0,
	    "old 3-field grey key");
	ok(e.type == GREYDB_GREY && strcmp(e.helo, "") == 0 &&
	    strcmp(e.from, "from") == 0 && strcmp(e.to, "to") == 0,
	    "old key: empty helo");
	greydb_entry_free(&e);
	is_int(greydb_key_parse("1.2.3.4\nhelo", 12, &e), -1,
	    "2-field key malformed");
	greydb_entry_free(&e);
	is_int(greydb_key_parse("", 0, &e), -1, "empty key");
	greydb_entry_free(&e);
	is_int(greydb_key_parse("a\0b", 3, &e), -1, "NUL in key");
	greydb_entry_free(&e);
	is_int(greydb_rec_decode(rec, sizeof(rec), &e, &fk, &fklen), 0,
	    "record decodes");
	ok(e.first == 5 && e.pass == 6 && e.expire == -1 && e.bcount == 7 &&
	    e.pcount == -2 && fklen == 0, "fields big-endian, signed");
	is_int(greydb_rec_decode(rec, sizeof(rec) - 1, &e, &fk, &fklen), -1,
	    "short record refused");
	rec[0] = 2;
	is_int(greydb_rec_decode(rec, sizeof(rec), &e, &fk, &fklen), -1,
	    "unknown version refused");
	ok(greydb_ip_valid("2001:db8::1") && greydb_ip_valid("192.0.2.1") &&
	    !greydb_ip_valid("host") &&
	    !greydb_ip_valid(""), "ip validation (AI_NUMERICHOST)");
}

static void
test_procs(void)
{
	struct greydb		*db;
	struct greydb_entry	 e;
	char			 p[256];
	pid_t			 pid[3];
	int			 i, j, st, okc = 0;

	snprintf(p, sizeof(p), "%s/shared", tmpdir);
	for (i = 0; i < 3; i++) {
		if ((pid[i] = fork()) == 0) {
			char	ip[32];

			/* open after fork, in the process that uses it */
			db = greydb_open(p, NULL);
			if (db == NULL)
				_exit(1);
			for (j = 0; j < 20; j++) {
				snprintf(ip, sizeof(ip), "10.%d.0.%d", i, j);
				if (greydb_add(db, GREYDB_WHITE, ip) != 0 ||
				    greydb_white_refresh(db, "10.9.9.9", 0))
					_exit(1);
			}
			greydb_close(db);
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++)
		if (waitpid(pid[i], &st, 0) == pid[i] && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0)
			okc++;
	is_int(okc, 3, "three writer processes");
	db = greydb_open(p, NULL);
	is_int(get(db, "10.9.9.9", &e), 0, "shared record");
	is_int(e.pcount, 59, "60 refreshes from 3 processes, none lost");
	greydb_entry_free(&e);
	greydb_close(db);
}

static int
helper(int argc, char **argv)
{
	struct greydb	*db;
	int		 r = 1;

	log_init(1, LOG_MAIL);
	if (argc == 7 && strcmp(argv[1], "grey") == 0) {
		if ((db = greydb_open(argv[2], NULL)) == NULL)
			return (1);
		r = grey(db, argv[3], argv[4], argv[5], argv[6], NULL, 0) ==
		    GREYDB_R_GREY ? 0 : 1;
		greydb_close(db);
	} else if (argc == 4 && strcmp(argv[1], "bogus") == 0) {
		if ((db = greydb_open(argv[2], NULL)) == NULL)
			return (1);
		greydb_close(db);
		r = put_raw(argv[2], argv[3], "\001bogus", 6) == 0 ? 0 : 1;
	} else
		fprintf(stderr, "usage: t_greydb [grey dir ip helo from to | "
		    "bogus dir key]\n");
	return (r);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return (helper(argc, argv));
	log_init(1, LOG_MAIL);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return (1);
	}
	test_greylist();
	test_scan();
	test_traps();
	test_lowprio();
	test_sync();
	test_manual();
	test_put();
	test_put_many();
	test_syncflags();
	test_delete();
	test_longkeys();
	test_journal();
	test_bogus();
	test_parse();
	test_procs();
	rm_tree(tmpdir);
	return (done_testing());
}
