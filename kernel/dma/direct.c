// SPDX-License-Identifier: GPL-2.0
/*
 * The direct backend: the device sees physical memory as it is, give or
 * take a fixed offset per window.  A buffer the device can't reach is
 * bounced through swiotlb one mapping at a time; coherent memory is
 * allocated from the lowest zone that fits the device's coherent mask.
 *
 * The single-mapping fast paths are inlines in internal.h; this file holds
 * everything that can afford a call.
 */
#include <linux/dma-map-ops.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "internal.h"

/*
 * The top of ZONE_DMA.  Architectures with a different ISA-style zone
 * overwrite it during boot; x86 keeps the historical 16 MiB.
 */
u64 zone_dma_limit __ro_after_init = DMA_BIT_MASK(24);

#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
/*
 * The coherence a new device starts with (the driver core copies it into
 * dev->dma_coherent); firmware or bus code may change it per device.
 */
bool dma_default_coherent = IS_ENABLED(CONFIG_ARCH_DMA_DEFAULT_COHERENT);
#endif

/*
 * Must memory this device uses be shared with the hypervisor, left in clear
 * text?  Only in encrypted guests (SEV, TDX).  The KUnit suite pretends so
 * to reach the paths that depend on it.
 */
VISIBLE_IF_KUNIT bool dma_direct_needs_sharing(struct device *dev)
{
	KUNIT_STATIC_STUB_REDIRECT(dma_direct_needs_sharing, dev);
	return force_dma_unencrypted(dev);
}

/* Memory shared with a device in an encrypted guest must be left in clear. */
static dma_addr_t dma_direct_phys_to_dma(struct device *dev, phys_addr_t phys)
{
	if (dma_direct_needs_sharing(dev))
		return phys_to_dma_unencrypted(dev, phys);
	return phys_to_dma(dev, phys);
}

/*
 * The allocation path inlines this and dma_direct_first_zone(): make bench
 * counts each call and return (see BENCHMARKS.md, coherent_4k).
 */
static __always_inline bool dma_direct_coherent_ok(struct device *dev, phys_addr_t phys,
						   size_t size)
{
	dma_addr_t dma = dma_direct_phys_to_dma(dev, phys);

	if (dma == DMA_MAPPING_ERROR)
		return false;
	return dma + size - 1 <= min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

/**
 * dma_coherent_ok() - Can the device reach [@phys, @phys + @size) with its
 *	coherent mask?
 * @dev: the device
 * @phys: the start of the range
 * @size: its length
 *
 * Return: true if every byte of the range is below the device's coherent
 * mask and bus limit.
 */
bool dma_coherent_ok(struct device *dev, phys_addr_t phys, size_t size)
{
	return dma_direct_coherent_ok(dev, phys, size);
}

/**
 * dma_direct_get_required_mask() - The mask that covers all of RAM for @dev.
 * @dev: the device
 *
 * Return: DMA_BIT_MASK(n) for the smallest n that reaches the last page.
 */
u64 dma_direct_get_required_mask(struct device *dev)
{
	phys_addr_t last = PFN_PHYS(max_pfn) - 1;
	u64 highest = phys_to_dma(dev, last);

	return DMA_BIT_MASK(fls64(highest));
}

/*
 * The lowest address limit the direct backend can serve: a device must at
 * least reach the bottom zone, or coherent allocations could never succeed
 * for it.
 */
static u64 dma_direct_min_mask(void)
{
	u64 zone_top = IS_ENABLED(CONFIG_ZONE_DMA) ? zone_dma_limit : DMA_BIT_MASK(32);

	/* a machine whose RAM ends below the zone top needs less */
	return min_t(u64, zone_top, PFN_PHYS(max_pfn) - 1);
}

/**
 * dma_direct_supported() - Can the direct backend serve a device with @mask?
 * @dev: the device
 * @mask: the proposed mask
 *
 * Return: 1 if it can, 0 if not.
 */
int dma_direct_supported(struct device *dev, u64 mask)
{
	dma_addr_t zone_top;

	/*
	 * Drivers are promised that 32 bits always work: whatever part of RAM
	 * such a device can't reach is bounced.  That holds even when a bus
	 * window maps RAM elsewhere, so don't translate for these.
	 */
	if (mask >= DMA_BIT_MASK(32))
		return 1;
	/* a narrower device must reach the bottom zone through its window */
	zone_top = phys_to_dma_unencrypted(dev, dma_direct_min_mask());
	return zone_top != DMA_MAPPING_ERROR && mask >= zone_top;
}

/*
 * True when no mapping of @dev will ever need a bounce buffer.  Asked of
 * devices that may have no mask at all (dma_max_mapping_size() works on any
 * device), which are judged by the 32-bit default dma_get_mask() gives them.
 */
bool dma_direct_never_bounces(struct device *dev)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	return !is_swiotlb_force_bounce(dev) && limit >= dma_direct_get_required_mask(dev);
}

