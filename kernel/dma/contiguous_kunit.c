// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the contiguous memory areas (kernel/dma/contiguous.c).
 *
 * The machine (tools/testing/kunit/dma_qemu.py) boots with
 * "cma=32M cma_pernuma=16M numa_cma=0:8M", so there is a default area
 * ("reserved"), and node 0 has a "numa0" and a "pernuma0" area.  Without
 * them the tests that need them are skipped.  Each test frees what it
 * takes, so every test starts with empty areas.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/cma.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "internal.h"
#include "kunit_log.h"

#define DEFAULT_AREA_SIZE	SZ_32M

struct area_lookup {
	const char *name;
	struct cma *area;
};

static int area_has_name(struct cma *cma, void *data)
{
	struct area_lookup *l = data;

	if (strcmp(cma_get_name(cma), l->name))
		return 0;
	l->area = cma;
	return 1;
}

/* The area called @name; skips the test when there is none. */
static struct cma *area_named(struct kunit *test, const char *name)
{
	struct area_lookup l = { .name = name };

	cma_for_each_area(area_has_name, &l);
	if (!l.area)
		kunit_skip(test, "no contiguous area %s: boot with the KUnit machine's options",
			   name);
	return l.area;
}

/* Do @size bytes at @page lie inside @area? */
static bool in_area(struct cma *area, struct page *page, size_t size)
{
	phys_addr_t start = page_to_phys(page), base = cma_get_base(area);

	return start >= base && start + size <= base + cma_get_size(area);
}

/* Is @page in any area at all? */
static bool in_some_area(struct page *page)
{
	return is_migrate_cma_page(page);
}

struct test_device {
	struct device *dev;
	u64 mask;
	struct device_dma_parameters parms;
};

static void forget_own_area(void *dev)
{
	((struct device *)dev)->cma_area = NULL;
}

/* A 64-bit device on no particular node, with no area of its own. */
static struct device *test_device(struct kunit *test)
{
	struct test_device *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "dmacore-cma-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->mask;
	t->dev->dma_parms = &t->parms;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64)), 0);
	set_dev_node(t->dev, NUMA_NO_NODE);
	/* a test that gives it an area must not leave it behind */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, forget_own_area, t->dev), 0);
	return t->dev;
}

/* A coherent buffer of @size that must succeed; returns its first page. */
static struct page *coherent(struct kunit *test, struct device *dev, size_t size,
			     void **cpu, dma_addr_t *dma)
{
	*cpu = dma_alloc_coherent(dev, size, dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, *cpu, "%zu bytes", size);
	KUNIT_EXPECT_EQ(test, *dma, phys_to_dma(dev, virt_to_phys(*cpu)));
	return virt_to_page(*cpu);
}

static bool all_zero(const u8 *buf, size_t len)
{
	return !memchr_inv(buf, 0, len);
}

/* The default area exists with the size asked for, and heap users find it. */
static void contiguous_test_areas(struct kunit *test)
{
	struct cma *area = area_named(test, "reserved");

	KUNIT_EXPECT_PTR_EQ(test, dev_get_cma_area(NULL), area);
	KUNIT_EXPECT_EQ(test, cma_get_size(area), DEFAULT_AREA_SIZE);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(cma_get_base(area), CMA_MIN_ALIGNMENT_BYTES));
	KUNIT_EXPECT_EQ(test, cma_get_size(area_named(test, "numa0")), SZ_8M);
	KUNIT_EXPECT_EQ(test, cma_get_size(area_named(test, "pernuma0")), SZ_16M);
}

