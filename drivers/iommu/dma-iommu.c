// SPDX-License-Identifier: GPL-2.0
/*
 * dmacore: the IOMMU backend of the DMA API.
 *
 * A device behind an IOMMU sees memory only through the page tables of its
 * domain.  This backend gives each mapping a range of I/O virtual addresses
 * (IOVAs) of the domain, maps the buffer's pages there, and takes them away
 * again on unmap.  drivers/iommu/iommu.c owns the domains; it calls in here
 * to give a domain its DMA state (iommu_get_dma_cookie()), and to hand a
 * device to this backend (iommu_setup_dma_ops()).
 *
 * The cookie.  Everything the DMA API needs about a domain hangs off
 * domain->iova_cookie: the IOVA space (drivers/iommu/iova.c) in units of the
 * IOMMU's smallest page, the flush queues when invalidation is lazy, and the
 * MSI doorbell pages mapped for interrupt controllers that need them.  The
 * space is set up when the first device is attached, with every region the
 * IOMMU driver or the PCI host bridge reserves taken out of it for good, so
 * no mapping ever lands on an MSI window or a peer's MMIO window.
 *
 * Mapping.  A buffer rarely starts on a granule (IOMMU page) boundary.  Its
 * first and last granules are mapped whole, and the device gets the IOVA of
 * the granule plus the buffer's offset in it.  A PCI device first tries
 * IOVAs below 4 GiB, where some devices and bridges are faster, and moves to
 * its full mask once that space has run out (iommu.forcedac=1 skips the
 * first try), as drivers have come to expect.
 *
 * Unmapping.  Strict domains clear the page tables and invalidate the
 * IOTLB before the call returns: from then on the device cannot reach the
 * memory.  Lazy domains (IOMMU_DOMAIN_DMA_FQ) clear the page tables but
 * leave the IOVA in a per-CPU flush queue; one invalidation of the whole
 * domain, run when a queue fills or after IOMMU_DMA_FQ_TIMEOUT_MS, makes
 * every queued IOVA reusable at once.  Until then the device may still reach
 * the unmapped memory through a stale IOTLB entry: that is what lazy mode
 * trades for fewer invalidations.  An IOVA is never reused before the
 * invalidation that covers it has finished, so no device ever reaches a new
 * mapping through an old entry.
 *
 * Scatterlists.  A list is mapped into one IOVA range: each segment gets
 * whole granules of its own, laid out end to end, so that segments which
 * end and start on granule boundaries become one DMA segment for the device
 * (as long as its max_segment_size and segment boundary allow).  A segment
 * that would straddle the device's segment boundary is moved up to the next
 * one, leaving an unmapped hole.
 *
 * Coherent memory.  Small and atomic allocations, and those that ask for
 * DMA_ATTR_FORCE_CONTIGUOUS, are physically contiguous: large ones come from
 * a contiguous area (CMA) when there is one, as on the direct path.  Larger
 * ones that may sleep are built from whatever pages the allocator has
 * (large blocks first), mapped contiguously in IOVA space and vmap()ed for
 * the CPU: the device and the CPU each see one contiguous buffer that needs
 * no contiguous memory.
 *
 * Untrusted devices.  A device behind an external-facing port may be hostile,
 * so it must reach no byte it was not handed.  The granules a buffer fills
 * are mapped in place; a granule the buffer shares with other data (only its
 * first and last can) is replaced by a bounce granule from swiotlb holding
 * the buffer's bytes at the same offsets and zeroes around them.  Only those
 * two granules are copied, so mappings of any size work.  Unmaps of such
 * devices are always strict: a bounce granule goes back to swiotlb at once,
 * and a stale IOTLB entry must not let the device read its next user's data.
 *
 * Peer-to-peer memory.  An entry of a list may be another PCI device's BAR
 * (drivers/pci/p2pdma.c).  Where the two devices talk under a PCI switch,
 * bypassing the IOMMU, the entry becomes a DMA segment of its own holding
 * the PCI bus address and takes no IOVA; where their traffic goes through
 * the host bridge, and so through the IOMMU, it is mapped as RAM is.
 */

#define pr_fmt(fmt) "dma-iommu: " fmt

#include <linux/acpi_iort.h>
#include <linux/dma-map-ops.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/iova.h>
#include <linux/msi.h>
#include <linux/of_iommu.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

#include "dma-iommu.h"
#include "iommu-pages.h"
#include "../../kernel/dma/internal.h"

/* Unmapped IOVAs one CPU's flush queue holds before it forces a flush. */
#define IOMMU_DMA_FQ_ENTRIES	256
/* The longest a queued IOVA waits for the invalidation that frees it. */
#define IOMMU_DMA_FQ_TIMEOUT_MS	10

bool iommu_dma_forcedac __read_mostly;

static int __init iommu_dma_forcedac_setup(char *str)
{
	int ret = kstrtobool(str, &iommu_dma_forcedac);

	if (!ret && iommu_dma_forcedac)
		pr_info("PCI devices get IOVAs from their whole DMA mask (iommu.forcedac)\n");
	return ret;
}
early_param("iommu.forcedac", iommu_dma_forcedac_setup);

/**
 * struct fq_entry - an unmapped range that waits for an IOTLB flush
 * @pfn: first pfn of the range in the cookie's IOVA space
 * @pages: its length in pfns
 * @flushes: the range may be reused once this many flushes have finished
 * @pt_pages: page-table pages the IOMMU driver gave back with the range
 */
struct fq_entry {
	unsigned long pfn, pages;
	u64 flushes;
	struct list_head pt_pages;
};

/**
 * struct flush_queue - one CPU's ring of ranges waiting for a flush
 * @lock: protects the ring; also taken by the timer from another CPU
 * @head: oldest entry
 * @count: entries in use
 * @entries: the ring
 */
struct flush_queue {
	spinlock_t lock;	/* the ring */
	unsigned int head;
	unsigned int count;
	struct fq_entry entries[IOMMU_DMA_FQ_ENTRIES];
};

enum iommu_dma_cookie_kind {
	IOMMU_DMA_COOKIE_DMA,	/* a domain of the DMA API */
	IOMMU_DMA_COOKIE_MSI,	/* an unmanaged domain that only needs doorbells */
};

/**
 * struct msi_doorbell - an MSI doorbell page mapped into a domain
 * @link: on iommu_dma_cookie.doorbells
 * @page_addr: the doorbell's granule
 * @bus_addr: where the domain maps it
 */
struct msi_doorbell {
	struct list_head link;
	phys_addr_t page_addr;
	dma_addr_t bus_addr;
};

/**
 * struct iommu_dma_cookie - the DMA state of one IOMMU domain
 * @kind: what the domain is used for
 * @domain: the domain
 * @lock: serialises setting up the IOVA space and adding doorbells
 * @ready: @space is set up
 * @space: the IOVA space (IOMMU_DMA_COOKIE_DMA)
 * @msi_base: where the next doorbell goes (IOMMU_DMA_COOKIE_MSI)
 * @doorbells: MSI doorbells mapped so far
 * @fq: per-CPU flush queues when the domain is lazy, else NULL
 * @fq_started: flushes of the whole domain begun so far (the newest one's number)
 * @fq_finished: the number of the newest flush that has finished
 * @flush_timer: flushes the queues when nothing else has
 * @flush_timer_armed: @flush_timer is pending
 */
struct iommu_dma_cookie {
	enum iommu_dma_cookie_kind kind;
	struct iommu_domain *domain;
	struct mutex lock;	/* @ready, @space set-up, @doorbells, @msi_base */
	bool ready;
	struct iova_domain space;
	dma_addr_t msi_base;
	struct list_head doorbells;
	struct flush_queue __percpu *fq;
	atomic64_t fq_started;
	atomic64_t fq_finished;
	struct timer_list flush_timer;
	atomic_t flush_timer_armed;
};

/*
 * Refusals and failures name the device, the backend and the reason, rate
 * limited; DMA_ATTR_NO_WARN silences them as it does in the core.
 */
#define iommu_dma_complain(dev, attrs, fmt, ...) \
	dma_complain(dev, attrs, "dma-iommu", fmt, ##__VA_ARGS__)

static bool dev_is_untrusted(struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev)->untrusted;
}

/*
 * The IOMMU protection bits for a mapping the device uses as @dir says
 * (the core has refused DMA_NONE): reading memory unless the device only
 * writes it, writing unless it only reads it.
 */
static int dma_dir_to_prot(enum dma_data_direction dir, bool coherent,
			   unsigned long attrs)
{
	return (coherent ? IOMMU_CACHE : 0) |
	       (attrs & DMA_ATTR_PRIVILEGED ? IOMMU_PRIV : 0) |
	       (dir != DMA_FROM_DEVICE ? IOMMU_READ : 0) |
	       (dir != DMA_TO_DEVICE ? IOMMU_WRITE : 0);
}

/* ---------------------------------------------------------------- cookies */

static struct iommu_dma_cookie *cookie_alloc(struct iommu_domain *domain,
					     enum iommu_dma_cookie_kind kind)
{
	struct iommu_dma_cookie *cookie = kzalloc(sizeof(*cookie), GFP_KERNEL);

	if (!cookie)
		return NULL;
	cookie->kind = kind;
	cookie->domain = domain;
	mutex_init(&cookie->lock);
	INIT_LIST_HEAD(&cookie->doorbells);
	return cookie;
}

/**
 * iommu_get_dma_cookie() - give a domain the state the DMA API needs
 * @domain: a domain that devices will use through the DMA API
 *
 * The IOVA space itself is set up when the first device is attached
 * (iommu_setup_dma_ops()), since its shape depends on the device.
 * Context: may sleep.
 *
 * Return: 0, -EEXIST if the domain has a cookie already, or -ENOMEM.
 */
int iommu_get_dma_cookie(struct iommu_domain *domain)
{
	struct iommu_dma_cookie *cookie;
	int ret;

	if (domain->iova_cookie)
		return -EEXIST;
	/* The IOVA allocator's caches and CPU hotplug state, for its life. */
	ret = iova_cache_get();
	if (ret)
		return ret;
	cookie = cookie_alloc(domain, IOMMU_DMA_COOKIE_DMA);
	if (!cookie) {
		iova_cache_put();
		return -ENOMEM;
	}
	domain->iova_cookie = cookie;
	return 0;
}

/**
 * iommu_get_msi_cookie() - let an unmanaged domain map MSI doorbells
 * @domain: an IOMMU_DOMAIN_UNMANAGED domain, such as a VFIO container's
 * @base: the IOVA from which doorbells may be mapped, which the domain's
 *	owner keeps free for them
 *
 * Interrupt controllers whose doorbells sit behind the IOMMU then get the
 * doorbells mapped at @base and up (iommu_dma_prepare_msi()).
 *
 * Return: 0, -EINVAL for a domain of another type, -EEXIST if the domain
 * has a cookie already, or -ENOMEM.
 */
