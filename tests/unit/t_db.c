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
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "tap.h"
#include "t_rmtree.h"

static char	tmpdir[] = "/tmp/t_db.XXXXXX";

static char	*path_in(const char *);
static void	test_basic(void);
static void	test_cursor(void);
static void	test_records(void);
static void	test_growth(void);
static void	test_nogrowth(void);
static void	test_two_procs(void);
static void	test_resized(void);
static void	test_stale_reader(void);
static int	put_many(struct db_txn *, void *);
static int	child_writer(const char *);
static int	child_grower(const char *);
static int	get_u32(struct db_txn *, unsigned int, const char *,
		    uint32_t *);
static int	put_u32(struct db_txn *, unsigned int, const char *,
		    uint32_t);

static char *
path_in(const char *name)
{
	static char	p[4][256];
	static int	i;
	char		*s = p[i++ % 4];

	snprintf(s, sizeof(p[0]), "%s/%s", tmpdir, name);
	return s;
}

static int
put_u32(struct db_txn *txn, unsigned int dbi, const char *key, uint32_t v)
{
	struct db_enc	 e;
	const void	*p;
	size_t		 len;
	int		 r;

	db_enc_init(&e, 1);
	db_enc_u32(&e, v);
	p = db_enc_data(&e, &len);
	r = db_put(txn, dbi, key, strlen(key), p, len, 0);
	db_enc_free(&e);
	return r;
}

static int
get_u32(struct db_txn *txn, unsigned int dbi, const char *key, uint32_t *v)
{
	struct db_dec	 d;
	const void	*p;
	size_t		 len;
	int		 r;

	*v = 0;
	if ((r = db_get(txn, dbi, key, strlen(key), &p, &len)) != 0)
		return r;
	if (db_dec_init(&d, p, len, 1) == -1 || db_dec_u32(&d, v) == -1 ||
	    db_dec_end(&d) == -1)
		return -1;
	return 0;
}

static void
test_basic(void)
{
	struct db_options	 o;
	struct db_env		*env;
	struct db_txn		*txn;
	struct stat		 st;
	unsigned int		 dbi, dbi2;
	const void		*v;
	size_t			 vlen;

	memset(&o, 0, sizeof(o));
	o.mode = 0640;
	env = db_open(path_in("basic"), &o);
	ok(env != NULL, "db_open creates the environment");
	if (env == NULL)
		return;
	if (stat(path_in("basic"), &st) == -1)
		st.st_mode = 0;
	is_int(st.st_mode & 07777, 0750,
	    "directory mode 0750 for file mode 0640");
	if (stat(path_in("basic/data.mdb"), &st) == -1)
		st.st_mode = 0;
	is_int(st.st_mode & 07777, 0640, "data.mdb mode 0640");
	is_int(db_dbi_open(env, "grey", DB_CREATE, &dbi), 0, "create dbi");
	is_int(db_dbi_open(env, "missing", 0, &dbi2), -1,
	    "missing dbi without DB_CREATE fails");

	txn = db_txn_begin(env, 0);
	is_int(db_put(txn, dbi, "k1", 2, "v1", 2, 0), 0, "put k1");
	is_int(db_put(txn, dbi, "k1", 2, "v2", 2, DB_NOOVERWRITE),
	    DB_KEYEXIST, "put k1 NOOVERWRITE says it exists");
	is_int(db_put(txn, dbi, "k2", 2, "", 0, 0), 0, "put empty value");
	is_int(db_get(txn, dbi, "k1", 2, &v, &vlen), 0, "get in same txn");
	is_mem(v, vlen, "v1", 2, "value");
	is_int(db_txn_commit(txn), 0, "commit");

	txn = db_txn_begin(env, 0);
	db_put(txn, dbi, "k3", 2, "v3", 2, 0);
	db_txn_abort(txn);
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	is_int(db_get(txn, dbi, "k3", 2, &v, &vlen), DB_NOTFOUND,
	    "aborted put is gone");
	ok(v == NULL && vlen == 0, "not found clears the output");
	is_int(db_get(txn, dbi, "k2", 2, &v, &vlen), 0, "empty value found");
	is_int(vlen, 0, "empty value length");
	is_int(db_put(txn, dbi, "k4", 2, "v4", 2, 0), -1,
	    "put in a read-only txn fails");
	db_txn_abort(txn);
	db_txn_abort(NULL);
	db_close(env);

	env = db_open(path_in("basic"), NULL);
	ok(env != NULL, "reopen");
	if (env == NULL)
		return;
	is_int(db_dbi_open(env, "grey", 0, &dbi), 0, "open existing dbi");
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	is_int(db_get(txn, dbi, "k1", 2, &v, &vlen), 0, "k1 survived reopen");
	is_mem(v, vlen, "v1", 2, "k1 value after reopen");
	db_txn_abort(txn);
	txn = db_txn_begin(env, 0);
	is_int(db_del(txn, dbi, "k1", 2), 0, "del k1");
	is_int(db_del(txn, dbi, "k1", 2), DB_NOTFOUND, "del k1 again");
	is_int(db_txn_commit(txn), 0, "commit del");
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	is_int(db_get(txn, dbi, "k1", 2, &v, &vlen), DB_NOTFOUND,
	    "k1 deleted");
	db_txn_abort(txn);
	db_close(env);
	db_close(NULL);

	memset(&o, 0, sizeof(o));
	o.flags = DB_NOSUBDIR;
	env = db_open(path_in("single.db"), &o);
	ok(env != NULL && stat(path_in("single.db"), &st) == 0 &&
	    S_ISREG(st.st_mode), "DB_NOSUBDIR makes one file");
	db_close(env);
	ok(db_open("/nonexistent/dir/x", NULL) == NULL,
	    "db_open in a missing directory fails, not fatal");
}

