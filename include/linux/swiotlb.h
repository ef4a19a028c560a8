/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounce buffering ("software IO TLB") for devices that cannot reach the
 * memory a driver hands them.
 *
 * A pool is one physically contiguous region, carved into slots of
 * IO_TLB_SIZE bytes.  Mapping a buffer takes a run of free slots, copies the
 * data in, and gives the device the address of the copy; unmapping copies any
 * device writes back and frees the run.  The pool is split into areas, each
 * with its own lock, so that CPUs mapping at the same time rarely meet.
 *
 * The functions here are for the DMA core and its backends (dma-direct,
 * dma-iommu, xen-swiotlb), not for drivers: drivers use <linux/dma-mapping.h>
 * and get bounced transparently.  Documentation/core-api/dmacore.rst
 * describes the design.
 */
#ifndef __LINUX_SWIOTLB_H
#define __LINUX_SWIOTLB_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/init.h>
#include <linux/limits.h>
#include <linux/types.h>

struct dentry;
struct page;
struct io_tlb_area;
struct io_tlb_slot;

/* Flags for swiotlb_init(); the values are shared with architecture code. */
#define SWIOTLB_VERBOSE	BIT(0)	/* print the pool once it is set up */
#define SWIOTLB_FORCE	BIT(1)	/* bounce every mapping of every device */
#define SWIOTLB_ANY	BIT(2)	/* pool may sit anywhere, not only below 4 GiB */

/*
 * Slot geometry.  A slot is the unit of allocation.  A mapping is a run of
 * contiguous slots that never crosses a segment of IO_TLB_SEGSIZE slots: this
 * bounds the largest bounce (256 KiB) and lets the xen-swiotlb code make each
 * segment machine-contiguous on its own.
 */
#define IO_TLB_SHIFT		11
#define IO_TLB_SIZE		BIT(IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE		128

/* Size of the default pool unless "swiotlb=" or the architecture says otherwise. */
#define IO_TLB_DEFAULT_SIZE	(64UL << 20)

/*
 * Boot-time setup.  These keep their meaning (and their existence) whether or
 * not bounce buffering is built, because architecture code calls them.
 */
unsigned long swiotlb_size_or_default(void);
void __init swiotlb_init_remap(bool addressing_limit, unsigned int flags,
			       int (*remap)(void *tlb, unsigned long nslabs));
int swiotlb_init_late(size_t size, gfp_t gfp_mask,
		      int (*remap)(void *tlb, unsigned long nslabs));
void __init swiotlb_update_mem_attributes(void);

#ifdef CONFIG_SWIOTLB

/**
 * struct io_tlb_pool - one physically contiguous region of bounce slots
 * @start:	physical address of the first slot
 * @end:	physical address just past the last slot
 * @vaddr:	kernel virtual address of @start
 * @nslabs:	number of slots; zero until the pool is ready to use
 * @nareas:	number of areas (a power of two)
 * @area_nslabs: slots per area, a multiple of IO_TLB_SEGSIZE
 * @areas:	per-area lock, search cursor and usage count
 * @slots:	per-slot record of what is mapped there
 * @busy:	one bit per slot, set while the slot is part of a mapping
 * @meta:	the allocation @areas, @slots and @busy live in
 * @late_alloc: the memory came from the page allocator, not from memblock
 *
 * The fields other than those inside @areas, @slots and @busy are written
 * once when the pool is set up and only read afterwards, which is what lets
 * is_swiotlb_buffer() test a range without taking a lock.
 */
struct io_tlb_pool {
	phys_addr_t start;
	phys_addr_t end;
	void *vaddr;
	unsigned long nslabs;
	unsigned int nareas;
	unsigned int area_nslabs;
	struct io_tlb_area *areas;
	struct io_tlb_slot *slots;
	unsigned long *busy;
	void *meta;
	bool late_alloc;
};

/**
 * struct io_tlb_mem - a device's view of bounce buffering
 * @pool:	the slots devices using this object bounce through
 * @force_bounce: bounce every mapping, even of memory the device can reach
 * @debugfs:	directory of the statistics files, if any
 * @total_used:	slots in use over all areas, for the high-water mark
 * @used_hiwater: largest value @total_used has reached since the last reset
 *
 * dev->dma_io_tlb_mem points at one of these: the default one set up at boot
 * for every device, or a private one (a test's, for instance).
 */
