// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA API entry points and the direct backend.
 *
 * Each test registers a KUnit device with its own mask and segment limits.
 * "What the device sees" is read and written through the kernel mapping of
 * the physical address behind a DMA address, which is exactly the memory a
 * real device would access, bounce buffer or not.
 */
#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "kunit_log.h"
#include "swiotlb_internal.h"

struct dma_test_device {
	struct device *dev;
	u64 mask;
	struct device_dma_parameters parms;
};

/* A device with @mask as both its streaming and its coherent mask. */
static struct device *dma_test_device(struct kunit *test, u64 mask)
{
	struct dma_test_device *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "dmacore-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->mask;
	t->dev->dma_parms = &t->parms;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, mask), 0);
	return t->dev;
}

/* The CPU view of the memory the device accesses at @dma. */
static u8 *device_view(struct device *dev, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(dev, dma));
}

static void fill(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7;
}

static bool holds(const u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

/*
 * A full streaming round trip: the device reads what the CPU wrote, the CPU
 * reads what the device wrote after a sync and after the unmap.
 */
static void round_trip(struct kunit *test, struct device *dev, u8 *buf, size_t len)
{
	dma_addr_t dma;

	fill(buf, len, 1);
	dma = dma_map_single(dev, buf, len, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_LE(test, dma + len - 1, dma_get_mask(dev));
	KUNIT_EXPECT_TRUE(test, holds(device_view(dev, dma), len, 1));

	fill(device_view(dev, dma), len, 2);
	dma_sync_single_for_cpu(dev, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 2));

	fill(buf, len, 3);
	dma_sync_single_for_device(dev, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(device_view(dev, dma), len, 3));

	fill(device_view(dev, dma), len, 4);
	dma_unmap_single(dev, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 4));
}

static void dma_map_64bit_is_identity(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	u8 *buf = kunit_kmalloc(test, 3000, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	round_trip(test, dev, buf, 3000);

	dma = dma_map_single(dev, buf + 5, 100, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	if (!is_swiotlb_force_bounce(dev)) {
		KUNIT_EXPECT_EQ(test, dma, phys_to_dma(dev, virt_to_phys(buf + 5)));
		/* a coherent device that can reach all RAM never needs syncs */
		KUNIT_EXPECT_FALSE(test, dma_need_sync(dev, dma));
		KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), SIZE_MAX);
	}
	dma_unmap_single(dev, dma, 100, DMA_TO_DEVICE);
}

static void dma_map_32bit_low_page(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(32));
	struct page *page = alloc_pages(GFP_KERNEL | GFP_DMA32, 1);

	KUNIT_ASSERT_NOT_NULL(test, page);
	round_trip(test, dev, page_address(page), 2 * PAGE_SIZE);
	__free_pages(page, 1);
}

static void dma_map_24bit(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(24));
	struct page *low = alloc_pages(GFP_KERNEL | GFP_DMA, 0);
	u8 *high = kunit_kmalloc(test, 512, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, low);
	KUNIT_ASSERT_NOT_NULL(test, high);
	/* ZONE_DMA memory is reachable as it is */
	round_trip(test, dev, page_address(low), PAGE_SIZE);

	/*
	 * Memory above 16 MiB must be bounced; whether the bounce pool is
	 * itself reachable depends on where it was placed.  Either way the
	 * result must be an honest error or an address under the mask.
	 */
	fill(high, 512, 9);
	dma = dma_map_single(dev, high, 512, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, dma)) {
		KUNIT_EXPECT_LE(test, dma + 511, DMA_BIT_MASK(24));
		KUNIT_EXPECT_TRUE(test, holds(device_view(dev, dma), 512, 9));
		dma_unmap_single(dev, dma, 512, DMA_TO_DEVICE);
	}
	__free_pages(low, 0);
}

static void dma_mask_too_narrow_is_refused(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(32));

	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(12)), -EIO);
	KUNIT_EXPECT_EQ(test, dma_set_coherent_mask(dev, 0), -EIO);
	/* a refused mask leaves the old one in place */
	KUNIT_EXPECT_EQ(test, dma_get_mask(dev), DMA_BIT_MASK(32));
	KUNIT_EXPECT_EQ(test, dev->coherent_dma_mask, DMA_BIT_MASK(32));
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(64)), 0);
	KUNIT_EXPECT_LE(test, dma_get_required_mask(dev), DMA_BIT_MASK(64));
	KUNIT_EXPECT_FALSE(test, dma_addressing_limited(dev));
}

/* Exactly one line containing @text was printed since dma_kunit_log_start(). */
static void expect_logged_once(struct kunit *test, const char *text)
{
	KUNIT_EXPECT_EQ_MSG(test, dma_kunit_log_count(test, text), 1,
			    "expected one log line with \"%s\"", text);
}

