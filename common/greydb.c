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
 * The grey database: see greydb.h for the layout and the rules.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db.h"
#include "greydb.h"
#include "log.h"
#include "xmalloc.h"

#define GREYDB_SKEY_MAX	(GREYDB_KEY_PREFIX + 1 + GREYDB_HASH_LEN)
#define GREYDB_META_V1	1
#define GREYDB_JRN_V1	1
#define GREYDB_SEQKEY	"journal-seq"

struct greydb {
	struct db_env	 *env;
	unsigned int	  dbi_grey;
	unsigned int	  dbi_journal;
	unsigned int	  dbi_meta;
	char		 *path;
	int64_t		  passtime;
	int64_t		  greyexp;
	int64_t		  whiteexp;
	int64_t		  trapexp;
	char		 *lowprio_mx;
	size_t		  journal_max;
	int		  rdonly;
	int64_t		  startup;
	int64_t		(*clock)(void *);
	void		 *clockarg;
	char		**domains;
	size_t		  ndomains;
	int		  notify_fd;
	int		  journaled;	/* set by a txn that journaled */
};

/* A record's values. */
struct grec {
	int64_t		first;
	int64_t		pass;
	int64_t		expire;
	int32_t		bcount;
	int32_t		pcount;
};

/* Arguments of the transaction functions. */
struct grey_op {
	struct greydb		*db;
	const struct greydb_tuple *t;
	const char		*orig_dst;
	const char		*key;	/* text key (IP, address, ...) */
	char			*tkey;	/* tuple key */
	size_t			 tkeylen;
	int			 flags;
	int			 type;
	int64_t			 expire;
	int64_t			 whiteexp;
	int			 result;
	const struct greydb_entry *ent;	/* greydb_put_entry() */
};

/* A change queued by the scanner. */
struct scan_add {
	char		*ip;
	struct grec	 rec;
};

struct scan_op {
	struct greydb	 *db;
	int		(*blacklisted)(const char *, void *);
	void		 *arg;
	struct greydb_scan *res;
	unsigned char	**dels;
	size_t		 *dellens;
	size_t		  ndels;
	size_t		  cdels;
	struct scan_add	 *adds;
	size_t		  nadds;
	size_t		  cadds;
	size_t		  cwhite;
	size_t		  ctrapped;
};

struct trim_op {
	struct greydb	*db;
	uint64_t	 upto;
};

static int64_t	 greydb_default_clock(void *);
static int	 greydb_check_field(const char *, const char *, int);
static char	*greydb_tuple_key(const struct greydb_tuple *, size_t *);
static int	 greydb_hash(const void *, size_t, unsigned char *);
static void	 rec_encode(struct db_enc *, const struct grec *,
		    const char *, size_t);
static int	 rec_get(struct greydb *, struct db_txn *, const char *,
		    size_t, struct grec *);
static int	 rec_lookup(struct greydb *, struct db_txn *, const char *,
		    size_t, struct grec *, int);
static int	 rec_put(struct greydb *, struct db_txn *, const char *,
		    size_t, const struct grec *);
static int	 rec_del(struct greydb *, struct db_txn *, const char *,
		    size_t);
static int	 skey_text(const void *, size_t, const void *, size_t,
		    const char **, size_t *);
static int	 journal_add(struct greydb *, struct db_txn *,
		    enum greydb_type, enum greydb_op, enum greydb_origin,
		    int64_t, const char *, const char *, const char *,
		    const char *);
static void	 journal_notify(struct greydb *);
static int	 greydb_write(struct greydb *,
		    int (*)(struct db_txn *, void *), void *);
static int	 trapcheck(struct greydb *, struct db_txn *, const char *);
static int	 grey_txn(struct db_txn *, void *);
static int	 add_txn(struct db_txn *, void *);
static int	 put_txn(struct db_txn *, void *);
static int	 refresh_txn(struct db_txn *, void *);
static int	 twupdate_txn(struct db_txn *, void *);
static int	 del_txn(struct db_txn *, void *);
static int	 delgrey_txn(struct db_txn *, void *);
static int	 scan_txn(struct db_txn *, void *);
static void	 scan_reset(struct scan_op *);
static void	 scan_queue_free(struct scan_op *);
static int	 scan_del(struct scan_op *, const void *, size_t);
static void	 scan_list_add(char ***, size_t *, size_t *, const char *);
static void	 scan_list_sort(char **, size_t *);
static int	 strp_cmp(const void *, const void *);
static int	 trim_txn(struct db_txn *, void *);
static int	 entry_fill(const void *, size_t, const void *, size_t,
		    struct greydb_entry *);
static int32_t	 u32_to_i32(uint32_t);

static const char greydb_empty[] = "";

static int64_t
greydb_default_clock(void *arg)
{
	(void)arg;
	return ((int64_t)time(NULL));
}

static int32_t
u32_to_i32(uint32_t u)
{
	if (u <= INT32_MAX)
		return ((int32_t)u);
	return ((int32_t)((int64_t)u - 4294967296LL));
}

struct greydb *
greydb_open(const char *path, const struct greydb_config *cfg)
{
	struct greydb		*db;
	struct greydb_config	 def;
	struct db_options	 opt;
	int			 dflags;

	if (cfg == NULL) {
		memset(&def, 0, sizeof(def));
		cfg = &def;
	}
	if (path == NULL)
		path = GREYDB_PATH;
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->passtime = cfg->passtime > 0 ? cfg->passtime : GREYDB_PASSTIME;
	db->greyexp = cfg->greyexp > 0 ? cfg->greyexp : GREYDB_GREYEXP;
	db->whiteexp = cfg->whiteexp > 0 ? cfg->whiteexp : GREYDB_WHITEEXP;
	db->trapexp = cfg->trapexp > 0 ? cfg->trapexp : GREYDB_TRAPEXP;
	if (cfg->lowprio_mx != NULL)
		db->lowprio_mx = xstrdup(cfg->lowprio_mx);
	db->journal_max = cfg->journal_max > 0 ? cfg->journal_max :
	    GREYDB_JOURNAL_MAX;
	db->rdonly = (cfg->flags & GREYDB_RDONLY) != 0;
	db->clock = greydb_default_clock;
	db->notify_fd = -1;

	memset(&opt, 0, sizeof(opt));
	opt.mapsize = cfg->mapsize > 0 ? cfg->mapsize : 64UL * 1024 * 1024;
	opt.maxmapsize = cfg->maxmapsize > 0 ? cfg->maxmapsize :
	    (sizeof(size_t) > 4 ? (size_t)4 << 30 : (size_t)1 << 30);
	if (opt.maxmapsize < opt.mapsize)
		opt.maxmapsize = opt.mapsize;
	opt.maxdbs = 8;
	opt.mode = cfg->mode != 0 ? cfg->mode : 0600;
	if (db->rdonly)
		opt.flags |= DB_RDONLY;
	if (cfg->flags & GREYDB_NOSYNC)
		opt.flags |= DB_NOSYNC;
	if ((db->env = db_open(path, &opt)) == NULL)
		goto fail;
	dflags = db->rdonly ? 0 : DB_CREATE;
	if (db_dbi_open(db->env, "grey", dflags, &db->dbi_grey) == -1 ||
	    db_dbi_open(db->env, "journal", dflags, &db->dbi_journal) == -1 ||
	    db_dbi_open(db->env, "meta", dflags, &db->dbi_meta) == -1)
		goto fail;
	db->startup = greydb_now(db);
	return (db);
 fail:
	greydb_close(db);
	return (NULL);
}

