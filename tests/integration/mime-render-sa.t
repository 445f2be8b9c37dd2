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

# filterd's rendering (filterd/render.c, html.c over common/mime) against
# SpamAssassin 4.0.1 itself: for each generated message, the body lines
# (get_rendered_body_text_array), the rawbody elements
# (get_decoded_body_text_array) and the URI list (get_uri_list) must be
# equal, line by line.  Where they cannot agree, the case says why and
# what is compared instead.

use strict;
use warnings;
use File::Temp qw(tempdir);
use MIME::Base64 qw(encode_base64);
use MIME::QuotedPrint qw(encode_qp);

my $build = $ENV{MX_BUILD} or die "MX_BUILD not set\n";
my $dumper = "$build/tests/unit/t_render";
# MX_RENDER_KEEP=DIR keeps the generated messages there, for a look.
my $dir = $ENV{MX_RENDER_KEEP} // tempdir(CLEANUP => 1);

# name => [message, what is not compared (and why)]
my @cases;
sub msg { push @cases, [@_] }

msg('plain', "Subject: Hello there\nFrom: a\@example.org\n\n" .
    "Line one\nline two\n\n\nSecond paragraph.\n  indented\ttabs\n");
msg('no-subject', "From: a\@example.org\n\nJust a body.\n");
msg('crlf', "Subject: crlf\r\n\r\nOne\r\nTwo\r\n\r\nThree\r\n");
msg('subject-2047', "Subject: =?UTF-8?B?w6lsw6h2ZQ==?= and\n" .
    " =?iso-8859-1?q?caf=E9?= =?iso-8859-1?q?_cr=E8me?=\n\nx\n");
msg('html', "Subject: html\nContent-Type: text/html; charset=us-ascii\n\n" .
    "<html><head><title>The title</title><style>p {color: red}</style>" .
    "</head>\n<body><h1>Head</h1><p>One &amp; two &lt;3&gt;</p>\n" .
    "<div>three<br>four<br/>five</div><script>var x = 1;</script>" .
    "<ul><li>a</li><li>b </li></ul><table><tr><td>c1</td><td>c2</td>" .
    "</tr></table>&copy; 2024&nbsp;x &#65;&#x42;<!-- comment --></body>" .
    "</html>\n");
msg('html-invisible', "Subject: inv\nContent-Type: text/html\n\n" .
    "<body bgcolor=\"#ffffff\"><p>seen <font color=\"#ffffff\">white" .
    "</font> <font size=\"1\">tiny</font> <span style=\"display: none\">" .
    "none</span> end</p></body>\n");
msg('alternative-b64', "Subject: alt\nMIME-Version: 1.0\n" .
    "Content-Type: multipart/alternative; boundary=\"XX\"\n\n" .
    "preamble\n--XX\nContent-Type: text/plain; charset=utf-8\n" .
    "Content-Transfer-Encoding: base64\n\n" .
    encode_base64("Plain caf\xc3\xa9 text\n\nsecond para\n") .
    "--XX\nContent-Type: text/html; charset=utf-8\n\n" .
    "<p>HTML <b>caf\xc3\xa9</b> text</p>\n--XX--\nepilogue\n");
msg('qp-latin1', "Subject: qp\nContent-Type: text/plain; charset=iso-8859-1\n" .
    "Content-Transfer-Encoding: quoted-printable\n\n" .
    "Caf=E9 cr=E8me, =93quoted=94 and a soft =\nbreak.   \nNext line=\n\n");
msg('latin1-8bit', "Subject: 8bit\nContent-Type: text/plain; charset=ISO-8859-1\n" .
    "Content-Transfer-Encoding: 8bit\n\nna\xefve fa\xe7ade\n");
msg('utf8-mislabelled', "Subject: mis\nContent-Type: text/plain; " .
    "charset=iso-8859-1\n\nreally utf-8: \xc3\xa9t\xc3\xa9\n");
msg('koi8', "Subject: koi\nContent-Type: text/plain; charset=koi8-r\n\n" .
    "\xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2\n");
