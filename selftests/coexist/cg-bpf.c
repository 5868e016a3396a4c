// SPDX-License-Identifier: GPL-2.0
/*
 * cg-bpf: attach BPF fentry or fexit programs to kernel functions and hold
 * them, as a tracing agent would, while a test runs beside them.
 *
 *   cg-bpf attach fentry|fexit FUNC...
 *
 * For each FUNC it finds FUNC in the kernel's BTF, loads a
 * BPF_PROG_TYPE_TRACING program for it that counts its runs in an array map
 * and returns 0, and attaches the program (a BPF trampoline on FUNC). It then prints, one per
 * line:
 *
 *   attached KIND FUNC      for each function, then
 *   attached                once all are attached.
 *
 * Each line read on stdin is answered with "count FUNC N" per function
 * (runs so far) and "end". On end of input it detaches everything, prints
 * "detached" and exits 0; a signal that kills it detaches too (the kernel
 * drops the links with their file descriptors).
 *
 * When a step fails it prints "error STEP KIND FUNC ERRNO" (STEP: btf,
 * load or attach; ERRNO a positive number, e.g. 16 for EBUSY) and exits 1,
 * having detached whatever it had attached.
 *
 * The programs are built from struct bpf_insn: no compiler for BPF is
 * needed. Linked statically, it runs in an initramfs without libraries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define MAX_FUNCS 8

/* The few instruction encodings the program needs (as in linux/filter.h). */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_MEM_W(d, o, i)	INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JEQ_IMM(d, i, o)	INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* lock *(u64 *)(d + o) += s; the encoding 5.10 calls BPF_XADD */
#define ATOMIC_ADD64(d, s, o)	INSN(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, o, BPF_ADD)
/* d = the map behind fd: a two-slot load */
#define LD_MAP_FD(d, fd)					\
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd),	\
	INSN(0, 0, 0, 0, 0)

struct hook {
	const char *func;
	int prog_fd;
	int link_fd;
};

static struct hook hooks[MAX_FUNCS];
static int nhooks;
static int map_fd = -1;
/* the kernel's BTF, parsed once: it is megabytes, and the VM is slow */
static struct btf *vmlinux_btf;

static void detach_all(void)
{
	int i;

	for (i = 0; i < nhooks; i++) {
		if (hooks[i].link_fd >= 0)
			close(hooks[i].link_fd);
		if (hooks[i].prog_fd >= 0)
			close(hooks[i].prog_fd);
	}
	if (map_fd >= 0)
		close(map_fd);
	btf__free(vmlinux_btf);
}

static void fail(const char *step, const char *kind, const char *func,
		 int err)
{
	printf("error %s %s %s %d\n", step, kind, func, err < 0 ? -err : err);
	fflush(stdout);
	detach_all();
	exit(1);
}

/* The program for slot @slot: map[slot]++, return 0. */
static int load_prog(const char *kind, enum bpf_attach_type type,
		     const char *func, int slot)
{
	struct bpf_insn insns[] = {
		ST_MEM_W(BPF_REG_10, -4, slot),
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ADD64_IMM(BPF_REG_2, -4),
		LD_MAP_FD(BPF_REG_1, map_fd),
		CALL(BPF_FUNC_map_lookup_elem),
		JEQ_IMM(BPF_REG_0, 0, 2),
		MOV64_IMM(BPF_REG_1, 1),
		ATOMIC_ADD64(BPF_REG_0, BPF_REG_1, 0),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};
	static char log[64 * 1024];
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = type,
		    .log_buf = log,
		    .log_size = sizeof(log));
	int btf_id, fd;

	btf_id = btf__find_by_name_kind(vmlinux_btf, func, BTF_KIND_FUNC);
	if (btf_id < 0)
		fail("btf", kind, func, btf_id);
	opts.attach_btf_id = btf_id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "cg_bpf_count", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd < 0) {
		int err = errno;

		/* the verifier says why only when asked again with a log */
		opts.log_level = 1;
		if (bpf_prog_load(BPF_PROG_TYPE_TRACING, "cg_bpf_count", "GPL",
				  insns, sizeof(insns) / sizeof(insns[0]),
				  &opts) < 0)
			fprintf(stderr, "%s", log);
		fail("load", kind, func, err);
	}
	return fd;
}

static void print_counts(void)
{
	int i;

	for (i = 0; i < nhooks; i++) {
		__u32 key = i;
		__u64 value = 0;

		bpf_map_lookup_elem(map_fd, &key, &value);
		printf("count %s %llu\n", hooks[i].func,
		       (unsigned long long)value);
	}
	printf("end\n");
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: cg-bpf attach fentry|fexit FUNC...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	enum bpf_attach_type type;
	const char *kind;
	char line[64];
	int i;

	if (argc < 4 || strcmp(argv[1], "attach") || argc - 3 > MAX_FUNCS)
		return usage();
	kind = argv[2];
	if (!strcmp(kind, "fentry"))
		type = BPF_TRACE_FENTRY;
	else if (!strcmp(kind, "fexit"))
		type = BPF_TRACE_FEXIT;
	else
		return usage();

	/* kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK */
	setrlimit(RLIMIT_MEMLOCK, &unlimited);

	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf)
		fail("btf", kind, "vmlinux", errno);
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "cg_bpf_counts",
				sizeof(__u32), sizeof(__u64), MAX_FUNCS, NULL);
	if (map_fd < 0)
		fail("load", kind, "map", errno);

	for (i = 3; i < argc; i++) {
		struct hook *h = &hooks[nhooks];

		h->func = argv[i];
		h->link_fd = -1;
		h->prog_fd = -1;
		nhooks++;
		h->prog_fd = load_prog(kind, type, h->func, nhooks - 1);
		/*
		 * BPF_RAW_TRACEPOINT_OPEN without a name attaches a tracing
		 * program to its BTF target: the one way every kernel since
		 * 5.5 offers (5.10's BPF_LINK_CREATE does not take fentry).
		 */
		h->link_fd = bpf_raw_tracepoint_open(NULL, h->prog_fd);
		if (h->link_fd < 0)
			fail("attach", kind, h->func, errno);
		printf("attached %s %s\n", kind, h->func);
	}
	printf("attached\n");
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin))
		print_counts();

	detach_all();
	printf("detached\n");
	return 0;
}
