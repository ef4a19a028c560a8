// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for fail_dma_map: armed, it fails each kind of call it
 * guards, says so in the kernel log, stops when its "times" run out, and
 * spares devices its target does not name.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dev_filter.h"
#include "fault_inject.h"
#include "kunit_log.h"

struct fail_dma_map_test {
	struct device *dev;
	u64 mask;
	/* the settings before the test, put back after it */
	unsigned long probability, interval;
	int times, verbose, rate_interval, rate_burst;
};

static int fail_dma_map_test_init(struct kunit *test)
{
	struct fail_dma_map_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "fail-dma-map-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64)), 0);
	t->probability = fail_dma_map.probability;
	t->interval = fail_dma_map.interval;
	t->times = atomic_read(&fail_dma_map.times);
	t->verbose = fail_dma_map.verbose;
	t->rate_interval = fail_dma_map.ratelimit_state.interval;
	t->rate_burst = fail_dma_map.ratelimit_state.burst;
	test->priv = t;
	return 0;
}

static void fail_dma_map_test_exit(struct kunit *test)
{
	struct fail_dma_map_test *t = test->priv;

	fail_dma_map.probability = t->probability;
	fail_dma_map.interval = t->interval;
	atomic_set(&fail_dma_map.times, t->times);
	fail_dma_map.verbose = t->verbose;
	ratelimit_state_init(&fail_dma_map.ratelimit_state, t->rate_interval, t->rate_burst);
	dma_dev_filter_set(&fail_dma_map_target, "");
}

/* Fail the next @times calls for devices named by @target, and say so. */
static void arm(struct kunit *test, int times, const char *target)
{
	dma_dev_filter_set(&fail_dma_map_target, target);
	fail_dma_map.probability = 100;
	fail_dma_map.interval = 1;
	fail_dma_map.verbose = 1;
	atomic_set(&fail_dma_map.times, times);
	/* earlier tests must not have used up the message rate limit */
	ratelimit_state_init(&fail_dma_map.ratelimit_state, 0, 0);
	dma_kunit_log_start(test);
}

static void fails_every_kind_of_call(struct kunit *test)
{
	struct fail_dma_map_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct scatterlist sg;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	sg_init_one(&sg, buf, 64);
	arm(test, 4, "");
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(t->dev, dma_map_single(t->dev, buf, 64,
									 DMA_TO_DEVICE)));
	KUNIT_EXPECT_EQ(test, dma_map_sg(t->dev, &sg, 1, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(t->dev, 64, &dma, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, dma_alloc_pages(t->dev, PAGE_SIZE, &dma, DMA_FROM_DEVICE,
						GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dma_kunit_log_count(test, "FAULT_INJECTION: forcing a failure"), 4);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "name fail_dma_map"));

	/* its times are used up: the calls work again, and nothing is said */
	dma_kunit_log_start(test);
	dma = dma_map_single(t->dev, buf, 64, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_single(t->dev, dma, 64, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "FAULT_INJECTION"));
}

static void target_limits_failures(struct kunit *test)
{
	struct fail_dma_map_test *t = test->priv;
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	arm(test, 1, "no-such-device");
	dma = dma_map_single(t->dev, buf, 64, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dev, dma));
	dma_unmap_single(t->dev, dma, 64, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "FAULT_INJECTION"));

	arm(test, 1, dev_name(t->dev));
	dma = dma_map_single(t->dev, buf, 64, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(t->dev, dma));
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "FAULT_INJECTION: forcing a failure"));
}

static struct kunit_case fail_dma_map_cases[] = {
	KUNIT_CASE(fails_every_kind_of_call),
	KUNIT_CASE(target_limits_failures),
	{}
};

static struct kunit_suite fail_dma_map_suite = {
	.name = "dma_fail_map",
	.init = fail_dma_map_test_init,
	.exit = fail_dma_map_test_exit,
	.test_cases = fail_dma_map_cases,
};

kunit_test_suite(fail_dma_map_suite);

MODULE_DESCRIPTION("KUnit tests for fail_dma_map fault injection");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
