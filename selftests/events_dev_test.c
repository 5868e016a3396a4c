// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel dev: /dev/clonegate and the records it hands
 * out (size, version, every field of version 2), root only, one reader,
 * whole records, poll, blocking reads, a flood with a stalled reader, the
 * order across CPUs; and clonegate-events, which reads it.
 */
#include "events_lib.h"

#include <linux/capability.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>

FIXTURE(dev) {
	struct ev_fixture f;
};

FIXTURE_SETUP(dev)
{
	ev_fixture_setup(_metadata, &self->f, 0);
}

FIXTURE_TEARDOWN(dev)
{
	ev_fixture_teardown(&self->f);
}

/* With "dev" out of events/channels nothing is queued or counted. */
TEST_F(dev, dev_channel_off_queues_nothing)
{
	const struct clonegate_event *e;
	struct evs all = {};
	long long emitted;

	ASSERT_EQ(0, ev_set("channels", "-dev"));
	emitted = ev_counter("emitted");
	ASSERT_LE(0, emitted);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(5)));
	EXPECT_EQ(emitted, ev_counter("emitted"));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(5), NULL));
	evs_free(&all);

	/* and on again: the next one is there, and counted */
	ASSERT_EQ(0, ev_set("channels", "+dev"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(6)));
	EXPECT_LE(emitted + 1, ev_counter("emitted"));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(6), &e));
	check_tag_deny(_metadata, e, TAG(6));
	evs_free(&all);
}

/* --- the records ---------------------------------------------------------- */

/*
 * A record is version 2, 808 bytes, for 64-bit and 32-bit readers alike,
 * laid out as Documentation/events.rst gives it, and so is every record
 * read; a buffer for one version 1 record (688 bytes) is too small.
 */
TEST_F(dev, records_are_version_2_of_808_bytes)
{
#define AT(f, off) { #f, offsetof(struct clonegate_event, f), off }
	static const struct {
		char name[32];
		size_t offset, want;
	} layout[] = {
		AT(size, 0), AT(version, 4), AT(op, 6), AT(seq, 8),
		AT(decision, 16), AT(mode, 18), AT(rule, 20), AT(ev_flags, 22),
		AT(errno_value, 24), AT(exit_signal, 28), AT(flags, 32),
		AT(rule_name, 40), AT(created_thread_id, 72),
		AT(created_thread_group_id, 76),
		AT(created_thread_start_time_ns, 80), AT(fields, 88),
		AT(thread_id, 92), AT(time_ns, 96),
		AT(thread_start_time_ns, 104),
		AT(thread_group_start_time_ns, 112), AT(thread_group_id, 120),
		AT(parent_thread_group_id, 124), AT(uid, 128), AT(euid, 132),
		AT(suid, 136), AT(gid, 140), AT(egid, 144), AT(sgid, 148),
		AT(cgroup_id, 152), AT(container_id, 160), AT(cwd, 416),
		AT(process_name, 672), AT(suppressed, 688), AT(ns_type, 692),
		AT(ns_inum, 696), AT(setns_form, 704), AT(reserved, 706),
		AT(scope, 708), AT(message, 741), AT(reserved2, 805),
	};
#undef AT
	static struct clonegate_event buf[8];
	static const uint8_t zero[3];
	ssize_t n;
	size_t i;
	int tagged = 0;

	EXPECT_EQ(2, CLONEGATE_EVENT_VERSION);
	EXPECT_EQ(EV_V2_SIZE, EV_SIZE);
	for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
		EXPECT_EQ(layout[i].want, layout[i].offset)
			TH_LOG("offset of %s", layout[i].name);

	ASSERT_EQ(-EINVAL, deny_tagged(TAG(24)));
	EXPECT_EQ(-1, read(self->f.fd, buf, 688));
	EXPECT_EQ(EINVAL, errno);
	n = read(self->f.fd, buf, sizeof(buf));
	ASSERT_LT(0, n) TH_LOG("read: %m");
	ASSERT_EQ(0, n % EV_V2_SIZE) TH_LOG("read %zd bytes", n);
	for (i = 0; i < n / EV_V2_SIZE; i++) {
		EXPECT_EQ(EV_V2_SIZE, buf[i].size);
		EXPECT_EQ(2, buf[i].version);
		EXPECT_EQ(0, buf[i].reserved);
		EXPECT_EQ(0, memcmp(buf[i].reserved2, zero, sizeof(zero)));
		tagged += is_tag(&buf[i], TAG(24));
	}
	EXPECT_EQ(1, tagged);
}

/*
 * The fields every record has, whatever context_fields holds: the verdict,
 * the deciding scope ("host" outside scopes), the records held back before
 * it, and for setns the type, inode and form of the namespace named. One
 * call of events_lib.h's ev2_case per variant.
 */
FIXTURE(dev_fields) {
	struct ev_fixture f;
};

FIXTURE_VARIANT(dev_fields) {
	enum ev2_case c;
};