msg('nested-rfc822', "Subject: outer\nContent-Type: multipart/mixed; " .
    "boundary=o\n\n--o\nContent-Type: text/plain\n\nOuter text.\n" .
    "--o\nContent-Type: message/rfc822\n\nSubject: inner\n" .
    "Content-Type: multipart/alternative; boundary=i\n\n--i\n" .
    "Content-Type: text/plain\n\nInner plain.\n--i\n" .
    "Content-Type: text/html\n\n<p>Inner <i>html</i></p>\n--i--\n" .
    "--o\nContent-Type: application/octet-stream; name=x.bin\n" .
    "Content-Transfer-Encoding: base64\n\nAAECAw==\n--o--\n");
msg('attachment-html-name', "Subject: att\nContent-Type: multipart/mixed; " .
    "boundary=a\n\n--a\n\nsee attached\n--a\nContent-Type: " .
    "application/octet-stream\nContent-Disposition: attachment; " .
    "filename=\"page.html\"\n\n<p>attached <b>page</b></p>\n--a--\n");
msg('uris', "Subject: links www.example.com/s\n" .
    "Content-Type: multipart/alternative; boundary=u\n\n--u\n\n" .
    "Visit http://example.net/path?q=1). or https://secure.example.org,\n" .
    "mail bob\@example.org, ftp.example.com/pub and <www2.example.co.uk>\n" .
    "--u\nContent-Type: text/html\n\n<a href=\"https://example.com/x\">x</a>" .
    "<img src=\"http://img.example.com/i.png\" alt=\"\">" .
    "<form action=\"http://form.example.com/post\"></form>" .
    "<a href=\"mailto:carol\@example.org?subject=hi\">mail</a>\n--u--\n");
msg('uris-relative', "Subject: rel\nContent-Type: text/html\n\n" .
    "<img src=\"/i.png\"><a href=\"page\">p</a>" .
    "<base href=\"http://h.example/d/f.html\"><a href=\"rel\">r</a>" .
    "<a href=\"/abs\">a</a><a href=\"http://h.example:80/x\">x</a>\n");
msg('html-utf8', "Subject: u8\nContent-Type: text/html; charset=utf-8\n\n" .
    "<p>caf\xc3\xa9\xc2\xa0bar &#160;nb &euro; \xe2\x80\x9cq\xe2\x80\x9d " .
    "<a href=\xe2\x80\x9dhttp://q.example/\xe2\x80\x9d>l</a></p>\n");
msg('html-crlf-b64', "Subject: crlf b64\r\nContent-Type: multipart/related; " .
    "boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/html\r\n" .
    "Content-Transfer-Encoding: base64\r\n\r\n" .
    join("\r\n", split(/\n/, encode_base64("<div>line1\r\n<br>line2" .
    "</div>\r\n<p>para</p>\r\n"))) . "\r\n--r--\r\n");
msg('html-broken', "Subject: broken\nContent-Type: text/html\n\n" .
    "<body><font color=red>red <font color=\"#fff\">white</font> back" .
    "</font><o:p>office</o:p><p style=\"color: #000000; background-color: " .
    "#000001\">dark</p><span style=\"visibility:hidden\">hid</span>" .
    "<div>x</ b>y <3 z &unknown; &amp &AMP; &#x41 <!-- open comment\n" .
    "still comment --> after <br/>end <table><tr><td>t1<td>t2</table>" .
    "<img src=x.png width=1 height=1>a<b\n");
msg('plain-whitespace', "Subject: ws\nContent-Type: text/plain; charset=utf-8\n" .
    "\n" . "a\x{0c}b\x{0b}c\xc2\xa0d\xe2\x80\x83e\n \n\t\nf\x00g\r\nh\n");
msg('cp1252-quotes', "Subject: q\nContent-Type: text/plain; charset=windows-1252\n" .
    "\n\x93smart\x94 \x96 dash \x80 euro\n");
msg('subject-raw8bit', "Subject: raw caf\xe9 and \xc3\xa9t\xc3\xa9\n\nb\n");
msg('empty-body', "Subject: empty\n\n");
msg('digest', "Subject: digest\nContent-Type: multipart/digest; boundary=d\n\n" .
    "--d\n\nSubject: one\n\nfirst message\n--d\n\nSubject: two\n" .
    "Content-Type: text/html\n\n<i>second</i>\n--d--\n");
