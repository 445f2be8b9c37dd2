#!/usr/bin/perl
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

# filterd's eval functions (filterd/sa_eval.c) against SpamAssassin 4.0.1
# itself: generated messages are checked by SpamAssassin (stock rules,
# local tests only, no Bayes) and by filterd's engine (t_sa_eval --scan);
# for every message, the stock rules that run an eval filterd implements
# (t_sa_eval --rules) must hit in both or in neither.  Every such rule
# that hits somewhere is listed, so the test shows what it covered.

use strict;
use warnings;
use File::Temp qw(tempdir);

my $build = $ENV{MX_BUILD} or die "MX_BUILD not set\n";
my $tool = "$build/tests/unit/t_sa_eval";
my $dir = $ENV{MX_EVALS_KEEP} // tempdir(CLEANUP => 1);
my $D = 'Tue, 24 Nov 2026 10:11:12 +0000';

my @rcvd = (
 [],
 ["from mx.example.com (mx.example.com [198.51.100.3]) by mx.example.org (Postfix) with ESMTP id ABC123; $D"],
 ["from pc (pc [10.1.1.1]) by mx.example.org (Postfix) with ESMTP id DEF456; $D"],
 ["from 1.2.3.4 (unknown [8.8.8.8]) by mx.example.org (Postfix) with ESMTP id GHI789; $D"],
 ["from nowhere special"],
 ["from yahoo.com (unknown [8.8.4.4]) by mx.example.org (Postfix) with ESMTP id JKL012; $D"],
 ["from a.one.example (a.one.example [203.0.113.1]) by mx.example.org (Postfix) with ESMTP id MNO345; $D",
  "from b.two.example (b.two.example [203.0.113.2]) by c.three.example (Postfix) with ESMTP id PQR678; $D",
  "from d.four.example (d.four.example [203.0.113.3]) by e.five.example (Postfix) with ESMTP id STU901; $D"],
 ["from web1.mail.yahoo.com (web1.mail.yahoo.com [98.136.1.1]) by mx.example.org (Postfix) with ESMTP id VWX234; $D"],
 ["from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41]) by mx.example.org (Postfix) with ESMTPS id YZA567; $D"],
 ["from rly-xa01.mx.aol.com (rly-xa01.mx.aol.com [64.12.1.1]) by mx.example.org (Postfix) with ESMTP id BCD890; $D"],
 ["from hotmail.com (unknown [65.54.1.1]) by mx.example.org (Postfix) with ESMTP id EFG123; $D"],
);
my @from = ('boss@trusted.example', 'friend@partner.example',
    'fake@partner.example', 'teller@bank.example', 'x@bank2.example',
    'evil1@spam.example', 'a@example.com', '"Ann" <ann@gmail.com>', 'bob@yahoo.com',
    'x@hotmail.com', 'j@juno.com', 'e@eudoramail.com',
    "\x81\x82\x83\x84\x85 <z\@example.net>", "=?UTF-8?B?w6l0w6k=?= <u\@example.net>",
    '"ABCDEFGHIJKLMNOPQRSTUVWXYZAB" <ABCDEFGHIJKLMNOPQRSTUVWXYZAB.x@example.com>');
my @subj = ('Hello there', 'BUY CHEAP PILLS NOW', 'Re: FWD: LAST CHANCE OFFER',
    'bob, you won', "Illegal \x01\x02 chars \xff\xfe here", 'Hi %FIRST_NAME',
    'ab', 'SHORT');
my @to = ('bob@example.org', undef, 'Undisclosed <bob@example.org>',
    'c@blocked.example', 'nobody@example.org, b@example.org');
my @extra = ('', "X-Campaign: %CUSTOMER_ID\n", "Subject: second\n",
    "X-Received: by 2002:a05:6402:1234:b0:5c8:abcd:ef01 with SMTP id x18csp1;\n",
    "X-Originating-IP: [8.8.8.8]\nX-Mailer: Juno 5.0\n",
    "Apparently-To: bob\@example.org\n",
    "Message-ID: <ABCDEFGHIJKLMNOPQRSTUVWXYZAB.x\@example.com>\n",
    "Reply-To: joe123\@gmail.com\n", "Return-Path: <abc9\@yahoo.com>\n",
    "Disposition-Notification-To: x\@hotmail.com\nMail-Reply-To: info\@gmail.com\n",
    "Reply-To: a\@example.com, b7\@aol.com\n");
