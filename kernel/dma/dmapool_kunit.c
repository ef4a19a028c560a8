// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kernel/dma/dmapool.c.
 *
 * Every test gets a fresh KUnit device with a 64-bit mask, so the pools sit
 * on the direct mapping path.  Pool state is observed the way user space
 * sees it, through the device's "pools" attribute, which also keeps that
 * format under test.  A few tests provoke the pool's error reports on
 * purpose; their "dma_pool ...: ignored" lines in the log are expected.
 * Pools check frees only in kernels with the DMA API checker, so the tests
 * of bad frees and overwritten links need CONFIG_DMA_API_DEBUG.
 */

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>
#include <linux/kernfs.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "internal.h"
#include "kunit_log.h"

KUNIT_DEFINE_ACTION_WRAPPER(dma_pool_destroy_action, dma_pool_destroy,
			    struct dma_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(put_device_action, put_device, struct device *);
KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, free_page, unsigned long);

struct block {
	void *vaddr;
	dma_addr_t dma;
};

/* One line of the "pools" attribute. */
struct pool_info {
	size_t active;
	size_t total;
	size_t size;
	size_t pages;
};

static struct device *test_device(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	return dev;
}

static int dma_pool_test_init(struct kunit *test)
{
	test->priv = test_device(test, "dev");
	return 0;
}

/* A pool on the test's device, destroyed when the test ends. */
static struct dma_pool *test_pool(struct kunit *test, const char *name,
				  size_t size, size_t align, size_t boundary)
{
	struct dma_pool *pool;

	pool = dma_pool_create(name, test->priv, size, align, boundary);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dma_pool_destroy_action,
							pool), 0);
	return pool;
}

static void destroy_test_pool(struct kunit *test, struct dma_pool *pool)
{
	kunit_release_action(test, dma_pool_destroy_action, pool);
}

static bool has_pools_attr(struct device *dev)
{
	struct kernfs_node *kn = kernfs_find_and_get(dev->kobj.sd, "pools");

	if (!kn)
		return false;
	kernfs_put(kn);
	return true;
}

/*
 * The text of @dev's "pools" attribute, produced by the show() method of
 * the file that sysfs actually has; NULL if there is no such file.
 */
static char *read_pools_attr(struct kunit *test, struct device *dev)
{
	struct device_attribute *attr;
	struct kernfs_node *kn;
	unsigned long page;
	ssize_t len;

	kn = kernfs_find_and_get(dev->kobj.sd, "pools");
	if (!kn)
		return NULL;
	attr = container_of(kn->priv, struct device_attribute, attr);

	/* sysfs_emit() insists on a whole page, as sysfs would pass. */
	page = get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, page, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action,
							(void *)page), 0);
	len = attr->show(dev, attr, (char *)page);
	kernfs_put(kn);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_LT(test, len, PAGE_SIZE);
	return (char *)page;
}

/* The line for pool @name, or NULL; checks the header on the way. */
static char *pools_attr_line(struct kunit *test, struct device *dev,
			     const char *name)
{
	char *text = read_pools_attr(test, dev);
	char *line, *next;

	KUNIT_ASSERT_NOT_NULL_MSG(test, text, "no pools attribute");
	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(text, "poolinfo - 0.1\n"),
			      "header of: %s", text);

	for (line = strchr(text, '\n') + 1; *line; line = next) {
		char pname[32];

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%31s", pname) == 1 && !strcmp(pname, name))
			return line;
	}
	return NULL;
}

static void pool_info(struct kunit *test, const char *name,
		      struct pool_info *info)
{
	char *line = pools_attr_line(test, test->priv, name);
	char pname[32];
	int fields;

	KUNIT_ASSERT_NOT_NULL_MSG(test, line, "pool %s not listed", name);
	fields = sscanf(line, "%31s %zu %zu %zu %zu", pname, &info->active,
			&info->total, &info->size, &info->pages);
	KUNIT_ASSERT_EQ_MSG(test, fields, 5, "line: %s", line);
}

