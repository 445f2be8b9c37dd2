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
 * Firewall tables (see fwtable.h): the spec parser, the generic layer
 * and the back-ends nft (libnftables), pf (pfctl, BSD only), file and
 * none, each a struct of function pointers.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef MX_HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

#include "addr.h"
#include "compat.h"
#include "fwtable.h"
#include "xmalloc.h"

#if defined(__OpenBSD__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__) || defined(MX_FWTABLE_PF)
#define FW_HAVE_PF	1
#endif

#ifndef FW_PFCTL
#define FW_PFCTL	"/sbin/pfctl"
#endif

struct fwtable;

struct fwtable_backend {
	const char	*name;
	int		(*open)(struct fwtable *);
	void		(*close)(struct fwtable *);
	int		(*add)(struct fwtable *, const char *,
			    const struct prefix *, size_t);
	int		(*del)(struct fwtable *, const char *,
			    const struct prefix *, size_t);
	int		(*replace)(struct fwtable *, const char *,
			    const struct prefixset *);
	int		(*flush)(struct fwtable *, const char *);
	int		(*list)(struct fwtable *, const char *,
			    struct prefixset *);
};

struct fwtable {
	const struct fwtable_backend	*be;
	struct fwtable_spec		 spec;
	char				*specstr;
	int				 flags;
	void				*priv;
	char				 err[512];
};

/* A growable array of prefixes. */
struct fw_vec {
	struct prefix	*v;
	size_t		 n;
	size_t		 cap;
};

/* For fw_diff_cb: the prefixes of one set missing from another. */
struct fw_diff {
	const struct prefixset	*other;
	struct fw_vec		*out;
};

