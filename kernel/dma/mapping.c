// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA API entry points.
 *
 * Every call a driver makes lands here first.  This file is the only place
 * that decides which backend serves a device (dma_backend()): a device
 * without dma_map_ops is served by the direct backend, whose fast paths are
 * inlined from internal.h; a device that the IOMMU core put behind a
 * translating domain goes to iommu_dma_ops (drivers/iommu/dma-iommu.c), and
 * any other device through its own dma_map_ops table.  Arguments are
 * checked before dispatch, so backends can trust what they are given, and a
 * bad call from a driver ends in an error return and a rate-limited message
 * rather than a crash or a corrupted buffer.
 */
#include <linux/dma-debug.h>
#include <linux/dma-map-ops.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "fault_inject.h"
#include "internal.h"

/* The backend picks the zone from the device's mask; callers may not. */
#define DMA_ZONE_GFP	(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

/*
 * Argument checks shared by the streaming calls.  The test itself is inlined
 * into every entry point; explaining a failure is a driver bug's slow path
 * and lives out of line.
 */
static void __cold dma_report_bad_args(struct device *dev, dma_addr_t dma_addr, size_t size,
				       enum dma_data_direction dir, const char *func)
{
	if (dma_addr == DMA_MAPPING_ERROR)
		dma_complain(dev, 0, func, "address is DMA_MAPPING_ERROR; the map call had failed");
	else if (!valid_dma_direction(dir))
		dma_complain(dev, 0, func, "invalid direction %d", dir);
	else if (!size)
		dma_complain(dev, 0, func, "zero-length mapping");
	else
		dma_complain(dev, 0, func, "device has no DMA mask; it can't do DMA");
}

static __always_inline bool dma_streaming_args_ok(struct device *dev, size_t size,
						  enum dma_data_direction dir,
						  const char *func)
{
	if (likely(valid_dma_direction(dir) && size && dev->dma_mask))
		return true;
	dma_report_bad_args(dev, 0, size, dir, func);
	return false;
}

/* An unmap or sync also needs an address that some map call returned. */
static __always_inline bool dma_handle_args_ok(struct device *dev, dma_addr_t dma_addr,
					       size_t size, enum dma_data_direction dir,
					       const char *func)
{
	if (likely(dma_addr != DMA_MAPPING_ERROR))
		return dma_streaming_args_ok(dev, size, dir, func);
	dma_report_bad_args(dev, dma_addr, size, dir, func);
	return false;
}

/* For the calls that need a mask but check nothing else about the device. */
static bool dma_mask_present(struct device *dev, const char *func)
{
	if (likely(dev->dma_mask))
		return true;
	dma_complain(dev, 0, func, "device has no DMA mask; it can't do DMA");
	return false;
}

/* For the calls that take a direction but no single address. */
static bool dma_direction_ok(struct device *dev, enum dma_data_direction dir, const char *func)
{
	if (likely(valid_dma_direction(dir)))
		return true;
	dma_complain(dev, 0, func, "invalid direction %d", dir);
	return false;
}

/*
 * Every single-buffer map goes through here; @kind only tells the checker
 * which API call made the mapping and compiles away without it.
 */
static __always_inline dma_addr_t dma_map_kind(struct device *dev, struct page *page,
					       size_t offset, size_t size,
					       enum dma_data_direction dir, unsigned long attrs,
					       enum dma_debug_kind kind, const char *func)
{
	const struct dma_map_ops *backend = get_dma_ops(dev);
	phys_addr_t phys = page_to_phys(page) + offset;
	dma_addr_t dma_addr;

	if (unlikely(!dma_streaming_args_ok(dev, size, dir, func) ||
		     dma_should_fail(dev, size)))
		return DMA_MAPPING_ERROR;
	/* The IOMMU backend by a direct call: no indirect one on either path. */
	if (likely(!backend && !use_dma_iommu(dev)))
		dma_addr = dma_direct_map_phys(dev, phys, size, dir, attrs, func);
	else if (use_dma_iommu(dev))
		dma_addr = iommu_dma_map_page(dev, page, offset, size, dir, attrs);
	else
		dma_addr = backend->map_page(dev, page, offset, size, dir, attrs);
	if (dma_addr != DMA_MAPPING_ERROR)
		debug_dma_map(dev, phys, size, dir, dma_addr, kind, attrs, _RET_IP_);
	return dma_addr;
}

static __always_inline void dma_unmap_kind(struct device *dev, dma_addr_t dma_addr, size_t size,
					   enum dma_data_direction dir, unsigned long attrs,
					   enum dma_debug_kind kind, const char *func)
{
	const struct dma_map_ops *backend = get_dma_ops(dev);

	if (unlikely(!dma_handle_args_ok(dev, dma_addr, size, dir, func)))
		return;
	debug_dma_unmap(dev, dma_addr, size, dir, kind);
	if (likely(!backend && !use_dma_iommu(dev)))
		dma_direct_unmap_phys(dev, dma_addr, size, dir, attrs);
	else if (use_dma_iommu(dev))
		iommu_dma_unmap_page(dev, dma_addr, size, dir, attrs);
	else
		backend->unmap_page(dev, dma_addr, size, dir, attrs);
}

/**
 * dma_map_page_attrs() - Let a device access part of a page.
 * @dev: the device that will do the DMA
 * @page: the first page of the buffer
 * @offset: where the buffer starts within @page
 * @size: length of the buffer in bytes; it may run on into following pages
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * Until dma_unmap_page_attrs() the buffer belongs to the device: the CPU may
 * only touch it between dma_sync_single_for_cpu() and
 * dma_sync_single_for_device().
 *
 * Context: Any context; never sleeps.
 *
 * Return: the address the device must use, or DMA_MAPPING_ERROR, which the
 * caller detects with dma_mapping_error().
 */
dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
			      size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	return dma_map_kind(dev, page, offset, size, dir, attrs, DMA_DEBUG_PAGE, __func__);
}
EXPORT_SYMBOL(dma_map_page_attrs);

/**
 * dma_unmap_page_attrs() - Take a buffer back from the device.
 * @dev: the device passed to the map call
 * @dma_addr: the address the map call returned
 * @size: the size passed to the map call
 * @dir: the direction passed to the map call
 * @attrs: DMA_ATTR_* flags
 *
 * After this the CPU owns the buffer again and sees everything the device
 * wrote to it.  Also used for mappings made by dma_map_single_attrs().
 *
 * Context: Any context; never sleeps.
 */