int iommu_get_msi_cookie(struct iommu_domain *domain, dma_addr_t base)
{
	struct iommu_dma_cookie *cookie;

	if (domain->type != IOMMU_DOMAIN_UNMANAGED)
		return -EINVAL;
	if (domain->iova_cookie)
		return -EEXIST;
	cookie = cookie_alloc(domain, IOMMU_DMA_COOKIE_MSI);
	if (!cookie)
		return -ENOMEM;
	cookie->msi_base = base;
	domain->iova_cookie = cookie;
	return 0;
}
EXPORT_SYMBOL(iommu_get_msi_cookie);

static void fq_destroy(struct iommu_dma_cookie *cookie);

/**
 * iommu_put_dma_cookie() - free a domain's DMA state
 * @domain: the domain, which no device uses any more
 *
 * Queued IOVAs are flushed and freed with the rest.  A domain without a
 * cookie is left alone.
 */
void iommu_put_dma_cookie(struct iommu_domain *domain)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	struct msi_doorbell *bell, *next;

	if (!cookie)
		return;
	if (cookie->ready) {
		fq_destroy(cookie);
		put_iova_domain(&cookie->space);
	}
	list_for_each_entry_safe(bell, next, &cookie->doorbells, link)
		kfree(bell);
	if (cookie->kind == IOMMU_DMA_COOKIE_DMA)
		iova_cache_put();
	kfree(cookie);
	domain->iova_cookie = NULL;
}

/* ------------------------------------------------------------ flush queues */

static struct fq_entry *fq_entry(struct flush_queue *fq, unsigned int i)
{
	return &fq->entries[(fq->head + i) % IOMMU_DMA_FQ_ENTRIES];
}

/*
 * One invalidation of the whole domain.  Flushes are numbered as they
 * start, and @fq_finished holds the number of the newest one that has
 * finished: a range queued before flush n started may be reused once
 * @fq_finished reaches n, whether or not older flushes still run.  (A
 * count of finished flushes would not do: after its own flush, a CPU with
 * a full queue could find none of it reusable while a slower flush that
 * began earlier is still under way.)
 */
static void fq_flush(struct iommu_dma_cookie *cookie)
{
	s64 seq = atomic64_inc_return(&cookie->fq_started);
	s64 done;

	iommu_flush_iotlb_all(cookie->domain);
	done = atomic64_read(&cookie->fq_finished);
	while (done < seq && !atomic64_try_cmpxchg(&cookie->fq_finished, &done, seq))
		;
}

/* Free the oldest entries of @fq that a finished flush has covered. */
static void fq_reclaim(struct iommu_dma_cookie *cookie, struct flush_queue *fq)
{
	u64 finished = atomic64_read(&cookie->fq_finished);
	struct fq_entry *entry;

	lockdep_assert_held(&fq->lock);
	while (fq->count) {
		entry = fq_entry(fq, 0);
		if (entry->flushes > finished)
			break;
		iommu_put_pages_list(&entry->pt_pages);
		free_iova_fast(&cookie->space, entry->pfn, entry->pages);
		fq->head = (fq->head + 1) % IOMMU_DMA_FQ_ENTRIES;
		fq->count--;
	}
}

static void fq_reclaim_all_cpus(struct iommu_dma_cookie *cookie)
{
	struct flush_queue *fq;
	unsigned long irqflags;
	int cpu;

	for_each_possible_cpu(cpu) {
		fq = per_cpu_ptr(cookie->fq, cpu);
		spin_lock_irqsave(&fq->lock, irqflags);
		fq_reclaim(cookie, fq);
		spin_unlock_irqrestore(&fq->lock, irqflags);
	}
}

static void fq_timer_fn(struct timer_list *t)
{
	struct iommu_dma_cookie *cookie = from_timer(cookie, t, flush_timer);

	/*
	 * Disarm before flushing: a range queued from now on arms a new timer,
	 * and one queued before is covered by this flush.
	 */
	atomic_set(&cookie->flush_timer_armed, 0);
	/* Pairs with the barrier in fq_queue(): disarmed, then flushed. */
	smp_mb__after_atomic();
	fq_flush(cookie);
	fq_reclaim_all_cpus(cookie);
}

/* Queue an unmapped range; the page tables no longer map it. */
static void fq_queue(struct iommu_dma_cookie *cookie, unsigned long pfn,
		     unsigned long pages, struct list_head *freelist)
{
	struct flush_queue *fq;
	struct fq_entry *entry;
	unsigned long irqflags;

	/*
	 * The cleared page tables must be visible before the flush count is
	 * read: any flush that starts after that read covers this range.
	 */
	smp_mb();
	fq = raw_cpu_ptr(cookie->fq);
	spin_lock_irqsave(&fq->lock, irqflags);
	fq_reclaim(cookie, fq);
	if (fq->count == IOMMU_DMA_FQ_ENTRIES) {
		/* Covers every entry here, all queued before it started. */
		fq_flush(cookie);
		fq_reclaim(cookie, fq);
	}
	entry = fq_entry(fq, fq->count++);
	entry->pfn = pfn;
	entry->pages = pages;
	entry->flushes = atomic64_read(&cookie->fq_started) + 1;
	INIT_LIST_HEAD(&entry->pt_pages);
	list_splice(freelist, &entry->pt_pages);
	spin_unlock_irqrestore(&fq->lock, irqflags);

	if (!atomic_read(&cookie->flush_timer_armed) &&
	    !atomic_xchg(&cookie->flush_timer_armed, 1))
		mod_timer(&cookie->flush_timer,
			  jiffies + msecs_to_jiffies(IOMMU_DMA_FQ_TIMEOUT_MS));
}

/* Stop the timer, flush once more and free every queued range. */
static void fq_drain(struct iommu_dma_cookie *cookie)
{
	timer_delete_sync(&cookie->flush_timer);
	fq_flush(cookie);
	fq_reclaim_all_cpus(cookie);
}

static void fq_destroy(struct iommu_dma_cookie *cookie)
{
	if (!cookie->fq)
		return;
	fq_drain(cookie);
	free_percpu(cookie->fq);
	cookie->fq = NULL;
}

/**
 * iommu_dma_init_fq() - make a domain's invalidation lazy
 * @domain: a DMA domain, strict so far
 *
 * Called by the IOMMU core when the domain becomes IOMMU_DOMAIN_DMA_FQ, also
 * while devices use it: unmaps that start after this returns queue their
 * IOVAs instead of invalidating at once.
 *
 * Return: 0, or -ENOMEM (the domain then stays strict).
 */
int iommu_dma_init_fq(struct iommu_domain *domain)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	struct flush_queue __percpu *queues;
	int cpu;

	if (!cookie || cookie->kind != IOMMU_DMA_COOKIE_DMA)
		return -EINVAL;
	if (cookie->fq)
		return 0;
	queues = alloc_percpu(struct flush_queue);
	if (!queues)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct flush_queue *fq = per_cpu_ptr(queues, cpu);

		spin_lock_init(&fq->lock);
		fq->head = 0;
		fq->count = 0;
	}
	atomic64_set(&cookie->fq_started, 0);
	atomic64_set(&cookie->fq_finished, 0);
	atomic_set(&cookie->flush_timer_armed, 0);
	timer_setup(&cookie->flush_timer, fq_timer_fn, 0);
	/* Publish the queues last: the unmap path reads them without a lock. */
	smp_store_release(&cookie->fq, queues);
	return 0;
}

/* ------------------------------------------------------------ IOVA space */

/* Take [@start, @end] (bus addresses, inclusive) out of the IOVA space. */
static int reserve_bus_range(struct iova_domain *iovad, u64 start, u64 end)
{
	unsigned long shift = iova_shift(iovad);

	if (end < start)
		return 0;
	if (!reserve_iova(iovad, start >> shift, end >> shift))
		return -ENOMEM;
	return 0;
}

/*
 * A PCI device must not get IOVAs in its host bridge's MMIO windows (peer
 * traffic would never reach the IOMMU) nor outside the bridge's inbound
 * windows, if it lists any.
 */
static int reserve_bridge_windows(struct iova_domain *iovad, struct pci_dev *pdev)
{
	struct pci_host_bridge *bridge = pci_find_host_bridge(pdev->bus);
	struct resource_entry *window;
	u64 next = 0;
	int ret;

	resource_list_for_each_entry(window, &bridge->windows) {
		if (resource_type(window->res) != IORESOURCE_MEM)
			continue;
		ret = reserve_bus_range(iovad, window->res->start - window->offset,
					window->res->end - window->offset);
		if (ret)
			return ret;
	}
	if (list_empty(&bridge->dma_ranges))
		return 0;
	/* dma_ranges is sorted by address: reserve what lies between. */
	resource_list_for_each_entry(window, &bridge->dma_ranges) {
		u64 start = window->res->start - window->offset;

		if (start > next) {
			ret = reserve_bus_range(iovad, next, start - 1);
			if (ret)
				return ret;
		}
		next = max_t(u64, next, window->res->end - window->offset + 1);
		if (!next)	/* the window reached the top of the space */
			return 0;
	}
	return reserve_bus_range(iovad, next, U64_MAX);
}

static int reserve_device_regions(struct iova_domain *iovad, struct device *dev)
{
	struct iommu_resv_region *region;
	LIST_HEAD(regions);
	int ret = 0;

	if (dev_is_pci(dev)) {
		ret = reserve_bridge_windows(iovad, to_pci_dev(dev));
		if (ret)
			return ret;
	}
	iommu_get_resv_regions(dev, &regions);
	list_for_each_entry(region, &regions, list) {
		if (!region->length)
			continue;
		ret = reserve_bus_range(iovad, region->start,
					region->start + region->length - 1);
		if (ret)
			break;
	}
	iommu_put_resv_regions(dev, &regions);
	return ret;
}

/*
 * Set up @domain's IOVA space for @dev, the first device attached to it; a
 * later device finds it ready.
 */
