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

#ifndef MX_ADDR_H
#define MX_ADDR_H

/*
 * IPv4 and IPv6 addresses, prefixes and prefix sets.
 *
 * struct addr holds a family (AF_INET or AF_INET6) and 16 bytes in
 * network order; an IPv4 address uses the first 4 bytes and the other
 * 12 are always zero, so addresses compare with addr_cmp() (IPv4 sorts
 * before IPv6, then by address).  struct prefix is an address and a
 * length (0..32 or 0..128); every function here keeps the host bits of
 * a prefix zero.
 *
 * Parsing (addr_parse, prefix_parse) is strict by default:
 *   - IPv4 is exactly four decimal octets 0..255 without leading zeros
 *     ("01.2.3.4" and "1.2.3" are rejected: other parsers read them as
 *     octal or as a short form, so they are ambiguous);
 *   - IPv6 is RFC 4291 text (hex groups, one "::", trailing dotted
 *     IPv4); a zone ("%eth0") is rejected;
 *   - no surrounding whitespace;
 *   - a prefix is ADDR "/" LEN with LEN decimal, no leading zero,
 *     <= 32 or 128; a bare address is a /32 or /128; host bits set
 *     (192.0.2.1/24) are an error.
 * With ADDR_LENIENT (what blacklist files need, as spamd-setup reads
 * them): surrounding blanks are skipped, host bits are masked off
 * (192.0.2.1/24 gives 192.0.2.0/24), and an IPv4 network with an
 * explicit length may leave out trailing octets ("10/8", "172.16/12").
 * Nothing else is relaxed: garbage is garbage in both modes.
 *
 * Printing is canonical: dotted quad for IPv4, RFC 5952 for IPv6
 * (lower case, no leading zeros, the longest run of two or more zero
 * groups compressed, the first such run on a tie, and dotted IPv4 for
 * ::ffff:0:0/96 only).  Output of addr_ntop/prefix_ntop parses back to
 * the same value in strict mode.
 *
 * addr_from_sockaddr() turns an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) into the plain IPv4 address, so a dual-stack
 * socket's peers look the same as IPv4 ones; addr_unmap() does the
 * same for an address from elsewhere (parsing keeps what it was given).
 *
 * A prefixset is a set of prefixes of both families, each optionally
 * carrying a caller's pointer.  It is a path-compressed binary radix
 * (PATRICIA) trie per family: a node per stored prefix plus at most
 * one branching "glue" node per stored prefix, so memory is O(n).
 * With W the address width (32 or 128):
 *   add, del, exact lookup, longest match	O(W) each
 *   walk (in prefix_cmp order)		O(n)
 *   collapse, subtract			O(n W) (plus O(m W) for the set
 *					subtracted)
 * A node is 64 bytes on LP64 and there are fewer than 2n nodes:
 * 200,000 prefixes take under 32 MB and well under a second to load.
 * collapse() and subtract() rebuild the set as the minimal list of
 * non-overlapping prefixes covering the result (nested prefixes
 * removed, adjacent siblings merged); they drop the data pointers (the
 * set never frees them).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

struct addr {
	int		af;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		b[16];
	} u;
};

struct prefix {
	struct addr	addr;		/* host bits are zero */
	int		len;
};

#define ADDR_LENIENT	0x01	/* blanks, host bits, "10/8" (see above) */

/* Buffer sizes for addr_ntop and prefix_ntop, NUL included. */
#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN	(ADDR_STRLEN + 4)

/* Most prefixes one address range can need (2 * 128 - 2, rounded). */
#define ADDR_RANGE_MAX	256

/* Parsing: 0 on success, -1 (nothing logged) on malformed input. */
int	 addr_parse(const char *, struct addr *, int);
int	 prefix_parse(const char *, struct prefix *, int);
/*
 * "a.b.c.d - e.f.g.h" (blanks around '-' optional; both ends of one
 * family, IPv6 works too, first <= last) into the minimal list of
 * prefixes covering it, in order.  Writes at most max prefixes; returns
 * how many, or -1 on malformed input or too small an array.
 * ADDR_LENIENT skips blanks at both ends and, as spamd-setup does,
 * takes any run of blanks and dashes between the two addresses
 * ("10.0.0.0 10.0.0.255", "10.0.0.0 -- 10.0.0.255").
 */
