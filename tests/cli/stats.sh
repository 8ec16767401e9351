#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `sipflow stats` (--json and text) on demo.pcap, call-retrans.pcap and a
# capture without SIP.  Message counts are computed here from the samples
# generator's manifests (NAME.expected), the call figures are worked out in
# comments from samples/README.md; the KPI definitions are those of
# sipflow.h (sipflow_stats).
. "$SRCDIR/tests/lib/common.sh"

for s in demo.pcap demo.expected call-retrans.pcap http-sip-port.pcap; do
  need_sample "$s" || finish
done

sf stats --json "$SAMPLES/demo.pcap"
expect_rc "stats --json demo" 0
python3 - "$TMP/out" "$SAMPLES/demo.expected" <<'PY' || FAILURES=$((FAILURES + 1))
import collections, json, sys
lines = open(sys.argv[1]).read().splitlines()
if len(lines) != 1:
    print("FAIL: stats --json printed %d lines, expected one object" % len(lines)); sys.exit(1)
o = json.loads(lines[0], parse_float=str)
rows = [l.rstrip("\r\n").split("\t") for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
what = [r[7] for r in rows]
methods = collections.Counter(w for w in what if not w.isdigit())
classes = collections.Counter(w[0] + "xx" for w in what if w.isdigit())
want = {
    # from the manifest
    "messages": len(rows), "requests": sum(methods.values()), "responses": sum(classes.values()),
    "retransmissions": 0,
    "by_method": {m: methods.get(m, 0) for m in o["by_method"]},
    "by_status_class": {c: classes.get(c, 0) for c in ("1xx", "2xx", "3xx", "4xx", "5xx", "6xx")},
    # 10 Call-IDs; 16 transactions and 4 dialogs (see calls_formats.sh)
    "calls": 10, "transactions": 16, "dialogs": 4,
    # README table: answered twice (completed), 486 busy, cancelled, 403,
    # 404, 503, 408 rejected; OPTIONS and REGISTER got 200: ok
    "calls_by_state": {"setup": 0, "ringing": 0, "in-call": 0, "completed": 2, "cancelled": 1,
                       "busy": 1, "diverted": 0, "rejected": 4, "ok": 2, "failed": 0,
                       "pending": 0},
    "failed": 6,
    "anomalies": {a: 0 for a in ("no-ack", "no-final", "retransmissions", "bye-481",
                                 "auth-loop", "one-way-hangup", "late-cancel")},
    # ASR = 2 answered / 8 INVITE calls.  NER (E.411) counts answered (2),
    # user busy (1), cancelled by the caller (1) and 408 after ringing (1):
    # 5/8; the 403, 404 and 503 are network failures.
    "invite_calls": 8, "answered": 2, "effective": 5, "asr": "25.00", "ner": "62.50",
    # PDD = INVITE -> first 180 of the calls that rang: 3.2-2.0, 10.1-9.0,
    # 22.0-21.0 (from the first INVITE, before the 407), 27.0-26.0 s =
    # 1200, 1100, 1000, 1000 ms: mean 1075; nearest rank p50 = 2nd of 4 =
    # 1000, p95 = 4th = 1200.
    "pdd_count": 4, "pdd_mean_ms": "1075.0", "pdd_p50_ms": 1000, "pdd_p95_ms": 1200,
    # ACD: 200 8.5 -> BYE 40.0 = 31.5 s and 200 25.0 -> BYE 45.0 = 20.0 s
    "acd_count": 2, "acd_s": "25.750",
    # six failures, one call each; ties in status order (no final first)
    "top_failures": [
        {"label": "cancelled by the caller", "state": "cancelled", "final_status": None,
         "q850_cause": None, "calls": 1},
        {"label": "403 Forbidden", "state": "rejected", "final_status": 403, "q850_cause": None,
         "calls": 1},
        {"label": "404 Not Found", "state": "rejected", "final_status": 404, "q850_cause": None,
         "calls": 1},
        {"label": "408 Request Timeout", "state": "rejected", "final_status": 408,
         "q850_cause": None, "calls": 1},
        {"label": "486 Busy Here", "state": "busy", "final_status": 486, "q850_cause": None,
         "calls": 1},
        {"label": "503 Service Unavailable (Q.850 cause 34)", "state": "rejected",
         "final_status": 503, "q850_cause": 34, "calls": 1},
    ],
}
bad = 0
if list(o) != list(want):
    print("FAIL: keys %s" % list(o)); bad += 1
if methods["INVITE"] != 9 or methods["ACK"] != 9 or len(rows) != 46:
    print("FAIL: demo.expected is not the manifest this test was written for"); bad += 1
for k, v in want.items():
    if o.get(k) != v:
        print("FAIL: %s = %r, expected %r" % (k, o.get(k), v)); bad += 1
print("ok: demo stats --json: every figure as expected" if not bad else "")
sys.exit(1 if bad else 0)
PY

sf stats "$SAMPLES/demo.pcap"
expect_rc "stats demo (text)" 0
for want in \
  'messages        46 (23 requests, 23 responses)' \
  '  by method     INVITE 9  ACK 9  BYE 2  CANCEL 1  REGISTER 1  OPTIONS 1' \
  '  by status     1xx 9  2xx 7  4xx 6  5xx 1' \
  'retransmissions 0' \
  'calls           10 (8 INVITE), 16 transactions, 4 dialogs' \
  '  outcomes      completed 2  cancelled 1  busy 1  rejected 4  ok 2' \
  'ASR             25.0 %  (2 answered / 8 INVITE calls)' \
  'NER             62.5 %  (5 of 8 INVITE calls answered, busy, unanswered or declined)' \
  'PDD             mean 1075 ms, p50 1000 ms, p95 1200 ms  (4 calls with ringing)' \
  'ACD             25.750 s  (2 completed calls)' \
  '       1  503 Service Unavailable (Q.850 cause 34)'; do
  if grep -qxF -- "$want" "$TMP/out"; then ok "text: '$want'"; else bad "text: no line '$want'"; fi
done

# call-retrans: INVITE sent 3 times, 200 twice (3 retransmissions, counted
# in by_method / by_status_class too); one answered call that rang after
# 1620 ms and lasted 10 s.
sf stats --json "$SAMPLES/call-retrans.pcap"
python3 - "$TMP/out" <<'PY' || FAILURES=$((FAILURES + 1))
import json, sys
o = json.loads(open(sys.argv[1]).read(), parse_float=str)
want = {"messages": 10, "retransmissions": 3, "requests": 5, "responses": 5,
        "calls": 1, "transactions": 3, "dialogs": 1, "invite_calls": 1, "answered": 1,
        "asr": "100.00", "ner": "100.00", "pdd_count": 1, "pdd_mean_ms": "1620.0",
        "pdd_p50_ms": 1620, "pdd_p95_ms": 1620, "acd_count": 1, "acd_s": "10.000",
        "failed": 0, "top_failures": []}
bad = [k for k, v in want.items() if o.get(k) != v]
bad += ["by_method"] if (o["by_method"]["INVITE"], o["by_method"]["ACK"], o["by_method"]["BYE"]) != (3, 1, 1) else []
bad += ["by_status_class"] if (o["by_status_class"]["1xx"], o["by_status_class"]["2xx"]) != (2, 3) else []
bad += ["anomalies"] if o["anomalies"]["retransmissions"] != 1 else []
for k in bad:
    print("FAIL: call-retrans: %s = %r" % (k, o.get(k)))
print("ok: call-retrans stats: retransmissions and KPIs" if not bad else "")
sys.exit(1 if bad else 0)
PY

# No SIP at all: zero counts, KPIs null (no denominator), not an error.
sf stats --json "$SAMPLES/http-sip-port.pcap"
expect_rc "stats without SIP" 0
python3 - "$TMP/out" <<'PY' || FAILURES=$((FAILURES + 1))
import json, sys
o = json.loads(open(sys.argv[1]).read())
bad = [k for k in ("messages", "calls", "transactions", "retransmissions") if o[k] != 0]
bad += [k for k in ("asr", "ner", "pdd_mean_ms", "pdd_p50_ms", "pdd_p95_ms", "acd_s") if o[k] is not None]
bad += ["top_failures"] if o["top_failures"] != [] else []
for k in bad:
    print("FAIL: no SIP: %s = %r" % (k, o[k]))
print("ok: no SIP: zeros and null KPIs" if not bad else "")
sys.exit(1 if bad else 0)
PY
sf stats "$SAMPLES/http-sip-port.pcap"
grep -qxF 'ASR             n/a (no INVITE call)' "$TMP/out" && ok "text: ASR n/a" || bad "text: no 'ASR n/a' line"
finish
