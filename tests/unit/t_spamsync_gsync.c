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
 * greysync's engine (greysync/gsync.c) on a real database with a fake
 * clock: spamd's receiver rules into the database (GREY, WHITE,
 * TRAPPED, expired entries, bad packets), nothing received journaled,
 * the replay window, IPv6 entries; the journal's local changes out to a
 * loopback peer (GREY and TRAPPED of greyd only), trimmed, and not sent
 * again after a restart.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "greydb.h"
#include "log.h"
#include "spamsync.h"
#include "../../greysync/gsync.h"
#include "tap.h"
#include "t_spamsync.h"

#define GREYKEY	"192.0.2.1\nmx.example.org\n<a@example.org>\n<b@example.net>"

static char		 tmpdir[] = "/tmp/t_spamsync_gsync.XXXXXX";
static int64_t		 fake_now = TS;
static struct spamsync_key key;

static int64_t	fake_clock(void *);
static int	count_cb(const struct greydb_entry *, void *);
static size_t	nrecords(struct greydb *);
static int	jcount_cb(const struct greydb_change *, void *);
static int	journal_len(struct greydb *);
static uint64_t	journal_last(struct greydb *);
static void	kind_cb(const struct spamsync_entry *, void *);
static int	recv_kind(int, struct spamsync_entry *, char *, size_t);
static void	test_receive(struct greydb *);
static void	test_window(struct greydb *);
static void	test_send(struct greydb *);

static int64_t
fake_clock(void *arg)
{
	return (fake_now);
}

static int
count_cb(const struct greydb_entry *e, void *arg)
{
	(*(size_t *)arg)++;
	return (0);
}

static size_t
nrecords(struct greydb *db)
{
	size_t	 n = 0;

	(void)greydb_walk(db, count_cb, &n);
	return (n);
}

static int
jcount_cb(const struct greydb_change *c, void *arg)
{
	return (0);
}

static int
journal_len(struct greydb *db)
{
	return (greydb_journal_read(db, 0, 0, jcount_cb, NULL));
}

static uint64_t
journal_last(struct greydb *db)
{
	uint64_t	 seq = 0;

	(void)greydb_journal_last(db, &seq);
	return (seq);
}

