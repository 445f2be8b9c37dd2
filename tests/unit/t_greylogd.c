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
 * greylogd's packet parser (every datalink, IPv4 and IPv6, SYN against
 * SYN-ACK, every truncation), the direction rule and -I/-i, the local
 * address reload and its rate limit, pcap files of each datalink, and
 * glog_handle() against a real database and a real UDP sync receiver.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#include "greydb.h"
#include "../../greylogd/greylogd.h"
#include "log.h"
#include "spamsync.h"

#define T0	1700000000

#define TH_SYN	0x02
#define TH_ACK	0x10
#define TH_RST	0x04

static char	 tmpdir[] = "/tmp/t_greylogd.XXXXXX";
static int64_t	 fake_now = T0;
static int64_t	 fake_mono = 100;

static size_t	mk_ip4(unsigned char *, const char *, const char *, int,
		    int, int);
static size_t	mk_ip6(unsigned char *, const char *, const char *, int,
		    int, int, int);
static size_t	mk_nflog(unsigned char *, const unsigned char *, size_t,
		    int);
static size_t	mk_pflog(unsigned char *, const unsigned char *, size_t,
		    int, int, int, const char *);
static int	parse_exact(int, const unsigned char *, size_t,
		    struct glog_pkt *);
static int64_t	fake_clock(void *);
static int64_t	fake_monoclock(void);
static int	fill_test(struct glog_local *, void *);
static void	put_pcap(FILE *, const unsigned char *, size_t);
static void	count_cb(int, const unsigned char *, size_t, void *);

static void	test_ip(void);
static void	test_truncated(void);
static void	test_datalinks(void);
static void	test_direction(void);
static void	test_files(void);
static void	test_handle(void);
static void	test_filters(void);
static int	filter_match(pcap_t *, const char *, const unsigned char *,
		    size_t);

/* the addresses fill_test() reports, changed by the tests */
static const char *local_v4[4] = { "192.0.2.10", "127.0.0.1" };
static const char *local_v4_if[4] = { "eth0", "lo" };
static const char *local_v6 = "2001:db8::10";

static int64_t
fake_clock(void *arg)
{
	return fake_now;
}

static int64_t
fake_monoclock(void)
{
	return fake_mono;
}

static int
fill_test(struct glog_local *l, void *arg)
{
	unsigned char	 a[16];
	int		 i;

	for (i = 0; i < 4 && local_v4[i] != NULL; i++) {
		inet_pton(AF_INET, local_v4[i], a);
		glog_local_add(l, AF_INET, a, local_v4_if[i]);
	}
	inet_pton(AF_INET6, local_v6, a);
	glog_local_add(l, AF_INET6, a, "eth0");
	return 0;
}

/* An IPv4 TCP segment header; ihl in 32-bit words (5: no options). */
static size_t
mk_ip4(unsigned char *b, const char *src, const char *dst, int sport,
    int dport, int flags)
{
	memset(b, 0, 40);
	b[0] = 0x45;
	b[3] = 40;
	b[8] = 64;
	b[9] = IPPROTO_TCP;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	b[20] = sport >> 8;
	b[21] = sport & 0xff;
	b[22] = dport >> 8;
	b[23] = dport & 0xff;
	b[32] = 0x50;
	b[33] = flags;
	return 40;
}

/* An IPv6 TCP segment, with a hop-by-hop header when hbh is set. */
static size_t
mk_ip6(unsigned char *b, const char *src, const char *dst, int sport,
    int dport, int flags, int hbh)
{
	size_t	 off = 40;

	memset(b, 0, 40 + 8 + 20);
	b[0] = 0x60;
	b[6] = hbh ? 0 : IPPROTO_TCP;
	b[7] = 64;
	inet_pton(AF_INET6, src, b + 8);
	inet_pton(AF_INET6, dst, b + 24);
	if (hbh) {
		b[40] = IPPROTO_TCP;
		b[41] = 0;	/* 8 bytes */
		off += 8;
	}
	b[off] = sport >> 8;
	b[off + 1] = sport & 0xff;
	b[off + 2] = dport >> 8;
	b[off + 3] = dport & 0xff;
	b[off + 12] = 0x50;
	b[off + 13] = flags;
	return off + 20;
}

