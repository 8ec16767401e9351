# shellcheck shell=bash
# Shared by tests/cli/plugin_*.sh: makes tshark load the plugin just built.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Source after tests/lib/common.sh, then call plugin_setup.  It sets
#   PLUGIN  the sipflow.so under test ($SIPFLOW_PLUGIN, else the one next to
#           the CLI in the build dir: $(dirname $SIPFLOW)/../wireshark-plugin)
#   TS      the command (array) that runs tshark with the plugin loaded
# and skips (exit 77) when tshark or the plugin is missing.
#
# How tshark is made to load it (../shared/docs/wireshark-plugin.md §3):
# the plugin is copied into a private HOME's personal plugin directory
# (~/.local/lib/wireshark/plugins/4.0/epan).  tshark ignores that directory
# (and WIRESHARK_PLUGIN_DIR) when it runs as root or with group 0, so then
# it runs as the unprivileged uid/gid 65534 ("nobody") with that HOME;
# captures are copied where that user can read them (ts_input).  An
# installed sipflow.so in the system directory would win over the copy:
# when it is not the build under test the tests fail and say so.

plugin_setup() {
  command -v tshark >/dev/null || skip "tshark is not installed (apt-get install tshark)"
  PLUGIN=${SIPFLOW_PLUGIN:-$(dirname "$SIPFLOW")/../wireshark-plugin/sipflow.so}
  [ -f "$PLUGIN" ] || skip "the plugin is not built ($PLUGIN); it needs libwireshark-dev (meson option wireshark)"
  local ver sysdir epan
  ver=$(tshark -v 2>/dev/null | head -1 | sed -n 's/.* \([0-9][0-9]*\.[0-9][0-9]*\)\.[0-9].*/\1/p')
  [ -n "$ver" ] || skip "cannot read tshark's version"
  sysdir=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins:/ {print $2}')
  if [ -n "$sysdir" ] && [ -e "$sysdir/epan/sipflow.so" ]; then
    if cmp -s "$sysdir/epan/sipflow.so" "$PLUGIN"; then
      TS=(env -u COLUMNS tshark) # installed: this very build
      TS_HOME=$TMP
      mkdir -p "$TS_HOME/in"
      return 0
    fi
    bad "$sysdir/epan/sipflow.so is installed and is not the build under test: it would hide $PLUGIN"
    finish
  fi
  TS_HOME=$TMP/home
  epan=$TS_HOME/.local/lib/wireshark/plugins/$ver/epan
  mkdir -p "$epan" "$TS_HOME/in" || return 1
  cp "$PLUGIN" "$epan/sipflow.so"
  if [ "$(id -u)" -eq 0 ] || [ "$(id -g)" -eq 0 ]; then
    command -v setpriv >/dev/null || skip "running as root without setpriv (util-linux) to drop privileges"
    chmod 755 "$TMP"
    chown -R 65534:65534 "$TS_HOME"
    TS=(setpriv --reuid=65534 --regid=65534 --clear-groups
        env -u COLUMNS HOME="$TS_HOME" TMPDIR="$TS_HOME" tshark)
  else
    TS=(env -u COLUMNS HOME="$TS_HOME" TMPDIR="$TS_HOME" tshark)
  fi
}

# ts_input FILE: a path of FILE that the tshark of TS can read (tshark -2
# cannot read stdin: it needs random access).
ts_input() {
  local dst
  dst=$TS_HOME/in/$(basename "$1")
  cp "$1" "$dst" && chmod 644 "$dst" && echo "$dst"
}

# tsk ARGS...: runs tshark (TS) with the conformance tests' TCP option;
# stdout in $TMP/ts.out, stderr in $TMP/ts.err, status in RC.
tsk() {
  "${TS[@]}" -o tcp.reassemble_out_of_order:TRUE "$@" >"$TMP/ts.out" 2>"$TMP/ts.err" </dev/null
  RC=$?
}

# ts_body: the output of one -z statistic without tshark's banner lines
# (the three first lines and the last one).
ts_body() {
  sed '1,3d;$d' "$TMP/ts.out"
}

# ts_split: splits the output of several -z statistics in one run (tshark
# prints them in its own order) into $TMP/z/NAME, NAME being the title up to
# its first double space ("sipflow,stats", "SIP Flow: calls") with every
# other character than a letter, digit, ',' or '-' as '_'.
ts_split() {
  rm -rf "$TMP/z"
  mkdir -p "$TMP/z"
  awk -v B="===================================================================" -v dir="$TMP/z" '
    state == 0 && $0 == B { state = 1; next }
    state == 1 { t = $0; sub(/  .*/, "", t); gsub(/[^A-Za-z0-9,-]/, "_", t)
                 file = dir "/" t; printf "" > file; state = 2; next }
    state == 2 && $0 == B { state = 3; next }
    state == 3 && $0 == B { close(file); state = 0; next }
    state == 3 { print > file }
  ' "$TMP/ts.out"
}
