# SPDX-License-Identifier: GPL-2.0
#
# kipc: the module (kmod/), libkipc (lib/), the demo (tools/demo/), kipcctl
# (tools/kipcctl/) and the selftests (selftests/), tested in QEMU guests by
# tools/vm/run.
#
#   make [all]     module for KDIR, library, demo, kipcctl, selftests
#   make module    kmod/kipc.ko for KDIR, copied to build/<release>/kipc.ko
#   make modules   the same for each Debian kernel the tests boot (6.1, 6.12)
#   make debug-kernel  build (or reuse) the debug kernel: KASAN, kmemleak,
#                  lockdep, UBSAN, KUnit (tools/debug-kernel/)
#   make module-debug  kipc.ko (and kipc_kunit.ko) for the debug kernel, W=1
#   make check-debug   every selftest and the KUnit suites in the debug kernel
#   make deps      install the packages (tools/deps.sh, as root)
#   make run       boot the RUN_KERNEL guest and run the demo in it
#   make man-check lint the man pages (libkipc's, kipcctl.8)
#   make bench     kipc-bench in the benchmark guest (BENCH_KERNEL, default
#                  6.12; BENCH_ARGS for kipc-bench, e.g. BENCH_ARGS="--reps 3
#                  --filter queue,mq"): build/bench/results.{csv,md} and
#                  PNG plots (see Documentation/benchmarks.md)
#   make kipc-bench  build tools/kipc-bench only
#   make check     style, man-page lint, then every selftest on every kernel
#                  (6.1, 6.12 and the debug kernel; CHECK_DEBUG=0: not the
#                  debug one); ends "N passed, N failed"
#   make style     checkpatch on the module and the uapi header
#   make sparse    module build with C=2; fails on any warning
#   make clean
#
# KDIR defaults to /lib/modules/$(uname -r)/build, else the Debian 6.1
# headers.  Kernel versions are found by globbing (tools/vm/kernel-info).
# VM_ARGS passes options to tools/vm/run, e.g.
#   make check VM_ARGS="--test queue_test -- -t some_case"

KIPC_CACHE	?= /var/cache/kipc
KSRC		:= $(KIPC_CACHE)/linux-source-6.12
KSFT_DIR	?= $(KSRC)/tools/testing/selftests
CHECKPATCH	?= $(KSRC)/scripts/checkpatch.pl

KERNEL_INFO	:= tools/vm/kernel-info
BUILD_MODULE	:= tools/vm/build-module
VM_RUN		:= tools/vm/run
DEBUG_KERNEL	:= tools/debug-kernel/build

# Recursive (=) variables: evaluated when used, after `make deps` has run.
KDIR		?= $(shell $(KERNEL_INFO) default-kdir)
CHECK_KERNELS	?= 6.1 6.12
RUN_KERNEL	?= 6.12
VM_ARGS		?=
# The debug tier: its guest needs room for KASAN's shadow and kmemleak.
CHECK_DEBUG	?= 1
DEBUG_VM_ARGS	?= --mem 2G
# For recipes: make expands a recipe before its first line builds the kernel.
DEBUG_BZIMAGE	= $$($(DEBUG_KERNEL) --bzimage)
export KIPC_CACHE

all: module lib demo kipcctl kipc-bench selftests

module:
	MAKE="$(MAKE)" $(BUILD_MODULE) $(KDIR)

# For the kernels that `check` boots; W=1 as in check unless told otherwise.
modules:
	@set -e; for k in $(CHECK_KERNELS); do \
		kdir=$$($(KERNEL_INFO) kdir $$k); \
		MAKE="$(MAKE)" $(BUILD_MODULE) $$kdir $(KMOD_ARGS); \
	done

debug-kernel: deps
	$(DEBUG_KERNEL)

# kipc.ko, and kipc_kunit.ko (the debug kernel has KUnit), for the debug kernel
module-debug:
	kdir=$$($(DEBUG_KERNEL) --kdir) && MAKE="$(MAKE)" $(BUILD_MODULE) $$kdir W=1

# The bzImage sits in its build dir, where tools/vm/run finds the module's.
check-debug: debug-kernel
	$(MAKE) module-debug
	$(MAKE) lib demo kipcctl kipc-bench selftests
	$(VM_RUN) --kernel $(DEBUG_BZIMAGE) $(DEBUG_VM_ARGS) $(VM_ARGS)

lib:
	$(MAKE) -C lib

demo: lib
	$(MAKE) -C tools/demo

kipcctl:
	$(MAKE) -C tools/kipcctl

kipc-bench: lib
	$(MAKE) -C tools/kipc-bench

# The benchmark: module for BENCH_KERNEL, the guest booted with --bench.
BENCH_KERNEL	?= 6.12
BENCH_ARGS	?=
bench: deps
	$(MAKE) module lib kipc-bench KDIR=$$($(KERNEL_INFO) kdir $(BENCH_KERNEL))
	tools/bench/run-bench --kernel $(BENCH_KERNEL) -- $(BENCH_ARGS)

man-check:
	$(MAKE) -C lib man-check
	$(MAKE) -C tools/kipcctl man-check

selftests: lib
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR)

deps:
	tools/deps.sh

# Sub-makes: the kernel dirs are looked up only after deps installed them.
run: deps
	$(MAKE) module lib demo kipcctl KDIR=$$($(KERNEL_INFO) kdir $(RUN_KERNEL))
	$(VM_RUN) --kernel $(RUN_KERNEL) --demo $(VM_ARGS)

# The kernels check boots; the debug one is a bzImage in its build dir.
CHECK_VM_KERNELS = $(foreach k,$(CHECK_KERNELS),--kernel $(k)) \
	$(if $(filter 1,$(CHECK_DEBUG)),--kernel $(DEBUG_BZIMAGE) $(DEBUG_VM_ARGS))

check: deps
ifeq ($(CHECK_DEBUG),1)
	$(MAKE) debug-kernel
	$(MAKE) module-debug
endif
	$(MAKE) modules KMOD_ARGS=W=1
	$(MAKE) lib demo kipcctl kipc-bench selftests
	$(MAKE) style
	$(MAKE) man-check
	$(VM_RUN) $(CHECK_VM_KERNELS) $(VM_ARGS)

STYLE_FILES = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h kmod/tests/*.c \
	      uapi/linux/*.h))

style:
	@test -x $(CHECKPATCH) || { echo "$(CHECKPATCH) missing: make deps"; exit 1; }
	$(CHECKPATCH) --no-tree -f $(STYLE_FILES)

# sparse prints warnings but does not fail: its output decides.
sparse:
	@set -e; out=build/sparse.log; mkdir -p build; \
	MAKE="$(MAKE)" $(BUILD_MODULE) $(KDIR) C=2 2>&1 | tee $$out; \
	if grep -Eq '(warning|error):' $$out; then \
		echo "sparse: warnings above (also in $$out)"; exit 1; \
	fi

clean:
	-[ ! -d "$(KDIR)" ] || $(MAKE) -C kmod KDIR=$(KDIR) clean
	-[ ! -f lib/Makefile ] || $(MAKE) -C lib clean
	-[ ! -f tools/demo/Makefile ] || $(MAKE) -C tools/demo clean
	-[ ! -f tools/kipcctl/Makefile ] || $(MAKE) -C tools/kipcctl clean
	-[ ! -f tools/kipc-bench/Makefile ] || $(MAKE) -C tools/kipc-bench clean
	-[ ! -f selftests/Makefile ] || $(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module modules lib demo kipcctl kipc-bench bench selftests deps \
	run check style \
	man-check sparse clean \
	debug-kernel module-debug check-debug
