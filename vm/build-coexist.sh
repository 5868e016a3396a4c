#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/build-coexist.sh KDIR DEST: build what the coexistence selftest needs
# that depends on the kernel a lane boots, against that kernel's build tree
# or headers (KDIR), into DEST:
#
#   cg_livepatch_unshare.ko     a livepatch of ksys_unshare()
#   cg_livepatch_neighbour.ko   a livepatch of set_tid_address(2)
#
# The lanes call it with DEST = <the tests directory>/coexist, the folder
# selftests/coexist_test looks in. It needs make and the compiler KDIR was
# made with (CC, default gcc; a kernel whose headers need a newer libc is
# built by running this script where build_module runs, e.g. a chroot).
# The sources are copied, so the checkout stays clean. A compiler warning
# fails the build, as for the module.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 KDIR DEST" >&2; exit 2; }
kdir=$1
dest=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT

# a kernel without livepatch support (the debug kernel) gets none: those
# cases of coexist_test SKIP, saying so
if ! grep -qs '^CONFIG_LIVEPATCH=y' "$kdir/include/config/auto.conf"; then
	echo "# $kdir has no CONFIG_LIVEPATCH: no livepatch modules"
	exit 0
fi
cp "$top"/selftests/coexist/livepatch/{Kbuild,*.c} "$src/"
if ! ${MAKE:-make} -s -C "$kdir" M="$src" CC="${CC:-gcc}" modules \
	>"$src/build.log" 2>&1 || grep -q 'warning:' "$src/build.log"; then
	cat "$src/build.log" >&2
	echo "$0: the livepatch modules did not build cleanly against $kdir" >&2
	exit 1
fi
mkdir -p "$dest"
cp "$src"/*.ko "$dest/"
