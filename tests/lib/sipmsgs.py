#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the CLI and conformance tests (python3 stdlib only).

  sipmsgs.py manifest   < sipflow.ndjson   -> samples/*.expected format:
      frame src dst transport call_id cseq cseq_method method_or_status (TSV)
  sipflow.py conform    < sipflow.ndjson   -> frame call_id cseq method_or_status
  sipmsgs.py tshark     < tshark.json      -> frame call_id cseq method_or_status
      (tshark -T json; every "sip" layer of a frame, only those with a CSeq)
  sipmsgs.py check-keys < sipflow.ndjson   -> exit 1 with a message on the first
      object whose keys, order or types break DESIGN.md "messages --json keys"
  sipmsgs.py readme-counts README.md       -> "file<TAB>sip messages" per table row

Fields are escaped so that a TSV line stays one line: backslash, tab, CR and
LF become \\\\, \\t, \\r, \\n.
"""
import json
import re
import sys

KEYS = ["frame", "time", "src", "dst", "transport", "type", "method", "status",
        "reason", "call_id", "cseq", "cseq_method", "from_tag", "to_tag", "branch",
        "transaction", "dialog", "call", "retransmission"]
TRANSPORTS = {"udp", "tcp", "sctp", "tls", "ws", "wss"}
ENDPOINT = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$")
TIME = re.compile(r"^-?\d+\.\d{6}$")


def esc(value):
    s = "" if value is None else str(value)
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
             .replace("\r", "\\r").replace("\n", "\\n"))


def method_or_status(obj):
    return obj["method"] if obj["type"] == "request" else obj["status"]


def read_ndjson(stream):
    for lineno, line in enumerate(stream, 1):
        if line.strip():
            yield lineno, line, json.loads(line)


def cmd_manifest():
    for _, _, o in read_ndjson(sys.stdin):
        print("\t".join(esc(v) for v in (o["frame"], o["src"], o["dst"], o["transport"],
                                          o["call_id"], o["cseq"], o["cseq_method"],
                                          method_or_status(o))))


def cmd_conform():
    for _, _, o in read_ndjson(sys.stdin):
        print("\t".join(esc(v) for v in (o["frame"], o["call_id"], o["cseq"],
                                          method_or_status(o))))


# ---------------------------------------------------------------- tshark

class Multi(list):
    """A JSON object kept as its list of (key, value) pairs: tshark -T json
    repeats the "sip" key when one frame carries several SIP messages."""

    def all(self, key):
        return [v for k, v in self if k == key]

    def first(self, key, default=None):
        for k, v in self:
            if k == key:
                return v
        return default


def find(node, key):
    """First value of key anywhere below node (depth first)."""
    if isinstance(node, Multi):
        for k, v in node:
            if k == key:
                return v
            found = find(v, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = find(v, key)
            if found is not None:
                return found
    return None


def cmd_tshark():
    packets = json.load(sys.stdin, object_pairs_hook=Multi)
    for pkt in packets:
        layers = pkt.first("_source").first("layers")
        frame = layers.first("frame").first("frame.number")
        for sip in layers.all("sip"):
            hdrs = sip.first("sip.msg_hdr_tree")
            if hdrs is None:
                continue
            seq = find(hdrs, "sip.CSeq.seq")
            if seq is None:
                continue  # no CSeq: not counted (corpus README)
            call_id = hdrs.first("sip.Call-ID")
            if call_id is None:
                call_id = find(hdrs, "sip.Call-ID")
            if sip.first("sip.Request-Line") is not None:
                what = find(sip.first("sip.Request-Line_tree"), "sip.Method")
            else:
                what = find(sip.first("sip.Status-Line_tree"), "sip.Status-Code")
            print("\t".join(esc(v) for v in (frame, call_id, seq, what)))


# ------------------------------------------------------------ key check

def check_object(o):
    """Returns a list of problems with one messages --json object."""
    bad = []
    keys = list(o.keys())
    if keys != KEYS:
        bad.append("keys %s, expected exactly %s" % (keys, KEYS))
        return bad

    def want(key, ok, what):
        if not ok:
            bad.append("%s=%r is not %s" % (key, o[key], what))

    isint = lambda v: isinstance(v, int) and not isinstance(v, bool)
    isstr = lambda v: isinstance(v, str)
    want("frame", isint(o["frame"]) and o["frame"] >= 1, "an integer >= 1")
    want("time", isinstance(o["time"], float), "a float")
    for k in ("src", "dst"):
        want(k, isstr(o[k]) and ENDPOINT.match(o[k]), "an endpoint address:port")
    want("transport", o["transport"] in TRANSPORTS, "a transport name")
    want("type", o["type"] in ("request", "response"), "request|response")
    if o["type"] == "request":
        want("method", isstr(o["method"]) and o["method"] != "", "a method name")
        want("status", o["status"] is None, "null (request)")
        want("reason", o["reason"] is None, "null (request)")
    else:
        want("method", o["method"] is None, "null (response)")
        want("status", isint(o["status"]) and 100 <= o["status"] <= 699, "a status code")
        want("reason", isstr(o["reason"]), "a string (response)")
    want("call_id", isstr(o["call_id"]) and o["call_id"] != "", "a non-empty string")
    want("cseq", isint(o["cseq"]) and o["cseq"] >= 0, "an integer")
    want("cseq_method", isstr(o["cseq_method"]) and o["cseq_method"] != "", "a method")
    for k in ("from_tag", "to_tag", "branch"):
        want(k, o[k] is None or isstr(o[k]), "a string or null")
    for k in ("transaction", "dialog", "call"):
        want(k, o[k] is None or (isint(o[k]) and o[k] >= 1), "an integer >= 1 or null")
    want("retransmission", isinstance(o["retransmission"], bool), "a boolean")
    return bad


def cmd_check_keys():
    n = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        n += 1
        pairs = json.loads(line, object_pairs_hook=lambda p: p)
        if not isinstance(pairs, list):
            print("line %d is not a JSON object: %s" % (lineno, line.strip()))
            sys.exit(1)
        o = dict(pairs)
        problems = check_object(o)
        if len(o) != len(pairs):
            problems.append("duplicate keys")
        # The raw text: time must be digits with exactly 6 decimals, no quotes.
        m = re.search(r'"time":(-?[0-9.]+),', line)
        if not m or not TIME.match(m.group(1)):
            problems.append("time is not written as seconds with 6 decimals")
        if problems:
            print("line %d: %s\n  %s" % (lineno, line.strip(), "\n  ".join(problems)))
            sys.exit(1)
    if n == 0:
        print("no JSON object at all")
        sys.exit(1)
    print("%d objects checked" % n)


def cmd_readme_counts(path):
    """Rows of the corpus README table: | file | ... | sip messages | call-ids |"""
    header = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("|"):
                header = None if not line.strip() else header
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                continue
            if set(cells[0]) <= set("-: "):
                continue
            if "sip messages" in header:
                print("%s\t%s" % (cells[0], cells[header.index("sip messages")]))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "manifest":
        cmd_manifest()
    elif cmd == "conform":
        cmd_conform()
    elif cmd == "tshark":
        cmd_tshark()
    elif cmd == "check-keys":
        cmd_check_keys()
    elif cmd == "readme-counts" and len(sys.argv) == 3:
        cmd_readme_counts(sys.argv[2])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
