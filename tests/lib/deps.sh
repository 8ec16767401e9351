# shellcheck shell=sh disable=SC2034
# The packages sipflow needs, in ONE place; sourced (POSIX sh) by ./sipflow.sh
# (build set) and ./tests/run (build + test sets).  Debian/Ubuntu names.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each entry is PACKAGE=CHECK: the package is installed only when its check
# fails.  CHECK is cmd:NAME (a program on PATH), pc:MODULE (a pkg-config
# module), glob:PATTERN (a file) or dpkg (the package itself).

SIPFLOW_DEPS_BUILD="
build-essential=cmd:cc
meson=cmd:meson
ninja-build=cmd:ninja
pkg-config=cmd:pkg-config
libpcap-dev=pc:libpcap
libglib2.0-dev=pc:glib-2.0
libcmocka-dev=pc:cmocka
python3=cmd:python3
"

SIPFLOW_DEPS_TEST="
tshark=cmd:tshark
tcpdump=cmd:tcpdump
sip-tester=cmd:sipp
valgrind=cmd:valgrind
libxml2-utils=cmd:xmllint
chromium=cmd:chromium
nodejs=cmd:node
npm=cmd:npm
libwireshark-dev=pc:wireshark
wireshark-dev=dpkg
clang=cmd:clang
libclang-rt-14-dev=glob:/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.asan-*.a
"

# sipflow_dep_present CHECK: exit 0 when the check passes.
sipflow_dep_present() {
  case $1 in
  cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
  pc:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${1#pc:}" ;;
  glob:*) for _f in ${1#glob:}; do [ -e "$_f" ] && return 0; done; return 1 ;;
  *) return 1 ;;
  esac
}

# sipflow_deps_missing LIST...: the packages of the lists whose check fails.
sipflow_deps_missing() {
  for _list in "$@"; do
    for _entry in $_list; do
      _pkg=${_entry%%=*}
      _check=${_entry#*=}
      if [ "$_check" = dpkg ]; then
        dpkg-query -W -f='${Status}' "$_pkg" 2>/dev/null | grep -q 'install ok installed' && continue
      elif sipflow_dep_present "$_check"; then
        continue
      fi
      printf '%s ' "$_pkg"
    done
  done
}

# sipflow_deps_install LIST...: installs what is missing with apt-get (sudo
# when not root), non-interactively; quiet unless something goes wrong.
# Returns non-zero when some package could not be installed.
sipflow_deps_install() {
  _missing=$(sipflow_deps_missing "$@")
  [ -z "$_missing" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "sipflow: missing packages ($_missing) and no apt-get: install them by hand" >&2
    return 1
  fi
  _sudo=
  [ "$(id -u)" -ne 0 ] && _sudo=sudo
  echo "sipflow: installing $_missing" >&2
  case " $_missing " in
  *" tshark "*)
    # Do not let tshark's package ask whether users may capture.
    echo 'wireshark-common wireshark-common/install-setuid boolean false' \
      | $_sudo debconf-set-selections ;;
  esac
  _log=${TMPDIR:-/tmp}/sipflow-apt.$$.log
  # shellcheck disable=SC2086 # the package list is split on purpose
  if ! $_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $_missing >"$_log" 2>&1; then
    # A fresh machine may have no package lists yet.
    $_sudo apt-get update -q >>"$_log" 2>&1
    if ! $_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $_missing >>"$_log" 2>&1; then
      tail -20 "$_log" >&2
      rm -f "$_log"
      echo "sipflow: could not install: $_missing" >&2
      return 1
    fi
  fi
  rm -f "$_log"
  return 0
}