static void dma_bad_calls_fail_cleanly(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct page *page = virt_to_page(buf);
	struct scatterlist sg;
	struct sg_table sgt = { .sgl = &sg, .orig_nents = 1 };
	dma_addr_t handle;
	u64 *saved_mask;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, DMA_NONE), DMA_MAPPING_ERROR);
	expect_logged_once(test, "dma_map_single_attrs: invalid direction 3");

	/* misuse is reported even when the caller asked for quiet failures */
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_page_attrs(dev, page, 0, 64, 17, DMA_ATTR_NO_WARN),
			DMA_MAPPING_ERROR);
	expect_logged_once(test, "dma_map_page_attrs: invalid direction 17");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 0, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	expect_logged_once(test, "dma_map_single_attrs: zero-length mapping");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, 0, &handle, GFP_KERNEL));
	expect_logged_once(test, "dma_alloc_attrs: zero size");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, SZ_1G, &handle, GFP_KERNEL));
	expect_logged_once(test, "dma_alloc_attrs: 1073741824 bytes exceed the largest block");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, dma_alloc_pages(dev, PAGE_SIZE, &handle, DMA_NONE, GFP_KERNEL));
	expect_logged_once(test, "dma_alloc_pages: invalid direction 3");

	sg_init_one(&sg, buf, 64);
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_NONE, 0), -EINVAL);
	expect_logged_once(test, "dma_map_sgtable: invalid direction 3");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_sg(dev, &sg, 0, DMA_TO_DEVICE), 0);
	expect_logged_once(test, "dma_map_sg_attrs: 0 entries");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_sg(dev, &sg, 1, DMA_NONE), 0);
	expect_logged_once(test, "dma_map_sg_attrs: invalid direction 3");

	/* unmapping or syncing a failed mapping must not touch memory */
	dma_kunit_log_start(test);
	dma_unmap_single(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	expect_logged_once(test, "dma_unmap_single_attrs: address is DMA_MAPPING_ERROR");

	dma_kunit_log_start(test);
	dma_sync_single_for_cpu(dev, DMA_MAPPING_ERROR, 64, DMA_FROM_DEVICE);
	expect_logged_once(test, "__dma_sync_single_for_cpu: address is DMA_MAPPING_ERROR");

	dma_kunit_log_start(test);
	dma_unmap_sg(dev, &sg, 1, DMA_NONE);
	expect_logged_once(test, "dma_unmap_sg_attrs: invalid direction 3");

	/* a device with nowhere to keep a mask can't do DMA at all */
	saved_mask = dev->dma_mask;
	dev->dma_mask = NULL;
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	expect_logged_once(test, "dma_map_single_attrs: device has no DMA mask");

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(32)), -EIO);
	expect_logged_once(test, "dma_set_mask: device has no DMA mask");
	dev->dma_mask = saved_mask;
}

/* Eight pages of one physically contiguous block, one sg entry each. */
static struct page *sg_over_block(struct kunit *test, struct sg_table *sgt, bool reversed)
{
	struct page *block = alloc_pages(GFP_KERNEL, 3);
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, block);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, 8, GFP_KERNEL), 0);
	for_each_sg(sgt->sgl, sg, 8, i)
		sg_set_page(sg, block + (reversed ? 7 - i : i), PAGE_SIZE, 0);
	return block;
}

static void expect_segments(struct kunit *test, struct device *dev, struct sg_table *sgt,
			    unsigned int nsegs, unsigned int seg_len)
{
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, sgt, DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, sgt->nents, nsegs);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t start = sg_dma_address(sg);

		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), seg_len);
		KUNIT_EXPECT_LE(test, sg_dma_len(sg), dma_get_max_seg_size(dev));
		KUNIT_EXPECT_EQ(test, start | dma_get_seg_boundary(dev),
				(start + sg_dma_len(sg) - 1) | dma_get_seg_boundary(dev));
	}
	dma_sync_sgtable_for_cpu(dev, sgt, DMA_TO_DEVICE);
	dma_sync_sgtable_for_device(dev, sgt, DMA_TO_DEVICE);
	dma_unmap_sgtable(dev, sgt, DMA_TO_DEVICE, 0);
}

/*
 * Neighbours in memory stay separate segments on the direct path, whatever
 * the device's limits would allow: see "Scatterlists" in direct.c.
 */
