// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA API checker.
 *
 * Every live streaming mapping and DMA allocation is recorded in an entry,
 * kept in a hash table keyed by device address.  Each unmap, free and sync
 * is compared with the entry it refers to, and anything that contradicts
 * the API's rules is reported once, with the mapping's details and the
 * stack it was made from.  The checker never changes what a DMA call does;
 * a failing check costs a report, not the I/O.
 *
 * Each entry remembers the driver's call site; dma_debug_stacks=full makes
 * it remember the whole stack, at the price of an unwind per mapping.
 *
 * Entries come from a preallocated pool (dma_debug_entries=, 65536 by
 * default) that grows when it runs dry.  If it can't grow, checking stops
 * rather than producing false reports about mappings it never saw.
 *
 * Beyond the checks, CONFIG_FAIL_DMA_MAP makes mappings and coherent
 * allocations fail on demand (debugfs fail_dma_map/), so driver error paths
 * can be exercised.
 */
#define pr_fmt(fmt) "DMA-API: " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-debug.h>
#include <linux/dma-map-ops.h>
#include <linux/fault-inject.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/sched/task_stack.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <asm/sections.h>

#include "dma-debug.h"

#define DMA_DEBUG_HASH_BITS	14
#define DMA_DEBUG_HASH_SIZE	BIT(DMA_DEBUG_HASH_BITS)
/* Mappings within one 8 KiB granule of bus space share a bucket. */
#define DMA_DEBUG_GRANULE_SHIFT	13
/* How far back a sync inside a large mapping looks for its start. */
#define DMA_DEBUG_MAX_WALK	(SZ_4M >> DMA_DEBUG_GRANULE_SHIFT)
#define DMA_DEBUG_FRAMES	8
#define DMA_DEBUG_DEFAULT_ENTRIES	65536
/* Entries added at a time when the pool runs dry. */
#define DMA_DEBUG_GROW		(PAGE_SIZE / sizeof(struct dma_debug_entry))
#define DMA_DEBUG_UNBIND_SHOWN	8
#define DMA_DEBUG_NAME_LEN	64

/* Whether the driver looked at the result of a single mapping. */
enum dma_debug_err_check {
	DMA_ERR_NOT_TESTED,
	DMA_ERR_TESTED,
};

/**
 * struct dma_debug_entry - what the checker knows about one live mapping
 * @node: link in its hash bucket, or in the free list
 * @dev: the device the mapping is for
 * @dma_addr: the address the device uses
 * @size: length in bytes
 * @phys: the CPU physical address behind it (for sg, where the CPU entries
 *	the segment covers begin)
 * @cpu_addr: kernel address returned by an allocation, else NULL
 * @kind: which call made it
 * @dir: direction it was made with
 * @err_check: whether dma_mapping_error() was called on it
 * @lines_tracked: its first and last cache lines are counted
 * @sg_nents: for sg mappings, the entry count passed to the map call
 * @sg_mapped: for sg mappings, the segment count the map call returned
 * @nr_frames: valid entries in @frames
 * @frames: the stack the mapping was made from
 */
struct dma_debug_entry {
	struct hlist_node node;
	struct device *dev;
	dma_addr_t dma_addr;
	size_t size;
	phys_addr_t phys;
	void *cpu_addr;
	u8 kind;
	u8 dir;
	u8 err_check;
	bool lines_tracked;
	int sg_nents;
	int sg_mapped;
	unsigned int nr_frames;
	unsigned long frames[DMA_DEBUG_FRAMES];
};

struct dma_debug_bucket {
	spinlock_t lock;	/* protects @entries */
	struct hlist_head entries;
};

static struct dma_debug_bucket dma_debug_table[DMA_DEBUG_HASH_SIZE];

/* The entry pool. */
static DEFINE_SPINLOCK(dma_debug_free_lock);
static HLIST_HEAD(dma_debug_free);
static u32 dma_debug_nr_free;
static u32 dma_debug_min_free;
static u32 dma_debug_nr_total;
static u32 dma_debug_nr_wanted = DMA_DEBUG_DEFAULT_ENTRIES;

/* State visible in debugfs. */
static bool dma_debug_off __read_mostly;	/* dma_debug=off or broken */
static bool dma_debug_ready __read_mostly;
static bool dma_debug_all_errors;
static bool dma_debug_full_stacks __read_mostly;
static u32 dma_debug_errors_to_show = 1;
static atomic_t dma_debug_errors = ATOMIC_INIT(0);

/*
 * A driver or device name set from debugfs or the command line.  An empty
 * name matches every device.
 */
struct dma_debug_name {
	rwlock_t lock;		/* protects @name */
	char name[DMA_DEBUG_NAME_LEN];
};

/* Only devices bound to this driver are checked, when it is set. */
static struct dma_debug_name dma_debug_filter = {
	.lock = __RW_LOCK_UNLOCKED(dma_debug_filter.lock),
};

/*
 * Cache lines that some FROM_DEVICE or BIDIRECTIONAL streaming mapping
 * starts or ends in, with a count.  Two such mappings sharing a line is a
 * bug on any machine that must invalidate caches around DMA.
 */
static DEFINE_XARRAY_FLAGS(dma_debug_lines, XA_FLAGS_LOCK_IRQ);

/* The last report, for the debugfs file last_error and the KUnit suite. */
static DEFINE_SPINLOCK(dma_debug_last_lock);
static char dma_debug_last[256];

static const char *const dma_debug_kind_name[DMA_DEBUG_NR_KINDS] = {
	[DMA_DEBUG_SINGLE]	= "single",
	[DMA_DEBUG_PAGE]	= "page",
	[DMA_DEBUG_SG]		= "scatter-gather",
	[DMA_DEBUG_COHERENT]	= "coherent",
	[DMA_DEBUG_RESOURCE]	= "resource",
	[DMA_DEBUG_PAGES]	= "noncoherent pages",
};

