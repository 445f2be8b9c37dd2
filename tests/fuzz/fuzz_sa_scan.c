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
 * libFuzzer target for filterd's scan engine and output (sa_engine.c,
 * sa_msg.c, sa_out.c, sa_lit.c, with the loader, the renderer, the
 * evals and the relay parser compiled in here: the fuzz build links
 * common/ only).  The input is a message, scanned with SpamAssassin's
 * stock rules (or, without them, a small set of every rule type): the
 * score is the sum of the hits' scores, the verdict follows it, the
 * tests are sorted, and every output (headers, report, rewritten
 * message) is made; a rewritten ham still ends with the original body.
 */

#include <sys/types.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filterd/sa_cmds.c"
#include "../../filterd/sa_conf.c"
#include "../../filterd/sa_meta.c"
#include "../../filterd/sa_re.c"
#include "../../filterd/sa_tags.c"
/* static names two of these files share */
#define attr_get html_attr_get
#include "../../filterd/html.c"
#undef attr_get
#include "../../filterd/render.c"
#include "../../filterd/sa_relays.c"
#define free_list eval_free_list
#include "../../filterd/sa_eval.c"
#undef free_list
#include "../../filterd/sa_lit.c"
#include "../../filterd/sa_hs.c"
#include "../../filterd/sa_msg.c"
#include "../../filterd/sa_engine.c"
#include "../../filterd/sa_out.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const char small_rules[] =
    "header H1 Subject =~ /free/i\n"
    "header H2 From:addr =~ /\\@example\\.com$/\n"
    "header H3 exists:X-Mailer\n"
    "header H4 ALL =~ /^Received: .*\\n/m\n"
    "body B1 /money|cash/i\n"
    "body __B2 /a/\n"
    "tflags __B2 multiple maxhits=5\n"
    "rawbody R1 /<html/i\n"
    "full F1 /\\n\\n/\n"
    "uri U1 /^https?:/\n"
    "meta M1 (H1 || B1) && __B2 > 2\n"
    "score M1 2.5\n"
    "add_header all Status _YESNO_, score=_SCORE_ required=_REQD_ "
    "tests=_TESTS_\n"
    "report _SUMMARY_ _PREVIEW_\n";

static struct sa_engine *
engine(void)
{
	static struct sa_engine	*e;
	static struct sa_conf	*c;
	struct sa_load_opts	 o;
	struct sa_engine_opts	 eo;
	char			 err[256];

	if (e != NULL)
		return (e);
	memset(&o, 0, sizeof(o));
	o.local_tests_only = 1;
	o.evals = sa_eval_names();
	c = sa_conf_new();
	if (sa_conf_load(c, &o) == -1 || c->nrules < 100) {
		sa_conf_free(c);
		c = sa_conf_new();
		sa_conf_set_opts(c, &o);
		CHECK(sa_conf_parse_text(c, "fuzz.cf", small_rules,
		    strlen(small_rules)) == 0);
		CHECK(sa_conf_finish(c) == 0);
	}
	memset(&eo, 0, sizeof(eo));
	eo.hostname = "fuzz.test";
	eo.now = 1700000000;
	eo.seed = 7;
	eo.score_set = -1;
	e = sa_engine_new(c, &eo, err, sizeof(err));
	CHECK(e != NULL);
	return (e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_engine	*e = engine();
	struct sa_result	*res;
	struct mimebuf		 b;
	double			 sum = 0;
	char			*copy, sc[32];
	size_t			 i;

	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	CHECK(sa_scan(e, copy, size, NULL, &res) == 0);
	for (i = 0; i < res->nhits; i++) {
		sum += res->hits[i].score;
		CHECK(strncmp(res->hits[i].name, "__", 2) != 0);
		if (i > 0)
			CHECK(strcmp(res->hits[i - 1].name,
			    res->hits[i].name) <= 0);
	}
	CHECK(isfinite(res->score) && fabs(res->score - sum) < 0.01);
	CHECK(res->is_spam == (res->score >= res->required));
	sa_out_score(res, sc, sizeof(sc));
	mimebuf_init(&b);
	CHECK(sa_out_tests(res, ",", &b) == 0 && b.len > 0);
	b.len = 0;
	CHECK(sa_out_headers(res, NULL, &b) == 0);
	b.len = 0;
	CHECK(sa_out_report(res, &b) == 0 && b.len >= 2);
	b.len = 0;
	CHECK(sa_out_message(res, &b) == 0);
	CHECK(b.len > 0 || size == 0);
	sa_result_free(res);
	mimebuf_free(&b);
	free(copy);
	return (0);
}