static int iommu_dma_init_domain(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_dma_cookie *cookie = domain->iova_cookie;
	unsigned long granule, start_pfn;
	int ret = 0;

	if (!cookie || cookie->kind != IOMMU_DMA_COOKIE_DMA || !domain->pgsize_bitmap)
		return -EINVAL;
	granule = 1UL << __ffs(domain->pgsize_bitmap);
	if (granule > PAGE_SIZE) {
		dev_err(dev, "IOMMU pages of %lu bytes are larger than CPU pages\n", granule);
		return -EINVAL;
	}
	/* IOVA 0 is never handed out: too many drivers treat 0 as "none". */
	start_pfn = max_t(unsigned long, 1, domain->geometry.aperture_start >> __ffs(granule));

	mutex_lock(&cookie->lock);
	if (cookie->ready) {
		if (cookie->space.granule != granule || cookie->space.start_pfn != start_pfn)
			ret = -EFAULT;
		goto out;
	}
	init_iova_domain(&cookie->space, granule, start_pfn);
	ret = iova_domain_init_rcaches(&cookie->space);
	if (!ret)
		ret = reserve_device_regions(&cookie->space, dev);
	if (ret) {
		put_iova_domain(&cookie->space);
		goto out;
	}
	/* Lazy only where the driver says deferred invalidation is safe. */
	if (domain->type == IOMMU_DOMAIN_DMA_FQ &&
	    (!device_iommu_capable(dev, IOMMU_CAP_DEFERRED_FLUSH) ||
	     iommu_dma_init_fq(domain)))
		domain->type = IOMMU_DOMAIN_DMA;
	cookie->ready = true;
out:
	mutex_unlock(&cookie->lock);
	return ret;
}

/*
 * An IOVA range of @size bytes (whole granules) that @dev can reach with
 * @mask, or 0 when the space is full.
 */
static dma_addr_t iova_alloc(struct iommu_dma_cookie *cookie, struct device *dev,
			     size_t size, u64 mask)
{
	const struct iommu_domain_geometry *aperture = &cookie->domain->geometry;
	struct iova_domain *space = &cookie->space;
	unsigned long shift = iova_shift(space), pages = size >> shift, pfn;
	u64 limit = min_not_zero(mask, dev->bus_dma_limit);

	if (aperture->force_aperture)
		limit = min_t(u64, limit, aperture->aperture_end);
	if (limit > DMA_BIT_MASK(32) && dev->iommu->pci_32bit_workaround) {
		pfn = alloc_iova_fast(space, pages, DMA_BIT_MASK(32) >> shift, false);
		if (pfn)
			return (dma_addr_t)pfn << shift;
		/* The 32-bit space is full: from now on, the whole mask. */
		dev->iommu->pci_32bit_workaround = false;
		dev_notice(dev, "using IOVAs above 4 GiB\n");
	}
	pfn = alloc_iova_fast(space, pages, limit >> shift, true);
	return (dma_addr_t)pfn << shift;
}

/*
 * Give back an unmapped IOVA range: at once when the IOTLB has been
 * invalidated, through the flush queue when it has not.
 */
static void iova_free(struct iommu_dma_cookie *cookie, dma_addr_t iova, size_t size,
		      struct iommu_iotlb_gather *gather)
{
	struct iova_domain *iovad = &cookie->space;
	unsigned long shift = iova_shift(iovad);

	if (gather && gather->queued)
		fq_queue(cookie, iova >> shift, size >> shift, &gather->freelist);
	else
		free_iova_fast(iovad, iova >> shift, size >> shift);
}

/* -------------------------------------------------------- map and unmap */

/* The DMA state of the domain that translates for @dev. */
static struct iommu_dma_cookie *dev_cookie(struct device *dev)
{
	return iommu_get_dma_domain(dev)->iova_cookie;
}

/* Unmaps queue their IOVAs; iommu_dma_init_fq() may turn this on live. */
static bool domain_is_lazy(struct iommu_dma_cookie *cookie)
{
	return READ_ONCE(cookie->fq);
}

/*
 * Map @size bytes at @phys for @dev, below @mask.  Returns the device's
 * address of @phys, or DMA_MAPPING_ERROR after a complaint.
 */
static dma_addr_t map_phys(struct device *dev, phys_addr_t phys, size_t size,
			   int prot, u64 mask, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	size_t offset = iova_offset(&cookie->space, phys);
	size_t len = iova_align(&cookie->space, size + offset);
	dma_addr_t start;
	int ret;

	start = iova_alloc(cookie, dev, len, mask);
	if (!start) {
		iommu_dma_complain(dev, attrs, "no free IOVA range of %zu bytes below %#llx",
				   len, mask);
		return DMA_MAPPING_ERROR;
	}
	ret = iommu_map(cookie->domain, start, phys - offset, len, prot, GFP_ATOMIC);
	if (ret) {
		iova_free(cookie, start, len, NULL);
		iommu_dma_complain(dev, attrs, "IOMMU map of %zu bytes failed: %d", len, ret);
		return DMA_MAPPING_ERROR;
	}
	return start + offset;
}

/* Whether @start is mapped, so that an unmap there may free its IOVAs. */
static bool unmap_allowed(struct device *dev, struct iommu_dma_cookie *cookie, dma_addr_t start)
{
	if (likely(iommu_iova_to_phys(cookie->domain, start)))
		return true;
	iommu_dma_complain(dev, 0, "unmap at %pad, which is not mapped", &start);
	return false;
}

/*
 * Before an unmap: refuse an address the page tables do not map (some IOMMU
 * drivers report a never-mapped range as unmapped all the same, and freeing
 * its IOVAs would hand out ranges still in use), and set up @gather, queued
 * in a lazy domain.
 */
static bool unmap_begin(struct device *dev, struct iommu_dma_cookie *cookie,
			dma_addr_t start, struct iommu_iotlb_gather *gather)
{
	if (unlikely(!unmap_allowed(dev, cookie, start)))
		return false;
	iommu_iotlb_gather_init(gather);
	gather->queued = domain_is_lazy(cookie);
	return true;
}

/*
 * After it: invalidate now unless queued or nothing is left to invalidate
 * (an empty gather still costs some drivers a flush), and give the IOVA
 * range back.
 */
static void unmap_finish(struct iommu_dma_cookie *cookie, dma_addr_t start, size_t len,
			 struct iommu_iotlb_gather *gather)
{
	if (!gather->queued && gather->start <= gather->end)
		iommu_iotlb_sync(cookie->domain, gather);
	iova_free(cookie, start, len, gather);
}

/*
 * Unmap and invalidate now, or queue the invalidation in a lazy domain.  A
 * range that is not ours is refused, with a message.
 */
static void unmap_iova(struct device *dev, dma_addr_t dma_addr, size_t size)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	size_t offset = iova_offset(&cookie->space, dma_addr);
	dma_addr_t start = dma_addr - offset;
	struct iommu_iotlb_gather gather;
	size_t len, unmapped;

	if (!unmap_begin(dev, cookie, start, &gather))
		return;
	len = iova_align(&cookie->space, size + offset);
	unmapped = iommu_unmap_fast(cookie->domain, start, len, &gather);
	if (unlikely(unmapped != len)) {
		/* Not a range we mapped whole: leave the IOVA space alone. */
		iommu_dma_complain(dev, 0, "unmap of %pad (%zu bytes): %zu bytes were mapped there",
				   &dma_addr, size, unmapped);
		iommu_iotlb_sync(cookie->domain, &gather);
		return;
	}
	unmap_finish(cookie, start, len, &gather);
}

/* The CPU address behind @dma_addr, for syncs of non-coherent devices. */
static phys_addr_t iova_to_phys(struct device *dev, dma_addr_t dma_addr)
{
	return iommu_iova_to_phys(dev_cookie(dev)->domain, dma_addr);
}

/* ---------------------------------------------------- cache maintenance */

/*
 * Whether @dev never needs its syncs: it snoops the CPU's caches and nothing
 * of it is ever bounced.  The core then skips them without calling in.
 */
bool iommu_dma_never_syncs(struct device *dev)
{
	return dev_is_dma_coherent(dev) && !dev_is_untrusted(dev);
}

/*
 * Cache maintenance for a device that does not snoop: hand @len bytes at
 * @phys to the CPU, or to the device.
 */
static void cache_handover(struct device *dev, phys_addr_t phys, size_t len,
			   enum dma_data_direction dir, bool to_cpu)
{
	if (dev_is_dma_coherent(dev))
		return;
	if (to_cpu)
		arch_sync_dma_for_cpu(phys, len, dir);
	else
		arch_sync_dma_for_device(phys, len, dir);
}

/*
 * The same for every buffer of a scatterlist; a snooping device's list is
 * not even walked, since sg_next() is a call per entry.
 */
static void cache_handover_list(struct device *dev, struct scatterlist *list, int nents,
				enum dma_data_direction dir, bool to_cpu)
{
	struct scatterlist *seg;
	int i;

	if (dev_is_dma_coherent(dev))
		return;
	for_each_sg(list, seg, nents, i)
		cache_handover(dev, sg_phys(seg), seg->length, dir, to_cpu);
}

/* ---------------------------------------------------- untrusted devices */

/* A range cut at granule boundaries: part-filled first granule, whole ones, part-filled last. */
struct granule_split {
	size_t head;
	size_t body;
	size_t tail;
};

static struct granule_split split_at_granules(struct iova_domain *space, u64 addr, size_t len)
{
	struct granule_split part = {};
	size_t offset = iova_offset(space, addr);

	if (offset)
		part.head = min_t(size_t, len, space->granule - offset);
	part.body = iova_align_down(space, len - part.head);
	part.tail = len - part.head - part.body;
	return part;
}

/*
 * Copy @len bytes at @phys, which lie in one granule, to a bounce granule of
 * their own at the same offset, and zero the rest of that granule: it may
 * still hold an earlier mapping's data.  Returns the bounce address, or
 * (phys_addr_t)DMA_MAPPING_ERROR after swiotlb has complained.
 */
static phys_addr_t bounce_piece(struct device *dev, struct iova_domain *space, phys_addr_t phys,
				size_t len, enum dma_data_direction dir, unsigned long attrs)
{
	phys_addr_t tlb, granule;

	if (!IS_ENABLED(CONFIG_SWIOTLB)) {
		iommu_dma_complain(dev, attrs, "untrusted device: bouncing needs CONFIG_SWIOTLB");
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}
	tlb = swiotlb_tbl_map_single(dev, phys, len, iova_mask(space), dir, attrs);
	if (tlb == (phys_addr_t)DMA_MAPPING_ERROR)
		return tlb;
	granule = iova_align_down(space, tlb);
	memset(phys_to_virt(granule), 0, tlb - granule);
	memset(phys_to_virt(tlb + len), 0, granule + space->granule - (tlb + len));
	/* Zeroes and data alike must be in memory before the device looks. */
	cache_handover(dev, granule, space->granule, DMA_BIDIRECTIONAL, false);
	return tlb;
}

