/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA mapping API used by device drivers.
 *
 * A driver describes memory it wants a device to reach; the core answers with
 * a device address (dma_addr_t) valid for that device until the driver gives
 * it back.  How the address is produced (1:1, through a bounce buffer, or
 * through an IOMMU) is the business of the backend chosen for the device in
 * kernel/dma/mapping.c.  Documentation/core-api/dmacore.rst explains the
 * ownership rules this header encodes.
 */
#ifndef _LINUX_DMA_MAPPING_H
#define _LINUX_DMA_MAPPING_H

#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

/*
 * Attributes refine how a mapping or allocation is made.  Several of them are
 * only hints: a backend that has nothing to gain from one ignores it.  The bit
 * numbers are shared with code outside the core and must stay as they are.
 */
#define DMA_ATTR_WEAK_ORDERING		BIT(1)      /* device may reorder writes */
#define DMA_ATTR_WRITE_COMBINE		BIT(2)      /* CPU view may combine writes */
#define DMA_ATTR_NO_KERNEL_MAPPING	BIT(4)      /* no CPU virtual address needed */
#define DMA_ATTR_SKIP_CPU_SYNC		BIT(5)      /* caller syncs explicitly */
#define DMA_ATTR_FORCE_CONTIGUOUS	BIT(6)      /* physically contiguous pages */
#define DMA_ATTR_ALLOC_SINGLE_PAGES	BIT(7)      /* order-0 pages are enough */
#define DMA_ATTR_NO_WARN		BIT(8)      /* caller handles failure quietly */
#define DMA_ATTR_PRIVILEGED		BIT(9)      /* only privileged device access */

/*
 * The one device address no mapping ever returns.  Always test results with
 * dma_mapping_error() rather than comparing against this directly.
 */
#define DMA_MAPPING_ERROR		(~(dma_addr_t)0)

/*
 * A mask of the low @n address bits.  Both ends are well defined (0 gives 0,
 * 64 gives all ones), which a single shift can't do; hence the two uses of
 * @n.  It must stay a constant expression for static initialisers.
 */
#define DMA_BIT_MASK(n)	(((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))

#ifdef CONFIG_DMA_API_DEBUG
void debug_dma_mapping_error(struct device *dev, dma_addr_t dma_addr);
void debug_dma_map_single(struct device *dev, const void *addr, unsigned long len);
#else
static inline void debug_dma_mapping_error(struct device *dev, dma_addr_t dma_addr) { }
static inline void debug_dma_map_single(struct device *dev, const void *addr,
					unsigned long len) { }
#endif

/*
 * Per-device limits.  They live in dev->dma_parms, which the bus code
 * provides for devices that can do DMA (PCI does).  Without it the defaults
 * below apply and the setters refuse, because there is nowhere to keep the
 * value.
 */
static inline u64 dma_get_mask(struct device *dev)
{
	if (!dev->dma_mask || !*dev->dma_mask)
		return DMA_BIT_MASK(32);
	return *dev->dma_mask;
}

static inline unsigned int dma_get_max_seg_size(struct device *dev)
{
	struct device_dma_parameters *parms = dev->dma_parms;

	return parms && parms->max_segment_size ? parms->max_segment_size : SZ_64K;
}

static inline unsigned long dma_get_seg_boundary(struct device *dev)
{
	struct device_dma_parameters *parms = dev->dma_parms;

	return parms && parms->segment_boundary_mask ?
		parms->segment_boundary_mask : ULONG_MAX;
}

/*
 * The boundary expressed in units of (1 << @page_shift) bytes, for allocators
 * that work in pages.  With no device, assume the common 4 GiB boundary.
 */
static inline unsigned long dma_get_seg_boundary_nr_pages(struct device *dev,
							  unsigned int page_shift)
{
	unsigned long boundary = dev ? dma_get_seg_boundary(dev) : U32_MAX;

	return (boundary >> page_shift) + 1;
}

static inline unsigned int dma_get_min_align_mask(struct device *dev)
{
	return dev->dma_parms ? dev->dma_parms->min_align_mask : 0;
}