my @bodies = (
 ["text/plain", "Just some plain text.\nAnother line.\n"],
 ["text/html", "<html><head><title>Hi</title></head><body><p>Hello <b>there</b></p></body></html>\n"],
 ["text/html", "<html><body><center>centered</center><img src=\"http://example.com/a.gif\" width=400 height=300></body></html>\n"],
 ["text/html", "<html><body><font size=7>HUGE</font> and <font size=5>big</font> text<!x><!-- saved from url=(0022)http://internet.e-mail --></body>\n"],
 ["text/html", "<html><head><title>" . ("Long title " x 15) . "</title><meta name=x content=y><style>p{}</style><script>var a;</script></head><body><p>short</p></body></html>\n"],
 ["text/html", "<html><body bgcolor=#ffffff><font color=#fefefe>invisible text here</font><embed src=x.swf><form action=\"mailto:a\@b.c\"><bgsound src=x.wav></form><font face=\"\">x</font></body></html>\n"],
 ["text/html", "<html><body>" . join("", map { "<img src=\"http://example.com/i$_.png\" width=640 height=480>" } 1 .. 3) . "</body></html>\n"],
 ["text/html", "<html><body><foo><bar><baz>text</baz></bar></foo><p>" . ("word " x 300) . "</p></body></html>\n"],
 ["text/html", "<html><body>H&#101;llo <b>w</b>o<b>r</b>ld <zz>x</zz></body></html></html></body>\n"],
);

use MIME::Base64 qw(encode_base64);
# whole MIME bodies (Content-Type line included) for the MIMEEval rules
my @mime = (
 "Content-Type: multipart/alternative; boundary=\"AA\"\n\n--AA\nContent-Type: text/plain; charset=us-ascii\n\nshort\n--AA\nContent-Type: text/html; charset=us-ascii\n\n<html><body>" . ("<p>much longer html text</p>" x 40) . "</body></html>\n--AA--\n",
 "Content-Type: multipart/alternative; boundary=\"AA\"\n\n--AA\nContent-Type: text/plain\n\nplain alt\n--AA\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n--AA--\n",
 "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: base64\n\n" . encode_base64("Base64 encoded plain text that is long enough to wrap a line or two here.\n" x 3),
 "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nQP text caf=E9 na=EFve=20=20\nA very long quoted printable line that goes on and on and on well past the limit of =\nseventy-nine characters without a soft break here ok ok ok ok ok ok ok ok ok ok ok\n",
 "Content-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\nContent-Type: text/plain; charset=iso-8859-99-x\n\nbad iso\n--BB\nContent-Type: application/octet-stream; name=x.bin\nContent-Disposition: attachment; filename=x.bin\nContent-Transfer-Encoding: base64\n\n" . ("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n" x 2) . "--BB--\n",
 "Content-Type: text/plain; charset=us-ascii\n\nUnicode &#x0041;&#x0042;&#x0043;&#x0044; and raw \xe9 byte\n",
 "Content-Type: text/plain\n\n" . ("THIS IS A VERY LOUD MESSAGE WITH MANY CAPITAL LETTERS IN IT. " x 6) . "\n",
 "Content-Type: text/plain\n\nline\n\n\n\n\n\n\n\n\n\nend\n\n\n\n\n\n\n\n\n",
 "Content-Type: text/html; charset=utf-8\n\n<html><body><p>html only</p></body></html>\n",
 "Content-Type: multipart/alternative; boundary=\"CC\"\n\n--CC\nContent-Type: text/plain\n\n" . ("plain text " x 60) . "\n--CC\nContent-Type: text/html\n\n<p>x</p>\n--CC--\n",
 "Content-Type: text/plain; charset=koi8-r\n\n" . ("MOSTLY UPPER CASE TEXT BUT IN KOI8 " x 8) . "\n",
 "Content-Type: multipart/mixed; boundary=\"DD\"\n\npreamble\n--DD\nno header here\n\n--DD\nContent-Type: text/plain\nbody right after the header\n--DD--\nan epilogue\n",
 "Content-Type: multipart/mixed; boundary=\"EE\"\n\n--EE\n\nno headers at all\n--EE\nContent-Type: text/plain\n\nfine\n--EE--\n.\n\n",
 "Content-Type: multipart/alternative; boundary=\"FF\"\n\n--FF\nContent-Type: text/plain\n\nthe same words in both parts here\n--FF\nContent-Type: text/html\n\n<p>the same words in both parts here</p>\n--FF--\n",
 "Content-Type: multipart/alternative; boundary=\"GG\"\n\n--GG\nContent-Type: text/plain\n\nhello\n--GG\nContent-Type: text/html\n\n<img src=\"http://example.com/x.gif\">\n--GG--\n",
 "Content-Type: multipart/related; boundary=\"HH\"\n\n--HH\nContent-Type: multipart/alternative; boundary=\"JJ\"\n\n--JJ\nContent-Type: text/plain\n\nalpha beta gamma delta\n--JJ\nContent-Type: text/html\n\n<p>alpha beta gamma delta epsilon zeta eta theta iota kappa</p>\n--JJ--\n--HH\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--HH--\n",
);

