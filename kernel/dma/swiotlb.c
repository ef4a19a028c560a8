// SPDX-License-Identifier: GPL-2.0
/*
 * dmacore bounce buffering.
 *
 * Some devices cannot reach all of memory (a 32-bit NIC on a machine with
 * RAM above 4 GiB), and some must not be trusted with the memory they are
 * given (encrypted guests, "swiotlb=force").  For them the DMA core copies
 * each buffer into a pool it set aside at boot in memory the device can
 * reach, lets the device work on the copy, and copies back afterwards.
 *
 * The pool is an array of IO_TLB_SIZE slots.  A mapping is a run of
 * contiguous free slots, found in a busy bitmap: bitmap searches already know
 * how to honour an alignment, and everything a mapping has to respect
 * (page alignment, the caller's allocation alignment, the device's
 * min_align_mask) comes down to one: the run must start at a slot whose low
 * index bits have a given value.  Runs never cross a segment of
 * IO_TLB_SEGSIZE slots, which caps a mapping at 256 KiB, nor the device's
 * segment boundary.
 *
 * The slots are split into areas, one per possible CPU by default, each with
 * its own lock and its own search cursor.  A CPU searches its own area first
 * and walks on to the others only when that one is full, so in the common
 * case mappings made on different CPUs touch disjoint locks and bitmap words.
 *
 * The head slot of a run remembers the original buffer, where in the run the
 * caller's data begins and how long it is; every slot of the run knows how
 * far back its head is.  That is what lets a partial sync find the original
 * bytes for an address in the middle of a mapping, and lets unmap tell a
 * real mapping from an address that merely lies inside the pool.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/memblock.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <kunit/visibility.h>

#define CREATE_TRACE_POINTS
#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

#ifdef CONFIG_SWIOTLB_DYNAMIC
#error "dmacore swiotlb has no dynamic pools; CONFIG_SWIOTLB_DYNAMIC must stay off"
#endif

/* The largest run of slots, and so the largest bounce, in bytes. */
#define SWIOTLB_SEG_BYTES	((unsigned long)IO_TLB_SEGSIZE << IO_TLB_SHIFT)

/* Shrinking the default pool to fit memory stops here: smaller is useless. */
#define SWIOTLB_MIN_SLABS	((1UL << 20) >> IO_TLB_SHIFT)

/* More areas than this is a typo, not a tuning choice. */
#define SWIOTLB_MAX_AREAS	4096U

/**
 * struct io_tlb_area - one independently locked share of a pool's slots
 * @lock:	protects the area's slots, busy bits and the fields below
 * @cursor:	slot where the next search starts; moves past each allocation
 *		so that consecutive mappings spread over the area instead of
 *		all fighting over its first free run
 * @used:	slots of this area that belong to mappings
 */
struct io_tlb_area {
	spinlock_t lock;	/* guards everything of this area */
	unsigned long cursor;
	unsigned long used;
} ____cacheline_aligned_in_smp;

/**
 * struct io_tlb_slot - what a pool knows about one slot
 * @orig_addr:	head slot: original address of the first mapped byte
 * @tlb_offset:	head slot: distance from the start of the run to the first
 *		mapped byte (alignment may leave a gap)
 * @mapping_size: head slot: number of bytes mapped
 * @nslots:	head slot: length of the run; zero on every other slot
 * @from_head:	every slot of a run: how many slots back its head is
 */
struct io_tlb_slot {
	phys_addr_t orig_addr;
	unsigned int tlb_offset;
	unsigned int mapping_size;
	unsigned short nslots;
	unsigned short from_head;
};

/**
 * struct slot_request - where a mapping may go, worked out before searching
 * @size:	bytes the caller maps
 * @offset:	where those bytes start within the run
 * @nslots:	length of the run
 * @align_mask:	the run's first slot number must have these bits ...
 * @align_offset: ... such that (slot + @align_offset) & @align_mask == 0,
 *		which is the form bitmap_find_next_zero_area_off() takes
 * @pool_dma:	device address of the pool's first slot
 * @boundary_mask: the device's segment boundary, which the mapped bytes
 *		must not cross
 */
struct slot_request {
	size_t size;
	unsigned int offset;
	unsigned int nslots;
	unsigned long align_mask;
	unsigned long align_offset;
	dma_addr_t pool_dma;
	unsigned long boundary_mask;
};

/* Every device starts out pointing here (swiotlb_dev_init()). */
static struct io_tlb_mem io_tlb_default_mem;

/* Set by "swiotlb=" before the default pool is built. */
static struct swiotlb_params swiotlb_cmdline;

/* Size of the default pool when the command line does not say. */
static unsigned long boot_nslabs = IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT;

static struct io_tlb_mem *pool_to_mem(struct io_tlb_pool *pool)
{
	return container_of(pool, struct io_tlb_mem, pool);
}

static phys_addr_t slot_addr(struct io_tlb_pool *pool, unsigned long index)
{
	return pool->start + ((phys_addr_t)index << IO_TLB_SHIFT);
}

static unsigned long addr_to_slot(struct io_tlb_pool *pool, phys_addr_t addr)
{
	return (addr - pool->start) >> IO_TLB_SHIFT;
}

static void *tlb_vaddr(struct io_tlb_pool *pool, phys_addr_t tlb_addr)
{
	return pool->vaddr + (tlb_addr - pool->start);
}

/* ---- The "swiotlb=" parameter and pool geometry ---- */

static bool parse_count(const char *tok, size_t len, unsigned long *val)
{
	char buf[24];

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return !kstrtoul(buf, 0, val);
}

/**
 * swiotlb_parse_params() - read a "swiotlb=" value
 * @arg:	the text after "swiotlb=", e.g. "65536,4,force"
 * @params:	settings to update
 *
 * The value is a comma-separated list: first the pool size in slots, then
 * the number of areas, each of which may be left empty to keep its default,
 * and anywhere the word "force" or "noforce".  A bad item is reported and
 * skipped, leaving that setting at its default: a typo on the command line
 * must never cost the machine its boot.
 *
 * Return: 0 if every item was understood, -EINVAL if any was skipped.
 */
