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
 * Fuzz dkimsignd's configuration readers: the input is a
 * dkimproxy_out.conf, and also a sender_map, and each of its lines a
 * signature spec list.  Checks: an accepted configuration has a listen
 * port, a relay and only resolved signatures; what -nv prints parses
 * again to the same signatures; map lookups stay within the map.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#include "../../dkimsignd/dkp_conf.c"
#include "../../dkimsignd/dkp_map.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static size_t
count(const struct dkp_sigs *sigs)
{
	const struct dkp_sig	*s;
	size_t			 n = 0;

	TAILQ_FOREACH(s, sigs, entry) {
		CHECK(s->keyfile != NULL && s->selector != NULL);
		CHECK(s->type == DKP_SIG_DKIM ||
		    s->type == DKP_SIG_DOMAINKEYS);
		n++;
	}
	return n;
}

/* Key file names with what a spec cannot hold (dkimproxy's limit too). */
static int
oddpaths(const struct dkp_sigs *sigs)
{
	const struct dkp_sig	*s;

	TAILQ_FOREACH(s, sigs, entry)
		if (strpbrk(s->keyfile, ",()\n") != NULL ||
		    s->keyfile[0] == ' ' || s->keyfile[0] == '\t' ||
		    s->keyfile[strlen(s->keyfile) - 1] == ' ' ||
		    s->keyfile[strlen(s->keyfile) - 1] == '\t')
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct dkp_conf		*c, *c2;
	struct dkp_map		*m;
	struct dkp_sigs		 sigs;
	const struct dkp_map_entry *e;
	struct dkp_map_entry	*me;
	char			*text, *line, *p, err[DKP_ERR_MAX];
	char			*out = NULL;
	size_t			 outlen = 0;
	FILE			*fp;

	if (!init) {
		log_init(1, LOG_MAIL);
		log_setverbose(0);
		init = 1;
	}
	c = dkp_conf_new();
	c->conf_file = xstrdup("fuzz.conf");
	if (dkp_conf_text(c, "fuzz.conf", (const char *)data, size) == 0 &&
	    dkp_conf_finish(c, 0) == 0) {
		CHECK(c->listen_port != NULL && c->relay_host != NULL &&
		    c->relay_port != NULL);
		CHECK(c->errors == 0);
		if (c->sender_map == NULL && c->listid_map == NULL &&
		    !oddpaths(&c->sigs)) {
			/* -nv output parses again, same signatures */
			fp = open_memstream(&out, &outlen);
			CHECK(fp != NULL);
			dkp_conf_print(c, fp);
			fclose(fp);
			c2 = dkp_conf_new();
			c2->conf_file = xstrdup("printed");
			CHECK(dkp_conf_text(c2, "printed", out, outlen) == 0);
			CHECK(dkp_conf_finish(c2, 0) == 0);
			CHECK(count(&c2->sigs) == count(&c->sigs));
			dkp_conf_free(c2);
			free(out);
		}
	}
	dkp_conf_free(c);

	c = dkp_conf_new();
	c->keyfile = xstrdup("/k");
	c->selector = xstrdup("s");
	if ((m = dkp_map_parse(c, "map", (const char *)data, size, 0)) !=
	    NULL) {
		RB_FOREACH(me, dkp_map_tree, &m->tree)
			CHECK(count(&me->sigs) > 0);
		text = xstrndup((const char *)data, size);
		for (p = text; (line = strsep(&p, "\n")) != NULL; ) {
			e = dkp_map_lookup_address(m, line);
			CHECK(e == NULL || dkp_map_find(m, e->key) == e);
			e = dkp_map_lookup_listid(m, line);
			CHECK(e == NULL || dkp_map_find(m, e->key) == e);
		}
		free(text);
		dkp_map_free(m);
	}
	text = xstrndup((const char *)data, size);
	for (p = text; (line = strsep(&p, "\n")) != NULL; ) {
		TAILQ_INIT(&sigs);
		if (dkp_sig_parse_list(c, line, &sigs, err, sizeof(err)) == 0)
			CHECK(count(&sigs) > 0);
		dkp_sigs_clear(&sigs);
	}
	free(text);
	dkp_conf_free(c);
	return 0;
}
