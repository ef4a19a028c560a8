/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmacore: allocator of I/O virtual address ranges.
 *
 * An iova_domain hands out ranges of "pfns", numbers in units of the
 * domain's granule (an IOMMU page), top-down below a caller's limit.  How it
 * works and what it guarantees: drivers/iommu/iova.c and
 * Documentation/core-api/dmacore.rst.
 */
#ifndef _IOVA_H_
#define _IOVA_H_

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/dma-mapping.h>

/**
 * struct iova - one allocated or reserved range of a domain
 * @node: the domain's tree of ranges, in address order
 * @pfn_hi: last pfn of the range
 * @pfn_lo: first pfn of the range
 * @gap: free pfns between the range below (or the domain's start) and @pfn_lo;
 *	0 in the lowest range, whose gap iova.c keeps out of the summaries
 * @longest_gap: the largest @gap in the subtree under @node, this one's
 *	included
 * @orders: in that subtree, one more than the largest k such that a gap
 *	holds a block of 2^k pfns starting on a multiple of 2^k; 0 when no gap
 *	is free
 * @gap_orders: the same for @gap alone
 * @reserved: made by reserve_iova(), so never handed to a caller to free
 *
 * Callers read @pfn_lo and @pfn_hi; everything else belongs to iova.c.
 */
struct iova {
	struct rb_node	node;
	unsigned long	pfn_hi;
	unsigned long	pfn_lo;
	unsigned long	gap;
	unsigned long	longest_gap;
	u8		orders;
	u8		gap_orders;
	bool		reserved;
};

struct iova_rcache;

/**
 * struct iova_last_fit - where the last search placed its range
 * @range: a range no place above which fits the request, or NULL
 * @size: what the search asked for: size...
 * @align_mask: ...alignment...
 * @limit: ...and limit
 *
 * The same request again starts its search at @range (see iova.c).
 */
struct iova_last_fit {
	struct iova	*range;
	unsigned long	size;
	unsigned long	align_mask;
	unsigned long	limit;
};

/**
 * struct iova_domain - an I/O virtual address space
 * @lock: protects the tree and every range in it
 * @ranges: allocated and reserved ranges, keyed by @pfn_lo, the lowest
 *	cached
 * @granule: size of one pfn in bytes, a power of two
 * @start_pfn: lowest pfn the domain hands out
 * @top: a one-pfn range at ULONG_MAX, so every free gap lies below a range
 * @last_fit: the last search's result, where a repeat starts
 * @last_visits: tree nodes the last allocation looked at (for the tests)
 * @rcaches: per-size caches of freed ranges, NULL until
 *	iova_domain_init_rcaches()
 * @cpuhp_dead: on the CPU hotplug list that empties a dead CPU's caches
 */
struct iova_domain {
	spinlock_t		lock;		/* the tree */
	struct rb_root_cached	ranges;
	unsigned long		granule;
	unsigned long		start_pfn;
	struct iova		top;
	struct iova_last_fit	last_fit;
	unsigned int		last_visits;
	struct iova_rcache	*rcaches;
	struct hlist_node	cpuhp_dead;
};

/* Conversions between bytes, DMA addresses and pfns of a domain. */
static inline unsigned long iova_shift(struct iova_domain *iovad)
{
	return __ffs(iovad->granule);
}

static inline unsigned long iova_mask(struct iova_domain *iovad)
{
	return iovad->granule - 1;
}

static inline unsigned long iova_pfn(struct iova_domain *iovad, dma_addr_t iova)
{
	return iova >> iova_shift(iovad);
}

static inline dma_addr_t iova_dma_addr(struct iova_domain *iovad, struct iova *iova)
{
	return (dma_addr_t)iova->pfn_lo << iova_shift(iovad);
}

static inline unsigned long iova_size(struct iova *iova)
{
	return iova->pfn_hi - iova->pfn_lo + 1;
}

/* Offset of @iova in its granule, and sizes rounded to whole granules. */
static inline size_t iova_offset(struct iova_domain *iovad, dma_addr_t iova)
{
	return iova & iova_mask(iovad);
}

static inline size_t iova_align(struct iova_domain *iovad, size_t size)
{
	return ALIGN(size, iovad->granule);
}

static inline size_t iova_align_down(struct iova_domain *iovad, size_t size)
{
	return ALIGN_DOWN(size, iovad->granule);
}

#if IS_REACHABLE(CONFIG_IOMMU_IOVA)
/* Shared state: a reference for as long as any domain is in use. */
int iova_cache_get(void);
void iova_cache_put(void);

/* Domains. */
void init_iova_domain(struct iova_domain *iovad, unsigned long granule,
		      unsigned long start_pfn);
int iova_domain_init_rcaches(struct iova_domain *iovad);
void put_iova_domain(struct iova_domain *iovad);
unsigned int iova_domain_check(struct iova_domain *iovad);

/* Ranges in the tree. */
struct iova *alloc_iova(struct iova_domain *iovad, unsigned long size,
			unsigned long limit_pfn, bool size_aligned);
struct iova *reserve_iova(struct iova_domain *iovad, unsigned long pfn_lo,
			  unsigned long pfn_hi);
struct iova *find_iova(struct iova_domain *iovad, unsigned long pfn);
void __free_iova(struct iova_domain *iovad, struct iova *iova);
void free_iova(struct iova_domain *iovad, unsigned long pfn);

/* Ranges through the per-CPU caches. */
unsigned long alloc_iova_fast(struct iova_domain *iovad, unsigned long size,
			      unsigned long limit_pfn, bool flush_rcache);
void free_iova_fast(struct iova_domain *iovad, unsigned long pfn,
		    unsigned long size);
unsigned long iova_rcache_range(void);
void iova_cache_stats(struct iova_domain *iovad, unsigned long *gets, unsigned long *misses);
#else
/* Without the allocator every allocation fails and the rest does nothing. */
static inline struct iova *alloc_iova(struct iova_domain *iovad, unsigned long size,
				      unsigned long limit_pfn, bool size_aligned)
{
	return NULL;
}

static inline unsigned long alloc_iova_fast(struct iova_domain *iovad, unsigned long size,
					    unsigned long limit_pfn, bool flush_rcache)
{
	return 0;
}

static inline struct iova *reserve_iova(struct iova_domain *iovad, unsigned long pfn_lo,
					unsigned long pfn_hi)
{
	return NULL;
}

static inline struct iova *find_iova(struct iova_domain *iovad, unsigned long pfn)
{
	return NULL;
}

static inline int iova_cache_get(void)
{
	return -ENOTSUPP;
}

static inline void iova_cache_put(void)
{
}

static inline void init_iova_domain(struct iova_domain *iovad, unsigned long granule,
				    unsigned long start_pfn)
{
}

static inline void put_iova_domain(struct iova_domain *iovad)
{
}

static inline void __free_iova(struct iova_domain *iovad, struct iova *iova)
{
}

static inline void free_iova(struct iova_domain *iovad, unsigned long pfn)
{
}

static inline void free_iova_fast(struct iova_domain *iovad, unsigned long pfn,
				  unsigned long size)
{
}
#endif

#endif /* _IOVA_H_ */
