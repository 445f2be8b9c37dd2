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
# tests/integration/greydb-cli.t: greydb (spamdb's drop-in) against a
# database in a temporary directory: every mode, output lines byte for
# byte, error messages and exit codes.  GREY tuples and a bogus record
# are made with the unit test's helper mode (t_greydb grey|bogus ...),
# since greydb cannot add them.  No sockets: no network namespace.

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxtap  # noqa: E402

t = mxtap.Tap(use_netns=False)
GREYDB = os.path.join(mxtap.BUILD, "greyd", "greydb")
HELPER = os.path.join(mxtap.BUILD, "tests", "unit", "t_greydb")
DB = os.path.join(t.tmp, "db")

if not os.access(GREYDB, os.X_OK) or not os.access(HELPER, os.X_OK):
    t.bail("build greydb and t_greydb first (make all tests)")


def run(*args, db=DB):
    argv = [GREYDB] + (["-f", db] if db is not None else []) + list(args)
    p = subprocess.run(argv, capture_output=True, timeout=30)
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def helper(*args):
    p = subprocess.run([HELPER] + list(args), capture_output=True,
                       timeout=30)
    return p.returncode


def check(res, rc, out, err, name):
    t.is_(res, (rc, out, err), name)


def timed(fn):
    before = int(time.time())
    r = fn()
    after = int(time.time())
    return before, r, after


def line_time(line, regex):
    m = re.match(regex, line or "")
    return int(m.group(1)) if m else None


# a database that is not there
check(run(), 1, "",
      "greydb: cannot open %s for reading: No such file or directory\n" % DB,
      "listing a missing database: spamdb's message, exit 1")

# -a: WHITE
b, r, a = timed(lambda: run("-a", "192.0.2.7"))
check(r, 0, "", "", "-a 192.0.2.7")
rc, out, err = run()
T = line_time(out, r"WHITE\|192\.0\.2\.7\|\|\|(\d+)\|")
t.ok(T is not None and b <= T <= a, "WHITE first is the time of -a")
t.is_(out, "WHITE|192.0.2.7|||%d|%d|%d|1|0\n" % (T, T, T + 3110400),
      "WHITE line: WHITE|ip|||T|T|T+3110400|1|0")

# -a again: pcount++, pass = now, expire moved
time.sleep(1.1)
b, r, a = timed(lambda: run("-a", "192.0.2.7"))
rc, out, err = run("192.0.2.7")
P = line_time(out, r"WHITE\|192\.0\.2\.7\|\|\|\d+\|(\d+)\|")
t.ok(P is not None and b <= P <= a and P > T, "-a again: pass = now")
t.is_((rc, out), (0, "WHITE|192.0.2.7|||%d|%d|%d|1|1\n" %
                  (T, P or 0, (P or 0) + 3110400)),
      "-a again: pcount 1, expire now + 36 d")

# -t -a: TRAPPED
b, r, a = timed(lambda: run("-t", "-a", "198.51.100.9"))
check(r, 0, "", "", "-t -a 198.51.100.9")
rc, out, err = run("198.51.100.9")
X = line_time(out, r"TRAPPED\|198\.51\.100\.9\|(\d+)$")
t.ok(X is not None and b + 86400 <= X <= a + 86400,
     "TRAPPED expire = now + 86400")
t.is_((rc, out, err), (0, "TRAPPED|198.51.100.9|%d\n" % (X or 0), ""),
      "TRAPPED line: TRAPPED|ip|T+86400")

# -T -a: SPAMTRAP, lower-cased; '@' required
check(run("-T", "-a", "Trap@Example.ORG"), 0, "", "", "-T -a")
check(run("trap@example.org"), 0, "SPAMTRAP|trap@example.org\n", "",
      "SPAMTRAP line, address lower-cased")
check(run("-T", "-a", "noemail"), 255, "",
      "greydb: not an email address: noemail\n",
      "-T -a without @: spamdb's message, exit 255")

# IPv6
b, r, a = timed(lambda: run("-a", "2001:db8::25"))
check(r, 0, "", "", "-a IPv6 address")
rc, out, err = run("2001:db8::25")
V = line_time(out, r"WHITE\|2001:db8::25\|\|\|(\d+)\|")
t.is_(out, "WHITE|2001:db8::25|||%d|%d|%d|1|0\n" %
      (V or 0, V or 0, (V or 0) + 3110400), "IPv6 WHITE line")

# invalid addresses: exit status counts failures
check(run("-a", "bogus", "192.0.2.8", "also.bogus"), 2, "",
      "greydb: invalid ip address bogus\n"
      "greydb: invalid ip address also.bogus\n",
      "two invalid of three: exit 2, the valid one added")
t.is_(run("192.0.2.8")[0], 0, "192.0.2.8 was added")
check(run("-t", "-a", "nope"), 1, "",
      "greydb: invalid ip address nope\n", "-t -a validates the IP too")

# usage errors and spamdb's exit-2 messages
check(run("-G", "-a", "192.0.2.1"), 2, "",
      "greydb: cannot add GREY entries\n", "-G -a: exit 2")
