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
 * spamd's sync protocol: the key, packets built and parsed, and the
 * UDP socket.  See spamsync.h.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "compat.h"
#include "log.h"
#include "spamsync.h"
#include "xmalloc.h"

struct spamsync_sender {
	in_port_t		 port;
	int			 fd;
	uint32_t		 counter;
	struct sockaddr_in	*peers;
	char			**names;
	size_t			 npeers;
	char			*mcast_if;	/* -Y iface (sending) */
	int			 mcast_send;
	int			 ttl;
	int			 have_self;
	struct in_addr		 self;		/* mcast interface address */
	struct sockaddr_in	 group;
	time_t			 warned_at;	/* last send failure logged */
	uint64_t		 unwarned;
};

#define SPAMSYNC_WARN_PERIOD	60

static void	 put16(unsigned char *, uint16_t);
static void	 put32(unsigned char *, uint32_t);
static uint16_t	 get16(const unsigned char *);
static uint32_t	 get32(const unsigned char *);
static int	 spamsync_hmac(const struct spamsync_key *,
		    const unsigned char *, size_t, unsigned char *);
static size_t	 spamsync_str(const unsigned char *, size_t, char *);
static int	 spamsync_ifaddr(int, const char *, struct in_addr *);
static int	 spamsync_resolve(const char *, struct in_addr *);
static void	 spamsync_send_warn(struct spamsync_sender *, const char *);

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint16_t
get16(const unsigned char *p)
{
	return ((uint16_t)p[0] << 8 | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

int
spamsync_key_load(struct spamsync_key *key, const char *path)
{
	static const char	 hex[] = "0123456789abcdef";
	EVP_MD_CTX		*ctx;
	unsigned char		 buf[8192], md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	ssize_t			 n;
	int			 fd, ret = -1;

	memset(key, 0, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			log_debug("%s: no sync key file, empty key", path);
			return (0);
		}
		log_warn("sync key %s", path);
		return (-1);
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1) {
		log_warnx("sync key %s: SHA-1 unavailable", path);
		goto done;
	}
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("sync key %s: read", path);
			goto done;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, n) != 1) {
			log_warnx("sync key %s: SHA-1 failed", path);
			goto done;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 != SPAMSYNC_KEY_LEN) {
		log_warnx("sync key %s: SHA-1 failed", path);
		goto done;
	}
	for (i = 0; i < mdlen; i++) {
		key->text[i * 2] = hex[md[i] >> 4];
		key->text[i * 2 + 1] = hex[md[i] & 0xf];
	}
	key->text[SPAMSYNC_KEY_LEN] = '\0';
	ret = 0;
 done:
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(md, sizeof(md));
	EVP_MD_CTX_free(ctx);
	close(fd);
	if (ret == -1)
		explicit_bzero(key, sizeof(*key));
	return (ret);
}

int
spamsync_key_set(struct spamsync_key *key, const char *text)
{
	memset(key, 0, sizeof(*key));
	if (strlcpy(key->text, text, sizeof(key->text)) >=
	    sizeof(key->text)) {
		explicit_bzero(key, sizeof(*key));
		log_warnx("sync key longer than %d bytes", SPAMSYNC_KEY_LEN);
		return (-1);
	}
	return (0);
}

