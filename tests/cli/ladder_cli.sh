#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `sipflow ladder` and `sipflow report` from the command line:
#  - golden files (tests/golden/cli/): `--format ascii` (no --width, no
#    $COLUMNS: 100 columns) and `--width 100` (text) of the answered call
#    through a proxy, the cancelled, the forked and the TCP call;
#  - independently of the golden files, every arrow row of those ladders is
#    read back (frame, the lane it leaves, the lane it reaches) and compared
#    with samples/NAME.expected, the generator's own list of what it put in
#    the capture: every message once, in capture order, between the right
#    lanes;
#  - svg and html pass `xmllint --noout`; mermaid is a sequenceDiagram with
#    every participant declared and one arrow line per message (compared
#    with `messages --json`); json is the model with every message's text;
#  - --call by number and by Call-ID (repeated: one diagram), an unknown
#    call (exit 1, named, -o file left alone), -o, unwritable -o, bad
#    format, width, colour only on a terminal;
#  - no SIP at all ("no SIP messages", an empty -o file, an empty svg) and
#    a capture cut short (the calls read are drawn, then the error);
#  - `report`: a well-formed self-contained page (CSP, no external
#    resource), its data matches `calls --json`, and SIP text holding
#    "</script>" cannot break out of the data.
# SIPFLOW_UPDATE_GOLDEN=1 rewrites the golden files (check them by eye).
. "$SRCDIR/tests/lib/common.sh"

GOLDEN=$SRCDIR/tests/golden/cli
unset COLUMNS NO_COLOR

# ladder_rows FILE: "frame src dst" per arrow row of a text/ascii ladder.
ladder_rows() {
  python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
BARS = "|│"
LINE = "-.─╌<>◀▶"
rows, i = [], 0
while i < len(lines):
    if not re.match(r"^frame\s", lines[i]):
        i += 1
        continue
    header = lines[i]
    j = i + 1
    while j < len(lines) and not (lines[j].strip() and set(lines[j].strip()) <= set(BARS + " ")):
        j += 1
    pos = [k for k, ch in enumerate(lines[j]) if ch in BARS]
    names = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", header)
             if m.group() not in ("frame", "time", "delta", "call")]
    lane = [min(names, key=lambda t: abs((t[0] + t[1] - 1) / 2 - p))[2] for p in pos]
    i = j + 1
    while i < len(lines) and not re.match(r"^(frame\s|━━ |== )", lines[i]):
        row = lines[i].ljust(pos[-1] + 2)
        m = re.match(r"^\s*(\d+)\s", row)
        i += 1
        if not m:
            continue
        segs = [s for s in range(len(pos) - 1)
                if any(ch in LINE for ch in row[pos[s] + 1:pos[s + 1]])]
        if not segs:
            print("%s ? ? (no arrow)" % m.group(1))
            continue
        a, b = segs[0], segs[-1] + 1
        crossed_ok = all(row[pos[k]] not in BARS for k in range(a + 1, b))  # "+", or the label
        if row[pos[a] + 1] in "<◀":
            src, dst = lane[b], lane[a]
        elif row[pos[b] - 1] in ">▶":
            src, dst = lane[a], lane[b]
        else:
            src = dst = "?"
        print("%s %s %s%s" % (m.group(1), src, dst, "" if crossed_ok else " (lane not crossed)"))
PY
}

# max_width FILE: the longest line, in characters (UTF-8).
max_width() {
  python3 -c 'import sys; print(max((len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")), default=0))' "$1"
}

# expected_rows NAME [CALL-ID]: "frame src dst" from samples/NAME.expected.
expected_rows() {
  grep -v '^#' "$SAMPLES/$1.expected" | sed '/^$/d' |
    awk -F'\t' -v cid="${2:-}" 'cid == "" || $5 == cid {print $1, $2, $3}'
}

