#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Debian-kernel lane, inside the VM: load, run every selftest, unload,
# and load and unload once more. Fails if any stage or test failed.
. /tests/lane-lib.sh

stage "insmod with defaults" insmod "$CLONEGATE_KO"
run_selftests
stage "rmmod" rmmod clonegate
stage "insmod again" insmod "$CLONEGATE_KO"
stage "rmmod again" rmmod clonegate
stage "no clonegate left in sysfs" test ! -e /sys/kernel/clonegate
finish
