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
 * rather than producing false reports about mappings it never saw.  The
 * pool is set up at core_initcall, before the first drivers and buses map
 * anything, so that nothing is released that the checker did not see made.
 */
#define pr_fmt(fmt) "DMA-API: " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-debug.h>
#include <linux/dma-map-ops.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>
#include <asm/sections.h>

#include "../kernel/dma/dev_filter.h"
#include "dma-debug.h"

#define DMA_DEBUG_HASH_BITS	14
#define DMA_DEBUG_HASH_SIZE	BIT(DMA_DEBUG_HASH_BITS)
/* Mappings that start in one 8 KiB granule of bus space share a bucket. */
#define DMA_DEBUG_GRANULE_SHIFT	13
/*
 * An address inside a mapping is looked up by walking back this many
 * granules from it.  Mappings that span more live in one extra bucket of
 * their own, which every such lookup also searches, so they are found
 * wherever the address falls.
 */
#define DMA_DEBUG_MAX_WALK	64
#define DMA_DEBUG_FRAMES	8
#define DMA_DEBUG_DEFAULT_ENTRIES	65536
/* Entries added at a time when the pool runs dry. */
#define DMA_DEBUG_GROW		(PAGE_SIZE / sizeof(struct dma_debug_entry))
/*
 * Free entries each CPU keeps for itself, moved to and from the shared
 * pool this many at a time; a CPU holds at most twice as many.
 */
#define DMA_DEBUG_CACHE_BATCH	32
#define DMA_DEBUG_UNBIND_SHOWN	8

/* Whether the driver looked at the result of a single mapping. */
enum dma_debug_err_check {
	DMA_ERR_NOT_TESTED,
	DMA_ERR_TESTED,
};

/**
 * struct dma_debug_entry - what the checker knows about one live mapping
 * @node: link in the bucket of its bus address, or in a free list
 * @line_node: link in the bucket of its CPU physical address, when
 *	@lines_tracked
 * @dev: the device the mapping is for
 * @dma_addr: the address the device uses
 * @size: length in bytes
 * @phys: the CPU physical address behind it (for sg, where the CPU entries
 *	the segment covers begin)
 * @cpu_addr: kernel address returned by an allocation, else NULL
 * @kind: which call made it
 * @dir: direction it was made with
 * @err_check: whether dma_mapping_error() was called on it
 * @lines_tracked: it holds its first cache line (is on a bucket's @lines)
 * @sg_nents: for sg mappings, the entry count passed to the map call
 * @sg_mapped: for sg mappings, the segment count the map call returned
 * @nr_frames: valid entries in @frames
 * @frames: the stack the mapping was made from
 */
