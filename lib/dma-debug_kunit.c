// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA API checker: each test makes one mistake the DMA
 * API documentation forbids and checks that exactly one report counts and
 * that the kernel log shows it, naming the check and the mapping.  The
 * tests that use the API correctly, in ways an overzealous checker would
 * flag, expect nothing in the log.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../kernel/dma/kunit_log.h"
#include "dma-debug.h"

struct dma_debug_test {
	struct device *dev;
	u64 mask;
	struct device_dma_parameters parms;
	unsigned int errors_before;
	char report[256];
	char needle[64];
};

static int dma_debug_test_init(struct kunit *test)
{
	struct dma_debug_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "dma-debug-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->mask;
	t->dev->dma_parms = &t->parms;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64)), 0);
	t->errors_before = dma_debug_error_count();
	test->priv = t;
	dma_kunit_log_start(test);
	return 0;
}

/*
 * Exactly @n new reports since the test began.  With none, nothing of the
 * checker's is in the log; otherwise the log holds a report of @check, the
 * latest report (debugfs last_error) is one, and the log shows each of
 * @words.
 */
static void expect_reports(struct kunit *test, unsigned int n, const char *check,
			   const char *const *words, unsigned int nwords)
{
	struct dma_debug_test *t = test->priv;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, dma_debug_error_count() - t->errors_before, n);
	if (!n) {
		KUNIT_EXPECT_EQ(test, dma_kunit_log_count(test, ": DMA-API: "), 0);
		return;
	}
	snprintf(t->needle, sizeof(t->needle), "DMA-API: %s: ", check);
	KUNIT_EXPECT_TRUE_MSG(test, dma_kunit_log_contains(test, t->needle),
			      "no \"%s\" in the log", t->needle);
	dma_debug_last_report(t->report, sizeof(t->report));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(t->report, check),
				  "last_error \"%s\" is not a %s report", t->report, check);
	for (i = 0; i < nwords; i++)
		KUNIT_EXPECT_TRUE_MSG(test, dma_kunit_log_contains(test, words[i]),
				      "no \"%s\" in the log", words[i]);
}

#define EXPECT_REPORTS(test, n, check, ...)					\
	do {									\
		static const char *const __words[] = { NULL, ##__VA_ARGS__ };	\
										\
		expect_reports(test, n, check, __words + 1,			\
			       ARRAY_SIZE(__words) - 1);			\
	} while (0)

#define EXPECT_QUIET(test)	expect_reports(test, 0, NULL, NULL, 0)

static void quiet_when_used_correctly(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct scatterlist sg[2];
	dma_addr_t dma, handle;
	void *cpu;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 512, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_sync_single_for_cpu(t->dev, dma, 512, DMA_BIDIRECTIONAL);
	dma_sync_single_range_for_device(t->dev, dma, 128, 64, DMA_BIDIRECTIONAL);
	dma_unmap_single(t->dev, dma, 512, DMA_BIDIRECTIONAL);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 256);
	sg_set_buf(&sg[1], buf + 256, 256);
	KUNIT_ASSERT_GT(test, dma_map_sg(t->dev, sg, 2, DMA_TO_DEVICE), 0);
	dma_sync_sg_for_device(t->dev, sg, 2, DMA_TO_DEVICE);
	dma_unmap_sg(t->dev, sg, 2, DMA_TO_DEVICE);

	cpu = dma_alloc_coherent(t->dev, 3000, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	dma_free_coherent(t->dev, 3000, cpu, handle);
	EXPECT_QUIET(test);
}

static void unmap_never_mapped(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;

	dma_unmap_page(t->dev, 0x12345000, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "free-unmapped", "dma-debug-test", "never mapped");
}

/*
 * Map 128 bytes for @dir and check the result, as a correct driver would.
 * Not inlined, so that reports name it as the place of the mapping.
 */
static noinline dma_addr_t map_checked(struct kunit *test, void **bufp, enum dma_data_direction dir)
{
	struct dma_debug_test *t = test->priv;
	void *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 128, dir);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	*bufp = buf;
	return dma;
}

