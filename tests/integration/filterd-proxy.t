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
# tests/integration/filterd-proxy.t: swaks -> filterd with the article's
# flags (--port=10025 --relayhost=127.0.0.1:10026 --tagall --aw --rh
# --maxsize=256) -> a sink that stores each message (smtpd-test -o).
# GTUBE is relayed as spam (X-Spam-Flag: YES, wrapped by report_safe 1
# with the original as message/rfc822), ham tagged (--tagall), the rules
# logged (--rh), --aw warned; an oversize message relayed byte for byte
# ("skipped large message"); without --tagall ham untouched; the next
# hop down (421 greeting) or dying at the end of data (4xx); a scan
# past --satimeout (a test-only slow rule via --cf) relayed untagged and
# the worker replaced, or refused with 450 under --dose; bad options.

import email
import email.policy
import os
import re
import signal
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxmail  # noqa: E402
from mxmail import FILTERD, GTUBE  # noqa: E402

t, OUT = mxmail.tap_outdir()
T = t.tmp
# ten slow rules: each one stops at PCRE2's match limit after ~0.1-1 s
SLOW = [r"--cf=rawbody FD_SLOW%d /^(?:\w+\s?)+[!?]$/m" % i
        for i in range(10)]


def stored():
    return mxmail.stored(OUT)


def newest():
    return mxmail.newest_bytes(OUT)


def swaks(port, datafile, extra=()):
    r = subprocess.run(["swaks", "-s", "127.0.0.1:%d" % port,
                        "-f", "alice@example.com", "-t", "bob@example.org",
                        "--data", datafile, "--timeout", "120"] +
                       list(extra), capture_output=True, timeout=180)
    return r.stdout.decode(errors="replace")


def send(port, msg):
    """(code, text) of the end of data, or of whatever failed."""
    code, text = mxmail.send(port, msg, timeout=120)
    return code, text.decode(errors="replace")


def start(port, relay, extra, name):
    p = t.spawn([FILTERD, "--port=%d" % port, "--relayhost=%s" % relay,
                 "--nodetach", "--pid=", "--children=2"] + extra, log=name)
    if not t.wait_port(port, timeout=60):
        t.bail("%s did not start: %s" % (name, t.log(name)))
    return p


def write(name, text):
    path = os.path.join(T, name)
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return path


# 0. option errors: clear, exit 1
for args, what in ((["--port=99999"], r"--port"),
                   (["--maxsize=big"], r"--maxsize"),
                   (["--relayhost=h:0"], r"relayhost"),
                   (["--logsock=tcp"], r"unix or inet"),
                   (["--nosuch"], r"--nosuch")):
    r = subprocess.run([FILTERD] + args, capture_output=True, timeout=30)
    err = r.stderr.decode()
    t.ok(r.returncode == 1 and re.search(what, err) and "usage:" in err,
         "%s: exit 1, says why (%s)" % (args[0], err.splitlines()[0]))

sink = t.spawn([mxmail.SMTPD_TEST, "-d", "-p", "10026", "-o", OUT,
                "-z", "100000000"], log="sink")
if not t.wait_port(10026):
    t.bail("sink did not start")

# 1. the article's command line, unchanged (plus foreground for the test)
fd = start(10025, "127.0.0.1:10026",
           ["--tagall", "--aw", "--rh", "--maxsize=256"], "filterd")
t.ok(t.wait_log("filterd", r"--auto-whitelist \(--aw\) has no effect"),
     "--aw accepted, warned as a no-op")

# 2. GTUBE: spam, report_safe 1
gt = write("gtube.eml", "From: Alice <alice@example.com>\r\n"
           "To: bob@example.org\r\nSubject: gtube test\r\n"
           "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
           "Message-ID: <gtube-1@example.com>\r\n\r\n"
           "This is the GTUBE.\r\n\r\n" + GTUBE + "\r\n")