struct dma_debug_entry {
	struct hlist_node node;
	struct hlist_node line_node;
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

/*
 * The table.  A bucket lists the live mappings whose bus address starts in
 * one of its granules (@entries), and the FROM_DEVICE or BIDIRECTIONAL
 * streaming mappings whose CPU physical address starts in one of them
 * (@lines), for the cache-line check: two such mappings starting in one
 * cache line is a bug on any machine that must invalidate caches around
 * DMA.  The entries link themselves into both lists, so tracking a line
 * allocates nothing and forgetting it frees nothing.  One table serves
 * both because bus and CPU addresses are the same on the direct path
 * without an offset, the common case: there, one bucket lock covers a
 * map or an unmap.
 *
 * Locking.  A hook switches interrupts off once, around all of its work on
 * the table and the entry pool, and takes each bucket lock inside that
 * with a plain raw_spin_lock().  Each switch of the interrupt flag and each
 * out-of-line lock call is a measurable part of an unmap, so a hook pays
 * for one switch, not one per lock as the _irqsave variants would have it.
 * The locks are raw because the hooks run in any context, hard interrupts
 * included, on PREEMPT_RT as well.  For the same reason of cost, the
 * helpers on the map, unmap and sync paths are __always_inline: the
 * compiler would keep several of them out of line, and under emulation
 * (QEMU TCG, where the benchmarks run) a call and its return cost about
 * as much as the bucket walk they wrap.
 *
 * At most two bucket locks are held at once: a bucket, then the large
 * mappings' bucket.  Two ordinary buckets are never held together, so
 * their order never matters.  The shared pool's lock and
 * dma_debug_last_lock may be taken inside a bucket lock.  A report may be
 * made with a bucket locked, which is what lets a lookup check an entry in
 * place instead of copying it out.
 */
struct dma_debug_bucket {
	raw_spinlock_t lock;		/* protects both lists */
	struct hlist_head entries;	/* by bus address */
	struct hlist_head lines;	/* by CPU physical address */
};

/*
 * The buckets, then one for the mappings too large to walk back over
 * (only its @entries is used).
 */
static struct dma_debug_bucket dma_debug_table[DMA_DEBUG_HASH_SIZE + 1];
#define dma_debug_large	(&dma_debug_table[DMA_DEBUG_HASH_SIZE])

/*
 * The entry pool: a shared list, and a short list of free entries per CPU
 * that takes the lock and the cache-line traffic of the shared one off the
 * map and unmap paths.  A CPU's list is only touched by that CPU with
 * interrupts off.
 */
struct dma_debug_cache {
	struct hlist_head entries;
	unsigned int count;
};

static DEFINE_PER_CPU(struct dma_debug_cache, dma_debug_cache);
static DEFINE_RAW_SPINLOCK(dma_debug_pool_lock);
static HLIST_HEAD(dma_debug_pool);
static u32 dma_debug_pool_free;		/* entries in dma_debug_pool */
static u32 dma_debug_min_free;		/* the lowest dma_debug_pool_free was */
static u32 dma_debug_nr_total;
static u32 dma_debug_nr_wanted = DMA_DEBUG_DEFAULT_ENTRIES;

/* State visible in debugfs. */
static bool dma_debug_off __read_mostly;	/* dma_debug=off or broken */
static bool dma_debug_ready __read_mostly;
static bool dma_debug_all_errors;
static bool dma_debug_full_stacks __read_mostly;
static u32 dma_debug_errors_to_show = 1;
static atomic_t dma_debug_errors = ATOMIC_INIT(0);

/* Only devices bound to this driver (or with this name) are checked. */
static struct dma_dev_filter dma_debug_filter = DMA_DEV_FILTER_INIT(dma_debug_filter);

/* The last report, for the debugfs file last_error and the KUnit suite. */
static DEFINE_RAW_SPINLOCK(dma_debug_last_lock);
static char dma_debug_last[256];

static const char *const dma_debug_kind_name[DMA_DEBUG_NR_KINDS] = {
	[DMA_DEBUG_SINGLE]	= "single",
	[DMA_DEBUG_PAGE]	= "page",
	[DMA_DEBUG_SG]		= "scatter-gather",
	[DMA_DEBUG_COHERENT]	= "coherent",
	[DMA_DEBUG_RESOURCE]	= "resource",
	[DMA_DEBUG_PAGES]	= "noncoherent pages",
	[DMA_DEBUG_IOVA]	= "iova link",
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
 * unless all_errors is set or num_errors allows more.  Callers may hold a
 * bucket lock, with interrupts off.
 */
static __cold __printf(4, 5)
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
	raw_spin_lock_irqsave(&dma_debug_last_lock, flags);
	snprintf(dma_debug_last, sizeof(dma_debug_last), "%s %s: %s: %pV%s",
		 dev ? dev_driver_string(dev) : "", dev ? dev_name(dev) : "", check, &vaf,
		 mapping);
	raw_spin_unlock_irqrestore(&dma_debug_last_lock, flags);

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
	raw_spin_lock_irqsave(&dma_debug_pool_lock, flags);
	for (i = 0; i < count; i++)
		hlist_add_head(&batch[i].node, &dma_debug_pool);
	dma_debug_pool_free += count;
	dma_debug_nr_total += count;
	raw_spin_unlock_irqrestore(&dma_debug_pool_lock, flags);
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

static __always_inline struct dma_debug_entry *dma_debug_first(struct hlist_head *list)
{
	return hlist_entry(list->first, struct dma_debug_entry, node);
}

/*
 * Move up to a batch of entries from the shared pool to @cache; returns
 * how many.  Interrupts are off.
 */
static noinline unsigned int dma_debug_cache_refill(struct dma_debug_cache *cache)
{
	struct dma_debug_entry *entry;
	unsigned int n;

	raw_spin_lock(&dma_debug_pool_lock);
	for (n = 0; n < DMA_DEBUG_CACHE_BATCH && !hlist_empty(&dma_debug_pool); n++) {
		entry = dma_debug_first(&dma_debug_pool);
		__hlist_del(&entry->node);
		hlist_add_head(&entry->node, &cache->entries);
	}
	dma_debug_pool_free -= n;
	dma_debug_min_free = min(dma_debug_min_free, dma_debug_pool_free);
	raw_spin_unlock(&dma_debug_pool_lock);
	cache->count += n;
	return n;
}

/* Give a batch of @cache's entries back to the shared pool.  Interrupts are off. */
static noinline void dma_debug_cache_drain(struct dma_debug_cache *cache)
{
	struct dma_debug_entry *entry;
	unsigned int n;

	raw_spin_lock(&dma_debug_pool_lock);
	for (n = 0; n < DMA_DEBUG_CACHE_BATCH; n++) {
		entry = dma_debug_first(&cache->entries);
		__hlist_del(&entry->node);
		hlist_add_head(&entry->node, &dma_debug_pool);
	}
	dma_debug_pool_free += n;
	raw_spin_unlock(&dma_debug_pool_lock);
	cache->count -= n;
}

/* A free entry from this CPU's list, or NULL if the pool is empty.  Interrupts are off. */
static __always_inline struct dma_debug_entry *dma_debug_get_entry(void)
{
	struct dma_debug_cache *cache = this_cpu_ptr(&dma_debug_cache);
	struct dma_debug_entry *entry;

	if (unlikely(!cache->count) && !dma_debug_cache_refill(cache))
		return NULL;
	entry = dma_debug_first(&cache->entries);
	__hlist_del(&entry->node);
	cache->count--;
	return entry;
}

/* Interrupts are off. */
static __always_inline void dma_debug_put_entry(struct dma_debug_entry *entry)
{
	struct dma_debug_cache *cache = this_cpu_ptr(&dma_debug_cache);

	hlist_add_head(&entry->node, &cache->entries);
	if (unlikely(++cache->count > 2 * DMA_DEBUG_CACHE_BATCH))
		dma_debug_cache_drain(cache);
}

/*
 * Free entries: the shared pool and every CPU's list.  The CPUs' counts
 * are read without their owners' interrupts off, which is good enough for
 * a statistic.
 */
static u32 dma_debug_nr_free(void)
{
	u32 free = READ_ONCE(dma_debug_pool_free);
	int cpu;

	for_each_possible_cpu(cpu)
		free += READ_ONCE(per_cpu_ptr(&dma_debug_cache, cpu)->count);
	return free;
}

/* ----------------------------------------------------------- the table */

/**
 * struct dma_debug_call - what an unmap, free or sync call says about the
 *	mapping it names
 * @dev: the device
 * @dma_addr: the address the call names
 * @size: the size it passes
 * @cpu_addr: the kernel address it passes (allocations), else NULL
 * @kind: which call it is (unmaps and frees)
 * @dir: the direction it passes
 * @sg_nents: the entry count it passes (scatterlists), else 0
 * @for_cpu: for syncs, whether it is sync_for_cpu
 */
struct dma_debug_call {
	struct device *dev;
	dma_addr_t dma_addr;
	size_t size;
	void *cpu_addr;
	enum dma_debug_kind kind;
	enum dma_data_direction dir;
	int sg_nents;
	bool for_cpu;
};

static __always_inline struct dma_debug_bucket *dma_debug_bucket_of(dma_addr_t dma_addr)
{
	return &dma_debug_table[hash_64(dma_addr >> DMA_DEBUG_GRANULE_SHIFT,
					DMA_DEBUG_HASH_BITS)];
}

static __always_inline bool dma_debug_is_large(const struct dma_debug_entry *entry)
{
	dma_addr_t last = entry->dma_addr + entry->size - 1;

	return (last >> DMA_DEBUG_GRANULE_SHIFT) - (entry->dma_addr >> DMA_DEBUG_GRANULE_SHIFT) >
	       DMA_DEBUG_MAX_WALK;
}

/* Large mappings are rare: their bucket is only locked when it holds some. */
static __always_inline bool dma_debug_large_in_use(void)
{
	return !hlist_empty(&dma_debug_large->entries);
}

/* The bucket @entry is listed in by its bus address. */
static __always_inline struct dma_debug_bucket *dma_debug_home(const struct dma_debug_entry *entry)
{
	return dma_debug_is_large(entry) ? dma_debug_large : dma_debug_bucket_of(entry->dma_addr);
}

static __always_inline phys_addr_t dma_debug_line_of(const struct dma_debug_entry *entry)
{
	return entry->phys >> L1_CACHE_SHIFT;
}

/*
 * Give up @entry's cache line if it is listed in @bucket, which the
 * caller holds: the bucket of its bus address, when that is also the
 * bucket of its CPU address.
 */
static __always_inline void dma_debug_line_leave_in(struct dma_debug_bucket *bucket,
						    struct dma_debug_entry *entry)
{
	if (entry->lines_tracked && dma_debug_bucket_of(entry->phys) == bucket) {
		__hlist_del(&entry->line_node);
		entry->lines_tracked = false;
	}
}

/*
 * In 6.12 dma_map_single() is dma_map_page() of the buffer's page, so
 * either unmap call may release a mapping made by either map call.
 */
static __always_inline bool dma_debug_same_kind(enum dma_debug_kind a, enum dma_debug_kind b)
{
	return a == b || (a <= DMA_DEBUG_PAGE && b <= DMA_DEBUG_PAGE);
}

/*
 * How well @entry fits @call: 0 if it is not the mapping @call names at
 * all, else 1 plus one for each detail that agrees.  A driver may map one
 * buffer several times for one device, so an unmap gives back the mapping
 * it describes best, and only what still differs is reported.
 */
static __always_inline unsigned int dma_debug_fit(const struct dma_debug_entry *entry,
						  const struct dma_debug_call *call)
{
	if (entry->dev != call->dev || entry->dma_addr != call->dma_addr)
		return 0;
	return 1 + (entry->size == call->size) + dma_debug_same_kind(entry->kind, call->kind) +
	       (entry->dir == call->dir) + (entry->sg_nents == call->sg_nents);
}

#define DMA_DEBUG_PERFECT_FIT	5

/* The entry in @bucket that fits @call best; the caller holds the lock. */
static __always_inline struct dma_debug_entry *
dma_debug_best_fit(struct dma_debug_bucket *bucket, const struct dma_debug_call *call,
		   unsigned int *fit)
{
	struct dma_debug_entry *entry, *best = NULL;
	unsigned int f;

	*fit = 0;
	hlist_for_each_entry(entry, &bucket->entries, node) {
		f = dma_debug_fit(entry, call);
		if (f > *fit) {
			*fit = f;
			best = entry;
			if (f == DMA_DEBUG_PERFECT_FIT)
				break;
		}
	}
	return best;
}

/*
 * Take the entry in @bucket that fits @call best out of it, if any, with
 * its cache line if that is listed there too.  Interrupts are off.
 */
static __always_inline struct dma_debug_entry *
dma_debug_take(struct dma_debug_bucket *bucket, const struct dma_debug_call *call)
{
	struct dma_debug_entry *entry;
	unsigned int fit;

	raw_spin_lock(&bucket->lock);
	entry = dma_debug_best_fit(bucket, call, &fit);
	if (entry) {
		__hlist_del(&entry->node);
		dma_debug_line_leave_in(bucket, entry);
	}
	raw_spin_unlock(&bucket->lock);
	return entry;
}

/*
 * The same, choosing between @bucket and the large mappings' bucket in one
 * pass under both locks (@bucket always first, so the order is fixed).
 */
static noinline struct dma_debug_entry *
dma_debug_take_either(struct dma_debug_bucket *bucket, const struct dma_debug_call *call)
{
	struct dma_debug_entry *entry, *large;
	unsigned int fit, large_fit;

	raw_spin_lock(&bucket->lock);
	raw_spin_lock_nested(&dma_debug_large->lock, SINGLE_DEPTH_NESTING);
	entry = dma_debug_best_fit(bucket, call, &fit);
	large = dma_debug_best_fit(dma_debug_large, call, &large_fit);
	if (large_fit > fit)
		entry = large;
	if (entry)
		__hlist_del(&entry->node);
	raw_spin_unlock(&dma_debug_large->lock);
	raw_spin_unlock(&bucket->lock);
	return entry;
}

/*
 * Take the entry that fits @call best out of the table.  Returns NULL if
 * @call's device has no mapping starting at @call's address.  Interrupts
 * are off.
 */
static __always_inline struct dma_debug_entry *dma_debug_remove(const struct dma_debug_call *call)
{
	struct dma_debug_bucket *bucket = dma_debug_bucket_of(call->dma_addr);

	if (unlikely(dma_debug_large_in_use()))
		return dma_debug_take_either(bucket, call);
	return dma_debug_take(bucket, call);
}

/* An entry of @dev in @bucket whose range holds @dma_addr; the caller holds the lock. */
static __always_inline struct dma_debug_entry *
dma_debug_containing_in(struct dma_debug_bucket *bucket, struct device *dev, dma_addr_t dma_addr)
{
	struct dma_debug_entry *entry;

	hlist_for_each_entry(entry, &bucket->entries, node) {
		if (entry->dev == dev && dma_addr >= entry->dma_addr &&
		    dma_addr - entry->dma_addr < entry->size)
			return entry;
	}
	return NULL;
}

/*
 * Call @inspect on the entry in @bucket that contains @call's address, if
 * there is one, with the bucket locked; returns whether there was.
 */
static __always_inline bool
dma_debug_inspect_in(struct dma_debug_bucket *bucket, const struct dma_debug_call *call,
		     void (*inspect)(const struct dma_debug_call *call,
				     const struct dma_debug_entry *entry))
{
	struct dma_debug_entry *entry;

	raw_spin_lock(&bucket->lock);
	entry = dma_debug_containing_in(bucket, call->dev, call->dma_addr);
	if (entry)
		inspect(call, entry);
	raw_spin_unlock(&bucket->lock);
	return entry;
}

/*
 * Call @inspect on the entry of @call's device whose range contains
 * @call's address, in place, with its bucket locked: the caller's checks
 * and reports need no copy of it.  A sync may start anywhere inside a
 * mapping, so the buckets of earlier granules are searched too, and then
 * the large mappings.  Returns false when nothing contains the address.
 *
 * Always inlined, so that @inspect, a constant in every caller, is a
 * direct call.  Interrupts are off.
 */
static __always_inline bool
dma_debug_inspect_containing(const struct dma_debug_call *call,
			     void (*inspect)(const struct dma_debug_call *call,
					     const struct dma_debug_entry *entry))
{
	dma_addr_t granule = call->dma_addr >> DMA_DEBUG_GRANULE_SHIFT;
	unsigned int back;

	for (back = 0; back <= DMA_DEBUG_MAX_WALK && back <= granule; back++) {
		if (dma_debug_inspect_in(dma_debug_bucket_of((granule - back) <<
							     DMA_DEBUG_GRANULE_SHIFT),
					 call, inspect))
			return true;
	}
	return dma_debug_large_in_use() && dma_debug_inspect_in(dma_debug_large, call, inspect);
}

/* Calls @fn on every live entry, with the entry's bucket locked. */
static void dma_debug_for_each(void (*fn)(struct dma_debug_entry *entry, void *data),
			       void *data)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dma_debug_table); i++) {
		struct dma_debug_bucket *bucket = &dma_debug_table[i];
		struct dma_debug_entry *entry;
		unsigned long flags;

		raw_spin_lock_irqsave(&bucket->lock, flags);
		hlist_for_each_entry(entry, &bucket->entries, node)
			fn(entry, data);
		raw_spin_unlock_irqrestore(&bucket->lock, flags);
	}
}