size_t dma_direct_max_mapping_size(struct device *dev)
{
	if (is_swiotlb_active(dev) && !dma_direct_never_bounces(dev))
		return swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

/*
 * The slow half of dma_direct_map_phys(): the device can't reach the buffer,
 * bouncing is forced, or the buffer may share cache lines.  swiotlb explains
 * its own failures; only the case where there is no bounce pool at all is
 * reported here.  The bounce slot is what the device reads, so that is what
 * a non-coherent device needs written back from the CPU caches.
 */
dma_addr_t dma_direct_bounce(struct device *dev, phys_addr_t phys, size_t size,
			     enum dma_data_direction dir, unsigned long attrs, const char *func)
{
	dma_addr_t dma;

	if (unlikely(!is_swiotlb_active(dev))) {
		dma_complain(dev, attrs, func, "%pa+%zu beyond mask %#llx, no bounce pool",
			     &phys, size, dma_direct_limit(dev));
		return DMA_MAPPING_ERROR;
	}
	dma = swiotlb_map(dev, phys, size, dir, attrs);
	if (dma != DMA_MAPPING_ERROR)
		dma_direct_hand_to_device(dev, dma_to_phys(dev, dma), size, dir, attrs);
	return dma;
}

/**
 * dma_direct_map_resource() - Bus address of an MMIO range for @dev.
 * @dev: the device
 * @paddr: CPU physical address of the range
 * @size: its length
 * @dir: the direction of the transfer
 * @attrs: DMA_ATTR_* flags
 *
 * Return: the bus address, or DMA_MAPPING_ERROR if @dev can't reach it.
 */
dma_addr_t dma_direct_map_resource(struct device *dev, phys_addr_t paddr, size_t size,
				   enum dma_data_direction dir, unsigned long attrs)
{
	/* MMIO is never behind the RAM windows of dma_range_map */
	dma_addr_t dma = paddr;

	if (unlikely(!dma_capable(dev, dma, size, false))) {
		dma_complain(dev, attrs, "dma_map_resource",
			     "%zu bytes at %pa are beyond mask %#llx",
			     size, &paddr, dma_direct_limit(dev));
		return DMA_MAPPING_ERROR;
	}
	return dma;
}

/*
 * Scatterlists.
 *
 * Every entry is mapped in place as its own DMA segment, so a list of @nents
 * entries always maps to @nents segments.  Entries are not merged, even when
 * they are adjacent in memory and on the bus.  The lists drivers map were
 * built by blk_rq_map_sg() or sg_alloc_table_from_pages(), which already join
 * such neighbours (the block layer within the device's segment limits), so a
 * second pass here would find nothing to join and would still cost a compare
 * and more loop state per entry on every map.  Merging pays where mapping
 * creates the adjacency: an IOMMU can lay scattered pages out contiguously.
 *
 * An entry of length zero moves no data: it gets a zero-length segment at
 * the bus address of its memory, is never bounced, and unmap and sync step
 * over it.
 */

int dma_direct_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs, const char *func)
{
	bool bounce_all = is_swiotlb_force_bounce(dev);
	struct pci_p2pdma_map_state p2p = {};
	struct scatterlist *ent;
	int i, ret;

	for_each_sg(sgl, ent, nents, i) {
		phys_addr_t phys = sg_phys(ent);
		dma_addr_t dma = phys_to_dma(dev, phys);

		if (is_pci_p2pdma_page(sg_page(ent))) {
			ret = dma_map_p2p_segment(dev, &p2p, ent, attrs, func);
			if (ret < 0)
				goto undo;
			if (!ret)
				continue;
		}
		if (likely(dma_direct_reaches(dev, dma, ent->length, bounce_all) &&
			   !dma_kmalloc_needs_bounce(dev, ent->length, dir))) {
			dma_direct_hand_to_device(dev, phys, ent->length, dir, attrs);
		} else if (ent->length) {
			dma = dma_direct_bounce(dev, phys, ent->length, dir, attrs, func);
			if (dma == DMA_MAPPING_ERROR) {
				ret = is_swiotlb_active(dev) ? -ENOMEM : -EIO;
				goto undo;
			}
		}
		sg_dma_address(ent) = dma;
		sg_dma_len(ent) = ent->length;
	}
	return nents;

undo:
	dma_direct_unmap_sg(dev, sgl, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return ret;
}

void dma_direct_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *seg;
	int i;

	for_each_sg(sgl, seg, nents, i) {
		if (sg_dma_is_bus_address(seg))
			sg_dma_unmark_bus_address(seg);
		else if (sg_dma_len(seg))
			dma_direct_unmap_phys(dev, sg_dma_address(seg), sg_dma_len(seg), dir,
					      attrs);
	}
}

