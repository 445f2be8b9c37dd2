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
#
#
# tests/style.t: the mechanical part of STYLE.md, on every source file of
# the tree (tracked, or new and not ignored): the ISC licence block, 80
# columns, no trailing white space, no banned functions, no struct
# typedefs, and the return type of a function definition on its own line.

use strict;
use warnings;

my $top = $ENV{MX_TOP} // '.';
chdir $top or die "chdir $top: $!";

my @files;
# git's list when git is there; otherwise (a machine without git, as a
# fresh chroot) every file but the build output: never an empty list
if (-d '.git') {
	@files = split /\n/,
	    `git ls-files --cached --others --exclude-standard 2>/dev/null`;
}
if (!@files) {
	# what .gitignore leaves out, left out here too
	@files = split /\n/, `find . -path ./.git -prune -o -path ./build -prune -o -path ./build-san -prune -o -path ./build-fuzz -prune -o -path ./.deps -prune -o -path ./config.mk -prune -o -type f ! -name '*.o' ! -name '*.a' -print | sed 's|^\\./||'`;
}
@files = grep { -f $_ } @files;

my @c = grep { /\.(c|h|y)$/ } @files;
my @scripts = grep {
	my $f = $_;
	($f =~ /\.(t|sh|py)$/ || $f eq 'configure' || $f =~ m{^\.ci/}) &&
	    $f !~ /\.txt$/
} @files;

print "1..", scalar(@c) + scalar(@scripts) + 1, "\n";
my $n = 0;
my $failed = 0;

sub result {
	my ($file, @problems) = @_;
	$n++;
	if (@problems) {
		$failed++;
		print "not ok $n - $file\n";
		print STDERR "# $_\n" for @problems[0 .. ($#problems < 19 ? $#problems : 19)];
		print STDERR "# ... ", scalar(@problems) - 20, " more\n"
		    if @problems > 20;
	} else {
		print "ok $n - $file\n";
	}
}

sub columns {
	my ($line) = @_;
	my $col = 0;
	for my $ch (split //, $line) {
		if ($ch eq "\t") {
			$col = ($col + 8) & ~7;
		} else {
			$col++;
		}
	}
	return $col;
}

my $banned = qr/\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi)\s*\(/;

for my $f (@c) {
	open my $fh, '<', $f or do { result($f, "cannot open: $!"); next };
	my @lines = <$fh>;
	close $fh;
	my @p;
	my $head = join '', @lines[0 .. ($#lines < 16 ? $#lines : 16)];
	push @p, "$f: no ISC licence block at the top"
	    unless $head =~ /Copyright \(c\)/ &&
	    $head =~ /Permission to use, copy, modify, and distribute/;
	my $in_comment = 0;
	for my $i (0 .. $#lines) {
		my $l = $lines[$i];
		chomp $l;
		my $ln = $i + 1;
		push @p, "$f:$ln: longer than 80 columns"
		    if columns($l) > 80;
		push @p, "$f:$ln: trailing white space" if $l =~ /[ \t]$/;
		# strip comments and strings before looking for code
		my $code = $l;
		if ($in_comment) {
			if ($code =~ s{^.*?\*/}{}) { $in_comment = 0 }
			else { next }
		}
		$code =~ s{/\*.*?\*/}{}g;
		if ($code =~ s{/\*.*$}{}) { $in_comment = 1 }
		$code =~ s{//.*$}{};
		$code =~ s{"(?:[^"\\]|\\.)*"}{""}g;
		push @p, "$f:$ln: banned function $1" if $code =~ $banned;
		# OpenSSL's own typedefs (SSL, SSL_CTX) may be forward-declared
		push @p, "$f:$ln: struct typedef"
		    if $code =~ /^\s*typedef\s+struct\b/ &&
		    $code !~ /^\s*typedef\s+struct\s+\w+\s+[A-Z][A-Z0-9_]*;/;
		# "static int foo(void)" followed by "{": type and name on
		# one line in a definition
		if ($code =~ /^[A-Za-z_][\w \t\*]*[\s\*]\w+\(.*\)\s*$/ &&
		    $code !~ /^(if|while|for|switch|return|else)\b/ &&
		    $code !~ /^#/ && $i < $#lines && $lines[$i + 1] =~ /^\{\s*$/) {
			push @p, "$f:$ln: return type not on its own line";
		}
	}
	result($f, @p);
}

for my $f (@scripts) {
	open my $fh, '<', $f or do { result($f, "cannot open: $!"); next };
	my @lines = <$fh>;
	close $fh;
	my @p;
	my $head = join '', @lines[0 .. ($#lines < 20 ? $#lines : 20)];
	push @p, "$f: no ISC licence block at the top"
	    unless $head =~ /Copyright \(c\)/ &&
	    $head =~ /Permission to use, copy, modify, and distribute/;
	for my $i (0 .. $#lines) {
		my $l = $lines[$i];
		chomp $l;
		push @p, "$f:" . ($i + 1) . ": trailing white space"
		    if $l =~ /[ \t]$/;
	}
	if ($f =~ /\.t$/ && !-x $f) {
		push @p, "$f: a test script must be executable";
	}
	result($f, @p);
}

# Generated files are never committed.
{
	my @gen = grep { m{(^|/)(y\.tab\.[ch]|parse\.c|config\.mk)$} ||
	    /\.(o|a)$/ } @files;
	result("no generated files in the tree",
	    map { "$_: generated file in the tree" } @gen);
}
exit($failed > 254 ? 254 : $failed);