static struct block *alloc_blocks(struct kunit *test, struct dma_pool *pool,
				  int n)
{
	struct block *b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		b[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NOT_NULL_MSG(test, b[i].vaddr, "block %d", i);
	}
	return b;
}

static void free_blocks(struct dma_pool *pool, struct block *b, int n)
{
	while (n--)
		dma_pool_free(pool, b[n].vaddr, b[n].dma);
}

/* Enough blocks of @size to need at least three chunks, within reason. */
static int blocks_for(size_t size)
{
	return clamp_t(size_t, 3 * PAGE_SIZE / size + 1, 4, 512);
}

static u8 pattern(int block, size_t byte)
{
	return (u8)(block * 31 + byte * 7 + 1);
}

/* Fill each block completely, then check that no write hit another one. */
static void check_blocks_disjoint(struct kunit *test, struct block *b, int n,
				  size_t size)
{
	int i;
	size_t j;

	for (i = 0; i < n; i++)
		for (j = 0; j < size; j++)
			((u8 *)b[i].vaddr)[j] = pattern(i, j);

	for (i = 0; i < n; i++)
		for (j = 0; j < size; j++)
			if (((u8 *)b[i].vaddr)[j] != pattern(i, j)) {
				KUNIT_FAIL(test, "block %d byte %zu overwritten", i, j);
				return;
			}
}

struct geometry {
	size_t size;
	size_t align;
	size_t boundary;
	const char *desc;
};

static const struct geometry alignment_cases[] = {
	{ 1, 0, 0, "size 1, no alignment" },
	{ 8, 0, 0, "size 8, no alignment" },
	{ 24, 8, 0, "size 24, align 8" },
	{ 68, 32, 0, "size 68, align 32" },
	{ 100, 64, 0, "size 100, align 64" },
	{ 256, 256, 0, "size 256, align 256" },
	{ 3000, 16, 0, "size 3000, align 16" },
	{ 4096, 4096, 0, "size 4096, align 4096" },
	{ 16, 2048, 0, "size 16, align 2048" },
	{ 5000, 0, 0, "size 5000, over a page" },
};

KUNIT_ARRAY_PARAM_DESC(alignment, alignment_cases, desc);

static void dma_pool_test_alignment(struct kunit *test)
{
	const struct geometry *g = test->param_value;
	size_t align = g->align ?: 1;
	int i, n = blocks_for(g->size);
	struct dma_pool *pool;
	struct block *b;

	pool = test_pool(test, "kunit-align", g->size, g->align, 0);
	b = alloc_blocks(test, pool, n);

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)b[i].vaddr, align),
				      "block %d at %p", i, b[i].vaddr);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(b[i].dma, align),
				      "block %d at dma %pad", i, &b[i].dma);
		/* Direct mapping: the two addresses agree within a page. */
		KUNIT_EXPECT_EQ(test, offset_in_page(b[i].vaddr),
				(unsigned long)(b[i].dma & ~PAGE_MASK));
	}
	check_blocks_disjoint(test, b, n, g->size);
	free_blocks(pool, b, n);
}

static const struct geometry boundary_cases[] = {
	/* 104-byte blocks: the third one would straddle 256 if packed. */
	{ 100, 8, 256, "size 100, boundary 256" },
	{ 24, 8, 64, "size 24, boundary 64" },
	{ 48, 16, 128, "size 48, align 16, boundary 128" },
	{ 1000, 0, 1024, "size 1000, boundary 1024" },
	{ 3000, 8, 4096, "size 3000, boundary 4096" },
	{ 68, 32, 4096, "size 68, align 32, boundary 4096" },
	{ 512, 0, 8192, "boundary larger than a chunk" },
	{ 64, 0, 64, "boundary equal to the size" },
	{ 6000, 0, 8192, "multi-page blocks, boundary 8192" },
};

KUNIT_ARRAY_PARAM_DESC(boundary, boundary_cases, desc);

static bool crosses(u64 start, size_t size, size_t boundary)
{
	return (start ^ (start + size - 1)) & ~(u64)(boundary - 1);
}