static void unmap_wrong_size(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_unmap_single(t->dev, dma, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-size", "freed with size 64 [dma=",
		       "size=128 single to-device]", "DMA-API: bad call at:",
		       "DMA-API:   dma_unmap_single_attrs+", "DMA-API: mapped at:",
		       "DMA-API:   map_checked+");
}

static void unmap_wrong_direction(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_unmap_single(t->dev, dma, 128, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-direction", "from-device");
}

static void unmap_wrong_function(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_unmap_resource(t->dev, dma, 128, DMA_TO_DEVICE, 0);
	EXPECT_REPORTS(test, 1, "wrong-function", "freed as resource, mapped as single");
}

/* dma_map_single() is dma_map_page() of the buffer's page: either unmap fits. */
static void single_and_page_interchangeable(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_unmap_page(t->dev, dma, 128, DMA_TO_DEVICE);
	dma = dma_map_page(t->dev, virt_to_page(buf), offset_in_page(buf), 128, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_single(t->dev, dma, 128, DMA_TO_DEVICE);
	EXPECT_QUIET(test);
}

/*
 * Map one buffer for the device twice, @len1 bytes for @dir1 and then
 * @len2 bytes for @dir2, and unmap the first mapping first, giving
 * @unmap_len1 as its length.
 */
static void map_twice(struct kunit *test, size_t len1, enum dma_data_direction dir1,
		      size_t len2, enum dma_data_direction dir2, size_t unmap_len1)
{
	struct dma_debug_test *t = test->priv;
	void *buf = kunit_kzalloc(test, max(len1, len2), GFP_KERNEL);
	dma_addr_t first, second;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	first = dma_map_single(t->dev, buf, len1, dir1);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, first));
	second = dma_map_single(t->dev, buf, len2, dir2);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, second));
	dma_unmap_single(t->dev, first, unmap_len1, dir1);
	dma_unmap_single(t->dev, second, len2, dir2);
}

/* A driver may map one buffer twice; each unmap gives back the one it names. */
static void same_buffer_mapped_twice(struct kunit *test)
{
	map_twice(test, 128, DMA_TO_DEVICE, 64, DMA_TO_DEVICE, 128);
	map_twice(test, 128, DMA_TO_DEVICE, 128, DMA_FROM_DEVICE, 128);
	EXPECT_QUIET(test);

	/* an unmap that fits neither is compared with the one it fits best */
	map_twice(test, 128, DMA_TO_DEVICE, 64, DMA_FROM_DEVICE, 100);
	EXPECT_REPORTS(test, 1, "wrong-size", "freed with size 100 [dma=",
		       "size=128 single to-device]");
}

static void unmap_inside_mapping(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_unmap_single(t->dev, dma + 64, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "free-inside-mapping", "which is inside a mapping", "size=128");
	dma_unmap_single(t->dev, dma, 128, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "free-inside-mapping");
}

/* Somewhere the direct map ends well before: no RAM, no struct page. */
static phys_addr_t beyond_ram(void)
{
	return ALIGN(virt_to_phys(high_memory), SZ_1G) + SZ_1G;
}

/* Syncs and unmaps anywhere in a mapping of many megabytes find it. */
static void deep_inside_large_mapping(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	size_t deep = SZ_4M + SZ_2M;
	dma_addr_t dma;

	dma = dma_map_resource(t->dev, beyond_ram(), SZ_8M, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_sync_single_for_cpu(t->dev, dma + deep, 64, DMA_FROM_DEVICE);
	dma_sync_single_for_device(t->dev, dma + SZ_8M - 64, 64, DMA_TO_DEVICE);
	EXPECT_QUIET(test);
	dma_unmap_resource(t->dev, dma + deep, 64, DMA_BIDIRECTIONAL, 0);
	EXPECT_REPORTS(test, 1, "free-inside-mapping", "size=8388608 resource");
	dma_unmap_resource(t->dev, dma, SZ_8M, DMA_BIDIRECTIONAL, 0);
	EXPECT_REPORTS(test, 1, "free-inside-mapping");
}

static void free_coherent_wrong_cpu_address(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	dma_addr_t handle;
	u8 *cpu = dma_alloc_coherent(t->dev, PAGE_SIZE, &handle, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cpu);
	/* the checker reports; the backend still frees the right pages */
	dma_free_coherent(t->dev, PAGE_SIZE, cpu + 64, handle);
	EXPECT_REPORTS(test, 1, "wrong-cpu-address", "coherent");
	dma_free_coherent(t->dev, PAGE_SIZE, cpu, handle);
}

/* A list of three 512-byte entries in pages of their own, mapped to the device. */
static struct scatterlist *map_three_entries(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	struct scatterlist *sg = kunit_kcalloc(test, 3, sizeof(*sg), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, sg);
	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++) {
		void *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		sg_set_buf(&sg[i], page, 512);
	}
	KUNIT_ASSERT_GT(test, dma_map_sg(t->dev, sg, 3, DMA_TO_DEVICE), 0);
	return sg;
}