static void dma_sg_one_segment_per_entry(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct sg_table sgt;
	struct page *block;

	block = sg_over_block(test, &sgt, false);

	dma_set_max_seg_size(dev, SZ_1M);
	expect_segments(test, dev, &sgt, 8, PAGE_SIZE);

	dma_set_max_seg_size(dev, 2 * PAGE_SIZE);
	dma_set_seg_boundary(dev, 4 * PAGE_SIZE - 1);
	expect_segments(test, dev, &sgt, 8, PAGE_SIZE);

	sg_free_table(&sgt);
	__free_pages(block, 3);
}

static void dma_sg_keeps_scattered_entries(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct scatterlist *sg;
	struct sg_table sgt;
	struct page *block;
	int i;

	block = sg_over_block(test, &sgt, true);
	dma_set_max_seg_size(dev, SZ_1M);
	for_each_sg(sgt.sgl, sg, 8, i)
		fill(sg_virt(sg), PAGE_SIZE, i);

	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, sgt.nents, 8);
	for_each_sgtable_dma_sg(&sgt, sg, i)
		KUNIT_EXPECT_TRUE(test, holds(device_view(dev, sg_dma_address(sg)), PAGE_SIZE, i));
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	sg_free_table(&sgt);
	__free_pages(block, 3);
}

static void dma_coherent_honours_mask(struct kunit *test)
{
	static const unsigned int bits[] = { 24, 32, 64 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		struct device *dev = dma_test_device(test, DMA_BIT_MASK(bits[i]));
		size_t size = 3 * PAGE_SIZE + 100;
		dma_addr_t handle;
		u8 *cpu;

		cpu = dma_alloc_coherent(dev, size, &handle, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		KUNIT_EXPECT_LE(test, handle + size - 1, DMA_BIT_MASK(bits[i]));
		KUNIT_EXPECT_PTR_EQ(test, device_view(dev, handle), cpu);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(cpu, 0, size));
		dma_free_coherent(dev, size, cpu, handle);
		kunit_device_unregister(test, dev);
	}
}

static void dma_free_with_wrong_handle_is_refused(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	dma_addr_t handle;
	u8 *cpu;

	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	fill(cpu, PAGE_SIZE, 5);
	dma_free_coherent(dev, PAGE_SIZE, cpu, handle + PAGE_SIZE);
	/* still ours: the bad free was refused, not carried out */
	KUNIT_EXPECT_EQ(test, page_ref_count(virt_to_page(cpu)), 1);
	KUNIT_EXPECT_TRUE(test, holds(cpu, PAGE_SIZE, 5));
	dma_free_coherent(dev, PAGE_SIZE, cpu, handle);
}

static void dma_managed_memory_freed_on_unbind(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	dma_addr_t handle, kept_handle;
	struct page *page;
	void *cpu, *kept;

	/* above the page allocator's per-CPU cache orders, so not reused at once */
	cpu = dmam_alloc_coherent(dev, SZ_64K, &handle, GFP_KERNEL);
	kept = dmam_alloc_coherent(dev, PAGE_SIZE, &kept_handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_ASSERT_NOT_NULL(test, kept);
	page = virt_to_page(cpu);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);

	dmam_free_coherent(dev, PAGE_SIZE, kept, kept_handle);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 0);
}

static void dma_noncoherent_and_noncontiguous(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(32));
	struct sg_table *sgt;
	dma_addr_t handle;
	u8 *cpu;

	cpu = dma_alloc_noncoherent(dev, 5000, &handle, DMA_BIDIRECTIONAL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_LE(test, handle + 5000 - 1, DMA_BIT_MASK(32));
	KUNIT_EXPECT_PTR_EQ(test, device_view(dev, handle), cpu);
	fill(cpu, 5000, 6);
	dma_sync_single_for_device(dev, handle, 5000, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(device_view(dev, handle), 5000, 6));
	dma_free_noncoherent(dev, 5000, cpu, handle, DMA_BIDIRECTIONAL);

	sgt = dma_alloc_noncontiguous(dev, 3 * PAGE_SIZE, DMA_FROM_DEVICE, GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->nents, 1);
	KUNIT_EXPECT_GE(test, sg_dma_len(sgt->sgl), 3 * PAGE_SIZE);
	cpu = dma_vmap_noncontiguous(dev, 3 * PAGE_SIZE, sgt);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	fill(device_view(dev, sg_dma_address(sgt->sgl)), 3 * PAGE_SIZE, 7);
	dma_sync_sgtable_for_cpu(dev, sgt, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(cpu, 3 * PAGE_SIZE, 7));
	dma_vunmap_noncontiguous(dev, cpu);
	dma_free_noncontiguous(dev, 3 * PAGE_SIZE, sgt, DMA_FROM_DEVICE);

	KUNIT_EXPECT_NULL(test, dma_alloc_noncontiguous(dev, PAGE_SIZE, DMA_TO_DEVICE,
							GFP_KERNEL, DMA_ATTR_NO_WARN));
}