/* Buffers above MAX_PAGE_ORDER come from the default area, until it is full. */
static void contiguous_test_beyond_largest_block(struct kunit *test)
{
	struct cma *area = area_named(test, "reserved");
	struct device *dev = test_device(test);
	size_t size = PAGE_SIZE << (MAX_PAGE_ORDER + 1);
	unsigned int i, n = DEFAULT_AREA_SIZE / size;
	dma_addr_t dma[8], extra;
	void *cpu[8];

	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(cpu));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, in_area(area, coherent(test, dev, size, &cpu[i], &dma[i]),
						size));
		KUNIT_EXPECT_TRUE(test, all_zero(cpu[i], size));
		memset(cpu[i], 0xa5, size);
	}
	/* the area is full and the page allocator has no such block */
	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, size, &extra, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "exceed the largest block"));
	for (i = 0; i < n; i++)
		dma_free_coherent(dev, size, cpu[i], dma[i]);

	/* all of it came back: the whole area is one buffer now, zeroed again */
	KUNIT_EXPECT_TRUE(test, in_area(area, coherent(test, dev, DEFAULT_AREA_SIZE, &cpu[0],
						       &dma[0]), DEFAULT_AREA_SIZE));
	KUNIT_EXPECT_TRUE(test, all_zero(cpu[0], DEFAULT_AREA_SIZE));
	dma_free_coherent(dev, DEFAULT_AREA_SIZE, cpu[0], dma[0]);
}

/* Small buffers stay with the page allocator; larger ones take an area. */
static void contiguous_test_small_stay_out(struct kunit *test)
{
	struct cma *area = area_named(test, "reserved");
	struct device *dev = test_device(test);
	struct page *page;
	dma_addr_t dma;
	void *cpu;

	page = coherent(test, dev, DMA_CMA_FIRST_SIZE, &cpu, &dma);
	KUNIT_EXPECT_FALSE(test, in_some_area(page));
	dma_free_coherent(dev, DMA_CMA_FIRST_SIZE, cpu, dma);

	page = coherent(test, dev, DMA_CMA_FIRST_SIZE + PAGE_SIZE, &cpu, &dma);
	KUNIT_EXPECT_TRUE(test, in_area(area, page, DMA_CMA_FIRST_SIZE + PAGE_SIZE));
	dma_free_coherent(dev, DMA_CMA_FIRST_SIZE + PAGE_SIZE, cpu, dma);

	/* dma_alloc_pages() follows the same policy */
	page = dma_alloc_pages(dev, SZ_1M, &dma, DMA_BIDIRECTIONAL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_TRUE(test, in_area(area, page, SZ_1M));
	KUNIT_EXPECT_TRUE(test, all_zero(page_address(page), SZ_1M));
	dma_free_pages(dev, SZ_1M, page, dma, DMA_BIDIRECTIONAL);

	/* atomic callers can't wait for an area */
	cpu = dma_alloc_coherent(dev, SZ_1M, &dma, GFP_ATOMIC);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_FALSE(test, in_some_area(virt_to_page(cpu)));
	dma_free_coherent(dev, SZ_1M, cpu, dma);
}

/* A buffer starts at a multiple of its size, up to 2^CMA_ALIGNMENT pages. */
static void contiguous_test_alignment(struct kunit *test)
{
	struct device *dev = test_device(test);
	static const unsigned int orders[] = { 0, 2, 5, CONFIG_CMA_ALIGNMENT,
						CONFIG_CMA_ALIGNMENT + 2 };
	unsigned int i, align;
	struct page *page;
	size_t size;
	dma_addr_t dma;
	void *cpu;

	area_named(test, "reserved");
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		/* one page short of the order, so only the alignment asks for it */
		size = (PAGE_SIZE << orders[i]) - (orders[i] ? PAGE_SIZE : 0);
		align = min_t(unsigned int, orders[i], CONFIG_CMA_ALIGNMENT);
		page = dma_alloc_from_contiguous(dev, size >> PAGE_SHIFT, orders[i], false);
		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "order %u", orders[i]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(page_to_pfn(page), 1UL << align),
				      "order %u: pfn %#lx", orders[i], page_to_pfn(page));
		KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page,
								    size >> PAGE_SHIFT));
	}

	/* coherent buffers are aligned to their own order the same way */
	size = SZ_64K + PAGE_SIZE;
	coherent(test, dev, size, &cpu, &dma);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(dma, SZ_128K));
	dma_free_coherent(dev, size, cpu, dma);
	size = SZ_8M + PAGE_SIZE;
	coherent(test, dev, size, &cpu, &dma);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(dma, PAGE_SIZE << CONFIG_CMA_ALIGNMENT));
	dma_free_coherent(dev, size, cpu, dma);
}

