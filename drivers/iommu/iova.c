// SPDX-License-Identifier: GPL-2.0
/*
 * dmacore: allocator of I/O virtual address ranges.
 *
 * A domain is a space of pfns (numbers in units of the domain's granule).
 * alloc_iova() hands out the highest range of the asked size that fits at or
 * below the caller's limit, optionally starting on a multiple of the size
 * rounded up to a power of two; reserve_iova() takes ranges out of use for
 * good; alloc_iova_fast() and free_iova_fast() put per-CPU caches of
 * recently freed ranges in front of the tree.
 *
 * The tree.  Every allocated or reserved range is a node of a red-black tree
 * keyed by its first pfn, and a sentinel range at ULONG_MAX (iovad->top) is
 * the last node, so each free gap of the space lies directly below exactly
 * one node.  A node records the length of the gap below it, and two summaries
 * of its subtree: the longest gap in it, and how many orders k have some gap
 * in it holding a 2^k block that starts on a multiple of 2^k.  The lowest gap,
 * the floor, from start_pfn up to the lowest range, is the exception: its
 * node records 0 and the search looks at it last, through the tree's cached
 * leftmost node.  Allocations come from the top down, so once the space
 * above has filled, the floor is the gap that nearly every allocation and
 * free changes; kept out of the summaries, it changes none of them, and
 * neither do the leftmost node's comings and goings.  The invariant, which
 * iova_domain_check() verifies node by node:
 *
 *	- ranges are ordered and disjoint, and the sentinel is last;
 *	- node->gap is the number of free pfns between the previous range (or
 *	  start_pfn, whichever is higher) and node->pfn_lo, or 0 for the lowest
 *	  node;
 *	- node->longest_gap and node->orders are the maxima of those values
 *	  over the node and its two subtrees.
 *
 * Finding a place.  The search walks down to the limit once, noting the
 * first range above it (whose gap may straddle the limit and is clipped) and
 * the last range at or below it.  From there it climbs towards the root,
 * looking at each range whose gap lies below the limit and at each left
 * subtree it passes, and descends into the first subtree whose summary says
 * a wanted gap is inside; failing that, it tries the floor.  Subtrees that
 * cannot hold one are never entered, so a search visits O(log n) nodes
 * however fragmented the space is.  For an
 * unaligned request the summary test is exact ("some gap is at least size
 * long"), and so it is for a power-of-two size aligned to itself ("some gap
 * holds an aligned block of that order"): the highest fitting place is
 * always found.  A size that is not a power of two but is asked to be
 * aligned to the next one fits for certain in a gap holding an aligned block
 * of that order, and may also fit, with less room, in a gap that is merely
 * long enough: the search finds the highest certain place and tries the
 * highest long-enough gap as well, and takes the higher of the two.  A
 * long-enough gap below both is not looked at: such a request may fail
 * while a gap exists where it would only just fit.  The number of nodes the
 * last search visited is kept in iovad->last_visits for the tests.
 *
 * Repeats.  After an exact search the domain remembers the range it placed
 * and the request (iovad->last_fit): nothing above that range fits the
 * request, and insertions only shrink gaps, so the same request again can
 * start its climb at that range instead of descending from the root.  When
 * that range or one above it is freed, the range above the freed one takes
 * its place: only the gap below it grew.  A run of equal allocations, or
 * an allocation after the free of the last one, costs a few nodes.
 *
 * The caches.  Sizes of up to 2^(IOVA_CACHED_ORDERS - 1) pfns have, per CPU,
 * two magazines of freed pfns (a loaded one and a spare), and one depot of
 * full magazines shared by all CPUs.  A cached range stays allocated in the
 * tree: alloc_iova_fast() hands it out again without touching the tree, and
 * free_iova_fast() parks it in the loaded magazine under that CPU's own lock.
 * Only a full or empty pair of magazines goes to the depot's lock, and only
 * a full depot, a failed allocation (with flush_rcache), a dead CPU or
 * put_iova_domain() brings cached ranges back to the tree.
 *
 * Locks: a CPU's cache lock, then a depot lock or the domain lock.  The
 * domain lock is taken with interrupts off and nothing is taken under it.
 */

#define pr_fmt(fmt) "iova: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/iova.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>

/* Sizes of 1 to 2^(IOVA_CACHED_ORDERS - 1) pfns are cached per CPU. */
#define IOVA_CACHED_ORDERS	6
/* A magazine is 1 KiB: a link, a count and this many pfns. */
#define IOVA_MAGAZINE_PFNS	126
/* Full magazines one depot keeps before giving ranges back to the tree. */
#define IOVA_DEPOT_MAGAZINES	32

/**
 * struct iova_magazine - a stack of cached pfns, all of one size
 * @next: the next full magazine in the depot
 * @count: pfns in @pfns
 * @pfns: first pfns of ranges that are allocated in the tree but free
 */
struct iova_magazine {
	struct iova_magazine *next;
	unsigned long count;
	unsigned long pfns[IOVA_MAGAZINE_PFNS];
};

/**
 * struct iova_cpu_cache - one CPU's magazines for one size
 * @lock: taken by the CPU itself, and by flushes from other CPUs
 * @loaded: where pfns are taken from and put back
 * @spare: swapped with @loaded when that runs empty or full
 * @gets: allocations that asked this cache (iova_cache_stats())
 * @misses: those it could not serve, which went to the tree
 */
struct iova_cpu_cache {
	spinlock_t lock;	/* @loaded, @spare and the counts */
	struct iova_magazine *loaded;
	struct iova_magazine *spare;
	unsigned long gets;
	unsigned long misses;
};

/**
 * struct iova_rcache - the cache of one size of a domain
 * @depot_lock: protects @depot and @depot_count
 * @depot_count: magazines in @depot
 * @depot: full magazines, linked through iova_magazine.next
 * @cpu: per-CPU magazines
 */
struct iova_rcache {
	spinlock_t depot_lock;	/* @depot and @depot_count */
	unsigned int depot_count;
	struct iova_magazine *depot;
	struct iova_cpu_cache __percpu *cpu;
};

/**
 * struct iova_request - what a search looks for
 * @size: pfns wanted
 * @align_mask: the start must be a multiple of @align_mask + 1
 * @limit: the last pfn the range may use
 * @min_gap: a gap is worth a look only if it is at least this long...
 * @min_orders: ...and holds aligned blocks of at least this many orders
 */
