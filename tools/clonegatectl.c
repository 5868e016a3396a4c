// SPDX-License-Identifier: GPL-2.0
/*
 * clonegatectl: clonegate on a fleet.
 *
 *   clonegatectl status [--json]       the module, its policies, counters
 *   clonegatectl check FILE            is FILE a valid policy; what would
 *                                      apply change
 *   clonegatectl apply [--prune] FILE  make the live policy what FILE says
 *   clonegatectl metrics               every counter, Prometheus text format
 *   clonegatectl report [--events F]   the gVisor preflight: who made calls
 *                                      gVisor would refuse
 *
 * Everything goes through /sys/kernel/clonegate (Documentation/ABI/testing/
 * sysfs-kernel-clonegate) and /dev/clonegate; $CLONEGATE_SYSFS names
 * another directory. Exit status: 0 done, 1 error, 2 bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "names.h"

const char *sysfs_root(void)
{
	const char *r = getenv("CLONEGATE_SYSFS");

	return r && *r ? r : "/sys/kernel/clonegate";
}

static void path_of(const char *rel, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", sysfs_root(), rel);
}

int sys_read(const char *rel, char *buf, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;

	path_of(rel, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return n;
}

int sys_write(const char *rel, const char *val)
{
	size_t len = strlen(val);
	char path[512];
	ssize_t n;
	int fd;

	path_of(rel, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	else if ((size_t)n != len)
		n = -EIO;
	close(fd);
	return n < 0 ? n : 0;
}

int sys_exists(const char *rel)
{
	char path[512];

	path_of(rel, path, sizeof(path));
	return access(path, F_OK) == 0;
}

long long sys_counter(const char *rel)
{
	char buf[64], *end;
	long long v;

	if (sys_read(rel, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtoll(buf, &end, 10);
	return *end ? -1 : v;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int scope_list(char names[][SCOPE_NAME_MAX + 1], int max)
{
	char path[512];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	path_of("scopes", path, sizeof(path));
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max) {
		char rel[300];

		if (d->d_name[0] == '.' || strlen(d->d_name) > SCOPE_NAME_MAX)
			continue;
		snprintf(rel, sizeof(rel), "scopes/%s/mode", d->d_name);
		if (!sys_exists(rel))
			continue;	/* add, remove */
		strcpy(names[n++], d->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	return n;
}

int rule_names(const char *names[], int max)
{
	static char buf[4096];
	char *save = NULL, *line;
	int n = 0;

	if (sys_read("rules", buf, sizeof(buf)) > 0) {
		for (line = strtok_r(buf, "\n", &save); line && n < max;
		     line = strtok_r(NULL, "\n", &save))
			if (line[0] == '+' || line[0] == '-')
				names[n++] = line + 1;
		if (n)
			return n;
	}
	for (n = 0; n < (int)N(builtin_rule_names) && n < max; n++)
		names[n] = builtin_rule_names[n];
	return n;
}

void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* --- status ----------------------------------------------------------------- */

/* The policy files of the host (dir "") or a scope (dir "scopes/NAME/"). */
static const char *const policy_files[] = {
	"cgroup", "mode", "profile", "clone_flags", "unshare_flags",
	"setns_types", "rules",
};

static void read_or(const char *rel, char *buf, size_t size, const char *def)
{
	if (sys_read(rel, buf, size) < 0)
		snprintf(buf, size, "%s", def);
}

/* "+a\n-b\n+c" as "a c" (enabled) */
static void enabled_rules(char *rules, char *out, size_t size)
{
	char *save = NULL, *line;
	size_t len = 0;

	out[0] = '\0';
	for (line = strtok_r(rules, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] == '+')
			len += snprintf(out + len, size - len, "%s%s",
					len ? " " : "", line + 1);
	if (!len)
		snprintf(out, size, "none");
}

/* Every counter file under DIR (recursively: rules/), as name value. */
struct counter {
	char name[96];
	long long value;
};

static int read_counters(const char *dir, struct counter *c, int max,
			 const char *prefix)
{
	char path[512], rel[512];
	struct dirent *d;
	int n = 0;
	DIR *dp;

	path_of(dir, path, sizeof(path));
	dp = opendir(path);
	if (!dp)
		return 0;
	while ((d = readdir(dp)) && n < max) {
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, d->d_name);
		path_of(rel, path, sizeof(path));
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[96];

			snprintf(sub, sizeof(sub), "%s%s/", prefix, d->d_name);
			n += read_counters(rel, c + n, max - n, sub);
			continue;
		}
		c[n].value = sys_counter(rel);
		if (c[n].value < 0)
			continue;
		snprintf(c[n].name, sizeof(c[n].name), "%s%s", prefix,
			 d->d_name);
		n++;
	}
	closedir(dp);
	qsort(c, n, sizeof(*c), cmp_names);
	return n;
}