static void dma_coherent_sgtable_and_limits(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct sg_table sgt;
	dma_addr_t handle;
	void *cpu;

	cpu = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_ASSERT_EQ(test, dma_get_sgtable(dev, &sgt, cpu, handle, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 1);
	KUNIT_EXPECT_PTR_EQ(test, sg_virt(sgt.sgl), cpu);
	KUNIT_EXPECT_EQ(test, sgt.sgl->length, 2 * PAGE_SIZE);
	sg_free_table(&sgt);
	dma_free_coherent(dev, 2 * PAGE_SIZE, cpu, handle);

	KUNIT_EXPECT_TRUE(test, dma_can_mmap(dev));
	KUNIT_EXPECT_LE(test, dma_opt_mapping_size(dev), dma_max_mapping_size(dev));
	KUNIT_EXPECT_EQ(test, dma_get_merge_boundary(dev), 0);
	KUNIT_EXPECT_TRUE(test, dma_pci_p2pdma_supported(dev));
}

static void dma_resource_mapping(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	u8 *ram = kunit_kmalloc(test, 64, GFP_KERNEL);
	/* an address above any RAM this test machine has, as MMIO would be */
	phys_addr_t mmio = PFN_PHYS(max_pfn) + SZ_1G;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, ram);
	dma = dma_map_resource(dev, mmio, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)mmio);
	dma_unmap_resource(dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);

	KUNIT_EXPECT_EQ(test, dma_map_resource(dev, virt_to_phys(ram), 64, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);
	KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(24)), 0);
	KUNIT_EXPECT_EQ(test, dma_map_resource(dev, mmio, PAGE_SIZE, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);
}

/* Give @dev a private pool of @nslabs slots that bounces every mapping. */
static struct io_tlb_mem *dma_test_bounce_pool(struct kunit *test, struct device *dev,
					       unsigned long nslabs)
{
	struct io_tlb_mem *mem = swiotlb_mem_create(nslabs, 1, GFP_KERNEL | GFP_DMA32, true);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	dev->dma_io_tlb_mem = mem;
	return mem;
}

static void dma_map_falls_back_to_bounce(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct io_tlb_mem *saved = dev->dma_io_tlb_mem;
	u8 *buf = kunit_kmalloc(test, 5000, GFP_KERNEL);
	struct io_tlb_mem *mem;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	mem = dma_test_bounce_pool(test, dev, 64);
	/* a device that may bounce must not skip its syncs */
	KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(64)), 0);
	KUNIT_EXPECT_TRUE(test, dma_dev_need_sync(dev));

	round_trip(test, dev, buf, 5000);
	dma = dma_map_single(dev, buf, 5000, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_NE(test, dma, phys_to_dma(dev, virt_to_phys(buf)));
	KUNIT_EXPECT_TRUE(test, dma_need_sync(dev, dma));
	KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), swiotlb_max_mapping_size(dev));
	dma_unmap_single(dev, dma, 5000, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 0);

	dev->dma_io_tlb_mem = saved;
	swiotlb_mem_destroy(mem);
}

static void dma_sgtable_error_codes(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct io_tlb_mem *saved = dev->dma_io_tlb_mem;
	size_t filler_len = (IO_TLB_SEGSIZE - 8) * IO_TLB_SIZE;
	dma_addr_t filler_dma;
	u8 *filler;
	struct scatterlist *sg;
	struct sg_table sgt;
	struct io_tlb_mem *mem;
	struct page *block;
	int i;

	/*
	 * Fill a one-segment pool so that 8 slots (16 KiB) stay free, then map
	 * 8 x 4 KiB: the first entries fit, the fifth can't.
	 */
	block = sg_over_block(test, &sgt, false);
	mem = dma_test_bounce_pool(test, dev, IO_TLB_SEGSIZE);
	filler = kunit_kmalloc(test, filler_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, filler);
	filler_dma = dma_map_single(dev, filler, filler_len, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, filler_dma));
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_NO_WARN),
			-ENOMEM);
	/* DMA_ATTR_NO_WARN: a failure for want of resources is silent */
	KUNIT_EXPECT_EQ(test, dma_kunit_log_count(test, "bounce pool full"), 0);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), -ENOMEM);
	expect_logged_once(test, "swiotlb: bounce pool full");
	/* the entries mapped before the pool ran dry were given back */
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), IO_TLB_SEGSIZE - 8);
	dma_unmap_single(dev, filler_dma, filler_len, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 0);
	dev->dma_io_tlb_mem = saved;
	swiotlb_mem_destroy(mem);

	/* out of reach with no bounce pool at all: a plain I/O error */
	if (page_to_phys(block) + 8 * PAGE_SIZE - 1 > DMA_BIT_MASK(24)) {
		dev->dma_io_tlb_mem = NULL;
		KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(24)), 0);
		KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_NO_WARN),
				-EIO);
		dev->dma_io_tlb_mem = saved;
	}
	for_each_sg(sgt.sgl, sg, 8, i)
		KUNIT_EXPECT_EQ(test, sg->length, PAGE_SIZE);
	sg_free_table(&sgt);
	__free_pages(block, 3);
}