void
greydb_close(struct greydb *db)
{
	size_t	i;

	if (db == NULL)
		return;
	db_close(db->env);
	for (i = 0; i < db->ndomains; i++)
		free(db->domains[i]);
	free(db->domains);
	if (db->notify_fd != -1)
		close(db->notify_fd);
	free(db->lowprio_mx);
	free(db->path);
	free(db);
}

const char *
greydb_path(const struct greydb *db)
{
	return (db->path);
}

void
greydb_set_clock(struct greydb *db, int64_t (*fn)(void *), void *arg)
{
	db->clock = fn != NULL ? fn : greydb_default_clock;
	db->clockarg = arg;
}

void
greydb_set_startup(struct greydb *db, int64_t t)
{
	db->startup = t;
}

int64_t
greydb_now(struct greydb *db)
{
	return (db->clock(db->clockarg));
}

/* alloweddomains */

int
greydb_set_alloweddomains(struct greydb *db, const char *const *list,
    size_t n)
{
	size_t	i;

	for (i = 0; i < db->ndomains; i++)
		free(db->domains[i]);
	free(db->domains);
	db->domains = NULL;
	db->ndomains = 0;
	if (n == 0)
		return (0);
	db->domains = xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++)
		db->domains[i] = xstrdup(list[i]);
	db->ndomains = n;
	return (0);
}

int
greydb_alloweddomains_load(struct greydb *db, const char *path)
{
	FILE	 *fp;
	char	 *line = NULL, *p;
	size_t	  cap = 0, len, n = 0, c = 0;
	ssize_t	  r;
	char	**list = NULL;
	int	  ret = 0;

	if (path == NULL)
		path = GREYDB_ALLOWEDDOMAINS;
	greydb_set_alloweddomains(db, NULL, 0);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		log_warn("%s", path);
		return (-1);
	}
	while ((r = getline(&line, &cap, fp)) != -1) {
		p = line;
		len = (size_t)r;
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		if (len == 0 || *p == '#')
			continue;
		if (len + 1 > GREYDB_MAX_MAIL) {
			log_warnx("line too long in %s - file ignored", path);
			while (n > 0)
				free(list[--n]);
			goto done;
		}
		if (n == c) {
			c = c == 0 ? 16 : c * 2;
			list = xreallocarray(list, c, sizeof(char *));
		}
		list[n++] = xstrndup(p, len);
	}
	if (ferror(fp)) {
		log_warn("%s", path);
		ret = -1;
		while (n > 0)
			free(list[--n]);
	}
 done:
	fclose(fp);
	free(line);
	if (n > 0)
		greydb_set_alloweddomains(db, (const char *const *)list, n);
	while (n > 0)
		free(list[--n]);
	free(list);
	return (ret);
}

/* keys */

static int
greydb_hash(const void *data, size_t len, unsigned char *out)
{
	unsigned int	olen = 0;

	if (EVP_Digest(data, len, out, &olen, EVP_sha256(), NULL) != 1 ||
	    olen != GREYDB_HASH_LEN) {
		log_warnx("greydb: sha256 failed");
		return (-1);
	}
	return (0);
}

size_t
greydb_key_store(const char *key, size_t len, unsigned char *out)
{
	if (len <= GREYDB_KEY_INLINE) {
		memcpy(out, key, len);
		return (len);
	}
	memcpy(out, key, GREYDB_KEY_PREFIX);
	out[GREYDB_KEY_PREFIX] = '\0';
	if (greydb_hash(key, len, out + GREYDB_KEY_PREFIX + 1) == -1)
		return (0);
	return (GREYDB_SKEY_MAX);
}

/*
 * The text key of a stored key and its record's fullkey: 0, or -1 if
 * they do not belong together.
 */
static int
skey_text(const void *skey, size_t slen, const void *fk, size_t fklen,
    const char **text, size_t *tlen)
{
	unsigned char	h[GREYDB_HASH_LEN];
	const unsigned char *s = skey;

	if (slen == 0)
		return (-1);
	if (fklen == 0) {
		if (slen > GREYDB_KEY_INLINE || memchr(s, '\0', slen) != NULL)
			return (-1);
		*text = skey;
		*tlen = slen;
		return (0);
	}
	if (slen != GREYDB_SKEY_MAX || s[GREYDB_KEY_PREFIX] != '\0' ||
	    fklen <= GREYDB_KEY_INLINE || memchr(fk, '\0', fklen) != NULL ||
	    memcmp(fk, s, GREYDB_KEY_PREFIX) != 0)
		return (-1);
	if (greydb_hash(fk, fklen, h) == -1 ||
	    memcmp(h, s + GREYDB_KEY_PREFIX + 1, GREYDB_HASH_LEN) != 0)
		return (-1);
	*text = fk;
	*tlen = fklen;
	return (0);
}

int
greydb_rec_decode(const void *val, size_t vlen, struct greydb_entry *e,
    const void **fk, size_t *fklen)
{
	struct db_dec	d;
	uint32_t	bc = 0, pc = 0;

	*fk = NULL;
	*fklen = 0;
	if (db_dec_init(&d, val, vlen, GREYDB_REC_V1) == -1 ||
	    db_dec_time(&d, &e->first) == -1 ||
	    db_dec_time(&d, &e->pass) == -1 ||
	    db_dec_time(&d, &e->expire) == -1 ||
	    db_dec_u32(&d, &bc) == -1 ||
	    db_dec_u32(&d, &pc) == -1 ||
	    db_dec_bytes(&d, fk, fklen) == -1 ||
	    db_dec_end(&d) == -1) {
		e->first = e->pass = e->expire = 0;
		e->bcount = e->pcount = 0;
		*fk = NULL;
		*fklen = 0;
		return (-1);
	}
	e->bcount = u32_to_i32(bc);
	e->pcount = u32_to_i32(pc);
	return (0);
}

int
greydb_key_parse(const char *key, size_t len, struct greydb_entry *e)
{
	char	*f[4], *p, *q;
	int	 n;

	e->buf_ = NULL;
	e->key = e->ip = e->helo = e->from = e->to = greydb_empty;
	e->keylen = 0;
	e->type = GREYDB_BOGUS;
	if (len == 0 || memchr(key, '\0', len) != NULL)
		return (-1);
	e->buf_ = xmalloc(2 * len + 2);
	memcpy(e->buf_, key, len);
	e->buf_[len] = '\0';
	e->key = e->buf_;
	e->keylen = len;
	p = e->buf_ + len + 1;
	memcpy(p, key, len);
	p[len] = '\0';
	/* spamd: ip, then up to three '\n'; "to" takes the rest */
	f[0] = p;
	for (n = 1; n < 4; n++) {
		if ((q = strchr(p, '\n')) == NULL)
			break;
		*q = '\0';
		p = q + 1;
		f[n] = p;
	}
	switch (n) {
	case 1:
		e->type = GREYDB_WHITE;
		e->ip = f[0];
		break;
	case 3:		/* spamd's old format: no helo */
		e->type = GREYDB_GREY;
		e->ip = f[0];
		e->from = f[1];
		e->to = f[2];
		break;
	case 4:
		e->type = GREYDB_GREY;
		e->ip = f[0];
		e->helo = f[1];
		e->from = f[2];
		e->to = f[3];
		break;
	default:	/* "No from part in grey key" */
		e->type = GREYDB_BOGUS;
		e->ip = f[0];
		return (-1);
	}
	return (0);
}

void
greydb_entry_free(struct greydb_entry *e)
{
	if (e == NULL)
		return;
	free(e->buf_);
	e->buf_ = NULL;
}

const char *
greydb_type_name(enum greydb_type t)
{
	switch (t) {
	case GREYDB_GREY:
		return ("GREY");
	case GREYDB_WHITE:
		return ("WHITE");
	case GREYDB_TRAPPED:
		return ("TRAPPED");
	case GREYDB_SPAMTRAP:
		return ("SPAMTRAP");
	default:
		return ("BOGUS");
	}
}

