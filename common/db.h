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

#ifndef MX_DB_H
#define MX_DB_H

/*
 * A thin wrapper over LMDB, plus explicit record encoding.
 *
 * Environments.  db_open() creates the directory (mode plus x where
 * there is r, e.g. 0600 -> 0700) or, with DB_NOSUBDIR, a single file
 * and its "-lock" file, each with the given mode.  The environment is
 * always opened with MDB_NOTLS, so a read transaction is not tied to
 * a thread and several may be open at once.  Open it after fork(), in
 * the process that uses it: several processes (greyd, greydb,
 * greysync, ...) share one environment safely through LMDB's
 * multi-process locking; writers are serialised, readers see a
 * consistent snapshot taken when their transaction began.
 *
 * Durability: commits are synchronous (fsync/fdatasync before
 * mdb_txn_commit returns) unless DB_NOSYNC is given, which is for
 * scratch databases only (tests, a rebuild that is renamed into place
 * afterwards).  A 0 from db_txn_commit() or db_update() means the data
 * is on disk.
 *
 * Map size.  LMDB maps the whole database at a fixed size; a write
 * that does not fit fails with MDB_MAP_FULL and poisons its
 * transaction.  With maxmapsize > mapsize the map can grow:
 *   - db_update(env, fn, arg) runs fn in a read-write transaction and
 *     commits if fn returns 0 (db_update then returns 0, or -1 if the
 *     commit fails); any other return from fn aborts and is returned.
 *     If the map fills it aborts, doubles the map (up to maxmapsize,
 *     mdb_env_set_mapsize) and runs fn again from the start.  fn must
 *     therefore only touch the database through its txn and must be
 *     safe to run again.  This is the way to write.
 *   - with plain db_txn_begin/db_put/db_txn_commit a map-full write
 *     returns -1 (logged), db_txn_mapfull() says why, the caller aborts
 *     and may call db_grow() (no transaction of this environment may be
 *     open) and try again.
 * When another process has grown the map, the next db_txn_begin()
 * here adopts the new size (MDB_MAP_RESIZED) if this process has no
 * other transaction open, else it fails with a logged error.
 *
 * Errors.  Every LMDB error is logged with log_warnx (path and
 * mdb_strerror) and returned as -1; nothing here is fatal except out
 * of memory.  "Not found" and "key exists" are not errors: they return
 * DB_NOTFOUND and DB_KEYEXIST (positive).  After a failed put or del
 * the transaction should be aborted.
 *
 * Stale readers (slots of processes that died inside a read
 * transaction) keep old pages from being reused; db_open() clears them
 * and db_reader_check() does it again: call it now and then (greyd
 * does at each expiry run).
 *
 * Data returned by db_get and the cursor functions points into the
 * map: valid until the transaction ends or the next write in it.
 * Cursors must be closed with db_cursor_close(), before or after their
 * transaction ended.
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct db_env;
struct db_txn;
struct db_cursor;

#define DB_NOTFOUND	1
#define DB_KEYEXIST	2

/* db_open flags */
#define DB_NOSUBDIR	0x01	/* path is the data file, not a directory */
#define DB_RDONLY	0x02	/* read-only environment */
#define DB_NOSYNC	0x04	/* no fsync at commit: scratch data only */

/* db_txn_begin flags */
#define DB_TXN_RDONLY	0x01

/* db_dbi_open flags */
#define DB_CREATE	0x01	/* create the sub-database if missing */
#define DB_DUPSORT	0x02	/* several sorted values per key */

/* db_put flags */
#define DB_NOOVERWRITE	0x01	/* DB_KEYEXIST if the key is there */

struct db_options {
	size_t		mapsize;	/* 0: 16 MiB */
	size_t		maxmapsize;	/* 0: mapsize (never grow) */
	unsigned int	maxdbs;		/* named sub-databases; 0: 16 */
	unsigned int	maxreaders;	/* 0: LMDB's default, 126 */
	int		flags;		/* DB_NOSUBDIR DB_RDONLY DB_NOSYNC */
	mode_t		mode;		/* 0: 0600 */
};

struct db_env	*db_open(const char *, const struct db_options *);
void		 db_close(struct db_env *);		/* NULL is fine */
int		 db_reader_check(struct db_env *);	/* cleared, or -1 */
size_t		 db_mapsize(const struct db_env *);
int		 db_grow(struct db_env *);

/* Named sub-database (NULL: the main one); handle in *dbi.  0 or -1. */
int		 db_dbi_open(struct db_env *, const char *, int,
		    unsigned int *);

struct db_txn	*db_txn_begin(struct db_env *, int);	/* NULL on error */
int		 db_txn_commit(struct db_txn *);	/* always ends it */
void		 db_txn_abort(struct db_txn *);		/* NULL is fine */
int		 db_txn_mapfull(const struct db_txn *);
int		 db_update(struct db_env *, int (*)(struct db_txn *, void *),
		    void *);