static void dma_pool_test_boundary(struct kunit *test)
{
	const struct geometry *g = test->param_value;
	size_t align = g->align ?: 1;
	int i, n = blocks_for(g->size);
	struct dma_pool *pool;
	struct block *b;

	pool = test_pool(test, "kunit-boundary", g->size, g->align, g->boundary);
	b = alloc_blocks(test, pool, n);

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_FALSE_MSG(test, crosses(b[i].dma, g->size, g->boundary),
				       "block %d at dma %pad", i, &b[i].dma);
		KUNIT_EXPECT_FALSE_MSG(test, crosses((unsigned long)b[i].vaddr,
						     g->size, g->boundary),
				       "block %d at %p", i, b[i].vaddr);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(b[i].dma, align));
	}
	check_blocks_disjoint(test, b, n, g->size);
	free_blocks(pool, b, n);
}

static int cmp_dma(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return x->dma < y->dma ? -1 : x->dma > y->dma;
}

static int cmp_vaddr(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Many blocks: no two overlap, in either address space. */
static void dma_pool_test_distinct(struct kunit *test)
{
	const size_t size = 40;
	const int n = 1000;
	struct dma_pool *pool;
	struct block *b, *sorted;
	int i;

	pool = test_pool(test, "kunit-distinct", size, 8, 0);
	b = alloc_blocks(test, pool, n);
	check_blocks_disjoint(test, b, n, size);

	sorted = kunit_kmalloc_array(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	memcpy(sorted, b, n * sizeof(*b));
	sort(sorted, n, sizeof(*b), cmp_dma, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, sorted[i].dma, sorted[i - 1].dma + size);
	sort(sorted, n, sizeof(*b), cmp_vaddr, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, (unsigned long)sorted[i].vaddr,
				(unsigned long)sorted[i - 1].vaddr + size);

	free_blocks(pool, b, n);
}

/* The block freed last is the next one handed out, and cycling never grows. */
static void dma_pool_test_reuse(struct kunit *test)
{
	struct pool_info before, after;
	struct dma_pool *pool;
	struct block *held;
	dma_addr_t dma, dma2;
	unsigned int i, j;
	void *a, *a2;

	pool = test_pool(test, "kunit-reuse", 64, 0, 0);
	held = alloc_blocks(test, pool, 10);

	a = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	dma_pool_free(pool, a, dma);
	a2 = dma_pool_alloc(pool, GFP_KERNEL, &dma2);
	KUNIT_EXPECT_PTR_EQ(test, a2, a);
	KUNIT_EXPECT_EQ(test, dma2, dma);
	dma_pool_free(pool, a2, dma2);

	/* Freeing a held block makes it the next one out, not a fresh one. */
	dma_pool_free(pool, held[3].vaddr, held[3].dma);
	a = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_EXPECT_PTR_EQ(test, a, held[3].vaddr);
	KUNIT_EXPECT_EQ(test, dma, held[3].dma);
	held[3].vaddr = a;

	pool_info(test, "kunit-reuse", &before);
	for (i = 0; i < 1000; i++) {
		struct block burst[16];

		for (j = 0; j < ARRAY_SIZE(burst); j++) {
			burst[j].vaddr = dma_pool_alloc(pool, GFP_KERNEL,
							&burst[j].dma);
			KUNIT_ASSERT_NOT_NULL(test, burst[j].vaddr);
		}
		free_blocks(pool, burst, ARRAY_SIZE(burst));
	}
	pool_info(test, "kunit-reuse", &after);
	KUNIT_EXPECT_EQ(test, after.pages, before.pages);
	KUNIT_EXPECT_EQ(test, after.total, before.total);
	KUNIT_EXPECT_EQ(test, after.active, 10);

	free_blocks(pool, held, 10);
}

static void dma_pool_test_zalloc(struct kunit *test)
{
	const size_t size = 200;
	struct dma_pool *pool;
	dma_addr_t dma, dma2;
	void *a, *z;

	pool = test_pool(test, "kunit-zalloc", size, 8, 0);
	a = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0xa5, size);
	dma_pool_free(pool, a, dma);

	z = dma_pool_zalloc(pool, GFP_KERNEL, &dma2);
	KUNIT_ASSERT_PTR_EQ(test, z, a);	/* the dirty block came back */
	KUNIT_EXPECT_NULL(test, memchr_inv(z, 0, size));
	dma_pool_free(pool, z, dma2);
}

/* 512-byte blocks, eight to a page: forty take five chunks, kept until destroy. */
static void dma_pool_test_grow_and_destroy(struct kunit *test)
{
	struct device *dev = test->priv;
	const int per_page = PAGE_SIZE / 512, n = 5 * per_page;
	struct pool_info info;
	struct dma_pool *pool;
	struct block *b;

	KUNIT_EXPECT_FALSE(test, has_pools_attr(dev));
	pool = test_pool(test, "kunit-grow", 512, 512, 0);
	KUNIT_EXPECT_TRUE(test, has_pools_attr(dev));

	pool_info(test, "kunit-grow", &info);
	KUNIT_EXPECT_EQ(test, info.pages, 0);
	KUNIT_EXPECT_EQ(test, info.total, 0);

	b = alloc_blocks(test, pool, n);
	check_blocks_disjoint(test, b, n, 512);
	pool_info(test, "kunit-grow", &info);
	KUNIT_EXPECT_EQ(test, info.active, n);
	KUNIT_EXPECT_EQ(test, info.total, n);
	KUNIT_EXPECT_EQ(test, info.pages, 5);
	KUNIT_EXPECT_EQ(test, info.size, 512);

	free_blocks(pool, b, n);
	pool_info(test, "kunit-grow", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);
	KUNIT_EXPECT_EQ(test, info.pages, 5);

	destroy_test_pool(test, pool);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
	KUNIT_EXPECT_FALSE(test, has_pools_attr(dev));
}

static void dma_pool_test_bad_arguments(struct kunit *test)
{
	struct device *dev = test->priv;
	struct dma_pool *pool;

	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 0, 8, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 64, 3, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 64, 48, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 64, 0, 100));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 100, 0, 64));
	/* Fits the boundary only before rounding up to the alignment. */
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, 16, 32, 16));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", dev, SIZE_MAX, 0, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("bad", NULL, 64, 8, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create(NULL, dev, 64, 8, 0));

	/* None of them left a trace on the device. */
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
	KUNIT_EXPECT_FALSE(test, has_pools_attr(dev));

	/* The no-op cases. */
	dma_pool_destroy(NULL);
	dmam_pool_destroy(NULL);
	pool = test_pool(test, "kunit-nulls", 64, 0, 64);
	dma_pool_free(pool, NULL, 0);
	KUNIT_EXPECT_NOT_NULL(test, pools_attr_line(test, dev, "kunit-nulls"));
}

