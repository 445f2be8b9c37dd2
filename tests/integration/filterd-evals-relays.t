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

# filterd's Received parser (filterd/sa_relays.c) against SpamAssassin
# 4.0.1 itself: for each generated Received chain, under four network
# configurations, X-Spam-Relays-Trusted, -Untrusted, -Internal and
# -External (PerMsgStatus get()) and the unparseable count must be equal,
# byte for byte.

use strict;
use warnings;
use File::Temp qw(tempdir);

my $build = $ENV{MX_BUILD} or die "MX_BUILD not set\n";
my $dumper = "$build/tests/unit/t_sa_relays";
my $dir = $ENV{MX_RELAYS_KEEP} // tempdir(CLEANUP => 1);
my $D = 'Tue, 24 Nov 2026 10:11:12 +0000';

# each chain: Received values, top (newest) first; extra header lines
my @chains = (
 # Postfix
 ["from mail-ej1-f54.google.com (mail-ej1-f54.google.com [209.85.218.54])\n\tby mx.example.org (Postfix) with ESMTPS id 4F2A1C0123\n\tfor <bob\@example.org>; $D (UTC)",
  "by mail-ej1-f54.google.com with SMTP id a640c23a62f3a-a9a2209bd7so123456766b.2\n        for <bob\@example.org>; $D"],
 ["from localhost (localhost [127.0.0.1]) by mx.example.org (Postfix) with ESMTP id 11AA22BB; $D",
  "from mx1.example.com (unknown [198.51.100.23]) by mx.example.org (Postfix) with ESMTP id 33CC44DD; $D"],
 ["from [192.0.2.7] (unknown [198.51.100.9]) by smtp.example.org (Postfix) with ESMTPSA id 9AB8C7D6; $D"],
 ["from laptop (dsl-1.isp.example [203.0.113.77]) (Authenticated sender: joe) by smtp.example.org (Postfix) with ESMTPA id 1234ABCD; $D"],
 ["from mx.example.net (mx.example.net [IPv6:2001:db8::25]) by mx.example.org (Postfix) with ESMTPS id 4Abc123; $D"],
 ["from 207.8.214.3 (unknown[211.94.164.65]) by puzzle.pobox.com (Postfix) with SMTP id 9029AFB732; $D"],
 ["from int.example.org (int.example.org [10.0.0.2]) by mx.example.org (Postfix) with ESMTP id AAA111; $D",
  "from out.example.com (out.example.com [198.51.100.1]) by int.example.org (Postfix) with ESMTP id BBB222; $D",
  "from pc (unknown [10.9.9.9]) by out.example.com (Postfix) with ESMTP id CCC333; $D"],
 ["from mail.example.com (mail.example.com. [192.0.2.55]) by mx.example.org (Postfix) with ESMTP id FFF999; $D"],
 # Exim
 ["from [203.0.113.5] (helo=foo.example ident=joe) by relay.example.net with smtp (Exim 4.96) id 1qXyZ-000abc-00; $D"],
 ["from sc8-sf-list1-b.sourceforge.net ([10.3.1.13] helo=sc8-sf-list1.sourceforge.net) by sc8-sf-list2.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18t301-0007Bh-00; $D"],
 ["from server040.webpack.hosteurope.de ([80.237.130.48]:52313) by vps832469583.serverpool.info with esmtps (TLS-1.0:DHE_RSA_3DES_EDE_CBC_SHA:24) (Exim 4.50) id 1GzVLs-0002Oz-7b; $D"],
 ["from boggle.ihug.co.nz [203.109.252.209] by grunt6.ihug.co.nz with esmtp (Exim 3.35 #1 (Debian)) id 18SWRe-0006X6-00; $D"],
 ["from root (helo=candygram.thunk.org) by thunker.thunk.org with local-esmtps (Exim 4.50 #1 (Debian)) id 1FwHqR-0008Bw-OG; $D"],
 ["from mail.ssccbelen.edu.pe ([216.244.149.154]) by yzordderrex with esmtp (Exim 3.35 #1 (Debian)) id 18tqiz-000702-00 for <jm\@example.com>; $D"],
 ["from [2001:db8:1::5] (port=51234 helo=[IPv6:2001:db8:1::5]) by mail.example.de with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.94.2) (envelope-from <a\@example.de>) id 1mABCD-0001xy-Ab; $D"],
 # sendmail
 ["from mail1.insuranceiq.com (host66.insuranceiq.com [65.217.159.66] (may be forged)) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856 for <jm\@jmason.org>; $D"],
 ["from ran-out.mx.develooper.com (IDENT:qmailr\@one.develooper.com [64.81.84.115]) by dogma.slashnull.org (8.11.6/8.11.6) with SMTP id h381Vvf19860 for <jm-cpan\@jmason.org>; $D"],
 ["from gandalf ([4.37.75.131]) (authenticated bits=0) by herald.cc.purdue.edu (8.12.5/8.12.5/herald) with ESMTP id g9JLefrm028228 for <x\@example.net>; $D"],
 ["from roissy (p573.as1.exs.dublin.eircom.net [159.134.226.61]) (authenticated bits=0) by slate.dublin.wbtsystems.com (8.12.6/8.12.6) with ESMTP id g9MFWcvb068860 for <jm\@jmason.org>; $D"],
 ["(from username\@localhost) by home.example.com (8.12.11/8.12.11/Submit) id iBADHRP6011034; $D"],
 ["from 4wtgRl (kgbxn\@[211.244.147.115]) by dogma.slashnull.org (8.11.6/8.11.6) with SMTP id h8BBsUJ18848; $D"],
 ["from mail.sxptt.zj.cn ([218.0.185.24]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id h2FH0Zx11330 for <webmaster\@efi.ie>; $D"],
 # OpenSMTPD
 ["from mail.example.net (mail.example.net [198.51.100.44]) by mx.example.org (OpenSMTPD) with ESMTPS id 5f1c2a3b (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) for <bob\@example.org>; $D"],
 ["from localhost (example.com [local]) by example.com (OpenSMTPD) with ESMTPA id 5db34e0d for <email\@example.com>; $D"],
 ["from [192.168.1.20] (host.example [203.0.113.8]) by smtp.example.com (OpenSMTPD) with ESMTPSA id 7a8b9c0d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=joe; $D"],
 # qmail
 ["from unknown (HELO feux01a-isp) (213.199.4.210) by totor.bouissou.net with SMTP; 1 Nov 2003 07:05:19 -0000"],
 ["from adsl-207-213-27-129.dsl.lsan03.pacbell.net (HELO merlin.net.au) (Owner50\@207.213.27.129) by totor.bouissou.net with SMTP; 10 Nov 2003 06:30:34 -0000"],
 ["from x1-6-00-04-bd-d2-e0-a3.k317.webspeed.dk (benelli\@80.167.158.170) by totor.bouissou.net with SMTP; 5 Nov 2003 23:18:42 -0000"],
 ["from unknown (HELO terpsichore.farfalle.com) (jdavid\@[216.254.40.70]) (envelope-sender <jdavid\@farfalle.com>) by mail13.speakeasy.net (qmail-ldap-1.03) with SMTP for <jm\@jmason.org>; 12 Feb 2003 18:23:19 -0000"],
 ["(qmail 12345 invoked by uid 89); 24 Nov 2026 10:11:12 -0000"],
 ["from 156.56.111.196 by blazing.arsecandle.org (envelope-from <gentoo-announce-return-530\@lists.gentoo.org>, uid 502) with qmail-scanner-1.24 (clamdscan: 0.80/594. Clear:RC:0(156.56.111.196):. Processed in 0.288806 secs); 06 Feb 2005 21:11:38 -0000",
  "from lists.gentoo.org (156.56.111.196) by blazing.arsecandle.org with SMTP; 06 Feb 2005 21:11:38 -0000"],
 # Microsoft
 ["from EXC-DAG-02.global.net (10.45.252.152) by EXC-DAG-01.global.net (10.45.252.151) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) id 15.1.1261.35; $D"],
 ["from AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226]) by AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226%6]) with mapi id 15.20.1943.023; $D"],
 ["from inet-vrs-05.redmond.corp.microsoft.com ([157.54.6.157]) by INET-IMC-05.redmond.corp.microsoft.com with Microsoft SMTPSVC(5.0.2195.6624); $D"],
 ["from mail pickup service by mail1.insuranceiq.com with Microsoft SMTPSVC; $D"],
 ["from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2100.outbound.protection.outlook.com [40.107.22.100]) by mx.example.org (Postfix) with ESMTPS id 4XyZ12; $D",
  "from DB9PR02MB1234.eurprd02.prod.outlook.com (2603:10a6:10:1e3::12) by AM0PR02MB5678.eurprd02.prod.outlook.com (2603:10a6:208:15d::7) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7633.15; $D"],
 # Gmail
 ["from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor123456qkb.12.2026.11.24.02.11.11 for <x\@gmail.com> (Google Transport Security); $D"],
 ["by 2002:a05:6402:1234:b0:5c8:abcd:ef01 with SMTP id x18csp123456edy; $D",
  "from mail.example.com (mail.example.com. [198.51.100.7]) by mx.google.com with ESMTPS id si2-20020a170906cec200b00a9a1234567si123456ejb.12.2026.11.24.02.11.10 for <x\@gmail.com> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); $D"],
 ["from [192.168.1.2] (cpe-1.example.net. [203.0.113.9]) by smtp.gmail.com with ESMTPSA id a1sm123456wmb.1.2026.11.24.02.11.09 for <y\@example.org> (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); $D"],
 # IPv6, private ranges, odd forms
 ["from [IPv6:2001:db8::1] (unknown [IPv6:2001:db8::1]) by mx.example.org (Postfix) with ESMTP id A1B2C3; $D"],
 ["from host (host [::ffff:192.0.2.33]) by mx.example.org (8.15.2/8.15.2) with ESMTP id x1y2z3; $D"],
 ["from a.example (a.example [172.16.5.5]) by b.example (Postfix) with ESMTP id AAA; $D",
  "from c.example (c.example [192.168.3.3]) by a.example (Postfix) with ESMTP id BBB; $D",
  "from d.example (d.example [100.64.1.1]) by c.example (Postfix) with ESMTP id CCC; $D",
  "from e.example (e.example [169.254.1.1]) by d.example (Postfix) with ESMTP id DDD; $D"],
 ["from forged.example.com (forged.example.com [8.8.8.8]) by mx.example.org (Postfix) with ESMTP id FFF; $D",
  "from localhost by mx.example.org; $D"],
 ["from helo-only.example by mx.example.org; $D"],
 ["from [198.51.100.200] by mx.example.org; $D"],
 ["from nowhere special"],
 ["from [203.0.113.50] by relent.cedata.com (MessageWall 1.1.0) with SMTP; 20 Feb 2003 23:57:15 -0000"],
 ["from ironport.com (10.1.1.5) by a50.ironport.com with ESMTP; 01 Apr 2003 12:00:51 -0800"],
 ["from x71-x56-x24-5.webspeed.dk (HELO niels) (69.96.3.15) by la.mx.develooper.com (qpsmtpd/0.27-dev) with SMTP; Fri, 02 Jan 2004 19:26:52 -0800"],
 ["from [129.24.215.125] by ws1-7.us4.outblaze.com with http for _bushisevil_\@mail.com; Thu, 13 Feb 2003 15:59:28 -0500"],
 ["from cabbage.jmason.org [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for jm\@localhost (single-drop); $D",
  "from mx.example.com (mx.example.com [198.51.100.3]) by cabbage.jmason.org (Postfix) with ESMTP id ABC123; $D"],
 ["from mx.example.com (mx.example.com [198.51.100.3]) by cabbage.jmason.org (Postfix) with ESMTP id ABC123; $D",
  "from cabbage.jmason.org [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for jm\@localhost (single-drop); $D",
  "from pc (pc [10.1.1.1]) by mx.example.com (Postfix) with ESMTP id DEF456; $D"],
 ["from acecomms [202.83.84.95] by mailscan.acenet.net.au [202.83.84.27] with SMTP (MDaemon.PRO.v5.0.6.R) for <x\@example.net>; $D"],
 ["from [192.168.1.104] (account nazgul HELO [192.168.1.104]) by somewhere.com (CommuniGate Pro SMTP 3.5.7) with ESMTP-TLS id 2088434; $D"],
 ["FROM hackers.mr.itd.umich.edu (smtp.mail.umich.edu [141.211.14.81]) BY madman.mr.itd.umich.edu ID 434B508E.174A6.13932 ; 11 Oct 2005 01:41:34 -0400"],
 ["from DPLAPTOP ( 72.242.176.162) by mail.puryear-it.com (Scalix SMTP Relay 10.0.1.3) via ESMTP; Fri, 23 Jun 2006 16:39:47 -0500 (CDT)"],
 ["from 142.169.110.122 (SquirrelMail authenticated user synapse) by mail.nomis80.org with HTTP; Sat, 3 Apr 2004 10:33:43 -0500 (EST)"],
 ["from mx.example.com (mx.example.com [198.51.100.3]) by mx.example.org (Postfix) with ESMTP id ZZZ999 (envelope-from <bounce\@example.com>); $D"],
 ["from web.example.com (web.example.com [198.51.100.99]) by mx.example.org (Postfix) with ESMTP id YYY888; $D",
  undef, "X-Originating-IP: [203.0.113.200]"],
 ["from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with [XMail 1.20 ESMTP Server] id <S72E> for <jason\@ellingson.org> from <bounce-cscommunity-11965901\@list.cramsession.com>; Sat, 18 Sep 2004 23:17:54 -0500"],
 ["from mail-backend.DDDD.com (LHLO mail-backend.DDDD.com) (10.2.2.20) by mail-backend.DDDD.com with LMTP; Thu, 18 Jun 2015 16:50:56 -0700 (PDT)"],
);

