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
 * filterd's scan engine: SpamAssassin 4.0.1's check of one message
 * (PerMsgStatus check, score set 0 or 1: no Bayes), over the rules of a
 * loaded sa_conf, and SpamAssassin's output (X-Spam-* fields, report,
 * rewritten message).
 *
 *	struct sa_conf	 *c = sa_conf_new();
 *	opts.evals = sa_eval_names();		the evals we can run
 *	sa_conf_load(c, &opts);
 *	struct sa_engine *e = sa_engine_new(c, NULL);
 *	struct sa_result *res;
 *	sa_scan(e, msg, len, &env or NULL, &res);
 *	res->score, res->is_spam, res->hits[0 .. nhits - 1]
 *	sa_out_message(res, &buf);		SA's rewrite_mail
 *	sa_result_free(res);
 *	sa_engine_free(e);  sa_conf_free(c);
 *
 * Threads: an engine is NOT thread-safe (sa_scan uses the engine's
 * scratch: PCRE2 match data, per-rule arrays).  Use one engine per
 * worker process (build it before fork: it is read-only between scans
 * apart from the scratch, so forked children share its pages) or per
 * thread.  A result does not refer to the engine's scratch: it can be
 * kept while the engine scans the next message, but it refers to the
 * conf (rule names) and to the message buffer given to sa_scan, which
 * must outlive it.
 *
 * Evals (filterd/sa_eval*.c, another module): sa_evals[] is a table
 * ended by a NULL name; sa_scan calls an eval rule's function with the
 * per-message context below (struct sa_msg) in SpamAssassin's order
 * (by priority, then by type as SA runs them: header evals with the
 * header tests, body evals after body regexes, ...).  A function
 * returns > 0 for a hit (the count; metas see the value), 0 for no hit,
 * -1 for an error (no hit).  Functions must not keep pointers into the
 * sa_msg after they return, except in msg->eval_priv, which the eval
 * module owns (freed by msg->eval_priv_free when the message is done).
 *
 * Relays (filterd/sa_relays.c, another module): sa_scan calls
 * sa_relays_parse(msg) once, before any rule runs; it fills
 * msg->relays and the four X-Spam-Relays-* strings, as
 * Message/Metadata/Received.pm does.  All malloc'd: the engine frees
 * relays_str[], relays[] and every string of each relay after the scan
 * (and calls relays_priv_free(relays_priv) if set).
 */

#ifndef FILTERD_SA_ENGINE_H
#define FILTERD_SA_ENGINE_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "mimedec.h"
#include "sa_conf.h"

struct mime;
struct msghdr;
struct render;
struct sa_engine;

/* One Received hop as SpamAssassin's Received.pm parses it. */
struct sa_relay {
	char		*ip;		/* "" if none */
	char		*by;
	char		*helo;
	char		*rdns;
	char		*ident;
	char		*envfrom;
	char		*id;
	char		*auth;
	int		 msa;
	int		 ip_private;	/* IP in a private range */
	int		 internal;	/* intl=1 */
	int		 trusted;
	char		*as_string;	/* "[ ip=... ]" (pseudo-header) */
};

/*
 * SpamAssassin's envelope knowledge (what spampd's --sef/--seh would
 * put in headers, or what the SMTP session tells): all optional.
 */
struct sa_envelope {
	const char		*mail_from;	/* without <>; "" for <> */
	const char *const	*rcpts;
	size_t			 nrcpts;
	const char		*client_ip;	/* the SMTP peer */
	const char		*client_name;	/* its rDNS */
	const char		*helo;
};

/* Relay pseudo-headers, index into sa_msg.relays_str */
#define SA_RELAYS_TRUSTED	0
#define SA_RELAYS_UNTRUSTED	1
#define SA_RELAYS_INTERNAL	2
#define SA_RELAYS_EXTERNAL	3

/*
 * The per-message context every rule and eval sees.  All pointers are
 * valid during sa_scan.
 */