static void unmap_sg_wrong_nents(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	struct scatterlist *sg = map_three_entries(test);

	dma_unmap_sg(t->dev, sg, 2, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-nents", "unmapped with 2 entries, mapped with 3");
}

static void sync_sg_wrong_nents(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	struct scatterlist *sg = map_three_entries(test);

	dma_sync_sg_for_device(t->dev, sg, 3, DMA_TO_DEVICE);
	EXPECT_QUIET(test);
	dma_sync_sg_for_cpu(t->dev, sg, 2, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-nents", "synced with 2 entries, mapped with 3");
	dma_unmap_sg(t->dev, sg, 3, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-nents");
}

static void mapping_error_never_checked(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 64, DMA_TO_DEVICE);
	dma_unmap_single(t->dev, dma, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "unchecked-mapping", "dma_mapping_error()");
}

static void map_stack_memory(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 on_stack[64];
	dma_addr_t dma;

	memset(on_stack, 0, sizeof(on_stack));
	dma = dma_map_single(t->dev, on_stack, sizeof(on_stack), DMA_TO_DEVICE);
	/* with vmapped stacks the map itself is refused as well */
	if (!dma_mapping_error(t->dev, dma))
		dma_unmap_single(t->dev, dma, sizeof(on_stack), DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "map-stack", "of the stack at");
}

/* The page a driver would have to pass for a stack buffer. */
static struct page *stack_page(const void *addr)
{
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) : virt_to_page(addr);
}

static void map_stack_by_page_and_sg(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 on_stack[64] __aligned(64);
	struct page *page = stack_page(on_stack);
	struct scatterlist sg;
	dma_addr_t dma;

	memset(on_stack, 0, sizeof(on_stack));
	dma = dma_map_page(t->dev, page, offset_in_page(on_stack), sizeof(on_stack),
			   DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, sizeof(on_stack), DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "map-stack", "covers the stack");

	sg_init_table(&sg, 1);
	sg_set_page(&sg, page, sizeof(on_stack), offset_in_page(on_stack));
	KUNIT_ASSERT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 1);
	dma_unmap_sg(t->dev, &sg, 1, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 2, "map-stack", "covers the stack");
}

/*
 * Only the checker's hook is called: such a pointer has no struct page, and
 * dma_map_single() itself would look one up for it.
 */
static void map_single_outside_linear_map(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *beyond = high_memory + SZ_1G;

	KUNIT_ASSERT_FALSE(test, virt_addr_valid(beyond));
	/* reported, and refused: there is no page behind it to map */
	KUNIT_EXPECT_EQ(test, dma_map_single(t->dev, beyond, 64, DMA_TO_DEVICE),
			DMA_MAPPING_ERROR);
	EXPECT_REPORTS(test, 1, "map-not-linear", "outside the linear map");
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "is not in the linear map"));
}

static void map_vmalloc_memory(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf = vmalloc(64);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(t->dev, buf, 64, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);
	EXPECT_REPORTS(test, 1, "map-vmalloc");
	vfree(buf);
}

static const char dma_debug_test_rodata[64] = "read-only";

static void map_kernel_rodata(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	const void *ro = dma_debug_test_rodata;
	dma_addr_t dma;

	dma = dma_map_page(t->dev, virt_to_page(ro), offset_in_page(ro), 16, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, 16, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "map-rodata");
}

static void map_kernel_text(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	const void *text = map_kernel_text;
	dma_addr_t dma;

	dma = dma_map_page(t->dev, virt_to_page(text), offset_in_page(text), 16, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_page(t->dev, dma, 16, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "map-kernel-text");
}

static void overlapping_cacheline(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 2 * L1_CACHE_BYTES, GFP_KERNEL);
	dma_addr_t a, b;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	a = dma_map_single(t->dev, buf, 16, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, a));
	b = dma_map_single(t->dev, buf + 32, 16, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, b));
	EXPECT_REPORTS(test, 1, "cacheline-overlap");
	dma_unmap_single(t->dev, b, 16, DMA_BIDIRECTIONAL);
	dma_unmap_single(t->dev, a, 16, DMA_FROM_DEVICE);

	/* device reads of the same line are harmless */
	a = dma_map_single(t->dev, buf, 16, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, a));
	b = dma_map_single(t->dev, buf + 32, 16, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, b));
	dma_unmap_single(t->dev, b, 16, DMA_TO_DEVICE);
	dma_unmap_single(t->dev, a, 16, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "cacheline-overlap");
}

