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
 * greysync's engine: received packets into the database, the journal's
 * local changes out to the peers.  See gsync.h.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "greydb.h"
#include "gsync.h"
#include "log.h"
#include "spamsync.h"
#include "xmalloc.h"

/* A packet seen within the replay window, by its HMAC. */
struct gsync_seen {
	RB_ENTRY(gsync_seen)	 entry;
	TAILQ_ENTRY(gsync_seen)	 age;
	unsigned char		 mac[SPAMSYNC_HMAC_LEN];
	int64_t			 when;
};
RB_HEAD(gsync_seen_tree, gsync_seen);
TAILQ_HEAD(gsync_seen_list, gsync_seen);

struct gsync {
	struct greydb		*db;
	const struct spamsync_key *key;
	struct spamsync_sender	*ss;
	int64_t			 window;
	uint64_t		 seq;		/* last journal change read */
	struct gsync_stats	 st;

	/* per packet */
	const char		*peer;
	int64_t			 now;

	/* replay window */
	struct gsync_seen_tree	 seen;
	struct gsync_seen_list	 seen_age;
	size_t			 nseen;

	/* rate-limited warnings */
	int64_t			 log_start;
	unsigned int		 log_count;
	uint64_t		 log_dropped;

	/* events */
	int			 sync_fd;
	int			 journal_fd;
	struct event		*ev_sync;
	struct event		*ev_journal;
	struct event		*ev_poll;
};

