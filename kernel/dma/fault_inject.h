/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fail_dma_map: failing DMA mappings and allocations on purpose, so that
 * drivers' error paths get exercised.  mapping.c asks before each mapping
 * and allocation reaches a backend.
 */
#ifndef _KERNEL_DMA_FAULT_INJECT_H
#define _KERNEL_DMA_FAULT_INJECT_H

#include <linux/types.h>

struct device;

#ifdef CONFIG_FAIL_DMA_MAP
bool dma_should_fail(struct device *dev, size_t size);
#if IS_ENABLED(CONFIG_KUNIT)
struct dma_dev_filter;
struct fault_attr;

extern struct fault_attr fail_dma_map;
extern struct dma_dev_filter fail_dma_map_target;
#endif
#else
static inline bool dma_should_fail(struct device *dev, size_t size)
{
	return false;
}
#endif /* CONFIG_FAIL_DMA_MAP */

#endif /* _KERNEL_DMA_FAULT_INJECT_H */
