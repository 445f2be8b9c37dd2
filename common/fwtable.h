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

#ifndef MX_FWTABLE_H
#define MX_FWTABLE_H

/*
 * Firewall address tables: what pf calls a table (<spamd-white>), held
 * by one of several back-ends, chosen by a spec string (greyd -F):
 *
 *	nft			nftables, table inet mxsuite (the default)
 *	nft:FAMILY:TABLE	nftables, another table (nft:ip:filter)
 *	pf			pfctl(8); only compiled on the BSDs
 *	file:DIR		DIR/NAME, one prefix per line
 *	none			accepts everything, holds nothing
 *
 * A logical table NAME holds IPv4 and IPv6 prefixes.  nftables needs a
 * set per family, so NAME is the pair of sets NAME (type ipv4_addr,
 * flags interval) and NAME-v6 (type ipv6_addr, flags interval) in the
 * nft table; pf and the file back-end hold both families under NAME.
 * Table names are 1..31 characters (pf's limit), a letter then letters,
 * digits, '_' and '-'.
 *
 * Contents are address coverage, as pf uses a table to match: add is a
 * union, delete a subtraction (deleting 192.0.2.7 from 192.0.2.0/24
 * leaves the rest of the /24), replace sets the content, and list
 * returns the minimal list of non-overlapping prefixes covering it
 * (nested prefixes merged, adjacent ones joined), which is also what
 * the nft interval sets hold.  A set without the interval flag (such as
 * a dynamic set filled by the ruleset's meters) holds host addresses
 * only and is used as it is.
 *
 * Every update is one transaction: replace flushes and refills both
 * families atomically (as pfctl -T replace does), add and delete send
 * all their prefixes in one batch.  The nft back-end keeps a copy of
 * each interval set it has read or written, so that add and delete can
 * compute the exact elements to change without reading the whole set
 * back; if the kernel's set was changed behind its back and the update
 * fails, it reads the set again and retries once.
 * A set with the auto-merge flag joins adjacent elements into ranges of
 * its own, so there add and delete read the set and refill it whole
 * (still one transaction).
 *
 * Errors never end the program: every call returns 0 on success or -1,
 * and fwtable_error() gives the message (the back-end's own text, such
 * as nftables' error line, included).  Nothing is logged here.
 * Updating a firewall needs privileges (CAP_NET_ADMIN for nft, root and
 * /dev/pf for pfctl): call it from the privileged process.
 */

#include <stddef.h>

#include "addr.h"

#define FWTABLE_NAME_MAX	31	/* longest table name (pf) */
#define FWTABLE_SPEC_DEFAULT	"nft:inet:mxsuite"

enum fwtable_kind {
	FWTABLE_NFT,
	FWTABLE_PF,
	FWTABLE_FILE,
	FWTABLE_NONE
};

struct fwtable_spec {
	enum fwtable_kind	 kind;
	char			 family[16];	/* nft: ip ip6 inet ... */
	char			 table[64];	/* nft table */
	char			 dir[1024];	/* file: directory */
};

/* fwtable_open flags */
#define FWTABLE_CREATE	0x01	/* create missing sets/tables/files */

struct fwtable;

/*
 * Parse a back-end spec into *spec; 0, or -1 with a message in err.
 * NULL or "" means FWTABLE_SPEC_DEFAULT.
 */
int		 fwtable_spec_parse(const char *, struct fwtable_spec *,
		    char *, size_t);
/* 1 if the name is a valid table name, 0 if not. */
int		 fwtable_name_valid(const char *);

/*
 * Open a back-end from a spec string.  NULL (message in err) if the
 * spec is wrong or the back-end is not available here.
 */
struct fwtable	*fwtable_open(const char *, int, char *, size_t);
void		 fwtable_close(struct fwtable *);	/* NULL is fine */
/* "nft", "pf", "file" or "none", and the spec it was opened with. */
const char	*fwtable_backend(const struct fwtable *);
const char	*fwtable_spec(const struct fwtable *);
/* The message of the last failed call ("" if none). */
const char	*fwtable_error(const struct fwtable *);

/* Updates: 0 on success, -1 (see fwtable_error) on failure. */
int		 fwtable_add(struct fwtable *, const char *,
		    const struct prefix *, size_t);
int		 fwtable_delete(struct fwtable *, const char *,
		    const struct prefix *, size_t);
/* replace with NULL empties the table, as flush does. */
int		 fwtable_replace(struct fwtable *, const char *,
		    const struct prefixset *);
int		 fwtable_flush(struct fwtable *, const char *);
/*
 * The table's current content, read from the back-end, added to out
 * (which the caller clears first if it wants only this table).
 */
int		 fwtable_list(struct fwtable *, const char *,
		    struct prefixset *);

#endif /* MX_FWTABLE_H */
