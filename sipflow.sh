#!/bin/sh
# Builds sipflow when needed (installing missing build packages with apt-get)
# and runs it:  ./sipflow.sh messages samples/demo.pcap
# SPDX-License-Identifier: GPL-2.0-or-later
ROOT=$(cd "$(dirname "$0")" && pwd) || exit 1
. "$ROOT/tests/lib/deps.sh"

sipflow_deps_install "$SIPFLOW_DEPS_BUILD" || exit 1

BUILD="$ROOT/build"
LOG="$BUILD/sipflow-sh.log"
if [ ! -f "$BUILD/build.ninja" ]; then
  mkdir -p "$BUILD"
  if ! meson setup "$BUILD" "$ROOT" >"$LOG.setup" 2>&1; then
    cat "$LOG.setup" >&2
    echo "sipflow.sh: meson setup failed" >&2
    exit 1
  fi
fi
# Only the command is needed here (./tests/run builds the rest).
if ! ninja -C "$BUILD" cli/sipflow >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "sipflow.sh: build failed" >&2
  exit 1
fi
exec "$BUILD/cli/sipflow" "$@"
