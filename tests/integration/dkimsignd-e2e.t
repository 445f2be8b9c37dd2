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
# tests/integration/dkimsignd-e2e.t: swaks and smtplib -> dkimsignd
# (127.0.0.1:10027, the article's config plus an Ed25519 line) -> a sink
# that stores each message (smtpd-test -o, 127.0.0.1:10028); every
# signature of every stored message checked by three independent
# verifiers, none of them using DNS: dkimpy (python3-dkim, dnsfunc),
# Mail::DKIM (its DNS query replaced) and OpenDKIM's filter in test mode
# (TestPublicKeys).  Debian 12's Mail::DKIM has no Ed25519 (1.20230630
# has): it must say so ("unsupported algorithm"), and pass the RSA one.
# Then: the bytes relayed are the original after the new fields, a
# corpus of hard messages, next hop down (421) and dying (4xx), a
# signing error relayed unsigned or refused with reject_error, SIGHUP
# with a new key, and with a broken configuration.

import os
import re
import signal
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

t = mxtap.Tap()
TOP = os.environ["MX_TOP"]
B = mxtap.BUILD
DKIMSIGND = B + "/dkimsignd/dkimsignd"
T = t.tmp
OUT = mxmail.outdir(t)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dkim  # noqa: E402
from dkimsignd_verify import (Verifiers, genkeys, pubkey, run,  # noqa: E402
                              sigfields, tag)

V = Verifiers(t, T)
RSA, ED = genkeys(T)
# a key of someone else's, to make an existing DKIM-Signature
OLDKEY = os.path.join(T, "old.pem")
run(["openssl", "genrsa", "-traditional", "-out", OLDKEY, "2048"])
V.keys["old._domainkey.example.net"] = "v=DKIM1; k=rsa; p=" + pubkey(OLDKEY)


def publish(rsa, ed):
    """The DNS records, for the three verifiers."""
    V.keys["default._domainkey.example.com"] = \
        "v=DKIM1; h=sha256; k=rsa; p=" + pubkey(rsa)
    V.keys["ed._domainkey.example.com"] = \
        "v=DKIM1; k=ed25519; p=" + pubkey(ed, True)
    V.publish()


publish(RSA, ED)
check = V.check
KEYS = V.keys


def stored():
    return mxmail.stored(OUT)


def newest():
    return mxmail.newest(OUT)


def send(msg, port=10027, frm="alice@example.com"):
    return mxmail.send(port, msg, frm)


# 0. the article's file, unchanged, with the key given on the command line
r = run([DKIMSIGND, "-n", "-f", TOP + "/conf/dkimproxy_out.conf",
         "--keyfile=" + RSA])
t.is_(r.returncode, 0, "conf/dkimproxy_out.conf: -n accepts it (%s)" %
      r.stderr.decode().strip().splitlines()[-1])
t.like(r.stderr.decode(), r"dkimproxy_out.conf:\d+: signature "
       r"domainkeys\(c=nofws\): DomainKeys is historic",
       "conf/dkimproxy_out.conf: domainkeys logged as historic")
r = run([DKIMSIGND, "-n", "-f", TOP + "/conf/dkimproxy_out.conf"])
t.ok(r.returncode != 0 and b"cannot read keyfile" in r.stderr,
     "without the key file: refused")

# 1. the article's configuration, plus a second signature with Ed25519
CONF = os.path.join(T, "dkimproxy_out.conf")


def write_conf(extra=""):
    with open(CONF, "w") as f:
        f.write("""# the article's dkimproxy_out.conf
listen    127.0.0.1:10027
relay     127.0.0.1:10028
domain    example.com
signature dkim(c=relaxed)
signature dkim(c=relaxed/relaxed,s=ed,key=%s)
signature domainkeys(c=nofws)
keyfile   %s
selector  default
#min_servers 5
min_spare_servers 2
%s""" % (ED, RSA, extra))


write_conf()
sink = t.spawn([B + "/tests/bin/smtpd-test", "-d", "-p", "10028", "-o", OUT,
                "-z", "100000000"], log="sink")
if not t.wait_port(10028):
    t.bail("sink did not start")