static void dma_pool_test_managed(struct kunit *test)
{
	struct device *dev = test_device(test, "managed");
	struct dma_pool *pool;
	dma_addr_t dma;
	void *a;

	/* Keep the struct alive past unregistration, to look at it. */
	get_device(dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_device_action,
							dev), 0);

	pool = dmam_pool_create("kunit-managed", dev, 64, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	a = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	dma_pool_free(pool, a, dma);

	/* Destroyed on request, and devres forgets it. */
	dmam_pool_destroy(pool);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));

	/* Destroyed when the device goes away. */
	pool = dmam_pool_create("kunit-managed", dev, 64, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_FALSE(test, list_empty(&dev->dma_pools));
	KUNIT_EXPECT_TRUE(test, has_pools_attr(dev));
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
}

static void dma_pool_test_pools_attribute(struct kunit *test)
{
	struct device *dev = test->priv;
	struct dma_pool *a, *b;
	struct block *ba, *bb;
	char want[64];
	char *line;

	a = test_pool(test, "kunit-a", 64, 0, 0);
	b = test_pool(test, "kunit-b", 200, 8, 0);
	ba = alloc_blocks(test, a, 3);
	bb = alloc_blocks(test, b, 1);

	/* Exact columns: tools have parsed this text for a long time. */
	line = pools_attr_line(test, dev, "kunit-a");
	KUNIT_ASSERT_NOT_NULL(test, line);
	snprintf(want, sizeof(want), "%-16s %4zu %4zu %4zu %2zu", "kunit-a",
		 (size_t)3, (size_t)(PAGE_SIZE / 64), (size_t)64, (size_t)1);
	KUNIT_EXPECT_STREQ(test, line, want);

	line = pools_attr_line(test, dev, "kunit-b");
	KUNIT_ASSERT_NOT_NULL(test, line);
	snprintf(want, sizeof(want), "%-16s %4zu %4zu %4zu %2zu", "kunit-b",
		 (size_t)1, (size_t)(PAGE_SIZE / 200), (size_t)200, (size_t)1);
	KUNIT_EXPECT_STREQ(test, line, want);

	free_blocks(a, ba, 3);
	destroy_test_pool(test, a);
	KUNIT_EXPECT_NULL(test, pools_attr_line(test, dev, "kunit-a"));
	KUNIT_EXPECT_NOT_NULL(test, pools_attr_line(test, dev, "kunit-b"));

	free_blocks(b, bb, 1);
	destroy_test_pool(test, b);
	KUNIT_EXPECT_FALSE(test, has_pools_attr(dev));
}

