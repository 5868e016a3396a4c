// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel audit: one AUDIT_KERNEL_OTHER record per
 * decision, key=value, with the values of the record /dev/clonegate hands
 * out for the same seq. The test registers itself as the audit daemon;
 * without audit, every test SKIPs.
 */
#include "events_lib.h"

#include <sys/prctl.h>

/* The record of the same seq as @ev, into @rec; 0 or -ETIMEDOUT. */
static int audit_of(int fd, const struct clonegate_event *ev, char *rec,
		    size_t size)
{
	char want[64];

	snprintf(want, sizeof(want), " seq=%llu ", (unsigned long long)ev->seq);
	return audit_record(fd, want, rec, size, 10000);
}

/* key= of @rec is @expect (a format); a missing key fails too. */
#define KEY(rec, k, expect, ...)					\
	do {								\
		char _want[512], _v[512] = "";				\
									\
		snprintf(_want, sizeof(_want), expect, ##__VA_ARGS__);	\
		EXPECT_TRUE(audit_value(rec, k, 0, _v, sizeof(_v)) != NULL) \
			TH_LOG("no %s= in %s", k, rec);			\
		EXPECT_STREQ(_want, _v) TH_LOG("%s=", k);		\
	} while (0)

#define NO_KEY(rec, k)							\
	EXPECT_TRUE(strstr(rec, " " k "=") == NULL) TH_LOG("%s= in %s", k, rec)

/*
 * A denied call's record: the verdict, the version 2 fields every record
 * has, and the context; a comm audit cannot quote is written in hex.
 */
FIXTURE(audit) {
	struct ev_fixture f;
};

FIXTURE_VARIANT(audit) {
	const char *comm, *logged;
};

FIXTURE_VARIANT_ADD(audit, quoted_comm) { "ev-audit", "\"ev-audit\"" };
/* a space: hex */
FIXTURE_VARIANT_ADD(audit, hex_comm) { "ev audit", "6576206175646974" };

FIXTURE_SETUP(audit)
{
	ev_fixture_setup(_metadata, &self->f, EV_AUDIT);
}

FIXTURE_TEARDOWN(audit)
{
	ev_fixture_teardown(&self->f);
}

TEST_F(audit, record_has_the_decision)
{
	const int tag = TAG(21);
	struct clonegate_event ev;
	char rec[8192], v[512], comm[16] = "";
	long long before;
	int ok;

	before = ev_counter("audit_records");
	ASSERT_LE(0, before);
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	ASSERT_EQ(0, prctl(PR_SET_NAME, variant->comm));
	ok = deny_and_read(self->f.fd, tag, &ev);
	prctl(PR_SET_NAME, comm);
	ASSERT_EQ(0, ok);
	ASSERT_EQ(0, audit_of(self->f.audit.fd, &ev, rec, sizeof(rec)))
		TH_LOG("no audit record for seq %llu",
		       (unsigned long long)ev.seq);
	TH_LOG("%s", rec);

	KEY(rec, "module", "clonegate");
	KEY(rec, "op", "clone3");
	KEY(rec, "res", "0");
	KEY(rec, "decision", "denied");
	KEY(rec, "errno", "22");
	KEY(rec, "rule", "unsupported_flag");
	KEY(rec, "mode", "enforce");
	KEY(rec, "flags", "0x2000000");
	KEY(rec, "exit_signal", "%d", tag);
	KEY(rec, "seq", "%llu", (unsigned long long)ev.seq);
	KEY(rec, "scope", "host");
	KEY(rec, "pid", "%d", getpid());
	KEY(rec, "tid", "%d", cg_gettid());
	KEY(rec, "ppid", "%d", getppid());
	KEY(rec, "uid", "%u", getuid());
	KEY(rec, "euid", "%u", geteuid());
	KEY(rec, "cgroup_id", "%llu", (unsigned long long)ev.cgroup_id);
	KEY(rec, "cgroup", "%s", ev.container_id);
	EXPECT_TRUE(strstr(rec, variant->logged) != NULL)
		TH_LOG("comm should be logged as %s", variant->logged);
	EXPECT_TRUE(audit_value(rec, "comm", 1, v, sizeof(v)) != NULL);
	EXPECT_STREQ(variant->comm, v);
	/* not setns, nothing held back, nothing created, cwd not chosen */
	NO_KEY(rec, "ns_type");
	NO_KEY(rec, "ns_inum");
	NO_KEY(rec, "form");
	NO_KEY(rec, "suppressed");
	NO_KEY(rec, "created_tid");
	NO_KEY(rec, "cwd");
	EXPECT_LE(before + 1, ev_counter("audit_records"));
}

/*
 * The fields every record has, whatever context_fields holds: the verdict,
 * the deciding scope ("host" outside scopes), suppressed when records were
 * held back before it, and for setns the type, inode and form of the
 * namespace named. One call of events_lib.h's ev2_case per variant.
 */
FIXTURE(audit_fields) {
	struct ev_fixture f;
};

FIXTURE_VARIANT(audit_fields) {
	enum ev2_case c;
};

FIXTURE_VARIANT_ADD(audit_fields, host) { EV2_HOST };
FIXTURE_VARIANT_ADD(audit_fields, setns_nsfd) { EV2_SETNS_NSFD };
FIXTURE_VARIANT_ADD(audit_fields, setns_pidfd) { EV2_SETNS_PIDFD };
FIXTURE_VARIANT_ADD(audit_fields, setns_pidfd_two_types) {
	EV2_SETNS_PIDFD_TWO
};
FIXTURE_VARIANT_ADD(audit_fields, suppressed) { EV2_SUPPRESSED };
FIXTURE_VARIANT_ADD(audit_fields, scope) { EV2_SCOPE };

FIXTURE_SETUP(audit_fields)
{
	const char *why = ev2_missing(variant->c);

	if (why)
		SKIP(_exit(255), "%s", why);
	ev_fixture_setup(_metadata, &self->f, EV_AUDIT);
}

FIXTURE_TEARDOWN(audit_fields)
{
	ev2_cleanup();
	ev_fixture_teardown(&self->f);
}

TEST_F(audit_fields, record_has_the_fields)
{
	struct clonegate_event ev;
	struct ev_want w;
	char rec[8192];

	ev2_run(_metadata, self->f.fd, variant->c, &w, &ev);
	ASSERT_EQ(0, audit_of(self->f.audit.fd, &ev, rec, sizeof(rec)))
		TH_LOG("no audit record for seq %llu",
		       (unsigned long long)ev.seq);
	TH_LOG("%s", rec);

	KEY(rec, "op", "%s", w.op_name);
	KEY(rec, "res", "0");
	KEY(rec, "decision", "denied");
	KEY(rec, "errno", "%d", w.err);
	KEY(rec, "rule", "%s", w.rule_name);
	KEY(rec, "mode", "enforce");
	KEY(rec, "flags", "0x%llx", (unsigned long long)w.flags);
	KEY(rec, "exit_signal", "%d", w.exit_signal);
	KEY(rec, "scope", "%s", w.scope);
	if (w.tgid)
		KEY(rec, "pid", "%d", w.tgid);
	if (w.setns) {
		KEY(rec, "ns_type", "0x%x", w.ns_type);
		KEY(rec, "ns_inum", "%llu", (unsigned long long)w.ns_inum);
		KEY(rec, "form", "%s", w.form_name);
	} else {
		NO_KEY(rec, "ns_type");
		NO_KEY(rec, "ns_inum");
		NO_KEY(rec, "form");
	}
	if (w.suppressed)
		KEY(rec, "suppressed", "%u", w.suppressed);
	else
		NO_KEY(rec, "suppressed");
}

TEST_HARNESS_MAIN
