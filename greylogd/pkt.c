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
 * Captured packets -> (direction hint, addresses, ports), for every
 * datalink greylogd reads.  Everything is read by byte offset from a
 * bounded buffer: no header struct is ever laid over the packet, so
 * this builds and is tested on any OS (pflog on Linux included) and
 * cannot read past the capture whatever the bytes say.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include "greylogd.h"

/* libpcap's DLT_RAW differs between systems; files say LINKTYPE_RAW */
#define GLOG_DLT_RAW_A		12
#define GLOG_DLT_RAW_B		14
#define GLOG_LINKTYPE_RAW	101
#define GLOG_DLT_EN10MB		1

#define GLOG_IP6_MAXEXT		8	/* extension headers walked */

static int	pkt_bad(struct glog_pkt *, const char *);
static int	pkt_other(struct glog_pkt *, const char *);
static int	pkt_tcp(const unsigned char *, size_t, struct glog_pkt *);
static int	pkt_ip4(const unsigned char *, size_t, struct glog_pkt *);
static int	pkt_ip6(const unsigned char *, size_t, struct glog_pkt *);
static int	pkt_ether(const unsigned char *, size_t, struct glog_pkt *);
static int	pkt_nflog(const unsigned char *, size_t, struct glog_pkt *);
static int	pkt_pflog(const unsigned char *, size_t, struct glog_pkt *);
static uint16_t	get16(const unsigned char *);

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
pkt_bad(struct glog_pkt *pk, const char *why)
{
	pk->why = why;
	return GLOG_PKT_BAD;
}

static int
pkt_other(struct glog_pkt *pk, const char *why)
{
	pk->why = why;
	return GLOG_PKT_OTHER;
}

int
glog_dlt_known(int dlt)
{
	switch (dlt) {
	case GLOG_DLT_EN10MB:
	case GLOG_DLT_RAW_A:
	case GLOG_DLT_RAW_B:
	case GLOG_LINKTYPE_RAW:
	case GLOG_DLT_IPV4:
	case GLOG_DLT_IPV6:
	case GLOG_DLT_NFLOG:
	case GLOG_DLT_PFLOG:
		return 1;
	}
	return 0;
}

const char *
glog_dir_name(enum glog_dir dir)
{
	switch (dir) {
	case GLOG_DIR_IN:
		return "inbound";
	case GLOG_DIR_OUT:
		return "outbound";
	default:
		return "unknown";
	}
}

/* The TCP header: ports and flags (offset 13) are all we need. */
static int
pkt_tcp(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	unsigned char	 flags;

	if (len < 14)
		return pkt_bad(pk, "truncated TCP header");
	pk->sport = get16(p);
	pk->dport = get16(p + 2);
	flags = p[13];
	if (pk->sport != GLOG_SMTP_PORT && pk->dport != GLOG_SMTP_PORT)
		return pkt_other(pk, "not port 25");
	/* tcp[13] & 0x12 == 0x2: SYN without ACK */
	if ((flags & 0x12) != 0x02)
		return pkt_other(pk, "not a SYN");
	return GLOG_PKT_SYN;
}

static int
pkt_ip4(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	size_t	 hl;

	if (len < 20)
		return pkt_bad(pk, "truncated IPv4 header");
	if ((p[0] >> 4) != 4)
		return pkt_bad(pk, "not IPv4");
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < 20)
		return pkt_bad(pk, "bad IPv4 header length");
	if (hl > len)
		return pkt_bad(pk, "truncated IPv4 options");
	pk->af = AF_INET;
	memcpy(pk->src, p + 12, 4);
	memcpy(pk->dst, p + 16, 4);
	if (p[9] != IPPROTO_TCP)
		return pkt_other(pk, "not TCP");
	if ((get16(p + 6) & 0x1fff) != 0)
		return pkt_other(pk, "not the first fragment");
	return pkt_tcp(p + hl, len - hl, pk);
}

static int
pkt_ip6(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	size_t		 off, elen;
	unsigned char	 nxt;
	int		 i;

	if (len < 40)
		return pkt_bad(pk, "truncated IPv6 header");
	if ((p[0] >> 4) != 6)
		return pkt_bad(pk, "not IPv6");
	pk->af = AF_INET6;
	memcpy(pk->src, p + 8, 16);
	memcpy(pk->dst, p + 24, 16);
	nxt = p[6];
	off = 40;
	for (i = 0; i < GLOG_IP6_MAXEXT; i++) {
		switch (nxt) {
		case IPPROTO_TCP:
			return pkt_tcp(p + off, len - off, pk);
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (len - off < 2)
				return pkt_bad(pk, "truncated IPv6 option");
			elen = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 44:	/* fragment */
			if (len - off < 8)
				return pkt_bad(pk, "truncated IPv6 option");
			if ((get16(p + off + 2) & 0xfff8) != 0)
				return pkt_other(pk,
				    "not the first fragment");
			elen = 8;
			break;
		case 51:	/* AH */
			if (len - off < 2)
				return pkt_bad(pk, "truncated IPv6 option");
			elen = ((size_t)p[off + 1] + 2) * 4;
			break;
		default:
			return pkt_other(pk, "not TCP");
		}
		if (elen > len - off)
			return pkt_bad(pk, "truncated IPv6 option");
		nxt = p[off];
		off += elen;
	}
	return pkt_other(pk, "too many IPv6 extension headers");
}

/* An IP packet, either version. */
int
glog_pkt_ip(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	if (len < 1)
		return pkt_bad(pk, "empty packet");
	switch (p[0] >> 4) {
	case 4:
		return pkt_ip4(p, len, pk);
	case 6:
		return pkt_ip6(p, len, pk);
	}
	return pkt_bad(pk, "not IP");
}

