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
 * filterd/sa_conf.c and sa_tags.c: SpamAssassin configuration text as
 * SpamAssassin reads it.  Conditionals and their nesting, comments,
 * lang, include, file markers, rule syntax, scores (1 and 4 values,
 * relative, defaults), tflags, settings, headers, metas (cycles,
 * rules_matching), eval arguments, errors as file:line, and ReplaceTags
 * against what SpamAssassin 4.0.1 made of the same lines.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../filterd/sa_conf.h"

static const char *const tags_pre =
    "loadplugin Mail::SpamAssassin::Plugin::ReplaceTags\n"
    "loadplugin Mail::SpamAssassin::Plugin::HeaderEval\n"
    "loadplugin Mail::SpamAssassin::Plugin::MIMEHeader\n";

static struct sa_conf *
load(const char *pre, const char *text)
{
	struct sa_conf	*c = sa_conf_new();

	strlcpy(c->lang, "en_US", sizeof(c->lang));
	if (pre != NULL)
		sa_conf_parse_text(c, "t.pre", pre, strlen(pre));
	sa_conf_parse_text(c, "t.cf", text, strlen(text));
	sa_conf_finish(c);
	return c;
}

static int
has(struct sa_conf *c, const char *name)
{
	return sa_conf_rule(c, name) != NULL;
}

static const char *
re_of(struct sa_conf *c, const char *name)
{
	struct sa_rule	*r = sa_conf_rule(c, name);

	return r != NULL && r->re_sa != NULL ? r->re_sa : "(none)";
}

/* the diagnostics as "file:line: msg\n" lines */
static char *
diags(struct sa_conf *c)
{
	static char	buf[4096];
	size_t		i;

	buf[0] = '\0';
	for (i = 0; i < c->ndiags; i++) {
		char line[512];

		snprintf(line, sizeof(line), "%s:%zu: %s\n",
		    c->diags[i].file, c->diags[i].line, c->diags[i].msg);
		strlcat(buf, line, sizeof(buf));
	}
	return buf;
}

