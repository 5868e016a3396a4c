// SPDX-License-Identifier: GPL-2.0
/*
 * clonegatectl check and apply: a policy file onto /sys/kernel/clonegate.
 *
 * The file is parsed and every value checked, by the grammar the module
 * takes, before anything is written. Then the live state is read and the
 * file simulated on it: only what would change is written, so applying
 * the policy that already runs writes nothing. Writes go in a fixed order
 * (Documentation/fleet.rst, "The policy file"); if one fails, everything
 * already written is put back as it was read.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "names.h"

/* In the order they are written within a section. */
enum key {
	K_CGROUP, K_PROFILE, K_CLONE, K_UNSHARE, K_SETNS, K_RULES, K_MODE,
	K_EV_DECISIONS, K_EV_CHANNELS, K_EV_FIELDS, K_EV_RATELIMIT, K_LOCKED,
	K_COUNT
};

static const struct {
	const char *name;
	int host, scope;
} keys[K_COUNT] = {
	[K_CGROUP] = { "cgroup", 0, 1 },
	[K_PROFILE] = { "profile", 1, 1 },
	[K_CLONE] = { "clone_flags", 1, 1 },
	[K_UNSHARE] = { "unshare_flags", 1, 1 },
	[K_SETNS] = { "setns_types", 1, 1 },
	[K_RULES] = { "rules", 1, 1 },
	[K_MODE] = { "mode", 1, 1 },
	[K_EV_DECISIONS] = { "events/decisions", 1, 0 },
	[K_EV_CHANNELS] = { "events/channels", 1, 0 },
	[K_EV_FIELDS] = { "events/context_fields", 1, 0 },
	[K_EV_RATELIMIT] = { "events/ratelimit", 1, 0 },
	[K_LOCKED] = { "locked", 1, 0 },
};

struct section {
	char name[SCOPE_NAME_MAX + 1];	/* "" for the host */
	int line;
	char *val[K_COUNT];
	int vline[K_COUNT];
};

/* One policy: the host's or a scope's, as read or as it will be. */
struct pol {
	int mode, profile;
	uint64_t clone, unshare, setns;
	uint64_t rules;
	char cgroup[VALUE_MAX + 1];
};

/* What was read, as text, to put back on failure. */
struct snap {
	char mode[32], profile[32], cgroup[VALUE_MAX + 16];
	char clone[1024], unshare[512], setns[256], rules[1024];
};

static const char *file;
static int has_setns;	/* the module has setns_types (or is not loaded) */
static const char *rules_v[MAX_RULES];
static int n_rules;

static struct section sec[MAX_SCOPES + 1];
static int n_sec;

