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
# tests/integration/filterd-spamc.t: the real spamc (Debian's 4.0.1)
# against filterd's spamd protocol port (--spamd-port): -c, -y, -R, -r,
# PROCESS, --headers, -K, -z (Compress: zlib), and raw requests whose
# answers must be byte for byte a real spamd's (BOGUS, TELL, length
# mismatch, PING).  A real spamd (/usr/sbin/spamd) runs beside on a
# private port: the verdicts agree, and filterd --delegate uses it: mail
# through the proxy is tagged by SpamAssassin itself (the rules hit are
# spamd's own SYMBOLS), spamc through filterd's port gets spamd's
# answers, and spamd down relays untagged or answers 450 with --dose.

import os
import re
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxmail  # noqa: E402
from mxmail import FILTERD, GTUBE  # noqa: E402

t, OUT = mxmail.tap_outdir()
T = t.tmp
SPAM = ("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\n"
        "Subject: gtube test\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <gtube-2@example.com>\r\n\r\nThe GTUBE.\r\n\r\n" +
        GTUBE + "\r\n").encode()
HAM = ("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\n"
       "Subject: lunch on friday\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
       "Message-ID: <ham-2@example.com>\r\n\r\nHi Bob,\r\n\r\nshall we have "
       "lunch on Friday?\r\n\r\nAlice\r\n").encode()


def spamc(port, args, data):
    r = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), "-x",
                        "-s", "10000000"] + args, input=data,
                       capture_output=True, timeout=120)
    return r.returncode, r.stdout.decode(errors="replace")


raw = mxmail.half_close


def newest():
    return mxmail.newest_bytes(OUT)


sink = t.spawn([mxmail.SMTPD_TEST, "-d", "-p", "10026", "-o", OUT],
               log="sink")
fd = t.spawn([FILTERD, "--port=10025", "--relayhost=127.0.0.1:10026",
              "--spamd-port=11783", "--nodetach", "--pid=", "--children=2"],
             log="filterd")
if not t.wait_port(10026) or not t.wait_port(11783, timeout=60):
    t.bail("filterd did not start: %s" % t.log("filterd"))

# 1. spamc against the built-in engine
rc, out = spamc(11783, ["-c"], SPAM)
t.is_(rc, 1, "spamc -c GTUBE: exit 1 (spam)")
t.like(out, r"^100\d\.\d/5\.0\n?$", "spamc -c GTUBE: score/threshold")
rc, out = spamc(11783, ["-c"], HAM)
t.is_(rc, 0, "spamc -c ham: exit 0")
t.like(out, r"^-?\d+\.\d/5\.0\n?$", "spamc -c ham: score/threshold")
rc, out = spamc(11783, ["-y"], SPAM)
t.like(out, r"^([A-Z0-9_]+,)*GTUBE(,[A-Z0-9_]+)*\n?$", "spamc -y: GTUBE "
       "among the rules")
rc, out = spamc(11783, ["-R"], SPAM)
t.is_(rc, 0, "spamc -R GTUBE: exit 0 (as with spamd: -R sets no code)")
t.like(out, r"(?s)^100\d\.\d/5\.0\n.*Content analysis details:.*"
       r"1000 GTUBE", "spamc -R: score line, then the report with GTUBE")
rc, out = spamc(11783, ["-R"], HAM)
t.ok(rc == 0 and "Content analysis details" in out,
     "spamc -R ham: exit 0, report too")
rc, out = spamc(11783, ["-r"], HAM)
t.ok(rc == 0 and out == "", "spamc -r ham: nothing (REPORT_IFSPAM, "
     "'Spam: No') (%r)" % out[:100])
rc, out = spamc(11783, ["-r"], SPAM)
t.like(out, r"(?s)^Spam detection software.*1000 GTUBE",
       "spamc -r GTUBE: the report")
rc, out = spamc(11783, [], SPAM)
t.ok("X-Spam-Flag: YES" in out and "message/rfc822" in out,
     "spamc (PROCESS) GTUBE: tagged and wrapped")
rc, out = spamc(11783, [], HAM)
t.ok("X-Spam-Status: No" in out and out.rstrip().endswith("Alice"),
     "spamc (PROCESS) ham: X-Spam-Status No, body kept")
rc, out = spamc(11783, ["--headers"], SPAM)
t.ok("X-Spam-Flag: YES" in out and "multipart/mixed" in out and
     "This is a multi-part message" not in out and GTUBE in out,
     "spamc --headers: the new header, spliced onto the original body")
# Debian's spamc has no zlib (-z exits 64): Compress by hand
z = zlib.compress(SPAM)
out = raw(11783, b"CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: "
          b"%d\r\n\r\n%s" % (len(z), z))
t.like(out.decode(errors="replace"), r"^SPAMD/1\.1 0 EX_OK\r\nSpam: True "
       r"; 100\d\.\d / 5\.0\r\n\r\n$", "Compress: zlib: CHECK spam")
rc, out = spamc(11783, ["-K"], b"")
t.is_(rc, 0, "spamc -K: PONG")

