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

#ifndef MX_SPAMSYNC_H
#define MX_SPAMSYNC_H

/*
 * spamd's sync protocol (udp/8025 "spamd-sync"), byte for byte as
 * OpenBSD spamd(8) and spamlogd(8) speak it, for greysync and
 * greylogd -Y.
 *
 * Wire format (all integers big-endian, every struct packed):
 *   header, 32 bytes: u8 version = 2, u8 af = 2 (AF_INET on OpenBSD,
 *   always 2 on the wire), u16 length (whole packet, END included),
 *   u32 counter (per sender, +1 a packet, never checked), u8 hmac[20],
 *   u8 pad[4] = 0;
 *   then TLVs: u16 type, u16 length (the whole TLV), one entry a packet,
 *   and always the END TLV (type 0, length 4) last:
 *     GREY    (1): u32 time, u32 ip, u16 from_len, u16 to_len,
 *             u16 helo_len (18 bytes with the TLV header), then from,
 *             to and helo, each with its NUL (counted in its length),
 *             zero-padded to a multiple of 16;
 *     WHITE   (2), TRAPPED (3): u32 time, u32 expire, u32 ip (16 bytes);
 *   the IPv6 extension (ours; spamd drops the rest of a packet at an
 *   unknown type, and we send each entry in a packet of its own, so a
 *   spamd peer loses only that packet; values clear of spamd's 0-3 and
 *   mikey-austin greyd's 4-5):
 *     GREY6   (0x0101): as GREY with the ip as 16 raw bytes (30 bytes
 *             before the strings, padded to 16);
 *     WHITE6  (0x0102), TRAPPED6 (0x0103): u32 time, u32 expire,
 *             16-byte ip (28 bytes).
 * The HMAC-SHA1 covers the sh_length bytes with the hmac field zeroed.
 * Its key is not the key file's contents but the 40 lowercase hex
 * digits of the file's SHA-1 (spamd's SHA1File()), used as text; a
 * missing key file gives the empty key, as in spamd.
 *
 * Receiver rules (spamd's sync_recv), in order: a datagram longer than
 * SPAMSYNC_MAXSIZE is dropped (spamd's buffer is that big); shorter
 * than the header, version != 2, af != 2, or sh_length > the datagram:
 * dropped; the datagram is cut to sh_length; HMAC compared (constant
 * time, CRYPTO_memcmp; spamd uses bcmp); then the TLVs in order: a TLV
 * header or st_length that does not fit the rest is an error; GREY
 * needs 18 + the three lengths <= st_length; WHITE/TRAPPED need
 * st_length == 16 exactly (GREY6: 30 + lengths, WHITE6/TRAPPED6: 28);
 * END stops; an unknown type is an error that drops the rest.  As in
 * spamd, an entry before an error has already been handed over.  A
 * st_length below 4 is an error (spamd would loop on a zero length).
 * A string in a GREY entry ends at its first NUL or at its length.
 *
 *	struct spamsync_key	 key;
 *	struct spamsync_sender	*ss;
 *	struct spamsync_entry	 e;
 *
 *	if (spamsync_key_load(&key, SPAMSYNC_KEYFILE) == -1)
 *		exit(1);
 *	ss = spamsync_sender_new(0);
 *	if (spamsync_sender_add(ss, "mx2.example.org") == -1 ||
 *	    spamsync_sender_add(ss, "em0:2") == -1 ||	(multicast, ttl 2)
 *	    spamsync_sender_open(ss, NULL) == -1)	(-y: listen)
 *		exit(1);
 *	memset(&e, 0, sizeof(e));
 *	e.kind = SPAMSYNC_WHITE;
 *	e.time = now;
 *	e.expire = now + whiteexp;
 *	strlcpy(e.ip, "192.0.2.7", sizeof(e.ip));
 *	spamsync_sender_send_entry(ss, &key, &e);
 *	...
 *	spamsync_sender_free(ss);
 *	spamsync_key_clear(&key);
 *
 * Nothing here is fatal but out of memory; errors are logged
 * (log_warnx) and returned as -1.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>

#define SPAMSYNC_PORT		8025
#define SPAMSYNC_MCAST_GROUP	"224.0.1.240"
#define SPAMSYNC_MCAST_TTL	1
#define SPAMSYNC_KEYFILE	"/etc/mail/spamd.key"

#define SPAMSYNC_VERSION	2
#define SPAMSYNC_AF		2	/* OpenBSD's AF_INET */
#define SPAMSYNC_HDR_LEN	32
#define SPAMSYNC_HMAC_LEN	20
#define SPAMSYNC_KEY_LEN	40	/* hex SHA-1 */
#define SPAMSYNC_MAXSIZE	1408	/* spamd's receive buffer */
#define SPAMSYNC_ALIGN		16

