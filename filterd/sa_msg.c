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
 * The headers of a message as SpamAssassin's PerMsgStatus::get gives
 * them to header rules and evals (sa_msg_get), cached per message.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "mimedec.h"
#include "msghdr.h"
#include "render.h"
#include "sa_engine.h"
#include "sa_priv.h"
#include "sa_relays.h"
#include "xmalloc.h"

static void	 decoded_value(const struct msghdr *, size_t,
		    struct mimebuf *);
static void	 raw_value(const struct msghdr *, size_t, struct mimebuf *);
static int	 hdr_nodecode(const char *, size_t);
static void	 hdr_addr_list(const char *, size_t, int, struct mimebuf *);
static size_t	 rcvd_range(struct sa_msg *, const char *, int,
		    struct mimebuf *);
struct elems {
	size_t	*end;		/* each element's end in the buffer */
	size_t	 n, cap;
};
static void	 getone(struct sa_msg *, const char *, int, struct mimebuf *,
		    struct elems *);
static void	 elem_end(struct elems *, size_t);
static void	 name_norm(struct mimebuf *, const char *, size_t);

/*
 * Header names whose values SpamAssassin never RFC 2047 decodes
 * (Node::_decode_header).
 */
static int
hdr_nodecode(const char *n, size_t len)
{
	static const char *const names[] = { "received", "message-id",
	    "resent-message-id", "date", "resent-date", "mime-version",
	    "references", "in-reply-to" };
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], n,
		    len) == 0)
			return (1);
	return (len >= 5 && strncasecmp(n, "list-", 5) == 0);
}

/* get_header(name): unfolded, trimmed, decoded, and "\n" */
static void
decoded_value(const struct msghdr *h, size_t i, struct mimebuf *out)
{
	const char	*name;
	size_t		 nl;

	name = msghdr_name(h, i, &nl);
	render_hdr_value(h, i, !hdr_nodecode(name, nl), out);
	mimebuf_addc(out, '\n');
}

/* raw_header(name): the value after the colon, CRLF as LF */
static void
raw_value(const struct msghdr *h, size_t i, struct mimebuf *out)
{
	const char	*raw;
	size_t		 n, j;

	raw = msghdr_rawvalue(h, i, &n);
	for (j = 0; j < n; j++) {
		if (raw[j] == '\r' && j + 1 < n && raw[j + 1] == '\n')
			continue;
		mimebuf_addc(out, raw[j]);
	}
}

/*
 * Util::parse_header_addresses, simplified: the addresses (want 0) or
 * the display names (want 1) of an address list, each + "\n".
 */
