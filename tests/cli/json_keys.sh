#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `messages --json`: exactly the keys of DESIGN.md "messages --json keys", in
# that order, with their types (tests/lib/sipmsgs.py check-keys), on a
# capture made here with known values (compared field by field, escaping of
# hostile bytes included) and on every sample capture.
. "$SRCDIR/tests/lib/common.sh"

# Three messages with known fields: an INVITE whose Call-ID holds an ESC
# sequence, a quote, a backslash and an invalid UTF-8 byte; its 200; an
# OPTIONS over IPv6 without branch and without tags.
python3 - "$TMP/known.pcap" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
cid = b'esc\x1b[31m"q\\\xff@h'
invite = (b"INVITE sip:bob@example.com SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
          b"From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
          b"Call-ID: " + cid + b"\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n")
ok = (b"SIP/2.0 200 OK\r\n"
      b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
      b"From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b2\r\n"
      b"Call-ID: " + cid + b"\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n")
options = (b"OPTIONS sip:[2001:db8::2] SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::1]:5060\r\n"
           b"From: <sip:a@[2001:db8::1]>\r\nTo: <sip:[2001:db8::2]>\r\n"
           b"Call-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
t0 = 1768471200 * 1000000 + 1
write_pcap(sys.argv[1], [
    (t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5080, invite)),
    (t0 + 499999, udp_packet("192.0.2.2", 5080, "192.0.2.1", 5060, ok)),
    (t0 + 2000000, udp_packet("2001:db8::1", 5060, "2001:db8::2", 5060, options)),
])
PY

sf messages --json "$TMP/known.pcap"
expect_rc "known capture" 0
if $SIPMSGS check-keys <"$TMP/out" >"$TMP/check"; then
  ok "known capture: keys, order and types ($(cat "$TMP/check"))"
else
  bad "known capture: $(cat "$TMP/check")"
fi
python3 - "$TMP/out" <<'PY' || FAILURES=$((FAILURES + 1))
import json, sys
want = [
    {"frame": 1, "time": "1768471200.000001", "src": "192.0.2.1:5060",
     "dst": "192.0.2.2:5080", "transport": "udp", "type": "request", "method": "INVITE",
     "status": None, "reason": None, "call_id": 'esc\x1b[31m"q\\\ufffd@h', "cseq": 7,
     "cseq_method": "INVITE", "from_tag": "a1", "to_tag": None, "branch": "z9hG4bK-1",
     "retransmission": False},
    {"frame": 2, "time": "1768471200.500000", "src": "192.0.2.2:5080",
     "dst": "192.0.2.1:5060", "transport": "udp", "type": "response", "method": None,
     "status": 200, "reason": "OK", "call_id": 'esc\x1b[31m"q\\\ufffd@h', "cseq": 7,
     "cseq_method": "INVITE", "from_tag": "a1", "to_tag": "b2", "branch": "z9hG4bK-1",
     "retransmission": False},
    {"frame": 3, "time": "1768471202.000001", "src": "[2001:db8::1]:5060",
     "dst": "[2001:db8::2]:5060", "transport": "udp", "type": "request",
     "method": "OPTIONS", "status": None, "reason": None, "call_id": "opt-1", "cseq": 1,
     "cseq_method": "OPTIONS", "from_tag": None, "to_tag": None, "branch": None,
     "retransmission": False},
]
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
bad = 0
if len(lines) != len(want):
    print("FAIL: %d objects, expected %d" % (len(lines), len(want)))
    sys.exit(1)
for line, w in zip(lines, want):
    # time must be read as text: a float would hide a rounding error
    o = json.loads(line, parse_float=str)
    for k, v in w.items():
        if o[k] != v:
            print("FAIL: frame %s: %s = %r, expected %r" % (w["frame"], k, o[k], v))
            bad += 1
if '"call_id":"esc\\u001b[31m\\"q\\\\\\ufffd@h"' not in lines[0]:
    print("FAIL: call_id not escaped as \\u001b, \\\", \\\\, \\ufffd: " + lines[0])
    bad += 1
print("ok: known capture: every field as expected" if not bad else "")
sys.exit(1 if bad else 0)
PY

# The table escapes the same bytes for the terminal: no raw ESC reaches it.
COLUMNS=300 sf messages "$TMP/known.pcap"
expect_rc "known capture (table)" 0
if grep -q $'\x1b' "$TMP/out"; then
  bad "table: a raw ESC byte reached stdout"
elif grep -qF 'esc\x1b[31m"q\\\xff@h' "$TMP/out"; then
  ok "table: Call-ID shown as esc\\x1b[31m\"q\\\\\\xff@h"
else
  bad "table: Call-ID not escaped as expected:"; cat "$TMP/out"
fi

# Every sample capture: every object passes the key check.
shopt -s nullglob
n=0
for f in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng; do
  sf messages --json "$f"
  [ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || bad "$(basename "$f"): exit $RC"
  [ -s "$TMP/out" ] || continue
  if $SIPMSGS check-keys <"$TMP/out" >"$TMP/check"; then
    n=$((n + 1))
  else
    bad "$(basename "$f"): $(cat "$TMP/check")"
  fi
done
[ "$n" -gt 0 ] && ok "key check passed on $n sample captures" || bad "no sample capture produced a message"
finish