static void
t_conditionals(void)
{
	struct sa_conf	*c;

	c = load(tags_pre,
	    "ifplugin Mail::SpamAssassin::Plugin::ReplaceTags\n"
	    "  body IN_TAGS /a/\n"
	    "  ifplugin Mail::SpamAssassin::Plugin::DCC\n"
	    "    body IN_DCC /b/\n"
	    "  else\n"
	    "    body NOT_DCC /c/\n"
	    "  endif\n"
	    "else\n"
	    "  body NOT_TAGS /d/\n"
	    "endif\n"
	    "ifplugin Mail::SpamAssassin::Plugin::DCC\n"
	    "  if (version >= 3.004000)\n"
	    "    body DEEP /e/\n"
	    "  else\n"
	    "    body DEEP_ELSE /f/\n"	/* bug 7848: outer false */
	    "  endif\n"
	    "endif\n"
	    "if (version >= 4.000000) && !plugin(Mail::SpamAssassin::Plugin::"
	    "DCC)\n"
	    "  body V4 /g/\n"
	    "endif\n"
	    "if can(Mail::SpamAssassin::Conf::feature_bug6558_free)\n"
	    "  body FEAT /h/\n"
	    "endif\n"
	    "if can(Mail::SpamAssassin::Conf::feature_no_such_thing)\n"
	    "  body NOFEAT /i/\n"
	    "endif\n"
	    "if can(Mail::SpamAssassin::Plugin::MIMEEval::"
	    "has_check_abundant_unicode_ratio)\n"
	    "  body UNLOADED_CAN /j/\n"
	    "endif\n"
	    "if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)\n"
	    "  body NO_COMPAT /k/\n"
	    "endif\n"
	    "enable_compat welcomelist_blocklist\n"
	    "if !(can(Mail::SpamAssassin::Conf::"
	    "compat_welcomelist_blocklist))\n"
	    "  body COMPAT_OFF /l/\n"
	    "endif\n"
	    "if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)\n"
	    "  body COMPAT_CACHED /l/\n"
	    "endif\n"
	    "if (version < 4.000000)\n"
	    "  body OLD /m/\n"
	    "endif\n");
	ok(has(c, "IN_TAGS") && has(c, "NOT_DCC"),
	    "ifplugin of a loaded plugin, else of an inner false one");
	ok(!has(c, "IN_DCC") && !has(c, "NOT_TAGS"), "the other branches");
	ok(!has(c, "DEEP") && !has(c, "DEEP_ELSE"),
	    "else inside a false block stays false (bug 7848)");
	ok(has(c, "V4"), "version and !plugin()");
	ok(has(c, "FEAT") && !has(c, "NOFEAT"), "can(Conf::feature_*)");
	ok(!has(c, "UNLOADED_CAN"), "can() of a plugin not loaded is false");
	ok(has(c, "NO_COMPAT"), "compat_* is false before enable_compat");
	ok(!has(c, "COMPAT_OFF"), "enable_compat makes it true");
	ok(has(c, "COMPAT_CACHED"), "a condition's text is evaluated once "
	    "(SA's cond_cache)");
	ok(!has(c, "OLD"), "version < 4");
	is_int((int)sa_conf_nerrors(c), 0, "no errors");
	sa_conf_free(c);

	c = load(NULL, "if (version >= 4)\nbody A /a/\n");
	is_int((int)sa_conf_nerrors(c), 1, "an if left open at the end of a "
	    "file is an error");
	ok(has(c, "A"), "its lines were read");
	sa_conf_free(c);

	c = load(NULL, "if x\nbody UNPARSED /a/\nendif\nbody AFTER /b/\n"
	    "if Foo:::Bar\nendif\n");
	ok(has(c, "UNPARSED") && has(c, "AFTER"),
	    "an unparseable if is ignored, not pushed (SA)");
	is_int((int)sa_conf_nerrors(c), 2, "so both endifs are strays");
	sa_conf_free(c);

	c = load(NULL, "meta LTO local_tests_only && A\nbody A /a/\n");
	{
		struct sa_rule *r = sa_conf_rule(c, "LTO");

		ok(r != NULL && r->meta->root->a->op == SA_M_NUM &&
		    r->meta->ndeps == 1, "local_tests_only in a meta is a "
		    "number, not a dependency");
	}
	sa_conf_free(c);

	c = load(NULL, "endif\nelse\nbody A /a/\n");
	is_str(diags(c), "t.cf:1: config: missing starting 'if' for 'endif'\n"
	    "t.cf:2: config: 'else' missing starting if\n",
	    "stray endif and else, with file:line");
	sa_conf_free(c);

	c = load(NULL, "require_version 3.004006\nbody SKIPPED /a/\n"
	    "file end t.cf\nbody AFTER /b/\n");
	ok(!has(c, "SKIPPED") && has(c, "AFTER"),
	    "require_version of another version skips to the end of the file");
	sa_conf_free(c);
	c = load(NULL, "require_version 4.000001\nbody KEPT /a/\n");
	ok(has(c, "KEPT"), "require_version 4.000001 is ours");
	sa_conf_free(c);
}