/* TLV types */
#define SPAMSYNC_T_END		0x0000
#define SPAMSYNC_T_GREY		0x0001
#define SPAMSYNC_T_WHITE	0x0002
#define SPAMSYNC_T_TRAPPED	0x0003
#define SPAMSYNC_T_GREY6	0x0101
#define SPAMSYNC_T_WHITE6	0x0102
#define SPAMSYNC_T_TRAPPED6	0x0103

#define SPAMSYNC_TLV_LEN	4
#define SPAMSYNC_GREY_LEN	18	/* GREY TLV before the strings */
#define SPAMSYNC_ADDR_LEN	16	/* WHITE, TRAPPED */
#define SPAMSYNC_GREY6_LEN	30
#define SPAMSYNC_ADDR6_LEN	28

enum spamsync_kind {
	SPAMSYNC_GREY = 1,
	SPAMSYNC_WHITE,
	SPAMSYNC_TRAPPED
};

/* Why a packet was refused (spamsync_parse()); 0 is a good packet. */
enum spamsync_err {
	SPAMSYNC_OK = 0,
	SPAMSYNC_EOVERSIZE,	/* longer than SPAMSYNC_MAXSIZE */
	SPAMSYNC_ESHORT,	/* shorter than the header */
	SPAMSYNC_EVERSION,	/* version != 2 */
	SPAMSYNC_EAF,		/* af != 2 */
	SPAMSYNC_ELENGTH,	/* sh_length > datagram, or < header */
	SPAMSYNC_EHMAC,		/* wrong key or altered */
	SPAMSYNC_ETLV,		/* TLV header or st_length does not fit */
	SPAMSYNC_EGREY,		/* GREY string lengths exceed st_length */
	SPAMSYNC_EADDR,		/* WHITE/TRAPPED st_length != 16 (28) */
	SPAMSYNC_ETYPE,		/* unknown TLV type: the rest dropped */
	SPAMSYNC_NERR
};

/* The HMAC key: 40 hex digits, or "" (no key file). */
struct spamsync_key {
	char		 text[SPAMSYNC_KEY_LEN + 1];
};

/*
 * One entry.  ip is text (IPv4, or IPv6 for the extension TLVs).
 * time is sent as u32 (spamd's htonl(time_t)); expire likewise
 * (WHITE/TRAPPED only).  helo, from, to: GREY only, at most
 * GREYDB_MAX_MAIL - 1 bytes each for greyd, but the packet limit is
 * what counts here.  In a parsed entry they point into the parser's
 * buffer, valid during the callback only.
 */
struct spamsync_entry {
	enum spamsync_kind kind;
	char		 ip[INET6_ADDRSTRLEN];
	int64_t		 time;
	int64_t		 expire;
	const char	*helo;
	const char	*from;
	const char	*to;
};

/*
 * The key: SHA-1 of the file's contents as 40 lowercase hex digits.
 * A missing file (ENOENT) gives the empty key (logged at debug level);
 * any other error returns -1 (logged).  spamsync_key_set() takes the
 * key text directly (at most 40 bytes); clear wipes it.
 */