static inline void dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (!WARN_ON_ONCE(!dev->dma_parms))
		dev->dma_parms->max_segment_size = size;
}

static inline void dma_set_seg_boundary(struct device *dev, unsigned long mask)
{
	if (!WARN_ON_ONCE(!dev->dma_parms))
		dev->dma_parms->segment_boundary_mask = mask;
}

static inline void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	if (!WARN_ON_ONCE(!dev->dma_parms))
		dev->dma_parms->min_align_mask = min_align_mask;
}

#ifndef dma_get_cache_alignment
/* The alignment that keeps a DMA buffer from sharing a cache line. */
static inline int dma_get_cache_alignment(void)
{
#ifdef ARCH_HAS_DMA_MINALIGN
	return ARCH_DMA_MINALIGN;
#else
	return 1;
#endif
}
#endif

/*
 * Structure members that a device writes by DMA go in a group of their own,
 * so that CPU writes to neighbouring members can't share a cache line with
 * them on machines where DMA isn't cache coherent.
 */
#ifdef ARCH_HAS_DMA_MINALIGN
#define ____dma_from_device_aligned __aligned(ARCH_DMA_MINALIGN)
#else
#define ____dma_from_device_aligned
#endif
#define __dma_from_device_group_begin(GROUP) \
	__cacheline_group_begin(GROUP) ____dma_from_device_aligned
#define __dma_from_device_group_end(GROUP) \
	__cacheline_group_end(GROUP) ____dma_from_device_aligned

/**
 * struct dma_iova_state - an IOVA range of the two-step API
 * @addr: the device's address of the range's first byte, which has the
 *	offset in its IOMMU granule of the address dma_iova_try_alloc() was
 *	given
 * @__size: the range's length, with DMA_IOVA_USE_SWIOTLB set once some
 *	link was bounced; 0 when the range does not exist (the device is not
 *	translated, or dma_iova_try_alloc() failed).  Use dma_iova_size() and
 *	dma_use_iova() rather than this field.
 *
 * The driver owns the structure (on its stack or in its request); the core
 * keeps nothing else about the range.
 */
struct dma_iova_state {
	dma_addr_t addr;
	u64 __size;
};

/* Set in dma_iova_state.__size when an unlink must look for bounce granules. */
#define DMA_IOVA_USE_SWIOTLB	BIT_ULL(63)

/**
 * dma_iova_size() - the length of a two-step IOVA range
 * @state: the range
 *
 * Return: the size dma_iova_try_alloc() was given, or 0 without a range.
 */
static inline size_t dma_iova_size(const struct dma_iova_state *state)
{
	return state->__size & ~DMA_IOVA_USE_SWIOTLB;
}

/**
 * dma_use_iova() - does @state hold an IOVA range?
 * @state: what dma_iova_try_alloc() filled in
 *
 * Return: true after dma_iova_try_alloc() succeeded; false when the driver
 * must use the ordinary map calls instead.
 */
static inline bool dma_use_iova(const struct dma_iova_state *state)
{
	return state->__size != 0;
}

#ifdef CONFIG_HAS_DMA

static inline int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	debug_dma_mapping_error(dev, dma_addr);
	return unlikely(dma_addr == DMA_MAPPING_ERROR) ? -ENOMEM : 0;
}

/* Streaming mappings: see kernel/dma/mapping.c for the contracts. */
dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
			      size_t size, enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs);
unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs);
int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs);
dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs);

/* Coherent allocations. */
void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle,
		      gfp_t flag, unsigned long attrs);
void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t dma_handle, unsigned long attrs);
void *dmam_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle,
		       gfp_t gfp, unsigned long attrs);
void dmam_free_coherent(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle);
int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			  dma_addr_t dma_addr, size_t size, unsigned long attrs);
int dma_mmap_attrs(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		   dma_addr_t dma_addr, size_t size, unsigned long attrs);
bool dma_can_mmap(struct device *dev);

/* Non-coherent and non-contiguous allocations (Part II of the API). */
struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
			     enum dma_data_direction dir, gfp_t gfp);
