#!/usr/bin/env bash
# Installs the PC/SC stack onshi's card transport talks to, and starts pcscd without systemd.
# Debian (bookworm) as root. Idempotent: packages already installed are not installed again.
#
#   scripts/pcsc-setup.sh                 install only (what the tests and CI need)
#   scripts/pcsc-setup.sh --with-vicc     also vsmartcard's Python emulator (the rate baseline)
#   scripts/pcsc-setup.sh --start         install, then start the machine's pcscd in the
#                                         background (vpcd on localhost:35963 and 35964)
#   scripts/pcsc-setup.sh --foreground    install, then run the machine's pcscd in the foreground
#   scripts/pcsc-setup.sh --private       install, then run a PRIVATE pcscd in the foreground:
#                                         own socket, own vpcd ports, no USB readers; it prints
#                                         the PCSCLITE_CSOCK_NAME and port to use (Ctrl-C stops)
#
# The tests never use the machine's pcscd: they start their own (harness/src/pcsc/pcscd.rs,
# the same recipe as --private). See docs/pcsc.md.
set -euo pipefail

PACKAGES=(pcscd vsmartcard-vpcd pcsc-tools opensc opensc-pkcs11 libpcsclite-dev pkgconf)
VICC_PACKAGES=(vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome)
VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so

mode=install
with_vicc=0
for arg in "$@"; do
  case "$arg" in
    --with-vicc) with_vicc=1 ;;
    --start) mode=start ;;
    --foreground) mode=foreground ;;
    --private) mode=private ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "pcsc-setup: run as root (apt-get, and pcscd's /run/pcscd)" >&2
  exit 1
fi

wanted=("${PACKAGES[@]}")
if [ "$with_vicc" = 1 ]; then wanted+=("${VICC_PACKAGES[@]}"); fi
missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "pcsc-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # On a machine booted with systemd the package enables pcscd.socket as usual; the tests
  # never use that daemon.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "pcsc-setup: ${wanted[*]} already installed"
fi
test -f "$VPCD_DRIVER" || { echo "pcsc-setup: $VPCD_DRIVER missing after install" >&2; exit 1; }

pcscd_bin=$(command -v pcscd || echo /usr/sbin/pcscd)

case "$mode" in
  install) exit 0 ;;
  start)
    if [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null; then
      echo "pcsc-setup: pcscd already running (pid $(pgrep -x pcscd | head -1))"
      exit 0
    fi
    # Without --foreground pcscd daemonizes itself; logs go to syslog.
    "$pcscd_bin"
    for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
    test -S /run/pcscd/pcscd.comm || { echo "pcsc-setup: pcscd did not start" >&2; exit 1; }
    echo "pcsc-setup: pcscd running (pid $(pgrep -x pcscd | head -1)); vpcd waits on port 35963 (slot 0) and 35964 (slot 1)"
    ;;
  foreground)
    exec "$pcscd_bin" --foreground
    ;;
  private)
    dir=$(mktemp -d /tmp/onshi-pcscd-XXXXXX)
    trap 'rm -rf "$dir"' EXIT
    port=${ONSHI_VPCD_PORT:-24963}
    mkdir "$dir/run" "$dir/reader.conf.d"
    : > "$dir/libifdvpcd.so"
    printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x%04X\nLIBPATH      %s\nCHANNELID    0x%04X\n' \
      "$port" "$dir/libifdvpcd.so" "$port" > "$dir/reader.conf.d/vpcd"
    echo "pcsc-setup: private pcscd in $dir"
    echo "  clients:  export PCSCLITE_CSOCK_NAME=$dir/run/pcscd.comm"
    echo "  cards:    vpcd slot 0 on localhost:$port, slot 1 on localhost:$((port + 1))"
    # Same steps as PrivatePcscd (harness/src/pcsc/pcscd.rs).
    unshare --mount --propagation private -- sh -c '
      set -eu
      dir=$1; pcscd=$2; driver=$3
      mount --bind "$driver" "$dir/libifdvpcd.so"
      mount -t tmpfs -o mode=0755,size=64k onshi-no-drivers /usr/lib/pcsc/drivers
      if [ ! -d /run/pcscd ]; then
        mount -t tmpfs -o mode=0755,size=1m onshi-run /run
        mkdir /run/pcscd
      fi
      mount --bind "$dir/run" /run/pcscd
      exec "$pcscd" --foreground --config "$dir/reader.conf.d"
    ' onshi-private-pcscd "$dir" "$pcscd_bin" "$VPCD_DRIVER"
    ;;
esac
