#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Output formats and filters of `calls`, `failed`, `transactions` and
# `dialogs`:
#  - calls --json: exactly the keys of DESIGN.md "calls --json keys", in
#    that order, with their types, on every sample capture;
#  - calls --csv: RFC 4180 (header row, CRLF, quoting of ',' and '"'), the
#    same values as --json, on demo.pcap and on a capture with hostile bytes;
#  - the table: one row per call, Call-IDs shortened in the middle to fit
#    $COLUMNS;
#  - each filter on demo.pcap gives exactly the expected calls /
#    transactions / dialogs; bad filter values are usage errors (exit 2);
#  - failed lists only the failed calls.
#
# demo.pcap, as samples/README.md describes it (and tshark shows it): calls
# are numbered by first appearance, so the qualify OPTIONS (PBX -> 104) is
# call 1, the REGISTER of 103 call 2, and the README's calls 1-8 are calls
# 3-10:
#   3 101 -> 0201234567   completed       7 104 -> 09001234567  rejected 403
#   4 +442079460123 -> 102 busy (486)     7 102 -> 555          rejected 404
#   5 103 -> 0301234567   cancelled       8 103 -> 0401234567   rejected 503
#   9 104 -> 0501234567   completed      10 102 -> 0601234567   rejected 408
# (6 = 104 -> 09001234567, 7 = 102 -> 555.)  Start times (s after 10:00:00):
# 1: 0, 2: 1, 3: 2, 4: 5, 5: 9, 6: 12, 7: 14, 8: 18, 9: 21, 10: 26.
. "$SRCDIR/tests/lib/common.sh"

need_sample demo.pcap || finish
need_sample demo.expected || finish
DEMO=$SAMPLES/demo.pcap

