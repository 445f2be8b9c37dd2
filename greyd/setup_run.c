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
 * The whole run, as spamd-setup does it: the lists of "all" in order;
 * a black list starts a group, the white lists after it are subtracted
 * from it; each group, once complete, becomes one config line for the
 * sink.  A white list before any black list is ignored (spamd-setup
 * drops it too).  What differs: a list that cannot be fetched is
 * reported and its group is not sent (greyd keeps what it had) where
 * spamd-setup exits or sends what it got; a group whose white lists
 * remove everything is sent as a deletion ("tag;").
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "xmalloc.h"
#include "setup.h"

struct run_group {
	const struct setup_list	*black;
	struct prefixset	*b;
	struct prefixset	*w;
	size_t			 entries;
	int			 failed;
};

static int	run_finish(const struct setup_opts *, struct run_group *);
static int	run_table(const struct prefix *, void *, void *);
static void	run_rv(int *, int);
static int	run_list(const struct setup_opts *, const struct setup_list *,
		    struct prefixset *, size_t *);

static int
run_table(const struct prefix *p, void *data, void *arg)
{
	(void)prefixset_add(arg, p, NULL);
	return 0;
}

/* -1 (a list failed) outweighs 1 (greyd was not loaded). */
static void
run_rv(int *rv, int r)
{
	if (r == -1 || (r == 1 && *rv == 0))
		*rv = r;
}

static int
run_finish(const struct setup_opts *o, struct run_group *g)
{
	char	*line;
	size_t	 len;
	int	 rv = 0;

	if (g->black == NULL)
		return 0;
	if (g->failed) {
		log_warnx("%s: not sent: a list of it failed; greyd keeps "
		    "what it had", g->black->name);
		rv = -1;
		goto out;
	}
	if (g->entries == 0) {
		log_warnx("%s: no entries: not sent; greyd keeps what it had",
		    g->black->name);
		goto out;
	}
	prefixset_subtract(g->b, g->w);
	log_debug("%s: %zu prefixes after white lists", g->black->name,
	    prefixset_count(g->b));
	line = setup_configline(g->black->name, g->black->msg, g->b, &len);
	if (line == NULL) {
		log_warnx("%s: cannot format the config line",
		    g->black->name);
		rv = -1;
		goto out;
	}
	/* The table gets the list even when greyd could not. */
	if (o->sink(g->black->name, line, len, o->sink_arg) == -1)
		rv = 1;
	if (o->table != NULL)
		(void)prefixset_walk(g->b, run_table, o->table);
	free(line);
 out:
	prefixset_free(g->b);
	prefixset_free(g->w);
	memset(g, 0, sizeof(*g));
	return rv;
}

static int
run_list(const struct setup_opts *o, const struct setup_list *l,
    struct prefixset *set, size_t *entries)
{
	struct setup_stats	 st;
	char			 err[512], *raw, *text;
	size_t			 rawlen, textlen, i;

	if (setup_fetch(l, &o->fetch, &raw, &rawlen, err,
	    sizeof(err)) == -1) {
		log_warnx("%s: %s", l->name, err);
		return -1;
	}
	if (setup_decode(raw, rawlen, o->fetch.maxsize, &text, &textlen, err,
	    sizeof(err)) == -1) {
		log_warnx("%s: %s", l->name, err);
		free(raw);
		return -1;
	}
	free(raw);
	memset(&st, 0, sizeof(st));
	setup_parse_buf(text, textlen, set, &st);
	free(text);
	log_debug("%slist %s %zu entries", l->black ? "black" : "white",
	    l->name, st.entries);
	if (st.bad > 0) {
		char	lines[64] = "";
		char	num[16];

		for (i = 0; i < st.bad && i < nitems(st.firstbad); i++) {
			snprintf(num, sizeof(num), "%s%zu", i ? "," : "",
			    st.firstbad[i]);
			(void)strlcat(lines, num, sizeof(lines));
		}
		log_warnx("%s: %zu bad line%s skipped (line%s %s%s)", l->name,
		    st.bad, st.bad == 1 ? "" : "s", st.bad == 1 ? "" : "s",
		    lines, st.bad > nitems(st.firstbad) ? ",..." : "");
	}
	*entries = st.entries;
	return 0;
}

int
setup_run(const struct setup_opts *o)
{
	struct setup_conf	*conf;
	struct setup_list	*lists = NULL;
	struct run_group	 g;
	size_t			 n = 0, i, entries;
	int			 rv = 0;

	if ((conf = setup_conf_load(o->conffile)) == NULL)
		return -1;
	if (conf->nerrs == 0)
		(void)setup_conf_lists(conf, &lists, &n);
	if (conf->nerrs > 0) {
		for (i = 0; i < conf->nerrs; i++)
			log_warnx("%s", conf->errs[i]);
		setup_lists_free(lists, n);
		setup_conf_free(conf);
		return -1;
	}

	memset(&g, 0, sizeof(g));
	for (i = 0; i < n; i++) {
		if (lists[i].black) {
			run_rv(&rv, run_finish(o, &g));
			g.black = &lists[i];
			g.b = prefixset_new();
			g.w = prefixset_new();
		} else if (g.black == NULL) {
			log_warnx("%s:%d: white list %s comes before any "
			    "black list: ignored", conf->path, lists[i].line,
			    lists[i].name);
			continue;
		}
		entries = 0;
		if (run_list(o, &lists[i], lists[i].black ? g.b : g.w,
		    &entries) == -1) {
			g.failed = 1;
			continue;
		}
		if (lists[i].black)
			g.entries = entries;
	}
	run_rv(&rv, run_finish(o, &g));
	if (o->table != NULL)
		prefixset_collapse(o->table);
	setup_lists_free(lists, n);
	setup_conf_free(conf);
	return rv;
}