void
spamsync_key_clear(struct spamsync_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

static int
spamsync_hmac(const struct spamsync_key *key, const unsigned char *p,
    size_t len, unsigned char *out)
{
	unsigned int	 olen = 0;

	if (HMAC(EVP_sha1(), key->text, strlen(key->text), p, len, out,
	    &olen) == NULL || olen != SPAMSYNC_HMAC_LEN)
		return (-1);
	return (0);
}

ssize_t
spamsync_build(const struct spamsync_key *key, uint32_t counter,
    const struct spamsync_entry *e, void *buf, size_t bufsz)
{
	unsigned char	*p = buf, a6[16], mac[SPAMSYNC_HMAC_LEN];
	struct in_addr	 a4;
	size_t		 fl = 0, tl = 0, hl = 0, tlen, off, total, hlen;
	int		 v6;
	uint16_t	 type;

	if (inet_pton(AF_INET, e->ip, &a4) == 1)
		v6 = 0;
	else if (inet_pton(AF_INET6, e->ip, a6) == 1)
		v6 = 1;
	else {
		log_warnx("sync: bad address \"%s\"", e->ip);
		return (-1);
	}
	switch (e->kind) {
	case SPAMSYNC_GREY:
		if (e->helo == NULL || e->from == NULL || e->to == NULL) {
			log_warnx("sync: GREY entry without helo/from/to");
			return (-1);
		}
		fl = strlen(e->from) + 1;
		tl = strlen(e->to) + 1;
		hl = strlen(e->helo) + 1;
		hlen = v6 ? SPAMSYNC_GREY6_LEN : SPAMSYNC_GREY_LEN;
		type = v6 ? SPAMSYNC_T_GREY6 : SPAMSYNC_T_GREY;
		if (fl + tl + hl > SPAMSYNC_MAXSIZE) {
			log_warnx("sync: GREY entry for %s too long", e->ip);
			return (-1);
		}
		tlen = hlen + fl + tl + hl;
		tlen = (tlen + SPAMSYNC_ALIGN - 1) /
		    SPAMSYNC_ALIGN * SPAMSYNC_ALIGN;
		break;
	case SPAMSYNC_WHITE:
	case SPAMSYNC_TRAPPED:
		hlen = tlen = v6 ? SPAMSYNC_ADDR6_LEN : SPAMSYNC_ADDR_LEN;
		if (e->kind == SPAMSYNC_WHITE)
			type = v6 ? SPAMSYNC_T_WHITE6 : SPAMSYNC_T_WHITE;
		else
			type = v6 ? SPAMSYNC_T_TRAPPED6 : SPAMSYNC_T_TRAPPED;
		break;
	default:
		log_warnx("sync: bad entry kind %d", (int)e->kind);
		return (-1);
	}
	total = SPAMSYNC_HDR_LEN + tlen + SPAMSYNC_TLV_LEN;
	if (total > SPAMSYNC_MAXSIZE) {
		log_warnx("sync: %s entry for %s too long (%zu bytes)",
		    spamsync_kind_name(e->kind), e->ip, total);
		return (-1);
	}
	if (total > bufsz) {
		log_warnx("sync: buffer too small (%zu < %zu)", bufsz, total);
		return (-1);
	}
	memset(p, 0, total);
	p[0] = SPAMSYNC_VERSION;
	p[1] = SPAMSYNC_AF;
	put16(p + 2, total);
	put32(p + 4, counter);
	off = SPAMSYNC_HDR_LEN;
	put16(p + off, type);
	put16(p + off + 2, tlen);
	put32(p + off + 4, (uint32_t)e->time);
	if (e->kind == SPAMSYNC_GREY) {
		if (v6)
			memcpy(p + off + 8, a6, 16);
		else
			memcpy(p + off + 8, &a4, 4);
		put16(p + off + hlen - 6, fl);
		put16(p + off + hlen - 4, tl);
		put16(p + off + hlen - 2, hl);
		memcpy(p + off + hlen, e->from, fl);
		memcpy(p + off + hlen + fl, e->to, tl);
		memcpy(p + off + hlen + fl + tl, e->helo, hl);
	} else {
		put32(p + off + 8, (uint32_t)e->expire);
		if (v6)
			memcpy(p + off + 12, a6, 16);
		else
			memcpy(p + off + 12, &a4, 4);
	}
	off += tlen;
	put16(p + off, SPAMSYNC_T_END);
	put16(p + off + 2, SPAMSYNC_TLV_LEN);
	if (spamsync_hmac(key, p, total, mac) == -1) {
		log_warnx("sync: HMAC failed");
		return (-1);
	}
	memcpy(p + 8, mac, sizeof(mac));
	return (total);
}

/* Copy a wire string: up to its first NUL or len bytes. */
static size_t
spamsync_str(const unsigned char *p, size_t len, char *out)
{
	size_t	 n;

	for (n = 0; n < len && p[n] != '\0'; n++)
		out[n] = p[n];
	out[n] = '\0';
	return (n + 1);
}

enum spamsync_err
spamsync_parse(const struct spamsync_key *key, const void *data,
    size_t len, void (*cb)(const struct spamsync_entry *, void *),
    void *arg, size_t *nentries)
{
	unsigned char		 buf[SPAMSYNC_MAXSIZE];
	unsigned char		 mac[SPAMSYNC_HMAC_LEN];
	unsigned char		 want[SPAMSYNC_HMAC_LEN];
	char			 strs[SPAMSYNC_MAXSIZE + 3];
	struct spamsync_entry	 e;
	const unsigned char	*t;
	size_t			 shlen, off, rem, tlen, fl, tl, hl, hlen, n;
	size_t			 count = 0;
	enum spamsync_err	 err = SPAMSYNC_OK;
	uint16_t		 type;
	int			 v6;

	if (nentries != NULL)
		*nentries = 0;
	if (len > SPAMSYNC_MAXSIZE)
		return (SPAMSYNC_EOVERSIZE);
	if (len < SPAMSYNC_HDR_LEN)
		return (SPAMSYNC_ESHORT);
	memcpy(buf, data, len);
	if (buf[0] != SPAMSYNC_VERSION)
		return (SPAMSYNC_EVERSION);
	if (buf[1] != SPAMSYNC_AF)
		return (SPAMSYNC_EAF);
	shlen = get16(buf + 2);
	if (shlen > len || shlen < SPAMSYNC_HDR_LEN)
		return (SPAMSYNC_ELENGTH);
	memcpy(mac, buf + 8, sizeof(mac));
	memset(buf + 8, 0, SPAMSYNC_HMAC_LEN);
	if (spamsync_hmac(key, buf, shlen, want) == -1 ||
	    CRYPTO_memcmp(mac, want, sizeof(mac)) != 0)
		return (SPAMSYNC_EHMAC);

	off = SPAMSYNC_HDR_LEN;
	rem = shlen - SPAMSYNC_HDR_LEN;
	while (rem > 0) {
		t = buf + off;
		if (rem < SPAMSYNC_TLV_LEN) {
			err = SPAMSYNC_ETLV;
			break;
		}
		type = get16(t);
		tlen = get16(t + 2);
		if (tlen > rem || tlen < SPAMSYNC_TLV_LEN) {
			err = SPAMSYNC_ETLV;
			break;
		}
		if (type == SPAMSYNC_T_END)
			break;
		memset(&e, 0, sizeof(e));
		switch (type) {
		case SPAMSYNC_T_GREY:
		case SPAMSYNC_T_GREY6:
			v6 = type == SPAMSYNC_T_GREY6;
			hlen = v6 ? SPAMSYNC_GREY6_LEN : SPAMSYNC_GREY_LEN;
			if (tlen < hlen) {
				err = SPAMSYNC_EGREY;
				break;
			}
			fl = get16(t + hlen - 6);
			tl = get16(t + hlen - 4);
			hl = get16(t + hlen - 2);
			if (hlen + fl + tl + hl > tlen) {
				err = SPAMSYNC_EGREY;
				break;
			}
			e.kind = SPAMSYNC_GREY;
			e.time = get32(t + 4);
			if (inet_ntop(v6 ? AF_INET6 : AF_INET, t + 8, e.ip,
			    sizeof(e.ip)) == NULL) {
				err = SPAMSYNC_EGREY;
				break;
			}
			n = 0;
			e.from = strs + n;
			n += spamsync_str(t + hlen, fl, strs + n);
			e.to = strs + n;
			n += spamsync_str(t + hlen + fl, tl, strs + n);
			e.helo = strs + n;
			(void)spamsync_str(t + hlen + fl + tl, hl, strs + n);
			break;
		case SPAMSYNC_T_WHITE:
		case SPAMSYNC_T_TRAPPED:
		case SPAMSYNC_T_WHITE6:
		case SPAMSYNC_T_TRAPPED6:
			v6 = type == SPAMSYNC_T_WHITE6 ||
			    type == SPAMSYNC_T_TRAPPED6;
			if (tlen != (v6 ? SPAMSYNC_ADDR6_LEN :
			    SPAMSYNC_ADDR_LEN)) {
				err = SPAMSYNC_EADDR;
				break;
			}
			e.kind = type == SPAMSYNC_T_WHITE ||
			    type == SPAMSYNC_T_WHITE6 ? SPAMSYNC_WHITE :
			    SPAMSYNC_TRAPPED;
			e.time = get32(t + 4);
			e.expire = get32(t + 8);
			if (inet_ntop(v6 ? AF_INET6 : AF_INET, t + 12, e.ip,
			    sizeof(e.ip)) == NULL)
				err = SPAMSYNC_EADDR;
			break;
		default:
			err = SPAMSYNC_ETYPE;
			break;
		}
		if (err != SPAMSYNC_OK)
			break;
		count++;
		if (cb != NULL)
			cb(&e, arg);
		off += tlen;
		rem -= tlen;
	}
	if (nentries != NULL)
		*nentries = count;
	return (err);
}

const char *
spamsync_strerror(enum spamsync_err err)
{
	switch (err) {
	case SPAMSYNC_OK:
		return ("ok");
	case SPAMSYNC_EOVERSIZE:
		return ("oversized packet");
	case SPAMSYNC_ESHORT:
		return ("short packet");
	case SPAMSYNC_EVERSION:
		return ("bad version");
	case SPAMSYNC_EAF:
		return ("bad address family");
	case SPAMSYNC_ELENGTH:
		return ("bad header length");
	case SPAMSYNC_EHMAC:
		return ("bad HMAC");
	case SPAMSYNC_ETLV:
		return ("truncated TLV");
	case SPAMSYNC_EGREY:
		return ("bad GREY lengths");
	case SPAMSYNC_EADDR:
		return ("bad WHITE/TRAPPED length");
	case SPAMSYNC_ETYPE:
		return ("unknown TLV type");
	default:
		return ("unknown error");
	}
}

const char *
spamsync_kind_name(enum spamsync_kind kind)
{
	switch (kind) {
	case SPAMSYNC_GREY:
		return ("GREY");
	case SPAMSYNC_WHITE:
		return ("WHITE");
	case SPAMSYNC_TRAPPED:
		return ("TRAPPED");
	default:
		return ("?");
	}
}

struct spamsync_sender *
spamsync_sender_new(in_port_t port)
{
	struct spamsync_sender	*ss;

	ss = xcalloc(1, sizeof(*ss));
	ss->port = port == 0 ? SPAMSYNC_PORT : port;
	ss->fd = -1;
	ss->ttl = SPAMSYNC_MCAST_TTL;
	return (ss);
}

int
spamsync_sender_add(struct spamsync_sender *ss, const char *target)
{
	struct in_addr		 a;
	char			 ifname[IF_NAMESIZE], *c;
	const char		*errstr;
	long long		 ttl = SPAMSYNC_MCAST_TTL;
	size_t			 i;

	if (*target == '\0') {
		log_warnx("sync target: empty");
		return (-1);
	}
	/* "iface[:ttl]" for an existing interface; else a host */
	if (strlcpy(ifname, target, sizeof(ifname)) < sizeof(ifname)) {
		if ((c = strchr(ifname, ':')) != NULL)
			*c++ = '\0';
		if (if_nametoindex(ifname) != 0) {
			if (c != NULL) {
				ttl = strtonum(c, 1, 255, &errstr);
				if (errstr != NULL) {
					log_warnx("sync target %s: ttl %s "
					    "is %s", target, c, errstr);
					return (-1);
				}
			}
			free(ss->mcast_if);
			ss->mcast_if = xstrdup(ifname);
			ss->mcast_send = 1;
			ss->ttl = ttl;
			return (0);
		}
	}
	if (spamsync_resolve(target, &a) == -1) {
		log_warnx("sync target %s: neither an interface nor a host "
		    "with an IPv4 address", target);
		return (-1);
	}
	i = ss->npeers++;
	ss->peers = xreallocarray(ss->peers, ss->npeers,
	    sizeof(*ss->peers));
	ss->names = xreallocarray(ss->names, ss->npeers,
	    sizeof(*ss->names));
	memset(&ss->peers[i], 0, sizeof(ss->peers[i]));
	ss->peers[i].sin_family = AF_INET;
	ss->peers[i].sin_port = htons(ss->port);
	ss->peers[i].sin_addr = a;
	ss->names[i] = xstrdup(target);
	log_debug("sync target %s: %s port %u", target,
	    inet_ntoa(ss->peers[i].sin_addr), ss->port);
	return (0);
}

/* The first IPv4 address of a host (spamd's sync_addhost()). */
static int
spamsync_resolve(const char *host, struct in_addr *a)
{
	struct addrinfo	 hints, *res, *r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return (-1);
	for (r = res; r != NULL; r = r->ai_next)
		if (r->ai_family == AF_INET)
			break;
	if (r != NULL)
		*a = ((struct sockaddr_in *)(void *)r->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return (r != NULL ? 0 : -1);
}

static int
spamsync_ifaddr(int fd, const char *ifname, struct in_addr *addr)
{
	struct ifreq	 ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name)) >=
	    sizeof(ifr.ifr_name)) {
		log_warnx("sync interface %s: name too long", ifname);
		return (-1);
	}
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr) == -1) {
		log_warn("sync interface %s: no IPv4 address", ifname);
		return (-1);
	}
	*addr = ((struct sockaddr_in *)(void *)&ifr.ifr_addr)->sin_addr;
	return (0);
}

