// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for drivers/iommu/iova.c.
 *
 * Each test gets a fresh domain with a granule of PAGE_SIZE.  The random
 * test replays allocations, frees and reservations against a bitmap that
 * says which pfns are taken, and the allocator must find exactly the
 * highest place the bitmap allows.  The fragmentation test counts the tree
 * nodes each allocation visits (iovad->last_visits), which a linear search
 * would make grow with the number of ranges.  A few tests provoke the
 * allocator's misuse reports on purpose; those lines in the log are
 * expected.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/iova.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "../../kernel/dma/kunit_log.h"

/* The pfns the random test uses; the bitmap covers [0, ORACLE_PFNS). */
#define ORACLE_PFNS	4096
#define ORACLE_START	16
#define ORACLE_OPS	3000

static int iova_test_init(struct kunit *test)
{
	struct iova_domain *iovad;

	KUNIT_ASSERT_EQ(test, iova_cache_get(), 0);
	iovad = kunit_kzalloc(test, sizeof(*iovad), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iovad);
	test->priv = iovad;
	return 0;
}

static void iova_test_exit(struct kunit *test)
{
	struct iova_domain *iovad = test->priv;

	if (iovad->granule)
		put_iova_domain(iovad);
	iova_cache_put();
}

static struct iova_domain *test_domain(struct kunit *test, unsigned long start,
				       bool rcaches)
{
	struct iova_domain *iovad = test->priv;

	init_iova_domain(iovad, PAGE_SIZE, start);
	if (rcaches)
		KUNIT_ASSERT_EQ(test, iova_domain_init_rcaches(iovad), 0);
	return iovad;
}

/* ------------------------------------------------------------ the oracle */

/**
 * struct oracle - what the random test believes about each pfn
 * @busy: allocated or reserved
 * @reserved: reserved
 * @live: the allocated ranges, in no order
 * @nr_live: entries in @live
 * @size: the last allocation's request: size...
 * @limit: ...limit...
 * @aligned: ...and alignment, which the test repeats now and then, as
 *	the allocator has a shortcut for repeats
 */
struct oracle {
	unsigned long *busy;
	unsigned long *reserved;
	struct iova **live;
	unsigned int nr_live;
	unsigned long size;
	unsigned long limit;
	bool aligned;
};

static bool oracle_free(struct oracle *o, unsigned long lo, unsigned long size)
{
	return find_next_bit(o->busy, lo + size, lo) >= lo + size;
}

/*
 * The highest start in [start, limit - size + 1] on a multiple of @align
 * whose pfns are all free, or 0 for none (pfn 0 is never in the space).
 */
static unsigned long oracle_highest(struct oracle *o, unsigned long start,
				    unsigned long limit, unsigned long size,
				    unsigned long align)
{
	unsigned long s;

	if (limit + 1 < start + size)
		return 0;
	for (s = ALIGN_DOWN(limit - size + 1, align); s >= start; s -= align) {
		if (oracle_free(o, s, size))
			return s;
		if (s < align)
			break;
	}
	return 0;
}

static void oracle_mark(struct oracle *o, struct iova *iova, bool reserved)
{
	bitmap_set(o->busy, iova->pfn_lo, iova_size(iova));
	if (reserved)
		bitmap_set(o->reserved, iova->pfn_lo, iova_size(iova));
	else
		o->live[o->nr_live++] = iova;
}

static void random_alloc(struct kunit *test, struct iova_domain *iovad,
			 struct oracle *o, struct rnd_state *rnd)
{
	unsigned long size, limit, align, want;
	struct iova *iova;
	bool aligned;

	if (!o->size || prandom_u32_state(rnd) % 4) {
		o->size = 1 + prandom_u32_state(rnd) % (prandom_u32_state(rnd) & 1 ? 4 : 40);
		o->limit = ORACLE_START + prandom_u32_state(rnd) % (ORACLE_PFNS - ORACLE_START);
		o->aligned = prandom_u32_state(rnd) & 1;
	}
	size = o->size;
	limit = o->limit;
	aligned = o->aligned;
	align = aligned ? roundup_pow_of_two(size) : 1;
	want = oracle_highest(o, ORACLE_START, limit, size, align);
	iova = alloc_iova(iovad, size, limit, aligned);

