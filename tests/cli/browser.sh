#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The HTML ladder and the HTML report in a real browser: headless Chromium
# (/usr/bin/chromium) driven by playwright-core (tests/browser/, installed
# with `npm ci` from the committed package-lock.json the first time).
# tests/browser/browser_test.js does the checks; this script makes its
# inputs: the ladder of samples/call-proxy.pcap, the report of
# samples/demo.pcap, and the report of a generated capture of ~60 000
# messages (~10 000 calls, bench/gen).  Skips (77) when npm, node or
# Chromium is missing or npm ci cannot install (offline).
# SIPFLOW_SCREENSHOTS=DIR also writes ladder.png, report.png, report-call.png.
. "$SRCDIR/tests/lib/common.sh"

BROWSER_DIR=$SRCDIR/tests/browser
command -v node >/dev/null 2>&1 || skip "node is missing (apt install nodejs)"
[ -x /usr/bin/chromium ] || skip "/usr/bin/chromium is missing (apt install chromium)"
if [ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]; then
  command -v npm >/dev/null 2>&1 || skip "npm is missing (apt install npm)"
  echo "installing playwright-core into tests/browser/node_modules (npm ci)"
  if ! (cd "$BROWSER_DIR" && timeout 180 npm ci --no-audit --no-fund --fetch-retries=1 \
        --fetch-timeout=30000 >"$TMP/npm.log" 2>&1); then
    tail -5 "$TMP/npm.log"
    skip "npm ci failed in tests/browser (offline?): cannot get playwright-core"
  fi
fi

need_sample call-proxy.pcap && need_sample demo.pcap || finish

# The inputs.
run() { # OUT ARGS...: sipflow ARGS > OUT, failing the test when it fails
  local out=$1
  shift
  if ! "$SIPFLOW" "$@" >"$out" 2>"$TMP/err"; then
    bad "sipflow $*: exit status $?: $(head -3 "$TMP/err")"
    finish
  fi
}
run "$TMP/ladder.html" ladder --format html "$SAMPLES/call-proxy.pcap"
run "$TMP/ladder.ndjson" messages --json "$SAMPLES/call-proxy.pcap"
run "$TMP/ladder.json" ladder --format json "$SAMPLES/call-proxy.pcap"
run "$TMP/report.html" report "$SAMPLES/demo.pcap"
run "$TMP/report.ndjson" calls --json "$SAMPLES/demo.pcap"

# ~60 000 messages: bench/gen, compiled here (it needs only libpcap).
if ! cc -O2 "$SRCDIR/bench/gen.c" "$SRCDIR/bench/gen_sip.c" -o "$TMP/gen" -lpcap 2>"$TMP/err"; then
  bad "cannot compile bench/gen: $(head -3 "$TMP/err")"
  finish
fi
"$TMP/gen" --messages 60000 --rtp-ratio 0 --seed 1 -o "$TMP/big.pcap" >"$TMP/gen.info" || {
  bad "bench/gen failed"
  finish
}
run "$TMP/big.out" report -o "$TMP/big.html" "$TMP/big.pcap"
run "$TMP/big.ndjson" calls --json "$TMP/big.pcap"
echo "generated: $(grep -E '^messages=' "$TMP/gen.info"), $(wc -l <"$TMP/big.ndjson") calls," \
  "report $(($(stat -c %s "$TMP/big.html") / 1000000)) MB"

export LADDER_HTML=$TMP/ladder.html LADDER_MESSAGES=$TMP/ladder.ndjson LADDER_MODEL=$TMP/ladder.json
export REPORT_HTML=$TMP/report.html REPORT_CALLS=$TMP/report.ndjson
export BIG_HTML=$TMP/big.html BIG_CALLS=$TMP/big.ndjson
[ -n "${SIPFLOW_SCREENSHOTS:-}" ] && export SCREENSHOTS=$SIPFLOW_SCREENSHOTS
export NODE_PATH=$BROWSER_DIR/node_modules
if timeout 150 node "$BROWSER_DIR/browser_test.js"; then
  ok "browser checks"
else
  bad "browser checks (see above)"
fi
finish
