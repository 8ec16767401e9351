#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Exit statuses and messages of the CLI on bad input (DESIGN.md "Command line
# contract": 0 success, 1 runtime error naming the file and the problem,
# 2 usage error).
. "$SRCDIR/tests/lib/common.sh"

# ---------------------------------------------------------- runtime errors
missing="$TMP/no-such-capture.pcap"
sf messages "$missing"
expect_rc "missing file" 1
expect_err "missing file" "sipflow: " "$missing" "No such file"
[ -s "$TMP/out" ] && bad "missing file: something on stdout: $(head -3 "$TMP/out")"

if need_sample not-a-capture.txt; then
  sf messages "$SAMPLES/not-a-capture.txt"
  expect_rc "text file" 1
  expect_err "text file" "not-a-capture.txt" "not a pcap or pcapng file"
fi

if need_sample empty.pcap; then
  [ -s "$SAMPLES/empty.pcap" ] && bad "samples/empty.pcap is not empty"
  sf messages "$SAMPLES/empty.pcap"
  expect_rc "empty file" 1
  expect_err "empty file" "empty.pcap" "empty"
fi

# A capture cut in the middle of a packet: what came before is printed, then
# exit 1 with the file named.
if need_sample truncated.pcap; then
  sf messages --json "$SAMPLES/truncated.pcap"
  expect_rc "truncated file" 1
  expect_err "truncated file" "truncated.pcap" "truncated"
  n=$(wc -l <"$TMP/out")
  if [ -f "$SAMPLES/truncated.expected" ]; then
    want=$(grep -vc '^#' "$SAMPLES/truncated.expected")
    [ "$n" -eq "$want" ] && ok "truncated file: $n messages before the cut" \
      || bad "truncated file: $n messages printed, expected $want"
  fi
  [ "$n" -gt 0 ] || bad "truncated file: no message printed before the cut"
  # The table gives the same rows, the error stays the last line on stderr.
  sf messages "$SAMPLES/truncated.pcap"
  expect_rc "truncated file (table)" 1
  tail -1 "$TMP/err" | grep -q "^sipflow: .*truncated.pcap" \
    || bad "truncated file (table): last stderr line is not the error: $(tail -1 "$TMP/err")"
fi

# A packet cut by the snapshot length: a diagnostic, not an error, and every
# message that was captured whole is printed.
if need_sample snaplen.pcap; then
  sf messages --json "$SAMPLES/snaplen.pcap"
  expect_rc "snaplen-cut packet" 0
  expect_err "snaplen-cut packet" "sipflow: warning: "
  if [ -f "$SAMPLES/snaplen.expected" ]; then
    grep -v '^#' "$SAMPLES/snaplen.expected" | sed '/^$/d' >"$TMP/want"
    $SIPMSGS manifest <"$TMP/out" >"$TMP/got"
    diff -u "$TMP/want" "$TMP/got" >/dev/null && ok "snaplen-cut packet: messages as in the manifest" \
      || { bad "snaplen-cut packet: messages differ:"; diff -u "$TMP/want" "$TMP/got" | head -20; }
  fi
  [ -s "$TMP/out" ] || bad "snaplen-cut packet: no message printed"
  sf messages --json -q "$SAMPLES/snaplen.pcap"
  expect_rc "snaplen-cut packet --quiet" 0
  [ -s "$TMP/err" ] && bad "--quiet: stderr not empty: $(head -3 "$TMP/err")" || ok "--quiet: stderr empty"
fi

if need_sample demo.pcap; then
  sf messages --filter 'udp port nonsense' "$SAMPLES/demo.pcap"
  expect_rc "bad BPF filter" 1
  expect_err "bad BPF filter" "filter" "nonsense"
  # Several files: one missing stops everything before any output.
  sf messages --json "$SAMPLES/demo.pcap" "$missing"
  expect_rc "second file missing" 1
  expect_err "second file missing" "$missing"
  [ -s "$TMP/out" ] && bad "second file missing: partial output on stdout"
fi

# ------------------------------------------------------------ usage errors
sf
expect_rc "no arguments" 2
expect_err "no arguments" "Usage" "messages" "calls"

sf frobnicate x.pcap
expect_rc "unknown command" 2
expect_err "unknown command" "unknown command 'frobnicate'" "messages"

sf messages --no-such-option x.pcap
expect_rc "unknown option" 2
expect_err "unknown option" "--no-such-option"

sf messages
expect_rc "no FILE" 2
expect_err "no FILE" "no capture file"

sf messages --json
expect_rc "no FILE (with an option)" 2

sf calls x.pcap
if [ "$RC" -eq 2 ] && grep -qF "sipflow: 'calls' is not implemented yet" "$TMP/err"; then
  ok "calls: not implemented yet, exit 2"
elif [ "$RC" -ne 2 ] && ! grep -q "not implemented" "$TMP/err"; then
  ok "calls: implemented (exit $RC)"
else
  bad "calls: exit $RC, stderr $(head -2 "$TMP/err")"
fi

sf --version
expect_rc "--version" 0
grep -qE '^sipflow [0-9]+\.[0-9]+' "$TMP/out" && ok "--version prints the version" \
  || bad "--version printed: $(cat "$TMP/out")"

sf messages --help
expect_rc "messages --help" 0
grep -qF -- "--filter" "$TMP/out" && ok "--help lists --filter" || bad "--help lacks --filter"

finish