FIXTURE_VARIANT_ADD(dev_fields, host) { EV2_HOST };
FIXTURE_VARIANT_ADD(dev_fields, setns_nsfd) { EV2_SETNS_NSFD };
FIXTURE_VARIANT_ADD(dev_fields, setns_pidfd) { EV2_SETNS_PIDFD };
FIXTURE_VARIANT_ADD(dev_fields, setns_pidfd_two_types) {
	EV2_SETNS_PIDFD_TWO
};
FIXTURE_VARIANT_ADD(dev_fields, suppressed) { EV2_SUPPRESSED };
FIXTURE_VARIANT_ADD(dev_fields, scope) { EV2_SCOPE };

FIXTURE_SETUP(dev_fields)
{
	const char *why = ev2_missing(variant->c);

	if (why)
		SKIP(_exit(255), "%s", why);
	ev_fixture_setup(_metadata, &self->f, 0);
}

FIXTURE_TEARDOWN(dev_fields)
{
	ev2_cleanup();
	ev_fixture_teardown(&self->f);
}

TEST_F(dev_fields, record_has_the_fields)
{
	static const uint8_t zero[3];
	struct clonegate_event e;
	struct ev_want w;

	ev2_run(_metadata, self->f.fd, variant->c, &w, &e);
	EXPECT_EQ(EV_SIZE, e.size);
	EXPECT_EQ(CLONEGATE_EVENT_VERSION, e.version);
	EXPECT_EQ(w.op, e.op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, e.decision);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, e.mode);
	EXPECT_EQ(w.rule, e.rule);
	EXPECT_STREQ(w.rule_name, e.rule_name);
	EXPECT_EQ(w.err, e.errno_value);
	EXPECT_EQ(w.flags, e.flags);
	EXPECT_EQ(w.exit_signal, e.exit_signal);
	EXPECT_EQ(0, e.ev_flags);
	EXPECT_EQ(0, e.created_thread_id);
	if (w.tgid)
		EXPECT_EQ(w.tgid, e.thread_group_id);
	EXPECT_STREQ(w.scope, e.scope);
	EXPECT_EQ(w.suppressed, e.suppressed);
	EXPECT_EQ(w.ns_type, e.ns_type);
	EXPECT_EQ(w.ns_inum, e.ns_inum);
	EXPECT_EQ(w.form, e.setns_form);
	EXPECT_EQ(0, e.reserved);
	EXPECT_STREQ("", e.message);
	EXPECT_EQ(0, memcmp(e.reserved2, zero, sizeof(zero)));
	/* strings end in NULs to the end of their fields */
	EXPECT_PADDED(&e, rule_name);
	EXPECT_PADDED(&e, container_id);
	EXPECT_PADDED(&e, cwd);
	EXPECT_PADDED(&e, process_name);
	EXPECT_PADDED(&e, scope);
	EXPECT_PADDED(&e, message);
}

/* --- the device ----------------------------------------------------------- */

struct timing {
	int done;		/* calls that returned -EINVAL */
	int64_t max_ns, total_ns;
};

static void deny_many(int n, int tag, struct timing *tm)
{
	int64_t t0, d;
	int i;

	memset(tm, 0, sizeof(*tm));
	for (i = 0; i < n; i++) {
		t0 = clock_ns(CLOCK_MONOTONIC);
		if (deny_tagged(tag) == -EINVAL)
			tm->done++;
		d = clock_ns(CLOCK_MONOTONIC) - t0;
		tm->total_ns += d;
		if (d > tm->max_ns)
			tm->max_ns = d;
	}
}

#define FLOOD_BASE 500
#define FLOOD 3000

/*
 * A reader that opened the device and stopped reading: the ring of the
 * caller's CPU fills, then records are dropped and counted, and no call
 * waits for the reader. Every record is either delivered or dropped.
 */
