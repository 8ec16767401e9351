#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the Wireshark plugin prints, against the CLI on the same capture:
#  - `-z sipflow,ladder` and `-z sipflow,ladder,ID` equal `sipflow ladder`
#    and `sipflow ladder --call ID` byte for byte (after tshark's banner);
#  - `-z sipflow,stats` equals `sipflow stats` byte for byte;
#  - `-z sipflow,calls[,FILTER]` equals `sipflow calls` (with the matching
#    --state / --call filter) byte for byte: both print the library's table
#    (sipflow_render_calls_table), fitted to $COLUMNS or 120 columns;
#  - the Telephony > SIP Flow menu actions, run through `-z sipflow,menu,...`
#    (the same functions the menu entries call): Calls, Failed calls (the
#    table of `sipflow failed`, byte for byte), Ladder of the selected call
#    (the text ladder of `ladder --call N` and an HTML ladder file);
#  - bad -z arguments end tshark with status 1 and a clear message.
. "$SRCDIR/tests/lib/common.sh"
. "$SRCDIR/tests/plugin/lib.sh"
plugin_setup
unset COLUMNS # the CLI's ladder width then is the renderer's default, as the plugin's

# same_as_cli WHAT BODY CLI-ARGS...: the file BODY (one -z output without
# its banner) equals the CLI's stdout for CLI-ARGS.
same_as_cli() {
  local what=$1 body=$2
  shift 2
  "$SIPFLOW" "$@" >"$TMP/cli.txt" 2>/dev/null
  if [ -f "$body" ] && cmp -s "$body" "$TMP/cli.txt"; then
    ok "$what: same as 'sipflow $*' ($(wc -l <"$TMP/cli.txt") lines)"
  else
    bad "$what (tshark exit $RC) differs from 'sipflow $*':"
    diff "$body" "$TMP/cli.txt" 2>&1 | head -10 | sed 's/^/    /'
    head -3 "$TMP/ts.err" | sed 's/^/    stderr: /'
  fi
}

files=()
for s in call-forked call-b2bua call-proxy call-tcp call-busy register-options call-retrans; do
  need_sample "$s.pcap" && files+=("$SAMPLES/$s.pcap")
done
if [ -n "${CORPUS:-}" ] && [ -f "$CORPUS/sngrep-aaa.pcap" ]; then
  files+=("$CORPUS/sngrep-aaa.pcap" "$CORPUS/zeek-wireshark.pcap")
else
  echo "note: no corpus at '${CORPUS:-}', samples only"
fi

# One tshark run per capture for all the statistics and menu actions.
for f in "${files[@]}"; do
  name=$(basename "$f")
  in=$(ts_input "$f")
  tsk -q -r "$in" -z sipflow,ladder -z sipflow,stats -z sipflow,calls \
    -z sipflow,menu,calls -z sipflow,menu,failed
  ts_split
  same_as_cli "$name: -z sipflow,ladder" "$TMP/z/sipflow,ladder" ladder -q "$f"
  same_as_cli "$name: -z sipflow,stats" "$TMP/z/sipflow,stats" stats -q "$f"
  same_as_cli "$name: -z sipflow,calls" "$TMP/z/sipflow,calls" calls -q "$f"
  # the menu entry "Calls" calls the same function
  if cmp -s "$TMP/z/SIP_Flow__calls" "$TMP/z/sipflow,calls"; then
    ok "$name: menu Calls shows the -z sipflow,calls table"
  else
    bad "$name: menu Calls differs from -z sipflow,calls"
  fi
  same_as_cli "$name: menu Failed calls" "$TMP/z/SIP_Flow__failed_calls" failed -q "$f"
done

# --------------------------------------------------- one chosen call
# a Call-ID and a call number, as `ladder --call` takes them
if [ -n "${CORPUS:-}" ] && [ -f "$CORPUS/sngrep-aaa.pcap" ]; then
  in=$(ts_input "$CORPUS/sngrep-aaa.pcap")
  tsk -q -r "$in" -z sipflow,ladder,105090259-446faf7a@192.168.1.2
  ts_body >"$TMP/body"
  same_as_cli "sngrep-aaa: -z sipflow,ladder,CALL-ID" "$TMP/body" ladder -q --call 105090259-446faf7a@192.168.1.2 "$CORPUS/sngrep-aaa.pcap"
  tsk -2 -q -r "$in" -z 'sipflow,calls,sipflow.state == "rejected"'
  ts_body >"$TMP/table.txt"
  same_as_cli "sngrep-aaa: -2 -z 'sipflow,calls,sipflow.state == \"rejected\"'" "$TMP/table.txt" calls -q --state rejected "$CORPUS/sngrep-aaa.pcap"
  # a narrower $COLUMNS fits both tables the same way (Call-IDs cut in the middle)
  COLUMNS=90 tsk -q -r "$in" -z sipflow,calls
  ts_body >"$TMP/table.txt"
  COLUMNS=90 same_as_cli "sngrep-aaa: COLUMNS=90 -z sipflow,calls" "$TMP/table.txt" calls -q "$CORPUS/sngrep-aaa.pcap"