/* Map whole granules at @phys at the IOVA *@at, and step *@at past them. */
static int map_granules(struct iommu_domain *domain, dma_addr_t *at, phys_addr_t phys,
			size_t len, int prot)
{
	int ret;

	if (!len)
		return 0;
	ret = iommu_map(domain, *at, phys, len, prot, GFP_ATOMIC);
	if (!ret)
		*at += len;
	return ret;
}

/* An untrusted buffer's part-filled end granules and their bounce copies. */
struct bounced_ends {
	struct granule_split part;
	phys_addr_t head;
	phys_addr_t tail;
};

/*
 * Bounce the part-filled end granules of @size bytes at @phys, and hand the
 * whole granules between them to the device.  Returns 0, or -ENOMEM after
 * swiotlb has complained.
 */
static int bounce_ends(struct device *dev, struct iova_domain *space, phys_addr_t phys,
		       size_t size, enum dma_data_direction dir, unsigned long attrs,
		       struct bounced_ends *ends)
{
	struct granule_split part = split_at_granules(space, phys, size);

	ends->part = part;
	ends->head = 0;
	ends->tail = 0;
	if (part.head) {
		ends->head = bounce_piece(dev, space, phys, part.head, dir, attrs);
		if (ends->head == (phys_addr_t)DMA_MAPPING_ERROR)
			return -ENOMEM;
	}
	if (part.tail) {
		ends->tail = bounce_piece(dev, space, phys + size - part.tail, part.tail, dir,
					  attrs);
		if (ends->tail == (phys_addr_t)DMA_MAPPING_ERROR) {
			if (part.head)
				swiotlb_tbl_unmap_single(dev, ends->head, part.head, dir,
							 DMA_ATTR_SKIP_CPU_SYNC);
			return -ENOMEM;
		}
	}
	if (part.body && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		cache_handover(dev, phys + part.head, part.body, dir, false);
	return 0;
}

/* Undo bounce_ends() after a failure: the bounce granules go back unread. */
static void release_ends(struct device *dev, const struct bounced_ends *ends,
			 enum dma_data_direction dir)
{
	if (ends->part.tail)
		swiotlb_tbl_unmap_single(dev, ends->tail, ends->part.tail, dir,
					 DMA_ATTR_SKIP_CPU_SYNC);
	if (ends->part.head)
		swiotlb_tbl_unmap_single(dev, ends->head, ends->part.head, dir,
					 DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * Map the buffer at @phys whose ends bounce_ends() bounced, from the
 * granule at @start: head bounce granule, the buffer's whole granules, tail
 * bounce granule.  On failure nothing is left mapped.
 */
static int map_bounced(struct iommu_domain *domain, struct iova_domain *space, dma_addr_t start,
		       phys_addr_t phys, const struct bounced_ends *ends, int prot)
{
	dma_addr_t at = start;
	int ret;

	ret = map_granules(domain, &at, iova_align_down(space, ends->head),
			   ends->part.head ? space->granule : 0, prot);
	if (!ret)
		ret = map_granules(domain, &at, phys + ends->part.head, ends->part.body, prot);
	if (!ret)
		ret = map_granules(domain, &at, ends->tail, ends->part.tail ? space->granule : 0,
				   prot);
	if (ret && at != start)
		iommu_unmap(domain, start, at - start);
	return ret;
}

/*
 * Map @size bytes at @phys for an untrusted device: the granules the buffer
 * fills in place, each part-filled one through a bounce granule.
 */
static dma_addr_t map_untrusted(struct device *dev, phys_addr_t phys, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;
	int prot = dma_dir_to_prot(dir, dev_is_dma_coherent(dev), attrs);
	size_t len = iova_align(space, iova_offset(space, phys) + size);
	struct bounced_ends ends;
	dma_addr_t start;
	int ret;

	if (bounce_ends(dev, space, phys, size, dir, attrs, &ends))
		return DMA_MAPPING_ERROR;
	start = iova_alloc(cookie, dev, len, dma_get_mask(dev));
	if (!start) {
		iommu_dma_complain(dev, attrs, "no free IOVA range of %zu bytes below %#llx",
				   len, dma_get_mask(dev));
		goto release;
	}
	ret = map_bounced(cookie->domain, space, start, phys, &ends, prot);
	if (!ret)
		return start + iova_offset(space, phys);
	iova_free(cookie, start, len, NULL);
	iommu_dma_complain(dev, attrs, "IOMMU map of %zu bytes failed: %d", len, ret);
release:
	release_ends(dev, &ends, dir);
	return DMA_MAPPING_ERROR;
}

/* Hand @len bytes at @dma_addr, all in one bounce granule or none, over. */
static void sync_piece(struct device *dev, dma_addr_t dma_addr, size_t len,
		       enum dma_data_direction dir, bool to_cpu)
{
	phys_addr_t phys;

	if (!len)
		return;
	phys = iova_to_phys(dev, dma_addr);
	if (!phys)
		return;
	if (!is_swiotlb_buffer(dev, phys)) {
		cache_handover(dev, phys, len, dir, to_cpu);
	} else if (to_cpu) {
		cache_handover(dev, phys, len, dir, true);
		swiotlb_sync_single_for_cpu(dev, phys, len, dir);
	} else {
		swiotlb_sync_single_for_device(dev, phys, len, dir);
		cache_handover(dev, phys, len, dir, false);
	}
}

/*
 * Sync (part of) an untrusted mapping.  Only granules the mapping part-fills
 * can be bounced, and within the mapping those are a range's part-filled
 * granules too.
 */
static void sync_untrusted(struct device *dev, dma_addr_t dma_addr, size_t size,
			   enum dma_data_direction dir, bool to_cpu)
{
	struct granule_split part = split_at_granules(&dev_cookie(dev)->space, dma_addr, size);

	sync_piece(dev, dma_addr, part.head, dir, to_cpu);
	sync_piece(dev, dma_addr + part.head, part.body, dir, to_cpu);
	sync_piece(dev, dma_addr + part.head + part.body, part.tail, dir, to_cpu);
}

/* Untrusted segments that may wait, unmapped, for one IOTLB invalidation. */
#define UNMAP_SG_BATCH	8

struct unmapped_segments {
	unsigned int count;
	struct {
		dma_addr_t addr;
		size_t size;
		phys_addr_t head;
		phys_addr_t tail;
	} seg[UNMAP_SG_BATCH];
};

/*
 * Invalidate everything the batch's segments had mapped, then give their
 * IOVAs and bounce granules back: only now can the device reach neither.
 */
static void release_unmapped_segments(struct device *dev, struct iommu_dma_cookie *cookie,
				      struct unmapped_segments *batch,
				      enum dma_data_direction dir,
				      struct iommu_iotlb_gather *gather)
{
	struct iova_domain *space = &cookie->space;
	struct granule_split part;
	dma_addr_t addr;
	unsigned int i;

	if (!batch->count)
		return;
	iommu_iotlb_sync(cookie->domain, gather);
	for (i = 0; i < batch->count; i++) {
		addr = batch->seg[i].addr;
		part = split_at_granules(space, addr, batch->seg[i].size);
		iova_free(cookie, iova_align_down(space, addr),
			  iova_align(space, iova_offset(space, addr) + batch->seg[i].size), NULL);
		if (is_swiotlb_buffer(dev, batch->seg[i].head))
			swiotlb_tbl_unmap_single(dev, batch->seg[i].head, part.head, dir,
						 DMA_ATTR_SKIP_CPU_SYNC);
		if (is_swiotlb_buffer(dev, batch->seg[i].tail))
			swiotlb_tbl_unmap_single(dev, batch->seg[i].tail, part.tail, dir,
						 DMA_ATTR_SKIP_CPU_SYNC);
	}
	batch->count = 0;
}

/*
 * Take the untrusted mapping at @addr down into @batch: copy back, clear
 * its page tables into @gather; its IOVAs and bounce granules wait in
 * @batch for the invalidation.  A refused unmap leaves them to the mapping
 * that has them.
 */
static void unmap_untrusted_into(struct device *dev, struct iommu_dma_cookie *cookie,
				 dma_addr_t addr, size_t size, enum dma_data_direction dir,
				 unsigned long attrs, struct unmapped_segments *batch,
				 struct iommu_iotlb_gather *gather)
{
	struct iova_domain *space = &cookie->space;
	struct granule_split part = split_at_granules(space, addr, size);
	dma_addr_t start = iova_align_down(space, addr);
	size_t len = iova_align(space, iova_offset(space, addr) + size);

	batch->seg[batch->count].head = part.head ? iova_to_phys(dev, addr) : 0;
	batch->seg[batch->count].tail = part.tail ? iova_to_phys(dev, addr + size - part.tail) : 0;
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		sync_untrusted(dev, addr, size, dir, true);
	if (!unmap_allowed(dev, cookie, start))
		return;
	if (unlikely(iommu_unmap_fast(cookie->domain, start, len, gather) != len)) {
		iommu_dma_complain(dev, 0, "unmap of %pad (%zu bytes): it was not mapped whole",
				   &addr, size);
		return;
	}
	batch->seg[batch->count].addr = addr;
	batch->seg[batch->count].size = size;
	if (++batch->count == UNMAP_SG_BATCH)
		release_unmapped_segments(dev, cookie, batch, dir, gather);
}

/* Release what @batch still holds, and invalidate a refused unmap's part. */
static void finish_untrusted_unmaps(struct device *dev, struct iommu_dma_cookie *cookie,
				    struct unmapped_segments *batch, enum dma_data_direction dir,
				    struct iommu_iotlb_gather *gather)
{
	release_unmapped_segments(dev, cookie, batch, dir, gather);
	if (gather->start <= gather->end)
		iommu_iotlb_sync(cookie->domain, gather);
}

/* Undo map_untrusted(); always strict, as the bounce granules are reused. */
static void unmap_untrusted(struct device *dev, dma_addr_t dma_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct unmapped_segments batch;
	struct iommu_iotlb_gather gather;

	batch.count = 0;
	iommu_iotlb_gather_init(&gather);
	unmap_untrusted_into(dev, cookie, dma_addr, size, dir, attrs, &batch, &gather);
	finish_untrusted_unmaps(dev, cookie, &batch, dir, &gather);
}

/*
 * An untrusted device's list is not merged: each segment is a mapping of
 * its own, with bounce granules at its ends as needed.  The segments share
 * invalidations, one per UNMAP_SG_BATCH of them.
 */
static void unmap_sg_untrusted(struct device *dev, struct scatterlist *list, int nents,
			       enum dma_data_direction dir, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct unmapped_segments batch;
	struct iommu_iotlb_gather gather;
	struct scatterlist *seg;
	int i;

	batch.count = 0;
	iommu_iotlb_gather_init(&gather);
	for_each_sg(list, seg, nents, i) {
		if (sg_dma_is_bus_address(seg))
			sg_dma_unmark_bus_address(seg);
		else
			unmap_untrusted_into(dev, cookie, sg_dma_address(seg), sg_dma_len(seg),
					     dir, attrs, &batch, &gather);
	}
	finish_untrusted_unmaps(dev, cookie, &batch, dir, &gather);
}

static int map_sg_untrusted(struct device *dev, struct scatterlist *list, int nents,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct pci_p2pdma_map_state p2p = {};
	struct scatterlist *seg;
	int i, ret;

	for_each_sg(list, seg, nents, i) {
		if (is_pci_p2pdma_page(sg_page(seg))) {
			ret = dma_map_p2p_segment(dev, &p2p, seg, attrs, "dma-iommu");
			if (ret < 0)
				goto undo;
			if (!ret)
				continue;
		}
		sg_dma_address(seg) = map_untrusted(dev, sg_phys(seg), seg->length, dir, attrs);
		if (sg_dma_address(seg) == DMA_MAPPING_ERROR) {
			ret = -ENOMEM;
			goto undo;
		}
		sg_dma_len(seg) = seg->length;
	}
	return nents;

undo:
	unmap_sg_untrusted(dev, list, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return ret;
}

/* ---------------------------------------------------------------- syncs */

static void iommu_dma_sync_single_for_cpu(struct device *dev, dma_addr_t dma_addr,
					  size_t size, enum dma_data_direction dir)
{
	if (dev_is_untrusted(dev))
		sync_untrusted(dev, dma_addr, size, dir, true);
	else
		cache_handover(dev, iova_to_phys(dev, dma_addr), size, dir, true);
}

static void iommu_dma_sync_single_for_device(struct device *dev, dma_addr_t dma_addr,
					     size_t size, enum dma_data_direction dir)
{
	if (dev_is_untrusted(dev))
		sync_untrusted(dev, dma_addr, size, dir, false);
	else
		cache_handover(dev, iova_to_phys(dev, dma_addr), size, dir, false);
}

static void sync_sg_untrusted(struct device *dev, struct scatterlist *list, int nents,
			      enum dma_data_direction dir, bool to_cpu)
{
	struct scatterlist *seg;
	int i;

	for_each_sg(list, seg, nents, i) {
		if (!sg_dma_is_bus_address(seg))
			sync_untrusted(dev, sg_dma_address(seg), sg_dma_len(seg), dir, to_cpu);
	}
}

static void iommu_dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *list,
				      int nents, enum dma_data_direction dir)
{
	if (dev_is_untrusted(dev))
		sync_sg_untrusted(dev, list, nents, dir, true);
	else
		cache_handover_list(dev, list, nents, dir, true);
}

static void iommu_dma_sync_sg_for_device(struct device *dev, struct scatterlist *list,
					 int nents, enum dma_data_direction dir)
{
	if (dev_is_untrusted(dev))
		sync_sg_untrusted(dev, list, nents, dir, false);
	else
		cache_handover_list(dev, list, nents, dir, false);
}

/* ------------------------------------------------------ single buffers */

/**
 * iommu_dma_map_page() - map part of a page for a device behind an IOMMU
 * @dev: a device that use_dma_iommu() says this backend serves
 * @page: the first page of the buffer
 * @offset: where the buffer starts in @page
 * @size: its length in bytes
 * @dir: which way the data moves
 * @attrs: DMA_ATTR_* flags
 *
 * The core calls this directly, not through iommu_dma_ops, to spare the
 * streaming path an indirect call.
 *
 * Return: the device's address of the buffer, or DMA_MAPPING_ERROR.
 */
dma_addr_t iommu_dma_map_page(struct device *dev, struct page *page,
			      unsigned long offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	phys_addr_t phys = page_to_phys(page) + offset;

	if (unlikely(dev_is_untrusted(dev)))
		return map_untrusted(dev, phys, size, dir, attrs);
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		cache_handover(dev, phys, size, dir, false);
	return map_phys(dev, phys, size, dma_dir_to_prot(dir, dev_is_dma_coherent(dev), attrs),
			dma_get_mask(dev), attrs);
}

/**
 * iommu_dma_unmap_page() - undo iommu_dma_map_page()
 * @dev: the device
 * @dma_addr: the address iommu_dma_map_page() returned
 * @size: the size it was given
 * @dir: the direction it was given
 * @attrs: DMA_ATTR_* flags
 */
void iommu_dma_unmap_page(struct device *dev, dma_addr_t dma_addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	if (unlikely(dev_is_untrusted(dev))) {
		unmap_untrusted(dev, dma_addr, size, dir, attrs);
		return;
	}
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) && !dev_is_dma_coherent(dev))
		cache_handover(dev, iova_to_phys(dev, dma_addr), size, dir, true);
	unmap_iova(dev, dma_addr, size);
}

static dma_addr_t iommu_dma_map_resource(struct device *dev, phys_addr_t phys, size_t size,
					 enum dma_data_direction dir, unsigned long attrs)
{
	return map_phys(dev, phys, size, dma_dir_to_prot(dir, false, attrs) | IOMMU_MMIO,
			dma_get_mask(dev), attrs);
}

static void iommu_dma_unmap_resource(struct device *dev, dma_addr_t dma_addr, size_t size,
				     enum dma_data_direction dir, unsigned long attrs)
{
	unmap_iova(dev, dma_addr, size);
}

/* ---------------------------------------------------------- scatterlists */

/*
 * Room to leave before a segment of @len bytes (whole granules) that would
 * start @pos bytes into the list's IOVA range, so that it does not straddle
 * the device's segment boundary; none for a segment longer than the
 * boundary's span, which straddles it wherever it goes.  The range starts
 * on a multiple of its size rounded up to a power of two (alloc_iova_fast()),
 * so boundaries fall on the same offsets in the range as in the address
 * space.
 */
static size_t boundary_pad(size_t pos, size_t len, unsigned long boundary_mask)
{
	if (len - 1 > boundary_mask || !((pos ^ (pos + len - 1)) & ~(size_t)boundary_mask))
		return 0;
	return boundary_mask + 1 - (pos & boundary_mask);
}

/* Map the @n segments from @first, laid out end to end from @at. */
static int map_sg_run(struct iommu_domain *domain, dma_addr_t at,
		      struct scatterlist *first, unsigned int n, size_t len, int prot)
{
	ssize_t mapped;