static void
hdr_addr_list(const char *s, size_t n, int want, struct mimebuf *out)
{
	struct mimebuf	 phrase, addr, comment;
	size_t		 i, k;
	int		 inq = 0, inang = 0, depth = 0, sawang, c;

	/* a group "name: a, b;" keeps its members */
	for (i = 0; i < n && s[i] != '"' && s[i] != '(' && s[i] != '<' &&
	    s[i] != ':'; i++)
		;
	if (i < n && s[i] == ':') {
		s += i + 1;
		n -= i + 1;
		for (i = 0; i < n && s[i] != ';'; i++)
			;
		n = i;
	}
	mimebuf_init(&phrase);
	mimebuf_init(&addr);
	mimebuf_init(&comment);
	sawang = 0;
	for (i = 0; i <= n; i++) {
		c = i < n ? (unsigned char)s[i] : ',';
		if (c == '\\' && i + 1 < n) {
			if (inang)
				mimebuf_add(&addr, s + i, 2);
			else
				mimebuf_addc(&phrase, s[i + 1]);
			i++;
			continue;
		}
		if (depth > 0) {
			if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				continue;
			if (depth > 0 && comment.len == 0 + comment.len)
				mimebuf_addc(&comment, c);
			continue;
		}
		if (inq) {
			if (c == '"')
				inq = 0;
			else
				mimebuf_addc(&phrase, c);
			continue;
		}
		if (c == '"') {
			inq = 1;
			continue;
		}
		if (c == '(') {
			depth = 1;
			if (comment.len > 0)
				mimebuf_addc(&comment, ' ');
			continue;
		}
		if (inang) {
			if (c == '>')
				inang = 0;
			else
				mimebuf_addc(&addr, c);
			continue;
		}
		if (c == '<') {
			inang = sawang = 1;
			addr.len = 0;
			continue;
		}
		if (c == ',' && (i == n || 1)) {
			/* one mailbox done */
			char	*p = NULL, *a;
			size_t	 pl, al;

			mimebuf_addc(&phrase, '\0');
			mimebuf_addc(&addr, '\0');
			mimebuf_addc(&comment, '\0');
			p = phrase.buf;
			a = addr.buf;
			while (isspace((unsigned char)*p))
				p++;
			pl = strlen(p);
			while (pl > 0 && isspace((unsigned char)p[pl - 1]))
				pl--;
			p[pl] = '\0';
			if (!sawang) {
				/* bare address: the phrase is the address */
				a = p;
				p = NULL;
			}
			while (isspace((unsigned char)*a))
				a++;
			al = strlen(a);
			while (al > 0 && isspace((unsigned char)a[al - 1]))
				al--;
			a[al] = '\0';
			for (k = 0; a[k] != '\0' && !isspace((unsigned char)
			    a[k]); k++)
				;
			if (a[k] != '\0')
				al = 0;		/* not an address */
			if (al > 0 && strchr(a, '@') == NULL)
				al = 0;
			if (want == 0 && al > 0) {
				mimebuf_adds(out, a);
				mimebuf_addc(out, '\n');
			} else if (want == 1) {
				if (p != NULL && *p != '\0' &&
				    (al == 0 || strcmp(p, a) != 0)) {
					mimebuf_adds(out, p);
					mimebuf_addc(out, '\n');
				} else if (comment.buf[0] != '\0' &&
				    (al > 0 || sawang)) {
					mimebuf_adds(out, comment.buf);
					mimebuf_addc(out, '\n');
				}
			}
			phrase.len = addr.len = comment.len = 0;
			sawang = 0;
			continue;
		}
		mimebuf_addc(&phrase, c);
	}
	mimebuf_free(&phrase);
	mimebuf_free(&addr);
	mimebuf_free(&comment);
}

/* fields named name (top level), in order, appended as SA joins them */
static void
getone(struct sa_msg *msg, const char *name, int raw, struct mimebuf *out,
    struct elems *el)
{
	const struct msghdr	*h = msg->hdr;
	size_t			 i, n = msghdr_count(h);

	for (i = 0; i < n; i++) {
		if (msghdr_field(h, i)->flags & MSGHDR_F_BAD)
			continue;
		if (!msghdr_is(h, i, name))
			continue;
		sa_msg_value(msg, i, raw, out);
		elem_end(el, out->len);
	}
}

/*
 * A display name as get(":name") gives it: RFC 2047 decoded, white
 * space runs as one space and trimmed (unless it is all white space),
 * one pair of enclosing single quotes removed; then "\n".
 */
static void
name_norm(struct mimebuf *out, const char *s, size_t n)
{
	struct mimebuf	 d;
	size_t		 i, st, e, o;

	mimebuf_init(&d);
	mime_hdr_decode(&d, s, n, NULL);
	for (i = 0; i < d.len && isspace((unsigned char)d.buf[i]); i++)
		;
	if (i == d.len) {
		mimebuf_add(out, d.buf, d.len);
		mimebuf_addc(out, '\n');
		mimebuf_free(&d);
		return;
	}
	/* squeeze, trim */
	for (i = 0, o = 0; i < d.len; i++) {
		if (isspace((unsigned char)d.buf[i])) {
			if (o > 0 && d.buf[o - 1] != ' ')
				d.buf[o++] = ' ';
		} else
			d.buf[o++] = d.buf[i];
	}
	while (o > 0 && d.buf[o - 1] == ' ')
		o--;
	st = 0;
	e = o;
	if (e - st >= 2 && d.buf[st] == '\'' && d.buf[e - 1] == '\'') {
		st++;		/* s/^'(.*?)'$/$1/ */
		e--;
	}
	mimebuf_add(out, d.buf + st, e - st);
	mimebuf_addc(out, '\n');
	mimebuf_free(&d);
}

