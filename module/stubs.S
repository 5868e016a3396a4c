/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate: the stubs a denied call is sent to, one per errno.
 *
 * A hook sees the hooked function at its first instruction, so the
 * caller's return address is on top of the stack: pointing the ip at a
 * stub makes the function return at once, with the errno in %rax. The stub
 * sets %rax itself: a BPF trampoline on the same function runs between the
 * hook and the stub and does not keep %rax. The stubs are reached by the
 * return of the ftrace or kprobe trampoline, never by an indirect branch,
 * so they need no ENDBR (kernels with indirect branch tracking): tell
 * objtool so, where SYM_FUNC_START does not add one anyway.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/linkage.h>
#include <uapi/asm-generic/errno-base.h>
#include <uapi/asm-generic/errno.h>

/* a C macro since 6.15; an assembler macro before, or none before 5.18 */
#ifndef ANNOTATE_NOENDBR
#define CLONEGATE_NOENDBR
#else
#define CLONEGATE_NOENDBR	ANNOTATE_NOENDBR
#endif

.macro CLONEGATE_STUB name, err
SYM_FUNC_START(\name)
	CLONEGATE_NOENDBR
	movq	$-\err, %rax
	RET
SYM_FUNC_END(\name)
.endm

CLONEGATE_STUB clonegate_stub_einval, EINVAL
CLONEGATE_STUB clonegate_stub_eperm, EPERM
CLONEGATE_STUB clonegate_stub_eopnotsupp, EOPNOTSUPP