dk = t.spawn([DKIMSIGND, "-d", "-f", CONF], log="dkimsignd")
if not t.wait_port(10027):
    t.diag(t.log("dkimsignd"))
    t.bail("dkimsignd did not start")

r = run(["swaks", "-s", "127.0.0.1", "-p", "10027", "-f",
         "alice@example.com", "-t", "bob@example.org", "--h-Subject",
         "swaks test", "--body", "Hello from swaks.\n.dot line\n"])
t.like(r.stdout.decode(), r"<-  250 2.0.0 Ok", "swaks: 250 from the sink")
path = newest()
t.ok(path is not None, "swaks: message stored")
msg = check(path, "swaks")
f0 = sigfields(msg)[0]
t.is_(tag(f0, "a"), "rsa-sha256", "c=relaxed without a=: rsa-sha256")
t.is_(tag(f0, "c"), "relaxed/simple", "c=relaxed means relaxed/simple")
t.ok(tag(f0, "t") is not None, "t= present")
t.ok(tag(f0, "l") is None, "no l=")
t.like(tag(f0, "h"), r"^(?=.*from.*from)", "From over-signed")
t.is_(tag(sigfields(msg)[1], "a"), "ed25519-sha256",
      "second: Ed25519, from the key alone (no a=)")
t.ok(b"DomainKey-Signature" not in msg, "no DomainKey-Signature made")
t.ok(b"\r\n..dot line" not in msg and b"\r\n.dot line\r\n" in msg,
     "dot line unstuffed in the stored message")
t.ok(re.search(r"signed message-id=<\S+> sender=<alice@example\.com> "
              r"via=domain d=example\.com s=default a=rsa-sha256",
              t.log("dkimsignd")), "log: signed line")

r = run(["swaks", "-s", "127.0.0.1", "-p", "10027", "--pipeline", "-f",
         "alice@example.com", "-t", "bob@example.org,carol@example.org",
         "--body", "pipelined"])
t.like(r.stdout.decode(), r"<-  250 2.0.0 Ok", "swaks --pipeline: 250")
t.is_(open(newest() + ".env").read(), "from=<alice@example.com>\n"
      "rcpt=<bob@example.org>\nrcpt=<carol@example.org>\n",
      "pipelined: both recipients relayed")
check(newest(), "pipelined")

# 2. the bytes relayed are the new fields, then the original
ORIG = (b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\n"
        b"Subject: exact\r\nMessage-ID: <exact@example.com>\r\n\r\n"
        b"line one\r\n\r\nline three\r\n")
code, text = send(ORIG)
t.is_(code, 250, "exact: 250")
msg = open(newest(), "rb").read()
n = sum(len(f) + 2 for f in sigfields(msg))
t.is_(msg[n:], ORIG, "exact: the original follows the fields unchanged")
check(newest(), "exact")

# 3. a corpus of hard messages
LONGVAL = " ".join("word%03d" % i for i in range(110))
CORPUS = [
    ("folded", b"From: alice@example.com\r\nTo: a@x.example,\r\n\tb@x.example"
     b",\r\n  c@x.example\r\nSubject: a folded\r\n  subject line\r\n\r\n"
     b"body\r\n"),
    ("long header", b"From: alice@example.com\r\nSubject: " +
     LONGVAL.encode()[:900] + b"\r\nX-Long: " +
     b"\r\n\t".join(LONGVAL.encode()[i:i + 70]
                    for i in range(0, 6000, 70)) + b"\r\n\r\nbody\r\n"),
    ("trailing ws", b"From: alice@example.com \t\r\nSubject:  spaced  \t\r\n"
     b"\r\nline with spaces   \r\n\ttabbed\t\r\n\r\n\r\n\r\n"),
    ("empty body", b"From: alice@example.com\r\nSubject: empty\r\n\r\n"),
    ("no body at all", b"From: alice@example.com\r\nSubject: no blank"),
    ("no final CRLF", b"From: alice@example.com\r\nSubject: nocrlf\r\n\r\n"
     b"last line without CRLF"),
    ("8-bit", "From: alice@example.com\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n"
     "Content-Type: text/plain; charset=utf-8\r\n"
     "Content-Transfer-Encoding: 8bit\r\n\r\ncafé, naïve, Ünïcödé\r\n"
     .encode() + b"\xff\xfe latin-1 \xe9\r\n"),
    ("two From", b"From: alice@example.com\r\nFrom: mallory@example.com\r\n"
     b"Subject: two\r\n\r\nbody\r\n"),
    ("dots", b"From: alice@example.com\r\nSubject: dots\r\n\r\n.\r\n..\r\n"
     b". x\r\n"),
]
for name, m in CORPUS:
    code, text = send(m)
    t.is_(code, 250, "%s: 250 (%s)" % (name, text))
    check(newest(), name)



