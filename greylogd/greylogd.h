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

#ifndef GREYLOGD_H
#define GREYLOGD_H

/*
 * greylogd: spamlogd(8) for Linux and the BSDs.  It watches the
 * firewall's log of passed SMTP connections and keeps their peers
 * whitelisted in the grey database (greylogd.8).
 *	pkt.c	a captured packet -> (direction hint, source, destination)
 *		for every datalink greylogd reads, by byte offsets only
 *	local.c	the host's own addresses, for the direction
 *	glog.c	the decision and the database update (and -Y sync)
 *	cap.c	libpcap: nflog:N, pflog interfaces, pcap files
 */

#include <sys/types.h>

#include <net/if.h>

#include <stddef.h>
#include <stdint.h>

#define GREYLOGD_USER		"_spamd"
#define GREYLOGD_WHITEEXP_H	864		/* hours, spamd's 36 days */
#define GREYLOGD_WHITEEXP_MAX	(24 * 90)	/* hours */
#define GREYLOGD_SNAPLEN	512
#define GREYLOGD_TIMEOUT	500		/* ms */
#ifdef __linux__
#define GREYLOGD_LOGIF		"nflog:1"
#else
#define GREYLOGD_LOGIF		"pflog0"
#endif

/* DLT values that are not in every libpcap's headers */
#define GLOG_DLT_PFLOG		117
#define GLOG_DLT_IPV4		228
#define GLOG_DLT_IPV6		229
#define GLOG_DLT_NFLOG		239

/* pfloghdr, by byte offset (the same on OpenBSD, FreeBSD and NetBSD) */
#define GLOG_PFLOG_LENGTH	0
#define GLOG_PFLOG_AF		1
#define GLOG_PFLOG_ACTION	2
#define GLOG_PFLOG_IFNAME	4
#define GLOG_PFLOG_IFNAMSIZ	16
#define GLOG_PFLOG_DIR		60
#define GLOG_PFLOG_MINLEN	61	/* through dir */
#define GLOG_PF_PASS		0
#define GLOG_PF_IN		1
#define GLOG_PF_OUT		2

/* NFLOG (DLT_NFLOG): 4-byte header, then TLVs in host byte order */
#define GLOG_NFLOG_HDRLEN	4
#define GLOG_NFULA_PACKET_HDR	1
#define GLOG_NFULA_PAYLOAD	9
#define GLOG_NF_PRE_ROUTING	0
#define GLOG_NF_LOCAL_IN	1
#define GLOG_NF_FORWARD		2
#define GLOG_NF_LOCAL_OUT	3
#define GLOG_NF_POST_ROUTING	4

#define GLOG_SMTP_PORT		25

enum glog_dir {
	GLOG_DIR_UNKNOWN = 0,	/* decide by the local addresses */
	GLOG_DIR_IN,
	GLOG_DIR_OUT
};

/* glog_pkt_parse() results */
#define GLOG_PKT_SYN		1	/* a TCP SYN (no ACK), port 25 */
#define GLOG_PKT_OTHER		0	/* well-formed, not one of those */
#define GLOG_PKT_BAD		(-1)	/* truncated or malformed */

struct glog_pkt {
	int		 af;		/* AF_INET or AF_INET6 */
	unsigned char	 src[16];	/* 4 bytes used for AF_INET */
	unsigned char	 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	enum glog_dir	 dir;		/* from pflog dir or the NFLOG hook */
	char		 ifname[GLOG_PFLOG_IFNAMSIZ + 1]; /* pflog only */
	const char	*why;		/* GLOG_PKT_BAD/OTHER: the reason */
};

/*
 * Parse a captured packet of datalink dlt (DLT_IPV4, DLT_IPV6, DLT_RAW
 * and LINKTYPE_RAW, DLT_EN10MB with up to two VLAN tags, DLT_NFLOG,
 * DLT_PFLOG) into *pk.  Never reads outside [p, p + len).  An IPv4 or
 * IPv6 TCP segment to or from port 25 with SYN set and ACK clear is
 * GLOG_PKT_SYN; a pflog packet must also have been passed.
 */