	if (aligned && !is_power_of_2(size)) {
		/*
		 * Not exact by design (iova.c, "Finding a place"): never lower
		 * than a place holding a whole aligned block, never wrong.
		 */
		unsigned long sure = oracle_highest(o, ORACLE_START, limit, align, align);

		if (!iova) {
			KUNIT_ASSERT_EQ_MSG(test, sure, 0, "size %lu limit %lu", size, limit);
			return;
		}
		KUNIT_ASSERT_GE(test, iova->pfn_lo, sure);
		KUNIT_ASSERT_EQ(test, iova->pfn_lo & (align - 1), 0);
		KUNIT_ASSERT_LE(test, iova->pfn_hi, limit);
		KUNIT_ASSERT_TRUE(test, oracle_free(o, iova->pfn_lo, size));
	} else {
		KUNIT_ASSERT_EQ_MSG(test, iova ? iova->pfn_lo : 0, want,
				    "size %lu limit %lu aligned %d", size, limit, aligned);
		if (!iova)
			return;
	}
	KUNIT_ASSERT_EQ(test, iova_size(iova), size);
	oracle_mark(o, iova, false);
}

static void random_free(struct kunit *test, struct iova_domain *iovad,
			struct oracle *o, struct rnd_state *rnd)
{
	unsigned int i = prandom_u32_state(rnd) % o->nr_live;
	struct iova *iova = o->live[i];

	bitmap_clear(o->busy, iova->pfn_lo, iova_size(iova));
	o->live[i] = o->live[--o->nr_live];
	/* Either way of freeing, by any pfn of the range. */
	if (prandom_u32_state(rnd) & 1)
		__free_iova(iovad, iova);
	else
		free_iova(iovad, iova->pfn_lo + prandom_u32_state(rnd) % iova_size(iova));
}

static void random_reserve(struct kunit *test, struct iova_domain *iovad,
			   struct oracle *o, struct rnd_state *rnd)
{
	unsigned long lo = ORACLE_START + prandom_u32_state(rnd) % (ORACLE_PFNS - ORACLE_START - 8);
	unsigned long hi = lo + prandom_u32_state(rnd) % 8;
	unsigned long next_busy = find_next_bit(o->busy, hi + 1, lo);
	bool clash = false;
	struct iova *iova;

	/* Clashes only with allocations: overlapping reservations merge. */
	for (; next_busy <= hi; next_busy = find_next_bit(o->busy, hi + 1, next_busy + 1))
		clash |= !test_bit(next_busy, o->reserved);
	iova = reserve_iova(iovad, lo, hi);
	if (clash) {
		KUNIT_ASSERT_NULL(test, iova);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, iova);
	KUNIT_ASSERT_LE(test, iova->pfn_lo, lo);
	KUNIT_ASSERT_GE(test, iova->pfn_hi, hi);
	bitmap_set(o->busy, lo, hi - lo + 1);
	bitmap_set(o->reserved, lo, hi - lo + 1);
}

/* The tree and the bitmap agree on every pfn. */
static void oracle_compare(struct kunit *test, struct iova_domain *iovad,
			   struct oracle *o)
{
	unsigned long pfn;

	for (pfn = 0; pfn < ORACLE_PFNS; pfn++) {
		struct iova *iova = find_iova(iovad, pfn);

		KUNIT_ASSERT_EQ_MSG(test, !!iova, test_bit(pfn, o->busy), "pfn %lu", pfn);
		if (iova)
			KUNIT_ASSERT_EQ_MSG(test, iova->reserved, test_bit(pfn, o->reserved),
					    "pfn %lu", pfn);
	}
}