void dma_unmap_page_attrs(struct device *dev, dma_addr_t dma_addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_kind(dev, dma_addr, size, dir, attrs, DMA_DEBUG_PAGE, __func__);
}
EXPORT_SYMBOL(dma_unmap_page_attrs);

#ifdef CONFIG_DMA_API_DEBUG
/**
 * dma_map_single_attrs() - dma_map_page_attrs() for a kernel virtual address.
 * @dev: the device that will do the DMA
 * @ptr: the buffer; it must be in the linear map (kmalloc, page allocator)
 * @size: its length
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * Out of line only in kernels with the DMA API checker, so that it can tell
 * single mappings from page mappings; otherwise it is an inline.
 *
 * Context: Any context; never sleeps.
 *
 * Return: the device address, or DMA_MAPPING_ERROR.
 */
dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	debug_dma_map_single(dev, ptr, size);
	/* without a page behind it there is nothing to map, and no safe way on */
	if (unlikely(!virt_addr_valid(ptr))) {
		dma_complain(dev, 0, __func__, "%p is not in the linear map; use the sg API", ptr);
		return DMA_MAPPING_ERROR;
	}
	return dma_map_kind(dev, virt_to_page(ptr), offset_in_page(ptr), size, dir, attrs,
			    DMA_DEBUG_SINGLE, __func__);
}
EXPORT_SYMBOL(dma_map_single_attrs);

/**
 * dma_unmap_single_attrs() - Undo dma_map_single_attrs().
 * @dev: the device passed to the map call
 * @dma_addr: the address the map call returned
 * @size: the size passed to the map call
 * @dir: the direction passed to the map call
 * @attrs: DMA_ATTR_* flags
 *
 * Context: Any context; never sleeps.
 */
void dma_unmap_single_attrs(struct device *dev, dma_addr_t dma_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_kind(dev, dma_addr, size, dir, attrs, DMA_DEBUG_SINGLE, __func__);
}
EXPORT_SYMBOL(dma_unmap_single_attrs);
#endif

/* The only errors dma_map_sgtable() is documented to return. */
static int dma_sg_errno(struct device *dev, int ret, const char *func)
{
	switch (ret) {
	case -EINVAL:
	case -ENOMEM:
	case -EIO:
	case -EREMOTEIO:
		return ret;
	}
	dma_complain(dev, 0, func, "backend returned %d; reporting -EIO", ret);
	return -EIO;
}

/* Returns the number of DMA segments, or a negative errno. */
static int dma_map_sg_checked(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir, unsigned long attrs,
			      const char *func, unsigned long caller)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	int ret;

	if (unlikely(!dma_direction_ok(dev, dir, func)))
		return -EINVAL;
	if (unlikely(nents <= 0)) {
		dma_complain(dev, 0, func, "%d entries", nents);
		return -EINVAL;
	}
	if (unlikely(!dma_mask_present(dev, func)))
		return -EIO;
	if (unlikely(dma_should_fail(dev, nents)))
		return -ENOMEM;

	if (!backend)
		ret = dma_direct_map_sg(dev, sg, nents, dir, attrs, func);
	else
		ret = backend->map_sg(dev, sg, nents, dir, attrs);
	if (unlikely(ret <= 0))
		return dma_sg_errno(dev, ret ? ret : -EIO, func);
	debug_dma_map_sg(dev, sg, nents, ret, dir, attrs, caller);
	return ret;
}

/**
 * dma_map_sg_attrs() - Let a device access a scatterlist.
 * @dev: the device that will do the DMA
 * @sg: the list, with page, offset and length set in each entry
 * @nents: how many entries to map
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * The backend may merge neighbouring entries, so the device may see fewer
 * segments than @nents.  Walk the first N entries (N being the return value)
 * with sg_dma_address() and sg_dma_len() to program the device; unmap with
 * the original @nents.
 *
 * Context: Any context; never sleeps.
 *
 * Return: the number of DMA segments, or 0 if nothing was mapped.
 * dma_map_sgtable() reports why.
 */
unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir, unsigned long attrs)
{
	int ret = dma_map_sg_checked(dev, sg, nents, dir, attrs, __func__, _RET_IP_);

	return ret < 0 ? 0 : ret;
}
EXPORT_SYMBOL(dma_map_sg_attrs);

/**
 * dma_map_sgtable() - Let a device access the buffers of an sg_table.
 * @dev: the device that will do the DMA
 * @sgt: the table; orig_nents entries are mapped and nents is set to the
 *	number of DMA segments
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * Context: Any context; never sleeps.
 *
 * Return: 0 on success, or
 * -EINVAL if the arguments are invalid (a bug in the caller),
 * -ENOMEM if bounce buffer or address space ran out (retrying later may work),
 * -EIO if the mapping failed for another reason,
 * -EREMOTEIO if peer-to-peer memory in the table can't be reached by @dev.
 */
int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs)
{
	int ret = dma_map_sg_checked(dev, sgt->sgl, sgt->orig_nents, dir, attrs, __func__,
				     _RET_IP_);

	if (ret < 0)
		return ret;
	sgt->nents = ret;
	return 0;
}
EXPORT_SYMBOL_GPL(dma_map_sgtable);

/**
 * dma_unmap_sg_attrs() - Take a scatterlist back from the device.
 * @dev: the device passed to the map call
 * @sg: the list passed to the map call
 * @nents: the entry count passed to the map call (not the count it returned)
 * @dir: the direction passed to the map call
 * @attrs: DMA_ATTR_* flags
 *
 * Context: Any context; never sleeps.
 */
void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (unlikely(!dma_direction_ok(dev, dir, __func__)))
		return;
	if (unlikely(nents <= 0)) {
		dma_complain(dev, 0, __func__, "%d entries", nents);
		return;
	}
	debug_dma_unmap_sg(dev, sg, nents, dir);
	if (!backend)
		dma_direct_unmap_sg(dev, sg, nents, dir, attrs);
	else
		backend->unmap_sg(dev, sg, nents, dir, attrs);
}
EXPORT_SYMBOL(dma_unmap_sg_attrs);

