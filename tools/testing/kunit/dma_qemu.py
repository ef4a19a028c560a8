# SPDX-License-Identifier: GPL-2.0
#
# kunit.py QEMU profile for the dmacore suites: an x86_64 q35 machine under
# TCG, the same machine type as the boot matrix, so PCIe and ACPI behave as
# they do there. Pass it with --qemu_config=<path to this file>.
#
# kunit.py adds -nodefaults -m 1024 -no-reboot -nographic -serial stdio and
# appends kunit.enable=1 kunit_shutdown=reboot to the command line.

from qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(
	linux_arch='x86_64',
	# Merged into the .kunitconfig only when kunit.py itself configures the
	# kernel (kunit.py run/config); `make kunit` uses configs/test.config.
	kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y''',
	qemu_arch='x86_64',
	kernel_path='arch/x86/boot/bzImage',
	# The IOMMU suite (drivers/iommu/dma-iommu_kunit.c) wants the edu
	# device in a strict DMA domain; the other suites use KUnit's own
	# devices, which no IOMMU translates for.
	# init_on_free=1: memory used after it was freed reads as zeroes, so
	# such a bug fails a test instead of passing by luck.
	# The cma options give kernel/dma/contiguous_kunit.c its areas: a
	# default one, and two on node 0.
	kernel_command_line='console=ttyS0 intel_iommu=on iommu.strict=1 init_on_free=1 '
			    'cma=32M cma_pernuma=16M numa_cma=0:8M',
	# An edu device gives suites that want one a real PCI function to map
	# for, behind QEMU's Intel IOMMU (interrupt remapping on, as the boot
	# matrix has it). An ivshmem device's 4 MiB BAR is the peer-to-peer
	# memory the IOMMU suite maps.
	extra_qemu_params=['-machine', 'q35,kernel-irqchip=split', '-accel', 'tcg', '-smp', '2',
			   '-device', 'intel-iommu,intremap=on', '-device', 'edu',
			   '-object', 'memory-backend-ram,id=p2pmem,size=4M',
			   '-device', 'ivshmem-plain,memdev=p2pmem'])