/* the end of one element of a get() list */
static void
elem_end(struct elems *el, size_t end)
{
	if (el->n == el->cap) {
		el->cap = el->cap ? el->cap * 2 : 8;
		el->end = xreallocarray(el->end, el->cap, sizeof(*el->end));
	}
	el->end[el->n++] = end;
}

void
sa_msg_value(struct sa_msg *msg, size_t i, int raw, struct mimebuf *out)
{
	if (raw)
		raw_value(msg->hdr, i, out);
	else
		decoded_value(msg->hdr, i, out);
}

/*
 * PerMsgStatus::get_all_hdrs_in_rcvd_index_range for ALL-TRUSTED,
 * ALL-INTERNAL (from the top through the Received header after the
 * last trusted/internal relay), ALL-UNTRUSTED, ALL-EXTERNAL (from that
 * Received header on).  Returns the number of fields.
 */
static size_t
rcvd_range(struct sa_msg *msg, const char *which, int raw,
    struct mimebuf *out)
{
	const struct sa_relays	*rl = msg->relays_priv;
	const struct msghdr	*h = msg->hdr;
	const char		*p, *nm;
	size_t			 i, n, cnt = 0, nl, plen;
	long			 cur = -1, idx, start = -1, end = -1;
	int			 has_start = 0, has_end = 0;

	idx = rl == NULL ? -1 : (which[0] == 'T' || which[0] == 'U') ?
	    rl->last_trusted_index : rl->last_internal_index;
	if (which[0] == 'T' || which[0] == 'I') {
		end = idx + 1;
		has_end = 1;
	} else {
		start = idx + 1;
		has_start = 1;
	}
	n = msghdr_count(h);
	for (i = 0; i < n; i++) {
		if (msghdr_field(h, i)->flags & MSGHDR_F_BAD)
			continue;
		if (msghdr_is(h, i, "Received"))
			cur++;
		if ((!has_start || start <= cur) && (!has_end || cur < end))
			;
		else if (has_end && cur == end)
			;
		else
			continue;
		if (raw) {
			p = msghdr_raw(h, i, &plen);
			mimebuf_add(out, p, plen);
		} else {
			nm = msghdr_name(h, i, &nl);
			mimebuf_add(out, nm, nl);
			mimebuf_add(out, ": ", 2);
			decoded_value(h, i, out);
		}
		cnt++;
		if (has_end && cur == end)
			break;
	}
	return (cnt);
}

/*
 * One value per line of vals (each ends with "\n"): a list, as
 * PerMsgStatus::_get builds it.  Returns the number of elements, the
 * values in out (joined; SA joins the list with "" when the first
 * element ends in "\n", which they all do here but the relay strings).
 */
