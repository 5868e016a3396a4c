// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel 3: /dev/clonegate.
 *
 * Each CPU has a ring of fixed-size records that only the decisions made
 * on it write. A writer never waits: with the ring full the record is
 * dropped and counted. One reader at a time (root only) takes records in
 * sequence order across the rings, with read() and poll().
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "channels.h"
#include "state.h"

static unsigned int event_ring = 256;
module_param(event_ring, uint, 0444);
MODULE_PARM_DESC(event_ring, "records per CPU in /dev/clonegate's ring (16-65536)");

struct ring {
	spinlock_t lock;	/* head, tail and the records */
	u64 head;		/* next record written */
	u64 tail;		/* next record read */
	struct clonegate_event *rec;
};

static DEFINE_PER_CPU(struct ring, rings);
static DECLARE_WAIT_QUEUE_HEAD(readers);
static atomic_t reader_open = ATOMIC_INIT(0);

/**
 * clonegate_dev_emit() - queue one event for /dev/clonegate
 * @ev: the event
 *
 * Called with preemption disabled, so "this CPU's ring" stays this CPU's.
 */
void clonegate_dev_emit(const struct clonegate_event *ev)
{
	struct ring *r = this_cpu_ptr(&rings);
	bool queued = false;

	clonegate_stat_inc(emitted);
	spin_lock(&r->lock);
	if (r->head - r->tail < event_ring) {
		r->rec[r->head % event_ring] = *ev;
		r->head++;
		queued = true;
	}
	spin_unlock(&r->lock);
	if (!queued) {
		clonegate_stat_inc(dropped_ring_full);
		return;
	}
	if (wq_has_sleeper(&readers))
		wake_up_interruptible(&readers);
}

/* The CPU whose oldest record has the lowest sequence number, or -1. */
static int oldest_cpu(void)
{
	u64 best_seq = U64_MAX;
	int cpu, best = -1;

	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		spin_lock(&r->lock);
		if (r->head != r->tail &&
		    r->rec[r->tail % event_ring].seq < best_seq) {
			best_seq = r->rec[r->tail % event_ring].seq;
			best = cpu;
		}
		spin_unlock(&r->lock);
	}
	return best;
}

static bool pending(void)
{
	return oldest_cpu() >= 0;
}

/* Move the oldest record into @ev; false if there is none. */
static bool take(struct clonegate_event *ev)
{
	int cpu = oldest_cpu();
	struct ring *r;
	bool got = false;

	if (cpu < 0)
		return false;
	r = per_cpu_ptr(&rings, cpu);
	spin_lock(&r->lock);
	if (r->head != r->tail) {
		*ev = r->rec[r->tail % event_ring];
		r->tail++;
		got = true;
	}
	spin_unlock(&r->lock);
	return got;
}

static ssize_t dev_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct clonegate_event *ev;
	size_t done = 0;
	int err;

	if (count < sizeof(*ev))
		return -EINVAL;
	if (!(file->f_flags & O_NONBLOCK)) {
		err = wait_event_interruptible(readers, pending());
		if (err)
			return err;
	}
	ev = kmalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	while (count - done >= sizeof(*ev) && take(ev)) {
		if (copy_to_user(buf + done, ev, sizeof(*ev))) {
			/* the record is lost to this reader: count it */
			clonegate_stat_inc(dropped_ring_full);
			err = -EFAULT;
			goto out_free;
		}
		clonegate_stat_inc(delivered);
		done += sizeof(*ev);
	}
	err = done ? 0 : -EAGAIN;
out_free:
	kfree(ev);
	return done ? done : err;
}

static __poll_t dev_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &readers, wait);
	return pending() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int dev_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* records are consumed: two readers would each see half */
	if (atomic_cmpxchg(&reader_open, 0, 1))
		return -EBUSY;
	return nonseekable_open(inode, file);
}

static int dev_release(struct inode *inode, struct file *file)
{
	atomic_set(&reader_open, 0);
	return 0;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.poll = dev_poll,
};

static struct miscdevice dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "clonegate",
	.fops = &dev_fops,
	.mode = 0600,
};

/**
 * clonegate_rings_alloc() - allocate the rings, before any hook can emit
 *
 * Return: 0, -EINVAL for an event_ring out of range, or -ENOMEM.
 */
int clonegate_rings_alloc(void)
{
	int cpu;

	if (event_ring < 16 || event_ring > 65536) {
		pr_err("event_ring=%u: must be 16 to 65536\n", event_ring);
		return -EINVAL;
	}
	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		spin_lock_init(&r->lock);
		r->head = 0;
		r->tail = 0;
		r->rec = vmalloc_array(event_ring, sizeof(*r->rec));
		if (!r->rec) {
			clonegate_rings_free();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * clonegate_rings_free() - free the rings
 *
 * The hooks must be gone already: nothing writes the rings any more, and
 * /dev/clonegate is gone, so nothing reads them.
 */
void clonegate_rings_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		vfree(per_cpu_ptr(&rings, cpu)->rec);
		per_cpu_ptr(&rings, cpu)->rec = NULL;
	}
}

/**
 * clonegate_dev_register() - create /dev/clonegate, the last thing at load
 *
 * Return: 0, or the error of misc_register().
 */
int clonegate_dev_register(void)
{
	return misc_register(&dev);
}

/**
 * clonegate_dev_unregister() - remove /dev/clonegate, the first thing at unload
 *
 * An open reader pins the module, so none is left once this runs.
 */
void clonegate_dev_unregister(void)
{
	misc_deregister(&dev);
}