int swiotlb_parse_params(const char *arg, struct swiotlb_params *params)
{
	unsigned int position = 0;
	int ret = 0;

	if (!arg || !*arg) {
		pr_warn("the swiotlb= option needs a value, e.g. swiotlb=65536,4 or swiotlb=force; ignored\n");
		return -EINVAL;
	}

	while (*arg) {
		size_t len = strcspn(arg, ",");
		unsigned long val = 0;

		if (len == 5 && !strncmp(arg, "force", 5)) {
			params->mode = SWIOTLB_MODE_FORCE;
		} else if (len == 7 && !strncmp(arg, "noforce", 7)) {
			params->mode = SWIOTLB_MODE_OFF;
		} else if (position >= 2) {
			pr_warn("ignoring unexpected \"%.*s\" in swiotlb=\n", (int)len, arg);
			ret = -EINVAL;
		} else if (len && !parse_count(arg, len, &val)) {
			pr_warn("\"%.*s\" in swiotlb= is not a number; keeping the default %s\n",
				(int)len, arg, position ? "area count" : "pool size");
			ret = -EINVAL;
			position++;
		} else if (!len) {
			/* An empty item keeps the default for its position. */
			position++;
		} else if (position++ == 0) {
			if (!val || val > (ULONG_MAX >> (IO_TLB_SHIFT + 1))) {
				pr_warn("swiotlb=%lu: pool size out of range; using the default\n",
					val);
				ret = -EINVAL;
			} else {
				params->nslabs = val;
			}
		} else {
			if (!val || val > SWIOTLB_MAX_AREAS) {
				pr_warn("%lu areas in swiotlb= is out of range (1..%u); using one per CPU\n",
					val, SWIOTLB_MAX_AREAS);
				ret = -EINVAL;
			} else {
				params->nareas = val;
			}
		}
		arg += len;
		if (*arg == ',')
			arg++;
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_parse_params);

static int __init setup_swiotlb_param(char *arg)
{
	swiotlb_parse_params(arg, &swiotlb_cmdline);
	if (swiotlb_cmdline.nslabs)
		boot_nslabs = swiotlb_cmdline.nslabs;
	/* Problems were reported above; don't add "malformed early option". */
	return 0;
}
early_param("swiotlb", setup_swiotlb_param);

/**
 * swiotlb_fit_geometry() - round a pool's size and area count to what works
 * @nslabs:	requested slots; rounded up so that every area holds whole
 *		segments
 * @nareas:	requested areas; made a power of two (rounding down) and
 *		reduced until every area holds at least one segment
 *
 * Areas are a power of two so that a CPU number maps onto one with a mask,
 * and hold whole segments so that no run ever has to span two locks.
 */
void swiotlb_fit_geometry(unsigned long *nslabs, unsigned int *nareas)
{
	unsigned long slabs = ALIGN(max(*nslabs, 1UL), IO_TLB_SEGSIZE);
	unsigned int areas = rounddown_pow_of_two(clamp(*nareas, 1U, SWIOTLB_MAX_AREAS));

	while (areas > 1 && slabs / areas < IO_TLB_SEGSIZE)
		areas /= 2;
	*nslabs = ALIGN(slabs, (unsigned long)areas * IO_TLB_SEGSIZE);
	*nareas = areas;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_fit_geometry);

static unsigned int swiotlb_default_nareas(void)
{
	if (swiotlb_cmdline.nareas)
		return swiotlb_cmdline.nareas;
	return rounddown_pow_of_two(max(num_possible_cpus(), 1U));
}

/**
 * swiotlb_meta_size() - bytes of bookkeeping a pool needs
 * @nslabs:	slots in the pool
 * @nareas:	areas in the pool
 *
 * The areas, the per-slot records and the busy bitmap share one allocation
 * so that boot, late setup and tests each make a single allocation for them.
 * It includes slack for aligning the areas to a cache line, which the
 * allocation itself need not be.
 *
 * Return: the size in bytes.
 */
size_t swiotlb_meta_size(unsigned long nslabs, unsigned int nareas)
{
	return SMP_CACHE_BYTES + nareas * sizeof(struct io_tlb_area) +
		nslabs * sizeof(struct io_tlb_slot) + BITS_TO_LONGS(nslabs) * sizeof(long);
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_meta_size);

/**
 * swiotlb_init_io_tlb_pool() - make a region of memory a bounce pool
 * @pool:	pool to set up; must not be in use
 * @start:	physical address of the region, aligned to IO_TLB_SIZE and in
 *		the kernel's direct map
 * @nslabs:	slots in the region, as swiotlb_fit_geometry() leaves it
 * @nareas:	areas, as swiotlb_fit_geometry() leaves it
 * @meta:	zeroed memory of swiotlb_meta_size() bytes for the bookkeeping
 *
 * The boot path, late setup and the KUnit suites all build pools through
 * here.  The pool becomes visible to is_swiotlb_active() only once it is
 * complete.
 *
 * Return: 0, or -EINVAL if the geometry is not one swiotlb_fit_geometry()
 * would produce or @start is misaligned.
 */
int swiotlb_init_io_tlb_pool(struct io_tlb_pool *pool, phys_addr_t start,
			     unsigned long nslabs, unsigned int nareas, void *meta)
{
	unsigned long fit_slabs = nslabs;
	unsigned int fit_areas = nareas, i;

	swiotlb_fit_geometry(&fit_slabs, &fit_areas);
	if (!nslabs || fit_slabs != nslabs || fit_areas != nareas ||
	    !IS_ALIGNED(start, IO_TLB_SIZE) || !meta)
		return -EINVAL;

	pool->meta = meta;
	pool->areas = PTR_ALIGN(meta, SMP_CACHE_BYTES);
	pool->slots = (struct io_tlb_slot *)(pool->areas + nareas);
	pool->busy = (unsigned long *)(pool->slots + nslabs);
	pool->nareas = nareas;
	pool->area_nslabs = nslabs / nareas;
	for (i = 0; i < nareas; i++) {
		spin_lock_init(&pool->areas[i].lock);
		pool->areas[i].cursor = (unsigned long)i * pool->area_nslabs;
		pool->areas[i].used = 0;
	}
	memset(pool->slots, 0, nslabs * sizeof(*pool->slots));
	bitmap_zero(pool->busy, nslabs);

	pool->start = start;
	pool->end = start + ((phys_addr_t)nslabs << IO_TLB_SHIFT);
	pool->vaddr = phys_to_virt(start);
	/* Publish last: a reader that sees nslabs sees a complete pool. */
	smp_store_release(&pool->nslabs, nslabs);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_init_io_tlb_pool);

/* ---- The default pool: boot, late setup, teardown ---- */

static void *__init swiotlb_boot_alloc(unsigned long bytes, unsigned int flags)
{
	/*
	 * Without SWIOTLB_ANY the pool must be reachable by 32-bit devices,
	 * which are the ones that need it most.
	 */
	if (flags & SWIOTLB_ANY)
		return memblock_alloc(bytes, PAGE_SIZE);
	return memblock_alloc_low(bytes, PAGE_SIZE);
}

/**
 * swiotlb_init_remap() - set up the default pool at boot
 * @addressing_limit: some device may be unable to reach all of memory
 * @flags:	SWIOTLB_VERBOSE, SWIOTLB_FORCE and SWIOTLB_ANY
 * @remap:	optional hook run on the pool memory before use (Xen makes it
 *		machine-contiguous); on failure a smaller pool is tried
 *
 * Builds the pool only if something may need it: a device with an
 * addressing limit, or bouncing forced by @flags or "swiotlb=force".
 * "swiotlb=noforce" forbids it.  When memory is short the pool shrinks,
 * halving down to 1 MiB, rather than failing outright.
 */
void __init swiotlb_init_remap(bool addressing_limit, unsigned int flags,
			       int (*remap)(void *tlb, unsigned long nslabs))
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	bool force = (flags & SWIOTLB_FORCE) || swiotlb_cmdline.mode == SWIOTLB_MODE_FORCE;
	unsigned long nslabs = boot_nslabs;
	unsigned int nareas = swiotlb_default_nareas();
	void *tlb, *meta;

	if (swiotlb_cmdline.mode == SWIOTLB_MODE_OFF) {
		pr_info("bounce buffering disabled by swiotlb=noforce\n");
		return;
	}
	if ((!addressing_limit && !force) || mem->pool.nslabs)
		return;

	for (;;) {
		swiotlb_fit_geometry(&nslabs, &nareas);
		tlb = swiotlb_boot_alloc(nslabs << IO_TLB_SHIFT, flags);
		if (tlb && (!remap || !remap(tlb, nslabs)))
			break;
		if (tlb)
			memblock_free(tlb, nslabs << IO_TLB_SHIFT);
		if (nslabs / 2 < SWIOTLB_MIN_SLABS) {
			pr_warn("no memory for a bounce pool; devices that need bouncing will fail to map\n");
			return;
		}
		nslabs /= 2;
		pr_warn("could not set up %lu MiB, trying %lu MiB\n",
			(nslabs << IO_TLB_SHIFT) >> 19, (nslabs << IO_TLB_SHIFT) >> 20);
	}

	meta = memblock_alloc(swiotlb_meta_size(nslabs, nareas), SMP_CACHE_BYTES);
	if (!meta || swiotlb_init_io_tlb_pool(&mem->pool, __pa(tlb), nslabs, nareas, meta)) {
		pr_warn("no memory for the bounce pool's bookkeeping; bouncing unavailable\n");
		if (meta)
			memblock_free(meta, swiotlb_meta_size(nslabs, nareas));
		memblock_free(tlb, nslabs << IO_TLB_SHIFT);
		return;
	}
	mem->force_bounce = force;
	/*
	 * x86 announces a pool it keeps from pci_iommu_init(), but only one
	 * it needed for addressing; a forced pool would go unmentioned.
	 */
	if ((flags & SWIOTLB_VERBOSE) || force)
		swiotlb_print_info();
}