struct sa_msg {
	const struct sa_conf	*conf;
	struct sa_engine	*engine;
	const struct sa_envelope *env;		/* never NULL (may be empty) */

	/* the message as given (full rules), and its header block */
	const char		*buf;
	size_t			 len;
	size_t			 hdrlen;	/* header block + blank line */
	const char		*eol;		/* its "\r\n" or "\n" */
	struct mime		*mime;		/* parsed tree */
	const struct msghdr	*hdr;		/* the top-level fields */

	/* SpamAssassin's rendered views (filterd/render.h) */
	struct render		*render;	/* ->body, ->rawbody, ->uris,
						   ->html (HTMLEval data) */
	/* X-Spam-Relays-* pseudo-headers and the parsed hops (sa_relays) */
	char			*relays_str[4];	/* SA_RELAYS_*, NULL: empty */
	struct sa_relay		*relays;	/* top (newest) hop first */
	size_t			 nrelays;
	size_t			 ntrusted;	/* relays[0 .. ntrusted-1] */
	size_t			 ninternal;	/* relays[0 .. ninternal-1] */
	int			 relays_unparseable;	/* count */
	void			*relays_priv;	/* sa_relays.c's own */
	void			(*relays_priv_free)(void *);

	/* results so far, by rule index (conf->rules[i]) */
	double			*val;		/* hit count / eval value */
	unsigned char		*done;		/* rule evaluated */
	double			 score;		/* sum so far */

	/* PerMsgStatus::test_log's lines (sa_msg_test_log) */
	size_t			 cur_rule;	/* the eval running */
	struct sa_tlog		*tlog;
	size_t			 ntlog;

	/* the eval module's per-message cache */
	void			*eval_priv;
	void			(*eval_priv_free)(void *);

	/* engine private: header cache */
	void			*priv;
};

/*
 * A header as SpamAssassin's PerMsgStatus::get(spec) gives it: spec is
 * a field name with optional modifiers ("From:addr", "Subject:raw",
 * "ALL", "ALL:raw", "MESSAGEID", "ToCc", "EnvelopeFrom",
 * "X-Spam-Relays-External", ...).  All instances joined as SA joins
 * them; RFC 2047 decoded unless :raw.  Returns NULL when the header is
 * absent (SA's undef), else a string owned by msg (cached for the
 * message; do not free).
 */
const char	*sa_msg_get(struct sa_msg *, const char *);
/* How many fields of this name the message has (top level). */
size_t		 sa_msg_count(struct sa_msg *, const char *);
/* Has the rule (by name) hit so far?  Its value (0: no hit). */
double		 sa_msg_rule_value(struct sa_msg *, const char *);
/*
 * PerMsgStatus::test_log: a line for the report under the rule whose
 * eval is running (shown if it hits; "*REDACTED*" for tflags nolog).
 */
