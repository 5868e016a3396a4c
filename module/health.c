// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate health: notice within a second when the hooks stop checking
 * calls, and say so everywhere.
 *
 * A hook can stop firing without a word: kprobes disarmed through debugfs,
 * a kprobe disabled, function tracing stopped, calls missed. Once a second,
 * and on every read of the health file, hooks.c checks every hook; a
 * change of the answer is logged (pr_crit), recorded by audit even while
 * audit is off, reported as an event and counted.
 */
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "events.h"
#include "health.h"
#include "hooks.h"
#include "state.h"

static DEFINE_MUTEX(health_mutex);
static char state[CLONEGATE_MESSAGE_LEN] = "ok";
static struct delayed_work health_work;
static bool running;

/**
 * clonegate_health_check() - check the hooks now
 * @buf: what health reads: "ok" or what is wrong, one line
 * @size: its size
 *
 * Return: the length of @buf.
 */
int clonegate_health_check(char *buf, size_t size)
{
	char now[CLONEGATE_MESSAGE_LEN] = "ok";

	/*
	 * Checked, compared and reported under one lock: two checks at once
	 * (the tick and a read of health) report their changes in the order
	 * they saw them, so the last record sent is the state in force.
	 */
	mutex_lock(&health_mutex);
	clonegate_hooks_check(now, sizeof(now));
	if (strcmp(now, state)) {
		strscpy(state, now, sizeof(state));
		clonegate_stat_inc(health_changes);
		if (strcmp(now, "ok"))
			pr_crit("health: %s: calls may go unchecked\n", now);
		else
			pr_crit("health: ok again: every hook fires\n");
		clonegate_event_health(now);
	}
	mutex_unlock(&health_mutex);
	return strscpy(buf, now, size);
}

static void health_tick(struct work_struct *work)
{
	char buf[CLONEGATE_MESSAGE_LEN];

	clonegate_health_check(buf, sizeof(buf));
	if (READ_ONCE(running))
		schedule_delayed_work(&health_work, HZ);
}

/**
 * clonegate_health_start() - check the hooks once a second from now on
 */
void clonegate_health_start(void)
{
	INIT_DELAYED_WORK(&health_work, health_tick);
	WRITE_ONCE(running, true);
	schedule_delayed_work(&health_work, HZ);
}

/**
 * clonegate_health_stop() - stop checking; waits for a check in flight
 */
void clonegate_health_stop(void)
{
	WRITE_ONCE(running, false);
	cancel_delayed_work_sync(&health_work);
}
