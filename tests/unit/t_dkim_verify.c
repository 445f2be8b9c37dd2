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
 * Every signature dkimsignd/dkim.c makes over a corpus of hard messages
 * (folded and very long headers, trailing whitespace, empty body, no
 * header end, no final line end, 8-bit header and body, two From
 * fields, an existing DKIM-Signature, LF-only and CR-only line ends,
 * dot lines, octet-by-octet feeding) under four algorithm and
 * canonicalization pairs, one at a time and RSA plus Ed25519 together,
 * is verified by three independent verifiers: dkimpy (python3-dkim, with a
 * dnsfunc returning the records that dkim_key_public_b64 made).  The
 * message handed to dkimpy is the one the proxy relays: line ends made
 * CRLF and a final CRLF added, as common/smtpc does.  Then two
 * tamperings (a second From, an edited body) must fail.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"
#include "../../dkimsignd/dkim.h"
#include "tap.h"

#define PYTHON	"/usr/bin/python3"

struct case_msg {
	const char	*name;
	const char	*text;
	size_t		 len;		/* 0: strlen */
};

static char	 tmpdir[] = "/tmp/t_dkim_verify.XXXXXX";

static char	*wire(const char *, size_t, size_t *);
static void	 put(const char *, const char *, size_t);
static void	 rm_tree(void);
static FILE	*run_in(const char *);
static int	 result(const char *, const char *, int *, int *);

static const char script[] =
"import sys, dkim\n"
"recs = {}\n"
"for line in open(sys.argv[1], 'rb'):\n"
"    k, v = line.rstrip(b'\\n').split(b' ', 1)\n"
"    recs[k] = v\n"
"def dns(name, timeout=5):\n"
"    return recs.get(name)\n"
"for line in open(sys.argv[2]):\n"
"    path, n = line.split()[:2]\n"
"    msg = open(path, 'rb').read()\n"
"    for i in range(int(n)):\n"
"        try:\n"
"            d = dkim.DKIM(msg)\n"
"            r = d.verify(idx=i, dnsfunc=dns)\n"
"            why = '' if r else 'fail'\n"
"        except Exception as e:\n"
"            r, why = False, repr(e)\n"
"        print(('pass' if r else 'FAIL'), path.split('/')[-1], i,"
" why.replace('\\n', ' '), flush=True)\n";

/* Mail::DKIM with its DNS query replaced; prints like the above. */
static const char perl_script[] =
"use strict; use warnings;\n"
"use Mail::DKIM::Verifier;\n"
"use Net::DNS;\n"
"my %recs;\n"
"open(my $r, '<', $ARGV[0]) or die;\n"
"while (<$r>) { chomp; my ($k, $v) = split / /, $_, 2; $k =~ s/\\.$//;\n"
"    $recs{lc $k} = $v; }\n"
"{\n"
"    no warnings 'redefine';\n"
"    *Mail::DKIM::DNS::query = sub {\n"
"        my ($domain, $type) = @_;\n"
"        my $v = $recs{lc $domain};\n"
"        if (!defined $v) { $@ = 'NXDOMAIN'; return (); }\n"
"        return (Net::DNS::RR->new(name => $domain, type => 'TXT',\n"
"            txtdata => [ $v =~ /(.{1,250})/g ]));\n"
"    };\n"
"}\n"
"open(my $m, '<', $ARGV[1]) or die;\n"
"while (<$m>) {\n"
"    my ($path, $n) = split;\n"
"    open(my $f, '<:raw', $path) or die;\n"
"    my $d = Mail::DKIM::Verifier->new();\n"
"    while (<$f>) { $d->PRINT($_); }\n"
"    $d->CLOSE;\n"
"    my $i = 0;\n"
"    for my $s ($d->signatures) {\n"
"        my $det = $s->result_detail; $det =~ s/\\s+/ /g;\n"
"        next if $s->domain eq 'old.example';\n"
"        print(($s->result eq 'pass' ? 'pass' : 'FAIL'), ' ',\n"
"            (split m{/}, $path)[-1], \" \", $i++, ' ', $s->algorithm,\n"
"            \" $det\\n\");\n"
"    }\n"
"}\n";

/* OpenDKIM's filter in test mode: how many dkim=pass per message. */
static const char opendkim_script[] =
"while read path n odn; do\n"
"    c=$(/usr/sbin/opendkim -x opendkim.conf -vv -t \"$path\" 2>&1 |\n"
"        grep -o 'dkim=pass' | wc -l)\n"
"    echo \"$c ${path##*/} $odn\"\n"
"done < manifest\n";

