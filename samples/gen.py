#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes sipflow's own sample captures and their manifests (python3 stdlib only).

    python3 samples/gen.py            write every capture + NAME.expected into samples/
    python3 samples/gen.py --out DIR  write them into DIR instead
    python3 samples/gen.py --check    regenerate into a temporary directory and
                                      compare bytes with samples/ (exit 1 on difference)
    python3 samples/gen.py --tshark   compare each manifest with what tshark finds,
                                      and list tshark's expert warnings and errors
    python3 samples/gen.py --table    print, per capture, its messages and the ms
                                      from 10:00:00 at which each completes

Everything is deterministic: fixed timestamps from 2026-01-15 10:00:00 UTC,
fixed addresses, tags, branches and IP ids.  NAME.expected has one line per
SIP message the capture holds, tab-separated:
    frame src dst transport call_id cseq cseq_method method_or_status
where frame is the 1-based packet in which the message completes (last IP
fragment, last TCP segment needed).  It is written from what the generator
put in, never by running sipflow.  merge-ab.expected is merge-a.pcap and
merge-b.pcap read together (merged by time, frames numbered over both).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.dont_write_bytecode = True          # keep samples/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sampgen import cases_calls, cases_extract, hostile, net  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def build():
    """Returns (captures, extra files {name: bytes}, manifests {name: text})."""
    captures, files = [], {}
    for fn in cases_extract.CASES + cases_calls.CASES + hostile.CASES:
        for item in fn():
            if isinstance(item, tuple):
                files[item[0]] = item[1]
            else:
                captures.append(item)
    manifests = {}
    for c in captures:
        files[c.filename()] = c.file_bytes()
        manifests[c.name] = net.manifest_rows(c.packets)
    by_name = {c.name: c for c in captures}
    merged = sorted(by_name["merge-a"].packets + by_name["merge-b"].packets,
                    key=lambda p: p.ts_us)
    manifests["merge-ab"] = net.manifest_rows(merged)
    for name, rows in manifests.items():
        files[name + ".expected"] = net.manifest_text(rows).encode()
    return captures, files, manifests


def write(out_dir):
    _, files, _ = build()
    os.makedirs(out_dir, exist_ok=True)
    for name, data in sorted(files.items()):
        os.makedirs(os.path.dirname(os.path.join(out_dir, name)), exist_ok=True)  # hostile/
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    return sorted(files)


def check():
    with tempfile.TemporaryDirectory() as tmp:
        names = write(tmp)
        bad = []
        for name in names:
            try:
                with open(os.path.join(HERE, name), "rb") as f:
                    have = f.read()
            except OSError:
                bad.append(name + ": missing in samples/")
                continue
            with open(os.path.join(tmp, name), "rb") as f:
                if f.read() != have:
                    bad.append(name + ": differs from what gen.py writes")
    for line in bad:
        print(line, file=sys.stderr)
    print("%d files, %d differ" % (len(names), len(bad)))
    return 1 if bad else 0


# ------------------------------------------------------------------ tshark

def tshark_messages(path):
    """{frame: sorted [(call_id, cseq, method_or_status)]} as tshark sees it
    (every "sip" layer of a frame that has a CSeq, like tests/lib/sipmsgs.py)."""
    cmd = ["tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", path, "-Y", "sip",
           "-T", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout or "[]"
    pairs = json.loads(out, object_pairs_hook=lambda kv: kv)

    def first(node, key):
        for k, v in node:
            if k == key:
                return v
        return None

    def find(node, key):
        if isinstance(node, list) and all(isinstance(x, tuple) for x in node):
            for k, v in node:
                if k == key:
                    return v
                hit = find(v, key)
                if hit is not None:
                    return hit
        elif isinstance(node, list):
            for v in node:
                hit = find(v, key)
                if hit is not None:
                    return hit
        return None

    got = defaultdict(list)
    for pkt in pairs:
        layers = first(first(pkt, "_source"), "layers")
        frame = int(first(first(layers, "frame"), "frame.number"))
        for k, sip in layers:
            if k != "sip":
                continue
            hdrs = first(sip, "sip.msg_hdr_tree")
            seq = find(hdrs, "sip.CSeq.seq") if hdrs else None
            if seq is None:
                continue
            call_id = find(hdrs, "sip.Call-ID") or ""
            if first(sip, "sip.Request-Line") is not None:
                what = find(first(sip, "sip.Request-Line_tree"), "sip.Method")
            else:
                what = find(first(sip, "sip.Status-Line_tree"), "sip.Status-Code")
            got[frame].append((call_id, seq, what))
    return {f: sorted(v) for f, v in got.items()}


def manifest_by_frame(rows):
    want = defaultdict(list)
    for frame, _, _, _, msg in rows:
        want[frame].append((msg.call_id, str(msg.cseq), str(msg.label)))
    return {f: sorted(v) for f, v in want.items()}


def tshark_expert(path, merged=None):
    cmd = ["tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
           "-r", path, "-q", "-z", "expert,warn"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    keep = [line.strip() for line in (res.stdout + res.stderr).splitlines()
            if any(w in line for w in ("Malformed", "hecksum", "rror", "appears"))]
    return keep


def compare_tshark():
    captures, _, manifests = build()
    tmp = tempfile.TemporaryDirectory()
    paths = {}
    for c in captures:
        paths[c.name] = os.path.join(HERE, c.filename())
    merged = os.path.join(tmp.name, "merge-ab.pcap")
    subprocess.run(["mergecap", "-F", "pcap", "-w", merged, paths["merge-a"],
                    paths["merge-b"]], check=True)
    paths["merge-ab"] = merged
    for name in sorted(manifests):
        want = manifest_by_frame(manifests[name])
        got = tshark_messages(paths[name])
        n_want = sum(len(v) for v in want.values())
        n_got = sum(len(v) for v in got.values())
        diff = []
        for frame in sorted(set(want) | set(got)):
            if want.get(frame, []) != got.get(frame, []):
                diff.append("    frame %d: manifest %s, tshark %s"
                            % (frame, want.get(frame, []), got.get(frame, [])))
        print("%-22s manifest %3d  tshark %3d  %s" % (name, n_want, n_got,
                                                        "same" if not diff else "DIFFERENT"))
        for line in diff:
            print(line)
        for line in tshark_expert(paths[name]):
            print("    expert: " + line)


# ------------------------------------------------------------------- table

def table():
    captures, files, manifests = build()
    for c in captures:
        rows = manifests[c.name]
        print("%s (%d bytes, %d packets, %d SIP messages): %s" % (
            c.filename(), len(files[c.filename()]), len(c.packets), len(rows), c.readme))
        if not rows:
            continue
        parts = []
        for frame, _, _, _, msg in rows:
            ms = (c.packets[frame - 1].ts_us - net.T0_US) / 1000
            label = str(msg.label)
            if isinstance(msg.label, int) and msg.cseq_method != "INVITE":
                label = "%s(%s)" % (msg.label, msg.cseq_method)
            parts.append("%s %s" % (label, ("%.3f" % ms).rstrip("0").rstrip(".")))
        print("    " + ", ".join(parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=HERE, help="directory to write into (default: samples/)")
    ap.add_argument("--check", action="store_true", help="compare with the checked-in files")
    ap.add_argument("--tshark", action="store_true", help="compare the manifests with tshark")
    ap.add_argument("--table", action="store_true", help="print messages and times")
    args = ap.parse_args()
    if args.check:
        return check()
    if args.tshark:
        return compare_tshark()
    if args.table:
        return table()
    names = write(args.out)
    print("wrote %d files into %s" % (len(names), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
