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
 * t_dkp_choose: which signatures a message gets (dkimproxy.out's
 * get_signature_options): one domain, several domains and the sender
 * (Sender: before From:, the last one, parent domains), sender_map and
 * listid_map, macros, DomainKeys never made.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "msghdr.h"

#include "../dkimsignd/dkimsignd.h"

static struct dkp_conf *
conf_from(const char *text, const char *sender_map, const char *listid_map)
{
	struct dkp_conf	*c = dkp_conf_new();
	char		 buf[4096];

	c->conf_file = strdup("t.conf");
	(void)snprintf(buf, sizeof(buf), "listen 127.0.0.1:1\nrelay r:2\n"
	    "keyfile /k\nselector sel\n%s", text);
	if (dkp_conf_text(c, "t.conf", buf, strlen(buf)) == -1 ||
	    dkp_conf_finish(c, 0) == -1)
		diag("config: %s", c->err);
	if (sender_map != NULL)
		c->sender_map = dkp_map_parse(c, "smap", sender_map,
		    strlen(sender_map), 0);
	if (listid_map != NULL)
		c->listid_map = dkp_map_parse(c, "lmap", listid_map,
		    strlen(listid_map), 0);
	return c;
}

/* Choose for a header; the result, and "d=..,s=..;" of each plan. */
static int
choose(struct dkp_conf *c, const char *hdr, char *out, size_t outlen,
    struct dkp_choice *ch)
{
	struct msghdr	*h = msghdr_new(0, 0);
	char		 err[DKP_ERR_MAX] = "";
	size_t		 i;
	int		 n;

	(void)msghdr_parse(h, hdr, strlen(hdr));
	n = dkp_choose(c, h, ch, err, sizeof(err));
	out[0] = '\0';
	if (n == -1)
		(void)snprintf(out, outlen, "error: %s", err);
	for (i = 0; n > 0 && i < ch->n; i++) {
		(void)strlcat(out, "d=", outlen);
		(void)strlcat(out, ch->plans[i].domain, outlen);
		(void)strlcat(out, ",s=", outlen);
		(void)strlcat(out, ch->plans[i].sig->selector, outlen);
		if (ch->plans[i].identity[0]) {
			(void)strlcat(out, ",i=", outlen);
			(void)strlcat(out, ch->plans[i].identity, outlen);
		}
		(void)strlcat(out, ";", outlen);
	}
	msghdr_free(h);
	return n;
}

static void
test_domains(void)
{
	struct dkp_conf		*c;
	struct dkp_choice	 ch;
	char			 out[1024];
	int			 n;

	c = conf_from("domain example.com\nsignature dkim(c=relaxed)\n"
	    "signature domainkeys(c=nofws)\n", NULL, NULL);
	n = choose(c, "From: a@other.example\r\nSubject: x\r\n\r\nbody\r\n",
	    out, sizeof(out), &ch);
	is_int(n, 1, "one domain: one signature (DomainKeys not made)");
	is_str(out, "d=example.com,s=sel;", "one domain: any sender");
	is_int((int)ch.ndomainkeys, 1, "one domain: DomainKeys counted");
	is_str(ch.sender, "a@other.example", "one domain: sender noted");
	n = choose(c, "Subject: no from\r\n\r\n", out, sizeof(out), &ch);
	is_int(n, 1, "one domain: even without From");
	dkp_conf_free(c);

	c = conf_from("domain example.com,example.org\n", NULL, NULL);
	n = choose(c, "From: \"A, B\" <a@Mail.Example.ORG>\r\n\r\n", out,
	    sizeof(out), &ch);
	is_str(out, "d=example.org,s=sel;", "several: parent domain, any "
	    "case");
	n = choose(c, "From: a@example.org\r\nSender: s@example.com\r\n\r\n",
	    out, sizeof(out), &ch);
	is_str(out, "d=example.com,s=sel;", "several: Sender: before From:");
	n = choose(c, "From: a@example.org\r\nFrom: b@example.com\r\n\r\n",
	    out, sizeof(out), &ch);
	is_str(out, "d=example.com,s=sel;", "several: the last From:");
	n = choose(c, "From: a@example.net\r\nMessage-ID: <m1@x>\r\n\r\n",
	    out, sizeof(out), &ch);
	is_int(n, 0, "several: no match, nothing signed");
	is_str(ch.why, "no domain for sender <a@example.net>",
	    "several: no match, why");
	is_str(ch.msgid, "<m1@x>", "Message-ID noted");
	n = choose(c, "From: a@notexample.com\r\n\r\n", out, sizeof(out),
	    &ch);
	is_int(n, 0, "several: a suffix is not a parent domain");
	n = choose(c, "Subject: none\r\n\r\n", out, sizeof(out), &ch);
	is_int(n, 0, "several: no From, nothing signed");
	dkp_conf_free(c);

	c = conf_from("domain example.com\nsignature dkim(s=rsa)\n"
	    "signature dkim(a=ed25519-sha256,s=ed,key=/ed)\n"
	    "signature dkim(s=x,d=$senderdomain,i=list@$senderdomain)\n",
	    NULL, NULL);
	n = choose(c, "From: a@b.example\r\n\r\n", out, sizeof(out), &ch);
	is_int(n, 3, "three signature lines: three signatures");
	is_str(out, "d=example.com,s=rsa;d=example.com,s=ed;"
	    "d=b.example,s=x,i=list@b.example;", "dual selectors, macros");
	n = choose(c, "Subject: x\r\n\r\n", out, sizeof(out), &ch);
	is_int(n, -1, "macro without a sender: error");
	ok(strstr(out, "nothing to expand") != NULL, "macro error said (%s)",
	    out);
	dkp_conf_free(c);
}

