// SPDX-License-Identifier: GPL-2.0
/*
 * Load and unload clonegate over and over while other processes fork,
 * vfork (their parents blocked in kernel_clone() while the child sleeps),
 * clone3 with flags that reach every rule and caller fact, create threads,
 * unshare, join namespaces with setns (by namespace file and by pidfd), a
 * reader opens and reads /dev/clonegate, a writer adds, edits and removes
 * a scope, and writers flip the policy files (profile, mode, flags, rules)
 * and the event files (decisions, channels, rate limit); one more writer
 * races each load, writing the mode while init runs.
 *
 * For the debug-kernel lane, where KASAN, lockdep and the atomic-sleep
 * checks watch it. Not a *_test: the Debian lane does not run it.
 *
 *   stress_main [RELOADS [SECONDS]]     CLONEGATE_KO names clonegate.ko
 *
 * Starts and ends with the module unloaded. The work is bounded: RELOADS
 * loads and unloads (default 30), the workers stopping when they end; no
 * load starts after SECONDS (default 600) once MIN_RELOADS are done. How
 * long a reload takes depends on how fast the machine runs the grace
 * periods it waits for, so the budget decides how many run, never whether
 * the stress passes. Prints what it did as TAP comments, each reload with
 * how long its load and its unload took; exits 0, or 1 if a load or
 * unload failed, a call that no policy denies failed, a call failed with
 * an errno no policy gives, or a record read from the device was
 * malformed.
 */
#include "common.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <time.h>

#include <poll.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

enum {
	W_FORK, W_VFORK, W_CLONE3, W_THREAD, W_UNSHARE, W_SETNS, W_READER,
	W_SCOPE, W_FLIP, W_EVENTS, W_COUNT
};

static const char *const worker_names[W_COUNT] = {
	"fork", "vfork", "clone3", "thread", "unshare", "setns", "reader",
	"scope", "policy flip", "event flip",
};

struct shared {
	volatile int stop;
	/* set while a load is in flight, for the load racer */
	volatile int loading;
	long calls[W_COUNT];
	long errors[W_COUNT];
	char why[W_COUNT][160];
};

static struct shared *sh;

/*
 * The pause between two calls of a worker: at least WORKER_BREATH_MS, and
 * at least WORKER_DUTY times what the call took. Ten workers that fork,
 * unshare and join namespaces with only a tick between calls keep both
 * vCPUs of a KASAN kernel under TCG busy: every grace period a load or
 * an unload waits for (ftrace's text patching, its trampolines) then takes
 * minutes, longer and longer, with no RCU stall reported (most likely the
 * RCU callbacks of their exits piling up faster than they run). A fixed pause is not enough, because the
 * machine the VM runs on sets how fast the guest runs and the pause is
 * wall-clock time (one unload took 23 minutes with 20 ms beside other
 * VMs): a worker whose calls slow down backs off in proportion.
 */
#define WORKER_BREATH_MS	50
#define WORKER_DUTY		4

/* reloads run whatever the time budget says */
#define MIN_RELOADS		5

static void fail(int w, const char *what, int err)
{
	if (!sh->errors[w]++)
		snprintf(sh->why[w], sizeof(sh->why[w]), "%s: %s", what,
			 strerror(err));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	/* the raw syscall: a vfork child must not touch libc state */
	syscall(__NR_nanosleep, &ts, NULL);
}

static void do_fork(void)
{
	pid_t pid = syscall(__NR_fork);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		fail(W_FORK, "fork", errno);
	else
		waitpid(pid, NULL, 0);
}

/* The parent stays in kernel_clone() until the child exits, ~50 ms on. */
static void do_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0) {
		sleep_ms(50);
		syscall(__NR_exit, 0);
	}
	if (pid < 0)
		fail(W_VFORK, "vfork", errno);
	else
		waitpid(pid, NULL, 0);
}