TEST_F(dev, flood_with_a_stalled_reader)
{
	long ring = read_param("event_ring");
	const struct clonegate_event *next;
	struct timing base, flood;
	struct counters c0, c1;
	struct evs all = {};
	cpu_set_t cpus;
	int pinned, i, mine = 0, others = 0, in_order = 1, tries;
	uint64_t first = 0, prev = 0, marker = 0;

	ASSERT_LT(0, ring);
	/* the device alone: a flood on the other channels is theirs */
	ASSERT_EQ(0, ev_set("channels", "dev"));
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	pinned = !sched_setaffinity(0, sizeof(cpus), &cpus);

	/* no reader at all */
	close(self->f.fd);
	self->f.fd = -1;
	deny_many(FLOOD_BASE, TAG(9), &base);

	/* a reader, with the rings empty and the counters still */
	self->f.fd = dev_open();
	ASSERT_LE(0, self->f.fd);
	for (tries = 0; tries < 10; tries++) {
		ev_drain(self->f.fd);
		ASSERT_EQ(0, counters_read(&c0));
		if (!ev_drain(self->f.fd))
			break;
	}
	ASSERT_LT(tries, 10);

	/* the first record of the flood: it must be kept, not overwritten */
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(30)));
	deny_many(FLOOD, TAG(10), &flood);

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(0, all.bad);
	for (i = 0; i < all.n; i++) {
		if (all.e[i].thread_group_id == getpid() &&
		    is_tag(&all.e[i], TAG(30))) {
			marker = all.e[i].seq;
			continue;
		}
		if (!is_tag(&all.e[i], TAG(10)) ||
		    all.e[i].thread_group_id != getpid()) {
			others++;
			continue;
		}
		if (!mine)
			first = all.e[i].seq;
		else if (all.e[i].seq <= prev)
			in_order = 0;
		prev = all.e[i].seq;
		mine++;
	}

	TH_LOG("ring %ld per CPU%s; %d calls after the first: %d of them delivered, %d records of others",
	       ring, pinned ? ", calls pinned to CPU 0" : "", FLOOD, mine,
	       others);
	TH_LOG("emitted +%lld, delivered +%lld, dropped/ring_full +%lld",
	       c1.emitted - c0.emitted, c1.delivered - c0.delivered,
	       c1.ring_full - c0.ring_full);
	TH_LOG("denied call latency without a reader: max %lld us, mean %lld us (%d calls)",
	       (long long)base.max_ns / 1000,
	       (long long)base.total_ns / FLOOD_BASE / 1000, FLOOD_BASE);
	TH_LOG("denied call latency, stalled reader:  max %lld us, mean %lld us (%d calls)",
	       (long long)flood.max_ns / 1000,
	       (long long)flood.total_ns / FLOOD / 1000, FLOOD);

	/* every call came back, denied: nothing waited for the reader */
	EXPECT_EQ(FLOOD_BASE, base.done);
	EXPECT_EQ(FLOOD, flood.done);
	/* every record offered was delivered or dropped, exactly */
	EXPECT_EQ(c1.emitted - c0.emitted,
		  (c1.delivered - c0.delivered) + (c1.ring_full - c0.ring_full));
	EXPECT_LE(FLOOD + 1, c1.emitted - c0.emitted);
	EXPECT_EQ(all.n, c1.delivered - c0.delivered);
	EXPECT_LT(0, c1.ring_full - c0.ring_full);
	EXPECT_TRUE(in_order);
	/* a full ring keeps its oldest records and drops the new ones */
	EXPECT_NE(0, marker) TH_LOG("the oldest record was lost");
	evs_free(&all);

	/* each record dropped took its number: the next one shows the gap */
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(11)));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(11), &next));
	EXPECT_LE(marker + mine + (c1.ring_full - c0.ring_full) + 1, next->seq)
		TH_LOG("after the flood: seq %llu", (unsigned long long)next->seq);
	if (pinned && !others) {
		EXPECT_EQ(ring - 1, mine);
		EXPECT_EQ(marker + 1, first);
		EXPECT_EQ(first + mine - 1, prev);
		EXPECT_EQ(FLOOD + 1 - ring, c1.ring_full - c0.ring_full);
	} else {
		EXPECT_LE(1, mine);
	}
	evs_free(&all);
}

struct pinned_caller {
	int cpu, tag, n, done;
	int *turn;	/* if set, whose call is next: the caller on CPU 0 or 1 */
};

static void *pinned_calls(void *arg)
{
	struct pinned_caller *p = arg;
	cpu_set_t cpus;
	int i;

	CPU_ZERO(&cpus);
	CPU_SET(p->cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	for (i = 0; i < p->n; i++) {
		while (p->turn &&
		       __atomic_load_n(p->turn, __ATOMIC_ACQUIRE) != p->cpu)
			sched_yield();
		if (deny_tagged(p->tag) == -EINVAL)
			p->done++;
		if (p->turn)
			__atomic_store_n(p->turn, !p->cpu, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Run both callers to their end: each makes all its calls. */
static void run_pinned(struct __test_metadata *_metadata,
		       struct pinned_caller p[2])
{
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pinned_calls, &p[i]));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(p[0].n, p[0].done);
	EXPECT_EQ(p[1].n, p[1].done);
}

struct live_reader {
	int fd, stop;
	struct evs got;
	int err;
};

/* Read while the calls are made: poll, read, until told to stop. */
static void *live_read(void *arg)
{
	static struct clonegate_event buf[16];
	struct live_reader *r = arg;
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	ssize_t n;
	int i;

	for (;;) {
		int stop = __atomic_load_n(&r->stop, __ATOMIC_SEQ_CST);

		poll(&p, 1, 10);
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN) {
			r->err = errno;
			break;
		}
		for (i = 0; n > 0 && i < n / (ssize_t)EV_SIZE; i++)
			evs_add(&r->got, &buf[i]);
		if (n < 0 && stop)
			break;
	}
	return NULL;
}

/* How many records of @l, anyone's, have a seq in [lo, hi]. */
static uint64_t seq_in(const struct evs *l, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < l->n; i++)
		n += l->e[i].seq >= lo && l->e[i].seq <= hi;
	return n;
}

