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
# tests/integration/greyd-lowprio.t: greyd -M (the low-priority MX
# trap) with nftables NAT in a private network namespace: connections to
# the MX addresses 127.0.0.8:25 and 127.0.0.9:25 are redirected (dnat)
# to greyd, which reads the original destination with SO_ORIGINAL_DST.
# During greyd's first 60 seconds -M is ignored; after that a new tuple
# sent to the -M address traps its source, one sent to the other MX is
# greylisted.  (This test waits those 60 seconds.)  The firewall is the
# default back-end, nftables (table inet mxsuite): a source that passed
# appears in its set spamd-white after a scan.

import os
import re
import signal
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("MX_TOP", "."), "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

t = mxtap.Tap()
GREYD, GREYDB = mxmail.greyd_bins(t)

ruleset = """
table ip greydtest {
    chain out {
        type nat hook output priority -100; policy accept;
        ip daddr { 127.0.0.8, 127.0.0.9 } tcp dport 25 dnat to 127.0.0.1:2525
    }
}
"""
r = subprocess.run(["nft", "-f", "-"], input=ruleset, text=True,
                   capture_output=True)
if r.returncode != 0:
    t.bail("nft: " + r.stderr)

dirs = mxmail.greyd_dirs(t)
started = time.time()
g = t.spawn([GREYD, "-d", "-v", "-D", dirs["db"],
             "-u", "nobody", "-j", dirs["jail"], "-G", "2s:1h:1d",
             "-I", "1h", "-S", "0", "-s", "0", "-p", "2525",
             "-M", "127.0.0.9"], log="greyd")
if not t.wait_port(2525):
    t.bail("greyd did not start: " + t.log("greyd"))


def greydb():
    return subprocess.run([GREYDB, "-f", dirs["db"]], capture_output=True,
                          text=True, timeout=10).stdout


def attempt(mx, src):
    s = smtplib.SMTP(timeout=10, source_address=(src, 0))
    s.connect(mx, 25)
    s.ehlo("mx.example.org")
    s.mail("<a@example.org>")
    s.rcpt("<b@example.net>")
    code = s.docmd("DATA")[0]
    s.close()
    time.sleep(0.3)
    return code


t.is_(attempt("127.0.0.9", "127.0.0.20"), 451,
      "the -M address, in the first 60 s: greylisted")
db = greydb()
t.ok(re.search(r"^GREY\|127\.0\.0\.20\|", db, re.M) and
     not re.search(r"^TRAPPED\|127\.0\.0\.20\|", db, re.M),
     "grace period: a GREY tuple, no trap")

time.sleep(max(0, started + 62 - time.time()))
t.is_(attempt("127.0.0.8", "127.0.0.21"), 451, "the other MX: greylisted")
t.ok(re.search(r"^GREY\|127\.0\.0\.21\|", greydb(), re.M),
     "GREY tuple for the source that used the right MX")
t.is_(attempt("127.0.0.9", "127.0.0.22"), 451,
      "the -M address after 60 s: the connection still gets 451")
db = greydb()
t.ok(re.search(r"^TRAPPED\|127\.0\.0\.22\|\d+$", db, re.M),
     "its source is TRAPPED")
t.ok(not re.search(r"^GREY\|127\.0\.0\.22\|", db, re.M),
     "and has no GREY tuple")
t.ok(t.wait_log("greyd", r"127\.0\.0\.22 trapped helo=mx\.example\.org"),
     "the trap is logged")


def nftset(name):
    return subprocess.run(["nft", "list", "set", "inet", "mxsuite", name],
                          capture_output=True, text=True).stdout


t.ok("spamd-white" in nftset("spamd-white"),
     "the default back-end created the nft set spamd-white")
time.sleep(3.2)
attempt("127.0.0.8", "127.0.0.21")
g.send_signal(signal.SIGHUP)
end = time.time() + 5
while time.time() < end and "127.0.0.21" not in nftset("spamd-white"):
    time.sleep(0.1)
t.like(nftset("spamd-white"), r"elements = \{ 127\.0\.0\.21 \}",
       "after the retry and a scan: 127.0.0.21 in the nft set")
g.terminate()
t.is_(g.wait(timeout=10), 0, "greyd exits 0")
t.done()