	if (!n)
		return 0;
	mapped = iommu_map_sg(domain, at, first, n, prot, GFP_ATOMIC);
	if (mapped < 0)
		return mapped;
	if (mapped != len) {
		iommu_unmap(domain, at, mapped);
		return -ENOMEM;
	}
	return 0;
}

/* Undo sg_round_to_granules() for the first @nents entries after a failure. */
static void sg_restore(struct scatterlist *list, int nents)
{
	struct scatterlist *seg;
	int i;

	for_each_sg(list, seg, nents, i) {
		if (sg_dma_is_bus_address(seg)) {
			sg_dma_unmark_bus_address(seg);
		} else {
			seg->offset += sg_dma_address(seg);
			seg->length = sg_dma_len(seg);
		}
		sg_dma_address(seg) = DMA_MAPPING_ERROR;
		sg_dma_len(seg) = 0;
	}
}

/*
 * Give each segment whole granules: the segment's offset in its first
 * granule and its length go to the DMA fields for the time being, and
 * offset and length cover the granules.  A peer-to-peer entry that the
 * device reaches by bus address gets it now, and no room.  Returns the
 * IOVA range's length, or -EREMOTEIO with the list restored if the device
 * cannot reach an entry; @padded says whether the range has holes to keep
 * segments off a boundary.
 */
static ssize_t sg_round_to_granules(struct device *dev, struct iova_domain *space,
				    struct scatterlist *list, int nents,
				    unsigned long boundary_mask, unsigned long attrs, bool *padded)
{
	struct pci_p2pdma_map_state p2p = {};
	struct scatterlist *seg;
	size_t pos = 0, head, pad;
	int i, ret;

	*padded = false;
	for_each_sg(list, seg, nents, i) {
		if (is_pci_p2pdma_page(sg_page(seg))) {
			ret = dma_map_p2p_segment(dev, &p2p, seg, attrs, "dma-iommu");
			if (ret < 0) {
				sg_restore(list, i);
				return ret;
			}
			if (!ret)
				continue;
		}
		head = iova_offset(space, seg->offset);
		sg_dma_address(seg) = head;
		sg_dma_len(seg) = seg->length;
		seg->offset -= head;
		seg->length = iova_align(space, seg->length + head);
		pad = boundary_pad(pos, seg->length, boundary_mask);
		*padded |= pad;
		pos += pad + seg->length;
	}
	return pos;
}

/*
 * Undo sg_round_to_granules() and fill in the DMA segments the device sees,
 * merging segments that meet on a granule boundary; a bus address stays a
 * segment of its own.  Returns their number; the entries after the last DMA
 * segment get a DMA length of 0.
 */
static int sg_fill_segments(struct device *dev, struct scatterlist *list, int nents,
			    dma_addr_t base, unsigned long boundary_mask)
{
	unsigned int max_len = dma_get_max_seg_size(dev);
	struct scatterlist *seg, *out = list;
	size_t pos = 0, pad, head, len, granules;
	bool prev_ends_granule = false;
	dma_addr_t dma, seg_start = 0;
	unsigned int seg_len = 0;
	int i, count = 0;

	for_each_sg(list, seg, nents, i) {
		head = sg_dma_address(seg);
		len = sg_dma_len(seg);
		if (sg_dma_is_bus_address(seg)) {
			/* Read; @out, which it may be, is written below. */
			sg_dma_unmark_bus_address(seg);
			sg_dma_len(seg) = 0;
			if (count)
				out = sg_next(out);
			count++;
			sg_dma_address(out) = head;
			sg_dma_len(out) = len;
			sg_dma_mark_bus_address(out);
			prev_ends_granule = false;
			continue;
		}
		granules = seg->length;
		pad = boundary_pad(pos, granules, boundary_mask);
		pos += pad;
		seg->offset += head;
		seg->length = len;
		dma = base + pos + head;
		/* Read; @out, which it may be, is written below. */
		sg_dma_len(seg) = 0;

		if (count && prev_ends_granule && !head && !pad && seg_len + len <= max_len &&
		    !((seg_start ^ (dma + len - 1)) & ~(dma_addr_t)boundary_mask)) {
			seg_len += len;
		} else {
			if (count)
				out = sg_next(out);
			seg_start = dma;
			seg_len = len;
			count++;
		}
		sg_dma_address(out) = seg_start;
		sg_dma_len(out) = seg_len;
		prev_ends_granule = head + len == granules;
		pos += granules;
	}
	return count;
}

/*
 * Map the granule-rounded segments of @list at @base, each run of them that
 * sits end to end with one call, skipping the boundary pads.  On failure,
 * what was mapped is unmapped again.
 */
static int sg_map_runs(struct iommu_domain *domain, struct scatterlist *list, int nents,
		       dma_addr_t base, unsigned long boundary_mask, int prot)
{
	struct scatterlist *seg, *run = list;
	size_t pos = 0, run_start = 0, pad;
	unsigned int run_n = 0;
	int i, ret;

	for_each_sg(list, seg, nents, i) {
		/* iommu_map_sg() steps over bus addresses; they take no room. */
		if (sg_dma_is_bus_address(seg)) {
			run_n++;
			continue;
		}
		pad = boundary_pad(pos, seg->length, boundary_mask);
		if (pad) {
			ret = map_sg_run(domain, base + run_start, run, run_n,
					 pos - run_start, prot);
			if (ret)
				goto unmap;
			pos += pad;
			run = seg;
			run_n = 0;
			run_start = pos;
		}
		run_n++;
		pos += seg->length;
	}
	ret = map_sg_run(domain, base + run_start, run, run_n, pos - run_start, prot);
	if (!ret)
		return 0;
unmap:
	/* The runs before @run are mapped: unmap them segment by segment. */
	for (seg = list, pos = 0; seg != run; seg = sg_next(seg)) {
		if (sg_dma_is_bus_address(seg))
			continue;
		pos += boundary_pad(pos, seg->length, boundary_mask);
		iommu_unmap(domain, base + pos, seg->length);
		pos += seg->length;
	}
	return ret;
}

static int iommu_dma_map_sg(struct device *dev, struct scatterlist *list, int nents,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	unsigned long boundary_mask = dma_get_seg_boundary(dev);
	int prot = dma_dir_to_prot(dir, dev_is_dma_coherent(dev), attrs);
	dma_addr_t base;
	ssize_t total;
	bool padded;
	int ret;

	if (unlikely(dev_is_untrusted(dev)))
		return map_sg_untrusted(dev, list, nents, dir, attrs);
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		cache_handover_list(dev, list, nents, dir, false);

	total = sg_round_to_granules(dev, &cookie->space, list, nents, boundary_mask, attrs,
				     &padded);
	if (total < 0)
		return total;
	/* Nothing to map: only bus addresses, or only empty entries. */
	if (!total)
		return sg_fill_segments(dev, list, nents, 0, boundary_mask);
	base = iova_alloc(cookie, dev, total, dma_get_mask(dev));
	if (!base) {
		sg_restore(list, nents);
		iommu_dma_complain(dev, attrs, "no free IOVA range of %zd bytes for %d segments",
				   total, nents);
		return -ENOMEM;
	}
	/* Without holes the list is one run, and need not be walked for them. */
	if (padded)
		ret = sg_map_runs(cookie->domain, list, nents, base, boundary_mask, prot);
	else
		ret = map_sg_run(cookie->domain, base, list, nents, total, prot);
	if (!ret)
		return sg_fill_segments(dev, list, nents, base, boundary_mask);
	iova_free(cookie, base, total, NULL);
	sg_restore(list, nents);
	iommu_dma_complain(dev, attrs, "IOMMU map of %d segments failed: %d", nents, ret);
	return ret == -ENOMEM ? -ENOMEM : -EIO;
}

static void iommu_dma_unmap_sg(struct device *dev, struct scatterlist *list, int nents,
			       enum dma_data_direction dir, unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;
	struct iommu_iotlb_gather gather;
	dma_addr_t base = 0, end = 0, from;
	struct scatterlist *seg;
	int i;

	if (unlikely(dev_is_untrusted(dev))) {
		unmap_sg_untrusted(dev, list, nents, dir, attrs);
		return;
	}
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		cache_handover_list(dev, list, nents, dir, true);
	/*
	 * Each DMA segment covers whole granules of its own; holes lie
	 * between.  The range starts at the first segment that is not a bus
	 * address (0 is never an IOVA).
	 */
	for_each_sg(list, seg, nents, i) {
		/* Before the length test: a bus address may be 0 bytes long. */
		if (sg_dma_is_bus_address(seg)) {
			sg_dma_unmark_bus_address(seg);
			continue;
		}
		if (!sg_dma_len(seg))
			break;
		from = iova_align_down(space, sg_dma_address(seg));
		if (!end) {
			base = from;
			if (!unmap_begin(dev, cookie, base, &gather))
				return;
		}
		end = iova_align(space, sg_dma_address(seg) + sg_dma_len(seg));
		iommu_unmap_fast(cookie->domain, from, end - from, &gather);
	}
	if (end)
		unmap_finish(cookie, base, end - base, &gather);
}

/* ------------------------------------------------------- two-step API */

/*
 * A dma_iova_state is all the core keeps about a two-step range: its first
 * address (with the offset of the first linked byte in its granule), its
 * length, and whether a link was bounced.  Links are mapped with
 * iommu_map() at the state's address plus the driver's offset; a granule
 * belongs to one link only, so each link's first and last granules are
 * mapped whole.  Taking links down clears the page tables and, for an
 * unlink, invalidates the IOTLB before returning; a destroy in a lazy
 * domain queues the invalidation with the range's IOVAs, like an unmap.
 */

/* The whole granules @state's range covers. */
static size_t iova_range_len(struct iova_domain *space, const struct dma_iova_state *state)
{
	return iova_align(space, iova_offset(space, state->addr) + dma_iova_size(state));
}

/**
 * iommu_dma_iova_alloc() - reserve IOVAs for dma_iova_try_alloc()
 * @dev: a device this backend serves
 * @state: filled in on success
 * @phys: the first byte to be linked, for its offset in a granule
 * @size: bytes to reserve, not 0
 *
 * Return: false when the device's IOVA space has no room below its mask.
 */
bool iommu_dma_iova_alloc(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			  size_t size)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;
	size_t offset = iova_offset(space, phys);
	dma_addr_t start;