# ------------------------------------------------------------- goldens
for name in call-proxy call-cancelled call-forked call-tcp; do
  need_sample "$name.pcap" || continue
  for fmt in ascii text; do
    if [ "$fmt" = ascii ]; then
      sf ladder --format ascii "$SAMPLES/$name.pcap"
      golden=$GOLDEN/ladder-$name.ascii.txt
    else
      sf ladder --width 100 "$SAMPLES/$name.pcap"
      golden=$GOLDEN/ladder-$name.txt
    fi
    expect_rc "$name $fmt" 0
    if [ -n "${SIPFLOW_UPDATE_GOLDEN:-}" ]; then
      cp "$TMP/out" "$golden"
      echo "updated $golden"
    elif diff -u "$golden" "$TMP/out" >"$TMP/diff"; then
      ok "$name $fmt: same as tests/golden/cli/$(basename "$golden")"
    else
      bad "$name $fmt: differs from tests/golden/cli/$(basename "$golden"):"
      head -40 "$TMP/diff"
    fi
    ladder_rows "$TMP/out" >"$TMP/rows"
    expected_rows "$name" >"$TMP/want"
    if diff -u "$TMP/want" "$TMP/rows" >"$TMP/diff"; then
      ok "$name $fmt: $(wc -l <"$TMP/want") messages, each once, in capture order, between the right lanes"
    else
      bad "$name $fmt: arrows differ from samples/$name.expected (frame src dst):"
      head -30 "$TMP/diff"
    fi
    long=$(max_width "$TMP/out")
    [ "$long" -le 100 ] && ok "$name $fmt: fits 100 columns" || bad "$name $fmt: a line is $long columns"
    grep -q $'\033' "$TMP/out" && bad "$name $fmt: colour codes written to a pipe" || true
  done
done

# ------------------------------------------------------ svg, html, mermaid, json
PROXY=$SAMPLES/call-proxy.pcap
sf messages --json "$PROXY"
cp "$TMP/out" "$TMP/msgs.ndjson"
N=$(wc -l <"$TMP/msgs.ndjson")
[ "$N" -eq 14 ] || bad "call-proxy: $N messages, expected 14"

if command -v xmllint >/dev/null 2>&1; then
  for fmt in svg html; do
    sf ladder --format "$fmt" "$PROXY"
    expect_rc "$fmt" 0
    if xmllint --noout "$TMP/out" 2>"$TMP/xml"; then ok "$fmt: xmllint --noout passes"; else
      bad "$fmt: not well-formed XML"; head -5 "$TMP/xml"; fi
    arrows=$(grep -o '<g class="arrow[ "]' "$TMP/out" | wc -l)
    [ "$arrows" -eq "$N" ] && ok "$fmt: $arrows arrows" || bad "$fmt: $arrows arrows for $N messages"
  done
else
  echo "note: xmllint missing (apt install libxml2-utils): svg/html well-formedness not checked"
fi

sf ladder --format mermaid "$PROXY"
expect_rc "mermaid" 0
python3 - "$TMP/out" "$TMP/msgs.ndjson" >"$TMP/check" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read().split("\n")
msgs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
problems = []
if text[0].strip() != "sequenceDiagram":
    problems.append("first line is %r, not sequenceDiagram" % text[0])
declared, arrows = {}, []
for line in text[1:]:
    s = line.strip()
    m = re.match(r"^participant (\w+) as (.+)$", s)
    if m:
        declared[m.group(1)] = m.group(2)
        continue
    m = re.match(r"^(\w+)(->>|-->>|-\)|--\))(\w+): (.+)$", s)
    if m:
        arrows.append(m.groups())
        continue
    if s and not re.match(r"^(rect .*|end|%%.*|autonumber)$", s):
        problems.append("unexpected line %r" % s)
addr = {k: v.split("<br/>")[0] for k, v in declared.items()}
eps = {m["src"] for m in msgs} | {m["dst"] for m in msgs}
if set(addr.values()) != eps:
    problems.append("participants %s, endpoints %s" % (sorted(addr.values()), sorted(eps)))
if len(arrows) != len(msgs):
    problems.append("%d arrow lines for %d messages" % (len(arrows), len(msgs)))
for (a, kind, b, label), m in zip(arrows, msgs):
    if a not in declared or b not in declared:
        problems.append("arrow %s -> %s uses an undeclared participant" % (a, b))
        continue
    if (addr[a], addr[b]) != (m["src"], m["dst"]):
        problems.append("frame %d: %s -> %s, expected %s -> %s" % (m["frame"], addr[a], addr[b], m["src"], m["dst"]))
    if (kind in ("->>", "-)")) != (m["type"] == "request"):
        problems.append("frame %d: arrow %s for a %s" % (m["frame"], kind, m["type"]))
