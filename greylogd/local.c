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
 * The host's own addresses, which tell an outbound SYN (from one of
 * them) from an inbound one when the datalink does not say (nflog's
 * DLT_IPV4).  A short array, searched linearly: hosts have few.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>

#include "greylogd.h"
#include "log.h"
#include "xmalloc.h"

struct glog_addr {
	int		 af;
	unsigned char	 addr[16];
	int		 on_if;
};

struct glog_local {
	char		 *ifname;	/* -i, or NULL */
	int		(*fill)(struct glog_local *, void *);
	void		 *arg;
	struct glog_addr *addrs;
	size_t		  naddrs;
	size_t		  cap;
	int64_t		  loaded;	/* second of the last load */
	unsigned int	  loads;
};

static int	local_getifaddrs(struct glog_local *, void *);

struct glog_local *
glog_local_new(const char *ifname, int (*fill)(struct glog_local *, void *),
    void *arg)
{
	struct glog_local	*l;

	l = xcalloc(1, sizeof(*l));
	if (ifname != NULL)
		l->ifname = xstrdup(ifname);
	l->fill = fill != NULL ? fill : local_getifaddrs;
	l->arg = arg;
	l->loaded = -1;
	return l;
}

void
glog_local_free(struct glog_local *l)
{
	if (l == NULL)
		return;
	free(l->ifname);
	free(l->addrs);
	free(l);
}

int
glog_local_add(struct glog_local *l, int af, const void *addr,
    const char *ifname)
{
	struct glog_addr	*a;

	if (af != AF_INET && af != AF_INET6)
		return -1;
	if (l->naddrs == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->addrs = xreallocarray(l->addrs, l->cap, sizeof(*l->addrs));
	}
	a = &l->addrs[l->naddrs++];
	memset(a, 0, sizeof(*a));
	a->af = af;
	memcpy(a->addr, addr, af == AF_INET ? 4 : 16);
	a->on_if = l->ifname == NULL || (ifname != NULL &&
	    strcmp(ifname, l->ifname) == 0);
	return 0;
}

int
glog_local_find(const struct glog_local *l, int af, const void *addr)
{
	size_t	 i, n = af == AF_INET ? 4 : 16;
	int	 r = -1;

	for (i = 0; i < l->naddrs; i++) {
		if (l->addrs[i].af != af ||
		    memcmp(l->addrs[i].addr, addr, n) != 0)
			continue;
		if (l->addrs[i].on_if)
			return 1;
		r = 0;	/* an address can be on two interfaces */
	}
	return r;
}

size_t
glog_local_count(const struct glog_local *l)
{
	return l->naddrs;
}

unsigned int
glog_local_loads(const struct glog_local *l)
{
	return l->loads;
}

static int
local_getifaddrs(struct glog_local *l, void *arg)
{
	struct ifaddrs		*ifa, *i;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return -1;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		switch (i->ifa_addr->sa_family) {
		case AF_INET:
			sin = (struct sockaddr_in *)i->ifa_addr;
			glog_local_add(l, AF_INET, &sin->sin_addr,
			    i->ifa_name);
			break;
		case AF_INET6:
			sin6 = (struct sockaddr_in6 *)i->ifa_addr;
			glog_local_add(l, AF_INET6, &sin6->sin6_addr,
			    i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int
glog_local_refresh(struct glog_local *l, int64_t now)
{
	struct glog_addr	*old;
	size_t			 nold, oldcap;

	if (l->loaded != -1 && now <= l->loaded)
		return 0;
	l->loaded = now;
	old = l->addrs;
	nold = l->naddrs;
	oldcap = l->cap;
	l->addrs = NULL;
	l->naddrs = l->cap = 0;
	if (l->fill(l, l->arg) == -1) {
		free(l->addrs);
		l->addrs = old;
		l->naddrs = nold;
		l->cap = oldcap;
		return -1;
	}
	free(old);
	l->loads++;
	log_debug("local addresses: %zu", l->naddrs);
	return 1;
}
