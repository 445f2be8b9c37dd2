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
 * filterd/sa_relays.c: Received lines parsed as SpamAssassin 4.0.1
 * parses them (expected strings taken from SpamAssassin's own output),
 * trust inference, trusted/internal networks, IP patterns.
 *
 * t_sa_relays --dump [-t nets] [-i nets] [-m nets] file...: prints the
 * four X-Spam-Relays-* values of each message (filterd-evals-relays.t
 * compares them with SpamAssassin's).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msghdr.h"
#include "xmalloc.h"
#include "../filterd/sa_relays.h"
#include "tap.h"

static const char *const orig_hdrs[] = {
	"X-Yahoo-Post-IP", "X-Originating-IP", "X-Apparently-From",
	"X-SenderIP", "X-AOL-IP",
	"X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"
};

static char	*hdr_last(void *, const char *);
static char	*slurp(const char *, size_t *);
static int	 dump(int, char **);
static void	 one(const char *, const char *);
static struct sa_relays *chain(const struct sa_relays_conf *,
		    const char *const *, size_t);

static char *
hdr_last(void *arg, const char *name)
{
	const struct msghdr	*h = arg;
	ssize_t			 i;

	if ((i = msghdr_find(h, name, -1)) < 0)
		return (NULL);
	return (msghdr_value(h, i));
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	(void)fseek(f, 0, SEEK_END);
	n = ftell(f);
	(void)fseek(f, 0, SEEK_SET);
	b = xmalloc(n + 1);
	*len = fread(b, 1, n, f);
	b[*len] = '\0';
	fclose(f);
	return (b);
}

static int
dump(int argc, char **argv)
{
	struct sa_relays_conf	 rc;
	struct sa_netset	*t, *in, *msa;
	struct sa_relays	*r;
	struct msghdr		*h;
	char			**rcvd, *b;
	size_t			 len, n, i, cnt;
	int			 a, l;
	static const char *const names[] = { "Trusted", "Untrusted",
	    "Internal", "External" };

	memset(&rc, 0, sizeof(rc));
	t = sa_netset_new(1);
	in = sa_netset_new(1);
	msa = sa_netset_new(0);
	rc.trusted = t;
	rc.internal = in;
	rc.msa = msa;
	rc.orig_ip_headers = orig_hdrs;
	rc.norig_ip_headers = sizeof(orig_hdrs) / sizeof(orig_hdrs[0]);
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "-t") == 0 && a + 1 < argc) {
			(void)sa_netset_add(t, argv[++a]);
			rc.trusted_set = 1;
			continue;
		}
		if (strcmp(argv[a], "-i") == 0 && a + 1 < argc) {
			(void)sa_netset_add(in, argv[++a]);
			rc.internal_set = 1;
			continue;
		}
		if (strcmp(argv[a], "-m") == 0 && a + 1 < argc) {
			(void)sa_netset_add(msa, argv[++a]);
			continue;
		}
		if ((b = slurp(argv[a], &len)) == NULL) {
			perror(argv[a]);
			return (1);
		}
		h = msghdr_new(0, 0);
		(void)msghdr_parse(h, b, len);
		(void)msghdr_finish(h);
		cnt = msghdr_count(h);
		rcvd = xcalloc(cnt + 1, sizeof(*rcvd));
		for (i = n = 0; i < cnt; i++)
			if (msghdr_is(h, i, "Received"))
				rcvd[n++] = msghdr_value(h, i);
		r = sa_relays_build(&rc, (const char *const *)rcvd, n,
		    hdr_last, h);
		printf("%s\n", strrchr(argv[a], '/') != NULL ?
		    strrchr(argv[a], '/') + 1 : argv[a]);
		for (l = 0; l < 4; l++)
			printf("%s: %s\n", names[l], r->str[l]);
		printf("unparseable: %d\n", r->num_unparseable);
		sa_relays_free(r);
		for (i = 0; i < n; i++)
			free(rcvd[i]);
		free(rcvd);
		msghdr_free(h);
		free(b);
	}
	sa_netset_free(t);
	sa_netset_free(in);
	sa_netset_free(msa);
	return (0);
}