void dma_free_pages(struct device *dev, size_t size, struct page *page,
		    dma_addr_t dma_handle, enum dma_data_direction dir);
int dma_mmap_pages(struct device *dev, struct vm_area_struct *vma, size_t size,
		   struct page *page);
struct sg_table *dma_alloc_noncontiguous(struct device *dev, size_t size,
					 enum dma_data_direction dir, gfp_t gfp,
					 unsigned long attrs);
void dma_free_noncontiguous(struct device *dev, size_t size, struct sg_table *sgt,
			    enum dma_data_direction dir);
void *dma_vmap_noncontiguous(struct device *dev, size_t size, struct sg_table *sgt);
void dma_vunmap_noncontiguous(struct device *dev, void *vaddr);
int dma_mmap_noncontiguous(struct device *dev, struct vm_area_struct *vma, size_t size,
			   struct sg_table *sgt);

/* Addressing limits and capabilities. */
int dma_set_mask(struct device *dev, u64 mask);
int dma_set_coherent_mask(struct device *dev, u64 mask);
u64 dma_get_required_mask(struct device *dev);
bool dma_addressing_limited(struct device *dev);
size_t dma_max_mapping_size(struct device *dev);
size_t dma_opt_mapping_size(struct device *dev);
unsigned long dma_get_merge_boundary(struct device *dev);
bool dma_pci_p2pdma_supported(struct device *dev);
bool dma_coherent_ok(struct device *dev, phys_addr_t phys, size_t size);
bool dma_need_unmap(struct device *dev);

/* The two-step IOVA API (Part Ie of the API): see kernel/dma/mapping.c. */
bool dma_iova_try_alloc(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			size_t size);
void dma_iova_free(struct device *dev, struct dma_iova_state *state);
int dma_iova_link(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
		  size_t offset, size_t size, enum dma_data_direction dir, unsigned long attrs);
int dma_iova_sync(struct device *dev, struct dma_iova_state *state, size_t offset,
		  size_t size);
void dma_iova_unlink(struct device *dev, struct dma_iova_state *state, size_t offset,
		     size_t size, enum dma_data_direction dir, unsigned long attrs);
void dma_iova_destroy(struct device *dev, struct dma_iova_state *state, size_t mapped_len,
		      enum dma_data_direction dir, unsigned long attrs);

#else /* !CONFIG_HAS_DMA: every request fails, nothing is ever mapped */

static inline int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	return -ENOMEM;
}

static inline dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page,
					    size_t offset, size_t size,
					    enum dma_data_direction dir, unsigned long attrs)
{
	return DMA_MAPPING_ERROR;
}

static inline void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
					enum dma_data_direction dir, unsigned long attrs) { }

static inline unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg,
					    int nents, enum dma_data_direction dir,
					    unsigned long attrs)
{
	return 0;
}

static inline void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
				      enum dma_data_direction dir, unsigned long attrs) { }

static inline int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
				  enum dma_data_direction dir, unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr,
					  size_t size, enum dma_data_direction dir,
					  unsigned long attrs)
{
	return DMA_MAPPING_ERROR;
}

static inline void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
				      enum dma_data_direction dir, unsigned long attrs) { }

static inline void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    gfp_t flag, unsigned long attrs)
{
	return NULL;
}

static inline void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
				  dma_addr_t dma_handle, unsigned long attrs) { }

static inline void *dmam_alloc_attrs(struct device *dev, size_t size,
				     dma_addr_t *dma_handle, gfp_t gfp, unsigned long attrs)
{
	return NULL;
}

static inline void dmam_free_coherent(struct device *dev, size_t size, void *vaddr,
				      dma_addr_t dma_handle) { }

static inline int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt,
					void *cpu_addr, dma_addr_t dma_addr, size_t size,
					unsigned long attrs)
{
	return -ENXIO;
}

static inline int dma_mmap_attrs(struct device *dev, struct vm_area_struct *vma,
				 void *cpu_addr, dma_addr_t dma_addr, size_t size,
				 unsigned long attrs)
{
	return -ENXIO;
}