/* Count ours of two tags, and how often a seq did not grow. */
static int seq_order(const struct evs *l, int tag0, int n[2], int *others,
		     uint64_t *lo, uint64_t *hi)
{
	uint64_t prev = 0;
	int i, inversions = 0;

	n[0] = n[1] = *others = 0;
	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < l->n; i++) {
		const struct clonegate_event *e = &l->e[i];
		int which = is_tag(e, tag0) ? 0 : is_tag(e, tag0 + 1) ? 1 : -1;

		if (which < 0 || e->thread_group_id != getpid()) {
			(*others)++;
			continue;
		}
		n[which]++;
		if (e->seq <= prev)
			inversions++;
		prev = e->seq;
		*lo = e->seq < *lo ? e->seq : *lo;
		*hi = e->seq > *hi ? e->seq : *hi;
	}
	return inversions;
}

/*
 * Records made on different CPUs are read in sequence order, none lost:
 * two threads on two CPUs, each fewer calls than a ring holds. Then the
 * same with a reader reading all along.
 */
TEST_F(dev, records_come_in_seq_order_across_cpus)
{
	struct pinned_caller p[2] = {
		{ 0, TAG(11), 100 }, { 1, TAG(12), 100 },
	};
	struct live_reader r = { .fd = self->f.fd };
	pthread_t reader;
	struct evs all = {};
	int n[2], others, inversions;
	uint64_t lo, hi;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no second ring to order against");
	ASSERT_LE(100, read_param("event_ring"));
	ASSERT_EQ(0, ev_set("channels", "dev"));
	run_pinned(_metadata, p);

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	inversions = seq_order(&all, TAG(11), n, &others, &lo, &hi);
	EXPECT_EQ(100, n[0]);
	EXPECT_EQ(100, n[1]);
	EXPECT_EQ(0, inversions);
	/* no gaps: every seq between ours is someone's record */
	EXPECT_LE(199, hi - lo);
	EXPECT_EQ(hi - lo + 1, seq_in(&all, lo, hi))
		TH_LOG("%d records of others", others);
	evs_free(&all);

	/* a reader all along: nothing lost, and how the order holds up */
	p[0].done = p[1].done = 0;
	ASSERT_EQ(0, pthread_create(&reader, NULL, live_read, &r));
	run_pinned(_metadata, p);
	__atomic_store_n(&r.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(reader, NULL);
	EXPECT_EQ(0, r.err);
	inversions = seq_order(&r.got, TAG(11), n, &others, &lo, &hi);
	EXPECT_EQ(100, n[0]);
	EXPECT_EQ(100, n[1]);
	EXPECT_LE(199, hi - lo);
	EXPECT_EQ(hi - lo + 1, seq_in(&r.got, lo, hi))
		TH_LOG("%d records of others", others);
	TH_LOG("read while written: %d records, %d out of seq order",
	       r.got.n, inversions);
	evs_free(&r.got);
}

/*
 * Records made on two CPUs in turn lie in two rings, every other sequence
 * number in each: a read takes them one ring after the other, record by
 * record, and a read with room for a few records stops at its room.
 */
TEST_F(dev, records_made_in_turn_on_two_cpus_are_read_in_turn)
{
	static struct clonegate_event buf[3];
	int turn = 0;
	struct pinned_caller p[2] = {
		{ 0, TAG(15), 100, 0, &turn }, { 1, TAG(16), 100, 0, &turn },
	};
	struct evs all = {};
	int i, n[2], others, inversions, reads = 0;
	uint64_t lo, hi;
	ssize_t got;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no second ring to order against");
	ASSERT_LE(100, read_param("event_ring"));
	ASSERT_EQ(0, ev_set("channels", "dev"));
	run_pinned(_metadata, p);

	while ((got = read(self->f.fd, buf, sizeof(buf))) > 0) {
		ASSERT_EQ(0, got % EV_SIZE);
		reads++;
		for (i = 0; i < got / (ssize_t)EV_SIZE; i++)
			evs_add(&all, &buf[i]);
	}
	EXPECT_EQ(EAGAIN, errno);
	inversions = seq_order(&all, TAG(15), n, &others, &lo, &hi);
	EXPECT_EQ(100, n[0]);
	EXPECT_EQ(100, n[1]);
	EXPECT_EQ(0, inversions);
	EXPECT_EQ(hi - lo + 1, seq_in(&all, lo, hi));
	/* three records a read at most */
	EXPECT_LE((all.n + 2) / 3, reads);
	/* and they did take turns: each tag's next record is the other's */
	for (i = 1; i < all.n; i++)
		if (is_tag(&all.e[i - 1], TAG(15)) &&
		    is_tag(&all.e[i], TAG(15)))
			break;
	EXPECT_EQ(all.n, i) TH_LOG("two records of CPU 0 in a row at %d", i);
	evs_free(&all);
}

/* Open the device in a child; exit 200 if it opened, else the errno. */
static int try_open(void *arg)
{
	int fd = dev_open();

	return fd >= 0 ? 200 : errno;
}

static int try_open_as_nobody(void *arg)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 100;
	return try_open(arg);
}

