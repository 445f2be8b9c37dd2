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
 * SpamAssassin 4.0.1's Received-header parser
 * (Message/Metadata/Received.pm) and its trust decisions, for filterd's
 * X-Spam-Relays-{Trusted,Untrusted,Internal,External} pseudo-headers and
 * the relay eval functions.
 *
 *	struct sa_netset *tn = sa_netset_new(1);	loopback included
 *	sa_netset_add(tn, "192.0.2.0/24 !192.0.2.9");
 *	struct sa_relays_conf rc = { tn, in, msa, 1, 0, hdrs, nhdrs };
 *	struct sa_relays *r = sa_relays_build(&rc, received, nreceived,
 *	    getter, arg);
 *	r->str[SA_RL_EXTERNAL] ...
 *	sa_relays_free(r);
 *
 * sa_relays_parse() (sa_engine.h) does it for a message: the conf's
 * trusted_networks, internal_networks, msa_networks and
 * originating_ip_headers; msg->relays is the trusted then the untrusted
 * relays (owned by msg->relays_priv).
 *
 * sa_relay_parse_line() parses one unfolded Received value as
 * parse_received_line() does: 1 (a relay), 0 (a header SpamAssassin
 * ignores: local handover, fetchmail, ...), -1 (unparseable).
 *
 * Trust: with neither trusted_networks nor internal_networks configured,
 * the relays are trusted and internal while their IP is private (or
 * they authenticated); else trusted_networks (127/8 and ::1 always in)
 * and internal_networks decide as SpamAssassin does, an unconfigured one
 * taking the other's value; msa_networks ends the checks.
 */

#ifndef FILTERD_SA_RELAYS_H
#define FILTERD_SA_RELAYS_H

#include <stddef.h>

#include "sa_engine.h"

/* a parsed hop: struct sa_relay (sa_engine.h) and what else SA keeps */
struct sa_hop {
	struct sa_relay	 r;
	int		 no_reverse_dns;	/* the MTA looked, found none */
	int		 rdns_not_in_headers;
};

#define SA_RL_TRUSTED	0
#define SA_RL_UNTRUSTED	1
#define SA_RL_INTERNAL	2
#define SA_RL_EXTERNAL	3

struct sa_relays {
	struct sa_hop	 *all;		/* every parsed relay, top first */
	size_t		  nall;
	size_t		 *list[4];	/* indexes into all, per SA_RL_* */
	size_t		  nlist[4];
	char		 *str[4];	/* the pseudo-header values */
	int		  num_unparseable;
	int		  last_trusted_index;	/* -1: none */
	int		  last_internal_index;
	struct sa_relay	 *view;		/* trusted then untrusted, copies */
	size_t		  nview;
};

struct sa_netset;

struct sa_relays_conf {
	const struct sa_netset	*trusted;	/* NULL: loopback only */
	const struct sa_netset	*internal;
	const struct sa_netset	*msa;
	int			 trusted_set;	/* trusted_networks given */
	int			 internal_set;
	const char *const	*orig_ip_headers; /* originating_ip_headers */
	size_t			  norig_ip_headers;
};

/* The last instance of a header (malloc'd), or NULL: the message's. */
typedef char *(*sa_relays_hdr_fn)(void *, const char *);

struct sa_relays *sa_relays_build(const struct sa_relays_conf *,
		    const char *const *, size_t, sa_relays_hdr_fn, void *);
void		 sa_relays_free(struct sa_relays *);

int		 sa_relay_parse_line(const char *, struct sa_hop *);
void		 sa_hop_clear(struct sa_hop *);

/* IP_PRIVATE / IS_IP_ADDRESS of SpamAssassin's Constants.pm */
int		 sa_ip_is_private(const char *);
int		 sa_ip_is_address(const char *);
/* First IP address (IP_ADDRESS) in s: offset and length, or -1. */
int		 sa_ip_find(const char *, size_t *, size_t *);

/* trusted_networks and friends (NetSet.pm, first match decides) */
struct sa_netset *sa_netset_new(int);
void		 sa_netset_free(struct sa_netset *);
/* Adds white-space separated nets; -1 if one was bad (others added). */
int		 sa_netset_add(struct sa_netset *, const char *);
int		 sa_netset_contains(const struct sa_netset *, const char *);

#endif /* FILTERD_SA_RELAYS_H */