def send_raw(data):
    """DATA with these octets as they are (smtplib would fix line ends)."""
    c = socket.create_connection(("127.0.0.1", 10027), timeout=60)
    f = c.makefile("rwb")

    def reply():
        lines = []
        while True:
            line = f.readline()
            lines.append(line)
            if line[3:4] != b"-":
                return b"".join(lines)
    reply()
    for cmd in (b"EHLO client.example", b"MAIL FROM:<alice@example.com>",
                b"RCPT TO:<bob@example.org>", b"DATA"):
        f.write(cmd + b"\r\n")
        f.flush()
        reply()
    f.write(data + b"\r\n.\r\n")
    f.flush()
    r = reply()
    c.close()
    return r.decode(errors="replace").strip()


# what SMTP forbids is refused, never signed and relayed
nbefore = len(stored())
r = send_raw(b"From: alice@example.com\r\nSubject: bare\r\n\r\nbare\nLF")
t.like(r, r"^550 5\.6\.0 .*bare CR or LF", "bare LF: 550 5.6.0")
r = send_raw(b"From: alice@example.com\r\nSubject: long\r\n\r\n" +
             b"y" * 1200)
t.like(r, r"^500 5\.5\.2 .*longer than 1000", "a 1200-octet line: 500 5.5.2")
t.is_(len(stored()), nbefore, "refused messages: nothing relayed")

# an existing DKIM-Signature (someone else's): ours go above it
pre = (b"From: alice@example.com\r\nSubject: presigned\r\n"
       b"Message-ID: <pre@example.net>\r\n\r\nforwarded body\r\n")
old = dkim.sign(pre, b"old", b"example.net", open(OLDKEY, "rb").read(),
                include_headers=[b"from", b"subject", b"message-id"])
code, text = send(old + pre)
t.is_(code, 250, "existing signature: 250")
msg = check(newest(), "existing signature", extra=("old",))
t.is_(tag(sigfields(msg)[2], "d"), "example.net",
      "existing signature: kept below ours")

# a 20 MB body (spooled to a file by the proxy)
big = (b"From: alice@example.com\r\nSubject: big\r\n\r\n" +
       b"".join(b"%07d The quick brown fox jumps over the lazy dog %s\r\n" %
                (i, b"x" * (i % 17)) for i in range(340000)))
t.ok(len(big) > 20 * 1000 * 1000, "20 MB message (%d octets)" % len(big))
start = time.time()
code, text = send(big)
t.is_(code, 250, "20 MB: 250 (%.1f s)" % (time.time() - start))
msg = check(newest(), "20 MB")
t.is_(len(msg) - sum(len(f) + 2 for f in sigfields(msg)), len(big),
      "20 MB: every octet relayed")

# 4. several domains, sender not among them: relayed unsigned, logged
write_conf("domain example.com,example.org\n")
os.kill(dk.pid, signal.SIGHUP)
t.ok(t.wait_log("dkimsignd", "SIGHUP: configuration", 10), "SIGHUP: reloaded")
code, text = send(b"From: someone@example.net\r\nSubject: foreign\r\n\r\n"
                  b"x\r\n", frm="someone@example.net")
t.is_(code, 250, "foreign sender: 250")
t.is_(sigfields(open(newest(), "rb").read()), [],
      "foreign sender: relayed unsigned")
t.ok(re.search(r"skipped message-id=none sender=<someone@example\.net> "
              r"size=\d+: no domain for sender", t.log("dkimsignd")),
     "foreign sender: logged as skipped")