static size_t
get_list(struct sa_msg *msg, const char *spec, struct mimebuf *out)
{
	char		 req[256], *p, *m;
	int		 raw = 0, addr = 0, name = 0, first = 0, last = 0;
	int		 other = 0;
	size_t		 cnt = 0, i, n, start;
	struct mimebuf	 tmp;
	struct elems	 el = { NULL, 0, 0 };
	const struct msghdr *h = msg->hdr;

	if (strlcpy(req, spec, sizeof(req)) >= sizeof(req))
		return (0);
	if ((p = strchr(req, ':')) != NULL) {
		*p++ = '\0';
		while (p != NULL) {
			m = p;
			if ((p = strchr(p, ':')) != NULL)
				*p++ = '\0';
			if (strcmp(m, "raw") == 0)
				raw = 1;
			else if (strcmp(m, "addr") == 0)
				addr = 1;
			else if (strcmp(m, "name") == 0)
				name = 1;
			else if (strcmp(m, "first") == 0)
				first = 1;
			else if (strcmp(m, "last") == 0)
				last = 1;
			else if (*m != '\0')
				other = 1;
		}
	}
	mimebuf_init(&tmp);
	if (strcmp(req, "ALL") == 0) {
		const char *blk;
		size_t	 bl;

		if (raw) {
			blk = msghdr_block(h, &bl);
			n = msghdr_count(h);
			start = 0;
			if (n > 0 && (msghdr_field(h, 0)->flags &
			    MSGHDR_F_BAD) && msghdr_field(h, 0)->len >= 5 &&
			    strncmp(blk, "From ", 5) == 0)
				start = msghdr_field(h, 0)->len;
			/* a CRLF blank line is a field to SA's regex */
			if (bl >= 2 && blk[bl - 1] == '\n' &&
			    blk[bl - 2] == '\n')
				bl--;
			mimebuf_add(out, blk + start, bl - start);
			mimebuf_free(&tmp);
			return (bl > start);
		}
		n = msghdr_count(h);
		for (i = 0; i < n; i++) {
			const char *nm;
			size_t	 nl;

			if (msghdr_field(h, i)->flags & MSGHDR_F_BAD)
				continue;
			nm = msghdr_name(h, i, &nl);
			mimebuf_add(out, nm, nl);
			mimebuf_add(out, ": ", 2);
			decoded_value(h, i, out);
			cnt++;
		}
		mimebuf_free(&tmp);
		return (cnt);
	}
	if (strncmp(req, "ALL-", 4) == 0 && (strcmp(req + 4, "TRUSTED") == 0 ||
	    strcmp(req + 4, "INTERNAL") == 0 || strcmp(req + 4, "UNTRUSTED") ==
	    0 || strcmp(req + 4, "EXTERNAL") == 0)) {
		cnt = rcvd_range(msg, req + 4, raw, out);
		mimebuf_free(&tmp);
		return (cnt);
	}
	if (strcasecmp(req, "EnvelopeFrom") == 0) {
		const char *ef = msg->env->mail_from;

		if (ef == NULL)
			ef = sa_msg_envelope_from(msg);
		if (ef != NULL) {
			mimebuf_adds(&tmp, ef);
			elem_end(&el, tmp.len);
		}
	} else if (strncasecmp(req, "X-Spam-Relays-", 14) == 0 &&
	    (strcasecmp(req + 14, "Trusted") == 0 ||
	    strcasecmp(req + 14, "Untrusted") == 0 ||
	    strcasecmp(req + 14, "Internal") == 0 ||
	    strcasecmp(req + 14, "External") == 0)) {
		int k = strcasecmp(req + 14, "Trusted") == 0 ?
		    SA_RELAYS_TRUSTED : strcasecmp(req + 14, "Untrusted") ==
		    0 ? SA_RELAYS_UNTRUSTED : strcasecmp(req + 14,
		    "Internal") == 0 ? SA_RELAYS_INTERNAL :
		    SA_RELAYS_EXTERNAL;

		if (msg->relays_str[k] != NULL)
			mimebuf_adds(&tmp, msg->relays_str[k]);
		elem_end(&el, tmp.len);
	} else if (strcasecmp(req, "ToCc") == 0) {
		getone(msg, "To", raw, &tmp, &el);
		getone(msg, "Cc", raw, &tmp, &el);
	} else if (strcmp(req, "MESSAGEID") == 0) {
		static const char *const ids[] = { "X-Message-Id",
		    "Resent-Message-Id", "X-Original-Message-ID",
		    "Message-Id" };
		struct mimebuf one;
		size_t	 c1;

		mimebuf_init(&one);
		for (i = 0; i < 4; i++) {
			n = msghdr_count(h);
			for (c1 = 0; c1 < n; c1++) {
				if ((msghdr_field(h, c1)->flags &
				    MSGHDR_F_BAD) || !msghdr_is(h, c1, ids[i]))
					continue;
				one.len = 0;
				sa_msg_value(msg, c1, raw, &one);
				if (one.len == 0 || (one.len == 1 &&
				    one.buf[0] == '\n'))
					continue;
				mimebuf_add(&tmp, one.buf, one.len);
				elem_end(&el, tmp.len);
			}
		}
		mimebuf_free(&one);
	} else
		getone(msg, req, raw || addr || name, &tmp, &el);

	if (el.n > 0 && (first || last)) {
		size_t	 s = first ? 0 : (el.n > 1 ? el.end[el.n - 2] : 0);
		size_t	 e = first ? el.end[0] : el.end[el.n - 1];

		memmove(tmp.buf, tmp.buf + s, e - s);
		tmp.len = e - s;
		el.end[0] = tmp.len;
		el.n = 1;
	}
	if (el.n > 0 && (addr || name)) {
		struct mimebuf	 r;
		size_t		 s0 = 0, k;

		/* each element's addresses or names, each then "\n" */
		mimebuf_init(&r);
		for (k = 0; k < el.n; k++) {
			hdr_addr_list(tmp.buf + s0, el.end[k] - s0,
			    name ? 1 : 0, &r);
			s0 = el.end[k];
		}
		cnt = 0;
		for (i = 0; i < r.len; i++)
			if (r.buf[i] == '\n')
				cnt++;
		if (name && !raw && r.len > 0) {
			struct mimebuf	 d;

			mimebuf_init(&d);
			s0 = 0;
			for (i = 0; i < r.len; i++) {
				if (r.buf[i] != '\n')
					continue;
				name_norm(&d, r.buf + s0, i - s0);
				s0 = i + 1;
			}
			mimebuf_free(&r);
			r = d;
		}
		mimebuf_free(&tmp);
		tmp = r;
		/* SA joins the addresses (names) with "\n" */
		if (tmp.len > 0 && tmp.buf[tmp.len - 1] == '\n')
			tmp.len--;
	} else
		cnt = el.n;
	free(el.end);
	if (other)
		cnt = 0;	/* :host :domain :ip: not supported */
	if (cnt > 0)
		mimebuf_add(out, tmp.buf, tmp.len);
	mimebuf_free(&tmp);
	return (cnt);
}