/**
 * swiotlb_init() - set up the default pool at boot
 * @addressing_limit: some device may be unable to reach all of memory
 * @flags:	SWIOTLB_VERBOSE, SWIOTLB_FORCE and SWIOTLB_ANY
 *
 * swiotlb_init_remap() without a remap hook.
 */
void __init swiotlb_init(bool addressing_limit, unsigned int flags)
{
	swiotlb_init_remap(addressing_limit, flags, NULL);
}

/*
 * Encrypted-memory guests share the pool with the host.  Its pages must be
 * private again before anyone else may have them; if that fails, leaking
 * them is the only safe choice.
 */
static bool swiotlb_unshare(void *vaddr, unsigned long nslabs)
{
	unsigned long bytes = nslabs << IO_TLB_SHIFT;

	if (!set_memory_encrypted((unsigned long)vaddr, PFN_UP(bytes)))
		return true;
	pr_warn("could not make %lu MiB of bounce memory private again; leaking it\n",
		bytes >> 20);
	return false;
}

/* Free a pool that came from the page allocator; it must be unpublished. */
static void swiotlb_free_late_pool(void *vaddr, unsigned long nslabs, void *meta)
{
	if (swiotlb_unshare(vaddr, nslabs))
		free_pages((unsigned long)vaddr, get_order(nslabs << IO_TLB_SHIFT));
	kvfree(meta);
}

/**
 * swiotlb_exit() - drop the default pool when it turned out not to be needed
 *
 * x86 calls this once it knows an IOMMU serves every device.  A forced pool
 * stays, since the user asked for bouncing, and so does one already in use.
 */
void __init swiotlb_exit(void)
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	struct io_tlb_pool *pool = &mem->pool;
	unsigned long nslabs = pool->nslabs;
	void *vaddr = pool->vaddr, *meta = pool->meta;

	if (!nslabs || mem->force_bounce)
		return;
	if (swiotlb_mem_used(mem)) {
		pr_warn("bounce pool still in use; keeping it\n");
		return;
	}
	WRITE_ONCE(pool->nslabs, 0);
	pool->start = 0;
	pool->end = 0;
	pool->vaddr = NULL;
	pool->meta = NULL;
	if (pool->late_alloc) {
		swiotlb_free_late_pool(vaddr, nslabs, meta);
		return;
	}
	if (swiotlb_unshare(vaddr, nslabs))
		memblock_free_late(__pa(vaddr), nslabs << IO_TLB_SHIFT);
	memblock_free_late(__pa(meta), swiotlb_meta_size(nslabs, pool->nareas));
}

/**
 * swiotlb_init_late() - set up the default pool after boot
 * @size:	bytes wanted; the pool may come out smaller
 * @gfp_mask:	where the pool memory may come from (GFP_DMA, GFP_DMA32, ...)
 * @remap:	optional hook run on the pool memory before use
 *
 * For platforms that discover a device with an addressing limit only once
 * the page allocator is running.  The pool is limited to what one
 * allocation of contiguous pages can provide.
 *
 * Return: 0 if a default pool exists afterwards, a negative errno otherwise.
 */