static void dma_bus_limit_narrows_mask(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	dma_addr_t handle;
	void *cpu;

	dev->bus_dma_limit = DMA_BIT_MASK(30);
	KUNIT_EXPECT_TRUE(test, dma_addressing_limited(dev) ||
			  dma_get_required_mask(dev) <= DMA_BIT_MASK(30));
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_LE(test, handle + PAGE_SIZE - 1, DMA_BIT_MASK(30));
	dma_free_coherent(dev, PAGE_SIZE, cpu, handle);
	KUNIT_EXPECT_FALSE(test, dma_capable(dev, DMA_BIT_MASK(30) + 1, 1, true));
	KUNIT_EXPECT_TRUE(test, dma_capable(dev, DMA_BIT_MASK(30), 1, true));
}

/*
 * The two-step API is for translated devices only: a direct device gets
 * false and a state that says so, and the calls that need a range refuse a
 * state without one, with a message, instead of touching anything.
 */
static void dma_iova_falls_back_without_iommu(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct dma_iova_state state = { .addr = 0x1234, .__size = 99 };
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(dev, &state, virt_to_phys(buf), PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&state));
	KUNIT_EXPECT_EQ(test, dma_iova_size(&state), 0);
	KUNIT_EXPECT_EQ(test, state.addr, 0);

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, virt_to_phys(buf), 0, PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -EINVAL);
	expect_logged_once(test, "dma_iova_link: no IOVA range");
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(dev, &state, 0, PAGE_SIZE), -EINVAL);
	expect_logged_once(test, "dma_iova_sync: no IOVA range");
	dma_kunit_log_start(test);
	dma_iova_destroy(dev, &state, PAGE_SIZE, DMA_TO_DEVICE, 0);
	expect_logged_once(test, "dma_iova_destroy: no IOVA range");
	dma_kunit_log_start(test);
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(dev, &state, 0, 0));
	expect_logged_once(test, "dma_iova_try_alloc: zero-length IOVA range");

	/* A coherent direct device unmaps for nothing but the checker. */
	KUNIT_EXPECT_EQ(test, dma_need_unmap(dev), IS_ENABLED(CONFIG_DMA_API_DEBUG) ||
			!dev_is_dma_coherent(dev) || !dma_direct_never_bounces(dev));
}

/*
 * Every entry point must cope with a device that has no DMA mask, even with
 * a bounce pool that isn't forced (which makes the size queries look at the
 * mask).  Such a device counts as 32-bit, as dma_get_mask() says.
 */
static void dma_maskless_device_is_safe(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "dmacore-maskless");
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct io_tlb_mem *mem;
	struct scatterlist sg;
	dma_addr_t handle;
	size_t expected;

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dev->dma_mask = NULL;
	dev->coherent_dma_mask = 0;
	mem = swiotlb_mem_create(IO_TLB_SEGSIZE, 1, GFP_KERNEL | GFP_DMA32, false);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	dev->dma_io_tlb_mem = mem;

	expected = DMA_BIT_MASK(32) >= dma_get_required_mask(dev) ?
		   SIZE_MAX : swiotlb_max_mapping_size(dev);
	KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), expected);
	KUNIT_EXPECT_EQ(test, dma_opt_mapping_size(dev), expected);

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	expect_logged_once(test, "dma_map_single_attrs: device has no DMA mask");
	sg_init_one(&sg, buf, 64);
	KUNIT_EXPECT_EQ(test, dma_map_sg(dev, &sg, 1, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_KERNEL));
	expect_logged_once(test, "dma_alloc_attrs: device has no coherent DMA mask");
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(32)), -EIO);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 0);

	dev->dma_io_tlb_mem = NULL;
	swiotlb_mem_destroy(mem);
}

/*
 * Any mask of 32 bits or more is accepted, even when the device's window
 * onto RAM doesn't cover the bottom of memory (here RAM at 1 GiB appears at
 * bus address 0); memory outside the window is bounced.
 */