/* root, but without CAP_SYS_ADMIN: past the file mode, at the module */
static int try_open_without_sys_admin(void *arg)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	const int i = CAP_SYS_ADMIN / 32;
	const uint32_t bit = 1U << (CAP_SYS_ADMIN % 32);

	if (syscall(SYS_capget, &h, d))
		return 101;
	d[i].effective &= ~bit;
	d[i].permitted &= ~bit;
	d[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &h, d))
		return 102;
	return try_open(arg);
}

/* Only root, with CAP_SYS_ADMIN, may open the device. */
TEST_F(dev, only_root_may_open)
{
	int st;

	close(self->f.fd);
	self->f.fd = -1;
	st = cg_in_child(try_open_as_nobody, NULL);
	/* mode 0600 stops nobody at the file (EACCES), else the module */
	EXPECT_TRUE(st == EACCES || st == EPERM) TH_LOG("nobody: %d", st);
	EXPECT_EQ(EPERM, cg_in_child(try_open_without_sys_admin, NULL));
	/* and root may */
	EXPECT_EQ(200, cg_in_child(try_open, NULL));
}

/* One reader at a time; the device is free again once it is closed. */
TEST_F(dev, second_open_is_busy)
{
	int fd, opened[2];
	char ok = 0;
	pid_t pid;

	fd = dev_open();
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EBUSY, errno);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(EBUSY, cg_in_child(try_open, NULL));

	close(self->f.fd);
	self->f.fd = -1;
	/* a reader killed with the device open frees it */
	ASSERT_EQ(0, pipe(opened));
	pid = fork();
	if (pid == 0) {
		char ok = dev_open() >= 0;

		if (write(opened[1], &ok, 1) != 1 || !ok)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_LT(0, pid);
	close(opened[1]);
	ASSERT_EQ(1, read(opened[0], &ok, 1));
	close(opened[0]);
	ASSERT_TRUE(ok) TH_LOG("the child could not open the device");
	EXPECT_EQ(EBUSY, cg_in_child(try_open, NULL));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	self->f.fd = dev_open();
	ASSERT_LE(0, self->f.fd) TH_LOG("open: %s", strerror(errno));
}

/* read() takes whole records: a buffer too small for one is EINVAL. */
TEST_F(dev, reads_return_whole_records)
{
	static struct clonegate_event buf[2];
	char *b = (char *)buf;
	ssize_t n;

	ASSERT_EQ(-EINVAL, deny_tagged(TAG(13)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(14)));

	EXPECT_EQ(-1, read(self->f.fd, b, EV_SIZE - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->f.fd, b, 1));
	EXPECT_EQ(EINVAL, errno);
	n = read(self->f.fd, b, 0);
	EXPECT_TRUE(n == 0 || (n == -1 && errno == EINVAL)) TH_LOG("%zd", n);

	/* nothing was lost to them; one and a half records read one */
	n = read(self->f.fd, b, EV_SIZE + EV_SIZE / 2);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	EXPECT_TRUE(is_tag(&buf[0], TAG(13)));
	n = read(self->f.fd, b, 2 * EV_SIZE);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	EXPECT_TRUE(is_tag(&buf[0], TAG(14)));
	EXPECT_EQ(-1, read(self->f.fd, b, 2 * EV_SIZE));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * A buffer read() cannot write to loses no record: a read that copied
 * nothing fails with EFAULT, one that copied some returns their length,
 * and the record it could not copy whole is the next read's. None is
 * counted as dropped. Both records are in one ring, so the read copies
 * them in one go, and the fault falls in the middle of the second.
 */
TEST_F(dev, unwritable_buffer_loses_no_record)
{
	static struct clonegate_event buf[2];
	long page = sysconf(_SC_PAGESIZE);
	struct counters before, after;
	char *map, *edge;
	ssize_t n;

	ASSERT_EQ(0, pin_cpu0());
	/* writable pages, then one that is not */
	map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_EQ(0, mprotect(map + 2 * page, page, PROT_READ));
	/* room for one record and a half */
	edge = map + 2 * page - EV_SIZE - EV_SIZE / 2;
	ASSERT_EQ(0, counters_read(&before));

	ASSERT_EQ(-EINVAL, deny_tagged(TAG(22)));
	EXPECT_EQ(-1, read(self->f.fd, map + 2 * page, EV_SIZE));
	EXPECT_EQ(EFAULT, errno);

	/* room for a record and a half before the read-only page: one */
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(23)));
	n = read(self->f.fd, edge, 2 * EV_SIZE);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	memcpy(buf, edge, EV_SIZE);
	EXPECT_TRUE(is_tag(&buf[0], TAG(22)));

	n = read(self->f.fd, buf, 2 * EV_SIZE);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	EXPECT_TRUE(is_tag(&buf[0], TAG(23)));
	EXPECT_EQ(-1, read(self->f.fd, buf, 2 * EV_SIZE));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, counters_read(&after));
	EXPECT_EQ(before.ring_full, after.ring_full);
	EXPECT_EQ(before.delivered + 2, after.delivered);
	munmap(map, 3 * page);
}