/**
 * dma_map_resource() - Let a device reach MMIO space, such as another
 *	device's registers or memory window.
 * @dev: the device that will do the DMA
 * @phys_addr: CPU physical address of the resource
 * @size: length in bytes
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * Never bounced and never for RAM: RAM is mapped with dma_map_page_attrs().
 *
 * Context: Any context; never sleeps.
 *
 * Return: the device address, or DMA_MAPPING_ERROR.
 */
dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	dma_addr_t dma_addr;

	if (unlikely(!dma_streaming_args_ok(dev, size, dir, __func__)))
		return DMA_MAPPING_ERROR;
	if (unlikely(pfn_valid(PHYS_PFN(phys_addr)))) {
		dma_complain(dev, 0, __func__, "%pa is RAM; use dma_map_page()", &phys_addr);
		return DMA_MAPPING_ERROR;
	}
	if (!backend)
		dma_addr = dma_direct_map_resource(dev, phys_addr, size, dir, attrs);
	else if (backend->map_resource)
		dma_addr = backend->map_resource(dev, phys_addr, size, dir, attrs);
	else
		dma_addr = DMA_MAPPING_ERROR;
	if (dma_addr != DMA_MAPPING_ERROR)
		debug_dma_map(dev, phys_addr, size, dir, dma_addr, DMA_DEBUG_RESOURCE, attrs,
			      _RET_IP_);
	return dma_addr;
}
EXPORT_SYMBOL(dma_map_resource);

/**
 * dma_unmap_resource() - Undo dma_map_resource().
 * @dev: the device passed to the map call
 * @dma_addr: the address the map call returned
 * @size: the size passed to the map call
 * @dir: the direction passed to the map call
 * @attrs: DMA_ATTR_* flags
 *
 * Context: Any context; never sleeps.
 */
void dma_unmap_resource(struct device *dev, dma_addr_t dma_addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (unlikely(!dma_handle_args_ok(dev, dma_addr, size, dir, __func__)))
		return;
	debug_dma_unmap(dev, dma_addr, size, dir, DMA_DEBUG_RESOURCE);
	/* a direct resource mapping is only a translation: nothing to undo */
	if (backend && backend->unmap_resource)
		backend->unmap_resource(dev, dma_addr, size, dir, attrs);
}
EXPORT_SYMBOL(dma_unmap_resource);

#ifdef CONFIG_DMA_NEED_SYNC
/*
 * Ownership transfers.  The CPU-bound and device-bound directions differ
 * only in which backend hook runs, so each shape has one implementation.
 */
static void dma_sync_one(struct device *dev, dma_addr_t dma_addr, size_t size,
			 enum dma_data_direction dir, bool for_cpu, const char *func)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	void (*hook)(struct device *dev, dma_addr_t dma_addr, size_t size,
		     enum dma_data_direction dir);

	if (unlikely(!dma_handle_args_ok(dev, dma_addr, size, dir, func)))
		return;
	debug_dma_sync(dev, dma_addr, size, dir, for_cpu);
	if (!backend) {
		if (for_cpu)
			dma_direct_sync_single_for_cpu(dev, dma_addr, size, dir);
		else
			dma_direct_sync_single_for_device(dev, dma_addr, size, dir);
		return;
	}
	hook = for_cpu ? backend->sync_single_for_cpu : backend->sync_single_for_device;
	if (hook)
		hook(dev, dma_addr, size, dir);
}

static void dma_sync_list(struct device *dev, struct scatterlist *sgl, int nelems,
			  enum dma_data_direction dir, bool for_cpu, const char *func)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	void (*hook)(struct device *dev, struct scatterlist *sgl, int nelems,
		     enum dma_data_direction dir);

	if (unlikely(!dma_direction_ok(dev, dir, func)))
		return;
	debug_dma_sync_sg(dev, sgl, nelems, dir, for_cpu);
	if (!backend) {
		if (for_cpu)
			dma_direct_sync_sg_for_cpu(dev, sgl, nelems, dir);
		else
			dma_direct_sync_sg_for_device(dev, sgl, nelems, dir);
		return;
	}
	hook = for_cpu ? backend->sync_sg_for_cpu : backend->sync_sg_for_device;
	if (hook)
		hook(dev, sgl, nelems, dir);
}

/**
 * __dma_sync_single_for_cpu() - Give a streaming buffer back to the CPU
 *	without unmapping it.
 * @dev: the device the buffer is mapped for
 * @dma_addr: an address inside a mapping; syncing part of a mapping is allowed
 * @size: how many bytes from @dma_addr
 * @dir: the direction the buffer was mapped with
 *
 * Drivers call dma_sync_single_for_cpu(), which skips this when the device
 * needs no syncs at all.
 *
 * Context: Any context; never sleeps.
 */
void __dma_sync_single_for_cpu(struct device *dev, dma_addr_t dma_addr, size_t size,
			       enum dma_data_direction dir)
{
	dma_sync_one(dev, dma_addr, size, dir, true, __func__);
}
EXPORT_SYMBOL(__dma_sync_single_for_cpu);

/**
 * __dma_sync_single_for_device() - Hand a streaming buffer back to the
 *	device after the CPU has looked at or changed it.
 * @dev: the device the buffer is mapped for
 * @dma_addr: an address inside a mapping
 * @size: how many bytes from @dma_addr
 * @dir: the direction the buffer was mapped with
 *
 * Context: Any context; never sleeps.
 */
void __dma_sync_single_for_device(struct device *dev, dma_addr_t dma_addr, size_t size,
				  enum dma_data_direction dir)
{
	dma_sync_one(dev, dma_addr, size, dir, false, __func__);
}
EXPORT_SYMBOL(__dma_sync_single_for_device);

/**
 * __dma_sync_sg_for_cpu() - dma_sync_single_for_cpu() for a scatterlist.
 * @dev: the device the list is mapped for
 * @sg: the list
 * @nelems: the entry count passed to the map call
 * @dir: the direction the list was mapped with
 *
 * Context: Any context; never sleeps.
 */
void __dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nelems,
			   enum dma_data_direction dir)
{
	dma_sync_list(dev, sg, nelems, dir, true, __func__);
}
EXPORT_SYMBOL(__dma_sync_sg_for_cpu);