struct iova_request {
	unsigned long size;
	unsigned long align_mask;
	unsigned long limit;
	unsigned long min_gap;
	unsigned int min_orders;
};

static DEFINE_MUTEX(iova_cache_mutex);
static unsigned int iova_cache_users;
static struct kmem_cache *iova_cache;

static struct iova *to_iova(struct rb_node *node)
{
	return rb_entry(node, struct iova, node);
}

/*
 * Misuse is reported with the caller, since the domain has no name: the
 * caller is what a developer will go and look at.
 */
#define iova_complain(caller, fmt, ...) \
	pr_warn_ratelimited("%pS: " fmt "\n", (void *)(caller), ##__VA_ARGS__)

/* ---------------------------------------------------------------- the tree */

/*
 * One more than the largest k such that the @len pfns from @lo hold a block
 * of 2^k starting on a multiple of 2^k; 0 for an empty gap.
 */
static unsigned int gap_orders(unsigned long lo, unsigned long len)
{
	unsigned int k;
	unsigned long block;

	if (!len)
		return 0;
	k = __fls(len);
	block = 1UL << k;
	/*
	 * The largest block that the length allows fits if the first aligned
	 * start is close enough; if not, half of it always fits, since the
	 * gap is at least two halves long.
	 */
	if (k && (-lo & (block - 1)) > len - block)
		k--;
	return k + 1;
}

/*
 * Recompute @iova's subtree summary from its own gap and its children's
 * summaries.  With @stop_if_same, report whether nothing changed, which
 * ends a propagation towards the root.
 */
static __always_inline bool iova_summarise(struct iova *iova, bool stop_if_same)
{
	unsigned long longest = iova->gap;
	unsigned int orders = iova->gap_orders;
	struct rb_node *child[] = { iova->node.rb_left, iova->node.rb_right };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(child); i++) {
		if (!child[i])
			continue;
		longest = max(longest, to_iova(child[i])->longest_gap);
		orders = max_t(unsigned int, orders, to_iova(child[i])->orders);
	}
	if (stop_if_same && iova->longest_gap == longest && iova->orders == orders)
		return true;
	iova->longest_gap = longest;
	iova->orders = orders;
	return false;
}

static __always_inline void iova_augment_propagate(struct rb_node *rb,
						   struct rb_node *stop)
{
	for (; rb != stop; rb = rb_parent(rb))
		if (iova_summarise(to_iova(rb), true))
			break;
}

static void iova_augment_copy(struct rb_node *from, struct rb_node *to)
{
	to_iova(to)->longest_gap = to_iova(from)->longest_gap;
	to_iova(to)->orders = to_iova(from)->orders;
}

static void iova_augment_rotate(struct rb_node *from, struct rb_node *to)
{
	iova_augment_copy(from, to);
	iova_summarise(to_iova(from), false);
}

static const struct rb_augment_callbacks iova_augment = {
	.propagate = iova_augment_propagate,
	.copy = iova_augment_copy,
	.rotate = iova_augment_rotate,
};

/* Make @iova's gap the free pfns from @start up to it. */
static __always_inline void set_gap_from(struct iova *iova, unsigned long start)
{
	iova->gap = iova->pfn_lo > start ? iova->pfn_lo - start : 0;
	iova->gap_orders = gap_orders(start, iova->gap);
}

/*
 * A range at or above the last fit is being freed, and @next is the range
 * above it.  The only gap that grows is @next's, and no gap above @next
 * changes, so a repeat of the last request can now fit in @next's gap at
 * the highest: its search may start there, unless that gap reaches past
 * the request's limit.
 */
static void move_last_fit(struct iova_domain *iovad, struct iova *next)
{
	struct iova_last_fit *last = &iovad->last_fit;

	last->range = next->pfn_lo - 1 <= last->limit ? next : NULL;
}

/* A new leaf's subtree is itself. */
static void summarise_leaf(struct iova *iova)
{
	iova->longest_gap = iova->gap;
	iova->orders = iova->gap_orders;
}

/* Make the summaries from @rb up take in those of @leaf, newly below it. */
static void raise_summaries(struct rb_node *rb, const struct iova *leaf)
{
	for (; rb; rb = rb_parent(rb)) {
		struct iova *iova = to_iova(rb);

		if (iova->longest_gap >= leaf->longest_gap && iova->orders >= leaf->orders)
			break;
		iova->longest_gap = max(iova->longest_gap, leaf->longest_gap);
		iova->orders = max(iova->orders, leaf->orders);
	}
}

/*
 * Add @iova, which overlaps no range, as the predecessor of @above, the
 * lowest range above it: where it goes in the tree and what its gap is are
 * known without a lookup.  Its pfns come out of @above's gap, or out of the
 * floor if @above is the lowest range, whose recorded gap of 0 then passes
 * on to @iova.
 */
static void insert_below(struct iova_domain *iovad, struct iova *iova,
			 struct iova *above)
{
	struct rb_node *parent = &above->node, **link = &parent->rb_left;
	bool lowest = iovad->ranges.rb_leftmost == parent;

	while (*link) {
		parent = *link;
		link = &parent->rb_right;
	}
	rb_link_node(&iova->node, parent, link);
	set_gap_from(iova, above->pfn_lo - above->gap);
	summarise_leaf(iova);
	raise_summaries(parent, iova);
	rb_insert_augmented_cached(&iova->node, &iovad->ranges, lowest, &iova_augment);
	/* A reservation may lie below the domain's start. */
	set_gap_from(above, max(iova->pfn_hi + 1, iovad->start_pfn));
	iova_augment_propagate(&above->node, NULL);
}