static void errorf(int line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(stderr, "%s:%d: ", file, line);
	else
		fprintf(stderr, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- values: the grammar of the module's sysfs files ------------------------- */

static int is_sep(char c)
{
	return isspace((unsigned char)c) || c == ',';
}

static const char *next_word(const char *s, size_t *len)
{
	const char *w;

	while (*s && is_sep(*s))
		s++;
	w = s;
	while (*s && !is_sep(*s))
		s++;
	*len = s - w;
	return w;
}

static int member(const char *w, size_t len, const char *const *names,
		  int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (names[i] && strlen(names[i]) == len &&
		    !memcmp(names[i], w, len))
			return i;
	return -1;
}

/*
 * A set of named members: a full list, +name/-name edits of @old, or
 * "none". The module's clonegate_parse_set(). Return: NULL, or what is
 * wrong (in err).
 */
static const char *parse_set(const char *v, const char *const *names,
			     int count, uint64_t valid, uint64_t old,
			     uint64_t *out, const char *what, char *err,
			     size_t esize)
{
	uint64_t set = 0, add = 0, del = 0;
	int words = 0, edits = 0, none = 0;
	const char *w;
	size_t len;

	for (w = next_word(v, &len); len; w = next_word(w + len, &len)) {
		char sign = 0;
		int i;

		words++;
		if (w[0] == '+' || w[0] == '-') {
			sign = w[0];
			w++;
			len--;
			edits++;
		}
		if (!sign && len == 4 && !memcmp(w, "none", 4)) {
			none++;
			continue;
		}
		i = member(w, len, names, count);
		if (i < 0) {
			snprintf(err, esize, "unknown %s '%.*s'", what, (int)len, w);
			return err;
		}
		if (!(valid & (1ULL << i))) {
			snprintf(err, esize, "'%.*s' is not allowed in this setting",
				 (int)len, w);
			return err;
		}
		if ((set | add | del) & (1ULL << i)) {
			snprintf(err, esize, "'%.*s' given twice", (int)len, w);
			return err;
		}
		if (sign == '+')
			add |= 1ULL << i;
		else if (sign == '-')
			del |= 1ULL << i;
		else
			set |= 1ULL << i;
	}
	if (!words)
		return "no value";
	if (edits && edits != words)
		return "a list of names and +/- edits cannot be mixed";
	if (none && words != 1)
		return "'none' stands alone";
	*out = edits ? (old | add) & ~del : set;
	return NULL;
}

/* A flag set: names, edits, or a mask "0x...". clonegate_parse_flags(). */
static const char *parse_mask(const char *v, const char *const *names,
			      uint64_t valid, uint64_t old, uint64_t *out,
			      const char *what, char *err, size_t esize)
{
	const char *w, *p;
	uint64_t mask = 0;
	size_t len, rest;

	w = next_word(v, &len);
	if (len < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X'))
		return parse_set(v, names, 64, valid, old, out, what, err,
				 esize);
	next_word(w + len, &rest);
	if (rest)
		return "a mask stands alone";
	for (p = w + 2; p < w + len; p++) {
		int d;

		if (!isxdigit((unsigned char)*p)) {
			snprintf(err, esize, "'%.*s' is not a hexadecimal mask",
				 (int)len, w);
			return err;
		}
		if (mask >> 60)
			return "number wider than 64 bits";
		d = isdigit((unsigned char)*p) ? *p - '0' :
						 tolower((unsigned char)*p) - 'a' + 10;
		mask = mask << 4 | d;
	}
	if (mask & ~valid) {
		snprintf(err, esize, "mask %.*s has bits outside 0x%llx", (int)len,
			 w, (unsigned long long)valid);
		return err;
	}
	*out = mask;
	return NULL;
}

/* "BURST RATE", both above 0, or "0" alone. clonegate_parse_ratelimit(). */
static int parse_ratelimit(const char *v, unsigned long *burst,
			   unsigned long *rate)
{
	unsigned long n[2] = { 0, 0 };
	unsigned long long x;
	const char *w;
	size_t len;
	int i = 0;

	for (w = next_word(v, &len); len; w = next_word(w + len, &len)) {
		/* a sign, as the module takes it; leading zeros do not count */
		size_t sign = w[0] == '+', k;

		if (i == 2 || len == sign || strspn(w + sign, "0123456789") <
		    len - sign)
			return -1;
		for (k = sign; k < len - 1 && w[k] == '0'; k++)
			;
		if (len - k > 10)
			return -1;
		for (x = 0; k < len; k++)
			x = x * 10 + (w[k] - '0');
		if (x > 0xffffffffULL)
			return -1;
		n[i] = x;
		i++;
	}
	if (i == 1 && !n[0]) {
		*burst = *rate = 0;
		return 0;
	}
	if (i != 2 || !n[0] || !n[1])
		return -1;
	*burst = n[0];
	*rate = n[1];
	return 0;
}

/*
 * Check one value, and apply it to @p (a policy) or @ev (event settings,
 * as bit sets: decisions, channels, fields) as the module would.
 */
struct evstate {
	uint64_t decisions, channels, fields;
	unsigned long burst, rate;
	int has_ratelimit;
	int locked;
};

struct profile_defaults {
	uint64_t clone, unshare, setns, rules;
};

static struct profile_defaults defaults[2];

static const char *apply_value(enum key k, const char *v, struct pol *p,
			       struct evstate *ev, char *err, size_t esize)
{
	const char *e = NULL;
	int i;

	switch (k) {
	case K_CGROUP: {
		/* clonegate_parse_cgroup_path(): one trailing / is dropped */
		size_t n = strlen(v);
		const char *c, *end;
		int depth = 0;

		if (v[0] != '/')
			return "a cgroup is an absolute path, as /proc/PID/cgroup shows it";
		if (n > 1 && v[n - 1] == '/')
			n--;
		if (n > CLONEGATE_PATH_LEN - 1)
			return "a cgroup path is at most 255 characters";
		for (c = v; c < v + n; c++)
			if (*c < 0x20 || *c > 0x7e)
				return "a cgroup path is printable ASCII";
		for (c = v + 1; n > 1 && c <= v + n; c = end + 1) {
			size_t cl;

			end = memchr(c, '/', v + n - c);
			if (!end)
				end = v + n;
			cl = end - c;
			if (!cl || (cl == 1 && c[0] == '.') ||
			    (cl == 2 && c[0] == '.' && c[1] == '.'))
				return "a cgroup path has no empty, . or .. component";
			if (++depth > SCOPE_DEPTH_MAX)
				return "a cgroup path is at most 32 levels deep";
		}
		snprintf(p->cgroup, sizeof(p->cgroup), "%.*s", (int)n, v);
		return NULL;
	}
	case K_MODE:
		i = member(v, strlen(v), mode_names, N(mode_names));
		if (i < 0)
			return "mode is off, audit or enforce";
		p->mode = i;
		return NULL;
	case K_PROFILE:
		i = member(v, strlen(v), profile_names, N(profile_names));
		if (i == PROFILE_CUSTOM)
			return "custom is what a profile reads once edited; it cannot be set (write gvisor or permissive, then the edits)";
		if (i < 0)
			return "profile is gvisor or permissive";
		p->profile = i;
		p->clone = defaults[i].clone;
		p->unshare = defaults[i].unshare;
		p->setns = defaults[i].setns;
		p->rules = defaults[i].rules;
		return NULL;
	case K_CLONE:
		e = parse_mask(v, flag_names, LINUX_CLONE_FLAGS, p->clone,
			       &p->clone, "clone flag", err, esize);
		break;
	case K_UNSHARE:
		e = parse_mask(v, flag_names, LINUX_UNSHARE_FLAGS, p->unshare,
			       &p->unshare, "clone flag", err, esize);
		if (e == err && !strncmp(e, "'", 1)) {
			/* say which flags unshare(2) takes */
			snprintf(err + strlen(err), esize - strlen(err),
				 ": unshare(2) takes newtime vm fs files sighand thread newns sysvsem newcgroup newuts newipc newuser newpid newnet");
		}
		break;
	case K_SETNS:
		e = parse_mask(v, ns_names, LINUX_NS_TYPES, p->setns, &p->setns,
			       "namespace type (net ipc mnt uts user pid cgroup time)",
			       err, esize);
		break;
	case K_RULES: {
		size_t len;
		const char *w = next_word(v, &len);

		if (len && w[0] != '+' && w[0] != '-')
			return "rules takes +name and -name edits, never a whole list";
		e = parse_set(v, rules_v, n_rules, (1ULL << n_rules) - 1,
			      p->rules, &p->rules, "rule", err, esize);
		break;
	}
	case K_EV_DECISIONS:
		e = parse_set(v, decision_names, N(decision_names),
			      (1ULL << N(decision_names)) - 1, ev->decisions,
			      &ev->decisions, "decision (allowed denied audited)",
			      err, esize);
		return e;
	case K_EV_CHANNELS:
		e = parse_set(v, channel_names, N(channel_names),
			      (1ULL << N(channel_names)) - 1, ev->channels,
			      &ev->channels, "channel (audit trace dev)", err,
			      esize);
		return e;
	case K_EV_FIELDS:
		e = parse_set(v, field_names, N(field_names),
			      (1ULL << N(field_names)) - 1, ev->fields,
			      &ev->fields, "context field", err, esize);
		return e;
	case K_EV_RATELIMIT:
		if (parse_ratelimit(v, &ev->burst, &ev->rate))
			return "ratelimit is BURST RATE (two numbers above 0), or 0 for no limit";
		return NULL;
	case K_LOCKED:
		if (strcmp(v, "1"))
			return "locked can only be 1: a lock is undone by a reboot, never by a write";
		ev->locked = 1;
		return NULL;
	default:
		return "unknown key";
	}
	if (!e)
		p->profile = PROFILE_CUSTOM;
	return e;
}

/* --- the file ------------------------------------------------------------------ */

static int valid_scope_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= SCOPE_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7e ||
		    (*s < 0x20 && *s != '\t'))
			return 0;
	return 1;
}

static int loaded;

/* The grammar alone, on a scratch policy: every bad value is reported. */
static int check_value(enum key k, const char *val, int line)
{
	struct pol p = { .profile = PROFILE_CUSTOM };
	struct evstate ev = { 0 };
	char err[512];
	const char *e;

	if (k == K_SETNS && !has_setns) {
		errorf(line, "setns_types: this clonegate module has no such setting (it predates setns decisions)");
		return -1;
	}
	if (k >= K_EV_DECISIONS && loaded && !sys_exists(keys[k].name)) {
		errorf(line, "%s: this clonegate module has no such setting",
		       keys[k].name);
		return -1;
	}
	e = apply_value(k, val, &p, &ev, err, sizeof(err));
	if (e) {
		errorf(line, "%s = %s: %s", keys[k].name, val, e);
		return -1;
	}
	return 0;
}

/* The longest line a file may have, without its newline. */
#define LINE_MAX_LEN (VALUE_MAX + 254)

static int parse_file(FILE *f)
{
	struct section *cur = &sec[0];
	int line = 0, bad = 0, k;
	char *buf = NULL;
	size_t bufsize = 0;
	ssize_t len;

	n_sec = 1;
	while ((len = getline(&buf, &bufsize, f)) >= 0) {
		char *s, *eq, *key, *val;

		line++;
		if (len && buf[len - 1] == '\n')
			len--;
		if (len > LINE_MAX_LEN) {
			errorf(line, "line longer than %d bytes", LINE_MAX_LEN);
			goto fail;
		}
		/* a NUL would end the line early, unseen */
		if (memchr(buf, '\0', len)) {
			errorf(line, "not text: a NUL byte");
			bad = 1;
			continue;
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		/* a comment: # at the start, or after white space */
		for (s = buf; *s; s++)
			if (*s == '#' && (s == buf || isspace((unsigned char)s[-1]))) {
				*s = '\0';
				break;
			}
		s = trim(buf);
		if (!*s)
			continue;
		if (!text_ok(s)) {
			errorf(line, "not text: a byte above 0x7e or a control character");
			bad = 1;
			continue;
		}
		if (*s == '[') {
			char word[16], name[64], extra, inner[VALUE_MAX + 256];

			snprintf(inner, sizeof(inner), "%.*s", (int)strlen(s) - 2,
				 s + 1);
			if (s[strlen(s) - 1] != ']' ||
			    sscanf(inner, "%15s %63s %c", word, name, &extra) != 2 ||
			    strcmp(word, "scope")) {
				errorf(line, "a section is [scope NAME]");
				bad = 1;
				cur = NULL;
				continue;
			}
			if (!valid_scope_name(name)) {
				errorf(line, "scope name '%s': 1 to %d characters of a-z, 0-9, _ and -",
				       name, SCOPE_NAME_MAX);
				bad = 1;
				cur = NULL;
				continue;
			}
			if (!strcmp(name, "host")) {
				errorf(line, "'host' names the host policy (the keys before the first section); choose another scope name");
				bad = 1;
				cur = NULL;
				continue;
			}
			if (!strcmp(name, "add") || !strcmp(name, "remove")) {
				errorf(line, "'%s' is a file beside the scopes in sysfs; choose another scope name",
				       name);
				bad = 1;
				cur = NULL;
				continue;
			}
			for (k = 1; k < n_sec; k++)
				if (!strcmp(sec[k].name, name))
					break;
			if (k < n_sec) {
				errorf(line, "scope %s is already defined at line %d",
				       name, sec[k].line);
				bad = 1;
				cur = NULL;
				continue;
			}
			if (n_sec == MAX_SCOPES + 1) {
				errorf(line, "more than %d scopes", MAX_SCOPES);
				goto fail;
			}
			cur = &sec[n_sec++];
			strcpy(cur->name, name);
			cur->line = line;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			errorf(line, "expected KEY = VALUE or [scope NAME]");
			bad = 1;
			continue;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		for (k = 0; k < K_COUNT; k++)
			if (!strcmp(keys[k].name, key))
				break;
		if (k == K_COUNT) {
			errorf(line, "unknown key '%s' (keys: mode profile clone_flags unshare_flags setns_types rules cgroup locked events/decisions events/channels events/context_fields events/ratelimit)",
			       key);
			bad = 1;
			continue;
		}
		if (!cur) {
			/* in a section whose header was wrong: the value still counts */
			if (!*val || check_value(k, val, line))
				bad = 1;
			continue;
		}
		if (cur == &sec[0] && !keys[k].host) {
			errorf(line, "%s belongs in a [scope NAME] section", key);
			bad = 1;
			continue;
		}
		if (cur != &sec[0] && !keys[k].scope) {
			errorf(line, "%s is a host setting: put it before the first [scope] section",
			       key);
			bad = 1;
			continue;
		}
		if (cur->val[k]) {
			errorf(line, "%s is given twice (first at line %d)", key,
			       cur->vline[k]);
			bad = 1;
			continue;
		}
		if (!*val) {
			errorf(line, "%s has no value", key);
			bad = 1;
			continue;
		}
		if (strlen(val) > VALUE_MAX) {
			errorf(line, "the value of %s is longer than %d bytes",
			       key, VALUE_MAX);
			bad = 1;
			continue;
		}
		if (check_value(k, val, line)) {
			bad = 1;
			continue;
		}
		cur->val[k] = strdup(val);
		cur->vline[k] = line;
		if (!cur->val[k]) {
			perror(PROG);
			goto fail;
		}
	}
	free(buf);
	if (ferror(f)) {
		errorf(0, "read error");
		return -1;
	}
	for (k = 1; k < n_sec; k++)
		if (!sec[k].val[K_CGROUP]) {
			errorf(sec[k].line, "scope %s has no cgroup key", sec[k].name);
			bad = 1;
		}
	return bad ? -1 : 0;

fail:
	free(buf);
	return -1;
}

/* --- the live state ------------------------------------------------------------ */

static int read_mask(const char *rel, const char *const *names, uint64_t *out,
		     char *text, size_t tsize)
{
	char err[256];

	if (sys_read(rel, text, tsize) < 0)
		return -1;
	return parse_mask(text, names, ~0ULL, 0, out, "name", err,
			  sizeof(err)) ? -1 : 0;
}

/* Read a policy from DIR ("" or "scopes/NAME/"). Return: 0 or -1. */
static int read_pol(const char *dir, struct pol *p, struct snap *s)
{
	char rel[128], *save = NULL, *line, copy[1024];
	int i;

	memset(p, 0, sizeof(*p));
	snprintf(rel, sizeof(rel), "%smode", dir);
	if (sys_read(rel, s->mode, sizeof(s->mode)) < 0)
		return -1;
	p->mode = member(s->mode, strlen(s->mode), mode_names, N(mode_names));
	snprintf(rel, sizeof(rel), "%sprofile", dir);
	if (sys_read(rel, s->profile, sizeof(s->profile)) < 0)
		return -1;
	p->profile = member(s->profile, strlen(s->profile), profile_names,
			    N(profile_names));
	snprintf(rel, sizeof(rel), "%sclone_flags", dir);
	if (read_mask(rel, flag_names, &p->clone, s->clone, sizeof(s->clone)))
		return -1;
	snprintf(rel, sizeof(rel), "%sunshare_flags", dir);
	if (read_mask(rel, flag_names, &p->unshare, s->unshare,
		      sizeof(s->unshare)))
		return -1;
	s->setns[0] = '\0';
	if (has_setns) {
		snprintf(rel, sizeof(rel), "%ssetns_types", dir);
		if (read_mask(rel, ns_names, &p->setns, s->setns,
			      sizeof(s->setns)))
			return -1;
	}
	snprintf(rel, sizeof(rel), "%srules", dir);
	if (sys_read(rel, s->rules, sizeof(s->rules)) < 0)
		return -1;
	strcpy(copy, s->rules);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		i = member(line + 1, strlen(line + 1), rules_v, n_rules);
		if (i >= 0 && line[0] == '+')
			p->rules |= 1ULL << i;
	}
	/* the rules file reads one row a line: as one write, edits */
	for (i = 0; s->rules[i]; i++)
		if (s->rules[i] == '\n')
			s->rules[i] = ' ';
	s->cgroup[0] = '\0';
	if (*dir) {
		snprintf(rel, sizeof(rel), "%scgroup", dir);
		if (sys_read(rel, s->cgroup, sizeof(s->cgroup)) < 0)
			return -1;
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", s->cgroup);
	}
	return 0;
}

static int same_policy(const struct pol *a, const struct pol *b)
{
	return a->profile == b->profile && a->clone == b->clone &&
	       a->unshare == b->unshare && (!has_setns || a->setns == b->setns) &&
	       a->rules == b->rules;
}

/* The built-in profile values; a loaded module's own replace them. */
static void init_defaults(void)
{
	int i;

	defaults[PROFILE_GVISOR] = (struct profile_defaults){
		GVISOR_CLONE_FLAGS, GVISOR_UNSHARE_FLAGS, GVISOR_NS_TYPES,
		(1ULL << n_rules) - 1,
	};
	defaults[PROFILE_PERMISSIVE] = (struct profile_defaults){
		LINUX_CLONE_FLAGS, LINUX_UNSHARE_FLAGS, LINUX_NS_TYPES, 0,
	};
	for (i = 0; i < n_rules; i++)
		if (!strcmp(rules_v[i], "unsupported_flag"))
			defaults[PROFILE_PERMISSIVE].rules = 1ULL << i;
}

static void learn_defaults(const struct pol *p)
{
	if (p->profile == PROFILE_GVISOR || p->profile == PROFILE_PERMISSIVE)
		defaults[p->profile] = (struct profile_defaults){
			p->clone, p->unshare, p->setns, p->rules,
		};
}

/* --- the plan ------------------------------------------------------------------- */

enum step_kind { S_WRITE, S_ADD, S_REMOVE };

struct step {
	enum step_kind kind;
	int obj;		/* 0 host, 1.. sections, -1 - i: pruned scope i */
	char rel[160];
	const char *value;
	int line;
	char what[96];
};

#define MAX_STEPS ((MAX_SCOPES + 1) * K_COUNT + 2 * MAX_SCOPES)
static struct step steps[MAX_STEPS];
static int n_steps;

static struct pol cur_pol[MAX_SCOPES + 1], want_pol[MAX_SCOPES + 1];
static struct snap cur_snap[MAX_SCOPES + 1];
static int exists[MAX_SCOPES + 1];
static struct evstate cur_ev, want_ev;
static char cur_ev_text[K_COUNT][256];

static char live_scopes[MAX_SCOPES][SCOPE_NAME_MAX + 1];
static int n_live;
static struct pol pruned_pol[MAX_SCOPES];
static struct snap pruned_snap[MAX_SCOPES];

static void add_step(enum step_kind kind, int obj, const char *rel,
		     const char *value, int line, const char *what)
{
	struct step *s = &steps[n_steps++];

	s->kind = kind;
	s->obj = obj;
	snprintf(s->rel, sizeof(s->rel), "%s", rel);
	s->value = value;
	s->line = line;
	snprintf(s->what, sizeof(s->what), "%s", what);
}

static void obj_dir(int obj, char *dir, size_t size)
{
	if (obj == 0)
		dir[0] = '\0';
	else if (obj > 0)
		snprintf(dir, size, "scopes/%s/", sec[obj].name);
	else
		snprintf(dir, size, "scopes/%s/", live_scopes[-1 - obj]);
}

static void obj_name(int obj, char *out, size_t size)
{
	if (obj == 0)
		snprintf(out, size, "host");
	else if (obj > 0)
		snprintf(out, size, "scope %s", sec[obj].name);
	else
		snprintf(out, size, "scope %s", live_scopes[-1 - obj]);
}

/*
 * Simulate section @i on @start and plan the writes that make the live
 * policy what it says. Return: 0, or -1 after naming the bad value.
 */
static int plan_policy(int i, const struct pol *start)
{
	struct section *s = &sec[i];
	struct pol p = *start;
	char dir[64], rel[160], what[96], name[64], err[512];
	int k, policy_changed;

	obj_dir(i, dir, sizeof(dir));
	obj_name(i, name, sizeof(name));
	for (k = K_CGROUP; k <= K_MODE; k++) {
		const char *e;

		if (!s->val[k])
			continue;
		if (k == K_SETNS && !has_setns) {
			errorf(s->vline[k], "setns_types: this clonegate module has no such setting (it predates setns decisions)");
			return -1;
		}
		e = apply_value(k, s->val[k], &p, NULL, err, sizeof(err));
		if (e) {
			errorf(s->vline[k], "%s = %s: %s", keys[k].name,
			       s->val[k], *e ? e : "unknown value");
			return -1;
		}
	}
	want_pol[i] = p;
	if (!loaded)
		return 0;

	if (s->val[K_CGROUP] && strcmp(start->cgroup, p.cgroup)) {
		snprintf(rel, sizeof(rel), "%scgroup", dir);
		snprintf(what, sizeof(what), "%s: cgroup", name);
		add_step(S_WRITE, i, rel, s->val[K_CGROUP], s->vline[K_CGROUP],
			 what);
	}
	policy_changed = !same_policy(start, &p);
	for (k = K_PROFILE; k <= K_RULES && policy_changed; k++) {
		if (!s->val[k])
			continue;
		snprintf(rel, sizeof(rel), "%s%s", dir, keys[k].name);
		snprintf(what, sizeof(what), "%s: %s", name, keys[k].name);
		add_step(S_WRITE, i, rel, s->val[k], s->vline[k], what);
	}
	if (s->val[K_MODE] && start->mode != p.mode) {
		snprintf(rel, sizeof(rel), "%smode", dir);
		snprintf(what, sizeof(what), "%s: mode", name);
		add_step(S_WRITE, i, rel, s->val[K_MODE], s->vline[K_MODE], what);
	}
	return 0;
}

static int plan_events(void)
{
	struct section *s = &sec[0];
	char err[512];
	int k;

	want_ev = cur_ev;
	for (k = K_EV_DECISIONS; k <= K_LOCKED; k++) {
		const char *e;
		int changed;

		if (!s->val[k])
			continue;
		if (loaded && !sys_exists(keys[k].name)) {
			errorf(s->vline[k], "%s: this clonegate module has no such setting",
			       keys[k].name);
			return -1;
		}
		e = apply_value(k, s->val[k], NULL, &want_ev, err, sizeof(err));
		if (e) {
			errorf(s->vline[k], "%s = %s: %s", keys[k].name,
			       s->val[k], e);
			return -1;
		}
		if (!loaded || k == K_LOCKED)
			continue;
		changed = k == K_EV_DECISIONS ? cur_ev.decisions != want_ev.decisions :
			  k == K_EV_CHANNELS ? cur_ev.channels != want_ev.channels :
			  k == K_EV_FIELDS ? cur_ev.fields != want_ev.fields :
			  cur_ev.burst != want_ev.burst || cur_ev.rate != want_ev.rate;
		if (changed)
			add_step(S_WRITE, 0, keys[k].name, s->val[k],
				 s->vline[k], keys[k].name);
	}
	return 0;
}

static int read_events(void)
{
	char err[256];
	int k;

	memset(&cur_ev, 0, sizeof(cur_ev));
	for (k = K_EV_DECISIONS; k <= K_LOCKED; k++) {
		char *t = cur_ev_text[k];

		if (sys_read(keys[k].name, t, sizeof(cur_ev_text[k])) < 0) {
			t[0] = '\0';
			continue;
		}
		switch (k) {
		case K_EV_DECISIONS:
			parse_set(t, decision_names, N(decision_names), ~0ULL, 0,
				  &cur_ev.decisions, "", err, sizeof(err));
			break;
		case K_EV_CHANNELS:
			parse_set(t, channel_names, N(channel_names), ~0ULL, 0,
				  &cur_ev.channels, "", err, sizeof(err));
			break;
		case K_EV_FIELDS:
			parse_set(t, field_names, N(field_names), ~0ULL, 0,
				  &cur_ev.fields, "", err, sizeof(err));
			break;
		case K_EV_RATELIMIT:
			parse_ratelimit(t, &cur_ev.burst, &cur_ev.rate);
			cur_ev.has_ratelimit = 1;
			break;
		case K_LOCKED:
			cur_ev.locked = !strcmp(t, "1");
			break;
		}
	}
	return 0;
}

/* --- doing it, and undoing it ------------------------------------------------------ */

/*
 * Tests make one write fail, as if the module refused it: the rollback
 * path cannot be reached otherwise on a module that takes every value
 * this tool lets through.
 */
static int do_write(const char *rel, const char *val)
{
	const char *fail = getenv("CLONEGATECTL_FAIL_WRITE");

	if (fail && !strcmp(fail, rel))
		return -EIO;
	return sys_write(rel, val);
}

static int restore_write(const char *rel, const char *val, int *ok)
{
	int err = sys_write(rel, val);

	if (err) {
		fprintf(stderr, PROG ": rollback: %s = %s: %s\n", rel, val,
			strerror(-err));
		*ok = 0;
	}
	return err;
}

/* Put a policy back as it was read. */
static void restore_pol(const char *dir, const struct snap *s, int cgroup,
			int *ok)
{
	char rel[160], now[VALUE_MAX + 16];

	snprintf(rel, sizeof(rel), "%scgroup", dir);
	if (cgroup && sys_read(rel, now, sizeof(now)) < 0)
		strcpy(now, "unreadable");
	if (cgroup && strcmp(now, s->cgroup)) {
		/*
		 * The module binds a scope to a path and nothing else: no
		 * write makes it "none" or "PATH (removed)" again.
		 */
		if (s->cgroup[0] == '/' && !strstr(s->cgroup, " (removed)")) {
			restore_write(rel, s->cgroup, ok);
		} else {
			fprintf(stderr, PROG ": ROLLBACK INCOMPLETE: scope %.*s: its cgroup was %s and no write puts that back (it stays %s; remove the scope to unbind it)\n",
				(int)strlen(dir) - 8, dir + 7, s->cgroup, now);
			*ok = 0;
		}
	}
	if (!strcmp(s->profile, "gvisor") || !strcmp(s->profile, "permissive")) {
		/* a profile's values, exactly: it was not edited */
		snprintf(rel, sizeof(rel), "%sprofile", dir);
		restore_write(rel, s->profile, ok);
	} else {
		snprintf(rel, sizeof(rel), "%sclone_flags", dir);
		restore_write(rel, s->clone, ok);
		snprintf(rel, sizeof(rel), "%sunshare_flags", dir);
		restore_write(rel, s->unshare, ok);
		if (s->setns[0]) {
			snprintf(rel, sizeof(rel), "%ssetns_types", dir);
			restore_write(rel, s->setns, ok);
		}
		snprintf(rel, sizeof(rel), "%srules", dir);
		restore_write(rel, s->rules, ok);
	}
	snprintf(rel, sizeof(rel), "%smode", dir);
	restore_write(rel, s->mode, ok);
}

/* Undo steps[0..done), newest first. Return: 1 if all went back. */
static int rollback(int done)
{
	int dirty[MAX_SCOPES + 1] = { 0 }, removed[MAX_SCOPES + 1] = { 0 };
	int cg_dirty[MAX_SCOPES + 1] = { 0 }, ev_dirty[K_COUNT] = { 0 };
	int ok = 1, i, k;

	for (i = done - 1; i >= 0; i--) {
		struct step *s = &steps[i];
		char dir[64];

		switch (s->kind) {
		case S_ADD:
			restore_write("scopes/remove", sec[s->obj].name, &ok);
			removed[s->obj] = 1;
			break;
		case S_REMOVE: {
			int j = -1 - s->obj;

			obj_dir(s->obj, dir, sizeof(dir));
			if (!restore_write("scopes/add", live_scopes[j], &ok))
				restore_pol(dir, &pruned_snap[j], 1, &ok);
			break;
		}
		case S_WRITE:
			if (s->obj > 0 && removed[s->obj])
				break;
			for (k = K_EV_DECISIONS; k < K_COUNT; k++)
				if (!strcmp(s->rel, keys[k].name))
					ev_dirty[k] = 1;
			if (s->obj >= 0 && strstr(s->rel, "/cgroup"))
				cg_dirty[s->obj] = 1;
			else if (s->obj >= 0)
				dirty[s->obj] = 1;
			break;
		}
	}
	for (k = K_EV_DECISIONS; k < K_LOCKED; k++)
		if (ev_dirty[k])
			restore_write(keys[k].name, cur_ev_text[k], &ok);
	for (i = n_sec - 1; i >= 0; i--) {
		char dir[64];

		if (removed[i] || (!dirty[i] && !cg_dirty[i]))
			continue;
		obj_dir(i, dir, sizeof(dir));
		if (dirty[i])
			restore_pol(dir, &cur_snap[i], cg_dirty[i], &ok);
		else
			restore_pol(dir, &cur_snap[i], 1, &ok);
	}
	return ok;
}

static const char *why(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return " (needs root: CAP_SYS_ADMIN)";
	case -ENOENT:
		return " (no such file or cgroup)";
	default:
		return "";
	}
}

/*
 * Read back what was written and compare it with what was computed.
 * CLONEGATECTL_FAIL_VERIFY makes every policy read back as different, as
 * if another writer had changed it meanwhile, for the tests.
 */
static int verify(void)
{
	int other = getenv("CLONEGATECTL_FAIL_VERIFY") != NULL;
	int i;

	for (i = 0; i < n_sec; i++) {
		struct pol p;
		struct snap s;
		char dir[64], name[64];

		obj_dir(i, dir, sizeof(dir));
		obj_name(i, name, sizeof(name));
		if (read_pol(dir, &p, &s)) {
			fprintf(stderr, PROG ": %s: cannot read it back\n", name);
			return -1;
		}
		if (other || !same_policy(&p, &want_pol[i]) ||
		    (sec[i].val[K_MODE] && p.mode != want_pol[i].mode) ||
		    (i && strcmp(p.cgroup, want_pol[i].cgroup))) {
			fprintf(stderr, PROG ": %s reads back other than %s says (mode %s, profile %s, clone_flags %s): another writer, or a module whose profiles differ from this tool's\n",
				name, file, s.mode, s.profile, s.clone);
			return -1;
		}
	}
	return 0;
}

/* --- the command ---------------------------------------------------------------------- */

int cmd_apply(int argc, char **argv, int check_only)
{
	const char *cmd = check_only ? "check" : "apply";
	char version[64];
	int prune = 0, i, j, rc, n_policy;
	FILE *f;

	file = NULL;
	for (i = 1; i < argc; i++) {
		if (!check_only && !strcmp(argv[i], "--prune"))
			prune = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			break;
		else if (!file)
			file = argv[i];
		else
			break;
	}
	if (i < argc || !file) {
		fprintf(stderr, "usage: clonegatectl %s%s FILE\n", cmd,
			check_only ? "" : " [--prune]");
		return 2;
	}
	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", file, strerror(errno));
		return 1;
	}
	loaded = sys_read("version", version, sizeof(version)) >= 0;
	has_setns = !loaded || sys_exists("setns_types");
	n_rules = rule_names(rules_v, MAX_RULES);
	init_defaults();
	rc = parse_file(f);
	if (f != stdin)
		fclose(f);
	if (rc)
		return 1;
	if (!loaded && !check_only) {
		fprintf(stderr, PROG ": clonegate is not loaded (no %s/version): modprobe clonegate first\n",
			sysfs_root());
		return 1;
	}

	if (loaded) {
		if (read_pol("", &cur_pol[0], &cur_snap[0])) {
			fprintf(stderr, PROG ": cannot read the host policy under %s\n",
				sysfs_root());
			return 1;
		}
		learn_defaults(&cur_pol[0]);
		read_events();
		n_live = scope_list(live_scopes, MAX_SCOPES);
		if (n_sec > 1 && !sys_exists("scopes/add")) {
			errorf(sec[1].line, "[scope %s]: this clonegate module has no scopes",
			       sec[1].name);
			return 1;
		}
		for (i = 1; i < n_sec; i++) {
			char dir[64];

			for (j = 0; j < n_live; j++)
				if (!strcmp(live_scopes[j], sec[i].name))
					break;
			exists[i] = j < n_live;
			if (!exists[i])
				continue;
			obj_dir(i, dir, sizeof(dir));
			if (read_pol(dir, &cur_pol[i], &cur_snap[i])) {
				fprintf(stderr, PROG ": cannot read scope %s\n",
					sec[i].name);
				return 1;
			}
			learn_defaults(&cur_pol[i]);
		}
	} else {
		/* only the grammar: simulate on the gvisor profile */
		cur_pol[0] = (struct pol){ .mode = 1, .profile = PROFILE_GVISOR };
		cur_pol[0].clone = defaults[0].clone;
		cur_pol[0].unshare = defaults[0].unshare;
		cur_pol[0].setns = defaults[0].setns;
		cur_pol[0].rules = defaults[0].rules;
	}

	/* host policy, event settings, then each scope in file order */
	if (plan_policy(0, &cur_pol[0]) || plan_events())
		return 1;
	for (i = 1; i < n_sec; i++) {
		struct pol start = exists[i] ? cur_pol[i] : want_pol[0];

		if (!exists[i]) {
			/* a new scope starts as a copy of the host policy */
			strcpy(start.cgroup, "none");
			if (loaded)
				add_step(S_ADD, i, "scopes/add", sec[i].name,
					 sec[i].line, "");
		}
		if (plan_policy(i, &start))
			return 1;
	}
	for (j = 0; j < n_live; j++) {
		for (i = 1; i < n_sec; i++)
			if (!strcmp(live_scopes[j], sec[i].name))
				break;
		if (i < n_sec)
			continue;
		if (!prune) {
			if (!check_only)
				printf("scope %s: not in %s, left as it is (--prune removes it)\n",
				       live_scopes[j], file);
			continue;
		}
		{
			char dir[64];

			obj_dir(-1 - j, dir, sizeof(dir));
			if (read_pol(dir, &pruned_pol[j], &pruned_snap[j])) {
				fprintf(stderr, PROG ": cannot read scope %s\n",
					live_scopes[j]);
				return 1;
			}
		}
		add_step(S_REMOVE, -1 - j, "scopes/remove", live_scopes[j], 0, "");
	}
	if (sec[0].val[K_LOCKED] && loaded && !cur_ev.locked)
		add_step(S_WRITE, 0, "locked", "1", sec[0].vline[K_LOCKED],
			 "locked");

	if (check_only) {
		printf("%s: valid\n", file);
		if (!loaded) {
			printf("clonegate is not loaded: only the file was checked\n");
			return 0;
		}
		if (!n_steps)
			printf("nothing to change: the live policy is what %s says\n",
			       file);
		for (i = 0; i < n_steps; i++) {
			struct step *s = &steps[i];

			if (s->kind == S_ADD)
				printf("would create scope %s\n", s->value);
			else if (s->kind == S_REMOVE)
				printf("would remove scope %s\n", s->value);
			else
				printf("would set %s = %s\n", s->what, s->value);
		}
		if (n_steps && cur_ev.locked)
			printf("but the policy is locked until reboot: apply would refuse\n");
		return 0;
	}

	if (!n_steps) {
		printf("nothing to change: the live policy is what %s says\n",
		       file);
		return 0;
	}
	if (cur_ev.locked) {
		fprintf(stderr, PROG ": %s: refused: the policy is locked (%s/locked reads 1) until the next reboot, and %s differs from it in %d setting%s; nothing was changed\n",
			file, sysfs_root(), file, n_steps, n_steps == 1 ? "" : "s");
		return 1;
	}
	/*
	 * The policy, then its read-back, then the lock: once locked
	 * nothing can be rolled back, so only a policy read back as it was
	 * worked out is locked.
	 */
	n_policy = n_steps;
	if (steps[n_steps - 1].kind == S_WRITE &&
	    !strcmp(steps[n_steps - 1].rel, "locked"))
		n_policy--;
	for (i = 0; i <= n_steps; i++) {
		struct step *s = &steps[i];
		int err;

		if (i == n_policy && verify())
			goto undo;
		if (i == n_steps)
			break;
		err = s->kind == S_ADD ? do_write("scopes/add", s->value) :
		      s->kind == S_REMOVE ? do_write("scopes/remove", s->value) :
		      do_write(s->rel, s->value);
		if (err) {
			if (s->kind == S_WRITE)
				errorf(s->line, "the module refused %s = %s: %s%s",
				       s->what, s->value, strerror(-err), why(err));
			else
				errorf(s->line, "cannot %s scope %s: %s%s",
				       s->kind == S_ADD ? "create" : "remove",
				       s->value, strerror(-err), why(err));
			goto undo;
		}
		if (s->kind == S_ADD)
			printf("scope %s: created\n", s->value);
		else if (s->kind == S_REMOVE)
			printf("scope %s: removed\n", s->value);
		else
			printf("%s = %s\n", s->what, s->value);
	}
	printf("applied %s: %d change%s\n", file, n_steps, n_steps == 1 ? "" : "s");
	return 0;

undo:
	if (rollback(i))
		fprintf(stderr, PROG ": rolled back: the policy is as it was before\n");
	else
		fprintf(stderr, PROG ": ROLLBACK INCOMPLETE: check clonegatectl status\n");
	return 1;
}