static const char *const dma_debug_dir_name[] = {
	[DMA_BIDIRECTIONAL]	= "bidirectional",
	[DMA_TO_DEVICE]		= "to-device",
	[DMA_FROM_DEVICE]	= "from-device",
	[DMA_NONE]		= "none",
};

static const char *dir_name(unsigned int dir)
{
	return dir < ARRAY_SIZE(dma_debug_dir_name) ? dma_debug_dir_name[dir] : "invalid";
}

/* ------------------------------------------------------------ reporting */

static bool dma_debug_should_print(void)
{
	u32 left;

	if (READ_ONCE(dma_debug_all_errors))
		return true;
	do {
		left = READ_ONCE(dma_debug_errors_to_show);
		if (!left)
			return false;
	} while (cmpxchg(&dma_debug_errors_to_show, left, left - 1) != left);
	return true;
}

static void dma_debug_print_frames(struct device *dev, const char *what,
				   const unsigned long *frames, unsigned int nr)
{
	unsigned int i;

	if (!nr)
		return;
	dev_err(dev, "DMA-API: %s:\n", what);
	for (i = 0; i < nr; i++)
		dev_err(dev, "DMA-API:   %pS\n", (void *)frames[i]);
}

/*
 * One report: a line naming the check and the mapping, then the stack of
 * the offending call and, when the mapping is known, the stack that made
 * it.  Every report counts in error_count; only the first is printed
 * unless all_errors is set or num_errors allows more.
 */
static __printf(4, 5)
void dma_debug_report(struct device *dev, const struct dma_debug_entry *entry,
		      const char *check, const char *fmt, ...)
{
	unsigned long frames[DMA_DEBUG_FRAMES];
	char mapping[112] = "";
	unsigned long flags;
	struct va_format vaf;
	unsigned int nr;
	va_list args;

	atomic_inc(&dma_debug_errors);
	if (entry)
		snprintf(mapping, sizeof(mapping), " [dma=%pad size=%zu %s %s]", &entry->dma_addr,
			 entry->size, dma_debug_kind_name[entry->kind], dir_name(entry->dir));

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	spin_lock_irqsave(&dma_debug_last_lock, flags);
	snprintf(dma_debug_last, sizeof(dma_debug_last), "%s %s: %s: %pV%s",
		 dev ? dev_driver_string(dev) : "", dev ? dev_name(dev) : "", check, &vaf,
		 mapping);
	spin_unlock_irqrestore(&dma_debug_last_lock, flags);

	if (dma_debug_should_print()) {
		dev_err(dev, "DMA-API: %s: %pV%s\n", check, &vaf, mapping);
		nr = stack_trace_save(frames, ARRAY_SIZE(frames), 2);
		dma_debug_print_frames(dev, "bad call at", frames, nr);
		if (entry)
			dma_debug_print_frames(dev, "mapped at", entry->frames, entry->nr_frames);
	}
	va_end(args);
}

/* --------------------------------------------------------- entry pool */

/* One allocation of entries: small enough to be found in any memory state. */
static int dma_debug_add_batch(unsigned int count, gfp_t gfp)
{
	struct dma_debug_entry *batch;
	unsigned long flags;
	unsigned int i;

	batch = kcalloc(count, sizeof(*batch), gfp);
	if (!batch)
		return -ENOMEM;
	spin_lock_irqsave(&dma_debug_free_lock, flags);
	for (i = 0; i < count; i++)
		hlist_add_head(&batch[i].node, &dma_debug_free);
	dma_debug_nr_free += count;
	dma_debug_nr_total += count;
	spin_unlock_irqrestore(&dma_debug_free_lock, flags);
	return 0;
}

static int dma_debug_add_entries(unsigned int count, gfp_t gfp)
{
	unsigned int batch;
	int err;

	for (; count; count -= batch) {
		batch = min_t(unsigned int, count, DMA_DEBUG_GROW);
		err = dma_debug_add_batch(batch, gfp);
		if (err)
			return err;
	}
	return 0;
}

/* Stop checking for good: later reports would be about mappings we missed. */
static void dma_debug_give_up(const char *why)
{
	if (!xchg(&dma_debug_off, true))
		pr_err("checking disabled: %s\n", why);
}

static struct dma_debug_entry *dma_debug_get_entry(void)
{
	struct dma_debug_entry *entry = NULL;
	unsigned long flags;

	spin_lock_irqsave(&dma_debug_free_lock, flags);
	if (hlist_empty(&dma_debug_free)) {
		spin_unlock_irqrestore(&dma_debug_free_lock, flags);
		if (dma_debug_add_entries(DMA_DEBUG_GROW, GFP_ATOMIC | __GFP_NOWARN)) {
			dma_debug_give_up("out of tracking entries");
			return NULL;
		}
		spin_lock_irqsave(&dma_debug_free_lock, flags);
	}
	if (!hlist_empty(&dma_debug_free)) {
		entry = hlist_entry(dma_debug_free.first, struct dma_debug_entry, node);
		hlist_del(&entry->node);
		dma_debug_nr_free--;
		dma_debug_min_free = min(dma_debug_min_free, dma_debug_nr_free);
	}
	spin_unlock_irqrestore(&dma_debug_free_lock, flags);
	if (entry)
		memset(entry, 0, sizeof(*entry));
	return entry;
}

static void dma_debug_put_entry(struct dma_debug_entry *entry)
{
	unsigned long flags;

	spin_lock_irqsave(&dma_debug_free_lock, flags);
	hlist_add_head(&entry->node, &dma_debug_free);
	dma_debug_nr_free++;
	spin_unlock_irqrestore(&dma_debug_free_lock, flags);
}

