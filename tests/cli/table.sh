#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The default (table) output of `sipflow messages`: header line with the
# absolute start, one aligned row per message with the time since the first
# message, retransmissions marked "(R)", the Call-ID shortened in the middle
# to fit $COLUMNS (stdout is not a terminal here), a count line at the end.
. "$SRCDIR/tests/lib/common.sh"

CID=0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ@example.com
python3 - "$TMP/t.pcap" "$CID" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
cid = sys.argv[2]
invite = ("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKr1\r\n"
          "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
          "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % cid)
ok = ("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKr1\r\n"
      "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b1\r\n"
      "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % cid)
t0 = 1768471200 * 1000000 + 250000   # 2026-01-15 10:00:00.250000 UTC
write_pcap(sys.argv[1], [
    (t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite)),
    (t0 + 500000, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite)),  # retransmission
    (t0 + 1234567, udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060, ok)),
])
PY

COLUMNS=300 sf messages "$TMP/t.pcap"
expect_rc "table" 0
line() { sed -n "$1p" "$TMP/out"; }
check_line() { # N REGEX WHAT
  if line "$1" | grep -qE -- "$2"; then ok "$3"; else bad "$3: line $1 is '$(line "$1")'"; fi
}
check_line 1 '^capture start 2026-01-15 10:00:00\.250000 UTC' "header: absolute start in UTC"
check_line 2 '^frame +time +source +destination +proto +message +cseq +call-id$' "column titles"
check_line 3 "^ +1 +\+0\.000000 +192\.0\.2\.1:5060 +→ 192\.0\.2\.2:5060 +udp +INVITE sip:bob@example\.com +1 INVITE +$CID$" "row 1: the INVITE, whole Call-ID"
check_line 4 "^ +2 +\+0\.500000 .* udp +\(R\) INVITE sip:bob@example\.com +1 INVITE +$CID$" "row 2: the retransmission marked (R)"
check_line 5 "^ +3 +\+1\.234567 +192\.0\.2\.2:5060 +→ 192\.0\.2\.1:5060 +udp +486 Busy Here +1 INVITE +$CID$" "row 3: the response"
check_line 6 '^3 messages, 1 retransmission$' "count line"
[ "$(wc -l <"$TMP/out")" -eq 6 ] || bad "table: $(wc -l <"$TMP/out") lines, expected 6"
# Aligned: the Call-ID starts in the same column on every row (and the title).
cols=$(sed -n '2,5p' "$TMP/out" | python3 -c '
import sys
print(" ".join(str(l.rstrip("\n").rfind(" ") + 1) for l in sys.stdin))')
set -- $cols
[ "$1" = "$2" ] && [ "$2" = "$3" ] && [ "$3" = "$4" ] && ok "Call-ID column aligned" \
  || bad "Call-ID column not aligned: starts at $cols"

# Narrow: the Call-ID is cut in the middle ("0123…com") and rows fit 110 columns.
COLUMNS=110 sf messages "$TMP/t.pcap"
expect_rc "table, 110 columns" 0
long=$(sed -n '2,5p' "$TMP/out" | python3 -c '
import sys
print(max(len(l.rstrip("\n")) for l in sys.stdin))')
[ "$long" -le 110 ] && ok "rows fit 110 columns ($long)" || bad "a row is $long columns wide, over 110"
if line 3 | grep -qE ' 0123[0-9a-z]*…[A-Za-z.@]*com$'; then
  ok "Call-ID shortened in the middle: $(line 3 | awk '{print $NF}')"
else
  bad "Call-ID not shortened in the middle: '$(line 3)'"
fi

# No message: one line that says so.
python3 - "$TMP/none.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
write_pcap(sys.argv[1], [(1, udp_packet("192.0.2.1", 53, "192.0.2.2", 53, b"\x00" * 20))])
PY
sf messages "$TMP/none.pcap"
expect_rc "no SIP message" 0
[ "$(cat "$TMP/out")" = "no SIP messages" ] && ok "no SIP message: says so" \
  || bad "no SIP message: printed '$(cat "$TMP/out")'"
finish