struct io_tlb_mem {
	struct io_tlb_pool pool;
	bool force_bounce;
#ifdef CONFIG_DEBUG_FS
	struct dentry *debugfs;
	atomic_long_t total_used;
	atomic_long_t used_hiwater;
#endif
};

/**
 * swiotlb_find_pool() - the bounce pool that holds an address, if any
 * @dev:	device the address was mapped for
 * @paddr:	physical address to look up
 *
 * Return: the pool containing @paddr, or NULL when @paddr is not bounce
 * memory of @dev.  Takes no lock; the bounds it reads never change while
 * the pool is in use.
 */
static inline struct io_tlb_pool *swiotlb_find_pool(struct device *dev,
						    phys_addr_t paddr)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if (mem && paddr >= mem->pool.start && paddr < mem->pool.end)
		return &mem->pool;
	return NULL;
}

/**
 * is_swiotlb_buffer() - is this address inside the device's bounce pool?
 * @dev:	device the address was mapped for
 * @paddr:	physical address, typically from dma_to_phys()
 *
 * This is the cheap test the unmap and sync paths make before handing an
 * address to swiotlb: a range check, no lock, no memory other than @dev's
 * pool bounds.
 *
 * Return: true if @paddr lies in @dev's pool.
 */
static inline bool is_swiotlb_buffer(struct device *dev, phys_addr_t paddr)
{
	return !!swiotlb_find_pool(dev, paddr);
}

/**
 * is_swiotlb_force_bounce() - must every mapping of @dev be bounced?
 * @dev:	device about to be mapped for
 *
 * Return: true when the device's pool was set up with bouncing forced,
 * as "swiotlb=force" does for the default pool.
 */
static inline bool is_swiotlb_force_bounce(struct device *dev)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	return mem && mem->force_bounce;
}

/**
 * is_swiotlb_active() - does @dev have a bounce pool it can use?
 * @dev:	device to check
 *
 * Return: true if @dev's pool has memory, so that bouncing can work.
 */
static inline bool is_swiotlb_active(struct device *dev)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	return mem && READ_ONCE(mem->pool.nslabs);
}

void __init swiotlb_init(bool addressing_limit, unsigned int flags);
void __init swiotlb_exit(void);
void swiotlb_dev_init(struct device *dev);
size_t swiotlb_max_mapping_size(struct device *dev);
bool is_swiotlb_allocated(void);
void __init swiotlb_adjust_size(unsigned long size);
phys_addr_t default_swiotlb_base(void);
phys_addr_t default_swiotlb_limit(void);
void swiotlb_print_info(void);

#else /* !CONFIG_SWIOTLB: nothing is ever bounced */

struct io_tlb_pool;
struct io_tlb_mem;

static inline struct io_tlb_pool *swiotlb_find_pool(struct device *dev,
						    phys_addr_t paddr)
{
	return NULL;
}

static inline bool is_swiotlb_buffer(struct device *dev, phys_addr_t paddr)
{
	return false;
}

static inline bool is_swiotlb_force_bounce(struct device *dev)
{
	return false;
}

static inline bool is_swiotlb_active(struct device *dev)
{
	return false;
}

static inline void swiotlb_init(bool addressing_limit, unsigned int flags)
{
}

static inline void swiotlb_exit(void)
{
}

static inline void swiotlb_dev_init(struct device *dev)
{
}

static inline size_t swiotlb_max_mapping_size(struct device *dev)
{
	return SIZE_MAX;
}

static inline bool is_swiotlb_allocated(void)
{
	return false;
}

static inline void swiotlb_adjust_size(unsigned long size)
{
}

static inline phys_addr_t default_swiotlb_base(void)
{
	return 0;
}

static inline phys_addr_t default_swiotlb_limit(void)
{
	return 0;
}

static inline void swiotlb_print_info(void)
{
}

#endif /* CONFIG_SWIOTLB */

/*
 * The bounce operations.  Callers that have already looked the pool up (the
 * double-underscore forms) pass it in; the plain forms look it up themselves
 * and do nothing for an address that is not bounce memory, so a backend may
 * call them for every address it unmaps or syncs.
 */