/* DLT_NFLOG: header, NFULA_PACKET_HDR (hook, -1: none), prefix, payload */
static size_t
mk_nflog(unsigned char *b, const unsigned char *ip, size_t iplen, int hook)
{
	uint16_t	 tl, ty;
	size_t		 off = 4;

	b[0] = (ip[0] >> 4) == 6 ? AF_INET6 : AF_INET;
	b[1] = 0;
	b[2] = 0;
	b[3] = 1;	/* group 1 */
	if (hook >= 0) {
		tl = 8;
		ty = GLOG_NFULA_PACKET_HDR;
		memcpy(b + off, &tl, 2);
		memcpy(b + off + 2, &ty, 2);
		b[off + 4] = 0x08;
		b[off + 5] = 0x00;
		b[off + 6] = hook;
		b[off + 7] = 0;
		off += 8;
	}
	/* NFULA_PREFIX "smtp" with its NUL: 9 bytes, padded to 12 */
	tl = 9;
	ty = 10;
	memcpy(b + off, &tl, 2);
	memcpy(b + off + 2, &ty, 2);
	memcpy(b + off + 4, "smtp", 5);
	b[off + 9] = b[off + 10] = b[off + 11] = 0;
	off += 12;
	tl = 4 + iplen;
	ty = GLOG_NFULA_PAYLOAD;
	memcpy(b + off, &tl, 2);
	memcpy(b + off + 2, &ty, 2);
	memcpy(b + off + 4, ip, iplen);
	return off + 4 + iplen;
}

/* DLT_PFLOG with OpenBSD's 100-byte header */
static size_t
mk_pflog(unsigned char *b, const unsigned char *ip, size_t iplen, int af,
    int action, int dir, const char *ifname)
{
	memset(b, 0, 100);
	b[GLOG_PFLOG_LENGTH] = 100;
	b[GLOG_PFLOG_AF] = af;
	b[GLOG_PFLOG_ACTION] = action;
	memcpy(b + GLOG_PFLOG_IFNAME, ifname, strlen(ifname));
	b[GLOG_PFLOG_DIR] = dir;
	memcpy(b + 100, ip, iplen);
	return 100 + iplen;
}

/* Parse a copy in a buffer of exactly len bytes: ASan sees overreads. */
static int
parse_exact(int dlt, const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	unsigned char	*c;
	int		 r;

	c = malloc(len > 0 ? len : 1);
	memcpy(c, p, len);
	r = glog_pkt_parse(dlt, c, len, pk);
	free(c);
	return r;
}

static const char *
ntop(const struct glog_pkt *pk, const unsigned char *a)
{
	static char	 buf[2][INET6_ADDRSTRLEN];
	static int	 i;

	i = !i;
	if (inet_ntop(pk->af, a, buf[i], sizeof(buf[i])) == NULL)
		return "?";
	return buf[i];
}

static void
test_ip(void)
{
	unsigned char	 b[128];
	struct glog_pkt	 pk;
	size_t		 n;

	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_SYN,
	    "v4 SYN to port 25");
	is_int(pk.af, AF_INET, "v4 af");
	is_str(ntop(&pk, pk.src), "198.51.100.7", "v4 source");
	is_str(ntop(&pk, pk.dst), "192.0.2.10", "v4 destination");
	is_int(pk.dport, 25, "v4 dport");
	is_int(pk.dir, GLOG_DIR_UNKNOWN, "DLT_IPV4 has no direction");

	n = mk_ip4(b, "192.0.2.10", "198.51.100.7", 25, 40000,
	    TH_SYN | TH_ACK);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "v4 SYN-ACK is not a SYN");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_ACK);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "v4 ACK is not a SYN");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_RST);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "v4 RST is not a SYN");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 587, TH_SYN);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "port 587 is not SMTP");
	n = mk_ip4(b, "192.0.2.10", "198.51.100.7", 25, 40000, TH_SYN);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_SYN,
	    "source port 25 counts (spamlogd's \"port 25\")");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	b[9] = IPPROTO_UDP;
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "UDP is not TCP");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	b[7] = 8;	/* fragment offset 8 */
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "a later fragment has no TCP header");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	b[0] = 0x4f;	/* 60-byte header in a 40-byte packet */
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_BAD,
	    "IHL past the capture is bad");
	b[0] = 0x44;
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_BAD,
	    "IHL below 5 is bad");
	/* IPv4 with 4 bytes of options */
	memset(b, 0, sizeof(b));
	b[0] = 0x46;
	b[9] = IPPROTO_TCP;
	inet_pton(AF_INET, "198.51.100.8", b + 12);
	inet_pton(AF_INET, "192.0.2.10", b + 16);
	b[20] = 1;	/* NOP options */
	b[24 + 3] = 25;
	b[24 + 13] = TH_SYN;
	is_int(parse_exact(GLOG_DLT_IPV4, b, 44, &pk), GLOG_PKT_SYN,
	    "v4 with options: SYN");
	is_str(ntop(&pk, pk.src), "198.51.100.8", "v4 with options: source");

	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 0);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_SYN,
	    "v6 SYN on DLT_IPV4 (what nflog delivers)");
	is_int(pk.af, AF_INET6, "v6 af");
	is_str(ntop(&pk, pk.src), "2001:db8:1::7", "v6 source");
	is_str(ntop(&pk, pk.dst), "2001:db8::10", "v6 destination");
	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 1);
	is_int(parse_exact(GLOG_DLT_IPV6, b, n, &pk), GLOG_PKT_SYN,
	    "v6 SYN after a hop-by-hop header");
	n = mk_ip6(b, "2001:db8::10", "2001:db8:1::7", 25, 40000,
	    TH_SYN | TH_ACK, 0);
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "v6 SYN-ACK is not a SYN");
	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 0);
	b[6] = IPPROTO_UDP;
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_OTHER,
	    "v6 UDP is not TCP");
	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 1);
	b[41] = 200;	/* hop-by-hop header longer than the packet */
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_BAD,
	    "v6 option past the capture is bad");
	b[0] = 0x50;
	is_int(parse_exact(GLOG_DLT_IPV4, b, n, &pk), GLOG_PKT_BAD,
	    "IP version 5 is bad");
	is_int(parse_exact(GLOG_DLT_IPV4, b, 0, &pk), GLOG_PKT_BAD,
	    "empty packet is bad");
	is_int(parse_exact(4242, b, n, &pk), GLOG_PKT_BAD,
	    "unknown datalink is bad");
}