void		 sa_msg_test_log(struct sa_msg *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
/* Record a hit on another rule (evals that set several rules). */
void		 sa_msg_got_hit(struct sa_msg *, const char *, double);

/* Eval functions: filterd/sa_eval.c (another module) */
#define SA_EV_ANY	(-1)		/* any rule type */
struct sa_eval_def {
	const char	*name;		/* "check_for_mime" */
	int		 type;		/* enum sa_rtype, or SA_EV_ANY */
	int		(*fn)(struct sa_msg *, const struct sa_rule *,
			    char **, size_t);
};
extern const struct sa_eval_def	sa_evals[];	/* ends with name NULL */

/* Received-header parser: filterd/sa_relays.c (another module) */
int		 sa_relays_parse(struct sa_msg *);

/* The eval names (NULL-terminated, static) for sa_load_opts.evals. */
const char *const *sa_eval_names(void);

struct sa_tlog {
	size_t			 idx;		/* rule index */
	char			*text;
};

/* One rule that hit, as SpamAssassin reports it */
struct sa_hit {
	const struct sa_rule	*rule;
	const char		*name;
	double			 score;		/* its score in this set */
	double			 value;		/* hit count / eval value */
	unsigned int		 seq;		/* order of the hit */
	char			*log;		/* its test_log lines, each
						   ended by \n; NULL: none */
};

struct sa_result {
	double			 score;		/* sum, as SA sums it */
	double			 required;	/* required_score */
	int			 is_spam;	/* score >= required */
	int			 gtube;		/* GTUBE matched */
	struct sa_hit		*hits;		/* scored rules (no __), by
						   name (SA's tests= order) */
	size_t			 nhits;
	struct sa_hit		*subhits;	/* __ and zero-score hits */
	size_t			 nsubhits;
	/* for the output functions */
	const struct sa_conf	*conf;
	const char		*buf;		/* the message given */
	size_t			 len;
	int			 set;		/* score set used */
	char			*hostname;	/* _HOSTNAME_ */
	char			*fqdn;		/* report_safe's Received */
	time_t			 when;
	unsigned int		 boundary_rand;
	char			*tmpl_priv;	/* private */
};

struct sa_engine_opts {
	const char	*hostname;	/* NULL: report_hostname, or FQDN */
	time_t		 now;		/* 0: time() at each scan (tests) */
	unsigned int	 seed;		/* report_safe boundary; 0: random */
	int		 score_set;	/* -1: 0 or 1 by local_tests_only */
	int		 no_prefilter;	/* run every regex (tests) */
};

/*
 * sa_engine_new: the conf must be finished (sa_conf_load/finish) and
 * must outlive the engine; NULL opts for the defaults.  NULL on error
 * (reason in err).
 */
struct sa_engine *sa_engine_new(const struct sa_conf *,
		    const struct sa_engine_opts *, char *, size_t);
void		 sa_engine_free(struct sa_engine *);

/*
 * The prefilter (tests, filterd -n): how many regex rules the literal
 * automaton and Hyperscan guard, and how many rule runs they saved
 * since the engine was built.  Without Hyperscan, or with no_prefilter,
 * hs_rules is 0; with no_prefilter lit_rules is 0 too.
 */
struct sa_engine_stats {
	size_t		 lit_rules;
	size_t		 hs_rules;
	unsigned long	 skipped;
};
void		 sa_engine_stats(const struct sa_engine *,
		    struct sa_engine_stats *);
/*
 * Scan msg (the whole message, headers and body, CRLF or LF).  env may
 * be NULL.  0 and *res set (free with sa_result_free), or -1 (errno).
 */
int		 sa_scan(struct sa_engine *, const char *, size_t,
		    const struct sa_envelope *, struct sa_result **);
void		 sa_result_free(struct sa_result *);

/* Output (sa_out.c): each appends to a mimebuf and returns 0 or -1. */
/* "%2.1f" score as _SCORE_ shows it (ham never reaches required). */
void		 sa_out_score(const struct sa_result *, char *, size_t);
/* _TESTS_ joined by sep ("," for tests=, SYMBOLS, spampd's log). */
int		 sa_out_tests(const struct sa_result *, const char *,
		    struct mimebuf *);
/*
 * The X-Spam-* fields SpamAssassin adds (add_header for ham or spam,
 * folded as SA folds them), each "Name: value" + eol; eol NULL: the
 * message's own line end.
 */
int		 sa_out_headers(const struct sa_result *, const char *,
		    struct mimebuf *);
/* One added field's value (name without X-Spam-, e.g. "Status"). */
int		 sa_out_header_value(const struct sa_result *, const char *,
		    struct mimebuf *);
/* The report template expanded (spamd REPORT, report_safe part 1). */
int		 sa_out_report(const struct sa_result *, struct mimebuf *);
/*
 * The whole message as SpamAssassin's rewrite_mail writes it: headers
 * added (report_safe 0 or ham), rewrite_header applied to spam, or a
 * spam wrapped by report_safe 1/2.
 */
int		 sa_out_message(const struct sa_result *, struct mimebuf *);

#endif /* FILTERD_SA_ENGINE_H */