static void skip_unless_checked(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG))
		kunit_skip(test, "pools check frees only with CONFIG_DMA_API_DEBUG");
}

/*
 * Every kind of bad free is refused without disturbing the pool.  Had the
 * double free been accepted, the two allocations at the end would return
 * the same block.
 */
static void dma_pool_test_bad_free(struct kunit *test)
{
	struct dma_pool *pool, *other;
	struct pool_info info;
	struct block *b;
	dma_addr_t dma, dma2;
	void *stray, *x, *y;

	skip_unless_checked(test);
	pool = test_pool(test, "kunit-badfree", 64, 0, 0);
	other = test_pool(test, "kunit-other", 64, 0, 0);
	b = alloc_blocks(test, pool, 2);

	stray = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stray);
	dma_pool_free(pool, stray, 0x1000);
	dma_pool_free(pool, b[0].vaddr + 8, b[0].dma + 8);
	dma_pool_free(pool, b[0].vaddr, b[0].dma + 64);
	dma_pool_free(other, b[1].vaddr, b[1].dma);
	pool_info(test, "kunit-badfree", &info);
	KUNIT_EXPECT_EQ(test, info.active, 2);
	pool_info(test, "kunit-other", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);

	dma_pool_free(pool, b[0].vaddr, b[0].dma);
	dma_pool_free(pool, b[0].vaddr, b[0].dma);
	pool_info(test, "kunit-badfree", &info);
	KUNIT_EXPECT_EQ(test, info.active, 1);

	x = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	y = dma_pool_alloc(pool, GFP_KERNEL, &dma2);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_PTR_EQ(test, x, b[0].vaddr);
	KUNIT_EXPECT_PTR_NE(test, y, x);
	KUNIT_EXPECT_PTR_NE(test, y, b[1].vaddr);

	dma_pool_free(pool, x, dma);
	dma_pool_free(pool, y, dma2);
	dma_pool_free(pool, b[1].vaddr, b[1].dma);
	pool_info(test, "kunit-badfree", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);
}

/*
 * Frees in a pool of many chunks, in an order that leaves every chunk
 * between two others, are found and checked like frees in a pool of one:
 * the chunk lookup must work after the pool's index has grown several
 * times.  A free that names a block already freed is still refused.
 */
