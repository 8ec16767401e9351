#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `sipflow calls --json` on every samples/call-*.pcap (and register-options):
# state, final_status, timings, counts, anomalies and the failure sentence of
# each call; then `messages --json` on several of them: the exact
# transaction, dialog and call id and the retransmission flag of every
# message.
#
# Where the expected values come from: samples/README.md ("Call analysis"
# and "Key timestamps", written from what samples/gen.py put in each
# capture), DESIGN.md (state vocabulary, grouping rules) and RFC 3261.
# Each number below is worked out in a comment from those timestamps, not
# copied from sipflow's output.  Timings: setup_ms = first INVITE -> first
# 180/183, answer_ms = first INVITE -> 2xx, duration_s = 2xx -> BYE
# (DESIGN.md); a retry after 401/407 or 3xx within 2 s counts from the first
# INVITE (sipflow.h, setup_ms).
. "$SRCDIR/tests/lib/common.sh"

shopt -s nullglob
captures=("$SAMPLES"/call-*.pcap)
[ ${#captures[@]} -gt 0 ] || { bad "no samples/call-*.pcap: run the samples generator"; finish; }

python3 - "$SIPFLOW" "$SAMPLES" <<'PY' || FAILURES=$((FAILURES + 1))
import glob, json, os, subprocess, sys

sipflow, samples = sys.argv[1], sys.argv[2]
failures = 0

def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)

def run(*args):
    p = subprocess.run([sipflow] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        fail("sipflow %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

ALICE, PROXY, BOB, BOB2 = "10.0.0.1:5060", "10.0.0.2:5060", "10.0.0.3:5060", "10.0.0.4:5060"

# Defaults for an answered call Alice -> Bob, direct (no proxy).
def call(**kw):
    d = dict(method="INVITE", src=ALICE, dst=BOB, state="completed", final_status=200,
             reason="OK", retransmissions=0, anomalies=[], failure=None,
             setup_ms=None, answer_ms=None, duration_s=None, dialogs=1)
    d.update(kw)
    return d

# Every call of every capture: {file: [call 1, call 2 ...]}.
EXPECT = {
    # INVITE 0, 180 120, 200 3200, BYE 33200: setup 120, answer 3200,
    # duration 33.200 - 3.200 = 30.000 s.  Transactions: INVITE, ACK (of a
    # 2xx: its own, RFC 3261 §17.1.1.3), BYE = 3.
    "call-answered": [call(setup_ms=120, answer_ms=3200, duration_s=30.0, messages=7,
                           transactions=3, end="1768471233.215000")],
    # 486 at 250 ms, no 180: DESIGN.md "busy" (486, 600).  No tagged 1xx, so
    # no dialog.  Rejected by Bob himself, 250 ms after the INVITE.
    "call-busy": [call(state="busy", final_status=486, reason="Busy Here", messages=4,
                       transactions=1, dialogs=0,
                       failure="rejected by 10.0.0.3:5060 with 486 Busy Here after 250 ms")],
    "call-rejected-403": [call(state="rejected", final_status=403, reason="Forbidden",
                               messages=4, transactions=1, dialogs=0,
                               failure="rejected by 10.0.0.3:5060 with 403 Forbidden after 80 ms")],
    "call-rejected-404": [call(state="rejected", final_status=404, reason="Not Found",
                               messages=4, transactions=1, dialogs=0,
                               failure="rejected by 10.0.0.3:5060 with 404 Not Found after 60 ms")],
    # 503 at 2000 ms with Reason: Q.850;cause=34 (ITU-T Q.850: "No
    # circuit/channel available").
    "call-rejected-503": [call(state="rejected", final_status=503, reason="Service Unavailable",
                               messages=4, transactions=1, dialogs=0,
                               failure="rejected by 10.0.0.3:5060 with 503 Service Unavailable "
                                       "after 2.0 s (Q.850 cause 34: No circuit/channel available)")],
    # 180 at 150 (setup 150, an early dialog), 603 at 4000: 603 is not in the
    # "busy" list of DESIGN.md, so "rejected"; 4000 - 150 = 3850 ms of
    # ringing, said as 3.9 s.
    "call-rejected-603": [call(state="rejected", final_status=603, reason="Decline", messages=5,
                               transactions=1, setup_ms=150,
                               failure="rejected by 10.0.0.3:5060 with 603 Decline after 3.9 s of ringing")],
    # 180 120, CANCEL 5000, 487: "cancelled"; 5000 - 120 = 4880 ms of ringing
    # (4.9 s), refused by the caller.  INVITE and CANCEL transactions (the
    # ACK of the 487 is part of the INVITE's, §17.1.1.3).
    "call-cancelled": [call(state="cancelled", final_status=487, reason="Request Terminated",
                            messages=7, transactions=2, setup_ms=120,
                            failure="cancelled by the caller 10.0.0.1:5060 after 4.9 s of ringing")],
    # 180 at 120 then the capture ends: "ringing", not failed (the capture
    # may just have been stopped), but the INVITE has no final response.
    "call-no-answer": [call(state="ringing", final_status=None, reason=None, messages=3,
                            transactions=1, setup_ms=120, anomalies=["no-final"])],
    # INVITE 0, 302 50, ACK, INVITE(CSeq 2) 70 to Bob's other phone, 180 200,
    # 200 2500, BYE 12500: the 302 is a redirect followed by a retry, not
    # the outcome; the clock starts at the first INVITE (retry 20 ms after
    # the 302): setup 200, answer 2500, duration 12.5 - 2.5 = 10.000 s.
    # Transactions: INVITE 1 (+ its ACK), INVITE 2, ACK, BYE = 4.
    "call-redirect-302": [call(setup_ms=200, answer_ms=2500, duration_s=10.0, messages=10,
                               transactions=4)],
    # 407 then a retry 70 ms after it: from the 1st INVITE the 180 is at 300
    # and the 200 at 4000 (README); BYE 64000: 60.000 s.  Not a failure.
    "call-auth-407": [call(dst=PROXY, setup_ms=300, answer_ms=4000, duration_s=60.0,
                           messages=10, transactions=4)],
    # Three 407 in a row (> 2 challenges: auth-loop); the last INVITE at 200
    # gets its 407 at 230: rejected by the proxy 30 ms after the last try.
    # The 407s carry To tags but a non-2xx final creates no dialog (§12.1).
    "call-auth-loop": [call(dst=PROXY, state="rejected", final_status=407,
                            reason="Proxy Authentication Required", messages=9,
                            transactions=3, dialogs=0, anomalies=["auth-loop"],
                            failure="rejected by 10.0.0.2:5060 with 407 Proxy Authentication "
                                    "Required after 30 ms")],
    # Two 180s with different tags (two early dialogs), 200 with tag A:
    # setup 100 (first 180), answer 3000, BYE 20000: 17.000 s.
    "call-forked": [call(dst=PROXY, setup_ms=100, answer_ms=3000, duration_s=17.0, messages=8,
                         transactions=3, dialogs=2)],
    # re-INVITE inside the dialog is not a new attempt: setup 120, answer
    # 3200, BYE 20000: 16.800 s; INVITE, ACK, re-INVITE, ACK, BYE = 5.
    "call-reinvite": [call(setup_ms=120, answer_ms=3200, duration_s=16.8, messages=10,
                           transactions=5)],
    # 200 at 3200 resent at 3700, 4700, 6700 (3 retransmissions) and never
    # ACKed: answered, no BYE = "in-call"; anomalies no-ack, retransmissions.
    "call-no-ack": [call(state="in-call", setup_ms=120, answer_ms=3200, messages=7,
                         transactions=1, retransmissions=3,
                         anomalies=["no-ack", "retransmissions"])],
    # INVITE at 0, 500, 1500 (2 retransmissions), 180 1620, 200 4000 and
    # again 4500 (1 more): 3.  setup 1620 from the first copy, answer 4000,
    # BYE 14000: 10.000 s.
    "call-retrans": [call(setup_ms=1620, answer_ms=4000, duration_s=10.0, messages=10,
                          transactions=3, retransmissions=3, anomalies=["retransmissions"])],
    # Seen from Alice (the first request's hop): 180(P->A) 125, 200(P->A)
    # 3205, BYE(A->P) 13200: 9.995 s.  Each request on two hops = two
    # transactions: INVITE, INVITE, ACK, ACK, BYE, BYE = 6; one dialog (the
    # proxy does not change the tags).
    "call-proxy": [call(dst=PROXY, setup_ms=125, answer_ms=3205, duration_s=9.995,
                        messages=14, transactions=6)],
    # Two Call-IDs = two calls (linked, kept separate).  A-leg: INVITE 0,
    # 180(A) 125, 200(A) 3210, BYE(A) 13200 -> 125, 3210, 9.990.  B-leg:
    # INVITE 15, 180(B) 120, 200(B) 3200, BYE(B) 13210 -> 105, 3185, 10.010.
    "call-b2bua": [call(dst=PROXY, setup_ms=125, answer_ms=3210, duration_s=9.99, messages=7,
                        transactions=3),
                   call(src=PROXY, setup_ms=105, answer_ms=3185, duration_s=10.01, messages=7,
                        transactions=3, start="1768471200.015000")],
    # Answered, BYE at 10000 answered 481: the call was hung up (completed,
    # 10.000 - 3.200 = 6.800 s) but the BYE hit no dialog: bye-481.
    "call-bye-481": [call(setup_ms=120, answer_ms=3200, duration_s=6.8, messages=7,
                          transactions=3, anomalies=["bye-481"])],
    # BYE at 10000 and 4 more copies, never answered: 4 retransmissions,
    # one-way-hangup; duration up to the (first) BYE: 6.800 s.
    "call-one-way-hangup": [call(setup_ms=120, answer_ms=3200, duration_s=6.8, messages=10,
                                 transactions=3, retransmissions=4,
                                 anomalies=["retransmissions", "one-way-hangup"])],
    # 200 at 3000, CANCEL at 3005 crossing it (late-cancel), BYE at 3040:
    # 0.040 s.  INVITE, CANCEL, ACK, BYE = 4 transactions.
    "call-late-cancel": [call(setup_ms=120, answer_ms=3000, duration_s=0.04, messages=9,
                              transactions=4, anomalies=["late-cancel"])],
    # The call-answered flow over TCP, shifted by the 1 ms of the handshake.
    "call-tcp": [call(src="10.0.0.1:49152", setup_ms=120, answer_ms=3200, duration_s=30.0,
                      messages=7, transactions=3, start="1768471200.001000",
                      end="1768471233.216000")],
    # Non-INVITE "calls": REGISTER 401 then 200 = ok (a challenge is not a
    # failure); OPTIONS 200 = ok; MESSAGE 404 = failed.
    "register-options": [
        call(method="REGISTER", dst=PROXY, state="ok", messages=4, transactions=2, dialogs=0),
        call(method="OPTIONS", src=PROXY, dst=ALICE, state="ok", messages=2, transactions=1,
             dialogs=0, start="1768471205.000000"),
        call(method="MESSAGE", dst=PROXY, state="failed", final_status=404, reason="Not Found",
             messages=2, transactions=1, dialogs=0, start="1768471210.000000",
             failure="MESSAGE rejected by 10.0.0.2:5060 with 404 Not Found"),
    ],
}

files = sorted(os.path.basename(f)[:-5] for f in glob.glob(samples + "/call-*.pcap"))
for name in files:
    if name not in EXPECT:
        fail("%s: new sample without expectations in this test" % name)
for name, calls in sorted(EXPECT.items()):
    path = os.path.join(samples, name + ".pcap")
    if not os.path.exists(path):
        fail("samples/%s.pcap missing" % name)
        continue
    p = subprocess.run([sipflow, "calls", "--json", path], capture_output=True)
    got = [json.loads(l, parse_float=str) for l in p.stdout.decode().splitlines()]
    if len(got) != len(calls):
        fail("%s: %d calls, expected %d" % (name, len(got), len(calls)))
        continue
    bad = 0
    for i, (g, w) in enumerate(zip(got, calls), 1):
        w = dict(w)
        w.setdefault("start", "1768471200.000000")
        if w["duration_s"] is not None:
            w["duration_s"] = "%.3f" % w["duration_s"]
        if g["call"] != i:
            fail("%s: call ids not 1, 2, ...: %r" % (name, g["call"]))
        for k, v in w.items():
            if g.get(k) != v:
                fail("%s call %d: %s = %r, expected %r" % (name, i, k, g.get(k), v))
                bad += 1
    if not bad:
        print("ok: %s: %d call(s): state, final status, timings, anomalies, failure" % (name, len(calls)))

# The B2BUA legs are linked through X-Call-ID (not a calls --json key: the
# text table lists them).
p = subprocess.run([sipflow, "calls", os.path.join(samples, "call-b2bua.pcap")],
                   capture_output=True, text=True, env=dict(os.environ, COLUMNS="200"))
if "legs of the same call (B2BUA): 1 ↔ 2" in p.stdout:
    print("ok: call-b2bua: the two legs are shown as linked")
else:
    fail("call-b2bua: no 'legs of the same call (B2BUA): 1 ↔ 2' line:\n" + p.stdout)

# ---------------------------------------------------------------- grouping
# Every message: (frame, transaction, dialog, call, retransmission).
# Transactions are numbered in order of first appearance, dialogs in order
# of creation (a 1xx with a To tag or a 2xx to a dialog-creating request),
# None = no dialog: the request before any tagged response, the 100 (no To
# tag), a 3xx/4xx final without an earlier tagged 1xx.  A message carrying
# the Call-ID and both tags of a dialog belongs to it (DESIGN.md "either
# direction"), which includes the ACK of a 487 and the 200 of a CANCEL; the
# CANCEL itself has no To tag, so no dialog.
GROUPS = {
    # INVITE/100/180/CANCEL/200/487/ACK: the ACK of the 487 is part of the
    # INVITE transaction (§17.1.1.3); CANCEL is its own (§9.1).
    "call-cancelled": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 1, 1, 1, False),
                       (4, 2, None, 1, False), (5, 2, 1, 1, False), (6, 1, 1, 1, False),
                       (7, 1, 1, 1, False)],
    # Two 180s with tags A then B: dialogs 1 and 2; the 200 (tag A) confirms
    # dialog 1; ACK of the 2xx and BYE are their own transactions in dialog 1.
    "call-forked": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 1, 1, 1, False),
                    (4, 1, 2, 1, False), (5, 1, 1, 1, False), (6, 2, 1, 1, False),
                    (7, 3, 1, 1, False), (8, 3, 1, 1, False)],
    # Each request on two hops with different top branches: two
    # transactions each (INVITE 1 A->P, 2 P->B; ACK 3, 4; BYE 5, 6); the
    # 100s are hop by hop; the responses go to the transaction of their hop
    # (frame 6 = 180 P->A -> 1, frame 14 = 200 P->A -> 5).  One dialog,
    # created by the first tagged response (frame 5).
    "call-proxy": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 2, None, 1, False),
                   (4, 2, None, 1, False), (5, 2, 1, 1, False), (6, 1, 1, 1, False),
                   (7, 2, 1, 1, False), (8, 1, 1, 1, False), (9, 3, 1, 1, False),
                   (10, 4, 1, 1, False), (11, 5, 1, 1, False), (12, 6, 1, 1, False),
                   (13, 6, 1, 1, False), (14, 5, 1, 1, False)],
    # INVITE at 0, 500, 1500: frames 2, 3 are retransmissions; 200 again at
    # 4500 (frame 7) too.
    "call-retrans": [(1, 1, None, 1, False), (2, 1, None, 1, True), (3, 1, None, 1, True),
                     (4, 1, None, 1, False), (5, 1, 1, 1, False), (6, 1, 1, 1, False),
                     (7, 1, 1, 1, True), (8, 2, 1, 1, False), (9, 3, 1, 1, False),
                     (10, 3, 1, 1, False)],
    # INVITE/302/ACK = transaction 1, no dialog (3xx creates none); the new
    # INVITE (CSeq 2, new branch) = 2, its 180 creates dialog 1.
    "call-redirect-302": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 1, None, 1, False),
                          (4, 2, None, 1, False), (5, 2, None, 1, False), (6, 2, 1, 1, False),
                          (7, 2, 1, 1, False), (8, 3, 1, 1, False), (9, 4, 1, 1, False),
                          (10, 4, 1, 1, False)],
    # Three INVITE/407/ACK exchanges: transactions 1, 2, 3, no dialog.
    "call-auth-loop": [(f, (f - 1) // 3 + 1, None, 1, False) for f in range(1, 10)],
    # re-INVITE (frame 6) and its ACK are new transactions in dialog 1.
    "call-reinvite": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 1, 1, 1, False),
                      (4, 1, 1, 1, False), (5, 2, 1, 1, False), (6, 3, 1, 1, False),
                      (7, 3, 1, 1, False), (8, 4, 1, 1, False), (9, 5, 1, 1, False),
                      (10, 5, 1, 1, False)],
    # Two Call-IDs = calls 1 (A-leg) and 2 (B-leg).  Dialogs in order of
    # creation: the B-leg 180 (frame 5) = 1, the A-leg 180 (frame 6) = 2.
    # Transactions: A INVITE 1, B INVITE 2, B ACK 3 (frame 8), A ACK 4,
    # A BYE 5, B BYE 6.
    "call-b2bua": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 2, None, 2, False),
                   (4, 2, None, 2, False), (5, 2, 1, 2, False), (6, 1, 2, 1, False),
                   (7, 2, 1, 2, False), (8, 3, 1, 2, False), (9, 1, 2, 1, False),
                   (10, 4, 2, 1, False), (11, 5, 2, 1, False), (12, 5, 2, 1, False),
                   (13, 6, 1, 2, False), (14, 6, 1, 2, False)],
    # BYE sent 5 times: one transaction, 4 retransmissions.
    "call-one-way-hangup": [(1, 1, None, 1, False), (2, 1, None, 1, False), (3, 1, 1, 1, False),
                            (4, 1, 1, 1, False), (5, 2, 1, 1, False), (6, 3, 1, 1, False),
                            (7, 3, 1, 1, True), (8, 3, 1, 1, True), (9, 3, 1, 1, True),
                            (10, 3, 1, 1, True)],
}
for name, want in sorted(GROUPS.items()):
    msgs = run("messages", "--json", os.path.join(samples, name + ".pcap"))
    got = [(m["frame"], m["transaction"], m["dialog"], m["call"], m["retransmission"])
           for m in msgs]
    if got == want:
        print("ok: %s: transaction/dialog/call of all %d messages" % (name, len(want)))
    else:
        fail("%s: grouping differs:" % name)
        for g, w in zip(got, want):
            if g != w:
                print("    frame %s: got (txn, dialog, call, retr) %r, expected %r"
                      % (w[0], g[1:], w[1:]))
        if len(got) != len(want):
            print("    %d messages, expected %d" % (len(got), len(want)))

sys.exit(1 if failures else 0)
PY
finish
