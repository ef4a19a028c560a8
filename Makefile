# SPDX-License-Identifier: GPL-2.0
#
# dmacore entry points. The work is done by the scripts named in each
# recipe; see README.md.
#
#   make run        deps, graft, kernel, boot every mode, short report
#   make check      everything below; last line "dmacore: N passed, M failed"
#   make graft      build/linux: Debian's linux-source-6.12 with our DMA core
#   make kernel     the test kernel (configs/test.config) in build/kernel
#   make kunit      our KUnit suites under QEMU (kunit.py exec)
#   make boot       the boot matrix: every mode tools/testing/dma/modes lists
#   make static     sparse, W=1, checkpatch --strict, kernel-doc on our files
#   make stock      the same test kernel from the pristine tree, in build/stock
#   make bench      stock 6.12 core vs ours under QEMU; tables in build/bench/
#   make clean      remove build outputs (keeps the unpacked build/upstream)
#   make distclean  remove build/ entirely

TOP    := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KOUT   ?= $(TOP)/build/kernel
INITRD := $(TOP)/build/initramfs.cpio.gz
MODES  := $(shell $(TOP)/tools/testing/dma/modes)
BZ      = $(KOUT)/arch/x86/boot/bzImage
export KSRC ?= $(TOP)/build/linux

# The scripts run the kernel's own make (through scripts/kmake); keep this
# make's flags and variables from leaking into it.
RUN := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL KOUT=$(KOUT)

.PHONY: help run check deps graft kernel initramfs boot kunit sparse static stock bench clean distclean

help:
	@sed -n 's/^#   make/make/p' $(firstword $(MAKEFILE_LIST))

run:
	@$(RUN) scripts/run

check:
	@$(RUN) scripts/check

deps:
	@$(RUN) scripts/deps

graft: deps
	@$(RUN) scripts/graft

kernel: graft
	@$(RUN) scripts/build-kernel $(KOUT)

initramfs: kernel
	@$(RUN) tools/testing/dma/mkinitramfs $(KOUT) $(INITRD)

boot: initramfs
	@rc=0; for mode in $(MODES); do \
		$(RUN) tools/testing/dma/boot $(BZ) $(INITRD) $$mode || rc=1; \
	done; exit $$rc

kunit: kernel
	@$(RUN) tools/testing/kunit/dma-kunit --build-dir $(KOUT)

sparse static: kernel
	@$(RUN) scripts/static-checks

# The stock kernel: same fragment, pristine tree (our KUnit and sample
# symbols are absent).
stock: graft
	@$(RUN) KSRC=$(TOP)/build/upstream KCONFIG_OPTIONAL='DMA_KUNIT_TEST DMA_KUNIT_NONCOHERENT IOMMU_IOVA_KUNIT_TEST IOMMU_DMA_KUNIT_TEST SAMPLE_DMA_NVME SAMPLE_DMA_EDU_CHECK' \
		scripts/build-kernel $(TOP)/build/stock

# Not part of check: four kernels (stock and ours, with and without
# dma-debug, configs/bench*.config) and 40 QEMU boots; see
# tools/testing/dma/bench/run for the knobs (BENCH_REPS, BENCH_MODES, ...).
bench: graft
	@$(RUN) tools/testing/dma/bench/run

# build/upstream is pristine and slow to unpack, so only distclean drops it.
# build/.build.lock stays: another build may be holding it.
clean:
	rm -rf $(addprefix $(TOP)/build/,linux kernel static stock boot check run \
		fastpath bench iova-users) $(INITRD)

distclean: clean
	rm -rf $(TOP)/build/upstream