const char *
sa_msg_cache_put(struct sa_msg *msg, const char *spec, const char *v,
    size_t len)
{
	struct sa_hcache	*hc = msg->priv;
	uint32_t		 h = sa_hash(spec);
	size_t			 i;

	for (i = 0; i < hc->n; i++)
		if (hc->v[i].hash == h && strcmp(hc->v[i].spec, spec) == 0)
			return (hc->v[i].val);
	if (hc->n == hc->cap) {
		hc->cap = hc->cap ? hc->cap * 2 : 32;
		hc->v = xreallocarray(hc->v, hc->cap, sizeof(*hc->v));
	}
	hc->v[hc->n].hash = h;
	hc->v[hc->n].spec = xstrdup(spec);
	hc->v[hc->n].val = xmalloc(len + 1);
	memcpy(hc->v[hc->n].val, v, len);
	hc->v[hc->n].val[len] = '\0';
	hc->v[hc->n].len = len;
	return (hc->v[hc->n++].val);
}

uint32_t
sa_hash(const char *s)
{
	uint32_t	h = 2166136261U;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619U;
	return (h);
}

const char *
sa_msg_get(struct sa_msg *msg, const char *spec)
{
	size_t	len;

	return (sa_msg_get_len(msg, spec, &len));
}

/* sa_msg_get and the value's length */
const char *
sa_msg_get_len(struct sa_msg *msg, const char *spec, size_t *lenp)
{
	struct sa_hcache	*hc = msg->priv;
	struct mimebuf		 b;
	uint32_t		 h = sa_hash(spec);
	size_t			 i, cnt;

	for (i = 0; i < hc->n; i++)
		if (hc->v[i].hash == h && strcmp(hc->v[i].spec, spec) == 0) {
			*lenp = hc->v[i].len;
			return (hc->v[i].val);
		}
	mimebuf_init(&b);
	cnt = get_list(msg, spec, &b);
	if (hc->n == hc->cap) {
		hc->cap = hc->cap ? hc->cap * 2 : 32;
		hc->v = xreallocarray(hc->v, hc->cap, sizeof(*hc->v));
	}
	hc->v[hc->n].hash = h;
	hc->v[hc->n].spec = xstrdup(spec);
	hc->v[hc->n].len = cnt == 0 ? 0 : b.len;
	if (cnt == 0) {
		hc->v[hc->n].val = NULL;
		mimebuf_free(&b);
	} else {
		mimebuf_addc(&b, '\0');
		hc->v[hc->n].val = mimebuf_steal(&b);
	}
	*lenp = hc->v[hc->n].len;
	return (hc->v[hc->n++].val);
}