print("\n".join(problems) if problems else "OK %d participants, %d arrows" % (len(declared), len(arrows)))
PY
grep -q '^OK' "$TMP/check" && ok "mermaid: $(cat "$TMP/check")" || { bad "mermaid grammar:"; head "$TMP/check"; }

sf ladder --format json "$PROXY"
expect_rc "json" 0
python3 - "$TMP/out" "$TMP/msgs.ndjson" >"$TMP/check" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
msgs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = [m["frame"] for a, m in zip(model["arrows"], msgs)
       if a["frame"] != m["frame"] or m["call_id"] not in a["message"]
       or not a["message"].startswith(m["method"] + " " if m["type"] == "request" else "SIP/2.0 %d" % m["status"])]
print("OK" if len(model["arrows"]) == len(msgs) and not bad else "arrows %d, bad frames %s" % (len(model["arrows"]), bad))
PY
grep -q '^OK' "$TMP/check" && ok "json: one arrow per message with its text" || bad "json: $(cat "$TMP/check")"

# ------------------------------------------------------------ --call, -o
DEMO=$SAMPLES/demo.pcap
if need_sample demo.pcap; then
  sf calls --json "$DEMO"
  cp "$TMP/out" "$TMP/calls.ndjson"
  cid4=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    c = json.loads(l)
    if c["call"] == 4: print(c["call_id"])' "$TMP/calls.ndjson")
  sf messages --json "$DEMO"
  frames_of() { python3 -c 'import json,sys
want = {int(x) for x in sys.argv[2:]}
print(" ".join(str(m["frame"]) for m in map(json.loads, open(sys.argv[1])) if m["call"] in want))' "$TMP/out.msgs" "$@"; }
  cp "$TMP/out" "$TMP/out.msgs"
  ladder_frames() { ladder_rows "$1" | awk '{print $1}' | paste -sd' '; }

  sf ladder --call 4 "$DEMO"
  expect_rc "--call 4" 0
  cp "$TMP/out" "$TMP/call4.txt"
  [ "$(ladder_frames "$TMP/call4.txt")" = "$(frames_of 4)" ] && ok "--call 4: exactly the frames of call 4 ($(frames_of 4))" \
    || bad "--call 4: frames $(ladder_frames "$TMP/call4.txt"), expected $(frames_of 4)"
  grep -q '^━━ call 4: busy, 486 Busy Here ━' "$TMP/call4.txt" && ok "--call 4: heading with the outcome" || bad "--call 4: no heading"
  grep -q '^   failed: rejected by ' "$TMP/call4.txt" && ok "--call 4: failure sentence" || bad "--call 4: no failure sentence"
  sf ladder --call "$cid4" "$DEMO"
  cmp -s "$TMP/out" "$TMP/call4.txt" && ok "--call by Call-ID ($cid4) = --call 4" || bad "--call $cid4 differs from --call 4"

  sf ladder --call 4 --call 6 "$DEMO"
  expect_rc "--call 4 --call 6" 0
  [ "$(ladder_frames "$TMP/out")" = "$(frames_of 4 6)" ] && ok "--call 4 --call 6: one diagram with both calls' frames" \
    || bad "--call 4 --call 6: frames $(ladder_frames "$TMP/out"), expected $(frames_of 4 6)"
  [ "$(grep -c '^━━ call [46]:' "$TMP/out")" -eq 2 ] && grep -q '2 calls' "$TMP/out" \
    && ok "--call 4 --call 6: two headings, one diagram" || bad "--call 4 --call 6: headings/diagram"

  sf ladder "$DEMO"
  expect_rc "every call" 0
  [ "$(grep -o '^━━ call [0-9]*' "$TMP/out" | awk '{print $3}' | paste -sd' ')" = "$(seq 1 "$(wc -l <"$TMP/calls.ndjson")" | paste -sd' ')" ] \
    && ok "no --call: every call, one after another, in call order" || bad "no --call: headings $(grep -c '^━━ call' "$TMP/out")"
  [ "$(ladder_frames "$TMP/out" | tr ' ' '\n' | sort -n | paste -sd' ')" = "$(python3 -c 'import json,sys
print(" ".join(sorted((str(json.loads(l)["frame"]) for l in open(sys.argv[1])), key=int)))' "$TMP/out.msgs")" ] \
    && ok "no --call: every message drawn once" || bad "no --call: messages missing or repeated"

  echo "keep me" >"$TMP/existing.txt"
  sf ladder --call 4 --call no-such-call@example.com --call 999 -o "$TMP/existing.txt" "$DEMO"
  expect_rc "unknown call" 1
  expect_err "unknown call" "no-such-call@example.com" "'999'"
  [ "$(cat "$TMP/existing.txt")" = "keep me" ] && ok "unknown call: -o file left alone" || bad "unknown call: -o file overwritten"

  sf ladder --call 4 -o "$TMP/ladder4.txt" "$DEMO"
  expect_rc "-o" 0
  [ ! -s "$TMP/out" ] && cmp -s "$TMP/ladder4.txt" "$TMP/call4.txt" && ok "-o: the file holds what stdout would" \
    || bad "-o: file differs from stdout output (or stdout not empty)"
  sf ladder --format svg -o "$TMP/no/such/dir/x.svg" "$DEMO"
  expect_rc "-o unwritable" 1
  expect_err "-o unwritable" "$TMP/no/such/dir/x.svg"
fi

# ------------------------------------------ no SIP at all, a cut capture
# (the document around the diagrams is the library's sipflow_ladder_doc)
if need_sample http-sip-port.pcap; then
  NOSIP=$SAMPLES/http-sip-port.pcap
  sf ladder "$NOSIP"
  expect_rc "no SIP" 0
  [ "$(cat "$TMP/out")" = "no SIP messages" ] && ok "no SIP: says so, and nothing else" \
    || bad "no SIP: stdout '$(head -c 200 "$TMP/out")'"
  rm -f "$TMP/nosip.txt"
  sf ladder -o "$TMP/nosip.txt" "$NOSIP"
  expect_rc "no SIP, -o" 0
  [ -f "$TMP/nosip.txt" ] && [ ! -s "$TMP/nosip.txt" ] && [ ! -s "$TMP/out" ] \
    && ok "no SIP, -o: an empty file, no note in it" || bad "no SIP, -o: file missing or not empty"
  sf ladder --format svg "$NOSIP"
  expect_rc "no SIP, svg" 0
  grep -q '<svg' "$TMP/out" && ok "no SIP, svg: an (empty) diagram" || bad "no SIP, svg: no document"
fi
if need_sample truncated.pcap; then
  sf ladder "$SAMPLES/truncated.pcap"
  expect_rc "truncated capture" 1
  expect_err "truncated capture" "truncated"
  grep -q '^━━ call 1: ' "$TMP/out" && ! grep -q 'no SIP messages' "$TMP/out" \
    && ok "truncated capture: the calls read before the cut are drawn" \
    || bad "truncated capture: stdout '$(head -c 200 "$TMP/out")'"
fi

sf ladder --format pdf "$PROXY"
expect_rc "--format pdf" 2
expect_err "--format pdf" "pdf"
sf ladder --width -3 "$PROXY"
expect_rc "--width -3" 2

COLUMNS=80 sf ladder "$PROXY"
long=$(max_width "$TMP/out")
[ "$long" -le 80 ] && ok "COLUMNS=80: fits 80 columns" || bad "COLUMNS=80: a line is $long columns"
if command -v script >/dev/null 2>&1; then
  script -qec "$SIPFLOW ladder --width 100 $PROXY" /dev/null >"$TMP/tty" 2>&1 </dev/null
  grep -q $'\033\[' "$TMP/tty" && ok "colour on a terminal" || bad "no colour on a terminal"
  NO_COLOR=1 script -qec "$SIPFLOW ladder --width 100 $PROXY" /dev/null >"$TMP/tty" 2>&1 </dev/null
  grep -q $'\033\[' "$TMP/tty" && bad "NO_COLOR: colour on a terminal" || ok "NO_COLOR: no colour"
fi

# --------------------------------------------------------------- report
if need_sample demo.pcap; then
  sf report -o "$TMP/no/such/dir/r.html" "$DEMO"
  expect_rc "report -o unwritable" 1
  expect_err "report -o unwritable" "cannot write '$TMP/no/such/dir/r.html'"
  [ ! -s "$TMP/out" ] && ok "report -o unwritable: nothing on stdout" || bad "report -o unwritable: stdout not empty"
  sf report -o "$TMP/report.html" "$DEMO"
  expect_rc "report" 0
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$TMP/report.html" 2>"$TMP/xml" && ok "report: xmllint --noout passes" \
      || { bad "report: not well-formed"; head -5 "$TMP/xml"; }
  fi
  python3 - "$TMP/report.html" "$TMP/calls.ndjson" >"$TMP/check" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
calls = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
problems = []
if "Content-Security-Policy" not in page or "default-src 'none'" not in page:
    problems.append("no CSP meta")
for attr in re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', page):
    problems.append("external resource %r" % attr)
data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))
texts = json.loads(re.search(r'<script type="application/json" id="report-texts">(.*?)</script>', page, re.S).group(1))
if [c["call"] for c in data["calls"]] != [c["call"] for c in calls]:
    problems.append("calls %s" % [c["call"] for c in data["calls"]])
