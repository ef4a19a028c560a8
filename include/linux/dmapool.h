/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmapool: fixed-size blocks of DMA-coherent memory, for drivers that need
 * many small descriptors and cannot afford a coherent allocation of at least
 * a page for each.  The contract and the design are described at the top of
 * kernel/dma/dmapool.c.
 */
#ifndef _LINUX_DMAPOOL_H
#define _LINUX_DMAPOOL_H

#include <linux/gfp_types.h>
#include <linux/types.h>
/*
 * Not needed here, but drivers have long relied on this header to pull
 * them in; dropping them would break builds far away.
 */
#include <linux/scatterlist.h>
#include <asm/io.h>

struct device;
struct dma_pool;

#ifdef CONFIG_HAS_DMA

struct dma_pool *dma_pool_create(const char *name, struct device *dev,
				 size_t size, size_t align, size_t boundary);
void dma_pool_destroy(struct dma_pool *pool);

void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
		     dma_addr_t *handle);
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma);

struct dma_pool *dmam_pool_create(const char *name, struct device *dev,
				  size_t size, size_t align, size_t boundary);
void dmam_pool_destroy(struct dma_pool *pool);

#else /* !CONFIG_HAS_DMA */

/* Without DMA there is nothing to pool: creation fails, the rest is inert. */
static inline struct dma_pool *dma_pool_create(const char *name,
					       struct device *dev, size_t size,
					       size_t align, size_t boundary)
{
	return NULL;
}

static inline void dma_pool_destroy(struct dma_pool *pool)
{
}

static inline void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
				   dma_addr_t *handle)
{
	return NULL;
}

static inline void dma_pool_free(struct dma_pool *pool, void *vaddr,
				 dma_addr_t dma)
{
}

static inline struct dma_pool *dmam_pool_create(const char *name,
						struct device *dev,
						size_t size, size_t align,
						size_t boundary)
{
	return NULL;
}

static inline void dmam_pool_destroy(struct dma_pool *pool)
{
}

#endif /* CONFIG_HAS_DMA */

/**
 * dma_pool_zalloc - take a zeroed block from a DMA pool
 * @pool: pool to take the block from
 * @mem_flags: allocation flags, as for dma_pool_alloc()
 * @handle: where the DMA address of the block is stored
 *
 * Same as dma_pool_alloc(), with the whole block cleared before it is
 * handed out.
 *
 * Return: the CPU address of the block, or %NULL on failure.
 */
static inline void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags,
				    dma_addr_t *handle)
{
	return dma_pool_alloc(pool, mem_flags | __GFP_ZERO, handle);
}

#endif /* _LINUX_DMAPOOL_H */