/* Walks the DMA segments written by dma_direct_map_sg(). */
static void dma_direct_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
			       enum dma_data_direction dir, bool for_cpu)
{
	struct scatterlist *seg;
	int i;

	for_each_sg(sgl, seg, nents, i) {
		dma_addr_t start = sg_dma_address(seg);
		unsigned int len = sg_dma_len(seg);

		if (!len || sg_dma_is_bus_address(seg))
			continue;
		if (for_cpu)
			dma_direct_sync_single_for_cpu(dev, start, len, dir);
		else
			dma_direct_sync_single_for_device(dev, start, len, dir);
	}
}

void dma_direct_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nents,
				enum dma_data_direction dir)
{
	dma_direct_sync_sg(dev, sgl, nents, dir, true);
}

void dma_direct_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nents,
				   enum dma_data_direction dir)
{
	dma_direct_sync_sg(dev, sgl, nents, dir, false);
}

/*
 * Allocation.
 *
 * The page allocator can only be asked for a zone, not for an address
 * limit, so try the widest zone the limit allows and fall back to narrower
 * ones while the page we get is out of the device's reach.
 */
static __always_inline gfp_t dma_direct_first_zone(struct device *dev)
{
	u64 limit = min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
	phys_addr_t phys_limit = dma_to_phys(dev, limit);

	/*
	 * No zone ends above 32 bits, and a device that reaches all of RAM
	 * needs none: both start anywhere.
	 */
	if (phys_limit > DMA_BIT_MASK(32) || phys_limit >= PFN_PHYS(max_pfn) - 1)
		return 0;
	if (IS_ENABLED(CONFIG_ZONE_DMA) && phys_limit <= zone_dma_limit)
		return GFP_DMA;
	return IS_ENABLED(CONFIG_ZONE_DMA32) ? GFP_DMA32 : 0;
}

/* Moves @zone to the next narrower zone; false when there is none. */
static bool dma_direct_narrower_zone(gfp_t *zone)
{
	if (!*zone && IS_ENABLED(CONFIG_ZONE_DMA32)) {
		*zone = GFP_DMA32;
		return true;
	}
	if (*zone != GFP_DMA && IS_ENABLED(CONFIG_ZONE_DMA)) {
		*zone = GFP_DMA;
		return true;
	}
	return false;
}

/*
 * Every buffer records its start and order, so that a free can be checked
 * without bookkeeping of ours (see dma_direct_freed_page()).  Buffers from
 * dma_alloc_pages() are compound pages: the driver owns their struct pages,
 * so nothing may be written there.  Coherent buffers, whose pages only we
 * see, are plain allocations: the page allocator counts references on the
 * first page only, so a page with no references is inside a buffer (or
 * free), never the start of one.  A buffer of more than one page carries
 * its order in the first page's private field.  That spares every
 * allocation and free of more than one page the walk over the tail pages
 * that compound pages cost (7-9% of a 64 KiB alloc+free under make bench),
 * and single pages, the common case, are not written to at all.  Buffers
 * from a contiguous area are neither: each of their pages holds a
 * reference, so contiguous.c keeps a record of them and checks their frees.
 */
#define DMA_DIRECT_HEAD_MARK	0xd3a40000UL
#define DMA_DIRECT_ORDER_MASK	0xffUL

/* The size of a coherent buffer, from the private field of its first page. */
static unsigned long dma_direct_buffer_size(unsigned long mark)
{
	if ((mark & ~DMA_DIRECT_ORDER_MASK) != DMA_DIRECT_HEAD_MARK)
		return PAGE_SIZE;
	return PAGE_SIZE << (mark & DMA_DIRECT_ORDER_MASK);
}

