#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `sipflow messages --json` on every samples/NAME.pcap(ng) against the
# manifest samples/NAME.expected that the samples generator wrote from its
# own knowledge of what it put in the capture (tab-separated: frame src dst
# transport call_id cseq cseq_method method_or_status).  merge-ab.expected
# is merge-a + merge-b read together (merged by time, frames renumbered).
# truncated.expected lists the messages before the cut: they must be printed
# even though the run ends with exit 1.
. "$SRCDIR/tests/lib/common.sh"

shopt -s nullglob
manifests=("$SAMPLES"/*.expected)
[ ${#manifests[@]} -gt 0 ] || { bad "no samples/*.expected manifest: run the samples generator"; finish; }

for manifest in "${manifests[@]}"; do
  name=$(basename "$manifest" .expected)
  inputs=()
  if [ "$name" = merge-ab ]; then
    for part in merge-a merge-b; do
      f=$(sample_capture "$part") && inputs+=("$f") || bad "$name: samples/$part.pcap(ng) missing"
    done
    [ ${#inputs[@]} -eq 2 ] || continue
  else
    f=$(sample_capture "$name") || { bad "$name: no capture for $name.expected"; continue; }
    inputs=("$f")
  fi
  want_rc=0
  case $name in truncated*) want_rc=1 ;; esac

  sf messages --json "${inputs[@]}"
  expect_rc "$name" "$want_rc"
  grep -v '^#' "$manifest" | sed '/^$/d' >"$TMP/want"
  if ! $SIPMSGS manifest <"$TMP/out" >"$TMP/got"; then
    bad "$name: output is not NDJSON"
    head -5 "$TMP/out"
    continue
  fi
  if diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then
    ok "$name: $(wc -l <"$TMP/got") messages as in the manifest"
  else
    bad "$name: messages differ from $name.expected (- expected, + sipflow):"
    head -60 "$TMP/diff"
  fi
done
finish