/* one Received line: its relay string, or "ignored"/"unparseable" */
static void
one(const char *line, const char *want)
{
	struct sa_hop	 h;
	int		 rc;

	rc = sa_relay_parse_line(line, &h);
	if (rc == 1) {
		is_str(h.r.as_string, want, "%.60s", line);
		sa_hop_clear(&h);
	} else
		is_str(rc == 0 ? "ignored" : "unparseable", want, "%.60s",
		    line);
}

static struct sa_relays *
chain(const struct sa_relays_conf *rc, const char *const *l, size_t n)
{
	return (sa_relays_build(rc, l, n, NULL, NULL));
}

int
main(int argc, char **argv)
{
	struct sa_relays_conf	 rc;
	struct sa_relays	*r;
	struct sa_netset	*ns;
	size_t			 off, len;

	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return (dump(argc - 2, argv + 2));

	/* Postfix, rDNS known and unknown */
	one("from mail-ej1-f54.google.com (mail-ej1-f54.google.com "
	    "[209.85.218.54])\n\tby mx.example.org (Postfix) with ESMTPS id "
	    "4F2A1C0123\n\tfor <bob@example.org>; Tue, 24 Nov 2026 10:11:12 "
	    "+0000 (UTC)",
	    "[ ip=209.85.218.54 rdns=mail-ej1-f54.google.com "
	    "helo=mail-ej1-f54.google.com by=mx.example.org ident= envfrom= "
	    "intl=0 id=4F2A1C0123 auth= msa=0 ]");
	one("from [192.0.2.7] (unknown [198.51.100.9]) by mx.example.org "
	    "(Postfix) with ESMTPSA id 9AB; Tue, 24 Nov 2026 10:11:12 +0000",
	    "[ ip=198.51.100.9 rdns= helo=!192.0.2.7! by=mx.example.org "
	    "ident= envfrom= intl=0 id=9AB auth=ESMTPSA msa=0 ]");
	/* Exim */
	one("from [203.0.113.5] (helo=foo.example ident=joe) by "
	    "relay.example.net with smtp (Exim 4.96) id 1qXyZ-000abc-00; "
	    "Tue, 24 Nov 2026 10:11:12 +0000",
	    "[ ip=203.0.113.5 rdns= helo=foo.example by=relay.example.net "
	    "ident=joe envfrom= intl=0 id=1qXyZ-000abc-00 auth= msa=0 ]");
	/* sendmail with IDENT */
	one("from ran-out.mx.develooper.com (IDENT:qmailr@one.develooper.com "
	    "[64.81.84.115]) by dogma.slashnull.org (8.11.6/8.11.6) with "
	    "SMTP id h381Vvf19860 for <jm-cpan@jmason.org>; Tue, 8 Apr 2003 "
	    "02:31:57 +0100",
	    "[ ip=64.81.84.115 rdns=one.develooper.com "
	    "helo=ran-out.mx.develooper.com by=dogma.slashnull.org "
	    "ident=qmailr envfrom= intl=0 id=h381Vvf19860 auth= msa=0 ]");
	/* qmail */
	one("from unknown (HELO feux01a-isp) (213.199.4.210) by "
	    "totor.bouissou.net with SMTP; 1 Nov 2003 07:05:19 -0000",
	    "[ ip=213.199.4.210 rdns= helo=feux01a-isp "
	    "by=totor.bouissou.net ident= envfrom= intl=0 id= auth= msa=0 ]");
	/* ignored and unparseable */
	one("by mail-ej1-f54.google.com with SMTP id abc; Tue, 24 Nov 2026 "
	    "02:11:11 -0800", "ignored");
	one("from andrew by trinity.supernews.net with local (Exim 4.12) id "
	    "18xeL6-000Dn1-00; Tue, 25 Mar 2003 02:39:00 +0000", "ignored");
	one("from localhost (example.com [local]) by example.com (OpenSMTPD) "
	    "with ESMTPA id 5db34e0d for <email@example.com>; Tue, 7 Apr "
	    "2020 01:38:29 -0600 (MDT)", "ignored");
	one("from nowhere special", "unparseable");
	/* IPv6 with the IPv6: prefix; IPv4 mapped */
	one("from mx.example.net (mx.example.net [IPv6:2001:db8::25]) by "
	    "mx.example.org (Postfix) with ESMTPS id 12; Tue, 24 Nov 2026 "
	    "10:11:12 +0000",
	    "[ ip=2001:db8::25 rdns=mx.example.net helo=mx.example.net "
	    "by=mx.example.org ident= envfrom= intl=0 id= auth= msa=0 ]");

	ok(sa_ip_is_private("10.1.2.3") && sa_ip_is_private("192.168.0.1")
	    && sa_ip_is_private("fe80::1") && !sa_ip_is_private("8.8.8.8") &&
	    sa_ip_is_private("100.64.0.1") && !sa_ip_is_private("100.128.0.1"),
	    "IP_PRIVATE");
	ok(sa_ip_is_address("2001:db8::1") && sa_ip_is_address("1.2.3.4") &&
	    !sa_ip_is_address("1.2.3.256") && !sa_ip_is_address("foo"),
	    "IS_IP_ADDRESS");
	ok(sa_ip_find("via 10.0.0.1!", &off, &len) == 0 && off == 4 &&
	    len == 8, "sa_ip_find");

	ns = sa_netset_new(1);
	ok(sa_netset_add(ns, "!192.0.2.9 192.0.2.0/24 10. [2001:db8::]/32")
	    == 0, "netset add");
	ok(sa_netset_contains(ns, "127.0.0.5") &&
	    sa_netset_contains(ns, "::1") &&
	    sa_netset_contains(ns, "192.0.2.200") &&
	    !sa_netset_contains(ns, "192.0.2.9") &&
	    sa_netset_contains(ns, "10.9.9.9") &&
	    sa_netset_contains(ns, "2001:db8:5::1") &&
	    !sa_netset_contains(ns, "2001:db9::1") &&
	    !sa_netset_contains(ns, "192.0.3.1"), "netset contains");
	ok(sa_netset_add(ns, "300.1.1.1") == -1 &&
	    sa_netset_add(ns, "1.2.3.4/40") == -1, "bad nets refused");
	sa_netset_free(ns);

	/* inferred trust: private hops trusted, the first public one not */
	{
		static const char *const l[] = {
			"from int.example.org (int.example.org [10.0.0.2]) by "
			    "mx.example.org (Postfix) with ESMTP id A1a; Tue, "
			    "24 Nov 2026 10:11:12 +0000",
			"from out.example.com (out.example.com [198.51.100.1]) "
			    "by int.example.org (Postfix) with ESMTP id B2; "
			    "Tue, 24 Nov 2026 10:11:10 +0000",
			"from pc (unknown [10.9.9.9]) by out.example.com "
			    "(Postfix) with ESMTP id C3; Tue, 24 Nov 2026 "
			    "10:11:09 +0000",
		};

		memset(&rc, 0, sizeof(rc));
		r = chain(&rc, l, 3);
		is_int(r->nlist[SA_RL_TRUSTED], 1, "inferred: 1 trusted");
		is_int(r->nlist[SA_RL_UNTRUSTED], 2, "inferred: 2 untrusted");
		is_int(r->last_trusted_index, 0, "last trusted index");
		is_str(r->str[SA_RL_INTERNAL], "[ ip=10.0.0.2 "
		    "rdns=int.example.org helo=int.example.org "
		    "by=mx.example.org ident= envfrom= intl=1 id=A1a auth= "
		    "msa=0 ]", "internal string");
		is_int(r->nview, 3, "view");
		is_str(r->view[1].ip, "198.51.100.1", "view order");
		sa_relays_free(r);

		/* configured: 198.51.100.0/24 trusted, not internal */
		ns = sa_netset_new(1);
		(void)sa_netset_add(ns, "198.51.100.0/24 10.0.0.0/8");
		memset(&rc, 0, sizeof(rc));
		rc.trusted = ns;
		rc.trusted_set = 1;
		r = chain(&rc, l, 3);
		is_int(r->nlist[SA_RL_TRUSTED], 3, "configured: all trusted");
		is_int(r->nlist[SA_RL_INTERNAL], 3,
		    "internal = trusted when unset");
		sa_relays_free(r);
		sa_netset_free(ns);
	}
	return (done_testing());
}
