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
 * The signing side of dkimsignd: the keys of a configuration, and the
 * common/proxy transform that signs one message.
 *
 * The message is read once, as the proxy spooled it (memory or file),
 * into the streaming signer; as soon as its header block is complete
 * the signatures are chosen (dkp_choose) and added.  The fields made go
 * into msg->head, above the message, which is relayed as it came: the
 * octets signed are the octets relayed.  Nothing to sign: relayed as it
 * is ("skipped").  A signing error: relayed unsigned, or with
 * reject_error refused with 451 4.7.0 (our fault) or 550 5.7.0 (the
 * message's, e.g. no From:).  Everything is synchronous: a
 * configuration swapped on SIGHUP is never seen half-way by a message.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "log.h"
#include "msghdr.h"
#include "proxy.h"
#include "xmalloc.h"

#include "dkim.h"
#include "dkimsignd.h"

#define DKP_READ_CHUNK	(64 * 1024)

static const char *dkp_alg(const struct dkp_conf *, const struct dkp_sig *);
static int	dkp_key_add(struct dkp_conf *, const struct dkp_sig *,
		    const char *, int);
static int	dkp_keys_sigs(struct dkp_conf *, const struct dkp_sigs *,
		    const char *);
static void	dkp_fail(struct dkp_state *, struct proxy_msg *,
		    const struct dkp_choice *, int, const char *);
static int	dkp_add_plans(struct dkp_state *, struct dkim_sign *,
		    const struct msghdr *, struct dkp_choice *, char *,
		    size_t, int *);

/* The algorithm a spec signs with. */
static const char *
dkp_alg(const struct dkp_conf *conf, const struct dkp_sig *sig)
{
	struct dkim_key	*key;

	if (sig->alg == DKP_ALG_ED25519_SHA256)
		return "ed25519-sha256";
	if (sig->alg == DKP_ALG_RSA_SHA256)
		return "rsa-sha256";
	if ((key = dkp_key_get(conf, sig->keyfile)) != NULL &&
	    dkim_key_type(key) == DKIM_KEY_ED25519)
		return "ed25519-sha256";
	return "rsa-sha256";
}

/* The loaded key of a file, or NULL. */
struct dkim_key *
dkp_key_get(const struct dkp_conf *conf, const char *path)
{
	size_t	 i;

	for (i = 0; i < conf->nkeys; i++)
		if (strcmp(conf->keys[i].path, path) == 0)
			return conf->keys[i].key;
	return NULL;
}

/* Load the key of one spec (once per file); check it fits the spec. */
static int
dkp_key_add(struct dkp_conf *conf, const struct dkp_sig *sig,
    const char *where, int line)
{
	struct dkim_key	*key;
	char		 err[DKP_ERR_MAX];

	if (sig->type != DKP_SIG_DKIM)
		return 0;
	if ((key = dkp_key_get(conf, sig->keyfile)) == NULL) {
		if ((key = dkim_key_load(sig->keyfile, err, sizeof(err))) ==
		    NULL) {
			dkp_conf_msg(conf, 0, where, line, "keyfile %s: %s",
			    sig->keyfile, err);
			return -1;
		}
		conf->keys = xreallocarray(conf->keys, conf->nkeys + 1,
		    sizeof(*conf->keys));
		conf->keys[conf->nkeys].path = xstrdup(sig->keyfile);
		conf->keys[conf->nkeys++].key = key;
	}
	if (sig->alg == DKP_ALG_RSA_SHA256 &&
	    dkim_key_type(key) != DKIM_KEY_RSA) {
		dkp_conf_msg(conf, 0, where, line, "signature %s: a=rsa-sha256 "
		    "but %s is not an RSA key", sig->spec, sig->keyfile);
		return -1;
	}
	if (sig->alg == DKP_ALG_ED25519_SHA256 &&
	    dkim_key_type(key) != DKIM_KEY_ED25519) {
		dkp_conf_msg(conf, 0, where, line, "signature %s: "
		    "a=ed25519-sha256 but %s is not an Ed25519 key",
		    sig->spec, sig->keyfile);
		return -1;
	}
	if (dkim_key_type(key) == DKIM_KEY_RSA &&
	    dkim_key_bits(key) < DKIM_RSA_MIN_BITS) {
		dkp_conf_msg(conf, 0, where, line, "keyfile %s: RSA key of %d "
		    "bits, RFC 8301 wants %d at least", sig->keyfile,
		    dkim_key_bits(key), DKIM_RSA_MIN_BITS);
		return -1;
	}
	return 0;
}

static int
dkp_keys_sigs(struct dkp_conf *conf, const struct dkp_sigs *sigs,
    const char *where)
{
	const struct dkp_sig	*sig;
	int			 rv = 0;

	TAILQ_FOREACH(sig, sigs, entry)
		if (dkp_key_add(conf, sig, where, 0) == -1)
			rv = -1;
	return rv;
}

/*
 * Load every key the configuration names (signature lines and map
 * lines); -1 after logging each failure.
 */
int
dkp_keys_load(struct dkp_conf *conf)
{
	struct dkp_map		*maps[2];
	struct dkp_map_entry	*e;
	size_t			 i;
	int			 rv = 0;

	if (dkp_keys_sigs(conf, &conf->sigs, conf->conf_file) == -1)
		rv = -1;
	maps[0] = conf->sender_map;
	maps[1] = conf->listid_map;
	for (i = 0; i < 2; i++) {
		if (maps[i] == NULL)
			continue;
		RB_FOREACH(e, dkp_map_tree, &maps[i]->tree)
			if (dkp_keys_sigs(conf, &e->sigs, maps[i]->path) == -1)
				rv = -1;
	}
	return rv;
}

void
dkp_keys_free(struct dkp_conf *conf)
{
	size_t	 i;

	for (i = 0; i < conf->nkeys; i++) {
		free(conf->keys[i].path);
		dkim_key_free(conf->keys[i].key);
	}
	free(conf->keys);
	conf->keys = NULL;
	conf->nkeys = 0;
}

static void
dkp_fail(struct dkp_state *st, struct proxy_msg *msg,
    const struct dkp_choice *ch, int status, const char *why)
{
	const struct dkp_conf	*conf = st->conf;
	char			 reply[512];

	st->nfailed++;
	log_warnx("signing error message-id=%s sender=<%s> size=%zu: %s%s",
	    ch->msgid[0] ? ch->msgid : "none", ch->sender, msg->size, why,
	    conf->reject_error ? "" : ", relayed unsigned");
	if (!conf->reject_error) {
		proxy_done(msg, PROXY_UNCHANGED, NULL);
		return;
	}
	if (status == DKIM_PERMFAIL)
		(void)snprintf(reply, sizeof(reply), "550 5.7.0 DKIM signing "
		    "failed: %s", why);
	else
		(void)snprintf(reply, sizeof(reply), "451 4.7.0 DKIM signing "
		    "failed: %s", why);
	proxy_done(msg, PROXY_REJECT, reply);
}

/* Choose and add the signatures; *n of them (0: skipped). */
static int
dkp_add_plans(struct dkp_state *st, struct dkim_sign *s,
    const struct msghdr *h, struct dkp_choice *ch, char *err, size_t errlen,
    int *n)
{
	const struct dkp_conf	*conf = st->conf;
	struct dkim_spec	 spec;
	const struct dkp_plan	*pl;
	size_t			 i;

	if ((*n = dkp_choose(conf, h, ch, err, errlen)) <= 0)
		return *n;
	for (i = 0; i < ch->n; i++) {
		pl = &ch->plans[i];
		memset(&spec, 0, sizeof(spec));
		if ((spec.key = dkp_key_get(conf, pl->sig->keyfile)) == NULL) {
			(void)snprintf(err, errlen, "keyfile %s: not loaded",
			    pl->sig->keyfile);
			return -1;
		}
		spec.alg = pl->sig->alg == DKP_ALG_ED25519_SHA256 ?
		    DKIM_ALG_ED25519_SHA256 : pl->sig->alg ==
		    DKP_ALG_RSA_SHA256 ? DKIM_ALG_RSA_SHA256 :
		    DKIM_ALG_DEFAULT;
		spec.hcanon = pl->sig->hcanon == DKP_CANON_RELAXED ?
		    DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
		spec.bcanon = pl->sig->bcanon == DKP_CANON_RELAXED ?
		    DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
		spec.domain = pl->domain;
		spec.selector = pl->sig->selector;
		spec.identity = pl->identity[0] ? pl->identity : NULL;
		spec.oversign = conf->oversign;
		spec.expire = conf->expire;
		if (dkim_sign_add(s, &spec) == -1) {
			(void)snprintf(err, errlen, "%s", dkim_sign_error(s));
			return -1;
		}
	}
	return *n;
}

/* The proxy transform: sign one message. */
void
dkp_transform(struct proxy_msg *msg, void *arg)
{
	struct dkp_state	*st = arg;
	struct dkim_sign	*s;
	struct msghdr		*h = NULL;
	struct dkp_choice	*ch;
	const struct msghdr	*hdr;
	const char		*out;
	char			*buf, err[DKP_ERR_MAX];
	size_t			 off = 0, outlen, i;
	ssize_t			 r;
	int			 chosen = 0, n = 0, status, uerr = 0;

	ch = xcalloc(1, sizeof(*ch));
	buf = xmalloc(DKP_READ_CHUNK);
	if ((s = dkim_sign_new(NULL, 0, err, sizeof(err))) == NULL) {
		dkp_fail(st, msg, ch, DKIM_TEMPFAIL, err);
		goto done;
	}
	while ((r = proxy_msg_read(msg, off, buf, DKP_READ_CHUNK)) > 0) {
		if (dkim_sign_update(s, buf, r) == -1) {
			uerr = 1;
			break;
		}
		off += r;
		if (chosen || (hdr = dkim_sign_header(s)) == NULL)
			continue;
		chosen = 1;
		if (dkp_add_plans(st, s, hdr, ch, err, sizeof(err), &n) == -1) {
			dkp_fail(st, msg, ch, DKIM_TEMPFAIL, err);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (r == -1) {
		dkp_fail(st, msg, ch, DKIM_TEMPFAIL, "cannot read the spooled "
		    "message");
		goto done;
	}
	if (uerr) {
		dkp_fail(st, msg, ch, DKIM_PERMFAIL, dkim_sign_error(s));
		goto done;
	}
	if (!chosen) {
		/* all header, no empty line: parse it here */
		h = msghdr_new(0, 0);
		off = 0;
		while ((r = proxy_msg_read(msg, off, buf, DKP_READ_CHUNK)) >
		    0 && msghdr_feed(h, buf, r) != -1)
			off += r;
		if (msghdr_finish(h) == -1) {
			dkp_fail(st, msg, ch, DKIM_PERMFAIL, msghdr_error(h));
			goto done;
		}
		if (dkp_add_plans(st, s, h, ch, err, sizeof(err), &n) == -1) {
			dkp_fail(st, msg, ch, DKIM_TEMPFAIL, err);
			goto done;
		}
	}
	if (n == 0) {
		st->nskipped++;
		log_info("skipped message-id=%s sender=<%s> size=%zu: %s",
		    ch->msgid[0] ? ch->msgid : "none", ch->sender, msg->size,
		    ch->why);
		proxy_done(msg, PROXY_RELAY, NULL);
		goto done;
	}
	if ((status = dkim_sign_final(s, &out, &outlen)) != DKIM_OK) {
		dkp_fail(st, msg, ch, status, dkim_sign_error(s));
		goto done;
	}
	if (evbuffer_add(msg->head, out, outlen) == -1) {
		dkp_fail(st, msg, ch, DKIM_TEMPFAIL, "out of memory");
		goto done;
	}
	st->nsigned++;
	for (i = 0; i < ch->n; i++)
		log_info("signed message-id=%s sender=<%s> via=%s d=%s s=%s "
		    "a=%s size=%zu", ch->msgid[0] ? ch->msgid : "none",
		    ch->sender, ch->via, ch->plans[i].domain,
		    ch->plans[i].sig->selector, dkp_alg(st->conf,
		    ch->plans[i].sig), msg->size);
	proxy_done(msg, PROXY_RELAY, NULL);
 done:
	msghdr_free(h);
	dkim_sign_free(s);
	free(buf);
	free(ch);
}