/* ----------------------------------------------------------- the table */

static struct dma_debug_bucket *dma_debug_bucket_of(dma_addr_t dma_addr)
{
	return &dma_debug_table[hash_64(dma_addr >> DMA_DEBUG_GRANULE_SHIFT,
					DMA_DEBUG_HASH_BITS)];
}

static void dma_debug_insert(struct dma_debug_entry *entry)
{
	struct dma_debug_bucket *bucket = dma_debug_bucket_of(entry->dma_addr);
	unsigned long flags;

	spin_lock_irqsave(&bucket->lock, flags);
	hlist_add_head(&entry->node, &bucket->entries);
	spin_unlock_irqrestore(&bucket->lock, flags);
}

/*
 * Find the entry of @dev that starts at @dma_addr and take it out of the
 * table.  Returns NULL if there is none.
 */
static struct dma_debug_entry *dma_debug_remove(struct device *dev, dma_addr_t dma_addr)
{
	struct dma_debug_bucket *bucket = dma_debug_bucket_of(dma_addr);
	struct dma_debug_entry *entry;
	unsigned long flags;

	spin_lock_irqsave(&bucket->lock, flags);
	hlist_for_each_entry(entry, &bucket->entries, node) {
		if (entry->dev == dev && entry->dma_addr == dma_addr) {
			hlist_del(&entry->node);
			spin_unlock_irqrestore(&bucket->lock, flags);
			return entry;
		}
	}
	spin_unlock_irqrestore(&bucket->lock, flags);
	return NULL;
}

/*
 * Copy out the entry of @dev whose range contains @dma_addr, if any.  A
 * sync may start anywhere inside a mapping, so the buckets of earlier
 * granules are searched too.  Returns false when nothing contains it.
 */
static bool dma_debug_find_containing(struct device *dev, dma_addr_t dma_addr,
				      struct dma_debug_entry *found)
{
	dma_addr_t granule = dma_addr >> DMA_DEBUG_GRANULE_SHIFT;
	unsigned int back;

	for (back = 0; back <= DMA_DEBUG_MAX_WALK && back <= granule; back++) {
		dma_addr_t probe = (granule - back) << DMA_DEBUG_GRANULE_SHIFT;
		struct dma_debug_bucket *bucket = dma_debug_bucket_of(probe);
		struct dma_debug_entry *entry;
		unsigned long flags;

		spin_lock_irqsave(&bucket->lock, flags);
		hlist_for_each_entry(entry, &bucket->entries, node) {
			if (entry->dev == dev && dma_addr >= entry->dma_addr &&
			    dma_addr - entry->dma_addr < entry->size) {
				*found = *entry;
				spin_unlock_irqrestore(&bucket->lock, flags);
				return true;
			}
		}
		spin_unlock_irqrestore(&bucket->lock, flags);
	}
	return false;
}

/* Calls @fn on every live entry, with the entry's bucket locked. */
static void dma_debug_for_each(void (*fn)(struct dma_debug_entry *entry, void *data),
			       void *data)
{
	unsigned int i;

	for (i = 0; i < DMA_DEBUG_HASH_SIZE; i++) {
		struct dma_debug_bucket *bucket = &dma_debug_table[i];
		struct dma_debug_entry *entry;
		unsigned long flags;

		spin_lock_irqsave(&bucket->lock, flags);
		hlist_for_each_entry(entry, &bucket->entries, node)
			fn(entry, data);
		spin_unlock_irqrestore(&bucket->lock, flags);
	}
}

/* ------------------------------------------------------- cache lines */

static bool dma_debug_tracks_lines(enum dma_debug_kind kind, enum dma_data_direction dir,
				   unsigned long attrs)
{
	return (kind == DMA_DEBUG_SINGLE || kind == DMA_DEBUG_PAGE || kind == DMA_DEBUG_SG) &&
		dir != DMA_TO_DEVICE && !(attrs & DMA_ATTR_SKIP_CPU_SYNC);
}

/* Adds @delta to the count of the line; returns the count it had before. */
static unsigned long dma_debug_line_add(unsigned long line, long delta)
{
	unsigned long flags, old;
	void *slot;

	xa_lock_irqsave(&dma_debug_lines, flags);
	slot = xa_load(&dma_debug_lines, line);
	old = slot ? xa_to_value(slot) : 0;
	if (delta > 0 || old > 1)
		__xa_store(&dma_debug_lines, line, xa_mk_value(old + delta), GFP_ATOMIC);
	else if (old)
		__xa_erase(&dma_debug_lines, line);
	xa_unlock_irqrestore(&dma_debug_lines, flags);
	return old;
}

/*
 * Only the first and last line of a CPU buffer can be shared with another
 * buffer, so those are the ones tracked.  @entry describes the mapping for
 * the report.
 */
static void dma_debug_lines_map(struct device *dev, phys_addr_t phys, size_t size,
				const struct dma_debug_entry *entry)
{
	unsigned long first = phys >> L1_CACHE_SHIFT;
	unsigned long last = (phys + size - 1) >> L1_CACHE_SHIFT;
	unsigned long shared = dma_debug_line_add(first, 1);

	if (last != first)
		shared |= dma_debug_line_add(last, 1);
	if (shared)
		dma_debug_report(dev, entry, "cacheline-overlap",
				 "another live mapping for device writes shares a cache line with %pa+%zu",
				 &phys, size);
}

static void dma_debug_lines_unmap(phys_addr_t phys, size_t size)
{
	unsigned long first = phys >> L1_CACHE_SHIFT;
	unsigned long last = (phys + size - 1) >> L1_CACHE_SHIFT;

	dma_debug_line_add(first, -1);
	if (last != first)
		dma_debug_line_add(last, -1);
}

