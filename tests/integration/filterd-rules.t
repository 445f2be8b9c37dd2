#!/usr/bin/env python3
#
# Copyright (c) 2026 The mxsuite developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
#
# tests/integration/filterd-rules.t: `filterd -n` loads the installed
# SpamAssassin configuration (Debian's 4.0.1 stock rules and .pre files)
# and must agree with SpamAssassin itself, asked through Mail::SpamAssassin
# in Perl: the same rule names, rule by rule, the same types, the same
# four scores, the same tflags, and the same regex source for every regex
# rule (ReplaceTags expanded as the plugin does).  Then a site directory
# of our own: conditionals, a custom rule, errors as file:line and the
# exit status, compared with `spamassassin --lint` on the same files.
# No sockets: no network namespace.

import collections
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxtap  # noqa: E402

t = mxtap.Tap(use_netns=False)
FILTERD = os.path.join(mxtap.BUILD, "filterd", "filterd")
if not os.access(FILTERD, os.X_OK):
    t.bail("build filterd first (make all)")

DUMP = r'''
use strict; use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::Util qw(qr_to_string);
my %tn = (8=>'header',9=>'header_eval',10=>'body',11=>'body_eval',
  12=>'full',13=>'full_eval',14=>'rawbody',15=>'rawbody_eval',16=>'uri',
  17=>'uri_eval',18=>'meta',19=>'rbl_eval',20=>'empty');
my %o = (local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => '/dev/null');
$o{site_rules_filename} = $ENV{SITE} if $ENV{SITE};
my $sa = Mail::SpamAssassin->new(\%o);
$sa->init(0);
my $c = $sa->{conf};
for my $n (sort keys %{$c->{test_types}}) {
  my $t = $c->{test_types}{$n};
  my $ty = $tn{$t};
  $ty = 'exists' if $t == 8 && $c->{test_opt_exists}{$n};
  my @s = map { $c->{scoreset}[$_]{$n} // 'u' } 0..3;
  my $p = '-';
  for my $k (qw(body_tests head_tests uri_tests rawbody_tests full_tests
      body_evals head_evals rawbody_evals full_evals)) {
    for my $pr (keys %{$c->{$k}}) { $p = $pr if exists $c->{$k}{$pr}{$n}; }
  }
  printf "rule %s %s %s %s %s\n", $n, $ty, join(',', map { $_ + 0 } @s),
    $p, ($c->{tflags}{$n} // '');
}
for my $n (sort keys %{$c->{test_qrs}}) {
  my $s = qr_to_string($c->{test_qrs}{$n});
  $s =~ s/^(?:\(\?aa\))+//;
  print "regex $n $s\n";
}
'''


def run(argv, env=None):
    e = dict(os.environ, HOME=t.tmp, LANG="C", LC_ALL="C")
    e.pop("LANGUAGE", None)
    if env:
        e.update(env)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e, timeout=300)
    return (p.returncode, p.stdout.decode("latin-1"),
            p.stderr.decode("latin-1"))


def parse(out):
    rules, regex = {}, {}
    for line in out.split("\n"):
        if line.startswith("rule "):
            f = line.split(" ", 5)
            f += [""] * (6 - len(f))
            scores = tuple(float(x) for x in f[3].split(","))
            rules[f[1]] = (f[2], scores, f[5].strip(), f[4])
        elif line.startswith("regex "):
            _, name, re = line.split(" ", 2)
            regex[name] = re
    return rules, regex


def compare(name, mine, theirs, what):
    only_sa = sorted(set(theirs) - set(mine))
    only_us = sorted(set(mine) - set(theirs))
    if not t.ok(not only_sa and not only_us,
                "%s: the same %d %s as SpamAssassin" %
                (name, len(theirs), what)):
        t.diag("only SpamAssassin has: " + " ".join(only_sa[:50]),
               "only filterd has: " + " ".join(only_us[:50]))


def tflags(s):
    # net inherited through metas: SA does one pass in hash order
    return " ".join(w for w in s.split() if w != "net")


# --- the stock configuration ---
rc, sa_out, sa_err = run(["perl", "-e", DUMP])
t.is_(rc, 0, "Mail::SpamAssassin loads the stock configuration")
sa_rules, sa_regex = parse(sa_out)
rc, out, err = run([FILTERD, "-n", "-vv"])
t.is_(rc, 0, "filterd -n exits 0 on the stock configuration")
t.like(out, r"(?m)^configuration OK$", "filterd -n says configuration OK")
t.is_(err, "".join(line + "\n" for line in err.split("\n")
                   if ": warning: " in line), "no errors on stderr")