/* A device's own area serves every size, before its node's and the default. */
static void contiguous_test_own_area_first(struct kunit *test)
{
	struct cma *own = area_named(test, "pernuma0");
	struct device *dev = test_device(test);
	struct page *page;
	dma_addr_t dma;
	void *cpu;

	dev->cma_area = own;
	KUNIT_EXPECT_PTR_EQ(test, dev_get_cma_area(dev), own);
	page = coherent(test, dev, PAGE_SIZE, &cpu, &dma);
	KUNIT_EXPECT_TRUE(test, in_area(own, page, PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, all_zero(cpu, PAGE_SIZE));
	dma_free_coherent(dev, PAGE_SIZE, cpu, dma);

	page = dma_alloc_from_contiguous(dev, 4, 0, false);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_TRUE(test, in_area(own, page, 4 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page, 4));

	/* a full own area is not topped up from the others */
	page = dma_alloc_from_contiguous(dev, SZ_16M >> PAGE_SHIFT, 0, false);
	KUNIT_ASSERT_NOT_NULL(test, page);
	cpu = dma_alloc_coherent(dev, SZ_1M, &dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_FALSE(test, in_some_area(virt_to_page(cpu)));
	dma_free_coherent(dev, SZ_1M, cpu, dma);
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page, SZ_16M >> PAGE_SHIFT));
}

/* A device on node 0 takes from numa0, then pernuma0, then the default area. */
static void contiguous_test_node_order(struct kunit *test)
{
	struct cma *areas[] = { area_named(test, "numa0"), area_named(test, "pernuma0"),
				area_named(test, "reserved") };
	/* each fills its area, so the next must go on to the next area */
	static const size_t sizes[] = { SZ_8M, SZ_16M, SZ_8M };
	struct device *dev = test_device(test);
	dma_addr_t dma[3];
	void *cpu[3];
	unsigned int i;

	set_dev_node(dev, 0);
	for (i = 0; i < ARRAY_SIZE(areas); i++)
		KUNIT_EXPECT_TRUE_MSG(test, in_area(areas[i], coherent(test, dev, sizes[i], &cpu[i],
								       &dma[i]), sizes[i]),
				      "buffer %u not from %s", i, cma_get_name(areas[i]));
	for (i = 0; i < ARRAY_SIZE(areas); i++)
		dma_free_coherent(dev, sizes[i], cpu[i], dma[i]);
}

/* Frees that don't describe a buffer an area handed out are refused. */
static void contiguous_test_bad_release(struct kunit *test)
{
	struct device *dev = test_device(test);
	struct page *page, *buddy;
	dma_addr_t dma;
	void *cpu;

	area_named(test, "reserved");
	/* not from an area: the caller frees it to the page allocator */
	buddy = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buddy);
	dma_kunit_log_start(test);
	KUNIT_EXPECT_FALSE(test, dma_release_from_contiguous(dev, buddy, 1));
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "dmacore-cma-test"));
	__free_page(buddy);

	page = dma_alloc_from_contiguous(dev, 4, 2, false);
	KUNIT_ASSERT_NOT_NULL(test, page);
	dma_kunit_log_start(test);
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page + 1, 1));
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "no buffer handed out; not freed"));
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page, 3));
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "has 4 pages, freed as 3; not freed"));
	/* both were left alone, so the real release still finds its record */
	dma_kunit_log_start(test);
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page, 4));
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "not freed"));
	KUNIT_EXPECT_TRUE(test, dma_release_from_contiguous(dev, page, 4));
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "starts no buffer handed out"));

	/* the same checks guard dma_free_coherent() */
	coherent(test, dev, SZ_1M, &cpu, &dma);
	dma_kunit_log_start(test);
	dma_free_coherent(dev, PAGE_SIZE, cpu + PAGE_SIZE, dma + PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "dma_free_attrs: page frame"));
	dma_free_coherent(dev, SZ_512K, cpu, dma);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "has 256 pages, freed as 128"));
	dma_kunit_log_start(test);
	dma_free_coherent(dev, SZ_1M, cpu, dma);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "not freed"));
}