/**
 * __dma_sync_sg_for_device() - dma_sync_single_for_device() for a
 *	scatterlist.
 * @dev: the device the list is mapped for
 * @sg: the list
 * @nelems: the entry count passed to the map call
 * @dir: the direction the list was mapped with
 *
 * Context: Any context; never sleeps.
 */
void __dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nelems,
			      enum dma_data_direction dir)
{
	dma_sync_list(dev, sg, nelems, dir, false, __func__);
}
EXPORT_SYMBOL(__dma_sync_sg_for_device);

/**
 * __dma_need_sync() - Does this particular mapping need sync calls?
 * @dev: the device the buffer is mapped for
 * @dma_addr: the address of the mapping
 *
 * Context: Any context; never sleeps.
 *
 * Return: false when the sync calls for this mapping would do nothing, so
 * that drivers with many short-lived mappings may leave them out.
 */
bool __dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (!backend)
		return dma_direct_need_sync(dev, dma_addr);
	return backend->sync_single_for_cpu || backend->sync_single_for_device;
}
EXPORT_SYMBOL_GPL(__dma_need_sync);

/*
 * Decide once, when the device's mask is set, whether its syncs can be
 * skipped outright.  For the direct backend that is the case when the device
 * is cache coherent and no mapping of it can ever be bounced.  A backend
 * that bounces anyway later calls dma_reset_need_sync().
 */
static void dma_decide_skip_sync(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (use_dma_iommu(dev))
		dev->dma_skip_sync = iommu_dma_never_syncs(dev);
	else if (backend)
		dev->dma_skip_sync = !backend->sync_single_for_cpu &&
				     !backend->sync_single_for_device &&
				     !backend->sync_sg_for_cpu && !backend->sync_sg_for_device;
	else
		dev->dma_skip_sync = dev_is_dma_coherent(dev) && dma_direct_never_bounces(dev);
}
#else
static inline void dma_decide_skip_sync(struct device *dev) { }
#endif /* CONFIG_DMA_NEED_SYNC */

/**
 * dma_alloc_attrs() - Allocate memory that the CPU and a device can share
 *	without sync calls.
 * @dev: the device
 * @size: size in bytes; rounded up to whole pages
 * @dma_handle: receives the device address
 * @gfp: allocation flags; the memory zone is chosen from the device's
 *	coherent mask, so zone modifiers are ignored
 * @attrs: DMA_ATTR_* flags
 *
 * The memory is zeroed.
 *
 * Context: May sleep if @gfp allows blocking; any context otherwise.
 *
 * Return: the CPU address, or NULL.
 */
void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		      unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	void *cpu_addr;

	if (unlikely(!size || (gfp & __GFP_COMP))) {
		dma_complain(dev, 0, __func__, "%s",
			     size ? "__GFP_COMP is not allowed" : "zero size");
		return NULL;
	}
	gfp &= ~DMA_ZONE_GFP;
	if (unlikely(dma_should_fail(dev, size)))
		return NULL;

	if (!backend)
		cpu_addr = dma_direct_alloc(dev, size, dma_handle, gfp, attrs);
	else
		cpu_addr = backend->alloc(dev, size, dma_handle, gfp, attrs);
	if (cpu_addr)
		debug_dma_alloc(dev, cpu_addr, size, *dma_handle, DMA_DEBUG_COHERENT,
				DMA_BIDIRECTIONAL, _RET_IP_);

	if (unlikely(!cpu_addr))
		dma_complain(dev, attrs, __func__,
			     "no memory for %zu bytes under coherent mask %#llx",
			     size, dev->coherent_dma_mask);
	return cpu_addr;
}
EXPORT_SYMBOL(dma_alloc_attrs);

/**
 * dma_free_attrs() - Free memory from dma_alloc_attrs().
 * @dev: the device passed to the allocation
 * @size: the size passed to the allocation
 * @cpu_addr: the CPU address returned; NULL is ignored
 * @dma_addr: the device address returned
 * @attrs: the attributes passed to the allocation
 *
 * Context: Any context except with interrupts disabled.
 */
void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr,
		    unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (unlikely(!cpu_addr))
		return;
	debug_dma_free(dev, cpu_addr, size, dma_addr, DMA_DEBUG_COHERENT, DMA_BIDIRECTIONAL);
	if (!backend)
		dma_direct_free(dev, size, cpu_addr, dma_addr, attrs);
	else
		backend->free(dev, size, cpu_addr, dma_addr, attrs);
}
EXPORT_SYMBOL(dma_free_attrs);

/* What a managed coherent allocation must remember to free itself. */
struct dmam_coherent {
	void *cpu_addr;
	dma_addr_t dma_addr;
	size_t len;
	unsigned long dma_attrs;
};

static void dmam_coherent_release(struct device *dev, void *res)
{
	struct dmam_coherent *buf = res;

	dma_free_attrs(dev, buf->len, buf->cpu_addr, buf->dma_addr, buf->dma_attrs);
}

static int dmam_coherent_match(struct device *dev, void *res, void *data)
{
	struct dmam_coherent *buf = res, *wanted = data;

	if (buf->cpu_addr != wanted->cpu_addr)
		return 0;
	if (buf->len != wanted->len || buf->dma_addr != wanted->dma_addr)
		dma_complain(dev, 0, "dmam_free_coherent",
			     "%p freed with size %zu/handle %pad, allocated with %zu/%pad",
			     buf->cpu_addr, wanted->len, &wanted->dma_addr, buf->len,
			     &buf->dma_addr);
	return 1;
}

/**
 * dmam_alloc_attrs() - dma_alloc_attrs() that is undone automatically when
 *	the driver unbinds.
 * @dev: the device
 * @size: size in bytes
 * @dma_handle: receives the device address
 * @gfp: allocation flags
 * @attrs: DMA_ATTR_* flags
 *
 * Context: May sleep if @gfp allows blocking; any context otherwise.
 *
 * Return: the CPU address, or NULL.
 */
void *dmam_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		       unsigned long attrs)
{
	struct dmam_coherent *buf;

	buf = devres_alloc(dmam_coherent_release, sizeof(*buf), gfp);
	if (!buf)
		return NULL;
	buf->cpu_addr = dma_alloc_attrs(dev, size, dma_handle, gfp, attrs);
	if (!buf->cpu_addr) {
		devres_free(buf);
		return NULL;
	}
	buf->dma_addr = *dma_handle;
	buf->len = size;
	buf->dma_attrs = attrs;
	devres_add(dev, buf);
	return buf->cpu_addr;
}
EXPORT_SYMBOL(dmam_alloc_attrs);

