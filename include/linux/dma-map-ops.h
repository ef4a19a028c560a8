/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What DMA backends, bus code and architectures see of the DMA core.
 * Drivers use <linux/dma-mapping.h> instead.
 *
 * A device whose dma_ops pointer is NULL is served by the direct backend,
 * which the core calls without any indirection.  Anything else (an IOMMU,
 * a hypervisor's bounce scheme, an old GART) installs a struct dma_map_ops.
 */
#ifndef _LINUX_DMA_MAP_OPS_H
#define _LINUX_DMA_MAP_OPS_H

#include <linux/dma-mapping.h>
#include <linux/pgtable.h>
#include <linux/slab.h>

struct cma;
struct iommu_ops;

/*
 * A backend.  Only the streaming calls (map_page, unmap_page and the sg
 * forms) and alloc/free are required; the core substitutes a sensible
 * answer when one of the others is left NULL.
 */
struct dma_map_ops {
	void *(*alloc)(struct device *dev, size_t size, dma_addr_t *dma_handle,
		       gfp_t gfp, unsigned long attrs);
	void (*free)(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
		     unsigned long attrs);
	struct page *(*alloc_pages_op)(struct device *dev, size_t size, dma_addr_t *dma_handle,
				       enum dma_data_direction dir, gfp_t gfp);
	void (*free_pages)(struct device *dev, size_t size, struct page *vaddr,
			   dma_addr_t dma_handle, enum dma_data_direction dir);
	int (*mmap)(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size, unsigned long attrs);
	int (*get_sgtable)(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t dma_addr, size_t size, unsigned long attrs);

	dma_addr_t (*map_page)(struct device *dev, struct page *page, unsigned long offset,
			       size_t size, enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_page)(struct device *dev, dma_addr_t dma_handle, size_t size,
			   enum dma_data_direction dir, unsigned long attrs);
	/* returns the number of DMA segments, or a negative errno */
	int (*map_sg)(struct device *dev, struct scatterlist *sg, int nents,
		      enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_sg)(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir, unsigned long attrs);
	dma_addr_t (*map_resource)(struct device *dev, phys_addr_t phys_addr, size_t size,
				   enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_resource)(struct device *dev, dma_addr_t dma_handle, size_t size,
			       enum dma_data_direction dir, unsigned long attrs);

	void (*sync_single_for_cpu)(struct device *dev, dma_addr_t dma_handle, size_t size,
				    enum dma_data_direction dir);
	void (*sync_single_for_device)(struct device *dev, dma_addr_t dma_handle, size_t size,
				       enum dma_data_direction dir);
	void (*sync_sg_for_cpu)(struct device *dev, struct scatterlist *sg, int nents,
				enum dma_data_direction dir);
	void (*sync_sg_for_device)(struct device *dev, struct scatterlist *sg, int nents,
				   enum dma_data_direction dir);
	void (*cache_sync)(struct device *dev, void *vaddr, size_t size,
			   enum dma_data_direction direction);

	int (*dma_supported)(struct device *dev, u64 mask);
	u64 (*get_required_mask)(struct device *dev);
	size_t (*max_mapping_size)(struct device *dev);
	size_t (*opt_mapping_size)(void);
	unsigned long (*get_merge_boundary)(struct device *dev);
};

#ifdef CONFIG_ARCH_HAS_DMA_OPS
#include <asm/dma-mapping.h>

/* The device's own backend, else the architecture's default (often none). */
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return dev->dma_ops ? dev->dma_ops : get_arch_dma_ops();
}

static inline void set_dma_ops(struct device *dev, const struct dma_map_ops *ops)
{
	dev->dma_ops = ops;
}
#else
/* Without per-device backends every device is direct: no pointer to load. */
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return NULL;
}

static inline void set_dma_ops(struct device *dev, const struct dma_map_ops *ops) { }
#endif

/*
 * A backend that refuses everything, for devices that must not do DMA.
 * Declared even without per-device backends: callers pass it to
 * set_dma_ops(), which then ignores it.
 */
extern const struct dma_map_ops dma_dummy_ops;

/*
 * Contiguous memory areas (kernel/dma/contiguous.c).  Without DMA_CMA these
 * are the "no area" answers: nothing is reserved, no page comes from an
 * area, and dma_free_contiguous() hands pages back to the page allocator.
 */
#ifdef CONFIG_DMA_CMA
extern struct cma *dma_contiguous_default_area;