static void iova_test_random_against_bitmap(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, ORACLE_START, false);
	struct rnd_state rnd;
	struct oracle o = {
		.busy = kunit_kcalloc(test, BITS_TO_LONGS(ORACLE_PFNS), sizeof(long),
				      GFP_KERNEL),
		.reserved = kunit_kcalloc(test, BITS_TO_LONGS(ORACLE_PFNS), sizeof(long),
					  GFP_KERNEL),
		.live = kunit_kcalloc(test, ORACLE_PFNS, sizeof(struct iova *), GFP_KERNEL),
	};
	unsigned int op;

	KUNIT_ASSERT_NOT_NULL(test, o.busy);
	KUNIT_ASSERT_NOT_NULL(test, o.reserved);
	KUNIT_ASSERT_NOT_NULL(test, o.live);
	prandom_seed_state(&rnd, 20261201);
	for (op = 0; op < ORACLE_OPS; op++) {
		unsigned int what = prandom_u32_state(&rnd) % 16;

		if (what < 8)
			random_alloc(test, iovad, &o, &rnd);
		else if (what < 15 && o.nr_live)
			random_free(test, iovad, &o, &rnd);
		else
			random_reserve(test, iovad, &o, &rnd);
		if (op % 64 == 0)
			KUNIT_ASSERT_EQ(test, iova_domain_check(iovad), 0);
	}
	KUNIT_ASSERT_EQ(test, iova_domain_check(iovad), 0);
	oracle_compare(test, iovad, &o);

	/* Freeing every allocation leaves exactly the reservations. */
	while (o.nr_live) {
		struct iova *iova = o.live[--o.nr_live];

		bitmap_clear(o.busy, iova->pfn_lo, iova_size(iova));
		__free_iova(iovad, iova);
	}
	KUNIT_ASSERT_EQ(test, iova_domain_check(iovad), 0);
	oracle_compare(test, iovad, &o);
}

/* ------------------------------------------------------ edges and limits */

/* The first pfn of a new range, 0 when the allocation fails. */
static unsigned long alloc_pfn(struct iova_domain *iovad, unsigned long size,
			       unsigned long limit, bool aligned)
{
	struct iova *iova = alloc_iova(iovad, size, limit, aligned);

	return iova ? iova->pfn_lo : 0;
}

static void iova_test_exhaustion_and_recovery(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, false);
	unsigned long pfn, expect = 255;
	struct iova *iova;

	/* 255 single pfns fill [1, 255], top-down. */
	while ((iova = alloc_iova(iovad, 1, 255, false))) {
		KUNIT_ASSERT_EQ(test, iova->pfn_lo, expect);
		expect--;
	}
	KUNIT_EXPECT_EQ(test, expect, 0);
	KUNIT_EXPECT_NULL(test, alloc_iova(iovad, 1, 255, false));

	free_iova(iovad, 100);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 2, 255, true), 0);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 1, 255, false), 100);

	/* An aligned pair needs an aligned hole: 101-102 is not one. */
	free_iova(iovad, 101);
	free_iova(iovad, 102);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 2, 255, true), 0);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 2, 255, false), 101);
	free_iova(iovad, 101);
	free_iova(iovad, 103);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 2, 255, true), 102);

	/* The limit is the last pfn a range may use. */
	for (pfn = 200; pfn <= 203; pfn++)
		free_iova(iovad, pfn);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 4, 203, true), 200);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/* A 32-bit limit in a space with ranges above it, and the domain's start. */
static void iova_test_limits(struct kunit *test)
{
	unsigned long limit32 = DMA_BIT_MASK(32) >> PAGE_SHIFT;
	struct iova_domain *iovad = test_domain(test, 0x100, false);
	struct iova *high, *low;

	high = alloc_iova(iovad, 16, ULONG_MAX, true);
	KUNIT_ASSERT_NOT_NULL(test, high);
	KUNIT_EXPECT_GT(test, high->pfn_lo, limit32);
	low = alloc_iova(iovad, 16, limit32, true);
	KUNIT_ASSERT_NOT_NULL(test, low);
	KUNIT_EXPECT_EQ(test, low->pfn_hi, limit32);
	__free_iova(iovad, low);
	/* A reservation straddling the limit: the gap under it is usable. */
	KUNIT_ASSERT_NOT_NULL(test, reserve_iova(iovad, limit32 - 100, limit32 + 100));
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 16, limit32, true),
			ALIGN_DOWN(limit32 - 100 - 16, 16));
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 1, limit32, false), limit32 - 101);
	/* Nothing below the start. */
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 0x100, 0x1ff, true), 0x100);
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 1, 0x1ff, false), 0);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

static bool logged(struct kunit *test, const char *text)
{
	return dma_kunit_log_contains(test, text);
}