int
greydb_ip_valid(const char *ip)
{
	struct addrinfo	hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (ip == NULL || *ip == '\0' ||
	    getaddrinfo(ip, NULL, &hints, &res) != 0)
		return (0);
	freeaddrinfo(res);
	return (1);
}

/*
 * Fill e from a stored key and value: 0, or -1 for a bogus record (e
 * then has type GREYDB_BOGUS and whatever key could be recovered).
 */
static int
entry_fill(const void *skey, size_t slen, const void *val, size_t vlen,
    struct greydb_entry *e)
{
	const void	*fk;
	const char	*text;
	size_t		 fklen, tlen;
	int		 bad = 0;

	memset(e, 0, sizeof(*e));
	if (greydb_rec_decode(val, vlen, e, &fk, &fklen) == -1)
		bad = 1;
	if (skey_text(skey, slen, fk, fklen, &text, &tlen) == -1) {
		bad = 1;
		text = skey;
		tlen = slen;
		if (slen > GREYDB_KEY_PREFIX &&
		    ((const char *)skey)[GREYDB_KEY_PREFIX] == '\0')
			tlen = GREYDB_KEY_PREFIX;
	}
	if (greydb_key_parse(text, tlen, e) == -1)
		bad = 1;
	if (bad) {
		e->type = GREYDB_BOGUS;
		return (-1);
	}
	if (e->type == GREYDB_WHITE) {
		if (e->pcount == GREYDB_PCOUNT_TRAPPED)
			e->type = GREYDB_TRAPPED;
		else if (e->pcount == GREYDB_PCOUNT_SPAMTRAP)
			e->type = GREYDB_SPAMTRAP;
	}
	return (0);
}

static int
greydb_check_field(const char *name, const char *s, int empty_ok)
{
	size_t	len;

	if (s == NULL || (!empty_ok && *s == '\0')) {
		log_warnx("greydb: empty %s", name);
		return (-1);
	}
	len = strlen(s);
	if (len >= GREYDB_MAX_MAIL || strchr(s, '\n') != NULL) {
		log_warnx("greydb: invalid %s", name);
		return (-1);
	}
	return (0);
}

static char *
greydb_tuple_key(const struct greydb_tuple *t, size_t *len)
{
	char	*k;
	int	 n;

	n = xasprintf(&k, "%s\n%s\n%s\n%s", t->ip, t->helo, t->from,
	    t->to);
	*len = (size_t)n;
	return (k);
}

/* records */

static void
rec_encode(struct db_enc *enc, const struct grec *r, const char *key,
    size_t len)
{
	db_enc_init(enc, GREYDB_REC_V1);
	db_enc_time(enc, r->first);
	db_enc_time(enc, r->pass);
	db_enc_time(enc, r->expire);
	db_enc_u32(enc, (uint32_t)r->bcount);
	db_enc_u32(enc, (uint32_t)r->pcount);
	if (len > GREYDB_KEY_INLINE)
		db_enc_bytes(enc, key, len);
	else
		db_enc_bytes(enc, NULL, 0);
}

/* 0 (found, r filled), GREYDB_NOTFOUND (also for a bogus record), -1. */
static int
rec_get(struct greydb *db, struct db_txn *txn, const char *key,
    size_t len, struct grec *r)
{
	return (rec_lookup(db, txn, key, len, r, 1));
}

static int
rec_lookup(struct greydb *db, struct db_txn *txn, const char *key,
    size_t len, struct grec *r, int warn)
{
	unsigned char		 skey[GREYDB_SKEY_MAX];
	struct greydb_entry	 e;
	const void		*val, *fk;
	size_t			 slen, vlen, fklen, i;
	int			 ret;

	if ((slen = greydb_key_store(key, len, skey)) == 0)
		return (-1);
	ret = db_get(txn, db->dbi_grey, skey, slen, &val, &vlen);
	if (ret != 0)
		return (ret == DB_NOTFOUND ? GREYDB_NOTFOUND : -1);
	memset(&e, 0, sizeof(e));
	if (greydb_rec_decode(val, vlen, &e, &fk, &fklen) == -1) {
		if (warn) {
			/* the IP: a tuple key's first line */
			for (i = 0; i < len && i < 64 && key[i] != '\n'; i++)
				;
			log_warnx("greydb %s: bogus record for %.*s%s",
			    db->path, (int)i, key, i < len ? "..." : "");
		}
		return (GREYDB_NOTFOUND);
	}
	if (len > GREYDB_KEY_INLINE &&
	    (fklen != len || memcmp(fk, key, len) != 0)) {
		log_warnx("greydb %s: key hash collision", db->path);
		return (-1);
	}
	r->first = e.first;
	r->pass = e.pass;
	r->expire = e.expire;
	r->bcount = e.bcount;
	r->pcount = e.pcount;
	return (0);
}

static int
rec_put(struct greydb *db, struct db_txn *txn, const char *key,
    size_t len, const struct grec *r)
{
	unsigned char	 skey[GREYDB_SKEY_MAX];
	struct db_enc	 enc;
	const void	*data;
	size_t		 slen, dlen;
	int		 ret = -1;

	if ((slen = greydb_key_store(key, len, skey)) == 0)
		return (-1);
	rec_encode(&enc, r, key, len);
	if ((data = db_enc_data(&enc, &dlen)) != NULL)
		ret = db_put(txn, db->dbi_grey, skey, slen, data, dlen, 0);
	db_enc_free(&enc);
	return (ret == 0 ? 0 : -1);
}

static int
rec_del(struct greydb *db, struct db_txn *txn, const char *key, size_t len)
{
	unsigned char	skey[GREYDB_SKEY_MAX];
	size_t		slen;
	int		ret;

	if ((slen = greydb_key_store(key, len, skey)) == 0)
		return (-1);
	ret = db_del(txn, db->dbi_grey, skey, slen);
	if (ret == DB_NOTFOUND)
		return (GREYDB_NOTFOUND);
	return (ret == 0 ? 0 : -1);
}

/* journal */

static int
journal_add(struct greydb *db, struct db_txn *txn, enum greydb_type kind,
    enum greydb_op op, enum greydb_origin origin, int64_t expire,
    const char *ip, const char *helo, const char *from, const char *to)
{
	struct db_enc	 enc;
	struct db_dec	 dec;
	struct db_cursor *c;
	const void	*val, *k, *v;
	const void	*data;
	unsigned char	 skey[8];
	uint64_t	 seq = 0;
	size_t		 vlen, dlen, klen, n;
	int		 ret, i;

	ret = db_get(txn, db->dbi_meta, GREYDB_SEQKEY,
	    sizeof(GREYDB_SEQKEY) - 1, &val, &vlen);
	if (ret == -1)
		return (-1);
	if (ret == 0 && (db_dec_init(&dec, val, vlen, GREYDB_META_V1) == -1 ||
	    db_dec_u64(&dec, &seq) == -1 || db_dec_end(&dec) == -1)) {
		log_warnx("greydb %s: bogus journal sequence", db->path);
		return (-1);
	}
	seq++;
	db_enc_init(&enc, GREYDB_META_V1);
	db_enc_u64(&enc, seq);
	data = db_enc_data(&enc, &dlen);
	ret = db_put(txn, db->dbi_meta, GREYDB_SEQKEY,
	    sizeof(GREYDB_SEQKEY) - 1, data, dlen, 0);
	db_enc_free(&enc);
	if (ret != 0)
		return (-1);

	for (i = 0; i < 8; i++)
		skey[i] = (unsigned char)(seq >> (56 - 8 * i));
	db_enc_init(&enc, GREYDB_JRN_V1);
	db_enc_u8(&enc, (uint8_t)kind);
	db_enc_u8(&enc, (uint8_t)op);
	db_enc_u8(&enc, (uint8_t)origin);
	db_enc_time(&enc, greydb_now(db));
	db_enc_time(&enc, expire);
	db_enc_str(&enc, ip);
	db_enc_str(&enc, helo != NULL ? helo : "");
	db_enc_str(&enc, from != NULL ? from : "");
	db_enc_str(&enc, to != NULL ? to : "");
	ret = -1;
	if ((data = db_enc_data(&enc, &dlen)) != NULL)
		ret = db_put(txn, db->dbi_journal, skey, sizeof(skey), data,
		    dlen, 0);
	db_enc_free(&enc);
	if (ret != 0)
		return (-1);

	/* keep at most journal_max changes: drop the oldest */
	if (db_count(txn, db->dbi_journal, &n) == -1)
		return (-1);
	if (n > db->journal_max) {
		if ((c = db_cursor_open(txn, db->dbi_journal)) == NULL)
			return (-1);
		ret = db_cursor_first(c, &k, &klen, &v, &vlen);
		while (ret == 0 && n > db->journal_max) {
			if (db_cursor_del(c) == -1) {
				ret = -1;
				break;
			}
			n--;
			ret = db_cursor_next(c, &k, &klen, &v, &vlen);
		}
		db_cursor_close(c);
		if (ret == -1)
			return (-1);
	}
	db->journaled = 1;
	return (0);
}