static void
test_cursor(void)
{
	static const char *keys[] = { "b", "a", "ab", "c", "abc", "ba",
	    "b\x00x", "aa" };
	static const size_t klens[] = { 1, 1, 2, 1, 3, 2, 3, 2 };
	struct db_env		*env;
	struct db_txn		*txn;
	struct db_cursor	*c;
	unsigned int		 dbi;
	const void		*k, *v;
	size_t			 klen, vlen, i;
	char			 got[256];
	int			 r;

	env = db_open(path_in("cursor"), NULL);
	if (env == NULL || db_dbi_open(env, "t", DB_CREATE, &dbi) == -1) {
		ok(0, "cursor env");
		db_close(env);
		return;
	}
	txn = db_txn_begin(env, 0);
	for (i = 0; i < nitems(keys); i++)
		db_put(txn, dbi, keys[i], klens[i], keys[i], klens[i], 0);
	is_int(db_txn_commit(txn), 0, "commit keys");

#define WALK(first) do {						\
	got[0] = '\0';							\
	for (r = (first); r == 0; r = db_cursor_next(c, &k, &klen, &v,	\
	    &vlen)) {							\
		strlcat(got, "[", sizeof(got));				\
		for (i = 0; i < klen; i++)				\
			strlcat(got, ((const char *)k)[i] ? (char[2]){	\
			    ((const char *)k)[i], 0 } : "0", sizeof(got));\
		strlcat(got, "]", sizeof(got));				\
	}								\
} while (0)

	txn = db_txn_begin(env, DB_TXN_RDONLY);
	c = db_cursor_open(txn, dbi);
	WALK(db_cursor_first(c, &k, &klen, &v, &vlen));
	is_str(got, "[a][aa][ab][abc][b][b0x][ba][c]", "cursor order");
	is_int(r, DB_NOTFOUND, "walk ends with DB_NOTFOUND");
	WALK(db_cursor_prefix(c, "ab", 2, &k, &klen, &v, &vlen));
	is_str(got, "[ab][abc]", "prefix ab");
	WALK(db_cursor_prefix(c, "b", 1, &k, &klen, &v, &vlen));
	is_str(got, "[b][b0x][ba]", "prefix b");
	WALK(db_cursor_prefix(c, "abd", 3, &k, &klen, &v, &vlen));
	is_str(got, "", "prefix abd: nothing");
	WALK(db_cursor_prefix(c, "zz", 2, &k, &klen, &v, &vlen));
	is_str(got, "", "prefix past the end: nothing");
	WALK(db_cursor_prefix(c, "", 0, &k, &klen, &v, &vlen));
	is_str(got, "[a][aa][ab][abc][b][b0x][ba][c]", "empty prefix: all");
	WALK(db_cursor_prefix(c, "c", 1, &k, &klen, &v, &vlen));
	is_mem(v, vlen, NULL, 0, "value cleared at the end");
	db_cursor_close(c);
	db_txn_abort(txn);

	txn = db_txn_begin(env, 0);
	c = db_cursor_open(txn, dbi);
	for (r = db_cursor_prefix(c, "a", 1, &k, &klen, &v, &vlen); r == 0;
	    r = db_cursor_next(c, &k, &klen, &v, &vlen))
		if (klen == 2)
			db_cursor_del(c);
	is_int(db_txn_commit(txn), 0, "commit with a cursor still open");
	is_int(db_cursor_next(c, &k, &klen, &v, &vlen), -1,
	    "cursor after its txn ended fails cleanly");
	db_cursor_close(c);
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	c = db_cursor_open(txn, dbi);
	WALK(db_cursor_first(c, &k, &klen, &v, &vlen));
	is_str(got, "[a][abc][b][b0x][ba][c]", "cursor_del removed aa, ab");
	ok(db_count(txn, dbi, &klen) == 0 && klen == 6, "db_count: %zu",
	    klen);
	db_txn_abort(txn);
	db_cursor_close(c);
	txn = db_txn_begin(env, 0);
	is_int(db_empty(txn, dbi), 0, "db_empty");
	is_int(db_txn_commit(txn), 0, "commit db_empty");
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	ok(db_count(txn, dbi, &klen) == 0 && klen == 0,
	    "no entries after db_empty: %zu", klen);
	c = db_cursor_open(txn, dbi);
	is_int(db_cursor_first(c, &k, &klen, &v, &vlen), DB_NOTFOUND,
	    "cursor on an empty database");
	db_cursor_close(c);
	db_txn_abort(txn);
	db_close(env);
