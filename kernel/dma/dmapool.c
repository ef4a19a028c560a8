// SPDX-License-Identifier: GPL-2.0
/*
 * dmacore: pools of small DMA-coherent blocks.
 *
 * The contract (Documentation/core-api/dma-api.rst, Part Ib): every block is
 * at least @size bytes, its DMA address is a multiple of @align and, when a
 * @boundary is given, no block straddles a multiple of it.  Allocation and
 * free work in any context the gfp flags allow, hard interrupts included;
 * creating and destroying a pool may sleep.
 *
 * Layout.  Blocks are cut from chunks: single dma_alloc_coherent() buffers of
 * a power-of-two number of pages, the smallest that holds one block.  The
 * coherent allocator puts such a buffer at a DMA address that is a multiple
 * of its own size, so a chunk splits into segments of min(boundary, chunk)
 * bytes that start on a multiple of their length.  Blocks are packed from the
 * start of each segment, and a segment tail too short for a whole block stays
 * unused.  The block size is a multiple of the alignment and the segment
 * length is a power of two no smaller than a block, so alignment and boundary
 * both hold by construction: nothing on the hot path computes them.  Each
 * new chunk is checked against that assumption, because a backend that broke
 * it would otherwise make us hand devices misplaced blocks without a sound.
 *
 * Free blocks.  All free blocks of a pool, whatever their chunk, form one
 * stack, linked through the blocks themselves: a free block holds the next
 * free block and its own DMA address.  Allocation pops and free pushes, under
 * the pool lock, and neither looks anything up, so both are a handful of
 * loads and stores.  The block freed last is handed out first, the one most
 * likely to be cache-hot.
 *
 * Checking frees.  A bad pointer accepted by dma_pool_free() would be handed
 * out again as a fresh block, and two owners of one block corrupt each other
 * silently.  Catching that needs to know which blocks are out, which costs a
 * lookup per free, so it is done in kernels built with the DMA API checker
 * (CONFIG_DMA_API_DEBUG), where drivers are debugged, and not in production
 * kernels, whose pools trust their callers as every dma_pool has always
 * done.  Checked pools keep per chunk a bitmap with one bit per "granule"
 * (the largest power of two dividing the block size), set at the first
 * granule of each block that is out, and find a block's chunk through a
 * one-entry cache of the last chunk used, or else in a per-pool hash table
 * keyed by CPU address divided by the chunk size (a chunk spans at most two
 * such keys, and is entered under both), so that the lookup takes the same
 * time however many chunks the pool has.  A free must then name the start of a block whose
 * bit is set, with the DMA address it was handed out with.  That catches
 * double frees, frees into the wrong pool and interior or stray pointers
 * exactly; the offending call is reported (rate-limited, naming device and
 * pool) and otherwise ignored.
 *
 * A checked pool also keeps its free blocks where no device and no driver
 * can write: each chunk has a stack of the offsets of its free blocks, and
 * the pool a list of the chunks that have any, the chunk freed into last at
 * its head.  A write through a stale pointer into a freed block, which in
 * an unchecked pool could overwrite the link to the next free block, then
 * cannot mislead the allocator, and allocation needs no lookup at all.
 *
 * Destroying a pool that still has blocks in use reports them and leaks
 * chunks rather than free memory a device may still be writing: a checked
 * pool leaks only the chunks holding such blocks, an unchecked one cannot
 * tell which they are and leaks them all.
 *
 * Each device with pools has a read-only "pools" attribute, in the format
 * user space has parsed for years: a "poolinfo - 0.1" header, then per pool
 * its name, blocks in use, blocks in total, block size and chunks ("pages").
 */

#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/reciprocal_div.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "internal.h"

/* What a free block holds; blocks are at least this large. */
struct dma_pool_block {
	struct dma_pool_block *next;
	dma_addr_t dma;
};