int swiotlb_init_late(size_t size, gfp_t gfp_mask,
		      int (*remap)(void *tlb, unsigned long nslabs))
{
	static DEFINE_MUTEX(late_lock);
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	unsigned long nslabs = size >> IO_TLB_SHIFT;
	unsigned int nareas = swiotlb_default_nareas();
	unsigned int order;
	struct page *page = NULL;
	void *vaddr, *meta;
	int ret = 0;

	mutex_lock(&late_lock);
	if (mem->pool.nslabs)
		goto out;

	for (;;) {
		swiotlb_fit_geometry(&nslabs, &nareas);
		order = get_order(nslabs << IO_TLB_SHIFT);
		if (order <= MAX_PAGE_ORDER) {
			page = alloc_pages(gfp_mask | __GFP_NOWARN | __GFP_ZERO, order);
			if (page && (!remap || !remap(page_address(page), nslabs)))
				break;
			if (page)
				__free_pages(page, order);
		}
		if (nslabs / 2 < SWIOTLB_MIN_SLABS) {
			ret = -ENOMEM;
			goto out;
		}
		nslabs /= 2;
	}

	vaddr = page_address(page);
	if (set_memory_decrypted((unsigned long)vaddr, PFN_UP(nslabs << IO_TLB_SHIFT))) {
		/* Pages in an unknown encryption state must not be reused. */
		ret = -ENOMEM;
		goto out;
	}
	meta = kvzalloc(swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	if (!meta) {
		swiotlb_free_late_pool(vaddr, nslabs, NULL);
		ret = -ENOMEM;
		goto out;
	}
	mem->pool.late_alloc = true;
	ret = swiotlb_init_io_tlb_pool(&mem->pool, page_to_phys(page), nslabs, nareas, meta);
	if (ret) {
		swiotlb_free_late_pool(vaddr, nslabs, meta);
		goto out;
	}
	mutex_unlock(&late_lock);
	swiotlb_print_info();
	return 0;
out:
	mutex_unlock(&late_lock);
	return ret;
}

/**
 * swiotlb_update_mem_attributes() - share the default pool with the host
 *
 * In an encrypted guest the host (and so every emulated device) can only
 * read memory the guest has marked shared; the pool is exactly that memory.
 * Called by the architecture once memory encryption is set up.
 */
void __init swiotlb_update_mem_attributes(void)
{
	struct io_tlb_pool *pool = &io_tlb_default_mem.pool;

	/* Late pools were decrypted when they were allocated. */
	if (!pool->nslabs || pool->late_alloc)
		return;
	set_memory_decrypted((unsigned long)pool->vaddr,
			     PFN_UP(pool->nslabs << IO_TLB_SHIFT));
}

/**
 * swiotlb_adjust_size() - let the architecture pick the default pool size
 * @size:	bytes the architecture wants
 *
 * Encrypted guests bounce all their I/O and want a pool sized to their
 * memory.  A size given with "swiotlb=" still wins.
 */
void __init swiotlb_adjust_size(unsigned long size)
{
	if (swiotlb_cmdline.nslabs || io_tlb_default_mem.pool.nslabs)
		return;
	boot_nslabs = ALIGN(size >> IO_TLB_SHIFT, IO_TLB_SEGSIZE);
	pr_info("default pool size set to %lu MiB\n", (boot_nslabs << IO_TLB_SHIFT) >> 20);
}

/**
 * swiotlb_size_or_default() - bytes the default pool has or will have
 *
 * Crash-kernel reservation uses it to leave room for the pool.
 *
 * Return: the pool's real size once it exists; before that, what boot will
 * ask for.
 */
unsigned long swiotlb_size_or_default(void)
{
	unsigned long nslabs = READ_ONCE(io_tlb_default_mem.pool.nslabs);

	return (nslabs ? nslabs : boot_nslabs) << IO_TLB_SHIFT;
}

/**
 * swiotlb_print_info() - log the default pool's place and size, once
 */
void swiotlb_print_info(void)
{
	static bool printed;
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	struct io_tlb_pool *pool = &mem->pool;
	unsigned long kib;
	phys_addr_t last;
	bool in_mib;

	if (printed)
		return;
	printed = true;
	if (!pool->nslabs) {
		pr_warn("no bounce pool was set up\n");
		return;
	}
	last = pool->end - 1;
	kib = (pool->nslabs << IO_TLB_SHIFT) >> 10;
	in_mib = !(kib % 1024);
	pr_info("bounce pool %pa-%pa: %lu %s, %lu slots of %lu bytes in %u area%s%s\n",
		&pool->start, &last, in_mib ? kib / 1024 : kib, in_mib ? "MiB" : "KiB",
		pool->nslabs, IO_TLB_SIZE, pool->nareas, pool->nareas == 1 ? "" : "s",
		mem->force_bounce ? ", bouncing forced" : "");
}

/**
 * swiotlb_dev_init() - point a new device at the default pool
 * @dev:	device being initialised
 *
 * Called by the driver core for every device.  A device keeps this pointer
 * even while the default pool has no memory, and is_swiotlb_active() tells
 * the two cases apart.
 */
void swiotlb_dev_init(struct device *dev)
{
	dev->dma_io_tlb_mem = &io_tlb_default_mem;
}

/**
 * is_swiotlb_allocated() - does the default pool have memory?
 *
 * The slab allocator asks, to know whether small kmalloc() buffers can rely
 * on being bounced.
 *
 * Return: true if the default pool has memory.
 */
bool is_swiotlb_allocated(void)
{
	return READ_ONCE(io_tlb_default_mem.pool.nslabs);
}

/**
 * default_swiotlb_base() - where the default pool starts
 *
 * Return: the physical address of the default pool, or 0 if there is none.
 */
phys_addr_t default_swiotlb_base(void)
{
	return io_tlb_default_mem.pool.start;
}

/**
 * default_swiotlb_limit() - highest physical address in the default pool
 *
 * A device whose mask reaches this can bounce through the default pool.
 * Return: that address, or 0 when there is no default pool.
 */
phys_addr_t default_swiotlb_limit(void)
{
	struct io_tlb_pool *pool = &io_tlb_default_mem.pool;

	return pool->nslabs ? pool->end - 1 : 0;
}

/* ---- Usage counters ---- */

/**
 * swiotlb_mem_used() - slots currently held by mappings
 * @mem:	pool to count
 *
 * Sums the areas without their locks, so it is exact only when nothing is
 * mapping or unmapping at the same time.
 *
 * Return: the number of slots in use.
 */
unsigned long swiotlb_mem_used(struct io_tlb_mem *mem)
{
	struct io_tlb_pool *pool = &mem->pool;
	unsigned long used = 0;
	unsigned int i;

	if (!READ_ONCE(pool->nslabs))
		return 0;
	for (i = 0; i < pool->nareas; i++)
		used += READ_ONCE(pool->areas[i].used);
	return used;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_used);

#ifdef CONFIG_DEBUG_FS
/*
 * The high-water mark is the one statistic that needs a pool-wide counter;
 * it is kept only when debugfs can show it, so that without debugfs
 * mappings on different CPUs share no cache line at all.
 */
static void swiotlb_account(struct io_tlb_mem *mem, long nslots)
{
	long now = atomic_long_add_return(nslots, &mem->total_used);
	long high = atomic_long_read(&mem->used_hiwater);

	while (now > high && !atomic_long_try_cmpxchg(&mem->used_hiwater, &high, now))
		;
}

/**
 * swiotlb_mem_hiwater() - most slots in use at once since the last reset
 * @mem:	pool to ask
 *
 * Return: the high-water mark in slots.
 */
unsigned long swiotlb_mem_hiwater(struct io_tlb_mem *mem)
{
	return atomic_long_read(&mem->used_hiwater);
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_hiwater);

/**
 * swiotlb_mem_reset_hiwater() - start a new high-water measurement
 * @mem:	pool to reset
 * @val:	must be 0, the only value the mark can be set to
 *
 * The mark restarts from the current use rather than from nothing, so it
 * never claims fewer slots than are in use right now.
 *
 * Return: 0, or -EINVAL for any @val but 0.
 */
int swiotlb_mem_reset_hiwater(struct io_tlb_mem *mem, u64 val)
{
	if (val)
		return -EINVAL;
	atomic_long_set(&mem->used_hiwater, atomic_long_read(&mem->total_used));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_reset_hiwater);
#else
static void swiotlb_account(struct io_tlb_mem *mem, long nslots)
{
}

unsigned long swiotlb_mem_hiwater(struct io_tlb_mem *mem)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_hiwater);