#undef WALK
}

static void
test_records(void)
{
	struct db_enc	 e;
	struct db_dec	 d;
	const uint8_t	*p;
	uint8_t		 buf[256], u8;
	uint16_t	 u16;
	uint32_t	 u32;
	uint64_t	 u64;
	int64_t		 t;
	const void	*bp;
	size_t		 len, blen, cut;
	char		 s[16], *sd;
	int		 fails, r;
	static const uint8_t want[] = {
	    7,				/* version */
	    0xab,			/* u8 */
	    0x12, 0x34,			/* u16 */
	    0xde, 0xad, 0xbe, 0xef,	/* u32 */
	    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,	/* time -2 */
	    0, 0, 0, 3, 'a', 0, 'b',	/* bytes */
	    0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',	/* str */
	    0, 0, 0, 0 };		/* empty str */

	db_enc_init(&e, 7);
	db_enc_u8(&e, 0xab);
	db_enc_u16(&e, 0x1234);
	db_enc_u32(&e, 0xdeadbeef);
	db_enc_u64(&e, 0x0102030405060708ULL);
	db_enc_time(&e, -2);
	db_enc_bytes(&e, "a\0b", 3);
	db_enc_str(&e, "hello");
	db_enc_str(&e, "");
	p = db_enc_data(&e, &len);
	is_mem(p, len, want, sizeof(want), "encoding is big-endian, fixed");
	is_int(db_rec_version(p, len), 7, "db_rec_version");
	is_int(db_rec_version(p, 0), -1, "db_rec_version of nothing");

	ok(db_dec_init(&d, p, len, 7) == 0 &&
	    db_dec_u8(&d, &u8) == 0 && u8 == 0xab &&
	    db_dec_u16(&d, &u16) == 0 && u16 == 0x1234 &&
	    db_dec_u32(&d, &u32) == 0 && u32 == 0xdeadbeef &&
	    db_dec_u64(&d, &u64) == 0 && u64 == 0x0102030405060708ULL &&
	    db_dec_time(&d, &t) == 0 && t == -2 &&
	    db_dec_bytes(&d, &bp, &blen) == 0 && blen == 3 &&
	    memcmp(bp, "a\0b", 3) == 0 &&
	    db_dec_str(&d, s, sizeof(s)) == 0 && strcmp(s, "hello") == 0 &&
	    db_dec_strdup(&d, &sd) == 0 && strcmp(sd, "") == 0 &&
	    db_dec_end(&d) == 0, "decode round trip");
	free(sd);

	/* Every truncation fails, and never reads past the copy. */
	fails = 0;
	for (cut = 0; cut < len; cut++) {
		uint8_t	*copy = malloc(cut ? cut : 1);

		memcpy(copy, p, cut);
		r = db_dec_init(&d, copy, cut, 7);
		r |= db_dec_u8(&d, &u8);
		r |= db_dec_u16(&d, &u16);
		r |= db_dec_u32(&d, &u32);
		r |= db_dec_u64(&d, &u64);
		r |= db_dec_time(&d, &t);
		r |= db_dec_bytes(&d, &bp, &blen);
		r |= db_dec_str(&d, s, sizeof(s));
		r |= db_dec_str(&d, s, sizeof(s));
		r |= db_dec_end(&d);
		if (r == -1)
			fails++;
		free(copy);
	}
	is_int(fails, len, "all %zu truncated records fail", len);

	ok(db_dec_init(&d, p, len, 8) == -1, "wrong version fails");
	ok(db_dec_u8(&d, &u8) == -1 && u8 == 0,
	    "after a failure every read fails and zeroes");
	ok(db_dec_init(&d, NULL, 0, 7) == -1, "empty record fails");

	memcpy(buf, p, len);
	buf[len] = 0;
	ok(db_dec_init(&d, buf, len + 1, 7) == 0 &&
	    db_dec_u8(&d, &u8) == 0 && db_dec_u16(&d, &u16) == 0 &&
	    db_dec_u32(&d, &u32) == 0 && db_dec_u64(&d, &u64) == 0 &&
	    db_dec_time(&d, &t) == 0 &&
	    db_dec_bytes(&d, &bp, &blen) == 0 &&
	    db_dec_str(&d, s, sizeof(s)) == 0 &&
	    db_dec_str(&d, s, sizeof(s)) == 0 &&
	    db_dec_end(&d) == -1, "trailing byte makes db_dec_end fail");

	/* A length running past the end, and the largest length. */
	memcpy(buf, p, len);
	buf[24] = 0x10;		/* bytes length 0x10000003 */
	ok(db_dec_init(&d, buf, len, 7) == 0 && db_dec_u8(&d, &u8) == 0 &&
	    db_dec_u16(&d, &u16) == 0 && db_dec_u32(&d, &u32) == 0 &&
	    db_dec_u64(&d, &u64) == 0 && db_dec_time(&d, &t) == 0 &&
	    db_dec_bytes(&d, &bp, &blen) == -1 && bp == NULL && blen == 0,
	    "length past the end fails");
	memset(buf + 24, 0xff, 4);
	ok(db_dec_init(&d, buf, len, 7) == 0 && db_dec_u8(&d, &u8) == 0 &&
	    db_dec_u16(&d, &u16) == 0 && db_dec_u32(&d, &u32) == 0 &&
	    db_dec_u64(&d, &u64) == 0 && db_dec_time(&d, &t) == 0 &&
	    db_dec_bytes(&d, &bp, &blen) == -1, "length 0xffffffff fails");

	/* str with a NUL, and too long for the buffer. */
	ok(db_dec_init(&d, p, len, 7) == 0 && db_dec_u8(&d, &u8) == 0 &&
	    db_dec_u16(&d, &u16) == 0 && db_dec_u32(&d, &u32) == 0 &&
	    db_dec_u64(&d, &u64) == 0 && db_dec_time(&d, &t) == 0 &&
	    db_dec_str(&d, s, sizeof(s)) == -1 && s[0] == '\0',
	    "str with a NUL fails");
	ok(db_dec_init(&d, p, len, 7) == 0 && db_dec_u8(&d, &u8) == 0 &&
	    db_dec_u16(&d, &u16) == 0 && db_dec_u32(&d, &u32) == 0 &&
	    db_dec_u64(&d, &u64) == 0 && db_dec_time(&d, &t) == 0 &&
	    db_dec_bytes(&d, &bp, &blen) == 0 &&
	    db_dec_str(&d, s, 5) == -1 && s[0] == '\0',
	    "str longer than the buffer fails");
	ok(db_dec_init(&d, p, len, 7) == 0 && db_dec_u8(&d, &u8) == 0 &&
	    db_dec_u16(&d, &u16) == 0 && db_dec_u32(&d, &u32) == 0 &&
	    db_dec_u64(&d, &u64) == 0 && db_dec_time(&d, &t) == 0 &&
	    db_dec_strdup(&d, &sd) == -1 && sd == NULL,
	    "strdup with a NUL fails");
	db_enc_free(&e);

	db_enc_init(&e, 1);
	db_enc_time(&e, INT64_MIN);
	db_enc_time(&e, INT64_MAX);
	p = db_enc_data(&e, &len);
	ok(db_dec_init(&d, p, len, 1) == 0 && db_dec_time(&d, &t) == 0 &&
	    t == INT64_MIN && db_dec_time(&d, &t) == 0 && t == INT64_MAX &&
	    db_dec_end(&d) == 0, "time extremes round trip");
	db_enc_free(&e);
}