struct dma_pool {
	spinlock_t lock;		/* guards all the fields up to dev */
	struct dma_pool_block *free;	/* unchecked: top of the free stack */
	struct list_head partial;	/* checked: chunks with free blocks */
	size_t nr_active;		/* blocks handed out and not freed */
	size_t nr_blocks;		/* all blocks of all chunks */
	size_t nr_chunks;
	struct list_head chunks;	/* every chunk */
	struct dma_pool_chunk *recent;	/* checked: last chunk used, or NULL */
	struct dma_pool_chunk **index;	/* checked: open-addressed hash table */
	unsigned int index_bits;	/* it has 2^index_bits slots */
	size_t index_used;		/* slots in use */

	/* Fixed at creation. */
	struct device *dev;
	const char *name;
	size_t block_size;
	size_t chunk_size;
	unsigned int chunk_shift;	/* log2(chunk_size) */
	size_t seg_size;		/* no block crosses a multiple of this */
	u32 blocks_per_seg;
	u32 blocks_per_chunk;
	unsigned int granule_shift;	/* in_use[] has a bit per 2^shift bytes */
	unsigned long granule_mask;	/* bits clear at every block start */
	bool tiled;			/* blocks fill segments exactly */
	struct reciprocal_value block_recip;	/* divides by block_size */
	bool checked;			/* see dma_pool_checked() */
	struct list_head dev_entry;	/* on dev->dma_pools */
};

struct dma_pool_chunk {
	struct list_head entry;		/* on pool->chunks */
	void *vaddr;
	dma_addr_t dma;
	/* Checked pools only: */
	struct list_head partial;	/* on pool->partial while nr_free */
	u32 nr_free;
	u32 *free_offs;			/* stack of free blocks' offsets */
	unsigned long in_use[];		/* then free_offs[blocks_per_chunk] */
};

/* Why a free was refused, reported once the lock is gone. */
enum dma_pool_fault {
	DMA_POOL_OK,
	DMA_POOL_NOT_IN_POOL,
	DMA_POOL_NOT_A_BLOCK,
	DMA_POOL_NOT_IN_USE,
	DMA_POOL_WRONG_DMA,
};

/*
 * Should a new pool track its blocks and check every free?  Only where the
 * DMA API checker is built (see the top comment).  The KUnit suite says no
 * for some pools, to test what production kernels run as well.
 */
VISIBLE_IF_KUNIT bool dma_pool_checks_frees(void)
{
	KUNIT_STATIC_STUB_REDIRECT(dma_pool_checks_frees);
	return IS_ENABLED(CONFIG_DMA_API_DEBUG);
}

/* Known at build time, and so free, in kernels without the checker. */
static inline bool dma_pool_checked(const struct dma_pool *pool)
{
	return IS_ENABLED(CONFIG_DMA_API_DEBUG) && pool->checked;
}

/*
 * Two locks, because removing a sysfs file waits for the readers it has, and
 * a reader of "pools" needs to walk dev->dma_pools: taking the list lock
 * around the removal could deadlock against such a reader.
 */
static DEFINE_MUTEX(dma_pools_list_lock);	/* every dev->dma_pools */
static DEFINE_MUTEX(dma_pools_attr_lock);	/* the "pools" attributes */

static ssize_t pools_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct dma_pool *pool;
	size_t active, blocks, chunks;
	int len;

	len = sysfs_emit(buf, "poolinfo - 0.1\n");

	mutex_lock(&dma_pools_list_lock);
	list_for_each_entry(pool, &dev->dma_pools, dev_entry) {
		spin_lock_irq(&pool->lock);
		active = pool->nr_active;
		blocks = pool->nr_blocks;
		chunks = pool->nr_chunks;
		spin_unlock_irq(&pool->lock);

		len += sysfs_emit_at(buf, len, "%-16s %4zu %4zu %4zu %2zu\n",
				     pool->name, active, blocks,
				     pool->block_size, chunks);
	}
	mutex_unlock(&dma_pools_list_lock);

	return len;
}
static DEVICE_ATTR_RO(pools);

