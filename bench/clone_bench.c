// SPDX-License-Identifier: GPL-2.0
/*
 * clone_bench: what one call costs in the configuration the VM is in now.
 *
 *   clone_bench [--seccomp] [--batches=N] [--only=CALL,...] CONFIG ROUND
 *
 * For each call below it runs BATCHES batches of a fixed number of calls
 * and prints one line
 *
 *   bench CONFIG ROUND CALL NS_PER_CALL MIN MAX
 *
 * with the median over the batches of the time per call in a batch, and
 * the least and greatest batch. A batch is long enough that what a call
 * costs now and then (a reader woken, an RCU callback) is spread over it;
 * the median over batches drops the batch that a rare event hit (a timer
 * tick at the wrong moment, a kworker). vm/lane-bench.sh runs this once
 * per configuration and round; bench/report.py turns the lines into
 * ratios.
 *
 * Forks and threads are timed under SCHED_FIFO (the lane lifts the
 * real-time throttle): the parent then always runs on to waitpid() or
 * pthread_join() before the child runs. Under the fair scheduler whether
 * a new task preempts its parent depends on what ran before, and a run
 * whose children preempted more often cost up to 5 % more per thread.
 *
 * Under QEMU's instruction counting (-icount shift=0) the guest's clock
 * advances one nanosecond per instruction executed, so NS_PER_CALL counts
 * instructions; without it, it is time.
 *
 * --seccomp installs, before anything is timed, a seccomp filter that makes
 * the check the gvisor profile's flags make, as a container runtime writes
 * it: clone and unshare fail with EPERM when they ask for a flag outside
 * gVisor's sets, clone3 fails with ENOSYS (its flags are in user memory,
 * which a filter cannot read; glibc then falls back to clone), and every
 * other call is allowed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/uapi/linux/clonegate.h"

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* --- the calls ---------------------------------------------------------- */

/* glibc's fork(): clone(SIGCHLD | CLONE_CHILD_*), as programs make it */
static void do_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		die("fork");
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* glibc's pthread_create(): clone3, or clone where clone3 says ENOSYS */
static void do_thread(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_fn, NULL) || pthread_join(t, NULL))
		die("pthread");
}

static void do_unshare(void)
{
	syscall(__NR_unshare, 0);
}

/*
 * clone3(CLONE_SIGHAND) without CLONE_VM: refused in every configuration,
 * by Linux itself (copy_process(), EINVAL) where nothing refuses it first,
 * by clonegate at kernel_clone() under enforce (rule sighand_without_vm,
 * EINVAL), by the seccomp filter at syscall entry (ENOSYS). So its
 * baseline is a refused call too, and the ratio says what the refusal
 * costs in each configuration.
 */
static void do_denied_clone3(void)
{
	struct clone_args_v0 args = {
		.flags = CLONE_SIGHAND, .exit_signal = SIGCHLD,
	};
	long pid = syscall(__NR_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		fprintf(stderr, "clone3(CLONE_SIGHAND) was not refused\n");
		waitpid(pid, NULL, 0);
		exit(1);
	}
}

static void do_getppid(void)
{
	syscall(__NR_getppid);
}

struct bench {
	const char *name;
	void (*fn)(void);
	int fifo;	/* timed under SCHED_FIFO */
	/*
	 * calls per batch: a batch of forks or threads spans a timer tick
	 * or more (4 ms at 1 ns an instruction), so every batch carries its
	 * share of ticks; a cheap call's batch rarely sees one at all
	 */
	int batch;
};