static void contiguous_test_parse(struct kunit *test)
{
	static const char * const bad[] = { "", "M", "abc", "64Mx", "64M@", "64M@x", "64M@1G-",
					    "64M@1G-1G", "64M@1G-1040M", "64M@2G-1G" };
	struct dma_cma_placement p = { .size = 7 };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, dma_contiguous_parse("64M", &p), 0);
	KUNIT_EXPECT_EQ(test, p.size, SZ_64M);
	KUNIT_EXPECT_EQ(test, p.base, 0);
	KUNIT_EXPECT_EQ(test, p.limit, 0);
	KUNIT_EXPECT_EQ(test, dma_contiguous_parse("64M@16M", &p), 0);
	KUNIT_EXPECT_EQ(test, p.base, SZ_16M);
	KUNIT_EXPECT_EQ(test, p.limit, 0);
	KUNIT_EXPECT_EQ(test, dma_contiguous_parse("32M@0-4G", &p), 0);
	KUNIT_EXPECT_EQ(test, p.size, SZ_32M);
	KUNIT_EXPECT_EQ(test, p.base, 0);
	KUNIT_EXPECT_EQ(test, p.limit, SZ_4G);
	KUNIT_EXPECT_EQ(test, dma_contiguous_parse("0", &p), 0);
	KUNIT_EXPECT_EQ(test, p.size, 0);

	p.size = 7;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, dma_contiguous_parse(bad[i], &p), -EINVAL, "cma=%s",
				    bad[i]);
	KUNIT_EXPECT_EQ(test, dma_contiguous_parse(NULL, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, p.size, 7);
}

#ifdef CONFIG_DMA_NUMA_CMA
static void contiguous_test_parse_nodes(struct kunit *test)
{
	static const char * const bad[] = { "", "0", "0:", ":16M", "0:16M,", "0:16M;1:1M",
					    "x:1M", "0:16M,1", "0:M", "99999:1M" };
	phys_addr_t *sizes = kunit_kcalloc(test, MAX_NUMNODES, sizeof(*sizes), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sizes);
	KUNIT_EXPECT_EQ(test, dma_contiguous_parse_nodes("0:16M", sizes), 0);
	KUNIT_EXPECT_EQ(test, sizes[0], SZ_16M);
	if (MAX_NUMNODES > 1) {
		KUNIT_EXPECT_EQ(test, dma_contiguous_parse_nodes("1:8M,0:4M", sizes), 0);
		KUNIT_EXPECT_EQ(test, sizes[0], SZ_4M);
		KUNIT_EXPECT_EQ(test, sizes[1], SZ_8M);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, dma_contiguous_parse_nodes(bad[i], sizes), -EINVAL,
				    "numa_cma=%s", bad[i]);
		/* nothing is stored from an argument that is wrong anywhere */
		KUNIT_EXPECT_EQ(test, sizes[0], MAX_NUMNODES > 1 ? SZ_4M : SZ_16M);
	}
}
#endif

static struct kunit_case contiguous_test_cases[] = {
	KUNIT_CASE(contiguous_test_areas),
	KUNIT_CASE(contiguous_test_beyond_largest_block),
	KUNIT_CASE(contiguous_test_small_stay_out),
	KUNIT_CASE(contiguous_test_alignment),
	KUNIT_CASE(contiguous_test_own_area_first),
	KUNIT_CASE(contiguous_test_node_order),
	KUNIT_CASE(contiguous_test_bad_release),
	KUNIT_CASE(contiguous_test_parse),
#ifdef CONFIG_DMA_NUMA_CMA
	KUNIT_CASE(contiguous_test_parse_nodes),
#endif
	{}
};

static struct kunit_suite contiguous_test_suite = {
	.name = "dma_contiguous",
	.test_cases = contiguous_test_cases,
};

kunit_test_suite(contiguous_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA contiguous memory areas");
MODULE_LICENSE("GPL");
