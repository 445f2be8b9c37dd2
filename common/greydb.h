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

#ifndef MX_GREYDB_H
#define MX_GREYDB_H

/*
 * The grey database: spamd's /var/db/spamd on LMDB (common/db.h),
 * shared by greyd, greydb, greyd-setup, greylogd and greysync.  Every
 * process opens it itself, after fork(); LMDB serialises the writers.
 *
 * Layout.  The environment is a directory (GREYDB_PATH by default)
 * with three sub-databases:
 *   "grey"	the records, spamd's four kinds in one key space:
 *		GREY	key "ip\nhelo\nfrom\nto" (from and to exactly as
 *			the client sent them: brackets and case kept;
 *			a 3-field "ip\nfrom\nto" key from spamd's old
 *			format is read, with an empty helo);
 *		WHITE	key = the IP text, pcount >= 0;
 *		TRAPPED	key = the IP text, pcount == -1;
 *		SPAMTRAP key = the lower-cased address, pcount == -2.
 *		The kind follows from the key and pcount, as in spamd.
 *   "journal"	local changes for greysync: u64 sequence -> change.
 *   "meta"	"journal-seq" -> the last sequence handed out (u64).
 *
 * Keys.  LMDB keys are at most 511 bytes; a tuple may be ~3 KB.  A key
 * of up to GREYDB_KEY_INLINE bytes is stored as its text.  A longer one
 * is stored as its first GREYDB_KEY_PREFIX bytes, one NUL byte, and the
 * SHA-256 of the whole text (289 bytes); the whole text is kept in the
 * record and compared on every lookup (a mismatch, i.e. a hash
 * collision, is logged and fails the operation).  Text keys never hold
 * a NUL, so the two forms cannot collide, and the prefix keeps every
 * tuple of an IP next to that IP's other tuples.
 *
 * Record (value), version 1, big-endian (db_enc_*): u8 version = 1,
 * time first, time pass, time expire, u32 bcount, u32 pcount (int32
 * two's complement), bytes fullkey (empty when the key is inline).
 * A record that does not decode is "bogus": listings report it, lookups
 * treat it as absent (and writers overwrite it), the scan deletes it.
 *
 * Times are int64 seconds since the epoch from the handle's clock
 * (time(3), or greydb_set_clock() in tests).  All arithmetic is
 * spamd's (grey.c, spamdb.c, spamlogd.c), quirks included; see each
 * function.
 *
 * Journal.  Every local change of a GREY, WHITE or TRAPPED record is
 * appended in the same transaction as the change (nothing applied by
 * the greydb_sync_* functions, and no expiry by the scan).  Each change
 * says where it came from (GREYDB_ORIGIN_*) so greysync can send what
 * spamd would: GREY and TRAPPED from GREYDB_ORIGIN_GREYD, WHITE from
 * GREYDB_ORIGIN_LOGD; the others only to peers that take them.  The
 * journal holds at most journal_max changes (oldest dropped first): a
 * reader that sees a gap in the sequence lost changes.  Sequences
 * start at 1 and never go back, even when the journal is emptied.
 * On disk: key = the sequence as 8 bytes big-endian; value version 1 =
 * u8 kind, u8 op, u8 origin, time when, time expire, str ip, str helo,
 * str from, str to (db_enc_*; helo/from/to empty but for GREY).  The
 * scanner's expiry deletions are not journaled: every host expires
 * its own records.
 *
 * Waking a reader.  After each commit that journaled something, the
 * writer sends a 1-byte datagram, best effort and non-blocking, to the
 * unix datagram socket GREYDB_NOTIFY_NAME in the database directory.
 * greysync binds it with greydb_journal_listen() and reads the journal
 * when the fd becomes readable; it must also poll every
 * GREYDB_JOURNAL_POLL seconds, since a datagram can be lost (socket
 * full, writer chrooted away from the directory, reader restarting).
 *
 * Errors: -1 after log_warnx (LMDB failure, invalid argument);
 * GREYDB_NOTFOUND (positive) where a key is missing.  Nothing is fatal
 * but out of memory.
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define GREYDB_PATH		"/var/db/greyd"
#define GREYDB_ALLOWEDDOMAINS	"/etc/mail/spamd.alloweddomains"
#define GREYDB_NOTIFY_NAME	"journal.sock"
#define GREYDB_JOURNAL_POLL	5	/* seconds */
#define GREYDB_JOURNAL_MAX	100000

