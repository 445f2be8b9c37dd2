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
# (spamd's ports 8025 and 8026 are already above 1024), filterd on 10025
# and dkimsignd on 10027; until mtad exists, Postfix's smtp-sink (from
# .deps/, if configure unpacked it) stands in for it on 10026 and 10028,
# keeping what it receives in $MX_BUILD/run/sink.

set -eu
: "${MX_BUILD:?run me through make run}"
run=$MX_BUILD/run
mkdir -p "$run/db" "$run/fw" "$run/empty" "$run/dkim" "$run/sink"
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

# filterd: the article's spampd line, on the same ports
"$MX_BUILD/filterd/filterd" --port=10025 --relayhost=127.0.0.1:10026 \
    --tagall --aw --rh --maxsize=256 --nodetach --children=2 \
    --pid="$run/filterd.pid" ${user:+--user=nobody --group=nogroup} &
pids="$pids $!"

# dkimsignd: the article's dkimproxy_out, with a key made here
[ -f "$run/dkim/default.private" ] ||
    "$MX_BUILD/dkimsignd/dkim-genkey" -D "$run/dkim" -d example.org \
    -s default
[ -z "$user" ] || chown -R nobody "$run/dkim"
"$MX_BUILD/dkimsignd/dkimsignd" -d --listen=127.0.0.1:10027 \
    --relay=127.0.0.1:10028 --domain=example.org \
    --keyfile="$run/dkim/default.private" --selector=default \
    --signature='dkim(c=relaxed)' --pidfile="$run/dkimsignd.pid" \
    ${user:+--user=nobody} &
pids="$pids $!"

# mtad's 10026 and 10028, for now: Postfix's smtp-sink
sink=${MX_POSTFIX_DIR:-.deps/postfix}/usr/sbin/smtp-sink
if [ -x "$sink" ]; then
	export LD_LIBRARY_PATH=${MX_POSTFIX_DIR:-.deps/postfix}/usr/lib/postfix
	for p in 10026 10028; do
		mkdir -p "$run/sink/$p"
		[ -z "$user" ] || chown nobody "$run/sink/$p"
		"$sink" ${user:+-u nobody} -d "$run/sink/$p/%Y%m%d%H%M%S." \
		    127.0.0.1:$p 10 &
		pids="$pids $!"
	done
fi

cat <<EOT
greyd listens on 127.0.0.1:8025 (SMTP) and 127.0.0.1:8026 (lists), with
its database in $run/db and its spamd-white table in $run/fw/spamd-white.
Pass time 1 minute, scan every 30 seconds.  Try:
  swaks --server 127.0.0.1:8025 --to you@example.org    (451: greylisted)
  $MX_BUILD/greyd/greydb -f $run/db                      (the GREY tuple)
  retry after a minute, wait for the scan, then greydb shows it WHITE.
  $MX_BUILD/greyd/greyd-setup -n -f conf/spamd.conf   (the lists it would load)
filterd (spampd) listens on 127.0.0.1:10025 and relays to 10026,
dkimsignd (dkimproxy_out) on 127.0.0.1:10027 and relays to 10028:
  swaks --server 127.0.0.1:10025 --to you@example.org     (X-Spam-* added)
  swaks --server 127.0.0.1:10027 --from me@example.org --to you@example.net
  ls $run/sink/10026 $run/sink/10028   (what smtp-sink received)
  DNS record for the key: $run/dkim/default.txt
Ctrl-C stops.
EOT
wait