/*
 * Records that run past the end of a ring's slots come out whole and in
 * order in one read(). Where the ring's next slot is is not known, so two
 * rounds of event_ring - 1 records, event_ring / 2 apart: at least one of
 * them wraps.
 */
TEST_F(dev, records_across_the_end_of_a_ring_are_read_whole)
{
	long i, round, ring = read_param("event_ring");
	struct clonegate_event *buf;
	uint64_t prev;
	ssize_t n;
	int mine;

	ASSERT_LE(16, ring);
	ASSERT_EQ(0, pin_cpu0());
	ASSERT_EQ(0, ev_set("channels", "dev"));
	/* room for twice as many: records of other CPUs' rings come between */
	buf = calloc(2 * ring, EV_SIZE);
	ASSERT_TRUE(buf != NULL);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ring - 1; i++)
			ASSERT_EQ(-EINVAL, deny_tagged(TAG(17)));
		n = read(self->f.fd, buf, 2 * ring * EV_SIZE);
		ASSERT_LT(0, n) TH_LOG("read: %s", strerror(errno));
		ASSERT_EQ(0, n % EV_SIZE);
		mine = 0;
		prev = 0;
		for (i = 0; i < n / (ssize_t)EV_SIZE; i++) {
			EXPECT_EQ(EV_SIZE, buf[i].size);
			EXPECT_LT(prev, buf[i].seq) TH_LOG("record %ld", i);
			prev = buf[i].seq;
			mine += is_tag(&buf[i], TAG(17));
		}
		EXPECT_EQ(ring - 1, mine) TH_LOG("round %ld", round);
		/* none lost: every seq from the first to the last was read */
		EXPECT_EQ(buf[n / EV_SIZE - 1].seq - buf[0].seq + 1,
			  (uint64_t)(n / EV_SIZE));
		for (i = 0; i < ring / 2; i++)
			ASSERT_EQ(-EINVAL, deny_tagged(TAG(18)));
		ASSERT_LE(ring / 2, ev_drain(self->f.fd));
	}
	free(buf);
}

/* poll() says POLLIN exactly when a record is queued. */
TEST_F(dev, poll_reports_pollin)
{
	struct pollfd p = { .fd = self->f.fd, .events = POLLIN };

	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(15)));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_EQ(1, ev_drain(self->f.fd));
	EXPECT_EQ(0, poll(&p, 1, 0));
}

struct blocked_read {
	int fd;
	ssize_t n;
	int err;	/* errno, when n is -1 */
	int cpu;	/* the reader's CPU, or -1 for any */
	pid_t tid;	/* the reader thread, once it runs */
	struct clonegate_event ev;
};

