#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Calls and retransmissions on the conformance corpus ($CORPUS, real
# captures of other projects, never copied here):
#  1. `calls --json` gives one call per distinct Call-ID: the count equals the
#     "call-ids" column of $CORPUS/README.md for every file;
#  2. sngrep-aaa.pcap: each call's outcome is the one a person reading the
#     flow gives (reasoning per call below, from `tshark -r sngrep-aaa.pcap
#     -Y sip`);
#  3. retransmissions against Wireshark: `tshark -q -z sip,stat` "Number of
#     resent SIP messages" on every corpus file (and the call samples).
#     Wireshark's packet-sip.c (sip_is_packet_resend) keeps, per Call-ID and
#     direction (addresses, destination port), the last CSeq seen; it marks
#     a request with the same CSeq number and method as the last request
#     "unless ACK or CANCEL", and a final response (>= 200) with the same
#     CSeq, method and status as the last final response.  ACK, CANCEL and
#     1xx copies are never marked.  sipflow flags every repeated
#     message of a transaction (DESIGN.md).  So: the sipflow retransmissions
#     that are neither ACK, CANCEL nor 1xx must be exactly tshark's resent
#     frames (same count as -z sip,stat, same frame numbers), and the
#     difference is listed per file: on this corpus it is
#       sngrep-aaa, ndpi-sip, zeek-wireshark: 10 CANCEL copies each (the
#         same calls: a CANCEL sent 11 times, answered 408 at the end);
#       ndpi-fax-t38: 4 ACK and 5 provisional (four 100, one 180) copies
#         (the capture holds several exchanges twice: tshark marks the
#         INVITE/200/488/OPTIONS/BYE copies, not the ACK and 1xx copies
#         between them).
. "$SRCDIR/tests/lib/common.sh"

command -v tshark >/dev/null || skip "tshark is not installed (apt-get install tshark)"
[ -n "${CORPUS:-}" ] && [ -f "$CORPUS/README.md" ] || skip "no conformance corpus at '${CORPUS:-}'"