/* ------------------------------------------------------- cache lines */

static __always_inline bool dma_debug_tracks_lines(enum dma_debug_kind kind,
						   enum dma_data_direction dir,
						   unsigned long attrs)
{
	return (kind == DMA_DEBUG_SINGLE || kind == DMA_DEBUG_PAGE || kind == DMA_DEBUG_SG ||
		kind == DMA_DEBUG_IOVA) &&
		dir != DMA_TO_DEVICE && !(attrs & DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * Enter @entry's first cache line in @bucket, the bucket of its CPU
 * address, which the caller holds.  Only the line a mapping starts in is
 * tracked, as upstream's checker does.  The line a mapping ends in is
 * often shared with a neighbour (the next kmalloc object, say), which is
 * harmless on cache-coherent machines like x86, where tracking it reported
 * correct drivers.  What that misses is described in dmacore.rst.
 *
 * Returns whether another live mapping already starts in the line.
 */
static __always_inline bool dma_debug_line_enter(struct dma_debug_bucket *bucket,
						 struct dma_debug_entry *entry)
{
	phys_addr_t line = dma_debug_line_of(entry);
	struct dma_debug_entry *other;
	bool shared = false;

	hlist_for_each_entry(other, &bucket->lines, line_node) {
		if (dma_debug_line_of(other) == line) {
			shared = true;
			break;
		}
	}
	hlist_add_head(&entry->line_node, &bucket->lines);
	return shared;
}

/*
 * Return an entry that has left its bucket, and the cache line it still
 * holds.  No bucket is locked; interrupts are off.
 */
static __always_inline void dma_debug_forget(struct dma_debug_entry *entry)
{
	if (entry->lines_tracked) {
		struct dma_debug_bucket *bucket = dma_debug_bucket_of(entry->phys);

		raw_spin_lock(&bucket->lock);
		__hlist_del(&entry->line_node);
		raw_spin_unlock(&bucket->lock);
	}
	dma_debug_put_entry(entry);
}

/* ---------------------------------------------------------- the hooks */

static __always_inline bool dma_debug_watching(struct device *dev)
{
	if (unlikely(!READ_ONCE(dma_debug_ready) || READ_ONCE(dma_debug_off) || !dev))
		return false;
	return dma_dev_filter_matches(&dma_debug_filter, dev);
}

/*
 * A free entry, returned with interrupts off; when the pool has run dry it
 * grows first, with interrupts as the caller had them.  Returns NULL, with
 * interrupts as they were, if it cannot grow.
 */
static __always_inline struct dma_debug_entry *dma_debug_get_entry_irqsave(unsigned long *flags)
{
	struct dma_debug_entry *entry;

	for (;;) {
		local_irq_save(*flags);
		entry = dma_debug_get_entry();
		if (likely(entry))
			return entry;
		local_irq_restore(*flags);
		if (dma_debug_add_entries(DMA_DEBUG_GROW, GFP_ATOMIC | __GFP_NOWARN)) {
			dma_debug_give_up("out of tracking entries");
			return NULL;
		}
	}
}

/*
 * Enter @entry, filled in, in the table.  Its cache line, if it holds one,
 * is entered first, and a clash reported while the entry is in no
 * unmap's reach.  Interrupts are off.
 */
static __always_inline void dma_debug_enter(struct dma_debug_entry *entry)
{
	struct dma_debug_bucket *home = dma_debug_home(entry);
	struct dma_debug_bucket *bucket;

	if (entry->lines_tracked) {
		bucket = dma_debug_bucket_of(entry->phys);
		raw_spin_lock(&bucket->lock);
		if (unlikely(dma_debug_line_enter(bucket, entry)))
			dma_debug_report(entry->dev, entry, "cacheline-overlap",
					 "another live mapping for device writes starts in the cache line of %pa+%zu",
					 &entry->phys, entry->size);
		if (bucket == home) {
			hlist_add_head(&entry->node, &home->entries);
			raw_spin_unlock(&bucket->lock);
			return;
		}
		raw_spin_unlock(&bucket->lock);
	}
	raw_spin_lock(&home->lock);
	hlist_add_head(&entry->node, &home->entries);
	raw_spin_unlock(&home->lock);
}

/*
 * Inlined into each hook that records, so that dma_debug_stacks=full skips
 * the same two frames (the hook and its caller in mapping.c) for all.
 */
static __always_inline void dma_debug_record(struct device *dev, phys_addr_t phys, size_t size,
					     enum dma_data_direction dir, dma_addr_t dma_addr,
					     enum dma_debug_kind kind, unsigned long attrs,
					     void *cpu_addr, int sg_nents, int sg_mapped,
					     unsigned long caller)
{
	struct dma_debug_entry *entry;
	unsigned long flags;

	entry = dma_debug_get_entry_irqsave(&flags);
	if (!entry)
		return;
	/* Every field is set; a free entry holds whatever it held last. */
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
	if (unlikely(dma_debug_full_stacks)) {
		entry->nr_frames = stack_trace_save(entry->frames, DMA_DEBUG_FRAMES, 2);
	} else {
		entry->frames[0] = caller;
		entry->nr_frames = 1;
	}
	entry->lines_tracked = dma_debug_tracks_lines(kind, dir, attrs);
	dma_debug_enter(entry);
	local_irq_restore(flags);
}

static bool dma_debug_overlaps(phys_addr_t a, size_t a_len, phys_addr_t b, size_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

/*
 * Does [@phys, @phys + @size) hold part of the current task's stack?  A
 * vmapped stack is made of separate pages anywhere in RAM, so each of them
 * is compared.
 */
static bool dma_debug_on_stack(phys_addr_t phys, size_t size)
{
	struct vm_struct *area = task_stack_vm_area(current);
	unsigned int i;

	if (!area)
		return dma_debug_overlaps(phys, size, virt_to_phys(task_stack_page(current)),
					  THREAD_SIZE);
	for (i = 0; i < area->nr_pages; i++)
		if (dma_debug_overlaps(phys, size, page_to_phys(area->pages[i]), PAGE_SIZE))
			return true;
	return false;
}

/*
 * Memory a device must never be given: kernel code, read-only data and
 * the caller's stack.  dma_map_single() has already looked for the stack
 * by address (@stack_checked).
 */
static __always_inline void dma_debug_check_phys(struct device *dev, phys_addr_t phys,
						 size_t size, bool stack_checked)
{
	if (dma_debug_overlaps(phys, size, __pa_symbol(_stext),
			       __pa_symbol(_etext) - __pa_symbol(_stext)))
		dma_debug_report(dev, NULL, "map-kernel-text",
				 "mapping %pa+%zu covers kernel text", &phys, size);
	else if (dma_debug_overlaps(phys, size, __pa_symbol(__start_rodata),
				    __pa_symbol(__end_rodata) - __pa_symbol(__start_rodata)))
		dma_debug_report(dev, NULL, "map-rodata",
				 "mapping %pa+%zu covers read-only kernel data", &phys, size);
	else if (!stack_checked && dma_debug_on_stack(phys, size))
		dma_debug_report(dev, NULL, "map-stack", "mapping %pa+%zu covers the stack",
				 &phys, size);
}

/**
 * debug_dma_map_single() - Check a CPU pointer passed to dma_map_single().
 * @dev: the device
 * @addr: the pointer
 * @len: the length
 *
 * Stack memory may move or vanish while the device uses it, vmalloc memory
 * has no single page behind it, and an address outside the linear map has
 * no page at all; all three are reported.
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
	else if (!virt_addr_valid(addr))
		dma_debug_report(dev, NULL, "map-not-linear",
				 "dma_map_single() of %p, which is outside the linear map", addr);
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
		dma_debug_check_phys(dev, phys, size, kind == DMA_DEBUG_SINGLE);
	dma_debug_record(dev, phys, size, dir, dma_addr, kind, attrs, NULL, 0, 0, caller);
}

/* Interrupts are off. */
static __always_inline bool dma_debug_mark_checked(struct dma_debug_bucket *bucket,
						   struct device *dev, dma_addr_t dma_addr)
{
	struct dma_debug_entry *entry;
	bool marked = false;

	raw_spin_lock(&bucket->lock);
	hlist_for_each_entry(entry, &bucket->entries, node) {
		if (entry->dev == dev && entry->dma_addr == dma_addr &&
		    entry->err_check == DMA_ERR_NOT_TESTED) {
			entry->err_check = DMA_ERR_TESTED;
			marked = true;
			break;
		}
	}
	raw_spin_unlock(&bucket->lock);
	return marked;
}

/**
 * debug_dma_mapping_error() - Note that the driver checked a mapping.
 * @dev: the device
 * @dma_addr: the address it checked
 */
void debug_dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	unsigned long flags;

	if (!dma_debug_watching(dev) || dma_addr == DMA_MAPPING_ERROR)
		return;
	local_irq_save(flags);
	if (!dma_debug_mark_checked(dma_debug_bucket_of(dma_addr), dev, dma_addr) &&
	    dma_debug_large_in_use())
		dma_debug_mark_checked(dma_debug_large, dev, dma_addr);
	local_irq_restore(flags);
}
EXPORT_SYMBOL(debug_dma_mapping_error);

/* Whether dma_debug_check_release() has anything to report. */
static __always_inline bool dma_debug_release_differs(const struct dma_debug_call *call,
						      const struct dma_debug_entry *entry)
{
	return !dma_debug_same_kind(entry->kind, call->kind) || entry->size != call->size ||
	       entry->dir != call->dir || entry->cpu_addr != call->cpu_addr ||
	       entry->err_check == DMA_ERR_NOT_TESTED;
}

/*
 * Compare what an unmap or free call says with what was mapped, and report
 * every difference.  @entry has already left the table.
 */
static noinline void dma_debug_check_release(const struct dma_debug_call *call,
					     const struct dma_debug_entry *entry)
{
	struct device *dev = call->dev;

	if (!dma_debug_same_kind(entry->kind, call->kind))
		dma_debug_report(dev, entry, "wrong-function",
				 "freed as %s, mapped as %s", dma_debug_kind_name[call->kind],
				 dma_debug_kind_name[entry->kind]);
	if (entry->size != call->size)
		dma_debug_report(dev, entry, "wrong-size", "freed with size %zu", call->size);
	if (entry->dir != call->dir)
		dma_debug_report(dev, entry, "wrong-direction", "freed with direction %s",
				 dir_name(call->dir));
	if (entry->cpu_addr != call->cpu_addr)
		dma_debug_report(dev, entry, "wrong-cpu-address",
				 "freed with CPU address %p, allocated at %p", call->cpu_addr,
				 entry->cpu_addr);
	if (entry->err_check == DMA_ERR_NOT_TESTED)
		dma_debug_report(dev, entry, "unchecked-mapping",
				 "dma_mapping_error() was never called on this mapping");
}

static void dma_debug_report_inside(const struct dma_debug_call *call,
				    const struct dma_debug_entry *entry)
{
	dma_debug_report(call->dev, entry, "free-inside-mapping",
			 "%s of %pad, which is inside a mapping",
			 dma_debug_kind_name[call->kind], &call->dma_addr);
}

/*
 * An unmap or free of an address where no mapping of the device starts:
 * either inside one, or nowhere.  Interrupts are off.
 */
static noinline void dma_debug_report_unknown(const struct dma_debug_call *call)
{
	if (!dma_debug_inspect_containing(call, dma_debug_report_inside))
		dma_debug_report(call->dev, NULL, "free-unmapped",
				 "%s free of %pad (size %zu), which was never mapped",
				 dma_debug_kind_name[call->kind], &call->dma_addr, call->size);
}

/*
 * Unmap or free of the entry starting at @call's address; see the hooks
 * below.  Returns the entry, out of the table, for the caller to look at
 * and forget; NULL if there was none.  Interrupts are off.
 */
static __always_inline struct dma_debug_entry *
dma_debug_release(const struct dma_debug_call *call)
{
	struct dma_debug_entry *entry = dma_debug_remove(call);

	if (unlikely(!entry)) {
		dma_debug_report_unknown(call);
		return NULL;
	}
	if (unlikely(dma_debug_release_differs(call, entry)))
		dma_debug_check_release(call, entry);
	return entry;
}

/* Interrupts are switched off once, for the table and the pool both. */
static __always_inline void dma_debug_give_back(const struct dma_debug_call *call)
{
	struct dma_debug_entry *entry;
	unsigned long flags;

	local_irq_save(flags);
	entry = dma_debug_release(call);
	if (likely(entry))
		dma_debug_forget(entry);
	local_irq_restore(flags);
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
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = dma_addr, .size = size, .kind = kind, .dir = dir,
	};

	if (dma_debug_watching(dev))
		dma_debug_give_back(&call);
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
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = dma_addr, .size = size, .cpu_addr = cpu_addr,
		.kind = kind, .dir = dir,
	};

	if (dma_debug_watching(dev))
		dma_debug_give_back(&call);
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
		dma_debug_check_phys(dev, sg_phys(sg), sg->length, false);
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
	struct dma_debug_call call = {
		.dev = dev, .kind = DMA_DEBUG_SG, .dir = dir, .sg_nents = nents,
	};
	struct dma_debug_entry *first;
	struct scatterlist *sg;
	unsigned long flags;
	int i, mapped = 0;

	if (!dma_debug_watching(dev))
		return;
	call.dma_addr = sg_dma_address(sgl);
	call.size = sg_dma_len(sgl);
	local_irq_save(flags);
	first = dma_debug_release(&call);
	if (first) {
		if (first->kind == DMA_DEBUG_SG && first->sg_nents != nents)
			dma_debug_report(dev, first, "wrong-nents",
					 "unmapped with %d entries, mapped with %d",
					 nents, first->sg_nents);
		mapped = first->sg_mapped;
		dma_debug_forget(first);
	}
	local_irq_restore(flags);

	for_each_sg(sg_next(sgl), sg, mapped - 1, i) {
		call.dma_addr = sg_dma_address(sg);
		call.size = sg_dma_len(sg);
		dma_debug_give_back(&call);
	}
}

