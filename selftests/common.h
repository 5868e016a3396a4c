/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What clonegate's selftests share: sysfs access, raw clone-family calls
 * whose children exit at once, and checks that a call created nothing.
 */
#ifndef CLONEGATE_SELFTEST_COMMON_H
#define CLONEGATE_SELFTEST_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define CLONE_CLEAR_SIGHAND_ 0x100000000ULL
#define CLONE_INTO_CGROUP_ 0x200000000ULL

#include "../include/uapi/linux/clonegate.h"

#define CG "/sys/kernel/clonegate/"

/* The module's names, from the uapi header's tables. */
#define CG_NAME_(n, id, name) [n] = #name,
static const char *const cg_rule_names[] __attribute__((unused)) = {
	CLONEGATE_RULES(CG_NAME_)
};
#undef CG_NAME_
#define CG_N_RULES (sizeof(cg_rule_names) / sizeof(cg_rule_names[0]))

/* struct clone_args of linux/sched.h, VER2 (88 bytes) */
struct cg_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

/* Read a sysfs file into buf; returns its length or -errno. */
static inline int cg_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Write len bytes in one write(); returns 0 or -errno. */
static inline int cg_write_n(const char *path, const char *val, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

static inline int cg_write(const char *path, const char *val)
{
	return cg_write_n(path, val, strlen(val));
}

/* The counter in the file at @path, or -1 if unreadable. */
static inline long long cg_counter(const char *path)
{
	char buf[64];

	if (cg_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* A counter under stats/ (name relative to it), or -1 if unreadable. */
static inline long long cg_stat(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), CG "stats/%s", name);
	return cg_counter(path);
}

static inline long long cg_rule_hits(const char *rule)
{
	char name[128];

	snprintf(name, sizeof(name), "rules/%s", rule);
	return cg_stat(name);
}

/* Set mode and profile for a test; returns 0 or -errno. */
static inline int cg_policy(const char *profile, const char *mode)
{
	int err = cg_write(CG "profile", profile);

	return err ? err : cg_write(CG "mode", mode);
}

static inline int cg_loaded(void)
{
	return access(CG "version", R_OK) == 0;
}

/*
 * Raw clone and clone3 whose child exits at once, in assembly: the child
 * never touches the stack, so any flag combination is safe to try (shared
 * memory, a thread, no stack at all). Return what the syscall returned in
 * the parent: a tid, or -errno.
 */
#if defined(__x86_64__)
static inline long cg_raw_clone3(struct cg_clone_args *args, size_t size)
{
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov $60, %%eax\n\t"	/* exit(0) in the child */
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)__NR_clone3), "D"(args), "S"(size)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long cg_raw_clone(unsigned long flags, void *stack, int *ptid,
				int *ctid, unsigned long tls)
{
	register long r10 asm("r10") = (long)ctid;
	register long r8 asm("r8") = (long)tls;
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov $60, %%eax\n\t"
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)__NR_clone), "D"(flags), "S"(stack),
		       "d"(ptid), "r"(r10), "r"(r8)
		     : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__i386__)
static inline long cg_raw_clone3(struct cg_clone_args *args, size_t size)
{
	long ret;

	asm volatile("push %%ebx\n\t"
		     "mov %2, %%ebx\n\t"
		     "int $0x80\n\t"
		     "test %%eax, %%eax\n\t"
		     "jnz 1f\n\t"
		     "mov $1, %%eax\n\t"	/* exit(0) in the child */
		     "xor %%ebx, %%ebx\n\t"
		     "int $0x80\n\t"
		     "1:\n\t"
		     "pop %%ebx"
		     : "=a"(ret)
		     : "0"((long)__NR_clone3), "r"(args), "c"(size)
		     : "memory");
	return ret;
}

static inline long cg_raw_clone(unsigned long flags, void *stack, int *ptid,
				int *ctid, unsigned long tls)
{
	long ret;

	/* i386 clone: ebx flags, ecx stack, edx ptid, esi tls, edi ctid */
	asm volatile("push %%ebx\n\t"
		     "mov %2, %%ebx\n\t"
		     "int $0x80\n\t"
		     "test %%eax, %%eax\n\t"
		     "jnz 1f\n\t"
		     "mov $1, %%eax\n\t"
		     "xor %%ebx, %%ebx\n\t"
		     "int $0x80\n\t"
		     "1:\n\t"
		     "pop %%ebx"
		     : "=a"(ret)
		     : "0"((long)__NR_clone), "r"(flags), "c"(stack),
		       "d"(ptid), "S"(tls), "D"(ctid)
		     : "memory");
	return ret;
}
#else
#error "clonegate selftests run on x86_64 and i386"
#endif

/* Reap every child of ours, whatever its exit signal; returns how many. */
static inline int cg_reap_all(void)
{
	int n = 0;

	while (waitpid(-1, NULL, __WALL) > 0)
		n++;
	return n;
}

