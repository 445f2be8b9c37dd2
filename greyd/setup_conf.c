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
 * spamd.conf: a getcap(3) database, read by a small hand parser.
 *
 * A record is a logical line: physical lines joined where one ends in
 * a backslash.  Blank lines and lines starting with '#' are skipped
 * (a '#' line continued by backslashes is one long comment, as in
 * getcap).  Fields are separated by ':' outside double quotes (the
 * quoting spamd-setup adds on top of getcap); the first field is the
 * record's names, "name|alias|...".  Empty fields and blanks around a
 * field are dropped.  tc=name splices in another record's fields.
 * Strings are decoded as cgetstr(3) does: \b \t \n \f \r \e \c (':'),
 * octal \nnn, ^X for a control character, \x for x.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"
#include "setup.h"

struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void	 sbuf_add(struct sbuf *, char);
static void	 conf_add_field(struct setup_rec *, struct sbuf *, size_t,
		    int);
static void	 conf_end_record(struct setup_conf *, struct setup_rec *);
static void	 conf_finish(struct setup_conf *, struct setup_rec *,
		    struct sbuf *, size_t, int, int, int);
static int	 conf_name_match(const char *, const char *);
static struct setup_rec *conf_find(struct setup_conf *, const char *);
static int	 conf_expand(struct setup_conf *, struct setup_rec *, int,
		    struct setup_field ***, size_t *, size_t *);
static int	 conf_read_msg(struct setup_conf *, int, const char *,
		    const char *, char **);
static char	*conf_unquote(char *);
static int	 conf_list(struct setup_conf *, int, const char *,
		    struct setup_list *);

