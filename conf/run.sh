#!/bin/sh
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
# conf/run.sh, run by `make run`: start what exists of the suite as an
# ordinary user, on loopback and high ports, with its state in
# $MX_BUILD/run, in the foreground; Ctrl-C stops it.  Today that is greyd
# (spamd's ports 8025 and 8026 are already above 1024).

set -eu
: "${MX_BUILD:?run me through make run}"
run=$MX_BUILD/run
mkdir -p "$run/db" "$run/fw" "$run/empty"
pids=

stop() {
	trap - INT TERM EXIT
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	exit 0
}
trap stop INT TERM EXIT

user=
if [ "$(id -u)" = 0 ]; then
	# as root, greyd drops to a user: give it its state
	user="-u nobody"
	chown -R nobody "$run/db" "$run/fw"
fi

"$MX_BUILD/greyd/greyd" -d -l 127.0.0.1 -p 8025 -F "file:$run/fw" \
    -D "$run/db" -j "$run/empty" -U -G 1m:4h:36d -I 30s $user &
pids="$pids $!"

cat <<EOT
greyd listens on 127.0.0.1:8025 (SMTP) and 127.0.0.1:8026 (lists), with
its database in $run/db and its spamd-white table in $run/fw/spamd-white.
Pass time 1 minute, scan every 30 seconds.  Try:
  swaks --server 127.0.0.1:8025 --to you@example.org    (451: greylisted)
  $MX_BUILD/greyd/greydb -f $run/db                      (the GREY tuple)
  retry after a minute, wait for the scan, then greydb shows it WHITE.
  $MX_BUILD/greyd/greyd-setup -n -f conf/spamd.conf   (the lists it would load)
Ctrl-C stops.
EOT
wait