static void	 fw_seterr(struct fwtable *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	 fw_check_prefixes(struct fwtable *, const struct prefix *,
		    size_t);
static int	 fw_copy_cb(const struct prefix *, void *, void *);
static struct prefixset *fw_copy(const struct prefixset *);
static void	 fw_vec_push(struct fw_vec *, const struct prefix *);
static int	 fw_vec_cb(const struct prefix *, void *, void *);
static int	 fw_diff_cb(const struct prefix *, void *, void *);
static void	 fw_diff(const struct prefixset *, const struct prefixset *,
		    struct fw_vec *);
static int	 fw_cover_update(struct fwtable *, struct prefixset *, int,
		    const struct prefix *, size_t);
static int	 fw_parse_elem(const char *, struct prefixset *);

static int	 none_open(struct fwtable *);
static int	 none_update(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 none_replace(struct fwtable *, const char *,
		    const struct prefixset *);
static int	 none_flush(struct fwtable *, const char *);
static int	 none_list(struct fwtable *, const char *,
		    struct prefixset *);

static int	 file_open(struct fwtable *);
static int	 file_path(struct fwtable *, const char *, char *, size_t);
static int	 file_read(struct fwtable *, const char *, struct prefixset *);
static int	 file_write(struct fwtable *, const char *,
		    const struct prefixset *);
static int	 file_add(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 file_del(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 file_replace(struct fwtable *, const char *,
		    const struct prefixset *);
static int	 file_flush(struct fwtable *, const char *);
static int	 file_list(struct fwtable *, const char *,
		    struct prefixset *);

static const struct fwtable_backend fw_none = {
	"none", none_open, NULL, none_update, none_update, none_replace,
	none_flush, none_list
};

static const struct fwtable_backend fw_file = {
	"file", file_open, NULL, file_add, file_del, file_replace,
	file_flush, file_list
};

/* ---------------------------------------------------------------- */
/* Spec parsing and the generic layer. */

int
fwtable_name_valid(const char *name)
{
	size_t	 i;

	if (name == NULL || !isalpha((unsigned char)name[0]))
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= FWTABLE_NAME_MAX)
			return 0;
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return 0;
	}
	return 1;
}

/* nft families and table names: a letter, then [A-Za-z0-9_-]. */
static int
fw_ident_valid(const char *s, size_t max)
{
	size_t	 i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	}
	return 1;
}

int
fwtable_spec_parse(const char *str, struct fwtable_spec *spec, char *err,
    size_t errlen)
{
	static const char	*families[] = {
		"ip", "ip6", "inet", "bridge", "netdev", NULL
	};
	const char		*p, *colon;
	size_t			 i, len;

	memset(spec, 0, sizeof(*spec));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (str == NULL || *str == '\0')
		str = FWTABLE_SPEC_DEFAULT;

	if (strcmp(str, "none") == 0) {
		spec->kind = FWTABLE_NONE;
		return 0;
	}
	if (strcmp(str, "pf") == 0) {
		spec->kind = FWTABLE_PF;
		return 0;
	}
	if (strncmp(str, "file:", 5) == 0) {
		spec->kind = FWTABLE_FILE;
		if (str[5] == '\0') {
			snprintf(err, errlen, "firewall backend \"%s\": "
			    "file: needs a directory (file:DIR)", str);
			return -1;
		}
		if (strlcpy(spec->dir, str + 5, sizeof(spec->dir)) >=
		    sizeof(spec->dir)) {
			snprintf(err, errlen, "firewall backend \"%s\": "
			    "directory name too long", str);
			return -1;
		}
		return 0;
	}
	if (strcmp(str, "nft") == 0 || strncmp(str, "nft:", 4) == 0) {
		spec->kind = FWTABLE_NFT;
		(void)strlcpy(spec->family, "inet", sizeof(spec->family));
		(void)strlcpy(spec->table, "mxsuite", sizeof(spec->table));
		if (str[3] == '\0')
			return 0;
		p = str + 4;
		if ((colon = strchr(p, ':')) == NULL) {
			snprintf(err, errlen, "firewall backend \"%s\": "
			    "expected nft:FAMILY:TABLE", str);
			return -1;
		}
		len = colon - p;
		for (i = 0; families[i] != NULL; i++)
			if (strlen(families[i]) == len &&
			    strncmp(families[i], p, len) == 0)
				break;
		if (families[i] == NULL) {
			snprintf(err, errlen, "firewall backend \"%s\": "
			    "unknown nftables family \"%.*s\" (ip, ip6, inet, "
			    "bridge or netdev)", str, (int)len, p);
			return -1;
		}
		(void)strlcpy(spec->family, families[i],
		    sizeof(spec->family));
		if (!fw_ident_valid(colon + 1, sizeof(spec->table) - 1)) {
			snprintf(err, errlen, "firewall backend \"%s\": "
			    "bad nftables table name \"%s\"", str, colon + 1);
			return -1;
		}
		(void)strlcpy(spec->table, colon + 1, sizeof(spec->table));
		return 0;
	}
	snprintf(err, errlen, "unknown firewall backend \"%s\" "
	    "(nft[:FAMILY:TABLE], pf, file:DIR or none)", str);
	return -1;
}

#ifdef MX_HAVE_LIBNFTABLES
static const struct fwtable_backend fw_nft;
#endif
#ifdef FW_HAVE_PF
static const struct fwtable_backend fw_pf;
#endif

struct fwtable *
fwtable_open(const char *str, int flags, char *err, size_t errlen)
{
	struct fwtable	*fw;
	struct fwtable_spec spec;

	if (fwtable_spec_parse(str, &spec, err, errlen) == -1)
		return NULL;
	fw = xcalloc(1, sizeof(*fw));
	fw->spec = spec;
	fw->flags = flags;
	fw->specstr = xstrdup(str == NULL || *str == '\0' ?
	    FWTABLE_SPEC_DEFAULT : str);
	switch (spec.kind) {
	case FWTABLE_NONE:
		fw->be = &fw_none;
		break;
	case FWTABLE_FILE:
		fw->be = &fw_file;
		break;
	case FWTABLE_NFT:
#ifdef MX_HAVE_LIBNFTABLES
		fw->be = &fw_nft;
#else
		snprintf(err, errlen, "nft backend not available on this "
		    "system (built without libnftables)");
#endif
		break;
	case FWTABLE_PF:
#ifdef FW_HAVE_PF
		fw->be = &fw_pf;
#else
		snprintf(err, errlen,
		    "pf backend not available on this system");
#endif
		break;
	}
	if (fw->be == NULL || fw->be->open(fw) == -1) {
		if (fw->be != NULL)
			snprintf(err, errlen, "%s", fw->err);
		fwtable_close(fw);
		return NULL;
	}
	return fw;
}

void
fwtable_close(struct fwtable *fw)
{
	if (fw == NULL)
		return;
	if (fw->be != NULL && fw->be->close != NULL)
		fw->be->close(fw);
	free(fw->specstr);
	free(fw);
}

const char *
fwtable_backend(const struct fwtable *fw)
{
	return fw->be->name;
}

const char *
fwtable_spec(const struct fwtable *fw)
{
	return fw->specstr;
}

const char *
fwtable_error(const struct fwtable *fw)
{
	return fw->err;
}

static void
fw_seterr(struct fwtable *fw, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(fw->err, sizeof(fw->err), fmt, ap);
	va_end(ap);
}

static int
fw_check_name(struct fwtable *fw, const char *name)
{
	if (fwtable_name_valid(name))
		return 0;
	fw_seterr(fw, "%s: bad table name \"%s\" (1 to %d letters, digits, "
	    "'_' or '-', starting with a letter)", fw->be->name,
	    name == NULL ? "(null)" : name, FWTABLE_NAME_MAX);
	return -1;
}

static int
fw_check_prefixes(struct fwtable *fw, const struct prefix *p, size_t n)
{
	struct prefix	 tmp;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((p[i].addr.af != AF_INET && p[i].addr.af != AF_INET6) ||
		    p[i].len < 0 || p[i].len > addr_maxlen(p[i].addr.af)) {
			fw_seterr(fw, "%s: bad prefix (family %d, length %d)",
			    fw->be->name, p[i].addr.af, p[i].len);
			return -1;
		}
		/* host bits must be zero, as prefix_set leaves them */
		(void)prefix_set(&tmp, &p[i].addr, p[i].len);
		if (addr_cmp(&tmp.addr, &p[i].addr) != 0) {
			fw_seterr(fw, "%s: prefix with host bits set",
			    fw->be->name);
			return -1;
		}
	}
	return 0;
}

int
fwtable_add(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	fw->err[0] = '\0';
	if (fw_check_name(fw, name) == -1 ||
	    fw_check_prefixes(fw, p, n) == -1)
		return -1;
	if (n == 0)
		return 0;
	return fw->be->add(fw, name, p, n);
}

int
fwtable_delete(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	fw->err[0] = '\0';
	if (fw_check_name(fw, name) == -1 ||
	    fw_check_prefixes(fw, p, n) == -1)
		return -1;
	if (n == 0)
		return 0;
	return fw->be->del(fw, name, p, n);
}

int
fwtable_replace(struct fwtable *fw, const char *name,
    const struct prefixset *set)
{
	struct prefixset	*empty;
	int			 rv;

	fw->err[0] = '\0';
	if (fw_check_name(fw, name) == -1)
		return -1;
	if (set != NULL)
		return fw->be->replace(fw, name, set);
	empty = prefixset_new();
	rv = fw->be->replace(fw, name, empty);
	prefixset_free(empty);
	return rv;
}

int
fwtable_flush(struct fwtable *fw, const char *name)
{
	fw->err[0] = '\0';
	if (fw_check_name(fw, name) == -1)
		return -1;
	return fw->be->flush(fw, name);
}

int
fwtable_list(struct fwtable *fw, const char *name, struct prefixset *out)
{
	struct prefixset	*tmp;
	int			 rv;

	fw->err[0] = '\0';
	if (fw_check_name(fw, name) == -1)
		return -1;
	tmp = prefixset_new();
	if ((rv = fw->be->list(fw, name, tmp)) == 0) {
		prefixset_collapse(tmp);
		(void)prefixset_walk(tmp, fw_copy_cb, out);
	}
	prefixset_free(tmp);
	return rv;
}