/* Map @len bytes at @buf for @dir, as a correct driver would. */
static dma_addr_t map_or_fail(struct kunit *test, void *buf, size_t len,
			      enum dma_data_direction dir)
{
	struct dma_debug_test *t = test->priv;
	dma_addr_t dma = dma_map_single(t->dev, buf, len, dir);

	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	return dma;
}

/*
 * Each mapping holds the line it starts in until it is unmapped, however
 * the mappings of one line come and go.
 */
static void cacheline_held_until_unmapped(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, L1_CACHE_BYTES, GFP_KERNEL);
	dma_addr_t a, b, c;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	a = map_or_fail(test, buf, 16, DMA_FROM_DEVICE);
	b = map_or_fail(test, buf + 32, 16, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 1, "cacheline-overlap");
	dma_unmap_single(t->dev, a, 16, DMA_FROM_DEVICE);

	/* @b still starts in the line */
	c = map_or_fail(test, buf, 16, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 2, "cacheline-overlap");
	dma_unmap_single(t->dev, b, 16, DMA_FROM_DEVICE);
	dma_unmap_single(t->dev, c, 16, DMA_FROM_DEVICE);

	/* and now nothing does */
	a = map_or_fail(test, buf + 16, 16, DMA_BIDIRECTIONAL);
	dma_unmap_single(t->dev, a, 16, DMA_BIDIRECTIONAL);
	EXPECT_REPORTS(test, 2, "cacheline-overlap");
}

#define DMA_DEBUG_TEST_MANY	300

/*
 * More live mappings than a CPU keeps free entries for, each in a cache
 * line of its own, given back in another order than they were made.
 */
static void many_live_mappings(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, DMA_DEBUG_TEST_MANY * L1_CACHE_BYTES, GFP_KERNEL);
	dma_addr_t *dma = kunit_kcalloc(test, DMA_DEBUG_TEST_MANY, sizeof(*dma), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, dma);
	for (i = 0; i < DMA_DEBUG_TEST_MANY; i++)
		dma[i] = map_or_fail(test, buf + i * L1_CACHE_BYTES, L1_CACHE_BYTES,
				     DMA_FROM_DEVICE);
	for (i = 0; i < DMA_DEBUG_TEST_MANY; i += 2)
		dma_unmap_single(t->dev, dma[i], L1_CACHE_BYTES, DMA_FROM_DEVICE);
	for (i = DMA_DEBUG_TEST_MANY - 1; i > 0; i -= 2)
		dma_unmap_single(t->dev, dma[i], L1_CACHE_BYTES, DMA_FROM_DEVICE);
	EXPECT_QUIET(test);
}

/*
 * A buffer that ends in the line the next one starts in, like two adjacent
 * kmalloc objects: harmless where DMA is cache-coherent, and only the line
 * each mapping starts in is tracked.
 */
static void neighbours_share_a_last_cache_line(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 4 * L1_CACHE_BYTES, GFP_KERNEL);
	size_t first_len = L1_CACHE_BYTES + L1_CACHE_BYTES / 2;
	dma_addr_t a, b;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	a = dma_map_single(t->dev, buf, first_len, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, a));
	b = dma_map_single(t->dev, buf + first_len, L1_CACHE_BYTES, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, b));
	dma_unmap_single(t->dev, b, L1_CACHE_BYTES, DMA_FROM_DEVICE);
	dma_unmap_single(t->dev, a, first_len, DMA_FROM_DEVICE);
	EXPECT_QUIET(test);
}

static void sync_not_mapped(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;

	dma_sync_single_for_cpu(t->dev, 0x5550000, 64, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 1, "sync-unmapped", "sync_for_cpu");
}

static void sync_out_of_range(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_FROM_DEVICE);

	dma_sync_single_range_for_cpu(t->dev, dma, 100, 64, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 1, "sync-out-of-range", "size=128");
	dma_unmap_single(t->dev, dma, 128, DMA_FROM_DEVICE);
}

static void sync_wrong_direction(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	void *buf;
	dma_addr_t dma = map_checked(test, &buf, DMA_TO_DEVICE);

	dma_sync_single_for_device(t->dev, dma, 128, DMA_FROM_DEVICE);
	EXPECT_REPORTS(test, 1, "sync-wrong-direction", "sync_for_device");
	dma_unmap_single(t->dev, dma, 128, DMA_TO_DEVICE);
}