static void
journal_notify(struct greydb *db)
{
	struct sockaddr_un	sun;
	char			b = 'j';

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    db->path, GREYDB_NOTIFY_NAME) >= sizeof(sun.sun_path))
		return;
	if (db->notify_fd == -1) {
		db->notify_fd = socket(AF_UNIX,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (db->notify_fd == -1)
			return;
	}
	/* best effort: nobody listening, or the socket full, is fine */
	(void)sendto(db->notify_fd, &b, 1, 0, (struct sockaddr *)&sun,
	    sizeof(sun));
}

static int
greydb_write(struct greydb *db, int (*fn)(struct db_txn *, void *),
    void *arg)
{
	int	ret;

	if (db->rdonly) {
		log_warnx("greydb %s: opened read-only", db->path);
		return (-1);
	}
	db->journaled = 0;
	ret = db_update(db->env, fn, arg);
	if (ret == 0 && db->journaled)
		journal_notify(db);
	db->journaled = 0;
	return (ret);
}

int
greydb_journal_listen(struct greydb *db)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    db->path, GREYDB_NOTIFY_NAME) >= sizeof(sun.sun_path)) {
		log_warnx("greydb %s: path too long for %s", db->path,
		    GREYDB_NOTIFY_NAME);
		return (-1);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("greydb: socket");
		return (-1);
	}
	(void)unlink(sun.sun_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("greydb: bind %s", sun.sun_path);
		close(fd);
		return (-1);
	}
	return (fd);
}

void
greydb_journal_drain(int fd)
{
	char	buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int
greydb_journal_last(struct greydb *db, uint64_t *seq)
{
	struct db_txn	*txn;
	struct db_dec	 dec;
	const void	*val;
	size_t		 vlen;
	int		 ret;

	*seq = 0;
	if ((txn = db_txn_begin(db->env, DB_TXN_RDONLY)) == NULL)
		return (-1);
	ret = db_get(txn, db->dbi_meta, GREYDB_SEQKEY,
	    sizeof(GREYDB_SEQKEY) - 1, &val, &vlen);
	if (ret == 0 && (db_dec_init(&dec, val, vlen, GREYDB_META_V1) == -1 ||
	    db_dec_u64(&dec, seq) == -1 || db_dec_end(&dec) == -1)) {
		log_warnx("greydb %s: bogus journal sequence", db->path);
		ret = -1;
	}
	db_txn_abort(txn);
	if (ret == DB_NOTFOUND)
		ret = 0;
	return (ret);
}

int
greydb_journal_read(struct greydb *db, uint64_t after, size_t max,
    int (*cb)(const struct greydb_change *, void *), void *arg)
{
	struct greydb_change	 ch;
	struct db_txn		*txn;
	struct db_cursor	*c;
	struct db_dec		 dec;
	const unsigned char	*k;
	const void		*kv, *v;
	char			*ip = NULL, *helo = NULL, *from = NULL;
	char			*to = NULL;
	uint8_t			 kind, op, origin;
	uint64_t		 seq;
	size_t			 klen, vlen, n = 0;
	int			 ret, i, count = 0;

	if ((txn = db_txn_begin(db->env, DB_TXN_RDONLY)) == NULL)
		return (-1);
	if ((c = db_cursor_open(txn, db->dbi_journal)) == NULL) {
		db_txn_abort(txn);
		return (-1);
	}
	for (ret = db_cursor_first(c, &kv, &klen, &v, &vlen); ret == 0;
	    ret = db_cursor_next(c, &kv, &klen, &v, &vlen)) {
		k = kv;
		if (klen != 8) {
			log_warnx("greydb %s: bogus journal key", db->path);
			continue;
		}
		for (seq = 0, i = 0; i < 8; i++)
			seq = (seq << 8) | k[i];
		if (seq <= after)
			continue;
		memset(&ch, 0, sizeof(ch));
		ch.seq = seq;
		if (db_dec_init(&dec, v, vlen, GREYDB_JRN_V1) == -1 ||
		    db_dec_u8(&dec, &kind) == -1 ||
		    db_dec_u8(&dec, &op) == -1 ||
		    db_dec_u8(&dec, &origin) == -1 ||
		    db_dec_time(&dec, &ch.time) == -1 ||
		    db_dec_time(&dec, &ch.expire) == -1 ||
		    db_dec_strdup(&dec, &ip) == -1 ||
		    db_dec_strdup(&dec, &helo) == -1 ||
		    db_dec_strdup(&dec, &from) == -1 ||
		    db_dec_strdup(&dec, &to) == -1 ||
		    db_dec_end(&dec) == -1 ||
		    kind < GREYDB_GREY || kind > GREYDB_TRAPPED ||
		    op < GREYDB_OP_SET || op > GREYDB_OP_DEL ||
		    origin < GREYDB_ORIGIN_GREYD ||
		    origin > GREYDB_ORIGIN_LOGD) {
			log_warnx("greydb %s: bogus journal entry %llu",
			    db->path, (unsigned long long)seq);
		} else {
			ch.kind = kind;
			ch.op = op;
			ch.origin = origin;
			ch.ip = ip;
			ch.helo = helo;
			ch.from = from;
			ch.to = to;
			count++;
			if (cb(&ch, arg) != 0)
				ret = DB_NOTFOUND;
		}
		free(ip);
		free(helo);
		free(from);
		free(to);
		ip = helo = from = to = NULL;
		if (ret == DB_NOTFOUND || (max > 0 && ++n >= max))
			break;
	}
	db_cursor_close(c);
	db_txn_abort(txn);
	return (ret == -1 ? -1 : count);
}

static int
trim_txn(struct db_txn *txn, void *arg)
{
	struct trim_op		*op = arg;
	struct db_cursor	*c;
	const unsigned char	*k;
	const void		*kv, *v;
	uint64_t		 seq;
	size_t			 klen, vlen;
	int			 ret, i;

	if ((c = db_cursor_open(txn, op->db->dbi_journal)) == NULL)
		return (-1);
	ret = db_cursor_first(c, &kv, &klen, &v, &vlen);
	while (ret == 0) {
		k = kv;
		for (seq = 0, i = 0; i < 8 && (size_t)i < klen; i++)
			seq = (seq << 8) | k[i];
		if (klen == 8 && seq > op->upto)
			break;
		if (db_cursor_del(c) == -1) {
			ret = -1;
			break;
		}
		ret = db_cursor_next(c, &kv, &klen, &v, &vlen);
	}
	db_cursor_close(c);
	return (ret == -1 ? -1 : 0);
}

int
greydb_journal_trim(struct greydb *db, uint64_t upto)
{
	struct trim_op	op;

	op.db = db;
	op.upto = upto;
	return (greydb_write(db, trim_txn, &op));
}

/* greylisting */

/*
 * spamd's trapcheck: 1 if the RCPT address traps the IP, 0 if not,
 * -1 on error.
 */
static int
trapcheck(struct greydb *db, struct db_txn *txn, const char *to)
{
	char		 buf[GREYDB_MAX_MAIL];
	struct grec	 r;
	size_t		 i, len, slen;
	int		 match = 0, ret;

	if (*to == '<')
		to++;
	(void)strlcpy(buf, to, sizeof(buf));
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '>')
		buf[--len] = '\0';
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (db->ndomains > 0) {
		for (i = 0; i < db->ndomains && !match; i++) {
			slen = strlen(db->domains[i]);
			if (slen <= len &&
			    strcasecmp(buf + len - slen, db->domains[i]) == 0)
				match = 1;
		}
		if (!match)
			return (1);
	}
	if (len == 0)
		return (0);
	ret = rec_get(db, txn, buf, len, &r);
	if (ret == -1)
		return (-1);
	return (ret == 0);
}

