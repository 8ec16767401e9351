#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads tshark's PDML for the plugin tests (python3 stdlib only).

  pdml.py messages < out.pdml
      one TSV line per "SIP Flow" subtree that carries sipflow.call:
      frame call_id call transaction dialog retransmission state failed
      (dialog "-" when absent; retransmission and failed 0/1)
  pdml.py ranges < out.pdml
      one line per frame with SIP: frame, then "pos:size" of every sip item
      and, after " | ", of every sipflow subtree, in order
  pdml.py compare PLUGIN.tsv CLI.ndjson
      compares the plugin's messages (from `messages`) with
      `sipflow messages --json`: the messages are matched by (frame, Call-ID,
      rank within the frame); prints "only-cli"/"only-plugin" lines for the
      unmatched ones, and checks that sipflow.transaction, sipflow.dialog and
      sipflow.call induce the same grouping as the CLI's ids (a one-to-one
      map between the two numberings); exit 1 on a grouping difference.
  pdml.py failed PLUGIN.tsv CLI.ndjson FAILED.ndjson
      the messages the plugin marks sipflow.failed against the CLI messages
      of the calls `sipflow failed --json` lists (same matching); prints
      the differences, exit 1 when there is one.
"""
import collections
import json
import sys
import xml.etree.ElementTree as ET


def packets(stream):
    for _, elem in ET.iterparse(stream, events=("end",)):
        if elem.tag == "packet":
            yield elem
            elem.clear()


def frame_number(pkt):
    for proto in pkt.findall("proto"):
        if proto.get("name") == "geninfo":
            for f in proto.findall("field"):
                if f.get("name") == "num":
                    return int(f.get("show"))
    for proto in pkt.findall("proto"):
        if proto.get("name") == "frame":
            for f in proto.findall("field"):
                if f.get("name") == "frame.number":
                    return int(f.get("show"))
    return None


def esc(value):
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\r", "\\r").replace("\n", "\\n"))


def cmd_messages():
    for pkt in packets(sys.stdin.buffer):
        frame = frame_number(pkt)
        for proto in pkt.findall("proto"):
            if proto.get("name") != "sipflow":
                continue
            fields = collections.defaultdict(list)
            for f in proto.iter("field"):
                fields[f.get("name")].append(f.get("show"))
            if "sipflow.call" not in fields:
                continue
            one = lambda k, d="-": fields[k][0] if fields.get(k) else d
            print("\t".join(esc(v) for v in (
                frame, one("sipflow.call_id", ""), one("sipflow.call"),
                one("sipflow.transaction"), one("sipflow.dialog"),
                1 if fields.get("sipflow.retransmission") else 0,
                one("sipflow.state"), 1 if fields.get("sipflow.failed") else 0)))


def cmd_ranges():
    for pkt in packets(sys.stdin.buffer):
        sip, flow = [], []
        for proto in pkt.findall("proto"):
            r = "%s:%s" % (proto.get("pos"), proto.get("size"))
            if proto.get("name") == "sip":
                sip.append(r)
            elif proto.get("name") == "sipflow":
                flow.append(r)
        if sip or flow:
            print("%s %s | %s" % (frame_number(pkt), " ".join(sip), " ".join(flow)))


def keyed(rows):
    """(frame, call_id, rank) -> row, rank counting equal (frame, call_id)."""
    seen = collections.Counter()
    out = {}
    for row in rows:
        k = (row["frame"], row["call_id"])
        out[k + (seen[k],)] = row
        seen[k] += 1
    return out


def read_plugin(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows.append({"frame": int(p[0]), "call_id": p[1], "call": p[2],
                         "transaction": p[3], "dialog": p[4], "failed": p[7] == "1"})
    return rows


def read_ndjson(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_cli(path):
    return [{"frame": o["frame"], "call_id": esc(o["call_id"]), "call": str(o["call"]),
             "transaction": str(o["transaction"]),
             "dialog": "-" if o["dialog"] is None else str(o["dialog"])}
            for o in read_ndjson(path)]


def cmd_failed(plugin_path, cli_path, failed_path):
    failed_calls = {str(o["call"]) for o in read_ndjson(failed_path)}
    p = {k for k, r in keyed(read_plugin(plugin_path)).items() if r["failed"]}
    c = {k for k, r in keyed(read_cli(cli_path)).items() if r["call"] in failed_calls}
    for k in sorted(c - p):
        print("failed-only-cli\t%d\t%s" % (k[0], k[1]))
    for k in sorted(p - c):
        print("failed-only-plugin\t%d\t%s" % (k[0], k[1]))
    return 1 if p != c else 0


def cmd_compare(plugin_path, cli_path):
    p, c = keyed(read_plugin(plugin_path)), keyed(read_cli(cli_path))
    for k in sorted(set(c) - set(p)):
        print("only-cli\t%d\t%s" % (k[0], k[1]))
    for k in sorted(set(p) - set(c)):
        print("only-plugin\t%d\t%s" % (k[0], k[1]))
    bad = 0
    for what in ("transaction", "dialog", "call"):
        fwd, back = {}, {}
        for k in sorted(set(p) & set(c)):
            a, b = p[k][what], c[k][what]
            if fwd.setdefault(a, b) != b or back.setdefault(b, a) != a:
                print("grouping\t%s: frame %d (%s): plugin %s, cli %s, but plugin %s <-> cli %s"
                      % (what, k[0], k[1], a, b, a if fwd[a] == b else back[b],
                         fwd[a] if fwd[a] != b else b))
                bad += 1
                break
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "messages":
        cmd_messages()
        return 0
    if len(argv) >= 2 and argv[1] == "ranges":
        cmd_ranges()
        return 0
    if len(argv) == 5 and argv[1] == "failed":
        return cmd_failed(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
