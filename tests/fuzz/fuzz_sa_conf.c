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
 * libFuzzer target for filterd's SpamAssassin rule-file parser
 * (filterd/sa_conf.c with sa_meta.c, sa_re.c, sa_tags.c): the input is
 * one configuration file, parsed after a .pre that loads ReplaceTags and
 * MIMEHeader, then finished (metas, ReplaceTags, regex compilation).
 * Every rule left must have a valid name, its own index, and a meta
 * whose dependencies resolve to rules or to nothing; then each line is
 * also tried as a meta expression and as a regex.  `include` is not
 * followed here.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filterd/sa_cmds.c"
#include "../../filterd/sa_conf.c"
#include "../../filterd/sa_meta.c"
#include "../../filterd/sa_re.c"
#include "../../filterd/sa_tags.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static double
zero(void *arg, const struct sa_mnode *n)
{
	(void)arg;
	(void)n;
	return 1;
}

static void
check_node(struct sa_conf *c, const struct sa_mnode *n)
{
	if (n == NULL)
		return;
	if (n->op == SA_M_RULE) {
		CHECK(n->name != NULL);
		CHECK(n->idx == SA_NOIDX || (n->idx < c->nrules &&
		    strcmp(c->rules[n->idx]->name, n->name) == 0));
	}
	check_node(c, n->a);
	check_node(c, n->b);
	check_node(c, n->c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] =
	    "loadplugin Mail::SpamAssassin::Plugin::ReplaceTags\n"
	    "loadplugin Mail::SpamAssassin::Plugin::MIMEHeader\n"
	    "loadplugin Mail::SpamAssassin::Plugin::AskDNS\n";
	struct sa_conf	*c;
	struct sa_meta	*m;
	struct sa_rule	*r;
	char		*text, *line, *save = NULL, err[256], *s, *p;
	size_t		 i;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	c = sa_conf_new();
	sa_conf_parse_text(c, "init.pre", pre, sizeof(pre) - 1);
	sa_conf_parse_text(c, "fuzz.cf", text, size);
	sa_conf_finish(c);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		CHECK(r->index == i);
		CHECK(is_rulename(r->name));
		CHECK(sa_conf_rule(c, r->name) == r);
		if (r->type == SA_R_META && r->meta != NULL) {
			check_node(c, r->meta->root);
			(void)sa_meta_eval(r->meta->root, zero, NULL);
		}
		if (r->re != NULL)
			(void)sa_re_match(r->re, "fuzz", 4);
	}
	for (i = 0; i < c->ndiags; i++)
		CHECK(c->diags[i].msg != NULL && c->diags[i].file != NULL);
	sa_conf_free(c);

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((m = sa_meta_parse(line, SA_MP_META, err,
		    sizeof(err))) != NULL) {
			(void)sa_meta_eval(m->root, zero, NULL);
			sa_meta_free(m);
		}
		if ((m = sa_meta_parse(line, SA_MP_IF, err,
		    sizeof(err))) != NULL)
			sa_meta_free(m);
		if ((s = sa_re_strip(line, 1, err, sizeof(err))) != NULL) {
			p = sa_re_to_pcre(s, err, sizeof(err));
			sa_re_free(sa_re_compile_split(p, err, sizeof(err)));
			free(p);
			free(s);
		}
	}
	free(text);
	return 0;
}