static void
test_receive(struct greydb *db)
{
	struct gsync			*gs;
	const struct gsync_stats	*st;
	struct greydb_entry		 e;
	struct spamsync_entry		 se;
	unsigned char			 p[SPAMSYNC_MAXSIZE];
	size_t				 len, n0;
	ssize_t				 l;
	uint64_t			 j0 = journal_last(db);
	char				 big[GREYDB_MAX_MAIL + 1];
	int				 i;

	gs = gsync_new(db, &key, NULL, 0);
	st = gsync_stats(gs);

	len = unhex(grey_hex, p, sizeof(p));
	is_int(gsync_input(gs, p, len, NULL), GSYNC_IN_OK, "GREY accepted");
	is_int(greydb_get(db, GREYKEY, &e), 0, "GREY tuple in the database");
	is_int(e.type, GREYDB_GREY, "as GREY");
	is_int(e.bcount, 1, "bcount 1");
	is_int(e.first, TS, "first = receiver's now");
	is_int(e.expire, TS + GREYDB_GREYEXP, "expire = now + greyexp");
	greydb_entry_free(&e);
	is_int(gsync_input(gs, p, len, NULL), GSYNC_IN_OK, "GREY again");
	is_int(greydb_get(db, GREYKEY, &e), 0, "still there");
	is_int(e.bcount, 2, "bcount 2, as spamd's greyupdate");
	greydb_entry_free(&e);

	len = unhex(white_hex, p, sizeof(p));
	is_int(gsync_input(gs, p, len, NULL), GSYNC_IN_OK, "WHITE accepted");
	is_int(greydb_get(db, "192.0.2.1", &e), 0, "WHITE record");
	is_int(e.type, GREYDB_WHITE, "as WHITE");
	is_int(e.expire, TS + 3110400, "expire as sent");
	is_int(e.pcount, 0, "pcount 0");
	greydb_entry_free(&e);

	len = unhex(trap_hex, p, sizeof(p));
	is_int(gsync_input(gs, p, len, NULL), GSYNC_IN_OK, "TRAPPED accepted");
	is_int(greydb_get(db, "198.51.100.9", &e), 0, "TRAPPED record");
	is_int(e.type, GREYDB_TRAPPED, "as TRAPPED");
	is_int(e.expire, TS + 86400, "expire as sent");
	greydb_entry_free(&e);
	is_int(st->applied, 4, "4 entries applied");
	is_int(journal_last(db), j0, "nothing received was journaled");

	/* an expired WHITE: spamd ignores it */
	memset(&se, 0, sizeof(se));
	se.kind = SPAMSYNC_WHITE;
	se.time = TS;
	se.expire = TS - 1;
	snprintf(se.ip, sizeof(se.ip), "192.0.2.99");
	l = spamsync_build(&key, 9, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK,
	    "expired WHITE: a good packet");
	is_int(greydb_get(db, "192.0.2.99", &e), GREYDB_NOTFOUND,
	    "but not stored");
	is_int(st->refused, 1, "counted as refused");

	/* IPv6 */
	memset(&se, 0, sizeof(se));
	se.kind = SPAMSYNC_GREY;
	se.time = TS;
	snprintf(se.ip, sizeof(se.ip), "2001:db8::5");
	se.helo = "v6.example.org";
	se.from = "<x@example.org>";
	se.to = "<y@example.net>";
	l = spamsync_build(&key, 10, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "GREY6 accepted");
	is_int(greydb_get(db, "2001:db8::5\nv6.example.org\n<x@example.org>\n"
	    "<y@example.net>", &e), 0, "IPv6 tuple stored");
	greydb_entry_free(&e);
	se.kind = SPAMSYNC_TRAPPED;
	se.expire = TS + 100;
	l = spamsync_build(&key, 11, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "TRAPPED6 accepted");
	is_int(greydb_get(db, "2001:db8::5", &e), 0, "IPv6 TRAPPED stored");
	is_int(e.type, GREYDB_TRAPPED, "as TRAPPED");
	greydb_entry_free(&e);

	/* a GREY whose helo holds a newline: the database refuses it */
	se.kind = SPAMSYNC_GREY;
	snprintf(se.ip, sizeof(se.ip), "192.0.2.50");
	se.helo = "a\nb";
	l = spamsync_build(&key, 12, &se, p, sizeof(p));
	n0 = nrecords(db);
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "helo with \\n");
	is_int(nrecords(db), n0, "not stored");
	is_int(st->refused, 2, "counted as refused");
	se.helo = "h";
	se.to = "";
	l = spamsync_build(&key, 13, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "empty to");
	is_int(st->refused, 3, "refused");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	se.to = big;
	l = spamsync_build(&key, 14, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "1024-byte to");
	is_int(st->refused, 4, "refused (spamd's MAX_MAIL)");
	is_int(nrecords(db), n0, "neither stored");

	/* bad packets: the database is unchanged */
	len = unhex(white_hex, p, sizeof(p));
	p[44] ^= 0xff;
	is_int(gsync_input(gs, p, len, NULL), GSYNC_IN_BAD, "bad HMAC");
	is_int(st->bad[SPAMSYNC_EHMAC], 1, "counted");
	for (i = 0; i < 20; i++)
		(void)gsync_input(gs, "garbage", 7, NULL);
	is_int(st->bad[SPAMSYNC_ESHORT], 20, "20 short packets counted");
	is_int(nrecords(db), n0, "database unchanged");
	is_int(journal_last(db), j0, "journal unchanged");
	gsync_free(gs);
}

