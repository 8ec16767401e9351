#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers of tests/cli/sipp_peer.sh (python3 stdlib only).

  peercheck.py ports
      prints "BASE": a random port in 20000-59980 such that BASE..BASE+19 are
      all free on 127.0.0.1 for both UDP and TCP (the script gives sipp's SIP
      and media sockets ports from that block).
  peercheck.py listening udp|tcp PORT
      exit 0 when a socket listens on PORT (read from /proc/net).
  peercheck.py messages SCENARIO TRANSPORT UAC UAS < messages.ndjson
      checks `sipflow messages --json` against what the scenario sent.
  peercheck.py calls SCENARIO UAC UAS MESSAGES < calls.ndjson
      checks `sipflow calls --json` reports the scenario's outcome (MESSAGES:
      the output of `messages --json` on the same capture, already checked).

SCENARIO is completed, busy (486) or rejected (603).  UAC and UAS are
"127.0.0.1:PORT".  Every failed check prints "FAIL: ..."; exit 1 if any.
"""
import json
import random
import socket
import sys

# The messages each scenario sends, in order, retransmissions left out
# (tests/peer/*.xml): method for a request, "status CSeq-method" for a response.
SEQUENCES = {
    "completed": ["INVITE", "100 INVITE", "180 INVITE", "200 INVITE", "ACK",
                  "BYE", "200 BYE"],
    "busy": ["INVITE", "100 INVITE", "180 INVITE", "486 INVITE", "ACK"],
    "rejected": ["INVITE", "100 INVITE", "180 INVITE", "603 INVITE", "ACK"],
}
FINAL = {"completed": 200, "busy": 486, "rejected": 603}
REASON = {"completed": "OK", "busy": "Busy Here", "rejected": "Decline"}
# Transactions (DESIGN.md grouping rules): INVITE, the ACK of a 2xx (its
# own), BYE; the ACK of a non-2xx belongs to the INVITE's transaction.
TRANSACTIONS = {"completed": 3, "busy": 1, "rejected": 1}

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def expect(what, got, want):
    if got != want:
        fail("%s = %r, expected %r" % (what, got, want))


def port_free(port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def cmd_ports():
    rng = random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(20000, 59980, 20)
        if all(port_free(p) for p in range(base, base + 20)):
            print(base)
            return 0
    print("no free block of 20 ports in 20000-59999", file=sys.stderr)
    return 1


def cmd_listening(proto, port):
    """Read-only (/proc/net): binding the port to test it could make the
    peer's own bind fail."""
    want_state = "0A" if proto == "tcp" else "07"  # TCP_LISTEN, TCP_CLOSE (unconnected UDP)
    for table in ("/proc/net/" + proto, "/proc/net/" + proto + "6"):
        try:
            with open(table, encoding="ascii") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 3 and int(cols[1].rsplit(":", 1)[1], 16) == int(port) \
                    and cols[3] == want_state:
                return 0
    return 1


def read_ndjson():
    objs = []
    for n, line in enumerate(sys.stdin, 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            fail("line %d is not JSON (%s): %r" % (n, e, line[:200]))
    return objs


def cmd_messages(scenario, transport, uac, uas):
    msgs = read_ndjson()
    fresh = [m for m in msgs if not m.get("retransmission")]
    seq = [m["method"] if m["type"] == "request" else
           "%s %s" % (m["status"], m["cseq_method"]) for m in fresh]
    expect("messages (retransmissions left out)", seq, SEQUENCES[scenario])
    expect("Call-IDs", len({m["call_id"] for m in msgs}), 1)
    expect("transports", sorted({m["transport"] for m in msgs}), [transport])
    for m in msgs:
        caller_sent = m["type"] == "request"
        src, dst = (uac, uas) if caller_sent else (uas, uac)
        if (m["src"], m["dst"]) != (src, dst):
            fail("frame %s: %s -> %s, expected %s -> %s"
                 % (m["frame"], m["src"], m["dst"], src, dst))
    expect("calls", sorted({m["call"] for m in msgs}), [1])
    if msgs and not FAILURES:
        print("ok: %d messages (%d retransmitted): %s over %s, one call"
              % (len(msgs), len(msgs) - len(fresh), " ".join(seq), transport))
    return 1 if FAILURES else 0


def cmd_calls(scenario, uac, uas, messages_file):
    with open(messages_file, encoding="utf-8") as f:
        msgs = [json.loads(line) for line in f]
    call_id = msgs[0]["call_id"] if msgs else None
    calls = read_ndjson()
    if len(calls) != 1:
        fail("%d calls, expected 1" % len(calls))
        return 1
    c = calls[0]
    expect("call_id", c.get("call_id"), call_id)
    expect("method", c.get("method"), "INVITE")
    expect("src", c.get("src"), uac)
    expect("dst", c.get("dst"), uas)
    expect("to", c.get("to"), "sip:service@" + uas)
    expect("state", c.get("state"), scenario)
    expect("final_status", c.get("final_status"), FINAL[scenario])
    expect("reason", c.get("reason"), REASON[scenario])
    expect("messages", c.get("messages"), len(msgs))
    expect("retransmissions", c.get("retransmissions"),
           sum(1 for m in msgs if m["retransmission"]))
    expect("transactions", c.get("transactions"), TRANSACTIONS[scenario])
    expect("dialogs", c.get("dialogs"), 1)
    setup = c.get("setup_ms")
    if not isinstance(setup, (int, float)) or not 0 <= setup < 5000:
        fail("setup_ms = %r, expected 0 to 5000 (INVITE -> 180 on loopback)" % setup)
    if scenario == "completed":
        expect("failure", c.get("failure"), None)
        answer = c.get("answer_ms")
        if not isinstance(answer, (int, float)) or not setup <= answer < 5000:
            fail("answer_ms = %r, expected setup_ms (%r) to 5000" % (answer, setup))
        # the caller pauses 1 s between ACK and BYE (uac.xml)
        d = c.get("duration_s")
        if not isinstance(d, (int, float)) or not 0.9 <= d < 5:
            fail("duration_s = %r, expected about 1 s" % d)
    else:
        expect("answer_ms", c.get("answer_ms"), None)
        expect("duration_s", c.get("duration_s"), None)
        f = c.get("failure") or ""
        want = "rejected by %s with %d %s" % (uas, FINAL[scenario], REASON[scenario])
        if want not in f:
            fail("failure = %r, expected it to contain %r" % (c.get("failure"), want))
    if not FAILURES:
        print("ok: calls: 1 call, state %s, final_status %s, failure %r"
              % (c["state"], c["final_status"], c["failure"]))
    return 1 if FAILURES else 0


def main(argv):
    cmds = {"ports": (cmd_ports, 0), "listening": (cmd_listening, 2),
            "messages": (cmd_messages, 4), "calls": (cmd_calls, 4)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = cmds[argv[1]]
    return fn(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