/* Return an entry that has left the table, and the cache lines it held. */
static void dma_debug_forget(struct dma_debug_entry *entry)
{
	if (entry->lines_tracked)
		dma_debug_lines_unmap(entry->phys, entry->size);
	dma_debug_put_entry(entry);
}

static void dma_debug_name_set(struct dma_debug_name *n, const char *name)
{
	unsigned long flags;

	write_lock_irqsave(&n->lock, flags);
	strscpy(n->name, name, sizeof(n->name));
	strim(n->name);
	write_unlock_irqrestore(&n->lock, flags);
}

static bool dma_debug_name_matches(struct dma_debug_name *n, struct device *dev)
{
	unsigned long flags;
	bool match;

	if (likely(!READ_ONCE(n->name[0])))
		return true;
	read_lock_irqsave(&n->lock, flags);
	match = !strcmp(dev_name(dev), n->name) ||
		(dev->driver && !strcmp(dev->driver->name, n->name));
	read_unlock_irqrestore(&n->lock, flags);
	return match;
}

/* ---------------------------------------------------------- the hooks */

static bool dma_debug_watching(struct device *dev)
{
	if (unlikely(!READ_ONCE(dma_debug_ready) || READ_ONCE(dma_debug_off) || !dev))
		return false;
	return dma_debug_name_matches(&dma_debug_filter, dev);
}

static void dma_debug_record(struct device *dev, phys_addr_t phys, size_t size,
			     enum dma_data_direction dir, dma_addr_t dma_addr,
			     enum dma_debug_kind kind, unsigned long attrs, void *cpu_addr,
			     int sg_nents, int sg_mapped, unsigned long caller)
{
	struct dma_debug_entry *entry = dma_debug_get_entry();

	if (!entry)
		return;
	entry->dev = dev;
	entry->dma_addr = dma_addr;
	entry->size = size;
	entry->phys = phys;
	entry->cpu_addr = cpu_addr;
	entry->kind = kind;
	entry->dir = dir;
	entry->err_check = kind <= DMA_DEBUG_PAGE || kind == DMA_DEBUG_RESOURCE ?
			   DMA_ERR_NOT_TESTED : DMA_ERR_TESTED;
	entry->sg_nents = sg_nents;
	entry->sg_mapped = sg_mapped;
	/*
	 * The driver's call site is enough to find most bugs and costs
	 * nothing; a full unwind per mapping would dominate the cost of the
	 * checker, so it is only taken when dma_debug_stacks=full asks.
	 */
	if (dma_debug_full_stacks) {
		entry->nr_frames = stack_trace_save(entry->frames, DMA_DEBUG_FRAMES, 3);
	} else {
		entry->frames[0] = caller;
		entry->nr_frames = 1;
	}
	entry->lines_tracked = dma_debug_tracks_lines(kind, dir, attrs);
	if (entry->lines_tracked)
		dma_debug_lines_map(dev, phys, size, entry);
	dma_debug_insert(entry);
}

/* Memory a device must never be given: kernel code and read-only data. */
static void dma_debug_check_phys(struct device *dev, phys_addr_t phys, size_t size)
{
	phys_addr_t end = phys + size;

	if (phys < __pa_symbol(_etext) && end > __pa_symbol(_stext))
		dma_debug_report(dev, NULL, "map-kernel-text",
				 "mapping %pa+%zu covers kernel text", &phys, size);
	else if (phys < __pa_symbol(__end_rodata) && end > __pa_symbol(__start_rodata))
		dma_debug_report(dev, NULL, "map-rodata",
				 "mapping %pa+%zu covers read-only kernel data", &phys, size);
}

/**
 * debug_dma_map_single() - Check a CPU pointer passed to dma_map_single().
 * @dev: the device
 * @addr: the pointer
 * @len: the length
 *
 * Stack memory may move or vanish while the device uses it, and vmalloc
 * memory has no single page behind it; both are reported.
 */
void debug_dma_map_single(struct device *dev, const void *addr, unsigned long len)
{
	if (!dma_debug_watching(dev))
		return;
	if (object_is_on_stack(addr))
		dma_debug_report(dev, NULL, "map-stack", "mapping %lu bytes of the stack at %p",
				 len, addr);
	else if (is_vmalloc_addr(addr))
		dma_debug_report(dev, NULL, "map-vmalloc",
				 "dma_map_single() of vmalloc memory at %p (use the page of each part)",
				 addr);
}
EXPORT_SYMBOL(debug_dma_map_single);

/**
 * debug_dma_map() - Record a single streaming mapping.
 * @dev: the device
 * @phys: CPU physical address mapped
 * @size: length
 * @dir: direction
 * @dma_addr: the address the backend returned
 * @kind: the call that made it
 * @attrs: DMA_ATTR_* flags
 * @caller: the return address into the driver
 */
void debug_dma_map(struct device *dev, phys_addr_t phys, size_t size,
		   enum dma_data_direction dir, dma_addr_t dma_addr,
		   enum dma_debug_kind kind, unsigned long attrs, unsigned long caller)
{
	if (!dma_debug_watching(dev))
		return;
	if (kind != DMA_DEBUG_RESOURCE)
		dma_debug_check_phys(dev, phys, size);
	dma_debug_record(dev, phys, size, dir, dma_addr, kind, attrs, NULL, 0, 0, caller);
}

/**
 * debug_dma_mapping_error() - Note that the driver checked a mapping.
 * @dev: the device
 * @dma_addr: the address it checked
 */