/*
 * A buffer from a contiguous area (@any_size: even one the policy leaves to
 * the page allocator) that the device reaches, or NULL.
 */
static noinline struct page *dma_direct_alloc_contiguous(struct device *dev, size_t len,
							 gfp_t gfp, bool any_size)
{
	struct page *page = any_size ? dma_contiguous_fallback(dev, len, gfp) :
				       dma_alloc_contiguous(dev, len, gfp);

	if (page && !dma_direct_coherent_ok(dev, page_to_phys(page), len)) {
		dma_free_contiguous(dev, page, len);
		page = NULL;
	}
	return page;
}

/* Pages under the device's coherent mask, or NULL. */
static __always_inline struct page *
dma_direct_alloc_reachable(struct device *dev, size_t len, gfp_t gfp, const char *func)
{
	unsigned int order = get_order(len);
	struct page *page;
	gfp_t zone;

	if (unlikely(!dev->coherent_dma_mask)) {
		dma_complain(dev, 0, func, "device has no coherent DMA mask");
		return NULL;
	}
	if (dma_contiguous_first(dev, len)) {
		page = dma_direct_alloc_contiguous(dev, len, gfp, false);
		if (page)
			return page;
	}
	/* beyond the page allocator's largest block only an area can help */
	if (unlikely(order > MAX_PAGE_ORDER)) {
		page = dma_direct_alloc_contiguous(dev, len, gfp, true);
		if (!page)
			dma_complain(dev, 0, func,
				     "%zu bytes exceed the largest block and no contiguous area provided them",
				     len);
		return page;
	}
	zone = dma_direct_first_zone(dev);
	do {
		page = alloc_pages_node(dev_to_node(dev), gfp | zone, order);
		if (!page)
			break;
		if (dma_direct_coherent_ok(dev, page_to_phys(page), len))
			return page;
		__free_pages(page, order);
	} while (dma_direct_narrower_zone(&zone));
	return dma_direct_alloc_contiguous(dev, len, gfp, true);
}

/*
 * In an encrypted guest the device can only read memory the hypervisor can
 * see, so shared buffers are switched to clear text for their lifetime.
 * If switching back fails the pages are in an unknown state and must never
 * be reused: callers leak them on purpose.
 */
static int dma_direct_share(struct device *dev, void *vaddr, size_t len, bool share)
{
	unsigned long start = (unsigned long)vaddr;

	if (likely(!dma_direct_needs_sharing(dev)))
		return 0;
	return share ? set_memory_decrypted(start, PFN_UP(len)) :
		       set_memory_encrypted(start, PFN_UP(len));
}

/*
 * @len is page aligned: dma_direct_alloc() and dma_alloc_pages() see to it.
 * @driver_pages: the caller hands the struct pages to the driver.
 */
static __always_inline void *
dma_direct_alloc_buffer(struct device *dev, size_t len, dma_addr_t *dma_handle, gfp_t gfp,
			bool driver_pages, const char *func)
{
	struct page *pages;
	void *buf;

	/*
	 * Changing the encryption of memory may sleep.  Shared memory for
	 * atomic callers needs a pool prepared in advance, which dmacore does
	 * not have yet (see Documentation/core-api/dmacore.rst).
	 */
	if (dma_direct_needs_sharing(dev) && !gfpflags_allow_blocking(gfp)) {
		dma_complain(dev, 0, func,
			     "no atomic pool: %zu bytes of memory shared with the hypervisor need a blocking allocation",
			     len);
		return NULL;
	}
	gfp &= ~__GFP_ZERO;
	if (driver_pages && len > PAGE_SIZE)
		gfp |= __GFP_COMP;
	pages = dma_direct_alloc_reachable(dev, len, gfp, func);
	if (!pages)
		return NULL;
	if (!driver_pages && len > PAGE_SIZE)
		set_page_private(pages, DMA_DIRECT_HEAD_MARK | get_order(len));
	buf = page_address(pages);
	if (dma_direct_share(dev, buf, len, true)) {
		dma_complain(dev, 0, func, "could not share %zu bytes; leaking them", len);
		return NULL;
	}
	memset(buf, 0, len);
	*dma_handle = dma_direct_phys_to_dma(dev, page_to_phys(pages));
	return buf;
}

