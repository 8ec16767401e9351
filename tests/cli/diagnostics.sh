#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Diagnostics and progress on stderr: at most 20 "sipflow: warning: " lines,
# then "… and N more diagnostics"; none with --quiet; progress only when
# asked (stderr is not a terminal here) and never on stdout.
. "$SRCDIR/tests/lib/common.sh"

# 25 requests without Call-ID (malformed: RFC 3261 §8.1.1), then one good
# OPTIONS, then 5000 non-SIP UDP packets (enough for progress reports).
python3 - "$TMP/d.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
bad = ("OPTIONS sip:p@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb%d\r\n"
       "From: <sip:a@192.0.2.1>;tag=f\r\nTo: <sip:p@192.0.2.2>\r\nCSeq: %d OPTIONS\r\n"
       "Content-Length: 0\r\n\r\n")
good = ("OPTIONS sip:p@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKg\r\n"
        "From: <sip:a@192.0.2.1>;tag=f\r\nTo: <sip:p@192.0.2.2>\r\nCall-ID: good-1\r\n"
        "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
t = 1700000000 * 1000000
pkts = [(t + i, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, bad % (i, i))) for i in range(25)]
pkts.append((t + 100, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, good)))
pkts += [(t + 200 + i, udp_packet("192.0.2.1", 4000, "192.0.2.2", 4000, b"\x80" + b"\x00" * 40))
         for i in range(5000)]
write_pcap(sys.argv[1], pkts)
PY

sf messages --json "$TMP/d.pcap"
expect_rc "25 malformed messages" 0
n=$(grep -c '^sipflow: warning: ' "$TMP/err")
w=$(grep -c '^sipflow: warning: frame [0-9]*: .*Call-ID' "$TMP/err")
[ "$w" -eq 20 ] && ok "20 diagnostics printed, each naming its frame and Call-ID" \
  || bad "$w diagnostics naming a frame and Call-ID printed, expected 20; stderr:$(head -3 "$TMP/err")"
grep -qx 'sipflow: warning: … and 5 more diagnostics' "$TMP/err" && ok "then '… and 5 more diagnostics'" \
  || bad "no '… and 5 more diagnostics' line; last line: $(tail -1 "$TMP/err")"
[ "$n" -eq 21 ] || bad "$n warning lines, expected 21"
grep -q '"call_id":"good-1"' "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 1 ] \
  && ok "the good message is printed, alone" || bad "stdout: $(head -3 "$TMP/out")"
grep -q 'MB' "$TMP/err" && bad "progress shown although stderr is not a terminal"

sf messages --json -q "$TMP/d.pcap"
expect_rc "--quiet" 0
[ -s "$TMP/err" ] && bad "--quiet: stderr not empty: $(head -2 "$TMP/err")" || ok "--quiet: stderr empty"

sf messages --json -q --progress "$TMP/d.pcap"
expect_rc "--progress" 0
grep -q 'sipflow: .*packets, .*messages' "$TMP/err" && ok "--progress: progress on stderr" \
  || bad "--progress: no progress line on stderr"
grep -q 'packets' "$TMP/out" && bad "--progress: progress on stdout"
[ "$(wc -l <"$TMP/out")" -eq 1 ] || bad "--progress: stdout changed: $(wc -l <"$TMP/out") lines"

sf messages --json -q --progress --no-progress "$TMP/d.pcap"
grep -q 'packets' "$TMP/err" && bad "--no-progress: progress shown" || ok "--no-progress wins"
finish
