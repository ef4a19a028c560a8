/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of the DMA core and nobody else.
 *
 * The direct backend's streaming calls are defined here as inlines so that
 * mapping.c can serve a device without dma_map_ops with no function call
 * beyond the exported entry point itself; only the rare bounce case leaves
 * the inline path.
 */
#ifndef _KERNEL_DMA_INTERNAL_H
#define _KERNEL_DMA_INTERNAL_H

#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu-dma.h>
#include <linux/swiotlb.h>

/*
 * The backend that serves @dev: NULL for the direct path, iommu_dma_ops for
 * a device that iommu_setup_dma_ops() put behind a translating domain, else
 * the device's (or the architecture's) dma_map_ops.
 */
static __always_inline const struct dma_map_ops *dma_backend(struct device *dev)
{
	if (use_dma_iommu(dev))
		return &iommu_dma_ops;
	return get_dma_ops(dev);
}

/* direct.c; @func is the public call being served, for messages */
dma_addr_t dma_direct_bounce(struct device *dev, phys_addr_t phys, size_t size,
			     enum dma_data_direction dir, unsigned long attrs, const char *func);
int dma_direct_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs, const char *func);
void dma_direct_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs);
void dma_direct_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nents,
				enum dma_data_direction dir);
void dma_direct_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nents,
				   enum dma_data_direction dir);
int dma_direct_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t dma_addr, size_t size, unsigned long attrs);
int dma_direct_mmap(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size, unsigned long attrs);
bool dma_direct_can_mmap(struct device *dev);
#if IS_ENABLED(CONFIG_KUNIT)
bool dma_direct_needs_sharing(struct device *dev);
bool dma_pool_checks_frees(void);
#endif
bool dma_direct_never_bounces(struct device *dev);
size_t dma_direct_max_mapping_size(struct device *dev);

/* ops_helpers.c: buffer helpers that direct.c shares with other backends */
int dma_sgtable_from_page(struct sg_table *sgt, struct page *page, size_t size, gfp_t gfp);
int dma_mmap_pfns(struct vm_area_struct *vma, unsigned long pfn, size_t size);
int dma_map_p2p_segment(struct device *dev, struct pci_p2pdma_map_state *p2p,
			struct scatterlist *ent, unsigned long attrs, const char *func);

/*
 * contiguous.c: buffers from the CMA areas.  Buffers above this size try an
 * area before the page allocator; smaller ones only when it fails.
 */
#define DMA_CMA_FIRST_SIZE	(PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)

#ifdef CONFIG_DMA_CMA
/* A cma= argument: the default area's size and where it must lie. */
struct dma_cma_placement {
	phys_addr_t size;
	phys_addr_t base;	/* lowest start; 0 for anywhere */
	phys_addr_t limit;	/* end; 0 for the architecture's limit */
};

int dma_contiguous_parse(const char *arg, struct dma_cma_placement *p);
int dma_contiguous_parse_nodes(const char *arg, phys_addr_t *sizes);
struct page *dma_contiguous_fallback(struct device *dev, size_t size, gfp_t gfp);
bool dma_contiguous_release(struct device *dev, struct page *page, unsigned long count,
			    const char *func);

/* Does a buffer of @size bytes for @dev try a contiguous area first? */
static __always_inline bool dma_contiguous_first(struct device *dev, size_t size)
{
	return size > DMA_CMA_FIRST_SIZE || dev->cma_area;
}

/* Is @page in a contiguous area (so dma_contiguous_release() must free it)? */
static __always_inline bool dma_contiguous_page(struct page *page)
{
	return is_migrate_cma_page(page);
}
#else
static inline struct page *dma_contiguous_fallback(struct device *dev, size_t size, gfp_t gfp)
{
	return NULL;
}

static inline bool dma_contiguous_release(struct device *dev, struct page *page,
					  unsigned long count, const char *func)
{
	return false;
}

static __always_inline bool dma_contiguous_first(struct device *dev, size_t size)
{
	return false;
}

static __always_inline bool dma_contiguous_page(struct page *page)
{
	return false;
}
#endif

#ifdef CONFIG_DMA_KUNIT_NONCOHERENT
/* kunit_cache_hooks.c: the cache maintenance done for test devices */
struct dma_kunit_cache_call {
	unsigned int count;
	phys_addr_t paddr;	/* the last call's range */
	size_t size;
};

