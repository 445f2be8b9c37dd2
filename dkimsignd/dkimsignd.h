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

#ifndef DKIMSIGND_H
#define DKIMSIGND_H

/*
 * dkimsignd: dkimproxy_out's drop-in.  The daemon's parts:
 *
 *	dkp_conf.c	dkimproxy_out.conf and the command line (Net::Server's
 *			key value grammar), signature specs, validation
 *	dkp_map.c	sender_map / listid_map files and their lookups
 *	dkp_choose.c	which signatures a message gets (dkimproxy's
 *			get_signature_options / signer_policy)
 *	dkp_sign.c	the proxy transform: keys, signing, the log line
 *	dkimsignd.c	main(): start-up, daemon life, SIGHUP
 */

#include <sys/queue.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DKP_CONF_FILE		"/etc/dkimproxy_out.conf"
#define DKP_RELAY_PORT		"25"
#define DKP_ERR_MAX		512
#define DKP_CONF_MAX		(16 * 1024 * 1024)	/* file octets */
#define DKP_MAP_MAX		(256 * 1024 * 1024)

/* signature types */
#define DKP_SIG_DKIM		1
#define DKP_SIG_DOMAINKEYS	2

/* canonicalizations */
#define DKP_CANON_SIMPLE	0
#define DKP_CANON_RELAXED	1

/* algorithms (after the rsa-sha1 upgrade) */
#define DKP_ALG_DEFAULT		0	/* by the key's type */
#define DKP_ALG_RSA_SHA256	1
#define DKP_ALG_ED25519_SHA256	2

/*
 * One signature spec: "dkim(c=relaxed,a=rsa-sha256,key=/k,s=sel)".
 * Options not given inherit the global keyfile, selector, method,
 * identity (at parse time, as dkimproxy does); domain NULL means the
 * domain chosen for the message.  d= and i= may hold macros ($sender,
 * $senderdomain, $key, $keydomain, $$).
 */
struct dkp_sig {
	TAILQ_ENTRY(dkp_sig)	 entry;
	int			 type;		/* DKP_SIG_* */
	char			*spec;		/* as written (logs) */
	char			*keyfile;
	char			*selector;
	char			*domain;
	char			*method;
	char			*algorithm;
	char			*headers;	/* unused, as in dkimproxy */
	char			*identity;
	/* resolved by dkp_sig_check */
	int			 hcanon;	/* DKP_CANON_* */
	int			 bcanon;
	int			 alg;		/* DKP_ALG_* */
	int			 sha1;		/* a=rsa-sha1 was asked for */
};
TAILQ_HEAD(dkp_sigs, dkp_sig);

/* One sender_map / listid_map line. */
struct dkp_map_entry {
	RB_ENTRY(dkp_map_entry)	 entry;
	char			*key;		/* lower case */
	struct dkp_sigs		 sigs;
	int			 line;
};
RB_HEAD(dkp_map_tree, dkp_map_entry);
int	dkp_map_cmp(struct dkp_map_entry *, struct dkp_map_entry *);
RB_PROTOTYPE(dkp_map_tree, dkp_map_entry, entry, dkp_map_cmp);

struct dkp_map {
	char			*path;
	struct dkp_map_tree	 tree;
	size_t			 n;
	int			 checks;	/* while parsing */
};

struct dkim_key;
struct proxy_msg;

struct dkp_keyent {
	char			*path;
	struct dkim_key		*key;
};

/* What the whole configuration (file + command line) says. */
struct dkp_conf {
	char			*conf_file;
	char			*listen;	/* as given */
	char			*listen_host;	/* split */
	char			*listen_port;
	char			*relay;
	char			*relay_host;
	char			*relay_port;
	char			*net_host;	/* Net::Server's host, port */
	char			*net_port;
	char			*domain;	/* as given */
	char			**domains;	/* split on "," and trimmed */
	size_t			 ndomains;
	char			*keyfile;
	char			*selector;
	char			*method;
	char			*dkim_method;
	char			*domainkeys_method;
	char			*identity;
	char			*sender_map_file;
	char			*listid_map_file;
	char			*hostname;	/* ours: banner and EHLO name */
	int			 reject_error;
	int			 debugtrace;
	int			 daemonize;	/* -1: not said (detach) */
	char			*user;
	char			*group;
	char			*pidfile;
	char			*log_file;	/* "Sys::Syslog" or a path */
	char			*syslog_facility;
	int			 log_level;	/* Net::Server's 0..4; -1 */
	char			**sig_args;	/* "signature" values */
	int			*sig_lines;	/* their lines (0: argv) */
	size_t			 nsig_args;
	int			 help;
	struct dkp_sigs		 sigs;		/* parsed */
	struct dkp_map		*sender_map;
	struct dkp_map		*listid_map;
	struct dkp_keyent	*keys;		/* dkp_keys_load */
	size_t			 nkeys;
	int			 oversign;	/* ours: over-sign (1) */
	long long		 expire;	/* ours: x= after t=, 0: none */
	/* from the command line: these keys ignore the file */
	uint64_t		 argset;
	int			 errors;	/* count */
	int			 warnings;
	char			 err[DKP_ERR_MAX];	/* the last one */
	char			 warn[DKP_ERR_MAX];	/* the last one */
};