static void dma_pool_test_many_chunks(struct kunit *test)
{
	const int n = 300;	/* one chunk per page-sized block */
	struct dma_pool *pool;
	struct pool_info info;
	struct block *b;
	int i, k;

	skip_unless_checked(test);
	pool = test_pool(test, "kunit-many", PAGE_SIZE, PAGE_SIZE, 0);
	b = alloc_blocks(test, pool, n);
	pool_info(test, "kunit-many", &info);
	KUNIT_ASSERT_EQ(test, info.pages, n);

	/* 7 and 300 are coprime: k visits every block once */
	for (i = 0, k = 0; i < n; i++, k = (k + 7) % n)
		dma_pool_free(pool, b[k].vaddr, b[k].dma);
	pool_info(test, "kunit-many", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);

	dma_pool_free(pool, b[n / 2].vaddr, b[n / 2].dma);
	pool_info(test, "kunit-many", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);
	KUNIT_EXPECT_EQ(test, info.total, n);
}

/*
 * A free block whose link was overwritten (a use after free) must not send
 * the allocator to memory outside the pool, into the middle of a block or
 * onto a block in use.  96-byte blocks have interior offsets that look like
 * block starts to the cheap mask check; 64-byte ones do not.
 */
static void dma_pool_test_overwritten_link(struct kunit *test)
{
	static const size_t sizes[] = { 64, 96 };
	void *stray = kunit_kzalloc(test, 128, GFP_KERNEL);
	unsigned int i, how;

	skip_unless_checked(test);
	KUNIT_ASSERT_NOT_NULL(test, stray);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (how = 0; how < 3; how++) {
			struct dma_pool *pool;
			struct pool_info info;
			struct block *b, x, y;
			void *target;

			pool = test_pool(test, "kunit-link", sizes[i], 32, 0);
			b = alloc_blocks(test, pool, 3);
			dma_pool_free(pool, b[1].vaddr, b[1].dma);
			dma_pool_free(pool, b[0].vaddr, b[0].dma);

			/* b[0] links to b[1]; point it somewhere wrong. */
			target = how == 0 ? b[2].vaddr :
				 how == 1 ? stray : b[1].vaddr + 32;
			*(void **)b[0].vaddr = target;

			x.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &x.dma);
			y.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &y.dma);
			KUNIT_ASSERT_NOT_NULL(test, x.vaddr);
			KUNIT_ASSERT_NOT_NULL(test, y.vaddr);
			KUNIT_EXPECT_PTR_EQ(test, x.vaddr, b[0].vaddr);
			KUNIT_EXPECT_PTR_NE_MSG(test, y.vaddr, target,
						"size %zu, case %u", sizes[i], how);
			KUNIT_EXPECT_PTR_NE(test, y.vaddr, x.vaddr);

			/* and the pool did not give up its free blocks: no new chunk */
			pool_info(test, "kunit-link", &info);
			KUNIT_EXPECT_EQ(test, info.pages, 1);

			dma_pool_free(pool, x.vaddr, x.dma);
			if (y.vaddr != target)
				dma_pool_free(pool, y.vaddr, y.dma);
			dma_pool_free(pool, b[2].vaddr, b[2].dma);
			destroy_test_pool(test, pool);
		}
	}
}

/* Destroying a busy pool leaks its memory instead of freeing it (one page). */
static void dma_pool_test_destroy_busy(struct kunit *test)
{
	struct device *dev = test->priv;
	struct dma_pool *pool;
	dma_addr_t dma;
	void *a;

	pool = test_pool(test, "kunit-busy", 128, 0, 0);
	a = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	destroy_test_pool(test, pool);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
	/* Still ours to touch: the chunk was not given back. */
	memset(a, 0x5a, 128);
	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0x5a, 128));
	/*
	 * The pool leaked its one-page chunk on purpose; give it back here, so
	 * that no allocation outlives the test device (the DMA API checker
	 * would otherwise keep an entry naming a freed device).
	 */
	dma_free_coherent(dev, PAGE_SIZE, PTR_ALIGN_DOWN(a, PAGE_SIZE), dma & PAGE_MASK);
}

/*
 * A busy pool of two chunks, one of them idle.  A checked pool knows which
 * chunk is busy and frees the other; an unchecked one leaks both.
 */