/* Take @iova out of the tree; its pfns join the gap below the next range. */
static void erase_range(struct iova_domain *iovad, struct iova *iova)
{
	struct iova *next = to_iova(rb_next(&iova->node));
	unsigned long start = iovad->start_pfn;

	if (iovad->last_fit.range && iova->pfn_lo >= iovad->last_fit.range->pfn_lo)
		move_last_fit(iovad, next);

	/*
	 * The merged gap starts where @iova's own did: @gap before it, or at
	 * the domain's start for a range below that.  No need for rb_prev().
	 * @next gets it before the erase, whose own propagation then mostly
	 * carries it up already; the second one stops where nothing changed.
	 * When @iova is the lowest range, the floor grows instead and @next,
	 * the new lowest, records no gap.
	 */
	if (iovad->ranges.rb_leftmost == &iova->node) {
		iovad->ranges.rb_leftmost = &next->node;
		start = next->pfn_lo;
	} else if (iova->pfn_lo >= start) {
		start = iova->pfn_lo - iova->gap;
	}
	set_gap_from(next, start);
	rb_erase_augmented(&iova->node, &iovad->ranges.rb_root, &iova_augment);
	iova_augment_propagate(&next->node, NULL);
}

/* The range holding @pfn, the sentinel included; NULL if @pfn is free. */
static struct iova *range_holding(struct iova_domain *iovad, unsigned long pfn)
{
	struct rb_node *rb = iovad->ranges.rb_root.rb_node;

	while (rb) {
		struct iova *iova = to_iova(rb);

		if (pfn < iova->pfn_lo)
			rb = rb->rb_left;
		else if (pfn > iova->pfn_hi)
			rb = rb->rb_right;
		else
			return iova;
	}
	return NULL;
}