struct many {
	unsigned int	dbi;
	int		n;
	int		calls;
};

static int
put_many(struct db_txn *txn, void *arg)
{
	struct many	*m = arg;
	char		 key[32], val[200];
	int		 i;

	m->calls++;
	memset(val, 'x', sizeof(val));
	for (i = 0; i < m->n; i++) {
		snprintf(key, sizeof(key), "key%06d", i);
		if (db_put(txn, m->dbi, key, strlen(key), val, sizeof(val),
		    0) == -1)
			return -1;
	}
	return 0;
}

static void
test_growth(void)
{
	struct db_options	 o;
	struct db_env		*env;
	struct db_txn		*txn;
	struct db_cursor	*c;
	struct many		 m;
	const void		*k, *v;
	size_t			 klen, vlen;
	int			 n, r;

	memset(&o, 0, sizeof(o));
	o.mapsize = 64 * 1024;
	o.maxmapsize = 64 * 1024 * 1024;
	env = db_open(path_in("grow"), &o);
	if (env == NULL || db_dbi_open(env, "t", DB_CREATE, &m.dbi) == -1) {
		ok(0, "growth env");
		db_close(env);
		return;
	}
	m.n = 5000;
	m.calls = 0;
	is_int(db_update(env, put_many, &m), 0,
	    "db_update writes 1 MB into a 64 KiB map");
	ok(m.calls > 1, "the txn was run again after growing (%d runs)",
	    m.calls);
	ok(db_mapsize(env) > 1024 * 1024, "map grew to %zu", db_mapsize(env));
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	c = db_cursor_open(txn, m.dbi);
	for (n = 0, r = db_cursor_first(c, &k, &klen, &v, &vlen); r == 0;
	    r = db_cursor_next(c, &k, &klen, &v, &vlen))
		n++;
	is_int(n, 5000, "all records there");
	db_cursor_close(c);
	db_txn_abort(txn);
	db_close(env);
}

