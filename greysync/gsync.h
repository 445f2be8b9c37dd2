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

#ifndef GSYNC_H
#define GSYNC_H

/*
 * greysync's engine, apart from main() so that the unit tests drive it
 * without sockets:
 *   - gsync_input(): one datagram from a peer, through spamd's receiver
 *     rules (common/spamsync.h), the optional replay window, into the
 *     database: GREY with greydb_grey(..., GREYDB_FROMSYNC, ...), WHITE
 *     with greydb_sync_white(), TRAPPED with greydb_sync_trapped().
 *     Nothing received is journaled, so nothing is sent back.
 *   - gsync_journal_*(): the local changes spamd would send (GREY set
 *     and TRAPPED set of origin GREYDB_ORIGIN_GREYD), from the
 *     database journal, one packet each, to every -Y target.  The
 *     position is kept in memory and starts at the journal's end, so a
 *     restart does not send history again.  greysync is the journal's
 *     only reader (greylogd sends its WHITE itself; greydb and the
 *     scanner's changes are not synced, as in spamd), so what it has
 *     read, sent or skipped, is trimmed.
 *   - gsync_start(): the events: the sync socket, the journal's wake-up
 *     socket and a GREYDB_JOURNAL_POLL-second poll.
 * Bad packets are counted (struct gsync_stats) and logged, at most
 * GSYNC_LOG_BURST lines a GSYNC_LOG_PERIOD; never fatal.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "spamsync.h"

#define GSYNC_LOG_BURST		10
#define GSYNC_LOG_PERIOD	60	/* seconds */
#define GSYNC_REPLAY_MAX	65536	/* packets remembered */
#define GSYNC_JOURNAL_BATCH	256

struct event_base;
struct greydb;
struct gsync;

struct gsync_stats {
	uint64_t	 packets;	/* good packets */
	uint64_t	 applied;	/* entries stored */
	uint64_t	 refused;	/* entries the database refused */
	uint64_t	 self;		/* our own multicast, ignored */
	uint64_t	 bad[SPAMSYNC_NERR]; /* packets refused, by reason */
	uint64_t	 stale;		/* entries outside the window */
	uint64_t	 replayed;	/* packets seen before */
	uint64_t	 sent;		/* entries sent */
	uint64_t	 send_failed;	/* entries not sent to every target */
	uint64_t	 skipped;	/* journal changes not for peers */
	uint64_t	 lost;		/* journal changes dropped unread */
};

/* Results of gsync_input() */
#define GSYNC_IN_OK		0	/* applied (some entries may not be) */
#define GSYNC_IN_BAD		1	/* refused by the receiver rules */
#define GSYNC_IN_SELF		2	/* our own multicast */
#define GSYNC_IN_REPLAY		3	/* seen within the window */

/*
 * window: the replay window in seconds, 0 for none.  ss may be NULL
 * (receive only).  The key and the sender stay the caller's.
 */
struct gsync	*gsync_new(struct greydb *, const struct spamsync_key *,
		    struct spamsync_sender *, int64_t);
void		 gsync_free(struct gsync *);
int		 gsync_input(struct gsync *, const void *, size_t,
		    const struct sockaddr *);
int		 gsync_journal_start(struct gsync *);
int		 gsync_journal_flush(struct gsync *);
uint64_t	 gsync_journal_pos(const struct gsync *);
int		 gsync_start(struct gsync *, struct event_base *, int, int);
const struct gsync_stats *gsync_stats(const struct gsync *);
void		 gsync_log_stats(const struct gsync *);

#endif /* GSYNC_H */