/* Make @pool visible on its device, creating "pools" with the first one. */
static void dma_pool_publish(struct dma_pool *pool)
{
	struct device *dev = pool->dev;
	bool first;

	mutex_lock(&dma_pools_attr_lock);

	mutex_lock(&dma_pools_list_lock);
	first = list_empty(&dev->dma_pools);
	list_add_tail(&pool->dev_entry, &dev->dma_pools);
	mutex_unlock(&dma_pools_list_lock);

	/*
	 * The attribute is a debugging aid: a pool works without it, so a
	 * failure is worth a warning but not a failed probe.  A device not
	 * yet in sysfs has no directory to put it in.
	 */
	if (first && device_is_registered(dev) &&
	    device_create_file(dev, &dev_attr_pools))
		dev_warn(dev, "dma_pool %s: cannot create the pools attribute\n",
			 pool->name);

	mutex_unlock(&dma_pools_attr_lock);
}

static void dma_pool_unpublish(struct dma_pool *pool)
{
	struct device *dev = pool->dev;
	bool last;

	mutex_lock(&dma_pools_attr_lock);

	mutex_lock(&dma_pools_list_lock);
	list_del(&pool->dev_entry);
	last = list_empty(&dev->dma_pools);
	mutex_unlock(&dma_pools_list_lock);

	/* Once the device has left sysfs its attributes went with it. */
	if (last && device_is_registered(dev))
		device_remove_file(dev, &dev_attr_pools);

	mutex_unlock(&dma_pools_attr_lock);
}

/*
 * Work out the chunk layout for blocks of @size bytes.  Each rejection says
 * exactly which argument is wrong: these are programming errors, and the
 * driver author should not have to guess.
 */
static bool dma_pool_set_geometry(struct dma_pool *pool, const char *name,
				  size_t size, size_t align, size_t boundary)
{
	struct device *dev = pool->dev;
	size_t block;

	if (!size) {
		dev_err_ratelimited(dev, "dma_pool %s: block size is zero\n",
				    name);
		return false;
	}
	if (!align)
		align = 1;
	if (!is_power_of_2(align)) {
		dev_err_ratelimited(dev, "dma_pool %s: alignment %zu is not a power of two\n",
				    name, align);
		return false;
	}
	/* Large enough for any real descriptor, small enough not to overflow. */
	if (size > INT_MAX || align > INT_MAX) {
		dev_err_ratelimited(dev, "dma_pool %s: size %zu or alignment %zu is too large\n",
				    name, size, align);
		return false;
	}
	if (boundary && !is_power_of_2(boundary)) {
		dev_err_ratelimited(dev, "dma_pool %s: boundary %zu is not a power of two\n",
				    name, boundary);
		return false;
	}

	/* A free block holds a struct dma_pool_block: keep it aligned. */
	align = max(align, __alignof__(struct dma_pool_block));
	block = ALIGN(max(size, sizeof(struct dma_pool_block)), align);
	if (boundary && boundary < block) {
		dev_err_ratelimited(dev, "dma_pool %s: boundary %zu is smaller than a %zu-byte block (size %zu, alignment %zu)\n",
				    name, boundary, block, size, align);
		return false;
	}

	pool->block_size = block;
	pool->chunk_size = PAGE_SIZE << get_order(block);
	pool->chunk_shift = ilog2(pool->chunk_size);
	pool->seg_size = boundary ? min(boundary, pool->chunk_size) :
				    pool->chunk_size;
	pool->blocks_per_seg = pool->seg_size / block;
	pool->blocks_per_chunk = pool->blocks_per_seg *
				 (pool->chunk_size / pool->seg_size);
	pool->granule_shift = __ffs(block);
	pool->granule_mask = BIT(pool->granule_shift) - 1;
	pool->tiled = is_power_of_2(block);
	pool->block_recip = reciprocal_value(block);
	return true;
}

/*
 * Is @off, an offset into a chunk, where some block starts?  Checked pools
 * ask this on every allocation, hence the precomputed masks and the
 * reciprocal: a division is slow on real CPUs and slower still under
 * emulation.
 */