#define GREYDB_MAX_MAIL		1024	/* longest helo, from or to */
#define GREYDB_KEY_INLINE	400
#define GREYDB_KEY_PREFIX	256
#define GREYDB_HASH_LEN		32
#define GREYDB_REC_V1		1

/* spamd's constants (seconds) */
#define GREYDB_PASSTIME		(25 * 60)
#define GREYDB_GREYEXP		(4 * 60 * 60)
#define GREYDB_WHITEEXP		(36 * 24 * 60 * 60)
#define GREYDB_TRAPEXP		(24 * 60 * 60)
#define GREYDB_LOWPRIO_GRACE	60	/* -M ignored this long after start */

#define GREYDB_NOTFOUND		1
#define GREYDB_NOTEMAIL		2	/* greydb_add: SPAMTRAP without '@' */

/* entry types (pcount -1 TRAPPED, -2 SPAMTRAP, as spamd) */
enum greydb_type {
	GREYDB_GREY = 1,
	GREYDB_WHITE,
	GREYDB_TRAPPED,
	GREYDB_SPAMTRAP,
	GREYDB_BOGUS		/* record does not decode */
};

#define GREYDB_PCOUNT_TRAPPED	(-1)
#define GREYDB_PCOUNT_SPAMTRAP	(-2)

/* greydb_grey() flags and results */
#define GREYDB_FROMSYNC		0x01	/* spamd's "SYNC": no -M, no journal */
#define GREYDB_R_GREY		1	/* tuple added or updated */
#define GREYDB_R_TRAPPED	2	/* the IP was trapped instead */

/* journal */
enum greydb_origin {
	GREYDB_ORIGIN_GREYD = 1,	/* greydb_grey(): spamd syncs these */
	GREYDB_ORIGIN_SCAN,		/* scanner whitelisting */
	GREYDB_ORIGIN_MANUAL,		/* greydb_add(), greydb_del() ... */
	GREYDB_ORIGIN_LOGD		/* greydb_white_refresh() (greylogd) */
};

enum greydb_op {
	GREYDB_OP_SET = 1,		/* added or updated */
	GREYDB_OP_DEL
};

struct greydb_config {
	int64_t		 passtime;	/* 0: GREYDB_PASSTIME */
	int64_t		 greyexp;	/* 0: GREYDB_GREYEXP */
	int64_t		 whiteexp;	/* 0: GREYDB_WHITEEXP */
	int64_t		 trapexp;	/* 0: GREYDB_TRAPEXP */
	const char	*lowprio_mx;	/* -M address (text), or NULL */
	size_t		 journal_max;	/* 0: GREYDB_JOURNAL_MAX */
	size_t		 mapsize;	/* 0: 64 MiB, grows (db_update) */
	size_t		 maxmapsize;	/* 0: 4 GiB */
	int		 flags;		/* GREYDB_RDONLY GREYDB_NOSYNC */
	mode_t		 mode;		/* 0: 0600 */
};

#define GREYDB_RDONLY		0x01	/* must exist; no writes */
#define GREYDB_NOSYNC		0x02	/* tests only: no fsync */

/* A record, decoded.  Strings point into the entry (or the walk). */
struct greydb_entry {
	enum greydb_type type;
	const char	*key;		/* the whole text key */
	size_t		 keylen;
	const char	*ip;		/* GREY: fields of the key; else key */
	const char	*helo;		/* "" for WHITE/TRAPPED/SPAMTRAP */
	const char	*from;
	const char	*to;
	int64_t		 first;
	int64_t		 pass;
	int64_t		 expire;
	int32_t		 bcount;
	int32_t		 pcount;
	char		*buf_;		/* private */
};

struct greydb_tuple {
	const char	*ip;		/* text, validated by the caller */
	const char	*helo;
	const char	*from;		/* raw, e.g. "<Alice@Example.org>" */
	const char	*to;
};

