#!/usr/bin/env bash
# Measures APDU/s through pcscd + vpcd for onshi's card side and, as the baseline, for
# vsmartcard's Python emulator (vicc) holding the same file, with the same PC/SC client and
# APDU script (READ BINARY of 256 bytes). Each runs behind its own private pcscd, so the
# machine's pcscd is neither used nor disturbed. Prints both rates and their ratio.
#
#   scripts/vicc-baseline.sh [--n 2000] [--vicc-n 200]
#
# vicc answers ~21 APDU/s (delayed ACKs), so its count is kept small. Root (or unprivileged
# user namespaces) needed for the private pcscd; see docs/pcsc.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  scripts/pcsc-setup.sh --with-vicc
fi
exec cargo run --quiet --release -p onshi-harness --example pcsc_rate -- --card both "$@"