# ids FILE: the "call" (or transaction, dialog) ids of NDJSON lines, space separated.
ids() { python3 -c '
import json, sys
key = sys.argv[1]
print(" ".join(str(json.loads(l)[key]) for l in open(sys.argv[2]) if l.strip()))' "$1" "$2"; }

# expect_ids WHAT KEY WANT ARGS...: sipflow ARGS --json gives exactly ids WANT.
expect_ids() {
  local what=$1 key=$2 want=$3
  shift 3
  sf "$@" --json "$DEMO"
  if [ "$RC" -ne 0 ]; then
    bad "$what: exit $RC: $(head -1 "$TMP/err")"
    return
  fi
  local got
  got=$(ids "$key" "$TMP/out")
  if [ "$got" = "$want" ]; then ok "$what: $key ${want:-(none)}"; else bad "$what: $key '$got', expected '$want'"; fi
}

# Call-IDs of demo.pcap in order of first appearance, from the generator's
# manifest (column 5), not from sipflow: CID[1] is call 1.
mapfile -t CIDS < <(grep -v '^#' "$SAMPLES/demo.expected" | cut -f5 | awk '!seen[$0]++')
CID=("" "${CIDS[@]}")
[ ${#CIDS[@]} -eq 10 ] && ok "demo.expected: 10 Call-IDs" || bad "demo.expected: ${#CIDS[@]} Call-IDs, expected 10"

# ------------------------------------------------------------ JSON keys
KEYS='call call_id method from to src dst start end state final_status reason messages transactions dialogs retransmissions setup_ms answer_ms duration_s anomalies failure'
shopt -s nullglob
n=0
for f in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng; do
  sf calls --json "$f"
  [ -s "$TMP/out" ] || continue
  if python3 - "$TMP/out" "$KEYS" <<'PY'; then n=$((n + 1)); else bad "$(basename "$f"): calls --json keys or types"; fi
import json, re, sys
keys = sys.argv[2].split()
states = "setup ringing in-call completed cancelled busy diverted rejected ok failed pending".split()
anoms = "no-ack no-final retransmissions bye-481 auth-loop one-way-hangup late-cancel".split()
EPOCH = re.compile(r"^-?[0-9]+\.[0-9]{6}$")
bad = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line, parse_float=str)
    def want(ok, what):
        global bad
        if not ok:
            bad += 1
            print("FAIL: line %d: %s: %s" % (n, what, line.strip()))
    want(list(o) == keys, "keys %s" % list(o))
    if list(o) != keys:
        continue
    want(type(o["call"]) is int and o["call"] == n, "call id %r (expected %d)" % (o["call"], n))
    for k in ("call_id", "method", "from", "to", "src", "dst"):
        want(o[k] is None or type(o[k]) is str, k)
    want(EPOCH.match(o["start"]) and EPOCH.match(o["end"]), "start/end with 6 decimals")
    want(o["state"] in states, "state")
    want(o["final_status"] is None or type(o["final_status"]) is int, "final_status")
    want((o["reason"] is None) == (o["final_status"] is None), "reason null iff no final")
    for k in ("messages", "transactions", "dialogs", "retransmissions"):
        want(type(o[k]) is int and o[k] >= 0, k)
    for k in ("setup_ms", "answer_ms"):
        want(o[k] is None or (type(o[k]) is int and o[k] >= 0), k)
    want(o["duration_s"] is None or re.match(r"^[0-9]+\.[0-9]{3}$", o["duration_s"]), "duration_s")
    want(type(o["anomalies"]) is list and all(a in anoms for a in o["anomalies"]), "anomalies")
    want(o["failure"] is None or (type(o["failure"]) is str and o["failure"]), "failure")
sys.exit(1 if bad else 0)
PY
done
[ "$n" -gt 20 ] && ok "calls --json: keys in DESIGN.md order and types on $n captures" \
  || bad "calls --json checked on only $n captures"

# ------------------------------------------------------------------ CSV
sf calls --csv "$DEMO"
expect_rc "calls --csv demo" 0
cp "$TMP/out" "$TMP/demo.csv"
sf calls --json "$DEMO"
python3 - "$TMP/demo.csv" "$TMP/out" "$KEYS" <<'PY' || FAILURES=$((FAILURES + 1))
import csv, io, json, sys
raw = open(sys.argv[1], "rb").read().decode()
keys = sys.argv[3].split()
bad = 0
lines = raw.split("\r\n")
if lines[-1] != "" or any("\n" in l for l in lines):
    print("FAIL: csv lines must end with CRLF (RFC 4180 §2)"); bad += 1
if lines[0] != ",".join(keys):
    print("FAIL: csv header %r" % lines[0]); bad += 1
rows = list(csv.reader(io.StringIO(raw, newline="")))
objs = [json.loads(l, parse_float=str) for l in open(sys.argv[2])]
if len(rows) != len(objs) + 1 or len(objs) != 10:
    print("FAIL: %d csv rows for %d json objects (10 calls)" % (len(rows) - 1, len(objs))); bad += 1
def text(v):
    if v is None: return ""
    if isinstance(v, list): return ";".join(v)
    return str(v)
for row, o in zip(rows[1:], objs):
    want = [text(o[k]) for k in keys]
    if row != want:
        print("FAIL: csv row %r\n      json    %r" % (row, want)); bad += 1
print("ok: csv: header, CRLF, 10 rows equal to --json" if not bad else "")
sys.exit(1 if bad else 0)
PY

# Hostile bytes: a Call-ID with a comma, quotes and an ESC, a reason phrase
# with a comma and quotes; the CSV quotes the fields (quotes doubled) and
# the ESC is shown as \x1b (no control byte reaches the output).
python3 - "$TMP/q.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
cid = 'a,"b"\x1bc@h'
def msg(start, to_tag=""):
    return (start + "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKq1\r\n"
            "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>" + to_tag +
            "\r\nCall-ID: " + cid + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
t0 = 1768471200 * 1000000
write_pcap(sys.argv[1], [
    (t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, msg("INVITE sip:bob@example.com SIP/2.0"))),
    (t0 + 100000, udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060,
                             msg('SIP/2.0 480 Away, "back soon"', ";tag=b1"))),
])
PY
sf calls --csv "$TMP/q.pcap"
expect_rc "calls --csv hostile" 0
row=$(sed -n 2p "$TMP/out")
case $row in
  *',"a,""b""\x1bc@h",INVITE,'*) ok "csv: Call-ID quoted, quotes doubled, ESC shown as \\x1b" ;;
  *) bad "csv: Call-ID not quoted as expected: $row" ;;
esac
case $row in
  *',480,"Away, ""back soon""",'*) ok "csv: reason phrase quoted" ;;
  *) bad "csv: reason not quoted as expected: $row" ;;
esac
if tr -d '\r\n' <"$TMP/out" | grep -q '[[:cntrl:]]'; then bad "csv: a control byte reached stdout"; fi

sf calls --json --csv "$DEMO"
expect_rc "--json with --csv" 2

# ----------------------------------------------------------------- table
LONG=0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz@long.example.com
python3 - "$TMP/long.pcap" "$LONG" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
cid = sys.argv[2]
def msg(start, to_tag=""):
    return (start + "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKl1\r\n"
            "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>" + to_tag +
            "\r\nCall-ID: " + cid + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
t0 = 1768471200 * 1000000
write_pcap(sys.argv[1], [
    (t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, msg("INVITE sip:bob@example.com SIP/2.0"))),
    (t0 + 250000, udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060, msg("SIP/2.0 486 Busy Here", ";tag=b1"))),
])
PY
COLUMNS=300 sf calls "$TMP/long.pcap"
expect_rc "table, wide" 0
if grep -qF -- "$LONG" "$TMP/out"; then ok "table: whole Call-ID when it fits"; else bad "table: Call-ID cut at 300 columns"; cat "$TMP/out"; fi
COLUMNS=140 sf calls "$TMP/long.pcap"
row=$(sed -n 3p "$TMP/out")
widest=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$TMP/out")
if [ "$widest" -gt 140 ]; then
  bad "table: a line is wider than 140 columns"; cat "$TMP/out"
