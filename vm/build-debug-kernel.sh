#!/usr/bin/env bash
# build-debug-kernel.sh - build (or reuse) the clonegate test-lane debug kernel.
#
# Builds an x86_64 debug kernel (KASAN, lockdep, kmemleak, kprobes, KUnit...)
# from Debian's linux-source-6.1 package: `make allnoconfig`, then the
# fragment vm/debug-kernel.config merged on top, then `make olddefconfig`.
#
# The result is cached in
#     ${CLONEGATE_CACHE:-/var/cache/clonegate}/debug-kernel/<key>/
# where <key> = <linux-source-6.1 package version>-<sha256 of the fragment, 12 chars>.
# A finished cache dir holds:
#     bzImage          the kernel to boot (qemu -kernel)
#     cmdline          recommended extra kernel command line for the VM runner
#     config           the final .config
#     build/           the configured, built source tree: usable as KDIR for
#                      `make -C <dir>/build M=<module dir> modules`
#     build.log        full build output
#     .complete        stamp written last; without it the dir is rebuilt
#
# Usage:  dir=$(vm/build-debug-kernel.sh | tail -n1)
# The last line of stdout is the cache dir; progress goes to stderr.
# A cache hit returns at once. A build takes roughly 10-20 minutes on 2 cores.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$SCRIPT_DIR/debug-kernel.config
SOURCE_PKG=linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz
CACHE_ROOT=${CLONEGATE_CACHE:-/var/cache/clonegate}/debug-kernel

# Kernel command line the VM runner should append (the runner adds console=).
# Problems are reported first, then the VM ends: panic=-1 reboots at once
# after a panic, which with qemu -no-reboot makes qemu exit.
# kmemleak=on is the built-in default too; it is spelled out for clarity.
CMDLINE="kmemleak=on oops=panic panic_on_warn=1 softlockup_panic=1 panic=-1"

# Packages needed to build the kernel and out-of-tree modules against it.
PACKAGES=(linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev xz-utils)

log() { printf '[build-debug-kernel] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ensure_packages() {
    local missing=() pkg
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]})); then
        log "installing missing packages: ${missing[*]}"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
    fi
}

# Run a build step with its output appended to $LOG; on failure show the log tail.
step() {
    local what=$1; shift
    log "$what"
    if ! "$@" >>"$LOG" 2>&1; then
        log "FAILED: $what (full log: $LOG); last 60 lines:"
        tail -n 60 "$LOG" >&2
        exit 1
    fi
}

kmake() { make -C "$BUILD" ARCH=x86_64 "$@"; }

# Every CONFIG_X=y line of the fragment must be =y in the final .config, and
# every "# CONFIG_X is not set" line must not be enabled.
verify_config() {
    local cfg=$BUILD/.config line sym dropped=() forced=()
    while IFS= read -r line; do
        grep -qxF -- "$line" "$cfg" || dropped+=("${line%%=*}")
    done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=y$' "$FRAGMENT")
    while IFS= read -r sym; do
        grep -qE "^${sym}=[ym]$" "$cfg" && forced+=("$sym")
    done < <(sed -nE 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/p' "$FRAGMENT")
    if ((${#dropped[@]} || ${#forced[@]})); then
        ((${#dropped[@]})) && log "requested =y but not set in the final .config (missing dependency?): ${dropped[*]}"
        ((${#forced[@]})) && log "requested off but enabled in the final .config (selected by something?): ${forced[*]}"
        die "config verification failed; see $cfg"
    fi
    log "config verified: all requested symbols are set as asked"
}

# Prove the tree works as KDIR: build a throwaway module out of tree.
selftest_kdir() {
    local mod
    mod=$(mktemp -d)
    cat >"$mod/kdir_selftest.c" <<'EOF'
#include <linux/module.h>
static int __init kdir_selftest_init(void) { return 0; }
static void __exit kdir_selftest_exit(void) { }
module_init(kdir_selftest_init);
module_exit(kdir_selftest_exit);
MODULE_LICENSE("GPL");
EOF
    echo 'obj-m := kdir_selftest.o' >"$mod/Makefile"
    step "checking the tree works as KDIR (out-of-tree module build)" \
        make -C "$BUILD" M="$mod" modules
    [[ -f $mod/kdir_selftest.ko ]] || die "KDIR self-test produced no .ko"
    rm -rf -- "$mod"
}

# --- main ---------------------------------------------------------------------
[[ -f $FRAGMENT ]] || die "config fragment not found: $FRAGMENT"
ensure_packages
[[ -f $TARBALL ]] || die "kernel source tarball not found: $TARBALL"

version=$(dpkg-query -W -f='${Version}' "$SOURCE_PKG")
frag_sha=$(sha256sum "$FRAGMENT" | cut -c1-12)
KEY=$(printf '%s-%s' "$version" "$frag_sha" | tr -c 'A-Za-z0-9._+-' '_')
DIR=$CACHE_ROOT/$KEY
BUILD=$DIR/build
LOG=$DIR/build.log

is_complete() { [[ -f $DIR/.complete && -f $DIR/bzImage && -f $BUILD/Module.symvers ]]; }

if is_complete; then
    log "cached: $DIR"
    echo "$DIR"
    exit 0
fi

# Serialise concurrent builds of the same key; re-check once we hold the lock.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/$KEY.lock"
if ! flock -n 9; then
    log "another build of $KEY is running; waiting for it"
    flock 9
fi
if is_complete; then
    log "cached: $DIR"
    echo "$DIR"
    exit 0
fi

# Environment that would redirect or alter the build.
unset KBUILD_OUTPUT O KCONFIG_CONFIG LOCALVERSION CROSS_COMPILE

start=$SECONDS
log "building debug kernel $KEY in $DIR (log: $LOG)"
rm -rf -- "$DIR"
mkdir -p "$BUILD"
: >"$LOG"

step "extracting $TARBALL" tar -xJf "$TARBALL" -C "$BUILD" --strip-components=1
step "make allnoconfig" kmake allnoconfig
# shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash
step "merging $(basename "$FRAGMENT")" \
    bash -c 'cd "$1" && scripts/kconfig/merge_config.sh -m .config "$2"' _ "$BUILD" "$FRAGMENT"
step "make olddefconfig" kmake olddefconfig
verify_config
cp "$BUILD/.config" "$DIR/config"

jobs=$(nproc)
step "make -j$jobs bzImage modules (the long part)" kmake -j"$jobs" bzImage modules
step "make modules_prepare" kmake modules_prepare
[[ -f $BUILD/Module.symvers ]] || die "no Module.symvers after 'make modules'"
selftest_kdir

cp "$BUILD/arch/x86/boot/bzImage" "$DIR/bzImage"
echo "$CMDLINE" >"$DIR/cmdline"
elapsed=$((SECONDS - start))
printf 'key=%s\nkernel=%s\nbuilt=%s\nbuild_seconds=%s\n' \
    "$KEY" "$(kmake -s kernelrelease)" "$(date -u +%FT%TZ)" "$elapsed" >"$DIR/.complete"

log "done in $((elapsed / 60))m$((elapsed % 60))s: $DIR"
echo "$DIR"
