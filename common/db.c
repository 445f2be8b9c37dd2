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

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

#define DB_DEFAULT_MAPSIZE	(16UL * 1024 * 1024)
#define DB_DEFAULT_MAXDBS	16

struct db_env {
	MDB_env		*env;
	char		*path;
	size_t		 mapsize;
	size_t		 maxmapsize;
	int		 ntxn;		/* open transactions (this process) */
	int		 rdonly;
};

struct db_cursor {
	LIST_ENTRY(db_cursor)	 entry;
	struct db_txn		*txn;	/* NULL once the txn ended */
	MDB_cursor		*cur;
	uint8_t			*prefix;
	size_t			 plen;
};

struct db_txn {
	struct db_env		*env;
	MDB_txn			*txn;
	int			 rdonly;
	int			 mapfull;
	int			 quiet;	/* inside db_update: growth follows */
	LIST_HEAD(, db_cursor)	 cursors;
};

static void	 db_err(const struct db_env *, const char *, int);
static void	 db_txn_end(struct db_txn *);
static int	 db_txn_commit_rc(struct db_txn *);
static int	 db_write_err(struct db_txn *, const char *, int);
static int	 db_cursor_ret(struct db_cursor *, int, MDB_val *, MDB_val *,
		    const void **, size_t *, const void **, size_t *);
static void	 enc_put(struct db_enc *, const void *, size_t);
static int	 dec_take(struct db_dec *, size_t, const uint8_t **);
static uint64_t	 dec_be(const uint8_t *, size_t);

static void
db_err(const struct db_env *env, const char *what, int rc)
{
	log_warnx("db %s: %s: %s", env != NULL ? env->path : "?", what,
	    mdb_strerror(rc));
}

struct db_env *
db_open(const char *path, const struct db_options *opt)
{
	struct db_options	 o;
	struct db_env		*env;
	struct stat		 st;
	MDB_envinfo		 info;
	unsigned int		 flags = MDB_NOTLS;
	mode_t			 dmode;
	int			 rc, dead;

	memset(&o, 0, sizeof(o));
	if (opt != NULL)
		o = *opt;
	if (o.mapsize == 0)
		o.mapsize = DB_DEFAULT_MAPSIZE;
	if (o.maxmapsize < o.mapsize)
		o.maxmapsize = o.mapsize;
	if (o.maxdbs == 0)
		o.maxdbs = DB_DEFAULT_MAXDBS;
	if (o.mode == 0)
		o.mode = 0600;

	if (o.flags & DB_NOSUBDIR)
		flags |= MDB_NOSUBDIR;
	if (o.flags & DB_RDONLY)
		flags |= MDB_RDONLY;
	if (o.flags & DB_NOSYNC)
		flags |= MDB_NOSYNC;

	if (!(o.flags & (DB_NOSUBDIR | DB_RDONLY))) {
		dmode = o.mode | ((o.mode & 0444) >> 2);
		if (mkdir(path, dmode) == -1 && errno != EEXIST) {
			log_warn("db %s: mkdir", path);
			return NULL;
		}
		if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
			log_warnx("db %s: not a directory", path);
			return NULL;
		}
	}

	env = xcalloc(1, sizeof(*env));
	env->path = xstrdup(path);
	env->rdonly = (o.flags & DB_RDONLY) != 0;
	env->maxmapsize = o.maxmapsize;
	if ((rc = mdb_env_create(&env->env)) != 0) {
		db_err(env, "mdb_env_create", rc);
		env->env = NULL;
		goto fail;
	}
	if ((rc = mdb_env_set_mapsize(env->env, o.mapsize)) != 0) {
		db_err(env, "mdb_env_set_mapsize", rc);
		goto fail;
	}
	if ((rc = mdb_env_set_maxdbs(env->env, o.maxdbs)) != 0) {
		db_err(env, "mdb_env_set_maxdbs", rc);
		goto fail;
	}
	if (o.maxreaders != 0 &&
	    (rc = mdb_env_set_maxreaders(env->env, o.maxreaders)) != 0) {
		db_err(env, "mdb_env_set_maxreaders", rc);
		goto fail;
	}
	if ((rc = mdb_env_open(env->env, path, flags, o.mode)) != 0) {
		db_err(env, "mdb_env_open", rc);
		goto fail;
	}
	/* An existing environment may be larger than asked for. */
	if ((rc = mdb_env_info(env->env, &info)) != 0) {
		db_err(env, "mdb_env_info", rc);
		goto fail;
	}
	env->mapsize = info.me_mapsize;
	if (env->maxmapsize < env->mapsize)
		env->maxmapsize = env->mapsize;
	if ((rc = mdb_reader_check(env->env, &dead)) != 0)
		db_err(env, "mdb_reader_check", rc);
	else if (dead > 0)
		log_info("db %s: cleared %d stale reader%s", path, dead,
		    dead == 1 ? "" : "s");
	return env;

 fail:
	if (env->env != NULL)
		mdb_env_close(env->env);
	free(env->path);
	free(env);
	return NULL;
}