static inline bool dma_can_mmap(struct device *dev)
{
	return false;
}

static inline struct page *dma_alloc_pages(struct device *dev, size_t size,
					   dma_addr_t *dma_handle,
					   enum dma_data_direction dir, gfp_t gfp)
{
	return NULL;
}

static inline void dma_free_pages(struct device *dev, size_t size, struct page *page,
				  dma_addr_t dma_handle, enum dma_data_direction dir) { }

static inline int dma_mmap_pages(struct device *dev, struct vm_area_struct *vma,
				 size_t size, struct page *page)
{
	return -ENXIO;
}

static inline struct sg_table *dma_alloc_noncontiguous(struct device *dev, size_t size,
						       enum dma_data_direction dir,
						       gfp_t gfp, unsigned long attrs)
{
	return NULL;
}

static inline void dma_free_noncontiguous(struct device *dev, size_t size,
					  struct sg_table *sgt,
					  enum dma_data_direction dir) { }

static inline void *dma_vmap_noncontiguous(struct device *dev, size_t size,
					   struct sg_table *sgt)
{
	return NULL;
}

static inline void dma_vunmap_noncontiguous(struct device *dev, void *vaddr) { }

static inline int dma_mmap_noncontiguous(struct device *dev, struct vm_area_struct *vma,
					 size_t size, struct sg_table *sgt)
{
	return -EINVAL;
}

static inline int dma_set_mask(struct device *dev, u64 mask)
{
	return -EIO;
}

static inline int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	return -EIO;
}

static inline u64 dma_get_required_mask(struct device *dev)
{
	return 0;
}

static inline bool dma_addressing_limited(struct device *dev)
{
	return false;
}

static inline size_t dma_max_mapping_size(struct device *dev)
{
	return 0;
}

static inline size_t dma_opt_mapping_size(struct device *dev)
{
	return 0;
}

static inline unsigned long dma_get_merge_boundary(struct device *dev)
{
	return 0;
}

static inline bool dma_pci_p2pdma_supported(struct device *dev)
{
	return false;
}

static inline bool dma_coherent_ok(struct device *dev, phys_addr_t phys, size_t size)
{
	return false;
}

static inline bool dma_need_unmap(struct device *dev)
{
	return false;
}

static inline bool dma_iova_try_alloc(struct device *dev, struct dma_iova_state *state,
				      phys_addr_t phys, size_t size)
{
	state->addr = 0;
	state->__size = 0;
	return false;
}

static inline void dma_iova_free(struct device *dev, struct dma_iova_state *state) { }

static inline int dma_iova_link(struct device *dev, struct dma_iova_state *state,
				phys_addr_t phys, size_t offset, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline int dma_iova_sync(struct device *dev, struct dma_iova_state *state,
				size_t offset, size_t size)
{
	return -EOPNOTSUPP;
}

static inline void dma_iova_unlink(struct device *dev, struct dma_iova_state *state,
				   size_t offset, size_t size, enum dma_data_direction dir,
				   unsigned long attrs) { }

static inline void dma_iova_destroy(struct device *dev, struct dma_iova_state *state,
				    size_t mapped_len, enum dma_data_direction dir,
				    unsigned long attrs) { }

#endif /* CONFIG_HAS_DMA */

/*
 * Ownership transfers for streaming mappings.  The inline test lets devices
 * whose backend needs no cache maintenance or bouncing skip the call
 * entirely; the core decides that once per device (dev->dma_skip_sync).
 */
#if defined(CONFIG_HAS_DMA) && defined(CONFIG_DMA_NEED_SYNC)
void __dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			       enum dma_data_direction dir);
void __dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				  enum dma_data_direction dir);
void __dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nelems,
			   enum dma_data_direction dir);
void __dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nelems,
			      enum dma_data_direction dir);
bool __dma_need_sync(struct device *dev, dma_addr_t dma_addr);