static const char *dma_debug_sync_name(const struct dma_debug_call *call)
{
	return call->for_cpu ? "sync_for_cpu" : "sync_for_device";
}

/* What a sync may not do to the mapping @entry it falls in. */
static __always_inline void dma_debug_check_sync(const struct dma_debug_call *call,
						 const struct dma_debug_entry *entry)
{
	if (unlikely(call->dma_addr - entry->dma_addr + call->size > entry->size))
		dma_debug_report(call->dev, entry, "sync-out-of-range",
				 "%s of %pad+%zu runs past the end of the mapping",
				 dma_debug_sync_name(call), &call->dma_addr, call->size);
	if (unlikely(entry->dir != DMA_BIDIRECTIONAL && entry->dir != call->dir))
		dma_debug_report(call->dev, entry, "sync-wrong-direction", "%s with direction %s",
				 dma_debug_sync_name(call), dir_name(call->dir));
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
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = dma_addr, .size = size, .dir = dir, .for_cpu = for_cpu,
	};
	unsigned long flags;
	bool mapped;

	if (!dma_debug_watching(dev))
		return;
	local_irq_save(flags);
	mapped = dma_debug_inspect_containing(&call, dma_debug_check_sync);
	local_irq_restore(flags);
	if (unlikely(!mapped))
		dma_debug_report(dev, NULL, "sync-unmapped", "%s of %pad+%zu, which is not mapped",
				 dma_debug_sync_name(&call), &dma_addr, size);
}