static void
test_nogrowth(void)
{
	struct db_options	 o;
	struct db_env		*env;
	struct db_txn		*txn;
	struct many		 m;
	uint32_t		 v;
	const void		*vp;
	size_t			 vlen;
	char			 key[32], val[200];
	int			 i, r = 0;

	memset(&o, 0, sizeof(o));
	o.mapsize = 64 * 1024;
	env = db_open(path_in("full"), &o);
	if (env == NULL || db_dbi_open(env, "t", DB_CREATE, &m.dbi) == -1) {
		ok(0, "full env");
		db_close(env);
		return;
	}
	txn = db_txn_begin(env, 0);
	put_u32(txn, m.dbi, "before", 42);
	is_int(db_txn_commit(txn), 0, "small commit fits");
	m.n = 5000;
	m.calls = 0;
	is_int(db_update(env, put_many, &m), -1,
	    "db_update fails when the map may not grow");
	txn = db_txn_begin(env, 0);
	memset(val, 'y', sizeof(val));
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%06d", i);
		if ((r = db_put(txn, m.dbi, key, strlen(key), val,
		    sizeof(val), 0)) != 0)
			break;
	}
	is_int(r, -1, "plain put fails when the map is full");
	ok(db_txn_mapfull(txn), "db_txn_mapfull says why");
	is_int(db_txn_commit(txn), -1, "commit of a map-full txn fails");
	is_int(db_grow(env), -1, "db_grow refuses past maxmapsize");
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	ok(txn != NULL && get_u32(txn, m.dbi, "before", &v) == 0 && v == 42,
	    "earlier data intact");
	is_int(db_get(txn, m.dbi, "k000000", 7, &vp, &vlen), DB_NOTFOUND,
	    "nothing of the failed txn is there");
	db_txn_abort(txn);
	db_close(env);
}

