// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel dev mapped: /dev/clonegate's rings read where
 * the module writes them (mmap), as include/uapi/linux/clonegate.h and
 * Documentation/events.rst describe: the layout, the records, the room a
 * reader's tail frees, what counts as delivered, and what a reader cannot
 * do (write a record, map privately, move a tail out of its range).
 *
 * The calls are pinned to CPU 0, so their records are in ring 0; records
 * of other tasks may come between them, so a test looks for its tags.
 */
#include "events_lib.h"

#include <poll.h>
#include <sys/mman.h>

struct rings {
	struct clonegate_map_header h;
	struct clonegate_ring_ctl *ctl;	/* the control pages, writable */
	const char *all;		/* the whole area, read-only */
	size_t ctl_size, map_size;
};

static int map_rings(int fd, struct rings *m)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	/* the first page holds the header, and so does every layout */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	memcpy(&m->h, p, sizeof(m->h));
	munmap(p, page);
	m->ctl_size = m->h.ctl_size;
	m->map_size = m->h.map_size;
	p = mmap(NULL, m->ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->ctl = (struct clonegate_ring_ctl *)((char *)p + sizeof(m->h));
	p = mmap(NULL, m->map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		munmap((char *)m->ctl - sizeof(m->h), m->ctl_size);
		return -errno;
	}
	m->all = p;
	return 0;
}

static void unmap_rings(struct rings *m)
{
	munmap((char *)m->ctl - sizeof(m->h), m->ctl_size);
	munmap((void *)m->all, m->map_size);
}

static uint64_t head_of(struct rings *m, int ring)
{
	return __atomic_load_n(&m->ctl[ring].head, __ATOMIC_ACQUIRE);
}

static uint64_t tail_of(struct rings *m, int ring)
{
	return __atomic_load_n(&m->ctl[ring].tail, __ATOMIC_ACQUIRE);
}

static void set_tail(struct rings *m, int ring, uint64_t tail)
{
	__atomic_store_n(&m->ctl[ring].tail, tail, __ATOMIC_RELEASE);
}

static const struct clonegate_event *record(struct rings *m, int ring,
					    uint64_t n)
{
	return (const struct clonegate_event *)
		(m->all + m->h.ctl_size + ring * m->h.ring_stride +
		 (n % m->h.ring_records) * m->h.record_size);
}

/* The records of ring 0 from its tail to its head with @tag. */
static int count_tag(struct rings *m, int tag, const struct clonegate_event **e)
{
	uint64_t n, head = head_of(m, 0);
	int found = 0;

	for (n = tail_of(m, 0); n != head; n++) {
		if (is_tag(record(m, 0, n), tag)) {
			if (e)
				*e = record(m, 0, n);
			found++;
		}
	}
	return found;
}

/* The module looks at the tails: poll() without waiting. */
static void look(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	poll(&p, 1, 0);
}

FIXTURE(map) {
	struct ev_fixture f;
	struct rings m;
};