/* Every prefix of a good packet, on every datalink: never a SYN. */
static void
test_truncated(void)
{
	unsigned char	 ip[128], b[256];
	struct glog_pkt	 pk;
	size_t		 n, iplen, cut;
	int		 dlts[] = { GLOG_DLT_IPV4, 1, GLOG_DLT_NFLOG,
			    GLOG_DLT_PFLOG };
	int		 i, r, v6, syn_short, bad_short;

	for (v6 = 0; v6 < 2; v6++) {
		iplen = v6 ? mk_ip6(ip, "2001:db8:1::7", "2001:db8::10",
		    40000, 25, TH_SYN, 1) : mk_ip4(ip, "198.51.100.7",
		    "192.0.2.10", 40000, 25, TH_SYN);
		for (i = 0; i < 4; i++) {
			switch (dlts[i]) {
			case 1:
				memset(b, 0, 12);
				b[12] = v6 ? 0x86 : 0x08;
				b[13] = v6 ? 0xdd : 0x00;
				memcpy(b + 14, ip, iplen);
				n = 14 + iplen;
				break;
			case GLOG_DLT_NFLOG:
				n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_IN);
				break;
			case GLOG_DLT_PFLOG:
				n = mk_pflog(b, ip, iplen, v6 ? 24 : 2,
				    GLOG_PF_PASS, GLOG_PF_IN, "em0");
				break;
			default:
				memcpy(b, ip, iplen);
				n = iplen;
				break;
			}
			syn_short = bad_short = 0;
			for (cut = 0; cut < n; cut++) {
				/* the TCP header is needed through flags */
				r = parse_exact(dlts[i], b, cut, &pk);
				if (r == GLOG_PKT_SYN && cut < n - 6)
					syn_short++;
				if (r == GLOG_PKT_BAD)
					bad_short++;
			}
			is_int(syn_short, 0, "v%d dlt %d: no SYN from a "
			    "packet cut before the TCP flags", v6 ? 6 : 4,
			    dlts[i]);
			ok(bad_short > 0, "v%d dlt %d: cut packets are bad "
			    "(%d of %zu)", v6 ? 6 : 4, dlts[i], bad_short, n);
			is_int(parse_exact(dlts[i], b, n, &pk), GLOG_PKT_SYN,
			    "v%d dlt %d: the whole packet is a SYN",
			    v6 ? 6 : 4, dlts[i]);
		}
	}
}