static void
test_maps(void)
{
	struct dkp_conf		*c;
	struct dkp_choice	 ch;
	char			 out[1024];
	int			 n;

	c = conf_from("domain example.com\n",
	    "jason@long.name dkim(s=js)\n"
	    "example.org dkim(c=relaxed), domainkeys(c=nofws)\n"
	    "sub.example.net dkim(d=$keydomain,i=$sender)\n"
	    "user@dom.example dkim(d=$key)\n",
	    "lists.example.org dkim(s=list)\n");
	n = choose(c, "From: Jason <jason+tag@long.name>\r\n\r\n", out,
	    sizeof(out), &ch);
	is_str(out, "d=long.name,s=js;", "sender_map: +ext, key's domain");
	is_str(ch.via, "sender_map", "sender_map: via");
	n = choose(c, "From: x@a.example.org\r\n\r\n", out, sizeof(out), &ch);
	is_str(out, "d=example.org,s=sel;", "sender_map: parent key");
	is_int((int)ch.ndomainkeys, 1, "sender_map: domainkeys not made");
	n = choose(c, "From: y@sub.example.net\r\n\r\n", out, sizeof(out),
	    &ch);
	is_str(out, "d=sub.example.net,s=sel,i=y@sub.example.net;",
	    "sender_map: $keydomain, $sender");
	n = choose(c, "From: user@dom.example\r\n\r\n", out, sizeof(out),
	    &ch);
	is_int(n, -1, "sender_map: d=$key of an address is no domain");
	n = choose(c, "From: z@elsewhere.example\r\n\r\n", out, sizeof(out),
	    &ch);
	is_str(out, "d=example.com,s=sel;", "sender_map: no line, defaults");
	is_str(ch.via, "domain", "defaults: via");
	n = choose(c, "From: jason@long.name\r\nList-Id: The list "
	    "<dev.Lists.Example.org>\r\n\r\n", out, sizeof(out), &ch);
	is_str(out, "d=lists.example.org,s=list;",
	    "listid_map before sender_map, suffix");
	is_str(ch.listid, "dev.Lists.Example.org", "List-Id noted");
	is_str(ch.via, "listid_map", "listid_map: via");
	dkp_conf_free(c);

	c = conf_from("domain a.example,b.example\n", ". dkim(s=all)\n",
	    NULL);
	n = choose(c, "From: u@x.b.example\r\n\r\n", out, sizeof(out), &ch);
	is_str(out, "d=b.example,s=all;", "catch-all: the domain list");
	n = choose(c, "From: u@c.example\r\n\r\n", out, sizeof(out), &ch);
	is_int(n, 0, "catch-all: no listed domain, nothing signed");
	dkp_conf_free(c);
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	test_domains();
	test_maps();
	return done_testing();
}
