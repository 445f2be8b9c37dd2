#!/usr/bin/python3
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
# tests/integration/dkim-genkey.t: dkim-genkey beside the real
# opendkim-genkey, run here with the same flags: the same files, the
# same modes, SEL.txt the same text once the base64 key is masked.  The
# keys load in OpenSSL (RSA 2048 by default, Ed25519 with --type), the
# p= is the key's, and a message signed with a generated key
# (t_dkim's helper mode, i.e. dkimsignd/dkim.c) verifies with dkimpy
# and with OpenDKIM's filter in test mode, both using the record read
# back from SEL.txt.  opendkim-genkey's own key signs as well.  Bad
# flags fail.  /usr/bin/python3: the one that has python3-dkim.  No
# sockets: no network namespace.

import os
import re
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxtap  # noqa: E402
import dkim  # noqa: E402

t = mxtap.Tap(use_netns=False)
GENKEY = os.path.join(mxtap.BUILD, "dkimsignd", "dkim-genkey")
SIGNER = os.path.join(mxtap.BUILD, "tests", "unit", "t_dkim")
OPENDKIM_GENKEY = "/usr/sbin/opendkim-genkey"
OPENDKIM = "/usr/sbin/opendkim"

for p in (GENKEY, SIGNER, OPENDKIM_GENKEY, OPENDKIM):
    if not os.access(p, os.X_OK):
        t.bail("%s missing (make all tests; opendkim, opendkim-tools)" % p)


def run(argv, cwd=None):
    return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=120)


def record(path):
    """The TXT record's text: the quoted strings of the stub, joined."""
    with open(path) as f:
        text = f.read()
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    return "".join(parts).replace('\\"', '"')


def masked(path):
    """SEL.txt with the key's base64 replaced by X, same lengths."""
    with open(path) as f:
        text = f.read()
    return re.sub(r'(?<=p=)[A-Za-z0-9+/=]+|(?<=\t  ")[A-Za-z0-9+/=]+(?=")',
                  lambda m: "X" * len(m.group(0)), text)


def files(d):
    return sorted((n, stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode))
                  for n in os.listdir(d))


CASES = [
    ("defaults", []),
    ("selector and domain", ["-s", "mail2024", "-d", "example.org"]),
    ("append domain", ["-a", "-d", "example.org", "-s", "sel"]),
    ("test, restrict, no subdomains", ["-t", "-r", "-S", "-s", "x"]),
    ("bundled flags and note", ["-tr", "-n", "key of 2024", "-s", "n"]),
    ("long options", ["--append-domain", "--domain=example.net",
                      "--selector=long", "--testmode", "--nosubdomains",
                      "--restrict", "--note=hello"]),
    ("hash list", ["-h", "sha1:sha256", "-s", "h"]),
    ("empty hash list", ["-h", "", "-s", "e"]),
    ("1024 bits", ["-b", "1024", "-s", "small"]),
    ("4096 bits", ["--bits=4096", "-s", "big"]),
    ("subdomains back on", ["-S", "--subdomains", "-t", "-s", "sub"]),
]

for name, args in CASES:
    ours = os.path.join(t.tmp, "ours-" + str(CASES.index((name, args))))
    theirs = os.path.join(t.tmp, "theirs-" + str(CASES.index((name, args))))
    os.mkdir(ours)
    os.mkdir(theirs)
    r1 = run([GENKEY, "-D", ours] + args)
    r2 = run([OPENDKIM_GENKEY, "-D", theirs] + args)
    t.is_((r1.returncode, r1.stderr), (0, b""), "%s: dkim-genkey ran" % name)
    t.is_(r2.returncode, 0, "%s: opendkim-genkey ran" % name)
    t.is_(files(ours), files(theirs), "%s: same files and modes" % name)
    sel = [n for n, _ in files(ours) if n.endswith(".txt")]
    if len(sel) != 1:
        t.ok(False, "%s: one .txt" % name)
        continue
    t.is_(masked(os.path.join(ours, sel[0])),
          masked(os.path.join(theirs, sel[0])),
          "%s: %s same text, key masked" % (name, sel[0]))