static void dma_mask_accepted_with_offset_window(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct bus_dma_region *map = kcalloc(2, sizeof(*map), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	map->cpu_start = SZ_1G;
	map->dma_start = 0;
	map->size = SZ_1G;
	dev->dma_range_map = map;	/* freed with the device */

	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(32)), 0);
	KUNIT_EXPECT_EQ(test, dma_set_coherent_mask(dev, DMA_BIT_MASK(32)), 0);
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(40)), 0);
	KUNIT_EXPECT_EQ(test, dma_get_mask(dev), DMA_BIT_MASK(40));
	/* too narrow to reach ZONE_DMA through the window: still refused */
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(24)), -EIO);
	KUNIT_EXPECT_EQ(test, dma_get_mask(dev), DMA_BIT_MASK(40));
}

/*
 * Entries of length zero move nothing.  Each keeps a segment of length zero
 * in its place, is never bounced, and neither fails the list nor disturbs
 * its neighbours, whether they are mapped directly or bounced.  A list of
 * nothing but empty entries maps too, as it does upstream.
 */
static void dma_sg_zero_length_entries(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct io_tlb_mem *saved = dev->dma_io_tlb_mem;
	u8 *buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	struct scatterlist sgl[4];
	struct sg_table sgt = { .sgl = sgl };
	struct io_tlb_mem *mem;
	int pass;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	fill(buf, 100, 0);
	fill(buf + PAGE_SIZE, 100, 1);
	for (pass = 0; pass < 2; pass++) {
		mem = pass ? dma_test_bounce_pool(test, dev, IO_TLB_SEGSIZE) : NULL;

		sg_init_table(sgl, 4);
		sg_set_buf(&sgl[0], buf + 300, 0);
		sg_set_buf(&sgl[1], buf, 100);
		sg_set_buf(&sgl[2], buf + 400, 0);
		sg_set_buf(&sgl[3], buf + PAGE_SIZE, 100);
		sgt.orig_nents = 4;
		KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), 0);
		KUNIT_EXPECT_EQ(test, sgt.nents, 4);
		KUNIT_EXPECT_EQ(test, sg_dma_len(&sgl[0]), 0);
		KUNIT_EXPECT_EQ(test, sg_dma_len(&sgl[2]), 0);
		KUNIT_EXPECT_EQ(test, sg_dma_len(&sgl[1]), 100);
		KUNIT_EXPECT_EQ(test, sg_dma_len(&sgl[3]), 100);
		KUNIT_EXPECT_TRUE(test, holds(device_view(dev, sg_dma_address(&sgl[1])), 100, 0));
		KUNIT_EXPECT_TRUE(test, holds(device_view(dev, sg_dma_address(&sgl[3])), 100, 1));
		if (mem)	/* two slots, one per entry with data */
			KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 2);
		dma_sync_sgtable_for_cpu(dev, &sgt, DMA_TO_DEVICE);
		dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);

		sg_init_table(sgl, 2);
		sg_set_buf(&sgl[0], buf, 0);
		sg_set_buf(&sgl[1], buf + 8, 0);
		sgt.orig_nents = 2;
		KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), 0);
		KUNIT_EXPECT_EQ(test, sgt.nents, 2);
		KUNIT_EXPECT_EQ(test, sg_dma_len(&sgl[1]), 0);
		dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);

		if (mem) {
			KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 0);
			dev->dma_io_tlb_mem = saved;
			swiotlb_mem_destroy(mem);
		}
	}
}

/*
 * Two bus windows can put memory that is apart side by side on the bus.
 * Entries from the two windows must stay separate segments, each at the bus
 * address of its own window: one segment is one range of memory to unmap
 * and sync.
 */
static void dma_sg_no_merge_across_windows(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	const dma_addr_t bus = SZ_4G;
	struct sg_table sgt = { .orig_nents = 2 };
	struct scatterlist sgl[2];
	struct bus_dma_region *map;
	struct page *block;

	if (is_swiotlb_force_bounce(dev))
		kunit_skip(test, "bounced entries are never merged");
	map = kcalloc(3, sizeof(*map), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	dev->dma_range_map = map;	/* freed with the device */
	block = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, block);
	/* page 2 of the block at bus, page 0 right after it */
	map[0] = (struct bus_dma_region){ page_to_phys(block + 2), bus, PAGE_SIZE };
	map[1] = (struct bus_dma_region){ page_to_phys(block), bus + PAGE_SIZE, PAGE_SIZE };
	dma_set_max_seg_size(dev, SZ_1M);

	sgt.sgl = sgl;
	sg_init_table(sgl, 2);
	sg_set_page(&sgl[0], block + 2, PAGE_SIZE, 0);
	sg_set_page(&sgl[1], block, PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, sg_dma_address(&sgl[0]), bus);
	KUNIT_EXPECT_EQ(test, sg_dma_address(&sgl[1]), bus + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sgt.nents, 2);
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	__free_pages(block, 2);
}