/* The area @dev takes buffers from first: its own, or else the default. */
static inline struct cma *dev_get_cma_area(struct device *dev)
{
	if (dev && dev->cma_area)
		return dev->cma_area;
	return dma_contiguous_default_area;
}

void dma_contiguous_reserve(phys_addr_t addr_limit);
int __init dma_contiguous_reserve_area(phys_addr_t size, phys_addr_t base,
				       phys_addr_t limit, struct cma **res_cma, bool fixed);
struct page *dma_alloc_from_contiguous(struct device *dev, size_t count, unsigned int order,
				       bool no_warn);
bool dma_release_from_contiguous(struct device *dev, struct page *pages, int count);
struct page *dma_alloc_contiguous(struct device *dev, size_t size, gfp_t gfp);
void dma_free_contiguous(struct device *dev, struct page *page, size_t size);
void dma_contiguous_early_fixup(phys_addr_t base, unsigned long size);
#else
static inline struct cma *dev_get_cma_area(struct device *dev)
{
	return NULL;
}

static inline void dma_contiguous_reserve(phys_addr_t limit) { }

static inline int dma_contiguous_reserve_area(phys_addr_t size, phys_addr_t base,
					      phys_addr_t limit, struct cma **res_cma,
					      bool fixed)
{
	return -EOPNOTSUPP;
}

static inline struct page *dma_alloc_from_contiguous(struct device *dev, size_t count,
						     unsigned int order, bool no_warn)
{
	return NULL;
}

static inline bool dma_release_from_contiguous(struct device *dev, struct page *pages,
					       int count)
{
	return false;
}

static inline struct page *dma_alloc_contiguous(struct device *dev, size_t size, gfp_t gfp)
{
	return NULL;
}

static inline void dma_free_contiguous(struct device *dev, struct page *page, size_t size)
{
	__free_pages(page, get_order(size));
}

static inline void dma_contiguous_early_fixup(phys_addr_t base, unsigned long size) { }
#endif /* CONFIG_DMA_CMA */

/*
 * Per-device declared coherent memory is not built by dmacore yet; its
 * Kconfig option can't be enabled, and these are the "feature absent"
 * answers the rest of the kernel expects.
 */
static inline int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
					      dma_addr_t device_addr, size_t size)
{
	return -EOPNOTSUPP;
}

static inline void dma_release_coherent_memory(struct device *dev) { }

/* Helpers for dma_map_ops implementations whose buffers are plain pages. */
int dma_common_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t dma_addr, size_t size, unsigned long attrs);
int dma_common_mmap(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size, unsigned long attrs);
struct page *dma_common_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    enum dma_data_direction dir, gfp_t gfp);
void dma_common_free_pages(struct device *dev, size_t size, struct page *vaddr,
			   dma_addr_t dma_handle, enum dma_data_direction dir);

/* Make @dev see RAM at @cpu_start as bus address @dma_start, for @size bytes. */
int dma_direct_set_offset(struct device *dev, phys_addr_t cpu_start, dma_addr_t dma_start,
			  u64 size);

/*
 * Cache coherence.  Architectures where some devices snoop the CPU caches and
 * others don't select one of the ARCH_HAS_SYNC_DMA_* options and record the
 * answer per device; everywhere else every device is coherent and the
 * question compiles away.
 */
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
extern bool dma_default_coherent;
static inline bool dev_is_dma_coherent(struct device *dev)
{
	return dev->dma_coherent;
}
#else
#define dma_default_coherent true
static inline bool dev_is_dma_coherent(struct device *dev)
{
	return true;
}
#endif

/*
 * A backend that finds it must bounce or flush for a device that was marked
 * as never needing syncs calls this, so later syncs are not skipped.
 */
static inline void dma_reset_need_sync(struct device *dev)
{
#ifdef CONFIG_DMA_NEED_SYNC
	if (unlikely(dev->dma_skip_sync))
		dev->dma_skip_sync = false;
#endif
}

/*
 * On machines where kmalloc() may hand out buffers smaller than a cache line,
 * a non-coherent device writing into one would clobber its neighbours; such
 * buffers are bounced instead.  Only some architectures opt in.
 */
static inline bool dma_kmalloc_needs_bounce(struct device *dev, size_t size,
					    enum dma_data_direction dir)
{
	if (!IS_ENABLED(CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC) ||
	    dev_is_dma_coherent(dev) || dir == DMA_TO_DEVICE)
		return false;
	return size < 2 * ARCH_DMA_MINALIGN &&
	       !IS_ALIGNED(kmalloc_size_roundup(size), dma_get_cache_alignment());
}