phys_addr_t swiotlb_tbl_map_single(struct device *dev, phys_addr_t phys,
				   size_t mapping_size, unsigned int alloc_align_mask,
				   enum dma_data_direction dir, unsigned long attrs);
dma_addr_t swiotlb_map(struct device *dev, phys_addr_t phys, size_t size,
		       enum dma_data_direction dir, unsigned long attrs);
void __swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t tlb_addr,
				size_t mapping_size, enum dma_data_direction dir,
				unsigned long attrs, struct io_tlb_pool *pool);
void __swiotlb_sync_single_for_device(struct device *dev, phys_addr_t tlb_addr,
				      size_t size, enum dma_data_direction dir,
				      struct io_tlb_pool *pool);
bool swiotlb_find_mapping(struct device *dev, phys_addr_t run_addr, phys_addr_t *tlb_addr,
			  size_t *mapping_size);
void __swiotlb_sync_single_for_cpu(struct device *dev, phys_addr_t tlb_addr,
				   size_t size, enum dma_data_direction dir,
				   struct io_tlb_pool *pool);

/**
 * swiotlb_tbl_unmap_single() - end a bounce mapping
 * @dev:	device the mapping was made for
 * @tlb_addr:	bounce address swiotlb_tbl_map_single() returned
 * @mapping_size: size that was mapped
 * @dir:	direction of the mapping
 * @attrs:	DMA_ATTR_SKIP_CPU_SYNC skips the copy back
 *
 * Copies the device's writes back to the original buffer for
 * DMA_FROM_DEVICE and DMA_BIDIRECTIONAL, then frees the slots.  Does nothing
 * when @tlb_addr is outside the pool.
 */
static inline void swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t tlb_addr,
					    size_t mapping_size,
					    enum dma_data_direction dir,
					    unsigned long attrs)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, tlb_addr);

	if (unlikely(pool))
		__swiotlb_tbl_unmap_single(dev, tlb_addr, mapping_size, dir,
					   attrs, pool);
}

/**
 * swiotlb_sync_single_for_device() - give (part of) a bounce mapping to the device
 * @dev:	device the mapping was made for
 * @tlb_addr:	bounce address; may point inside a mapping
 * @size:	bytes to hand over, starting at @tlb_addr
 * @dir:	direction of the mapping
 *
 * Copies the CPU's writes from the original buffer into the bounce buffer
 * for DMA_TO_DEVICE and DMA_BIDIRECTIONAL.  Does nothing when @tlb_addr is
 * outside the pool.
 */
static inline void swiotlb_sync_single_for_device(struct device *dev,
						  phys_addr_t tlb_addr, size_t size,
						  enum dma_data_direction dir)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, tlb_addr);

	if (unlikely(pool))
		__swiotlb_sync_single_for_device(dev, tlb_addr, size, dir, pool);
}

/**
 * swiotlb_sync_single_for_cpu() - give (part of) a bounce mapping to the CPU
 * @dev:	device the mapping was made for
 * @tlb_addr:	bounce address; may point inside a mapping
 * @size:	bytes to hand over, starting at @tlb_addr
 * @dir:	direction of the mapping
 *
 * Copies the device's writes from the bounce buffer into the original buffer
 * for DMA_FROM_DEVICE and DMA_BIDIRECTIONAL.  Does nothing when @tlb_addr is
 * outside the pool.
 */
static inline void swiotlb_sync_single_for_cpu(struct device *dev,
					       phys_addr_t tlb_addr, size_t size,
					       enum dma_data_direction dir)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, tlb_addr);

	if (unlikely(pool))
		__swiotlb_sync_single_for_cpu(dev, tlb_addr, size, dir, pool);
}

/*
 * Restricted DMA pools (devicetree "restricted-dma-pool") are not supported:
 * CONFIG_DMA_RESTRICTED_POOL can't be enabled, so no device ever allocates
 * from its bounce pool.
 */
static inline bool is_swiotlb_for_alloc(struct device *dev)
{
	return false;
}

static inline struct page *swiotlb_alloc(struct device *dev, size_t size)
{
	return NULL;
}

static inline bool swiotlb_free(struct device *dev, struct page *page, size_t size)
{
	return false;
}

#endif /* __LINUX_SWIOTLB_H */