check(run("-a"), 2, "", "greydb: no addresses specified\n",
      "-a without keys: exit 2")
check(run("-a", ""), 2, "", "greydb: no addresses specified\n",
      "-a with only an empty key: exit 2")
check(run("-d"), 2, "", "greydb: no addresses specified\n",
      "-d without keys: exit 2")
nodb = os.path.join(t.tmp, "nodb")
check(run("-f", nodb, "-a"), 2, "",
      "greydb: no addresses specified\n", "-a without keys, other -f")
t.ok(not os.path.exists(nodb), "no database made for nothing to do")
usage = ("usage: greydb [-adGTt] [-f dir] [keys ...]\n"
         "       greydb -I [-f dir] [file]\n")
check(run("-G"), 1, "", usage, "-G alone: usage, exit 1")
check(run("-t", "192.0.2.7"), 1, "", usage, "-t alone: usage, exit 1")
rc, out, err = run("-x")
t.is_((rc, out, err.endswith(usage)), (1, "", True),
      "unknown flag: usage, exit 1")

# GREY tuples (made by the helper, as greyd would)
b = int(time.time())
t.is_(helper("grey", DB, "203.0.113.5", "mx.example.org",
             "<Alice@Example.org>", "<bob@example.net>"), 0,
      "tuple greylisted")
t.is_(helper("grey", DB, "203.0.113.5", "mx.example.org",
             "<Alice@Example.org>", "<carol@example.net>"), 0,
      "second tuple")
a = int(time.time())
rc, out, err = run()
lines = out.splitlines()
grey = [x for x in lines if x.startswith("GREY|")]
firsts = [line_time(x, r"GREY\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|(\d+)\|")
          for x in grey]
t.ok(len(firsts) == 2 and all(f is not None and b <= f <= a
                              for f in firsts),
     "GREY first = when greylisted")
g = [f or 0 for f in firsts] + [0, 0]
t.is_(grey, ["GREY|203.0.113.5|mx.example.org|<Alice@Example.org>|"
             "<bob@example.net>|%d|%d|%d|1|0" % (g[0], g[0] + 14400,
                                                 g[0] + 14400),
             "GREY|203.0.113.5|mx.example.org|<Alice@Example.org>|"
             "<carol@example.net>|%d|%d|%d|1|0" % (g[1], g[1] + 14400,
                                                   g[1] + 14400)],
      "GREY lines: 10 fields, from/to raw, pass = expire = first + 4 h")
t.is_(lines, sorted(lines, key=lambda s: s.split("|")[1].encode()),
      "listing in key order")
t.is_(len(lines), 7, "7 entries listed")
check(run("203.0.113.5"), 1, "", "",
      "an IP key does not find its GREY tuples (exit 1, no output)")

# show: exit status = keys not found
rc, out, err = run("198.51.100.9", "192.0.2.99", "192.0.2.98")
t.is_((rc, out.count("\n"), err), (2, 1, ""),
      "show: one found, two missing: exit 2")

# -G -d: one tuple at a time
check(run("-G", "-d", "203.0.113.5"), 0, "", "", "-G -d deletes a tuple")
rc, out, err = run()
t.is_([x.split("|")[4] for x in out.splitlines() if x.startswith("GREY|")],
      ["<carol@example.net>"], "the first tuple in key order went")
check(run("-G", "-d", "203.0.113.5"), 0, "", "", "-G -d the second")
check(run("-G", "-d", "203.0.113.5"), 1, "",
      "greydb: no entry for 203.0.113.5\n", "-G -d with none left")

# -d in every mode
check(run("-d", "192.0.2.7", "192.0.2.200"), 1, "",
      "greydb: no entry for 192.0.2.200\n",
      "-d: one deleted, one missing: exit 1")
check(run("192.0.2.7"), 1, "", "", "deleted WHITE is gone")
check(run("-t", "-d", "198.51.100.9"), 0, "", "", "-t -d")
check(run("-T", "-d", "trap@example.org"), 0, "", "", "-T -d")
check(run("-d", "2001:db8::25"), 0, "", "", "-d IPv6")
check(run(), 0, "WHITE|192.0.2.8|||%s\n" % run("192.0.2.8")[1]
      .split("|||", 1)[1].rstrip("\n"), "", "one entry left")

# a bogus record ends the listing as in spamdb; -d removes it
t.is_(helper("bogus", DB, "192.0.2.0"), 0, "bogus record stored")
rc, out, err = run()
t.is_((rc, out, err), (1, "", "greydb: bogus size db entry - bad db "
                       "file?\n"),
      "listing stops at the bogus record (first in order): exit 1")
check(run("-d", "192.0.2.0"), 0, "", "", "-d removes the bogus record")
t.is_(run()[0], 0, "listing clean again")

# the default path is spamd's, moved: /var/db/greyd
rc, out, err = run(db=None)
if os.path.isdir("/var/db/greyd"):
    t.is_(rc, 0, "without -f, /var/db/greyd is listed")
else:
    t.is_((rc, err), (1, "greydb: cannot open /var/db/greyd for reading: "
                      "No such file or directory\n"),
          "without -f, /var/db/greyd is used")
t.done()