static void sg_segment_limits(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	struct page *pages = alloc_pages(GFP_KERNEL, 1);
	struct scatterlist sg;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	sg_init_table(&sg, 1);
	sg_set_page(&sg, pages, 2 * PAGE_SIZE, 0);
	dma_set_max_seg_size(t->dev, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 1);
	EXPECT_REPORTS(test, 1, "segment-too-long");
	dma_unmap_sg(t->dev, &sg, 1, DMA_TO_DEVICE);

	dma_set_max_seg_size(t->dev, SZ_1M);
	dma_set_seg_boundary(t->dev, PAGE_SIZE - 1);
	KUNIT_ASSERT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 1);
	EXPECT_REPORTS(test, 2, "segment-boundary");
	dma_unmap_sg(t->dev, &sg, 1, DMA_TO_DEVICE);
	__free_pages(pages, 1);
}

static void driver_filter_limits_checking(struct kunit *test)
{
	dma_debug_set_filter("no-such-driver");
	dma_unmap_page(((struct dma_debug_test *)test->priv)->dev, 0x777000, 64, DMA_TO_DEVICE);
	dma_debug_set_filter("");
	EXPECT_QUIET(test);
}

/* A bus of our own, so that the checker can watch its drivers unbind. */
static const struct bus_type dma_debug_test_bus = { .name = "dma-debug-test-bus" };

static int dma_debug_test_probe(struct device *dev)
{
	return 0;
}

static struct device_driver dma_debug_test_driver = {
	.name = "dma-debug-test-drv",
	.bus = &dma_debug_test_bus,
	.probe = dma_debug_test_probe,
};

static void dma_debug_test_release(struct device *dev)
{
}

/*
 * Bind a device of our bus to our driver, map 64 bytes for it, and unbind
 * the driver with the mapping still live.  The leaked entry is forgotten,
 * so a late unmap, which the device's driver can no longer make, is then
 * unknown.
 */
static void leak_at_unbind(struct kunit *test)
{
	struct device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	u64 mask = DMA_BIT_MASK(64);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dev->bus = &dma_debug_test_bus;
	dev->release = dma_debug_test_release;
	dev->init_name = "dma-debug-leaker";
	dev->dma_mask = &mask;
	dev->coherent_dma_mask = mask;
	KUNIT_ASSERT_EQ(test, device_register(dev), 0);
	KUNIT_ASSERT_PTR_EQ(test, dev->driver, &dma_debug_test_driver);
	dma = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));

	device_release_driver(dev);
	EXPECT_REPORTS(test, 1, "leaked-at-unbind", "dma-debug-leaker",
		       "driver unbound with 1 mappings still live", "size=64 single to-device]");
	dma_debug_set_filter("");
	dma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 2, "free-unmapped");
	device_unregister(dev);
}

static void leaked_at_unbind(struct kunit *test)
{
	leak_at_unbind(test);
}

/* The driver is gone from the device when it unbinds; its mappings are not. */
static void leaked_at_unbind_with_driver_filter(struct kunit *test)
{
	dma_debug_set_filter(dma_debug_test_driver.name);
	leak_at_unbind(test);
}

/*
 * A mapping made at postcore_initcall, before drivers and file systems come
 * up, that a test releases much later: the checker must have seen it made.
 * Only a built-in suite runs early enough, and only when KUnit will run.
 */
static struct device dma_debug_early_dev;
static u8 *dma_debug_early_buf;
static dma_addr_t dma_debug_early_dma = DMA_MAPPING_ERROR;

#if IS_BUILTIN(CONFIG_DMA_KUNIT_TEST)
static u64 dma_debug_early_mask = DMA_BIT_MASK(64);

static int __init dma_debug_map_early(void)
{
	struct device *dev = &dma_debug_early_dev;
	dma_addr_t dma;

	if (!kunit_enabled())
		return 0;
	device_initialize(dev);
	dev->dma_mask = &dma_debug_early_mask;
	dev->coherent_dma_mask = DMA_BIT_MASK(64);
	dma_debug_early_buf = kzalloc(64, GFP_KERNEL);
	if (dev_set_name(dev, "dma-debug-early") || !dma_debug_early_buf)
		return 0;
	dma = dma_map_single(dev, dma_debug_early_buf, 64, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, dma))
		dma_debug_early_dma = dma;
	return 0;
}
postcore_initcall(dma_debug_map_early);
#endif