	if (size > dma_get_mask(dev))
		return false;
	start = iova_alloc(cookie, dev, iova_align(space, offset + size), dma_get_mask(dev));
	if (!start)
		return false;
	state->addr = start + offset;
	state->__size = size;
	return true;
}

/**
 * iommu_dma_iova_free() - give back a range reserved by iommu_dma_iova_alloc()
 * @dev: its device
 * @state: the range, which holds no links
 */
void iommu_dma_iova_free(struct device *dev, struct dma_iova_state *state)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;

	iova_free(cookie, iova_align_down(space, state->addr), iova_range_len(space, state), NULL);
}

/*
 * Is a granule of [@start, @end) (whole granules) mapped already?  Only the
 * ends are looked at: a link that overlaps another one there would make the
 * IOMMU driver find a live entry, which some drivers answer with a warning
 * and a mapping left as it was rather than an error.
 */
static bool link_overlaps(struct iommu_domain *domain, struct iova_domain *space,
			  dma_addr_t start, dma_addr_t end)
{
	return iommu_iova_to_phys(domain, start) ||
	       (end - start > space->granule && iommu_iova_to_phys(domain, end - space->granule));
}

/**
 * iommu_dma_iova_link() - map a buffer into a two-step range
 * @dev: the range's device
 * @state: the range
 * @phys: the buffer
 * @offset: where in the range it goes (inside it: the core has checked)
 * @size: its length
 * @dir: which way the data moves
 * @attrs: DMA_ATTR_* flags
 *
 * Return: 0; -EINVAL when @phys and its place in the range disagree on the
 * offset in a granule, or the place is partly linked already; else the
 * error of the bounce or of iommu_map().
 */
int iommu_dma_iova_link(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			size_t offset, size_t size, enum dma_data_direction dir,
			unsigned long attrs)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;
	int prot = dma_dir_to_prot(dir, dev_is_dma_coherent(dev), attrs);
	dma_addr_t addr = state->addr + offset;
	size_t pad = iova_offset(space, phys);
	dma_addr_t start = addr - pad, end = iova_align(space, addr + size);
	struct bounced_ends ends = {};
	int ret;

	if (pad != iova_offset(space, addr)) {
		iommu_dma_complain(dev, attrs,
				   "link of %pa at offset %zu: the IOVA %pad has another offset in its %zu-byte granule",
				   &phys, offset, &addr, space->granule);
		return -EINVAL;
	}
	if (link_overlaps(cookie->domain, space, start, end)) {
		iommu_dma_complain(dev, attrs,
				   "link of %zu bytes at offset %zu: a granule of it is linked already",
				   size, offset);
		return -EINVAL;
	}
	if (dev_is_untrusted(dev)) {
		ret = bounce_ends(dev, space, phys, size, dir, attrs, &ends);
		if (ret)
			return ret;
		ret = map_bounced(cookie->domain, space, start, phys, &ends, prot);
	} else {
		if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			cache_handover(dev, phys, size, dir, false);
		ret = iommu_map(cookie->domain, start, phys - pad, end - start, prot, GFP_ATOMIC);
	}
	if (ret) {
		iommu_dma_complain(dev, attrs, "IOMMU map of %zu bytes at offset %zu failed: %d",
				   size, offset, ret);
		/* Nothing was bounced for a trusted device: @ends is empty. */
		release_ends(dev, &ends, dir);
		return ret;
	}
	if (ends.part.head || ends.part.tail)
		state->__size |= DMA_IOVA_USE_SWIOTLB;
	return 0;
}

/*
 * Unmap [@start, @end), whole granules that may have holes between links:
 * the IOMMU core stops at the first granule that is not mapped, so each
 * hole is stepped over.
 */
static void unmap_links(struct iommu_domain *domain, struct iova_domain *space,
			dma_addr_t start, dma_addr_t end, struct iommu_iotlb_gather *gather)
{
	size_t unmapped;

	while (start < end) {
		unmapped = iommu_unmap_fast(domain, start, end - start, gather);
		start += unmapped ?: space->granule;
	}
}

/* Bounce granules that may wait, unmapped, for one IOTLB invalidation. */
#define UNLINK_BOUNCE_BATCH	16

struct unlinked_bounces {
	unsigned int count;
	struct {
		phys_addr_t tlb;
		size_t len;
	} slot[UNLINK_BOUNCE_BATCH];
};

/*
 * Invalidate everything unmapped so far; only then may the waiting bounce
 * granules have their data copied back and go back to swiotlb, since the
 * device can no longer reach them.
 */