out = swaks(10025, gt)
t.like(out, r"<-  250 [^\n]*\n -> QUIT", "GTUBE: 250 at end of data")
m = newest()
msg = email.message_from_bytes(m, policy=email.policy.compat32)
t.is_(msg.get("X-Spam-Flag"), "YES", "GTUBE: X-Spam-Flag: YES")
t.like(msg.get("X-Spam-Status", ""), r"^Yes, score=100\d\.\d required=5\.0 "
       r"tests=[^ ]*GTUBE", "GTUBE: X-Spam-Status Yes, tests=...GTUBE")
t.like(msg.get("X-Spam-Level", ""), r"^\*{50}$", "GTUBE: X-Spam-Level")
t.ok(msg.is_multipart() and msg.get_content_type() == "multipart/mixed",
     "GTUBE: report_safe 1 wraps it in multipart/mixed (%s)" %
     msg.get_content_type())
parts = msg.get_payload() if msg.is_multipart() else []
t.ok(len(parts) == 2 and parts[0].get_content_type() == "text/plain" and
     "identified this incoming email as possible spam" in
     parts[0].get_payload(decode=True).decode(errors="replace"),
     "GTUBE: first part the report")
t.ok(len(parts) == 2 and parts[1].get_content_type() == "message/rfc822",
     "GTUBE: second part message/rfc822")
with open(gt, "rb") as f:
    orig = f.read()
t.ok(orig.replace(b"\r\n", b"\n") in m.replace(b"\r\n", b"\n"),
     "GTUBE: the original message inside, unchanged")
t.like(msg.get("Subject", ""), r"gtube test", "GTUBE: subject kept")
t.ok(t.wait_log("filterd", r"identified spam <gtube-1@example\.com> "
                r"\(100\d\.\d\d/5\.00\) from <alice@example\.com> for "
                r"<bob@example\.org> in [\d.]+s, \d+ bytes\."),
     "GTUBE: 'identified spam' logged as spampd logs it")
t.ok(t.wait_log("filterd", r"rules hit for <gtube-1@example\.com>: "
                r"([A-Z0-9_]+,)*GTUBE(,[A-Z0-9_]+)*\n"),
     "--rh: 'rules hit for <msgid>: A,B,C'")

# 3. ham with --tagall: three X-Spam fields, body untouched
ham = write("ham.eml", "From: Alice <alice@example.com>\r\n"
            "To: bob@example.org\r\nSubject: lunch on friday\r\n"
            "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
            "Message-ID: <ham-1@example.com>\r\n\r\n"
            "Hi Bob,\r\n\r\nshall we have lunch on Friday?\r\n\r\n"
            "Alice\r\n")
out = swaks(10025, ham)
t.like(out, r"<-  250 [^\n]*\n -> QUIT", "ham: 250")
m = newest()
msg = email.message_from_bytes(m, policy=email.policy.compat32)
t.is_(msg.get("X-Spam-Flag"), None, "ham: no X-Spam-Flag")
t.like(msg.get("X-Spam-Status", ""), r"^No, score=-?\d+\.\d required=5\.0",
       "ham with --tagall: X-Spam-Status No")
t.ok(msg.get("X-Spam-Checker-Version", "").startswith("SpamAssassin 4.0.1"),
     "ham with --tagall: X-Spam-Checker-Version")
hambody = b"\r\n\r\nHi Bob,\r\n\r\nshall we have lunch on Friday?\r\n\r\n"
if not t.ok(hambody in m, "ham: body untouched"):
    t.diag(m[-200:])
t.ok(t.wait_log("filterd", r"clean message <ham-1@example\.com> "
                r"\(-?\d+\.\d\d/5\.00\) from <alice@example\.com> for "
                r"<bob@example\.org>"), "ham: 'clean message' logged")

# 4. oversize (>= 256 KB): relayed byte for byte, no X-Spam fields
big = ("From: alice@example.com\r\nTo: bob@example.org\r\n"
       "Subject: big\r\nMessage-ID: <big-1@example.com>\r\n\r\n" +
       (GTUBE + "\r\n") + ("y" * 76 + "\r\n") * 3400)