static void
test_datalinks(void)
{
	unsigned char	 ip[128], b[256];
	struct glog_pkt	 pk;
	size_t		 n, iplen;
	uint16_t	 tl;

	iplen = mk_ip4(ip, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);

	/* raw IP under its names */
	memcpy(b, ip, iplen);
	is_int(parse_exact(12, b, iplen, &pk), GLOG_PKT_SYN, "DLT_RAW 12");
	is_int(parse_exact(14, b, iplen, &pk), GLOG_PKT_SYN, "DLT_RAW 14");
	is_int(parse_exact(101, b, iplen, &pk), GLOG_PKT_SYN,
	    "LINKTYPE_RAW 101");

	/* Ethernet, plain and with a VLAN tag */
	memset(b, 0, 18);
	b[12] = 0x81;
	b[13] = 0x00;
	b[16] = 0x08;
	b[17] = 0x00;
	memcpy(b + 18, ip, iplen);
	is_int(parse_exact(1, b, 18 + iplen, &pk), GLOG_PKT_SYN,
	    "Ethernet with a VLAN tag");
	is_str(ntop(&pk, pk.src), "198.51.100.7", "Ethernet: source");
	b[16] = 0x08;
	b[17] = 0x06;
	is_int(parse_exact(1, b, 18 + iplen, &pk), GLOG_PKT_OTHER,
	    "Ethernet ARP is not IP");

	/* NFLOG: the hook gives the direction */
	n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_IN);
	is_int(parse_exact(GLOG_DLT_NFLOG, b, n, &pk), GLOG_PKT_SYN,
	    "NFLOG input hook: SYN");
	is_int(pk.dir, GLOG_DIR_IN, "NFLOG input hook: inbound");
	is_str(ntop(&pk, pk.src), "198.51.100.7", "NFLOG: source");
	n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_OUT);
	parse_exact(GLOG_DLT_NFLOG, b, n, &pk);
	is_int(pk.dir, GLOG_DIR_OUT, "NFLOG output hook: outbound");
	n = mk_nflog(b, ip, iplen, GLOG_NF_FORWARD);
	parse_exact(GLOG_DLT_NFLOG, b, n, &pk);
	is_int(pk.dir, GLOG_DIR_UNKNOWN, "NFLOG forward hook: by address");
	n = mk_nflog(b, ip, iplen, -1);
	is_int(parse_exact(GLOG_DLT_NFLOG, b, n, &pk), GLOG_PKT_SYN,
	    "NFLOG without a packet header: SYN");
	is_int(pk.dir, GLOG_DIR_UNKNOWN, "NFLOG without a hook: by address");
	n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_IN);
	tl = 2;
	memcpy(b + 4, &tl, 2);
	is_int(parse_exact(GLOG_DLT_NFLOG, b, n, &pk), GLOG_PKT_BAD,
	    "NFLOG TLV length 2 is bad");
	tl = 4000;
	memcpy(b + 4, &tl, 2);
	is_int(parse_exact(GLOG_DLT_NFLOG, b, n, &pk), GLOG_PKT_BAD,
	    "NFLOG TLV longer than the packet is bad");
	n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_IN);
	is_int(parse_exact(GLOG_DLT_NFLOG, b, n - iplen - 4, &pk),
	    GLOG_PKT_BAD, "NFLOG without a payload is bad");

	/* pflog */
	n = mk_pflog(b, ip, iplen, 2, GLOG_PF_PASS, GLOG_PF_IN, "em0");
	is_int(parse_exact(GLOG_DLT_PFLOG, b, n, &pk), GLOG_PKT_SYN,
	    "pflog pass in: SYN");
	is_int(pk.dir, GLOG_DIR_IN, "pflog dir in");
	is_str(pk.ifname, "em0", "pflog interface");
	n = mk_pflog(b, ip, iplen, 2, GLOG_PF_PASS, GLOG_PF_OUT, "em0");
	parse_exact(GLOG_DLT_PFLOG, b, n, &pk);
	is_int(pk.dir, GLOG_DIR_OUT, "pflog dir out");
	n = mk_pflog(b, ip, iplen, 2, 1, GLOG_PF_IN, "em0");
	is_int(parse_exact(GLOG_DLT_PFLOG, b, n, &pk), GLOG_PKT_OTHER,
	    "pflog block: not passed");
	n = mk_pflog(b, ip, iplen, 2, GLOG_PF_PASS, 0, "em0");
	is_int(parse_exact(GLOG_DLT_PFLOG, b, n, &pk), GLOG_PKT_BAD,
	    "pflog dir inout is bad");
	n = mk_pflog(b, ip, iplen, AF_INET6, GLOG_PF_PASS, GLOG_PF_IN, "em0");
	is_int(parse_exact(GLOG_DLT_PFLOG, b, n, &pk), GLOG_PKT_BAD,
	    "pflog af 24 with an IPv4 packet is bad");
	n = mk_pflog(b, ip, iplen, 2, GLOG_PF_PASS, GLOG_PF_IN, "em0");
	b[0] = 45;	/* pre-4.0 header: dir is elsewhere */
	is_int(parse_exact(GLOG_DLT_PFLOG, b, n, &pk), GLOG_PKT_BAD,
	    "pflog header length 45 is refused");
	b[0] = 255;
	is_int(parse_exact(GLOG_DLT_PFLOG, b, 150, &pk), GLOG_PKT_BAD,
	    "pflog header length past the capture is bad");
	/* FreeBSD's header: length 69, packet at 72 */
	memset(b, 0, 72);
	b[0] = 69;
	b[1] = 28;	/* FreeBSD's AF_INET6 */
	b[GLOG_PFLOG_DIR] = GLOG_PF_OUT;
	n = mk_ip6(b + 72, "2001:db8::10", "2001:db8:1::7", 40000, 25, TH_SYN,
	    0);
	is_int(parse_exact(GLOG_DLT_PFLOG, b, 72 + n, &pk), GLOG_PKT_SYN,
	    "FreeBSD pflog, IPv6: SYN");
	is_str(ntop(&pk, pk.dst), "2001:db8:1::7", "FreeBSD pflog: dest");
	is_int(pk.dir, GLOG_DIR_OUT, "FreeBSD pflog: dir out");
}