static int
grey_txn(struct db_txn *txn, void *arg)
{
	struct grey_op		*op = arg;
	struct greydb		*db = op->db;
	const struct greydb_tuple *t = op->t;
	struct grec		 r;
	const char		*lookup;
	size_t			 llen;
	int64_t			 now, expire;
	int			 trapped, ret;

	now = greydb_now(db);
	if ((trapped = trapcheck(db, txn, t->to)) == -1)
		return (-1);
	if (trapped) {
		lookup = t->ip;
		llen = strlen(t->ip);
		expire = db->trapexp;
	} else {
		lookup = op->tkey;
		llen = op->tkeylen;
		expire = db->greyexp;
	}
	if ((ret = rec_get(db, txn, lookup, llen, &r)) == -1)
		return (-1);
	if (ret == GREYDB_NOTFOUND) {
		if (!trapped && !(op->flags & GREYDB_FROMSYNC) &&
		    db->lowprio_mx != NULL && op->orig_dst != NULL &&
		    strcmp(op->orig_dst, db->lowprio_mx) == 0 &&
		    db->startup + GREYDB_LOWPRIO_GRACE < now) {
			log_debug("greydb: trapping %s for trying %s first",
			    t->ip, db->lowprio_mx);
			trapped = 1;
			lookup = t->ip;
			llen = strlen(t->ip);
			expire = db->trapexp;
		}
		r.first = now;
		r.bcount = 1;
		r.pcount = trapped ? GREYDB_PCOUNT_TRAPPED : 0;
		r.pass = now + expire;
		r.expire = now + expire;
	} else {
		r.bcount++;
		r.pcount = trapped ? GREYDB_PCOUNT_TRAPPED : 0;
		if (r.first + db->passtime < now)
			r.pass = now;
	}
	if (rec_put(db, txn, lookup, llen, &r) == -1)
		return (-1);
	op->result = trapped ? GREYDB_R_TRAPPED : GREYDB_R_GREY;
	if (op->flags & GREYDB_FROMSYNC)
		return (0);
	if (trapped)
		return (journal_add(db, txn, GREYDB_TRAPPED, GREYDB_OP_SET,
		    GREYDB_ORIGIN_GREYD, now + db->trapexp, t->ip, NULL, NULL,
		    NULL));
	return (journal_add(db, txn, GREYDB_GREY, GREYDB_OP_SET,
	    GREYDB_ORIGIN_GREYD, r.expire, t->ip, t->helo, t->from, t->to));
}

int
greydb_grey(struct greydb *db, const struct greydb_tuple *t,
    const char *orig_dst, int flags, int *result)
{
	struct grey_op	op;
	int		ret;

	*result = 0;
	if (greydb_check_field("ip", t->ip, 0) == -1 ||
	    greydb_check_field("helo", t->helo, 1) == -1 ||
	    greydb_check_field("from", t->from, 1) == -1 ||
	    greydb_check_field("to", t->to, 0) == -1)
		return (-1);
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.t = t;
	op.orig_dst = orig_dst;
	op.flags = flags;
	op.tkey = greydb_tuple_key(t, &op.tkeylen);
	ret = greydb_write(db, grey_txn, &op);
	free(op.tkey);
	if (ret == 0)
		*result = op.result;
	return (ret == 0 ? 0 : -1);
}

/* manual changes */

static int
add_txn(struct db_txn *txn, void *arg)
{
	struct grey_op	*op = arg;
	struct greydb	*db = op->db;
	struct grec	 r;
	char		*k;
	size_t		 len, i;
	int64_t		 now;
	int		 ret;

	now = greydb_now(db);
	len = strlen(op->key);
	if ((ret = rec_get(db, txn, op->key, len, &r)) == -1)
		return (-1);
	k = xstrdup(op->key);
	if (ret == GREYDB_NOTFOUND) {
		memset(&r, 0, sizeof(r));
		r.first = now;
		r.bcount = 1;
		switch (op->type) {
		case GREYDB_WHITE:
			r.pass = now;
			r.expire = now + db->whiteexp;
			break;
		case GREYDB_TRAPPED:
			r.expire = now + db->trapexp;
			r.pcount = GREYDB_PCOUNT_TRAPPED;
			break;
		default:	/* SPAMTRAP */
			if (strchr(k, '@') == NULL) {
				free(k);
				return (GREYDB_NOTEMAIL);
			}
			r.expire = 0;
			r.pcount = GREYDB_PCOUNT_SPAMTRAP;
			for (i = 0; i < len; i++)
				k[i] = (char)tolower((unsigned char)k[i]);
			break;
		}
	} else {
		r.pcount++;
		switch (op->type) {
		case GREYDB_WHITE:
			r.pass = now;
			r.expire = now + db->whiteexp;
			break;
		case GREYDB_TRAPPED:
			r.expire = now + db->trapexp;
			r.pcount = GREYDB_PCOUNT_TRAPPED;
			break;
		default:
			r.expire = 0;
			r.pcount = GREYDB_PCOUNT_SPAMTRAP;
			break;
		}
	}
	ret = rec_put(db, txn, k, len, &r);
	if (ret == 0 && op->type != GREYDB_SPAMTRAP &&
	    strchr(k, '\n') == NULL)
		ret = journal_add(db, txn, op->type, GREYDB_OP_SET,
		    GREYDB_ORIGIN_MANUAL, r.expire, k, NULL, NULL, NULL);
	free(k);
	return (ret);
}

int
greydb_add(struct greydb *db, enum greydb_type type, const char *key)
{
	struct grey_op	op;

	if (type != GREYDB_WHITE && type != GREYDB_TRAPPED &&
	    type != GREYDB_SPAMTRAP) {
		log_warnx("greydb: cannot add %s entries",
		    greydb_type_name(type));
		return (-1);
	}
	if (key == NULL || *key == '\0' || strchr(key, '\n') != NULL) {
		log_warnx("greydb: invalid key");
		return (-1);
	}
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.key = key;
	op.type = type;
	return (greydb_write(db, add_txn, &op));
}