/**
 * dmam_free_coherent() - Free a managed coherent allocation early.
 * @dev: the device passed to the allocation
 * @size: the size passed to the allocation
 * @vaddr: the CPU address returned
 * @dma_handle: the device address returned
 *
 * Context: Process context; may sleep.
 */
void dmam_free_coherent(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle)
{
	struct dmam_coherent wanted = {
		.cpu_addr = vaddr, .dma_addr = dma_handle, .len = size,
	};

	if (devres_release(dev, dmam_coherent_release, dmam_coherent_match, &wanted))
		dma_complain(dev, 0, __func__, "%p is not a managed DMA allocation", vaddr);
}
EXPORT_SYMBOL(dmam_free_coherent);

/**
 * dma_get_sgtable_attrs() - Describe a coherent buffer as an sg_table, for
 *	exporting it (dma-buf, for instance).
 * @dev: the device the buffer was allocated for
 * @sgt: the table to fill; free it with sg_free_table()
 * @cpu_addr: the CPU address from dma_alloc_attrs()
 * @dma_addr: the device address from dma_alloc_attrs()
 * @size: the size passed to dma_alloc_attrs()
 * @attrs: the attributes passed to dma_alloc_attrs()
 *
 * Context: Process context; may sleep.
 *
 * Return: 0 or a negative errno.
 */
int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			  dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (!backend)
		return dma_direct_get_sgtable(dev, sgt, cpu_addr, dma_addr, size, attrs);
	if (!backend->get_sgtable)
		return -ENXIO;
	return backend->get_sgtable(dev, sgt, cpu_addr, dma_addr, size, attrs);
}
EXPORT_SYMBOL(dma_get_sgtable_attrs);

/**
 * dma_can_mmap() - Can coherent buffers of @dev be mapped to user space?
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: true if dma_mmap_attrs() can work for @dev.
 */
bool dma_can_mmap(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	return backend ? !!backend->mmap : dma_direct_can_mmap(dev);
}
EXPORT_SYMBOL_GPL(dma_can_mmap);

/**
 * dma_mmap_attrs() - Map a coherent buffer into a user address space.
 * @dev: the device the buffer was allocated for
 * @vma: the user mapping; vm_pgoff selects the first page of the buffer
 * @cpu_addr: the CPU address from dma_alloc_attrs()
 * @dma_addr: the device address from dma_alloc_attrs()
 * @size: the size passed to dma_alloc_attrs()
 * @attrs: the attributes passed to dma_alloc_attrs()
 *
 * Context: Process context, from an mmap() file operation.
 *
 * Return: 0, or -ENXIO if the window falls outside the buffer or the device
 * can't support it.
 */
int dma_mmap_attrs(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		   dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (!backend)
		return dma_direct_mmap(dev, vma, cpu_addr, dma_addr, size, attrs);
	if (!backend->mmap)
		return -ENXIO;
	return backend->mmap(dev, vma, cpu_addr, dma_addr, size, attrs);
}
EXPORT_SYMBOL(dma_mmap_attrs);

/**
 * dma_alloc_pages() - Allocate pages a device can reach, for use with the
 *	streaming sync calls rather than as coherent memory.
 * @dev: the device
 * @size: size in bytes; rounded up to whole pages
 * @dma_handle: receives the device address
 * @dir: the direction later syncs will use
 * @gfp: allocation flags, without zone modifiers
 *
 * The CPU owns the pages when this returns; call
 * dma_sync_single_for_device() before the device uses them.
 *
 * Context: May sleep if @gfp allows blocking; any context otherwise.
 *
 * Return: the first page, or NULL.
 */
struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
			     enum dma_data_direction dir, gfp_t gfp)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	struct page *page;

	if (unlikely(!dma_direction_ok(dev, dir, __func__)))
		return NULL;
	if (unlikely(!size)) {
		dma_complain(dev, 0, __func__, "zero size");
		return NULL;
	}
	if (unlikely(gfp & (DMA_ZONE_GFP | __GFP_COMP))) {
		dma_complain(dev, 0, __func__, "gfp flags %pGg pick a zone or compound pages",
			     &gfp);
		return NULL;
	}
	size = PAGE_ALIGN(size);
	if (unlikely(dma_should_fail(dev, size)))
		return NULL;
	if (!backend)
		page = dma_direct_alloc_pages(dev, size, dma_handle, dir, gfp);
	else if (backend->alloc_pages_op)
		page = backend->alloc_pages_op(dev, size, dma_handle, dir, gfp);
	else
		page = NULL;
	if (page)
		debug_dma_alloc(dev, page_address(page), size, *dma_handle, DMA_DEBUG_PAGES, dir,
				_RET_IP_);
	return page;
}
EXPORT_SYMBOL_GPL(dma_alloc_pages);

/**
 * dma_free_pages() - Free pages from dma_alloc_pages().
 * @dev: the device passed to the allocation
 * @size: the size passed to the allocation
 * @page: the page returned
 * @dma_addr: the device address returned
 * @dir: the direction passed to the allocation
 *
 * Context: Any context except with interrupts disabled.
 */
void dma_free_pages(struct device *dev, size_t size, struct page *page, dma_addr_t dma_addr,
		    enum dma_data_direction dir)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	size_t len = PAGE_ALIGN(size);

	debug_dma_free(dev, page_address(page), len, dma_addr, DMA_DEBUG_PAGES, dir);
	if (!backend)
		dma_direct_free_pages(dev, len, page, dma_addr, dir);
	else if (backend->free_pages)
		backend->free_pages(dev, len, page, dma_addr, dir);
}
EXPORT_SYMBOL_GPL(dma_free_pages);

/**
 * dma_mmap_pages() - Map pages from dma_alloc_pages() into user space.
 * @dev: the device passed to the allocation
 * @vma: the user mapping; vm_pgoff selects the first page
 * @size: the size passed to the allocation
 * @page: the page returned by the allocation
 *
 * Context: Process context, from an mmap() file operation.
 *
 * Return: 0 or a negative errno.
 */