for c, want in zip(data["calls"], calls):
    for k in ("call_id", "state", "failure", "messages", "setup_ms"):
        if c.get(k) != want[k]:
            problems.append("call %d: %s %r != %r" % (c["call"], k, c.get(k), want[k]))
    if c["a"][1] != want["messages"]:
        problems.append("call %d: %d arrows" % (c["call"], c["a"][1]))
if len(texts) != len(data["arrows"]) or data["stats"]["calls"] != len(calls):
    problems.append("texts %d arrows %d stats.calls %s" % (len(texts), len(data["arrows"]), data["stats"]["calls"]))
print("\n".join(problems) if problems else "OK")
PY
  grep -q '^OK' "$TMP/check" && ok "report: self-contained, its data matches calls --json" || { bad "report:"; head "$TMP/check"; }
  sf report "$DEMO"
  expect_rc "report to stdout (not a terminal)" 0
  grep -q '</html>' "$TMP/out" && ok "report: to stdout" || bad "report: nothing on stdout"
fi

# Hostile SIP text: "</script>" and "]]>" in headers and the Call-ID.
python3 - "$TMP/evil.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
cid = "</script><script>alert(1)</script>]]>@evil"
inv = ("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKe1\r\n"
       "From: <sip:x@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\nCall-ID: %s\r\n"
       "CSeq: 1 INVITE\r\nUser-Agent: <!-- </script> & \x1b[31m\r\nContent-Length: 0\r\n\r\n" % cid)