# the default key: RSA 2048, PKCS#8, its p= is the key's
d = os.path.join(t.tmp, "ours-0")
pem = open(os.path.join(d, "default.private")).read()
t.ok(pem.startswith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM")
r = run(["openssl", "pkey", "-in", os.path.join(d, "default.private"),
         "-noout", "-text"])
t.like(r.stdout.decode(), r"Private-Key: \(2048 bit", "OpenSSL: RSA 2048")
r = run(["openssl", "pkey", "-in", os.path.join(d, "default.private"),
         "-check", "-noout"])
t.is_(r.returncode, 0, "OpenSSL: key checks")
der = run(["openssl", "pkey", "-in", os.path.join(d, "default.private"),
           "-pubout", "-outform", "DER"]).stdout
rec = record(os.path.join(d, "default.txt"))
t.like(rec, r"^v=DKIM1; h=sha256; k=rsa; p=", "default record's tags")
import base64  # noqa: E402
t.is_(rec.split("p=")[1], base64.b64encode(der).decode(),
      "p= is the DER SubjectPublicKeyInfo")

# Ed25519
ed = os.path.join(t.tmp, "ed")
os.mkdir(ed)
r = run([GENKEY, "--type", "ed25519", "-D", ed, "-s", "ed", "-d",
         "example.com", "-a"])
t.is_(r.returncode, 0, "--type ed25519 ran")
t.is_(files(ed), [("ed.private", 0o600), ("ed.txt", 0o600)],
      "ed.private and ed.txt, 0600")
r = run(["openssl", "pkey", "-in", os.path.join(ed, "ed.private"),
         "-noout", "-text"])
t.like(r.stdout.decode(), r"ED25519 Private-Key", "OpenSSL: Ed25519")
der = run(["openssl", "pkey", "-in", os.path.join(ed, "ed.private"),
           "-pubout", "-outform", "DER"]).stdout
edrec = record(os.path.join(ed, "ed.txt"))
t.is_(edrec, "v=DKIM1; h=sha256; k=ed25519; p=" +
      base64.b64encode(der[-32:]).decode(),
      "RFC 8463 record: k=ed25519, p= the raw 32-octet key")
with open(os.path.join(ed, "ed.txt")) as f:
    t.like(f.read(), r'^ed\._domainkey\.example\.com\.\tIN\tTXT\t\( '
           r'"v=DKIM1; h=sha256; k=ed25519; "\n\t  "p=[A-Za-z0-9+/]{43}=" '
           r'\)  ; ----- DKIM key ed for example\.com\n$', "ed.txt stub")

# sign with the generated keys (and opendkim-genkey's), verify
records = {
    b"default._domainkey.example.com.": rec.encode(),
    b"ed._domainkey.example.com.": edrec.encode(),
    b"o._domainkey.example.com.": record(
        os.path.join(t.tmp, "theirs-0", "default.txt")).encode(),
}
msg = (b"From: Alice <alice@example.com>\r\nTo: bob@example.net\r\n"
       b"Subject: genkey\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
       b"Message-ID: <g@example.com>\r\n\r\nHello.\r\n")
r = subprocess.run([SIGNER, "sign", "example.com",
                    os.path.join(d, "default.private") + ":default:relaxed",
                    os.path.join(ed, "ed.private") + ":ed:relaxed/relaxed",
                    os.path.join(t.tmp, "theirs-0", "default.private") +
                    ":o:simple"],
                   input=msg, capture_output=True, timeout=60)
t.is_((r.returncode, r.stderr), (0, b""), "signed with the three keys")
signed = r.stdout
t.ok(signed.endswith(msg), "the message follows the fields unchanged")


def dns(name, timeout=5):
    return records.get(name)


for i, what in enumerate(["RSA (dkim-genkey)", "Ed25519 (dkim-genkey)",
                          "RSA (opendkim-genkey)"]):
    try:
        res = dkim.DKIM(signed).verify(idx=i, dnsfunc=dns)
    except Exception as e:  # noqa: BLE001
        t.diag(repr(e))
        res = False
    t.ok(res, "dkimpy verifies the %s signature" % what)

# OpenDKIM's filter in test mode, same records
keys = os.path.join(t.tmp, "keys")
with open(keys, "w") as f:
    for k, v in records.items():
        f.write("%s %s\n" % (k.decode().rstrip("."), v.decode()))
conf = os.path.join(t.tmp, "opendkim.conf")
with open(conf, "w") as f:
    f.write("Mode v\nSyslog no\nAlwaysAddARHeader yes\n"
            "TestPublicKeys %s\n" % keys)
eml = os.path.join(t.tmp, "signed.eml")
with open(eml, "wb") as f:
    f.write(signed)
r = run([OPENDKIM, "-x", conf, "-vv", "-t", eml])
out = r.stdout.decode() + r.stderr.decode()
t.is_(len(re.findall(r"dkim=pass", out)), 3,
      "OpenDKIM passes the three signatures")
if out.count("dkim=pass") != 3:
    t.diag(out)

# our record check (dkim_key_check_record) on both tools' files
for who in ("ours", "theirs"):
    for i in (0, 8):
        dd = os.path.join(t.tmp, "%s-%d" % (who, i))
        sel = [n[:-4] for n in os.listdir(dd) if n.endswith(".txt")][0]
        r = run([SIGNER, "check", os.path.join(dd, sel + ".private"),
                 os.path.join(dd, sel + ".txt")])
        t.is_((r.returncode, r.stdout), (0, b"match\n"),
              "%s %s: the record publishes the key" % (who, sel))
r = run([SIGNER, "check", os.path.join(ed, "ed.private"),
         os.path.join(ed, "ed.txt")])
t.is_((r.returncode, r.stdout), (0, b"match\n"), "ed25519 record matches")
r = run([SIGNER, "check", os.path.join(t.tmp, "ours-0", "default.private"),
         os.path.join(t.tmp, "theirs-0", "default.txt")])
t.is_((r.returncode, r.stdout), (1, b"p= is another key\n"),
      "another key's record does not match")

# bad arguments
for args, why in [(["-b", "512"], "512 bits refused (RFC 8301)"),
                  (["--type", "dsa"], "unknown --type refused"),
                  (["-s", "../x"], "selector with '/' refused"),
                  (["-n", 'a"b'], "note with a quote refused"),
                  (["-D", "/nonexistent"], "missing directory"),
                  (["extra"], "stray argument")]:
    bad = os.path.join(t.tmp, "bad")
    os.makedirs(bad, exist_ok=True)
    r = run([GENKEY] + args, cwd=bad)
    t.ok(r.returncode == 1 and r.stderr != b"" and os.listdir(bad) == [],
         "%s: exit 1, a message, no files (%s)" %
         (why, r.stderr.decode().strip().splitlines()[0]
          if r.stderr else ""))
r = run([GENKEY, "-V"])
t.like(r.stdout.decode(), r"^dkim-genkey v", "-V prints the version")
r = run([GENKEY, "--help"])
t.ok(r.returncode == 0 and b"--type" in r.stderr, "--help")

t.done()
