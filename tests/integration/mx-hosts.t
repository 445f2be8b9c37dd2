#!/bin/bash
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
# tests/lib/tap.sh mx_host: namespaces joined by a bridge carry TCP over
# IPv4 and IPv6, and multicast (what greysync and greylogd tests need).
. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"
plan 4
mx_host mx1 10.0.0.1 fd00::1
mx_host mx2 10.0.0.2 fd00::2
mx_bg_in mx2 python3 -c "import socket;s=socket.socket();s.bind((\"10.0.0.2\",7));s.listen();s.accept()"; sleep 1; mx_in mx1 timeout 3 bash -c "exec 3<>/dev/tcp/10.0.0.2/7"; ok $? "v4 TCP mx1->mx2"
mx_bg_in mx1 python3 -c "import socket;s=socket.socket(socket.AF_INET6);s.bind((\"fd00::1\",7));s.listen();s.accept()"; sleep 1; mx_in mx2 timeout 3 bash -c "exec 3<>/dev/tcp/fd00::1/7"; ok $? "v6 TCP mx2->mx1"
mx_bg_in mx2 python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",8025))
mreq=socket.inet_aton("224.0.1.240")+socket.inet_aton("10.0.0.2")
s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,mreq)
s.settimeout(5); d,a=s.recvfrom(100); print("got",d,a); sys.stdout.flush()'
sleep 0.5
mx_in mx1 python3 -c 'import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP,socket.IP_MULTICAST_IF,socket.inet_aton("10.0.0.1"))
s.sendto(b"hi",("224.0.1.240",8025))'
wait $MX_LASTPID
like "$(cat $MX_TMP/mx2-python3.log)" "got b'hi'" "multicast mx1->mx2"
is "$(mx_in mx1 cat /proc/net/dev | grep -c eth0)" 1 "eth0 in mx1"
done_testing