static int
put_txn(struct db_txn *txn, void *arg)
{
	struct grey_op			*op = arg;
	const struct greydb_entry	*e = op->ent;
	struct grec			 r;
	int				 ret;

	r.first = e->first;
	r.pass = e->pass;
	r.expire = e->expire;
	r.bcount = e->bcount;
	r.pcount = e->pcount;
	if (e->type == GREYDB_TRAPPED)
		r.pcount = GREYDB_PCOUNT_TRAPPED;
	else if (e->type == GREYDB_SPAMTRAP) {
		r.pcount = GREYDB_PCOUNT_SPAMTRAP;
		r.expire = 0;
	}
	if ((ret = rec_put(op->db, txn, op->tkey, op->tkeylen, &r)) != 0 ||
	    e->type == GREYDB_SPAMTRAP)
		return (ret);
	if (e->type == GREYDB_GREY)
		return (journal_add(op->db, txn, GREYDB_GREY, GREYDB_OP_SET,
		    GREYDB_ORIGIN_MANUAL, r.expire, e->ip, e->helo, e->from,
		    e->to));
	return (journal_add(op->db, txn, e->type, GREYDB_OP_SET,
	    GREYDB_ORIGIN_MANUAL, r.expire, e->ip, NULL, NULL, NULL));
}

/* The key of a record to store: 0, GREYDB_NOTEMAIL or -1 (refused). */
static int
put_prepare(struct greydb *db, const struct greydb_entry *e,
    struct grey_op *op)
{
	struct greydb_tuple	 t;
	size_t			 i;

	memset(op, 0, sizeof(*op));
	op->db = db;
	op->ent = e;
	if (e == NULL || greydb_check_field("key", e->ip, 0) == -1)
		return (-1);
	switch (e->type) {
	case GREYDB_GREY:
		if (greydb_check_field("helo", e->helo, 1) == -1 ||
		    greydb_check_field("from", e->from, 1) == -1 ||
		    greydb_check_field("to", e->to, 0) == -1)
			return (-1);
		t.ip = e->ip;
		t.helo = e->helo;
		t.from = e->from;
		t.to = e->to;
		op->tkey = greydb_tuple_key(&t, &op->tkeylen);
		break;
	case GREYDB_WHITE:
	case GREYDB_TRAPPED:
		op->tkey = xstrdup(e->ip);
		op->tkeylen = strlen(op->tkey);
		break;
	case GREYDB_SPAMTRAP:
		if (strchr(e->ip, '@') == NULL)
			return (GREYDB_NOTEMAIL);
		op->tkey = xstrdup(e->ip);
		op->tkeylen = strlen(op->tkey);
		for (i = 0; i < op->tkeylen; i++)
			op->tkey[i] =
			    (char)tolower((unsigned char)op->tkey[i]);
		break;
	default:
		log_warnx("greydb: cannot store %s entries",
		    greydb_type_name(e->type));
		return (-1);
	}
	if ((e->type == GREYDB_GREY || e->type == GREYDB_WHITE) &&
	    e->pcount < 0) {
		log_warnx("greydb: %s with a negative pcount",
		    greydb_type_name(e->type));
		free(op->tkey);
		op->tkey = NULL;
		return (-1);
	}
	return (0);
}

int
greydb_put_entry(struct greydb *db, const struct greydb_entry *e)
{
	struct grey_op	 op;
	int		 ret;

	if ((ret = put_prepare(db, e, &op)) != 0)
		return (ret);
	ret = greydb_write(db, put_txn, &op);
	free(op.tkey);
	return (ret);
}

struct put_batch {
	struct grey_op	*ops;
	const int	*res;
	size_t		 n;
};

static int
put_batch_txn(struct db_txn *txn, void *arg)
{
	struct put_batch	*b = arg;
	size_t			 i;
	int			 ret;

	for (i = 0; i < b->n; i++)
		if (b->res[i] == 0 &&
		    (ret = put_txn(txn, &b->ops[i])) != 0)
			return (ret);
	return (0);
}

int
greydb_put_entries(struct greydb *db, const struct greydb_entry *e,
    size_t n, int *res)
{
	struct put_batch	 b;
	size_t			 i, nput = 0;
	int			 ret = 0;

	if (n == 0)
		return (0);
	b.ops = xcalloc(n, sizeof(*b.ops));
	b.res = res;
	b.n = n;
	for (i = 0; i < n; i++)
		if ((res[i] = put_prepare(db, &e[i], &b.ops[i])) == 0)
			nput++;
	if (nput > 0)
		ret = greydb_write(db, put_batch_txn, &b);
	for (i = 0; i < n; i++)
		free(b.ops[i].tkey);
	free(b.ops);
	return (ret);
}

static int
refresh_txn(struct db_txn *txn, void *arg)
{
	struct grey_op	*op = arg;
	struct greydb	*db = op->db;
	struct grec	 r;
	size_t		 len;
	int64_t		 now;
	int		 ret;

	now = greydb_now(db);
	len = strlen(op->key);
	if ((ret = rec_get(db, txn, op->key, len, &r)) == -1)
		return (-1);
	if (ret == GREYDB_NOTFOUND) {
		r.first = r.pass = now;
		r.bcount = 1;
		r.pcount = 0;
	} else
		r.pcount++;
	r.expire = now + op->whiteexp;
	if (rec_put(db, txn, op->key, len, &r) == -1)
		return (-1);
	return (journal_add(db, txn, GREYDB_WHITE, GREYDB_OP_SET,
	    GREYDB_ORIGIN_LOGD, r.expire, op->key, NULL, NULL, NULL));
}

int
greydb_white_refresh(struct greydb *db, const char *ip, int64_t whiteexp)
{
	struct grey_op	op;

	if (greydb_check_field("ip", ip, 0) == -1)
		return (-1);
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.key = ip;
	op.whiteexp = whiteexp > 0 ? whiteexp : db->whiteexp;
	return (greydb_write(db, refresh_txn, &op));
}

static int
twupdate_txn(struct db_txn *txn, void *arg)
{
	struct grey_op	*op = arg;
	struct greydb	*db = op->db;
	struct grec	 r;
	size_t		 len;
	int		 ret;

	len = strlen(op->key);
	if ((ret = rec_get(db, txn, op->key, len, &r)) == -1)
		return (-1);
	if (ret == GREYDB_NOTFOUND) {
		memset(&r, 0, sizeof(r));
		r.first = greydb_now(db);
		r.pcount = op->type == GREYDB_TRAPPED ?
		    GREYDB_PCOUNT_TRAPPED : 0;
		r.expire = op->expire;
	} else if (op->type == GREYDB_TRAPPED) {
		r.pcount = GREYDB_PCOUNT_TRAPPED;
		r.bcount++;
	} else
		r.pcount++;
	return (rec_put(db, txn, op->key, len, &r));
}

static int
greydb_twupdate(struct greydb *db, enum greydb_type type, const char *ip,
    int64_t expire)
{
	struct grey_op	op;

	if (greydb_check_field("ip", ip, 0) == -1)
		return (-1);
	if (expire < greydb_now(db)) {
		log_debug("greydb: %s %s from sync already expired",
		    greydb_type_name(type), ip);
		return (-1);
	}
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.key = ip;
	op.type = type;
	op.expire = expire;
	return (greydb_write(db, twupdate_txn, &op));
}

int
greydb_sync_white(struct greydb *db, const char *ip, int64_t expire)
{
	return (greydb_twupdate(db, GREYDB_WHITE, ip, expire));
}

int
greydb_sync_trapped(struct greydb *db, const char *ip, int64_t expire)
{
	return (greydb_twupdate(db, GREYDB_TRAPPED, ip, expire));
}

/* deletion */