static void dma_pool_test_destroy_busy_chunks(struct kunit *test)
{
	const int per_chunk = PAGE_SIZE / 128;
	struct device *dev = test->priv;
	bool checked = dma_pool_checks_frees();
	struct dma_pool *pool;
	struct block *b;

	pool = test_pool(test, "kunit-busy2", 128, 128, 0);
	b = alloc_blocks(test, pool, per_chunk + 1);
	/* the first chunk filled up before the last block was taken */
	KUNIT_ASSERT_EQ(test, b[0].dma & PAGE_MASK, b[per_chunk - 1].dma & PAGE_MASK);
	KUNIT_ASSERT_NE(test, b[0].dma & PAGE_MASK, b[per_chunk].dma & PAGE_MASK);
	free_blocks(pool, b, per_chunk);

	dma_kunit_log_start(test);
	destroy_test_pool(test, pool);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, checked ?
			  "still in use; leaking 1 chunk(s)" : "still in use; leaking 2 chunk(s)"));

	/* Give back what was leaked on purpose, before the device goes. */
	dma_free_coherent(dev, PAGE_SIZE, PTR_ALIGN_DOWN(b[per_chunk].vaddr, PAGE_SIZE),
			  b[per_chunk].dma & PAGE_MASK);
	if (!checked)
		dma_free_coherent(dev, PAGE_SIZE, b[0].vaddr, b[0].dma);
}

/* GFP_ATOMIC with interrupts off, including growing the pool. */
static void dma_pool_test_atomic(struct kunit *test)
{
	const int n = 4 * PAGE_SIZE / 64;
	struct dma_pool *pool;
	struct block *b;
	unsigned long flags;
	int i, got = 0;

	pool = test_pool(test, "kunit-atomic", 64, 0, 0);
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	local_irq_save(flags);
	for (i = 0; i < n; i++) {
		b[i].vaddr = dma_pool_zalloc(pool, GFP_ATOMIC, &b[i].dma);
		if (!b[i].vaddr)
			break;
		got++;
	}
	for (i = 0; i < got; i++)
		dma_pool_free(pool, b[i].vaddr, b[i].dma);
	local_irq_restore(flags);

	KUNIT_EXPECT_EQ(test, got, n);
}

struct hammer {
	struct dma_pool *pool;
	struct completion done;
	int id;
	int errors;
};

static int hammer_thread(void *data)
{
	struct hammer *h = data;
	struct block b[16];
	unsigned int round, i;

	for (round = 0; round < 500; round++) {
		for (i = 0; i < ARRAY_SIZE(b); i++) {
			b[i].vaddr = dma_pool_alloc(h->pool, GFP_KERNEL, &b[i].dma);
			if (!b[i].vaddr) {
				h->errors++;
				goto out;
			}
			memset(b[i].vaddr, h->id, 48);
		}
		for (i = 0; i < ARRAY_SIZE(b); i++) {
			if (memchr_inv(b[i].vaddr, h->id, 48))
				h->errors++;
			dma_pool_free(h->pool, b[i].vaddr, b[i].dma);
		}
		cond_resched();
	}
out:
	complete(&h->done);
	return 0;
}

/* Two threads share a pool; neither ever sees the other's writes. */
static void dma_pool_test_concurrent(struct kunit *test)
{
	struct hammer h[2];
	struct pool_info info;
	struct dma_pool *pool;
	unsigned int i, started;

	pool = test_pool(test, "kunit-threads", 48, 16, 0);
	for (started = 0; started < ARRAY_SIZE(h); started++) {
		struct task_struct *t;

		h[started] = (struct hammer){ .pool = pool, .id = 0x10 + started };
		init_completion(&h[started].done);
		t = kthread_run(hammer_thread, &h[started], "dmapool-kunit/%u",
				started);
		if (IS_ERR(t))
			break;
	}
	/* Wait even on failure: the pool must outlive its users. */
	for (i = 0; i < started; i++) {
		wait_for_completion(&h[i].done);
		KUNIT_EXPECT_EQ(test, h[i].errors, 0);
	}
	KUNIT_ASSERT_EQ(test, started, ARRAY_SIZE(h));
	pool_info(test, "kunit-threads", &info);
	KUNIT_EXPECT_EQ(test, info.active, 0);
}