static inline bool dma_pool_is_block_start(const struct dma_pool *pool,
					   unsigned long off)
{
	u32 in_seg, nth;

	if (off >= pool->chunk_size || (off & pool->granule_mask))
		return false;
	/* Power-of-two blocks tile every segment with no tail left over. */
	if (pool->tiled)
		return true;
	/* Both fit: a chunk is at most 2 GiB, given the limit on sizes. */
	in_seg = off & (pool->seg_size - 1);
	nth = reciprocal_divide(in_seg, pool->block_recip);
	return nth < pool->blocks_per_seg && nth * pool->block_size == in_seg;
}

static unsigned long dma_pool_offset(const struct dma_pool_chunk *chunk,
				     const void *vaddr)
{
	return (unsigned long)vaddr - (unsigned long)chunk->vaddr;
}

static unsigned long dma_pool_bit(const struct dma_pool *pool,
				  unsigned long off)
{
	return off >> pool->granule_shift;
}

/* The chunk holding @vaddr, from the hash table, or NULL. */
static noinline struct dma_pool_chunk *
dma_pool_search_chunk(struct dma_pool *pool, const void *vaddr)
{
	unsigned long mask = BIT(pool->index_bits) - 1;
	struct dma_pool_chunk *chunk;
	unsigned long i;

	if (!pool->index)
		return NULL;
	i = hash_long((unsigned long)vaddr >> pool->chunk_shift, pool->index_bits);
	for (; (chunk = pool->index[i]); i = (i + 1) & mask) {
		if (dma_pool_offset(chunk, vaddr) < pool->chunk_size) {
			pool->recent = chunk;
			return chunk;
		}
	}
	return NULL;
}

/* Enter @chunk in @index, of 2^@bits slots; returns the slots it took. */
static unsigned int dma_pool_index_add(const struct dma_pool *pool,
				       struct dma_pool_chunk **index,
				       unsigned int bits,
				       struct dma_pool_chunk *chunk)
{
	unsigned long first = (unsigned long)chunk->vaddr >> pool->chunk_shift;
	unsigned long last = ((unsigned long)chunk->vaddr + pool->chunk_size - 1) >>
			     pool->chunk_shift;
	unsigned long key, i;

	for (key = first; key <= last; key++) {
		i = hash_long(key, bits);
		while (index[i])
			i = (i + 1) & (BIT(bits) - 1);
		index[i] = chunk;
	}
	return last - first + 1;
}

/*
 * Checked pools: can the index take one more chunk (two slots at most) and
 * stay at most half full?  That keeps probes short, and a probe always ends
 * at an empty slot.
 */
static bool dma_pool_index_has_room(const struct dma_pool *pool)
{
	return pool->index && (pool->index_used + 2) * 2 <= BIT(pool->index_bits);
}

/*
 * Checked pools: replace the index by one twice as large, allocated without
 * the lock and filled under it.  False if no memory could be had.
 */