rsp = ("SIP/2.0 486 </script><b>Busy</b>\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKe1\r\n"
       "From: <sip:x@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\nCall-ID: %s\r\n"
       "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % cid)
t0 = 1768471200 * 1000000
write_pcap(sys.argv[1], [(t0, udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, inv)),
                         (t0 + 100000, udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060, rsp))])
PY
for kind in report ladder; do
  page=$TMP/evil-$kind.html
  if [ "$kind" = report ]; then sf report -o "$page" "$TMP/evil.pcap"; else
    sf ladder --format html -o "$page" "$TMP/evil.pcap"; fi
  expect_rc "hostile capture: $kind" 0
  scripts=$(grep -o '<script' "$page" | wc -l)
  closes=$(grep -o '</script>' "$page" | wc -l)
  [ "$scripts" -eq "$closes" ] && ! grep -q '<b>Busy' "$page" && ! grep -q $'\033' "$page" \
    && ok "hostile capture, $kind: no markup or escape from the capture gets through ($scripts script elements)" \
    || bad "hostile capture, $kind: markup from the capture in the page"
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$page" 2>/dev/null && ok "hostile capture, $kind: still well-formed" \
      || bad "hostile capture, $kind: not well-formed"
  fi
done
# ... and the text is still there, as text, for the reader.
python3 - "$TMP/evil-report.html" "$TMP/evil-ladder.html" <<'PY' && ok "hostile capture: the Call-ID survives as text in both pages" \
  || bad "hostile capture: the Call-ID did not survive as text in the data"
import json, re, sys
want = "Call-ID: </script><script>alert(1)</script>]]>@evil"
report = open(sys.argv[1], encoding="utf-8").read()
texts = json.loads(re.search(r'id="report-texts">(.*?)</script>', report, re.S).group(1))
ladder = open(sys.argv[2], encoding="utf-8").read()
data = json.loads(re.search(r'id="ladder-data">(.*?)</script>', ladder, re.S).group(1))
assert want in texts[0] and want in data["messages"][0]["text"]
PY

finish
