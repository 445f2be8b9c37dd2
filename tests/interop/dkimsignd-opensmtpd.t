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
# tests/interop/dkimsignd-opensmtpd.t: the article's outbound path with a
# real OpenSMTPD.  swaks submits to OpenSMTPD (127.0.0.1:2525), which
# relays via smtp://127.0.0.1:10027 to dkimsignd (the article's
# dkimproxy_out.conf plus an Ed25519 line); dkimsignd relays the signed
# mail back to OpenSMTPD on 127.0.0.1:10028, tagged DKIM_OUT, and
# OpenSMTPD relays that to "the recipient's MX" (smtpd-test -o on 2526).
# What arrives must carry both signatures, above OpenSMTPD's first
# Received field and below its second, and pass dkimpy, Mail::DKIM (RSA)
# and OpenDKIM.  With dkimsignd stopped, OpenSMTPD keeps the mail queued
# (421 at the greeting) and delivers it, signed, once dkimsignd is back.
#
# OpenSMTPD's queue is compiled in (/var/spool/smtpd): the test runs in a
# private mount namespace too, with a tmpfs on /var/spool.  smtpd must
# start as root (it drops to its users opensmtpd/opensmtpq).

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/integration"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402
from dkimsignd_verify import (Verifiers, genkeys, pubkey, run,  # noqa: E402
                              sigfields, tag)

mxmail.opensmtpd_netns()
t = mxtap.Tap()
B = mxtap.BUILD
T = t.tmp
os.chmod(T, 0o755)
OUT = mxmail.outdir(t)
mxmail.opensmtpd_setup(t)

V = Verifiers(t, T)
RSA, ED = genkeys(T)
V.keys["default._domainkey.example.com"] = \
    "v=DKIM1; h=sha256; k=rsa; p=" + pubkey(RSA)
V.keys["ed._domainkey.example.com"] = "v=DKIM1; k=ed25519; p=" + \
    pubkey(ED, True)
V.publish()

SCONF = os.path.join(T, "smtpd.conf")
SCONF_TEXT = """# the article's outbound rules, on the current grammar
listen on 127.0.0.1 port 2525 hostname mx1.example.com
listen on 127.0.0.1 port 10028 tag DKIM_OUT hostname mx1.example.com
action "dkim" relay host smtp://127.0.0.1:10027
action "out" relay host smtp://127.0.0.1:2526
match tag DKIM_OUT for any action "out"
match from local for any action "dkim"
"""
DCONF = os.path.join(T, "dkimproxy_out.conf")
with open(DCONF, "w") as f:
    f.write("""listen    127.0.0.1:10027
relay     127.0.0.1:10028
domain    example.com
signature dkim(c=relaxed)
signature dkim(a=ed25519-sha256,c=relaxed/relaxed,s=ed,key=%s)
signature domainkeys(c=nofws)
keyfile   %s
selector  default
""" % (ED, RSA))

mxmail.opensmtpd_conf(t, SCONF, SCONF_TEXT)
t.spawn([B + "/tests/bin/smtpd-test", "-d", "-p", "2526", "-o", OUT],
        log="mx")
t.wait_port(2526) or t.bail("the sink did not start")
dk = t.spawn([B + "/dkimsignd/dkimsignd", "-d", "-f", DCONF],
             log="dkimsignd")
t.wait_port(10027) or t.bail("dkimsignd did not start")
mxmail.opensmtpd_start(t, SCONF, (2525, 10028))


def wait_msg(n, timeout=30):
    return mxmail.wait_msg(OUT, n, timeout)


swaks = mxmail.swaks_submit


path = mxmail.submit_delivered(t, OUT, "through OpenSMTPD",
                               "Signed on the way out.\n.dot\n",
                               "the message", "OpenSMTPD -> dkimsignd -> "
                               "OpenSMTPD -> MX", "dkimsignd")
msg = V.check(path, "via OpenSMTPD")
head = msg.split(b"\r\n\r\n", 1)[0].decode()
names = [line.split(":", 1)[0].lower() for line in head.split("\r\n")
         if line and line[0] not in " \t"]
t.is_(names[:4], ["received", "dkim-signature", "dkim-signature",
                  "received"],
      "the signatures between OpenSMTPD's two Received fields")
t.like(head, r"Received: from %s \(localhost \[127\.0\.0\.1\]\)" %
       re.escape(socket.gethostname()), "OpenSMTPD's second pass: from "
       "dkimsignd (its EHLO name, the host's)")
t.is_(tag(sigfields(msg)[0], "d"), "example.com", "d=example.com")
t.is_(open(path + ".env").read(), "from=<alice@example.com>\n"
      "rcpt=<bob@example.org>\n", "the envelope went through")

# dkimsignd down: OpenSMTPD gets 421 at the greeting, keeps the mail
dk.terminate()
dk.wait(10)
r = swaks("queued while dkimsignd is down", "Wait for me.\n")
t.like(r.stdout.decode(), r"<-  250 2\.0\.0 \w+ Message accepted",
       "dkimsignd down: OpenSMTPD still accepts (it queues)")
time.sleep(2)
t.is_(wait_msg(2, timeout=1), None, "dkimsignd down: nothing delivered")
t.like(t.log("smtpd"), r"(?i)(421|refused|Connection refused|"
       r"TempFail|temporary)", "OpenSMTPD saw the failure")
dk = t.spawn([B + "/dkimsignd/dkimsignd", "-d", "-f", DCONF],
             log="dkimsignd2")
t.wait_port(10027)
run(["smtpctl", "schedule", "all"])
path = wait_msg(2, timeout=60)
t.ok(path is not None, "dkimsignd back: the queued mail is delivered")
if path is not None:
    V.check(path, "after the retry")
t.done()