#ifdef CONFIG_DMA_KUNIT_NONCOHERENT
/* A test device that does not snoop the CPU caches. */
static struct device *dma_noncoherent_test_device(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));

	dev->dma_coherent = false;
	/* setting the mask again re-decides whether syncs can be skipped */
	KUNIT_ASSERT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(64)), 0);
	memset(&dma_kunit_cache_log, 0, sizeof(dma_kunit_cache_log));
	return dev;
}

static void expect_cache_call(struct kunit *test, struct dma_kunit_cache_call *call,
			      unsigned int count, phys_addr_t paddr, size_t size)
{
	KUNIT_EXPECT_EQ(test, call->count, count);
	KUNIT_EXPECT_EQ(test, call->paddr, paddr);
	KUNIT_EXPECT_EQ(test, call->size, size);
}

/*
 * A non-coherent device gets cache maintenance on the memory it accesses:
 * the buffer itself when mapped directly, the bounce slot when bounced.
 */
static void dma_noncoherent_cache_maintenance(struct kunit *test)
{
	struct device *dev = dma_noncoherent_test_device(test);
	struct io_tlb_mem *saved = dev->dma_io_tlb_mem;
	u8 *buf = kunit_kmalloc(test, 512, GFP_KERNEL);
	struct dma_kunit_cache_log *log = &dma_kunit_cache_log;
	struct io_tlb_mem *mem;
	phys_addr_t slot;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, dma_dev_need_sync(dev));
	if (!is_swiotlb_force_bounce(dev)) {
		dma = dma_map_single(dev, buf, 512, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
		expect_cache_call(test, &log->for_device, 1, virt_to_phys(buf), 512);
		dma_unmap_single(dev, dma, 512, DMA_BIDIRECTIONAL);
		expect_cache_call(test, &log->for_cpu, 1, virt_to_phys(buf), 512);
		memset(log, 0, sizeof(*log));
	}

	mem = dma_test_bounce_pool(test, dev, IO_TLB_SEGSIZE);
	fill(buf, 512, 3);
	dma = dma_map_single(dev, buf, 512, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	slot = dma_to_phys(dev, dma);
	KUNIT_EXPECT_NE(test, slot, virt_to_phys(buf));
	KUNIT_EXPECT_TRUE(test, holds(phys_to_virt(slot), 512, 3));
	expect_cache_call(test, &log->for_device, 1, slot, 512);

	dma_sync_single_for_cpu(dev, dma, 512, DMA_BIDIRECTIONAL);
	expect_cache_call(test, &log->for_cpu, 1, slot, 512);
	dma_sync_single_for_device(dev, dma, 512, DMA_BIDIRECTIONAL);
	expect_cache_call(test, &log->for_device, 2, slot, 512);
	dma_unmap_single(dev, dma, 512, DMA_BIDIRECTIONAL);
	expect_cache_call(test, &log->for_cpu, 2, slot, 512);

	/* DMA_ATTR_SKIP_CPU_SYNC leaves the caches to the driver */
	dma = dma_map_single_attrs(dev, buf, 512, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, log->for_device.count, 2);
	dma_unmap_single_attrs(dev, dma, 512, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, log->for_cpu.count, 2);

	dev->dma_io_tlb_mem = saved;
	swiotlb_mem_destroy(mem);
}
#else
static void dma_noncoherent_cache_maintenance(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_DMA_KUNIT_NONCOHERENT");
}
#endif

static bool dma_test_needs_sharing(struct device *dev)
{
	return true;
}

/*
 * In an encrypted guest, memory shared with a device must change encryption,
 * which may sleep.  Until there is an atomic pool, an atomic request fails
 * and says why.
 */
static void dma_atomic_shared_alloc_says_why(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	dma_addr_t handle;

	kunit_activate_static_stub(test, dma_direct_needs_sharing, dma_test_needs_sharing);
	dma_kunit_log_start(test);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_ATOMIC));
	expect_logged_once(test, "dma_alloc_attrs: no atomic pool");
	KUNIT_EXPECT_NULL(test,
			  dma_alloc_pages(dev, PAGE_SIZE, &handle, DMA_TO_DEVICE, GFP_ATOMIC));
	expect_logged_once(test, "dma_alloc_pages: no atomic pool");
}

/*
 * A coherent free must describe the whole allocation: the start and a size
 * of the same page order.  Anything else is refused and the memory stays
 * allocated, because freeing it would corrupt the page allocator or hand a
 * device's memory to someone else.
 */