int
spamsync_sender_open(struct spamsync_sender *ss, const char *listen)
{
	struct sockaddr_in	 sin;
	struct ip_mreq		 mreq;
	const char		*mif = ss->mcast_if;
	unsigned char		 ttl;
	int			 one = 1, join = 0;

	if (ss->fd != -1) {
		log_warnx("sync socket already open");
		return (-1);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	/*
	 * Only a listener binds port 8025: a sender alone (greylogd -Y,
	 * greysync without -y) takes an ephemeral port, so that it never
	 * gets unicast meant for the greysync of the same host.
	 */
	if (listen != NULL) {
		if (inet_pton(AF_INET, listen, &sin.sin_addr) == 1)
			;
		else if (if_nametoindex(listen) != 0) {
			if (mif != NULL && strcmp(mif, listen) != 0) {
				log_warnx("sync: listen interface %s is not "
				    "the multicast interface %s", listen,
				    mif);
				return (-1);
			}
			mif = listen;
			join = 1;
		} else if (spamsync_resolve(listen, &sin.sin_addr) == -1) {
			log_warnx("sync: listen %s: neither an IPv4 address, "
			    "an interface nor a host", listen);
			return (-1);
		}
		sin.sin_port = htons(ss->port);
	}

	if ((ss->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("sync socket");
		return (-1);
	}
	if (setsockopt(ss->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1) {
		log_warn("sync socket SO_REUSEADDR");
		goto fail;
	}
	if (bind(ss->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_warn("sync socket bind %s:%u", inet_ntoa(sin.sin_addr),
		    ntohs(sin.sin_port));
		goto fail;
	}
	if (mif == NULL)
		return (ss->fd);

	if (spamsync_ifaddr(ss->fd, mif, &ss->self) == -1)
		goto fail;
	ss->have_self = 1;
	memset(&ss->group, 0, sizeof(ss->group));
	ss->group.sin_family = AF_INET;
	ss->group.sin_port = htons(ss->port);
	(void)inet_pton(AF_INET, SPAMSYNC_MCAST_GROUP, &ss->group.sin_addr);
	if (join) {
		memset(&mreq, 0, sizeof(mreq));
		mreq.imr_multiaddr = ss->group.sin_addr;
		mreq.imr_interface = ss->self;
		if (setsockopt(ss->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
		    sizeof(mreq)) == -1) {
			log_warn("sync: join %s on %s", SPAMSYNC_MCAST_GROUP,
			    mif);
			goto fail;
		}
	}
	if (ss->mcast_send) {
		ttl = ss->ttl;
		if (setsockopt(ss->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl)) == -1) {
			log_warn("sync: multicast ttl %d", ss->ttl);
			goto fail;
		}
		if (setsockopt(ss->fd, IPPROTO_IP, IP_MULTICAST_IF,
		    &ss->self, sizeof(ss->self)) == -1) {
			log_warn("sync: multicast interface %s", mif);
			goto fail;
		}
	}
	log_debug("sync: multicast group %s on %s (%s):%s%s, ttl %d, "
	    "port %u", SPAMSYNC_MCAST_GROUP, mif, inet_ntoa(ss->self),
	    join ? " receive" : "", ss->mcast_send ? " send" : "", ss->ttl,
	    ss->port);
	return (ss->fd);
 fail:
	close(ss->fd);
	ss->fd = -1;
	ss->have_self = 0;
	return (-1);
}

int
spamsync_sender_fd(const struct spamsync_sender *ss)
{
	return (ss->fd);
}

/*
 * A failed send is logged at most once every SPAMSYNC_WARN_PERIOD
 * seconds (an unreachable peer fails every packet); the others are
 * counted and the count logged with the next line.
 */
static void
spamsync_send_warn(struct spamsync_sender *ss, const char *to)
{
	time_t	 now = time(NULL);
	int	 saved = errno;

	if (ss->warned_at != 0 && now - ss->warned_at <
	    SPAMSYNC_WARN_PERIOD) {
		ss->unwarned++;
		return;
	}
	errno = saved;
	if (ss->unwarned > 0)
		log_warn("sync: send to %s (and %llu failed sends not "
		    "logged)", to, (unsigned long long)ss->unwarned);
	else
		log_warn("sync: send to %s", to);
	ss->warned_at = now;
	ss->unwarned = 0;
}

int
spamsync_sender_send(struct spamsync_sender *ss, const void *pkt,
    size_t len)
{
	size_t	 i;
	int	 failed = 0;

	if (ss->fd == -1) {
		log_warnx("sync: socket not open");
		return (-1);
	}
	if (ss->mcast_send && ss->have_self) {
		if (sendto(ss->fd, pkt, len, 0,
		    (struct sockaddr *)&ss->group, sizeof(ss->group)) == -1) {
			spamsync_send_warn(ss, ss->mcast_if);
			failed++;
		}
	}
	for (i = 0; i < ss->npeers; i++) {
		if (sendto(ss->fd, pkt, len, 0,
		    (struct sockaddr *)&ss->peers[i],
		    sizeof(ss->peers[i])) == -1) {
			spamsync_send_warn(ss, ss->names[i]);
			failed++;
		}
	}
	return (failed);
}

int
spamsync_sender_send_entry(struct spamsync_sender *ss,
    const struct spamsync_key *key, const struct spamsync_entry *e)
{
	unsigned char	 pkt[SPAMSYNC_MAXSIZE];
	ssize_t		 len;

	if ((len = spamsync_build(key, ss->counter, e, pkt,
	    sizeof(pkt))) == -1)
		return (-1);
	ss->counter++;
	return (spamsync_sender_send(ss, pkt, len));
}

int
spamsync_sender_is_self(const struct spamsync_sender *ss,
    const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;

	if (!ss->have_self || sa->sa_family != AF_INET)
		return (0);
	sin = (const struct sockaddr_in *)(const void *)sa;
	return (sin->sin_addr.s_addr != htonl(INADDR_ANY) &&
	    sin->sin_addr.s_addr == ss->self.s_addr);
}

size_t
spamsync_sender_ntargets(const struct spamsync_sender *ss)
{
	return (ss->npeers + (ss->mcast_send ? 1 : 0));
}

void
spamsync_sender_free(struct spamsync_sender *ss)
{
	size_t	 i;

	if (ss == NULL)
		return;
	if (ss->fd != -1)
		close(ss->fd);
	for (i = 0; i < ss->npeers; i++)
		free(ss->names[i]);
	free(ss->names);
	free(ss->peers);
	free(ss->mcast_if);
	free(ss);
}