#define NWRITES	300

/* The child of test_two_procs: wait for the parent's key, then write. */
static int
child_writer(const char *path)
{
	struct db_env	*env;
	struct db_txn	*txn;
	unsigned int	 dbi;
	uint32_t	 v, i;
	int		 tries, seen = 0;

	alarm(60);
	if ((env = db_open(path, NULL)) == NULL ||
	    db_dbi_open(env, "t", 0, &dbi) == -1)
		return 1;
	for (tries = 0; tries < 10000 && !seen; tries++) {
		if ((txn = db_txn_begin(env, DB_TXN_RDONLY)) == NULL)
			return 2;
		seen = get_u32(txn, dbi, "hello", &v) == 0 && v == 1;
		db_txn_abort(txn);
		if (!seen)
			usleep(1000);
	}
	if (!seen)
		return 3;
	for (i = 1; i <= NWRITES; i++) {
		if ((txn = db_txn_begin(env, 0)) == NULL)
			return 4;
		if (put_u32(txn, dbi, "a", i) != 0 ||
		    put_u32(txn, dbi, "b", i) != 0) {
			db_txn_abort(txn);
			return 5;
		}
		if (db_txn_commit(txn) != 0)
			return 6;
		usleep(100);	/* let the parent look in between */
	}
	db_close(env);
	return 0;
}

static void
test_two_procs(void)
{
	struct db_env	*env;
	struct db_txn	*txn;
	unsigned int	 dbi;
	uint32_t	 a, b, last = 0, changes = 0, pw = 0, v;
	int		 status = -1, done = 0, incons = 0, backwards = 0;
	int		 snapshot_bad = 0, ra, rb;
	pid_t		 pid, w;
	char		 key[32];

	env = db_open(path_in("shared"), NULL);
	if (env == NULL || db_dbi_open(env, "t", DB_CREATE, &dbi) == -1) {
		ok(0, "shared env");
		db_close(env);
		return;
	}
	db_close(env);

	fflush(stdout);
	if ((pid = fork()) == -1) {
		ok(0, "fork");
		return;
	}
	if (pid == 0)
		_exit(child_writer(path_in("shared")));

	/* Parent: open after fork, as every daemon must. */
	if ((env = db_open(path_in("shared"), NULL)) == NULL ||
	    db_dbi_open(env, "t", 0, &dbi) == -1) {
		ok(0, "parent open");
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		db_close(env);
		return;
	}
	txn = db_txn_begin(env, 0);
	put_u32(txn, dbi, "hello", 1);
	is_int(db_txn_commit(txn), 0, "parent writes the start signal");

	while (!done) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			done = 1;	/* one more read after the end */
		if ((txn = db_txn_begin(env, DB_TXN_RDONLY)) == NULL)
			break;
		ra = get_u32(txn, dbi, "a", &a);
		usleep(500);	/* the child commits meanwhile */
		rb = get_u32(txn, dbi, "b", &b);
		if (ra != rb || a != b)
			incons++;
		if (ra == 0 && rb == 0 && a < last)
			backwards++;
		if (ra == 0 && a != last) {
			changes++;
			last = a;
		}
		if (get_u32(txn, dbi, "a", &v) != ra || v != a)
			snapshot_bad++;
		db_txn_abort(txn);
		/* The parent writes too: writers take turns. */
		if ((txn = db_txn_begin(env, 0)) == NULL)
			break;
		snprintf(key, sizeof(key), "p%u", pw);
		if (put_u32(txn, dbi, key, pw) == 0 &&
		    db_txn_commit(txn) == 0)
			pw++;
		else
			db_txn_abort(txn);
	}
	ok(done && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child wrote %d txns and exited 0 (status %d)", NWRITES,
	    status);
	is_int(incons, 0, "parent's snapshots always had a == b");
	is_int(backwards, 0, "values never went backwards");
	is_int(snapshot_bad, 0, "re-reads in one txn are stable");
	diag("parent saw %u distinct values, wrote %u keys", changes, pw);
	ok(changes >= 2, "parent saw the child's progress (%u values)",
	    changes);
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	ok(txn != NULL && get_u32(txn, dbi, "a", &a) == 0 && a == NWRITES &&
	    get_u32(txn, dbi, "b", &b) == 0 && b == NWRITES,
	    "final value %u seen by the parent", a);
	ok(pw > 0 && get_u32(txn, dbi, "p0", &v) == 0 && v == 0,
	    "parent's own writes interleaved (%u)", pw);
	db_txn_abort(txn);
	db_close(env);
}