static void dma_debug_check_sync_nents(const struct dma_debug_call *call,
				       const struct dma_debug_entry *entry)
{
	if (entry->kind == DMA_DEBUG_SG && entry->sg_nents != call->sg_nents)
		dma_debug_report(call->dev, entry, "wrong-nents",
				 "synced with %d entries, mapped with %d", call->sg_nents,
				 entry->sg_nents);
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
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = sg_dma_address(sgl), .sg_nents = nelems,
	};
	struct scatterlist *sg;
	unsigned long flags;
	int i;

	if (!dma_debug_watching(dev))
		return;
	local_irq_save(flags);
	dma_debug_inspect_containing(&call, dma_debug_check_sync_nents);
	local_irq_restore(flags);
	for_each_sg(sgl, sg, nelems, i) {
		if (!sg_dma_len(sg))
			break;
		debug_dma_sync(dev, sg_dma_address(sg), sg_dma_len(sg), dir, for_cpu);
	}
}

/* ------------------------------------------------ two-step IOVA ranges */

/*
 * Move @dev's links that start in [@start, @start + @size) from @bucket to
 * @out, with their cache lines where @bucket lists those.  The caller
 * holds the lock.
 */
static void dma_debug_take_links_in(struct dma_debug_bucket *bucket, struct device *dev,
				    dma_addr_t start, size_t size, struct hlist_head *out)
{
	struct dma_debug_entry *entry;
	struct hlist_node *next;

	hlist_for_each_entry_safe(entry, next, &bucket->entries, node) {
		if (entry->dev != dev || entry->kind != DMA_DEBUG_IOVA ||
		    entry->dma_addr < start || entry->dma_addr - start >= size)
			continue;
		__hlist_del(&entry->node);
		dma_debug_line_leave_in(bucket, entry);
		hlist_add_head(&entry->node, out);
	}
}

