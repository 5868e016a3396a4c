// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel 3: /dev/clonegate.
 *
 * Each CPU has a ring of fixed-size records that only the decisions made
 * on it write. A writer never waits: with the ring full the record is
 * dropped and counted. One reader at a time (root only) takes records in
 * sequence order across the rings, with read() and poll(), or maps them.
 *
 * A record is built in its ring slot and read from it, never copied in
 * between: the slot at head is out of the reader's reach until head moves
 * past it, and the slot at tail out of the writer's until tail does.
 *
 * The rings lie in one area that the reader may also map (mmap()): it then
 * reads the records where they are built and hands slots back by writing
 * a ring's tail in a control page. That tail is only ever a proposal: the
 * module keeps its own head and tail, takes the reader's tail when it lies
 * between the two, and never reads anything else back from the mapping.
 * The records are mapped read-only, so what the other channels read from a
 * slot after it is committed is what was built there.
 *
 * A sleeping reader is woken for the first record after a quiet spell at
 * once, and during a flood at most every other tick (or when a ring is a
 * quarter full): each wake-up costs two context switches, and one read
 * takes many records.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
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
	struct clonegate_ring_ctl *ctl;	/* in the mapping: untrusted */
};

static DEFINE_PER_CPU(struct ring, rings);
/* the control pages, then each CPU's ring: what mmap() maps */
static void *area;
/* the module's own copy of the header: the area's is the reader's to write */
static struct clonegate_map_header layout;
/* the header takes the place of one ring's control block */
static_assert(sizeof(struct clonegate_map_header) ==
	      sizeof(struct clonegate_ring_ctl));
static DECLARE_WAIT_QUEUE_HEAD(readers);
static atomic_t reader_open = ATOMIC_INIT(0);
static unsigned long last_wake;
static struct timer_list flush_timer;

static void flush(struct timer_list *t)
{
	WRITE_ONCE(last_wake, jiffies);
	wake_up_interruptible(&readers);
}

/*
 * Take the tail a reader of the mapping wrote, if it lies past the ring's
 * tail and not past its head: the records between count as delivered.
 * Called with the ring's lock held.
 */
static void take_mapped_tail(struct ring *r)
{
	/* pairs with the reader's release: it is done with the slots */
	u64 t = smp_load_acquire(&r->ctl->tail);

	if (t - r->tail - 1 < r->head - r->tail) {
		clonegate_stat_add(delivered, t - r->tail);
		/* clonegate_dev_reserve() reads it without the lock */
		smp_store_release(&r->tail, t);
	}
}

/* Whether the ring is full, once a mapped reader's tail is taken. */
static bool ring_full(struct ring *r)
{
	bool full;

	spin_lock(&r->lock);
	take_mapped_tail(r);
	full = r->head - r->tail >= event_ring;
	spin_unlock(&r->lock);
	return full;
}

/**
 * clonegate_dev_reserve() - the slot the next record of this CPU goes in
 *
 * Called with preemption disabled, so "this CPU's ring" stays this CPU's
 * until clonegate_dev_commit(). The reader only ever frees slots, so a
 * slot free now stays free.
 *
 * Return: the slot to build the record in, or NULL if the ring is full
 * (the record is dropped and counted).
 */
struct clonegate_event *clonegate_dev_reserve(void)
{
	struct ring *r = this_cpu_ptr(&rings);

	clonegate_stat_inc(emitted);
	/* pairs with dev_read()'s release: the reader is done with the slot */
	if (r->head - smp_load_acquire(&r->tail) >= event_ring &&
	    ring_full(r)) {
		clonegate_stat_inc(dropped_ring_full);
		return NULL;
	}
	return &r->rec[r->head % event_ring];
}

/**
 * clonegate_dev_commit() - hand the record built in the slot to the reader
 *
 * The slot's contents stay as they are until this CPU reserves again: the
 * other channels may read the record from there.
 */
void clonegate_dev_commit(void)
{
	struct ring *r = this_cpu_ptr(&rings);
	u64 queued;

	spin_lock(&r->lock);
	queued = ++r->head - r->tail;
	/* the record is in the slot before a mapped reader sees the head */
	smp_store_release(&r->ctl->head, r->head);
	spin_unlock(&r->lock);
	if (!wq_has_sleeper(&readers))
		return;
	if (time_after(jiffies, READ_ONCE(last_wake) + 1) ||
	    queued >= event_ring / 4) {
		WRITE_ONCE(last_wake, jiffies);
		wake_up_interruptible(&readers);
	} else if (!timer_pending(&flush_timer)) {
		mod_timer(&flush_timer, jiffies + 1);
	}
}

/*
 * The ring whose oldest record has the lowest sequence number, or NULL if
 * every ring is empty. @bound is set to the lowest sequence number of the
 * other rings' oldest records (U64_MAX if they are empty): the ring's
 * records below it come before every other ring's. @queued to the records
 * in the ring.
 */