static void
t_lines(void)
{
	struct sa_conf	*c;
	struct sa_rule	*r;

	c = load(NULL,
	    "# a comment\n"
	    "   body   SPACED   /x/   # trailing comment\n"
	    "body HASH /a\\#b/\n"
	    "lang de describe SPACED Deutsch\n"
	    "describe SPACED English\n"
	    "lang en describe HASH In English\n"
	    "BODY UPPER /u/\n"
	    "rawbody-x NOPE /x/\n"
	    "body\tTABS\t/t/\r\n");
	is_str(re_of(c, "SPACED"), "x", "leading space and a comment");
	is_str(re_of(c, "HASH"), "a#b", "\\# is a literal #");
	r = sa_conf_rule(c, "SPACED");
	is_str(r != NULL ? r->describe : NULL, "English",
	    "lang de lines are skipped under en_US");
	r = sa_conf_rule(c, "HASH");
	is_str(r != NULL ? r->describe : NULL, "In English",
	    "lang en lines are read under en_US");
	ok(has(c, "UPPER"), "commands are case-insensitive");
	ok(has(c, "TABS"), "tabs and CRLF");
	is_str(diags(c), "t.cf:8: config: failed to parse line: "
	    "rawbody-x NOPE /x/\n", "an unknown command: file:line");
	sa_conf_free(c);
}