int dma_mmap_pages(struct device *dev, struct vm_area_struct *vma, size_t size,
		   struct page *page)
{
	return dma_mmap_pfns(vma, page_to_pfn(page), size);
}
EXPORT_SYMBOL_GPL(dma_mmap_pages);

/**
 * dma_alloc_noncontiguous() - Allocate memory that may be physically
 *	scattered but is one range for the device.
 * @dev: the device
 * @size: size in bytes
 * @dir: the direction later syncs will use
 * @gfp: allocation flags
 * @attrs: only DMA_ATTR_ALLOC_SINGLE_PAGES is accepted
 *
 * The table always has exactly one DMA segment (nents == 1).  Without an
 * IOMMU the only way to give the device one range is physically contiguous
 * memory, so that is what the direct backend returns.
 *
 * Context: May sleep if @gfp allows blocking; any context otherwise.
 *
 * Return: the table, or NULL.
 */
struct sg_table *dma_alloc_noncontiguous(struct device *dev, size_t size,
					 enum dma_data_direction dir, gfp_t gfp,
					 unsigned long attrs)
{
	struct sg_table *table;
	struct page *first;
	dma_addr_t dma_addr;

	if (unlikely(attrs & ~DMA_ATTR_ALLOC_SINGLE_PAGES)) {
		dma_complain(dev, 0, __func__, "unsupported attributes %#lx", attrs);
		return NULL;
	}
	table = kmalloc(sizeof(*table), gfp);
	if (!table)
		return NULL;
	first = dma_alloc_pages(dev, size, &dma_addr, dir, gfp);
	if (!first)
		goto free_table;
	if (dma_sgtable_from_page(table, first, size, gfp))
		goto free_pages;
	sg_dma_address(table->sgl) = dma_addr;
	sg_dma_len(table->sgl) = table->sgl->length;
	return table;

free_pages:
	dma_free_pages(dev, size, first, dma_addr, dir);
free_table:
	kfree(table);
	return NULL;
}
EXPORT_SYMBOL_GPL(dma_alloc_noncontiguous);

/**
 * dma_free_noncontiguous() - Free memory from dma_alloc_noncontiguous().
 * @dev: the device passed to the allocation
 * @size: the size passed to the allocation
 * @sgt: the table returned
 * @dir: the direction passed to the allocation
 *
 * Context: Any context except with interrupts disabled.
 */
void dma_free_noncontiguous(struct device *dev, size_t size, struct sg_table *sgt,
			    enum dma_data_direction dir)
{
	dma_free_pages(dev, size, sg_page(sgt->sgl), sg_dma_address(sgt->sgl), dir);
	sg_free_table(sgt);
	kfree(sgt);
}
EXPORT_SYMBOL_GPL(dma_free_noncontiguous);

/**
 * dma_vmap_noncontiguous() - A CPU address for a non-contiguous allocation.
 * @dev: the device passed to the allocation
 * @size: the size passed to the allocation
 * @sgt: the table returned by the allocation
 *
 * Context: Any context; never sleeps.
 *
 * Return: the kernel virtual address of the whole buffer.
 */
void *dma_vmap_noncontiguous(struct device *dev, size_t size, struct sg_table *sgt)
{
	struct page *first = sg_page(sgt->sgl);

	/* the pages are contiguous, so the linear map already covers them */
	return page_address(first);
}
EXPORT_SYMBOL_GPL(dma_vmap_noncontiguous);

/**
 * dma_vunmap_noncontiguous() - Drop the address from dma_vmap_noncontiguous().
 * @dev: the device passed to the allocation
 * @vaddr: the address returned
 *
 * The address came from the linear map, so there is nothing to tear down.
 *
 * Context: Any context; never sleeps.
 */
void dma_vunmap_noncontiguous(struct device *dev, void *vaddr)
{
}
EXPORT_SYMBOL_GPL(dma_vunmap_noncontiguous);

/**
 * dma_mmap_noncontiguous() - Map a non-contiguous allocation to user space.
 * @dev: the device passed to the allocation
 * @vma: the user mapping
 * @size: the size passed to the allocation
 * @sgt: the table returned by the allocation
 *
 * Context: Process context, from an mmap() file operation.
 *
 * Return: 0 or a negative errno.
 */
int dma_mmap_noncontiguous(struct device *dev, struct vm_area_struct *vma, size_t size,
			   struct sg_table *sgt)
{
	return dma_mmap_pages(dev, vma, size, sg_page(sgt->sgl));
}
EXPORT_SYMBOL_GPL(dma_mmap_noncontiguous);

/* Can the device's backend serve @mask?  Complains when it can't. */
static bool dma_mask_ok(struct device *dev, u64 mask, const char *func)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	bool ok;

	if (!backend)
		ok = dma_direct_supported(dev, mask);
	else
		ok = !backend->dma_supported || backend->dma_supported(dev, mask);
	if (!ok)
		dma_complain(dev, 0, func, "mask %#llx is too narrow for this platform", mask);
	return ok;
}

/**
 * dma_set_mask() - Tell the core which addresses a device can generate for
 *	streaming DMA.
 * @dev: the device
 * @mask: DMA_BIT_MASK(n) for a device with n address bits
 *
 * Bits beyond what dma_addr_t can carry are ignored.
 *
 * Context: Process context, normally from probe(); not while mappings are live.
 *
 * Return: 0, or -EIO if the platform can't serve a device this limited (or
 * @dev has no place to keep a mask), in which case the old mask stays.
 */
int dma_set_mask(struct device *dev, u64 mask)
{
	dma_addr_t usable = mask;

	if (unlikely(!dma_mask_present(dev, __func__)))
		return -EIO;
	if (!dma_mask_ok(dev, usable, __func__))
		return -EIO;
	arch_dma_set_mask(dev, usable);
	*dev->dma_mask = usable;
	dma_decide_skip_sync(dev);
	return 0;
}
EXPORT_SYMBOL(dma_set_mask);

/**
 * dma_set_coherent_mask() - Tell the core which addresses coherent
 *	allocations for a device must lie below.
 * @dev: the device
 * @mask: DMA_BIT_MASK(n)
 *
 * Context: Process context, normally from probe(); not while allocations are live.
 *
 * Return: 0, or -EIO if no memory the platform can allocate fits @mask.
 */