struct greydb_change {
	uint64_t	 seq;
	enum greydb_type kind;		/* GREY, WHITE or TRAPPED */
	enum greydb_op	 op;
	enum greydb_origin origin;
	int64_t		 time;		/* when the change was made */
	int64_t		 expire;	/* the record's expire after it */
	const char	*ip;
	const char	*helo;		/* GREY only, else "" */
	const char	*from;
	const char	*to;
};

struct greydb_scan {
	char		**white;	/* sorted, unique IP texts */
	size_t		  nwhite;
	char		**trapped;	/* sorted, unique IP texts */
	size_t		  ntrapped;
	size_t		  expired;	/* records deleted by expiry */
	size_t		  whitelisted;	/* new WHITE records from tuples */
	size_t		  bogus;	/* undecodable records deleted */
};

struct greydb;

/*
 * Open (creating it unless GREYDB_RDONLY) the database at path (NULL:
 * GREYDB_PATH).  cfg may be NULL (spamd's defaults).  Open after fork.
 * The -M grace period counts from this call (greydb_set_startup()).
 */
struct greydb	*greydb_open(const char *, const struct greydb_config *);
void		 greydb_close(struct greydb *);	/* NULL is fine */
const char	*greydb_path(const struct greydb *);
void		 greydb_set_clock(struct greydb *, int64_t (*)(void *),
		    void *);
void		 greydb_set_startup(struct greydb *, int64_t);
int64_t		 greydb_now(struct greydb *);

/*
 * spamd.alloweddomains: one suffix a line, blanks trimmed, '#' lines
 * skipped; a line longer than GREYDB_MAX_MAIL - 1 makes spamd ignore
 * the whole file (logged; the list is then empty).  A missing file
 * gives an empty list (no check).  0, or -1 on a read error.
 * greydb_set_alloweddomains() sets the list directly (copied).
 */
int		 greydb_alloweddomains_load(struct greydb *, const char *);
int		 greydb_set_alloweddomains(struct greydb *,
		    const char *const *, size_t);

/*
 * A tuple seen at RCPT (spamd's greyupdate).  orig_dst is the
 * connection's original destination ("CO:"), may be NULL.
 *   - trap check: the RCPT address, '<' and a final '>' stripped and
 *     lower-cased, is a SPAMTRAP key, or alloweddomains is non-empty
 *     and no suffix matches it (case-insensitive): the IP record is
 *     used (created TRAPPED, or an existing one gets bcount++,
 *     pcount = -1, pass = now if first + passtime < now; its expire is
 *     NOT changed, as in spamd); *result = GREYDB_R_TRAPPED;
 *   - else the tuple: new: first = now, bcount = 1, pcount = 0,
 *     pass = expire = now + greyexp; existing: bcount++, pcount = 0,
 *     pass = now if first + passtime < now; expire never extended;
 *   - a NEW tuple whose orig_dst equals lowprio_mx, not FROMSYNC, more
 *     than GREYDB_LOWPRIO_GRACE s after startup: the IP is trapped
 *     instead: a new TRAPPED record (first = now, bcount = 1, pass =
 *     expire = now + trapexp) replaces any record of the IP, as spamd.
 * Journaled (unless GREYDB_FROMSYNC): GREY set, or TRAPPED set with
 * expire = now + trapexp (what spamd's sync_trapped sends).
 * Fields must be non-empty except helo/from ("<>" is fine; "" too),
 * at most GREYDB_MAX_MAIL - 1 bytes, without '\n' or NUL.
 * 0 (and *result) or -1.
 */
int		 greydb_grey(struct greydb *, const struct greydb_tuple *,
		    const char *, int, int *);

/*
 * Manual adds, spamdb -a semantics (journaled, origin MANUAL):
 *   WHITE:    new: first = pass = now, expire = now + whiteexp,
 *             bcount = 1, pcount = 0; existing: pcount++, pass = now,
 *             expire = now + whiteexp.
 *   TRAPPED:  new: first = now, pass = 0, expire = now + trapexp,
 *             bcount = 1, pcount = -1; existing: pcount = -1,
 *             expire = now + trapexp.
 *   SPAMTRAP: the key must hold '@' when new (else GREYDB_NOTEMAIL,
 *             nothing logged); new keys are lower-cased; expire = 0,
 *             pcount = -2 (not journaled: SPAMTRAPs are never synced).
 * The key is looked up as given, as spamdb does.  The caller validates
 * IPs (greydb_ip_valid()).  GREY cannot be added.  0,
 * GREYDB_NOTEMAIL or -1.
 */