void debug_dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	struct dma_debug_bucket *bucket;
	struct dma_debug_entry *entry;
	unsigned long flags;

	if (!dma_debug_watching(dev) || dma_addr == DMA_MAPPING_ERROR)
		return;
	bucket = dma_debug_bucket_of(dma_addr);
	spin_lock_irqsave(&bucket->lock, flags);
	hlist_for_each_entry(entry, &bucket->entries, node) {
		if (entry->dev == dev && entry->dma_addr == dma_addr &&
		    entry->err_check == DMA_ERR_NOT_TESTED) {
			entry->err_check = DMA_ERR_TESTED;
			break;
		}
	}
	spin_unlock_irqrestore(&bucket->lock, flags);
}
EXPORT_SYMBOL(debug_dma_mapping_error);

/*
 * Compare what an unmap or free call says with what was mapped, and report
 * every difference.  @entry has already left the table.
 */
static void dma_debug_check_release(struct device *dev, struct dma_debug_entry *entry,
				    size_t size, enum dma_data_direction dir,
				    enum dma_debug_kind kind, void *cpu_addr)
{
	if (entry->kind != kind)
		dma_debug_report(dev, entry, "wrong-function",
				 "freed as %s, mapped as %s", dma_debug_kind_name[kind],
				 dma_debug_kind_name[entry->kind]);
	if (entry->size != size)
		dma_debug_report(dev, entry, "wrong-size", "freed with size %zu", size);
	if (entry->dir != dir)
		dma_debug_report(dev, entry, "wrong-direction", "freed with direction %s",
				 dir_name(dir));
	if (entry->cpu_addr != cpu_addr)
		dma_debug_report(dev, entry, "wrong-cpu-address",
				 "freed with CPU address %p, allocated at %p", cpu_addr,
				 entry->cpu_addr);
	if (entry->err_check == DMA_ERR_NOT_TESTED)
		dma_debug_report(dev, entry, "unchecked-mapping",
				 "dma_mapping_error() was never called on this mapping");
}

/* Unmap or free of the entry starting at @dma_addr; see the hooks below. */
static void dma_debug_release(struct device *dev, dma_addr_t dma_addr, size_t size,
			      enum dma_data_direction dir, enum dma_debug_kind kind,
			      void *cpu_addr)
{
	struct dma_debug_entry *entry, inside;

	entry = dma_debug_remove(dev, dma_addr);
	if (!entry) {
		if (dma_debug_find_containing(dev, dma_addr, &inside))
			dma_debug_report(dev, &inside, "free-inside-mapping",
					 "%s of %pad, which is inside a mapping",
					 dma_debug_kind_name[kind], &dma_addr);
		else
			dma_debug_report(dev, NULL, "free-unmapped",
					 "%s free of %pad (size %zu), which was never mapped",
					 dma_debug_kind_name[kind], &dma_addr, size);
		return;
	}
	dma_debug_check_release(dev, entry, size, dir, kind, cpu_addr);
	dma_debug_forget(entry);
}

/**
 * debug_dma_unmap() - Check and forget a single streaming mapping.
 * @dev: the device
 * @dma_addr: the address being unmapped
 * @size: the size the driver passed
 * @dir: the direction the driver passed
 * @kind: the unmap call used
 */
void debug_dma_unmap(struct device *dev, dma_addr_t dma_addr, size_t size,
		     enum dma_data_direction dir, enum dma_debug_kind kind)
{
	if (dma_debug_watching(dev))
		dma_debug_release(dev, dma_addr, size, dir, kind, NULL);
}

/**
 * debug_dma_alloc() - Record an allocation that has a device address.
 * @dev: the device
 * @cpu_addr: its kernel address
 * @size: its size
 * @dma_addr: its device address
 * @kind: DMA_DEBUG_COHERENT or DMA_DEBUG_PAGES
 * @dir: the direction (bidirectional for coherent memory)
 * @caller: the return address into the driver
 */
void debug_dma_alloc(struct device *dev, void *cpu_addr, size_t size, dma_addr_t dma_addr,
		     enum dma_debug_kind kind, enum dma_data_direction dir, unsigned long caller)
{
	if (dma_debug_watching(dev))
		dma_debug_record(dev, virt_to_phys(cpu_addr), size, dir, dma_addr, kind, 0,
				 cpu_addr, 0, 0, caller);
}

/**
 * debug_dma_free() - Check and forget an allocation.
 * @dev: the device
 * @cpu_addr: the kernel address the driver passed
 * @size: the size the driver passed
 * @dma_addr: the device address the driver passed
 * @kind: the free call used
 * @dir: the direction the driver passed
 */
void debug_dma_free(struct device *dev, void *cpu_addr, size_t size, dma_addr_t dma_addr,
		    enum dma_debug_kind kind, enum dma_data_direction dir)
{
	if (dma_debug_watching(dev))
		dma_debug_release(dev, dma_addr, size, dir, kind, cpu_addr);
}

/* The limits a device states in dma_parms apply to every DMA segment. */
static void dma_debug_check_segment(struct device *dev, dma_addr_t start, unsigned int len)
{
	unsigned long boundary = dma_get_seg_boundary(dev);

	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG_SG))
		return;
	if (len > dma_get_max_seg_size(dev))
		dma_debug_report(dev, NULL, "segment-too-long",
				 "segment %pad+%u is longer than the device's %u-byte limit",
				 &start, len, dma_get_max_seg_size(dev));
	if ((start | boundary) != ((start + len - 1) | boundary))
		dma_debug_report(dev, NULL, "segment-boundary",
				 "segment %pad+%u crosses the device's boundary mask %#lx",
				 &start, len, boundary);
}

/**
 * debug_dma_map_sg() - Record the segments of a scatterlist mapping.
 * @dev: the device
 * @sgl: the list
 * @nents: the entry count the driver passed
 * @mapped: the segment count the backend returned
 * @dir: the direction
 * @attrs: DMA_ATTR_* flags
 * @caller: the return address into the driver
 */