static int
del_journal(struct greydb *db, struct db_txn *txn, const char *key,
    size_t len, const struct grec *r, int have)
{
	struct greydb_entry	e;
	int			ret = 0;

	if (greydb_key_parse(key, len, &e) == -1) {
		greydb_entry_free(&e);
		return (0);
	}
	if (e.type == GREYDB_GREY)
		ret = journal_add(db, txn, GREYDB_GREY, GREYDB_OP_DEL,
		    GREYDB_ORIGIN_MANUAL, 0, e.ip, e.helo, e.from, e.to);
	else if (have && r->pcount != GREYDB_PCOUNT_SPAMTRAP)
		ret = journal_add(db, txn, r->pcount == GREYDB_PCOUNT_TRAPPED ?
		    GREYDB_TRAPPED : GREYDB_WHITE, GREYDB_OP_DEL,
		    GREYDB_ORIGIN_MANUAL, 0, e.ip, NULL, NULL, NULL);
	greydb_entry_free(&e);
	return (ret);
}

static int
del_txn(struct db_txn *txn, void *arg)
{
	struct grey_op	*op = arg;
	struct greydb	*db = op->db;
	struct grec	 r;
	size_t		 len;
	int		 ret, have;

	len = strlen(op->key);
	if ((ret = rec_lookup(db, txn, op->key, len, &r, 0)) == -1)
		return (-1);
	have = ret == 0;
	if ((ret = rec_del(db, txn, op->key, len)) != 0)
		return (ret);
	return (del_journal(db, txn, op->key, len, &r, have));
}

int
greydb_del(struct greydb *db, const char *key)
{
	struct grey_op	op;

	if (key == NULL || *key == '\0')
		return (GREYDB_NOTFOUND);
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.key = key;
	return (greydb_write(db, del_txn, &op));
}

static int
delgrey_txn(struct db_txn *txn, void *arg)
{
	struct grey_op		*op = arg;
	struct greydb		*db = op->db;
	struct db_cursor	*c;
	struct greydb_entry	 e;
	const void		*k, *v;
	char			*pfx;
	size_t			 klen, vlen;
	int			 ret;

	(void)xasprintf(&pfx, "%s\n", op->key);
	if ((c = db_cursor_open(txn, db->dbi_grey)) == NULL) {
		free(pfx);
		return (-1);
	}
	ret = db_cursor_prefix(c, pfx, strlen(pfx), &k, &klen, &v, &vlen);
	free(pfx);
	if (ret != 0) {
		db_cursor_close(c);
		return (ret == DB_NOTFOUND ? GREYDB_NOTFOUND : -1);
	}
	ret = entry_fill(k, klen, v, vlen, &e);
	if (db_cursor_del(c) == -1) {
		greydb_entry_free(&e);
		db_cursor_close(c);
		return (-1);
	}
	db_cursor_close(c);
	if (ret == 0 && e.type == GREYDB_GREY)
		ret = journal_add(db, txn, GREYDB_GREY, GREYDB_OP_DEL,
		    GREYDB_ORIGIN_MANUAL, 0, e.ip, e.helo, e.from, e.to);
	else
		ret = 0;
	greydb_entry_free(&e);
	return (ret);
}

int
greydb_del_grey(struct greydb *db, const char *ip)
{
	struct grey_op	op;

	if (ip == NULL || *ip == '\0' || strchr(ip, '\n') != NULL)
		return (GREYDB_NOTFOUND);
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.key = ip;
	return (greydb_write(db, delgrey_txn, &op));
}

/* reading */

int
greydb_get(struct greydb *db, const char *key, struct greydb_entry *e)
{
	unsigned char	 skey[GREYDB_SKEY_MAX];
	struct db_txn	*txn;
	const void	*val;
	size_t		 slen, vlen, len;
	int		 ret;

	memset(e, 0, sizeof(*e));
	len = strlen(key);
	if (len == 0)
		return (GREYDB_NOTFOUND);
	if ((slen = greydb_key_store(key, len, skey)) == 0)
		return (-1);
	if ((txn = db_txn_begin(db->env, DB_TXN_RDONLY)) == NULL)
		return (-1);
	ret = db_get(txn, db->dbi_grey, skey, slen, &val, &vlen);
	if (ret == 0) {
		(void)entry_fill(skey, slen, val, vlen, e);
		if (len > GREYDB_KEY_INLINE && e->type != GREYDB_BOGUS &&
		    (e->keylen != len || memcmp(e->key, key, len) != 0)) {
			greydb_entry_free(e);
			ret = DB_NOTFOUND;
		}
	}
	db_txn_abort(txn);
	if (ret == DB_NOTFOUND)
		return (GREYDB_NOTFOUND);
	return (ret == 0 ? 0 : -1);
}

int
greydb_walk(struct greydb *db, int (*cb)(const struct greydb_entry *,
    void *), void *arg)
{
	struct db_txn		*txn;
	struct db_cursor	*c;
	struct greydb_entry	 e;
	const void		*k, *v;
	size_t			 klen, vlen;
	int			 ret, stop = 0;

	if ((txn = db_txn_begin(db->env, DB_TXN_RDONLY)) == NULL)
		return (-1);
	if ((c = db_cursor_open(txn, db->dbi_grey)) == NULL) {
		db_txn_abort(txn);
		return (-1);
	}
	for (ret = db_cursor_first(c, &k, &klen, &v, &vlen); ret == 0;
	    ret = db_cursor_next(c, &k, &klen, &v, &vlen)) {
		(void)entry_fill(k, klen, v, vlen, &e);
		stop = cb(&e, arg);
		greydb_entry_free(&e);
		if (stop != 0)
			break;
	}
	db_cursor_close(c);
	db_txn_abort(txn);
	if (stop != 0)
		return (stop);
	return (ret == -1 ? -1 : 0);
}

/* the scanner */

static int
strp_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
scan_list_add(char ***list, size_t *n, size_t *cap, const char *s)
{
	if (*n > 0 && strcmp((*list)[*n - 1], s) == 0)
		return;
	if (*n == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		*list = xreallocarray(*list, *cap, sizeof(char *));
	}
	(*list)[(*n)++] = xstrdup(s);
}

static void
scan_list_sort(char **list, size_t *n)
{
	size_t	i, j;

	if (*n < 2)
		return;
	qsort(list, *n, sizeof(char *), strp_cmp);
	for (i = 0, j = 1; j < *n; j++) {
		if (strcmp(list[i], list[j]) == 0)
			free(list[j]);
		else
			list[++i] = list[j];
	}
	*n = i + 1;
}

void
greydb_scan_free(struct greydb_scan *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nwhite; i++)
		free(res->white[i]);
	free(res->white);
	for (i = 0; i < res->ntrapped; i++)
		free(res->trapped[i]);
	free(res->trapped);
	memset(res, 0, sizeof(*res));
}

static void
scan_reset(struct scan_op *op)
{
	greydb_scan_free(op->res);
	op->cwhite = op->ctrapped = 0;
	scan_queue_free(op);
}

static void
scan_queue_free(struct scan_op *op)
{
	size_t	i;

	for (i = 0; i < op->ndels; i++)
		free(op->dels[i]);
	free(op->dels);
	free(op->dellens);
	op->dels = NULL;
	op->dellens = NULL;
	op->ndels = op->cdels = 0;
	for (i = 0; i < op->nadds; i++)
		free(op->adds[i].ip);
	free(op->adds);
	op->adds = NULL;
	op->nadds = op->cadds = 0;
}

static int
scan_del(struct scan_op *op, const void *k, size_t klen)
{
	if (op->ndels == op->cdels) {
		op->cdels = op->cdels == 0 ? 64 : op->cdels * 2;
		op->dels = xreallocarray(op->dels, op->cdels,
		    sizeof(*op->dels));
		op->dellens = xreallocarray(op->dellens, op->cdels,
		    sizeof(*op->dellens));
	}
	op->dels[op->ndels] = xmalloc(klen);
	memcpy(op->dels[op->ndels], k, klen);
	op->dellens[op->ndels++] = klen;
	return (0);
}