static int	 gsync_seen_cmp(struct gsync_seen *, struct gsync_seen *);
static void	 gsync_seen_expire(struct gsync *);
static int	 gsync_seen_check(struct gsync *, const unsigned char *);
static void	 gsync_seen_add(struct gsync *, const unsigned char *);
static void	 gsync_warn(struct gsync *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	 gsync_badfield(const char *);
static void	 gsync_entry(const struct spamsync_entry *, void *);
static int	 gsync_change(const struct greydb_change *, void *);
static void	 gsync_sync_cb(int, short, void *);
static void	 gsync_journal_cb(int, short, void *);
static void	 gsync_poll_cb(int, short, void *);
static void	 gsync_poll_arm(struct gsync *);

RB_PROTOTYPE(gsync_seen_tree, gsync_seen, entry, gsync_seen_cmp);
RB_GENERATE(gsync_seen_tree, gsync_seen, entry, gsync_seen_cmp)

static int
gsync_seen_cmp(struct gsync_seen *a, struct gsync_seen *b)
{
	return memcmp(a->mac, b->mac, sizeof(a->mac));
}

struct gsync *
gsync_new(struct greydb *db, const struct spamsync_key *key,
    struct spamsync_sender *ss, int64_t window)
{
	struct gsync	*gs;

	gs = xcalloc(1, sizeof(*gs));
	gs->db = db;
	gs->key = key;
	gs->ss = ss;
	gs->window = window;
	gs->sync_fd = -1;
	gs->journal_fd = -1;
	RB_INIT(&gs->seen);
	TAILQ_INIT(&gs->seen_age);
	return gs;
}

void
gsync_free(struct gsync *gs)
{
	struct gsync_seen	*s;

	if (gs == NULL)
		return;
	while ((s = TAILQ_FIRST(&gs->seen_age)) != NULL) {
		TAILQ_REMOVE(&gs->seen_age, s, age);
		RB_REMOVE(gsync_seen_tree, &gs->seen, s);
		free(s);
	}
	if (gs->ev_sync != NULL)
		event_free(gs->ev_sync);
	if (gs->ev_journal != NULL)
		event_free(gs->ev_journal);
	if (gs->ev_poll != NULL)
		event_free(gs->ev_poll);
	if (gs->journal_fd != -1)
		close(gs->journal_fd);
	free(gs);
}

const struct gsync_stats *
gsync_stats(const struct gsync *gs)
{
	return &gs->st;
}

uint64_t
gsync_journal_pos(const struct gsync *gs)
{
	return gs->seq;
}

/*
 * At most GSYNC_LOG_BURST warnings a GSYNC_LOG_PERIOD; the rest are
 * counted and the count is logged when the next period starts.
 */
static void
gsync_warn(struct gsync *gs, const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int64_t	 now = greydb_now(gs->db);

	if (now - gs->log_start >= GSYNC_LOG_PERIOD) {
		if (gs->log_dropped > 0)
			log_warnx("%llu more bad packets not logged",
			    (unsigned long long)gs->log_dropped);
		gs->log_start = now;
		gs->log_count = 0;
		gs->log_dropped = 0;
	}
	if (gs->log_count >= GSYNC_LOG_BURST) {
		gs->log_dropped++;
		return;
	}
	gs->log_count++;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s", buf);
}

static void
gsync_seen_expire(struct gsync *gs)
{
	struct gsync_seen	*s;

	while ((s = TAILQ_FIRST(&gs->seen_age)) != NULL &&
	    (s->when < gs->now - gs->window ||
	    gs->nseen > GSYNC_REPLAY_MAX)) {
		TAILQ_REMOVE(&gs->seen_age, s, age);
		RB_REMOVE(gsync_seen_tree, &gs->seen, s);
		free(s);
		gs->nseen--;
	}
}

static int
gsync_seen_check(struct gsync *gs, const unsigned char *mac)
{
	struct gsync_seen	 key;

	gsync_seen_expire(gs);
	memcpy(key.mac, mac, sizeof(key.mac));
	return RB_FIND(gsync_seen_tree, &gs->seen, &key) != NULL;
}

static void
gsync_seen_add(struct gsync *gs, const unsigned char *mac)
{
	struct gsync_seen	*s;

	s = xcalloc(1, sizeof(*s));
	memcpy(s->mac, mac, sizeof(s->mac));
	s->when = gs->now;
	if (RB_INSERT(gsync_seen_tree, &gs->seen, s) != NULL) {
		free(s);
		return;
	}
	TAILQ_INSERT_TAIL(&gs->seen_age, s, age);
	gs->nseen++;
	gsync_seen_expire(gs);
}

/*
 * 1 if s cannot be a tuple field: a control character, or longer than
 * spamd's MAX_MAIL (what greydb_grey() would refuse, logging it).
 */
static int
gsync_badfield(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 1;
	return n >= GREYDB_MAX_MAIL;
}

/* One received entry, spamd's receiver semantics. */
static void
gsync_entry(const struct spamsync_entry *e, void *arg)
{
	struct gsync		*gs = arg;
	struct greydb_tuple	 t;
	int			 r, res = 0;

	if (gs->window > 0 && (e->time < gs->now - gs->window ||
	    e->time > gs->now + gs->window)) {
		gs->st.stale++;
		gsync_warn(gs, "%s: %s %s: time %lld outside the replay "
		    "window (%llds)", gs->peer, spamsync_kind_name(e->kind),
		    e->ip, (long long)e->time, (long long)gs->window);
		return;
	}
	switch (e->kind) {
	case SPAMSYNC_GREY:
		if (gsync_badfield(e->helo) || gsync_badfield(e->from) ||
		    gsync_badfield(e->to) || *e->to == '\0') {
			gs->st.refused++;
			gsync_warn(gs, "%s: GREY %s: helo, from or to empty, "
			    "too long or with control characters: refused",
			    gs->peer, e->ip);
			return;
		}
		log_debug("%s: sync GREY ip=%s helo=%s from=%s to=%s",
		    gs->peer, e->ip, e->helo, e->from, e->to);
		t.ip = e->ip;
		t.helo = e->helo;
		t.from = e->from;
		t.to = e->to;
		r = greydb_grey(gs->db, &t, NULL, GREYDB_FROMSYNC, &res);
		break;
	case SPAMSYNC_WHITE:
		log_debug("%s: sync WHITE ip=%s expire=%lld", gs->peer,
		    e->ip, (long long)e->expire);
		r = greydb_sync_white(gs->db, e->ip, e->expire);
		break;
	case SPAMSYNC_TRAPPED:
		log_debug("%s: sync TRAPPED ip=%s expire=%lld", gs->peer,
		    e->ip, (long long)e->expire);
		r = greydb_sync_trapped(gs->db, e->ip, e->expire);
		break;
	default:
		r = -1;
		break;
	}
	if (r == 0)
		gs->st.applied++;
	else
		gs->st.refused++;
}

int
gsync_input(struct gsync *gs, const void *pkt, size_t len,
    const struct sockaddr *from)
{
	const unsigned char	*p = pkt;
	enum spamsync_err	 err;
	char			 peer[INET6_ADDRSTRLEN + 8];
	size_t			 n = 0;

	(void)strlcpy(peer, "?", sizeof(peer));
	if (from != NULL && from->sa_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)from)->sin_addr, peer, sizeof(peer));
	else if (from != NULL && from->sa_family == AF_INET6)
		(void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)from)->sin6_addr, peer, sizeof(peer));
	if (from != NULL && gs->ss != NULL &&
	    spamsync_sender_is_self(gs->ss, from)) {
		gs->st.self++;
		return GSYNC_IN_SELF;
	}
	gs->peer = peer;
	gs->now = greydb_now(gs->db);
	if (gs->window > 0 && len >= SPAMSYNC_HDR_LEN &&
	    len <= SPAMSYNC_MAXSIZE && gsync_seen_check(gs, p + 8)) {
		gs->st.replayed++;
		gsync_warn(gs, "%s: packet seen before, within the replay "
		    "window: dropped", peer);
		return GSYNC_IN_REPLAY;
	}
	err = spamsync_parse(gs->key, pkt, len, gsync_entry, gs, &n);
	/* the HMAC held (a later check may have failed): remember it */
	if (gs->window > 0 && (err == SPAMSYNC_OK || err > SPAMSYNC_EHMAC))
		gsync_seen_add(gs, p + 8);
	gs->peer = NULL;
	if (err != SPAMSYNC_OK) {
		gs->st.bad[err]++;
		gsync_warn(gs, "%s: bad sync packet (%zu bytes): %s%s",
		    peer, len, spamsync_strerror(err),
		    n > 0 ? ", after its first entries" : "");
		return GSYNC_IN_BAD;
	}
	gs->st.packets++;
	return GSYNC_IN_OK;
}