static inline bool dma_dev_need_sync(const struct device *dev)
{
	/* dma-debug wants to see every sync, even the ones that do nothing */
	return IS_ENABLED(CONFIG_DMA_API_DEBUG) || !dev->dma_skip_sync;
}

static inline void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
					   size_t size, enum dma_data_direction dir)
{
	if (dma_dev_need_sync(dev))
		__dma_sync_single_for_cpu(dev, addr, size, dir);
}

static inline void dma_sync_single_for_device(struct device *dev, dma_addr_t addr,
					      size_t size, enum dma_data_direction dir)
{
	if (dma_dev_need_sync(dev))
		__dma_sync_single_for_device(dev, addr, size, dir);
}

static inline void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg,
				       int nelems, enum dma_data_direction dir)
{
	if (dma_dev_need_sync(dev))
		__dma_sync_sg_for_cpu(dev, sg, nelems, dir);
}

static inline void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg,
					  int nelems, enum dma_data_direction dir)
{
	if (dma_dev_need_sync(dev))
		__dma_sync_sg_for_device(dev, sg, nelems, dir);
}

static inline bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	return dma_dev_need_sync(dev) && __dma_need_sync(dev, dma_addr);
}
#else
static inline bool dma_dev_need_sync(const struct device *dev)
{
	return false;
}

static inline void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
					   size_t size, enum dma_data_direction dir) { }
static inline void dma_sync_single_for_device(struct device *dev, dma_addr_t addr,
					      size_t size, enum dma_data_direction dir) { }
static inline void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg,
				       int nelems, enum dma_data_direction dir) { }
static inline void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg,
					  int nelems, enum dma_data_direction dir) { }

static inline bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	return false;
}
#endif

/* Convenience forms built on the calls above. */

#ifdef CONFIG_DMA_API_DEBUG
/* Out of line, so that the checker can tell single from page mappings. */
dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);
#else
static inline dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
					      enum dma_data_direction dir,
					      unsigned long attrs)
{
	/* vmalloc memory has no single page behind it: use the sg API */
	if (dev_WARN_ONCE(dev, is_vmalloc_addr(ptr),
			  "dma_map_single() of vmalloc address %p refused\n", ptr))
		return DMA_MAPPING_ERROR;
	return dma_map_page_attrs(dev, virt_to_page(ptr), offset_in_page(ptr), size,
				  dir, attrs);
}

static inline void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
					  enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_page_attrs(dev, addr, size, dir, attrs);
}
#endif

static inline void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr,
						 unsigned long offset, size_t size,
						 enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr + offset, size, dir);
}

static inline void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr,
						    unsigned long offset, size_t size,
						    enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr + offset, size, dir);
}

/* sg_table forms always pass the CPU-side entry count (orig_nents). */
static inline void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
				     enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_sg_attrs(dev, sgt->sgl, sgt->orig_nents, dir, attrs);
}

static inline void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
					    enum dma_data_direction dir)
{
	dma_sync_sg_for_cpu(dev, sgt->sgl, sgt->orig_nents, dir);
}

static inline void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
					       enum dma_data_direction dir)
{
	dma_sync_sg_for_device(dev, sgt->sgl, sgt->orig_nents, dir);
}

static inline void *dma_alloc_noncoherent(struct device *dev, size_t size,
					  dma_addr_t *dma_handle,
					  enum dma_data_direction dir, gfp_t gfp)
{
	struct page *page = dma_alloc_pages(dev, size, dma_handle, dir, gfp);

	return page ? page_address(page) : NULL;
}

static inline void dma_free_noncoherent(struct device *dev, size_t size, void *vaddr,
					dma_addr_t dma_handle, enum dma_data_direction dir)
{
	dma_free_pages(dev, size, virt_to_page(vaddr), dma_handle, dir);
}

/* Coherent allocators pass __GFP_NOWARN on as the matching attribute. */
static inline unsigned long dma_gfp_warn_attrs(gfp_t gfp)
{
	return (gfp & __GFP_NOWARN) ? DMA_ATTR_NO_WARN : 0;
}