/* Writing a tail through a shared mapping takes a file open for writing. */
static int dev_open_rw(void)
{
	return open(DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

FIXTURE_SETUP(map)
{
	ev_fixture_setup(_metadata, &self->f, 0);
	close(self->f.fd);
	self->f.fd = dev_open_rw();
	ASSERT_LE(0, self->f.fd);
	ASSERT_EQ(0, pin_cpu0());
	/* the device alone, and nothing queued from before */
	ASSERT_EQ(0, ev_set("channels", "dev"));
	ev_drain(self->f.fd);
	ASSERT_EQ(0, map_rings(self->f.fd, &self->m))
		TH_LOG("mmap /dev/clonegate: %s", strerror(errno));
}

FIXTURE_TEARDOWN(map)
{
	unmap_rings(&self->m);
	ev_fixture_teardown(&self->f);
}

/*
 * The header: one ring per possible CPU, of event_ring records of the
 * size read() returns, page-aligned, and the area exactly that long.
 */
TEST_F(map, header_gives_the_layout)
{
	const struct clonegate_map_header *h = &self->m.h;
	long page = sysconf(_SC_PAGESIZE);

	EXPECT_EQ(CLONEGATE_MAP_VERSION, h->version);
	EXPECT_EQ(64, sizeof(*h));
	EXPECT_EQ(64, sizeof(struct clonegate_ring_ctl));
	EXPECT_LE(sysconf(_SC_NPROCESSORS_CONF), h->rings);
	EXPECT_EQ(read_param("event_ring"), h->ring_records);
	EXPECT_EQ(EV_SIZE, h->record_size);
	EXPECT_EQ(0, h->ctl_size % page);
	EXPECT_LE((1 + h->rings) * sizeof(struct clonegate_ring_ctl),
		  h->ctl_size);
	EXPECT_EQ(0, h->ring_stride % page);
	EXPECT_LE((uint64_t)h->ring_records * h->record_size, h->ring_stride);
	EXPECT_EQ(h->ctl_size + h->rings * h->ring_stride, h->map_size);
}

/*
 * A denied call's record is in its CPU's ring, between tail and head,
 * with the fields read() gives; a tail moved past it hands it back: read()
 * does not return it again, and it counts as delivered.
 */
TEST_F(map, records_are_read_in_place_and_handed_back)
{
	const struct clonegate_event *e = NULL;
	struct counters c0, c1;
	struct evs all = {};
	uint64_t head, tail;

	ASSERT_EQ(0, counters_read(&c0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(27)));
	head = head_of(&self->m, 0);
	tail = tail_of(&self->m, 0);
	ASSERT_LE(tail + 1, head);
	ASSERT_EQ(1, count_tag(&self->m, TAG(27), &e));
	check_tag_deny(_metadata, e, TAG(27));
	EXPECT_EQ(EV_SIZE, e->size);
	EXPECT_EQ(CLONEGATE_EVENT_VERSION, e->version);

	set_tail(&self->m, 0, head);
	look(self->f.fd);
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(head - tail, c1.delivered - c0.delivered);
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(27), NULL));
	evs_free(&all);
	/* every record offered was delivered or dropped, exactly */
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(c1.emitted - c0.emitted, (c1.delivered - c0.delivered) +
					   (c1.ring_full - c0.ring_full));
}

/*
 * read() takes from the same rings: what it took, the mapping's tail
 * shows, and the records are no longer between tail and head.
 */
TEST_F(map, read_moves_the_mapped_tail)
{
	struct evs all = {};

	ASSERT_EQ(-EINVAL, deny_tagged(TAG(28)));
	ASSERT_EQ(1, count_tag(&self->m, TAG(28), NULL));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(1, evs_count_tag(&all, TAG(28), NULL));
	evs_free(&all);
	EXPECT_EQ(head_of(&self->m, 0), tail_of(&self->m, 0));
	EXPECT_EQ(0, count_tag(&self->m, TAG(28), NULL));
}

/*
 * A ring whose reader hands back what it read never fills: three rings'
 * worth of calls, the tail moved every quarter ring, drop nothing. The
 * same ring not handed back fills, and drops the rest.
 */
TEST_F(map, a_tail_handed_back_frees_room)
{
	long i, seen = 0, ring = self->m.h.ring_records;
	struct counters c0, c1, c2;
	uint64_t head;

	ASSERT_EQ(0, counters_read(&c0));
	for (i = 0; i < 3 * ring; i++) {
		ASSERT_EQ(-EINVAL, deny_tagged(TAG(29)));
		if (i % (ring / 4) == ring / 4 - 1) {
			head = head_of(&self->m, 0);
			seen += count_tag(&self->m, TAG(29), NULL);
			set_tail(&self->m, 0, head);
		}
	}
	look(self->f.fd);
	ASSERT_EQ(0, counters_read(&c1));
	/* none of ring 0's was dropped (other rings are not read here) */
	EXPECT_EQ(3 * ring, seen);
	EXPECT_LE(3 * ring, c1.delivered - c0.delivered);

	for (i = 0; i < ring + 5; i++)
		ASSERT_EQ(-EINVAL, deny_tagged(TAG(29)));
	ASSERT_EQ(0, counters_read(&c2));
	EXPECT_LE(5, c2.ring_full - c1.ring_full);
	EXPECT_EQ(ring, head_of(&self->m, 0) - tail_of(&self->m, 0));
	EXPECT_LE(1, count_tag(&self->m, TAG(29), NULL));
}

/*
 * A tail past the head, or behind the tail, is ignored: no record is
 * lost or counted as delivered, and read() returns them all. One left
 * past the head by a reader that went is gone for the next: the head
 * passing it hands back nothing.
 */