elif [[ $row == *"0123456789abc"*"…"*"long.example.com" ]]; then
  ok "table: Call-ID shortened in the middle to fit 140 columns"
else
  bad "table: Call-ID not shortened in the middle: $row"
fi
[[ $row =~ ^1\ +10:00:00\ +alice\ →\ bob\ +busy\ +486\ Busy\ Here\ +-\ +-\ +-\ +2\ +-\  ]] \
  && ok "table row: id, start, alice → bob, busy, 486 Busy Here, no timings, 2 msgs" \
  || bad "table row: '$row'"
[ "$(sed -n 1p "$TMP/out")" = "start times are UTC, 2026-01-15; setup, answer and duration in seconds" ] && ok "table: date line" \
  || bad "table: first line '$(sed -n 1p "$TMP/out")'"
[ "$(tail -1 "$TMP/out")" = "1 call, 1 failed" ] && ok "table: count line" \
  || bad "table: last line '$(tail -1 "$TMP/out")'"

# Two OPTIONS either side of midnight UTC: the first row's date is in the
# header line; a row of another day shows its date.
python3 - "$TMP/midnight.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
def options(cid):
    return ("OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" + cid +
            "\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
            "Call-ID: " + cid + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
t0 = 1768521599 * 1000000 + 500000    # 2026-01-15 23:59:59.5 UTC
write_pcap(sys.argv[1], [
    (t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, options("m1"))),
    (t0 + 2000000, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, options("m2"))),
])
PY
COLUMNS=200 sf calls "$TMP/midnight.pcap"
if sed -n 1p "$TMP/out" | grep -q '^start times are UTC, 2026-01-15;' &&
   grep -q '^1  23:59:59  *alice → bob  *pending ' "$TMP/out" &&
   grep -q '^2  2026-01-16 00:00:01  *alice → bob  *pending ' "$TMP/out"; then
  ok "table: the date shows on a row of another day"
else
  bad "table across midnight:"; cat "$TMP/out"
fi

COLUMNS=200 sf calls "$DEMO"
[ "$(grep -c '^ *[0-9]\+  10:00:' "$TMP/out")" -eq 10 ] && ok "demo table: 10 call rows" \
  || { bad "demo table: not 10 rows"; cat "$TMP/out"; }
grep -q '^ *3  10:00:02 *101 → 0201234567 *completed *200 OK *1\.200 *6\.500 *31\.500 *7 ' "$TMP/out" \
  && ok "demo table: call 3 (INVITE 2.0, 180 3.2, 200 8.5, BYE 40.0)" \
  || bad "demo table: call 3 row: $(grep '^ *3  ' "$TMP/out")"

# --------------------------------------------------------------- filters
expect_ids "calls" call "1 2 3 4 5 6 7 8 9 10" calls
expect_ids "--from 103 (REGISTER from 103, calls 5 and 8)" call "2 5 8" calls --from 103
expect_ids "--from PBX (case-insensitive; the OPTIONS)" call "1" calls --from PBX
expect_ids "--to 555" call "7" calls --to 555
expect_ids "--to 01234567 (the six outgoing national numbers)" call "3 5 6 8 9 10" calls --to 01234567
expect_ids "--from 104 --to 0501" call "9" calls --from 104 --to 0501
expect_ids "--state rejected (403, 404, 503, 408)" call "6 7 8 10" calls --state rejected
expect_ids "--state busy,cancelled" call "4 5" calls --state busy,cancelled
expect_ids "--state ok --state completed" call "1 2 3 9" calls --state ok --state completed
expect_ids "--method register" call "2" calls --method register
expect_ids "--method OPTIONS,REGISTER" call "1 2" calls --method OPTIONS,REGISTER
expect_ids "--since/--until ISO (inclusive)" call "6 7 8" calls --since 2026-01-15T10:00:12 --until 2026-01-15T10:00:18
expect_ids "--since/--until epoch" call "6 7 8" calls --since 1768471212 --until 1768471218
expect_ids "--since with a fraction" call "7 8 9 10" calls --since 1768471212.001
expect_ids "--until with Z" call "1 2 3" calls --until 2026-01-15T10:00:02Z
expect_ids "--since with an offset (+01:00)" call "10" calls --since 2026-01-15T11:00:25+01:00
expect_ids "--call twice" call "3 9" calls --call "${CID[3]}" --call "${CID[9]}"
expect_ids "--call unknown" call "" calls --call nosuchcall@nowhere
expect_ids "--call by number and by Call-ID" call "4 6" calls --call 6 --call "${CID[4]}"
expect_ids "transactions --call 5 (the cancelled call: INVITE, CANCEL)" transaction "6 9" transactions --call 5
expect_ids "--state rejected --from 103" call "8" calls --state rejected --from 103