int		 greydb_add(struct greydb *, enum greydb_type, const char *);

/*
 * Store a whole record as given (greydb -I: spamdb output imported):
 * e->type GREY (e->ip, helo, from, to; helo and from may be empty),
 * WHITE or TRAPPED (e->ip, validated by the caller), or SPAMTRAP (e->ip
 * is the address: must hold '@', else GREYDB_NOTEMAIL; lower-cased).
 * first, pass, expire, bcount and pcount are stored as they are, but
 * TRAPPED gets pcount -1, SPAMTRAP pcount -2 and expire 0; GREY and
 * WHITE need pcount >= 0.  A record with the same key is replaced.
 * e->key is not used.  Journaled as greydb_add() (OP_SET, origin
 * MANUAL; SPAMTRAP not).  0, GREYDB_NOTEMAIL or -1.
 */
int		 greydb_put_entry(struct greydb *, const struct greydb_entry *);
/*
 * n records as greydb_put_entry() would store them, in one transaction
 * (greydb -I: a batch of lines, far faster than one commit a line).
 * res[i] is set to 0, or to what greydb_put_entry() returns for a
 * record it refuses before writing (GREYDB_NOTEMAIL or -1): that one is
 * not stored, the others are.  A later record with the key of an
 * earlier one replaces it.  0, or -1 when the transaction failed: then
 * nothing of the batch is stored (the caller may store them one by one
 * to find the culprit).
 */
int		 greydb_put_entries(struct greydb *,
		    const struct greydb_entry *, size_t, int *);

/*
 * spamlogd's refresh: existing record: pcount++, expire = now +
 * whiteexp (pass unchanged: a TRAPPED record becomes WHITE, spamd's
 * quirk); missing: a new WHITE record as greydb_add.  whiteexp 0: the
 * configured one.  Journaled WHITE set, origin LOGD.  0 or -1.
 */
int		 greydb_white_refresh(struct greydb *, const char *,
		    int64_t);

/*
 * Entries received from a sync peer (spamd's twupdate), not journaled.
 * expire must be >= now (else -1, logged at debug level only: spamd
 * ignores such entries).  New: first
 * = now, pass = 0, bcount = 0, pcount = 0 (WHITE) or -1 (TRAPPED),
 * expire as sent.  Existing: WHITE: pcount++; TRAPPED: pcount = -1,
 * bcount++; expire NOT changed (spamd's quirk).  GREY from a peer goes
 * through greydb_grey(..., GREYDB_FROMSYNC, ...).
 */
int		 greydb_sync_white(struct greydb *, const char *, int64_t);
int		 greydb_sync_trapped(struct greydb *, const char *, int64_t);

/*
 * Delete the record with this exact key (spamdb -d): 0,
 * GREYDB_NOTFOUND or -1.  greydb_del_grey() deletes ONE grey tuple
 * whose IP part equals ip, the first in key order (spamdb -G -d).
 * Journaled as OP_DEL, origin MANUAL (not for SPAMTRAP keys).
 */
int		 greydb_del(struct greydb *, const char *);
int		 greydb_del_grey(struct greydb *, const char *);

/* Exact-key lookup: 0 (entry filled; greydb_entry_free it),
 * GREYDB_NOTFOUND, or -1.  A bogus record gives type GREYDB_BOGUS. */
int		 greydb_get(struct greydb *, const char *,
		    struct greydb_entry *);
void		 greydb_entry_free(struct greydb_entry *);

/*
 * Every record in key order (bytewise on the stored key: stable), in
 * one read transaction.  The entry is valid during the callback only.
 * A non-zero return from the callback stops the walk and is returned;
 * else 0, or -1 on a database error.
 */
int		 greydb_walk(struct greydb *,
		    int (*)(const struct greydb_entry *, void *), void *);

