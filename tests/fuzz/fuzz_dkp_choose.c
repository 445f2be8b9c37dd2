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
 * Fuzz dkimsignd's choice of signatures: the input is a message header
 * (From:, Sender:, List-Id: of any shape), chosen for under two
 * configurations, one domain and several domains with a sender_map and
 * a listid_map full of macros.  Checks: the count is the plans', every
 * d= is a domain, every i= has an "@", a message with nothing to sign
 * says why.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msghdr.h"

#include "../../dkimsignd/dkp_conf.c"
#include "../../dkimsignd/dkp_map.c"
#include "../../dkimsignd/dkp_choose.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static struct dkp_conf *
conf_make(const char *text, const char *smap, const char *lmap)
{
	struct dkp_conf	*c = dkp_conf_new();

	c->conf_file = xstrdup("fuzz.conf");
	CHECK(dkp_conf_text(c, "fuzz.conf", text, strlen(text)) == 0);
	CHECK(dkp_conf_finish(c, 0) == 0);
	if (smap != NULL)
		CHECK((c->sender_map = dkp_map_parse(c, "smap", smap,
		    strlen(smap), 0)) != NULL);
	if (lmap != NULL)
		CHECK((c->listid_map = dkp_map_parse(c, "lmap", lmap,
		    strlen(lmap), 0)) != NULL);
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkp_conf	*confs[2];
	static struct dkp_choice ch;
	struct msghdr		*h;
	char			 err[DKP_ERR_MAX];
	size_t			 i, j;
	int			 n;

	if (confs[0] == NULL) {
		log_init(1, LOG_MAIL);
		log_setverbose(0);
		confs[0] = conf_make("listen 127.0.0.1:1\nrelay r:2\n"
		    "domain example.com\nkeyfile /k\nselector s\n"
		    "signature dkim\nsignature dkim(s=ed,key=/e,"
		    "i=$sender)\nsignature domainkeys\n", NULL, NULL);
		confs[1] = conf_make("listen 127.0.0.1:1\nrelay r:2\n"
		    "domain example.com,example.org,a.b.example.net\n"
		    "keyfile /k\nselector s\n"
		    "signature dkim(i=@$senderdomain)\n",
		    "example.org dkim(d=$senderdomain,i=$sender)\n"
		    "x@example.com dkim(d=$keydomain), dkim(d=$key)\n"
		    ". dkim(d=$$x)\n",
		    "lists.example.com dkim(d=$keydomain,i=l@$key)\n");
	}
	h = msghdr_new(0, 0);
	if (msghdr_parse(h, data, size) == -1) {
		msghdr_free(h);
		return 0;
	}
	for (i = 0; i < 2; i++) {
		n = dkp_choose(confs[i], h, &ch, err, sizeof(err));
		CHECK(n >= -1 && n <= DKP_PLAN_MAX);
		if (n == -1) {
			CHECK(err[0] != '\0');
			continue;
		}
		CHECK((size_t)n == ch.n);
		if (n == 0)
			CHECK(ch.why[0] != '\0');
		for (j = 0; j < ch.n; j++) {
			CHECK(ch.plans[j].domain[0] != '\0');
			CHECK(ch.plans[j].domain[strspn(ch.plans[j].domain,
			    DKP_DNS_CHARS)] == '\0');
			CHECK(ch.plans[j].identity[0] == '\0' ||
			    strchr(ch.plans[j].identity, '@') != NULL);
		}
	}
	msghdr_free(h);
	return 0;
}
