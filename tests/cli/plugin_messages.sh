#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Wireshark plugin against the CLI, message by message, on every capture
# of samples/ and of the conformance corpus ($CORPUS; skipped when absent):
#  - the SIP messages carrying sipflow.call (tshark -2, PDML) are the ones
#    `sipflow messages --json` lists (matched by frame, Call-ID and rank in
#    the frame), except where Wireshark's dissector finds fewer messages
#    than sipflow (KNOWN below; the plugin can only see what it finds);
#  - sipflow.transaction, sipflow.dialog and sipflow.call induce the same
#    grouping as the CLI's transaction, dialog and call ids;
#  - the messages marked sipflow.failed are exactly those of the calls
#    `sipflow failed --json` lists.
. "$SRCDIR/tests/lib/common.sh"
. "$SRCDIR/tests/plugin/lib.sh"
plugin_setup
PDML="python3 $SRCDIR/tests/plugin/pdml.py"

# Messages sipflow finds and Wireshark 4.0's SIP dissector does not, so the
# plugin never gets them: file, frame, Call-ID.  The reasons are in
# tests/conformance/tshark_messages.sh (CRLF keep-alive before an OPTIONS,
# junk before a start line, no resynchronisation after a TCP gap).
KNOWN=$(cat <<'TSV'
tcp-keepalive.pcap	8	e9377d4e7b586ad8@10.0.0.1
tcp-junk.pcap	4	ece62cc033e23de5@10.0.0.1
tcp-gap.pcap	9	d50b34c2e256775e@10.0.0.1
tcp-gap.pcap	10	d50b34c2e256775e@10.0.0.1
TSV
)

shopt -s nullglob
files=("$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng)
if [ -n "${CORPUS:-}" ] && [ -d "$CORPUS" ]; then
  files+=("$CORPUS"/*.pcap "$CORPUS"/*.pcapng)
else
  echo "note: no corpus at '${CORPUS:-}', samples only"
fi
checked=0
for f in "${files[@]}"; do
  name=$(basename "$f")
  "$SIPFLOW" messages --json -q "$f" >"$TMP/cli.json" 2>/dev/null
  [ -s "$TMP/cli.json" ] || : >"$TMP/cli.json"
  "$SIPFLOW" failed --json -q "$f" >"$TMP/failed.json" 2>/dev/null
  in=$(ts_input "$f")
  tsk -2 -r "$in" -Y sip -T pdml -j sipflow
  if ! $PDML messages <"$TMP/ts.out" >"$TMP/plugin.tsv" 2>"$TMP/pdml.err"; then
    # an empty or cut capture: tshark may print no PDML at all
    if [ -s "$TMP/cli.json" ]; then
      bad "$name: no PDML from tshark (exit $RC): $(head -2 "$TMP/ts.err" "$TMP/pdml.err" | tr '\n' ' ')"
      continue
    fi
    : >"$TMP/plugin.tsv"
  fi
  $PDML compare "$TMP/plugin.tsv" "$TMP/cli.json" >"$TMP/cmp"
  grouping=$?
  grep '^only-' "$TMP/cmp" | sed 's/^only-cli\t//' | sort >"$TMP/diff"
  printf '%s\n' "$KNOWN" | awk -F'\t' -v n="$name" '$1 == n {print $2 "\t" $3}' | sort >"$TMP/known"
  n_plugin=$(wc -l <"$TMP/plugin.tsv")
  n_cli=$(wc -l <"$TMP/cli.json")
  if cmp -s "$TMP/diff" "$TMP/known"; then
    ok "$name: $n_plugin messages with sipflow.call, CLI $n_cli$([ -s "$TMP/known" ] && echo " ($(wc -l <"$TMP/known") not dissected by Wireshark, as known)")"
  else
    bad "$name: plugin $n_plugin messages, CLI $n_cli; unexpected differences (only-cli / only-plugin):"
    grep '^only-' "$TMP/cmp" | head -10 | sed 's/^/    /'
  fi
  if [ "$grouping" -eq 0 ]; then
    ok "$name: same transactions, dialogs and calls"
  else
    bad "$name: the grouping differs:"
    grep '^grouping' "$TMP/cmp" | sed 's/^/    /'
  fi
  if $PDML failed "$TMP/plugin.tsv" "$TMP/cli.json" "$TMP/failed.json" >"$TMP/fcmp"; then
    ok "$name: sipflow.failed on the $(awk -F'\t' '$8 == 1' "$TMP/plugin.tsv" | wc -l) messages of the $(wc -l <"$TMP/failed.json") failed call(s)"
  else
    bad "$name: sipflow.failed differs from 'sipflow failed':"
    head -10 "$TMP/fcmp" | sed 's/^/    /'
  fi
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || bad "no capture checked"
finish