static void release_unlinked_bounces(struct device *dev, struct iommu_dma_cookie *cookie,
				     struct unlinked_bounces *batch, enum dma_data_direction dir,
				     unsigned long attrs, struct iommu_iotlb_gather *gather)
{
	unsigned int i;

	if (!batch->count)
		return;
	iommu_iotlb_sync(cookie->domain, gather);
	for (i = 0; i < batch->count; i++) {
		if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			cache_handover(dev, batch->slot[i].tlb, batch->slot[i].len, dir, true);
		swiotlb_tbl_unmap_single(dev, batch->slot[i].tlb, batch->slot[i].len, dir, attrs);
	}
	batch->count = 0;
}

/*
 * Take down [@addr, @addr + @size) granule by granule, for a range whose
 * granules may be bounced or need cache maintenance: a granule's CPU
 * address can only be read from the page tables while it is still mapped.
 * Bounce granules are handed back in batches, each after one invalidation
 * covering it, which bounds both the invalidations and the stack.
 */
static void unlink_granules(struct device *dev, struct iommu_dma_cookie *cookie,
			    dma_addr_t addr, size_t size, enum dma_data_direction dir,
			    unsigned long attrs, struct iommu_iotlb_gather *gather)
{
	struct iova_domain *space = &cookie->space;
	dma_addr_t pos, from, to, end = addr + size;
	struct unlinked_bounces batch;
	phys_addr_t phys, tlb;
	size_t len;

	batch.count = 0;
	for (pos = iova_align_down(space, addr); pos < end; pos += space->granule) {
		from = max(pos, addr);
		to = min_t(dma_addr_t, pos + space->granule, end);
		phys = iommu_iova_to_phys(cookie->domain, pos);
		if (!phys)
			continue;
		iommu_unmap_fast(cookie->domain, pos, space->granule, gather);
		if (!is_swiotlb_buffer(dev, phys)) {
			if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
				cache_handover(dev, phys + (from - pos), to - from, dir, true);
			continue;
		}
		if (!swiotlb_find_mapping(dev, phys, &tlb, &len))
			continue;
		batch.slot[batch.count].tlb = tlb;
		batch.slot[batch.count].len = len;
		if (++batch.count == UNLINK_BOUNCE_BATCH)
			release_unlinked_bounces(dev, cookie, &batch, dir, attrs, gather);
	}
	release_unlinked_bounces(dev, cookie, &batch, dir, attrs, gather);
}

/**
 * iommu_dma_iova_unlink() - take links of a two-step range down
 * @dev: the range's device
 * @state: the range
 * @offset: where the first of them starts
 * @size: bytes from there, to the end of the last of them
 * @dir: the direction they were linked with
 * @attrs: DMA_ATTR_* flags
 * @free_range: also give the whole range back (dma_iova_destroy())
 *
 * Without @free_range, or for an untrusted device, the IOTLB is invalidated
 * before this returns; with it, a lazy domain queues the invalidation with
 * the range's IOVAs.
 */
void iommu_dma_iova_unlink(struct device *dev, struct dma_iova_state *state, size_t offset,
			   size_t size, enum dma_data_direction dir, unsigned long attrs,
			   bool free_range)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	struct iova_domain *space = &cookie->space;
	dma_addr_t addr = state->addr + offset;
	struct iommu_iotlb_gather gather;

	iommu_iotlb_gather_init(&gather);
	gather.queued = free_range && !dev_is_untrusted(dev) && domain_is_lazy(cookie);
	if ((state->__size & DMA_IOVA_USE_SWIOTLB) ||
	    (!dev_is_dma_coherent(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC)))
		unlink_granules(dev, cookie, addr, size, dir, attrs, &gather);
	else
		unmap_links(cookie->domain, space, iova_align_down(space, addr),
			    iova_align(space, addr + size), &gather);
	if (free_range)
		unmap_finish(cookie, iova_align_down(space, state->addr),
			     iova_range_len(space, state), &gather);
	else if (gather.start <= gather.end)	/* something was unmapped */
		iommu_iotlb_sync(cookie->domain, &gather);
}

/* ------------------------------------------------------ coherent memory */

/* Free the first @count of @pages, and the array. */
static void free_scattered_pages(struct page **pages, unsigned int count)
{
	while (count)
		__free_page(pages[--count]);
	kvfree(pages);
}

/*
 * Pages for @count CPU pages, each its own page, large blocks tried first.
 * Not inlined, like table_from_pages(): each keeps its per-page loop in a
 * small function of its own rather than spread over a large caller, where
 * under TCG a loop that straddles two code pages pays a lookup per turn.
 */
static noinline struct page **alloc_scattered_pages(struct device *dev, unsigned int count,
						    unsigned long order_mask, gfp_t gfp)
{
	struct page **pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	unsigned int filled = 0, order = 0, i;
	unsigned long orders;
	struct page *block;

	if (!pages)
		return NULL;
	order_mask = (order_mask & GENMASK(MAX_PAGE_ORDER, 0)) | 1;
	while (filled < count) {
		/* The largest block the IOMMU maps in one piece that still fits. */
		orders = order_mask & GENMASK(__fls(count - filled), 0);
		for (block = NULL; !block && orders; orders &= ~BIT(order)) {
			order = __fls(orders);
			block = alloc_pages_node(dev_to_node(dev),
						 order ? gfp | __GFP_NORETRY | __GFP_NOWARN : gfp,
						 order);
		}
		if (!block)
			goto fail;
		if (order)
			split_page(block, order);
		for (i = 0; i < 1U << order; i++)
			pages[filled++] = block + i;
	}
	return pages;

fail:
	free_scattered_pages(pages, filled);
	return NULL;
}

/* The longest run of pages one scatterlist entry of a coherent buffer covers. */
#define SCATTERED_RUN_MAX	(SZ_1G >> PAGE_SHIFT)

/* Whether @pages[@i] continues the run of @run pages that ends before it. */
static __always_inline bool continues_run(struct page **pages, unsigned int i, unsigned int run)
{
	return run < SCATTERED_RUN_MAX && page_to_pfn(pages[i]) == page_to_pfn(pages[i - 1]) + 1;
}

/*
 * A table with an entry per run of physically contiguous pages, for
 * iommu_map_sg().  Built here rather than by sg_alloc_table_from_pages(),
 * which also handles partial pages and appending and costs a call per page.
 */
static noinline int table_from_pages(struct sg_table *table, struct page **pages,
				     unsigned int count)
{
	unsigned int i, run = 1, entries = 1;
	struct scatterlist *sg;

	for (i = 1; i < count; i++) {
		run = continues_run(pages, i, run) ? run + 1 : 1;
		entries += run == 1;
	}
	if (sg_alloc_table(table, entries, GFP_KERNEL))
		return -ENOMEM;
	sg = table->sgl;
	sg_set_page(sg, pages[0], PAGE_SIZE, 0);
	for (i = 1, run = 1; i < count; i++) {
		if (continues_run(pages, i, run)) {
			sg->length += PAGE_SIZE;
			run++;
		} else {
			sg = sg_next(sg);
			sg_set_page(sg, pages[i], PAGE_SIZE, 0);
			run = 1;
		}
	}
	return 0;
}

/* Map @pages end to end at a new IOVA; returns it, or DMA_MAPPING_ERROR. */
static dma_addr_t map_scattered_pages(struct device *dev, struct page **pages,
				      unsigned int count, size_t size, int prot)
{
	struct iommu_dma_cookie *cookie = dev_cookie(dev);
	size_t len = iova_align(&cookie->space, size);
	struct sg_table table;
	dma_addr_t base;
	ssize_t mapped;

	base = iova_alloc(cookie, dev, len, dev->coherent_dma_mask);
	if (!base)
		return DMA_MAPPING_ERROR;
	if (table_from_pages(&table, pages, count))
		goto free_iova;
	mapped = iommu_map_sgtable(cookie->domain, base, &table, prot);
	sg_free_table(&table);
	if (mapped == len)
		return base;
	if (mapped > 0)
		iommu_unmap(cookie->domain, base, mapped);
free_iova:
	iova_free(cookie, base, len, NULL);
	return DMA_MAPPING_ERROR;
}

/* A large allocation that may sleep: scattered pages, vmap()ed. */
static void *alloc_remapped(struct device *dev, size_t size, dma_addr_t *handle,
			    gfp_t gfp, int prot)
{
	unsigned long order_mask = dev_cookie(dev)->domain->pgsize_bitmap >> PAGE_SHIFT;
	unsigned int count = size >> PAGE_SHIFT;
	struct vm_struct *area;
	struct page **pages;
	void *vaddr;

	pages = alloc_scattered_pages(dev, count, order_mask, gfp | __GFP_ZERO);
	if (!pages)
		return NULL;
	if (!dev_is_dma_coherent(dev)) {
		unsigned int i;

		for (i = 0; i < count; i++)
			arch_dma_prep_coherent(pages[i], PAGE_SIZE);
	}
	*handle = map_scattered_pages(dev, pages, count, size, prot);
	if (*handle == DMA_MAPPING_ERROR)
		goto free_pages;
	vaddr = vmap(pages, count, VM_MAP | VM_DMA_COHERENT, dma_pgprot(dev, PAGE_KERNEL, 0));
	if (!vaddr)
		goto unmap;
	/* Free finds the pages again through the vmap area. */
	area = find_vm_area(vaddr);
	area->pages = pages;
	return vaddr;

unmap:
	unmap_iova(dev, *handle, size);
free_pages:
	free_scattered_pages(pages, count);
	return NULL;
}

/*
 * Zeroed, physically contiguous pages: from a contiguous area when the
 * policy in kernel/dma/contiguous.c says so or the page allocator fails.
 * Any address will do, the IOMMU maps it where the device reaches.
 */
static struct page *alloc_contiguous(struct device *dev, size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	struct page *page = NULL;

	if (dma_contiguous_first(dev, size))
		page = dma_alloc_contiguous(dev, size, gfp);
	if (!page && order <= MAX_PAGE_ORDER)
		page = alloc_pages_node(dev_to_node(dev), gfp | __GFP_ZERO, order);
	if (!page)
		page = dma_contiguous_fallback(dev, size, gfp);
	if (page && dma_contiguous_page(page))
		memset(page_address(page), 0, size);
	return page;
}