/* ---------------------------------------------------------------- */
/* Set helpers. */

static int
fw_copy_cb(const struct prefix *p, void *data, void *arg)
{
	(void)prefixset_add(arg, p, NULL);
	return 0;
}

static struct prefixset *
fw_copy(const struct prefixset *src)
{
	struct prefixset	*dst;

	dst = prefixset_new();
	if (src != NULL)
		(void)prefixset_walk(src, fw_copy_cb, dst);
	return dst;
}

static void
fw_vec_push(struct fw_vec *vec, const struct prefix *p)
{
	if (vec->n == vec->cap) {
		vec->cap = vec->cap == 0 ? 64 : vec->cap * 2;
		vec->v = xreallocarray(vec->v, vec->cap, sizeof(*vec->v));
	}
	vec->v[vec->n++] = *p;
}

static int
fw_vec_cb(const struct prefix *p, void *data, void *arg)
{
	fw_vec_push(arg, p);
	return 0;
}

static int
fw_diff_cb(const struct prefix *p, void *data, void *arg)
{
	struct fw_diff	*d = arg;

	if (!prefixset_exact(d->other, p, NULL))
		fw_vec_push(d->out, p);
	return 0;
}

/* Append to out every prefix of a that b does not hold exactly. */
static void
fw_diff(const struct prefixset *a, const struct prefixset *b,
    struct fw_vec *out)
{
	struct fw_diff	 d;

	d.other = b;
	d.out = out;
	(void)prefixset_walk(a, fw_diff_cb, &d);
}

/*
 * Coverage update of set in place: add (op 1) or subtract (op 0) the
 * prefixes; the result is the minimal cover.
 */
static int
fw_cover_update(struct fwtable *fw, struct prefixset *set, int op,
    const struct prefix *p, size_t n)
{
	struct prefixset	*tmp;
	size_t			 i;

	if (op) {
		for (i = 0; i < n; i++)
			if (prefixset_add(set, &p[i], NULL) == -1) {
				fw_seterr(fw, "%s: bad prefix", fw->be->name);
				return -1;
			}
	} else {
		tmp = prefixset_new();
		for (i = 0; i < n; i++)
			(void)prefixset_add(tmp, &p[i], NULL);
		prefixset_subtract(set, tmp);
		prefixset_free(tmp);
	}
	prefixset_collapse(set);
	return 0;
}

/*
 * One element as a firewall lists it: an address, a prefix or a range
 * "a-b".  0 added, -1 not understood.
 */
static int
fw_parse_elem(const char *s, struct prefixset *set)
{
	struct prefix	 p, r[ADDR_RANGE_MAX];
	int		 i, n;

	if (strchr(s, '-') != NULL) {
		if ((n = addr_range_parse(s, r, ADDR_RANGE_MAX, 0)) == -1)
			return -1;
		for (i = 0; i < n; i++)
			(void)prefixset_add(set, &r[i], NULL);
		return 0;
	}
	if (prefix_parse(s, &p, ADDR_LENIENT) == -1)
		return -1;
	addr_unmap(&p.addr);
	if (p.addr.af == AF_INET && p.len > 32)
		p.len = 32;
	(void)prefixset_add(set, &p, NULL);
	return 0;
}

/* ---------------------------------------------------------------- */
/* none: accepts everything, holds nothing. */

static int
none_open(struct fwtable *fw)
{
	return 0;
}

static int
none_update(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	return 0;
}

static int
none_replace(struct fwtable *fw, const char *name,
    const struct prefixset *set)
{
	return 0;
}

static int
none_flush(struct fwtable *fw, const char *name)
{
	return 0;
}

static int
none_list(struct fwtable *fw, const char *name, struct prefixset *out)
{
	return 0;
}

/* ---------------------------------------------------------------- */
/* file:DIR: DIR/NAME, one prefix per line, replaced with rename(2). */

static int
file_open(struct fwtable *fw)
{
	struct stat	 st;

	if (stat(fw->spec.dir, &st) == -1) {
		if (errno == ENOENT && (fw->flags & FWTABLE_CREATE) &&
		    mkdir(fw->spec.dir, 0755) == 0)
			return 0;
		fw_seterr(fw, "file: %s: %s", fw->spec.dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fw_seterr(fw, "file: %s: not a directory", fw->spec.dir);
		return -1;
	}
	return 0;
}

static int
file_path(struct fwtable *fw, const char *name, char *buf, size_t len)
{
	int	 r;

	r = snprintf(buf, len, "%s/%s", fw->spec.dir, name);
	if (r < 0 || (size_t)r >= len) {
		fw_seterr(fw, "file: %s/%s: path too long", fw->spec.dir,
		    name);
		return -1;
	}
	return 0;
}

/*
 * Read DIR/NAME into set.  Blank lines and '#' comments are skipped;
 * lines are prefixes, addresses or ranges (leniently, as pf reads a
 * table file).  A missing file is an empty table with FWTABLE_CREATE,
 * an error without it.
 */
static int
file_read(struct fwtable *fw, const char *name, struct prefixset *set)
{
	char	 path[PATH_MAX], *line = NULL, *s, *e;
	size_t	 cap = 0;
	ssize_t	 len;
	FILE	*f;
	int	 lineno = 0, rv = 0;

	if (file_path(fw, name, path, sizeof(path)) == -1)
		return -1;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && (fw->flags & FWTABLE_CREATE))
			return 0;
		fw_seterr(fw, "file: table %s: %s: %s", name, path,
		    strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0')
			continue;
		if (fw_parse_elem(s, set) == -1) {
			fw_seterr(fw, "file: %s:%d: not an address or prefix: "
			    "\"%.64s\"", path, lineno, s);
			rv = -1;
			break;
		}
	}
	if (rv == 0 && ferror(f)) {
		fw_seterr(fw, "file: %s: read error", path);
		rv = -1;
	}
	free(line);
	fclose(f);
	return rv;
}