int		 spamsync_key_load(struct spamsync_key *, const char *);
int		 spamsync_key_set(struct spamsync_key *, const char *);
void		 spamsync_key_clear(struct spamsync_key *);

/*
 * Build the packet for one entry into buf: its length, or -1 (logged)
 * when the ip does not parse, the strings are too long
 * for SPAMSYNC_MAXSIZE, or buf is too small.  An IPv4 address gives
 * spamd's GREY/WHITE/TRAPPED, an IPv6 one the *6 extension.
 */
ssize_t		 spamsync_build(const struct spamsync_key *, uint32_t,
		    const struct spamsync_entry *, void *, size_t);

/*
 * Check and parse a received datagram (the receiver rules above).
 * cb(entry, arg) is called for each entry, in order.  Returns
 * SPAMSYNC_OK or why the packet (or its rest) was refused; *nentries
 * (may be NULL) gets the number of entries handed over.  Logs nothing:
 * the caller counts and logs.
 */
enum spamsync_err spamsync_parse(const struct spamsync_key *,
		    const void *, size_t,
		    void (*)(const struct spamsync_entry *, void *), void *,
		    size_t *);
const char	*spamsync_strerror(enum spamsync_err);
const char	*spamsync_kind_name(enum spamsync_kind);

/*
 * The socket: spamd's sync_init()/sync_addhost()/sync_send().
 * new(port): 0 means SPAMSYNC_PORT (others are for tests).
 * add(target), one per -Y: "iface[:ttl]" naming an existing interface
 *   (ttl 1..255, default 1) is multicast to SPAMSYNC_MCAST_GROUP out of
 *   that interface (the last one given wins, as spamd); else a host
 *   that resolves (getaddrinfo) to an IPv4 address is a unicast peer
 *   (its first IPv4 address, port 8025).  spamd tries the host first
 *   and takes whatever fails for an interface; we look at interfaces
 *   first, so no DNS lookup delays "em0".  -1 (logged) on a bad ttl or
 *   a target that is neither.
 * open(listen): the UDP socket, non-blocking, SO_REUSEADDR.  listen is
 *   -y: an IPv4 address to bind (port 8025); an interface name: bind
 *   0.0.0.0:8025 and join the multicast group there; else a host name,
 *   whose first IPv4 address is bound (spamd's man page shows one, its
 *   code takes it for an interface and fails).  NULL (send only, as
 *   greylogd): an ephemeral port and no group membership, where spamd
 *   binds 8025 for multicast (and so could take unicast meant for the
 *   greysync of the same host).  Multicast sending sets
 *   IP_MULTICAST_TTL and IP_MULTICAST_IF (spamd leaves the interface
 *   to the routing table).  Returns the fd, or -1 (logged).
 * send(pkt, len): to the multicast group, then to each unicast peer;
 *   the number of sends that failed is returned (logged, at most one
 *   line a minute), 0 when all went out, -1 if the socket is not open.
 * send_entry(): build with the sender's own counter (from 0), send.
 * is_self(sa): 1 if sa is the multicast interface's own address
 *   (spamd drops those: multicast loops back to the sender).
 * ntargets(): the number of destinations (peers + multicast).
 */
struct spamsync_sender;

struct spamsync_sender	*spamsync_sender_new(in_port_t);
int		 spamsync_sender_add(struct spamsync_sender *, const char *);
int		 spamsync_sender_open(struct spamsync_sender *, const char *);
int		 spamsync_sender_fd(const struct spamsync_sender *);
int		 spamsync_sender_send(struct spamsync_sender *, const void *,
		    size_t);
int		 spamsync_sender_send_entry(struct spamsync_sender *,
		    const struct spamsync_key *,
		    const struct spamsync_entry *);
int		 spamsync_sender_is_self(const struct spamsync_sender *,
		    const struct sockaddr *);
size_t		 spamsync_sender_ntargets(const struct spamsync_sender *);
void		 spamsync_sender_free(struct spamsync_sender *);

#endif /* MX_SPAMSYNC_H */