my @files;
my $i = 0;
for my $k (0 .. $#mime) {
	for my $v (0 .. 2) {
		my $m = "Received: $rcvd[1 + $v][0]\n" .
		    "From: $from[$k % @from]\nTo: bob\@example.org\n" .
		    "Subject: $subj[($k + $v) % @subj]\nDate: $D\n" .
		    "Message-ID: <mime$k.$v\@example.com>\nMIME-Version: 1.0\n";
		$m .= "X-Folded: a\n\tb\n" if $v == 2;
		$m .= $mime[$k];
		my $path = sprintf("%s/m%03d.eml", $dir, $i++);
		open(my $fh, '>', $path) or die "$path: $!";
		print $fh $m;
		close $fh;
		push @files, $path;
	}
}
# Date against the Received dates (check_for_shifted_date)
for my $d ('Tue, 24 Nov 2026 06:11:12 +0000', 'Tue, 24 Nov 2026 02:00:00 +0000',
    '23 Nov 2026 13:11:12 GMT', 'Sun, 22 Nov 2026 20:00:00 +0000',
    'Fri, 20 Nov 2026 10:11:12 -0000', 'Tue, 24 Nov 2026 14:30:00 +0000',
    'Tue, 24 Nov 2026 19:00:00 +0000', 'Wed, 25 Nov 2026 08:00:00 +0000',
    'Thu, 26 Nov 2026 01:00:00 +0000', 'Sat, 28 Nov 2026 01:00:00 +0000',
    'Mon, 1 Mar 2027 10:00:00 +0000', 'Tue, 24 Nov 2026 05:11:12 EST',
    'Tue, 24 Nov 2026 11:11:12 CET', 'Tue, 24 Nov 26 10:11:12 +0000',
    'Nov 24 10:11:12 2026', '24 Nov 2026 10:11 PDT', 'garbage date',
    'Tue, 31 Nov 2026 10:11:12 +0000', 'Tue, 24 Nov 2026 10:11:12 +0530') {
	for my $r (0, 1) {
		my $m = "Received: from mx.example.com (mx.example.com " .
		    "[198.51.100.3]) by mx.example.org (Postfix) with ESMTP " .
		    "id ABC123; $D\n";
		$m .= "Received: from localhost (localhost [127.0.0.1]) by " .
		    "mx.example.org (Postfix) with ESMTP id DEF456; " .
		    "Tue, 24 Nov 2026 10:00:00 +0000\n" if $r;
		$m .= "From: a\@example.com\nTo: b\@example.org\n" .
		    "Subject: dated\nDate: $d\nMessage-ID: <d$i\@example.com>" .
		    "\n\nbody\n";
		my $path = sprintf("%s/m%03d.eml", $dir, $i++);
		open(my $fh, '>', $path) or die "$path: $!";
		print $fh $m;
		close $fh;
		push @files, $path;
	}
}
# recipients, images, vertical text, Outlook message ids
for my $m (
    "To: a1\@aa.example, b2\@ab.example, c3\@ac.example, d4\@ad.example\nCc: e5\@ae.example, f6\@af.example, g7\@ag.example\n\nsorted\n",
    "To: zz\@aa.example, yy\@ab.example, xx\@ac.example, ww\@ad.example\nCc: vv\@ae.example, uu\@af.example, tt\@ag.example\n\nnot sorted\n",
    "To: joe1\@mail.example, joe2\@mail.example, joe3\@mail.example\nCc: joe4\@mail.example, jo5\@maiz.example\n\nsimilar\n",
    "To: a\@x.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"II\"\n\n--II\nContent-Type: text/plain\n\nsee images\n--II\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n--II\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\n--II\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=\n--II\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n--II--\n",
    "To: a\@x.example\nSubject: v\n\nV e r t i c a l   w o r d s   h e r e   a n d   m o r e\n\nb u y   n o w\n",
    "To: a\@x.example\nDate: Tue, 24 Nov 2026 10:11:12 +0000\nMessage-ID: <0000aaaaaaaa\$bbbbbbbb\$cccccccc\@example.com>\n\noutlook\n",
    "To: a\@x.example\nDate: Tue, 24 Nov 2026 10:11:12 +0000\nMessage-ID: <000025c6a2ee\$bbbbbbbb\$cccccccc\@example.com>\n\noutlook ok\n") {
	my $path = sprintf("%s/m%03d.eml", $dir, $i++);
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh "From: r\@example.com\nSubject: recips\n" . $m;
	close $fh;
	push @files, $path;
}
# images with sizes (ImageInfo): GIF 500x400, PNG 600x400, JPEG 400x300
my $gif = encode_base64(pack("a6vvCCC", "GIF89a", 500, 400, 0, 0, 0) . "\0" x 20);
my $png = encode_base64("\x89PNG\r\n\x1a\n" . pack("Na4NNCCCCC", 13, "IHDR", 600, 400, 8, 2, 0, 0, 0) . "\0" x 8);
my $jpg = encode_base64("\xFF\xD8\xFF\xE0" . pack("n", 16) . "JFIF\0" . "\0" x 9 . "\xFF\xC0" . pack("nCnnC", 17, 8, 300, 400, 3) . "\0" x 9 . "\xFF\xD9");
for my $set (["gif"], ["png"], ["jpeg"], ["gif", "png"], ["gif", "gif", "jpeg"]) {
	my %data = (gif => $gif, png => $png, jpeg => $jpg);
	my $m = "From: img\@example.com\nTo: b\@example.org\nSubject: pics\n" .
	    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"KK\"\n\n" .
	    "--KK\nContent-Type: text/html\n\n<p>see</p>\n";
	$m .= "--KK\nContent-Type: image/$_\nContent-Transfer-Encoding: base64\n\n$data{$_}" for @$set;
	$m .= "--KK--\n";
	my $path = sprintf("%s/m%03d.eml", $dir, $i++);
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh $m;
	close $fh;
	push @files, $path;
}
# stock spam fields (check_stock_info)
for my $b ("Company: Acme Corp\nSymbol: ACME\nCurrent Price: 0.05\nTarget: 2.00\n",
    "Ticker: XYZ\nfoo bar\n", "Sector : mining\nRating: strong buy\n",
    "Nothing: here\nAlso: nothing\n") {
	my $path = sprintf("%s/m%03d.eml", $dir, $i++);
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh "From: s\@example.com\nTo: b\@example.org\nSubject: hot stock\n\n$b";
	close $fh;
	push @files, $path;
}
# a header that never ends; a short body; a long header value
for my $m ("From: a\@example.com\nSubject: no body\n",
    "From: a\@example.com\nTo: b\@example.org\nSubject: hi\n\nx\n",
    "From: a\@example.com\nX-Long: " . ("y" x 9000) . "\n\nbody\n",
    "From: a\@example.com\n--boundary\n\nbody\n") {
	my $path = sprintf("%s/m%03d.eml", $dir, $i++);
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh $m;
	close $fh;
	push @files, $path;
}
for my $r (0 .. $#rcvd) {
	for my $k (0 .. 11) {
		my $f = $from[($r + $k) % @from];
		my $s = $subj[($r * 3 + $k) % @subj];
		my $t = $to[($r + $k * 2) % @to];
		my $x = $extra[($r * 5 + $k) % @extra];
		my $b = $bodies[($r * 7 + $k) % @bodies];
		my $m = '';
		$m .= "Received: $_\n" for @{$rcvd[$r]};
		$m .= "From: $f\n";
		$m .= "To: $t\n" if defined $t;
		$m .= "Subject: $s\nDate: $D\n" . $x;
		$m .= "Message-ID: <$i.$r\@example.com>\n" unless $x =~ /Message-ID/;
		$m .= "MIME-Version: 1.0\nContent-Type: $b->[0]; charset=us-ascii\n\n$b->[1]";
		my $path = sprintf("%s/m%03d.eml", $dir, $i++);
		open(my $fh, '>', $path) or die "$path: $!";
		print $fh $m;
		close $fh;
		push @files, $path;
	}
}