static int
child_grower(const char *path)
{
	struct db_options	 o;
	struct db_env		*env;
	struct many		 m;

	alarm(60);
	memset(&o, 0, sizeof(o));
	o.mapsize = 64 * 1024;
	o.maxmapsize = 64 * 1024 * 1024;
	if ((env = db_open(path, &o)) == NULL ||
	    db_dbi_open(env, "t", 0, &m.dbi) == -1)
		return 1;
	m.n = 5000;
	m.calls = 0;
	if (db_update(env, put_many, &m) != 0)
		return 2;
	db_close(env);
	return 0;
}

/* Another process grows the map; ours adopts the new size. */
static void
test_resized(void)
{
	struct db_options	 o;
	struct db_env		*env;
	struct db_txn		*txn;
	struct db_cursor	*c;
	const void		*k, *v;
	size_t			 klen, vlen, before;
	unsigned int		 dbi;
	pid_t			 pid;
	int			 status = -1, n, r;

	memset(&o, 0, sizeof(o));
	o.mapsize = 64 * 1024;
	env = db_open(path_in("resize"), &o);
	if (env == NULL || db_dbi_open(env, "t", DB_CREATE, &dbi) == -1) {
		ok(0, "resize env");
		db_close(env);
		return;
	}
	before = db_mapsize(env);
	fflush(stdout);
	if ((pid = fork()) == -1) {
		ok(0, "fork");
		db_close(env);
		return;
	}
	if (pid == 0)
		_exit(child_grower(path_in("resize")));
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child grew the map and wrote 1 MB (status %d)", status);
	txn = db_txn_begin(env, DB_TXN_RDONLY);
	ok(txn != NULL, "txn begins after another process grew the map");
	if (txn == NULL) {
		db_close(env);
		return;
	}
	ok(db_mapsize(env) > before, "map size adopted: %zu -> %zu", before,
	    db_mapsize(env));
	c = db_cursor_open(txn, dbi);
	for (n = 0, r = db_cursor_first(c, &k, &klen, &v, &vlen); r == 0;
	    r = db_cursor_next(c, &k, &klen, &v, &vlen))
		n++;
	is_int(n, 5000, "all of the child's records readable here");
	db_cursor_close(c);
	db_txn_abort(txn);
	db_close(env);
}

/* A process that dies inside a read txn leaves a slot that we clear. */
static void
test_stale_reader(void)
{
	struct db_env	*env, *cenv;
	pid_t		 pid;
	int		 status = -1;

	env = db_open(path_in("shared"), NULL);
	if (env == NULL) {
		ok(0, "stale env");
		return;
	}
	is_int(db_reader_check(env), 0, "no stale readers at first");
	fflush(stdout);
	if ((pid = fork()) == -1) {
		ok(0, "fork");
		db_close(env);
		return;
	}
	if (pid == 0) {
		if ((cenv = db_open(path_in("shared"), NULL)) == NULL ||
		    db_txn_begin(cenv, DB_TXN_RDONLY) == NULL)
			_exit(1);
		_exit(0);	/* dies with the read txn open */
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child died inside a read txn");
	is_int(db_reader_check(env), 1, "db_reader_check clears its slot");
	is_int(db_reader_check(env), 0, "and it stays cleared");
	db_close(env);
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	(void)tap_plan;		/* counted by done_testing() */
	alarm(120);
	umask(022);
	if (mkdtemp(tmpdir) == NULL) {
		printf("1..1\nnot ok 1 - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_basic();
	test_cursor();
	test_records();
	test_growth();
	test_nogrowth();
	test_two_procs();
	test_resized();
	test_stale_reader();
	rm_tree(tmpdir);
	ok(access(tmpdir, F_OK) == -1, "temporary directory removed");
	return done_testing();
}