/* The lowest range that ends at or after @pfn: the sentinel at worst. */
static struct rb_node *first_range_from(struct iova_domain *iovad,
					unsigned long pfn)
{
	struct rb_node *rb = iovad->ranges.rb_root.rb_node, *found = NULL;

	while (rb) {
		if (to_iova(rb)->pfn_hi >= pfn) {
			found = rb;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return found;
}

/* ------------------------------------------------------------- the search */

static bool subtree_may_fit(const struct iova_request *req, struct rb_node *rb)
{
	return rb && to_iova(rb)->longest_gap >= req->min_gap &&
	       to_iova(rb)->orders >= req->min_orders;
}

static bool gap_may_fit(const struct iova_request *req, const struct iova *iova)
{
	return iova->gap >= req->min_gap && iova->gap_orders >= req->min_orders;
}

/* The highest start in [@lo, @hi] that @req allows, if there is one. */
static bool place_in(const struct iova_request *req, unsigned long lo,
		     unsigned long hi, unsigned long *pfn)
{
	unsigned long start;

	if (hi < lo || hi - lo < req->size - 1)
		return false;
	start = (hi - (req->size - 1)) & ~req->align_mask;
	if (start < lo)
		return false;
	*pfn = start;
	return true;
}

/* The highest node in the subtree @rb, which may fit, whose own gap may. */
static struct rb_node *highest_candidate(const struct iova_request *req,
					 struct rb_node *rb,
					 unsigned int *visits)
{
	while (rb) {
		(*visits)++;
		if (subtree_may_fit(req, rb->rb_right))
			rb = rb->rb_right;
		else if (!gap_may_fit(req, to_iova(rb)))
			rb = rb->rb_left;
		else
			return rb;
	}
	return NULL;
}

/* The nearest ancestor of @rb that sorts below it. */
static struct rb_node *lower_ancestor(struct rb_node *rb, unsigned int *visits)
{
	struct rb_node *parent;

	while ((parent = rb_parent(rb)) && parent->rb_left == rb) {
		rb = parent;
		(*visits)++;
	}
	return parent;
}

/*
 * The highest place for @req: in the gap that straddles the limit, clipped
 * to it, or else in the highest gap below the limit that may fit, or else in
 * the floor.  With @resume, the caller knows nothing fits above that range:
 * start there.  Returns the range right above the place, NULL if there is
 * none.
 */
static struct iova *find_place(struct iova_domain *iovad,
			       const struct iova_request *req,
			       struct iova *resume, unsigned long *pfn,
			       unsigned int *visits)
{
	struct rb_node *rb = iovad->ranges.rb_root.rb_node, *below = NULL;
	struct iova *above = NULL, *iova = NULL, *lowest;
	unsigned int n = 0;	/* a local, so the walk keeps it in a register */

	if (resume) {
		/* Below the lowest range is only the floor. */
		if (&resume->node == iovad->ranges.rb_leftmost)
			goto floor;
		below = &resume->node;
		rb = NULL;
	}
	while (rb) {
		n++;
		if (to_iova(rb)->pfn_lo <= req->limit) {
			below = rb;
			rb = rb->rb_right;
		} else {
			above = to_iova(rb);
			rb = rb->rb_left;
		}
	}
	if (above && place_in(req, above->pfn_lo - above->gap,
			      min(above->pfn_lo - 1, req->limit), pfn)) {
		iova = above;
		goto out;
	}

	/*
	 * Ranges below @below, highest first: @below, its left subtree, then
	 * each ancestor below it with that one's left subtree.  Every gap under
	 * them lies below the limit.
	 */
	for (rb = below; rb; rb = lower_ancestor(rb, &n)) {
		n++;
		if (gap_may_fit(req, to_iova(rb)))
			break;
		if (subtree_may_fit(req, rb->rb_left)) {
			rb = highest_candidate(req, rb->rb_left, &n);
			break;
		}
	}
	if (rb && place_in(req, to_iova(rb)->pfn_lo - to_iova(rb)->gap,
			   to_iova(rb)->pfn_lo - 1, pfn)) {
		iova = to_iova(rb);
		goto out;
	}
floor:
	lowest = to_iova(iovad->ranges.rb_leftmost);
	if (lowest->pfn_lo > iovad->start_pfn &&
	    place_in(req, iovad->start_pfn, min(lowest->pfn_lo - 1, req->limit), pfn))
		iova = lowest;
out:
	*visits += n;
	return iova;
}

/* Whether @req repeats the request of the domain's last fit. */
static bool repeats_last_fit(struct iova_domain *iovad,
			     const struct iova_request *req)
{
	const struct iova_last_fit *last = &iovad->last_fit;

	return last->range && last->size == req->size &&
	       last->align_mask == req->align_mask && last->limit == req->limit;
}

/*
 * A size that is not a power of two, aligned to the next one: the highest
 * place that holds the whole aligned block, or a higher one in the highest
 * gap that is long enough (see "Finding a place" above).
 */
static noinline struct iova *find_inexact_place(struct iova_domain *iovad,
						struct iova_request *req,
						unsigned long *pfn,
						unsigned int *visits)
{
	struct iova *above, *lucky_above;
	unsigned long lucky;

	above = find_place(iovad, req, NULL, pfn, visits);
	req->min_orders = 0;
	lucky_above = find_place(iovad, req, NULL, &lucky, visits);
	if (lucky_above && (!above || lucky > *pfn)) {
		above = lucky_above;
		*pfn = lucky;
	}
	return above;
}

/*
 * Place and insert @iova for @size pfns at or below @limit, under the
 * domain lock.
 */
static bool place_range(struct iova_domain *iovad, struct iova *iova,
			unsigned long size, unsigned long limit, bool aligned)
{
	struct iova_request req = {
		.size = size,
		.limit = min(limit, ULONG_MAX - 1),
		.min_gap = size,
	};
	bool exact = !aligned || is_power_of_2(size);
	unsigned int visits = 0;
	struct iova *above;
	unsigned long pfn;

	if (likely(aligned)) {
		unsigned int order = order_base_2(size);

		req.align_mask = (1UL << order) - 1;
		req.min_orders = order + 1;
	}
	if (likely(exact))
		above = find_place(iovad, &req, repeats_last_fit(iovad, &req) ?
				   iovad->last_fit.range : NULL, &pfn, &visits);
	else
		above = find_inexact_place(iovad, &req, &pfn, &visits);
	iovad->last_visits = visits;
	if (!above)
		return false;
	iova->pfn_lo = pfn;
	iova->pfn_hi = pfn + size - 1;
	iova->reserved = false;
	insert_below(iovad, iova, above);
	if (likely(exact))
		iovad->last_fit = (struct iova_last_fit) {
			.range = iova,
			.size = req.size,
			.align_mask = req.align_mask,
			.limit = req.limit,
		};
	return true;
}

static noinline void complain_request(struct iova_domain *iovad,
				      unsigned long size, unsigned long limit_pfn,
				      unsigned long caller)
{
	if (!size)
		iova_complain(caller, "allocation of 0 pfns");
	else
		iova_complain(caller, "limit pfn %#lx is below the domain's start %#lx",
			      limit_pfn, iovad->start_pfn);
}

/*
 * Checks common to every allocation; false after a complaint.  Inline:
 * alloc_iova_fast() checks before it looks in the cache.
 */
static __always_inline bool request_ok(struct iova_domain *iovad,
				       unsigned long size,
				       unsigned long limit_pfn,
				       unsigned long caller)
{
	if (likely(size && limit_pfn >= iovad->start_pfn))
		return true;
	complain_request(iovad, size, limit_pfn, caller);
	return false;
}

static struct iova *alloc_range(struct iova_domain *iovad, unsigned long size,
				unsigned long limit_pfn, bool size_aligned,
				unsigned long caller)
{
	struct iova *iova;
	unsigned long flags;
	bool placed;

	if (!request_ok(iovad, size, limit_pfn, caller))
		return NULL;
	/* place_range() sets every field. */
	iova = kmem_cache_alloc(iova_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!iova)
		return NULL;
	spin_lock_irqsave(&iovad->lock, flags);
	placed = place_range(iovad, iova, size, limit_pfn, size_aligned);
	spin_unlock_irqrestore(&iovad->lock, flags);
	if (!placed) {
		kmem_cache_free(iova_cache, iova);
		return NULL;
	}
	return iova;
}

/**
 * alloc_iova() - allocate a range of pfns
 * @iovad: the domain
 * @size: number of pfns, at least 1
 * @limit_pfn: the last pfn the range may use
 * @size_aligned: start the range on a multiple of @size rounded up to a
 *	power of two
 *
 * Takes the highest place at or below @limit_pfn and at or above the
 * domain's start that overlaps no allocated or reserved range.  Any context;
 * the domain lock is taken with interrupts off.
 *
 * Return: the range, to be freed with __free_iova() or free_iova(), or NULL
 * when nothing fits or no memory was left for the range's node.
 */
struct iova *alloc_iova(struct iova_domain *iovad, unsigned long size,
			unsigned long limit_pfn, bool size_aligned)
{
	return alloc_range(iovad, size, limit_pfn, size_aligned, _RET_IP_);
}
EXPORT_SYMBOL_GPL(alloc_iova);

/**
 * find_iova() - look up the range that holds a pfn
 * @iovad: the domain
 * @pfn: any pfn of the range
 *
 * Return: the allocated or reserved range holding @pfn, or NULL.  The range
 * is the caller's to use only while the caller keeps it allocated.
 */
struct iova *find_iova(struct iova_domain *iovad, unsigned long pfn)
{
	struct iova *iova;
	unsigned long flags;

	spin_lock_irqsave(&iovad->lock, flags);
	iova = range_holding(iovad, pfn);
	spin_unlock_irqrestore(&iovad->lock, flags);
	return iova == &iovad->top ? NULL : iova;
}
EXPORT_SYMBOL_GPL(find_iova);

/* Whether @iova may be freed by a caller; false after a complaint. */
static bool freeable(struct iova_domain *iovad, struct iova *iova,
		     unsigned long pfn, unsigned long caller)
{
	if (!iova) {
		iova_complain(caller, "pfn %#lx is not allocated", pfn);
		return false;
	}
	if (iova->reserved) {
		iova_complain(caller, "pfn %#lx is in reserved range [%#lx-%#lx]",
			      pfn, iova->pfn_lo, iova->pfn_hi);
		return false;
	}
	return true;
}

/**
 * __free_iova() - free a range
 * @iovad: the domain
 * @iova: a range from alloc_iova() or find_iova(), not a reserved one
 *
 * The range's pfns are free for allocation when this returns.
 */
void __free_iova(struct iova_domain *iovad, struct iova *iova)
{
	unsigned long flags;

	if (!freeable(iovad, iova, iova ? iova->pfn_lo : 0, _RET_IP_))
		return;
	spin_lock_irqsave(&iovad->lock, flags);
	erase_range(iovad, iova);
	spin_unlock_irqrestore(&iovad->lock, flags);
	kmem_cache_free(iova_cache, iova);
}
EXPORT_SYMBOL_GPL(__free_iova);

/* Free the range that holds @pfn; false if there is none to free. */
static bool free_range_holding(struct iova_domain *iovad, unsigned long pfn,
			       unsigned long caller)
{
	struct iova *iova;
	unsigned long flags;

	spin_lock_irqsave(&iovad->lock, flags);
	iova = range_holding(iovad, pfn);
	if (iova == &iovad->top)
		iova = NULL;
	if (!freeable(iovad, iova, pfn, caller)) {
		spin_unlock_irqrestore(&iovad->lock, flags);
		return false;
	}
	erase_range(iovad, iova);
	spin_unlock_irqrestore(&iovad->lock, flags);
	kmem_cache_free(iova_cache, iova);
	return true;
}

/**
 * free_iova() - free the range that holds a pfn
 * @iovad: the domain
 * @pfn: any pfn of an allocated range
 *
 * A pfn that no allocated range holds, or that lies in a reserved range, is
 * reported and left alone.
 */
void free_iova(struct iova_domain *iovad, unsigned long pfn)
{
	free_range_holding(iovad, pfn, _RET_IP_);
}
EXPORT_SYMBOL_GPL(free_iova);

/**
 * reserve_iova() - take a range of pfns out of use
 * @iovad: the domain
 * @pfn_lo: first pfn
 * @pfn_hi: last pfn
 *
 * Reserved pfns are never allocated and cannot be freed; they stay until
 * put_iova_domain().  A reservation that overlaps other reservations is
 * merged with them into one range.  One that overlaps an allocated range is
 * refused: the range's owner would otherwise free the reservation with it.
 *
 * Return: the reserved range holding [@pfn_lo, @pfn_hi], or NULL when the
 * range is inverted, overlaps an allocation, or no memory was left.
 */
struct iova *reserve_iova(struct iova_domain *iovad, unsigned long pfn_lo,
			  unsigned long pfn_hi)
{
	struct iova *iova, *next;
	struct rb_node *rb;
	unsigned long flags;

	if (pfn_lo > pfn_hi) {
		iova_complain(_RET_IP_, "reserving inverted range [%#lx-%#lx]",
			      pfn_lo, pfn_hi);
		return NULL;
	}
	iova = kmem_cache_zalloc(iova_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!iova)
		return NULL;
	iova->pfn_lo = pfn_lo;
	iova->pfn_hi = pfn_hi;
	iova->reserved = true;

	spin_lock_irqsave(&iovad->lock, flags);
	/* Ranges overlapping ours, lowest first: all must be reservations. */
	for (rb = first_range_from(iovad, pfn_lo); rb; rb = rb_next(rb)) {
		next = to_iova(rb);
		if (next->pfn_lo > pfn_hi)
			break;
		if (!next->reserved || next == &iovad->top) {
			spin_unlock_irqrestore(&iovad->lock, flags);
			iova_complain(_RET_IP_, "reserving [%#lx-%#lx] over %s [%#lx-%#lx]",
				      pfn_lo, pfn_hi,
				      next == &iovad->top ? "the end of the space" :
				      "allocated range", next->pfn_lo, next->pfn_hi);
			kmem_cache_free(iova_cache, iova);
			return NULL;
		}
	}
	/*
	 * Merge: every overlapping reservation gives way to their union.  The
	 * walk ends at the latest on the sentinel, which starts above @pfn_hi.
	 */
	rb = first_range_from(iovad, pfn_lo);
	while ((next = to_iova(rb))->pfn_lo <= pfn_hi) {
		rb = rb_next(rb);
		iova->pfn_lo = min(iova->pfn_lo, next->pfn_lo);
		iova->pfn_hi = max(iova->pfn_hi, next->pfn_hi);
		erase_range(iovad, next);
		kmem_cache_free(iova_cache, next);
	}
	insert_below(iovad, iova, next);
	spin_unlock_irqrestore(&iovad->lock, flags);
	return iova;
}
EXPORT_SYMBOL_GPL(reserve_iova);

/* ------------------------------------------------------------- the caches */

/*
 * Take the most recently cached pfn that starts at or below @max_start
 * (the caller's limit allows no higher), or 0.
 */
static unsigned long magazine_take(struct iova_magazine *mag,
				   unsigned long max_start)
{
	unsigned long i = mag->count, pfn;

	if (likely(i && mag->pfns[i - 1] <= max_start))
		return mag->pfns[--mag->count];
	while (i--) {
		pfn = mag->pfns[i];
		if (pfn <= max_start) {
			mag->pfns[i] = mag->pfns[--mag->count];
			return pfn;
		}
	}
	return 0;
}

/* Give every range in @mag back to the tree. */
static void magazine_drain(struct iova_domain *iovad, struct iova_magazine *mag)
{
	unsigned long i;

	for (i = 0; i < mag->count; i++)
		free_range_holding(iovad, mag->pfns[i], _THIS_IP_);
	mag->count = 0;
}

/*
 * The depot's lock is taken with interrupts off even where the CPU cache's
 * lock already has them off: flush_caches() takes it in process context,
 * and a flush queue's timer may free a range, and so push a magazine, from
 * a softirq on the same CPU.
 */
static struct iova_magazine *depot_pop(struct iova_rcache *rc)
{
	struct iova_magazine *mag;
	unsigned long flags;

	spin_lock_irqsave(&rc->depot_lock, flags);
	mag = rc->depot;
	if (mag) {
		rc->depot = mag->next;
		rc->depot_count--;
	}
	spin_unlock_irqrestore(&rc->depot_lock, flags);
	return mag;
}

static bool depot_push(struct iova_rcache *rc, struct iova_magazine *mag)
{
	unsigned long flags;
	bool pushed = false;

	spin_lock_irqsave(&rc->depot_lock, flags);
	if (rc->depot_count < IOVA_DEPOT_MAGAZINES) {
		mag->next = rc->depot;
		rc->depot = mag;
		rc->depot_count++;
		pushed = true;
	}
	spin_unlock_irqrestore(&rc->depot_lock, flags);
	return pushed;
}

/*
 * The loaded magazine had nothing at or below @max_start: try the spare,
 * refilled from the depot if it is empty.  Under the CPU cache's lock.
 */
static noinline unsigned long cache_get_slow(struct iova_rcache *rc,
					     struct iova_cpu_cache *cc,
					     unsigned long max_start)
{
	struct iova_magazine *full;

	if (!cc->spare->count) {
		full = depot_pop(rc);
		if (full) {
			kfree(cc->spare);
			cc->spare = full;
		}
	}
	swap(cc->loaded, cc->spare);
	return magazine_take(cc->loaded, max_start);
}

/* A cached range of 2^@order pfns ending at or below @limit, or 0. */
static unsigned long cache_get(struct iova_domain *iovad, unsigned int order,
			       unsigned long limit)
{
	unsigned long size = 1UL << order;
	struct iova_cpu_cache *cc;
	struct iova_rcache *rc;
	unsigned long flags, pfn;

	if (!iovad->rcaches || limit < size - 1)
		return 0;
	rc = &iovad->rcaches[order];
	cc = raw_cpu_ptr(rc->cpu);
	spin_lock_irqsave(&cc->lock, flags);
	pfn = magazine_take(cc->loaded, limit - (size - 1));
	if (unlikely(!pfn))
		pfn = cache_get_slow(rc, cc, limit - (size - 1));
	/* Two adds to a line the lock has just dirtied: cheap enough to keep. */
	cc->gets++;
	cc->misses += !pfn;
	spin_unlock_irqrestore(&cc->lock, flags);
	return pfn;
}

/*
 * The loaded magazine is full: swap in the spare, or if that is full too,
 * hand the loaded one to the depot (or its ranges to the tree) and start an
 * empty one.  Under the CPU cache's lock.
 */
static noinline void cache_make_room(struct iova_domain *iovad,
				     struct iova_rcache *rc,
				     struct iova_cpu_cache *cc)
{
	struct iova_magazine *empty;

	swap(cc->loaded, cc->spare);
	if (cc->loaded->count < IOVA_MAGAZINE_PFNS)
		return;
	empty = kmalloc(sizeof(*empty), GFP_ATOMIC | __GFP_NOWARN);
	if (empty && depot_push(rc, cc->loaded)) {
		empty->count = 0;
		cc->loaded = empty;
	} else {
		kfree(empty);
		magazine_drain(iovad, cc->loaded);
	}
}

/* Park the range at @pfn, of 2^@order pfns, in this CPU's cache. */
static bool cache_put(struct iova_domain *iovad, unsigned long pfn,
		      unsigned int order)
{
	struct iova_cpu_cache *cc;
	struct iova_rcache *rc;
	unsigned long flags;

	if (!iovad->rcaches || order >= IOVA_CACHED_ORDERS)
		return false;
	rc = &iovad->rcaches[order];
	cc = raw_cpu_ptr(rc->cpu);
	spin_lock_irqsave(&cc->lock, flags);
	if (unlikely(cc->loaded->count == IOVA_MAGAZINE_PFNS))
		cache_make_room(iovad, rc, cc);
	cc->loaded->pfns[cc->loaded->count++] = pfn;
	spin_unlock_irqrestore(&cc->lock, flags);
	return true;
}

/* Give the ranges cached by @cpu back to the tree. */
static void flush_cpu_cache(struct iova_domain *iovad, unsigned int cpu)
{
	unsigned long flags;
	unsigned int order;

	for (order = 0; order < IOVA_CACHED_ORDERS; order++) {
		struct iova_cpu_cache *cc = per_cpu_ptr(iovad->rcaches[order].cpu, cpu);

		spin_lock_irqsave(&cc->lock, flags);
		magazine_drain(iovad, cc->loaded);
		magazine_drain(iovad, cc->spare);
		spin_unlock_irqrestore(&cc->lock, flags);
	}
}

/* Give every cached range back to the tree. */
static void flush_caches(struct iova_domain *iovad)
{
	struct iova_magazine *mag;
	unsigned int cpu, order;

	for_each_possible_cpu(cpu)
		flush_cpu_cache(iovad, cpu);
	for (order = 0; order < IOVA_CACHED_ORDERS; order++) {
		while ((mag = depot_pop(&iovad->rcaches[order]))) {
			magazine_drain(iovad, mag);
			kfree(mag);
		}
	}
}

/* The cache had nothing: allocate from the tree, flushing the caches once. */
static noinline unsigned long alloc_fast_from_tree(struct iova_domain *iovad,
						   unsigned long size,
						   unsigned long limit_pfn,
						   bool flush_rcache,
						   unsigned long caller)
{
	struct iova *iova;

	for (;;) {
		iova = alloc_range(iovad, size, limit_pfn, true, caller);
		if (iova)
			return iova->pfn_lo;
		if (!flush_rcache || !iovad->rcaches)
			return 0;
		flush_rcache = false;
		flush_caches(iovad);
	}
}

/**
 * alloc_iova_fast() - allocate a range, from this CPU's cache if it can
 * @iovad: the domain
 * @size: number of pfns, at least 1; sizes below 2^(IOVA_CACHED_ORDERS - 1)
 *	are rounded up to a power of two
 * @limit_pfn: the last pfn the range may use
 * @flush_rcache: when nothing fits, give all cached ranges back to the tree
 *	and try once more
 *
 * The range is always aligned to its size rounded up to a power of two.
 * Without per-CPU caches (iova_domain_init_rcaches()) this is alloc_iova().
 *
 * Return: the range's first pfn, or 0 when nothing fits.
 */
unsigned long alloc_iova_fast(struct iova_domain *iovad, unsigned long size,
			      unsigned long limit_pfn, bool flush_rcache)
{
	unsigned int order;
	unsigned long pfn;

	if (!request_ok(iovad, size, limit_pfn, _RET_IP_))
		return 0;
	if (size <= 1UL << (IOVA_CACHED_ORDERS - 1)) {
		order = order_base_2(size);
		pfn = cache_get(iovad, order, limit_pfn);
		if (likely(pfn))
			return pfn;
		size = 1UL << order;
	}
	return alloc_fast_from_tree(iovad, size, limit_pfn, flush_rcache, _RET_IP_);
}
EXPORT_SYMBOL_GPL(alloc_iova_fast);

static noinline void complain_free_fast(unsigned long pfn, unsigned long size,
					unsigned long caller)
{
	iova_complain(caller, "freeing pfn %#lx of %lu pfns: not a range alloc_iova_fast() returns",
		      pfn, size);
}

/**
 * free_iova_fast() - free a range from alloc_iova_fast()
 * @iovad: the domain
 * @pfn: the range's first pfn
 * @size: the size it was allocated with
 *
 * Ranges of cached sizes go to this CPU's cache and stay allocated in the
 * tree until reused or flushed; others are freed at once.  A @pfn that is
 * not aligned to its size, or lies below the domain, cannot be a range from
 * alloc_iova_fast() and is reported and left alone.
 */
void free_iova_fast(struct iova_domain *iovad, unsigned long pfn,
		    unsigned long size)
{
	unsigned int order = order_base_2(size);

	/* Sizes above LONG_MAX pfns can't be allocated, and can't be shifted. */
	if (unlikely(!size || size > LONG_MAX || pfn < iovad->start_pfn ||
		     (pfn & ((1UL << order) - 1)))) {
		complain_free_fast(pfn, size, _RET_IP_);
		return;
	}
	if (likely(cache_put(iovad, pfn, order)))
		return;
	free_range_holding(iovad, pfn, _RET_IP_);
}
EXPORT_SYMBOL_GPL(free_iova_fast);

/**
 * iova_rcache_range() - the largest size the per-CPU caches keep
 *
 * Return: the size in bytes, with the granule taken as PAGE_SIZE.  Mappings
 * up to this size are the cheapest to make.
 */
unsigned long iova_rcache_range(void)
{
	return PAGE_SIZE << (IOVA_CACHED_ORDERS - 1);
}
EXPORT_SYMBOL_GPL(iova_rcache_range);

/* Free the caches' memory; the cached ranges are the caller's to free. */
static void free_rcaches(struct iova_domain *iovad)
{
	struct iova_magazine *mag;
	unsigned int cpu, order;

	for (order = 0; order < IOVA_CACHED_ORDERS; order++) {
		struct iova_rcache *rc = &iovad->rcaches[order];

		while ((mag = depot_pop(rc)))
			kfree(mag);
		if (!rc->cpu)
			continue;
		for_each_possible_cpu(cpu) {
			struct iova_cpu_cache *cc = per_cpu_ptr(rc->cpu, cpu);

			kfree(cc->loaded);
			kfree(cc->spare);
		}
		free_percpu(rc->cpu);
	}
	kfree(iovad->rcaches);
	iovad->rcaches = NULL;
}

/**
 * iova_domain_init_rcaches() - give a domain per-CPU caches
 * @iovad: a domain set up by init_iova_domain(), after iova_cache_get()
 *
 * Context: may sleep.
 * Return: 0, or -ENOMEM (the domain then works without caches).
 */
int iova_domain_init_rcaches(struct iova_domain *iovad)
{
	unsigned int cpu, order;
	int err;

	iovad->rcaches = kcalloc(IOVA_CACHED_ORDERS, sizeof(*iovad->rcaches),
				 GFP_KERNEL);
	if (!iovad->rcaches)
		return -ENOMEM;
	for (order = 0; order < IOVA_CACHED_ORDERS; order++) {
		struct iova_rcache *rc = &iovad->rcaches[order];

		spin_lock_init(&rc->depot_lock);
		rc->cpu = alloc_percpu(struct iova_cpu_cache);
		if (!rc->cpu)
			goto nomem;
		for_each_possible_cpu(cpu) {
			struct iova_cpu_cache *cc = per_cpu_ptr(rc->cpu, cpu);

			spin_lock_init(&cc->lock);
			cc->loaded = kzalloc(sizeof(*cc->loaded), GFP_KERNEL);
			cc->spare = kzalloc(sizeof(*cc->spare), GFP_KERNEL);
			if (!cc->loaded || !cc->spare)
				goto nomem;
		}
	}
	err = cpuhp_state_add_instance_nocalls(CPUHP_IOMMU_IOVA_DEAD,
					       &iovad->cpuhp_dead);
	if (err) {
		free_rcaches(iovad);
		return err;
	}
	return 0;

nomem:
	free_rcaches(iovad);
	return -ENOMEM;
}
EXPORT_SYMBOL_GPL(iova_domain_init_rcaches);

static int iova_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct iova_domain *iovad = hlist_entry(node, struct iova_domain,
						cpuhp_dead);

	flush_cpu_cache(iovad, cpu);
	return 0;
}

/* ------------------------------------------------------------ the domain */

/**
 * init_iova_domain() - set up an empty domain
 * @iovad: the domain
 * @granule: bytes per pfn, a power of two
 * @start_pfn: the lowest pfn to hand out
 *
 * The caller must hold a reference from iova_cache_get() for as long as the
 * domain lives.  A granule that is not a power of two is reported and
 * replaced by PAGE_SIZE.
 */
void init_iova_domain(struct iova_domain *iovad, unsigned long granule,
		      unsigned long start_pfn)
{
	if (!is_power_of_2(granule)) {
		iova_complain(_RET_IP_, "granule %#lx is not a power of two, using PAGE_SIZE",
			      granule);
		granule = PAGE_SIZE;
	}
	spin_lock_init(&iovad->lock);
	iovad->ranges = RB_ROOT_CACHED;
	iovad->granule = granule;
	iovad->start_pfn = start_pfn;
	iovad->last_fit.range = NULL;
	iovad->last_visits = 0;
	iovad->rcaches = NULL;
	iovad->top = (struct iova) {
		.pfn_lo = ULONG_MAX,
		.pfn_hi = ULONG_MAX,
		.reserved = true,
	};
	/* The sentinel is the only range: the whole space is the floor. */
	rb_link_node(&iovad->top.node, NULL, &iovad->ranges.rb_root.rb_node);
	rb_insert_color_cached(&iovad->top.node, &iovad->ranges, true);
}
EXPORT_SYMBOL_GPL(init_iova_domain);

/**
 * put_iova_domain() - free a domain's ranges and caches
 * @iovad: the domain; nothing may use it any more
 *
 * Every range, allocated, cached or reserved, is freed: struct iova
 * pointers into the domain are dangling afterwards.  Context: may sleep.
 */
void put_iova_domain(struct iova_domain *iovad)
{
	struct iova *iova, *next;

	if (iovad->rcaches) {
		cpuhp_state_remove_instance_nocalls(CPUHP_IOMMU_IOVA_DEAD,
						    &iovad->cpuhp_dead);
		free_rcaches(iovad);
	}
	rbtree_postorder_for_each_entry_safe(iova, next, &iovad->ranges.rb_root, node)
		if (iova != &iovad->top)
			kmem_cache_free(iova_cache, iova);
	iovad->ranges = RB_ROOT_CACHED;
	iovad->last_fit.range = NULL;
}
EXPORT_SYMBOL_GPL(put_iova_domain);

/*
 * Compare one node with the invariant in the header comment, given the
 * range before it; report and count what is wrong.
 */
static unsigned int check_range(struct iova_domain *iovad, struct iova *iova,
				struct rb_node *prev)
{
	struct iova expect = *iova;
	unsigned int errors = 0;

	if (prev)
		set_gap_from(&expect, max(to_iova(prev)->pfn_hi + 1, iovad->start_pfn));
	else
		set_gap_from(&expect, expect.pfn_lo);
	iova_summarise(&expect, false);
	if (iova->pfn_lo > iova->pfn_hi) {
		pr_err("check: range [%#lx-%#lx] is inverted\n", iova->pfn_lo, iova->pfn_hi);
		errors++;
	}
	if (prev && to_iova(prev)->pfn_hi >= iova->pfn_lo) {
		pr_err("check: range [%#lx-%#lx] overlaps [%#lx-%#lx]\n", iova->pfn_lo,
		       iova->pfn_hi, to_iova(prev)->pfn_lo, to_iova(prev)->pfn_hi);
		errors++;
	}
	if (expect.gap != iova->gap || expect.gap_orders != iova->gap_orders ||
	    expect.longest_gap != iova->longest_gap || expect.orders != iova->orders) {
		pr_err("check: range [%#lx-%#lx] says gap %lu/%u, subtree %lu/%u; is %lu/%u, %lu/%u\n",
		       iova->pfn_lo, iova->pfn_hi, iova->gap, iova->gap_orders,
		       iova->longest_gap, iova->orders, expect.gap, expect.gap_orders,
		       expect.longest_gap, expect.orders);
		errors++;
	}
	return errors;
}

/**
 * iova_domain_check() - verify a domain's tree against its invariant
 * @iovad: the domain
 *
 * For tests and debugging: walks every range, O(n), with the domain locked,
 * and logs each node that breaks the invariant in this file's header comment.
 *
 * Return: the number of broken nodes, 0 for a sound tree.
 */
unsigned int iova_domain_check(struct iova_domain *iovad)
{
	struct rb_node *rb, *prev = NULL;
	unsigned int errors = 0;
	unsigned long flags;

	spin_lock_irqsave(&iovad->lock, flags);
	if (iovad->ranges.rb_leftmost != rb_first(&iovad->ranges.rb_root)) {
		pr_err("check: the cached lowest range is not the lowest\n");
		errors++;
	}
	for (rb = rb_first(&iovad->ranges.rb_root); rb; prev = rb, rb = rb_next(rb))
		errors += check_range(iovad, to_iova(rb), prev);
	if (prev != &iovad->top.node) {
		pr_err("check: the sentinel is not the last range\n");
		errors++;
	}
	spin_unlock_irqrestore(&iovad->lock, flags);
	return errors;
}
EXPORT_SYMBOL_GPL(iova_domain_check);

/**
 * iova_cache_stats() - how well a domain's per-CPU caches serve allocations
 * @iovad: a domain with caches (iova_domain_init_rcaches())
 * @gets: set to the alloc_iova_fast() calls of cached sizes so far
 * @misses: set to those of them that no cache could serve
 *
 * Sums over every size and CPU.  The counts are read without the caches'
 * locks: an allocation running meanwhile may or may not be in them.
 */
void iova_cache_stats(struct iova_domain *iovad, unsigned long *gets, unsigned long *misses)
{
	struct iova_cpu_cache *cc;
	unsigned int order, cpu;

	*gets = 0;
	*misses = 0;
	if (!iovad->rcaches)
		return;
	for (order = 0; order < IOVA_CACHED_ORDERS; order++) {
		for_each_possible_cpu(cpu) {
			cc = per_cpu_ptr(iovad->rcaches[order].cpu, cpu);
			*gets += READ_ONCE(cc->gets);
			*misses += READ_ONCE(cc->misses);
		}
	}
}
EXPORT_SYMBOL_GPL(iova_cache_stats);

/* ---------------------------------------------------------- module setup */

/**
 * iova_cache_get() - take a reference on the allocator's shared state
 *
 * Every user of a domain holds one, from before init_iova_domain() until
 * after put_iova_domain().  Context: may sleep.
 * Return: 0, or a negative errno.
 */
int iova_cache_get(void)
{
	int err = 0;

	mutex_lock(&iova_cache_mutex);
	if (!iova_cache_users) {
		err = cpuhp_setup_state_multi(CPUHP_IOMMU_IOVA_DEAD, "iommu/iova:dead",
					      NULL, iova_cpu_dead);
		if (!err) {
			iova_cache = kmem_cache_create("iommu_iova", sizeof(struct iova),
						       0, SLAB_HWCACHE_ALIGN, NULL);
			if (!iova_cache) {
				cpuhp_remove_multi_state(CPUHP_IOMMU_IOVA_DEAD);
				err = -ENOMEM;
			}
		}
		if (err)
			pr_err("cannot set up the allocator: %d\n", err);
	}
	if (!err)
		iova_cache_users++;
	mutex_unlock(&iova_cache_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(iova_cache_get);

/**
 * iova_cache_put() - drop a reference from iova_cache_get()
 *
 * Context: may sleep.
 */
void iova_cache_put(void)
{
	mutex_lock(&iova_cache_mutex);
	if (WARN(!iova_cache_users, "iova: %s without a reference\n", __func__)) {
		mutex_unlock(&iova_cache_mutex);
		return;
	}
	if (!--iova_cache_users) {
		cpuhp_remove_multi_state(CPUHP_IOMMU_IOVA_DEAD);
		kmem_cache_destroy(iova_cache);
		iova_cache = NULL;
	}
	mutex_unlock(&iova_cache_mutex);
}
EXPORT_SYMBOL_GPL(iova_cache_put);

MODULE_DESCRIPTION("dmacore: I/O virtual address allocator");
MODULE_LICENSE("GPL");