# the rules under test
my %ours;
open(my $rl, '-|', $tool, '--rules') or die "$tool: $!";
while (<$rl>) { my ($n, $fn) = split; $ours{$n} = $fn }
close $rl or die "$tool --rules failed\n";

# every rule under test gets a score, so that the stock zero-scored
# ones (MISSING_HB_SEP, HEAD_LONG, MULTIPART_ALT_NON_TEXT, ...) run too
# and the address lists have entries
$ENV{MX_EVAL_CF} = join("\n", (map { "score $_ 0.01" }
    grep { !/^__/ } sort keys %ours),
    'welcomelist_from *@trusted.example', 'blocklist_from evil?@*.example',
    'welcomelist_from_rcvd friend@partner.example mx.example.com',
    'welcomelist_from_rcvd fake@partner.example elsewhere.example',
    'def_welcomelist_from_rcvd *@bank.example [198.51.100.3]',
    'def_welcomelist_from_rcvd *@bank2.example [198.51.100]',
    'welcomelist_to bob@example.org', 'more_spam_to b@example.org',
    'blocklist_to *@blocked.example', 'all_spam_to nobody@example.org');

my $sa_script = <<'PERL';
use strict; use warnings;
use Mail::SpamAssassin;
my @files = @ARGV;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1,
  dont_copy_prefs => 1, userprefs_filename => '/dev/null',
  post_config_text => "use_bayes 0\nbayes_auto_learn 0\n$ENV{MX_EVAL_CF}\n" });