static void
sbuf_add(struct sbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
setup_conf_error(struct setup_conf *conf, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (line > 0)
		xasprintf(&s, "%s:%d: %s", conf->path, line, msg);
	else
		xasprintf(&s, "%s: %s", conf->path, msg);
	free(msg);
	conf->errs = xreallocarray(conf->errs, conf->nerrs + 1,
	    sizeof(*conf->errs));
	conf->errs[conf->nerrs++] = s;
}

/* Field text b[0..keep) (trailing blanks cut), unless it is empty. */
static void
conf_add_field(struct setup_rec *rec, struct sbuf *b, size_t keep, int line)
{
	char	*t;

	t = xstrndup(b->p != NULL ? b->p : "", keep);
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
	if (rec->names == NULL) {
		rec->names = t;
		return;
	}
	if (*t == '\0') {
		free(t);
		return;
	}
	rec->fields = xreallocarray(rec->fields, rec->nfields + 1,
	    sizeof(*rec->fields));
	rec->fields[rec->nfields].text = t;
	rec->fields[rec->nfields].line = line;
	rec->nfields++;
}

static void
conf_end_record(struct setup_conf *conf, struct setup_rec *rec)
{
	struct setup_rec	*old;
	const char		*p;
	size_t			 i;
	int			 bad = 0;

	if (rec->names == NULL || *rec->names == '\0') {
		setup_conf_error(conf, rec->line, "record without a name");
		bad = 1;
	} else {
		for (p = rec->names; *p != '\0'; p++)
			if (*p == ' ' || *p == '\t' || *p == '"' ||
			    *p == ';' || (unsigned char)*p < 0x20) {
				setup_conf_error(conf, rec->line,
				    "record name \"%s\": blank, quote, ';' or "
				    "control character", rec->names);
				bad = 1;
				break;
			}
	}
	if (!bad) {
		/* getcap uses the first record of a name: say so. */
		for (i = 0; i < conf->nrecs; i++) {
			old = &conf->recs[i];
			if (strcmp(old->names, rec->names) == 0) {
				log_warnx("%s:%d: record \"%s\" is defined "
				    "again, line %d is used", conf->path,
				    rec->line, rec->names, old->line);
				break;
			}
		}
		conf->recs = xreallocarray(conf->recs, conf->nrecs + 1,
		    sizeof(*conf->recs));
		conf->recs[conf->nrecs++] = *rec;
	} else {
		for (i = 0; i < rec->nfields; i++)
			free(rec->fields[i].text);
		free(rec->fields);
		free(rec->names);
	}
	memset(rec, 0, sizeof(*rec));
}

static void
conf_finish(struct setup_conf *conf, struct setup_rec *rec, struct sbuf *fb,
    size_t keep, int fieldline, int quoteline, int bad)
{
	size_t	i;

	conf_add_field(rec, fb, keep, fieldline);
	if (quoteline > 0) {
		setup_conf_error(conf, quoteline,
		    "unterminated quoted string");
		bad = 1;
	}
	if (!bad) {
		conf_end_record(conf, rec);
		return;
	}
	/* Already reported: drop it quietly. */
	for (i = 0; i < rec->nfields; i++)
		free(rec->fields[i].text);
	free(rec->fields);
	free(rec->names);
	memset(rec, 0, sizeof(*rec));
}

struct setup_conf *
setup_conf_parse(const char *path, const char *buf, size_t len)
{
	struct setup_conf	*conf;
	struct setup_rec	 rec;
	struct sbuf		 fb;
	const char		*line, *end, *nl, *p;
	size_t			 llen, keep = 0;
	int			 lineno = 0, inrec = 0, incomment = 0;
	int			 cont, quoted = 0, esc = 0, quoteline = 0;
	int			 fieldline = 0, started = 0, bad = 0, nul;

	conf = xcalloc(1, sizeof(*conf));
	conf->path = xstrdup(path);
	memset(&rec, 0, sizeof(rec));
	memset(&fb, 0, sizeof(fb));

	for (line = buf, end = buf + len; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		llen = nl - line;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		cont = llen > 0 && line[llen - 1] == '\\';
		if (cont)
			llen--;
		nul = memchr(line, '\0', llen) != NULL;
		if (nul)
			setup_conf_error(conf, lineno, "NUL byte");
		if (incomment) {
			incomment = cont;
			continue;
		}
		if (!inrec) {
			for (p = line; p < line + llen &&
			    (*p == ' ' || *p == '\t'); p++)
				;
			if (p == line + llen && !cont)
				continue;		/* blank */
			if (p < line + llen && *p == '#') {
				incomment = cont;	/* comment */
				continue;
			}
			if (p != line) {
				setup_conf_error(conf, lineno, "line starts "
				    "with a blank but the line before it does "
				    "not end in '\\'");
				incomment = cont;
				continue;
			}
			inrec = 1;
			rec.line = lineno;
			fieldline = lineno;
			quoted = esc = started = 0;
			keep = 0;
		}
		if (nul)
			bad = 1;
		for (p = line; p < line + llen; p++) {
			if (esc) {
				esc = 0;
				sbuf_add(&fb, *p);
				keep = fb.len;
				started = 1;
				continue;
			}
			if (*p == '\\') {
				esc = 1;
				sbuf_add(&fb, *p);
				keep = fb.len;
				started = 1;
				continue;
			}
			if (*p == '"') {
				if (!quoted)
					quoteline = lineno;
				quoted = !quoted;
				sbuf_add(&fb, *p);
				keep = fb.len;
				started = 1;
				continue;
			}
			if (*p == ':' && !quoted) {
				conf_add_field(&rec, &fb, keep, fieldline);
				fieldline = lineno;
				started = 0;
				keep = 0;
				continue;
			}
			if ((*p == ' ' || *p == '\t') && !quoted) {
				if (started)
					sbuf_add(&fb, *p);
				continue;
			}
			if (!started)
				fieldline = lineno;
			sbuf_add(&fb, *p);
			keep = fb.len;
			started = 1;
		}
		if (cont && nl < end)
			continue;
		/* End of the logical line: the record is complete. */
		conf_finish(conf, &rec, &fb, keep, fieldline,
		    quoted ? quoteline : 0, bad);
		inrec = 0;
		bad = 0;
	}
	if (inrec)	/* a continuation on the last line */
		conf_finish(conf, &rec, &fb, keep, fieldline,
		    quoted ? quoteline : 0, bad);
	free(fb.p);
	return conf;
}

struct setup_conf *
setup_conf_load(const char *path)
{
	struct setup_conf	*conf;
	struct stat		 st;
	char			*buf = NULL;
	size_t			 len = 0, cap = 0;
	ssize_t			 n;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= 16 * 1024 * 1024) {
				log_warnx("%s: too large", path);
				free(buf);
				close(fd);
				return NULL;
			}
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("%s", path);
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	conf = setup_conf_parse(path, buf, len);
	free(buf);
	return conf;
}

