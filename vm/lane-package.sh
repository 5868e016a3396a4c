#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The package lane, inside the VM: the module DKMS built from the
# clonegate-dkms package loads, says the version of the file VERSION, and
# unloads; the packaged tools run.
. /lane-lib.sh

stage "insmod the module DKMS built" insmod "$CLONEGATE_KO"
stage "its version is VERSION's, $(cat /etc/clonegate-version)" version_is_ours
stage "clonegate-try from clonegate-tools makes a call" clonegate-try fork
stage "rmmod" rmmod clonegate
stage "no kernel report in the log" kernel_log_clean
finish