static void *iommu_dma_alloc(struct device *dev, size_t size, dma_addr_t *handle,
			     gfp_t gfp, unsigned long attrs)
{
	bool coherent = dev_is_dma_coherent(dev);
	int prot = dma_dir_to_prot(DMA_BIDIRECTIONAL, coherent, attrs);
	struct page *page;

	size = PAGE_ALIGN(size);
	if (gfpflags_allow_blocking(gfp) &&
	    ((size > PAGE_SIZE && !(attrs & DMA_ATTR_FORCE_CONTIGUOUS)) || !coherent))
		return alloc_remapped(dev, size, handle, gfp, prot);
	if (!coherent) {
		iommu_dma_complain(dev, attrs,
				   "non-coherent allocations that cannot sleep need the atomic pool, not built");
		return NULL;
	}
	page = alloc_contiguous(dev, size, gfp);
	if (!page)
		return NULL;
	*handle = map_phys(dev, page_to_phys(page), size, prot, dev->coherent_dma_mask, attrs);
	if (*handle == DMA_MAPPING_ERROR) {
		dma_free_contiguous(dev, page, size);
		return NULL;
	}
	return page_address(page);
}

static void iommu_dma_free(struct device *dev, size_t size, void *cpu_addr,
			   dma_addr_t handle, unsigned long attrs)
{
	struct vm_struct *area;
	struct page **pages;

	size = PAGE_ALIGN(size);
	unmap_iova(dev, handle, size);
	if (!is_vmalloc_addr(cpu_addr)) {
		dma_free_contiguous(dev, virt_to_page(cpu_addr), size);
		return;
	}
	area = find_vm_area(cpu_addr);
	if (WARN_ON_ONCE(!area || !area->pages))
		return;
	/* vunmap() frees @area. */
	pages = area->pages;
	vunmap(cpu_addr);
	free_scattered_pages(pages, size >> PAGE_SHIFT);
}

static struct page *iommu_dma_alloc_pages(struct device *dev, size_t size,
					  dma_addr_t *handle, enum dma_data_direction dir,
					  gfp_t gfp)
{
	bool coherent = dev_is_dma_coherent(dev);
	struct page *page;

	page = alloc_contiguous(dev, size, gfp);
	if (!page)
		return NULL;
	if (!coherent)
		arch_dma_prep_coherent(page, size);
	*handle = map_phys(dev, page_to_phys(page), size, dma_dir_to_prot(dir, coherent, 0),
			   dma_get_mask(dev), 0);
	if (*handle == DMA_MAPPING_ERROR) {
		dma_free_contiguous(dev, page, size);
		return NULL;
	}
	return page;
}

static void iommu_dma_free_pages(struct device *dev, size_t size, struct page *page,
				 dma_addr_t handle, enum dma_data_direction dir)
{
	unmap_iova(dev, handle, size);
	dma_free_contiguous(dev, page, size);
}

static int iommu_dma_mmap(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
			  dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct vm_struct *area;

	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	if (!is_vmalloc_addr(cpu_addr))
		return dma_mmap_pfns(vma, PHYS_PFN(virt_to_phys(cpu_addr)), size);
	area = find_vm_area(cpu_addr);
	if (!area || !area->pages)
		return -ENXIO;
	return vm_map_pages(vma, area->pages, count);
}

static int iommu_dma_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
				 dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	struct vm_struct *area;

	if (!is_vmalloc_addr(cpu_addr))
		return dma_sgtable_from_page(sgt, virt_to_page(cpu_addr), size, GFP_KERNEL);
	area = find_vm_area(cpu_addr);
	if (!area || !area->pages)
		return -ENXIO;
	return sg_alloc_table_from_pages(sgt, area->pages, PAGE_ALIGN(size) >> PAGE_SHIFT,
					 0, size, GFP_KERNEL);
}

/* -------------------------------------------------------------- limits */

static size_t iommu_dma_opt_mapping_size(void)
{
	return iova_rcache_range();
}

static unsigned long iommu_dma_get_merge_boundary(struct device *dev)
{
	return dev_cookie(dev)->space.granule - 1;
}

/* The IOMMU can put any buffer below 4 GiB. */
static u64 iommu_dma_get_required_mask(struct device *dev)
{
	return DMA_BIT_MASK(32);
}

const struct dma_map_ops iommu_dma_ops = {
	.alloc			= iommu_dma_alloc,
	.free			= iommu_dma_free,
	.alloc_pages_op		= iommu_dma_alloc_pages,
	.free_pages		= iommu_dma_free_pages,
	.mmap			= iommu_dma_mmap,
	.get_sgtable		= iommu_dma_get_sgtable,
	.map_page		= iommu_dma_map_page,
	.unmap_page		= iommu_dma_unmap_page,
	.map_sg			= iommu_dma_map_sg,
	.unmap_sg		= iommu_dma_unmap_sg,
	.map_resource		= iommu_dma_map_resource,
	.unmap_resource		= iommu_dma_unmap_resource,
	.sync_single_for_cpu	= iommu_dma_sync_single_for_cpu,
	.sync_single_for_device	= iommu_dma_sync_single_for_device,
	.sync_sg_for_cpu	= iommu_dma_sync_sg_for_cpu,
	.sync_sg_for_device	= iommu_dma_sync_sg_for_device,
	.get_required_mask	= iommu_dma_get_required_mask,
	.opt_mapping_size	= iommu_dma_opt_mapping_size,
	.get_merge_boundary	= iommu_dma_get_merge_boundary,
};

/**
 * iommu_setup_dma_ops() - choose how a device's DMA API calls are served
 * @dev: a device the IOMMU core has attached to its default domain
 *
 * A DMA domain puts the device on this backend (dev->dma_iommu), setting up
 * the domain's IOVA space if the device is its first.  Any other domain
 * (identity, blocked) leaves the device on the direct path.
 */
void iommu_setup_dma_ops(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	int ret;

	if (dev_is_pci(dev))
		dev->iommu->pci_32bit_workaround = !iommu_dma_forcedac;
	dev->dma_iommu = domain && iommu_is_dma_domain(domain);
	if (!dev->dma_iommu)
		return;
	ret = iommu_dma_init_domain(domain, dev);
	if (ret) {
		dev->dma_iommu = false;
		dev_warn(dev, "no IOVA space in its IOMMU domain (%d): DMA bypasses the IOMMU backend\n",
			 ret);
	}
}

/* ------------------------------------------------------------------ MSI */

/* The doorbell page for @msi_addr in @cookie's domain, mapped on first use. */
static struct msi_doorbell *doorbell_get(struct device *dev, struct iommu_dma_cookie *cookie,
					 phys_addr_t msi_addr)
{
	struct iommu_domain *domain = cookie->domain;
	size_t granule = 1UL << __ffs(domain->pgsize_bitmap);
	phys_addr_t phys = msi_addr & ~(phys_addr_t)(granule - 1);
	struct msi_doorbell *bell;
	dma_addr_t iova;

	list_for_each_entry(bell, &cookie->doorbells, link)
		if (bell->page_addr == phys)
			return bell;
	bell = kzalloc(sizeof(*bell), GFP_KERNEL);
	if (!bell)
		return NULL;
	if (cookie->kind == IOMMU_DMA_COOKIE_MSI) {
		iova = cookie->msi_base;
		cookie->msi_base += granule;
	} else {
		iova = iova_alloc(cookie, dev, granule, dma_get_mask(dev));
	}
	if (!iova || iommu_map(domain, iova, phys, granule,
			       IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO, GFP_KERNEL)) {
		if (iova && cookie->kind == IOMMU_DMA_COOKIE_DMA)
			iova_free(cookie, iova, granule, NULL);
		kfree(bell);
		return NULL;
	}
	bell->page_addr = phys;
	bell->bus_addr = iova;
	list_add(&bell->link, &cookie->doorbells);
	return bell;
}

/**
 * iommu_dma_prepare_msi() - map an MSI doorbell for a device behind an IOMMU
 * @desc: the MSI descriptor of the device's interrupt
 * @msi_addr: the physical address the device must write to
 *
 * For a device whose domain translates, the doorbell's page is mapped into
 * the domain (once per domain and page) and @desc remembers the IOVA, which
 * iommu_dma_compose_msi_msg() then writes into the message.  Context: may
 * sleep.
 *
 * Return: 0, or -ENOMEM.
 */
int iommu_dma_prepare_msi(struct msi_desc *desc, phys_addr_t msi_addr)
{
	struct device *dev = msi_desc_to_dev(desc);
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	struct iommu_dma_cookie *cookie = domain ? domain->iova_cookie : NULL;
	struct msi_doorbell *bell;

	if (!cookie || (cookie->kind == IOMMU_DMA_COOKIE_DMA && !cookie->ready)) {
		msi_desc_set_iommu_msi_iova(desc, 0, 0);
		return 0;
	}
	mutex_lock(&cookie->lock);
	bell = doorbell_get(dev, cookie, msi_addr);
	mutex_unlock(&cookie->lock);
	if (!bell) {
		dev_err_ratelimited(dev, "dma-iommu: cannot map MSI doorbell %pa\n", &msi_addr);
		return -ENOMEM;
	}
	msi_desc_set_iommu_msi_iova(desc, bell->bus_addr, __ffs(domain->pgsize_bitmap));
	return 0;
}

/**
 * iommu_dma_compose_msi_msg() - point an MSI message at the mapped doorbell
 * @desc: the descriptor iommu_dma_prepare_msi() prepared
 * @msg: the message, holding the doorbell's physical address
 *
 * Replaces the page part of the address with the doorbell's IOVA; the
 * offset in the page stays.  A descriptor without a mapped doorbell is left
 * alone.
 */
void iommu_dma_compose_msi_msg(struct msi_desc *desc, struct msi_msg *msg)
{
#ifdef CONFIG_IRQ_MSI_IOMMU
	u64 offset_mask, iova;

	if (!desc->iommu_msi_shift)
		return;
	offset_mask = BIT_ULL(desc->iommu_msi_shift) - 1;
	iova = (u64)desc->iommu_msi_iova << desc->iommu_msi_shift;
	msg->address_hi = upper_32_bits(iova);
	msg->address_lo = lower_32_bits(iova) | (msg->address_lo & offset_mask);
#endif
}

/**
 * iommu_dma_get_resv_regions() - reserved regions every IOMMU driver shares
 * @dev: the device whose regions are being listed
 * @list: where the IOMMU driver collects them
 *
 * Adds the regions that firmware describes for the device's IOMMU rather
 * than the IOMMU driver itself: ACPI IORT entries on ARM, and devicetree
 * "iommu-addresses".  Nothing on x86.
 */
void iommu_dma_get_resv_regions(struct device *dev, struct list_head *list)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);

	if (fwspec && !is_of_node(fwspec->iommu_fwnode))
		iort_iommu_get_resv_regions(dev, list);
	if (dev->of_node)
		of_iommu_get_resv_regions(dev, list);
}
EXPORT_SYMBOL(iommu_dma_get_resv_regions);

#if IS_ENABLED(CONFIG_IOMMU_DMA_KUNIT_TEST)
#include "dma-iommu_kunit.c"
#endif
