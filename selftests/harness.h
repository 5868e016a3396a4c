/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness, with its time limit per test sized for the
 * busiest machine the tests run on.
 *
 * The harness kills a test after TEST_TIMEOUT_DEFAULT seconds (30) of the
 * guest's clock. Under TCG that clock is the host's: a VM that gets a
 * fraction of a busy host's core does a fraction of the work per guest
 * second, and a test of every flag bit on the debug kernel overran 30 s
 * with four VMs on two cores. A hung test is still caught, later; the
 * lanes' CPU-time limits bound the whole run. TEST and TEST_F expand the
 * name where a test is defined, so the value below holds for every test
 * without a limit of its own.
 */
#ifndef CLONEGATE_SELFTEST_HARNESS_H
#define CLONEGATE_SELFTEST_HARNESS_H

#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#endif /* CLONEGATE_SELFTEST_HARNESS_H */