code, text = send(b"From: x@lists.example.org\r\nSubject: org\r\n\r\nx\r\n")
msg = open(newest(), "rb").read()
t.is_([tag(f, "d") for f in sigfields(msg)], ["example.org"] * 2,
      "several domains: the sender's parent domain")

# 5. a signing error (no From: at all): relayed unsigned, or 550
write_conf()
os.kill(dk.pid, signal.SIGHUP)
time.sleep(0.5)
code, text = send(b"Subject: no from\r\n\r\nbody\r\n")
t.is_(code, 250, "no From: relayed (250)")
t.is_(sigfields(open(newest(), "rb").read()), [], "no From: unsigned")
t.ok(re.search(r"signing error message-id=none sender=<> size=\d+: no From "
              r"header field, relayed unsigned", t.log("dkimsignd")),
     "no From: signing error logged")
write_conf("reject_error 1\n")
os.kill(dk.pid, signal.SIGHUP)
time.sleep(0.5)
nbefore = len(stored())
code, text = send(b"Subject: no from\r\n\r\nbody\r\n")
t.is_(code, 550, "reject_error: 550 (%s)" % text)
t.like(text.decode(), r"5\.7\.0 DKIM signing failed",
       "reject_error: enhanced code and reason")
t.is_(len(stored()), nbefore, "reject_error: nothing relayed")

# our side's error (d= from a sender there is none of): 451
write_conf("reject_error 1\nsignature dkim(s=default,d=$senderdomain)\n")
os.kill(dk.pid, signal.SIGHUP)
time.sleep(0.5)
code, text = send(b"Subject: no from\r\n\r\nbody\r\n")
t.is_(code, 451, "reject_error, d= cannot be made: 451 (%s)" % text)
t.like(text.decode(), r"4\.7\.0 DKIM signing failed: signature "
       r"dkim\(s=default,d=\$senderdomain\): d=\$senderdomain: nothing to "
       r"expand", "451: the reason")
t.is_(len(stored()), nbefore, "451: nothing relayed")

# 6. SIGHUP with a new key in the same file
old_rec = KEYS["default._domainkey.example.com"]
RSA2, ED2 = genkeys(T, "2")
os.rename(RSA2, RSA)
write_conf()
os.kill(dk.pid, signal.SIGHUP)
time.sleep(0.5)
code, text = send(ORIG)
publish(RSA, ED)
t.ok(KEYS["default._domainkey.example.com"] != old_rec, "a new key")
check(newest(), "after SIGHUP, new key")
KEYS["default._domainkey.example.com"] = old_rec
t.is_(V.dkimpy(open(newest(), "rb").read()).get("default"), False,
      "after SIGHUP: the old key no longer verifies")
publish(RSA, ED)

# a broken configuration on SIGHUP: the old one stays
with open(CONF, "a") as f:
    f.write("method bogus\n")
os.kill(dk.pid, signal.SIGHUP)
t.ok(t.wait_log("dkimsignd", "configuration not reloaded", 10),
     "broken configuration: not reloaded, said so")
code, text = send(ORIG)
t.is_(code, 250, "broken configuration: still signing")
check(newest(), "old configuration kept")
write_conf()

# 7. next hop down: 421 at the greeting
sink.terminate()
sink.wait(10)
try:
    smtplib.SMTP("127.0.0.1", 10027, timeout=30)
    t.ok(False, "next hop down: 421 greeting")
except smtplib.SMTPConnectError as e:
    t.is_(e.smtp_code, 421, "next hop down: 421 greeting (%s)" %
          e.smtp_error)


# 8. next hop that dies at the end of data: 4xx, never 250
mxmail.DyingHop(10028)
code, text = send(ORIG)
t.ok(400 <= code < 500, "next hop dies at end of data: 4xx (%d %s)" %
     (code, text))

# 9. SIGTERM: clean exit, counters logged
dk.terminate()
t.is_(dk.wait(10), 0, "SIGTERM: exit 0")
t.ok(re.search(r"exiting signed=\d+ skipped=1 failed=3", t.log("dkimsignd")),
     "SIGTERM: counters logged")
t.done()