int swiotlb_mem_reset_hiwater(struct io_tlb_mem *mem, u64 val)
{
	return val ? -EINVAL : 0;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_reset_hiwater);
#endif /* CONFIG_DEBUG_FS */

/* ---- Finding and releasing runs of slots ---- */

/*
 * Work out the run a mapping of @size bytes at @orig needs.  Three
 * constraints fix the low bits of the address the run starts at:
 *   - a mapping of a page or more starts on a page, and a caller's
 *     @alloc_align_mask asks for a coarser start (dma-iommu maps the run
 *     into whole IOVA granules, which the run must own entirely);
 *   - the device's min_align_mask: the first mapped byte must share those
 *     low address bits with the original, because the device computes
 *     offsets from them (NVMe's PRP lists do);
 *   - under @alloc_align_mask the data keeps its offset in the unit, so
 *     that dma-iommu can put a bounced piece of a buffer right next to
 *     granules it maps in place.
 * Bits below the start alignment are met by starting the data @offset
 * bytes into the run; bits above it by choosing the run's first slot.
 */
static int swiotlb_plan(struct device *dev, struct io_tlb_pool *pool, phys_addr_t orig,
			size_t size, unsigned int alloc_align_mask, struct slot_request *req)
{
	phys_addr_t min_align = dma_get_min_align_mask(dev);
	phys_addr_t start_align = alloc_align_mask | (IO_TLB_SIZE - 1);
	unsigned long slot_mask, want;
	size_t bytes;

	if (size >= PAGE_SIZE)
		start_align |= PAGE_SIZE - 1;

	req->size = size;
	req->offset = orig & (min_align | alloc_align_mask) & start_align;
	bytes = req->offset + size;
	if (alloc_align_mask)
		bytes = ALIGN(bytes, (size_t)alloc_align_mask + 1);
	if (bytes > SWIOTLB_SEG_BYTES)
		return -E2BIG;
	req->nslots = DIV_ROUND_UP(bytes, IO_TLB_SIZE);

	/*
	 * The start's slot number must have (start_align | min_align) bits
	 * equal to @want.  Widen the mask to all lower bits so the bitmap
	 * search can use it; the extra bits are simply required to be zero.
	 */
	slot_mask = (start_align | min_align) >> IO_TLB_SHIFT;
	if (slot_mask)
		slot_mask = (1UL << fls_long(slot_mask)) - 1;
	want = (orig & min_align & ~start_align) >> IO_TLB_SHIFT;
	req->align_mask = slot_mask;
	req->align_offset = ((unsigned long)(pool->start >> IO_TLB_SHIFT) - want) & slot_mask;

	req->boundary_mask = dma_get_seg_boundary(dev);
	req->pool_dma = phys_to_dma_unencrypted(dev, pool->start);
	return 0;
}

/*
 * If the mapped bytes of a run starting at @index would cross the device's
 * segment boundary, return the first slot worth trying after it; else 0.
 */