msg('rfc822-base64', "Subject: fwd\nContent-Type: multipart/mixed; " .
    "boundary=f\n\n--f\n\nforwarded:\n--f\nContent-Type: message/rfc822\n" .
    "Content-Transfer-Encoding: base64\n\n" .
    encode_base64("Subject: inside\n\ninner body\n") . "--f--\n");
msg('uris-schemeless', "Subject: bare example.org/subj\n\n" .
    "see example.com/path and EXAMPLE.org, (shop.example.co.uk:8080/x) " .
    "done.\nalso sub.example.com. end word.comx nope.invalidtld " .
    "host-.example.com -a.example.com under_score.example.net " .
    "\"quoted.example.info\" [br.example.de] x.y.z.example.museum/p?q " .
    "john.doe\@example.com.au ftp.example.org/pub www.example.jp\n");
# Subjects through SpamAssassin's header decoding (the first body line)
my @subjects = (
    "=?utf-8?b?w6k=?= =?iso-8859-1?q?=E9?= mixed charsets",
    "split =?UTF-8?B?w6nD?= =?UTF-8?B?qA==?= character",
    "in=?utf-8?q?side?=word and =?utf-8?q?a_b?=  =?utf-8?Q?c?=",
    "=?US-ASCII*EN?Q?Keith_Moore?= with language",
    "=?x-unknown?q?caf=E9?= unknown charset",
    "=?utf-8?b?!!bad*base64?= junk",
    "=?utf-8?q?unterminated and =?utf-8?x?bad?= encodings",
    "=?koi8-r?b?8NLJ18XU?=\t=?windows-1251?b?7+Dw?= cyrillic",
    "  leading and trailing blanks  \t",
    "=?utf-8?q?=F0=9F=98=80?= emoji and \xc3\xa9 raw",
);
for my $i (0 .. $#subjects) {
	msg("subject-$i", "Subject: $subjects[$i]\n\nb\n");
}
msg('long-line', "Subject: long\n\n" . ("word " x 700) . "\n" . ("x" x 3000) . "\n");
msg('missing-end-boundary', "Subject: noend\nContent-Type: multipart/mixed; " .
    "boundary=q\n\n--q\n\nfirst\n--q\nContent-Type: text/html\n\n" .
    "<p>second</p>\n");
msg('text-other', "Subject: other\nContent-Type: multipart/mixed; " .
    "boundary=t\n\n--t\nContent-Type: text/enriched\n\n<bold>rich</bold>\n" .
    "--t\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\n--t\n" .
    "Content-Type: text/x-vcard\n\nBEGIN:VCARD\n--t--\n");

