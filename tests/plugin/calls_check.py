#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks a `-z sipflow,calls` (or menu) table against `sipflow calls --json`
(python3 stdlib only).

  calls_check.py table TABLE.txt CALLS.ndjson
      every call of the JSON has exactly one row: it starts with the call
      number and shows the state, the final status and reason, the message
      count and the Call-ID (last column); no other row; the last line is
      "N call(s), M failed" with the JSON's counts.  Exit 1 on a difference.
  calls_check.py failed TEXT.txt FAILED.ndjson
      the failed-calls window: one row per call of `sipflow failed --json`
      ending with its failure sentence, and "N failed call(s)" last.

The table layout is the plugin's own (the CLI's table code lives in cli/);
the values must be the CLI's.
"""
import json
import sys


def esc(s):
    """As the plugin and the CLI escape capture text (printable kept)."""
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x20 or 0x7f <= o <= 0x9f:
            out.append("".join("\\x%02x" % b for b in ch.encode()))
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def rows_of(lines):
    """Table rows: lines starting with a call number."""
    return {int(l.split()[0]): l for l in lines if l.split() and l.split()[0].isdigit()}


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def check_table(text_path, json_path):
    calls = load(json_path)
    lines = open(text_path, encoding="utf-8").read().splitlines()
    rows = rows_of(lines[1:-1])
    errors = []
    for c in calls:
        row = rows.pop(c["call"], None)
        if row is None:
            errors.append("call %d: no row" % c["call"])
            continue

        final = "-" if c["final_status"] is None else "%d %s" % (
            c["final_status"], esc(c["reason"] or "") if c["reason"] else "")
        want = [(" %s " % c["state"], "state"), (" %s " % final.strip(), "final"),
                (" %d " % c["messages"], "msgs")]
        for text, what in want:
            if text not in " %s " % row:
                errors.append("call %d: %s '%s' not in row: %s" % (c["call"], what,
                                                                   text.strip(), row))
        if not row.endswith(esc(c["call_id"])):
            errors.append("call %d: row does not end with its Call-ID: %s" % (c["call"], row))
    for n, row in rows.items():
        errors.append("row of call %d that the CLI does not list: %s" % (n, row))
    failed = sum(1 for c in calls if c["failure"])
    last = "%s, %d failed" % (plural(len(calls), "call"), failed)
    if lines[-1] != last:
        errors.append("last line '%s', expected '%s'" % (lines[-1], last))
    return errors


def check_failed(text_path, json_path):
    calls = load(json_path)
    lines = open(text_path, encoding="utf-8").read().splitlines()
    rows = rows_of(lines[1:-1])
    errors = []
    for c in calls:
        row = rows.pop(c["call"], None)
        if row is None or not row.endswith(esc(c["failure"])):
            errors.append("call %d: no row ending with '%s': %s" % (c["call"], c["failure"], row))
    for n, row in rows.items():
        errors.append("row of call %d that 'sipflow failed' does not list: %s" % (n, row))
    last = "%s" % plural(len(calls), "failed call")
    if lines[-1] != last:
        errors.append("last line '%s', expected '%s'" % (lines[-1], last))
    return errors


def main(argv):
    if len(argv) != 4 or argv[1] not in ("table", "failed"):
        sys.stderr.write(__doc__)
        return 2
    errors = (check_table if argv[1] == "table" else check_failed)(argv[2], argv[3])
    for e in errors[:10]:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
