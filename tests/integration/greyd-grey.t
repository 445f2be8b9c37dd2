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
# tests/integration/greyd-grey.t: greyd greylists a real SMTP client
# (smtplib) in a private network namespace, with the file firewall
# back-end and a temporary database: 451 at DATA, the GREY tuple in
# greydb's listing, the retry after a 2 s pass time, the scan (SIGHUP)
# that whitelists the IP in the database and in spamd-white; an IPv6
# source; a spamtrap recipient that traps the source, whose next
# connection gets spamd's greytrap reply.

import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("MX_TOP", "."), "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

t = mxtap.Tap()
GREYD, GREYDB = mxmail.greyd_bins(t)
dirs = mxmail.greyd_dirs(t)
fw, db, jail = dirs["fw"], dirs["db"], dirs["jail"]
WHITE = os.path.join(fw, "spamd-white")

# a long scan interval: scans come from SIGHUP, when the test wants them
g = t.spawn([GREYD, "-d", "-v", "-h", "mx.test", "-F", "file:" + fw,
             "-D", db, "-u", "nobody", "-j", jail, "-G", "2s:1h:1d",
             "-I", "1h", "-S", "0", "-s", "0", "-p", "2525",
             "-l", "127.0.0.1", "-l", "::1"], log="greyd")
if not t.wait_port(2525):
    t.bail("greyd did not start: " + t.log("greyd"))


def greydb(*args):
    r = subprocess.run([GREYDB, "-f", db] + list(args),
                       capture_output=True, text=True, timeout=10)
    return r.stdout