# And 100 random messages (fixed seed): plain and HTML parts in four
# charsets, base64, QP and 8bit, alternative and mixed with an
# encapsulated message, HTML made of tags, entities, invisible text,
# links, addresses and bare host names glued to words.
{
	srand(20261125);
	my @w = ('hello', 'world', 'free', 'money', 'click', 'here', 'offer',
	    'meeting', 'tomorrow', 'report', 'attached', 'please', 'review',
	    'thanks', 'regards', "caf\xe9", "na\xefve");
	my @h = ('<p>', '</p>', '<br>', '<br/>', '<div>', '</div>', '<b>',
	    '</b>', '<font color="#ffffff">', '</font>', '<font size=1>',
	    '<span style="display:none">', '</span>', '<table><tr><td>',
	    '</td><td>', '</td></tr></table>', '<li>', '<ul>', '</ul>',
	    '&amp;', '&nbsp;', '&#160;', '&copy;', '&euro;', '&lt;', '&gt;',
	    '<!-- x -->', '<a href="http://ex%d.example.com/p">', '</a>',
	    '<img src="http://img.example.org/%d.gif">', "\n", "\n\n", '  ',
	    "\t", '<h1>', '</h1>', '<title>t</title>',
	    '<script>var a=1;</script>', '<style>.a{}</style>', '<pre>',
	    '</pre>', '<blockquote>', '</blockquote>', '<hr>', 'www.site%d.com',
	    'user%d@mail.example.net', '<center>', '</center>', '<o:p></o:p>',
	    '&quot;', '&#x263a;');
	my $words = sub {
		join(' ', map { my $x = $w[rand @w]; rand() < 0.1 ? "$x\n" :
		    rand() < 0.05 ? "$x\n\n" : $x } 1 .. shift);
	};
	my $html = sub {
		join('', map { my $b = $h[rand @h];
		    rand() < 0.5 ? ($b =~ /%d/ ? sprintf($b, int rand 100) : $b) :
		    $words->(1 + int rand 3) . ' ' } 1 .. shift);
	};
	my $part = sub {
		my ($type) = @_;
		my $cs = (qw(us-ascii iso-8859-1 utf-8 windows-1252))[rand 4];
		my $body = $type eq 'text/html' ? "<html><body>" .
		    $html->(10 + int rand 40) . "</body></html>\n" :
		    $words->(5 + int rand 60) . "\n";
		if ($cs eq 'utf-8') {
			utf8::upgrade($body);
			utf8::encode($body);
		}
		my $r = rand();
		my ($e, $b) = $r < 0.33 ? ('base64', encode_base64($body)) :
		    $r < 0.66 ? ('quoted-printable', encode_qp($body)) :
		    ('8bit', $body);
		"Content-Type: $type; charset=$cs\n" .
		    "Content-Transfer-Encoding: $e\n\n$b";
	};
	for my $i (1 .. 100) {
		my $subj = $words->(2 + int rand 5);
		$subj =~ s/\n/ /g;
		my $m = "From: a\@example.org\nSubject: $subj\nMIME-Version: 1.0\n";
		my $k = rand();
		if ($k < 0.3) {
			$m .= $part->(rand() < 0.5 ? 'text/plain' : 'text/html');
		} elsif ($k < 0.7) {
			$m .= "Content-Type: multipart/alternative; " .
			    "boundary=\"b$i\"\n\n--b$i\n" . $part->('text/plain') .
			    "\n--b$i\n" . $part->('text/html') . "\n--b$i--\n";
		} else {
			$m .= "Content-Type: multipart/mixed; boundary=\"m$i\"\n\n" .
			    "--m$i\n" . $part->('text/plain') . "\n--m$i\n" .
			    "Content-Type: message/rfc822\n\nSubject: inner $i\n" .
			    "Content-Type: multipart/alternative; " .
			    "boundary=\"i$i\"\n\n--i$i\n" . $part->('text/html') .
			    "\n--i$i--\n\n--m$i\nContent-Type: application/pdf; " .
			    "name=x.pdf\nContent-Transfer-Encoding: base64\n\n" .
			    "JVBERi0=\n--m$i--\n";
		}
		msg(sprintf("random-%03d", $i), $m);
	}
}

# What cannot agree, by case and view ("name/B", "name/R", "name/U"):
# the reason, reported as TODO.  None of these messages needs one; the
# differences known (filterd/render.c, at the top) need inputs that are
# not here: text parts past 50 KB of non-ASCII, UTF-16 without a BOM,
# redirectors.
my %differ = (
);

my $n = 0;
for my $c (@cases) {
	my ($name, $text) = @$c;
	open my $fh, '>:raw', "$dir/$name.eml" or die;
	print $fh $text;
	close $fh;
}
my @files = map { "$dir/$_->[0].eml" } @cases;

sub parse_dump {
	my ($out) = @_;
	my (%r, $cur);
	for (split /\n/, $out) {
		if (/^== (.*)/) { $cur = $1; $cur =~ s{.*/}{}; $cur =~ s/\.eml$//;
		    $r{$cur} = { B => [], R => [], U => [], H => [] }; next }
		next unless defined $cur && /^([BRUH]) (.*)$/;
		push @{$r{$cur}{$1}}, $2;
	}
	return \%r;
}