/*
 * One local change: spamd sends GREY for every tuple update and
 * TRAPPED for every trap (both made by greyd); WHITE comes from
 * greylogd itself.  The rest is skipped.
 */
static int
gsync_change(const struct greydb_change *c, void *arg)
{
	struct gsync		*gs = arg;
	struct spamsync_entry	 e;

	if (c->seq != gs->seq + 1) {
		gs->st.lost += c->seq - gs->seq - 1;
		log_warnx("journal: %llu changes lost (journal full), "
		    "not sent", (unsigned long long)(c->seq - gs->seq - 1));
	}
	gs->seq = c->seq;
	if (c->origin != GREYDB_ORIGIN_GREYD || c->op != GREYDB_OP_SET ||
	    (c->kind != GREYDB_GREY && c->kind != GREYDB_TRAPPED) ||
	    gs->ss == NULL) {
		gs->st.skipped++;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	if (strlcpy(e.ip, c->ip, sizeof(e.ip)) >= sizeof(e.ip)) {
		gs->st.skipped++;
		return 0;
	}
	e.time = c->time;
	if (c->kind == GREYDB_GREY) {
		e.kind = SPAMSYNC_GREY;
		e.helo = c->helo;
		e.from = c->from;
		e.to = c->to;
		log_debug("send GREY ip=%s helo=%s from=%s to=%s", c->ip,
		    c->helo, c->from, c->to);
	} else {
		e.kind = SPAMSYNC_TRAPPED;
		e.expire = c->expire;
		log_debug("send TRAPPED ip=%s expire=%lld", c->ip,
		    (long long)c->expire);
	}
	if (spamsync_sender_send_entry(gs->ss, gs->key, &e) != 0)
		gs->st.send_failed++;
	else
		gs->st.sent++;
	return 0;
}

/* From the journal's end: history is not sent; what is before goes. */
int
gsync_journal_start(struct gsync *gs)
{
	if (greydb_journal_last(gs->db, &gs->seq) == -1)
		return -1;
	if (gs->seq > 0 && greydb_journal_trim(gs->db, gs->seq) == -1)
		return -1;
	log_debug("journal: starting after change %llu",
	    (unsigned long long)gs->seq);
	return 0;
}

int
gsync_journal_flush(struct gsync *gs)
{
	uint64_t	 start = gs->seq;
	int		 n;

	do {
		n = greydb_journal_read(gs->db, gs->seq, GSYNC_JOURNAL_BATCH,
		    gsync_change, gs);
		if (n == -1)
			return -1;
	} while (n == GSYNC_JOURNAL_BATCH);
	if (gs->seq != start && greydb_journal_trim(gs->db, gs->seq) == -1)
		return -1;
	return 0;
}

static void
gsync_sync_cb(int fd, short ev, void *arg)
{
	struct gsync		*gs = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 slen;
	unsigned char		 buf[SPAMSYNC_MAXSIZE + 1];
	ssize_t			 n;
	int			 i;

	/* a bounded batch, so the journal gets its turn */
	for (i = 0; i < 64; i++) {
		slen = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *)&ss, &slen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("sync: recvfrom");
			return;
		}
		/* MSG_TRUNC: n is the datagram's real length */
		(void)gsync_input(gs, buf, (size_t)n,
		    (struct sockaddr *)&ss);
	}
}