void
db_close(struct db_env *env)
{
	if (env == NULL)
		return;
	if (env->ntxn != 0)
		log_warnx("db %s: closed with %d transaction%s open",
		    env->path, env->ntxn, env->ntxn == 1 ? "" : "s");
	mdb_env_close(env->env);
	free(env->path);
	free(env);
}

int
db_reader_check(struct db_env *env)
{
	int	rc, dead = 0;

	if ((rc = mdb_reader_check(env->env, &dead)) != 0) {
		db_err(env, "mdb_reader_check", rc);
		return -1;
	}
	if (dead > 0)
		log_info("db %s: cleared %d stale reader%s", env->path, dead,
		    dead == 1 ? "" : "s");
	return dead;
}

size_t
db_mapsize(const struct db_env *env)
{
	return env->mapsize;
}

int
db_grow(struct db_env *env)
{
	MDB_envinfo	info;
	size_t		size;
	int		rc;

	if (env->ntxn != 0) {
		log_warnx("db %s: cannot grow the map with a transaction "
		    "open", env->path);
		return -1;
	}
	/* Another process may have grown it already. */
	if ((rc = mdb_env_info(env->env, &info)) == 0 &&
	    info.me_mapsize > env->mapsize)
		env->mapsize = info.me_mapsize;
	if (env->mapsize >= env->maxmapsize) {
		log_warnx("db %s: map full at its maximum size (%zu bytes)",
		    env->path, env->mapsize);
		return -1;
	}
	size = env->mapsize > env->maxmapsize / 2 ? env->maxmapsize :
	    env->mapsize * 2;
	if ((rc = mdb_env_set_mapsize(env->env, size)) != 0) {
		db_err(env, "mdb_env_set_mapsize", rc);
		return -1;
	}
	if ((rc = mdb_env_info(env->env, &info)) == 0)
		size = info.me_mapsize;
	log_info("db %s: map grown from %zu to %zu bytes", env->path,
	    env->mapsize, size);
	env->mapsize = size;
	return 0;
}

int
db_dbi_open(struct db_env *env, const char *name, int flags,
    unsigned int *dbi)
{
	struct db_txn	*txn;
	unsigned int	 mflags = 0;
	MDB_dbi		 d;
	int		 rc;

	if (flags & DB_CREATE)
		mflags |= MDB_CREATE;
	if (flags & DB_DUPSORT)
		mflags |= MDB_DUPSORT;
	if ((txn = db_txn_begin(env, (flags & DB_CREATE) ? 0 :
	    DB_TXN_RDONLY)) == NULL)
		return -1;
	if ((rc = mdb_dbi_open(txn->txn, name, mflags, &d)) != 0) {
		if (rc == MDB_NOTFOUND)
			log_warnx("db %s: no database \"%s\"", env->path,
			    name != NULL ? name : "(main)");
		else
			db_err(env, "mdb_dbi_open", rc);
		db_txn_abort(txn);
		return -1;
	}
	if (db_txn_commit(txn) == -1)
		return -1;
	*dbi = d;
	return 0;
}