void debug_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents, int mapped,
		      enum dma_data_direction dir, unsigned long attrs, unsigned long caller)
{
	struct scatterlist *sg, *cpu = sgl;
	int i, used = 0;

	if (!dma_debug_watching(dev))
		return;
	for_each_sg(sgl, sg, nents, i)
		dma_debug_check_phys(dev, sg_phys(sg), sg->length);
	/*
	 * Segments cover whole CPU entries, in order; a segment's CPU range
	 * starts at the first entry it covers.
	 */
	for_each_sg(sgl, sg, mapped, i) {
		phys_addr_t phys = cpu ? sg_phys(cpu) : 0;
		unsigned int covered = 0;

		while (cpu && used < nents && covered < sg_dma_len(sg)) {
			covered += cpu->length;
			cpu = ++used < nents ? sg_next(cpu) : NULL;
		}
		dma_debug_check_segment(dev, sg_dma_address(sg), sg_dma_len(sg));
		dma_debug_record(dev, phys, sg_dma_len(sg), dir, sg_dma_address(sg),
				 DMA_DEBUG_SG, attrs, NULL, nents, mapped, caller);
	}
}

/**
 * debug_dma_unmap_sg() - Check and forget a scatterlist mapping.
 * @dev: the device
 * @sgl: the list
 * @nents: the entry count the driver passed to the unmap call
 * @dir: the direction the driver passed
 */
void debug_dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir)
{
	struct dma_debug_entry *first;
	struct scatterlist *sg;
	int i, mapped;

	if (!dma_debug_watching(dev))
		return;
	first = dma_debug_remove(dev, sg_dma_address(sgl));
	if (!first) {
		dma_debug_release(dev, sg_dma_address(sgl), sg_dma_len(sgl), dir,
				  DMA_DEBUG_SG, NULL);
		return;
	}
	mapped = first->sg_mapped;
	if (first->kind == DMA_DEBUG_SG && first->sg_nents != nents)
		dma_debug_report(dev, first, "wrong-nents",
				 "unmapped with %d entries, mapped with %d", nents,
				 first->sg_nents);
	dma_debug_check_release(dev, first, sg_dma_len(sgl), dir, DMA_DEBUG_SG, NULL);
	dma_debug_forget(first);

	for_each_sg(sg_next(sgl), sg, mapped - 1, i)
		dma_debug_release(dev, sg_dma_address(sg), sg_dma_len(sg), dir, DMA_DEBUG_SG,
				  NULL);
}

/**
 * debug_dma_sync() - Check an ownership transfer of (part of) a mapping.
 * @dev: the device
 * @dma_addr: where the synced range starts
 * @size: its length
 * @dir: the direction the driver passed
 * @for_cpu: true for sync_for_cpu, false for sync_for_device
 */
void debug_dma_sync(struct device *dev, dma_addr_t dma_addr, size_t size,
		    enum dma_data_direction dir, bool for_cpu)
{
	const char *call = for_cpu ? "sync_for_cpu" : "sync_for_device";
	struct dma_debug_entry entry;

	if (!dma_debug_watching(dev))
		return;
	if (!dma_debug_find_containing(dev, dma_addr, &entry)) {
		dma_debug_report(dev, NULL, "sync-unmapped", "%s of %pad+%zu, which is not mapped",
				 call, &dma_addr, size);
		return;
	}
	if (dma_addr - entry.dma_addr + size > entry.size)
		dma_debug_report(dev, &entry, "sync-out-of-range",
				 "%s of %pad+%zu runs past the end of the mapping", call,
				 &dma_addr, size);
	if (entry.dir != DMA_BIDIRECTIONAL && entry.dir != dir)
		dma_debug_report(dev, &entry, "sync-wrong-direction", "%s with direction %s",
				 call, dir_name(dir));
}

/**
 * debug_dma_sync_sg() - debug_dma_sync() for each segment of a list.
 * @dev: the device
 * @sgl: the list
 * @nelems: the entry count the driver passed
 * @dir: the direction the driver passed
 * @for_cpu: true for sync_for_cpu, false for sync_for_device
 */
void debug_dma_sync_sg(struct device *dev, struct scatterlist *sgl, int nelems,
		       enum dma_data_direction dir, bool for_cpu)
{
	struct scatterlist *sg;
	int i;

	if (!dma_debug_watching(dev))
		return;
	for_each_sg(sgl, sg, nelems, i) {
		if (!sg_dma_len(sg))
			break;
		debug_dma_sync(dev, sg_dma_address(sg), sg_dma_len(sg), dir, for_cpu);
	}
}

/* ------------------------------------------------------ driver unbind */

struct dma_debug_leaks {
	struct device *dev;
	unsigned int count;
};

/*
 * Report, then forget, every mapping @dev still has: the device may be
 * freed after its driver unbinds, and nothing can unmap these any more.
 */
static void dma_debug_drop_leaks(struct dma_debug_leaks *leaks)
{
	unsigned int i;

	for (i = 0; i < DMA_DEBUG_HASH_SIZE; i++) {
		struct dma_debug_bucket *bucket = &dma_debug_table[i];
		struct dma_debug_entry *entry;
		struct hlist_node *next;
		unsigned long flags;

		spin_lock_irqsave(&bucket->lock, flags);
		hlist_for_each_entry_safe(entry, next, &bucket->entries, node) {
			if (entry->dev != leaks->dev)
				continue;
			if (++leaks->count <= DMA_DEBUG_UNBIND_SHOWN)
				dev_err(entry->dev, "DMA-API: leaked-at-unbind: [dma=%pad size=%zu %s %s] mapped at %pS\n",
					&entry->dma_addr, entry->size,
					dma_debug_kind_name[entry->kind], dir_name(entry->dir),
					entry->nr_frames ? (void *)entry->frames[0] : NULL);
			hlist_del(&entry->node);
			dma_debug_forget(entry);
		}
		spin_unlock_irqrestore(&bucket->lock, flags);
	}
}