/*
 * The scanner (spamd's greyscan), one write transaction:
 *   - expire <= now and not SPAMTRAP: deleted;
 *   - TRAPPED: its IP goes to the traplist;
 *   - pcount >= 0 and pass <= now (WHITE records, and tuples that
 *     passed): unless the IP record is TRAPPED, and if the callback
 *     says the IP is blacklisted (greyd-setup's lists) the record is
 *     deleted instead; else the IP goes to the white list, and a tuple
 *     whose IP has no record yet adds one carrying the tuple's
 *     counters with expire = now + whiteexp (journaled WHITE set,
 *     origin SCAN).  The tuple itself is left to expire.
 *   - bogus records are deleted (spamd stops the scan: we go on).
 * blacklisted(ip, arg) returns 1 if listed, 0 if not; NULL: none is.
 * Result in *res (greydb_scan_free() it).  0 or -1 (nothing changed).
 */
int		 greydb_scan(struct greydb *,
		    int (*)(const char *, void *), void *,
		    struct greydb_scan *);
void		 greydb_scan_free(struct greydb_scan *);

/*
 * Journal, for greysync.  greydb_journal_read() calls cb for each
 * change with seq > after, in order, at most max (0: no limit); cb
 * returns 0 to go on.  Returns the count read or -1.
 * greydb_journal_trim() deletes every change with seq <= upto.
 * greydb_journal_last() puts the last sequence handed out in *seq.
 * greydb_journal_listen() binds the wake-up socket (a stale one is
 * replaced) and returns its fd (non-blocking, close-on-exec);
 * greydb_journal_drain() empties it.
 */
int		 greydb_journal_read(struct greydb *, uint64_t, size_t,
		    int (*)(const struct greydb_change *, void *), void *);
int		 greydb_journal_trim(struct greydb *, uint64_t);
int		 greydb_journal_last(struct greydb *, uint64_t *);
int		 greydb_journal_listen(struct greydb *);
void		 greydb_journal_drain(int);

/* Helpers, also for the fuzz target. */
int		 greydb_ip_valid(const char *);	/* AI_NUMERICHOST */
/* Split a text key: 0 with e->type/ip/helo/from/to set (GREY for
 * keys with '\n', else WHITE), -1 if malformed.  e->buf_ allocated. */
int		 greydb_key_parse(const char *, size_t, struct greydb_entry *);
/* Decode a stored record (values only; fullkey returned in *fk). */
int		 greydb_rec_decode(const void *, size_t, struct greydb_entry *,
		    const void **, size_t *);
/* The stored form of a text key into buf (>= GREYDB_KEY_INLINE +
 * 1 bytes); returns its length. */
size_t		 greydb_key_store(const char *, size_t, unsigned char *);
const char	*greydb_type_name(enum greydb_type);

/*
 * Durations, for the -G and similar flags of greyd, greysync ...:
 * greydb_parse_num() reads leading decimal digits (-1 if none, negative
 * or out of range; *end after them); greydb_parse_duration() "N" in
 * defunit seconds or "N" with one of s m h d w (at most ten years);
 * greydb_parse_times() spamd's -G passtime:greyexp:whiteexp (bare
 * numbers in minutes, hours, hours).  0 or -1.
 */
#define GREYDB_DURATION_MAX	(10LL * 366 * 24 * 3600)
int		 greydb_parse_num(const char *, long long *, char **);
int		 greydb_parse_duration(const char *, time_t, time_t *);
int		 greydb_parse_times(const char *, time_t *, time_t *, time_t *);

/*
 * spamd's sync flags, taken by greyd (which passes them on to greysync)
 * and by greysync: ch 'Y' adds a target (at most GREYDB_SYNC_MAXTARGETS),
 * 'y' sets the listener (once).  NULL, or what is wrong with the flag.
 */
#define GREYDB_SYNC_MAXTARGETS	32
struct greydb_syncflags {
	const char	*targets[GREYDB_SYNC_MAXTARGETS];	/* -Y */
	size_t		 ntargets;
	const char	*listen;				/* -y */
};
const char	*greydb_syncflag(struct greydb_syncflags *, int, const char *);

#endif /* MX_GREYDB_H */