/*
 * Whether the running Linux itself takes a call that clonegate would
 * judge: kernels differ (7.x refuses a legacy clone whose exit signal is
 * not a signal, which earlier kernels took, and takes clone3 flags past
 * CLONE_INTO_CGROUP). Asked with clonegate deciding nothing (mode off),
 * the mode restored after. For clone3, each bit of FLAGS is tried alone
 * and the bits whose call reached clonegate (counted in clone_calls:
 * Linux did not refuse it before kernel_clone()) are returned; for clone,
 * 1 if Linux took FLAGS with EXIT_SIGNAL. 0 when it cannot ask.
 */
static inline uint64_t cg_linux_takes(int clone3, uint64_t flags, int exit_signal)
{
	char mode[32];
	uint64_t took = 0;
	int bit;

	if (cg_read(CG "mode", mode, sizeof(mode)) <= 0 ||
	    cg_write(CG "mode", "off"))
		return 0;
	if (!clone3) {
		took = cg_raw_clone(flags | exit_signal, NULL, NULL, NULL, 0) > 0;
	} else {
		for (bit = 0; bit < 64; bit++) {
			struct cg_clone_args args = {
				.flags = 1ULL << bit,
				.exit_signal = exit_signal,
			};

			long long calls = cg_stat("clone_calls");

			if (!(flags & args.flags))
				continue;
			cg_raw_clone3(&args, sizeof(args));
			if (calls >= 0 && cg_stat("clone_calls") > calls)
				took |= args.flags;
		}
	}
	cg_write(CG "mode", mode);
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	return took;
}

/* True if we have no child at all, dead or alive. */
static inline int cg_no_children(void)
{
	return waitpid(-1, NULL, __WALL | WNOHANG) < 0 && errno == ECHILD;
}

/* The inode of /proc/self/ns/<ns>, or 0. */
static inline unsigned long cg_ns_ino(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) ? 0 : st.st_ino;
}

static const char *const cg_ns_names[] = {
	"mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time",
	"pid_for_children", "time_for_children",
};
#define CG_NS_COUNT (sizeof(cg_ns_names) / sizeof(cg_ns_names[0]))

static inline void cg_ns_snapshot(unsigned long *ino)
{
	size_t i;

	for (i = 0; i < CG_NS_COUNT; i++)
		ino[i] = cg_ns_ino(cg_ns_names[i]);
}

/* Name of the first namespace whose inode changed, or NULL. */
static inline const char *cg_ns_changed(const unsigned long *before)
{
	unsigned long now[CG_NS_COUNT];
	size_t i;

	cg_ns_snapshot(now);
	for (i = 0; i < CG_NS_COUNT; i++)
		if (now[i] != before[i])
			return cg_ns_names[i];
	return NULL;
}

/* Whether process @pid has @file open. */
static inline int cg_holds_open(pid_t pid, const char *file)
{
	char dir[64], link[320], target[256];
	struct dirent *d;
	int found = 0;
	ssize_t n;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	if (!fds)
		return 0;
	while (!found && (d = readdir(fds))) {
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = !strcmp(target, file);
	}
	closedir(fds);
	return found;
}

/*
 * Whether this runs in one of clonegate's test lanes: the kernel command
 * line of a lane has clonegate_lane=NAME, which the kernel hands to init
 * as an environment variable.
 */
static inline bool cg_in_lane(void)
{
	return getenv("clonegate_lane");
}

/*
 * CG_NEED(ok, statement, fmt, ...): a prerequisite of the test. Missing,
 * the test is skipped with the reason, except in clonegate's test lanes
 * (cg_in_lane()), which always provide it: there a missing prerequisite
 * is a failure, not a skip that hides one.
 */
#define CG_NEED(ok, statement, fmt, ...)				\
	do {								\
		if (ok)							\
			break;						\
		if (cg_in_lane()) {					\
			TH_LOG("missing in a test lane: " fmt, ##__VA_ARGS__); \
			_metadata->passed = 0;				\
			statement;					\
		}							\
		SKIP(statement, fmt, ##__VA_ARGS__);			\
	} while (0)

/*
 * Run fn in a fresh child process and return its exit status (0 = passed),
 * so a call that changes the caller (unshare, chroot, setresuid) never
 * leaks into the test process.
 */
static inline int cg_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Wait (up to 10 s, however slow the machine) until thread @tid of process
 * @pid is in @state (S: asleep, D: in an uninterruptible or killable wait)
 * and, if @file is not NULL, the process holds @file open: a reader
 * blocked in read(), a parent waiting for its vfork child. 0 once it is,
 * -1 if it never was.
 */
static inline int cg_wait_state(pid_t pid, pid_t tid, char state,
				const char *file)
{
	char path[64], buf[512], *p;
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		if (cg_read(path, buf, sizeof(buf)) > 0 &&
		    (p = strrchr(buf, ')')) && p[1] == ' ' && p[2] == state &&
		    (!file || cg_holds_open(pid, file)))
			return 0;
		usleep(10000);
	}
	return -1;
}

#endif /* CLONEGATE_SELFTEST_COMMON_H */