# ------------------------------------------------------- 1. call counts
python3 - "$CORPUS/README.md" >"$TMP/callids" <<'PY'
import sys
# | file | from | link type | what | sip messages | call-ids |
for line in open(sys.argv[1], encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 6 and cells[0].endswith((".pcap", ".pcapng")) and cells[-1].isdigit():
        print("%s\t%s" % (cells[0], cells[-1]))
PY
[ -s "$TMP/callids" ] || bad "no call-ids column found in $CORPUS/README.md"
shopt -s nullglob
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
  name=$(basename "$f")
  want=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$TMP/callids")
  "$SIPFLOW" calls --json -q "$f" >"$TMP/calls.json" 2>"$TMP/err"
  rc=$?
  got=$(wc -l <"$TMP/calls.json")
  distinct=$(python3 -c '
import json, sys
print(len({json.loads(l)["call_id"] for l in open(sys.argv[1])}))' "$TMP/calls.json")
  if [ "$rc" -ne 0 ]; then
    bad "$name: calls exit $rc: $(head -1 "$TMP/err")"
  elif [ -z "$want" ]; then
    bad "$name: not in the README table"
  elif [ "$got" -eq "$want" ] && [ "$distinct" -eq "$want" ]; then
    ok "$name: $got calls = distinct Call-IDs in the README"
  else
    bad "$name: $got calls ($distinct distinct Call-IDs), the README says $want Call-IDs"
  fi
done

# --------------------------------------------------- 2. sngrep-aaa outcomes
AAA=$CORPUS/sngrep-aaa.pcap
if [ -f "$AAA" ]; then
  "$SIPFLOW" calls --json -q "$AAA" >"$TMP/aaa.json"
  python3 - "$TMP/aaa.json" <<'PY' || FAILURES=$((FAILURES + 1))
import json, sys
# The flow as tshark shows it (frame numbers, times in seconds from the
# capture start; UA 192.168.1.2, registrar/proxy 212.242.33.35, a second
# provider 200.68.120.81):
EXPECT = [
    # 1. Call-ID 578222729-...: REGISTER CSeq 68..79.  68 -> 401; 69 -> 100,
    #    403; 70-74 -> 401 each; 75 -> 200 OK (415.6 s): registered.  Later
    #    re-registrations 76, 77, 78, 79 (915-969 s) all get 401 "nonce has
    #    changed" and the capture ends after the last one: the REGISTER
    #    finally failed with 401, after more than two challenges in a row
    #    (auth-loop).  Not a call, so "failed", no timings.
    dict(call_id="578222729-4665d775@578222732-4665d772", method="REGISTER", state="failed",
         final_status=401, reason="nonce has changed", retransmissions=0,
         anomalies=["auth-loop"], setup_ms=None,
         failure="REGISTER rejected by 212.242.33.35:5060 with 401 nonce has changed"),
    # 2. Call-ID 105090259-...: INVITE to 200.68.120.81 (508.35 s), resent
    #    at 508.86 and 509.86; 100 Trying at 510.57; nothing else, so the
    #    caller CANCELs at 542.47 (34.1 s after the INVITE: 1120470083.308013
    #    - 1120470049.188993), CANCEL resent 10 times (Timer E) while the
    #    server answers the INVITE with 408 Request Timeout (545.12, ACKed)
    #    and the CANCEL with 408 at the end.  The caller gave up before any
    #    final: cancelled, with the 408 as final status; 2 INVITE + 10
    #    CANCEL copies = 12 retransmissions; no ringing, so no setup time.
    dict(call_id="105090259-446faf7a@192.168.1.2", method="INVITE", state="cancelled",
         final_status=408, reason="Request Timeout", retransmissions=12,
         anomalies=["retransmissions"], setup_ms=None,
         failure="cancelled by the caller 192.168.1.2:5060 after 34.1 s "
                 "(final response 408 Request Timeout)"),
    # 3. Call-ID 85216695-...: INVITE (692.96 s) resent twice, 407, ACK; 32 s
    #    later INVITE CSeq 2 with credentials -> 403 "Wrong password or
    #    domain" 204.6 ms later (1120470268.128176 - 1120470267.923616),
    #    ACK.  The proxy refused the call: rejected 403.
    dict(call_id="85216695-42dcdb1d@192.168.1.2", method="INVITE", state="rejected",
         final_status=403, reason="Wrong password or domain", retransmissions=2,
         anomalies=["retransmissions"], setup_ms=None,
         failure="rejected by 212.242.33.35:5060 with 403 Wrong password or domain after 205 ms"),
    # 4. Call-ID 29858147-...: REGISTER 1 -> 401; 2 -> 100, 200 OK; 3, 4, 5
    #    -> 401 each (three challenges in a row: auth-loop); 6 -> 100, 200 OK
    #    at the end: the registration works in the end: ok.
    dict(call_id="29858147-465b0752@29858051-465b07b2", method="REGISTER", state="ok",
         final_status=200, reason="OK", retransmissions=0, anomalies=["auth-loop"],
         setup_ms=None, failure=None),
    # 5. Call-ID 24487391-...: INVITE -> 407, ACK; 51 s later INVITE CSeq 2
    #    -> 100, 403 "Wrong password or domain" 193.9 ms later
    #    (1120470900.056743 - 1120470899.862890): rejected 403.
    dict(call_id="24487391-449bf2a0@192.168.1.2", method="INVITE", state="rejected",
         final_status=403, reason="Wrong password or domain", retransmissions=0,
         anomalies=[], setup_ms=None,
         failure="rejected by 212.242.33.35:5060 with 403 Wrong password or domain after 194 ms"),
    # 6. Call-ID 11894297-...: INVITE -> 407, ACK; 17 s later (the user was
    #    asked for a password, so the clock restarts) INVITE CSeq 2 -> 100,
    #    183 Session Progress with a To tag 426.5 ms after it
    #    (1120470984.289950 - 1120470983.863488), then 480 with
    #    "Reason: q.850;cause=21" (Call rejected) 42.7 ms after the 183:
    #    the far end rejected the call: rejected 480, Q.850 cause 21.
    dict(call_id="11894297-4432a9f8@192.168.1.2", method="INVITE", state="rejected",
         final_status=480, reason="Error", retransmissions=0, anomalies=[], setup_ms=426,
         failure="rejected by 212.242.33.35:5060 with 480 Error after 43 ms of ringing "
                 "(Q.850 cause 21: Call rejected)"),
]
got = [json.loads(l) for l in open(sys.argv[1])]
bad = 0
if len(got) != len(EXPECT):
    print("FAIL: sngrep-aaa: %d calls, expected %d" % (len(got), len(EXPECT)))
    sys.exit(1)
for i, (g, w) in enumerate(zip(got, EXPECT), 1):
    for k, v in w.items():
        if g[k] != v:
            print("FAIL: sngrep-aaa call %d: %s = %r, expected %r" % (i, k, g[k], v))
            bad += 1
    if g["answer_ms"] is not None or g["duration_s"] is not None:
        print("FAIL: sngrep-aaa call %d: nothing was answered" % i)
        bad += 1
if not bad:
    print("ok: sngrep-aaa: the 6 calls have the outcomes read from the flow")
sys.exit(1 if bad else 0)
PY
else
  bad "sngrep-aaa.pcap is missing from the corpus"
fi

# ------------------------------------------- 3. retransmissions vs tshark
# Differences expected per file: "ACK CANCEL 1xx" copies that sipflow flags
# and tshark does not (see the header).
expected_extra() {
  case $1 in
    sngrep-aaa.pcap | ndpi-sip.pcap | zeek-wireshark.pcap) echo "0 10 0" ;;
    ndpi-fax-t38.pcap) echo "4 0 5" ;;
    *) echo "0 0 0" ;;
  esac
}
# The samples with retransmissions are checked too (the others have none).
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng "$SAMPLES"/call-*.pcap; do
  name=$(basename "$f")
  # One run: the frames marked resent, then the sip,stat report (the tap
  # sees every packet; -Y only selects what is printed).
  tshark -o tcp.reassemble_out_of_order:TRUE -r "$f" -Y 'sip.resend == 1' -T fields \
    -e frame.number -z sip,stat >"$TMP/tshark.out" 2>/dev/null
  stat=$(sed -n 's/^Number of resent SIP messages: *\([0-9]*\).*/\1/p' "$TMP/tshark.out")
  [ -n "$stat" ] || stat=0
  grep -E '^[0-9]+$' "$TMP/tshark.out" | sort -n | uniq >"$TMP/tshark.frames"
  "$SIPFLOW" messages --json -q "$f" >"$TMP/msgs.json" 2>/dev/null
  "$SIPFLOW" stats --json -q "$f" >"$TMP/stats.json" 2>/dev/null
  python3 - "$TMP/msgs.json" "$TMP/stats.json" "$TMP/tshark.frames" "$stat" \
    "$(expected_extra "$name")" "$name" <<'PY' || FAILURES=$((FAILURES + 1))
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
stats = json.loads(open(sys.argv[2]).read() or "{}")
tframes = [int(x) for x in open(sys.argv[3]).read().split()]
tstat, name = int(sys.argv[4]), sys.argv[6]
want_ack, want_cancel, want_1xx = (int(x) for x in sys.argv[5].split())
retr = [m for m in msgs if m["retransmission"]]
ack = [m for m in retr if m["method"] == "ACK"]
cancel = [m for m in retr if m["method"] == "CANCEL"]
prov = [m for m in retr if m["status"] is not None and m["status"] < 200]
counted = sorted({m["frame"] for m in retr
                  if m["method"] not in ("ACK", "CANCEL") and not (m["status"] or 999) < 200})
bad = []
if stats.get("retransmissions", 0) != len(retr):
    bad.append("stats says %s retransmissions, messages flags %d" % (stats.get("retransmissions"), len(retr)))
if len(tframes) != tstat:
    bad.append("tshark: -z sip,stat says %d resent, sip.resend marks %d frames" % (tstat, len(tframes)))
if counted != tframes:
    bad.append("sipflow (without ACK/CANCEL/1xx) frames %s != tshark resent frames %s" % (counted, tframes))
if (len(ack), len(cancel), len(prov)) != (want_ack, want_cancel, want_1xx):
    bad.append("sipflow-only copies: %d ACK, %d CANCEL, %d 1xx; expected %d, %d, %d"
               % (len(ack), len(cancel), len(prov), want_ack, want_cancel, want_1xx))
for b in bad:
    print("FAIL: %s: %s" % (name, b))
if not bad:
    extra = len(ack) + len(cancel) + len(prov)
    print("ok: %s: %d retransmissions = tshark's %d resent%s" % (
        name, len(retr), tstat,
        " + %d ACK/CANCEL/1xx copies tshark does not mark" % extra if extra else ""))
sys.exit(1 if bad else 0)
PY
done
finish