/*
 * Move every link of @dev that starts in [@start, @start + @size) out of
 * the table to @out.  A range wider than the table visits each bucket
 * once.  Interrupts are off.
 */
static void dma_debug_take_links(struct device *dev, dma_addr_t start, size_t size,
				 struct hlist_head *out)
{
	u64 first = start >> DMA_DEBUG_GRANULE_SHIFT;
	u64 count = ((start + size - 1) >> DMA_DEBUG_GRANULE_SHIFT) - first + 1;
	struct dma_debug_bucket *bucket;
	u64 i;

	for (i = 0; i < min_t(u64, count, DMA_DEBUG_HASH_SIZE); i++) {
		if (count > DMA_DEBUG_HASH_SIZE)
			bucket = &dma_debug_table[i];
		else
			bucket = dma_debug_bucket_of((first + i) << DMA_DEBUG_GRANULE_SHIFT);
		raw_spin_lock(&bucket->lock);
		dma_debug_take_links_in(bucket, dev, start, size, out);
		raw_spin_unlock(&bucket->lock);
	}
	if (dma_debug_large_in_use()) {
		raw_spin_lock(&dma_debug_large->lock);
		dma_debug_take_links_in(dma_debug_large, dev, start, size, out);
		raw_spin_unlock(&dma_debug_large->lock);
	}
}