static inline void *dma_alloc_coherent(struct device *dev, size_t size,
				       dma_addr_t *dma_handle, gfp_t gfp)
{
	return dma_alloc_attrs(dev, size, dma_handle, gfp, dma_gfp_warn_attrs(gfp));
}

static inline void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
				     dma_addr_t dma_handle)
{
	dma_free_attrs(dev, size, cpu_addr, dma_handle, 0);
}

static inline void *dmam_alloc_coherent(struct device *dev, size_t size,
					dma_addr_t *dma_handle, gfp_t gfp)
{
	return dmam_alloc_attrs(dev, size, dma_handle, gfp, dma_gfp_warn_attrs(gfp));
}

static inline void *dma_alloc_wc(struct device *dev, size_t size, dma_addr_t *dma_addr,
				 gfp_t gfp)
{
	return dma_alloc_attrs(dev, size, dma_addr, gfp,
			       DMA_ATTR_WRITE_COMBINE | dma_gfp_warn_attrs(gfp));
}

static inline void dma_free_wc(struct device *dev, size_t size, void *cpu_addr,
			       dma_addr_t dma_addr)
{
	dma_free_attrs(dev, size, cpu_addr, dma_addr, DMA_ATTR_WRITE_COMBINE);
}

static inline int dma_mmap_wc(struct device *dev, struct vm_area_struct *vma,
			      void *cpu_addr, dma_addr_t dma_addr, size_t size)
{
	return dma_mmap_attrs(dev, vma, cpu_addr, dma_addr, size, DMA_ATTR_WRITE_COMBINE);
}

/* Set both masks; the coherent one can't fail once the streaming one didn't. */
static inline int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int ret = dma_set_mask(dev, mask);

	if (!ret)
		dma_set_coherent_mask(dev, mask);
	return ret;
}

/*
 * For bus code that never gave the device a dma_mask pointer: point it at the
 * coherent mask and set both.  New code should not need this.
 */
static inline int dma_coerce_mask_and_coherent(struct device *dev, u64 mask)
{
	dev->dma_mask = &dev->coherent_dma_mask;
	return dma_set_mask_and_coherent(dev, mask);
}

#define dma_map_single(d, a, s, r)	dma_map_single_attrs(d, a, s, r, 0)
#define dma_unmap_single(d, a, s, r)	dma_unmap_single_attrs(d, a, s, r, 0)
#define dma_map_page(d, p, o, s, r)	dma_map_page_attrs(d, p, o, s, r, 0)
#define dma_unmap_page(d, a, s, r)	dma_unmap_page_attrs(d, a, s, r, 0)
#define dma_map_sg(d, s, n, r)		dma_map_sg_attrs(d, s, n, r, 0)
#define dma_unmap_sg(d, s, n, r)	dma_unmap_sg_attrs(d, s, n, r, 0)
#define dma_get_sgtable(d, t, v, h, s)	dma_get_sgtable_attrs(d, t, v, h, s, 0)
#define dma_mmap_coherent(d, v, c, h, s) dma_mmap_attrs(d, v, c, h, s, 0)

/*
 * Storage for what an unmap call will need, in driver structures.  Upstream
 * lets these vanish on configurations where no backend needs them at unmap
 * time; every x86 configuration selects swiotlb and needs them anyway, so
 * dmacore always keeps them and the accessors are plain field accesses.
 */
#define DEFINE_DMA_UNMAP_ADDR(ADDR_NAME)	dma_addr_t ADDR_NAME
#define DEFINE_DMA_UNMAP_LEN(LEN_NAME)		__u32 LEN_NAME
#define dma_unmap_addr(PTR, ADDR_NAME)		((PTR)->ADDR_NAME)
#define dma_unmap_addr_set(PTR, ADDR_NAME, VAL)	(((PTR)->ADDR_NAME) = (VAL))
#define dma_unmap_len(PTR, LEN_NAME)		((PTR)->LEN_NAME)
#define dma_unmap_len_set(PTR, LEN_NAME, VAL)	(((PTR)->LEN_NAME) = (VAL))

#endif /* _LINUX_DMA_MAPPING_H */