void
setup_conf_free(struct setup_conf *conf)
{
	size_t	i, j;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nrecs; i++) {
		for (j = 0; j < conf->recs[i].nfields; j++)
			free(conf->recs[i].fields[j].text);
		free(conf->recs[i].fields);
		free(conf->recs[i].names);
	}
	free(conf->recs);
	for (i = 0; i < conf->nerrs; i++)
		free(conf->errs[i]);
	free(conf->errs);
	free(conf->path);
	free(conf);
}

/* 1 if name is one of the '|'-separated names. */
static int
conf_name_match(const char *names, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = names, *bar;

	for (;;) {
		bar = strchr(p, '|');
		if ((bar == NULL && strcmp(p, name) == 0) ||
		    (bar != NULL && (size_t)(bar - p) == n &&
		    strncmp(p, name, n) == 0))
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static struct setup_rec *
conf_find(struct setup_conf *conf, const char *name)
{
	size_t	i;

	for (i = 0; i < conf->nrecs; i++)
		if (conf_name_match(conf->recs[i].names, name))
			return &conf->recs[i];
	return NULL;
}

static int
conf_expand(struct setup_conf *conf, struct setup_rec *rec, int depth,
    struct setup_field ***f, size_t *n, size_t *cap)
{
	struct setup_rec	*tc;
	size_t			 i;

	if (depth > SETUP_TC_DEPTH) {
		setup_conf_error(conf, rec->line, "tc= nested more than %d "
		    "deep (a loop?) in \"%s\"", SETUP_TC_DEPTH, rec->names);
		return -1;
	}
	for (i = 0; i < rec->nfields; i++) {
		if (strncmp(rec->fields[i].text, "tc=", 3) == 0) {
			tc = conf_find(conf, rec->fields[i].text + 3);
			if (tc == NULL) {
				setup_conf_error(conf, rec->fields[i].line,
				    "%s: no such record",
				    rec->fields[i].text);
				return -1;
			}
			if (conf_expand(conf, tc, depth + 1, f, n, cap) == -1)
				return -1;
			continue;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*f = xreallocarray(*f, *cap, sizeof(**f));
		}
		(*f)[(*n)++] = &rec->fields[i];
	}
	return 0;
}

int
setup_conf_get(struct setup_conf *conf, const char *name,
    struct setup_rec **recp, struct setup_field ***fp, size_t *np)
{
	struct setup_rec	*rec;
	struct setup_field	**f = NULL;
	size_t			 n = 0, cap = 0;

	*fp = NULL;
	*np = 0;
	if ((rec = conf_find(conf, name)) == NULL)
		return -1;
	if (conf_expand(conf, rec, 0, &f, &n, &cap) == -1) {
		free(f);
		return -1;
	}
	if (recp != NULL)
		*recp = rec;
	*fp = f;
	*np = n;
	return 0;
}

int
setup_cap_bool(struct setup_field **f, size_t n, const char *cap)
{
	size_t		 i, len = strlen(cap);
	const char	*t;

	for (i = 0; i < n; i++) {
		t = f[i]->text;
		if (strncmp(t, cap, len) != 0)
			continue;
		if (t[len] == '@')
			return 0;
		if (t[len] == '\0')
			return 1;
	}
	return 0;
}

int
setup_cap_decode(const char *s, size_t len, char **out)
{
	const char	*p = s, *end = s + len;
	char		*o, *q;
	int		 v, i;

	o = q = xmalloc(len + 1);
	while (p < end) {
		if (*p == '^') {
			if (++p == end)
				break;
			*q++ = *p++ & 037;
		} else if (*p == '\\') {
			if (++p == end)
				break;
			if (*p >= '0' && *p <= '7') {
				v = 0;
				for (i = 0; i < 3 && p < end &&
				    *p >= '0' && *p <= '7'; i++)
					v = v * 8 + (*p++ - '0');
				*q++ = (char)v;
				continue;
			}
			switch (*p++) {
			case 'b': case 'B':
				*q++ = '\b';
				break;
			case 't': case 'T':
				*q++ = '\t';
				break;
			case 'n': case 'N':
				*q++ = '\n';
				break;
			case 'f': case 'F':
				*q++ = '\f';
				break;
			case 'r': case 'R':
				*q++ = '\r';
				break;
			case 'e': case 'E':
				*q++ = '\033';
				break;
			case 'c': case 'C':
				*q++ = ':';
				break;
			default:
				*q++ = p[-1];
				break;
			}
		} else
			*q++ = *p++;
	}
	*q = '\0';
	if (memchr(o, '\0', q - o) != NULL) {
		free(o);
		*out = NULL;
		return -1;
	}
	*out = o;
	return 0;
}

int
setup_cap_str(struct setup_conf *conf, struct setup_field **f, size_t n,
    const char *cap, char **val)
{
	size_t		 i, len = strlen(cap);
	const char	*t;

	*val = NULL;
	for (i = 0; i < n; i++) {
		t = f[i]->text;
		if (strncmp(t, cap, len) != 0)
			continue;
		if (t[len] == '@')
			return 0;
		if (t[len] != '=')
			continue;
		if (setup_cap_decode(t + len + 1, strlen(t + len + 1),
		    val) == -1) {
			setup_conf_error(conf, f[i]->line, "%s: the string "
			    "holds a NUL byte", cap);
			return -1;
		}
		return 1;
	}
	return 0;
}

/* "text" becomes text (in place); anything else is left alone. */
static char *
conf_unquote(char *s)
{
	size_t	len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
	}
	return s;
}

static int
conf_read_msg(struct setup_conf *conf, int line, const char *name,
    const char *path, char **msg)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		setup_conf_error(conf, line, "%s: msg file %s: %s", name,
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		setup_conf_error(conf, line, "%s: msg file %s: not a regular "
		    "file", name, path);
		close(fd);
		return -1;
	}
	buf = xmalloc(SETUP_MSG_MAX + 1);
	for (;;) {
		n = read(fd, buf + len, SETUP_MSG_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len > SETUP_MSG_MAX)
			break;
	}
	close(fd);
	if (n == -1 || len > SETUP_MSG_MAX || memchr(buf, '\0', len)) {
		setup_conf_error(conf, line, "%s: msg file %s: %s", name,
		    path, n == -1 ? strerror(errno) : len > SETUP_MSG_MAX ?
		    "larger than 64 KB" : "holds a NUL byte");
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*msg = buf;
	return 0;
}

int
setup_tag_ok(const char *tag)
{
	const unsigned char	*p;

	if (*tag == '\0')
		return 0;
	for (p = (const unsigned char *)tag; *p != '\0'; p++)
		if (*p <= ' ' || *p == ';' || *p == '"' || *p == '\\' ||
		    *p == 0x7f)
			return 0;
	return 1;
}

static int
conf_list(struct setup_conf *conf, int allline, const char *name,
    struct setup_list *l)
{
	struct setup_rec	*rec;
	struct setup_field	**f;
	size_t			 n, nerrs = conf->nerrs;
	char			*method = NULL, *msg = NULL, *file = NULL;
	int			 black, white, line;

	memset(l, 0, sizeof(*l));
	if (setup_conf_get(conf, name, &rec, &f, &n) == -1) {
		if (conf->nerrs == nerrs)
			setup_conf_error(conf, allline, "all: no list "
			    "\"%s\"", name);
		return -1;
	}
	line = rec->line;
	l->name = xstrdup(name);
	l->line = line;
	black = setup_cap_bool(f, n, "black");
	white = setup_cap_bool(f, n, "white");
	if (!black && !white)
		setup_conf_error(conf, line, "%s: neither :black: nor "
		    ":white:", name);
	else if (black && white)
		log_warnx("%s:%d: %s: both :black: and :white:, taken as "
		    "black as spamd-setup does", conf->path, line, name);
	l->black = black;
	if (!setup_tag_ok(name))
		setup_conf_error(conf, line, "%s: a list name cannot hold "
		    "blanks, control characters, ';', '\"' or '\\'", name);

	if (setup_cap_str(conf, f, n, "method", &method) == 1) {
		conf_unquote(method);
		if (strcmp(method, "file") == 0)
			l->method = SETUP_FILE;
		else if (strcmp(method, "http") == 0)
			l->method = SETUP_HTTP;
		else if (strcmp(method, "https") == 0)
			l->method = SETUP_HTTPS;
		else if (strcmp(method, "exec") == 0)
			l->method = SETUP_EXEC;
		else if (strcmp(method, "ftp") == 0)
			setup_conf_error(conf, line, "%s: method ftp is not "
			    "supported: use http or https", name);
		else
			setup_conf_error(conf, line, "%s: unknown method "
			    "\"%s\" (file, http, https or exec)", name,
			    method);
	} else
		l->method = SETUP_FILE;

	if (setup_cap_str(conf, f, n, "file", &file) == 1 &&
	    *conf_unquote(file) != '\0') {
		l->file = file;
		file = NULL;
		if (l->method == SETUP_HTTP &&
		    strncmp(l->file, "http://", 7) == 0)
			memmove(l->file, l->file + 7, strlen(l->file + 7) + 1);
		if (l->method == SETUP_HTTPS &&
		    strncmp(l->file, "https://", 8) == 0)
			memmove(l->file, l->file + 8, strlen(l->file + 8) + 1);
	} else
		setup_conf_error(conf, line, "%s: no file given for %slist",
		    name, black || !white ? "black" : "white");

	if (black && setup_cap_str(conf, f, n, "msg", &msg) == 1) {
		size_t	len = strlen(msg);

		if (len >= 2 && msg[0] == '"' && msg[len - 1] == '"') {
			conf_unquote(msg);
			l->msg = msg;
			msg = NULL;
		} else
			(void)conf_read_msg(conf, line, name, msg, &l->msg);
	} else if (black && l->msg == NULL)
		setup_conf_error(conf, line, "%s: no msg for blacklist",
		    name);
	free(method);
	free(msg);
	free(file);
	free(f);
	return conf->nerrs == nerrs ? 0 : -1;
}

int
setup_conf_lists(struct setup_conf *conf, struct setup_list **listsp,
    size_t *np)
{
	struct setup_rec	*all;
	struct setup_field	**f;
	struct setup_list	*lists = NULL;
	size_t			 nf, i, n = 0;
	char			*copy, *p, *name;
	int			 rv = 0;

	*listsp = NULL;
	*np = 0;
	if (setup_conf_get(conf, "all", &all, &f, &nf) == -1) {
		if (conf_find(conf, "all") == NULL)
			setup_conf_error(conf, 0, "no \"all\" record");
		return -1;
	}
	for (i = 0; i < nf; i++) {
		copy = p = xstrdup(f[i]->text);
		while ((name = strsep(&p, " \t")) != NULL) {
			if (*name == '\0')
				continue;
			lists = xreallocarray(lists, n + 1, sizeof(*lists));
			if (conf_list(conf, f[i]->line, name, &lists[n]) == -1)
				rv = -1;
			n++;
		}
		free(copy);
	}
	free(f);
	if (n == 0)	/* spamd-setup does nothing, quietly */
		log_warnx("%s:%d: all: no lists", conf->path, all->line);
	if (rv == -1) {
		setup_lists_free(lists, n);
		return -1;
	}
	*listsp = lists;
	*np = n;
	return 0;
}

void
setup_lists_free(struct setup_list *lists, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(lists[i].name);
		free(lists[i].msg);
		free(lists[i].file);
	}
	free(lists);
}