static unsigned long next_start_past_boundary(const struct slot_request *req,
					      unsigned long index)
{
	dma_addr_t first = req->pool_dma + ((dma_addr_t)index << IO_TLB_SHIFT) + req->offset;
	dma_addr_t last = first + req->size - 1;
	dma_addr_t next_window;

	if (!((first ^ last) & ~(dma_addr_t)req->boundary_mask))
		return 0;
	next_window = (first | req->boundary_mask) + 1;
	/* max(): even a wrapped-around address must move the search on. */
	return max_t(unsigned long, index + 1,
		     (next_window - req->pool_dma - req->offset + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT);
}

/*
 * Find a free run for @req with its first slot in [@from, @to) and all of
 * it below @to.  Each retry starts strictly later, so the loop ends.
 */
static long search_slots(struct io_tlb_pool *pool, const struct slot_request *req,
			 unsigned long from, unsigned long to)
{
	unsigned long index = from;

	while (index < to) {
		unsigned long seg_end, next;

		index = bitmap_find_next_zero_area_off(pool->busy, to, index, req->nslots,
						       req->align_mask, req->align_offset);
		if (index + req->nslots > to)
			return -1;
		seg_end = round_down(index, IO_TLB_SEGSIZE) + IO_TLB_SEGSIZE;
		if (index + req->nslots > seg_end) {
			index = seg_end;
			continue;
		}
		next = next_start_past_boundary(req, index);
		if (next) {
			index = next;
			continue;
		}
		return index;
	}
	return -1;
}

static long area_alloc(struct io_tlb_mem *mem, unsigned int area_index,
		       const struct slot_request *req, phys_addr_t orig)
{
	struct io_tlb_pool *pool = &mem->pool;
	struct io_tlb_area *area = &pool->areas[area_index];
	unsigned long lo = (unsigned long)area_index * pool->area_nslabs;
	unsigned long hi = lo + pool->area_nslabs;
	unsigned long flags, i;
	long index = -1;

	spin_lock_irqsave(&area->lock, flags);
	if (pool->area_nslabs - area->used < req->nslots)
		goto out;
	/* From the cursor to the end, then the runs that start before it. */
	index = search_slots(pool, req, area->cursor, hi);
	if (index < 0)
		index = search_slots(pool, req, lo,
				     min(hi, area->cursor + req->nslots - 1));
	if (index < 0)
		goto out;

	bitmap_set(pool->busy, index, req->nslots);
	pool->slots[index].orig_addr = orig;
	pool->slots[index].tlb_offset = req->offset;
	pool->slots[index].mapping_size = req->size;
	pool->slots[index].nslots = req->nslots;
	for (i = 0; i < req->nslots; i++)
		pool->slots[index + i].from_head = i;
	area->used += req->nslots;
	area->cursor = index + req->nslots < hi ? index + req->nslots : lo;
out:
	spin_unlock_irqrestore(&area->lock, flags);
	return index;
}

/* Try the current CPU's area first, then each of the others once. */
static long swiotlb_find_slots(struct io_tlb_mem *mem, const struct slot_request *req,
			       phys_addr_t orig)
{
	unsigned int nareas = mem->pool.nareas;
	unsigned int first = raw_smp_processor_id() & (nareas - 1);
	unsigned int i;
	long index;

	for (i = 0; i < nareas; i++) {
		index = area_alloc(mem, (first + i) & (nareas - 1), req, orig);
		if (index >= 0) {
			swiotlb_account(mem, req->nslots);
			return index;
		}
	}
	return -1;
}

/*
 * The head slot of the live mapping that covers @tlb_addr, or NULL when
 * @tlb_addr lies in a free slot.  Lock-free: the records of a live mapping
 * don't change until it is unmapped, and racing an unmap of the very
 * mapping being looked up is a caller bug that the unmap path re-checks.
 */
static struct io_tlb_slot *mapping_head(struct io_tlb_pool *pool, phys_addr_t tlb_addr)
{
	unsigned long index, back;

	if (tlb_addr < pool->start || tlb_addr >= pool->end)
		return NULL;
	index = addr_to_slot(pool, tlb_addr);
	if (!test_bit(index, pool->busy))
		return NULL;
	back = READ_ONCE(pool->slots[index].from_head);
	/* Runs never leave their segment: a larger value is garbage. */
	if (back > index % IO_TLB_SEGSIZE)
		return NULL;
	index -= back;
	if (!READ_ONCE(pool->slots[index].nslots))
		return NULL;
	return &pool->slots[index];
}

/* Address of the first mapped byte of the mapping headed by @head. */
static phys_addr_t mapping_start(struct io_tlb_pool *pool, struct io_tlb_slot *head)
{
	return slot_addr(pool, head - pool->slots) + head->tlb_offset;
}

/*
 * Free the run headed by slot @index, unless it is no longer the mapping
 * that starts at @tlb_addr (a second unmap got there first).
 */
static bool release_slots(struct io_tlb_mem *mem, unsigned long index, phys_addr_t tlb_addr)
{
	struct io_tlb_pool *pool = &mem->pool;
	struct io_tlb_area *area = &pool->areas[index / pool->area_nslabs];
	struct io_tlb_slot *head = &pool->slots[index];
	unsigned long flags, nslots, i;

	spin_lock_irqsave(&area->lock, flags);
	nslots = head->nslots;
	if (!nslots || !test_bit(index, pool->busy) || mapping_start(pool, head) != tlb_addr) {
		spin_unlock_irqrestore(&area->lock, flags);
		return false;
	}
	for (i = 0; i < nslots; i++)
		pool->slots[index + i] = (struct io_tlb_slot){ };
	bitmap_clear(pool->busy, index, nslots);
	area->used -= nslots;
	spin_unlock_irqrestore(&area->lock, flags);
	swiotlb_account(mem, -(long)nslots);
	return true;
}

/* ---- Copying ---- */

/*
 * Copy between the original buffer at @orig and bounce memory.  Where the
 * original may be in highmem it is mapped a page at a time; elsewhere the
 * direct map covers all of it.
 */
static void bounce_copy(phys_addr_t orig, void *bounce, size_t size, bool to_bounce)
{
	if (!IS_ENABLED(CONFIG_HIGHMEM)) {
		if (to_bounce)
			memcpy(bounce, phys_to_virt(orig), size);
		else
			memcpy(phys_to_virt(orig), bounce, size);
		return;
	}
	while (size) {
		size_t in_page = offset_in_page(orig);
		size_t chunk = min_t(size_t, size, PAGE_SIZE - in_page);
		void *vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(orig)));

		if (to_bounce)
			memcpy(bounce, vaddr + in_page, chunk);
		else
			memcpy(vaddr + in_page, bounce, chunk);
		kunmap_local(vaddr);
		orig += chunk;
		bounce += chunk;
		size -= chunk;
	}
}

/* ---- Mapping, unmapping and syncing ---- */

/**
 * swiotlb_tbl_map_single() - bounce a buffer: take slots and fill them
 * @dev:	device the mapping is for; its min_align_mask and segment
 *		boundary are honoured
 * @orig:	physical address of the original buffer
 * @mapping_size: bytes to map, at most swiotlb_max_mapping_size()
 * @alloc_align_mask: the run of slots must start at an address aligned to
 *		@alloc_align_mask + 1 and cover whole such units, with the data
 *		at @orig's offset in its unit (0: no demand)
 * @dir:	direction of the transfer
 * @attrs:	DMA_ATTR_NO_WARN silences failure messages
 *
 * The bounce buffer is always filled from the original, whatever @dir and
 * DMA_ATTR_SKIP_CPU_SYNC say.  Slots hold whatever the previous mapping
 * left; a device that writes only part of a DMA_FROM_DEVICE buffer would
 * otherwise have that stale data copied into the caller's buffer at unmap.
 *
 * Return: the physical address of the bounce buffer, or
 * (phys_addr_t)DMA_MAPPING_ERROR if the device has no pool, the request is
 * invalid or too large, or the pool is full.
 */
phys_addr_t swiotlb_tbl_map_single(struct device *dev, phys_addr_t orig,
				   size_t mapping_size, unsigned int alloc_align_mask,
				   enum dma_data_direction dir, unsigned long attrs)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	bool quiet = attrs & DMA_ATTR_NO_WARN;
	struct io_tlb_pool *pool;
	struct slot_request req;
	phys_addr_t tlb_addr;
	long index;

	/* Pairs with the release in swiotlb_init_io_tlb_pool(). */
	if (!mem || !smp_load_acquire(&mem->pool.nslabs)) {
		if (!quiet)
			dev_err_ratelimited(dev, "swiotlb: %zu bytes need bouncing but there is no bounce pool\n",
					    mapping_size);
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}
	pool = &mem->pool;

	if (!mapping_size || !valid_dma_direction(dir)) {
		if (!quiet)
			dev_err_ratelimited(dev, "swiotlb: refusing to bounce %zu bytes with direction %d\n",
					    mapping_size, dir);
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}

	if (mapping_size > SWIOTLB_SEG_BYTES ||
	    swiotlb_plan(dev, pool, orig, mapping_size, alloc_align_mask, &req)) {
		if (!quiet)
			dev_err_ratelimited(dev, "swiotlb: can't bounce %zu bytes at %pa: the most it can take for this device is %zu bytes\n",
					    mapping_size, &orig, swiotlb_max_mapping_size(dev));
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}

	index = swiotlb_find_slots(mem, &req, orig);
	if (index < 0) {
		if (!quiet)
			dev_warn_ratelimited(dev, "swiotlb: bounce pool full: %zu bytes (%u slots) requested, %lu of %lu slots free\n",
					     mapping_size, req.nslots,
					     pool->nslabs - swiotlb_mem_used(mem), pool->nslabs);
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}

	tlb_addr = slot_addr(pool, index) + req.offset;
	bounce_copy(orig, tlb_vaddr(pool, tlb_addr), mapping_size, true);
	/* This device now has buffers whose syncs do real work. */
	dma_reset_need_sync(dev);
	return tlb_addr;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_tbl_map_single);

