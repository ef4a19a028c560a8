// SPDX-License-Identifier: GPL-2.0
/*
 * Cache maintenance hooks for x86 test kernels (CONFIG_DMA_KUNIT_NONCOHERENT).
 *
 * Real x86 devices all snoop the CPU caches and keep their coherence flag
 * set, so these run only for the KUnit suites' test devices that clear it.
 * Handing a buffer to such a device writes its lines back from the caches;
 * taking it back needs nothing, because x86 caches never hold lines the
 * device wrote behind them.  Each call is counted, which is what the suites
 * check: the core must do the maintenance the API owes a non-coherent
 * device, on the memory the device actually accesses.
 */
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <asm/cacheflush.h>

#include "internal.h"

struct dma_kunit_cache_log dma_kunit_cache_log;

static void dma_kunit_cache_note(struct dma_kunit_cache_call *call, phys_addr_t paddr,
				 size_t size)
{
	call->count++;
	call->paddr = paddr;
	call->size = size;
}

void arch_sync_dma_for_device(phys_addr_t paddr, size_t size, enum dma_data_direction dir)
{
	clflush_cache_range(phys_to_virt(paddr), size);
	dma_kunit_cache_note(&dma_kunit_cache_log.for_device, paddr, size);
}

void arch_sync_dma_for_cpu(phys_addr_t paddr, size_t size, enum dma_data_direction dir)
{
	dma_kunit_cache_note(&dma_kunit_cache_log.for_cpu, paddr, size);
}