int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	dma_addr_t usable = mask;

	if (!dma_mask_ok(dev, usable, __func__))
		return -EIO;
	dev->coherent_dma_mask = usable;
	return 0;
}
EXPORT_SYMBOL(dma_set_coherent_mask);

/**
 * dma_get_required_mask() - The smallest mask that reaches all memory.
 * @dev: the device
 *
 * Drivers whose descriptors come in a short and a long form use this to pick
 * the short one when it is enough.
 *
 * Context: Any context; never sleeps.
 *
 * Return: the mask.
 */
u64 dma_get_required_mask(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (backend && backend->get_required_mask)
		return backend->get_required_mask(dev);
	return dma_direct_get_required_mask(dev);
}
EXPORT_SYMBOL_GPL(dma_get_required_mask);

/**
 * dma_addressing_limited() - Can some memory only be reached by bouncing?
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: true when the device's mask or bus limit falls short of some RAM,
 * so that large streaming mappings may be slow or fail.
 */
bool dma_addressing_limited(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit) <
		dma_get_required_mask(dev);
}
EXPORT_SYMBOL_GPL(dma_addressing_limited);

/**
 * dma_max_mapping_size() - The largest single mapping that can succeed.
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: a size in bytes; SIZE_MAX when there is no limit.
 */
size_t dma_max_mapping_size(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	if (!backend)
		return dma_direct_max_mapping_size(dev);
	return backend->max_mapping_size ? backend->max_mapping_size(dev) : SIZE_MAX;
}
EXPORT_SYMBOL_GPL(dma_max_mapping_size);

/**
 * dma_opt_mapping_size() - The largest mapping size that stays fast.
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: a size in bytes, never more than dma_max_mapping_size().
 */
size_t dma_opt_mapping_size(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);
	size_t fast = SIZE_MAX;

	if (backend && backend->opt_mapping_size)
		fast = backend->opt_mapping_size();
	return min(dma_max_mapping_size(dev), fast);
}
EXPORT_SYMBOL_GPL(dma_opt_mapping_size);

/**
 * dma_get_merge_boundary() - The granule in which the backend can merge
 *	scatterlist segments for the device.
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: a mask (granule - 1), or 0 when segments are merged only when they
 * happen to be physically adjacent.
 */
unsigned long dma_get_merge_boundary(struct device *dev)
{
	const struct dma_map_ops *backend = dma_backend(dev);

	return backend && backend->get_merge_boundary ? backend->get_merge_boundary(dev) : 0;
}
EXPORT_SYMBOL_GPL(dma_get_merge_boundary);

/**
 * dma_pci_p2pdma_supported() - Can the backend map PCI peer-to-peer memory?
 * @dev: the device
 *
 * Context: Any context; never sleeps.
 *
 * Return: true for the direct and IOMMU backends, which give the device
 * PCI bus addresses or map the memory as the topology requires; false for
 * devices with dma_map_ops of their own.
 */
bool dma_pci_p2pdma_supported(struct device *dev)
{
	return use_dma_iommu(dev) || !dma_backend(dev);
}
EXPORT_SYMBOL_GPL(dma_pci_p2pdma_supported);

/**
 * dma_need_unmap() - Must the driver unmap its streaming mappings?
 * @dev: the device
 *
 * A driver that keeps no record of its mappings (a page pool recycling its
 * pages, say) may skip the unmap calls when this says they would do
 * nothing: no backend is involved, no cache maintenance or bouncing can be
 * needed, and the DMA API checker is not counting on them.
 *
 * Context: Any context; never sleeps.
 *
 * Return: true if every mapping of @dev must be unmapped.
 */
bool dma_need_unmap(struct device *dev)
{
	return dma_backend(dev) || dma_dev_need_sync(dev) || IS_ENABLED(CONFIG_DMA_API_DEBUG);
}
EXPORT_SYMBOL_GPL(dma_need_unmap);

/*
 * The two-step IOVA API.  A driver that maps many pages for one transfer
 * reserves a range of device addresses once, links pages into it at
 * offsets it chooses, and takes them all down with one call.  Only the
 * IOMMU backend has device addresses to hand out: every other device gets
 * false from dma_iova_try_alloc(), and its driver uses the ordinary calls.
 * These entry points check the arguments and tell the DMA API checker;
 * drivers/iommu/dma-iommu.c does the rest.
 */

static void __cold dma_iova_report_bad_args(struct device *dev,
					    const struct dma_iova_state *state,
					    size_t offset, size_t size, const char *func)
{
	if (!dma_use_iova(state))
		dma_complain(dev, 0, func,
			     "no IOVA range (dma_iova_try_alloc() failed or was not called)");
	else if (!use_dma_iommu(dev))
		dma_complain(dev, 0, func,
			     "the IOVA range is not of this device, which is not translated");
	else if (!size)
		dma_complain(dev, 0, func, "zero-length range");
	else
		dma_complain(dev, 0, func,
			     "bytes %zu to %zu lie outside the IOVA range of %zu bytes",
			     offset, offset + size - 1, dma_iova_size(state));
}

/* @size bytes at @offset lie inside @state's range, which is @dev's. */
static bool dma_iova_args_ok(struct device *dev, const struct dma_iova_state *state,
			     size_t offset, size_t size, const char *func)
{
	size_t len = dma_iova_size(state);

	if (likely(dma_use_iova(state) && use_dma_iommu(dev) && size && offset < len &&
		   size <= len - offset))
		return true;
	dma_iova_report_bad_args(dev, state, offset, size, func);
	return false;
}

/**
 * dma_iova_try_alloc() - Reserve device addresses for pages linked later.
 * @dev: the device
 * @state: filled in with the range, or marked as holding none
 * @phys: the CPU physical address that will be linked at offset 0 (only its
 *	offset in an IOMMU granule matters; pass 0 if the first page is not
 *	known yet)
 * @size: bytes the range must hold
 *
 * The range starts at the same offset in an IOMMU granule as @phys, so a
 * buffer that does not begin on a page boundary can be linked at offset 0.
 * Nothing is mapped yet: the device can reach nothing until
 * dma_iova_link().
 *
 * Context: Any context; never sleeps.
 *
 * Return: true if @state now holds a range (dma_use_iova() says so too).
 * False if @dev is not behind a translating IOMMU (direct, swiotlb and
 * identity-mapped devices), or the IOVA space has no room: the driver then
 * maps with dma_map_sgtable() or dma_map_page() instead.
 */
