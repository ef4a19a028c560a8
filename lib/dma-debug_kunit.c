// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA API checker: each test makes one mistake the DMA
 * API documentation forbids and checks that exactly one report counts and
 * that its text names the check and the mapping.  One test makes no
 * mistakes and expects silence.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dma-debug.h"

struct dma_debug_test {
	struct device *dev;
	u64 mask;
	struct device_dma_parameters parms;
	unsigned int errors_before;
	char report[256];
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
	return 0;
}

/* Exactly @n new reports since the test began, the latest containing @words. */
static void expect_reports(struct kunit *test, unsigned int n, const char *const *words,
			   unsigned int nwords)
{
	struct dma_debug_test *t = test->priv;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, dma_debug_error_count() - t->errors_before, n);
	dma_debug_last_report(t->report, sizeof(t->report));
	for (i = 0; i < nwords; i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(t->report, words[i]),
					  "report \"%s\" lacks \"%s\"", t->report, words[i]);
}

#define EXPECT_REPORTS(test, n, ...)						\
	do {									\
		static const char *const __words[] = { NULL, ##__VA_ARGS__ };	\
										\
		expect_reports(test, n, __words + 1, ARRAY_SIZE(__words) - 1);	\
	} while (0)

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
	EXPECT_REPORTS(test, 0);
}

static void unmap_never_mapped(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;

	dma_unmap_page(t->dev, 0x12345000, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "free-unmapped", "dma-debug-test", "never mapped");
}

/* Map 128 bytes for @dir and check the result, as a correct driver would. */
static dma_addr_t map_checked(struct kunit *test, void **bufp, enum dma_data_direction dir)
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
	EXPECT_REPORTS(test, 1, "wrong-size", "freed with size 64", "size=128", "single",
		       "to-device");
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

	dma_unmap_page(t->dev, dma, 128, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-function", "freed as page, mapped as single");
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

static void unmap_sg_wrong_nents(struct kunit *test)
{
	struct dma_debug_test *t = test->priv;
	struct page *pages[3];
	struct scatterlist sg[3];
	int i;

	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		sg_set_page(&sg[i], pages[i], 512, 0);
	}
	KUNIT_ASSERT_GT(test, dma_map_sg(t->dev, sg, 3, DMA_TO_DEVICE), 0);
	dma_unmap_sg(t->dev, sg, 2, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 1, "wrong-nents", "unmapped with 2 entries, mapped with 3");
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
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
	EXPECT_REPORTS(test, 1, "map-stack");
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
	EXPECT_REPORTS(test, 0);
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

static void leaked_at_unbind(struct kunit *test)
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
	EXPECT_REPORTS(test, 1, "leaked-at-unbind", "dma-debug-leaker", "1 mappings");
	/* the leaked entry is forgotten, so a late unmap is now unknown */
	dma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(test, 2, "free-unmapped");
	device_unregister(dev);
}

static int dma_debug_suite_init(struct kunit_suite *suite)
{
	int err = bus_register(&dma_debug_test_bus);

	if (err)
		return err;
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
}

static struct kunit_case dma_debug_cases[] = {
	KUNIT_CASE(quiet_when_used_correctly),
	KUNIT_CASE(unmap_never_mapped),
	KUNIT_CASE(unmap_wrong_size),
	KUNIT_CASE(unmap_wrong_direction),
	KUNIT_CASE(unmap_wrong_function),
	KUNIT_CASE(free_coherent_wrong_cpu_address),
	KUNIT_CASE(unmap_sg_wrong_nents),
	KUNIT_CASE(mapping_error_never_checked),
	KUNIT_CASE(map_stack_memory),
	KUNIT_CASE(map_vmalloc_memory),
	KUNIT_CASE(map_kernel_rodata),
	KUNIT_CASE(map_kernel_text),
	KUNIT_CASE(overlapping_cacheline),
	KUNIT_CASE(sync_not_mapped),
	KUNIT_CASE(sync_out_of_range),
	KUNIT_CASE(sync_wrong_direction),
	KUNIT_CASE(sg_segment_limits),
	KUNIT_CASE(driver_filter_limits_checking),
	KUNIT_CASE(leaked_at_unbind),
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
