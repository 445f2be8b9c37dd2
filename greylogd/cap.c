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
 * libpcap: the live log (nflog:N on Linux, a pflog interface on the
 * BSDs) or a pcap file.
 *
 * nflog: libpcap cannot compile any filter on DLT_NFLOG ("NFLOG
 * link-layer type filtering not implemented"), so the handle is
 * switched to DLT_IPV4 first.  That datalink carries the NFULA_PAYLOAD
 * of every packet logged to the group, IPv6 ones included (libpcap
 * does not look at the family), while the filter language treats the
 * whole capture as IPv4: "tcp" would test byte 9 of an IPv6 packet.
 * The filter therefore passes IPv4 SMTP SYNs and every IPv6 packet,
 * and pkt.c checks both versions in full (it checks everything anyway:
 * the filter only saves copies).  On nflog the filter runs in user
 * space in any case.  The pflog filter is spamlogd's, extended to
 * IPv6 the same way: libpcap's tcp[] offsets are IPv4 only.
 */

#include <sys/types.h>
#include <sys/ioctl.h>

#include <pcap.h>
#include <stdlib.h>
#include <string.h>

#include "greylogd.h"
#include "log.h"
#include "xmalloc.h"

#define CAP_FILTER_IPV4	"(ip[0] & 0xf0 = 0x40 and tcp port 25 and " \
			"tcp[13] & 0x12 = 0x2) or ip[0] & 0xf0 = 0x60"
/* libpcap's tcp[] is IPv4 only: "ip6 and tcp[13] ..." rejects all */
#define CAP_FILTER_PFLOG "action pass and ((ip and tcp port 25 and " \
			"tcp[13] & 0x12 = 0x2) or ip6)"

struct glog_cap {
	pcap_t		*p;
	int		 dlt;
	int		 file;
	void		(*cb)(int, const unsigned char *, size_t, void *);
	void		*arg;
};

static int	cap_filter(struct glog_cap *, const char *);
static void	cap_handler(u_char *, const struct pcap_pkthdr *,
		    const u_char *);
static int	cap_has_dlt(pcap_t *, int);
static const char *cap_dlt_name(int);

static const char *
cap_dlt_name(int dlt)
{
	const char	*name;

	return (name = pcap_datalink_val_to_name(dlt)) != NULL ? name :
	    "unknown";
}

static int
cap_filter(struct glog_cap *c, const char *filter)
{
	struct bpf_program	 bp;

	if (pcap_compile(c->p, &bp, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		log_warnx("filter \"%s\": %s", filter, pcap_geterr(c->p));
		return -1;
	}
	if (pcap_setfilter(c->p, &bp) == -1) {
		log_warnx("setfilter: %s", pcap_geterr(c->p));
		pcap_freecode(&bp);
		return -1;
	}
	pcap_freecode(&bp);
	return 0;
}

static int
cap_has_dlt(pcap_t *p, int dlt)
{
	int	*list, n, i, r = 0;

	if ((n = pcap_list_datalinks(p, &list)) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (list[i] == dlt)
			r = 1;
	pcap_free_datalinks(list);
	return r;
}

int
glog_cap_filter(int dlt, const char *ifname, char *buf, size_t len)
{
	int	 r;

	switch (dlt) {
	case GLOG_DLT_IPV4:
		r = snprintf(buf, len, "%s", CAP_FILTER_IPV4);
		break;
	case GLOG_DLT_PFLOG:
		if (ifname == NULL)
			r = snprintf(buf, len, "%s", CAP_FILTER_PFLOG);
		else
			r = snprintf(buf, len, "%s and on %s",
			    CAP_FILTER_PFLOG, ifname);
		break;
	default:
		return -1;
	}
	if (r < 0 || (size_t)r >= len)
		return -1;
	return 0;
}

struct glog_cap *
glog_cap_live(const char *logif, const char *ifname)
{
	struct glog_cap	*c;
	char		 ebuf[PCAP_ERRBUF_SIZE], filter[256];
	int		 r;

	c = xcalloc(1, sizeof(*c));
	ebuf[0] = '\0';
	if ((c->p = pcap_create(logif, ebuf)) == NULL) {
		log_warnx("%s: %s", logif, ebuf);
		goto fail;
	}
	if (pcap_set_snaplen(c->p, GREYLOGD_SNAPLEN) != 0 ||
	    pcap_set_timeout(c->p, GREYLOGD_TIMEOUT) != 0 ||
	    pcap_set_immediate_mode(c->p, 1) != 0) {
		log_warnx("%s: cannot set capture options", logif);
		goto fail;
	}
	if ((r = pcap_activate(c->p)) < 0) {
		log_warnx("%s: %s", logif, pcap_geterr(c->p));
		goto fail;
	} else if (r > 0)
		log_warnx("%s: %s", logif, pcap_geterr(c->p));
	c->dlt = pcap_datalink(c->p);
	if (c->dlt == GLOG_DLT_NFLOG || c->dlt == GLOG_DLT_IPV4) {
		if (c->dlt != GLOG_DLT_IPV4) {
			if (!cap_has_dlt(c->p, GLOG_DLT_IPV4) ||
			    pcap_set_datalink(c->p, GLOG_DLT_IPV4) == -1) {
				log_warnx("%s: cannot switch to DLT_IPV4: %s",
				    logif, pcap_geterr(c->p));
				goto fail;
			}
			c->dlt = GLOG_DLT_IPV4;
		}
		/* -i is applied by address (glog_decide) */
		if (glog_cap_filter(c->dlt, NULL, filter,
		    sizeof(filter)) == -1 || cap_filter(c, filter) == -1)
			goto fail;
	} else if (c->dlt == GLOG_DLT_PFLOG) {
		if (glog_cap_filter(c->dlt, ifname, filter,
		    sizeof(filter)) == -1) {
			log_warnx("interface name too long");
			goto fail;
		}
		if (cap_filter(c, filter) == -1)
			goto fail;
#ifdef BIOCLOCK
		/* as spamlogd: the filter cannot be changed any more */
		if (ioctl(pcap_fileno(c->p), BIOCLOCK) == -1) {
			log_warn("%s: BIOCLOCK", logif);
			goto fail;
		}
#endif
	} else {
		log_warnx("%s: datalink %s is neither NFLOG nor PFLOG", logif,
		    cap_dlt_name(c->dlt));
		goto fail;
	}
	return c;
 fail:
	glog_cap_free(c);
	return NULL;
}

struct glog_cap *
glog_cap_file(const char *path)
{
	struct glog_cap	*c;
	char		 ebuf[PCAP_ERRBUF_SIZE];

	c = xcalloc(1, sizeof(*c));
	c->file = 1;
	ebuf[0] = '\0';
	if ((c->p = pcap_open_offline(path, ebuf)) == NULL) {
		log_warnx("%s: %s", path, ebuf);
		goto fail;
	}
	c->dlt = pcap_datalink(c->p);
	if (!glog_dlt_known(c->dlt)) {
		log_warnx("%s: datalink %s is not one greylogd reads",
		    path, cap_dlt_name(c->dlt));
		goto fail;
	}
	return c;
 fail:
	glog_cap_free(c);
	return NULL;
}

int
glog_cap_fd(const struct glog_cap *c)
{
	return pcap_get_selectable_fd(c->p);
}

int
glog_cap_datalink(const struct glog_cap *c)
{
	return c->dlt;
}

static void
cap_handler(u_char *arg, const struct pcap_pkthdr *h, const u_char *p)
{
	struct glog_cap	*c = (struct glog_cap *)arg;

	c->cb(c->dlt, p, h->caplen, c->arg);
}

int
glog_cap_dispatch(struct glog_cap *c,
    void (*cb)(int, const unsigned char *, size_t, void *), void *arg)
{
	int	 n;

	c->cb = cb;
	c->arg = arg;
	n = pcap_dispatch(c->p, c->file ? 64 : -1, cap_handler, (u_char *)c);
	if (n == PCAP_ERROR) {
		log_warnx("capture: %s", pcap_geterr(c->p));
		return -1;
	}
	if (n == PCAP_ERROR_BREAK)
		return 0;
	/* a live capture may have nothing yet: say "go on" */
	if (n == 0 && !c->file)
		return 1;
	return n;
}

void
glog_cap_free(struct glog_cap *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		pcap_close(c->p);
	free(c);
}