static void status_policy_text(const char *dir, int scope)
{
	char rel[512], val[4096], rules[4096];
	size_t i;

	for (i = scope ? 0 : 1; i < N(policy_files); i++) {
		snprintf(rel, sizeof(rel), "%s%s", dir, policy_files[i]);
		if (sys_read(rel, val, sizeof(val)) < 0)
			continue;
		if (!strcmp(policy_files[i], "rules")) {
			enabled_rules(val, rules, sizeof(rules));
			printf("  %-14s %s\n", "rules enabled", rules);
			continue;
		}
		printf("  %-14s %s\n", policy_files[i], val);
	}
}

static void status_counters_text(const char *dir)
{
	struct counter c[128];
	int n, i, shown = 0;

	n = read_counters(dir, c, N(c), "");
	printf("  %-14s", "counters");
	for (i = 0; i < n; i++) {
		/* the calls, and whatever is not zero */
		if (!c[i].value && !strstr(c[i].name, "_calls"))
			continue;
		printf("%s%s %lld", shown && shown % 4 == 0 ? "\n" "                 " :
		       (shown ? ", " : " "), c[i].name, c[i].value);
		shown++;
	}
	printf("\n");
}

static void status_policy_json(const char *dir, int scope)
{
	char rel[512], val[4096];
	const char *sep = "";
	size_t i;

	for (i = scope ? 0 : 1; i < N(policy_files); i++) {
		snprintf(rel, sizeof(rel), "%s%s", dir, policy_files[i]);
		if (sys_read(rel, val, sizeof(val)) < 0)
			continue;
		printf("%s\"%s\":", sep, policy_files[i]);
		if (!strcmp(policy_files[i], "rules")) {
			char *save = NULL, *line;
			const char *s2 = "";

			printf("{");
			for (line = strtok_r(val, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				printf("%s", s2);
				json_str(line + 1);
				printf(":%s", line[0] == '+' ? "true" : "false");
				s2 = ",";
			}
			printf("}");
		} else {
			json_str(val);
		}
		sep = ",";
	}
}

static void status_counters_json(const char *dir)
{
	struct counter c[128];
	int n, i;

	n = read_counters(dir, c, N(c), "");
	printf("{");
	for (i = 0; i < n; i++) {
		printf("%s", i ? "," : "");
		json_str(c[i].name);
		printf(":%lld", c[i].value);
	}
	printf("}");
}

int cmd_status(int argc, char **argv)
{
	char version[64], health[256], backend[32], locked[8], val[1024];
	char scopes[MAX_SCOPES][SCOPE_NAME_MAX + 1];
	static const char *const ev_files[] = {
		"decisions", "channels", "context_fields", "ratelimit",
	};
	int json = 0, n, i;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			fprintf(stderr, PROG ": status: unknown argument '%s'\n",
				argv[i]);
			return 2;
		}
	}
	if (sys_read("version", version, sizeof(version)) < 0) {
		fprintf(stderr, PROG ": clonegate is not loaded (no %s/version)\n",
			sysfs_root());
		return 1;
	}
	/* health and hook_backend are newer than the rest */
	read_or("health", health, sizeof(health), "unknown (this module does not report it)");
	read_or("hook_backend", backend, sizeof(backend), "kprobe");
	read_or("locked", locked, sizeof(locked), "0");
	n = scope_list(scopes, MAX_SCOPES);

	if (json) {
		printf("{\"version\":");
		json_str(version);
		printf(",\"health\":");
		json_str(health);
		printf(",\"hook_backend\":");
		json_str(backend);
		printf(",\"locked\":%s,\"host\":{",
		       !strcmp(locked, "1") ? "true" : "false");
		status_policy_json("", 0);
		printf(",\"stats\":");
		status_counters_json("stats");
		printf("},\"scopes\":[");
		for (i = 0; i < n; i++) {
			char dir[128];

			snprintf(dir, sizeof(dir), "scopes/%s/", scopes[i]);
			printf("%s{\"name\":", i ? "," : "");
			json_str(scopes[i]);
			printf(",");
			status_policy_json(dir, 1);
			snprintf(dir, sizeof(dir), "scopes/%s/stats", scopes[i]);
			printf(",\"stats\":");
			status_counters_json(dir);
			printf("}");
		}
		printf("],\"events\":{");
		for (k = 0; k < N(ev_files); k++) {
			char rel[64];

			snprintf(rel, sizeof(rel), "events/%s", ev_files[k]);
			if (sys_read(rel, val, sizeof(val)) < 0)
				continue;
			json_str(ev_files[k]);
			printf(":");
			json_str(val);
			printf(",");
		}
		printf("\"counters\":");
		status_counters_json("events");
		printf("}}\n");
		return 0;
	}

	printf("clonegate %s: health %s, hook backend %s, policy %s\n",
	       version, health, backend,
	       !strcmp(locked, "1") ? "locked until reboot" : "unlocked");
	printf("host\n");
	status_policy_text("", 0);
	status_counters_text("stats");
	for (i = 0; i < n; i++) {
		char dir[128];

		printf("scope %s\n", scopes[i]);
		snprintf(dir, sizeof(dir), "scopes/%s/", scopes[i]);
		status_policy_text(dir, 1);
		snprintf(dir, sizeof(dir), "scopes/%s/stats", scopes[i]);
		status_counters_text(dir);
	}
	printf("events\n");
	for (k = 0; k < N(ev_files); k++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "events/%s", ev_files[k]);
		if (sys_read(rel, val, sizeof(val)) >= 0)
			printf("  %-14s %s\n", ev_files[k], val);
	}
	status_counters_text("events");
	return 0;
}