/*
 * Freeing with a CPU address, handle or size that doesn't describe a whole
 * buffer from dma_direct_alloc_buffer() is a driver bug that would otherwise
 * hand memory a device may still write to back to the page allocator, or
 * free the wrong number of pages.  The address must be the first byte of a
 * buffer whose order matches @len.  Returns that buffer's first page, or
 * NULL when the arguments describe no buffer.  Inlined on purpose: as a
 * separate call it made a 4 KiB alloc+free 15% slower under make bench.
 */
static __always_inline struct page *
dma_direct_freed_page(struct device *dev, size_t len, void *cpu_addr, dma_addr_t dma_addr,
		      bool driver_pages, const char *func)
{
	phys_addr_t phys = dma_to_phys(dev, dma_addr);
	unsigned int order = get_order(len);
	unsigned long mark;
	struct page *page;
	bool marked;

	/* from the handle to the address, never back: that needs a valid address */
	if (unlikely(!PAGE_ALIGNED(cpu_addr) || phys_to_virt(phys) != cpu_addr ||
		     !pfn_valid(PHYS_PFN(phys)))) {
		dma_complain(dev, 0, func, "%p/%pad was not allocated by the DMA API; not freed",
			     cpu_addr, &dma_addr);
		return NULL;
	}
	page = pfn_to_page(PHYS_PFN(phys));
	/* dma_contiguous_release() checks buffers from an area */
	if (dma_contiguous_page(page))
		return page;
	if (driver_pages) {
		if (unlikely(PageTail(page) || compound_order(page) != order)) {
			dma_complain(dev, 0, func,
				     "%p is %s a %lu-byte allocation, freed as %zu bytes; not freed",
				     cpu_addr, PageTail(page) ? "inside" : "the start of",
				     page_size(compound_head(page)), len);
			return NULL;
		}
		return page;
	}
	if (unlikely(!page_ref_count(page))) {
		dma_complain(dev, 0, func, "%p is not the start of a coherent buffer; not freed",
			     cpu_addr);
		return NULL;
	}
	/* a single page carries no mark, a larger buffer its order */
	mark = page_private(page);
	marked = (mark & ~DMA_DIRECT_ORDER_MASK) == DMA_DIRECT_HEAD_MARK;
	if (unlikely(marked ? mark != (DMA_DIRECT_HEAD_MARK | order) : order)) {
		dma_complain(dev, 0, func,
			     "%p is the start of a %lu-byte allocation, freed as %zu bytes; not freed",
			     cpu_addr, dma_direct_buffer_size(mark), len);
		return NULL;
	}
	/* the page allocator clears the mark when it takes the page back */
	return page;
}

static __always_inline void
dma_direct_free_buffer(struct device *dev, size_t len, void *cpu_addr, dma_addr_t dma_addr,
		       bool driver_pages, const char *func)
{
	struct page *page = dma_direct_freed_page(dev, len, cpu_addr, dma_addr, driver_pages,
						  func);

	if (!page)
		return;
	if (dma_direct_share(dev, cpu_addr, len, false)) {
		dma_complain(dev, 0, func, "could not unshare %zu bytes; leaking them", len);
		return;
	}
	if (!dma_contiguous_release(dev, page, len >> PAGE_SHIFT, func))
		__free_pages(page, get_order(len));
}

/**
 * dma_direct_alloc() - Coherent memory from the direct backend.
 * @dev: a cache-coherent device
 * @size: bytes wanted; whole pages are allocated
 * @dma_handle: receives the bus address
 * @gfp: allocation flags without zone modifiers
 * @attrs: DMA_ATTR_* flags; none changes the outcome here
 *
 * Return: the zeroed buffer's kernel address, or NULL.
 */
void *dma_direct_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		       unsigned long attrs)
{
	/*
	 * Coherent memory for a device that doesn't snoop caches needs an
	 * uncached mapping; dmacore has no such allocator yet, and handing out
	 * cached memory would corrupt data silently.
	 */
	if (!dev_is_dma_coherent(dev)) {
		dma_complain(dev, attrs, "dma_alloc_attrs",
			     "no coherent memory for a non-coherent device");
		return NULL;
	}
	return dma_direct_alloc_buffer(dev, PAGE_ALIGN(size), dma_handle, gfp, false,
				       "dma_alloc_attrs");
}