struct db_txn *
db_txn_begin(struct db_env *env, int flags)
{
	struct db_txn	*txn;
	MDB_txn		*t;
	MDB_envinfo	 info;
	unsigned int	 mflags = 0;
	int		 rc;

	if ((flags & DB_TXN_RDONLY) || env->rdonly)
		mflags |= MDB_RDONLY;
	rc = mdb_txn_begin(env->env, NULL, mflags, &t);
	if (rc == MDB_MAP_RESIZED && env->ntxn == 0) {
		/* Another process grew the map: adopt its size. */
		if ((rc = mdb_env_set_mapsize(env->env, 0)) != 0) {
			db_err(env, "mdb_env_set_mapsize", rc);
			return NULL;
		}
		if (mdb_env_info(env->env, &info) == 0 &&
		    info.me_mapsize > env->mapsize) {
			log_info("db %s: map resized by another process to "
			    "%zu bytes", env->path, info.me_mapsize);
			env->mapsize = info.me_mapsize;
			if (env->maxmapsize < env->mapsize)
				env->maxmapsize = env->mapsize;
		}
		rc = mdb_txn_begin(env->env, NULL, mflags, &t);
	}
	if (rc != 0) {
		db_err(env, "mdb_txn_begin", rc);
		return NULL;
	}
	txn = xcalloc(1, sizeof(*txn));
	txn->env = env;
	txn->txn = t;
	txn->rdonly = (mflags & MDB_RDONLY) != 0;
	LIST_INIT(&txn->cursors);
	env->ntxn++;
	return txn;
}

/* Close the cursors, account for the txn and free it. */
static void
db_txn_end(struct db_txn *txn)
{
	struct db_cursor	*c;

	while ((c = LIST_FIRST(&txn->cursors)) != NULL) {
		LIST_REMOVE(c, entry);
		mdb_cursor_close(c->cur);
		c->cur = NULL;
		c->txn = NULL;
	}
}

static int
db_txn_commit_rc(struct db_txn *txn)
{
	struct db_env	*env = txn->env;
	int		 rc;

	db_txn_end(txn);
	if (txn->mapfull) {
		mdb_txn_abort(txn->txn);
		rc = MDB_MAP_FULL;
	} else
		rc = mdb_txn_commit(txn->txn);
	env->ntxn--;
	free(txn);
	return rc;
}

int
db_txn_commit(struct db_txn *txn)
{
	struct db_env	*env;
	int		 rc;

	if (txn == NULL)
		return -1;
	env = txn->env;
	if ((rc = db_txn_commit_rc(txn)) != 0) {
		db_err(env, "commit", rc);
		return -1;
	}
	return 0;
}

void
db_txn_abort(struct db_txn *txn)
{
	if (txn == NULL)
		return;
	db_txn_end(txn);
	mdb_txn_abort(txn->txn);
	txn->env->ntxn--;
	free(txn);
}

int
db_txn_mapfull(const struct db_txn *txn)
{
	return txn->mapfull;
}

int
db_update(struct db_env *env, int (*fn)(struct db_txn *, void *),
    void *arg)
{
	struct db_txn	*txn;
	int		 r, rc;

	for (;;) {
		if ((txn = db_txn_begin(env, 0)) == NULL)
			return -1;
		if (txn->rdonly) {
			log_warnx("db %s: read-only", env->path);
			db_txn_abort(txn);
			return -1;
		}
		txn->quiet = 1;
		r = fn(txn, arg);
		if (txn->mapfull) {
			db_txn_abort(txn);
			if (db_grow(env) == -1)
				return -1;
			continue;
		}
		if (r != 0) {
			db_txn_abort(txn);
			return r;
		}
		rc = db_txn_commit_rc(txn);
		if (rc == MDB_MAP_FULL) {
			if (db_grow(env) == -1)
				return -1;
			continue;
		}
		if (rc != 0) {
			db_err(env, "commit", rc);
			return -1;
		}
		return 0;
	}
}