$sa->init(1);
for my $f (@files) {
  open(my $fh, '<', $f) or die; my @l = <$fh>; close $fh;
  my $msg = $sa->parse(\@l, 1);
  my $pms = $sa->check($msg);
  my @h = (split(/,/, $pms->get_names_of_tests_hit),
    split(/,/, $pms->get_names_of_subtests_hit));
  (my $b = $f) =~ s{.*/}{};
  print "$b: @h\n";
  $pms->finish; $msg->finish;
}
PERL
open(my $sfh, '>', "$dir/sa.pl") or die; print $sfh $sa_script; close $sfh;

sub run {
	open(my $p, '-|', @_) or die "@_: $!";
	my %r;
	while (<$p>) {
		chomp;
		my ($f, $h) = split(/:/, $_, 2);
		$r{$f} = { map { $_ => 1 } grep { exists $ours{$_} }
		    split(' ', $h // '') };
	}
	close $p or die "$_[0]: exit $?\n";
	return \%r;
}
my $sa = run($^X, "$dir/sa.pl", @files);
my $us = run($tool, '--scan', @files);

print "1..", scalar(@files) + 2, "\n";
my ($t, $agree, %seen) = (0, 0);
for my $f (@files) {
	(my $b = $f) =~ s{.*/}{};
	$t++;
	my $w = $sa->{$b} // {};
	my $g = $us->{$b} // {};
	$seen{$_}++ for keys %$w;
	my @miss = sort grep { !$g->{$_} } keys %$w;
	my @extra = sort grep { !$w->{$_} } keys %$g;
	if (!@miss && !@extra) {
		$agree++;
		print "ok $t - $b: ", join(' ', sort keys %$w), "\n";
	} else {
		print "not ok $t - $b\n";
		print "# only SpamAssassin: @miss\n" if @miss;
		print "# only filterd: @extra\n" if @extra;
	}
}
$t++;
print(($agree == @files ? "ok" : "not ok"),
    " $t - $agree of ", scalar(@files), " messages agree on ",
    scalar(keys %ours), " eval rules\n");
$t++;
my $cover = scalar(keys %seen);
print(($cover >= 20 ? "ok" : "not ok"),
    " $t - $cover eval rules hit at least once: ",
    join(' ', sort keys %seen), "\n");