rules, regex = parse(out)
rc2, _, err2 = run(["spamassassin", "--lint", "-L"])
t.is_(rc2, 0, "spamassassin --lint -L agrees: the stock configuration "
      "is clean")
if rc2 != 0:
    t.diag(err2[:2000])

compare("stock", rules, sa_rules, "rule names")
t.ok(len(sa_rules) > 2900, "SpamAssassin has %d rules (reference: 2,946)"
     % len(sa_rules))
counts = collections.Counter(v[0] for v in sa_rules.values())
ours = collections.Counter(v[0] for v in rules.values())
for ty in sorted(counts):
    t.is_(ours.get(ty, 0), counts[ty], "%s rules: %d" % (ty, counts[ty]))
    m = t.like(out, r"(?m)^rules %s: %d$" % (ty, counts[ty]),
               "summary line for %s" % ty)
    if not m:
        pass

bad = [n for n in sa_rules if n in rules and rules[n][0] != sa_rules[n][0]]
t.is_(bad[:20], [], "every rule has SpamAssassin's type")
bad = [n for n in sa_rules if n in rules and rules[n][1] != sa_rules[n][1]]
if not t.is_(len(bad), 0, "every rule has SpamAssassin's four scores"):
    for n in bad[:10]:
        t.diag("%s: SA %s filterd %s" % (n, sa_rules[n][1], rules[n][1]))
bad = [n for n in sa_rules if n in rules and
       tflags(rules[n][2]) != tflags(sa_rules[n][2])]
if not t.is_(len(bad), 0, "every rule has SpamAssassin's tflags"):
    for n in bad[:10]:
        t.diag("%s: SA '%s' filterd '%s'" % (n, sa_rules[n][2], rules[n][2]))

# SA's run lists: the priority each rule runs at (metas run apart);
# Razor2 moves its own rules to -100 when it forks, a plugin's choice
bad = [n for n in sa_rules if n in rules and sa_rules[n][3] != "-" and
       not n.startswith("RAZOR2_") and rules[n][3] != sa_rules[n][3]]
if not t.is_(len(bad), 0, "every rule runs at SpamAssassin's priority"):
    for n in bad[:10]:
        t.diag("%s: SA %s filterd %s" % (n, sa_rules[n][3], rules[n][3]))
t.ok(len([n for n in sa_rules if sa_rules[n][3] not in ("-", "0")]) > 90,
     "more than 90 rules have a priority other than 0")

compare("stock", regex, sa_regex, "regex rules")
t.ok(len(sa_regex) > 1500, "SpamAssassin has %d regex rules "
     "(reference: 1,521)" % len(sa_regex))
bad = [n for n in sa_regex if n in regex and regex[n] != sa_regex[n]]
if not t.is_(len(bad), 0, "every regex is SpamAssassin's, ReplaceTags "
             "expanded alike"):
    for n in bad[:5]:
        t.diag("%s:" % n, "  SA      %s" % sa_regex[n][:300],
               "  filterd %s" % regex[n][:300])
replaced = [n for n in ("__YOUR_WEBCAM", "__PAY_ME", "__MY_MALWARE")
            if n in regex and not re.search(r"<[A-Z]+>", regex[n]) and
            len(regex[n]) > 20000]
t.is_(len(replaced), 3, "the big ReplaceTags rules are expanded")

# regex compilation: reference 1,513 of 1,521 with plain PCRE2
fails = [line for line in out.split("\n")
         if line.startswith("unsupported ") and "regex does not" in line]
failed = [line.split()[1] for line in fails
          if line.split()[2] in ("header", "body", "rawbody", "full", "uri")]
t.is_(failed, [], "all %d regexes compile (reference: 1,513 with plain "
      "PCRE2)" % len(sa_regex))
t.like(out, r"(?m)^regex: \d+, compiled \d+ \(JIT \d+, split [1-9]\d* "
       r"into \d+\), failed \d+$", "some patterns were split to compile")
for n in ("__YOUR_WEBCAM", "__PAY_ME", "__MY_MALWARE", "__YOUR_ONAN",
          "__YOUR_PERSONAL", "__HOURS_DEADLINE", "__FILL_THIS_FORM_LONG1",
          "__FILL_THIS_FORM_LONG2"):
    t.ok(n not in failed, "%s compiles" % n)