static void
test_direction(void)
{
	struct glog_local	*l;
	struct glog_opts	 o;
	struct glog_pkt		 pk;
	unsigned char		 b[256];
	enum glog_dir		 dir;
	char			 ip[INET6_ADDRSTRLEN];
	size_t			 n;
	int			 r;

	memset(&o, 0, sizeof(o));
	l = glog_local_new(NULL, fill_test, NULL);
	is_int(glog_local_refresh(l, 1), 1, "first load");
	is_int((int)glog_local_count(l), 3, "three local addresses");

	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int(r, 1, "inbound: whitelist");
	is_int(dir, GLOG_DIR_IN, "to a local address: inbound");
	is_str(ip, "198.51.100.7", "inbound: the source");
	is_int((int)glog_local_loads(l), 1, "inbound: no reload");

	n = mk_ip4(b, "192.0.2.10", "203.0.113.5", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int(dir, GLOG_DIR_OUT, "from a local address: outbound");
	is_str(ip, "203.0.113.5", "outbound: the destination");
	o.inbound_only = 1;
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int(r, 0, "-I: outbound ignored");
	o.inbound_only = 0;

	n = mk_ip6(b, "2001:db8::10", "2001:db8:1::7", 40000, 25, TH_SYN, 0);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int(dir, GLOG_DIR_OUT, "v6 from a local address: outbound");
	is_str(ip, "2001:db8:1::7", "v6 outbound: the destination");

	/* a new address: neither end known, reload (once a second) */
	n = mk_ip4(b, "192.0.2.99", "203.0.113.5", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int((int)glog_local_loads(l), 1, "same second: no reload");
	is_int(dir, GLOG_DIR_IN, "unknown source: inbound");
	local_v4[2] = "192.0.2.99";
	local_v4_if[2] = "eth1";
	r = glog_decide(l, &o, &pk, 1, &dir, ip, sizeof(ip));
	is_int((int)glog_local_loads(l), 1, "still the same second");
	is_int(dir, GLOG_DIR_IN, "not reloaded: still inbound");
	r = glog_decide(l, &o, &pk, 2, &dir, ip, sizeof(ip));
	is_int((int)glog_local_loads(l), 2, "next second: reloaded");
	is_int(dir, GLOG_DIR_OUT, "new local address: outbound");
	is_str(ip, "203.0.113.5", "new local address: the destination");
	r = glog_decide(l, &o, &pk, 3, &dir, ip, sizeof(ip));
	is_int((int)glog_local_loads(l), 2, "known now: no reload");

	/* the datalink's direction wins */
	n = mk_ip4(b, "192.0.2.10", "203.0.113.5", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	pk.dir = GLOG_DIR_IN;
	r = glog_decide(l, &o, &pk, 3, &dir, ip, sizeof(ip));
	is_int(dir, GLOG_DIR_IN, "datalink says inbound");
	is_str(ip, "192.0.2.10", "datalink inbound: the source");
	glog_local_free(l);

	/* -i eth0: the local end must be an address of eth0 */
	o.ifname = "eth0";
	l = glog_local_new("eth0", fill_test, NULL);
	glog_local_refresh(l, 10);
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 1,
	    "-i eth0: inbound to eth0's address");
	n = mk_ip4(b, "198.51.100.7", "127.0.0.1", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 0,
	    "-i eth0: inbound to lo's address ignored");
	n = mk_ip4(b, "192.0.2.99", "203.0.113.5", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 0,
	    "-i eth0: outbound from eth1 ignored");
	is_int(dir, GLOG_DIR_OUT, "-i eth0: eth1's address is local");
	n = mk_ip4(b, "192.0.2.10", "203.0.113.5", 40000, 25, TH_SYN);
	glog_pkt_parse(GLOG_DLT_IPV4, b, n, &pk);
	is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 1,
	    "-i eth0: outbound from eth0");
	/* pflog: the logged interface */
	{
		unsigned char	 ipb[64];
		size_t		 iplen;

		iplen = mk_ip4(ipb, "198.51.100.7", "10.1.1.1", 40000, 25,
		    TH_SYN);
		n = mk_pflog(b, ipb, iplen, 2, GLOG_PF_PASS, GLOG_PF_IN,
		    "eth0");
		glog_pkt_parse(GLOG_DLT_PFLOG, b, n, &pk);
		is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 1,
		    "-i eth0: pflog on eth0");
		is_str(ip, "198.51.100.7", "pflog in: the source");
		n = mk_pflog(b, ipb, iplen, 2, GLOG_PF_PASS, GLOG_PF_IN,
		    "em1");
		glog_pkt_parse(GLOG_DLT_PFLOG, b, n, &pk);
		is_int(glog_decide(l, &o, &pk, 10, &dir, ip, sizeof(ip)), 0,
		    "-i eth0: pflog on em1 ignored");
	}
	glog_local_free(l);
	local_v4[2] = NULL;

	/* the real getifaddrs(): loopback is there */
	l = glog_local_new(NULL, NULL, NULL);
	is_int(glog_local_refresh(l, 1), 1, "getifaddrs");
	inet_pton(AF_INET, "127.0.0.1", b);
	is_int(glog_local_find(l, AF_INET, b), 1, "127.0.0.1 is local");
	inet_pton(AF_INET, "192.0.2.254", b);
	is_int(glog_local_find(l, AF_INET, b), -1, "192.0.2.254 is not");
	glog_local_free(l);
}