/* Architecture hooks; each is a no-op unless the architecture selects it. */
void *arch_dma_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		     unsigned long attrs);
void arch_dma_free(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr,
		   unsigned long attrs);
void *arch_dma_set_uncached(void *addr, size_t size);
void arch_dma_clear_uncached(void *addr, size_t size);

#ifdef CONFIG_ARCH_HAS_DMA_SET_MASK
void arch_dma_set_mask(struct device *dev, u64 mask);
#else
static inline void arch_dma_set_mask(struct device *dev, u64 mask) { }
#endif

#ifdef CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE
void arch_sync_dma_for_device(phys_addr_t paddr, size_t size, enum dma_data_direction dir);
#else
static inline void arch_sync_dma_for_device(phys_addr_t paddr, size_t size,
					    enum dma_data_direction dir) { }
#endif

#ifdef CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU
void arch_sync_dma_for_cpu(phys_addr_t paddr, size_t size, enum dma_data_direction dir);
#else
static inline void arch_sync_dma_for_cpu(phys_addr_t paddr, size_t size,
					 enum dma_data_direction dir) { }
#endif

#ifdef CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL
void arch_sync_dma_for_cpu_all(void);
#else
static inline void arch_sync_dma_for_cpu_all(void) { }
#endif

#ifdef CONFIG_ARCH_HAS_DMA_PREP_COHERENT
void arch_dma_prep_coherent(struct page *page, size_t size);
#else
static inline void arch_dma_prep_coherent(struct page *page, size_t size) { }
#endif

#ifdef CONFIG_ARCH_HAS_DMA_MARK_CLEAN
void arch_dma_mark_clean(phys_addr_t paddr, size_t size);
#else
static inline void arch_dma_mark_clean(phys_addr_t paddr, size_t size) { }
#endif

#ifdef CONFIG_ARCH_HAS_SETUP_DMA_OPS
void arch_setup_dma_ops(struct device *dev, bool coherent);
#else
static inline void arch_setup_dma_ops(struct device *dev, bool coherent) { }
#endif

#ifdef CONFIG_ARCH_HAS_TEARDOWN_DMA_OPS
void arch_teardown_dma_ops(struct device *dev);
#else
static inline void arch_teardown_dma_ops(struct device *dev) { }
#endif

/* Which page protection a CPU mapping of a DMA buffer must use. */
#ifdef CONFIG_MMU
pgprot_t dma_pgprot(struct device *dev, pgprot_t prot, unsigned long attrs);
#else
static inline pgprot_t dma_pgprot(struct device *dev, pgprot_t prot, unsigned long attrs)
{
	return prot;
}
#endif

#ifdef CONFIG_DMA_API_DEBUG
void dma_debug_add_bus(const struct bus_type *bus);
void debug_dma_dump_mappings(struct device *dev);
#else
static inline void dma_debug_add_bus(const struct bus_type *bus) { }
static inline void debug_dma_dump_mappings(struct device *dev) { }
#endif

/* Peer-to-peer DMA between PCI devices (drivers/pci/p2pdma.c). */
enum pci_p2pdma_map_type {
	PCI_P2PDMA_MAP_UNKNOWN = 0,		/* not worked out yet */
	PCI_P2PDMA_MAP_NOT_SUPPORTED,		/* the topology forbids it */
	PCI_P2PDMA_MAP_BUS_ADDR,		/* use the PCI bus address as is */
	PCI_P2PDMA_MAP_THRU_HOST_BRIDGE,	/* map like host memory */
};

struct pci_p2pdma_map_state {
	struct dev_pagemap *pgmap;
	int map;
	u64 bus_off;
};

#ifdef CONFIG_PCI_P2PDMA
enum pci_p2pdma_map_type pci_p2pdma_map_segment(struct pci_p2pdma_map_state *state,
						struct device *dev, struct scatterlist *sg);
#else
static inline enum pci_p2pdma_map_type
pci_p2pdma_map_segment(struct pci_p2pdma_map_state *state, struct device *dev,
		       struct scatterlist *sg)
{
	return PCI_P2PDMA_MAP_NOT_SUPPORTED;
}
#endif

#endif /* _LINUX_DMA_MAP_OPS_H */