evals = [line for line in out.split("\n")
         if line.startswith("unsupported ") and "eval" in line.split()[2]]
t.ok(100 < len(evals) < 300, "eval rules the engine cannot run (network "
     "tests, evals not written yet) are listed as unsupported (%d)"
     % len(evals))
t.ok(not re.search(r"(?m)^unsupported \S+ \S*eval: .*check_for_mime\b",
                  out),
     "evals the engine runs (check_for_mime) are not listed")
t.like(out, r"(?m)^unsupported RCVD_IN_SBL rbl_eval: network test "
       r"check_rbl_sub$", "a DNSBL rule is a network test")
t.like(out, r"(?m)^ignored setting bayes_ignore_header: \d+ lines$",
       "known settings filterd ignores are counted")

# --- every regex matches what Perl's matches, on the same lines ---
MATCH = r'''
use strict; use warnings;
use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1,
  dont_copy_prefs => 1, userprefs_filename => '/dev/null' });
$sa->init(0);
my $q = $sa->{conf}{test_qrs};
open(my $f, '<:raw', $ARGV[0]) or die;
my $n = 0;
while (my $l = <$f>) {
  $n++;
  chomp $l;
  for my $r (sort keys %$q) { print "$n $r\n" if $l =~ $q->{$r}; }
}
'''
lines = [
    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X",
    "Buy cheap V1AGRA and C1alis now!!! 100% FREE, no prescription",
    "Dear Friend, I am Barrister Mr. John Smith, the attorney to the late "
    "engineer who died with USD 15,500,000.00 (Fifteen Million Five "
    "Hundred Thousand United States Dollars) in a bank",
    "Please send your full name, address, country, phone and age",
    "1. Full name: ____ 2. Address: ____ 3. Country: ____ 4. Phone: ____ "
    "5. Age: ____",
    "I have installed a malware on your computer and recorded you with "
    "your webcam. Pay me 1500 USD in bitcoin within 48 hours",
    "Y\xd0\xbeur acc\xd0\xbeunt has been susp\xd0\xb5nded, verify now",
    "Click here to unsubscribe: http://example.com/u?id=123",
    "<html><body><font size=7 color=red>WIN</font><img src=x></body></html>",
    "Subject: =?utf-8?B?SGVsbG8gV29ybGQ=?=",
    "From: \"Bank of America\" <alerts@secure-bofa.example.net>",
    "Received: from mail.example.org (mail.example.org [192.0.2.7]) by "
    "mx.example.com with ESMTP id 12345; Mon, 1 Jan 2024 00:00:00 +0000",
    "Message-Id: <20240101000000.12345@localhost.localdomain>",
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii",
    "Lose 30 pounds in 30 days! Guaranteed weight loss, act now",
    "Your order #12345 has shipped. Track it at https://track.example",
    "http://bit.ly/abc123 https://t.co/xyz http://192.0.2.1/login.php",
    "CONGRATULATIONS!!! YOU HAVE WON THE LOTTERY $1,000,000",
    "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xe2\x80\x94 "
    "\xe2\x82\xac100",
    "",
]
rc, dout, _ = run(["perl", "-e", 'use Mail::SpamAssassin; my $s = '
                   'Mail::SpamAssassin->new({dont_copy_prefs => 1, '
                   'userprefs_filename => "/dev/null"}); $s->init(0); '
                   'print "$_\\n" for sort values %{$s->{conf}{descriptions}};'])
lines += [x for x in dout.split("\n") if x][:1500]
lf = os.path.join(t.tmp, "lines.txt")
with open(lf, "wb") as f:
    for x in lines:
        f.write(x.encode("latin-1", "replace")
                if all(ord(c) < 256 for c in x) else x.encode("utf-8"))
        f.write(b"\n")
rc, pout, perr = run(["perl", "-e", MATCH, lf])
t.is_(rc, 0, "Perl matched %d lines with SpamAssassin's regexes" %
      len(lines))
helper = os.path.join(mxtap.BUILD, "tests", "unit", "t_sa_conf")
with open(lf, "rb") as f:
    p = subprocess.run([helper, "match"], stdin=f, stdout=subprocess.PIPE,
                       timeout=300)
perl_hits = set(pout.split("\n")) - {""}
our_hits = set(p.stdout.decode("latin-1").split("\n")) - {""}
t.ok(len(perl_hits) > 1000, "%d (line, rule) matches in Perl" %
     len(perl_hits))
