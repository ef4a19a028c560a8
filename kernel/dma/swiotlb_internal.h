/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/dma/swiotlb.c offers the rest of the DMA core and its KUnit
 * suites, beyond <linux/swiotlb.h>: building private bounce pools, reading
 * their counters, and the pure helpers behind the "swiotlb=" parameter.
 */
#ifndef _KERNEL_DMA_SWIOTLB_INTERNAL_H
#define _KERNEL_DMA_SWIOTLB_INTERNAL_H

#include <linux/gfp_types.h>
#include <linux/swiotlb.h>
#include <linux/types.h>

/* What "swiotlb=" asks of the default pool. */
enum swiotlb_mode {
	SWIOTLB_MODE_AUTO,	/* bounce only what a device can't reach */
	SWIOTLB_MODE_FORCE,	/* "force": bounce everything */
	SWIOTLB_MODE_OFF,	/* "noforce": never set up a pool */
};

/**
 * struct swiotlb_params - the settings "swiotlb=" can carry
 * @nslabs:	pool size in slots, 0 for the default
 * @nareas:	number of areas, 0 for one per possible CPU
 * @mode:	whether to force, allow or forbid bouncing
 */
struct swiotlb_params {
	unsigned long nslabs;
	unsigned int nareas;
	enum swiotlb_mode mode;
};

int swiotlb_parse_params(const char *arg, struct swiotlb_params *params);
void swiotlb_fit_geometry(unsigned long *nslabs, unsigned int *nareas);

size_t swiotlb_meta_size(unsigned long nslabs, unsigned int nareas);
int swiotlb_init_io_tlb_pool(struct io_tlb_pool *pool, phys_addr_t start,
			     unsigned long nslabs, unsigned int nareas, void *meta);

struct io_tlb_mem *swiotlb_mem_create(unsigned long nslabs, unsigned int nareas,
				      gfp_t gfp, bool force_bounce);
void swiotlb_mem_destroy(struct io_tlb_mem *mem);
unsigned long swiotlb_mem_used(struct io_tlb_mem *mem);
unsigned long swiotlb_mem_hiwater(struct io_tlb_mem *mem);
int swiotlb_mem_reset_hiwater(struct io_tlb_mem *mem, u64 val);

#endif /* _KERNEL_DMA_SWIOTLB_INTERNAL_H */