# failed: busy, cancelled, 403, 404, 503, 408 (not the answered calls, not
# the OPTIONS/REGISTER that got 200).
expect_ids "failed" call "4 5 6 7 8 10" failed
python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if objs and all(o["failure"] for o in objs) else 1)' "$TMP/out" \
  && ok "failed --json: every call has a failure sentence" || bad "failed --json: a call without failure"
expect_ids "failed --state cancelled" call "5" failed --state cancelled
expect_ids "failed --from 101 (101's call was answered)" call "" failed --from 101
COLUMNS=250 sf failed "$DEMO"
expect_rc "failed table" 0
[ "$(grep -c '^ *[0-9]\+  10:00:' "$TMP/out")" -eq 6 ] && grep -qx 'start times are UTC, 2026-01-15' "$TMP/out" && ok "failed table: 6 rows" || bad "failed table: not 6 rows"
grep -q '^ *4  10:00:05 *+442079460123 → 102 *busy .*rejected by 10\.1\.1\.102:5060 with 486 Busy Here after 200 ms$' "$TMP/out" \
  && ok "failed table: call 4 with its sentence (486 200 ms after the INVITE)" \
  || bad "failed table: call 4 row: $(grep '^ *4  ' "$TMP/out")"
[ "$(tail -1 "$TMP/out")" = "6 failed calls" ] && ok "failed: count line" || bad "failed: last line '$(tail -1 "$TMP/out")'"

# Transactions of demo.pcap, numbered by first appearance (tshark's view of
# the capture): 1 OPTIONS, 2 REGISTER, 3 INVITE(call 3), 4 INVITE(call 4;
# its ACK of the 486 belongs to it), 5 ACK of call 3's 200 (8.51 s),
# 6 INVITE(call 5), 7 INVITE(6), 8 INVITE(7), 9 CANCEL(call 5, 16.0 s),
# 10 INVITE(8), 11 INVITE(9, 407), 12 INVITE(9, retry), 13 its ACK,
# 14 INVITE(10), 15 BYE(call 3, 40 s), 16 BYE(call 9, 45 s).
expect_ids "transactions" transaction "$(seq -s ' ' 1 16)" transactions
expect_ids "transactions --method BYE" transaction "15 16" transactions --method BYE
expect_ids "transactions --call (call 9)" transaction "11 12 13 16" transactions --call "${CID[9]}"
expect_ids "transactions --state accepted (INVITEs answered 2xx)" transaction "3 12" transactions --state accepted
expect_ids "transactions --state terminated (ACKs of 2xx)" transaction "5 13" transactions --state terminated
expect_ids "transactions --since 40" transaction "15 16" transactions --since 2026-01-15T10:00:40
expect_ids "transactions --from 103" transaction "2 6 9 10" transactions --from 103
# Dialogs: one per call with a tagged 180 (calls 3, 5, 9, 10), all ended
# (BYE answered, 487, BYE answered, 408).
expect_ids "dialogs" dialog "1 2 3 4" dialogs
expect_ids "dialogs --state terminated" dialog "1 2 3 4" dialogs --state terminated
expect_ids "dialogs --state early,confirmed" dialog "" dialogs --state early,confirmed
expect_ids "dialogs --from 104" dialog "3" dialogs --from 104
expect_ids "dialogs --call (call 5)" dialog "2" dialogs --call "${CID[5]}"
expect_ids "dialogs --until 10:00:10" dialog "1" dialogs --until 2026-01-15T10:00:10

# Bad values are usage errors that say what is wrong.
sf calls --state nosuch "$DEMO"
expect_rc "--state nosuch" 2
expect_err "--state nosuch" "unknown state 'nosuch'" "completed"
sf transactions --state completed,bogus "$DEMO"
expect_rc "transactions --state bogus" 2
expect_err "transactions --state bogus" "unknown state 'bogus'" "accepted"
sf dialogs --state ringing "$DEMO"
expect_rc "dialogs --state ringing (a call state)" 2
sf calls --since yesterday "$DEMO"
expect_rc "--since yesterday" 2
expect_err "--since yesterday" "bad time 'yesterday'"
sf calls --until 2026-13-45T10:00:00 "$DEMO"
expect_rc "--until impossible date" 2
finish
