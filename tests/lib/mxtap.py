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
"""TAP and process helpers for the Python tests (tests/lib/mxtap.py).

    import os, sys
    sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
    import mxtap
    t = mxtap.Tap()                  # re-execs in a private netns first
    p = t.spawn([build + "/tests/bin/smtpd-test", "-p", "2525"])
    t.wait_port(2525)
    t.is_(got, want, "name")
    t.done()

Everything spawned is killed at exit; the temporary directory t.tmp is
removed unless MX_KEEP is set.
"""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("MX_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("MX_BUILD") or os.path.join(TOP, "build")


def netns():
    """Re-exec this script in a private network namespace, lo up."""
    if os.environ.get("MX_IN_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    env = dict(os.environ, MX_IN_NETNS="1")
    flag = "-n" if os.getuid() == 0 else "-rn"
    os.execvpe("unshare", ["unshare", flag, "--", sys.executable]
               + sys.argv, env)


class Tap:
    def __init__(self, plan=None, use_netns=True):
        if use_netns:
            netns()
        self.n = 0
        self.failed = 0
        self.planned = plan
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="mxtest.")
        if plan is not None:
            print("1..%d" % plan, flush=True)
        atexit.register(self._cleanup)

    def _cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        for p in self.procs:
            if getattr(p, "logf", None):
                p.logf.close()
        if not os.environ.get("MX_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def diag(self, *msg):
        sys.stdout.flush()
        for m in msg:
            for line in str(m).splitlines() or [""]:
                sys.stderr.write("# %s\n" % line)
        sys.stderr.flush()

    def ok(self, cond, name=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name),
              flush=True)
        return bool(cond)

    def is_(self, got, want, name=""):
        if not self.ok(got == want, name):
            self.diag("         got: %r" % (got,),
                      "    expected: %r" % (want,))
            return False
        return True

    def like(self, got, regex, name=""):
        import re
        if not self.ok(re.search(regex, got or "") is not None, name):
            self.diag("         got: %r" % (got,),
                      "    expected to match: /%s/" % regex)
            return False
        return True

    def skip_or_fail(self, n, why):
        """SKIP on a developer's machine; FAIL under CI (CI=true)."""
        for _ in range(n):
            if os.environ.get("CI"):
                self.ok(False, "cannot run under CI: %s" % why)
            else:
                self.n += 1
                print("ok %d # SKIP %s" % (self.n, why), flush=True)

    def bail(self, msg):
        print("Bail out! %s" % msg, flush=True)
        sys.exit(255)

    def spawn(self, argv, log=None, **kw):
        """Start a program in the background, output to tmp/<name>.log."""
        name = log or os.path.basename(argv[0])
        logf = open(os.path.join(self.tmp, name + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                             **kw)
        p.logf = logf
        self.procs.append(p)
        return p

    def log(self, name):
        try:
            with open(os.path.join(self.tmp, name + ".log"),
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, name, regex, timeout=20.0):
        """Wait until tmp/<name>.log matches regex; the match or None.
        A daemon may log after its socket accepts: never test a log
        line right after wait_port without waiting for it."""
        end = time.time() + timeout
        while True:
            m = re.search(regex, self.log(name))
            if m or time.time() >= end:
                return m
            time.sleep(0.05)

    def wait_port(self, port, host="127.0.0.1", timeout=10.0):
        end = time.time() + timeout
        while time.time() < end:
            try:
                with socket.create_connection((host, port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        self.diag("nothing listens on %s:%d after %.0fs" %
                  (host, port, timeout))
        return False

    def done(self):
        if self.planned is None:
            print("1..%d" % self.n, flush=True)
        elif self.planned != self.n:
            self.diag("planned %d tests but ran %d" % (self.planned, self.n))
            sys.exit(255)
        sys.exit(min(self.failed, 254))
