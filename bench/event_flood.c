// SPDX-License-Identifier: GPL-2.0
/*
 * event_flood: the throughput of /dev/clonegate, and a plain reader.
 *
 *   event_flood read         read records until SIGTERM; print the count
 *   event_flood map          the same, from the rings mapped (mmap)
 *   event_flood flood N [map]
 *                            a reader (read(), or mapped), and N denied
 *                            clone3 calls; then wait for the reader to
 *                            drain the rings
 *
 * The reader takes whole batches of records and looks at nothing but
 * their size: what it costs is the device's, not a consumer's. A mapped
 * reader takes what each ring holds, hands it back by its tail, and waits
 * in poll() when every ring is empty. In read and map mode it runs under
 * SCHED_FIFO, above clone_bench: woken by a record,
 * it takes it at once, every time, as a reader on a CPU of its own would;
 * under the fair scheduler it did so in some runs and not in others.
 *
 * flood makes one call and waits until the reader took its record (a
 * reader not yet running would see the first rings' worth dropped), then
 * makes its calls in bursts of a quarter of a ring and yields the
 * CPU after each, so that on a machine of one CPU the reader gets to run
 * before the ring is full, as it would on a CPU of its own. It prints
 *
 *   events calls N emitted E delivered D dropped X ns T per_s R
 *
 * (events_map with the mapped reader)
 * where E, D and X are the changes of events/emitted, events/delivered
 * and events/dropped/ring_full, T the time from the first call until the
 * rings were drained, and R the records delivered per second of it. It
 * starts only with the rings empty (emitted = delivered + dropped), and
 * fails if they are not so again at the end (a record lost without being
 * counted), or if fewer than N records were emitted (the rate limit or
 * the policy held some back: the lane sets events/ratelimit to 0 and
 * enforce first).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/uapi/linux/clonegate.h"

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

#define CG "/sys/kernel/clonegate/events/"
#define BATCH 64
/* calls between two yields: a quarter of the default ring */
#define BURST 64

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t counter(const char *name)
{
	char path[128];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), CG "%s", name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &v) != 1)
		die(path);
	fclose(f);
	return v;
}

/* Read until told to stop; the number of records read. */
static uint64_t reader(int fd)
{
	static struct clonegate_event buf[BATCH];
	struct sigaction sa = { .sa_handler = on_term };
	uint64_t records = 0;

	/* no SA_RESTART: SIGTERM ends a blocking read */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read /dev/clonegate");
		if (n % sizeof(buf[0]) || buf[0].size != sizeof(buf[0])) {
			fprintf(stderr, "a short or foreign record\n");
			exit(1);
		}
		records += n / sizeof(buf[0]);
	}
	return records;
}

static void *map(int fd, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap /dev/clonegate");
	return p;
}

/* Take records from the mapped rings until told to stop; how many. */
static uint64_t map_reader(int fd)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	const struct clonegate_map_header *h;
	struct clonegate_ring_ctl *ctl;
	uint64_t records = 0, got, n, head;
	const char *all;
	unsigned int i;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	h = map(fd, sysconf(_SC_PAGESIZE), PROT_READ);
	ctl = (struct clonegate_ring_ctl *)
		((char *)map(fd, h->ctl_size, PROT_READ | PROT_WRITE) +
		 sizeof(*h));
	all = map(fd, h->map_size, PROT_READ);
	while (!stop) {
		got = 0;
		for (i = 0; i < h->rings; i++) {
			head = __atomic_load_n(&ctl[i].head, __ATOMIC_ACQUIRE);
			for (n = ctl[i].tail; n != head; n++) {
				const struct clonegate_event *e = (const void *)
					(all + h->ctl_size + i * h->ring_stride +
					 (n % h->ring_records) * h->record_size);

				if (e->size != sizeof(*e)) {
					fprintf(stderr, "a foreign record\n");
					exit(1);
				}
				got++;
			}
			__atomic_store_n(&ctl[i].tail, head, __ATOMIC_RELEASE);
		}
		records += got;
		if (!got && poll(&p, 1, -1) < 0 && errno != EINTR)
			die("poll /dev/clonegate");
	}
	return records;
}

/* read and write: a mapped reader writes its tails through the mapping */
static int open_device(void)
{
	int fd = open("/dev/clonegate", O_RDWR);

	if (fd < 0)
		die("/dev/clonegate");
	return fd;
}

/* refused by clonegate under enforce (sighand_without_vm) */
static void denied_clone3(void)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
		uint64_t stack, stack_size, tls;
	} args = { .flags = 0x800 /* CLONE_SIGHAND */, .exit_signal = SIGCHLD };

	if (syscall(__NR_clone3, &args, sizeof(args)) >= 0) {
		fprintf(stderr, "clone3(CLONE_SIGHAND) was not refused\n");
		exit(1);
	}
}

/* Wait until the reader took everything queued; whether it did. */
static int drained(uint64_t *e, uint64_t *d, uint64_t *x)
{
	long i;

	for (i = 0; i < 100000; i++) {
		*e = counter("emitted");
		*d = counter("delivered");
		*x = counter("dropped/ring_full");
		if (*e == *d + *x)
			return 1;
		sched_yield();
	}
	return 0;
}

static int flood(long calls, int mapped)
{
	uint64_t e0, d0, x0, e, d, x, t0, t;
	pid_t child;
	int fd, status, ok;
	long i;

	fd = open_device();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (mapped)
			map_reader(fd);
		else
			reader(fd);
		_exit(0);
	}
	close(fd);
	/* one record first, taken before the flood: the reader is running */
	denied_clone3();
	if (!drained(&e0, &d0, &x0)) {
		fprintf(stderr, "records queued before the flood never drained\n");
		kill(child, SIGTERM);
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		denied_clone3();
		if (i % BURST == BURST - 1)
			sched_yield();
	}
	ok = drained(&e, &d, &x);
	t = now_ns() - t0;
	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	e -= e0;
	d -= d0;
	x -= x0;
	printf("%s calls %ld emitted %llu delivered %llu dropped %llu ns %llu per_s %llu\n",
	       mapped ? "events_map" : "events", calls,
	       (unsigned long long)e, (unsigned long long)d,
	       (unsigned long long)x, (unsigned long long)t,
	       (unsigned long long)(d * 1000000000ull / (t ? t : 1)));
	if (!ok) {
		printf("# emitted != delivered + dropped: %lld records unaccounted for\n",
		       (long long)(e - d - x));
		return 1;
	}
	if (e < (uint64_t)calls) {
		printf("# only %llu records for %ld denied calls\n",
		       (unsigned long long)e, calls);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "read") || !strcmp(argv[1], "map"))) {
		struct sched_param sp = { .sched_priority = 2 };
		uint64_t n;

		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			die("sched_setscheduler");
		if (!strcmp(argv[1], "map"))
			n = map_reader(open_device());
		else
			n = reader(open_device());

		printf("# reader: %llu records\n", (unsigned long long)n);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "flood"))
		return flood(atol(argv[2]), 0);
	if (argc == 4 && !strcmp(argv[1], "flood") && !strcmp(argv[3], "map"))
		return flood(atol(argv[2]), 1);
	fprintf(stderr, "usage: event_flood read | map | flood N [map]\n");
	return 2;
}
