#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit lane, inside the VM (debug kernel): load clonegate_kunit.ko,
# which runs its suites while it loads, and report every case of every
# suite as one top-level TAP line, "ok N clonegate_<suite>.<case>". Fails if
# a suite is missing, has no cases, or any case failed.
#
# The results come from /sys/kernel/debug/kunit/<suite>/results. Linux 6.1
# keeps at most 512 bytes of log per case there (per parameter, for a
# parameterised case): a case whose failure messages fill them loses its
# own result line. Such a case is read from the kernel log instead, which
# has the whole KTAP.
#
# vm/lane-debug.sh sources this file with KUNIT_LIB=1 for run_kunit alone.

KUNIT_KO=${KUNIT_KO:-/lib/clonegate_kunit.ko}
KUNIT_SUITES="clonegate_policy clonegate_flags clonegate_needs
	clonegate_profile clonegate_parse clonegate_format clonegate_scope
	clonegate_ratelimit"
KUNIT_DIR=/sys/kernel/debug/kunit

# kunit_cases SUITE RESULTS KLOG: one line per case, in order:
#   case N STATUS NAME [DIRECTIVE]   (STATUS is ok, not_ok or missing)
#   params NAME PASS FAIL SKIP TOTAL
# then
#   count N FROM_DEBUGFS FROM_KLOG
#   suite STATUS
# A case line from debugfs is used when it is whole: a log cut at 512
# bytes glues the next case's text onto the cut line, so its name is not a
# plain identifier, or not the one the kernel log has.
kunit_cases() {
	awk -v suite="$1" '
	# the lines of the suite itself: four spaces, then not a space
	function take(line, from,    m, n, name, rest, st, dir) {
		if (line ~ /^    1\.\.[0-9]+$/) {
			if (from == "d")
				count = substr(line, 8) + 0
			return
		}
		if (line ~ /^    (ok|not ok) [0-9]+ /) {
			rest = substr(line, 5)
			st = "ok"
			if (rest ~ /^not ok /) {
				st = "not_ok"
				rest = substr(rest, 8)
			} else {
				rest = substr(rest, 4)
			}
			n = rest + 0
			rest = substr(rest, index(rest, " ") + 1)
			name = rest
			dir = ""
			if ((m = index(rest, " # ")) > 0) {
				name = substr(rest, 1, m - 1)
				dir = substr(rest, m + 3)
			}
			if (!((from, n) in st_)) {
				st_[from, n] = st
				name_[from, n] = name
				dir_[from, n] = dir
			}
			return
		}
		if (line ~ /^    # [A-Za-z0-9_]+: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+$/) {
			split(substr(line, 7), f, /[: ]+/)
			params[f[1]] = f[3] " " f[5] " " f[7] " " f[9]
		}
	}
	FNR == 1 { file++ }
	file == 1 {
		if ($0 ~ "^(ok|not ok) 1 " suite "$")
			verdict = ($0 ~ /^ok/) ? "ok" : "not_ok"
		else
			take($0, "d")
		next
	}
	# the kernel log: only between this suite header and its end line
	$0 == "    # Subtest: " suite { inside = 1; next }
	inside && $0 ~ "^(ok|not ok) [0-9]+ " suite "$" { inside = 0; next }
	inside { take($0, "k") }
	END {
		for (i = 1; i <= count; i++) {
			src = ""
			if (("d", i) in st_ && name_["d", i] ~ /^[A-Za-z0-9_]+$/ &&
			    (!(("k", i) in st_) || name_["k", i] == name_["d", i]))
				src = "d"
			else if (("k", i) in st_)
				src = "k"
			if (src == "") {
				print "case " i " missing case" i
				continue
			}
			used[src]++
			name = name_[src, i]
			print "case " i " " st_[src, i] " " name \
				(dir_[src, i] != "" ? " " dir_[src, i] : "")
			if (name in params)
				print "params " name " " params[name]
		}
		print "count " count + 0 " " used["d"] + 0 " " used["k"] + 0
		print "suite " (verdict == "" ? "missing" : verdict)
	}' "$2" "$3"
}

# kunit_suite SUITE KLOG: a TAP line per case of SUITE.
kunit_suite() {
	suite=$1
	results=$KUNIT_DIR/$suite/results
	if [ ! -r "$results" ]; then
		lane_n=$((lane_n + 1))
		echo "not ok $lane_n $suite: no such suite in $KUNIT_DIR"
		lane_failed=1
		return
	fi
	cat "$results" >"/tmp/kunit-$suite.ktap"
	kunit_cases "$suite" "/tmp/kunit-$suite.ktap" "$2" >/tmp/kunit-cases
	suite_failed=0
	while read -r kind a b c d e; do
		case $kind in
		case)
			lane_n=$((lane_n + 1))
			case $b in
			ok)
				if [ -n "$d" ]; then
					echo "ok $lane_n $suite.$c # $d $e"
				else
					echo "ok $lane_n $suite.$c"
				fi
				;;
			not_ok)
				echo "not ok $lane_n $suite.$c"
				suite_failed=1
				;;
			*)
				echo "not ok $lane_n $suite: no result for case $a"
				suite_failed=1
				;;
			esac
			;;
		params)
			echo "# $suite.$a: $b of $e parameters passed, $c failed, $d skipped"
			;;
		count)
			if [ "$a" -eq 0 ]; then
				lane_n=$((lane_n + 1))
				echo "not ok $lane_n $suite: no test cases"
				suite_failed=1
			fi
			[ "$c" -eq 0 ] || echo "# $suite: $a cases, $c read" \
				"from the kernel log (debugfs keeps 512 bytes a case)"
			;;
		suite)
			if [ "$a" != ok ]; then
				echo "# $suite: KUnit reports the suite $a"
				suite_failed=1
			fi
			;;
		esac
	done </tmp/kunit-cases
	if [ "$suite_failed" = 1 ]; then
		lane_failed=1
		echo "# $suite: the KTAP KUnit wrote (passed parameters left out):"
		awk -v suite="$suite" '
			$0 == "    # Subtest: " suite { inside = 1 }
			inside { print "#   " $0 }
			inside && $0 ~ "^(ok|not ok) [0-9]+ " suite "$" { exit }
		' "$2" | grep -vE '^# {11,}ok ' | head -n 150
	fi
}

# Whether every clonegate suite in debugfs is in KUNIT_SUITES: a suite
# added to kunit/ and not to the list would run with nothing counting it.
kunit_all_listed() {
	for d in "$KUNIT_DIR"/clonegate_*; do
		[ -d "$d" ] || continue
		listed=0
		for s in $KUNIT_SUITES; do
			[ "$s" != "${d##*/}" ] || listed=1
		done
		[ "$listed" = 1 ] ||
			{ echo "suite ${d##*/} is not in KUNIT_SUITES"; return 1; }
	done
}

run_kunit() {
	stage "insmod clonegate_kunit (runs the KUnit suites)" \
		insmod "$KUNIT_KO"
	# the kernel log without printk.time stamps
	dmesg | sed 's/^\[[ 0-9.]*\] //' >/tmp/kunit-klog
	for s in $KUNIT_SUITES; do
		kunit_suite "$s" /tmp/kunit-klog
	done
	stage "every suite the module ran is counted above" kunit_all_listed
	stage "rmmod clonegate_kunit" rmmod clonegate_kunit
}

if [ -z "${KUNIT_LIB:-}" ]; then
	. /lane-lib.sh
	run_kunit
	stage "no kernel report in the log" kernel_log_clean
	finish
fi
