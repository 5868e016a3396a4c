# SPDX-License-Identifier: GPL-2.0
#
# clonegate: build, install and test.
#
#   make                  build clonegate.ko against KDIR
#   make install          install it (with depmod) for KERNELRELEASE, and
#                         the tools in /usr/local/sbin
#   make deb              the Debian packages clonegate-dkms and
#                         clonegate-tools, in build/deb/
#   make dkms.conf        DKMS's configuration, for the version in VERSION
#   make dkms-source      the DKMS source tree in
#                         $(DESTDIR)/usr/src/clonegate-<version>
#   make check            the whole test suite, in VMs (installs what it needs)
#   make demo             boot a VM, load the module, show what it decides
#   make kunit            the KUnit lane alone, on the debug kernel
#   make bench            the cost per call, as ratios to a baseline, in a VM
#   make style            checkpatch over module/, kunit/ and include/

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(CURDIR)
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl \
	$(CLONEGATE_CACHE)/src/linux-source-6.1/scripts/checkpatch.pl \
	$(CLONEGATE_CACHE)/debug-kernel/*/build/scripts/checkpatch.pl))
CLONEGATE_CACHE ?= /var/cache/clonegate
# the one place the version is set
CLONEGATE_VERSION := $(shell cat $(CURDIR)/VERSION)

all: modules

# clonegate works on x86_64 only: say so before anything is built. Kbuild
# checks the kernel's own configuration too (and its version, kprobes and
# kernel_clone).
CLONEGATE_ARCH := $(or $(ARCH),$(shell uname -m))
ifeq ($(filter x86_64 x86,$(CLONEGATE_ARCH)),)
ifneq ($(filter all modules install,$(or $(MAKECMDGOALS),all)),)
$(error clonegate supports x86_64 only, not $(CLONEGATE_ARCH))
endif
endif

kdir-check:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "clonegate: no kernel build tree at $(KDIR)." >&2; \
		echo "  On Debian/Ubuntu: apt install linux-headers-$(KERNELRELEASE)" >&2; \
		echo "  On Fedora/RHEL:   dnf install kernel-devel-$(KERNELRELEASE)" >&2; \
		echo "  Or point at a configured tree: make KDIR=/path/to/linux" >&2; \
		exit 1; \
	fi

modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KERNELRELEASE)
	$(MAKE) -C tools install

dkms.conf: dkms.conf.in VERSION
	sed 's/@VERSION@/$(CLONEGATE_VERSION)/g' $< >$@

# What DKMS builds from: the module's sources and its dkms.conf.
DKMS_SOURCE := VERSION Kbuild Makefile module include
dkms-source: dkms.conf
	install -d $(DESTDIR)/usr/src/clonegate-$(CLONEGATE_VERSION)
	cp -r $(DKMS_SOURCE) dkms.conf $(DESTDIR)/usr/src/clonegate-$(CLONEGATE_VERSION)/

deb:
	debian/make-deb.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	$(MAKE) -C tools clean
	rm -rf build/ dkms.conf

check:
	vm/run.sh check

demo:
	vm/run.sh demo

kunit:
	vm/run.sh kunit

bench:
	vm/run.sh bench

# Ignored: version checks are compat.h's job; TRACE_EVENT's layout;
# NOKPROBE_SYMBOL, which belongs right after its function; and the name
# tables of the uapi header, X-macros, which are lists by design.
style:
	$(CHECKPATCH) -f --no-tree --strict --terse \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,LINE_SPACING \
		--ignore COMPLEX_MACRO,MACRO_ARG_REUSE \
		module/*.c module/*.h include/uapi/linux/*.h $(wildcard kunit/*.c)

.PHONY: all kdir-check modules install dkms-source deb clean check demo kunit bench style