static void
gsync_journal_cb(int fd, short ev, void *arg)
{
	struct gsync	*gs = arg;

	greydb_journal_drain(fd);
	if (gsync_journal_flush(gs) == -1)
		log_warnx("journal: read failed");
	gsync_poll_arm(gs);
}

static void
gsync_poll_cb(int fd, short ev, void *arg)
{
	struct gsync	*gs = arg;

	if (gsync_journal_flush(gs) == -1)
		log_warnx("journal: read failed");
	gsync_poll_arm(gs);
}

static void
gsync_poll_arm(struct gsync *gs)
{
	struct timeval	 tv = { GREYDB_JOURNAL_POLL, 0 };

	evtimer_add(gs->ev_poll, &tv);
}

/*
 * recv: listen on the sender's socket (-y); send: read the journal
 * (there are -Y targets).
 */
int
gsync_start(struct gsync *gs, struct event_base *base, int recv, int send)
{
	if (recv) {
		gs->sync_fd = spamsync_sender_fd(gs->ss);
		if ((gs->ev_sync = event_new(base, gs->sync_fd,
		    EV_READ | EV_PERSIST, gsync_sync_cb, gs)) == NULL)
			fatalx("event_new");
		event_add(gs->ev_sync, NULL);
	}
	if (!send)
		return 0;
	if (gsync_journal_start(gs) == -1)
		return -1;
	if ((gs->journal_fd = greydb_journal_listen(gs->db)) == -1)
		log_warnx("journal: no wake-up socket, polling every %ds",
		    GREYDB_JOURNAL_POLL);
	else {
		if ((gs->ev_journal = event_new(base, gs->journal_fd,
		    EV_READ | EV_PERSIST, gsync_journal_cb, gs)) == NULL)
			fatalx("event_new");
		event_add(gs->ev_journal, NULL);
	}
	if ((gs->ev_poll = evtimer_new(base, gsync_poll_cb, gs)) == NULL)
		fatalx("evtimer_new");
	gsync_poll_arm(gs);
	return 0;
}

void
gsync_log_stats(const struct gsync *gs)
{
	const struct gsync_stats	*st = &gs->st;
	char				 bad[512];
	size_t				 len = 0;
	int				 i, r;

	bad[0] = '\0';
	for (i = 1; i < SPAMSYNC_NERR; i++) {
		if (st->bad[i] == 0)
			continue;
		r = snprintf(bad + len, sizeof(bad) - len, " \"%s\"=%llu",
		    spamsync_strerror(i), (unsigned long long)st->bad[i]);
		if (r < 0 || (size_t)r >= sizeof(bad) - len)
			break;
		len += r;
	}
	log_info("stats: packets=%llu applied=%llu refused=%llu self=%llu "
	    "stale=%llu replayed=%llu sent=%llu send_failed=%llu "
	    "skipped=%llu lost=%llu bad:%s",
	    (unsigned long long)st->packets, (unsigned long long)st->applied,
	    (unsigned long long)st->refused, (unsigned long long)st->self,
	    (unsigned long long)st->stale, (unsigned long long)st->replayed,
	    (unsigned long long)st->sent,
	    (unsigned long long)st->send_failed,
	    (unsigned long long)st->skipped, (unsigned long long)st->lost,
	    len > 0 ? bad : " none");
}
