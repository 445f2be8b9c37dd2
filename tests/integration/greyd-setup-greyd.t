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
# tests/integration/greyd-setup-greyd.t: greyd-setup loading the real
# greyd (blacklist-only mode, no stutter) in a private network
# namespace: the message of spamd.conf, escaped by greyd-setup and
# unescaped by greyd, reaches a blacklisted client; a later run whose
# white list empties the list deletes it in greyd.

import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("MX_TOP", "."), "tests/lib"))
import mxtap  # noqa: E402

t = mxtap.Tap()
GREYD = os.path.join(mxtap.BUILD, "greyd", "greyd")
SETUP = os.path.join(mxtap.BUILD, "greyd", "greyd-setup")
for b in (GREYD, SETUP):
    if not os.access(b, os.X_OK):
        t.bail("%s not built" % b)
tmp = t.tmp
os.chmod(tmp, 0o755)
subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"],
               check=True)
for sub in ("fw", "db", "jail"):
    os.mkdir(os.path.join(tmp, sub))
os.chmod(os.path.join(tmp, "db"), 0o777)


def write(name, text):
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)


write("black.txt", "127.0.0.2\n192.0.2.0/24\n")
write("white.txt", "# nothing yet\n")
write("spamd.conf",
      "all:\\\n"
      "\t:mine:mywhite:\n"
      "mine:\\\n"
      "\t:black:\\\n"
      "\t:msg=\"Your address %%A is \\\"listed\\\"\\n"
      "100%% sure: see \\\\x\":\\\n"
      "\t:file=%s/black.txt:\n"
      "mywhite:\\\n"
      "\t:white:\\\n"
      "\t:file=%s/white.txt:\n" % (tmp, tmp))

g = t.spawn([GREYD, "-d", "-v", "-b", "-s", "0", "-h", "mx.test",
             "-F", "file:" + os.path.join(tmp, "fw"),
             "-D", os.path.join(tmp, "db"), "-u", "nobody",
             "-j", os.path.join(tmp, "jail"), "-p", "2525"], log="greyd")
if not t.wait_port(2525) or not t.wait_port(8026):
    t.bail("greyd did not start: %s" % t.log("greyd"))
time.sleep(0.3)


def setup():
    p = subprocess.run([SETUP, "-d", "-f", os.path.join(tmp, "spamd.conf")],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stderr


def dialogue(src):
    """From src: HELO, MAIL, RCPT, DATA, a message; the final reply."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(20)
    s.connect(("127.0.0.1", 2525))
    f = s.makefile("rwb")
    f.readline()
    for cmd in (b"HELO client.test\r\n", b"MAIL FROM:<a@b.test>\r\n",
                b"RCPT TO:<c@d.test>\r\n", b"DATA\r\n"):
        f.write(cmd)
        f.flush()
        f.readline()
    f.write(b"Subject: x\r\n\r\nbody\r\n.\r\n")
    f.flush()
    reply = b""
    while True:
        line = f.readline()
        reply += line
        if len(line) < 4 or line[3:4] != b"-":
            break
    s.close()
    return reply.decode(errors="replace")


rc, err = setup()
t.is_(rc, 0, "greyd-setup loads greyd")
t.like(err, r"mine: \d+ bytes sent to greyd from port 10\d\d",
       "greyd-setup: sent from a reserved port")
time.sleep(0.3)
t.is_(dialogue("127.0.0.2"),
      "450-Your address 127.0.0.2 is \"listed\"\r\n"
      "450 100% sure: see \\x\r\n",
      "greyd answers with the list's message: %A, \\\", \\n, %%, \\\\")

# The white list now covers the whole black list: the list goes away,
# but not when the update comes from an unreserved port (not root).
write("white.txt", "127.0.0.0/8\n192.0.2.0/24\n")
p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                    "--clear-groups", SETUP, "-f",
                    os.path.join(tmp, "spamd.conf")],
                   capture_output=True, text=True, timeout=60)
t.like(p.stderr, r"port \d+.*greyd accepts (it )?only with -U",
       "not root: the unreserved port and -U are named")
t.is_(p.returncode, 1 if "dropped" in p.stderr else 0,
      "not root: exit 1 when greyd dropped the connection")
time.sleep(0.3)
t.like(dialogue("127.0.0.2"), r"^450-Your address",
       "not root: greyd ignored the update")
rc, err = setup()
t.is_(rc, 0, "greyd-setup: second run")
time.sleep(0.3)
t.like(dialogue("127.0.0.2"), r"^451 ",
       "a list emptied by its white list is deleted in greyd")
g.send_signal(signal.SIGTERM)
try:
    g.wait(timeout=10)
except subprocess.TimeoutExpired:
    g.kill()
t.ok("ERROR: AddressSanitizer" not in t.log("greyd") and
     "runtime error" not in t.log("greyd"), "greyd: no sanitizer report")
t.done()
