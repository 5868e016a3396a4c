// SPDX-License-Identifier: GPL-2.0
/*
 * clone_bench: the cost clonegate adds to clone-family and unshare calls.
 *
 * Times a batch of each call in the current configuration and prints
 * nanoseconds per call. vm/lane-bench.sh runs it without the module
 * (the baseline) and under several policies in the same boot, and prints
 * each as a ratio to the baseline.
 *
 *   clone_bench LABEL [ITERATIONS]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static void do_fork(void)
{
	pid_t pid = syscall(__NR_fork);

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void do_clone3(void)
{
	struct clone_args_v0 args = { .exit_signal = SIGCHLD };
	pid_t pid = syscall(__NR_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

/* A call clonegate denies under gvisor + enforce: no child is made. */
static void do_denied_clone3(void)
{
	struct clone_args_v0 args = {
		.flags = CLONE_NEWCGROUP, .exit_signal = SIGCHLD
	};
	pid_t pid = syscall(__NR_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void do_unshare(void)
{
	syscall(__NR_unshare, 0);
}

struct bench {
	const char *name;
	void (*fn)(void);
	int scale;	/* cheap calls run this many times more */
};

static const struct bench benches[] = {
	{ "fork", do_fork, 1 },
	{ "clone3", do_clone3, 1 },
	{ "clone3_newcgroup", do_denied_clone3, 1 },
	{ "unshare_0", do_unshare, 20 },
};

int main(int argc, char **argv)
{
	const char *label = argc > 1 ? argv[1] : "run";
	int iters = argc > 2 ? atoi(argv[2]) : 300;
	size_t b;

	for (b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		int n = iters * benches[b].scale, i, round;
		uint64_t best = UINT64_MAX;

		/* best of three rounds: the least disturbed by the host */
		for (round = 0; round < 3; round++) {
			uint64_t t0 = now_ns(), dt;

			for (i = 0; i < n; i++)
				benches[b].fn();
			dt = (now_ns() - t0) / n;
			if (dt < best)
				best = dt;
		}
		printf("bench %s %s %llu\n", label, benches[b].name,
		       (unsigned long long)best);
	}
	return 0;
}