static bool dma_pool_index_enlarge(struct dma_pool *pool, gfp_t gfp)
{
	struct dma_pool_chunk **index, **old = NULL;
	struct dma_pool_chunk *chunk;
	unsigned long flags;
	unsigned int bits;

	spin_lock_irqsave(&pool->lock, flags);
	bits = pool->index ? pool->index_bits + 1 : 2;
	spin_unlock_irqrestore(&pool->lock, flags);

	index = kcalloc_node(BIT(bits), sizeof(*index), gfp & ~GFP_ZONEMASK,
			     dev_to_node(pool->dev));
	if (!index)
		return false;

	spin_lock_irqsave(&pool->lock, flags);
	/* another CPU may have enlarged it meanwhile */
	if (!pool->index || bits > pool->index_bits) {
		old = pool->index;
		pool->index = index;
		pool->index_bits = bits;
		index = NULL;
		list_for_each_entry(chunk, &pool->chunks, entry)
			dma_pool_index_add(pool, pool->index, bits, chunk);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	kfree(index);
	kfree(old);
	return true;
}

/*
 * The chunk holding @vaddr, or NULL.  Runs of calls stay in one chunk (a
 * request's descriptors were allocated together, and are usually freed
 * together), so the chunk used last is tried before the hash table.
 */
static inline struct dma_pool_chunk *dma_pool_find_chunk(struct dma_pool *pool,
							 const void *vaddr)
{
	if (likely(pool->recent &&
		   dma_pool_offset(pool->recent, vaddr) < pool->chunk_size))
		return pool->recent;
	return dma_pool_search_chunk(pool, vaddr);
}

static void dma_pool_push(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	struct dma_pool_block *blk = vaddr;

	blk->next = pool->free;
	blk->dma = dma;
	pool->free = blk;
}

/*
 * Make every block of a new @chunk free, highest address first, so that the
 * chunk is handed out from its start.
 */
static void dma_pool_add_free_blocks(struct dma_pool *pool,
				     struct dma_pool_chunk *chunk)
{
	size_t seg = pool->chunk_size;
	unsigned long off;
	u32 i;

	while (seg) {
		seg -= pool->seg_size;
		for (i = pool->blocks_per_seg; i--; ) {
			off = seg + i * pool->block_size;
			if (dma_pool_checked(pool))
				chunk->free_offs[chunk->nr_free++] = off;
			else
				dma_pool_push(pool, chunk->vaddr + off,
					      chunk->dma + off);
		}
	}
	if (dma_pool_checked(pool))
		list_add(&chunk->partial, &pool->partial);
}

/* Allocate a chunk with all blocks free; called without the pool lock. */
static struct dma_pool_chunk *dma_pool_new_chunk(struct dma_pool *pool,
						 gfp_t gfp)
{
	bool checked = dma_pool_checked(pool);
	size_t longs = checked ?
		BITS_TO_LONGS(pool->chunk_size >> pool->granule_shift) : 0;
	size_t offs = checked ? pool->blocks_per_chunk : 0;
	struct dma_pool_chunk *chunk;

	/* Zone modifiers are for the DMA buffer; slab rejects some of them. */
	chunk = kzalloc_node(size_add(struct_size(chunk, in_use, longs),
				      array_size(offs, sizeof(u32))),
			     gfp & ~GFP_ZONEMASK, dev_to_node(pool->dev));
	if (!chunk)
		return NULL;
	chunk->free_offs = (u32 *)(chunk->in_use + longs);

	/* Zeroing, when asked for, is done per block as it is handed out. */
	chunk->vaddr = dma_alloc_coherent(pool->dev, pool->chunk_size,
					  &chunk->dma, gfp & ~__GFP_ZERO);
	if (!chunk->vaddr)
		goto free_chunk;

	if ((chunk->dma & (pool->seg_size - 1)) ||
	    !PAGE_ALIGNED(chunk->vaddr)) {
		dev_err_ratelimited(pool->dev, "dma_pool %s: coherent buffer of %zu bytes at dma %pad is not aligned to %zu; refusing it\n",
				    pool->name, pool->chunk_size, &chunk->dma,
				    pool->seg_size);
		dma_free_coherent(pool->dev, pool->chunk_size, chunk->vaddr,
				  chunk->dma);
		goto free_chunk;
	}
	return chunk;

free_chunk:
	kfree(chunk);
	return NULL;
}

/*
 * Add a chunk to @pool; called without the pool lock.  Kept out of line so
 * that dma_pool_alloc() does not pay for its registers on every call.
 */
static noinline bool dma_pool_grow(struct dma_pool *pool, gfp_t gfp)
{
	struct dma_pool_chunk *chunk = dma_pool_new_chunk(pool, gfp);
	unsigned long flags;

	if (!chunk)
		return false;
	spin_lock_irqsave(&pool->lock, flags);
	while (dma_pool_checked(pool) && !dma_pool_index_has_room(pool)) {
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!dma_pool_index_enlarge(pool, gfp)) {
			dma_free_coherent(pool->dev, pool->chunk_size,
					  chunk->vaddr, chunk->dma);
			kfree(chunk);
			return false;
		}
		spin_lock_irqsave(&pool->lock, flags);
	}
	list_add(&chunk->entry, &pool->chunks);
	if (dma_pool_checked(pool))
		pool->index_used += dma_pool_index_add(pool, pool->index,
						       pool->index_bits, chunk);
	dma_pool_add_free_blocks(pool, chunk);
	pool->nr_blocks += pool->blocks_per_chunk;
	pool->nr_chunks++;
	spin_unlock_irqrestore(&pool->lock, flags);
	return true;
}