/* --- metrics ---------------------------------------------------------------- */

/*
 * The samples of one metric family are printed together, after its HELP
 * and TYPE lines, as the text format requires: gather, then print.
 */
struct family {
	const char *name, *type, *help;
	char *lines;
	size_t len, cap;
};

static void sample(struct family *f, const char *labels, long long v)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s%s%s%s %lld\n", f->name,
			 *labels ? "{" : "", labels, *labels ? "}" : "", v);

	if (f->len + n + 1 > f->cap) {
		f->cap = (f->cap + n + 1) * 2;
		f->lines = realloc(f->lines, f->cap);
		if (!f->lines) {
			perror(PROG);
			exit(1);
		}
	}
	memcpy(f->lines + f->len, line, n + 1);
	f->len += n;
}

enum {
	M_UP, M_INFO, M_HEALTH, M_LOCKED, M_POLICY, M_CALLS, M_DECISIONS,
	M_RULES, M_EXEMPT, M_UNCHECKED, M_HEALTH_CHANGES, M_EMITTED,
	M_DELIVERED, M_AUDIT, M_TRACED, M_DROPPED, M_SUPPRESSED, M_COUNT
};

static struct family fam[M_COUNT] = {
	[M_UP] = { "clonegate_up", "gauge",
		   "1 if the clonegate module is loaded." },
	[M_INFO] = { "clonegate_info", "gauge",
		     "The loaded module's version and hook backend, as labels; always 1." },
	[M_HEALTH] = { "clonegate_health", "gauge",
		       "1 if the hooks are healthy (/sys/kernel/clonegate/health reads ok), 0 if not." },
	[M_LOCKED] = { "clonegate_locked", "gauge",
		       "1 if the policy is locked until reboot." },
	[M_POLICY] = { "clonegate_policy_info", "gauge",
		       "The mode and profile of the host policy and of each scope, as labels; always 1." },
	[M_CALLS] = { "clonegate_calls_total", "counter",
		      "Calls that reached the hooks, in every mode; op clone_family is clone, clone3, fork and vfork." },
	[M_DECISIONS] = { "clonegate_decisions_total", "counter",
			  "Calls decided, by operation and decision (audited: would have been denied)." },
	[M_RULES] = { "clonegate_rule_matches_total", "counter",
		      "Denied and audited calls, by the rule that matched." },
	[M_EXEMPT] = { "clonegate_exempt_calls_total", "counter",
		       "Calls made by the kernel, not decided." },
	[M_UNCHECKED] = { "clonegate_unchecked_calls_total", "counter",
			  "Calls that went through while the hooks could not decide them." },
	[M_HEALTH_CHANGES] = { "clonegate_health_changes_total", "counter",
			       "Changes of the hooks' health." },
	[M_EMITTED] = { "clonegate_events_emitted_total", "counter",
			"Event records offered to /dev/clonegate." },
	[M_DELIVERED] = { "clonegate_events_delivered_total", "counter",
			  "Event records read from /dev/clonegate." },
	[M_AUDIT] = { "clonegate_events_audit_records_total", "counter",
		      "Event records handed to the audit subsystem." },
	[M_TRACED] = { "clonegate_events_traced_total", "counter",
		       "Tracepoint hits while a tracer was attached." },
	[M_DROPPED] = { "clonegate_events_dropped_total", "counter",
			"Event records dropped, by reason (ring_full, audit)." },
	[M_SUPPRESSED] = { "clonegate_events_suppressed_total", "counter",
			   "Event records not sent because of the per-user rate limit." },
};

