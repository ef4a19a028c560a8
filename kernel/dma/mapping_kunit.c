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
#include <kunit/test.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"
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

static void dma_bad_calls_fail_cleanly(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct scatterlist sg;
	struct sg_table sgt = { .sgl = &sg, .orig_nents = 1 };
	dma_addr_t handle;
	u64 *saved_mask;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, DMA_NONE), DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, 17), DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 0, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, 0, &handle, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, dma_alloc_coherent(dev, SZ_1G, &handle, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, dma_alloc_pages(dev, PAGE_SIZE, &handle, DMA_NONE, GFP_KERNEL));

	sg_init_one(&sg, buf, 64);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_NONE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_map_sg(dev, &sg, 0, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_map_sg(dev, &sg, 1, DMA_NONE), 0);

	/* unmapping or syncing a failed mapping must not touch memory */
	dma_unmap_single(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	dma_sync_single_for_cpu(dev, DMA_MAPPING_ERROR, 64, DMA_FROM_DEVICE);
	dma_unmap_sg(dev, &sg, 1, DMA_NONE);

	/* a device with nowhere to keep a mask can't do DMA at all */
	saved_mask = dev->dma_mask;
	dev->dma_mask = NULL;
	KUNIT_EXPECT_EQ(test, dma_map_single(dev, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, dma_set_mask(dev, DMA_BIT_MASK(32)), -EIO);
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

static void dma_sg_merges_within_limits(struct kunit *test)
{
	struct device *dev = dma_test_device(test, DMA_BIT_MASK(64));
	struct sg_table sgt;
	struct page *block;

	if (is_swiotlb_force_bounce(dev))
		kunit_skip(test, "bounced entries are never merged");
	block = sg_over_block(test, &sgt, false);

	dma_set_max_seg_size(dev, SZ_1M);
	expect_segments(test, dev, &sgt, 1, 8 * PAGE_SIZE);

	dma_set_max_seg_size(dev, 2 * PAGE_SIZE);
	expect_segments(test, dev, &sgt, 4, 2 * PAGE_SIZE);

	/* the block is 32 KiB aligned, so a 16 KiB boundary splits it in two */
	dma_set_max_seg_size(dev, SZ_1M);
	dma_set_seg_boundary(dev, 4 * PAGE_SIZE - 1);
	expect_segments(test, dev, &sgt, 2, 4 * PAGE_SIZE);

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
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_NO_WARN),
			-ENOMEM);
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

static struct kunit_case dma_mapping_cases[] = {
	KUNIT_CASE(dma_map_64bit_is_identity),
	KUNIT_CASE(dma_map_32bit_low_page),
	KUNIT_CASE(dma_map_24bit),
	KUNIT_CASE(dma_mask_too_narrow_is_refused),
	KUNIT_CASE(dma_bad_calls_fail_cleanly),
	KUNIT_CASE(dma_sg_merges_within_limits),
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
	{}
};

static struct kunit_suite dma_mapping_suite = {
	.name = "dma_mapping",
	.test_cases = dma_mapping_cases,
};

kunit_test_suite(dma_mapping_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA mapping core and direct backend");
MODULE_LICENSE("GPL");