fi
if need_sample call-b2bua.pcap; then
  in=$(ts_input "$SAMPLES/call-b2bua.pcap")
  tsk -q -r "$in" -z sipflow,ladder,2
  ts_body >"$TMP/body"
  same_as_cli "call-b2bua: -z sipflow,ladder,2" "$TMP/body" ladder -q --call 2 "$SAMPLES/call-b2bua.pcap"
  tsk -q -r "$in" -z 'sipflow,calls,sipflow.call == 2'
  ts_body >"$TMP/table.txt"
  same_as_cli "call-b2bua: -z 'sipflow,calls,sipflow.call == 2'" "$TMP/table.txt" calls -q --call 2 "$SAMPLES/call-b2bua.pcap"
  # menu "Ladder of the selected call", the selected packet being frame 2
  frame=$("$SIPFLOW" messages --json -q "$SAMPLES/call-b2bua.pcap" | grep '"call":2,' | head -1 | sed 's/^{"frame":\([0-9]*\),.*/\1/')
  tsk -q -r "$in" -z "sipflow,menu,ladder,$frame"
  ts_body >"$TMP/menu.txt"
  html=$(sed -n 's/^HTML ladder: //p' "$TMP/menu.txt")
  "$SIPFLOW" ladder -q --call 2 "$SAMPLES/call-b2bua.pcap" >"$TMP/cli.txt"
  printf '\nHTML ladder: %s\n' "$html" >>"$TMP/cli.txt"
  if [ -n "$html" ] && cmp -s "$TMP/menu.txt" "$TMP/cli.txt"; then
    ok "call-b2bua: menu Ladder of the selected call (frame $frame) = 'ladder --call 2' + the HTML file"
  else
    bad "call-b2bua: menu ladder of frame $frame differs from 'ladder --call 2':"
    diff "$TMP/menu.txt" "$TMP/cli.txt" | head -10 | sed 's/^/    /'
  fi
  n_arrows=$(grep -o 'class="arrow" data-index=' "$html" 2>/dev/null | wc -l)
  n_msgs=$("$SIPFLOW" messages --json -q "$SAMPLES/call-b2bua.pcap" | grep -c '"call":2,')
  if [ -f "$html" ] && [ "$n_arrows" -eq "$n_msgs" ]; then
    ok "call-b2bua: the HTML ladder has one arrow per message of call 2 ($n_msgs)"
  else
    bad "call-b2bua: HTML ladder '$html': $n_arrows arrows, $n_msgs messages"
  fi
  tsk -q -r "$in" -z sipflow,menu,ladder,1000
  if grep -q 'frame 1000 carries no SIP message' "$TMP/ts.out"; then
    ok "menu ladder on a frame without SIP says so"
  else
    bad "menu ladder on frame 1000: $(head -5 "$TMP/ts.out")"
  fi
fi

# ------------------------------------------------------- bad arguments
need_sample call-busy.pcap && in=$(ts_input "$SAMPLES/call-busy.pcap")
for z in "sipflow,callsx|unknown sipflow statistic" "sipflow,calls,foo ==|invalid" \
         "sipflow,calls,|empty display filter" "sipflow,stats,x|takes no argument" \
         "sipflow,menu,ladder,abc|FRAME must be a frame number" \
         "sipflow,menu,nothing|menu entries are calls, failed and ladder,FRAME"; do
  arg=${z%%|*}
  want=${z#*|}
  tsk -q -r "$in" -z "$arg"
  if [ "$RC" -eq 1 ] && grep -qiF -- "$want" "$TMP/ts.err"; then
    ok "-z '$arg': exit 1, '$want'"
  else
    bad "-z '$arg': exit $RC, stderr: $(head -2 "$TMP/ts.err")"
  fi
done
tsk -q -r "$in" -z sipflow,ladder,nope
if grep -qF "no call 'nope' in the capture" "$TMP/ts.err"; then
  ok "-z sipflow,ladder,nope: says there is no such call"
else
  bad "-z sipflow,ladder,nope: stderr: $(head -2 "$TMP/ts.err")"
fi
finish