/* Is there a free block, in whichever form @pool keeps them? */
static inline bool dma_pool_has_free(const struct dma_pool *pool)
{
	if (dma_pool_checked(pool))
		return !list_empty(&pool->partial);
	return pool->free;
}

/* Checked pools: hand out the top block of the first chunk with any. */
static void *dma_pool_take_checked(struct dma_pool *pool, dma_addr_t *handle)
{
	struct dma_pool_chunk *chunk;
	unsigned long off;

	chunk = list_first_entry(&pool->partial, struct dma_pool_chunk, partial);
	off = chunk->free_offs[--chunk->nr_free];
	if (!chunk->nr_free)
		list_del_init(&chunk->partial);
	__set_bit(dma_pool_bit(pool, off), chunk->in_use);
	/* its free is likely to come next */
	pool->recent = chunk;
	*handle = chunk->dma + off;
	return chunk->vaddr + off;
}

/**
 * dma_pool_alloc - take a block from a DMA pool
 * @pool: pool to take the block from
 * @mem_flags: GFP flags, used if the pool has to grow; %__GFP_ZERO (or
 *	booting with init_on_alloc=1) clears the block
 * @handle: where the DMA address of the block is stored
 *
 * The block meets the size, alignment and boundary given to
 * dma_pool_create().  Blocks freed earlier are reused, the most recently
 * freed first; the pool grows by one chunk when none is free.
 *
 * Context: any context in which @mem_flags are allowed, hard interrupts
 * included with %GFP_ATOMIC.
 * Return: the CPU address of the block, or %NULL if the pool could not
 * grow.
 */
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
		     dma_addr_t *handle)
{
	struct dma_pool_block *blk;
	unsigned long flags;

	might_alloc(mem_flags);

	for (;;) {
		spin_lock_irqsave(&pool->lock, flags);
		if (likely(dma_pool_has_free(pool)))
			break;
		/* Growing may sleep; other CPUs need not wait for it. */
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!dma_pool_grow(pool, mem_flags))
			return NULL;
	}
	if (dma_pool_checked(pool)) {
		blk = dma_pool_take_checked(pool, handle);
	} else {
		blk = pool->free;
		pool->free = blk->next;
		*handle = blk->dma;
	}
	pool->nr_active++;
	spin_unlock_irqrestore(&pool->lock, flags);

	/* init_on_alloc=1 clears blocks as the page allocator clears pages */
	if (want_init_on_alloc(mem_flags))
		memset(blk, 0, pool->block_size);
	return blk;
}
EXPORT_SYMBOL(dma_pool_alloc);

/* Checked pools: take back @vaddr/@dma if they name a block that is out. */
static enum dma_pool_fault dma_pool_put_checked(struct dma_pool *pool,
						const void *vaddr,
						dma_addr_t dma,
						dma_addr_t *expected)
{
	struct dma_pool_chunk *chunk = dma_pool_find_chunk(pool, vaddr);
	unsigned long off;

	if (!chunk)
		return DMA_POOL_NOT_IN_POOL;
	off = dma_pool_offset(chunk, vaddr);
	/*
	 * In-use bits are set at block starts only, so a granule-aligned
	 * offset whose bit is set is a live block: the block arithmetic is
	 * needed only to tell the two kinds of bad free apart.
	 */
	if ((off & pool->granule_mask) ||
	    !test_bit(dma_pool_bit(pool, off), chunk->in_use))
		return dma_pool_is_block_start(pool, off) ? DMA_POOL_NOT_IN_USE :
							    DMA_POOL_NOT_A_BLOCK;
	*expected = chunk->dma + off;
	if (dma != *expected)
		return DMA_POOL_WRONG_DMA;
	__clear_bit(dma_pool_bit(pool, off), chunk->in_use);
	chunk->free_offs[chunk->nr_free++] = off;
	/* the chunk freed into last is the first to hand out again */
	if (!list_is_first(&chunk->partial, &pool->partial))
		list_move(&chunk->partial, &pool->partial);
	return DMA_POOL_OK;
}