int	 addr_range_parse(const char *, struct prefix *, size_t, int);
/* The same for two addresses of one family; -1 if first > last. */
int	 addr_range_prefixes(const struct addr *, const struct addr *,
	    struct prefix *, size_t);

/* Printing: returns buf, or NULL (and "" in buf) if it is too small. */
const char	*addr_ntop(const struct addr *, char *, size_t);
const char	*prefix_ntop(const struct prefix *, char *, size_t);

/* Order: family (IPv4 first), then address; prefixes then by length. */
int	 addr_cmp(const struct addr *, const struct addr *);
int	 prefix_cmp(const struct prefix *, const struct prefix *);
int	 addr_maxlen(int);		/* 32, 128, or -1 */
/* Zero the bits of a after the first len (clamped to the width). */
void	 addr_mask(struct addr *, int);
/* a/len as a prefix (host bits cleared); -1 on a bad length. */
int	 prefix_set(struct prefix *, const struct addr *, int);
/* 1 if the prefix holds the address (or the whole inner prefix). */
int	 prefix_contains(const struct prefix *, const struct addr *);
int	 prefix_contains_prefix(const struct prefix *, const struct prefix *);
/* ::ffff:a.b.c.d becomes a.b.c.d; anything else is left alone. */
void	 addr_unmap(struct addr *);
/* First and last address of a prefix. */
void	 prefix_first(const struct prefix *, struct addr *);
void	 prefix_last(const struct prefix *, struct addr *);

/*
 * sockaddr conversion.  addr_from_sockaddr: AF_INET or AF_INET6 only
 * (v4-mapped made IPv4; the IPv6 scope id is dropped), port may be
 * NULL; -1 on another family.  addr_to_sockaddr fills ss with the
 * address and port (host order) and returns its length.
 */
int		 addr_from_sockaddr(struct addr *, in_port_t *,
		    const struct sockaddr *);
socklen_t	 addr_to_sockaddr(const struct addr *, in_port_t,
		    struct sockaddr_storage *);

/* Prefix sets. */
struct prefixset;
typedef int (*prefixset_cb)(const struct prefix *, void *, void *);

struct prefixset *prefixset_new(void);
void		 prefixset_free(struct prefixset *);	/* NULL is fine */
void		 prefixset_clear(struct prefixset *);
size_t		 prefixset_count(const struct prefixset *);
/* 1 added, 0 already there (its data is replaced), -1 bad prefix. */
int		 prefixset_add(struct prefixset *, const struct prefix *,
		    void *);
/* 1 removed, 0 not there. */
int		 prefixset_del(struct prefixset *, const struct prefix *);
/* Exact match: 1 found (data in *datap if not NULL), 0 not. */
int		 prefixset_exact(const struct prefixset *,
		    const struct prefix *, void **);
/*
 * Longest match: the most specific stored prefix holding the address
 * (prefixset_lookup) or the whole given prefix (prefixset_match).
 * 1 found (prefix in *match, data in *datap, each if not NULL), 0 not.
 */
int		 prefixset_lookup(const struct prefixset *,
		    const struct addr *, struct prefix *, void **);
int		 prefixset_match(const struct prefixset *,
		    const struct prefix *, struct prefix *, void **);
/*
 * Call cb(prefix, data, arg) for every prefix in prefix_cmp order
 * (IPv4 first; a prefix before the ones inside it).  A non-zero return
 * from cb stops the walk and is returned.  cb must not change the set.
 */
int		 prefixset_walk(const struct prefixset *, prefixset_cb,
		    void *);
/* Every prefix, in walk order, in a new array (free it); count in *n. */
struct prefix	*prefixset_array(const struct prefixset *, size_t *);
/* Replace the set by the minimal cover of its union. */
void		 prefixset_collapse(struct prefixset *);
/* set := set minus other, as a minimal cover; other is not changed. */
void		 prefixset_subtract(struct prefixset *,
		    const struct prefixset *);

#endif /* MX_ADDR_H */