/* clone3 calls that reach every rule of the gvisor profile. */
static void do_clone3(long i)
{
	static const uint64_t flags[] = {
		0,
		CLONE_NEWCGROUP,
		CLONE_NEWUSER,
		CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC,
		CLONE_VM | CLONE_VFORK,
		CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
		CLONE_THREAD | CLONE_VM,
		CLONE_SIGHAND,
		CLONE_FS | CLONE_NEWNS,
		CLONE_NEWUSER | CLONE_FS,
		CLONE_PIDFD,
		0,		/* with a set_tid array */
	};
	size_t n = sizeof(flags) / sizeof(flags[0]);
	size_t k = i % n;
	int pidfd = -1;
	pid_t tid = 30000 + i % 1000;
	struct cg_clone_args args = {
		.flags = flags[k],
		.exit_signal = (flags[k] & CLONE_THREAD) ? 0 : SIGCHLD,
		.pidfd = (uintptr_t)&pidfd,
	};
	long ret;

	if (k == n - 1) {
		args.set_tid = (uintptr_t)&tid;
		args.set_tid_size = 1;
	}
	/* denials and the kernel's own refusals are expected here */
	ret = cg_raw_clone3(&args, sizeof(args));
	if (ret > 0 && !(flags[k] & CLONE_THREAD))
		waitpid(ret, NULL, __WALL);
	if (pidfd >= 0)
		close(pidfd);
	/* a thread of ours exits at once; reap nothing, but let it go */
	if (ret > 0 && (flags[k] & CLONE_THREAD))
		sleep_ms(1);
}

static void *thread_fn(void *arg)
{
	return arg;
}

static void do_thread(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_fn, NULL);

	if (err)
		fail(W_THREAD, "pthread_create", err);
	else
		pthread_join(t, NULL);
}

/* unshare in a child, reaching the facts: pending pidns, chroot, threads. */
static int unshare_child(void)
{
	struct cg_clone_args args = { .exit_signal = SIGCHLD };
	long ret;

	unshare(CLONE_NEWUTS | CLONE_NEWIPC);
	unshare(CLONE_NEWNS);
	unshare(CLONE_THREAD);
	unshare(CLONE_VM);
	if (unshare(CLONE_NEWPID) == 0) {
		/* a pid namespace is pending: clone3 reads that fact */
		args.flags = CLONE_NEWPID;
		ret = cg_raw_clone3(&args, sizeof(args));
		if (ret > 0)
			waitpid(ret, NULL, 0);
		args.flags = 0;
		ret = cg_raw_clone3(&args, sizeof(args));
		if (ret > 0)
			waitpid(ret, NULL, 0);
	}
	if (chroot("/tmp") == 0)
		unshare(CLONE_NEWUSER);
	return 0;
}

static void do_unshare(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare_child());
	if (pid < 0)
		fail(W_UNSHARE, "fork", errno);
	else
		waitpid(pid, NULL, 0);
}

/*
 * The module may be gone, or going, at any moment: a file that is not
 * there (ENOENT) or that is being removed (ENODEV) is not an error.
 */
static int gone(int err)
{
	return err == -ENOENT || err == -ENODEV;
}

static void flip_as(int w, const char *file, const char *val)
{
	int err = cg_write(file, val);

	if (err && !gone(err)) {
		char what[96];

		snprintf(what, sizeof(what), "write %s to %s", val, file);
		fail(w, what, -err);
	}
}

static void flip(const char *file, const char *val)
{
	flip_as(W_FLIP, file, val);
}

static void do_flip(long i)
{
	static const char *const profiles[] = { "gvisor", "permissive" };
	static const char *const modes[] = { "audit", "enforce", "off",
					     "enforce" };
	char buf[512];

	flip(CG "profile", profiles[i % 2]);
	flip(CG "mode", modes[(i / 2) % 4]);
	flip(CG "clone_flags", i % 3 ? "+newcgroup" : "-newcgroup");
	flip(CG "rules", i % 5 ? "-set_tid" : "+set_tid");
	cg_read(CG "rules", buf, sizeof(buf));
	cg_read(CG "clone_flags", buf, sizeof(buf));
	cg_read(CG "stats/clone_calls", buf, sizeof(buf));
}

/*
 * setns in a child: by namespace file into its own UTS namespace, which
 * every profile allows, and by pidfd, which gvisor refuses (EINVAL in
 * enforce) and permissive allows.
 */
static int setns_child(void)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	int pidfd, ret = 0;

	if (fd < 0 || setns(fd, CLONE_NEWUTS))
		ret = 1;
	if (fd >= 0)
		close(fd);
	pidfd = syscall(__NR_pidfd_open, getpid(), 0);
	if (pidfd >= 0) {
		if (setns(pidfd, CLONE_NEWUTS) && errno != EINVAL)
			ret = 2;
		close(pidfd);
	}
	return ret;
}