static void
test_window(struct greydb *db)
{
	struct gsync			*gs;
	const struct gsync_stats	*st;
	struct greydb_entry		 e;
	unsigned char			 p[SPAMSYNC_MAXSIZE];
	unsigned char			 q[SPAMSYNC_MAXSIZE];
	struct spamsync_entry		 se;
	ssize_t				 l, l2;

	gs = gsync_new(db, &key, NULL, 60);
	st = gsync_stats(gs);
	fake_now = TS + 30;
	memset(&se, 0, sizeof(se));
	se.kind = SPAMSYNC_WHITE;
	se.time = TS;
	se.expire = TS + 1000;
	snprintf(se.ip, sizeof(se.ip), "203.0.113.1");
	l = spamsync_build(&key, 0, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "in the window");
	is_int(greydb_get(db, "203.0.113.1", &e), 0, "stored");
	is_int(e.pcount, 0, "pcount 0");
	greydb_entry_free(&e);
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_REPLAY,
	    "the same packet again: replay");
	is_int(greydb_get(db, "203.0.113.1", &e), 0, "still stored");
	is_int(e.pcount, 0, "not applied twice");
	greydb_entry_free(&e);
	l2 = spamsync_build(&key, 1, &se, q, sizeof(q));
	is_int(gsync_input(gs, q, l2, NULL), GSYNC_IN_OK,
	    "the same entry in a new packet (counter): taken");

	se.time = TS - 100;
	snprintf(se.ip, sizeof(se.ip), "203.0.113.2");
	l = spamsync_build(&key, 2, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK, "old entry");
	is_int(greydb_get(db, "203.0.113.2", &e), GREYDB_NOTFOUND,
	    "130 s old, window 60: not stored");
	is_int(st->stale, 1, "counted stale");
	se.time = TS + 200;
	l = spamsync_build(&key, 3, &se, p, sizeof(p));
	(void)gsync_input(gs, p, l, NULL);
	is_int(greydb_get(db, "203.0.113.2", &e), GREYDB_NOTFOUND,
	    "170 s in the future: not stored");
	is_int(st->stale, 2, "counted stale");

	/* the first packet, once the window has passed: stale, not replay */
	fake_now = TS + 200;
	l = spamsync_build(&key, 0, &se, p, sizeof(p));
	se.time = TS;
	snprintf(se.ip, sizeof(se.ip), "203.0.113.1");
	l = spamsync_build(&key, 0, &se, p, sizeof(p));
	is_int(gsync_input(gs, p, l, NULL), GSYNC_IN_OK,
	    "forgotten after the window");
	is_int(st->stale, 3, "but its time is stale");
	is_int(st->replayed, 1, "one replay in all");
	gsync_free(gs);
	fake_now = TS;
}

static void
kind_cb(const struct spamsync_entry *e, void *arg)
{
	struct spamsync_entry	*out = arg;

	*out = *e;
	out->helo = out->from = out->to = NULL;
}

/* The next datagram on fd: its entry (to text in to), or -1. */
static int
recv_kind(int fd, struct spamsync_entry *e, char *to, size_t tolen)
{
	struct pollfd	 pfd;
	unsigned char	 buf[2048];
	ssize_t		 n;
	size_t		 cnt = 0;

	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 200) != 1)
		return (-1);
	if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
		return (-1);
	memset(e, 0, sizeof(*e));
	if (spamsync_parse(&key, buf, n, kind_cb, e, &cnt) != SPAMSYNC_OK ||
	    cnt != 1)
		return (-1);
	if (e->kind == SPAMSYNC_GREY && n > 32 + 18 && to != NULL)
		snprintf(to, tolen, "%s", (char *)buf + 32 + 18 +
		    (buf[32 + 12] << 8 | buf[32 + 13]));
	return (0);
}