static void dma_pool_report_free(const struct dma_pool *pool,
				 enum dma_pool_fault fault, const void *vaddr,
				 dma_addr_t dma, dma_addr_t expected)
{
	switch (fault) {
	case DMA_POOL_NOT_IN_POOL:
		dev_err_ratelimited(pool->dev, "dma_pool %s: free of %p (dma %pad), which is not in this pool; ignored\n",
				    pool->name, vaddr, &dma);
		break;
	case DMA_POOL_NOT_A_BLOCK:
		dev_err_ratelimited(pool->dev, "dma_pool %s: free of %p (dma %pad), which is inside a chunk but not the start of a block; ignored\n",
				    pool->name, vaddr, &dma);
		break;
	case DMA_POOL_NOT_IN_USE:
		dev_err_ratelimited(pool->dev, "dma_pool %s: free of block %p (dma %pad), which is already free (double free?); ignored\n",
				    pool->name, vaddr, &dma);
		break;
	case DMA_POOL_WRONG_DMA:
		dev_err_ratelimited(pool->dev, "dma_pool %s: free of block %p with dma %pad, but it was handed out with dma %pad; ignored, block stays in use\n",
				    pool->name, vaddr, &dma, &expected);
		break;
	default:
		break;
	}
}

/**
 * dma_pool_free - give a block back to its DMA pool
 * @pool: pool the block was taken from
 * @vaddr: CPU address dma_pool_alloc() returned; %NULL does nothing
 * @dma: DMA address dma_pool_alloc() returned with it
 *
 * The device must be done with the block.  In kernels built with
 * %CONFIG_DMA_API_DEBUG, a block that is not currently handed out by @pool,
 * or whose @dma does not match, is reported and left as it is; other
 * kernels take the caller's word for it.
 *
 * Context: any context.
 */
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	enum dma_pool_fault fault = DMA_POOL_OK;
	dma_addr_t expected = 0;
	unsigned long flags;

	if (!vaddr)
		return;

	spin_lock_irqsave(&pool->lock, flags);
	if (dma_pool_checked(pool))
		fault = dma_pool_put_checked(pool, vaddr, dma, &expected);
	if (likely(fault == DMA_POOL_OK)) {
		/* init_on_free=1 clears blocks as the page allocator does pages */
		if (want_init_on_free())
			memset(vaddr, 0, pool->block_size);
		if (!dma_pool_checked(pool))
			dma_pool_push(pool, vaddr, dma);
		pool->nr_active--;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	if (unlikely(fault != DMA_POOL_OK))
		dma_pool_report_free(pool, fault, vaddr, dma, expected);
}
EXPORT_SYMBOL(dma_pool_free);

/**
 * dma_pool_create - create a pool of DMA-coherent blocks
 * @name: name of the pool, shown in the device's "pools" attribute
 * @dev: device whose DMA the blocks are for
 * @size: size of each block, in bytes; must not be zero
 * @align: alignment of each block's DMA address: a power of two, or 0 for
 *	none
 * @boundary: if non-zero, a power of two at least as large as a block that
 *	no block will straddle, in DMA address space
 *
 * Blocks may come out larger than @size (rounded up to @align and to pointer
 * size).  CPU addresses share the DMA address alignment up to %PAGE_SIZE.
 * Invalid arguments are reported, naming @dev, and fail the call.
 *
 * Context: process context; may sleep.
 * Return: the new pool, or %NULL on invalid arguments or lack of memory.
 */
struct dma_pool *dma_pool_create(const char *name, struct device *dev,
				 size_t size, size_t align, size_t boundary)
{
	struct dma_pool *pool;

	might_sleep();

	if (!dev || !name) {
		pr_err_ratelimited("%s: a pool needs a device and a name\n",
				   __func__);
		return NULL;
	}

	pool = kzalloc_node(sizeof(*pool), GFP_KERNEL, dev_to_node(dev));
	if (!pool)
		return NULL;
	pool->dev = dev;
	pool->checked = dma_pool_checks_frees();
	if (!dma_pool_set_geometry(pool, name, size, align, boundary))
		goto free_pool;

	pool->name = kstrdup_const(name, GFP_KERNEL);
	if (!pool->name)
		goto free_pool;

	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->partial);
	INIT_LIST_HEAD(&pool->chunks);
	dma_pool_publish(pool);
	return pool;