/* What one message gets (dkp_choose.c). */
#define DKP_PLAN_MAX		16
struct dkp_plan {
	const struct dkp_sig	*sig;
	char			 domain[256];	/* d=, expanded */
	char			 identity[512];	/* i=, expanded, or "" */
};

struct dkp_choice {
	char			 sender[512];	/* lower case, or "" */
	char			 sender_domain[256];
	char			 msgid[256];
	char			 listid[256];
	char			 key[256];	/* the map key that matched */
	const char		*via;		/* "domain", "sender_map"... */
	char			 why[768];	/* when nothing is signed */
	size_t			 ndomainkeys;	/* DomainKeys specs, unmade */
	size_t			 n;
	struct dkp_plan		 plans[DKP_PLAN_MAX];
};

struct msghdr;

/* dkp_conf.c */
struct dkp_conf	*dkp_conf_new(void);
/* Frees all but the keys: dkp_keys_free() them first (dkp_sign.c). */
void		 dkp_conf_free(struct dkp_conf *);
/*
 * The command line (dkimproxy.out's: --key=value, --key value, the
 * positional LISTEN RELAY, plus -d -f -n -v, which set *flags).  0, or
 * -1 with conf->err set (usage).
 */
#define DKP_F_DEBUG		0x01
#define DKP_F_CHECK		0x02
#define DKP_F_HELP		0x04
int		 dkp_conf_args(struct dkp_conf *, int, char **, int *, int *);
/* Read a file (its keys do not override the command line's). */
int		 dkp_conf_file(struct dkp_conf *, const char *);
/* Read a file from memory (tests, fuzzing); name for messages. */
int		 dkp_conf_text(struct dkp_conf *, const char *, const char *,
		    size_t);
/* Everything read: resolve and check (0, or -1 with errors logged). */
int		 dkp_conf_finish(struct dkp_conf *, int);
#define DKP_CHECK_FILES		0x01	/* key files must be readable */
/* One key=value line (file or --key=value); -1 on a bad value. */
int		 dkp_conf_set(struct dkp_conf *, const char *, const char *,
		    const char *, int, int);
/* Files and lines, for the config and the maps. */
char		*dkp_file_read(struct dkp_conf *, const char *, size_t,
		    size_t *);
int		 dkp_lines(struct dkp_conf *, const char *, const char *,
		    size_t, int (*)(struct dkp_conf *, void *, const char *,
		    int, char *), void *);
/* An error (warn 0) or warning: logged, counted, kept in conf. */
void		 dkp_conf_msg(struct dkp_conf *, int, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 5, 6)));
int		 dkp_facility(const char *);
/* Print the effective configuration (-nv). */
void		 dkp_conf_print(const struct dkp_conf *, FILE *);

/* Signature specs: "type[(opts)]", and lists of them split on commas. */
struct dkp_sig	*dkp_sig_parse(const struct dkp_conf *, const char *,
		    char *, size_t);
int		 dkp_sig_parse_list(const struct dkp_conf *, const char *,
		    struct dkp_sigs *, char *, size_t);
int		 dkp_sig_check(struct dkp_sig *, int, char *, size_t);
void		 dkp_sig_free(struct dkp_sig *);
void		 dkp_sigs_clear(struct dkp_sigs *);
/* Parse a canonicalization: 0 or -1. */
int		 dkp_parse_method(const char *, int *, int *);
/* "host:port", "[v6]:port": host, port (default dport); -1 if bad. */
int		 dkp_split_hostport(const char *, const char *, char **,
		    char **);

/* dkp_map.c */
struct dkp_map	*dkp_map_load(struct dkp_conf *, const char *, int);
/*
 * Parse map text (tests, fuzzing).  Every error is logged
 * ("file:line: message") and counted in conf; NULL if there was one.
 */
struct dkp_map	*dkp_map_parse(struct dkp_conf *, const char *,
		    const char *, size_t, int);
void		 dkp_map_free(struct dkp_map *);
const struct dkp_map_entry *dkp_map_find(const struct dkp_map *,
		    const char *);
/* sender address: full, without +ext, domain and parents, "." */
const struct dkp_map_entry *dkp_map_lookup_address(const struct dkp_map *,
		    const char *);
/* List-Id: the id, then its parent suffixes, "." */
const struct dkp_map_entry *dkp_map_lookup_listid(const struct dkp_map *,
		    const char *);

/* The daemon's state, the transform's argument. */
struct dkp_state {
	struct dkp_conf		*conf;		/* swapped on SIGHUP */
	unsigned long long	 nsigned;
	unsigned long long	 nskipped;
	unsigned long long	 nfailed;
};

/* dkp_sign.c */
int		 dkp_keys_load(struct dkp_conf *);
void		 dkp_keys_free(struct dkp_conf *);
struct dkim_key	*dkp_key_get(const struct dkp_conf *, const char *);
void		 dkp_transform(struct proxy_msg *, void *);

/* dkp_choose.c: the number of signatures, 0 (ch->why), -1 (err) */
int		 dkp_choose(const struct dkp_conf *, const struct msghdr *,
		    struct dkp_choice *, char *, size_t);

#endif /* DKIMSIGND_H */