static int
scan_txn(struct db_txn *txn, void *arg)
{
	struct scan_op		*op = arg;
	struct greydb		*db = op->db;
	struct greydb_scan	*res = op->res;
	struct db_cursor	*c;
	struct greydb_entry	 e;
	struct grec		 ipr;
	const void		*k, *v;
	size_t			 klen, vlen, i, iplen;
	int64_t			 now;
	int			 ret, state;

	scan_reset(op);
	now = greydb_now(db);
	if ((c = db_cursor_open(txn, db->dbi_grey)) == NULL)
		return (-1);
	for (ret = db_cursor_first(c, &k, &klen, &v, &vlen); ret == 0;
	    ret = db_cursor_next(c, &k, &klen, &v, &vlen)) {
		if (entry_fill(k, klen, v, vlen, &e) == -1) {
			log_warnx("greydb %s: bogus entry deleted", db->path);
			res->bogus++;
			scan_del(op, k, klen);
		} else if (e.expire <= now &&
		    e.pcount != GREYDB_PCOUNT_SPAMTRAP) {
			res->expired++;
			scan_del(op, k, klen);
		} else if (e.pcount == GREYDB_PCOUNT_TRAPPED) {
			if (greydb_ip_valid(e.ip))
				scan_list_add(&res->trapped, &res->ntrapped,
				    &op->ctrapped, e.ip);
			else
				scan_del(op, k, klen);
		} else if (e.pcount >= 0 && e.pass <= now) {
			/* spamd's db_addrstate: 1 TRAPPED, 2 other */
			iplen = strlen(e.ip);
			ret = rec_get(db, txn, e.ip, iplen, &ipr);
			if (ret == -1) {
				greydb_entry_free(&e);
				break;
			}
			state = ret == GREYDB_NOTFOUND ? 0 :
			    ipr.pcount == GREYDB_PCOUNT_TRAPPED ? 1 : 2;
			if (state == 1)
				;	/* trapped: never whitelisted */
			else if (!greydb_ip_valid(e.ip))
				scan_del(op, k, klen);
			else if (op->blacklisted != NULL &&
			    op->blacklisted(e.ip, op->arg) == 1) {
				log_debug("%s blacklisted, removing from "
				    "whitelist", e.ip);
				scan_del(op, k, klen);
			} else {
				scan_list_add(&res->white, &res->nwhite,
				    &op->cwhite, e.ip);
				if (e.type == GREYDB_GREY && state == 0 &&
				    (op->nadds == 0 || strcmp(op->adds[
				    op->nadds - 1].ip, e.ip) != 0)) {
					if (op->nadds == op->cadds) {
						op->cadds = op->cadds == 0 ?
						    16 : op->cadds * 2;
						op->adds = xreallocarray(
						    op->adds, op->cadds,
						    sizeof(*op->adds));
					}
					op->adds[op->nadds].ip =
					    xstrdup(e.ip);
					op->adds[op->nadds].rec.first =
					    e.first;
					op->adds[op->nadds].rec.pass = e.pass;
					op->adds[op->nadds].rec.expire =
					    now + db->whiteexp;
					op->adds[op->nadds].rec.bcount =
					    e.bcount;
					op->adds[op->nadds].rec.pcount =
					    e.pcount;
					op->nadds++;
				}
			}
		}
		greydb_entry_free(&e);
	}
	db_cursor_close(c);
	if (ret == -1)
		return (-1);
	for (i = 0; i < op->ndels; i++)
		if (db_del(txn, db->dbi_grey, op->dels[i],
		    op->dellens[i]) == -1)
			return (-1);
	for (i = 0; i < op->nadds; i++) {
		if (rec_put(db, txn, op->adds[i].ip, strlen(op->adds[i].ip),
		    &op->adds[i].rec) == -1 ||
		    journal_add(db, txn, GREYDB_WHITE, GREYDB_OP_SET,
		    GREYDB_ORIGIN_SCAN, op->adds[i].rec.expire,
		    op->adds[i].ip, NULL, NULL, NULL) == -1)
			return (-1);
		log_debug("greydb: whitelisting %s", op->adds[i].ip);
	}
	res->whitelisted = op->nadds;
	scan_list_sort(res->white, &res->nwhite);
	scan_list_sort(res->trapped, &res->ntrapped);
	return (0);
}

int
greydb_scan(struct greydb *db, int (*blacklisted)(const char *, void *),
    void *arg, struct greydb_scan *res)
{
	struct scan_op	op;
	int		ret;

	memset(res, 0, sizeof(*res));
	memset(&op, 0, sizeof(op));
	op.db = db;
	op.blacklisted = blacklisted;
	op.arg = arg;
	op.res = res;
	(void)db_reader_check(db->env);
	ret = greydb_write(db, scan_txn, &op);
	if (ret != 0)
		greydb_scan_free(res);
	scan_queue_free(&op);
	return (ret == 0 ? 0 : -1);
}

/* The leading decimal digits of s: -1 if none or out of range. */
int
greydb_parse_num(const char *s, long long *n, char **end)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n = strtoll(s, end, 10);
	if (errno != 0 || *n < 0)
		return -1;
	return 0;
}

/*
 * "N" in the default unit (seconds per unit in defunit), or "N" followed
 * by one of s m h d w.  0 on success with the seconds in *out.
 */
int
greydb_parse_duration(const char *s, time_t defunit, time_t *out)
{
	long long	 n, unit;
	char		*end;

	if (greydb_parse_num(s, &n, &end) == -1)
		return -1;
	if (*end == '\0')
		unit = defunit;
	else if (end[1] != '\0')
		return -1;
	else {
		switch (*end) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 24 * 3600;
			break;
		case 'w':
			unit = 7 * 24 * 3600;
			break;
		default:
			return -1;
		}
	}
	if (unit <= 0 || n > GREYDB_DURATION_MAX / unit)
		return -1;
	*out = (time_t)(n * unit);
	return 0;
}

/*
 * spamd's -G passtime:greyexp:whiteexp, bare numbers in minutes, hours
 * and hours; each may carry its own unit.  Every field is required, as
 * in spamd; greyexp and whiteexp may not be 0 (greydb reads 0 as "the
 * default"); like spamd, a passtime beyond greyexp is accepted (nothing
 * then ever passes).
 */
int
greydb_parse_times(const char *arg, time_t *pass, time_t *grey,
    time_t *white)
{
	char	 buf[128], *p, *f[3];
	time_t	 v[3];
	int	 i;
	static const time_t	 units[3] = { 60, 3600, 3600 };

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf))
		return -1;
	p = buf;
	for (i = 0; i < 3; i++) {
		f[i] = p;
		if ((p = strchr(p, ':')) != NULL)
			*p++ = '\0';
		else if (i < 2)
			return -1;
	}
	if (p != NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if (greydb_parse_duration(f[i], units[i], &v[i]) == -1)
			return -1;
	if (v[1] == 0 || v[2] == 0)
		return -1;
	*pass = v[0];
	*grey = v[1];
	*white = v[2];
	return 0;
}

const char *
greydb_syncflag(struct greydb_syncflags *sf, int ch, const char *arg)
{
	if (ch == 'Y') {
		if (sf->ntargets == GREYDB_SYNC_MAXTARGETS)
			return ("too many -Y");
		sf->targets[sf->ntargets++] = arg;
	} else if (ch == 'y') {
		if (sf->listen != NULL)
			return ("-y may be given once");
		sf->listen = arg;
	} else
		return ("not a sync flag");
	return (NULL);
}
