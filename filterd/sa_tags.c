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
 * ReplaceTags (Mail::SpamAssassin::Plugin::ReplaceTags), step for step.
 * The plugin works on the compiled rule turned back into a string,
 * "(?aa)(?flags)pattern"; so does this (the "(?aa)" matters: it is why
 * a pattern never starts with an empty field).  Each pass: take out the
 * first <pre X>, <post X>, <inter X>; split at /(<[^<>]+>)/ (Perl's
 * split: separators kept, trailing empty fields dropped); put replace_pre
 * before the first <...> of each field, replace_post after every one,
 * replace_inter into every empty field (between two adjacent tags);
 * then each field's first <NAME> that names a replace_tag is replaced
 * everywhere in that field.  Again while a replacement brought new
 * tags, at most 6 passes.  Start and end markers are literal strings.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "sa_conf.h"

struct fields {
	char	**v;
	size_t	  n;
};

static const char *kv_get(const struct sa_kv *, size_t, const char *);
static int	 find_tag(const char *, size_t, const char *, const char *,
		    const char *, size_t *, size_t *, size_t *, size_t *);
static char	*take_modifier(char *, const char *, const char *,
		    const char *);
static void	 split_tags(const char *, struct fields *);
static char	*replace_all(const char *, const char *, const char *);
static int	 perl_true(const char *);

static const char *
kv_get(const struct sa_kv *kv, size_t n, const char *k)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, k) == 0)
			return kv[i].val;
	return NULL;
}

static int
perl_true(const char *s)
{
	return s != NULL && *s != '\0' && strcmp(s, "0") != 0;
}

/*
 * The leftmost-shortest START prefix (.+?) END in s from off: *b..*e is
 * the whole match, *nb..*ne the (.+?).  '.' does not match a newline.
 */
static int
find_tag(const char *s, size_t off, const char *start, const char *prefix,
    const char *end, size_t *b, size_t *nb, size_t *ne, size_t *e)
{
	size_t	 sl = strlen(start), pl = strlen(prefix), el = strlen(end);
	size_t	 len = strlen(s), i, k;

	for (i = off; i + sl + pl <= len; i++) {
		if (strncmp(s + i, start, sl) != 0 ||
		    strncmp(s + i + sl, prefix, pl) != 0)
			continue;
		for (k = i + sl + pl + 1; k + el <= len; k++) {
			if (s[k - 1] == '\n')
				break;
			if (strncmp(s + k, end, el) == 0) {
				*b = i;
				*nb = i + sl + pl;
				*ne = k;
				*e = k + el;
				return 1;
			}
		}
	}
	return 0;
}

/* s/${start}NAME (.+?)${end}// once; the (.+?) returned, or NULL */
static char *
take_modifier(char *s, const char *start, const char *name, const char *end)
{
	char	 prefix[16], *val;
	size_t	 b, nb, ne, e;

	snprintf(prefix, sizeof(prefix), "%s ", name);
	if (!find_tag(s, 0, start, prefix, end, &b, &nb, &ne, &e))
		return NULL;
	val = xstrndup(s + nb, ne - nb);
	memmove(s + b, s + e, strlen(s + e) + 1);
	return val;
}

static void
add_field(struct fields *f, const char *s, size_t n)
{
	f->v = xreallocarray(f->v, f->n + 1, sizeof(*f->v));
	f->v[f->n++] = xstrndup(s, n);
}

/* split(/(<[^<>]+>)/, $re) */
static void
split_tags(const char *s, struct fields *f)
{
	size_t	len = strlen(s), i, j, last = 0;

	f->v = NULL;
	f->n = 0;
	for (i = 0; i < len; i++) {
		if (s[i] != '<')
			continue;
		for (j = i + 1; j < len && s[j] != '<' && s[j] != '>'; j++)
			;
		if (j >= len || s[j] != '>' || j == i + 1)
			continue;
		add_field(f, s + last, i - last);
		add_field(f, s + i, j + 1 - i);
		last = j + 1;
		i = j;
	}
	add_field(f, s + last, len - last);
	while (f->n > 0 && f->v[f->n - 1][0] == '\0')
		free(f->v[--f->n]);
}