int	glog_pkt_parse(int, const unsigned char *, size_t, struct glog_pkt *);
int	glog_pkt_ip(const unsigned char *, size_t, struct glog_pkt *);
int	glog_dlt_known(int);
const char *glog_dir_name(enum glog_dir);

/*
 * The host's addresses.  fill(l, arg) adds them (glog_local_add); NULL
 * is getifaddrs(3).  ifname (-i) marks the addresses of that interface.
 * glog_local_find(): -1 not a local address, 0 local (not on -i's
 * interface), 1 local and on it (always 1 without -i).
 * glog_local_refresh(l, now): reload, unless already done at this
 * second (now, seconds of a monotonic clock); 1 if reloaded, 0 if not,
 * -1 on error (logged; the old list is kept).
 */
struct glog_local;
struct glog_local *glog_local_new(const char *,
		    int (*)(struct glog_local *, void *), void *);
void		 glog_local_free(struct glog_local *);
int		 glog_local_refresh(struct glog_local *, int64_t);
int		 glog_local_add(struct glog_local *, int, const void *,
		    const char *);
int		 glog_local_find(const struct glog_local *, int, const void *);
size_t		 glog_local_count(const struct glog_local *);
unsigned int	 glog_local_loads(const struct glog_local *);

/*
 * The decision, spamlogd's with our direction rule: the datalink's
 * direction if it has one (pflog dir, NFLOG hook), else outbound when
 * the source is a local address, inbound otherwise (the addresses
 * are reloaded, at most once a second, when neither end is known).
 * Inbound whitelists the source, outbound the destination (not with
 * inbound_only).  -i (ifname): pflog: the packet's interface; else the
 * local end (inbound: destination, outbound: source) must be an address
 * of that interface.  Returns 1 with the address text in ip, or 0.
 */
struct glog_opts {
	int		 inbound_only;	/* -I */
	const char	*ifname;	/* -i */
};
int	glog_decide(struct glog_local *, const struct glog_opts *,
	    const struct glog_pkt *, int64_t, enum glog_dir *, char *, size_t);

/*
 * The daemon's state: one packet at a time, glog_handle() parses,
 * decides, refreshes the WHITE entry (greydb_white_refresh) and sends
 * WHITE sync with -Y.
 */
struct greydb;
struct spamsync_sender;
struct spamsync_key;

struct glog {
	struct glog_opts	 opts;
	struct glog_local	*local;
	struct greydb		*db;
	int64_t			 whiteexp;	/* seconds */
	struct spamsync_sender	*sync;		/* -Y, or NULL */
	const struct spamsync_key *key;
	int64_t			(*mono)(void);	/* seconds; NULL: clock */
	/* counters */
	uint64_t		 npkts;
	uint64_t		 nbad;
	uint64_t		 nwhite;
	uint64_t		 nsync;
};

int	glog_handle(struct glog *, int, const unsigned char *, size_t);

/*
 * Capture.  glog_cap_live(logif, ifname): "nflog:N" (switched to
 * DLT_IPV4 before the filter is compiled), or a pflog interface
 * (DLT_PFLOG, spamlogd's filter, "on ifname" with -i).
 * glog_cap_file(path): a pcap file of a datalink glog_pkt_parse knows.
 * glog_cap_dispatch() hands each packet to cb: the number handled
 * (a live capture says 1 when there was nothing), 0 at the end of a
 * file, -1 on error (logged).  glog_cap_filter(): the BPF filter text
 * of a live capture of that datalink (DLT_IPV4 or DLT_PFLOG), 0 or -1.
 */
struct glog_cap;
struct glog_cap	*glog_cap_live(const char *, const char *);
struct glog_cap	*glog_cap_file(const char *);
int		 glog_cap_fd(const struct glog_cap *);
int		 glog_cap_datalink(const struct glog_cap *);
int		 glog_cap_dispatch(struct glog_cap *,
		    void (*)(int, const unsigned char *, size_t, void *),
		    void *);
void		 glog_cap_free(struct glog_cap *);
int		 glog_cap_filter(int, const char *, char *, size_t);

#endif /* GREYLOGD_H */