static void mapped_before_fs_initcall(struct kunit *test)
{
	struct device *dev = &dma_debug_early_dev;

	if (dma_debug_early_dma == DMA_MAPPING_ERROR)
		kunit_skip(test, "no mapping from postcore_initcall (suite not built in?)");
	dma_unmap_single(dev, dma_debug_early_dma, 64, DMA_TO_DEVICE);
	dma_debug_early_dma = DMA_MAPPING_ERROR;
	kfree(dma_debug_early_buf);
	EXPECT_QUIET(test);
}

/*
 * The tests need every report printed; these hold the settings from
 * before the suite while it runs.
 */
static bool dma_debug_all_errors = true;
static u32 dma_debug_num_errors;

/* Only the first report is printed unless asked otherwise; all count. */
static void reports_printed_as_configured(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	bool all = false;
	u32 num = 1;

	dma_debug_swap_printing(&all, &num);
	dma_unmap_page(t->dev, 0x12345000, 64, DMA_TO_DEVICE);
	dma_unmap_page(t->dev, 0x12346000, 64, DMA_TO_DEVICE);
	dma_debug_swap_printing(&all, &num);
	EXPECT_REPORTS(test, 2, "free-unmapped", "free of 0x0000000012345000");
	KUNIT_EXPECT_EQ(test, dma_kunit_log_count(test, ": DMA-API: free-unmapped: "), 1);
	KUNIT_EXPECT_EQ(test, num, 0);
}

static int dma_debug_suite_init(struct kunit_suite *suite)
{
	int err = bus_register(&dma_debug_test_bus);

	if (err)
		return err;
	dma_debug_swap_printing(&dma_debug_all_errors, &dma_debug_num_errors);
	dma_debug_add_bus(&dma_debug_test_bus);
	err = driver_register(&dma_debug_test_driver);
	if (err)
		bus_unregister(&dma_debug_test_bus);
	return err;
}

static void dma_debug_suite_exit(struct kunit_suite *suite)
{
	driver_unregister(&dma_debug_test_driver);
	bus_unregister(&dma_debug_test_bus);
	dma_debug_swap_printing(&dma_debug_all_errors, &dma_debug_num_errors);
}

static struct kunit_case dma_debug_cases[] = {
	KUNIT_CASE(quiet_when_used_correctly),
	KUNIT_CASE(unmap_never_mapped),
	KUNIT_CASE(unmap_wrong_size),
	KUNIT_CASE(unmap_wrong_direction),
	KUNIT_CASE(unmap_wrong_function),
	KUNIT_CASE(single_and_page_interchangeable),
	KUNIT_CASE(same_buffer_mapped_twice),
	KUNIT_CASE(unmap_inside_mapping),
	KUNIT_CASE(deep_inside_large_mapping),
	KUNIT_CASE(mapped_before_fs_initcall),
	KUNIT_CASE(free_coherent_wrong_cpu_address),
	KUNIT_CASE(unmap_sg_wrong_nents),
	KUNIT_CASE(sync_sg_wrong_nents),
	KUNIT_CASE(mapping_error_never_checked),
	KUNIT_CASE(map_stack_memory),
	KUNIT_CASE(map_stack_by_page_and_sg),
	KUNIT_CASE(map_single_outside_linear_map),
	KUNIT_CASE(map_vmalloc_memory),
	KUNIT_CASE(map_kernel_rodata),
	KUNIT_CASE(map_kernel_text),
	KUNIT_CASE(overlapping_cacheline),
	KUNIT_CASE(neighbours_share_a_last_cache_line),
	KUNIT_CASE(cacheline_held_until_unmapped),
	KUNIT_CASE(many_live_mappings),
	KUNIT_CASE(sync_not_mapped),
	KUNIT_CASE(sync_out_of_range),
	KUNIT_CASE(sync_wrong_direction),
	KUNIT_CASE(sg_segment_limits),
	KUNIT_CASE(driver_filter_limits_checking),
	KUNIT_CASE(leaked_at_unbind),
	KUNIT_CASE(leaked_at_unbind_with_driver_filter),
	KUNIT_CASE(reports_printed_as_configured),
	{}
};

static struct kunit_suite dma_debug_suite = {
	.name = "dma_debug",
	.init = dma_debug_test_init,
	.suite_init = dma_debug_suite_init,
	.suite_exit = dma_debug_suite_exit,
	.test_cases = dma_debug_cases,
};

kunit_test_suite(dma_debug_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA API checker");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