static int
pkt_ether(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	size_t		 off = 12;
	uint16_t	 type;
	int		 tags;

	for (tags = 0; ; tags++) {
		if (len < off + 2)
			return pkt_bad(pk, "truncated Ethernet header");
		type = get16(p + off);
		off += 2;
		if ((type != 0x8100 && type != 0x88a8) || tags == 2)
			break;
		off += 2;	/* the tag's TCI */
	}
	switch (type) {
	case 0x0800:
		return pkt_ip4(p + off, len - off, pk);
	case 0x86dd:
		return pkt_ip6(p + off, len - off, pk);
	}
	return pkt_other(pk, "not IP");
}

/*
 * DLT_NFLOG: u8 family, u8 version, u16 group (big-endian), then TLVs:
 * u16 length (header included), u16 type, in host byte order (libpcap
 * swaps a file of the other byte order), each padded to 4 bytes.  The
 * hook of NFULA_PACKET_HDR (be16 hw_protocol, u8 hook) gives the
 * direction, NFULA_PAYLOAD the IP packet.
 */
static int
pkt_nflog(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	const unsigned char	*payload = NULL;
	size_t			 off, plen = 0;
	uint16_t		 tlen, type;
	int			 hook = -1;

	if (len < GLOG_NFLOG_HDRLEN)
		return pkt_bad(pk, "truncated NFLOG header");
	off = GLOG_NFLOG_HDRLEN;
	while (len - off >= 4) {
		memcpy(&tlen, p + off, 2);
		memcpy(&type, p + off + 2, 2);
		type &= 0x3fff;		/* NLA_F_NESTED, NLA_F_NET_BYTEORDER */
		if (tlen < 4 || tlen > len - off)
			return pkt_bad(pk, "bad NFLOG TLV length");
		if (type == GLOG_NFULA_PACKET_HDR && tlen >= 4 + 3)
			hook = p[off + 4 + 2];
		else if (type == GLOG_NFULA_PAYLOAD) {
			payload = p + off + 4;
			plen = tlen - 4;
		}
		off += ((size_t)tlen + 3) & ~(size_t)3;
		if (off > len)
			break;
	}
	if (payload == NULL)
		return pkt_bad(pk, "NFLOG without payload");
	switch (hook) {
	case GLOG_NF_PRE_ROUTING:
	case GLOG_NF_LOCAL_IN:
		pk->dir = GLOG_DIR_IN;
		break;
	case GLOG_NF_LOCAL_OUT:
	case GLOG_NF_POST_ROUTING:
		pk->dir = GLOG_DIR_OUT;
		break;
	default:	/* forward, none: by the addresses */
		pk->dir = GLOG_DIR_UNKNOWN;
		break;
	}
	return glog_pkt_ip(payload, plen, pk);
}

/*
 * DLT_PFLOG: the pfloghdr (length, af, action, ifname, ..., dir at 60),
 * then the IP packet at length rounded up to 4 (BPF_WORDALIGN).  The af
 * of IPv6 differs between the BSDs: the packet's version decides, af
 * must only agree that it is (not) AF_INET (2 everywhere).
 */
static int
pkt_pflog(const unsigned char *p, size_t len, struct glog_pkt *pk)
{
	size_t	 hl;
	int	 r;

	if (len < GLOG_PFLOG_MINLEN)
		return pkt_bad(pk, "truncated pflog header");
	hl = p[GLOG_PFLOG_LENGTH];
	if (hl < GLOG_PFLOG_MINLEN)
		return pkt_bad(pk, "bad pflog header length");
	hl = (hl + 3) & ~(size_t)3;
	if (hl > len)
		return pkt_bad(pk, "pflog header longer than the capture");
	memcpy(pk->ifname, p + GLOG_PFLOG_IFNAME, GLOG_PFLOG_IFNAMSIZ);
	pk->ifname[GLOG_PFLOG_IFNAMSIZ] = '\0';
	switch (p[GLOG_PFLOG_DIR]) {
	case GLOG_PF_IN:
		pk->dir = GLOG_DIR_IN;
		break;
	case GLOG_PF_OUT:
		pk->dir = GLOG_DIR_OUT;
		break;
	default:
		return pkt_bad(pk, "bad pflog direction");
	}
	if ((r = glog_pkt_ip(p + hl, len - hl, pk)) == GLOG_PKT_BAD)
		return r;
	if ((p[GLOG_PFLOG_AF] == 2) != (pk->af == AF_INET))
		return pkt_bad(pk, "pflog af does not match the packet");
	if (r == GLOG_PKT_SYN && p[GLOG_PFLOG_ACTION] != GLOG_PF_PASS)
		return pkt_other(pk, "not passed");
	return r;
}

int
glog_pkt_parse(int dlt, const unsigned char *p, size_t len,
    struct glog_pkt *pk)
{
	memset(pk, 0, sizeof(*pk));
	switch (dlt) {
	case GLOG_DLT_IPV4:
	case GLOG_DLT_IPV6:
	case GLOG_DLT_RAW_A:
	case GLOG_DLT_RAW_B:
	case GLOG_LINKTYPE_RAW:
		/* nflog's DLT_IPV4 delivers IPv6 packets too */
		return glog_pkt_ip(p, len, pk);
	case GLOG_DLT_EN10MB:
		return pkt_ether(p, len, pk);
	case GLOG_DLT_NFLOG:
		return pkt_nflog(p, len, pk);
	case GLOG_DLT_PFLOG:
		return pkt_pflog(p, len, pk);
	}
	return pkt_bad(pk, "unknown datalink");
}
