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
# tests/interop/filterd-opensmtpd.t: the article's inbound path with a
# real OpenSMTPD.  swaks submits to OpenSMTPD (127.0.0.1:2525), which
# relays via smtp://127.0.0.1:10025 to filterd (the article's flags:
# --port=10025 --relayhost=127.0.0.1:10026 --tagall --aw --rh
# --maxsize=256); filterd relays the tagged mail back to OpenSMTPD on
# 127.0.0.1:10026, tagged SPAMPD, which relays it to "the mailbox host"
# (smtpd-test -o on 2526).  GTUBE arrives as spam (X-Spam-Flag: YES,
# wrapped by report_safe 1, OpenSMTPD's Received fields inside the
# original), ham with its X-Spam-Status: No (--tagall), the envelope
# intact.  With filterd stopped, OpenSMTPD keeps the mail queued (the
# connection refused) and delivers it, tagged, once filterd is back.
#
# OpenSMTPD's queue is compiled in (/var/spool/smtpd): the test runs in a
# private mount namespace too, with a tmpfs on /var/spool.  smtpd must
# start as root (it drops to its users opensmtpd/opensmtpq).

import email
import email.policy
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

mxmail.opensmtpd_netns()
t = mxtap.Tap()
B = mxtap.BUILD
T = t.tmp
os.chmod(T, 0o755)
OUT = mxmail.outdir(t)
FILTERD = [B + "/filterd/filterd", "--port=10025",
           "--relayhost=127.0.0.1:10026", "--tagall", "--aw", "--rh",
           "--maxsize=256", "--nodetach", "--pid=", "--children=2"]
GTUBE = mxmail.GTUBE
mxmail.opensmtpd_setup(t)
run = mxmail.run

SCONF = os.path.join(T, "smtpd.conf")
mxmail.opensmtpd_conf(t, SCONF, """\
# the article's inbound rules (spampd on 10025), current grammar
listen on 127.0.0.1 port 2525 hostname mx1.example.com
listen on 127.0.0.1 port 10026 tag SPAMPD hostname mx1.example.com
action "spampd" relay host smtp://127.0.0.1:10025
action "mbox" relay host smtp://127.0.0.1:2526
match tag SPAMPD for any action "mbox"
match from any for any action "spampd"
""")

t.spawn([B + "/tests/bin/smtpd-test", "-d", "-p", "2526", "-o", OUT],
        log="mbox")
t.wait_port(2526) or t.bail("the sink did not start")
fd = t.spawn(FILTERD, log="filterd")
t.wait_port(10025, timeout=60) or t.bail("filterd did not start: " +
                                          t.log("filterd"))
mxmail.opensmtpd_start(t, SCONF, (2525, 10026))


def wait_msg(n, timeout=60):
    return mxmail.wait_msg(OUT, n, timeout)


swaks = mxmail.swaks_submit


def parse(path):
    with open(path, "rb") as f:
        raw = f.read()
    return raw, email.message_from_bytes(raw, policy=email.policy.compat32)


# 1. GTUBE: spam, wrapped
path = mxmail.submit_delivered(t, OUT, "gtube through OpenSMTPD",
                               "The GTUBE:\n\n" + GTUBE + "\n", "GTUBE",
                               "OpenSMTPD -> filterd -> OpenSMTPD -> "
                               "mailbox", "filterd", 60)
raw, msg = parse(path)
t.is_(msg.get("X-Spam-Flag"), "YES", "GTUBE: X-Spam-Flag: YES")
t.like(msg.get("X-Spam-Status", ""), r"^Yes, score=\d+\.\d required=5\.0 "
       r"tests=.*GTUBE", "GTUBE: X-Spam-Status")
t.is_(msg.get_content_type(), "multipart/mixed", "GTUBE: report_safe 1")
inner = msg.get_payload()[1].get_payload()[0] if msg.is_multipart() else None
t.ok(inner is not None and len(inner.get_all("Received", [])) >= 1 and
     GTUBE in inner.get_payload(), "GTUBE: the original inside, with "
     "OpenSMTPD's Received field")
outer = raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
t.like(outer, r"(?m)^Received: from \S+ \(localhost \[127\.0\.0\.1\]\)",
       "OpenSMTPD's second pass: from filterd")
t.is_(open(path + ".env").read(), "from=<alice@example.com>\n"
      "rcpt=<bob@example.org>\n", "the envelope went through")
t.ok(t.wait_log("filterd", r"rules hit for <[^>]+>: \S*GTUBE"),
     "filterd logged the rules hit")

# 2. ham: X-Spam-Status No (--tagall)
r = swaks("lunch on friday", "Hi Bob,\n\nshall we have lunch on Friday?"
          "\n\nAlice\n")
path = wait_msg(2)
t.ok(path is not None, "ham delivered")
if path is not None:
    raw, msg = parse(path)
    t.like(msg.get("X-Spam-Status", ""), r"^No, score=",
           "ham: X-Spam-Status: No")
    t.is_(msg.get("X-Spam-Flag"), None, "ham: no X-Spam-Flag")
    t.ok(b"shall we have lunch on Friday?" in raw, "ham: body kept")

# 3. filterd down: OpenSMTPD queues, delivers once it is back
fd.terminate()
fd.wait(10)
r = swaks("queued while filterd is down", "Wait for me.\n\n" + GTUBE +
          "\n")
t.like(r.stdout.decode(), r"<-  250 2\.0\.0 \w+ Message accepted",
       "filterd down: OpenSMTPD still accepts (it queues)")
time.sleep(2)
t.is_(wait_msg(3, timeout=1), None, "filterd down: nothing delivered")
fd = t.spawn(FILTERD, log="filterd2")
t.wait_port(10025, timeout=60)
run(["smtpctl", "schedule", "all"])
path = wait_msg(3, timeout=90)
t.ok(path is not None, "filterd back: the queued mail is delivered")
if path is not None:
    raw, msg = parse(path)
    t.is_(msg.get("X-Spam-Flag"), "YES", "after the retry: tagged")
t.done()