static void iova_test_bad_input(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 16, true), *other;
	struct iova *iova, *resv;

	iova = alloc_iova(iovad, 4, 1000, true);
	KUNIT_ASSERT_NOT_NULL(test, iova);
	resv = reserve_iova(iovad, 500, 509);
	KUNIT_ASSERT_NOT_NULL(test, resv);

	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, alloc_iova(iovad, 0, 1000, false));
	KUNIT_EXPECT_TRUE(test, logged(test, "allocation of 0 pfns"));
	KUNIT_EXPECT_EQ(test, alloc_iova_fast(iovad, 1, 15, true), 0);
	KUNIT_EXPECT_TRUE(test, logged(test, "limit pfn 0xf is below the domain's start 0x10"));

	free_iova(iovad, 700);
	KUNIT_EXPECT_TRUE(test, logged(test, "pfn 0x2bc is not allocated"));
	free_iova(iovad, 505);
	KUNIT_EXPECT_TRUE(test, logged(test, "pfn 0x1f9 is in reserved range [0x1f4-0x1fd]"));
	KUNIT_EXPECT_PTR_EQ(test, find_iova(iovad, 505), resv);
	free_iova_fast(iovad, iova->pfn_lo + 1, 4);
	KUNIT_EXPECT_TRUE(test, logged(test, "not a range alloc_iova_fast() returns"));

	KUNIT_EXPECT_NULL(test, reserve_iova(iovad, 20, 10));
	KUNIT_EXPECT_TRUE(test, logged(test, "reserving inverted range [0x14-0xa]"));
	KUNIT_EXPECT_NULL(test, reserve_iova(iovad, iova->pfn_hi, iova->pfn_hi + 10));
	KUNIT_EXPECT_TRUE(test, logged(test, "over allocated range"));
	KUNIT_EXPECT_NULL(test, reserve_iova(iovad, ULONG_MAX - 1, ULONG_MAX));
	KUNIT_EXPECT_TRUE(test, logged(test, "over the end of the space"));

	/* None of it changed anything. */
	KUNIT_EXPECT_PTR_EQ(test, find_iova(iovad, iova->pfn_lo), iova);
	KUNIT_EXPECT_EQ(test, iova_size(iova), 4);
	KUNIT_EXPECT_NULL(test, find_iova(iovad, 700));
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);

	/* A bad granule is replaced, not fatal. */
	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	init_iova_domain(other, 3000, 1);
	KUNIT_EXPECT_TRUE(test, logged(test, "granule 0xbb8 is not a power of two"));
	KUNIT_EXPECT_EQ(test, other->granule, PAGE_SIZE);
	put_iova_domain(other);

	/* Overlapping reservations merge; the result covers both. */
	resv = reserve_iova(iovad, 505, 520);
	KUNIT_ASSERT_NOT_NULL(test, resv);
	KUNIT_EXPECT_EQ(test, resv->pfn_lo, 500);
	KUNIT_EXPECT_EQ(test, resv->pfn_hi, 520);
	KUNIT_EXPECT_PTR_EQ(test, find_iova(iovad, 501), resv);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/* -------------------------------------------------------------- the caches */

static void iova_test_rcache(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, true);
	unsigned long pfn, high, n = 0;

	/* Upstream's figure, which dma_opt_mapping_size() passes on. */
	KUNIT_EXPECT_EQ(test, iova_rcache_range(), PAGE_SIZE * 32);

	/* A cached range comes back only below the caller's limit. */
	migrate_disable();	/* one CPU's cache throughout */
	high = alloc_iova_fast(iovad, 3, 1000, false);
	KUNIT_EXPECT_EQ(test, high, 996);
	free_iova_fast(iovad, high, 3);
	KUNIT_EXPECT_NOT_NULL(test, find_iova(iovad, high));
	pfn = alloc_iova_fast(iovad, 4, 500, false);
	KUNIT_EXPECT_EQ(test, pfn, 496);
	KUNIT_EXPECT_EQ(test, alloc_iova_fast(iovad, 4, 1000, false), high);
	free_iova_fast(iovad, high, 4);
	free_iova_fast(iovad, pfn, 4);
	migrate_enable();

	/* Fill [1, 1023] with single pfns, then cache them all. */
	while ((pfn = alloc_iova_fast(iovad, 1, 1023, false)))
		n++;
	KUNIT_EXPECT_EQ(test, n, 1023 - 8);
	for (pfn = 1; pfn <= 1023; pfn++)
		if (pfn < 496 || (pfn > 499 && pfn < 996) || pfn > 999)
			free_iova_fast(iovad, pfn, 1);
	/* Cached ranges stay allocated: nothing fits without a flush... */
	KUNIT_EXPECT_NULL(test, alloc_iova(iovad, 1, 1023, false));
	KUNIT_EXPECT_EQ(test, alloc_iova_fast(iovad, 2, 1023, false), 0);
	/* ...and with one, the highest aligned pair. */
	KUNIT_EXPECT_EQ(test, alloc_iova_fast(iovad, 2, 1023, true), 1022);
	KUNIT_EXPECT_NULL(test, find_iova(iovad, 1));
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/* What the caches keep per size and CPU: two magazines and a full depot. */
#define CACHED_MOST	((2 + 32) * 126)

