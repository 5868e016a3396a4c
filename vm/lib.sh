# SPDX-License-Identifier: GPL-2.0
#
# vm/lib.sh: what the host side of every lane shares, sourced by
# vm/run.sh and vm/package.sh. Packages, the kernels of vm/kernels.conf
# and their build environments, building the module and the tests, the
# initramfs, booting a VM and judging what it printed.
#
# Caches live in $CLONEGATE_CACHE (default /var/cache/clonegate), shared
# by every checkout on the machine: each entry is made under a lock and
# marked complete last, so two runs never build the same thing twice at
# once or use half of it.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cache=${CLONEGATE_CACHE:-/var/cache/clonegate}
out=${CLONEGATE_OUT:-$top/build/vm}
version=$(cat "$top/VERSION")
# shellcheck source=vm/kernel-errors.sh
. "$here/kernel-errors.sh"

say() { printf '# %s\n' "$*"; }
die() { printf 'vm: %s\n' "$*" >&2; exit 1; }

# --- packages of this machine -------------------------------------------------

apt_updated=
need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	if [ -z "$apt_updated" ]; then
		apt-get update -q >/dev/null
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# What every lane needs on the host. pahole (dwarves): kernels that ship
# a BTF vmlinux (6.12, 7.x) generate BTF for the module.
base_packages() {
	need_packages qemu-system-x86 busybox-static cpio gzip xz-utils make \
		gcc libc6-dev linux-source-6.1 kmod dwarves libelf-dev \
		debian-archive-keyring
	# the 32-bit test programs; without them those tests report SKIP
	need_packages gcc-multilib || say "gcc-multilib not installable"
	# clonegate-events --seccheck (protobuf-c), and the host-side checks:
	# protoc decodes what the seccheck monitor got, systemd-analyze
	# verifies the unit
	need_packages libprotobuf-c-dev protobuf-c-compiler protobuf-compiler \
		systemd perl
	# the coexistence tests' BPF loader, linked statically
	need_packages libbpf-dev libelf-dev zlib1g-dev libzstd-dev
}

# --- the kernel table ---------------------------------------------------------

# kernel_names: the name of every kernel in vm/kernels.conf, in order.
kernel_names() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/kernels.conf" |
		awk '{ print $1 }'
}

# kernel_field NAME N: field N of NAME's line (2 suites, 3 build).
kernel_field() {
	sed -e 's/#.*//' "$here/kernels.conf" |
		awk -v n="$1" -v f="$2" '$1 == n { print $f; exit }'
}

# The archive URIs this machine's own apt uses for Debian and its security
# archive, so a private configuration reaches the same mirror (and proxy).
# CLONEGATE_DEBIAN_MIRROR and CLONEGATE_SECURITY_MIRROR override them.
host_mirror() {
	local want=$1
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk -v want="$want" '
			want == "security" && $2 ~ /-security$/ { print $1; exit }
			want == "main" && $2 !~ /-security$/ { print $1; exit }'
}
debian_mirror() {
	local m=${CLONEGATE_DEBIAN_MIRROR:-$(host_mirror main)}
	[ -n "$m" ] || die "no Debian archive in this machine's apt sources: set CLONEGATE_DEBIAN_MIRROR"
	echo "${m%/}"
}
security_mirror() {
	local m=${CLONEGATE_SECURITY_MIRROR:-$(host_mirror security)}
	[ -n "$m" ] || die "no Debian security archive in this machine's apt sources: set CLONEGATE_SECURITY_MIRROR"
	echo "${m%/}"
}

# private_apt DIR SUITES: an apt configuration of its own in DIR (sources
# list, state, cache, an empty dpkg status), for SUITES (comma-separated),
# with fresh package lists. The machine's apt sources are never read or
# changed; `kapt DIR apt-get ...` uses it.
private_apt() {
	local dir=$1 suites=$2 s uri
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts"
	: >"$dir/status"
	for s in ${suites//,/ }; do
		case $s in
		*-security) uri=$(security_mirror) ;;
		*) uri=$(debian_mirror) ;;
		esac
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
	done >"$dir/sources.list"
	cat >"$dir/apt.conf" <<-EOF
	Dir::Etc::SourceList "$dir/sources.list";
	Dir::Etc::SourceParts "$dir/parts";
	Dir::Etc::Preferences "$dir/preferences";
	Dir::Etc::PreferencesParts "$dir/parts";
	Dir::State "$dir";
	Dir::State::Lists "$dir/lists";
	Dir::State::status "$dir/status";
	Dir::Cache "$dir";
	Dir::Cache::Archives "$dir/archives";
	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";
	APT::Architecture "amd64";
	APT::Architectures { "amd64"; };
	Acquire::Languages "none";
	EOF
	kapt "$dir" apt-get update -q >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; return 1; }
}
kapt() {
	local dir=$1
	shift
	APT_CONFIG=$dir/apt.conf "$@"
}