bool dma_iova_try_alloc(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			size_t size)
{
	state->addr = 0;
	state->__size = 0;
	if (unlikely(!size || !dma_mask_present(dev, __func__))) {
		if (!size)
			dma_complain(dev, 0, __func__, "zero-length IOVA range");
		return false;
	}
	if (!use_dma_iommu(dev))
		return false;
	return iommu_dma_iova_alloc(dev, state, phys, size);
}
EXPORT_SYMBOL_GPL(dma_iova_try_alloc);

/**
 * dma_iova_free() - Give back a range that holds no links.
 * @dev: the device
 * @state: the range from dma_iova_try_alloc()
 *
 * For a range the driver reserved but never linked anything into, or whose
 * links it has all undone with dma_iova_unlink().  A range with live links
 * is taken down with dma_iova_destroy() instead.
 *
 * Context: Any context; never sleeps.
 */
void dma_iova_free(struct device *dev, struct dma_iova_state *state)
{
	if (unlikely(!dma_iova_args_ok(dev, state, 0, dma_iova_size(state), __func__)))
		return;
	debug_dma_iova_free(dev, state->addr, dma_iova_size(state));
	iommu_dma_iova_free(dev, state);
}
EXPORT_SYMBOL_GPL(dma_iova_free);

/**
 * dma_iova_link() - Map a physically contiguous buffer into a range.
 * @dev: the device
 * @state: the range from dma_iova_try_alloc()
 * @phys: CPU physical address of the buffer
 * @offset: where in the range it goes
 * @size: its length
 * @dir: which way the data will move
 * @attrs: DMA_ATTR_* flags
 *
 * The device will find the buffer at @state->addr + @offset.  @phys and
 * that address must have the same offset in an IOMMU granule, and no
 * granule may hold parts of two links: in practice, every link but the
 * first starts on a page boundary and every link but the last ends on one.
 * The caller then makes its links visible with dma_iova_sync() before
 * starting the device.  Bytes an untrusted device must not see (the rest of
 * a part-filled granule) are kept from it as dma_map_page() would.
 *
 * Context: Any context; never sleeps.
 *
 * Return: 0, or a negative errno after a rate-limited message; nothing is
 * linked then.
 */
int dma_iova_link(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
		  size_t offset, size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	int ret;

	if (unlikely(!dma_iova_args_ok(dev, state, offset, size, __func__) ||
		     !dma_direction_ok(dev, dir, __func__)))
		return -EINVAL;
	if (unlikely(dma_should_fail(dev, size)))
		return -ENOMEM;
	ret = iommu_dma_iova_link(dev, state, phys, offset, size, dir, attrs);
	if (!ret)
		debug_dma_map(dev, phys, size, dir, state->addr + offset, DMA_DEBUG_IOVA, attrs,
			      _RET_IP_);
	return ret;
}
EXPORT_SYMBOL_GPL(dma_iova_link);

/**
 * dma_iova_sync() - Make a range's links visible to the device.
 * @dev: the device
 * @state: the range
 * @offset: start of the part to publish
 * @size: its length
 *
 * Called once after a batch of dma_iova_link() calls, before the device
 * is told to use them.  On the 6.12 IOMMU layer each link already ends
 * with the IOMMU driver's map-side flush (iommu_map() runs it), so this
 * only checks its arguments; a driver that leaves it out still has a bug
 * on kernels where linking defers that flush.
 *
 * Context: Any context; never sleeps.
 *
 * Return: 0, or -EINVAL for a range that is not inside @state.
 */
int dma_iova_sync(struct device *dev, struct dma_iova_state *state, size_t offset, size_t size)
{
	return dma_iova_args_ok(dev, state, offset, size, __func__) ? 0 : -EINVAL;
}
EXPORT_SYMBOL_GPL(dma_iova_sync);

/**
 * dma_iova_unlink() - Unmap part of a range, keeping the addresses.
 * @dev: the device
 * @state: the range
 * @offset: start of what to unmap, where a link started
 * @size: its length, covering one or more whole links
 * @dir: the direction they were linked with
 * @attrs: DMA_ATTR_* flags
 *
 * When this returns the device can no longer reach the unlinked buffers,
 * even in a lazy IOMMU domain: the range stays the driver's, and it may
 * link other pages there at once.  The CPU owns the buffers again.
 *
 * Context: Any context; never sleeps.
 */
void dma_iova_unlink(struct device *dev, struct dma_iova_state *state, size_t offset,
		     size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	if (unlikely(!dma_iova_args_ok(dev, state, offset, size, __func__) ||
		     !dma_direction_ok(dev, dir, __func__)))
		return;
	debug_dma_unlink(dev, state->addr + offset, size, dir);
	iommu_dma_iova_unlink(dev, state, offset, size, dir, attrs, false);
}
EXPORT_SYMBOL_GPL(dma_iova_unlink);

/**
 * dma_iova_destroy() - Unmap everything linked into a range and free it.
 * @dev: the device
 * @state: the range
 * @mapped_len: how far from offset 0 the links reach (0 if nothing was
 *	linked: the range is then only freed)
 * @dir: the direction they were linked with
 * @attrs: DMA_ATTR_* flags
 *
 * All the links are taken down with one IOTLB invalidation in a strict
 * domain; a lazy domain defers it as it defers dma_unmap_sg()'s.
 *
 * Context: Any context; never sleeps.
 */
void dma_iova_destroy(struct device *dev, struct dma_iova_state *state, size_t mapped_len,
		      enum dma_data_direction dir, unsigned long attrs)
{
	if (!mapped_len) {
		dma_iova_free(dev, state);
		return;
	}
	if (unlikely(!dma_iova_args_ok(dev, state, 0, mapped_len, __func__) ||
		     !dma_direction_ok(dev, dir, __func__)))
		return;
	debug_dma_unlink(dev, state->addr, mapped_len, dir);
	debug_dma_iova_free(dev, state->addr, dma_iova_size(state));
	iommu_dma_iova_unlink(dev, state, 0, mapped_len, dir, attrs, true);
}
EXPORT_SYMBOL_GPL(dma_iova_destroy);