/* Freed ranges beyond what the caches keep go back to the tree. */
static void iova_test_rcache_bound(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, true);
	unsigned long pfn, limit = 2 * CACHED_MOST, cached = 0;

	for (pfn = 1; pfn <= limit; pfn++)
		KUNIT_ASSERT_EQ(test, alloc_iova_fast(iovad, 1, limit, false), limit + 1 - pfn);
	migrate_disable();	/* all into one CPU's cache */
	for (pfn = 1; pfn <= limit; pfn++)
		free_iova_fast(iovad, pfn, 1);
	migrate_enable();
	for (pfn = 1; pfn <= limit; pfn++)
		cached += !!find_iova(iovad, pfn);
	/* The last magazine that did not fit was drained whole. */
	KUNIT_EXPECT_LE(test, cached, CACHED_MOST);
	KUNIT_EXPECT_GT(test, cached, CACHED_MOST - 126);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/*
 * A size that is not a power of two, aligned to the next one, is placed in
 * the highest gap that holds the aligned block, or in the highest gap that
 * is long enough if it fits there; a lower gap that would fit is not found.
 */
static void iova_test_inexact_size(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, false);
	unsigned long pfn;

	/* [1, 63] full, then gaps of three pfns at 40-42 and 49-51. */
	for (pfn = 63; pfn >= 1; pfn--)
		KUNIT_ASSERT_EQ(test, alloc_pfn(iovad, 1, 63, false), pfn);
	for (pfn = 40; pfn <= 42; pfn++)
		free_iova(iovad, pfn);
	for (pfn = 49; pfn <= 51; pfn++)
		free_iova(iovad, pfn);
	/* 3 pfns aligned to 4: 49-51 can't take it and hides 40-42. */
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 3, 63, true), 0);
	/* Unaligned, the highest gap is exact. */
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 3, 63, false), 49);
	/* Now 40-42 is the highest long gap, and 40 is aligned. */
	KUNIT_EXPECT_EQ(test, alloc_pfn(iovad, 3, 63, true), 40);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

struct cache_on_cpu {
	struct iova_domain *iovad;
	unsigned long pfns[8];
};

static long cache_on_this_cpu(void *arg)
{
	struct cache_on_cpu *c = arg;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->pfns); i++)
		c->pfns[i] = alloc_iova_fast(c->iovad, 2, 4095, false);
	for (i = 0; i < ARRAY_SIZE(c->pfns); i++)
		if (c->pfns[i])
			free_iova_fast(c->iovad, c->pfns[i], 2);
	return 0;
}

static void iova_test_cpu_offline(struct kunit *test)
{
	struct cache_on_cpu c = { .iovad = test_domain(test, 1, true) };
	unsigned int cpu = 1, i;

	if (num_online_cpus() < 2 || !cpu_online(cpu))
		kunit_skip(test, "needs CPU %u online", cpu);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, cache_on_this_cpu, &c), 0);
	for (i = 0; i < ARRAY_SIZE(c.pfns); i++) {
		KUNIT_ASSERT_NE(test, c.pfns[i], 0);
		KUNIT_EXPECT_NOT_NULL(test, find_iova(c.iovad, c.pfns[i]));
	}
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	for (i = 0; i < ARRAY_SIZE(c.pfns); i++)
		KUNIT_EXPECT_NULL(test, find_iova(c.iovad, c.pfns[i]));
	KUNIT_EXPECT_EQ(test, iova_domain_check(c.iovad), 0);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	/* The CPU caches again once it is back. */
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, cache_on_this_cpu, &c), 0);
	KUNIT_EXPECT_NOT_NULL(test, find_iova(c.iovad, c.pfns[0]));
}

#define CHURN_LIVE	64
#define CHURN_OPS	20000
#define CHURN_LIMIT	BIT(20)