static int split_op_decision(const char *name, char *op, size_t size,
			     const char **decision)
{
	size_t i;

	for (i = 0; i < N(decision_names); i++) {
		size_t dl = strlen(decision_names[i]), nl = strlen(name);

		if (nl > dl + 1 && !strcmp(name + nl - dl, decision_names[i]) &&
		    name[nl - dl - 1] == '_') {
			snprintf(op, size, "%.*s", (int)(nl - dl - 1), name);
			*decision = decision_names[i];
			return 1;
		}
	}
	return 0;
}

/* The counters of one policy: the host's stats/ or a scope's. */
static void metrics_stats(const char *dir, const char *scope, int host)
{
	struct counter c[128];
	char labels[256], op[64];
	const char *decision;
	int n, i;

	n = read_counters(dir, c, N(c), "");
	for (i = 0; i < n; i++) {
		const char *name = c[i].name;

		if (!strncmp(name, "rules/", 6)) {
			snprintf(labels, sizeof(labels),
				 "scope=\"%s\",rule=\"%s\"", scope, name + 6);
			sample(&fam[M_RULES], labels, c[i].value);
		} else if (!strcmp(name, "exempt_calls")) {
			if (host)
				sample(&fam[M_EXEMPT], "", c[i].value);
		} else if (!strcmp(name, "unchecked_calls")) {
			if (host)
				sample(&fam[M_UNCHECKED], "", c[i].value);
		} else if (!strcmp(name, "health_changes")) {
			if (host)
				sample(&fam[M_HEALTH_CHANGES], "", c[i].value);
		} else if (strlen(name) > 6 &&
			   !strcmp(name + strlen(name) - 6, "_calls")) {
			/* clone_calls counts clone, clone3, fork and vfork */
			if (!strcmp(name, "clone_calls"))
				snprintf(labels, sizeof(labels),
					 "scope=\"%s\",op=\"clone_family\"", scope);
			else
				snprintf(labels, sizeof(labels),
					 "scope=\"%s\",op=\"%.*s\"", scope,
					 (int)strlen(name) - 6, name);
			sample(&fam[M_CALLS], labels, c[i].value);
		} else if (split_op_decision(name, op, sizeof(op), &decision)) {
			snprintf(labels, sizeof(labels),
				 "scope=\"%s\",op=\"%s\",decision=\"%s\"", scope,
				 op, decision);
			sample(&fam[M_DECISIONS], labels, c[i].value);
		}
	}
}