# kapt_dep DIR PKG PATTERN: the packages PKG's candidate depends on whose
# names match PATTERN (an extended regular expression).
kapt_dep() {
	kapt "$1" apt-cache depends "$2" |
		sed -n 's/^ *Depends: \([^ <>]*\)$/\1/p' | grep -E "^($3)\$" || true
}

# fetch_kernel NAME: the image and headers of kernel NAME, downloaded with a
# private apt configuration, unpacked and fixed up, in the cache. Prints
# the directory, which holds `vmlinuz`, `kdir` (a link to the headers
# tree to build against), `release` and `version`. Resolves the versions
# from the suites' metapackages on every run; when the archive cannot be
# reached, falls back to the newest kernel of that name in the cache.
fetch_kernel() {
	local name=$1 suites apt img hdr abi ver dir root p seen todo
	suites=$(kernel_field "$name" 2)
	[ -n "$suites" ] || die "no kernel $name in vm/kernels.conf"
	mkdir -p "$cache/kernels/$name"
	apt="$cache/kernels/$name/apt"
	exec {lock}>"$cache/kernels/$name.lock"
	flock "$lock"
	if ! private_apt "$apt" "$suites" >&2; then
		dir=$(ls -d "$cache/kernels/$name"/*/.complete 2>/dev/null |
			sort -V | tail -n 1)
		[ -n "$dir" ] || die "kernel $name: cannot reach the archive, and nothing cached"
		say "kernel $name: archive unreachable, using the cached ${dir%/.complete}" >&2
		exec {lock}>&-
		dirname "$dir"
		return
	fi
	img=$(kapt_dep "$apt" linux-image-amd64 'linux-image-[0-9].*' | head -n 1)
	hdr=$(kapt_dep "$apt" linux-headers-amd64 'linux-headers-[0-9].*' | head -n 1)
	[ -n "$img" ] && [ -n "$hdr" ] || die "kernel $name: no linux-image-amd64/linux-headers-amd64 in $suites"
	abi=${img#linux-image-}
	[ "$hdr" = "linux-headers-$abi" ] || die "kernel $name: $img but $hdr"
	ver=$(kapt "$apt" apt-cache show --no-all-versions "$hdr" |
		sed -n 's/^Version: //p' | head -n 1)
	dir="$cache/kernels/$name/$abi-$ver"
	if [ -f "$dir/.complete" ]; then
		exec {lock}>&-
		echo "$dir"
		return
	fi
	say "kernel $name: fetching $abi ($ver) from $suites" >&2
	rm -rf "$dir"
	mkdir -p "$dir/debs"
	root="$dir/root"
	# the image (7.x keeps vmlinuz in linux-binary-*), the headers, and
	# the headers' own -common, kbuild and headers packages
	todo=("$img" "$hdr") seen=
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		todo+=($(kapt_dep "$apt" "$p" 'linux-(binary|headers|kbuild)-[0-9].*'))
	done
	(cd "$dir/debs" && kapt "$apt" apt-get download -q $seen) >"$dir/download.log" 2>&1 ||
		{ cat "$dir/download.log" >&2; die "kernel $name: download failed"; }
	for p in "$dir"/debs/*.deb; do
		dpkg-deb -x "$p" "$root"
	done
	rm -rf "$dir/debs"
	# The headers' Makefile names the trees by their absolute paths in
	# /usr/src (the -common tree it includes; 7.x its own output tree);
	# here they live under $root.
	sed -i "s|/usr/src/|$root/usr/src/|g" \
		"$root/usr/src/linux-headers-$abi/Makefile"
	# of the image only vmlinuz is booted: the initramfs brings the rest
	find "$root/lib/modules" "$root/usr/lib/modules" -mindepth 2 \
		-maxdepth 2 ! -name vmlinuz -exec rm -rf {} + 2>/dev/null || true
	if [ -f "$root/boot/vmlinuz-$abi" ]; then
		ln -s "root/boot/vmlinuz-$abi" "$dir/vmlinuz"
	elif [ -f "$root/usr/lib/modules/$abi/vmlinuz" ]; then
		ln -s "root/usr/lib/modules/$abi/vmlinuz" "$dir/vmlinuz"
	else
		die "kernel $name: no vmlinuz in $seen"
	fi
	ln -s "root/usr/src/linux-headers-$abi" "$dir/kdir"
	echo "$abi" >"$dir/release"
	echo "$ver" >"$dir/version"
	echo "$seen" >"$dir/packages"
	touch "$dir/.complete"
	exec {lock}>&-
	echo "$dir"
}

# --- build environments -------------------------------------------------------

# What a chroot needs to build a module against its suite's kernel.
chroot_packages="make,gcc,libc6-dev,dwarves,libelf-dev,libssl-dev,kmod,bc,bison,flex,python3"

# make_chroot SUITE: a Debian SUITE root made with mmdebstrap, cached by
# suite, package list and month (so it does not grow stale). Prints its
# directory.
make_chroot() {
	local suite=$1 key dir
	key=$(printf '%s %s %s' "$suite" "$chroot_packages" "$(date +%Y-%m)" |
		sha256sum | cut -c1-12)
	dir="$cache/chroot/$suite-$key"
	mkdir -p "$cache/chroot"
	exec {lock}>"$dir.lock"
	flock "$lock"
	if [ ! -f "$dir/.complete" ]; then
		need_packages mmdebstrap >&2
		say "making a $suite chroot with mmdebstrap (once)" >&2
		rm -rf "$dir"
		mmdebstrap --quiet --variant=minbase --include="$chroot_packages" \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			"$suite" "$dir" "$(debian_mirror)" >"$dir.log" 2>&1 ||
			{ cat "$dir.log" >&2; die "mmdebstrap $suite failed"; }
		touch "$dir/.complete"
	fi
	exec {lock}>&-
	echo "$dir"
}

# in_chroot DIR BUILD CMD...: CMD inside the chroot DIR, in a mount
# namespace of its own where the cache, the checkout and the directory
# BUILD appear at their own paths, so a path means the same thing inside
# and out.
in_chroot() {
	local dir=$1 build=$2
	shift 2
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1 cache=$2 build=$3 top=$4
		shift 4
		for d in "$cache" "$build" "$top"; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" env -i PATH=/usr/bin:/bin HOME=/tmp "$@"
	' in_chroot "$dir" "$cache" "$build" "$top" "$@"
}

# build_env BUILD DIR: the command prefix that runs a build for a kernel
# whose vm/kernels.conf build field is BUILD, with DIR reachable: nothing
# for "host", in_chroot for a suite.
build_env() {
	[ "$1" = host ] || echo "in_chroot $(make_chroot "$1") $2"
}

# build_module KERNEL_DIR DEST: clonegate.ko for a kernel fetched by
# fetch_kernel (or any tree with a kdir link), built in a copy of the
# sources so the checkout stays clean and kernels build side by side. The
# build fails on any compiler warning. BUILD is "host" or a suite to build
# in a chroot of.
build_module() {
	local kdir=$1 dest=$2 build=${3:-host} src="$2/src" run=
	rm -rf "$src" "$dest/clonegate.ko"
	mkdir -p "$src"
	cp -r "$top/VERSION" "$top/Kbuild" "$top/Makefile" "$top/module" \
		"$top/include" "$src/"
	[ -d "$top/kunit" ] && cp -r "$top/kunit" "$src/"
	run=$(build_env "$build" "$dest")
	# the headers name the compiler Debian built the kernel with (gcc-10
	# for 5.10, gcc-12, gcc-14): the one found as gcc builds the same
	$run make -s -C "$kdir" M="$src" CC=gcc modules \
		>"$dest/module-build.log" 2>&1 ||
		{ cat "$dest/module-build.log"; die "module build failed"; }
	if grep -E 'warning:' "$dest/module-build.log"; then
		die "module build has warnings"
	fi
	cp "$src/clonegate.ko" "$dest/"
}

# kselftest_harness.h comes from the kernel source package, never the repo.
harness_dir() {
	local dir="$cache/kselftest"
	if [ ! -f "$dir/kselftest_harness.h" ]; then
		mkdir -p "$dir"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir" \
			--strip-components=4 --wildcards \
			'linux-source-6.1/tools/testing/selftests/kselftest.h' \
			'linux-source-6.1/tools/testing/selftests/kselftest_harness.h'
	fi
	echo "$dir"
}

# build_selftests DEST: the selftests (x86_64, and i386 when the compiler
# can) and the tools, in DEST/tests and DEST/tools. The guest says SKIP,
# with the reason, for 32-bit tests that could not be built. They do not
# depend on the kernel: vm/run.sh builds them once, in $out/shared, and
# every lane takes a copy (use_selftests).
build_selftests() {
	local dest=$1
	rm -rf "$dest/tests" "$dest/tools"
	mkdir -p "$dest"
	make -s -C "$top/selftests" OUT="$dest/tests" \
		HARNESS_DIR="$(harness_dir)" >"$dest/selftests-build.log" 2>&1 ||
		{ cat "$dest/selftests-build.log"; die "selftest build failed"; }
	if grep -E 'warning:' "$dest/selftests-build.log"; then
		die "the selftest build has warnings"
	fi
	# base_packages installs libbpf: without cg-bpf the BPF cases would skip
	[ -x "$dest/tests/coexist/cg-bpf" ] ||
		die "cg-bpf was not built (selftests/Makefile: HAVE_LIBBPF)"
	if ! ls "$dest"/tests/*_test32 >/dev/null 2>&1; then
		echo "gcc -m32 -static cannot build them on the host (gcc-multilib)" \
			>"$dest/tests/no-32bit"
	fi
	build_tools "$dest"
}

use_selftests() {
	rm -rf "$1/tests" "$1/tools"
	cp -r "$out/shared/tests" "$out/shared/tools" "$1/"
}

build_tools() {
	make -s -C "$top/tools" OUT="$1/tools" >"$1/tools-build.log" 2>&1 ||
		{ cat "$1/tools-build.log"; die "tools build failed"; }
	if grep -E 'warning:' "$1/tools-build.log"; then
		die "the tools build has warnings"
	fi
}

# make_initramfs DEST LANE: busybox, the module(s), tests, tools, init and
# the lane script with its library.
make_initramfs() {
	local dest=$1 lane=$2 root="$1/root" applet
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,root,etc,lib,mnt,tests}
	cp /bin/busybox "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	cp "$here/init.sh" "$root/init"
	cp "$here/lane-$lane.sh" "$root/lane.sh"
	cp "$here/lane-lib.sh" "$here/kernel-errors.sh" "$root/"
	cp "$dest"/*.ko "$root/lib/"
	[ -d "$dest/tests" ] && cp -r "$dest/tests/." "$root/tests/"
	cp "$top/Documentation/ABI/testing/sysfs-kernel-clonegate" "$root/tests/"
	if [ -d "$dest/tools" ]; then
		find "$dest/tools" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$root/bin/" \;
	fi
	echo "$version" >"$root/etc/clonegate-version"
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$root/etc/passwd"
	chmod +x "$root/init" "$root/lane.sh"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dest/initrd.gz"
}

# --- booting and judging -----------------------------------------------------

# Console lines the host shows as they come: TAP, its comments, and splats.
show_filter() {
	grep --line-buffered -aE "^(TAP version|1\\.\\.|ok |not ok |#|\\[demo\\])|$KERNEL_ERRORS" || true
}

# The VM's limits. A lane is killed when qemu has used CPU_S seconds of
# host CPU: that measures the work the emulator did, whatever else the
# machine runs, so it is sized from the lane's work (a few times what it
# takes) and a busy machine does not hit it. An idle hang uses no CPU;
# the wall-clock limit, WALL_FACTOR times the CPU limit, ends those.
cpu_limit_s=${CLONEGATE_VM_CPU_LIMIT:-1200}
# the vCPUs (and, for the bench, the clock) of the next VM: split on purpose
vm_cpus="-smp 2"
wall_factor=${CLONEGATE_VM_WALL_FACTOR:-4}

# boot KERNEL INITRD DIR APPEND MEM [CPU_S]: boot the VM; the console goes
# to DIR/console.log and, filtered, to stdout, line by line as it comes
# (the serial line ends lines with CR LF). no_timer_check: on a busy host
# the emulated timer can miss the few ticks Linux waits for at boot, and
# Linux then panics ("IO-APIC + timer doesn't work!"). The guest's init
# writes the success marker to a serial port of its own (ttyS1), which the
# host reads from DIR/marker: nothing a test prints on the console can
# forge or hide it.
boot() {
	local kernel=$1 initrd=$2 dir=$3 append=$4 mem=${5:-1G} cpu=${6:-$cpu_limit_s}
	rm -f "$dir/marker" "$dir/console.log" "$dir/exit" "$dir/cpu"
	# One host thread runs both vCPUs (thread=single): with multi-threaded
	# TCG, a vCPU can run code another vCPU is live-patching (ftrace,
	# jump labels) half-updated. See Documentation/testing.rst.
	# shellcheck disable=SC2086 # $vm_cpus: options, split on purpose
	{
		(
			# SIGXCPU at the limit (exit status 152); SIGKILL only if
			# qemu ignored that
			ulimit -S -t "$cpu"
			ulimit -H -t "$((cpu + 30))"
			timeout -k 10 "$((cpu * wall_factor))" \
				qemu-system-x86_64 -accel tcg,thread=single -cpu max \
				$vm_cpus -m "$mem" -kernel "$kernel" -initrd "$initrd" \
				-append "console=ttyS0 panic=-1 no_timer_check $append" \
				-display none -no-reboot -monitor none \
				-serial stdio -serial "file:$dir/marker" </dev/null
			rc=$?
			# the CPU time qemu used: this shell's children's, the
			# second line (not in a pipe, which would fork)
			times >"$dir/cpu"
			exit $rc
		)
		echo "$?" >"$dir/exit"
	} 2>&1 | sed -u 's/\r//g' | tee "$dir/console.log" | show_filter
}

# verdict DIR LANE CPU_S: count TAP results and decide whether the lane
# passed; writes DIR/counts ("passed failed skipped").
verdict() {
	local dir=$1 lane=$2 cpu=${3:-$cpu_limit_s} log="$1/console.log"
	local passed failed skipped ok=1 rc last a
	passed=$(grep -acE '^ok [0-9]+ [^#]*$|^ok [0-9]+ .*# (XFAIL|PASS)' "$log" || true)
	skipped=$(grep -acE '^ok [0-9]+ .*# SKIP' "$log" || true)
	failed=$(grep -acE '^not ok [0-9]+' "$log" || true)
	rc=$(cat "$dir/exit" 2>/dev/null || echo '?')
	last=$(grep -aE '^(ok|not ok) ' "$log" | tail -n 1 || true)
	# the serial line ends lines with CR LF
	if ! tr -d '\r' <"$dir/marker" 2>/dev/null | grep -aqx 'CLONEGATE-SUCCESS'; then
		case $rc in
		124) echo "not ok - $lane: the VM ran out of time ($((cpu * wall_factor)) s) after \"${last:-nothing}\"" ;;
		152) echo "not ok - $lane: the VM used up its $cpu s of CPU after \"${last:-nothing}\"" ;;
		137) echo "not ok - $lane: the VM was killed at its limits ($cpu s of CPU, $((cpu * wall_factor)) s) after \"${last:-nothing}\"" ;;
		*) echo "not ok - $lane: the VM never reported success (crash or failed stage; last: \"${last:-nothing}\")" ;;
		esac
		ok=0
	fi
	if grep -aE "$KERNEL_ERRORS" "$log" | grep -av '^#' >"$dir/splats"; then
		echo "not ok - $lane: the kernel reported a problem:"
		sed 's/^/#   /' "$dir/splats" | head -40
		ok=0
	fi
	[ "$ok" = 1 ] || failed=$((failed + 1))
	echo "$passed $failed $skipped" >"$dir/counts"
	# what the lane's limits are sized from
	a=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, k, /[ms]/)
		printf "%d", u[1] * 60 + u[2] + k[1] * 60 + k[2] }' "$dir/cpu" 2>/dev/null || true)
	[ -z "$a" ] || echo "# $lane: qemu used $a s of CPU (limit $cpu s)"
}