/**
 * __swiotlb_tbl_unmap_single() - end a bounce mapping in a known pool
 * @dev:	device the mapping was made for
 * @tlb_addr:	address swiotlb_tbl_map_single() returned
 * @mapping_size: size that was mapped
 * @dir:	direction of the mapping
 * @attrs:	DMA_ATTR_SKIP_CPU_SYNC skips the copy back
 * @pool:	pool holding @tlb_addr, from swiotlb_find_pool()
 *
 * An address that is not the start of a live mapping (never mapped, already
 * unmapped, or pointing inside a mapping) is refused with a message: freeing
 * on its say-so would hand slots that are still in use to the next mapping.
 */
void __swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t tlb_addr,
				size_t mapping_size, enum dma_data_direction dir,
				unsigned long attrs, struct io_tlb_pool *pool)
{
	struct io_tlb_slot *head = mapping_head(pool, tlb_addr);
	size_t copy;

	if (!head || mapping_start(pool, head) != tlb_addr) {
		dev_err_ratelimited(dev, "swiotlb: unmap of %pa refused: not the start of a live bounce mapping\n",
				    &tlb_addr);
		return;
	}

	copy = head->mapping_size;
	if (mapping_size != copy) {
		dev_warn_ratelimited(dev, "swiotlb: unmap of %pa with size %zu, but %zu bytes were mapped\n",
				     &tlb_addr, mapping_size, copy);
		copy = min(copy, mapping_size);
	}
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	    (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL))
		bounce_copy(head->orig_addr, tlb_vaddr(pool, tlb_addr), copy, false);

	if (!release_slots(pool_to_mem(pool), head - pool->slots, tlb_addr))
		dev_err_ratelimited(dev, "swiotlb: unmap of %pa refused: unmapped concurrently\n",
				    &tlb_addr);
}
EXPORT_SYMBOL_IF_KUNIT(__swiotlb_tbl_unmap_single);

/**
 * swiotlb_find_mapping() - the live bounce mapping whose slots begin at an address
 * @dev:	device the mapping was made for
 * @run_addr:	address of the mapping's first slot
 * @tlb_addr:	set to the address swiotlb_tbl_map_single() returned for it
 * @mapping_size: set to the size it was mapped with
 *
 * For dma-iommu, which maps bounce memory by whole IOVA granules (the
 * @alloc_align_mask of swiotlb_tbl_map_single()) and, when it takes down a
 * range of granules, learns only where each bounce granule begins.
 *
 * Return: false if no live mapping's slots begin at @run_addr.
 */
bool swiotlb_find_mapping(struct device *dev, phys_addr_t run_addr, phys_addr_t *tlb_addr,
			  size_t *mapping_size)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, run_addr);
	struct io_tlb_slot *head;

	if (!pool)
		return false;
	head = mapping_head(pool, run_addr);
	if (!head || slot_addr(pool, head - pool->slots) != run_addr)
		return false;
	*tlb_addr = mapping_start(pool, head);
	*mapping_size = head->mapping_size;
	return true;
}

/*
 * The original address behind [@tlb_addr, @tlb_addr + @size), which must lie
 * within one live mapping; on any other range, complain and return
 * (phys_addr_t)DMA_MAPPING_ERROR so that nothing is copied.
 */
static phys_addr_t sync_target(struct device *dev, struct io_tlb_pool *pool,
			       phys_addr_t tlb_addr, size_t size)
{
	struct io_tlb_slot *head = mapping_head(pool, tlb_addr);
	phys_addr_t start, offset;

	if (head) {
		start = mapping_start(pool, head);
		offset = tlb_addr - start;
		if (tlb_addr >= start && offset <= head->mapping_size &&
		    size <= head->mapping_size - offset)
			return head->orig_addr + offset;
	}
	dev_err_ratelimited(dev, "swiotlb: sync of %zu bytes at %pa refused: not inside a live bounce mapping\n",
			    size, &tlb_addr);
	return (phys_addr_t)DMA_MAPPING_ERROR;
}

/**
 * __swiotlb_sync_single_for_device() - pass CPU writes on to the bounce buffer
 * @dev:	device the mapping was made for
 * @tlb_addr:	bounce address, possibly inside a mapping
 * @size:	bytes from @tlb_addr to copy
 * @dir:	direction of the mapping; only DMA_TO_DEVICE and
 *		DMA_BIDIRECTIONAL copy anything
 * @pool:	pool holding @tlb_addr, from swiotlb_find_pool()
 *
 * Exactly [@tlb_addr, @tlb_addr + @size) is refreshed from the matching bytes
 * of the original buffer; the rest of the mapping is left alone.
 */
void __swiotlb_sync_single_for_device(struct device *dev, phys_addr_t tlb_addr,
				      size_t size, enum dma_data_direction dir,
				      struct io_tlb_pool *pool)
{
	phys_addr_t orig;

	if (dir != DMA_TO_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	orig = sync_target(dev, pool, tlb_addr, size);
	if (orig != (phys_addr_t)DMA_MAPPING_ERROR)
		bounce_copy(orig, tlb_vaddr(pool, tlb_addr), size, true);
}
EXPORT_SYMBOL_IF_KUNIT(__swiotlb_sync_single_for_device);

/**
 * __swiotlb_sync_single_for_cpu() - pass device writes on to the original
 * @dev:	device the mapping was made for
 * @tlb_addr:	bounce address, possibly inside a mapping
 * @size:	bytes from @tlb_addr to copy
 * @dir:	direction of the mapping; only DMA_FROM_DEVICE and
 *		DMA_BIDIRECTIONAL copy anything
 * @pool:	pool holding @tlb_addr, from swiotlb_find_pool()
 *
 * Exactly [@tlb_addr, @tlb_addr + @size) is copied to the matching bytes of
 * the original buffer; the rest of it is left alone.
 */
void __swiotlb_sync_single_for_cpu(struct device *dev, phys_addr_t tlb_addr,
				   size_t size, enum dma_data_direction dir,
				   struct io_tlb_pool *pool)
{
	phys_addr_t orig;