static struct ring *oldest_ring(u64 *bound, u64 *queued)
{
	struct ring *best = NULL;
	u64 best_seq = U64_MAX, next_seq = U64_MAX, seq;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		spin_lock(&r->lock);
		take_mapped_tail(r);
		if (r->head != r->tail) {
			seq = r->rec[r->tail % event_ring].seq;
			if (seq < best_seq) {
				next_seq = best_seq;
				best_seq = seq;
				best = r;
				*queued = r->head - r->tail;
			} else if (seq < next_seq) {
				next_seq = seq;
			}
		}
		spin_unlock(&r->lock);
	}
	*bound = next_seq;
	return best;
}

static bool pending(void)
{
	u64 bound, queued;

	return oldest_ring(&bound, &queued);
}

/*
 * One read() at a time takes records, straight from their slots: the slot
 * at a ring's tail is the reader's until the tail moves past it (a writer
 * reserves only below tail + event_ring), and only a read() moves tails.
 */
static DEFINE_MUTEX(read_lock);

/*
 * The records that fit in @count bytes, or -EAGAIN if there are none. The
 * records of one ring that come next in sequence and lie side by side go
 * in one copy.
 */
static ssize_t take_records(char __user *buf, size_t count)
{
	const size_t size = sizeof(struct clonegate_event);
	u64 bound, queued, first, n, max, left;
	size_t done = 0;
	struct ring *r;
	int err = -EAGAIN;

	if (mutex_lock_interruptible(&read_lock))
		return -ERESTARTSYS;
	while (count - done >= size && (r = oldest_ring(&bound, &queued))) {
		first = r->tail % event_ring;
		max = min3(queued, (u64)event_ring - first,
			   (u64)((count - done) / size));
		for (n = 1; n < max && r->rec[first + n].seq < bound; n++)
			;
		/* a record that cannot be copied whole stays for the next read() */
		left = copy_to_user(buf + done, &r->rec[first], n * size);
		if (left) {
			n -= DIV_ROUND_UP(left, size);
			err = -EFAULT;
		}
		spin_lock(&r->lock);
		/* the copy is done before a writer may reuse the slots */
		smp_store_release(&r->tail, r->tail + n);
		/* a mapped reader sees what read() took */
		WRITE_ONCE(r->ctl->tail, r->tail);
		spin_unlock(&r->lock);
		clonegate_stat_add(delivered, n);
		done += n * size;
		if (left)
			break;
	}
	mutex_unlock(&read_lock);
	return done ? done : err;
}

static ssize_t dev_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	ssize_t ret;
	int err;

	if (count < sizeof(struct clonegate_event))
		return -EINVAL;
	if (file->f_flags & O_NONBLOCK)
		return take_records(buf, count);
	/* another thread on the same file may take what woke this one */
	do {
		err = wait_event_interruptible(readers, pending());
		if (err)
			return err;
		ret = take_records(buf, count);
	} while (ret == -EAGAIN);
	return ret;
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
	int cpu;

	/*
	 * What a mapped reader took last counts as delivered, and a tail it
	 * left out of range goes: it would hand back records nobody read
	 * once the head passed it. No mapping is left to write another.
	 */
	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		spin_lock(&r->lock);
		take_mapped_tail(r);
		WRITE_ONCE(r->ctl->tail, r->tail);
		spin_unlock(&r->lock);
	}
	atomic_set(&reader_open, 0);
	return 0;
}

/*
 * The area, or part of it, shared. A mapping that takes in records is
 * read-only for good; the control pages alone may be written.
 */
static int dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long ctl_pages = layout.ctl_size >> PAGE_SHIFT;

	/* MAP_SHARED: a file opened read-only maps without VM_SHARED */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff + vma_pages(vma) > ctl_pages) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		clonegate_vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* -EINVAL for a mapping past the end of the area */
	return remap_vmalloc_range(vma, area, vma->vm_pgoff);
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.poll = dev_poll,
	.mmap = dev_mmap,
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
	struct clonegate_ring_ctl *ctl;
	int cpu;

	if (event_ring < 16 || event_ring > 65536) {
		pr_err("event_ring=%u: must be 16 to 65536\n", event_ring);
		return -EINVAL;
	}
	layout = (struct clonegate_map_header){
		.version = CLONEGATE_MAP_VERSION,
		.rings = nr_cpu_ids,
		.ring_records = event_ring,
		.record_size = sizeof(struct clonegate_event),
		.ctl_size = PAGE_ALIGN(sizeof(*ctl) * (nr_cpu_ids + 1)),
		.ring_stride = PAGE_ALIGN(sizeof(struct clonegate_event) *
					  event_ring),
	};
	layout.map_size = layout.ctl_size + layout.ring_stride * nr_cpu_ids;
	timer_setup(&flush_timer, flush, 0);
	/* zeroed, and each page of it fit to map */
	area = vmalloc_user(layout.map_size);
	if (!area)
		return -ENOMEM;
	memcpy(area, &layout, sizeof(layout));
	ctl = area;
	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		spin_lock_init(&r->lock);
		r->head = 0;
		r->tail = 0;
		r->ctl = &ctl[1 + cpu];
		r->rec = area + layout.ctl_size + layout.ring_stride * cpu;
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

	clonegate_timer_shutdown_sync(&flush_timer);
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&rings, cpu)->rec = NULL;
		per_cpu_ptr(&rings, cpu)->ctl = NULL;
	}
	vfree(area);
	area = NULL;
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