static int dma_debug_bus_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct dma_debug_leaks leaks = { .dev = data };

	if (action != BUS_NOTIFY_UNBOUND_DRIVER || !dma_debug_watching(leaks.dev))
		return NOTIFY_DONE;
	dma_debug_drop_leaks(&leaks);
	if (leaks.count)
		dma_debug_report(leaks.dev, NULL, "leaked-at-unbind",
				 "driver unbound with %u mappings still live", leaks.count);
	return NOTIFY_OK;
}

/**
 * dma_debug_add_bus() - Check for leaked mappings when drivers on @bus unbind.
 * @bus: the bus
 */
void dma_debug_add_bus(const struct bus_type *bus)
{
	struct notifier_block *nb;

	if (READ_ONCE(dma_debug_off))
		return;
	nb = kzalloc(sizeof(*nb), GFP_KERNEL);
	if (!nb)
		return;
	nb->notifier_call = dma_debug_bus_event;
	if (bus_register_notifier(bus, nb))
		kfree(nb);
}

/* ------------------------------------------------------------ debugfs */

static void dma_debug_dump_entry(struct dma_debug_entry *entry, void *data)
{
	struct seq_file *seq = data;

	seq_printf(seq, "%s %s %s dma=%pad size=%zu %s phys=%pa\n",
		   dev_driver_string(entry->dev), dev_name(entry->dev),
		   dma_debug_kind_name[entry->kind], &entry->dma_addr, entry->size,
		   dir_name(entry->dir), &entry->phys);
}

/* Per-device totals, gathered by a walk of the table. */
#define DMA_DEBUG_MAX_DEVICES	64

struct dma_debug_device_totals {
	unsigned int nr;
	struct {
		struct device *dev;
		unsigned long mappings, bytes, coherent_bytes;
	} dev[DMA_DEBUG_MAX_DEVICES];
};

static void dma_debug_count_entry(struct dma_debug_entry *entry, void *data)
{
	struct dma_debug_device_totals *totals = data;
	unsigned int i;

	for (i = 0; i < totals->nr && totals->dev[i].dev != entry->dev; i++)
		;
	if (i == totals->nr) {
		if (totals->nr == DMA_DEBUG_MAX_DEVICES)
			return;
		totals->nr++;
		totals->dev[i].dev = entry->dev;
	}
	if (entry->kind == DMA_DEBUG_COHERENT) {
		totals->dev[i].coherent_bytes += entry->size;
	} else {
		totals->dev[i].mappings++;
		totals->dev[i].bytes += entry->size;
	}
}

static void dma_debug_show_totals(struct seq_file *seq)
{
	struct dma_debug_device_totals *totals = kzalloc(sizeof(*totals), GFP_KERNEL);
	unsigned int i;

	if (!totals)
		return;
	dma_debug_for_each(dma_debug_count_entry, totals);
	seq_puts(seq, "# driver device mappings bytes coherent_bytes\n");
	for (i = 0; i < totals->nr; i++)
		seq_printf(seq, "%s %s %lu %lu %lu\n", dev_driver_string(totals->dev[i].dev),
			   dev_name(totals->dev[i].dev), totals->dev[i].mappings,
			   totals->dev[i].bytes, totals->dev[i].coherent_bytes);
	kfree(totals);
}

static int dump_show(struct seq_file *seq, void *v)
{
	dma_debug_for_each(dma_debug_dump_entry, seq);
	dma_debug_show_totals(seq);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dump);

static int devices_show(struct seq_file *seq, void *v)
{
	dma_debug_show_totals(seq);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devices);