	if (dir != DMA_FROM_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	orig = sync_target(dev, pool, tlb_addr, size);
	if (orig != (phys_addr_t)DMA_MAPPING_ERROR)
		bounce_copy(orig, tlb_vaddr(pool, tlb_addr), size, false);
}
EXPORT_SYMBOL_IF_KUNIT(__swiotlb_sync_single_for_cpu);

/**
 * swiotlb_map() - bounce a buffer for the direct backend
 * @dev:	device to map for
 * @phys:	physical address of the buffer
 * @size:	bytes to map
 * @dir:	direction of the transfer
 * @attrs:	mapping attributes; DMA_ATTR_NO_WARN silences failures
 *
 * Like swiotlb_tbl_map_single(), and then checks that the device can reach
 * the bounce buffer: a pool above the device's mask is no help.
 *
 * Return: the device address of the bounce buffer, or DMA_MAPPING_ERROR.
 */
dma_addr_t swiotlb_map(struct device *dev, phys_addr_t phys, size_t size,
		       enum dma_data_direction dir, unsigned long attrs)
{
	phys_addr_t tlb_addr;
	dma_addr_t dma;

	trace_swiotlb_bounced(dev, phys_to_dma(dev, phys), size);

	tlb_addr = swiotlb_tbl_map_single(dev, phys, size, 0, dir, attrs);
	if (tlb_addr == (phys_addr_t)DMA_MAPPING_ERROR)
		return DMA_MAPPING_ERROR;

	dma = phys_to_dma_unencrypted(dev, tlb_addr);
	if (unlikely(!dma_capable(dev, dma, size, true))) {
		__swiotlb_tbl_unmap_single(dev, tlb_addr, size, dir,
					   attrs | DMA_ATTR_SKIP_CPU_SYNC,
					   swiotlb_find_pool(dev, tlb_addr));
		if (!(attrs & DMA_ATTR_NO_WARN))
			dev_err_ratelimited(dev, "swiotlb: bounce buffer %pad+%zu is out of the device's reach (mask %#llx, bus limit %#llx)\n",
					    &dma, size, dev->dma_mask ? *dev->dma_mask : 0ULL,
					    (u64)dev->bus_dma_limit);
		return DMA_MAPPING_ERROR;
	}
	return dma;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_map);

/**
 * swiotlb_max_mapping_size() - largest bounce that can always be placed
 * @dev:	device to map for
 *
 * A run lies within one segment (and within one of the device's boundary
 * windows, if those are smaller).  Matching the original's low address bits
 * under min_align_mask can cost up to min_align_mask bytes at the front of
 * that window, so that much is taken off.
 *
 * Return: the size in bytes; any mapping up to it fits in an empty pool.
 */
size_t swiotlb_max_mapping_size(struct device *dev)
{
	unsigned long window = SWIOTLB_SEG_BYTES;
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned long min_align = dma_get_min_align_mask(dev);

	if (boundary < window - 1)
		window = boundary + 1;
	return window - min(min_align, window - 1);
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_max_mapping_size);

/* ---- Private pools (tests, and backends that want their own) ---- */

/**
 * swiotlb_mem_create() - build a private bounce pool from the page allocator
 * @nslabs:	slots wanted; rounded as swiotlb_fit_geometry() does
 * @nareas:	areas wanted; rounded likewise
 * @gfp:	where the pool memory may come from (e.g. GFP_DMA32)
 * @force_bounce: whether devices given this pool bounce every mapping
 *
 * Assign the result to dev->dma_io_tlb_mem to make a device bounce through
 * it.  The pool must fit one allocation of contiguous pages.
 *
 * Return: the new pool, or NULL if memory was short or it is too large.
 */
struct io_tlb_mem *swiotlb_mem_create(unsigned long nslabs, unsigned int nareas,
				      gfp_t gfp, bool force_bounce)
{
	struct io_tlb_mem *mem;
	struct page *page;
	unsigned int order;
	void *meta;

	swiotlb_fit_geometry(&nslabs, &nareas);
	order = get_order(nslabs << IO_TLB_SHIFT);
	if (order > MAX_PAGE_ORDER)
		return NULL;

	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	meta = kvzalloc(swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	page = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!mem || !meta || !page)
		goto fail;
	if (set_memory_decrypted((unsigned long)page_address(page),
				 PFN_UP(nslabs << IO_TLB_SHIFT))) {
		page = NULL;	/* unknown state: leak rather than reuse */
		goto fail;
	}
	mem->pool.late_alloc = true;
	if (swiotlb_init_io_tlb_pool(&mem->pool, page_to_phys(page), nslabs, nareas, meta)) {
		swiotlb_free_late_pool(page_address(page), nslabs, meta);
		kfree(mem);
		return NULL;
	}
	mem->force_bounce = force_bounce;
	return mem;
fail:
	if (page)
		__free_pages(page, order);
	kvfree(meta);
	kfree(mem);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_create);

/**
 * swiotlb_mem_destroy() - free a pool made by swiotlb_mem_create()
 * @mem:	the pool; no device may use it any more
 *
 * A pool that still has mappings is leaked with a warning instead: a device
 * may still be writing into it.
 */
void swiotlb_mem_destroy(struct io_tlb_mem *mem)
{
	struct io_tlb_pool *pool;

	if (!mem)
		return;
	pool = &mem->pool;
	if (WARN(swiotlb_mem_used(mem),
		 "swiotlb: destroying a pool with %lu slots mapped; leaking it\n",
		 swiotlb_mem_used(mem)))
		return;
	swiotlb_free_late_pool(pool->vaddr, pool->nslabs, pool->meta);
	kfree(mem);
}
EXPORT_SYMBOL_IF_KUNIT(swiotlb_mem_destroy);

/* ---- debugfs: /sys/kernel/debug/swiotlb ---- */

#ifdef CONFIG_DEBUG_FS
static int debugfs_used_get(void *data, u64 *val)
{
	*val = swiotlb_mem_used(data);
	return 0;
}

static int debugfs_hiwater_get(void *data, u64 *val)
{
	*val = swiotlb_mem_hiwater(data);
	return 0;
}

static int debugfs_hiwater_set(void *data, u64 val)
{
	return swiotlb_mem_reset_hiwater(data, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(used_fops, debugfs_used_get, NULL, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, debugfs_hiwater_get, debugfs_hiwater_set, "%llu\n");

static int __init swiotlb_debugfs_init(void)
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;

	mem->debugfs = debugfs_create_dir("swiotlb", NULL);
	debugfs_create_ulong("io_tlb_nslabs", 0400, mem->debugfs, &mem->pool.nslabs);
	debugfs_create_file_unsafe("io_tlb_used", 0400, mem->debugfs, mem, &used_fops);
	debugfs_create_file_unsafe("io_tlb_used_hiwater", 0600, mem->debugfs, mem,
				   &hiwater_fops);
	return 0;
}
late_initcall(swiotlb_debugfs_init);
#endif /* CONFIG_DEBUG_FS */