static void
put_pcap(FILE *fp, const unsigned char *p, size_t len)
{
	uint32_t	 h[4];

	h[0] = T0;
	h[1] = 0;
	h[2] = h[3] = (uint32_t)len;
	fwrite(h, sizeof(h), 1, fp);
	fwrite(p, len, 1, fp);
}

static void
count_cb(int dlt, const unsigned char *p, size_t len, void *arg)
{
	struct glog_pkt	 pk;
	int		*n = arg;

	if (glog_pkt_parse(dlt, p, len, &pk) == GLOG_PKT_SYN)
		n[0]++;
	else
		n[1]++;
	n[2] = dlt;
}

static void
test_files(void)
{
	unsigned char	 ip[128], b[256];
	struct glog_cap	*c;
	FILE		*fp;
	char		 path[256];
	uint32_t	 gh[6];
	size_t		 iplen, n;
	int		 dlts[] = { GLOG_DLT_IPV4, 101, 1, GLOG_DLT_NFLOG,
			    GLOG_DLT_PFLOG };
	int		 i, cnt[3], r;

	iplen = mk_ip4(ip, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/f%d.pcap", tmpdir, i);
		if ((fp = fopen(path, "w")) == NULL)
			break;
		gh[0] = 0xa1b2c3d4;
		gh[1] = 2 | 4 << 16;
		gh[2] = gh[3] = 0;
		gh[4] = 65535;
		gh[5] = dlts[i];
		fwrite(gh, sizeof(gh), 1, fp);
		switch (dlts[i]) {
		case 1:
			memset(b, 0, 12);
			b[12] = 0x08;
			b[13] = 0x00;
			memcpy(b + 14, ip, iplen);
			n = 14 + iplen;
			break;
		case GLOG_DLT_NFLOG:
			n = mk_nflog(b, ip, iplen, GLOG_NF_LOCAL_IN);
			break;
		case GLOG_DLT_PFLOG:
			n = mk_pflog(b, ip, iplen, 2, GLOG_PF_PASS,
			    GLOG_PF_IN, "em0");
			break;
		default:
			memcpy(b, ip, iplen);
			n = iplen;
		}
		put_pcap(fp, b, n);	/* a SYN */
		put_pcap(fp, b, n - 30);	/* cut */
		put_pcap(fp, b, n);
		fclose(fp);
		c = glog_cap_file(path);
		ok(c != NULL, "file of datalink %d opens", dlts[i]);
		if (c == NULL)
			continue;
		memset(cnt, 0, sizeof(cnt));
		while ((r = glog_cap_dispatch(c, count_cb, cnt)) > 0)
			;
		is_int(r, 0, "datalink %d: read to the end", dlts[i]);
		is_int(cnt[0], 2, "datalink %d: two SYNs", dlts[i]);
		is_int(cnt[1], 1, "datalink %d: one cut packet", dlts[i]);
		glog_cap_free(c);
	}
	/* an unknown datalink is refused */
	snprintf(path, sizeof(path), "%s/bad.pcap", tmpdir);
	if ((fp = fopen(path, "w")) != NULL) {
		gh[5] = 105;	/* 802.11 */
		fwrite(gh, sizeof(gh), 1, fp);
		fclose(fp);
	}
	c = glog_cap_file(path);
	ok(c == NULL, "802.11 file refused");
	glog_cap_free(c);
	snprintf(path, sizeof(path), "%s/missing.pcap", tmpdir);
	ok(glog_cap_file(path) == NULL, "missing file refused");
}