TEST_F(map, a_tail_out_of_range_is_ignored)
{
	struct counters c0, c1;
	struct evs all = {};
	uint64_t tail;

	ASSERT_EQ(0, counters_read(&c0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(7)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(7)));
	tail = tail_of(&self->m, 0);
	set_tail(&self->m, 0, head_of(&self->m, 0) + 1);
	look(self->f.fd);
	set_tail(&self->m, 0, tail - 1);
	look(self->f.fd);
	set_tail(&self->m, 0, UINT64_MAX);
	look(self->f.fd);
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(c0.delivered, c1.delivered);
	EXPECT_EQ(c0.ring_full, c1.ring_full);
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(2, evs_count_tag(&all, TAG(7), NULL));
	evs_free(&all);

	set_tail(&self->m, 0, head_of(&self->m, 0) + 1);
	unmap_rings(&self->m);
	close(self->f.fd);
	self->f.fd = dev_open_rw();
	ASSERT_LE(0, self->f.fd);
	ASSERT_EQ(0, map_rings(self->f.fd, &self->m));
	EXPECT_EQ(head_of(&self->m, 0), tail_of(&self->m, 0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(7)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(7)));
	look(self->f.fd);
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(2, evs_count_tag(&all, TAG(7), NULL));
	evs_free(&all);
}

/*
 * What a reader took and handed back just before it went counts as
 * delivered once the file is closed, without a poll() or read() between.
 */
TEST_F(map, closing_counts_what_was_handed_back)
{
	struct counters c0, c1;
	uint64_t head, tail;

	ASSERT_EQ(0, counters_read(&c0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(8)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(8)));
	tail = tail_of(&self->m, 0);
	head = head_of(&self->m, 0);
	set_tail(&self->m, 0, head);
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(c0.delivered, c1.delivered) TH_LOG("counted before a look");

	/* the mappings hold the file open too */
	unmap_rings(&self->m);
	close(self->f.fd);
	self->f.fd = -1;
	ASSERT_EQ(0, counters_read(&c1));
	EXPECT_EQ(head - tail, c1.delivered - c0.delivered);
	/* and for the teardown */
	self->f.fd = dev_open_rw();
	ASSERT_LE(0, self->f.fd);
	ASSERT_EQ(0, map_rings(self->f.fd, &self->m));
}

/*
 * A mapping holds the device open: with the file closed and the rings
 * still mapped, another open() is refused (EBUSY), as for an open
 * reader; once they are unmapped, it succeeds.
 */
TEST_F(map, a_mapping_holds_the_device_open)
{
	int fd;

	close(self->f.fd);
	self->f.fd = -1;
	fd = dev_open_rw();
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EBUSY, errno);
	if (fd >= 0)
		close(fd);
	unmap_rings(&self->m);
	self->f.fd = dev_open_rw();
	ASSERT_LE(0, self->f.fd) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, map_rings(self->f.fd, &self->m));
}

/*
 * Records are mapped read-only, and only shared: a writable mapping of
 * them, a later mprotect() to writable, a private mapping and one past
 * the end of the area all fail. The control pages alone may be written.
 */
TEST_F(map, records_cannot_be_mapped_writable)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = self->m.map_size;
	int fd = self->f.fd;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 self->m.ctl_size);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, size);

	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size + page, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, size);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, self->m.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	munmap(p, self->m.ctl_size);
}

/*
 * A reader that opened the device read-only maps it read-only: the
 * records, but no tail to write (EACCES, the kernel's rule for shared
 * mappings), and read() to take them.
 */
TEST_F(map, a_read_only_open_maps_read_only)
{
	size_t size = self->m.map_size;
	struct evs all = {};
	void *p;

	unmap_rings(&self->m);
	close(self->f.fd);
	self->f.fd = dev_open();
	ASSERT_LE(0, self->f.fd);
	p = mmap(NULL, self->m.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->f.fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->f.fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	/* the control pages are in it too, read-only */
	self->m.all = p;
	self->m.ctl = (struct clonegate_ring_ctl *)
		((char *)p + sizeof(self->m.h));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(7)));
	EXPECT_EQ(1, count_tag(&self->m, TAG(7), NULL));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(1, evs_count_tag(&all, TAG(7), NULL));
	evs_free(&all);
	EXPECT_EQ(0, count_tag(&self->m, TAG(7), NULL));
	munmap(p, size);
	close(self->f.fd);
	self->f.fd = dev_open_rw();
	ASSERT_LE(0, self->f.fd);
	ASSERT_EQ(0, map_rings(self->f.fd, &self->m));
}

TEST_HARNESS_MAIN
