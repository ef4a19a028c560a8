/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks from the DMA core into the DMA API checker (lib/dma-debug.c).
 *
 * kernel/dma/mapping.c reports every successful mapping, allocation, unmap,
 * free and sync here, after argument checking and before (for unmap, free
 * and sync) or after (for map and alloc) the backend runs.  The checker only
 * observes: nothing here changes what the core returns.  @caller is the
 * return address into the driver, which the checker reports as the place
 * the mapping was made.  Drivers never call these.
 *
 * With CONFIG_DMA_API_DEBUG=n every hook is an empty inline.
 */
#ifndef _LINUX_DMA_DEBUG_H
#define _LINUX_DMA_DEBUG_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct device;
struct scatterlist;

/*
 * How a mapping was made; freeing it with the call for another kind is a
 * bug the checker reports.  The names are what reports print.
 */
enum dma_debug_kind {
	DMA_DEBUG_SINGLE,	/* dma_map_single() */
	DMA_DEBUG_PAGE,		/* dma_map_page() */
	DMA_DEBUG_SG,		/* dma_map_sg(), dma_map_sgtable() */
	DMA_DEBUG_COHERENT,	/* dma_alloc_coherent() and friends */
	DMA_DEBUG_RESOURCE,	/* dma_map_resource() */
	DMA_DEBUG_PAGES,	/* dma_alloc_pages(), dma_alloc_noncoherent() */
	DMA_DEBUG_IOVA,		/* dma_iova_link() */
	DMA_DEBUG_NR_KINDS,
};

#ifdef CONFIG_DMA_API_DEBUG
void debug_dma_map(struct device *dev, phys_addr_t phys, size_t size,
		   enum dma_data_direction dir, dma_addr_t dma_addr,
		   enum dma_debug_kind kind, unsigned long attrs, unsigned long caller);
void debug_dma_unmap(struct device *dev, dma_addr_t dma_addr, size_t size,
		     enum dma_data_direction dir, enum dma_debug_kind kind);
void debug_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents, int mapped,
		      enum dma_data_direction dir, unsigned long attrs, unsigned long caller);
void debug_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir);
void debug_dma_alloc(struct device *dev, void *cpu_addr, size_t size, dma_addr_t dma_addr,
		     enum dma_debug_kind kind, enum dma_data_direction dir, unsigned long caller);
void debug_dma_free(struct device *dev, void *cpu_addr, size_t size, dma_addr_t dma_addr,
		    enum dma_debug_kind kind, enum dma_data_direction dir);
void debug_dma_sync(struct device *dev, dma_addr_t dma_addr, size_t size,
		    enum dma_data_direction dir, bool for_cpu);
void debug_dma_sync_sg(struct device *dev, struct scatterlist *sgl, int nelems,
		       enum dma_data_direction dir, bool for_cpu);
void debug_dma_unlink(struct device *dev, dma_addr_t dma_addr, size_t size,
		      enum dma_data_direction dir);
void debug_dma_iova_free(struct device *dev, dma_addr_t dma_addr, size_t size);
#else
static inline void debug_dma_map(struct device *dev, phys_addr_t phys, size_t size,
				 enum dma_data_direction dir, dma_addr_t dma_addr,
				 enum dma_debug_kind kind, unsigned long attrs,
				 unsigned long caller) { }
static inline void debug_dma_unmap(struct device *dev, dma_addr_t dma_addr, size_t size,
				   enum dma_data_direction dir, enum dma_debug_kind kind) { }
static inline void debug_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
				    int mapped, enum dma_data_direction dir,
				    unsigned long attrs, unsigned long caller) { }
static inline void debug_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
				      enum dma_data_direction dir) { }
static inline void debug_dma_alloc(struct device *dev, void *cpu_addr, size_t size,
				   dma_addr_t dma_addr, enum dma_debug_kind kind,
				   enum dma_data_direction dir, unsigned long caller) { }
static inline void debug_dma_free(struct device *dev, void *cpu_addr, size_t size,
				  dma_addr_t dma_addr, enum dma_debug_kind kind,
				  enum dma_data_direction dir) { }
static inline void debug_dma_sync(struct device *dev, dma_addr_t dma_addr, size_t size,
				  enum dma_data_direction dir, bool for_cpu) { }
static inline void debug_dma_sync_sg(struct device *dev, struct scatterlist *sgl, int nelems,
				     enum dma_data_direction dir, bool for_cpu) { }
static inline void debug_dma_unlink(struct device *dev, dma_addr_t dma_addr, size_t size,
				    enum dma_data_direction dir) { }
static inline void debug_dma_iova_free(struct device *dev, dma_addr_t dma_addr,
				       size_t size) { }
#endif /* CONFIG_DMA_API_DEBUG */

#endif /* _LINUX_DMA_DEBUG_H */
