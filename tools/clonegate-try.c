// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate-try: make one clone-family or unshare call and say what
 * happened. A preflight tool: run it under a policy to see what a workload
 * would meet.
 *
 *   clonegate-try fork
 *   clonegate-try clone3 newuser newnet
 *   clonegate-try unshare newcgroup
 *   clonegate-try clone --exit-signal=100
 *
 * The call is made in a child process, so unshare never changes the
 * caller. Exit status: 0 if the call succeeded, 1 if it failed, 2 on bad
 * usage.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../include/uapi/linux/clonegate.h"

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;

struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: clonegate-try fork|vfork|clone|clone3|unshare [FLAG...] [--exit-signal=N]\n"
		"FLAG: a clone flag name without CLONE_, lowercase (newuser, vm, ...)\n");
	return 2;
}

static int parse_flag(const char *name, uint64_t *flags)
{
	int i;

	for (i = 0; i < 64; i++)
		if (flag_names[i] && !strcmp(flag_names[i], name)) {
			*flags |= 1ULL << i;
			return 0;
		}
	fprintf(stderr, "clonegate-try: unknown flag '%s'\n", name);
	return -1;
}

/* Make the call; the child of a clone-family call exits at once. */
static long make_call(const char *op, uint64_t flags, int sig)
{
	struct clone_args_v2 args = { .flags = flags, .exit_signal = sig };
	long ret;

	if (!strcmp(op, "fork"))
		ret = syscall(__NR_fork);
	else if (!strcmp(op, "vfork"))
		ret = vfork();
	else if (!strcmp(op, "clone"))
		ret = syscall(__NR_clone, (unsigned long)flags | sig, 0, 0, 0, 0);
	else if (!strcmp(op, "clone3"))
		ret = syscall(__NR_clone3, &args, sizeof(args));
	else
		return syscall(__NR_unshare, (unsigned long)flags) ? -errno : 0;
	if (ret == 0)
		_exit(0);
	return ret < 0 ? -errno : ret;
}

int main(int argc, char **argv)
{
	uint64_t flags = 0;
	int sig = SIGCHLD, i, status;
	const char *op;
	long ret;
	pid_t pid;
	int fd[2];

	if (argc < 2)
		return usage();
	op = argv[1];
	if (strcmp(op, "fork") && strcmp(op, "vfork") && strcmp(op, "clone") &&
	    strcmp(op, "clone3") && strcmp(op, "unshare"))
		return usage();
	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--exit-signal=", 14))
			sig = atoi(argv[i] + 14);
		else if (parse_flag(argv[i], &flags))
			return 2;
	}
	/* clone-family calls with shared memory are not safe to try here */
	if (flags & ((1ULL << 8) | (1ULL << 16)) && strcmp(op, "unshare")) {
		fprintf(stderr, "clonegate-try: vm and thread are not tried\n");
		return 2;
	}
	if (pipe(fd))
		return 1;
	pid = fork();
	if (pid == 0) {
		ret = make_call(op, flags, sig);
		while (waitpid(-1, NULL, __WALL) > 0)
			;
		if (write(fd[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(3);
		_exit(0);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &ret, sizeof(ret)) != sizeof(ret)) {
		perror("clonegate-try");
		return 1;
	}
	waitpid(pid, &status, 0);

	printf("%s(", op);
	for (i = 0; i < 64; i++) {
		const char *c;

		if (!(flags & (1ULL << i)))
			continue;
		printf("%sCLONE_", flags & ((1ULL << i) - 1) ? "|" : "");
		for (c = flag_names[i]; *c; c++)
			putchar(toupper((unsigned char)*c));
	}
	if (sig != SIGCHLD && strcmp(op, "unshare"))
		printf(", exit_signal=%d", sig);
	printf(")");
	if (ret < 0)
		printf(" = -1 %s (%s)\n", strerrorname_np(-ret) ?: "?",
		       strerror(-ret));
	else
		printf(" = %ld\n", ret);
	return ret < 0;
}