static void *blocking_reader(void *arg)
{
	struct blocked_read *b = arg;
	cpu_set_t set;
	ssize_t n;

	if (b->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(b->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	__atomic_store_n(&b->tid, cg_gettid(), __ATOMIC_SEQ_CST);
	n = read(b->fd, &b->ev, sizeof(b->ev));
	b->err = errno;
	__atomic_store_n(&b->n, n, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Waits up to 10 s for @t, then cancels it: 0, or the error of the wait. */
static int join_within_10s(pthread_t t)
{
	struct timespec deadline;
	int err;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	err = pthread_timedjoin_np(t, NULL, &deadline);
	if (err) {
		pthread_cancel(t);
		pthread_join(t, NULL);
	}
	return err;
}

/* A blocking read() sleeps until a record comes, then returns it. */
TEST_F(dev, blocking_read_wakes_up)
{
	struct blocked_read b = { .fd = self->f.fd, .n = -2, .cpu = -1 };
	pthread_t t;
	int err;

	ASSERT_EQ(0, fcntl(self->f.fd, F_SETFL, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocking_reader, &b));
	while (!__atomic_load_n(&b.tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	/* asleep in read(), with nothing to read */
	EXPECT_EQ(0, cg_wait_state(getpid(), b.tid, 'S', NULL));
	EXPECT_EQ(-2, __atomic_load_n(&b.n, __ATOMIC_SEQ_CST));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(16)));
	err = join_within_10s(t);
	fcntl(self->f.fd, F_SETFL, O_NONBLOCK);
	ASSERT_EQ(0, err) TH_LOG("the reader was not woken up");
	ASSERT_EQ((ssize_t)EV_SIZE, b.n);
	EXPECT_TRUE(is_tag(&b.ev, TAG(16)));
}

/*
 * Whether thread @tid of this process sleeps in the device's read() itself
 * (waiting for a record), not on the way in or out of it: by its kernel
 * stack (read() and no mutex), or where that cannot be read, its wchan
 * (5.10 reads wchan from frame pointers, which Debian's kernels lack).
 */
static bool asleep_for_records(pid_t tid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (cg_read(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')) ||
	    strncmp(p, ") S", 3))
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	if (cg_read(path, buf, sizeof(buf)) > 0)
		return strstr(buf, "dev_read+") && !strstr(buf, "mutex");
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	return cg_read(path, buf, sizeof(buf)) > 0 &&
	       !strncmp(buf, "dev_read", strlen("dev_read"));
}

static ssize_t read_result(struct blocked_read *b)
{
	return __atomic_load_n(&b->n, __ATOMIC_SEQ_CST);
}

/*
 * One round of two_blocked_readers_take_one_record_each: 0, or why not.
 * @b: two readers, not started
 */
static const char *two_readers_round(struct blocked_read *b)
{
	static char msg[128];
	const char *why = NULL;
	int i, k, first = -1, other;
	pthread_t t[2];

	for (k = 0; k < 2; k++) {
		if (pthread_create(&t[k], NULL, blocking_reader, &b[k]))
			return "pthread_create";
		while (!__atomic_load_n(&b[k].tid, __ATOMIC_SEQ_CST))
			usleep(1000);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < 1000 && !asleep_for_records(b[k].tid); i++)
			usleep(10000);
	for (k = 0; k < 2; k++)
		if (!asleep_for_records(b[k].tid))
			why = "a reader did not sleep in dev_read";
	if (!why && deny_tagged(TAG(25)) != -EINVAL)
		why = "the first call was not refused";
	for (i = 0; !why && i < 1000 && first < 0; i++) {
		for (k = 0; k < 2 && first < 0; k++)
			if (read_result(&b[k]) != -2)
				first = k;
		usleep(10000);
	}
	if (!why && first < 0)
		why = "no reader was woken up";
	other = first < 0 ? 0 : !first;
	/* the other one was woken too: it returns, or sleeps again */
	for (i = 0; !why && i < 1000 && read_result(&b[other]) == -2 &&
	     !asleep_for_records(b[other].tid); i++)
		usleep(10000);
	if (!why && read_result(&b[other]) != -2) {
		snprintf(msg, sizeof(msg),
			 "a reader returned %zd (%s) with nothing to read",
			 b[other].n, strerror(b[other].err));
		why = msg;
	}
	if (!why && deny_tagged(TAG(26)) != -EINVAL)
		why = "the second call was not refused";
	for (k = 0; k < 2; k++)
		if (join_within_10s(t[k]) && !why)
			why = "a reader was not woken up by the second record";
	if (!why && (b[first].n != (ssize_t)EV_SIZE ||
		     !is_tag(&b[first].ev, TAG(25)) ||
		     b[other].n != (ssize_t)EV_SIZE ||
		     !is_tag(&b[other].ev, TAG(26))))
		why = "the readers did not get one record each, in order";
	return why;
}

/*
 * Two threads asleep in read() on the same file, one on each CPU, and one
 * record: one takes it, and the other goes back to sleep (a blocking
 * read() does not return EAGAIN) until the next. Both wake at once, so
 * whether both see the record before one takes it is a race: many rounds.
 */
TEST_F(dev, two_blocked_readers_take_one_record_each)
{
	const int rounds = 200;
	struct blocked_read b[2];
	const char *why = NULL;
	int r, k;

	/* the debug lane's VM has one CPU */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: no two readers woken at once");
	ASSERT_EQ(0, fcntl(self->f.fd, F_SETFL, 0));
	for (r = 0; r < rounds && !why; r++) {
		memset(b, 0, sizeof(b));
		for (k = 0; k < 2; k++) {
			b[k].fd = self->f.fd;
			b[k].n = -2;
			b[k].cpu = k;
		}
		why = two_readers_round(b);
	}
	fcntl(self->f.fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(0, !!why) TH_LOG("round %d of %d: %s", r, rounds, why);
}

/* --- the user-space reader ------------------------------------------------ */

static int find_tool(char *out, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[1024], *save = NULL, *d;

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/bin:/sbin");
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/clonegate-events", d);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

struct run {
	pid_t pid;
	int out;
	char text[65536];
	size_t len;
	int status;
};

static int tool_start(struct run *r, const char *tool, uid_t uid,
		      const char *a1, const char *a2)
{
	int p[2];

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(99);
		execl(tool, tool, a1, a2, (char *)NULL);
		_exit(98);
	}
	close(p[1]);
	r->out = p[0];
	return 0;
}

/* Collect the output; kill the tool if it runs for longer than @ms. */
static void tool_wait(struct run *r, int ms)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	struct pollfd p = { .fd = r->out, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int64_t left = (end - clock_ns(CLOCK_MONOTONIC)) / 1000000;

		if (left <= 0 || poll(&p, 1, left) <= 0) {
			kill(r->pid, SIGKILL);
			break;
		}
		n = read(r->out, r->text + r->len,
			 sizeof(r->text) - 1 - r->len);
		if (n <= 0)
			break;
		r->len += n;
	}
	r->text[r->len] = '\0';
	close(r->out);
	waitpid(r->pid, &r->status, 0);
}

static int tool_run(struct run *r, const char *tool, uid_t uid,
		    const char *a1, const char *a2)
{
	if (tool_start(r, tool, uid, a1, a2))
		return -1;
	tool_wait(r, 20000);
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The whole line of @text that @p points into, copied out. */
/* The first line that has @needle, copied out, or NULL. */
static const char *line_with(const char *text, const char *needle,
			     char *out, size_t size)
{
	const char *p = strstr(text, needle);

	return p ? line_around(text, p, out, size) : NULL;
}

/*
 * clonegate-events prints each record as one line of JSON with seccheck's
 * names, escapes what it must, filters, counts, follows, and says why it
 * cannot open the device.
 */
TEST_F(dev, tool_prints_json_lines)
{
	char tool[512], want[128], line[4096], comm[16] = "";
	const char *p18, *p19;
	struct run r;
	int st;

	CG_NEED(!find_tool(tool, sizeof(tool)), return,
		"clonegate-events is not in PATH");

	/* while we hold the device, the tool cannot have it */
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(1, st);
	EXPECT_TRUE(strstr(r.text, "another reader") != NULL) TH_LOG("%s", r.text);

	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	ASSERT_EQ(0, prctl(PR_SET_NAME, "ev\"q\\x\t"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(17)));
	prctl(PR_SET_NAME, comm);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(18)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(19)));
	close(self->f.fd);
	self->f.fd = -1;

	/* --count=1 takes one record, and leaves the rest queued */
	st = tool_run(&r, tool, 0, "--count=1", NULL);
	EXPECT_EQ(0, st) TH_LOG("%s", r.text);
	EXPECT_EQ(1, count_lines(r.text)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(17));
	ASSERT_TRUE(line_with(r.text, want, line, sizeof(line)) != NULL)
		TH_LOG("%s", r.text);
	EXPECT_EQ('{', line[0]);
	EXPECT_EQ('}', line[strlen(line) - 1]);
	EXPECT_TRUE(strstr(line, "\"op\":\"clone3\",\"decision\":\"denied\",\"errno\":22,\"rule\":\"unsupported_flag\",\"mode\":\"enforce\",\"scope\":\"host\",\"flags\":\"0x2000000\",\"exit_signal\":") != NULL)
		TH_LOG("%s", line);
	/* no setns fields but for setns, no suppressed while 0 */
	EXPECT_TRUE(strstr(line, "\"setns_form\"") == NULL) TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"ns_type\"") == NULL) TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"suppressed\"") == NULL) TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"process_name\":\"ev\\\"q\\\\x\\t\"") != NULL)
		TH_LOG("%s", line);
	snprintf(want, sizeof(want), "\"thread_group_id\":%d,", getpid());
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("%s", line);
	snprintf(want, sizeof(want), "\"parent_thread_group_id\":%d}}",
		 getppid());
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"credentials\":{\"real_uid\":0,") != NULL);
	EXPECT_TRUE(strstr(line, "\"context_data\":{\"time_ns\":") != NULL);
	EXPECT_TRUE(strstr(line, "created_thread_id") == NULL);
	EXPECT_TRUE(strstr(line, "\"cwd\"") == NULL);

	/* the other two are still queued: the next run has them, in order */
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(0, st);
	EXPECT_EQ(2, count_lines(r.text)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(18));
	p18 = strstr(r.text, want);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(19));
	p19 = strstr(r.text, want);
	EXPECT_TRUE(p18 && p19 && p18 < p19) TH_LOG("%s", r.text);

	/* a filter that takes none of them consumes them all the same */
	self->f.fd = dev_open();
	ASSERT_LE(0, self->f.fd);
	ev_drain(self->f.fd);
	close(self->f.fd);
	self->f.fd = -1;
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(21)));
	st = tool_run(&r, tool, 0, "--decision=allowed,audited", NULL);
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, r.len) TH_LOG("%s", r.text);
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(0, st);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(21));
	EXPECT_TRUE(strstr(r.text, want) == NULL) TH_LOG("%s", r.text);

	/* --follow waits for the next record */
	ASSERT_EQ(0, tool_start(&r, tool, 0, "--follow", "--count=1"));
	/* asleep with the device open: nothing is queued for it yet */
	EXPECT_EQ(0, cg_wait_state(r.pid, r.pid, 'S', "/dev/clonegate"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(20)));
	tool_wait(&r, 10000);
	EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
		TH_LOG("status 0x%x: %s", r.status, r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(20));
	EXPECT_TRUE(strstr(r.text, want) != NULL) TH_LOG("%s", r.text);

	/* not root: a clear error */
	st = tool_run(&r, tool, 65534, NULL, NULL);
	EXPECT_EQ(1, st);
	EXPECT_TRUE(strstr(r.text, "needs root") != NULL) TH_LOG("%s", r.text);

	/* bad usage */
	EXPECT_EQ(2, tool_run(&r, tool, 0, "--decision=maybe", NULL));
	EXPECT_EQ(0, tool_run(&r, tool, 0, "--help", NULL));

	self->f.fd = dev_open();
	ASSERT_LE(0, self->f.fd);
}

TEST_HARNESS_MAIN