static void
t_include(void)
{
	struct sa_conf	*c;
	char		 dir[] = "/tmp/t_sa_conf.XXXXXX", path[256], *t;
	FILE		*f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/inc.cf", dir);
	f = fopen(path, "w");
	fputs("body FROM_INCLUDE /i/\nif (version >= 9)\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	f = fopen(path, "w");
	fputs("body BEFORE /b/\ninclude inc.cf\nbody AFTER /a/\n"
	    "include inc.cf\nscore AFTER 2\nbogus\n", f);
	fclose(f);
	c = sa_conf_new();
	sa_conf_parse_file(c, path);
	sa_conf_finish(c);
	ok(has(c, "BEFORE") && has(c, "FROM_INCLUDE") && has(c, "AFTER"),
	    "include, relative to the including file");
	ok(sa_conf_rule(c, "AFTER") != NULL &&
	    sa_conf_rule(c, "AFTER")->score[0] == 2,
	    "a file included twice is read once; lines after it are read");
	if (asprintf(&t, "%s/inc.cf:2: config: unclosed 'if' found in "
	    "%s/inc.cf\n%s/main.cf:6: config: failed to parse line: bogus\n",
	    dir, dir, dir) != -1) {
		is_str(diags(c), t, "line numbers go on after an include");
		free(t);
	}
	is_int((int)c->nfiles, 2, "two files read");
	sa_conf_free(c);
	snprintf(path, sizeof(path), "%s/inc.cf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	unlink(path);
	rmdir(dir);
}

static void
t_rules(void)
{
	struct sa_conf	*c;
	struct sa_rule	*r;

	c = load(tags_pre,
	    "header H_ADDR From:addr =~ /@example\\.com$/i\n"
	    "header H_NEG  Subject !~ /^Re:/ [if-unset: none]\n"
	    "header H_RAW  Subject:raw =~ m{=\\?utf-8\\?}i\n"
	    "header H_NR   From:name:raw =~ /x/\n"
	    "header H_EX   exists:List-Id\n"
	    "header H_ALL  ALL =~ /^X-Foo:/m\n"
	    "header H_EVAL eval:check_for_missing_to_header()\n"
	    "header H_RBL  eval:check_rbl('a', 'zen.spamhaus.org.')\n"
	    "header H_BADM From:bogus =~ /x/\n"
	    "header H_BADX exists:Foo Bar\n"
	    "body   B_EVAL eval:check_for_mime('mime_attachment', 3, x-y)\n"
	    "body   B_BADARG eval:f('a' b)\n"
	    "uri    U_PIPE m|^https?://x|\n"
	    "full   F_RE   /^Received:/m\n"
	    "rawbody R_RE  /foo/\n"
	    "body   NODELIM foo\n"
	    "body   BADDELIM /a/b/\n"
	    "mimeheader MH Content-Type =~ /text\\/html/i\n"
	    "reuse  REUSED\n"
	    "meta   M_OK   (H_ADDR || H_NEG) && !H_EX\n"
	    "meta   M_BAD  H_ADDR & H_NEG\n"
	    "meta   M_STAR H_ADDR ** 2\n"
	    "meta   M_CYC1 M_CYC2 && H_ADDR\n"
	    "meta   M_CYC2 M_CYC1\n"
	    "meta   M_UP   M_CYC1 || H_ADDR\n"
	    "meta   M_GLOB rules_matching(H_N*) > 0\n"
	    "body   9BAD   /x/\n");
	r = sa_conf_rule(c, "H_ADDR");
	ok(r != NULL && strcmp(r->hdr, "From") == 0 &&
	    r->hdr_mods == SA_HM_ADDR && !r->neg,
	    "header From:addr =~");
	is_str(re_of(c, "H_ADDR"), "(?i)@example\\.com$", "its regex");
	r = sa_conf_rule(c, "H_NEG");
	ok(r != NULL && r->neg && r->if_unset != NULL &&
	    strcmp(r->if_unset, "none") == 0, "!~ and [if-unset: none]");
	is_str(re_of(c, "H_NEG"), "^Re:", "the regex without [if-unset]");
	r = sa_conf_rule(c, "H_RAW");
	ok(r != NULL && r->hdr_mods == SA_HM_RAW, ":raw");
	is_str(re_of(c, "H_RAW"), "(?i)=\\?utf-8\\?", "m{...}i");
	r = sa_conf_rule(c, "H_NR");
	ok(r != NULL && r->hdr_mods == (SA_HM_NAME | SA_HM_RAW), ":name:raw");
	r = sa_conf_rule(c, "H_EX");
	ok(r != NULL && r->is_exists && strcmp(r->hdr, "List-Id") == 0,
	    "exists:");
	r = sa_conf_rule(c, "H_ALL");
	ok(r != NULL && strcmp(r->hdr, "ALL") == 0, "ALL");
	r = sa_conf_rule(c, "H_EVAL");
	ok(r != NULL && r->is_eval && !r->is_rbl &&
	    strcmp(r->eval_func, "check_for_missing_to_header") == 0 &&
	    r->eval_nargs == 0, "header eval, no arguments");
	is_str(r != NULL ? sa_rtype_name(r) : NULL, "header_eval",
	    "type header_eval");
	r = sa_conf_rule(c, "H_RBL");
	ok(r != NULL && r->is_rbl && r->eval_nargs == 2 &&
	    strcmp(r->eval_args[1], "zen.spamhaus.org.") == 0 &&
	    r->unsupported != NULL, "check_rbl: rbl eval, a network test");
	ok(!has(c, "H_BADM") && !has(c, "H_BADX"),
	    "bad modifier, bad exists: not defined (as in SA)");
	r = sa_conf_rule(c, "B_EVAL");
	ok(r != NULL && r->eval_nargs == 3 &&
	    strcmp(r->eval_args[0], "mime_attachment") == 0 &&
	    strcmp(r->eval_args[1], "3") == 0 &&
	    strcmp(r->eval_args[2], "x-y") == 0,
	    "eval arguments: quoted, number, bare word");
	r = sa_conf_rule(c, "B_BADARG");
	ok(r != NULL && r->unsupported != NULL &&
	    strstr(r->unsupported, "syntax error") != NULL,
	    "bad eval arguments: defined, never run (as in SA)");
	is_str(re_of(c, "U_PIPE"), "^https?://x", "m|...|");
	r = sa_conf_rule(c, "F_RE");
	ok(r != NULL && r->type == SA_R_FULL && r->re != NULL, "full");
	r = sa_conf_rule(c, "R_RE");
	ok(r != NULL && r->type == SA_R_RAWBODY, "rawbody");
	ok(!has(c, "NODELIM") && !has(c, "BADDELIM"),
	    "regex without delimiters or with an unquoted one: not defined");
	r = sa_conf_rule(c, "MH");
	ok(r != NULL && r->is_mimeheader && r->type == SA_R_BODY &&
	    r->is_eval && r->re != NULL, "mimeheader: a body eval with a "
	    "regex");
	r = sa_conf_rule(c, "REUSED");
	ok(r != NULL && r->type == SA_R_EMPTY, "reuse: an empty rule");
	ok(has(c, "M_OK") && !has(c, "M_BAD") && !has(c, "M_STAR"),
	    "a meta SA rejects is not defined");
	r = sa_conf_rule(c, "M_CYC1");
	ok(r != NULL && r->meta_unsolved && r->unsupported != NULL,
	    "a meta cycle: unsolved");
	r = sa_conf_rule(c, "M_UP");
	ok(r != NULL && r->meta_unsolved,
	    "a meta on top of a cycle: unsolved too");
	r = sa_conf_rule(c, "M_OK");
	ok(r != NULL && !r->meta_unsolved && r->meta->root != NULL &&
	    r->meta->ndeps == 3, "a good meta, three dependencies");
	r = sa_conf_rule(c, "M_GLOB");
	ok(r != NULL && r->meta != NULL && r->meta->ndeps == 2 &&
	    strcmp(r->meta->deps[0], "H_NEG") == 0 &&
	    strcmp(r->meta->deps[1], "H_NR") == 0,
	    "rules_matching(H_N*) is H_NEG+H_NR");
	{
		size_t	 k, pos[3] = { 99, 99, 99 };
		const char *want[3] = { "M_OK", "M_GLOB", "M_UP" };

		for (k = 0; k < c->nmeta_order; k++) {
			r = c->rules[c->meta_order[k]];
			ok(r->type == SA_R_META && !r->meta_unsolved,
			    "meta_order[%zu] is a solved meta", k);
		}
		for (k = 0; k < 3; k++) {
			r = sa_conf_rule(c, want[k]);
			if (r != NULL)
				for (pos[k] = 0; pos[k] < c->nmeta_order &&
				    c->meta_order[pos[k]] != r->index;
				    pos[k]++)
					;
		}
		ok(pos[0] < c->nmeta_order && pos[1] < c->nmeta_order &&
		    pos[2] == c->nmeta_order, "solved metas are in the order, "
		    "unsolved ones are not");
	}
	ok(!has(c, "9BAD"), "a rule name starting with a digit");
	ok(strstr(diags(c), "t.cf:27: config: error: rule '9BAD' has invalid "
	    "characters") != NULL, "... reported at its line");
	ok(strstr(diags(c), "t.cf:22: config: invalid 'meta' value") != NULL,
	    "'**' in a meta reported");
	sa_conf_free(c);
}

static void
t_scores(void)
{
	struct sa_conf	*c;
	struct sa_rule	*r;

	c = load(NULL,
	    "body ONE /a/\nscore ONE 2.5\n"
	    "body FOUR /b/\nscore FOUR 0 1.5 -2 3.001\n"
	    "body REL /c/\nscore REL 1\nscore REL (0.5)\n"
	    "body T_TEST /d/\n"
	    "body NICE /e/\ntflags NICE nice learn\n"
	    "body DEF /f/\n"
	    "score BEFORE 4\nbody BEFORE /g/\n"
	    "body MH /h/\ntflags MH multiple maxhits=5\n"
	    "tflags MH publish\n"
	    "score ONE\n"
	    "score FOUR 1 2 3\n"
	    "score REL x\n"
	    "score NEWREL (1)\n"
	    "priority ONE -500\n");
	r = sa_conf_rule(c, "ONE");
	ok(r != NULL && r->score[0] == 2.5 && r->score[3] == 2.5 &&
	    r->score_set, "one score for all four sets");
	ok(r != NULL && r->priority == -500, "priority");
	r = sa_conf_rule(c, "FOUR");
	ok(r != NULL && r->score[0] == 0 && r->score[1] == 1.5 &&
	    r->score[2] == -2 && r->score[3] == 3.001, "four scores");
	r = sa_conf_rule(c, "REL");
	ok(r != NULL && r->score[0] == 1.5, "relative score (0.5)");
	r = sa_conf_rule(c, "T_TEST");
	ok(r != NULL && r->score[0] == 0.01 && !r->score_set,
	    "T_ rules default to 0.01");
	r = sa_conf_rule(c, "NICE");
	ok(r != NULL && r->score[2] == -1 && (r->tf & SA_TF_NICE) &&
	    (r->tf & SA_TF_LEARN), "tflags nice: default -1");
	r = sa_conf_rule(c, "DEF");
	ok(r != NULL && r->score[1] == 1, "default score 1");
	r = sa_conf_rule(c, "BEFORE");
	ok(r != NULL && r->score[0] == 4, "a score before the rule counts");
	r = sa_conf_rule(c, "MH");
	ok(r != NULL && r->tf == SA_TF_PUBLISH && r->maxhits == 0,
	    "the last tflags line wins (as SA's hash)");
	is_str(diags(c),
	    "t.cf:17: config: missing 'score' value: score ONE\n"
	    "t.cf:18: config: missing 'score' value: score FOUR 1 2 3\n"
	    "t.cf:19: config: invalid 'score' value: score REL x\n"
	    "t.cf:20: config: invalid 'score' value: score NEWREL (1)\n",
	    "bad score lines");
	sa_conf_free(c);

	c = load(NULL, "body MH /h/\ntflags MH multiple maxhits=5 net\n");
	r = sa_conf_rule(c, "MH");
	ok(r != NULL && (r->tf & SA_TF_MULTIPLE) && (r->tf & SA_TF_NET) &&
	    r->maxhits == 5, "tflags multiple maxhits=5 net");
	ok(r != NULL && r->priority == -100, "a net rule runs at -100");
	sa_conf_free(c);

	c = load(NULL, "meta TOP MID && A\nmeta MID BOT || B\nmeta BOT A\n"
	    "body A /a/\nbody B /b/\npriority TOP -500\npriority B 100\n");
	ok(c->nmeta_order == 3 &&
	    strcmp(c->rules[c->meta_order[0]]->name, "BOT") == 0 &&
	    strcmp(c->rules[c->meta_order[1]]->name, "MID") == 0 &&
	    strcmp(c->rules[c->meta_order[2]]->name, "TOP") == 0,
	    "metas ordered dependencies first");
	r = sa_conf_rule(c, "B");
	ok(r != NULL && r->priority == -500,
	    "a meta's dependency moves up to its priority (fix_priorities)");
	r = sa_conf_rule(c, "A");
	ok(r != NULL && r->priority == -500, "... through metas");
	sa_conf_free(c);
}

static void
t_settings(void)
{
	struct sa_conf			*c;
	const struct sa_setting		*s;

	c = load(NULL,
	    "required_hits 6.5\n"
	    "report_safe 0\n"
	    "use_bayes 0\n"
	    "skip_rbl_checks yes\n"
	    "whitelist_from *@example.com Friend@Example.ORG\n"
	    "welcomelist_from a@b.c\n"
	    "unwelcomelist_from a@b.c\n"
	    "trusted_networks 192.0.2.0/24 10.1.2.3\n"
	    "clear_trusted_networks\n"
	    "trusted_networks 198.51.100.1\n"
	    "clear_headers\n"
	    "add_header all Status \"_YESNO_, score=_SCORE_\\ttab\"\n"
	    "add_header spam Flag _YESNOCAPS_\n"
	    "add_header ham Flag ignored\n"
	    "remove_header ham Flag\n"
	    "report_safe 0\n"
	    "rewrite_header subject *****SPAM*****\n"
	    "rewrite_header From (spam)\n"
	    "clear_report_template\n"
	    "report line one\n"
	    "report \"  quoted  \"\n"
	    "bayes_ignore_header X-Foo\n"
	    "report_safe 3\n"
	    "use_bayes maybe\n");
	is_int((int)(sa_conf_num(c, "required_score") * 10), 65,
	    "required_hits is required_score");
	is_int((int)sa_conf_num(c, "report_safe"), 0, "report_safe 0");
	is_int((int)sa_conf_num(c, "use_bayes"), 0, "use_bayes 0");
	is_int((int)sa_conf_num(c, "skip_rbl_checks"), 1, "yes is 1");
	is_int((int)sa_conf_num(c, "fold_headers"), 1, "a default");
	s = sa_conf_setting(c, "welcomelist_from");
	ok(s != NULL && s->nlist == 2 &&
	    strcmp(s->list[1], "friend@example.org") == 0,
	    "whitelist_from is welcomelist_from, lowercased; unwelcomelist");
	s = sa_conf_setting(c, "trusted_networks");
	ok(s != NULL && s->nlist == 1 &&
	    strcmp(s->list[0], "198.51.100.1") == 0, "clear_trusted_networks");
	ok(c->nhdr_spam == 3 && strcmp(c->hdr_spam[0].name, "Status") == 0 &&
	    strcmp(c->hdr_spam[0].tmpl, "_YESNO_, score=_SCORE_\ttab") == 0 &&
	    strcmp(c->hdr_spam[2].name, "Report") == 0,
	    "add_header (quotes, \\t), report_safe 0 adds Report");
	ok(c->nhdr_ham == 1, "remove_header ham Flag");
	is_str(c->rewrite[0], "*****SPAM*****", "rewrite_header subject");
	is_str(c->rewrite[1], "[spam]", "rewrite_header From: () to []");
	is_str(c->report, "line one\n  quoted  \n", "report template");
	ok(c->nignored == 1 && strcmp(c->ignored[0].key,
	    "bayes_ignore_header") == 0, "a known setting filterd ignores");
	is_str(diags(c),
	    "t.cf:23: config: invalid 'report_safe' value: report_safe 3\n"
	    "t.cf:24: config: invalid 'use_bayes' value: use_bayes maybe\n",
	    "bad values");
	sa_conf_free(c);

	c = load(NULL, "freemail_domains gmail.com\nreplace_tag A a\n");
	is_int((int)sa_conf_nerrors(c), 2,
	    "a plugin's command without its plugin is an error, as in SA");
	sa_conf_free(c);
}

/* expected strings: what SpamAssassin 4.0.1 made of the same lines */
static void
t_replacetags(void)
{
	struct sa_conf	*c;

	c = load(tags_pre,
	    "replace_tag A [a@]\n"
	    "replace_tag B (?:b|8)\n"
	    "replace_tag AB <A><B>\n"
	    "replace_pre P1 (?:x)\n"
	    "replace_post P2 {1,2}\n"
	    "replace_inter W1 \\W?\n"
	    "body T1 /<inter W1><A><B>c<A>/\n"
	    "body T2 /<post P2><A>z<B>/i\n"
	    "body T3 /<pre P1>q<A><B>/\n"
	    "body T4 /<AB>-<NOPE>/\n"
	    "body T5 m{<A><inter W1><B><A>}s\n"
	    "body T6 /<A>/\n"
	    "replace_rules T1 T2 T3 T4 T5\n"
	    /* stock rules (25_replace.cf, 72_active.cf) */
	    "replace_tag SHY (?:=ad|[\\xc2][\\xad]|[\\xad]|&\\#xad;|&\\#173;|"
	    "&shy;)\n"
	    "rawbody __SHY_OBFU_EXPIRE /e(?!xpire)<SHY>{0,3}x<SHY>{0,3}p"
	    "<SHY>{0,3}i<SHY>{0,3}r<SHY>{0,3}e/i\n"
	    "replace_tag PERCENT \\b(?:\\d\\d|ten|[a-z]+teen|(?:twen|thir|"
	    "fou?r|fif)ty(?:-?[a-z]+)?)\\s?(?:%|percent)\n"
	    "body __PCT_FOR_YOU_1 /<PERCENT>[\\s)]{0,3}(?:(?:of\\s[\\w\\s]"
	    "{0,35}?)?(?:for|to|as)\\syour?|(?:[^\\s.]{1,15}\\s)?an uns "
	    "beide)/i\n"
	    "replace_rules __SHY_OBFU_EXPIRE __PCT_FOR_YOU_1\n");
	is_str(re_of(c, "T1"), "[a@]\\W?(?:b|8)c[a@]", "inter");
	is_str(re_of(c, "T2"), "(?i)[a@]{1,2}z(?:b|8){1,2}", "post");
	is_str(re_of(c, "T3"), "q(?:x)[a@](?:x)(?:b|8)", "pre");
	is_str(re_of(c, "T4"), "[a@](?:b|8)-<NOPE>",
	    "a tag of tags (second pass), an unknown tag left alone");
	is_str(re_of(c, "T5"), "(?s)[a@]\\W?(?:b|8)\\W?[a@]",
	    "inter between adjacent tags, m{}s");
	is_str(re_of(c, "T6"), "<A>", "not in replace_rules: unchanged");
	is_str(re_of(c, "__SHY_OBFU_EXPIRE"),
	    "(?i)e(?!xpire)(?:=ad|[\\xc2][\\xad]|[\\xad]|&#xad;|&#173;|&shy;)"
	    "{0,3}x(?:=ad|[\\xc2][\\xad]|[\\xad]|&#xad;|&#173;|&shy;){0,3}p"
	    "(?:=ad|[\\xc2][\\xad]|[\\xad]|&#xad;|&#173;|&shy;){0,3}i"
	    "(?:=ad|[\\xc2][\\xad]|[\\xad]|&#xad;|&#173;|&shy;){0,3}r"
	    "(?:=ad|[\\xc2][\\xad]|[\\xad]|&#xad;|&#173;|&shy;){0,3}e",
	    "stock __SHY_OBFU_EXPIRE as SpamAssassin expands it");
	is_str(re_of(c, "__PCT_FOR_YOU_1"),
	    "(?i)\\b(?:\\d\\d|ten|[a-z]+teen|(?:twen|thir|fou?r|fif)ty"
	    "(?:-?[a-z]+)?)\\s?(?:%|percent)[\\s)]{0,3}(?:(?:of\\s[\\w\\s]"
	    "{0,35}?)?(?:for|to|as)\\syour?|(?:[^\\s.]{1,15}\\s)?an uns beide)",
	    "stock __PCT_FOR_YOU_1 as SpamAssassin expands it");
	ok(sa_conf_rule(c, "T1") != NULL && sa_conf_rule(c, "T1")->replaced &&
	    sa_conf_rule(c, "T1")->re != NULL, "marked replaced, compiled");
	sa_conf_free(c);
}

/*
 * Helper for tests/integration/filterd-rules.t: `t_sa_conf match` loads
 * the installed configuration and prints "N RULE" for each line N of
 * standard input that each regex rule matches.
 */
static int
match_mode(void)
{
	struct sa_conf	*c = sa_conf_new();
	struct sa_rule	*r;
	char		*line = NULL;
	size_t		 cap = 0, i, n = 0;
	ssize_t		 len;

	sa_conf_load(c, NULL);
	while ((len = getline(&line, &cap, stdin)) != -1) {
		n++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			if (r->re == NULL || r->is_mimeheader)
				continue;
			if (sa_re_match(r->re, line, (size_t)len) == 1)
				printf("%zu %s\n", n, r->name);
		}
	}
	free(line);
	sa_conf_free(c);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "match") == 0)
		return match_mode();
	t_conditionals();
	t_lines();
	t_include();
	t_rules();
	t_scores();
	t_settings();
	t_replacetags();
	return done_testing();
}