size_t
sa_msg_count(struct sa_msg *msg, const char *name)
{
	size_t	i, n, c = 0;

	n = msghdr_count(msg->hdr);
	for (i = 0; i < n; i++)
		if (!(msghdr_field(msg->hdr, i)->flags & MSGHDR_F_BAD) &&
		    msghdr_is(msg->hdr, i, name))
			c++;
	return (c);
}

void
sa_hcache_clear(struct sa_hcache *hc)
{
	size_t	i;

	for (i = 0; i < hc->n; i++) {
		free(hc->v[i].spec);
		free(hc->v[i].val);
	}
	hc->n = 0;
}

/*
 * PerMsgStatus::get_envelope_from without trusted relays: the
 * envelope_sender_header setting, else X-Envelope-From, else
 * Envelope-Sender, else Return-Path (SA checks these only when they
 * were added by a trusted relay; without a relay parser this takes the
 * topmost), as the address inside <>.
 */
const char *
sa_msg_envelope_from(struct sa_msg *msg)
{
	static const char *const hdrs[] = { "X-Envelope-From",
	    "Envelope-Sender", "Return-Path" };
	const struct sa_relay	*hop = NULL;
	const char		*v, *all;
	char			 spec[64];
	size_t			 i, n;
	ssize_t			 rcvd, at;

	if (msg->ntrusted < msg->nrelays)
		hop = &msg->relays[msg->ntrusted];
	else if (msg->ntrusted > 0)
		hop = &msg->relays[msg->ntrusted - 1];
	if (hop != NULL && hop->envfrom != NULL && (hop->envfrom[0] == '\0'
	    || strchr(hop->envfrom + 1, '@') != NULL))
		return (hop->envfrom);
	(void)all;
	rcvd = msghdr_find(msg->hdr, "Received", 0);
	for (i = 0; i < 3; i++) {
		(void)snprintf(spec, sizeof(spec), "%s:first:addr", hdrs[i]);
		if ((v = sa_msg_get(msg, spec)) == NULL)
			continue;
		at = msghdr_find(msg->hdr, hdrs[i], 0);
		if (rcvd != -1 && at > rcvd) {
			if (i == 0)
				return (NULL);
			continue;
		}
		/* the first address */
		n = strcspn(v, "\n");
		(void)snprintf(spec, sizeof(spec), "\001envf:%s", hdrs[i]);
		return (sa_msg_cache_put(msg, spec, v, n));
	}
	return (NULL);
}