# configurations: name => extra SpamAssassin lines / dumper flags
my @confs = (
	['inferred', [], []],
	['trusted', ['trusted_networks 198.51.100.0/24 10.0.0.0/8'],
	    ['-t', '198.51.100.0/24 10.0.0.0/8']],
	['internal', ['trusted_networks 198.51.100.0/24 10/8',
	    'internal_networks 10/8'],
	    ['-t', '198.51.100.0/24 10/8', '-i', '10/8']],
	['msa', ['trusted_networks !10.9.9.9 198.51.100.0/24 10.0.0.0/8',
	    'msa_networks 10.0.0.2'],
	    ['-t', '!10.9.9.9 198.51.100.0/24 10.0.0.0/8', '-m', '10.0.0.2']],
);

my @files;
for my $i (0 .. $#chains) {
	my @h = @{$chains[$i]};
	my $f = sprintf("%s/c%03d.eml", $dir, $i);
	open(my $fh, '>', $f) or die "$f: $!";
	my @extra;
	while (@h && defined $h[-1] && $h[-1] =~ /^X-/) { unshift @extra, pop @h }
	pop @h while @h && !defined $h[-1];
	print $fh "Received: $_\n" for @h;
	print $fh "$_\n" for @extra;
	print $fh "From: a\@example.com\nTo: b\@example.org\nSubject: t $i\n" .
	    "Message-ID: <$i\@example.com>\nDate: $D\n\nbody\n";
	close $fh;
	push @files, $f;
}