static int
db_write_err(struct db_txn *txn, const char *what, int rc)
{
	if (rc == MDB_MAP_FULL) {
		txn->mapfull = 1;
		if (txn->quiet)
			return -1;
	}
	db_err(txn->env, what, rc);
	return -1;
}

int
db_get(struct db_txn *txn, unsigned int dbi, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	MDB_val	k, v;
	int	rc;

	*val = NULL;
	*vlen = 0;
	k.mv_data = (void *)key;
	k.mv_size = klen;
	if ((rc = mdb_get(txn->txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return DB_NOTFOUND;
	if (rc != 0) {
		db_err(txn->env, "mdb_get", rc);
		return -1;
	}
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

int
db_put(struct db_txn *txn, unsigned int dbi, const void *key, size_t klen,
    const void *val, size_t vlen, int flags)
{
	MDB_val		k, v;
	unsigned int	mflags = 0;
	int		rc;

	if (flags & DB_NOOVERWRITE)
		mflags |= MDB_NOOVERWRITE;
	k.mv_data = (void *)key;
	k.mv_size = klen;
	v.mv_data = (void *)val;
	v.mv_size = vlen;
	if ((rc = mdb_put(txn->txn, dbi, &k, &v, mflags)) == MDB_KEYEXIST)
		return DB_KEYEXIST;
	if (rc != 0)
		return db_write_err(txn, "mdb_put", rc);
	return 0;
}

int
db_del(struct db_txn *txn, unsigned int dbi, const void *key, size_t klen)
{
	MDB_val	k;
	int	rc;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	if ((rc = mdb_del(txn->txn, dbi, &k, NULL)) == MDB_NOTFOUND)
		return DB_NOTFOUND;
	if (rc != 0)
		return db_write_err(txn, "mdb_del", rc);
	return 0;
}

int
db_count(struct db_txn *txn, unsigned int dbi, size_t *n)
{
	MDB_stat	st;
	int		rc;

	*n = 0;
	if ((rc = mdb_stat(txn->txn, dbi, &st)) != 0) {
		db_err(txn->env, "mdb_stat", rc);
		return -1;
	}
	*n = st.ms_entries;
	return 0;
}

int
db_empty(struct db_txn *txn, unsigned int dbi)
{
	int	rc;

	if ((rc = mdb_drop(txn->txn, dbi, 0)) != 0)
		return db_write_err(txn, "mdb_drop", rc);
	return 0;
}

struct db_cursor *
db_cursor_open(struct db_txn *txn, unsigned int dbi)
{
	struct db_cursor	*c;
	MDB_cursor		*cur;
	int			 rc;

	if ((rc = mdb_cursor_open(txn->txn, dbi, &cur)) != 0) {
		db_err(txn->env, "mdb_cursor_open", rc);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->txn = txn;
	c->cur = cur;
	LIST_INSERT_HEAD(&txn->cursors, c, entry);
	return c;
}

void
db_cursor_close(struct db_cursor *c)
{
	if (c == NULL)
		return;
	if (c->txn != NULL) {
		LIST_REMOVE(c, entry);
		mdb_cursor_close(c->cur);
	}
	free(c->prefix);
	free(c);
}

static int
db_cursor_ret(struct db_cursor *c, int rc, MDB_val *k, MDB_val *v,
    const void **key, size_t *klen, const void **val, size_t *vlen)
{
	*key = *val = NULL;
	*klen = *vlen = 0;
	if (rc == MDB_NOTFOUND)
		return DB_NOTFOUND;
	if (rc != 0) {
		db_err(c->txn->env, "mdb_cursor_get", rc);
		return -1;
	}
	if (c->prefix != NULL && (k->mv_size < c->plen ||
	    memcmp(k->mv_data, c->prefix, c->plen) != 0))
		return DB_NOTFOUND;
	*key = k->mv_data;
	*klen = k->mv_size;
	*val = v->mv_data;
	*vlen = v->mv_size;
	return 0;
}

int
db_cursor_first(struct db_cursor *c, const void **key, size_t *klen,
    const void **val, size_t *vlen)
{
	MDB_val	k, v;

	if (c->txn == NULL) {
		log_warnx("db: cursor used after its transaction ended");
		return -1;
	}
	free(c->prefix);
	c->prefix = NULL;
	c->plen = 0;
	return db_cursor_ret(c, mdb_cursor_get(c->cur, &k, &v, MDB_FIRST),
	    &k, &v, key, klen, val, vlen);
}

int
db_cursor_next(struct db_cursor *c, const void **key, size_t *klen,
    const void **val, size_t *vlen)
{
	MDB_val	k, v;

	if (c->txn == NULL) {
		log_warnx("db: cursor used after its transaction ended");
		return -1;
	}
	return db_cursor_ret(c, mdb_cursor_get(c->cur, &k, &v, MDB_NEXT),
	    &k, &v, key, klen, val, vlen);
}

int
db_cursor_prefix(struct db_cursor *c, const void *pfx, size_t plen,
    const void **key, size_t *klen, const void **val, size_t *vlen)
{
	MDB_val	k, v;

	if (c->txn == NULL) {
		log_warnx("db: cursor used after its transaction ended");
		return -1;
	}
	free(c->prefix);
	c->prefix = NULL;
	c->plen = 0;
	if (plen == 0)
		return db_cursor_first(c, key, klen, val, vlen);
	c->prefix = xmemdup(pfx, plen);
	c->plen = plen;
	k.mv_data = c->prefix;
	k.mv_size = plen;
	return db_cursor_ret(c, mdb_cursor_get(c->cur, &k, &v,
	    MDB_SET_RANGE), &k, &v, key, klen, val, vlen);
}

int
db_cursor_del(struct db_cursor *c)
{
	int	rc;

	if (c->txn == NULL) {
		log_warnx("db: cursor used after its transaction ended");
		return -1;
	}
	if ((rc = mdb_cursor_del(c->cur, 0)) != 0)
		return db_write_err(c->txn, "mdb_cursor_del", rc);
	return 0;
}

/* Records. */

void
db_enc_init(struct db_enc *e, uint8_t version)
{
	memset(e, 0, sizeof(*e));
	enc_put(e, &version, 1);
}

void
db_enc_free(struct db_enc *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

static void
enc_put(struct db_enc *e, const void *p, size_t n)
{
	size_t	cap;

	if (e->err)
		return;
	if (n > SIZE_MAX / 2 - e->len) {
		e->err = 1;
		return;
	}
	if (e->len + n > e->cap) {
		cap = e->cap ? e->cap : 64;
		while (cap < e->len + n)
			cap *= 2;
		e->buf = xrecallocarray(e->buf, e->cap, cap, 1);
		e->cap = cap;
	}
	if (n > 0)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

void
db_enc_u8(struct db_enc *e, uint8_t v)
{
	enc_put(e, &v, 1);
}

void
db_enc_u16(struct db_enc *e, uint16_t v)
{
	uint8_t	b[2];

	b[0] = v >> 8;
	b[1] = v;
	enc_put(e, b, sizeof(b));
}

void
db_enc_u32(struct db_enc *e, uint32_t v)
{
	uint8_t	b[4];
	int	i;

	for (i = 3; i >= 0; i--, v >>= 8)
		b[i] = v & 0xff;
	enc_put(e, b, sizeof(b));
}

void
db_enc_u64(struct db_enc *e, uint64_t v)
{
	uint8_t	b[8];
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = v & 0xff;
	enc_put(e, b, sizeof(b));
}

void
db_enc_time(struct db_enc *e, int64_t t)
{
	db_enc_u64(e, (uint64_t)t);
}

void
db_enc_bytes(struct db_enc *e, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		e->err = 1;
		return;
	}
	db_enc_u32(e, n);
	enc_put(e, p, n);
}

void
db_enc_str(struct db_enc *e, const char *s)
{
	db_enc_bytes(e, s, strlen(s));
}

const void *
db_enc_data(const struct db_enc *e, size_t *len)
{
	if (e->err) {
		*len = 0;
		return NULL;
	}
	*len = e->len;
	return e->buf;
}

int
db_rec_version(const void *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return -1;
	return *(const uint8_t *)buf;
}

int
db_dec_init(struct db_dec *d, const void *buf, size_t len, uint8_t version)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->len = len;
	if (db_rec_version(buf, len) != version) {
		d->err = 1;
		return -1;
	}
	d->off = 1;
	return 0;
}

/* n bytes at the current offset, or -1 (sticky) if there are fewer. */
static int
dec_take(struct db_dec *d, size_t n, const uint8_t **p)
{
	*p = NULL;
	if (d->err || d->off > d->len || n > d->len - d->off) {
		d->err = 1;
		return -1;
	}
	*p = d->buf + d->off;
	d->off += n;
	return 0;
}

static uint64_t
dec_be(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
db_dec_u8(struct db_dec *d, uint8_t *v)
{
	const uint8_t	*p;

	*v = 0;
	if (dec_take(d, 1, &p) == -1)
		return -1;
	*v = p[0];
	return 0;
}

int
db_dec_u16(struct db_dec *d, uint16_t *v)
{
	const uint8_t	*p;

	*v = 0;
	if (dec_take(d, 2, &p) == -1)
		return -1;
	*v = dec_be(p, 2);
	return 0;
}

int
db_dec_u32(struct db_dec *d, uint32_t *v)
{
	const uint8_t	*p;

	*v = 0;
	if (dec_take(d, 4, &p) == -1)
		return -1;
	*v = dec_be(p, 4);
	return 0;
}

int
db_dec_u64(struct db_dec *d, uint64_t *v)
{
	const uint8_t	*p;

	*v = 0;
	if (dec_take(d, 8, &p) == -1)
		return -1;
	*v = dec_be(p, 8);
	return 0;
}

int
db_dec_time(struct db_dec *d, int64_t *t)
{
	uint64_t	v;

	*t = 0;
	if (db_dec_u64(d, &v) == -1)
		return -1;
	*t = (int64_t)v;
	return 0;
}

int
db_dec_bytes(struct db_dec *d, const void **bp, size_t *len)
{
	const uint8_t	*p;
	uint32_t	 n;

	*bp = NULL;
	*len = 0;
	if (db_dec_u32(d, &n) == -1 || dec_take(d, n, &p) == -1)
		return -1;
	*bp = p;
	*len = n;
	return 0;
}

int
db_dec_str(struct db_dec *d, char *buf, size_t bufsz)
{
	const void	*p;
	size_t		 n;

	if (bufsz > 0)
		buf[0] = '\0';
	if (db_dec_bytes(d, &p, &n) == -1)
		return -1;
	if (n >= bufsz || memchr(p, '\0', n) != NULL) {
		d->err = 1;
		return -1;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

int
db_dec_strdup(struct db_dec *d, char **sp)
{
	const void	*p;
	size_t		 n;

	*sp = NULL;
	if (db_dec_bytes(d, &p, &n) == -1)
		return -1;
	if (memchr(p, '\0', n) != NULL) {
		d->err = 1;
		return -1;
	}
	*sp = xstrndup(p, n);
	return 0;
}

int
db_dec_end(struct db_dec *d)
{
	if (d->err || d->off != d->len) {
		d->err = 1;
		return -1;
	}
	return 0;
}