static void
test_handle(void)
{
	struct glog		 g;
	struct greydb_config	 cfg;
	struct greydb_entry	 e;
	struct spamsync_key	 key;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	unsigned char		 b[256], buf[2048];
	char			 p[256];
	size_t			 n, got;
	ssize_t			 rn;
	int			 rfd;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = GREYDB_NOSYNC;
	snprintf(p, sizeof(p), "%s/db", tmpdir);
	memset(&g, 0, sizeof(g));
	if ((g.db = greydb_open(p, &cfg)) == NULL) {
		printf("Bail out! cannot open %s\n", p);
		exit(1);
	}
	greydb_set_clock(g.db, fake_clock, NULL);
	g.local = glog_local_new(NULL, fill_test, NULL);
	glog_local_refresh(g.local, 0);
	g.mono = fake_monoclock;
	g.whiteexp = 3600;

	/* the sync receiver */
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(rfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(rfd, (struct sockaddr *)&sin, &slen) == -1) {
		printf("Bail out! cannot bind the receiver\n");
		exit(1);
	}
	spamsync_key_set(&key, "cd860bc99302447dc4f3739817c4d1f02b19b1ab");
	g.key = &key;
	g.sync = spamsync_sender_new(ntohs(sin.sin_port));
	if (spamsync_sender_add(g.sync, "127.0.0.1") == -1 ||
	    spamsync_sender_open(g.sync, NULL) == -1) {
		printf("Bail out! cannot open the sender\n");
		exit(1);
	}

	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, n), 1, "inbound SYN handled");
	is_int(greydb_get(g.db, "198.51.100.7", &e), 0, "WHITE created");
	is_int(e.type, GREYDB_WHITE, "it is WHITE");
	is_int((int)e.pcount, 0, "new: pcount 0");
	is_int((int)e.bcount, 1, "new: bcount 1");
	is_int((int)(e.expire - T0), 3600, "expire = now + whiteexp");
	greydb_entry_free(&e);

	rn = recv(rfd, buf, sizeof(buf), 0);
	{
		struct spamsync_entry	 se;
		size_t			 cnt = 0;

		memset(&se, 0, sizeof(se));
		ok(rn > 0, "a sync packet arrived (%zd bytes)", rn);
		got = rn > 0 ? (size_t)rn : 0;
		is_int(spamsync_parse(&key, buf, got, NULL, NULL, &cnt),
		    SPAMSYNC_OK, "it verifies with the key");
		is_int((int)cnt, 1, "one entry");
		is_int((int)got, 52, "spamd's WHITE packet size");
		is_int(buf[32] << 8 | buf[33], SPAMSYNC_T_WHITE, "WHITE TLV");
		is_int((int)((uint32_t)buf[40] << 24 | buf[41] << 16 |
		    buf[42] << 8 | buf[43]), T0 + 3600,
		    "expire = now + whiteexp");
		is_mem(buf + 44, 4, "\xc6\x33\x64\x07", 4, "the address");
	}

	fake_now += 100;
	fake_mono += 5;
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, n), 1, "second SYN");
	greydb_get(g.db, "198.51.100.7", &e);
	is_int((int)e.pcount, 1, "refresh: pcount 1");
	is_int((int)(e.expire - T0), 3700, "refresh: expire moved");
	greydb_entry_free(&e);
	rn = recv(rfd, buf, sizeof(buf), 0);
	is_int((int)rn, 52, "second sync packet");

	/* outbound, -I, TRAPPED -> WHITE */
	n = mk_ip4(b, "192.0.2.10", "203.0.113.5", 40000, 25, TH_SYN);
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, n), 1, "outbound SYN");
	is_int(greydb_get(g.db, "203.0.113.5", &e), 0,
	    "outbound: destination whitelisted");
	greydb_entry_free(&e);
	is_int(greydb_get(g.db, "192.0.2.10", &e), GREYDB_NOTFOUND,
	    "outbound: not the local source");
	g.opts.inbound_only = 1;
	n = mk_ip4(b, "192.0.2.10", "203.0.113.6", 40000, 25, TH_SYN);
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, n), 0, "-I: skipped");
	is_int(greydb_get(g.db, "203.0.113.6", &e), GREYDB_NOTFOUND,
	    "-I: nothing written");
	g.opts.inbound_only = 0;
	greydb_add(g.db, GREYDB_TRAPPED, "198.51.100.66");
	n = mk_ip4(b, "198.51.100.66", "192.0.2.10", 40000, 25, TH_SYN);
	glog_handle(&g, GLOG_DLT_IPV4, b, n);
	greydb_get(g.db, "198.51.100.66", &e);
	is_int(e.type, GREYDB_WHITE, "TRAPPED becomes WHITE (spamlogd)");
	greydb_entry_free(&e);
	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 0);
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, n), 1, "v6 inbound SYN");
	is_int(greydb_get(g.db, "2001:db8:1::7", &e), 0, "v6 WHITE created");
	greydb_entry_free(&e);
	/* garbage is counted, never written */
	memset(b, 0xff, sizeof(b));
	is_int(glog_handle(&g, GLOG_DLT_IPV4, b, 30), 0, "garbage skipped");
	ok(g.nbad >= 1, "garbage counted as bad (%llu)",
	    (unsigned long long)g.nbad);
	is_int((int)g.nwhite, 5, "five entries refreshed");

	close(rfd);
	spamsync_sender_free(g.sync);
	glog_local_free(g.local);
	greydb_close(g.db);
}