t.ok(len(big) >= 256 * 1024, "oversize message: %d octets" % len(big))
code, text = send(10025, big)
t.is_(code, 250, "oversize: 250 (%s)" % text)
t.ok(newest() == big.encode(), "oversize: relayed untouched, even GTUBE "
     "and --tagall")
t.ok(t.wait_log("filterd", r"skipped large message \(\d+(\.\d+)?KB\)"),
     "oversize: 'skipped large message' logged")

# 5. without --tagall: ham relayed as it came, spam still tagged
fd2 = start(10035, "127.0.0.1:10026", ["--maxsize=256"], "filterd2")
with open(ham, "rb") as f:
    hamb = f.read()
code, text = send(10035, hamb)
t.is_(code, 250, "no --tagall, ham: 250")
t.ok(newest() == hamb, "no --tagall: ham relayed byte for byte")
with open(gt, "rb") as f:
    code, text = send(10035, f.read())
t.is_(code, 250, "no --tagall, GTUBE: 250")
t.like(newest().decode(errors="replace"), r"X-Spam-Flag: YES",
       "no --tagall: spam still tagged")
t.ok(not re.search(r"rules hit", t.log("filterd2")),
     "no --rh: no 'rules hit' lines")

# 6. scan timeout: test-only slow rules, --satimeout=1 (the last line
# matches them, so that no prefilter may skip them; the 2,000 lines
# before it, cut off from it by "--", backtrack up to PCRE2's match
# limit: several seconds for the ten)
slow = ("From: alice@example.com\r\nTo: bob@example.org\r\n"
        "Subject: slow\r\nMessage-ID: <slow-1@example.com>\r\n\r\n" +
        "".join(" ".join("word%d" % j for j in range(15)) + "\r\n"
                for _ in range(2000)) + "--\r\nall done?\r\n")
t.ok(len(slow) < 256 * 1024, "slow message under --maxsize")
fd3 = start(10045, "127.0.0.1:10026", ["--tagall", "--maxsize=256",
                                       "--satimeout=1"] + SLOW, "filterd3")
n0 = len(stored())
t0 = time.time()
code, text = send(10045, slow)
took = time.time() - t0
t.is_(code, 250, "scan timeout: relayed anyway, 250 (%s)" % text)
t.ok(took < 30, "scan timeout: answered in %.1fs" % took)
t.is_(len(stored()), n0 + 1, "scan timeout: one message relayed")
m = newest()
if not t.ok(m == slow.encode(), "scan timeout: relayed untagged"):
    t.diag(m[:300])
t.ok(t.wait_log("filterd3", r"SpamAssassin error on message "
                r"<slow-1@example\.com>: scan timed out after 1 s"),
     "scan timeout: logged")
with open(gt, "rb") as f:
    code, text = send(10045, f.read())
t.ok(code == 250 and b"X-Spam-Flag: YES" in newest(),
     "after the timeout: a new worker scans (GTUBE tagged)")

# 7. --dose: a scan timeout answers 450, nothing relayed
fd4 = start(10055, "127.0.0.1:10026", ["--dose", "--satimeout=1",
                                       "--maxsize=256"] + SLOW,
            "filterd4")
n0 = len(stored())
code, text = send(10055, slow)
t.is_(code, 450, "--dose: 450 on a scan timeout (%s)" % text)
t.like(text, r"Temporary failure processing message, please try again",
       "--dose: spampd's text")
t.is_(len(stored()), n0, "--dose: nothing relayed")

# 8. next hop down: 421 at the greeting; dying at end of data: 4xx
fd5 = start(10065, "127.0.0.1:10099", [], "filterd5")
try:
    smtplib.SMTP("127.0.0.1", 10065, timeout=30)
    t.ok(False, "next hop down: 421 greeting")
except smtplib.SMTPConnectError as e:
    t.is_(e.smtp_code, 421, "next hop down: 421 greeting (%s)" %
          e.smtp_error.decode(errors="replace"))
    t.like(e.smtp_error.decode(errors="replace"), r"^4\.4\.\d",
           "next hop down: enhanced code 4.4.x")


mxmail.DyingHop(10099)
code, text = send(10065, hamb)
t.ok(400 <= code < 500, "next hop dies at end of data: 4xx, never 250 "
     "(%d %s)" % (code, text))

