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
 * filterd: for now only `filterd -n`, which loads SpamAssassin's
 * configuration as SpamAssassin does and reports what filterd cannot
 * run, rule by rule.  The proxy comes later.
 */

#include <sys/types.h>

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "sa_conf.h"

__dead static void	usage(void);
static void		print_summary(const struct sa_conf *, int);
static void		print_evals(const struct sa_conf *);

/* each eval function the rules call, how many rules, and its status */
static void
print_evals(const struct sa_conf *c)
{
	const struct sa_rule	*r, *q;
	size_t			 i, j, n;

	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (!r->is_eval || r->is_mimeheader || r->eval_func == NULL)
			continue;
		for (j = 0; j < i; j++) {
			q = c->rules[j];
			if (q->is_eval && q->eval_func != NULL &&
			    !q->is_mimeheader &&
			    strcmp(q->eval_func, r->eval_func) == 0)
				break;
		}
		if (j < i)
			continue;
		for (n = 0, j = i; j < c->nrules; j++) {
			q = c->rules[j];
			n += q->is_eval && q->eval_func != NULL &&
			    !q->is_mimeheader &&
			    strcmp(q->eval_func, r->eval_func) == 0;
		}
		printf("eval %s: %zu rule%s, %s\n", r->eval_func, n,
		    n == 1 ? "" : "s", r->unsupported == NULL ? "supported" :
		    strncmp(r->unsupported, "network", 7) == 0 ? "network" :
		    "not implemented");
	}
}

__dead static void
usage(void)
{
	fprintf(stderr, "usage: filterd -n [-Lv] [-C dir] "
	    "[--siteconfigpath=dir] [--cf=line]\n");
	exit(1);
}

static void
print_summary(const struct sa_conf *c, int verbose)
{
	static const char *const types[] = { "header", "exists", "body",
	    "rawbody", "full", "uri", "meta", "header_eval", "rbl_eval",
	    "body_eval", "rawbody_eval", "full_eval", "empty" };
	const struct sa_rule	*r;
	size_t			 i, j, n, nre = 0, nok = 0, nsplit = 0;
	size_t			 nuns = 0, nerr, njit = 0, npieces = 0;

	printf("SpamAssassin %s configuration: %zu files, %zu plugins "
	    "loaded\n", SA_VERSION_STR, c->nfiles, c->nplugins);
	for (i = 0; i < c->nfiles; i++)
		printf("file %s\n", c->files[i]);
	for (i = 0; i < c->nplugins; i++)
		printf("plugin %s\n", c->plugins[i]);
	printf("rules: %zu\n", c->nrules);
	for (j = 0; j < nitems(types); j++) {
		for (i = n = 0; i < c->nrules; i++)
			n += strcmp(sa_rtype_name(c->rules[i]), types[j]) == 0;
		printf("rules %s: %zu\n", types[j], n);
	}
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->re_sa != NULL) {
			nre++;
			if (r->re != NULL) {
				nok++;
				nsplit += r->re->ncodes > 1;
				npieces += r->re->ncodes > 1 ?
				    r->re->ncodes : 0;
				njit += r->re->jit != 0;
			}
		}
		nuns += r->unsupported != NULL;
	}
	printf("regex: %zu, compiled %zu (JIT %zu, split %zu into %zu), "
	    "failed %zu\n", nre, nok, njit, nsplit, npieces, nre - nok);
	printf("unsupported: %zu\n", nuns);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->unsupported != NULL)
			printf("unsupported %s %s: %s\n", r->name,
			    sa_rtype_name(r), r->unsupported);
	}
	print_evals(c);
	for (i = 0; i < c->nignored; i++)
		printf("ignored setting %s: %zu line%s\n", c->ignored[i].key,
		    c->ignored[i].n, c->ignored[i].n == 1 ? "" : "s");
	if (verbose)
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			printf("rule %s %s %g,%g,%g,%g %d %s\n", r->name,
			    sa_rtype_name(r), r->score[0], r->score[1],
			    r->score[2], r->score[3], r->priority,
			    r->tflags != NULL ? r->tflags : "");
		}
	if (verbose > 1)
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			if (r->re_sa != NULL && !r->is_mimeheader)
				printf("regex %s %s\n", r->name, r->re_sa);
		}
	nerr = sa_conf_nerrors(c);
	for (i = 0; i < c->ndiags; i++)
		if (c->diags[i].error || verbose)
			fprintf(stderr, "%s:%zu: %s%s\n", c->diags[i].file,
			    c->diags[i].line, c->diags[i].error ? "" :
			    "warning: ", c->diags[i].msg);
	if (nerr == 0)
		printf("configuration OK\n");
	else
		printf("configuration: %zu error%s\n", nerr,
		    nerr == 1 ? "" : "s");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "configpath", required_argument, NULL, 'C' },
		{ "siteconfigpath", required_argument, NULL, 'S' },
		{ "cf", required_argument, NULL, 'c' },
		{ "local", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct sa_load_opts	 o;
	struct sa_conf		*c;
	char			*post = NULL, *t;
	int			 ch, check = 0, verbose = 0, rc;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "C:Lnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			o.rules_dir = optarg;
			break;
		case 'S':
			o.site_dir = optarg;
			break;
		case 'c':
			if (xasprintf(&t, "%s%s\n", post != NULL ? post : "",
			    optarg) == -1)
				err(1, "asprintf");
			free(post);
			post = t;
			break;
		case 'L':
			o.local_tests_only = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!check)
		errx(1, "only -n (check the configuration) exists so far");
	log_init(1, LOG_MAIL);
	o.post_config = post;
	c = sa_conf_new();
	rc = sa_conf_load(c, &o);
	print_summary(c, verbose);
	sa_conf_free(c);
	free(post);
	return rc == 0 ? 0 : 1;
}