/* The relayed form: CR, LF, CRLF -> CRLF; a final CRLF. */
static char *
wire(const char *m, size_t len, size_t *olen)
{
	char	*out, *o;
	size_t	 i;

	o = out = xmalloc(2 * len + 3);
	for (i = 0; i < len; i++) {
		if (m[i] == '\r') {
			*o++ = '\r';
			*o++ = '\n';
			if (i + 1 < len && m[i + 1] == '\n')
				i++;
		} else if (m[i] == '\n') {
			*o++ = '\r';
			*o++ = '\n';
		} else
			*o++ = m[i];
	}
	if (o == out || o[-1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*olen = o - out;
	return out;
}

static void
put(const char *path, const char *p, size_t n)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

/* A command in the temporary directory, its output to read. */
static FILE *
run_in(const char *cmd)
{
	char	 line[PATH_MAX + 256];
	FILE	*f;

	(void)snprintf(line, sizeof(line), "cd %s && %s 2>&1", tmpdir, cmd);
	if ((f = popen(line, "r")) == NULL) {
		printf("Bail out! %s\n", cmd);
		exit(1);
	}
	return f;
}

/* "pass NAME IDX ..." or "FAIL NAME IDX ...": one test; 0 if neither. */
static int
result(const char *line, const char *who, int *npass, int *nfail)
{
	const char	*p = strchr(line, ' ');

	if (strncmp(line, "pass ", 5) != 0 && strncmp(line, "FAIL ", 5) != 0)
		return 0;
	if (strstr(p, ".T-") != NULL) {
		ok(strncmp(line, "FAIL", 4) == 0, "%s: tampered %s fails",
		    who, p + 1);
		(*nfail)++;
	} else {
		ok(strncmp(line, "pass", 4) == 0, "%s: %s", who, p + 1);
		(*npass)++;
	}
	return 1;
}

static void
rm_tree(void)
{
	char	cmd[PATH_MAX + 16];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	(void)system(cmd);
}

int
main(void)
{
	static char	 longsubj[3000], longline[1200], dots[] =
	    "From: a@example.com\r\n\r\n.\r\n..x\r\n. \r\n";
	struct case_msg	 msgs[] = {
		{ "plain", "From: Joe <joe@example.com>\r\n"
		    "To: Suzie <suzie@example.net>\r\nSubject: Hi\r\n"
		    "Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
		    "Message-ID: <1@example.com>\r\n\r\nHi.\r\n\r\nJoe.\r\n",
		    0 },
		{ "folded", "From: a@example.com\r\nSubject: a\r\n\t  b \r\n"
		    "   c\t\r\nTo: x@y.example,\r\n   z@w.example\r\n"
		    "\r\nbody\r\n", 0 },
		{ "longsubj", longsubj, 0 },
		{ "longline", longline, 0 },
		{ "trailing-wsp", "From: a@example.com  \r\n"
		    "Subject: trailing \t \r\n\r\nline \t\r\n  \r\n"
		    "x  y\t\tz  \r\n\t\r\n\r\n", 0 },
		{ "empty-body", "From: a@example.com\r\nSubject: e\r\n\r\n",
		    0 },
		{ "no-header-end", "From: a@example.com\r\nSubject: e", 0 },
		{ "no-final-crlf", "From: a@example.com\r\n\r\nlast line", 0 },
		{ "blank-lines", "From: a@example.com\r\n\r\n\r\n\r\nx\r\n"
		    "\r\n\r\n\r\n", 0 },
		{ "8bit", "From: =?utf-8?q?J=C3=B6?= <a@example.com>\r\n"
		    "Subject: caf\xc3\xa9 \xff\r\n\r\n"
		    "\xc3\xa4\xc3\xb6\xc3\xbc \x80\xff\xfe\r\n", 0 },
		{ "two-from", "From: a@example.com\r\nFrom: b@example.com\r\n"
		    "Subject: two\r\n\r\nx\r\n", 0 },
		{ "old-sig", "DKIM-Signature: v=1; a=rsa-sha256; "
		    "d=old.example; s=x;\r\n\th=from; bh=AAAA; b=BBBB\r\n"
		    "From: a@example.com\r\nSubject: resent\r\n\r\nx\r\n", 0 },
		{ "lf-only", "From: a@example.com\nSubject: lf\n  folded\n"
		    "\nline 1 \nline 2\n\n", 0 },
		{ "cr-only", "From: a@example.com\rSubject: cr\r\rbody\r", 0 },
		{ "mixed-ends", "From: a@example.com\r\nSubject: m\n\r\n"
		    "a\rb\nc\r\n", 0 },
		{ "dots", dots, 0 },
		{ "odd-case", "FROM:a@example.com\r\nsUbJeCt:  X  \r\n"
		    "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
		    "Received: from x\r\nX-Other: y\r\n\r\nz\r\n", 0 },
	};
	struct {
		int	 alg;		/* key: 0 rsa, 1 ed25519 */
		int	 hc, bc;
		int	 step;		/* feed: 0 at once, else octets */
		int	 both;		/* RSA and Ed25519 together */
	} modes[] = {
		{ 0, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, 0, 0 },
		{ 0, DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, 7, 0 },
		{ 1, DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, 1, 0 },
		{ 1, DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED, 0, 0 },
		{ 0, DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, 5, 1 },
	};
	struct dkim_key		*keys[2];
	struct dkim_spec	 sp[2];
	struct dkim_sign	*s;
	FILE			*manifest, *py;
	const char		*out;
	char			 err[256], path[PATH_MAX], line[2048], *w,
				*full, *p, *pub;
	size_t			 i, j, k, n, olen, wlen, len;
	int			 expected = 0, nrsa = 0, odn, odexpected = 0;
	int			 nsig, npass = 0, nfail = 0;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	atexit(rm_tree);

	/* very long, folded header; a 1000-octet body line */
	p = longsubj;
	p += snprintf(p, 64, "From: a@example.com\r\nSubject:");
	for (i = 0; i < 100; i++)
		p += snprintf(p, 64, " word%zu%s", i, i % 8 == 7 ?
		    "\r\n" : "");
	p += snprintf(p, 1000, "\r\nX-Long: %0900d\r\n\r\nx\r\n", 7);
	p = longline;
	p += snprintf(p, 64, "From: a@example.com\r\n\r\n");
	memset(p, 'y', 1000);
	memcpy(p + 1000, "\r\n", 3);

	keys[0] = dkim_key_generate(DKIM_KEY_RSA, 2048, err, sizeof(err));
	keys[1] = dkim_key_generate(DKIM_KEY_ED25519, 0, err, sizeof(err));
	if (keys[0] == NULL || keys[1] == NULL) {
		printf("Bail out! keys: %s\n", err);
		return 1;
	}
	(void)snprintf(path, sizeof(path), "%s/records", tmpdir);
	if ((manifest = fopen(path, "w")) == NULL)
		return 1;
	pub = dkim_key_public_b64(keys[0]);
	fprintf(manifest, "rsa._domainkey.example.com. v=DKIM1; k=rsa; "
	    "h=sha256; p=%s\n", pub);
	free(pub);
	pub = dkim_key_public_b64(keys[1]);
	fprintf(manifest, "ed._domainkey.example.com. v=DKIM1; k=ed25519; "
	    "p=%s\n", pub);
	free(pub);
	fclose(manifest);

	(void)snprintf(path, sizeof(path), "%s/manifest", tmpdir);
	if ((manifest = fopen(path, "w")) == NULL)
		return 1;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = msgs[i].len ? msgs[i].len : strlen(msgs[i].text);
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++) {
			memset(sp, 0, sizeof(sp));
			sp[0].key = keys[modes[j].alg];
			sp[0].hcanon = modes[j].hc;
			sp[0].bcanon = modes[j].bc;
			sp[0].domain = "example.com";
			sp[0].selector = modes[j].alg ? "ed" : "rsa";
			sp[0].oversign = 1;
			if (j == 1) {
				sp[0].identity = "someone@sub.example.com";
				sp[0].expire = 86400;
			}
			nsig = 1;
			if (modes[j].both) {
				sp[1] = sp[0];
				sp[1].key = keys[1];
				sp[1].selector = "ed";
				sp[1].hcanon = DKIM_CANON_SIMPLE;
				nsig = 2;
			}
			s = dkim_sign_new(sp, nsig, err, sizeof(err));
			if (s == NULL) {
				ok(0, "%s/%zu: %s", msgs[i].name, j, err);
				continue;
			}
			for (k = 0; k < len; k += n) {
				n = modes[j].step ? (size_t)modes[j].step :
				    len;
				if (n > len - k)
					n = len - k;
				(void)dkim_sign_update(s, msgs[i].text + k, n);
			}
			if (dkim_sign_final(s, &out, &olen) != DKIM_OK) {
				ok(0, "%s/%zu signed: %s", msgs[i].name, j,
				    dkim_sign_error(s));
				dkim_sign_free(s);
				continue;
			}
			w = wire(msgs[i].text, len, &wlen);
			full = xmalloc(olen + wlen);
			memcpy(full, out, olen);
			memcpy(full + olen, w, wlen);
			(void)snprintf(path, sizeof(path), "%s/%s.%zu.eml",
			    tmpdir, msgs[i].name, j);
			put(path, full, olen + wlen);
			/*
			 * OpenDKIM's test mode rebuilds each field as
			 * "Name: value" (as a milter gets it), so a field
			 * without exactly one SP after the colon fails
			 * simple header canonicalization there.
			 */
			odn = nsig;
			if (strcmp(msgs[i].name, "odd-case") == 0)
				odn = (sp[0].hcanon == DKIM_CANON_RELAXED) +
				    (nsig == 2 && sp[1].hcanon ==
				    DKIM_CANON_RELAXED);
			fprintf(manifest, "%s %d %d\n", path, nsig, odn);
			expected += nsig;
			odexpected += odn;
			nrsa += modes[j].alg == 0;

			/* tamperings, on the first mode only */
			if (j == 0) {
				char	*t = xmalloc(olen + wlen + 64);

				memcpy(t, out, olen);
				memcpy(t + olen, "From: evil@example.org\r\n",
				    24);
				memcpy(t + olen + 24, w, wlen);
				(void)snprintf(path, sizeof(path),
				    "%s/%s.T-from.eml", tmpdir, msgs[i].name);
				put(path, t, olen + 24 + wlen);
				fprintf(manifest, "%s 1 0\n", path);
				memcpy(t, full, olen + wlen);
				memcpy(t + olen + wlen, "\r\nevil\r\n", 8);
				(void)snprintf(path, sizeof(path),
				    "%s/%s.T-body.eml", tmpdir, msgs[i].name);
				put(path, t, olen + wlen + 8);
				fprintf(manifest, "%s 1 0\n", path);
				free(t);
			}
			free(full);
			free(w);
			dkim_sign_free(s);
		}
	}
	fclose(manifest);
	dkim_key_free(keys[0]);
	dkim_key_free(keys[1]);

	(void)snprintf(path, sizeof(path), "%s/verify.py", tmpdir);
	put(path, script, sizeof(script) - 1);
	(void)snprintf(path, sizeof(path), "%s/verify.pl", tmpdir);
	put(path, perl_script, sizeof(perl_script) - 1);
	(void)snprintf(path, sizeof(path), "%s/opendkim.sh", tmpdir);
	put(path, opendkim_script, sizeof(opendkim_script) - 1);
	(void)snprintf(path, sizeof(path), "%s/opendkim.conf", tmpdir);
	(void)snprintf(line, sizeof(line), "Mode v\nSyslog no\n"
	    "AlwaysAddARHeader yes\nTestPublicKeys %s/records.od\n", tmpdir);
	put(path, line, strlen(line));
	(void)snprintf(line, sizeof(line), "cd %s && sed 's/\\. / /' records "
	    "> records.od", tmpdir);
	is_int(system(line), 0, "records for OpenDKIM");

	/* dkimpy: every signature */
	npass = nfail = 0;
	py = run_in(PYTHON " verify.py records manifest");
	while (fgets(line, sizeof(line), py) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (!result(line, "dkimpy", &npass, &nfail))
			diag("python: %s", line);
	}
	is_int(pclose(py), 0, "dkimpy ran");
	is_int(npass, expected, "dkimpy verified every signature");
	ok(nfail >= 2 * (int)(sizeof(msgs) / sizeof(msgs[0])) - 1,
	    "dkimpy: tampered copies checked (%d)", nfail);

	/* Mail::DKIM: the RSA ones (Debian 12's has no Ed25519) */
	npass = nfail = 0;
	py = run_in("perl verify.pl records manifest");
	while (fgets(line, sizeof(line), py) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, " ed25519-sha256 ") != NULL)
			continue;
		if (!result(line, "Mail::DKIM", &npass, &nfail))
			diag("perl: %s", line);
	}
	is_int(pclose(py), 0, "Mail::DKIM ran");
	is_int(npass, nrsa, "Mail::DKIM verified every RSA signature");
	ok(nfail >= 2 * (int)(sizeof(msgs) / sizeof(msgs[0])) - 1,
	    "Mail::DKIM: tampered copies checked (%d)", nfail);

	/* OpenDKIM: dkim=pass for every signature of a message */
	npass = nfail = 0;
	py = run_in("sh opendkim.sh");
	while (fgets(line, sizeof(line), py) != NULL) {
		char	name[256];
		int	got, want;

		if (sscanf(line, "%d %255s %d", &got, name, &want) != 3) {
			diag("opendkim: %s", line);
			continue;
		}
		if (strstr(name, ".T-") != NULL) {
			is_int(got, 0, "OpenDKIM: tampered %s fails", name);
			nfail++;
		} else {
			is_int(got, want, "OpenDKIM: %s", name);
			npass += got;
		}
	}
	is_int(pclose(py), 0, "OpenDKIM ran");
	is_int(npass, odexpected, "OpenDKIM verified every signature "
	    "(but %d)", expected - odexpected);
	ok(nfail >= 2 * (int)(sizeof(msgs) / sizeof(msgs[0])) - 1,
	    "OpenDKIM: tampered copies checked (%d)", nfail);
	return done_testing();
}