/**
 * struct churn - one CPU's part of iova_test_rcache_two_cpus()
 * @work: runs churn_on_this_cpu() on the CPU it is queued on
 * @iovad: the domain both CPUs share
 * @orders: how many sizes the caches keep (1, 2, 4... pfns)
 * @seed: for this CPU's sizes
 * @pfn: the ranges it holds (0: none)
 * @order: their sizes, as powers of two
 * @failed: allocations that found no room at all
 */
struct churn {
	struct work_struct work;
	struct iova_domain *iovad;
	unsigned int orders;
	u32 seed;
	unsigned long pfn[CHURN_LIVE];
	unsigned int order[CHURN_LIVE];
	unsigned int failed;
};

/* Hold CHURN_LIVE ranges of cached sizes, replacing the oldest each step. */
static void churn_on_this_cpu(struct work_struct *work)
{
	struct churn *c = container_of(work, struct churn, work);
	struct rnd_state rnd;
	unsigned int i, k;

	prandom_seed_state(&rnd, c->seed);
	for (i = 0; i < CHURN_OPS; i++) {
		k = i % CHURN_LIVE;
		if (c->pfn[k])
			free_iova_fast(c->iovad, c->pfn[k], 1UL << c->order[k]);
		c->order[k] = prandom_u32_state(&rnd) % c->orders;
		c->pfn[k] = alloc_iova_fast(c->iovad, 1UL << c->order[k], CHURN_LIMIT, false);
		c->failed += !c->pfn[k];
		if (!(i % 1024))
			cond_resched();
	}
	for (k = 0; k < CHURN_LIVE; k++)
		if (c->pfn[k])
			free_iova_fast(c->iovad, c->pfn[k], 1UL << c->order[k]);
}

#define HANDOFF_RANGES	2000
#define HANDOFF_ROUNDS	10

/**
 * struct handoff - single pfns allocated on one CPU and freed on another
 * @iovad: the domain
 * @pfns: HANDOFF_RANGES of them
 */
struct handoff {
	struct iova_domain *iovad;
	unsigned long *pfns;
};

static long handoff_alloc(void *arg)
{
	struct handoff *h = arg;
	unsigned int i;

	for (i = 0; i < HANDOFF_RANGES; i++)
		h->pfns[i] = alloc_iova_fast(h->iovad, 1, CHURN_LIMIT, false);
	return 0;
}

static long handoff_free(void *arg)
{
	struct handoff *h = arg;
	unsigned int i;

	for (i = 0; i < HANDOFF_RANGES; i++)
		if (h->pfns[i])
			free_iova_fast(h->iovad, h->pfns[i], 1);
	return 0;
}

/*
 * Two CPUs at once, each holding 64 ranges of random cached sizes and
 * replacing one per step: the per-CPU caches serve nearly every
 * allocation.  Then ranges allocated on CPU 0 and freed on CPU 1, 2000 a
 * round: CPU 1's full magazines reach CPU 0 through the depot, so from the
 * second round on most allocations are still served from the caches.
 */