static int last_error_show(struct seq_file *seq, void *v)
{
	unsigned long flags;

	spin_lock_irqsave(&dma_debug_last_lock, flags);
	seq_printf(seq, "%s\n", dma_debug_last);
	spin_unlock_irqrestore(&dma_debug_last_lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(last_error);

static ssize_t name_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct dma_debug_name *n = file->private_data;
	char buf[DMA_DEBUG_NAME_LEN + 1];
	unsigned long flags;
	size_t count;

	read_lock_irqsave(&n->lock, flags);
	count = scnprintf(buf, sizeof(buf), "%s\n", n->name);
	read_unlock_irqrestore(&n->lock, flags);
	return simple_read_from_buffer(ubuf, len, ppos, buf, count);
}

static ssize_t name_write(struct file *file, const char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	char buf[DMA_DEBUG_NAME_LEN];
	size_t n = min(len, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	dma_debug_name_set(file->private_data, buf);
	return len;
}

static const struct file_operations name_fops = {
	.open = simple_open,
	.read = name_read,
	.write = name_write,
	.llseek = default_llseek,
};

/* Only devices bound to @name are checked from now on ("" for all). */
VISIBLE_IF_KUNIT void dma_debug_set_filter(const char *name)
{
	dma_debug_name_set(&dma_debug_filter, name);
	if (dma_debug_filter.name[0])
		pr_info("checking only devices bound to %s\n", dma_debug_filter.name);
}
EXPORT_SYMBOL_IF_KUNIT(dma_debug_set_filter);

static int error_count_get(void *data, u64 *val)
{
	*val = atomic_read(&dma_debug_errors);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(error_count_fops, error_count_get, NULL, "%llu\n");

static void dma_debug_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("dma-api", NULL);

	debugfs_create_bool("all_errors", 0644, dir, &dma_debug_all_errors);
	debugfs_create_bool("disabled", 0444, dir, &dma_debug_off);
	debugfs_create_file("dump", 0444, dir, NULL, &dump_fops);
	debugfs_create_file("devices", 0444, dir, NULL, &devices_fops);
	debugfs_create_file("last_error", 0444, dir, NULL, &last_error_fops);
	debugfs_create_file_unsafe("error_count", 0444, dir, NULL, &error_count_fops);
	debugfs_create_u32("num_errors", 0644, dir, &dma_debug_errors_to_show);
	debugfs_create_u32("num_free_entries", 0444, dir, &dma_debug_nr_free);
	debugfs_create_u32("min_free_entries", 0444, dir, &dma_debug_min_free);
	debugfs_create_u32("nr_total_entries", 0444, dir, &dma_debug_nr_total);
	debugfs_create_file("driver_filter", 0644, dir, &dma_debug_filter, &name_fops);
}

/* ----------------------------------------------------- fault injection */

#ifdef CONFIG_FAIL_DMA_MAP
static DECLARE_FAULT_ATTR(fail_dma_map);
/* A device or driver name: injection then only hits devices that match. */
static struct dma_debug_name fail_dma_map_target = {
	.lock = __RW_LOCK_UNLOCKED(fail_dma_map_target.lock),
};

/**
 * dma_debug_should_fail() - Should this mapping or allocation be failed on
 *	purpose?
 * @dev: the device
 * @size: the size asked for
 *
 * Return: true when fail_dma_map/ says so for @dev.
 */
bool dma_debug_should_fail(struct device *dev, size_t size)
{
	return dev && dma_debug_name_matches(&fail_dma_map_target, dev) &&
		should_fail(&fail_dma_map, size);
}

static void fail_dma_map_init(void)
{
	struct dentry *dir = fault_create_debugfs_attr("fail_dma_map", NULL, &fail_dma_map);

	if (!IS_ERR(dir))
		debugfs_create_file("target", 0600, dir, &fail_dma_map_target, &name_fops);
}
#else
static inline void fail_dma_map_init(void) { }
#endif /* CONFIG_FAIL_DMA_MAP */

/* ------------------------------------------------------------- set-up */

static int __init dma_debug_param(char *arg)
{
	if (arg && !strncmp(arg, "off", 3)) {
		pr_info("checking disabled on the command line\n");
		dma_debug_off = true;
	}
	return 0;
}
early_param("dma_debug", dma_debug_param);

static int __init dma_debug_entries_param(char *arg)
{
	u32 wanted;

	if (!arg || kstrtou32(arg, 0, &wanted) || !wanted) {
		pr_warn("ignoring dma_debug_entries=%s: want a positive number\n", arg ?: "");
		return 0;
	}
	dma_debug_nr_wanted = wanted;
	return 0;
}
early_param("dma_debug_entries", dma_debug_entries_param);

static int __init dma_debug_stacks_param(char *arg)
{
	if (arg && !strcmp(arg, "full"))
		dma_debug_full_stacks = true;
	else
		pr_warn("ignoring dma_debug_stacks=%s: the only choice is 'full'\n", arg ?: "");
	return 0;
}
early_param("dma_debug_stacks", dma_debug_stacks_param);

static int __init dma_debug_driver_param(char *arg)
{
	if (arg)
		dma_debug_set_filter(arg);
	return 0;
}
early_param("dma_debug_driver", dma_debug_driver_param);

static int __init dma_debug_init(void)
{
	unsigned int i;

	if (dma_debug_off)
		return 0;
	for (i = 0; i < DMA_DEBUG_HASH_SIZE; i++) {
		spin_lock_init(&dma_debug_table[i].lock);
		INIT_HLIST_HEAD(&dma_debug_table[i].entries);
	}
	if (dma_debug_add_entries(dma_debug_nr_wanted, GFP_KERNEL)) {
		dma_debug_give_up("could not preallocate tracking entries");
		return 0;
	}
	dma_debug_min_free = dma_debug_nr_free;
	dma_debug_debugfs_init();
	fail_dma_map_init();
	WRITE_ONCE(dma_debug_ready, true);
	pr_info("tracking with %u preallocated entries\n", dma_debug_nr_total);
	return 0;
}
fs_initcall(dma_debug_init);

static void dma_debug_log_entry(struct dma_debug_entry *entry, void *data)
{
	struct device *dev = data;

	if (!dev || entry->dev == dev)
		dev_info(entry->dev, "DMA-API: live %s dma=%pad size=%zu %s\n",
			 dma_debug_kind_name[entry->kind], &entry->dma_addr, entry->size,
			 dir_name(entry->dir));
}

/**
 * debug_dma_dump_mappings() - Print the live mappings of one device, or of
 *	every device, to the kernel log.
 * @dev: the device, or NULL for all
 */
void debug_dma_dump_mappings(struct device *dev)
{
	dma_debug_for_each(dma_debug_log_entry, dev);
}
EXPORT_SYMBOL(debug_dma_dump_mappings);

#if IS_ENABLED(CONFIG_DMA_KUNIT_TEST)
/**
 * dma_debug_last_report() - Copy the text of the latest report.
 * @buf: where to copy it
 * @len: size of @buf
 */
void dma_debug_last_report(char *buf, size_t len)
{
	unsigned long flags;

	spin_lock_irqsave(&dma_debug_last_lock, flags);
	strscpy(buf, dma_debug_last, len);
	spin_unlock_irqrestore(&dma_debug_last_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(dma_debug_last_report);

/**
 * dma_debug_error_count() - Reports so far, printed or not.
 *
 * Return: the count shown in error_count.
 */
unsigned int dma_debug_error_count(void)
{
	return atomic_read(&dma_debug_errors);
}
EXPORT_SYMBOL_IF_KUNIT(dma_debug_error_count);
#endif