/*
 * Take @call's device's links in its part of a two-step range out of the
 * table, report what is wrong with them, and forget them.  An unlink must
 * find whole links there; a freed range (@freeing) must find none.
 */
static void dma_debug_release_links(const struct dma_debug_call *call, bool freeing)
{
	struct dma_debug_entry *entry;
	struct hlist_node *next;
	unsigned long flags;
	HLIST_HEAD(links);

	local_irq_save(flags);
	dma_debug_take_links(call->dev, call->dma_addr, call->size, &links);
	/* What still holds the part's first address started before it. */
	if (!freeing && hlist_empty(&links))
		dma_debug_report_unknown(call);
	else if (!freeing)
		dma_debug_inspect_containing(call, dma_debug_report_inside);
	hlist_for_each_entry_safe(entry, next, &links, node) {
		if (freeing)
			dma_debug_report(call->dev, entry, "free-linked",
					 "IOVA range %pad+%zu freed while this link is live",
					 &call->dma_addr, call->size);
		else if (entry->dma_addr - call->dma_addr + entry->size > call->size)
			dma_debug_report(call->dev, entry, "unlink-partial",
					 "unlink of %pad+%zu ends inside this link",
					 &call->dma_addr, call->size);
		if (!freeing && entry->dir != call->dir)
			dma_debug_report(call->dev, entry, "wrong-direction",
					 "unlinked with direction %s", dir_name(call->dir));
		dma_debug_forget(entry);
	}
	local_irq_restore(flags);
}

/**
 * debug_dma_unlink() - Check and forget the links an unlink takes down.
 * @dev: the device
 * @dma_addr: start of the unlinked part of the range
 * @size: its length
 * @dir: the direction the driver passed
 *
 * dma_iova_unlink() and dma_iova_destroy() may take down several links at
 * once, but only whole ones: the part must start where a link starts and
 * must not end inside one.
 */
void debug_dma_unlink(struct device *dev, dma_addr_t dma_addr, size_t size,
		      enum dma_data_direction dir)
{
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = dma_addr, .size = size, .kind = DMA_DEBUG_IOVA, .dir = dir,
	};

	if (dma_debug_watching(dev))
		dma_debug_release_links(&call, false);
}

