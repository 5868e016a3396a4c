#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/check-seccheck.sh LOG: decode on the host, with protoc, what the test
# monitor of selftests/seccheck_test.c received in the VM, and compare it
# with what the test's calls were. TAP on stdout.
#
# The VM has no protobuf decoder: the test prints each packet as
#   # CLONEGATE-SECCHECK-MSG TYPE DROPPED HEX
# and each call's expectations as
#   # CLONEGATE-SECCHECK-WANT COMM TYPE field=value ...
# Each packet is decoded with protoc --decode against tools/seccheck.proto
# (protoc, not protobuf-c: an independent decoder), by the message its
# header's type names. A WANT line passes when exactly one packet of that
# type has context_data.process_name COMM, and every field=value holds in
# it (value "-" or 0: the field is absent, as proto3 leaves zero values).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
log=${1:?usage: vm/check-seccheck.sh CONSOLE_LOG}
proto_dir=$top/tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n seccheck: $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n seccheck: $*"; failed=1; }

message_of() {
	case $1 in
	2) echo CloneInfo ;;
	6) echo Syscall ;;
	23) echo Clone ;;
	29) echo Fork ;;
	*) echo "" ;;
	esac
}

# protoc's text format as path=value lines: context_data.thread_id=42
flatten() {
	awk '
	/^[ ]*[a-z_0-9]+ \{$/ { stack[++d] = $1; next }
	/^[ ]*\}$/ { d--; next }
	{
		line = $0
		sub(/^[ ]+/, "", line)
		key = substr(line, 1, index(line, ":") - 1)
		val = substr(line, index(line, ":") + 2)
		gsub(/^"|"$/, "", val)
		path = ""
		for (i = 1; i <= d; i++)
			path = path stack[i] "."
		print path key "=" val
	}'
}

command -v protoc >/dev/null || { not_ok "protoc is not installed"; echo "1..$n"; exit 1; }

i=0
decode_failed=0
while read -r _ _ type dropped hex; do
	msg=$(message_of "$type")
	i=$((i + 1))
	if [ -z "$msg" ]; then
		not_ok "packet $i: unknown message type $type"
		continue
	fi
	[ "$hex" = - ] && hex=
	if ! printf '%s' "$hex" | perl -ne 'print pack("H*", $_)' |
		protoc --proto_path="$proto_dir" --decode="clonegate.seccheck.$msg" \
			seccheck.proto >"$work/$i.txt" 2>"$work/$i.err"; then
		not_ok "packet $i ($msg) does not decode"
		sed 's/^/#   /' "$work/$i.err"
		decode_failed=1
		continue
	fi
	flatten <"$work/$i.txt" >"$work/$i.flat"
	echo "$type" >"$work/$i.type"
done < <(grep -a '^# CLONEGATE-SECCHECK-MSG ' "$log" | tr -d '\r')

if [ "$i" -eq 0 ]; then
	not_ok "no packet in $log (did seccheck_test run?)"
elif [ "$decode_failed" = 0 ]; then
	ok "all $i packets decode as the message their header names"
fi

wants=0
while read -r _ _ comm type fields; do
	wants=$((wants + 1))
	match=()
	for f in "$work"/*.flat; do
		[ -e "$f" ] || continue
		base=${f%.flat}
		[ "$(cat "$base.type")" = "$type" ] || continue
		grep -qx "context_data.process_name=$comm" "$f" && match+=("$f")
	done
	if [ ${#match[@]} -ne 1 ]; then
		not_ok "$comm: ${#match[@]} packets of type $type, want 1"
		continue
	fi
	bad=
	for kv in $fields; do
		k=${kv%%=*} v=${kv#*=}
		got=$(grep -m1 "^$k=" "${match[0]}" | cut -d= -f2-)
		if [ "$v" = - ] || [ "$v" = 0 ]; then
			[ -z "$got" ] || [ "$got" = 0 ] || bad="$bad $k=$got (want absent)"
		elif [ "$got" != "$v" ]; then
			bad="$bad $k=${got:-absent} (want $v)"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$comm: $(message_of "$type") has$(printf ' %s' $fields)"
	else
		not_ok "$comm: $(message_of "$type"):$bad"
		sed 's/^/#   /' "${match[0]}"
	fi
done < <(grep -a '^# CLONEGATE-SECCHECK-WANT ' "$log" | tr -d '\r')
[ "$wants" -gt 0 ] || not_ok "no expectations in $log"
echo "1..$n"
exit $failed