def wait_for(fn, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return fn()


def white():
    try:
        with open(WHITE) as f:
            return f.read().split()
    except OSError:
        return []


def scan():
    g.send_signal(signal.SIGHUP)


def attempt(host="127.0.0.1", src=None, rcpt="<bob@example.net>",
            sender="<Alice@Example.org>"):
    """One delivery attempt; the replies seen."""
    s = smtplib.SMTP(timeout=10, source_address=(src, 0) if src else None)
    out = {}
    out["banner"] = s.connect(host, 2525)
    out["ehlo"] = s.ehlo("mx.example.org")
    out["mail"] = s.docmd("MAIL FROM:" + sender)
    out["rcpt"] = s.docmd("RCPT TO:" + rcpt)
    out["data"] = s.docmd("DATA")
    if out["data"][0] == 354:
        s.send(b"Subject: test\r\n\r\nbody\r\n.\r\n")
        out["eom"] = s.getreply()
    try:
        out["after"] = s.docmd("NOOP")
    except (smtplib.SMTPServerDisconnected, OSError):
        out["after"] = "closed"
    s.close()
    return out


# first attempt: greylisted
r = attempt()
t.like(r["banner"][1].decode(),
       r"^mx\.test ESMTP spamd IP-based SPAM blocker; \w{3} \w{3} ",
       "banner: hostname, spamd's name, the date")
t.is_(r["ehlo"], (250, b"Hello, spam sender. Pleased to be wasting your "
                  b"time."), "EHLO reply (no TLS): spamd's one line")
t.is_(r["mail"], (250, b"You are about to try to deliver spam. "
                  b"Your time will be spent, for nothing."), "MAIL reply")
t.is_(r["rcpt"], (250, b"This is hurting you more than it is hurting me."),
      "RCPT reply")
t.is_(r["data"], (451, b"Temporary failure, please try again later."),
      "DATA gets 451")
t.is_(r["after"], "closed", "connection closed after the 451")

grey = wait_for(lambda: re.findall(r"^GREY\|.*$", greydb(), re.M))
t.is_(len(grey), 1, "one GREY entry")
f = grey[0].split("|") if grey else [""] * 10
t.is_(f[1:5], ["127.0.0.1", "mx.example.org", "<Alice@Example.org>",
               "<bob@example.net>"],
      "tuple: ip, helo, from and to as sent (brackets, case)")
t.is_(f[8:10], ["1", "0"], "bcount 1, pcount 0")
t.ok(len(f) == 10 and int(f[7]) - int(f[5]) == 3600,
     "expire = first + greyexp (1h)")
t.ok(t.wait_log("greyd", r"127\.0\.0\.1: connected \(1/0\)"),
     "spamd's connected log line")
t.ok(t.wait_log("greyd", r"127\.0\.0\.1: disconnected after \d+ seconds\."),
     "spamd's disconnected log line")

scan()
time.sleep(0.5)
t.is_(white(), [], "a scan before the pass time whitelists nothing")

time.sleep(3.2)  # whole seconds: first + 2 < now
r = attempt()
t.is_(r["data"][0], 451, "the retry after the pass time still gets 451")
grey = wait_for(lambda: [x for x in re.findall(r"^GREY\|.*$", greydb(),
                                                re.M) if x.endswith("|2|0")])
t.ok(grey, "retry counted: bcount 2")
scan()
t.is_(wait_for(white), ["127.0.0.1/32"], "scan: 127.0.0.1 in spamd-white")
wl = re.findall(r"^WHITE\|127\.0\.0\.1\|\|\|.*$", greydb(), re.M)
t.ok(len(wl) == 1 and len(wl[0].split("|")) == 9,
     "greydb prints the WHITE line: %s" % (wl,))

# IPv6
r = attempt(host="::1")
t.is_(r["data"][0], 451, "IPv6 source greylisted")
t.ok(wait_for(lambda: re.search(r"^GREY\|::1\|mx\.example\.org\|",
                                greydb(), re.M)),
     "GREY entry for ::1")
time.sleep(3.2)  # whole seconds: first + 2 < now
attempt(host="::1")
time.sleep(0.3)
scan()
t.ok(wait_for(lambda: "::1/128" in white()),
     "IPv6 source whitelisted in spamd-white: %s" % white())

# greytrap: a SPAMTRAP recipient traps the source
subprocess.run([GREYDB, "-f", db, "-T", "-a", "trap@example.net"],
               check=True, timeout=10)
r = attempt(src="127.0.0.2", rcpt="<Trap@Example.NET>")
t.is_(r["data"][0], 451, "the trapping connection itself gets 451")
t.ok(wait_for(lambda: re.search(r"^TRAPPED\|127\.0\.0\.2\|\d+$", greydb(),
                                re.M)),
     "greydb shows 127.0.0.2 TRAPPED")
t.ok(not re.search(r"^GREY\|127\.0\.0\.2\|", greydb(), re.M),
     "no GREY tuple for the trapped source")
r = attempt(src="127.0.0.2")
t.is_(r["data"][0], 354, "a trapped source goes through DATA")
t.is_(r["after"], "closed", "and is disconnected after the reply")
t.is_(r.get("eom"), (450, b"Your address 127.0.0.2 has mailed to spamtraps "
                     b"here"), "and gets spamd's greytrap reply")
t.ok(t.wait_log("greyd", r"127\.0\.0\.2: connected \(\d+/1\), lists: "
                r"spamd-greytrap"), "connected line names the traplist")
scan()
time.sleep(0.5)
t.ok("127.0.0.2/32" not in white(), "the trapped source is not white")

g.send_signal(signal.SIGTERM)
try:
    rc = g.wait(timeout=10)
except subprocess.TimeoutExpired:
    rc = None
t.is_(rc, 0, "greyd exits 0 on SIGTERM")

# restarted, greyd keeps its state: the table is refilled at start
os.unlink(WHITE)
g = t.spawn([GREYD, "-d", "-F", "file:" + fw, "-D", db, "-u", "nobody",
             "-j", jail, "-G", "2s:1h:1d", "-I", "1h", "-s", "0",
             "-p", "2525"], log="greyd2")
if not t.wait_port(2525):
    t.bail("greyd did not restart: " + t.log("greyd2"))
t.is_(wait_for(white), ["127.0.0.1/32", "::1/128"],
      "after a restart spamd-white holds the white entries again")
r = attempt(src="127.0.0.2")
t.is_(r.get("eom"), (450, b"Your address 127.0.0.2 has mailed to spamtraps "
                     b"here"), "and the trapped source is still trapped")
g.send_signal(signal.SIGTERM)
try:
    rc = g.wait(timeout=10)
except subprocess.TimeoutExpired:
    rc = None
t.is_(rc, 0, "greyd exits 0 again")
log = t.log("greyd") + t.log("greyd2")
t.ok("ERROR: AddressSanitizer" not in log and "runtime error" not in log,
     "no sanitizer report")
t.done()