static void
test_send(struct greydb *db)
{
	struct gsync			*gs;
	const struct gsync_stats	*st;
	struct spamsync_sender		*ss;
	struct spamsync_entry		 e;
	struct greydb_tuple		 t;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);
	char				 to[256];
	uint64_t			 last;
	int				 rfd, res;

	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(bind(rfd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(rfd, (struct sockaddr *)&sin, &slen) == 0, "peer");
	ss = spamsync_sender_new(ntohs(sin.sin_port));
	ok(spamsync_sender_add(ss, "127.0.0.1") == 0 &&
	    spamsync_sender_open(ss, NULL) >= 0, "sender");

	/* history made before greysync starts is not sent */
	t.ip = "192.0.2.77";
	t.helo = "old.example.org";
	t.from = "<o@example.org>";
	t.to = "<p@example.net>";
	ok(greydb_grey(db, &t, NULL, 0, &res) == 0, "an old local tuple");
	gs = gsync_new(db, &key, ss, 0);
	st = gsync_stats(gs);
	is_int(gsync_journal_start(gs), 0, "journal start");
	last = journal_last(db);
	is_int(gsync_journal_pos(gs), last, "starts at the journal's end");
	is_int(journal_len(db), 0, "what came before is trimmed");
	is_int(gsync_journal_flush(gs), 0, "flush");
	is_int(recv_kind(rfd, &e, NULL, 0), -1, "history not sent");

	/* greyd's GREY */
	t.ip = "192.0.2.78";
	t.helo = "new.example.org";
	t.from = "<n@example.org>";
	t.to = "<q@example.net>";
	ok(greydb_grey(db, &t, NULL, 0, &res) == 0, "a local tuple");
	is_int(gsync_journal_flush(gs), 0, "flush");
	is_int(recv_kind(rfd, &e, to, sizeof(to)), 0, "a packet");
	is_int(e.kind, SPAMSYNC_GREY, "GREY");
	is_str(e.ip, "192.0.2.78", "its ip");
	is_int(e.time, TS, "its time");
	is_str(to, "<q@example.net>", "its to");
	is_int(journal_len(db), 0, "sent, trimmed");

	/* greylogd's WHITE, greydb's manual changes: not sent */
	ok(greydb_white_refresh(db, "192.0.2.80", 0) == 0, "greylogd WHITE");
	ok(greydb_add(db, GREYDB_TRAPPED, "192.0.2.81") == 0, "manual TRAP");
	ok(greydb_del(db, "192.0.2.80") == 0, "manual delete");
	is_int(gsync_journal_flush(gs), 0, "flush");
	is_int(recv_kind(rfd, &e, NULL, 0), -1, "none of them sent");
	is_int(st->skipped, 3, "3 skipped");
	is_int(journal_len(db), 0, "and trimmed");

	/* greyd's trap: a spamtrap recipient */
	ok(greydb_add(db, GREYDB_SPAMTRAP, "trap@example.net") == 0,
	    "spamtrap address");
	t.ip = "192.0.2.79";
	t.to = "<trap@example.net>";
	ok(greydb_grey(db, &t, NULL, 0, &res) == 0 && res == GREYDB_R_TRAPPED,
	    "trapped locally");
	is_int(gsync_journal_flush(gs), 0, "flush");
	is_int(recv_kind(rfd, &e, NULL, 0), 0, "a packet");
	is_int(e.kind, SPAMSYNC_TRAPPED, "TRAPPED");
	is_str(e.ip, "192.0.2.79", "its ip");
	is_int(e.expire, TS + GREYDB_TRAPEXP, "expire now + trapexp");
	is_int(st->sent, 2, "2 sent");
	gsync_free(gs);

	/* a restart does not send again */
	gs = gsync_new(db, &key, ss, 0);
	is_int(gsync_journal_start(gs), 0, "restart");
	is_int(gsync_journal_flush(gs), 0, "flush");
	is_int(recv_kind(rfd, &e, NULL, 0), -1, "nothing sent again");
	gsync_free(gs);
	spamsync_sender_free(ss);
	close(rfd);
}

int
main(void)
{
	struct greydb_config	 c;
	struct greydb		*db;
	char			 p[512];

	log_init(1, LOG_MAIL);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return (1);
	}
	spamsync_key_set(&key, TESTKEY);
	memset(&c, 0, sizeof(c));
	c.flags = GREYDB_NOSYNC;
	snprintf(p, sizeof(p), "%s/db", tmpdir);
	if ((db = greydb_open(p, &c)) == NULL) {
		printf("Bail out! cannot open %s\n", p);
		return (1);
	}
	greydb_set_clock(db, fake_clock, NULL);
	greydb_set_startup(db, TS - 3600);
	test_receive(db);
	test_window(db);
	test_send(db);
	greydb_close(db);
	snprintf(p, sizeof(p), "rm -rf %s", tmpdir);
	if (system(p) != 0)
		diag("rm %s failed", tmpdir);
	return (done_testing());
}