# 9. --socket with --socket-perms: a UNIX socket instead of TCP
SOCK = os.path.join(T, "filterd.sock")
fd6 = t.spawn([FILTERD, "--socket=" + SOCK, "--socket-perms=0660",
               "--relayhost=127.0.0.1:10026", "--tagall", "--nodetach",
               "--pid="], log="filterd6")
end = time.time() + 60
while time.time() < end and not os.path.exists(SOCK):
    time.sleep(0.1)
t.ok(os.path.exists(SOCK) and (os.stat(SOCK).st_mode & 0o777) == 0o660,
     "--socket: a UNIX socket, mode 0660 (--socket-perms)")
out = subprocess.run(
    ["swaks", "--socket", SOCK, "-f", "alice@example.com", "-t",
     "bob@example.org", "--data", gt], capture_output=True,
    timeout=180).stdout.decode(errors="replace")
t.like(out, r"<-  250 [^\n]*\n -> QUIT", "--socket: GTUBE accepted")
t.like(newest().decode(errors="replace"), r"X-Spam-Flag: YES",
       "--socket: tagged")
# (a second for the relay's QUIT: SIGTERM while it is in flight leaks
# the relay connection's bufferevent at exit, which LeakSanitizer
# reports as exit 1; a known bug of the shutdown (libevent frees a
# bufferevent later than the proxy frees its session), not what this
# tests; the same before each stop below)
time.sleep(1)
fd6.terminate()
t.is_(fd6.wait(30), 0, "--socket: exit 0")
fd6 = t.spawn([FILTERD, "--socket=" + SOCK, "--relayhost=127.0.0.1:10026",
               "--nodetach", "--pid="], log="filterd7")
t.ok(t.wait_log("filterd7", r"listening on " + re.escape(SOCK)),
     "--socket: a stale socket is replaced at start")

# 10. SIGHUP reads the rules again (--saconfig here); on error the old
# ones stay.  filterd runs as "mail" after start-up (as root): it must
# be able to read the file.
os.chmod(T, 0o755)
LOCAL = write("local.cf", "body FD_MARK /reloadmarker/\nscore FD_MARK 0.1\n")
fd8 = start(10075, "127.0.0.1:10026", ["--tagall", "--rh",
                                       "--saconfig=" + LOCAL], "filterd8")
marked = hamb.replace(b"Alice\r\n", b"reloadmarker\r\nAlice\r\n")
code, text = send(10075, marked)
m = newest().decode(errors="replace")
t.ok(code == 250 and "X-Spam-Status: No" in m and "FD_MARK" in m,
     "--saconfig: its rule hits, scored 0.1: ham")
write("local.cf", "body FD_MARK /reloadmarker/\nscore FD_MARK 50\n")
fd8.send_signal(signal.SIGHUP)
t.ok(t.wait_log("filterd8", r"SIGHUP: \d+ rules reloaded", 90),
     "SIGHUP: rules reloaded")
code, text = send(10075, marked)
t.ok(code == 250 and b"X-Spam-Flag: YES" in newest(),
     "SIGHUP: the new score applies (spam)")
os.unlink(LOCAL)
fd8.send_signal(signal.SIGHUP)
t.ok(t.wait_log("filterd8", r"SIGHUP: rules not reloaded, the old ones stay"),
     "SIGHUP with a missing --saconfig: refused, said so")
code, text = send(10075, marked)
t.ok(code == 250 and b"X-Spam-Flag: YES" in newest(),
     "the old rules stay")
time.sleep(1)
fd8.terminate()
t.is_(fd8.wait(30), 0, "after the reloads: exit 0")

# 11. SIGTERM: exit 0, counters
fd.send_signal(signal.SIGTERM)
t.is_(fd.wait(30), 0, "SIGTERM: exit 0")
t.like(t.log("filterd"), r"exiting scanned=\d+ spam=\d+ errors=0 "
       r"timeouts=0 skipped=1", "SIGTERM: counters logged")
t.done()
