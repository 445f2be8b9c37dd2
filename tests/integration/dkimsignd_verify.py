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
"""Three independent DKIM verifiers without DNS, for dkimsignd's tests.

    v = Verifiers(t, tmpdir)            # t: an mxtap.Tap
    v.keys["sel._domainkey.example.com"] = "v=DKIM1; k=rsa; p=..."
    v.publish()                         # after every change of v.keys
    v.check(path, "name", sels=("default", "ed"))

dkimpy (python3-dkim, dnsfunc), Mail::DKIM (Mail::DKIM::DNS::query
replaced) and OpenDKIM's filter in test mode (TestPublicKeys).  Debian
12's Mail::DKIM 1.20230212 has no Ed25519: for an ed25519-sha256
signature it must say "unsupported algorithm".
"""

import base64
import os
import re
import subprocess

import dkim

PERL = r'''
use strict; use warnings;
use Mail::DKIM::Verifier; use Net::DNS;
my ($keys, $file) = @ARGV;
my %rec;
open(my $k, '<', $keys) or die "$keys: $!";
while (<$k>) { chomp; my ($n, $v) = split(/ /, $_, 2); $rec{lc $n} = $v; }
close $k;
{ no warnings 'redefine';
  *Mail::DKIM::DNS::query = sub {
    my ($name, $type) = @_;
    my $v = $rec{lc $name};
    unless (defined $v) { $@ = "NXDOMAIN"; return (); }
    my @chunks = ($v =~ /(.{1,250})/gs);
    return (Net::DNS::RR->new(name => $name, type => 'TXT',
        txtdata => [@chunks]));
  };
}
my $dkim = Mail::DKIM::Verifier->new(Strict => 1);
open(my $fh, '<', $file) or die "$file: $!";
binmode $fh;
while (<$fh>) { s/\r?\n\z/\r\n/; $dkim->PRINT($_); }
$dkim->CLOSE;
foreach my $sig ($dkim->signatures) {
    printf "%s %s %s\n", $sig->selector, $sig->result, $sig->result_detail;
}
'''


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, timeout=300, **kw)


def pubkey(path, ed=False):
    """A key record's p= for a private key file."""
    der = run(["openssl", "pkey", "-in", path, "-pubout", "-outform",
               "DER"]).stdout
    return base64.b64encode(der[-32:] if ed else der).decode()


def genkeys(tmp, tag=""):
    """An RSA-2048 key in PKCS#1 and an Ed25519 key in PKCS#8."""
    rsa = os.path.join(tmp, "rsa%s.pem" % tag)
    ed = os.path.join(tmp, "ed%s.pem" % tag)
    run(["openssl", "genrsa", "-traditional", "-out", rsa, "2048"])
    run(["openssl", "genpkey", "-algorithm", "ED25519", "-out", ed])
    os.chmod(rsa, 0o644)
    os.chmod(ed, 0o644)
    return rsa, ed


def sigfields(msg):
    """The DKIM-Signature fields of a message, top down."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    fields = re.split(rb"\r\n(?![ \t])", head)
    return [f for f in fields if f.lower().startswith(b"dkim-signature:")]


def tag(field, name):
    m = re.search(rb"[;:]\s*" + name.encode() + rb"=([^;]*)", field)
    return re.sub(rb"\s+", b"", m.group(1)).decode() if m else None


class Verifiers:
    def __init__(self, t, tmp):
        self.t = t
        self.tmp = tmp
        self.keys = {}
        self.keyfile = os.path.join(tmp, "keys.txt")
        self.perl = os.path.join(tmp, "mdkim.pl")
        with open(self.perl, "w") as f:
            f.write(PERL)
        self.odconf = os.path.join(tmp, "opendkim.conf")
        with open(self.odconf, "w") as f:
            f.write("Mode v\nSyslog no\nAlwaysAddARHeader yes\n"
                    "TestPublicKeys %s\n" % self.keyfile)

    def publish(self):
        with open(self.keyfile, "w") as f:
            for k, v in self.keys.items():
                f.write("%s %s\n" % (k, v))

    def dkimpy(self, msg):
        """{selector: True/False} by dkimpy."""
        def dns(name, timeout=5):
            v = self.keys.get(name.decode().rstrip("."))
            return v.encode() if v else None
        res = {}
        d = dkim.DKIM(msg)
        for i, f in enumerate(sigfields(msg)):
            try:
                res[tag(f, "s")] = d.verify(idx=i, dnsfunc=dns)
            except Exception as e:
                res[tag(f, "s")] = "error %s" % e
        return res

    def mailkdim(self, path):
        r = run(["perl", self.perl, self.keyfile, path])
        res = {}
        for line in r.stdout.decode().splitlines():
            sel, result, detail = line.split(" ", 2)
            res[sel] = detail
        if r.returncode != 0:
            self.t.diag(r.stderr.decode())
        return res

    def opendkim(self, path):
        r = run(["opendkim", "-vv", "-x", self.odconf, "-t", path])
        out = r.stdout.decode() + r.stderr.decode()
        res = {}
        for m in re.finditer(r"dkim=(\w+)[^;]*?header\.s=(\S+)", out):
            res[m.group(2)] = m.group(1)
        return res

    def check(self, path, name, sels=("default", "ed"), extra=()):
        """Every selector's signature passes the three verifiers; the
        ones in sels are the topmost signatures, in that order."""
        t = self.t
        msg = open(path, "rb").read()
        got = [tag(f, "s") for f in sigfields(msg)]
        t.is_(got[:len(sels)] + [g for g in got[len(sels):] if g in extra],
              list(sels) + list(extra), "%s: signatures on top" % name)
        py = self.dkimpy(msg)
        pl = self.mailkdim(path)
        od = self.opendkim(path)
        for s in tuple(sels) + tuple(extra):
            t.is_(py.get(s), True, "%s: s=%s dkimpy pass" % (name, s))
            t.is_(od.get(s), "pass", "%s: s=%s opendkim pass" % (name, s))
            if s == "ed":
                t.like(pl.get(s), "unsupported algorithm ed25519",
                       "%s: s=ed Mail::DKIM 1.20230212 has no Ed25519" %
                       name)
            else:
                t.is_(pl.get(s), "pass", "%s: s=%s Mail::DKIM pass" %
                      (name, s))
        return msg