/* Label values: backslash, quote and newline escaped. */
static void label_value(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 3 < size; in++) {
		if (*in == '\\' || *in == '"') {
			out[o++] = '\\';
			out[o++] = *in;
		} else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

int cmd_metrics(int argc, char **argv)
{
	char version[64], health[256], backend[32], val[64], labels[512];
	char scopes[MAX_SCOPES][SCOPE_NAME_MAX + 1];
	char v1[128], v2[64], mode[32], profile[32];
	long long v;
	int n, i;

	if (argc > 1) {
		fprintf(stderr, PROG ": metrics: unknown argument '%s'\n",
			argv[1]);
		return 2;
	}
	if (sys_read("version", version, sizeof(version)) < 0) {
		/* a scrape must still say so: up 0, health 0 */
		sample(&fam[M_UP], "", 0);
		sample(&fam[M_HEALTH], "", 0);
		goto print;
	}
	sample(&fam[M_UP], "", 1);
	/* a module without a health file has no check that can fail */
	if (sys_read("health", health, sizeof(health)) < 0)
		strcpy(health, "ok");
	sample(&fam[M_HEALTH], "", !strcmp(health, "ok"));
	if (sys_read("hook_backend", backend, sizeof(backend)) < 0)
		strcpy(backend, "kprobe");
	label_value(version, v1, sizeof(v1));
	label_value(backend, v2, sizeof(v2));
	snprintf(labels, sizeof(labels), "version=\"%s\",hook_backend=\"%s\"",
		 v1, v2);
	sample(&fam[M_INFO], labels, 1);
	read_or("locked", val, sizeof(val), "0");
	sample(&fam[M_LOCKED], "", !strcmp(val, "1"));

	read_or("mode", mode, sizeof(mode), "unknown");
	read_or("profile", profile, sizeof(profile), "unknown");
	snprintf(labels, sizeof(labels), "scope=\"host\",mode=\"%s\",profile=\"%s\"",
		 mode, profile);
	sample(&fam[M_POLICY], labels, 1);
	metrics_stats("stats", "host", 1);

	n = scope_list(scopes, MAX_SCOPES);
	for (i = 0; i < n; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "scopes/%s/mode", scopes[i]);
		read_or(rel, mode, sizeof(mode), "unknown");
		snprintf(rel, sizeof(rel), "scopes/%s/profile", scopes[i]);
		read_or(rel, profile, sizeof(profile), "unknown");
		snprintf(labels, sizeof(labels),
			 "scope=\"%s\",mode=\"%s\",profile=\"%s\"", scopes[i],
			 mode, profile);
		sample(&fam[M_POLICY], labels, 1);
		snprintf(rel, sizeof(rel), "scopes/%s/stats", scopes[i]);
		metrics_stats(rel, scopes[i], 0);
	}

	if ((v = sys_counter("events/emitted")) >= 0)
		sample(&fam[M_EMITTED], "", v);
	if ((v = sys_counter("events/delivered")) >= 0)
		sample(&fam[M_DELIVERED], "", v);
	if ((v = sys_counter("events/audit_records")) >= 0)
		sample(&fam[M_AUDIT], "", v);
	if ((v = sys_counter("events/traced")) >= 0)
		sample(&fam[M_TRACED], "", v);
	if ((v = sys_counter("events/dropped/ring_full")) >= 0)
		sample(&fam[M_DROPPED], "reason=\"ring_full\"", v);
	if ((v = sys_counter("events/dropped/audit")) >= 0)
		sample(&fam[M_DROPPED], "reason=\"audit\"", v);
	if ((v = sys_counter("events/suppressed")) >= 0)
		sample(&fam[M_SUPPRESSED], "", v);
print:
	for (i = 0; i < M_COUNT; i++) {
		if (!fam[i].len)
			continue;
		printf("# HELP %s %s\n# TYPE %s %s\n%s", fam[i].name,
		       fam[i].help, fam[i].name, fam[i].type, fam[i].lines);
	}
	return 0;
}

/* --- main ------------------------------------------------------------------- */

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: clonegatectl status [--json]\n"
		"       clonegatectl check FILE\n"
		"       clonegatectl apply [--prune] FILE\n"
		"       clonegatectl metrics\n"
		"       clonegatectl report [--events FILE]\n"
		"\n"
		"  status    the module, its health, the host policy, every scope\n"
		"            with its cgroup and policy, and the counters\n"
		"  check     parse and check a policy file; with the module loaded,\n"
		"            also print what apply would change\n"
		"  apply     make the live policy what the file says: all of it or,\n"
		"            if a write fails, none of it; --prune also removes the\n"
		"            scopes the file does not name\n"
		"  metrics   every counter in Prometheus text format (for\n"
		"            node_exporter's textfile collector)\n"
		"  report    which programs, in which cgroups, made calls gVisor would\n"
		"            refuse: read from /dev/clonegate, or from a file of JSON\n"
		"            lines written by clonegate-events\n"
		"\n"
		"Exit status: 0 done, 1 error, 2 bad usage.\n");
	return status;
}

static int run(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd)
		return usage(stderr, 2);
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
		return usage(stdout, 0);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "metrics"))
		return cmd_metrics(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_apply(argc - 1, argv + 1, 1);
	if (!strcmp(cmd, "apply"))
		return cmd_apply(argc - 1, argv + 1, 0);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown command '%s'\n", cmd);
	return usage(stderr, 2);
}

int main(int argc, char **argv)
{
	int status = run(argc, argv);

	/* what was printed must have been written: a full disk is an error */
	if (fflush(stdout) || ferror(stdout)) {
		perror(PROG ": stdout");
		return status ? status : 1;
	}
	return status;
}