static const struct bench benches[] = {
	{ "fork", do_fork, 1, 16 },
	{ "thread", do_thread, 1, 32 },
	{ "unshare0", do_unshare, 0, 256 },
	{ "denied_clone3", do_denied_clone3, 0, 128 },
	{ "getppid", do_getppid, 0, 256 },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/* --- the seccomp filter ------------------------------------------------- */

/* gVisor's SupportedCloneFlags and the flags its Task.Unshare handles */
#define GVISOR_CLONE_FLAGS	CLONEGATE_GVISOR_CLONE_FLAGS
#define GVISOR_UNSHARE_FLAGS	CLONEGATE_GVISOR_UNSHARE_FLAGS
/* the exit signal is in clone's low byte, not a flag */
#define CSIGNAL_BITS 0xff

#define ARG0_LO offsetof(struct seccomp_data, args[0])
#define ARG0_HI (offsetof(struct seccomp_data, args[0]) + 4)
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

/*
 * As libseccomp compiles a masked 64-bit comparison (both halves of the
 * argument), for the smallest rule set that holds the flag check: the
 * architecture, then the three calls it is about, everything else allowed.
 */
static void install_seccomp(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		RET(SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 8, 0),
		RET(SECCOMP_RET_ALLOW),
		/* clone: arg0 & ~allowed == 0 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		RET(SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
			 ~(uint32_t)(GVISOR_CLONE_FLAGS | CSIGNAL_BITS), 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
		/* unshare: the same, with its own set */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		RET(SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
			 ~(uint32_t)GVISOR_UNSHARE_FLAGS, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]), .filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS");
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("seccomp");
	/* the filter must refuse what it is meant to, or it measures nothing */
	if (syscall(__NR_unshare, CLONE_NEWCGROUP) != -1 || errno != EPERM)
		die("seccomp filter lets unshare(CLONE_NEWCGROUP) through");
}

/* --- timing ------------------------------------------------------------- */

static void set_fifo(int on)
{
	struct sched_param sp = { .sched_priority = on ? 1 : 0 };

	if (sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp))
		die("sched_setscheduler");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int batches = 9, seccomp = 0, i, b, n;
	const char *config, *round, *only = NULL;
	uint64_t *per;
	size_t k;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--seccomp"))
			seccomp = 1;
		else if (!strncmp(argv[i], "--batches=", 10))
			batches = atoi(argv[i] + 10);
		else if (!strncmp(argv[i], "--only=", 7))
			only = argv[i] + 7;
		else
			break;
	}
	if (argc - i != 2 || batches < 1) {
		fprintf(stderr,
			"usage: clone_bench [--seccomp] [--batches=N] [--only=CALL,...] CONFIG ROUND\n");
		return 2;
	}
	config = argv[i];
	round = argv[i + 1];
	per = calloc(batches, sizeof(*per));
	if (!per)
		die("calloc");
	if (seccomp)
		install_seccomp();

	for (k = 0; k < NBENCH; k++) {
		const struct bench *bn = &benches[k];
		size_t len = strlen(bn->name);
		const char *at;

		for (at = only; at; at = strchr(at, ','), at = at ? at + 1 : NULL)
			if (!strncmp(at, bn->name, len) &&
			    (at[len] == ',' || !at[len]))
				break;
		if (only && !at)
			continue;
		set_fifo(bn->fifo);
		/* one batch to warm up: first-use faults and allocations */
		for (n = 0; n < bn->batch; n++)
			bn->fn();
		for (b = 0; b < batches; b++) {
			uint64_t t0 = now_ns();

			for (n = 0; n < bn->batch; n++)
				bn->fn();
			per[b] = (now_ns() - t0) * 100 / bn->batch;
		}
		qsort(per, batches, sizeof(*per), cmp_u64);
		/* hundredths of a ns: a ratio of two counts needs the digits */
		printf("bench %s %s %s %llu.%02llu %llu.%02llu %llu.%02llu\n",
		       config, round, bn->name,
		       (unsigned long long)per[batches / 2] / 100,
		       (unsigned long long)per[batches / 2] % 100,
		       (unsigned long long)per[0] / 100,
		       (unsigned long long)per[0] % 100,
		       (unsigned long long)per[batches - 1] / 100,
		       (unsigned long long)per[batches - 1] % 100);
		fflush(stdout);
	}
	return 0;
}