struct dma_kunit_cache_log {
	struct dma_kunit_cache_call for_device;
	struct dma_kunit_cache_call for_cpu;
};

extern struct dma_kunit_cache_log dma_kunit_cache_log;
#endif

/*
 * The one way the core reports a failed or refused call: rate limited, naming
 * the device, the public API call (@func) and what was wrong, so the message
 * alone is enough to find the cause.  A caller that passed DMA_ATTR_NO_WARN
 * in @attrs asked for silence on failure and gets it; calls without
 * attributes, and misuse that is a driver bug whatever the attributes say,
 * pass 0.
 */
#define dma_complain(dev, attrs, func, fmt, ...)					\
	do {										\
		if (!((attrs) & DMA_ATTR_NO_WARN))					\
			dev_err_ratelimited(dev, "%s: " fmt "\n", func, ##__VA_ARGS__);	\
	} while (0)

/*
 * Can @dev reach @dma as it is?  @bounce_all is the device's forced
 * bouncing, which callers mapping many ranges look up once.
 */
static __always_inline bool dma_direct_reaches(struct device *dev, dma_addr_t dma, size_t size,
					       bool bounce_all)
{
	return likely(!bounce_all) && dma_capable(dev, dma, size, true);
}

/* What is left to do for a range the device reaches directly. */
static __always_inline void dma_direct_hand_to_device(struct device *dev, phys_addr_t phys,
						      size_t size, enum dma_data_direction dir,
						      unsigned long attrs)
{
	if (!dev_is_dma_coherent(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arch_sync_dma_for_device(phys, size, dir);
}

/*
 * Map one physically contiguous range for @dev.  The common case (the device
 * reaches the memory and no bouncing is forced) is a translation and a
 * compare; everything else goes to dma_direct_bounce().  So does a small
 * kmalloc buffer whose cache lines it shares with neighbouring objects, when
 * the device doesn't snoop the caches (only some architectures allow such
 * buffers; elsewhere the test compiles away).
 */
static __always_inline dma_addr_t dma_direct_map_phys(struct device *dev, phys_addr_t phys,
						      size_t size,
						      enum dma_data_direction dir,
						      unsigned long attrs, const char *func)
{
	dma_addr_t dma = phys_to_dma(dev, phys);

	if (unlikely(!dma_direct_reaches(dev, dma, size, is_swiotlb_force_bounce(dev)) ||
		     dma_kmalloc_needs_bounce(dev, size, dir)))
		return dma_direct_bounce(dev, phys, size, dir, attrs, func);
	dma_direct_hand_to_device(dev, phys, size, dir, attrs);
	return dma;
}

static __always_inline void dma_direct_unmap_phys(struct device *dev, dma_addr_t dma,
						  size_t size, enum dma_data_direction dir,
						  unsigned long attrs)
{
	phys_addr_t phys = dma_to_phys(dev, dma);

	if (!dev_is_dma_coherent(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		arch_sync_dma_for_cpu(phys, size, dir);
	if (unlikely(is_swiotlb_buffer(dev, phys)))
		swiotlb_tbl_unmap_single(dev, phys, size, dir, attrs);
}

static inline void dma_direct_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
						  size_t size, enum dma_data_direction dir)
{
	phys_addr_t phys = dma_to_phys(dev, dma);

	if (!dev_is_dma_coherent(dev)) {
		arch_sync_dma_for_cpu(phys, size, dir);
		arch_sync_dma_for_cpu_all();
	}
	if (unlikely(is_swiotlb_buffer(dev, phys)))
		swiotlb_sync_single_for_cpu(dev, phys, size, dir);
}

static inline void dma_direct_sync_single_for_device(struct device *dev, dma_addr_t dma,
						     size_t size, enum dma_data_direction dir)
{
	phys_addr_t phys = dma_to_phys(dev, dma);

	if (unlikely(is_swiotlb_buffer(dev, phys)))
		swiotlb_sync_single_for_device(dev, phys, size, dir);
	if (!dev_is_dma_coherent(dev))
		arch_sync_dma_for_device(phys, size, dir);
}

static inline bool dma_direct_need_sync(struct device *dev, dma_addr_t dma)
{
	return !dev_is_dma_coherent(dev) || is_swiotlb_buffer(dev, dma_to_phys(dev, dma));
}

#endif /* _KERNEL_DMA_INTERNAL_H */
