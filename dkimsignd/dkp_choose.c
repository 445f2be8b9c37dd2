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
 * Which signatures a message gets: dkimproxy.out's get_signature_options
 * and signer_policy.
 *
 * The sender is the last Sender: field's mailbox, else the last From:'s
 * (Mail::DKIM's message_sender); the envelope is never looked at.  In
 * order: the listid_map on the List-Id's <id>, the sender_map on the
 * sender's address; a map line found gives its signatures, with the
 * key's domain as the default d=.  Otherwise the signature lines: with
 * one domain, d= is that domain whoever the sender is; with several,
 * the sender's domain or its nearest parent in the list, and none means
 * no signature ("skipped").  d= and i= in a spec override the default,
 * after macro expansion.  DomainKeys specs are counted, never signed.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msghdr.h"

#include "dkimsignd.h"

#define DKP_DNS_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789-_."

static int	dkp_expand(const char *, const struct dkp_choice *,
		    const char *, char *, size_t);
static const char *dkp_best_domain(const struct dkp_conf *, const char *);
static int	dkp_last_value(const struct msghdr *, const char *, char **);

/* The value of the last field of that name (malloc'd); 0 if none. */
static int
dkp_last_value(const struct msghdr *h, const char *name, char **out)
{
	ssize_t	 i;

	*out = NULL;
	if ((i = msghdr_find(h, name, -1)) == -1)
		return 0;
	*out = msghdr_value(h, i);
	return *out != NULL;
}

/* best_domain: the domain or its nearest parent in the domain list. */
static const char *
dkp_best_domain(const struct dkp_conf *conf, const char *d)
{
	size_t	 i;

	while (d != NULL && *d != '\0') {
		for (i = 0; i < conf->ndomains; i++)
			if (strcasecmp(conf->domains[i], d) == 0)
				return conf->domains[i];
		if ((d = strchr(d, '.')) != NULL)
			d++;
	}
	return NULL;
}

/* $sender $senderdomain $key $keydomain $$; -1 if unset or too long. */
static int
dkp_expand(const char *in, const struct dkp_choice *ch, const char *key,
    char *out, size_t outlen)
{
	static const struct {
		const char	*name;
		size_t		 len;
		int		 which;
	} macros[] = {
		{ "senderdomain", 12, 1 },	/* longest first */
		{ "keydomain", 9, 3 },
		{ "sender", 6, 0 },
		{ "key", 3, 2 }
	};
	const char	*v;
	size_t		 o = 0, i, n;

	while (*in != '\0') {
		if (*in != '$') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *in++;
			continue;
		}
		in++;
		if (*in == '$') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *in++;
			continue;
		}
		for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
			if (strncmp(in, macros[i].name, macros[i].len) == 0)
				break;
		if (i == sizeof(macros) / sizeof(macros[0]))
			return -1;
		in += macros[i].len;
		switch (macros[i].which) {
		case 0:
			v = ch->sender;
			break;
		case 1:
			v = ch->sender_domain;
			break;
		case 2:
			v = key;
			break;
		default:
			v = key == NULL ? NULL : strchr(key, '@') != NULL ?
			    strchr(key, '@') + 1 : key;
			break;
		}
		if (v == NULL || *v == '\0')
			return -1;
		if ((n = strlen(v)) + o >= outlen)
			return -1;
		memcpy(out + o, v, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Fill ch from the header.  Returns the number of signatures to make
 * (0: skipped, the reason in ch->why), or -1 (err: a macro could not be
 * expanded, too many signatures).
 */
int
dkp_choose(const struct dkp_conf *conf, const struct msghdr *h,
    struct dkp_choice *ch, char *err, size_t errlen)
{
	const struct dkp_map_entry	*e = NULL;
	const struct dkp_sigs		*sigs;
	const struct dkp_sig		*sig;
	const char			*def = NULL, *key = NULL, *at;
	char				*v = NULL, *lt, *gt, *p;
	struct dkp_plan			*pl;

	memset(ch, 0, sizeof(*ch));
	ch->via = "domain";
	if (dkp_last_value(h, "Sender", &v) ||
	    dkp_last_value(h, "From", &v)) {
		if (msghdr_mailbox(v, ch->sender, sizeof(ch->sender)) == -1)
			ch->sender[0] = '\0';
	}
	free(v);
	v = NULL;
	for (p = ch->sender; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	if ((at = strrchr(ch->sender, '@')) != NULL)
		(void)strlcpy(ch->sender_domain, at + 1,
		    sizeof(ch->sender_domain));
	if (dkp_last_value(h, "Message-ID", &v))
		(void)strlcpy(ch->msgid, v, sizeof(ch->msgid));
	free(v);
	v = NULL;

	if (conf->listid_map != NULL && dkp_last_value(h, "List-Id", &v)) {
		if ((lt = strrchr(v, '<')) != NULL &&
		    (gt = strchr(lt, '>')) != NULL) {
			*gt = '\0';
			(void)strlcpy(ch->listid, lt + 1, sizeof(ch->listid));
			e = dkp_map_lookup_listid(conf->listid_map,
			    ch->listid);
			if (e != NULL)
				ch->via = "listid_map";
		}
	}
	free(v);
	if (e == NULL && conf->sender_map != NULL && ch->sender[0] != '\0' &&
	    (e = dkp_map_lookup_address(conf->sender_map, ch->sender)) !=
	    NULL)
		ch->via = "sender_map";
	if (e != NULL) {
		sigs = &e->sigs;
		key = e->key;
		(void)strlcpy(ch->key, key, sizeof(ch->key));
		if (strcmp(key, ".") == 0) {
			/* the catch-all: the domain list, else the sender's */
			def = conf->ndomains == 1 ? conf->domains[0] :
			    conf->ndomains > 1 ? dkp_best_domain(conf,
			    ch->sender_domain) : ch->sender_domain;
		} else
			def = strchr(key, '@') != NULL ? strchr(key, '@') + 1 :
			    key;
	} else {
		sigs = &conf->sigs;
		if (conf->ndomains == 1)
			def = conf->domains[0];
		else if (conf->ndomains > 1) {
			def = dkp_best_domain(conf, ch->sender_domain);
			if (def == NULL) {
				(void)snprintf(ch->why, sizeof(ch->why),
				    "no domain for sender <%s>", ch->sender);
				return 0;
			}
		}
	}

	TAILQ_FOREACH(sig, sigs, entry) {
		if (sig->type == DKP_SIG_DOMAINKEYS) {
			ch->ndomainkeys++;
			continue;
		}
		if (ch->n == DKP_PLAN_MAX) {
			(void)snprintf(err, errlen, "more than %d signatures",
			    DKP_PLAN_MAX);
			return -1;
		}
		pl = &ch->plans[ch->n];
		pl->sig = sig;
		if (sig->domain != NULL) {
			if (dkp_expand(sig->domain, ch, key, pl->domain,
			    sizeof(pl->domain)) == -1) {
				(void)snprintf(err, errlen, "signature %s: "
				    "d=%s: nothing to expand (sender <%s>)",
				    sig->spec, sig->domain, ch->sender);
				return -1;
			}
			if (pl->domain[strspn(pl->domain, DKP_DNS_CHARS)] !=
			    '\0') {
				(void)snprintf(err, errlen, "signature %s: "
				    "d=%s: %s is not a domain", sig->spec,
				    sig->domain, pl->domain);
				return -1;
			}
		} else if (def == NULL || *def == '\0' ||
		    strcmp(def, ".") == 0) {
			(void)snprintf(ch->why, sizeof(ch->why),
			    "no domain for sender <%s>", ch->sender);
			continue;
		} else
			(void)strlcpy(pl->domain, def, sizeof(pl->domain));
		pl->identity[0] = '\0';
		if (sig->identity != NULL && dkp_expand(sig->identity, ch, key,
		    pl->identity, sizeof(pl->identity)) == -1) {
			(void)snprintf(err, errlen, "signature %s: i=%s: "
			    "nothing to expand (sender <%s>)", sig->spec,
			    sig->identity, ch->sender);
			return -1;
		}
		if (pl->identity[0] != '\0' &&
		    strchr(pl->identity, '@') == NULL) {
			(void)snprintf(err, errlen, "signature %s: i=%s: %s "
			    "has no @", sig->spec, sig->identity,
			    pl->identity);
			return -1;
		}
		ch->n++;
	}
	if (ch->n == 0 && ch->why[0] == '\0')
		(void)snprintf(ch->why, sizeof(ch->why), "%s",
		    ch->ndomainkeys ? "only DomainKeys signatures (historic, "
		    "not made)" : "no signature");
	return (int)ch->n;
}