/**
 * dma_direct_free() - Undo dma_direct_alloc().
 * @dev: the device
 * @size: the size that was asked for
 * @cpu_addr: the kernel address returned
 * @dma_addr: the bus address returned
 * @attrs: the attributes passed at allocation
 *
 * Arguments that don't describe a whole allocation leave the memory alone.
 */
void dma_direct_free(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr,
		     unsigned long attrs)
{
	dma_direct_free_buffer(dev, PAGE_ALIGN(size), cpu_addr, dma_addr, false, "dma_free_attrs");
}

/**
 * dma_direct_alloc_pages() - Pages for dma_alloc_pages() on the direct path.
 * @dev: the device
 * @size: page-aligned size
 * @dma_handle: receives the bus address
 * @dir: the direction later syncs will use
 * @gfp: allocation flags without zone modifiers
 *
 * Return: the first of the zeroed pages, or NULL.
 */
struct page *dma_direct_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    enum dma_data_direction dir, gfp_t gfp)
{
	void *vaddr = dma_direct_alloc_buffer(dev, size, dma_handle, gfp, true, "dma_alloc_pages");

	return vaddr ? virt_to_page(vaddr) : NULL;
}

/**
 * dma_direct_free_pages() - Undo dma_direct_alloc_pages().
 * @dev: the device
 * @size: the page-aligned size allocated
 * @page: the first page
 * @dma_addr: the bus address returned
 * @dir: the direction passed at allocation
 */
void dma_direct_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t dma_addr, enum dma_data_direction dir)
{
	dma_direct_free_buffer(dev, size, page_address(page), dma_addr, true, "dma_free_pages");
}

int dma_direct_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	return dma_sgtable_from_page(sgt, virt_to_page(cpu_addr), size, GFP_KERNEL);
}

bool dma_direct_can_mmap(struct device *dev)
{
	return dev_is_dma_coherent(dev) || IS_ENABLED(CONFIG_DMA_NONCOHERENT_MMAP);
}

int dma_direct_mmap(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	if (!dma_direct_can_mmap(dev))
		return -ENXIO;
	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	return dma_mmap_pfns(vma, PHYS_PFN(virt_to_phys(cpu_addr)), size);
}

#ifdef CONFIG_MMU
/**
 * dma_pgprot() - The protection for a CPU mapping of a DMA buffer.
 * @dev: the device the buffer belongs to
 * @prot: the protection the mapping would otherwise get
 * @attrs: the buffer's DMA_ATTR_* flags
 *
 * Return: @prot adjusted for memory encryption and, for devices that don't
 * snoop the CPU caches, made uncached or write-combining.
 */
pgprot_t dma_pgprot(struct device *dev, pgprot_t prot, unsigned long attrs)
{
	if (dma_direct_needs_sharing(dev))
		prot = pgprot_decrypted(prot);
	if (dev_is_dma_coherent(dev))
		return prot;
	if (IS_ENABLED(CONFIG_ARCH_HAS_DMA_WRITE_COMBINE) && (attrs & DMA_ATTR_WRITE_COMBINE))
		return pgprot_writecombine(prot);
#ifdef pgprot_dmacoherent
	return pgprot_dmacoherent(prot);
#else
	return pgprot_noncached(prot);
#endif
}
#endif

/**
 * dma_direct_set_offset() - Give a device a single window onto RAM.
 * @dev: the device
 * @cpu_start: the first CPU physical address the device can reach
 * @dma_start: the bus address at which the device sees @cpu_start
 * @size: the size of the window
 *
 * For bus glue that knows a device's view of memory is offset.
 *
 * Return: 0, -EINVAL if the device already has a map, or -ENOMEM.
 */
int dma_direct_set_offset(struct device *dev, phys_addr_t cpu_start, dma_addr_t dma_start,
			  u64 size)
{
	struct bus_dma_region *win;

	if (unlikely(dev->dma_range_map)) {
		dma_complain(dev, 0, __func__, "device already has a DMA range map");
		return -EINVAL;
	}
	if (cpu_start == dma_start)
		return 0;
	/* one window and the zero-sized terminator; driver core frees it */
	win = kcalloc(2, sizeof(*win), GFP_KERNEL);
	if (!win)
		return -ENOMEM;
	win->cpu_start = cpu_start;
	win->dma_start = dma_start;
	win->size = size;
	dev->dma_range_map = win;
	return 0;
}