# SpamAssassin, in this process.
my $sa_out = '';
{
	require Mail::SpamAssassin;
	require Mail::SpamAssassin::PerMsgStatus;
	my $sa = Mail::SpamAssassin->new({ local_tests_only => 1,
	    dont_copy_prefs => 1, userprefs_filename => '/dev/null',
	    home_dir_for_helpers => $dir, post_config_text => "use_bayes 0\n" });
	$sa->init(0);
	my $esc = sub { my $s = shift; $s =~ s/\\/\\\\/g; $s =~ s/\n/\\n/g;
	    $s =~ s/([\x00-\x1f\x7f])/sprintf("\\x%02x", ord($1))/ge; $s };
	for my $f (@files) {
		my $t = do { local $/; open my $fh, '<:raw', $f or die; <$fh> };
		my $msg = $sa->parse($t, 1);
		my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
		$sa_out .= "== $f\n";
		$sa_out .= "B " . $esc->($_) . "\n"
		    for @{$msg->get_rendered_body_text_array()};
		$sa_out .= html_results($msg->{metadata}{html}, $esc)
		    if $msg->{metadata}{html};
		$sa_out .= "R " . $esc->($_) . "\n"
		    for @{$msg->get_decoded_body_text_array()};
		$sa_out .= "U " . $esc->($_) . "\n" for sort $pms->get_uri_list();
		$pms->finish;
		$msg->finish;
	}
}
my $sa = parse_dump($sa_out);

# HTML.pm's results for the last HTML part (what HTMLEval rules read),
# printed as t_render --dump prints ours.
sub html_results {
	my ($h, $esc) = @_;
	my $o = '';
	$o .= sprintf("H html_length %d\nH non_space_len %d\nH ratio %.4f\n",
	    $h->{html_length}, $h->{non_space_len}, $h->{ratio} // 0);
	$o .= sprintf("H length %d\nH image_area %d\n", $h->{length},
	    $h->{image_area});
	$o .= sprintf("H min_size %d\nH max_size %d\n", $h->{min_size},
	    $h->{max_size});
	for my $k (qw(closed_extra_ratio bad_tag_ratio non_element_ratio
	    obfuscation_ratio)) {
		$o .= sprintf("H %s %.4f\n", $k, $h->{$k}) if defined $h->{$k};
	}
	$o .= "H backhair_count $h->{backhair_count}\n"
	    if $h->{backhair_count};
	for my $k (qw(font_low_contrast font_invalid_color font_face_bad
	    form_action_mailto embeds)) {
		$o .= "H $k 1\n" if $h->{$k};
	}
	my $in = $h->{inside} || {};
	$o .= "H inside" . join('', map { " $_=$in->{$_}" } sort keys %$in) .
	    "\n";
	# texts as UTF-8, whether Perl holds them as octets or characters
	my $u8 = sub { my $s = join('|', map { $_ // '' } @{$_[0] || []});
	    utf8::upgrade($s); utf8::encode($s); $s };
	$o .= "H " . $esc->("title " . $u8->($h->{title})) . "\n";
	$o .= "H " . $esc->("anchor " . $u8->($h->{anchor})) . "\n";
	$o .= sprintf("H comments %d\nH scripts %d\n",
	    scalar @{$h->{comment} || []}, scalar @{$h->{script} || []});
	return $o;
}
# SpamAssassin's TLD list, as filterd's configuration gives it to render
my $tlds = "/usr/share/spamassassin/20_aux_tlds.cf";
my $ours_out = `"$dumper" --dump --tlds $tlds @files`;
die "t_render --dump failed: $?\n" if $?;
my $ours = parse_dump($ours_out);

my $tests = 0;
print "1.." . (4 * @cases) . "\n";
for my $c (@cases) {
	my $name = $c->[0];
	for my $v (qw(B R U H)) {
		my @a = @{$ours->{$name}{$v} || []};
		my @b = @{$sa->{$name}{$v} || []};
		$tests++;
		my $what = { B => 'body', R => 'rawbody', U => 'uris',
		    H => 'html results' }->{$v};
		if (my $why = $differ{"$name/$v"}) {
			print "ok $tests - $name: $what # TODO $why\n";
			next;
		}
		my $same = @a == @b;
		for (my $i = 0; $same && $i < @a; $i++) {
			$same = 0 if $a[$i] ne $b[$i];
		}
		print(($same ? "" : "not ") . "ok $tests - $name: $what\n");
		next if $same;
		my $max = @a > @b ? @a : @b;
		for (my $i = 0; $i < $max; $i++) {
			my ($x, $y) = ($a[$i] // '(none)', $b[$i] // '(none)');
			next if $x eq $y;
			print STDERR "#   $what line $i\n#     ours: $x\n#       SA: $y\n";
		}
	}
}