if not t.is_(len(perl_hits ^ our_hits), 0,
             "PCRE2 matches exactly what Perl matches"):
    t.diag("only Perl: " + ", ".join(sorted(perl_hits - our_hits)[:20]),
           "only filterd: " + ", ".join(sorted(our_hits - perl_hits)[:20]))

# --- a site directory of our own ---
site = os.path.join(t.tmp, "site")
os.mkdir(site)
rulesdir = os.path.join(t.tmp, "rules")
os.mkdir(rulesdir)
with open(os.path.join(rulesdir, "10_base.cf"), "w") as f:
    f.write("body BASE_RULE /base/\n")
with open(os.path.join(site, "init.pre"), "w") as f:
    f.write("loadplugin Mail::SpamAssassin::Plugin::ReplaceTags\n"
            "loadplugin Mail::SpamAssassin::Plugin::HeaderEval\n")
with open(os.path.join(site, "local.cf"), "w") as f:
    f.write("""# local rules
required_score 4.5
ifplugin Mail::SpamAssassin::Plugin::ReplaceTags
  body   LOCAL_OBFU   /<V><I>gra/i
  replace_rules LOCAL_OBFU
  replace_tag V (?:v|\\/)
  replace_tag I [i1!]
else
  body   LOCAL_OBFU   /viagra/i
endif
ifplugin Mail::SpamAssassin::Plugin::DCC
  body   LOCAL_NEVER  /never/
endif
if (version >= 4.000000) && !plugin(Mail::SpamAssassin::Plugin::DCC)
  header LOCAL_HDR    Subject =~ /cheap \\#1/ [if-unset: none]
  score  LOCAL_HDR    1.5 1.6 1.7 1.8
endif
meta   LOCAL_META   (LOCAL_OBFU + LOCAL_HDR) > 1 && !LOCAL_NEVER
score  LOCAL_META   3
""")
rc, out, err = run([FILTERD, "-n", "-vv", "-C", rulesdir,
                    "--siteconfigpath=" + site])
t.is_(rc, 0, "filterd -n on a small site dir: exit 0")
rules, regex = parse(out)
t.is_(sorted(rules), ["BASE_RULE", "LOCAL_HDR", "LOCAL_META", "LOCAL_OBFU"],
      "the rules the conditionals select")
t.is_(regex.get("LOCAL_OBFU"), "(?i)(?:v|\\/)[i1!]gra",
      "ReplaceTags expands tags defined after the rule")
t.is_(regex.get("LOCAL_HDR"), "cheap #1", "\\# in a rule is a literal #")
t.is_(rules.get("LOCAL_HDR", ("", ()))[1], (1.5, 1.6, 1.7, 1.8),
      "four scores")
t.is_(rules.get("LOCAL_OBFU", ("", ()))[1], (1.0,) * 4, "default score 1")

with open(os.path.join(site, "local.cf"), "a") as f:
    f.write("""body LOCAL_BAD /unclosed(/
meta LOCAL_BADMETA (LOCAL_OBFU &&
score LOCAL_META 1 2
bogus_setting 1
header LOCAL_BADHDR From:bogusmod =~ /x/
""")
rc, out, err = run([FILTERD, "-n", "-C", rulesdir,
                    "--siteconfigpath=" + site])
t.is_(rc, 1, "filterd -n with errors: exit 1")
lc = os.path.join(site, "local.cf")
for line, what in ((21, "invalid expression for rule LOCAL_BADMETA"),
                   (22, "missing 'score' value"),
                   (23, "failed to parse line: bogus_setting 1"),
                   (24, "invalid header modifier for LOCAL_BADHDR")):
    t.like(err, r"(?m)^%s:%d: config: .*%s" % (lc, line, what),
           "error reported as file:line: %s" % what)
t.like(out, r"(?m)^unsupported LOCAL_BAD body: regex does not compile: "
       r"missing closing parenthesis", "a regex PCRE2 rejects is reported "
       "by name with PCRE2's message")
rc2, _, err2 = run(["spamassassin", "--lint", "-L",
                    "--siteconfigpath=" + site, "-C", rulesdir])
t.ok(rc2 != 0, "spamassassin --lint fails on the same files too (%d)" % rc2)
for what in ("LOCAL_BADMETA", "bogus_setting", "LOCAL_BADHDR"):
    t.like(err2, what, "spamassassin --lint also names %s" % what)
t.done()