/**
 * debug_dma_iova_free() - Check that a freed IOVA range holds no links.
 * @dev: the device
 * @dma_addr: the range's first address
 * @size: its length
 *
 * A link left in a freed range stays mapped for the device, at addresses
 * the next range may be given; each is reported and forgotten.
 */
void debug_dma_iova_free(struct device *dev, dma_addr_t dma_addr, size_t size)
{
	struct dma_debug_call call = {
		.dev = dev, .dma_addr = dma_addr, .size = size, .kind = DMA_DEBUG_IOVA,
	};

	if (dma_debug_watching(dev))
		dma_debug_release_links(&call, true);
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

	for (i = 0; i < ARRAY_SIZE(dma_debug_table); i++) {
		struct dma_debug_bucket *bucket = &dma_debug_table[i];
		struct dma_debug_entry *entry;
		struct hlist_node *next;
		unsigned long flags;
		HLIST_HEAD(gone);

		local_irq_save(flags);
		raw_spin_lock(&bucket->lock);
		hlist_for_each_entry_safe(entry, next, &bucket->entries, node) {
			if (entry->dev != leaks->dev)
				continue;
			if (++leaks->count <= DMA_DEBUG_UNBIND_SHOWN)
				dev_err(entry->dev, "DMA-API: leaked-at-unbind: [dma=%pad size=%zu %s %s] mapped at %pS\n",
					&entry->dma_addr, entry->size,
					dma_debug_kind_name[entry->kind], dir_name(entry->dir),
					entry->nr_frames ? (void *)entry->frames[0] : NULL);
			__hlist_del(&entry->node);
			dma_debug_line_leave_in(bucket, entry);
			hlist_add_head(&entry->node, &gone);
		}
		raw_spin_unlock(&bucket->lock);
		/* Other buckets' locks, for lines listed elsewhere, one at a time. */
		hlist_for_each_entry_safe(entry, next, &gone, node)
			dma_debug_forget(entry);
		local_irq_restore(flags);
	}
}

static int dma_debug_bus_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct dma_debug_leaks leaks = { .dev = data };

	/*
	 * No filter is asked: the driver has already left the device, and the
	 * entries exist only because the device matched when it was mapped.
	 * They all go, even if checking has stopped since, because the device
	 * may be freed next and dump would follow their pointers to it.
	 */
	if (action != BUS_NOTIFY_UNBOUND_DRIVER || !READ_ONCE(dma_debug_ready))
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

	raw_spin_lock_irqsave(&dma_debug_last_lock, flags);
	seq_printf(seq, "%s\n", dma_debug_last);
	raw_spin_unlock_irqrestore(&dma_debug_last_lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(last_error);

/* Only devices bound to @name are checked from now on ("" for all). */
VISIBLE_IF_KUNIT void dma_debug_set_filter(const char *name)
{
	dma_dev_filter_set(&dma_debug_filter, name);
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

static int num_free_entries_get(void *data, u64 *val)
{
	*val = dma_debug_nr_free();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(num_free_entries_fops, num_free_entries_get, NULL, "%llu\n");

static int __init dma_debug_debugfs_init(void)
{
	struct dentry *dir;

	if (!dma_debug_ready)
		return 0;
	dir = debugfs_create_dir("dma-api", NULL);
	debugfs_create_bool("all_errors", 0644, dir, &dma_debug_all_errors);
	debugfs_create_bool("disabled", 0444, dir, &dma_debug_off);
	debugfs_create_file("dump", 0444, dir, NULL, &dump_fops);
	debugfs_create_file("devices", 0444, dir, NULL, &devices_fops);
	debugfs_create_file("last_error", 0444, dir, NULL, &last_error_fops);
	debugfs_create_file_unsafe("error_count", 0444, dir, NULL, &error_count_fops);
	debugfs_create_u32("num_errors", 0644, dir, &dma_debug_errors_to_show);
	debugfs_create_file_unsafe("num_free_entries", 0444, dir, NULL, &num_free_entries_fops);
	debugfs_create_u32("min_free_entries", 0444, dir, &dma_debug_min_free);
	debugfs_create_u32("nr_total_entries", 0444, dir, &dma_debug_nr_total);
	dma_dev_filter_debugfs(&dma_debug_filter, "driver_filter", dir, 0644);
	return 0;
}

/* Mappings are tracked from core_initcall on; their files can wait. */
fs_initcall(dma_debug_debugfs_init);

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
	for (i = 0; i < ARRAY_SIZE(dma_debug_table); i++) {
		raw_spin_lock_init(&dma_debug_table[i].lock);
		INIT_HLIST_HEAD(&dma_debug_table[i].entries);
		INIT_HLIST_HEAD(&dma_debug_table[i].lines);
	}
	if (dma_debug_add_entries(dma_debug_nr_wanted, GFP_KERNEL)) {
		dma_debug_give_up("could not preallocate tracking entries");
		return 0;
	}
	dma_debug_min_free = dma_debug_pool_free;
	WRITE_ONCE(dma_debug_ready, true);
	pr_info("tracking with %u preallocated entries\n", dma_debug_nr_total);
	return 0;
}
core_initcall(dma_debug_init);

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

	raw_spin_lock_irqsave(&dma_debug_last_lock, flags);
	strscpy(buf, dma_debug_last, len);
	raw_spin_unlock_irqrestore(&dma_debug_last_lock, flags);
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

/**
 * dma_debug_swap_printing() - Exchange how many reports are printed.
 * @all: the value of all_errors to set; receives the old one
 * @num: the value of num_errors to set; receives the old one
 *
 * Swapping again with the same variables restores the old settings.
 */
void dma_debug_swap_printing(bool *all, u32 *num)
{
	*all = xchg(&dma_debug_all_errors, *all);
	*num = xchg(&dma_debug_errors_to_show, *num);
}
EXPORT_SYMBOL_IF_KUNIT(dma_debug_swap_printing);
#endif