static void iova_test_rcache_two_cpus(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, true);
	unsigned long gets, misses, gets0 = 0, misses0 = 0;
	struct handoff h = { .iovad = iovad };
	struct churn *churn;
	unsigned int cpu, i, round;

	if (num_online_cpus() < 2 || !cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online");
	churn = kunit_kcalloc(test, 2, sizeof(*churn), GFP_KERNEL);
	h.pfns = kunit_kcalloc(test, HANDOFF_RANGES, sizeof(*h.pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, churn);
	KUNIT_ASSERT_NOT_NULL(test, h.pfns);

	for (cpu = 0; cpu < 2; cpu++) {
		churn[cpu].iovad = iovad;
		churn[cpu].orders = ilog2(iova_rcache_range() / PAGE_SIZE) + 1;
		churn[cpu].seed = 42 + cpu;
		INIT_WORK(&churn[cpu].work, churn_on_this_cpu);
		queue_work_on(cpu, system_wq, &churn[cpu].work);
	}
	for (cpu = 0; cpu < 2; cpu++) {
		flush_work(&churn[cpu].work);
		KUNIT_EXPECT_EQ(test, churn[cpu].failed, 0);
	}
	iova_cache_stats(iovad, &gets, &misses);
	kunit_info(test, "two CPUs churning: %lu of %lu allocations missed the caches\n",
		   misses, gets);
	KUNIT_EXPECT_EQ(test, gets, 2UL * CHURN_OPS);
	KUNIT_EXPECT_LE_MSG(test, misses * 20, gets, "fewer than 95%% of allocations hit");

	for (round = 0; round < HANDOFF_ROUNDS; round++) {
		if (round == 1)
			iova_cache_stats(iovad, &gets0, &misses0);
		KUNIT_ASSERT_EQ(test, work_on_cpu(0, handoff_alloc, &h), 0);
		for (i = 0; i < HANDOFF_RANGES; i++)
			KUNIT_ASSERT_NE(test, h.pfns[i], 0);
		KUNIT_ASSERT_EQ(test, work_on_cpu(1, handoff_free, &h), 0);
	}
	iova_cache_stats(iovad, &gets, &misses);
	gets -= gets0;
	misses -= misses0;
	kunit_info(test, "allocated on CPU 0, freed on CPU 1: %lu of %lu missed\n",
		   misses, gets);
	KUNIT_EXPECT_EQ(test, gets, (HANDOFF_ROUNDS - 1UL) * HANDOFF_RANGES);
	KUNIT_EXPECT_LE_MSG(test, misses * 5, gets, "fewer than 80%% of allocations hit");
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/* A domain with every kind of range goes in one call, and can be reused. */
static void iova_test_put_live_domain(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, true);
	unsigned long pfn, n = 0;
	unsigned int i;

	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_NOT_NULL(test, alloc_iova(iovad, 1 + i % 5, 1 << 20, i & 1));
	for (i = 0; i < 300; i++)
		free_iova_fast(iovad, alloc_iova_fast(iovad, 1 << (i % 6), 1 << 20, false),
			       1 << (i % 6));
	KUNIT_ASSERT_NOT_NULL(test, reserve_iova(iovad, 10, 20));
	put_iova_domain(iovad);
	KUNIT_EXPECT_NULL(test, iovad->rcaches);

	iovad = test_domain(test, 1, true);
	while ((pfn = alloc_iova_fast(iovad, 1, 511, false)))
		n++;
	KUNIT_EXPECT_EQ(test, n, 511);
}

/* ------------------------------------------------------------- the floor */

/*
 * The free space below the lowest range, the floor, is kept out of the
 * tree's summaries (iova.c, "The tree"): a request repeated there goes to it
 * without climbing the tree, and it is still clipped by limits and skipped
 * when too small.
 */
static void iova_test_floor(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 8, false);
	unsigned long limit = SZ_64K - 1, pfn;
	struct iova *iova;
	unsigned int i;

	for (pfn = limit; pfn > limit - 4096; pfn--) {
		iova = alloc_iova(iovad, 1, limit, false);
		KUNIT_ASSERT_NOT_NULL(test, iova);
		KUNIT_ASSERT_EQ(test, iova->pfn_lo, pfn);
	}
	for (i = 0; i < 16; i++) {
		iova = alloc_iova(iovad, 1, limit, false);
		KUNIT_ASSERT_NOT_NULL(test, iova);
		KUNIT_EXPECT_EQ(test, iova->pfn_lo, pfn);
		KUNIT_EXPECT_LE(test, iovad->last_visits, 1);
		__free_iova(iovad, iova);
	}

	iova = alloc_iova(iovad, 16, 100, true);
	KUNIT_ASSERT_NOT_NULL(test, iova);
	KUNIT_EXPECT_EQ(test, iova->pfn_lo, 80);
	/* [8, 20] holds no aligned 16, but an aligned 8. */
	KUNIT_EXPECT_NULL(test, alloc_iova(iovad, 16, 20, true));
	iova = alloc_iova(iovad, 8, 20, true);
	KUNIT_ASSERT_NOT_NULL(test, iova);
	KUNIT_EXPECT_EQ(test, iova->pfn_lo, 8);
	__free_iova(iovad, iova);
	/* Below the start, the lowest range leaves no floor: [8, 79] is a gap. */
	KUNIT_ASSERT_NOT_NULL(test, reserve_iova(iovad, 0, 3));
	for (pfn = 72; pfn >= 8; pfn -= 8) {
		iova = alloc_iova(iovad, 8, 79, true);
		KUNIT_ASSERT_NOT_NULL(test, iova);
		KUNIT_EXPECT_EQ(test, iova->pfn_lo, pfn);
	}
	KUNIT_EXPECT_NULL(test, alloc_iova(iovad, 1, 79, false));
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

/* ------------------------------------------------------- fragmentation */

/*
 * Fill a 32-bit space (2^20 pfns of 4 KiB) with single pfns, free every
 * other one, and open aligned pairs only in its lowest 64 Ki pfns: each
 * pair allocation must skip half a million holes that are too small.
 */
#define FRAG_PFNS	BIT(20)
#define FRAG_LOW	BIT(16)
/*
 * An allocation walks down once, climbs once and descends once, each at
 * most the height of a red-black tree, 2 * log2(n + 1): visits stay under
 * 6 * log2(n) plus a little, against n / 2 for a linear walk.
 */
#define FRAG_VISITS(n)	(6 * ilog2(n) + 8)

static void iova_test_fragmented(struct kunit *test)
{
	struct iova_domain *iovad = test_domain(test, 1, false);
	unsigned long limit = FRAG_PFNS - 1, pfn, pairs = 0;
	unsigned int most = 0, bound;
	struct iova *iova;

	/* Ranges above the limit too, as a 64-bit device would leave them. */
	for (pfn = 0; pfn < 1000; pfn++)
		KUNIT_ASSERT_NOT_NULL(test, alloc_iova(iovad, 1, ULONG_MAX, false));
	for (pfn = limit; pfn >= 1; pfn--) {
		iova = alloc_iova(iovad, 1, limit, false);
		KUNIT_ASSERT_NOT_NULL(test, iova);
		KUNIT_ASSERT_EQ(test, iova->pfn_lo, pfn);
		if (pfn % 1024 == 0)
			cond_resched();
	}
	for (pfn = 1; pfn <= limit; pfn += 2)
		free_iova(iovad, pfn);
	for (pfn = 2; pfn < FRAG_LOW; pfn += 4)
		free_iova(iovad, pfn);
	KUNIT_ASSERT_EQ(test, iova_domain_check(iovad), 0);

	/*
	 * Two limits in turn, so that no request repeats the one before and
	 * each search starts from the root (iova.c, "Repeats").
	 */
	bound = FRAG_VISITS(FRAG_PFNS);
	while ((iova = alloc_iova(iovad, 2, limit - (pairs & 1), true))) {
		KUNIT_ASSERT_EQ(test, iova->pfn_lo % 4, 2);
		KUNIT_ASSERT_LT(test, iova->pfn_lo, FRAG_LOW);
		most = max(most, iovad->last_visits);
		pairs++;
	}
	/* The failed search is bounded as well. */
	most = max(most, iovad->last_visits);
	KUNIT_EXPECT_EQ(test, pairs, FRAG_LOW / 4);
	KUNIT_EXPECT_LE_MSG(test, most, bound, "nodes visited per allocation, %lu ranges",
			    FRAG_PFNS / 2);
	kunit_info(test, "at most %u nodes visited per allocation (bound %u)\n", most, bound);
	KUNIT_EXPECT_EQ(test, iova_domain_check(iovad), 0);
}

static struct kunit_case iova_test_cases[] = {
	/* First: the reports are rate-limited, and the random test makes some. */
	KUNIT_CASE(iova_test_bad_input),
	KUNIT_CASE(iova_test_random_against_bitmap),
	KUNIT_CASE(iova_test_exhaustion_and_recovery),
	KUNIT_CASE(iova_test_limits),
	KUNIT_CASE(iova_test_rcache),
	KUNIT_CASE(iova_test_rcache_bound),
	KUNIT_CASE(iova_test_inexact_size),
	KUNIT_CASE(iova_test_cpu_offline),
	KUNIT_CASE(iova_test_rcache_two_cpus),
	KUNIT_CASE(iova_test_put_live_domain),
	KUNIT_CASE(iova_test_floor),
	KUNIT_CASE_SLOW(iova_test_fragmented),
	{}
};

static struct kunit_suite iova_test_suite = {
	.name = "dma_iova_allocator",
	.init = iova_test_init,
	.exit = iova_test_exit,
	.test_cases = iova_test_cases,
};

kunit_test_suite(iova_test_suite);

MODULE_DESCRIPTION("KUnit tests for the IOVA allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