/* every non-overlapping occurrence of pat replaced with rep */
static char *
replace_all(const char *s, const char *pat, const char *rep)
{
	size_t		 pl = strlen(pat), rl = strlen(rep), n = 0;
	const char	*p;
	char		*out, *o;

	for (p = s; (p = strstr(p, pat)) != NULL; p += pl)
		n++;
	out = o = xmalloc(strlen(s) + n * rl + 1);
	for (p = s; *p != '\0';) {
		if (strncmp(p, pat, pl) == 0) {
			memcpy(o, rep, rl);
			o += rl;
			p += pl;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static char *
join_fields(struct fields *f)
{
	size_t	 i, len = 0;
	char	*out;

	for (i = 0; i < f->n; i++)
		len += strlen(f->v[i]);
	out = xmalloc(len + 1);
	out[0] = '\0';
	len = 0;
	for (i = 0; i < f->n; i++) {
		memcpy(out + len, f->v[i], strlen(f->v[i]) + 1);
		len += strlen(f->v[i]);
		free(f->v[i]);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
	return out;
}

/* "(?flags)pattern" -> the same with the tags expanded */
char *
sa_tags_expand(const struct sa_conf *c, const char *re_sa)
{
	const char	*st = c->replace_start, *en = c->replace_end;
	const char	*pre, *post, *inter, *rep;
	char		*re, *pre_n, *post_n, *inter_n, *t, *name;
	struct fields	 f;
	size_t		 i, b, nb, ne, e, off;
	int		 passes = 0, again;

	if (xasprintf(&re, "(?aa)%s", re_sa) == -1)
		fatalx("%s: asprintf", __func__);
	do {
		again = 0;
		pre_n = take_modifier(re, st, "pre", en);
		post_n = take_modifier(re, st, "post", en);
		inter_n = take_modifier(re, st, "inter", en);
		split_tags(re, &f);
		free(re);
		pre = pre_n != NULL ? kv_get(c->rpre, c->nrpre, pre_n) : NULL;
		post = post_n != NULL ? kv_get(c->rpost, c->nrpost, post_n) :
		    NULL;
		inter = inter_n != NULL ? kv_get(c->rinter, c->nrinter,
		    inter_n) : NULL;
		for (i = 0; i < f.n; i++) {
			if (perl_true(pre) && find_tag(f.v[i], 0, st, "", en,
			    &b, &nb, &ne, &e)) {
				if (xasprintf(&t, "%.*s%s%s", (int)b, f.v[i],
				    pre, f.v[i] + b) == -1)
					fatalx("%s: asprintf", __func__);
				free(f.v[i]);
				f.v[i] = t;
			}
			if (perl_true(post)) {
				for (off = 0; find_tag(f.v[i], off, st, "",
				    en, &b, &nb, &ne, &e);) {
					if (xasprintf(&t, "%.*s%s%s", (int)e,
					    f.v[i], post, f.v[i] + e) == -1)
						fatalx("%s: asprintf",
						    __func__);
					free(f.v[i]);
					f.v[i] = t;
					off = e + strlen(post);
				}
			}
			if (perl_true(inter) && f.v[i][0] == '\0') {
				free(f.v[i]);
				f.v[i] = xstrdup(inter);
			}
		}
		for (i = 0; i < f.n; i++) {
			if (!find_tag(f.v[i], 0, st, "", en, &b, &nb, &ne, &e))
				continue;
			name = xstrndup(f.v[i] + nb, ne - nb);
			rep = perl_true(name) ? kv_get(c->rtag, c->nrtag,
			    name) : NULL;
			if (perl_true(rep)) {
				char *pat;

				if (xasprintf(&pat, "%s%s%s", st, name, en) ==
				    -1)
					fatalx("%s: asprintf", __func__);
				t = replace_all(f.v[i], pat, rep);
				free(pat);
				free(f.v[i]);
				f.v[i] = t;
				/* $replacement =~ /<[^>]+>/ */
				for (t = strchr(rep, '<'); t != NULL && !again;
				    t = strchr(t + 1, '<')) {
					char *q = strchr(t + 1, '>');

					if (q != NULL && q > t + 1)
						again = 1;
				}
			}
			free(name);
		}
		re = join_fields(&f);
		free(pre_n);
		free(post_n);
		free(inter_n);
		passes++;
	} while (again && passes <= 5);
	t = xstrdup(re + (strncmp(re, "(?aa)", 5) == 0 ? 5 : 0));
	free(re);
	return t;
}