static int
file_write_cb(const struct prefix *p, void *data, void *arg)
{
	char	 buf[PREFIX_STRLEN];

	if (fprintf(arg, "%s\n", prefix_ntop(p, buf, sizeof(buf))) < 0)
		return -1;
	return 0;
}

/* Write the set to DIR/.NAME.XXXXXX, fsync, rename over DIR/NAME. */
static int
file_write(struct fwtable *fw, const char *name, const struct prefixset *set)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	FILE	*f;
	int	 fd, r, bad;

	if (file_path(fw, name, path, sizeof(path)) == -1)
		return -1;
	r = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", fw->spec.dir, name);
	if (r < 0 || (size_t)r >= sizeof(tmp)) {
		fw_seterr(fw, "file: %s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		fw_seterr(fw, "file: %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fw_seterr(fw, "file: %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	bad = prefixset_walk(set, file_write_cb, f) != 0;
	if (fflush(f) == EOF || ferror(f))
		bad = 1;
	if (!bad && fsync(fileno(f)) == -1)
		bad = 1;
	if (fclose(f) == EOF)
		bad = 1;
	if (bad || rename(tmp, path) == -1) {
		fw_seterr(fw, "file: %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
file_update(struct fwtable *fw, const char *name, int op,
    const struct prefix *p, size_t n)
{
	struct prefixset	*set;
	int			 rv = -1;

	set = prefixset_new();
	if (file_read(fw, name, set) == 0 &&
	    fw_cover_update(fw, set, op, p, n) == 0)
		rv = file_write(fw, name, set);
	prefixset_free(set);
	return rv;
}

static int
file_add(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	return file_update(fw, name, 1, p, n);
}

static int
file_del(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	return file_update(fw, name, 0, p, n);
}

/* A table must exist (or FWTABLE_CREATE be given) to be replaced. */
static int
file_exists(struct fwtable *fw, const char *name)
{
	char	 path[PATH_MAX];

	if (file_path(fw, name, path, sizeof(path)) == -1)
		return -1;
	if ((fw->flags & FWTABLE_CREATE) || access(path, F_OK) == 0)
		return 0;
	fw_seterr(fw, "file: table %s: %s: %s", name, path, strerror(errno));
	return -1;
}

static int
file_replace(struct fwtable *fw, const char *name,
    const struct prefixset *set)
{
	struct prefixset	*tmp;
	int			 rv = -1;

	if (file_exists(fw, name) == -1)
		return -1;
	tmp = fw_copy(set);
	prefixset_collapse(tmp);
	rv = file_write(fw, name, tmp);
	prefixset_free(tmp);
	return rv;
}

static int
file_flush(struct fwtable *fw, const char *name)
{
	struct prefixset	*tmp;
	int			 rv;

	if (file_exists(fw, name) == -1)
		return -1;
	tmp = prefixset_new();
	rv = file_write(fw, name, tmp);
	prefixset_free(tmp);
	return rv;
}

static int
file_list(struct fwtable *fw, const char *name, struct prefixset *out)
{
	return file_read(fw, name, out);
}

/* ---------------------------------------------------------------- */
/*
 * nft: a pair of sets NAME (ipv4_addr) and NAME-v6 (ipv6_addr) in
 * FAMILY TABLE, changed through libnftables, one nft command buffer
 * (hence one netlink transaction) per update.
 */

#ifdef MX_HAVE_LIBNFTABLES

struct nft_set {
	TAILQ_ENTRY(nft_set)	 entry;
	char			 name[FWTABLE_NAME_MAX + 1];
	int			 probed;	/* type and flags known */
	int			 interval;	/* both sets are interval */
	int			 automerge;	/* either has auto-merge */
	struct prefixset	*cache;		/* kernel content, or NULL */
};

struct nft_priv {
	struct nft_ctx		*ctx;
	TAILQ_HEAD(, nft_set)	 sets;
};

static int	 nft_open(struct fwtable *);
static void	 nft_close(struct fwtable *);
static int	 nft_run(struct fwtable *, const char *, const char *,
		    const char *, char **);
static struct nft_set *nft_set_get(struct fwtable *, const char *);
static void	 nft_set_forget(struct nft_set *);
static int	 nft_has_line(const char *, const char *);
static int	 nft_probe(struct fwtable *, struct nft_set *);
static int	 nft_read(struct fwtable *, struct nft_set *,
		    struct prefixset *);
static void	 nft_elems(struct fwtable *, FILE *, const char *,
		    const char *, const struct prefix *, size_t);
static int	 nft_hosts_only(struct fwtable *, struct nft_set *,
		    const struct prefix *, size_t);
static int	 nft_update(struct fwtable *, struct nft_set *,
		    const struct fw_vec *, const struct fw_vec *, int,
		    const char *);
static int	 nft_cover(struct fwtable *, const char *, int,
		    const struct prefix *, size_t);
static int	 nft_add(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 nft_del(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 nft_replace(struct fwtable *, const char *,
		    const struct prefixset *);
static int	 nft_flush(struct fwtable *, const char *);
static int	 nft_list(struct fwtable *, const char *,
		    struct prefixset *);

static const struct fwtable_backend fw_nft = {
	"nft", nft_open, nft_close, nft_add, nft_del, nft_replace,
	nft_flush, nft_list
};

static int
nft_open(struct fwtable *fw)
{
	struct nft_priv	*np;

	np = xcalloc(1, sizeof(*np));
	TAILQ_INIT(&np->sets);
	if ((np->ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		free(np);
		fw_seterr(fw, "nft: cannot create a libnftables context");
		return -1;
	}
	if (nft_ctx_buffer_output(np->ctx) != 0 ||
	    nft_ctx_buffer_error(np->ctx) != 0) {
		nft_ctx_free(np->ctx);
		free(np);
		fw_seterr(fw, "nft: cannot buffer libnftables output");
		return -1;
	}
	fw->priv = np;
	return 0;
}

static void
nft_close(struct fwtable *fw)
{
	struct nft_priv	*np = fw->priv;
	struct nft_set	*s;

	if (np == NULL)
		return;
	while ((s = TAILQ_FIRST(&np->sets)) != NULL) {
		TAILQ_REMOVE(&np->sets, s, entry);
		prefixset_free(s->cache);
		free(s);
	}
	nft_ctx_free(np->ctx);
	free(np);
	fw->priv = NULL;
}

/*
 * Run an nft command buffer.  On success 0, and with out != NULL a
 * copy of nft's output in *out (free it).  On failure -1 and
 * "nft: WHAT NAME: Error: ..." in fw->err: the first error line of
 * libnftables (not the echo of the command, which may hold 200,000
 * prefixes).  terse: list sets without their elements.
 */
static int
nft_run_flags(struct fwtable *fw, unsigned int oflags, const char *cmd,
    const char *what, const char *name, char **out)
{
	struct nft_priv	*np = fw->priv;
	const char	*obuf, *ebuf, *e;
	size_t		 len;
	int		 rv;

	nft_ctx_output_set_flags(np->ctx, oflags);
	rv = nft_run_cmd_from_buffer(np->ctx, cmd);
#ifdef __GLIBC__
	/*
	 * libnftables builds an expression tree per element: a 200,000
	 * prefix command peaks at some 350 MB, which glibc would keep.
	 */
	if (strlen(cmd) > (1 << 20))
		(void)malloc_trim(0);
#endif
	obuf = nft_ctx_get_output_buffer(np->ctx);
	ebuf = nft_ctx_get_error_buffer(np->ctx);
	if (rv != 0) {
		if (ebuf == NULL)
			ebuf = "";
		if ((e = strstr(ebuf, "Error:")) == NULL)
			e = ebuf;
		len = strcspn(e, "\n");
		if (len == 0) {
			e = "unknown libnftables error";
			len = strlen(e);
		}
		fw_seterr(fw, "nft: %s %s %s %s: %.*s", what,
		    fw->spec.family, fw->spec.table, name, (int)len, e);
		return -1;
	}
	if (out != NULL)
		*out = xstrdup(obuf == NULL ? "" : obuf);
	return 0;
}

static int
nft_run(struct fwtable *fw, const char *cmd, const char *what,
    const char *name, char **out)
{
	return nft_run_flags(fw, 0, cmd, what, name, out);
}

static struct nft_set *
nft_set_get(struct fwtable *fw, const char *name)
{
	struct nft_priv	*np = fw->priv;
	struct nft_set	*s;

	TAILQ_FOREACH(s, &np->sets, entry)
		if (strcmp(s->name, name) == 0)
			return s;
	s = xcalloc(1, sizeof(*s));
	(void)strlcpy(s->name, name, sizeof(s->name));
	TAILQ_INSERT_TAIL(&np->sets, s, entry);
	return s;
}

/* After a failure, know nothing: probe and read again next time. */
static void
nft_set_forget(struct nft_set *s)
{
	s->probed = 0;
	prefixset_free(s->cache);
	s->cache = NULL;
}

/* The value of "KEY VALUE" on a line of nft's listing: 0, or -1. */
static int
nft_field(const char *text, const char *key, char *buf, size_t len)
{
	const char	*p, *line;
	size_t		 klen = strlen(key), n;

	for (line = text; line != NULL && *line != '\0'; ) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			p += klen + 1;
			n = strcspn(p, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	}
	buf[0] = '\0';
	return -1;
}

/* 1 if a line of nft's listing is word alone (blanks aside). */
static int
nft_has_line(const char *text, const char *word)
{
	const char	*p, *line;
	size_t		 wlen = strlen(word);

	for (line = text; line != NULL && *line != '\0'; ) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (strncmp(p, word, wlen) == 0 &&
		    (p[wlen] == '\n' || p[wlen] == '\0'))
			return 1;
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	}
	return 0;
}

/*
 * Learn the type and flags of NAME and NAME-v6 (a terse listing, no
 * elements); create them (and the table) if missing and FWTABLE_CREATE
 * was given.
 */
static int
nft_probe(struct fwtable *fw, struct nft_set *s)
{
	const char	*fam = fw->spec.family, *tab = fw->spec.table;
	const char	*want[2] = { "ipv4_addr", "ipv6_addr" };
	char		 cmd[512], set[FWTABLE_NAME_MAX + 4], *out;
	char		 type[64], flags[128];
	size_t		 len;
	int		 i, interval = 1, automerge = 0, created = 0;

	if (s->probed)
		return 0;
	for (i = 0; i < 2; i++) {
		(void)snprintf(set, sizeof(set), "%s%s", s->name,
		    i == 0 ? "" : "-v6");
		(void)snprintf(cmd, sizeof(cmd), "list set %s %s %s", fam,
		    tab, set);
		if (nft_run_flags(fw, NFT_CTX_OUTPUT_TERSE, cmd, "set", set,
		    &out) == -1) {
			if (created)
				return -1;
			if (!(fw->flags & FWTABLE_CREATE)) {
				len = strlen(fw->err);
				(void)snprintf(fw->err + len,
				    sizeof(fw->err) - len, " (load the "
				    "ruleset, see mxsuite-fwtable(7))");
				return -1;
			}
			(void)snprintf(cmd, sizeof(cmd),
			    "add table %s %s\n"
			    "add set %s %s %s { type ipv4_addr; "
			    "flags interval; }\n"
			    "add set %s %s %s-v6 { type ipv6_addr; "
			    "flags interval; }\n",
			    fam, tab, fam, tab, s->name, fam, tab, s->name);
			if (nft_run(fw, cmd, "create set", s->name,
			    NULL) == -1)
				return -1;
			created = 1;
			i = -1;		/* probe both again */
			interval = 1;
			continue;
		}
		/* "typeof ip saddr" declares the same type as ipv4_addr */
		if (nft_field(out, "type", type, sizeof(type)) == -1 &&
		    nft_field(out, "typeof", type, sizeof(type)) == 0 &&
		    strncmp(type, i == 0 ? "ip " : "ip6 ", i == 0 ? 3 : 4) == 0)
			(void)strlcpy(type, want[i], sizeof(type));
		(void)nft_field(out, "flags", flags, sizeof(flags));
		if (nft_has_line(out, "auto-merge"))
			automerge = 1;
		free(out);
		if (strcmp(type, want[i]) != 0) {
			fw_seterr(fw, "nft: set %s %s %s has type \"%s\", "
			    "expected %s", fam, tab, set, type, want[i]);
			return -1;
		}
		if (strstr(flags, "interval") == NULL)
			interval = 0;
	}
	s->probed = 1;
	s->interval = interval;
	s->automerge = automerge;
	return 0;
}

/* Parse the elements of an nft set listing into set. */
static int
nft_parse_list(struct fwtable *fw, const char *text, const char *name,
    struct prefixset *set)
{
	const char	*p;
	char		 tok[128];
	size_t		 n;
	int		 quoted;

	if ((p = strstr(text, "elements = {")) == NULL)
		return 0;		/* empty set */
	p += strlen("elements = {");
	for (;;) {
		p += strspn(p, " \t\n,");
		if (*p == '}' || *p == '\0')
			break;
		n = strcspn(p, " \t\n,}");
		if (n >= sizeof(tok)) {
			fw_seterr(fw, "nft: set %s: element too long", name);
			return -1;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (fw_parse_elem(tok, set) == -1) {
			fw_seterr(fw, "nft: set %s: cannot read element "
			    "\"%s\"", name, tok);
			return -1;
		}
		/* skip what follows the key (timeout, expires, comment) */
		for (p += n, quoted = 0; *p != '\0'; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (!quoted && (*p == ',' || *p == '}'))
				break;
		}
	}
	return 0;
}

/* Read NAME and NAME-v6 from the kernel into set. */
static int
nft_read(struct fwtable *fw, struct nft_set *s, struct prefixset *set)
{
	char	 cmd[512], name[FWTABLE_NAME_MAX + 4], *out;
	int	 i, rv;

	for (i = 0; i < 2; i++) {
		(void)snprintf(name, sizeof(name), "%s%s", s->name,
		    i == 0 ? "" : "-v6");
		(void)snprintf(cmd, sizeof(cmd), "list set %s %s %s",
		    fw->spec.family, fw->spec.table, name);
		if (nft_run(fw, cmd, "list set", name, &out) == -1)
			return -1;
		rv = nft_parse_list(fw, out, name, set);
		free(out);
		if (rv == -1)
			return -1;
	}
	return 0;
}

/*
 * Write "VERB element FAMILY TABLE NAME[-v6] { ... }" lines for the
 * prefixes of each family (nothing for a family without any).
 */
static void
nft_elems(struct fwtable *fw, FILE *f, const char *verb, const char *name,
    const struct prefix *p, size_t n)
{
	char	 buf[PREFIX_STRLEN];
	size_t	 i;
	int	 af, first;

	for (af = AF_INET; ; af = AF_INET6) {
		first = 1;
		for (i = 0; i < n; i++) {
			if (p[i].addr.af != af)
				continue;
			if (first)
				fprintf(f, "%s element %s %s %s%s { ", verb,
				    fw->spec.family, fw->spec.table, name,
				    af == AF_INET ? "" : "-v6");
			/* a host without "/32": sets without intervals */
			if (p[i].len == addr_maxlen(af))
				(void)addr_ntop(&p[i].addr, buf, sizeof(buf));
			else
				(void)prefix_ntop(&p[i], buf, sizeof(buf));
			fprintf(f, "%s%s", first ? "" : ", ", buf);
			first = 0;
		}
		if (!first)
			fprintf(f, " }\n");
		if (af == AF_INET6)
			break;
	}
}

/* A set without the interval flag takes host addresses only. */
static int
nft_hosts_only(struct fwtable *fw, struct nft_set *s, const struct prefix *p,
    size_t n)
{
	char	 buf[PREFIX_STRLEN];
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i].len != addr_maxlen(p[i].addr.af)) {
			fw_seterr(fw, "nft: set %s %s %s has no interval "
			    "flag: it cannot hold the prefix %s",
			    fw->spec.family, fw->spec.table, s->name,
			    prefix_ntop(&p[i], buf, sizeof(buf)));
			return -1;
		}
	return 0;
}

/*
 * One transaction: optionally flush both sets, delete the elements in
 * del, add the ones in add.
 */
static int
nft_update(struct fwtable *fw, struct nft_set *s, const struct fw_vec *del,
    const struct fw_vec *add, int flush, const char *what)
{
	FILE	*f;
	char	*cmd = NULL;
	size_t	 len = 0;
	int	 rv;

	if ((f = open_memstream(&cmd, &len)) == NULL) {
		fw_seterr(fw, "nft: open_memstream: %s", strerror(errno));
		return -1;
	}
	if (flush)
		fprintf(f, "flush set %s %s %s\nflush set %s %s %s-v6\n",
		    fw->spec.family, fw->spec.table, s->name,
		    fw->spec.family, fw->spec.table, s->name);
	if (del != NULL)
		nft_elems(fw, f, "delete", s->name, del->v, del->n);
	if (add != NULL)
		nft_elems(fw, f, "add", s->name, add->v, add->n);
	if (fclose(f) == EOF || cmd == NULL) {
		free(cmd);
		fw_seterr(fw, "nft: cannot build the command");
		return -1;
	}
	rv = 0;
	if (len > 0)
		rv = nft_run(fw, cmd, what, s->name, NULL);
	free(cmd);
	return rv;
}

/*
 * add (op 1) or delete (op 0) on an interval set: compute the new
 * minimal cover from the cached content, send the difference.  If
 * that fails on a cache that may be stale, read the set and retry.
 */
static int
nft_cover(struct fwtable *fw, const char *name, int op,
    const struct prefix *p, size_t n)
{
	struct nft_set		*s;
	struct prefixset	*next;
	struct fw_vec		 del = { NULL, 0, 0 }, add = { NULL, 0, 0 };
	int			 attempt, fresh, rv = -1;

	s = nft_set_get(fw, name);
	for (attempt = 0; attempt < 2; attempt++) {
		if (nft_probe(fw, s) == -1)
			return -1;
		if (!s->interval)
			break;
		/*
		 * auto-merge: the kernel joins adjacent elements into
		 * ranges, so the elements are not ours to delete one by
		 * one: read the set, refill it whole.
		 */
		if (s->automerge) {
			prefixset_free(s->cache);
			s->cache = NULL;
		}
		fresh = 0;
		if (s->cache == NULL) {
			s->cache = prefixset_new();
			if (nft_read(fw, s, s->cache) == -1) {
				nft_set_forget(s);
				return -1;
			}
			prefixset_collapse(s->cache);
			fresh = 1;
		}
		next = fw_copy(s->cache);
		if (fw_cover_update(fw, next, op, p, n) == -1) {
			prefixset_free(next);
			return -1;
		}
		del.n = add.n = 0;
		if (s->automerge)
			(void)prefixset_walk(next, fw_vec_cb, &add);
		else {
			fw_diff(s->cache, next, &del);
			fw_diff(next, s->cache, &add);
		}
		rv = nft_update(fw, s, &del, &add, s->automerge,
		    op ? "add" : "delete");
		if (rv == 0) {
			prefixset_free(s->cache);
			s->cache = next;
			if (s->automerge) {
				prefixset_free(s->cache);
				s->cache = NULL;
			}
			break;
		}
		prefixset_free(next);
		nft_set_forget(s);
		if (fresh)
			break;
	}
	free(del.v);
	free(add.v);
	if (s->probed && !s->interval)
		return -2;		/* host set: caller's business */
	return rv;
}

static int
nft_add(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	struct nft_set	*s;
	struct fw_vec	 add;
	int		 rv;

	if ((rv = nft_cover(fw, name, 1, p, n)) != -2)
		return rv;
	s = nft_set_get(fw, name);
	if (nft_hosts_only(fw, s, p, n) == -1)
		return -1;
	add.v = (struct prefix *)p;
	add.n = add.cap = n;
	if ((rv = nft_update(fw, s, NULL, &add, 0, "add")) == -1)
		nft_set_forget(s);
	return rv;
}

static int
nft_del(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	struct nft_set		*s;
	struct prefixset	*cur, *req;
	struct prefix		*v;
	struct fw_vec		 del = { NULL, 0, 0 };
	size_t			 i, cnt;
	int			 rv;

	if ((rv = nft_cover(fw, name, 0, p, n)) != -2)
		return rv;
	/* host set: delete the elements inside what was asked for */
	s = nft_set_get(fw, name);
	cur = prefixset_new();
	req = prefixset_new();
	for (i = 0; i < n; i++)
		(void)prefixset_add(req, &p[i], NULL);
	rv = -1;
	if (nft_read(fw, s, cur) == 0) {
		v = prefixset_array(cur, &cnt);
		for (i = 0; i < cnt; i++)
			if (prefixset_match(req, &v[i], NULL, NULL))
				fw_vec_push(&del, &v[i]);
		free(v);
		rv = nft_update(fw, s, &del, NULL, 0, "delete");
	}
	if (rv == -1)
		nft_set_forget(s);
	free(del.v);
	prefixset_free(cur);
	prefixset_free(req);
	return rv;
}

static int
nft_replace(struct fwtable *fw, const char *name,
    const struct prefixset *set)
{
	struct nft_set		*s;
	struct prefixset	*next;
	struct fw_vec		 add;
	int			 rv;

	s = nft_set_get(fw, name);
	if (nft_probe(fw, s) == -1)
		return -1;
	next = fw_copy(set);
	if (s->interval)
		prefixset_collapse(next);
	add.v = prefixset_array(next, &add.n);
	add.cap = add.n;
	if (!s->interval && nft_hosts_only(fw, s, add.v, add.n) == -1)
		rv = -1;
	else
		rv = nft_update(fw, s, NULL, &add, 1, "replace");
	free(add.v);
	prefixset_free(s->cache);
	s->cache = NULL;
	if (rv == 0 && s->interval)
		s->cache = next;
	else
		prefixset_free(next);
	if (rv == -1)
		nft_set_forget(s);
	return rv;
}

static int
nft_flush(struct fwtable *fw, const char *name)
{
	struct nft_set	*s;
	int		 rv;

	s = nft_set_get(fw, name);
	if (nft_probe(fw, s) == -1)
		return -1;
	rv = nft_update(fw, s, NULL, NULL, 1, "flush");
	prefixset_free(s->cache);
	s->cache = NULL;
	if (rv == 0 && s->interval)
		s->cache = prefixset_new();
	if (rv == -1)
		nft_set_forget(s);
	return rv;
}

static int
nft_list(struct fwtable *fw, const char *name, struct prefixset *out)
{
	struct nft_set		*s;
	struct prefixset	*cur;

	s = nft_set_get(fw, name);
	if (nft_probe(fw, s) == -1)
		return -1;
	cur = prefixset_new();
	if (nft_read(fw, s, cur) == -1) {
		prefixset_free(cur);
		nft_set_forget(s);
		return -1;
	}
	(void)prefixset_walk(cur, fw_copy_cb, out);
	prefixset_free(s->cache);
	s->cache = NULL;
	if (s->interval) {
		prefixset_collapse(cur);
		s->cache = cur;
	} else
		prefixset_free(cur);
	return 0;
}

#endif /* MX_HAVE_LIBNFTABLES */

/* ---------------------------------------------------------------- */
/*
 * pf: pfctl(8) -t NAME -T add|delete|replace|flush|show.  A pf table
 * holds both families.  pfctl's own deletion is by exact entry, so
 * delete reads the table, subtracts and replaces.
 */

#ifdef FW_HAVE_PF

static int	 pf_open(struct fwtable *);
static int	 pf_run(struct fwtable *, const char *, const char *,
		    const struct prefix *, size_t, char **);
static int	 pf_add(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 pf_del(struct fwtable *, const char *,
		    const struct prefix *, size_t);
static int	 pf_replace(struct fwtable *, const char *,
		    const struct prefixset *);
static int	 pf_flush(struct fwtable *, const char *);
static int	 pf_list(struct fwtable *, const char *,
		    struct prefixset *);

static const struct fwtable_backend fw_pf = {
	"pf", pf_open, NULL, pf_add, pf_del, pf_replace, pf_flush, pf_list
};

static int
pf_open(struct fwtable *fw)
{
	if (access(FW_PFCTL, X_OK) == -1) {
		fw_seterr(fw, "pf: %s: %s", FW_PFCTL, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * pfctl -q -t NAME -T CMD [-f -], the prefixes on its standard input;
 * its standard output and error go to a temporary file (no pipe
 * deadlock), returned in *out on success and as the error otherwise.
 */
static int
pf_run(struct fwtable *fw, const char *name, const char *cmd,
    const struct prefix *p, size_t n, char **out)
{
	char		 buf[PREFIX_STRLEN], *text = NULL;
	FILE		*res, *in;
	size_t		 i, cap = 0, len;
	struct sigaction sa, osa;
	pid_t		 pid;
	int		 fds[2], status, withinput;
	ssize_t		 r;

	withinput = strcmp(cmd, "show") != 0 && strcmp(cmd, "flush") != 0;
	if ((res = tmpfile()) == NULL || pipe(fds) == -1) {
		fw_seterr(fw, "pf: %s", strerror(errno));
		if (res != NULL)
			fclose(res);
		return -1;
	}
	switch (pid = fork()) {
	case -1:
		fw_seterr(fw, "pf: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		fclose(res);
		return -1;
	case 0:
		if (dup2(fds[0], STDIN_FILENO) == -1 ||
		    dup2(fileno(res), STDOUT_FILENO) == -1 ||
		    dup2(fileno(res), STDERR_FILENO) == -1)
			_exit(127);
		closefrom(STDERR_FILENO + 1);
		if (withinput)
			execl(FW_PFCTL, "pfctl", "-q", "-t", name, "-T", cmd,
			    "-f", "-", (char *)NULL);
		else
			execl(FW_PFCTL, "pfctl", "-q", "-t", name, "-T", cmd,
			    (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	/* pfctl may exit before reading it all: no SIGPIPE for us */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGPIPE, &sa, &osa);
	if ((in = fdopen(fds[1], "w")) == NULL)
		close(fds[1]);
	else {
		for (i = 0; withinput && i < n; i++)
			fprintf(in, "%s\n", prefix_ntop(&p[i], buf,
			    sizeof(buf)));
		fclose(in);
	}
	(void)sigaction(SIGPIPE, &osa, NULL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	rewind(res);
	len = 0;
	while ((r = getline(&text, &cap, res)) != -1) {
		if (out != NULL) {
			*out = xreallocarray(len == 0 ? NULL : *out, 1,
			    len + r + 1);
			memcpy(*out + len, text, r + 1);
		} else if (len == 0)
			text[strcspn(text, "\n")] = '\0';
		len += r;
		if (out == NULL)
			break;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (out != NULL && len > 0) {
			fw_seterr(fw, "pf: pfctl -t %s -T %s: %.*s", name, cmd,
			    (int)strcspn(*out, "\n"), *out);
			free(*out);
		} else if (len > 0)
			fw_seterr(fw, "pf: pfctl -t %s -T %s: %s", name, cmd,
			    text);
		else if (WIFEXITED(status))
			fw_seterr(fw, "pf: pfctl -t %s -T %s: exit status %d",
			    name, cmd, WEXITSTATUS(status));
		else
			fw_seterr(fw, "pf: pfctl -t %s -T %s: killed", name,
			    cmd);
		free(text);
		fclose(res);
		return -1;
	}
	if (out != NULL && len == 0)
		*out = xstrdup("");
	free(text);
	fclose(res);
	return 0;
}

static int
pf_add(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	return pf_run(fw, name, "add", p, n, NULL);
}

static int
pf_replace(struct fwtable *fw, const char *name,
    const struct prefixset *set)
{
	struct prefix	*v;
	size_t		 n;
	int		 rv;

	v = prefixset_array(set, &n);
	rv = pf_run(fw, name, "replace", v, n, NULL);
	free(v);
	return rv;
}

static int
pf_flush(struct fwtable *fw, const char *name)
{
	return pf_run(fw, name, "flush", NULL, 0, NULL);
}

static int
pf_list(struct fwtable *fw, const char *name, struct prefixset *out)
{
	char	*text, *line, *next;

	if (pf_run(fw, name, "show", NULL, 0, &text) == -1)
		return -1;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '!')
			continue;	/* negated entries are not members */
		if (fw_parse_elem(line, out) == -1) {
			fw_seterr(fw, "pf: table %s: cannot read \"%.64s\"",
			    name, line);
			free(text);
			return -1;
		}
	}
	free(text);
	return 0;
}

static int
pf_del(struct fwtable *fw, const char *name, const struct prefix *p,
    size_t n)
{
	struct prefixset	*set;
	int			 rv = -1;

	set = prefixset_new();
	if (pf_list(fw, name, set) == 0 &&
	    fw_cover_update(fw, set, 0, p, n) == 0)
		rv = pf_replace(fw, name, set);
	prefixset_free(set);
	return rv;
}

#endif /* FW_HAVE_PF */