/* 1 if the compiled filter passes the packet, 0 if not, -1 on error */
static int
filter_match(pcap_t *p, const char *filter, const unsigned char *pkt,
    size_t len)
{
	struct bpf_program	 bp;
	struct pcap_pkthdr	 h;
	int			 r;

	if (pcap_compile(p, &bp, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		diag("%s: %s", filter, pcap_geterr(p));
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.caplen = h.len = len;
	r = pcap_offline_filter(&bp, &h, pkt) != 0;
	pcap_freecode(&bp);
	return r;
}

/*
 * The live captures' filters, compiled by libpcap for their datalinks
 * and run on crafted packets: what they let through must include every
 * SYN pkt.c takes (pflog's on Linux too, through pcap_open_dead).
 */
static void
test_filters(void)
{
	unsigned char	 ip[128], b[256];
	char		 f[256];
	pcap_t		*p;
	size_t		 n, iplen;

	is_int(glog_cap_filter(GLOG_DLT_IPV4, NULL, f, sizeof(f)), 0,
	    "DLT_IPV4 filter");
	p = pcap_open_dead(GLOG_DLT_IPV4, GREYLOGD_SNAPLEN);
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	is_int(filter_match(p, f, b, n), 1, "DLT_IPV4: v4 SYN passes");
	n = mk_ip4(b, "192.0.2.10", "198.51.100.7", 25, 40000,
	    TH_SYN | TH_ACK);
	is_int(filter_match(p, f, b, n), 0, "DLT_IPV4: v4 SYN-ACK filtered");
	n = mk_ip4(b, "198.51.100.7", "192.0.2.10", 40000, 80, TH_SYN);
	is_int(filter_match(p, f, b, n), 0, "DLT_IPV4: port 80 filtered");
	n = mk_ip6(b, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN, 0);
	is_int(filter_match(p, f, b, n), 1,
	    "DLT_IPV4: v6 passes (checked by pkt.c)");
	pcap_close(p);

	is_int(glog_cap_filter(GLOG_DLT_PFLOG, "em0", f, sizeof(f)), 0,
	    "pflog filter with -i");
	p = pcap_open_dead(GLOG_DLT_PFLOG, GREYLOGD_SNAPLEN);
	iplen = mk_ip4(ip, "198.51.100.7", "192.0.2.10", 40000, 25, TH_SYN);
	n = mk_pflog(b, ip, iplen, AF_INET, GLOG_PF_PASS, GLOG_PF_IN, "em0");
	is_int(filter_match(p, f, b, n), 1, "pflog: pass in on em0 passes");
	n = mk_pflog(b, ip, iplen, AF_INET, GLOG_PF_PASS, GLOG_PF_IN, "em1");
	is_int(filter_match(p, f, b, n), 0, "pflog: on em1 filtered");
	n = mk_pflog(b, ip, iplen, AF_INET, 1, GLOG_PF_IN, "em0");
	is_int(filter_match(p, f, b, n), 0, "pflog: block filtered");
	/* libpcap compares af with this system's AF_INET6 */
	iplen = mk_ip6(ip, "2001:db8:1::7", "2001:db8::10", 40000, 25, TH_SYN,
	    0);
	n = mk_pflog(b, ip, iplen, AF_INET6, GLOG_PF_PASS, GLOG_PF_IN, "em0");
	is_int(filter_match(p, f, b, n), 1, "pflog: v6 SYN passes");
	iplen = mk_ip6(ip, "2001:db8::10", "2001:db8:1::7", 25, 40000,
	    TH_SYN | TH_ACK, 0);
	n = mk_pflog(b, ip, iplen, AF_INET6, GLOG_PF_PASS, GLOG_PF_OUT,
	    "em0");
	is_int(filter_match(p, f, b, n), 1,
	    "pflog: v6 SYN-ACK passes (checked by pkt.c)");
	n = mk_pflog(b, ip, iplen, AF_INET6, 1, GLOG_PF_OUT, "em0");
	is_int(filter_match(p, f, b, n), 0, "pflog: v6 block filtered");
	pcap_close(p);
	is_int(glog_cap_filter(1, NULL, f, sizeof(f)), -1,
	    "no filter for Ethernet");
	is_int(glog_cap_filter(GLOG_DLT_PFLOG, "em0", f, 10), -1,
	    "filter longer than the buffer");
}

int
main(void)
{
	char	 cmd[512];

	log_init(1, LOG_MAIL);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	test_ip();
	test_truncated();
	test_datalinks();
	test_direction();
	test_files();
	test_handle();
	test_filters();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