free_pool:
	kfree(pool);
	return NULL;
}
EXPORT_SYMBOL(dma_pool_create);

/**
 * dma_pool_destroy - free a DMA pool and all its memory
 * @pool: pool to destroy; %NULL does nothing
 *
 * All blocks should have been freed.  Chunks that still hold blocks in use
 * are reported and leaked rather than freed, since the device may still
 * access them.
 *
 * Context: process context; may sleep.
 */
void dma_pool_destroy(struct dma_pool *pool)
{
	size_t bits, busy_chunks = 0;
	struct dma_pool_chunk *chunk, *next;

	if (!pool)
		return;
	might_sleep();

	dma_pool_unpublish(pool);

	bits = pool->chunk_size >> pool->granule_shift;
	list_for_each_entry_safe(chunk, next, &pool->chunks, entry) {
		/* Only a checked pool knows which chunks its blocks are in. */
		if (pool->nr_active &&
		    (!dma_pool_checked(pool) || !bitmap_empty(chunk->in_use, bits)))
			busy_chunks++;
		else
			dma_free_coherent(pool->dev, pool->chunk_size,
					  chunk->vaddr, chunk->dma);
		kfree(chunk);
	}

	if (pool->nr_active)
		dev_err(pool->dev, "dma_pool %s destroyed with %zu block(s) still in use; leaking %zu chunk(s) of %zu bytes\n",
			pool->name, pool->nr_active, busy_chunks,
			pool->chunk_size);

	kfree(pool->index);
	kfree_const(pool->name);
	kfree(pool);
}
EXPORT_SYMBOL(dma_pool_destroy);

/* devres record of a managed pool. */
struct dmam_pool_res {
	struct dma_pool *pool;
};

static void dmam_pool_release(struct device *dev, void *data)
{
	struct dmam_pool_res *res = data;

	dma_pool_destroy(res->pool);
}

static int dmam_pool_match(struct device *dev, void *data, void *pool)
{
	struct dmam_pool_res *res = data;

	return res->pool == pool;
}

/**
 * dmam_pool_create - create a DMA pool that is destroyed with its driver
 * @name: name of the pool
 * @dev: device whose DMA the blocks are for
 * @size: size of each block, in bytes
 * @align: alignment of each block, a power of two, or 0
 * @boundary: power-of-two DMA boundary no block may straddle, or 0
 *
 * Like dma_pool_create(), and the pool is destroyed automatically when the
 * driver unbinds from @dev or @dev goes away.
 *
 * Context: process context; may sleep.
 * Return: the new pool, or %NULL on failure.
 */
struct dma_pool *dmam_pool_create(const char *name, struct device *dev,
				  size_t size, size_t align, size_t boundary)
{
	struct dmam_pool_res *res;

	res = devres_alloc(dmam_pool_release, sizeof(*res), GFP_KERNEL);
	if (!res)
		return NULL;

	res->pool = dma_pool_create(name, dev, size, align, boundary);
	if (!res->pool) {
		devres_free(res);
		return NULL;
	}
	devres_add(dev, res);
	return res->pool;
}
EXPORT_SYMBOL(dmam_pool_create);

/**
 * dmam_pool_destroy - destroy a managed DMA pool now
 * @pool: pool made by dmam_pool_create(); %NULL does nothing
 *
 * Destroys @pool at once instead of at driver unbind.
 *
 * Context: process context; may sleep.
 */
void dmam_pool_destroy(struct dma_pool *pool)
{
	if (!pool)
		return;
	/* A pool that devres does not know was not made by dmam_pool_create(). */
	WARN_ON(devres_release(pool->dev, dmam_pool_release, dmam_pool_match,
			       pool));
}
EXPORT_SYMBOL(dmam_pool_destroy);
