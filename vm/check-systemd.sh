#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/check-systemd.sh TOOLS: host-side checks of systemd/clonegate.service,
# as TAP. TOOLS is a directory of built tools (clonegatectl).
#
# The unit is installed with "make -C tools install-systemd" into a
# temporary root laid out as the package lays out a host (/usr/sbin,
# /lib/systemd/system, /etc/clonegate), and systemd-analyze verify checks
# it there: its syntax, its dependencies, and that every command it runs
# exists and is executable.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
tools=${1:?usage: vm/check-systemd.sh TOOLS_DIR}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
n=0
failed=0

t() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$root.out" 2>&1; then
		echo "ok $n systemd: $name"
	else
		echo "not ok $n systemd: $name"
		sed 's/^/#   /' "$root.out"
		failed=1
	fi
	rm -f "$root.out"
}

unit=$root/lib/systemd/system/clonegate.service
mkdir -p "$root/usr/sbin" "$root/sbin"
install -m 0755 "$tools/clonegatectl" "$root/usr/sbin/"
# the unit runs modprobe as the host has it
install -m 0755 "$(readlink -f "$(command -v modprobe || echo /sbin/modprobe)")" \
	"$root/sbin/modprobe"

t "make install-systemd installs the unit and the policy file" \
	make -s -C "$top/tools" install-systemd DESTDIR="$root" PREFIX=/usr
t "systemd-analyze verify accepts the unit" \
	systemd-analyze --root="$root" verify clonegate.service
t "the unit loads the module, then applies /etc/clonegate/policy.conf" \
	bash -c "grep -qx 'ExecStart=/sbin/modprobe clonegate' '$unit' &&
		 grep -qx 'ExecStart=/usr/sbin/clonegatectl apply /etc/clonegate/policy.conf' '$unit' &&
		 [ \$(grep -n '^ExecStart=' '$unit' | head -1 | grep -c modprobe) = 1 ]"
t "systemctl reload applies the file again" \
	grep -qx 'ExecReload=/usr/sbin/clonegatectl apply /etc/clonegate/policy.conf' "$unit"
t "it stays active after the commands ran (oneshot, RemainAfterExit)" \
	bash -c "grep -qx 'Type=oneshot' '$unit' && grep -qx 'RemainAfterExit=yes' '$unit'"
t "it starts before the container runtimes and the kubelet" \
	bash -c "for u in containerd.service docker.service crio.service podman.service kubelet.service; do
			grep '^Before=' '$unit' | tr ' =' '\n\n' | grep -qx \"\$u\" || { echo \"not before \$u\"; exit 1; }
		 done"
t "the policy file the package ships is valid" \
	env CLONEGATE_SYSFS="$root/none" "$tools/clonegatectl" check "$root/etc/clonegate/policy.conf"
t "a unit whose command is missing fails verify" \
	bash -c "rm '$root/usr/sbin/clonegatectl' && ! systemd-analyze --root='$root' verify clonegate.service"
echo "1..$n"
exit $failed