static void do_setns(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(setns_child());
	if (pid < 0)
		fail(W_SETNS, "fork", errno);
	else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		 WEXITSTATUS(status))
		fail(W_SETNS, WEXITSTATUS(status) == 1 ?
			      "setns by namespace file" : "setns by pidfd", EIO);
}

/*
 * Open the device, wait a little for records, read what is there, close.
 * While the module is away the device is not there; while another test
 * holds it, EBUSY. An open reader pins the module: the unloads retry.
 */
static void do_read(void)
{
	static struct clonegate_event recs[4];
	struct pollfd pfd = { .events = POLLIN };
	ssize_t n;
	size_t i;

	pfd.fd = open("/dev/clonegate", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (pfd.fd < 0) {
		if (errno != ENOENT && errno != ENODEV && errno != ENXIO &&
		    errno != EBUSY)
			fail(W_READER, "open /dev/clonegate", errno);
		return;
	}
	poll(&pfd, 1, 5);
	n = read(pfd.fd, recs, sizeof(recs));
	if (n < 0 && errno != EAGAIN)
		fail(W_READER, "read /dev/clonegate", errno);
	if (n > 0 && n % sizeof(recs[0]))
		fail(W_READER, "a read of part of a record", EIO);
	for (i = 0; n > 0 && i < n / sizeof(recs[0]); i++) {
		if (recs[i].size != sizeof(recs[0]) ||
		    recs[i].version != CLONEGATE_EVENT_VERSION ||
		    !recs[i].seq)
			fail(W_READER, "a malformed record", EIO);
	}
	close(pfd.fd);
}

/* Add a scope, bind it to the root cgroup, edit it, remove it. */
static void do_scope(long i)
{
	static const char *const modes[] = { "enforce", "audit", "off" };
	int err;

	err = cg_write(CG "scopes/add", "stress\n");
	/* EEXIST: an earlier round's scope, on a module still loaded */
	if (err && !gone(err) && err != -EEXIST) {
		fail(W_SCOPE, "scopes/add", -err);
		return;
	}
	flip_as(W_SCOPE, CG "scopes/stress/cgroup", "/\n");
	flip_as(W_SCOPE, CG "scopes/stress/mode", modes[i % 3]);
	flip_as(W_SCOPE, CG "scopes/stress/profile",
		i % 2 ? "permissive" : "gvisor");
	flip_as(W_SCOPE, CG "scopes/stress/setns_types", "-user");
	err = cg_write(CG "scopes/remove", "stress\n");
	if (err && !gone(err))
		fail(W_SCOPE, "scopes/remove", -err);
}

static void do_events(long i)
{
	static const char *const decisions[] = { "denied audited",
						 "denied audited allowed" };
	static const char *const channels[] = { "dev", "dev audit trace",
						"audit" };

	flip_as(W_EVENTS, CG "events/decisions", decisions[i % 2]);
	flip_as(W_EVENTS, CG "events/channels", channels[i % 3]);
	flip_as(W_EVENTS, CG "events/ratelimit", i % 2 ? "10 5" : "0");
}

/*
 * While a load is in flight, wait for the policy files (a look every
 * tick), then write the mode in a tight loop until the load returns: the
 * files appear before the module's init has returned, and a write then
 * replaces, and frees after a grace period, the policy init made. Trying
 * the missing files in a tight loop instead makes every load three times
 * slower under TCG; writing only every few ms rarely hits the window.
 */
static void *load_racer(void *arg)
{
	long i;

	for (i = 0; !sh->stop; i++) {
		if (!sh->loading || access(CG "mode", W_OK))
			sleep_ms(1);
		else
			flip(CG "mode", i % 2 ? "enforce" : "audit");
	}
	return arg;
}

static long worker_pause_ms(double took_ms)
{
	long duty_ms = (long)(took_ms * WORKER_DUTY);

	return duty_ms > WORKER_BREATH_MS ? duty_ms : WORKER_BREATH_MS;
}

static void worker(int w)
{
	long i;

	for (i = 0; !sh->stop; i++) {
		double t0 = now(), took_ms;

		switch (w) {
		case W_FORK:
			do_fork();
			break;
		case W_VFORK:
			do_vfork();
			break;
		case W_CLONE3:
			do_clone3(i);
			break;
		case W_THREAD:
			do_thread();
			break;
		case W_UNSHARE:
			do_unshare();
			break;
		case W_SETNS:
			do_setns();
			break;
		case W_READER:
			do_read();
			break;
		case W_SCOPE:
			do_scope(i);
			break;
		case W_FLIP:
			do_flip(i);
			break;
		case W_EVENTS:
			do_events(i);
			break;
		}
		__atomic_add_fetch(&sh->calls[w], 1, __ATOMIC_RELAXED);
		took_ms = (now() - t0) * 1000;
		sleep_ms(worker_pause_ms(took_ms));
	}
	/* the clone3 worker's threads must be gone before we are */
	cg_reap_all();
}

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * An open /dev/clonegate pins the module (EAGAIN from a non-blocking
 * delete_module): the reader closes it within a few ms, so try again, a
 * bounded number of times.
 */
static int unload(void)
{
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		if (!syscall(__NR_delete_module, "clonegate", O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		sleep_ms(1);
	}
	return -errno;
}

/*
 * Progress as it happens: the lane shows this output live, so if the VM
 * dies (a hung task, a panic) the console shows how far the stress got.
 */
static void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# stress: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

int main(int argc, char **argv)
{
	static const char *const params[] = {
		"", "mode=enforce", "mode=enforce profile=permissive",
		"mode=off", "mode=enforce clone_flags=-newuser",
	};
	const char *ko = getenv("CLONEGATE_KO");
	int reloads = argc > 1 ? atoi(argv[1]) : 30;
	double budget = argc > 2 ? atof(argv[2]) : 600;
	pid_t pids[W_COUNT];
	pthread_t racer;
	double start = now();
	int i, done, err, status, racing, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!ko || access(ko, R_OK)) {
		printf("# stress: CLONEGATE_KO does not name a readable module\n");
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	if (cg_loaded() && unload()) {
		printf("# stress: clonegate is loaded and cannot be unloaded\n");
		return 1;
	}
	for (i = 0; i < W_COUNT; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			worker(i);
			_exit(0);
		}
	}
	racing = !pthread_create(&racer, NULL, load_racer, NULL);
	if (!racing) {
		printf("# stress: cannot start the load racer\n");
		failed = 1;
	}
	for (done = 0; done < reloads && !failed; done++) {
		const char *p = params[done % 5];
		double t0, t1, t2;

		if (done >= MIN_RELOADS && now() - start > budget) {
			progress("%d s spent: no load %d", (int)budget, done);
			break;
		}
		t0 = now();
		sh->loading = 1;
		err = load(ko, p);
		sh->loading = 0;
		if (err) {
			printf("# stress: load %d (%s) failed: %s\n", done, p,
			       strerror(-err));
			failed = 1;
			break;
		}
		t1 = now();
		/* let calls and flips reach the loaded module */
		sleep_ms(10 + done % 4 * 10);
		t2 = now();
		err = unload();
		if (err) {
			printf("# stress: unload %d failed: %s\n", done,
			       strerror(-err));
			failed = 1;
		}
		progress("load %d (%s) took %.1f s, its unload %.1f s", done,
			 *p ? p : "defaults", t1 - t0, now() - t2);
	}
	sh->stop = 1;
	if (racing)
		pthread_join(racer, NULL);
	for (i = 0; i < W_COUNT; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# stress: the %s worker did not exit cleanly\n",
			       worker_names[i]);
			failed = 1;
		}
	}
	printf("# stress: %d loads and unloads in %.1f s\n", done, now() - start);
	for (i = 0; i < W_COUNT; i++) {
		printf("# stress: %-11s %6ld calls, %ld errors%s%s\n",
		       worker_names[i], sh->calls[i], sh->errors[i],
		       sh->errors[i] ? ", first: " : "", sh->why[i]);
		if (sh->errors[i])
			failed = 1;
		/* a worker that never ran did not stress anything */
		if (!sh->calls[i]) {
			printf("# stress: the %s worker made no call\n",
			       worker_names[i]);
			failed = 1;
		}
	}
	if (cg_loaded()) {
		printf("# stress: clonegate is still loaded\n");
		failed = 1;
	}
	return failed;
}