# 2. a real spamd on a private port: same answers, same verdicts
HOME = os.path.join(T, "sahome")
os.mkdir(HOME)
os.chmod(HOME, 0o777)
user = ["-u", "debian-spamd"] if os.getuid() == 0 else []
spamd = t.spawn(["/usr/sbin/spamd", "-L", "-x", "-i", "127.0.0.1:17783",
                 "-A", "127.0.0.1", "-m", "2", "--min-children=1",
                 "--min-spare=1", "--max-spare=2", "--syslog=stderr",
                 "-r", os.path.join(HOME, "spamd.pid"), "-H", HOME] + user,
                log="spamd")
up = False
end = time.time() + 90
while time.time() < end and not up:
    up = spamc(17783, ["-K"], b"")[0] == 0
    time.sleep(0.5)
if not up:
    t.bail("spamd did not start: %s" % t.log("spamd")[-500:])
for req, name in ((b"BOGUS SPAMC/1.5\r\n\r\n", "unknown verb"),
                  (b"TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\n"
                   b"Content-length: 3\r\n\r\nabc", "TELL"),
                  (b"PING SPAMC/1.5\r\n\r\n", "PING"),
                  (b"CHECK SPAMC/1.5\r\nContent-length: 99\r\n\r\n"
                   b"Subject: x\r\n\r\nshort\r\n", "length mismatch"),
                  (b"CHECK SPAMC/1.5\r\nnocolon\r\n\r\n", "bad header")):
    a, b = raw(11783, req), raw(17783, req)
    t.is_(a, b, "raw %s: filterd answers as spamd does (%r)" % (name, b))
for name, msg in (("GTUBE", SPAM), ("ham", HAM)):
    a, b = spamc(11783, ["-c"], msg), spamc(17783, ["-c"], msg)
    t.is_(a[0], b[0], "%s: filterd and spamd agree on the verdict "
          "(%s / %s)" % (name, a[1].strip(), b[1].strip()))
spamd_tests = spamc(17783, ["-y"], SPAM)[1].strip()

# 3. delegation: filterd --delegate to the real spamd
fd2 = t.spawn([FILTERD, "--port=10035", "--relayhost=127.0.0.1:10026",
               "--spamd-port=11784", "--delegate=127.0.0.1:17783",
               "--tagall", "--rh", "--nodetach", "--pid="], log="filterd2")
if not t.wait_port(10035) or not t.wait_port(11784):
    t.bail("filterd --delegate did not start: %s" % t.log("filterd2"))
t.ok(t.wait_log("filterd2", r"delegating to spamd on 127\.0\.0\.1"),
     "--delegate: said so at start")
r = subprocess.run(["swaks", "-s", "127.0.0.1:10035", "-f",
                    "alice@example.com", "-t", "bob@example.org", "--data",
                    "-"], input=SPAM, capture_output=True, timeout=120)
t.like(r.stdout.decode(), r"<-  250 [^\n]*\n -> QUIT",
       "delegation: swaks GTUBE: 250")
m = newest().decode(errors="replace")
t.ok("X-Spam-Flag: YES" in m and "message/rfc822" in m,
     "delegation: tagged and wrapped by SpamAssassin")
got = t.wait_log("filterd2", r"rules hit for <gtube-2@example\.com>: (\S*)")
t.is_(got.group(1) if got else None, spamd_tests,
      "delegation: the rules hit are spamd's own SYMBOLS")
t.is_(spamc(11784, ["-y"], SPAM)[1].strip(), spamd_tests,
      "delegation: spamc -y through filterd's port = spamd's")
rc, out = spamc(11784, ["-c"], HAM)
t.ok(rc == 0 and re.match(r"-?\d+\.\d/5\.0", out),
     "delegation: spamc -c ham through filterd: %s" % out.strip())

# 4. spamd down: untagged, or 450 with --dose
fd3 = t.spawn([FILTERD, "--port=10045", "--relayhost=127.0.0.1:10026",
               "--delegate=127.0.0.1:17799", "--tagall", "--nodetach",
               "--pid="], log="filterd3")
fd4 = t.spawn([FILTERD, "--port=10055", "--relayhost=127.0.0.1:10026",
               "--delegate=127.0.0.1:17799", "--dose", "--nodetach",
               "--pid="], log="filterd4")
if not t.wait_port(10045) or not t.wait_port(10055):
    t.bail("filterd did not start")
r = subprocess.run(["swaks", "-s", "127.0.0.1:10045", "-f",
                    "alice@example.com", "-t", "bob@example.org", "--data",
                    "-"], input=HAM, capture_output=True, timeout=120)
t.like(r.stdout.decode(), r"<-  250 ", "spamd down: 250")
m = newest()
t.ok(b"X-Spam-" not in m and m.rstrip().endswith(b"Friday?\r\n\r\nAlice"),
     "spamd down: relayed untagged") or t.diag(m[-300:])
t.ok(t.wait_log("filterd3", r"SpamAssassin error on message <ham-2@example"
                r"\.com>: spamd 127\.0\.0\.1:17799: "),
     "spamd down: logged")
r = subprocess.run(["swaks", "-s", "127.0.0.1:10055", "-f",
                    "alice@example.com", "-t", "bob@example.org", "--data",
                    "-"], input=HAM, capture_output=True, timeout=120)
t.like(r.stdout.decode(), r"<\*\* 450 ", "spamd down, --dose: 450")
t.done()