static struct kunit_case dma_pool_test_cases[] = {
	KUNIT_CASE_PARAM(dma_pool_test_alignment, alignment_gen_params),
	KUNIT_CASE_PARAM(dma_pool_test_boundary, boundary_gen_params),
	KUNIT_CASE(dma_pool_test_distinct),
	KUNIT_CASE(dma_pool_test_reuse),
	KUNIT_CASE(dma_pool_test_zalloc),
	KUNIT_CASE(dma_pool_test_grow_and_destroy),
	KUNIT_CASE(dma_pool_test_bad_arguments),
	KUNIT_CASE(dma_pool_test_managed),
	KUNIT_CASE(dma_pool_test_pools_attribute),
	KUNIT_CASE(dma_pool_test_bad_free),
	KUNIT_CASE(dma_pool_test_overwritten_link),
	KUNIT_CASE(dma_pool_test_many_chunks),
	KUNIT_CASE(dma_pool_test_destroy_busy),
	KUNIT_CASE(dma_pool_test_destroy_busy_chunks),
	KUNIT_CASE(dma_pool_test_atomic),
	KUNIT_CASE(dma_pool_test_concurrent),
	{}
};

static struct kunit_suite dma_pool_test_suite = {
	.name = "dma_pool",
	.init = dma_pool_test_init,
	.test_cases = dma_pool_test_cases,
};

static bool no_checks(void)
{
	return false;
}

/* Pools as a kernel without the DMA API checker makes them. */
static int dma_pool_unchecked_init(struct kunit *test)
{
	kunit_activate_static_stub(test, dma_pool_checks_frees, no_checks);
	return dma_pool_test_init(test);
}

/*
 * Without checks the pool takes a free at its word: a wrong DMA address
 * comes back with the block.  This also shows that the suite's pools are
 * really unchecked; a checked pool would refuse the free.
 */
static void dma_pool_test_unchecked_trusts_caller(struct kunit *test)
{
	struct dma_pool *pool;
	struct block b, again;

	pool = test_pool(test, "kunit-trusting", 64, 0, 0);
	b.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b.dma);
	KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
	dma_pool_free(pool, b.vaddr, b.dma + 64);

	again.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &again.dma);
	KUNIT_EXPECT_PTR_EQ(test, again.vaddr, b.vaddr);
	KUNIT_EXPECT_EQ(test, again.dma, b.dma + 64);
	dma_pool_free(pool, again.vaddr, b.dma);
}

/* The cases whose pools take the paths that checking changes. */
static struct kunit_case dma_pool_unchecked_cases[] = {
	KUNIT_CASE_PARAM(dma_pool_test_alignment, alignment_gen_params),
	KUNIT_CASE_PARAM(dma_pool_test_boundary, boundary_gen_params),
	KUNIT_CASE(dma_pool_test_distinct),
	KUNIT_CASE(dma_pool_test_reuse),
	KUNIT_CASE(dma_pool_test_zalloc),
	KUNIT_CASE(dma_pool_test_grow_and_destroy),
	KUNIT_CASE(dma_pool_test_destroy_busy),
	KUNIT_CASE(dma_pool_test_destroy_busy_chunks),
	KUNIT_CASE(dma_pool_test_atomic),
	KUNIT_CASE(dma_pool_test_concurrent),
	KUNIT_CASE(dma_pool_test_unchecked_trusts_caller),
	{}
};

static struct kunit_suite dma_pool_unchecked_suite = {
	.name = "dma_pool_unchecked",
	.init = dma_pool_unchecked_init,
	.test_cases = dma_pool_unchecked_cases,
};

kunit_test_suites(&dma_pool_test_suite, &dma_pool_unchecked_suite);

MODULE_DESCRIPTION("KUnit tests for DMA pools");
MODULE_LICENSE("GPL");