/* 0, DB_NOTFOUND / DB_KEYEXIST, or -1. */
int		 db_get(struct db_txn *, unsigned int, const void *, size_t,
		    const void **, size_t *);
int		 db_put(struct db_txn *, unsigned int, const void *, size_t,
		    const void *, size_t, int);
int		 db_del(struct db_txn *, unsigned int, const void *, size_t);
/* Number of entries in *n; 0 or -1. */
int		 db_count(struct db_txn *, unsigned int, size_t *);
/* Delete every entry of a sub-database (it stays open); 0 or -1. */
int		 db_empty(struct db_txn *, unsigned int);

/*
 * Cursors walk keys in LMDB's order (memcmp, shorter first).
 * db_cursor_prefix() goes to the first key starting with the given
 * bytes and limits the following db_cursor_next() calls to such keys;
 * db_cursor_first() lifts the limit.  Each returns 0 with key and value
 * set, DB_NOTFOUND at the end, or -1.  db_cursor_del() deletes the
 * current entry (read-write transactions); next then goes on after it.
 */
struct db_cursor *db_cursor_open(struct db_txn *, unsigned int);
void		 db_cursor_close(struct db_cursor *);	/* NULL is fine */
int		 db_cursor_first(struct db_cursor *, const void **, size_t *,
		    const void **, size_t *);
int		 db_cursor_next(struct db_cursor *, const void **, size_t *,
		    const void **, size_t *);
int		 db_cursor_prefix(struct db_cursor *, const void *, size_t,
		    const void **, size_t *, const void **, size_t *);
int		 db_cursor_del(struct db_cursor *);

/*
 * Records.  A record is a version byte followed by fields in a fixed
 * order, each big-endian: u8, u16, u32, u64, time (int64_t, two's
 * complement as u64), bytes and str (a u32 length, then that many
 * bytes; str carries no NUL and may not contain one).  Never a raw
 * struct on disk.
 *
 *	struct db_enc e;
 *	db_enc_init(&e, GREY_REC_V1);
 *	db_enc_time(&e, first); db_enc_str(&e, helo); ...
 *	db_put(txn, dbi, key, klen, db_enc_data(&e, &len), len, 0);
 *	db_enc_free(&e);
 *
 *	struct db_dec d;
 *	if (db_dec_init(&d, val, vlen, GREY_REC_V1) == -1 ||
 *	    db_dec_time(&d, &first) == -1 || ... || db_dec_end(&d) == -1)
 *		corrupt record: log_warnx, skip it;
 *
 * The decoder never reads outside the buffer.  A short field, a length
 * running past the end, a version other than the expected one, bytes
 * left over at db_dec_end(), or a str with a NUL or longer than the
 * caller's buffer make it fail; a failure is sticky (every later call
 * returns -1) and zeroes the output.  db_rec_version() peeks at the
 * version to choose a decoder when formats change.
 */
struct db_enc {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	int		 err;
};

struct db_dec {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;
	int		 err;
};

void		 db_enc_init(struct db_enc *, uint8_t);
void		 db_enc_free(struct db_enc *);
void		 db_enc_u8(struct db_enc *, uint8_t);
void		 db_enc_u16(struct db_enc *, uint16_t);
void		 db_enc_u32(struct db_enc *, uint32_t);
void		 db_enc_u64(struct db_enc *, uint64_t);
void		 db_enc_time(struct db_enc *, int64_t);
void		 db_enc_bytes(struct db_enc *, const void *, size_t);
void		 db_enc_str(struct db_enc *, const char *);
/* The encoded record, or NULL if a field was too long (> 4 GiB). */
const void	*db_enc_data(const struct db_enc *, size_t *);

int		 db_rec_version(const void *, size_t);	/* -1 if empty */
int		 db_dec_init(struct db_dec *, const void *, size_t, uint8_t);
int		 db_dec_u8(struct db_dec *, uint8_t *);
int		 db_dec_u16(struct db_dec *, uint16_t *);
int		 db_dec_u32(struct db_dec *, uint32_t *);
int		 db_dec_u64(struct db_dec *, uint64_t *);
int		 db_dec_time(struct db_dec *, int64_t *);
/* Points into the record: valid as long as the record is. */
int		 db_dec_bytes(struct db_dec *, const void **, size_t *);
/* Copies into buf with a NUL. */
int		 db_dec_str(struct db_dec *, char *, size_t);
/* An allocated copy (free it). */
int		 db_dec_strdup(struct db_dec *, char **);
int		 db_dec_end(struct db_dec *);

#endif /* MX_DB_H */