static void dma_free_of_part_is_refused(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	size_t size = 3 * PAGE_SIZE;
	dma_addr_t handle;
	struct page *head;
	u8 *cpu;

	cpu = dma_alloc_coherent(dev, size, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	head = virt_to_page(cpu);
	fill(cpu, size, 8);

	dma_kunit_log_start(test);
	dma_free_coherent(dev, PAGE_SIZE, cpu, handle);
	expect_logged_once(test, "is the start of a 16384-byte allocation, freed as 4096 bytes");
	dma_free_coherent(dev, PAGE_SIZE, cpu + PAGE_SIZE, handle + PAGE_SIZE);
	expect_logged_once(test, "is not the start of a coherent buffer; not freed");
	KUNIT_EXPECT_EQ(test, page_ref_count(head), 1);
	KUNIT_EXPECT_TRUE(test, holds(cpu, size, 8));

	/* a size of the same page order describes the same block */
	dma_kunit_log_start(test);
	dma_free_coherent(dev, 4 * PAGE_SIZE, cpu, handle);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "not freed"));

	/* single pages carry no mark: their size is checked all the same */
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &handle, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	head = virt_to_page(cpu);
	fill(cpu, PAGE_SIZE, 9);
	dma_kunit_log_start(test);
	dma_free_coherent(dev, 2 * PAGE_SIZE, cpu, handle);
	expect_logged_once(test, "is the start of a 4096-byte allocation, freed as 8192 bytes");
	KUNIT_EXPECT_EQ(test, page_ref_count(head), 1);
	KUNIT_EXPECT_TRUE(test, holds(cpu, PAGE_SIZE, 9));
	dma_kunit_log_start(test);
	dma_free_coherent(dev, PAGE_SIZE, cpu, handle);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "not freed"));

	/* dma_alloc_pages() buffers, which record their size differently */
	head = dma_alloc_pages(dev, size, &handle, DMA_TO_DEVICE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, head);
	dma_kunit_log_start(test);
	dma_free_pages(dev, PAGE_SIZE, head, handle, DMA_TO_DEVICE);
	expect_logged_once(test, "is the start of a 16384-byte allocation, freed as 4096 bytes");
	dma_free_pages(dev, PAGE_SIZE, head + 1, handle + PAGE_SIZE, DMA_TO_DEVICE);
	expect_logged_once(test, "is inside a 16384-byte allocation, freed as 4096 bytes");
	KUNIT_EXPECT_EQ(test, page_ref_count(head), 1);
	dma_kunit_log_start(test);
	dma_free_pages(dev, size, head, handle, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_kunit_log_contains(test, "not freed"));
}

static struct kunit_case dma_mapping_cases[] = {
	KUNIT_CASE(dma_map_64bit_is_identity),
	KUNIT_CASE(dma_map_32bit_low_page),
	KUNIT_CASE(dma_map_24bit),
	KUNIT_CASE(dma_mask_too_narrow_is_refused),
	KUNIT_CASE(dma_bad_calls_fail_cleanly),
	KUNIT_CASE(dma_sg_one_segment_per_entry),
	KUNIT_CASE(dma_sg_keeps_scattered_entries),
	KUNIT_CASE(dma_coherent_honours_mask),
	KUNIT_CASE(dma_free_with_wrong_handle_is_refused),
	KUNIT_CASE(dma_managed_memory_freed_on_unbind),
	KUNIT_CASE(dma_noncoherent_and_noncontiguous),
	KUNIT_CASE(dma_coherent_sgtable_and_limits),
	KUNIT_CASE(dma_resource_mapping),
	KUNIT_CASE(dma_map_falls_back_to_bounce),
	KUNIT_CASE(dma_sgtable_error_codes),
	KUNIT_CASE(dma_bus_limit_narrows_mask),
	KUNIT_CASE(dma_maskless_device_is_safe),
	KUNIT_CASE(dma_iova_falls_back_without_iommu),
	KUNIT_CASE(dma_mask_accepted_with_offset_window),
	KUNIT_CASE(dma_sg_zero_length_entries),
	KUNIT_CASE(dma_sg_no_merge_across_windows),
	KUNIT_CASE(dma_noncoherent_cache_maintenance),
	KUNIT_CASE(dma_atomic_shared_alloc_says_why),
	KUNIT_CASE(dma_free_of_part_is_refused),
	{}
};

static struct kunit_suite dma_mapping_suite = {
	.name = "dma_mapping",
	.test_cases = dma_mapping_cases,
};

kunit_test_suite(dma_mapping_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA mapping core and direct backend");
MODULE_LICENSE("GPL");
