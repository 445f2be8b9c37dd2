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
 * libFuzzer target for greylogd's packet parser (greylogd/pkt.c) and
 * direction rule (greylogd/glog.c, greylogd/local.c).  Byte 0 picks the
 * datalink, the rest is the captured packet (copied to a buffer of its
 * exact size).  A SYN must carry port 25 and addresses that are in the
 * packet; the decision, when it whitelists, names one of the two ends
 * in text that parses back to it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../greylogd/glog.c"
#include "../../greylogd/local.c"
#include "../../greylogd/pkt.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const int fuzz_dlts[] = { GLOG_DLT_IPV4, GLOG_DLT_IPV6, 12, 101, 1,
    GLOG_DLT_NFLOG, GLOG_DLT_PFLOG, 0 };

static int	fuzz_fill(struct glog_local *, void *);

static int
fuzz_fill(struct glog_local *l, void *arg)
{
	unsigned char	 a[16];

	inet_pton(AF_INET, "192.0.2.10", a);
	glog_local_add(l, AF_INET, a, "eth0");
	inet_pton(AF_INET, "10.0.0.254", a);
	glog_local_add(l, AF_INET, a, "eth1");
	inet_pton(AF_INET6, "2001:db8::10", a);
	glog_local_add(l, AF_INET6, a, "eth0");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct glog_local	*l, *li;
	struct glog_opts		 o;
	struct glog_pkt			 pk;
	enum glog_dir			 dir;
	unsigned char			*p, a[16];
	char				 ip[INET6_ADDRSTRLEN];
	size_t				 len, alen;
	int				 dlt, r;

	if (size < 1)
		return 0;
	if (l == NULL) {
		l = glog_local_new(NULL, fuzz_fill, NULL);
		li = glog_local_new("eth0", fuzz_fill, NULL);
		glog_local_refresh(l, 0);
		glog_local_refresh(li, 0);
	}
	dlt = fuzz_dlts[data[0] % (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))];
	len = size - 1;
	p = malloc(len > 0 ? len : 1);
	memcpy(p, data + 1, len);
	r = glog_pkt_parse(dlt, p, len, &pk);
	CHECK(r == GLOG_PKT_SYN || r == GLOG_PKT_OTHER || r == GLOG_PKT_BAD);
	CHECK(r == GLOG_PKT_SYN || pk.why != NULL);
	if (r == GLOG_PKT_SYN) {
		CHECK(pk.af == AF_INET || pk.af == AF_INET6);
		CHECK(pk.sport == 25 || pk.dport == 25);
		alen = pk.af == AF_INET ? 4 : 16;
		CHECK(memmem(p, len, pk.src, alen) != NULL);
		CHECK(memmem(p, len, pk.dst, alen) != NULL);
		memset(&o, 0, sizeof(o));
		o.inbound_only = data[0] & 0x80;
		if (data[0] & 0x40)
			o.ifname = "eth0";
		if (glog_decide(o.ifname != NULL ? li : l, &o, &pk, 0, &dir,
		    ip, sizeof(ip))) {
			CHECK(dir == GLOG_DIR_IN || dir == GLOG_DIR_OUT);
			CHECK(!o.inbound_only || dir == GLOG_DIR_IN);
			CHECK(inet_pton(pk.af, ip, a) == 1);
			CHECK(memcmp(a, dir == GLOG_DIR_IN ? pk.src : pk.dst,
			    alen) == 0);
		}
	}
	free(p);
	return 0;
}