# SpamAssassin's view
my $sa_script = <<'PERL';
use strict; use warnings;
use Mail::SpamAssassin;
my ($cf, @files) = @ARGV;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1,
  dont_copy_prefs => 1, userprefs_filename => '/dev/null',
  post_config_text => "use_bayes 0\n$cf\n" });
$sa->init(1);
for my $f (@files) {
  open(my $fh, '<', $f) or die; my @l = <$fh>; close $fh;
  my $msg = $sa->parse(\@l, 1);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $pms->extract_message_metadata();
  (my $b = $f) =~ s{.*/}{};
  print "$b\n";
  for my $h (qw(Trusted Untrusted Internal External)) {
    my $v = $pms->get("X-Spam-Relays-$h"); $v = '' unless defined $v;
    chomp $v; print "$h: $v\n";
  }
  print "unparseable: $msg->{metadata}->{num_relays_unparseable}\n";
  $pms->finish; $msg->finish;
}
PERL
open(my $sfh, '>', "$dir/sa.pl") or die; print $sfh $sa_script; close $sfh;

sub run {
	my @cmd = @_;
	open(my $p, '-|', @cmd) or die "@cmd: $!";
	local $/; my $o = <$p>; close $p;
	die "@cmd: exit $?\n" if $?;
	my %r; my $cur;
	for (split /\n/, $o) {
		if (/^(c\d+\.eml)$/) { $cur = $1; next }
		$r{$cur} .= "$_\n" if defined $cur;
	}
	return \%r;
}

my $n = scalar(@confs) * scalar(@files);
print "1..", $n + 1, "\n";
my ($t, $agree) = (0, 0);
for my $c (@confs) {
	my ($name, $cf, $flags) = @$c;
	my $sa = run($^X, "$dir/sa.pl", join("\n", @$cf), @files);
	my $us = run($dumper, '--dump', @$flags, @files);
	for my $f (@files) {
		(my $b = $f) =~ s{.*/}{};
		$t++;
		my ($w, $g) = ($sa->{$b} // '', $us->{$b} // '');
		if ($w eq $g) {
			$agree++;
			print "ok $t - $name $b\n";
		} else {
			print "not ok $t - $name $b\n";
			print "# SpamAssassin:\n", map({ "#   $_\n" } split /\n/, $w);
			print "# filterd:\n", map({ "#   $_\n" } split /\n/, $g);
		}
	}
}
$t++;
print(($agree == $n ? "ok" : "not ok"),
    " $t - $agree of $n chain/configuration pairs agree\n");
