// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the swiotlb bounce pool (kernel/dma/swiotlb.c).
 *
 * Each test gets a KUnit device with a private pool of POOL_SLABS slots, so
 * that it can fill, exhaust and inspect the pool without disturbing the
 * default pool other devices may be using.  The device reaches all of
 * memory (64-bit mask) unless a test narrows it.
 *
 * "The device" is simulated by reading and writing the bounce buffer
 * through the kernel's direct map, which is what a real device's DMA
 * amounts to on a coherent machine.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define POOL_SLABS	512		/* 1 MiB */
#define POOL_AREAS	2
#define SEG_BYTES	(IO_TLB_SEGSIZE * IO_TLB_SIZE)

struct swiotlb_test {
	struct device *dev;
	struct io_tlb_mem *mem;
	struct io_tlb_mem *default_mem;
	struct device_dma_parameters parms;
	u64 mask;
};

/* ---- Helpers ---- */

/*
 * A physically contiguous buffer of @len bytes that starts @offset bytes
 * into a page.  At least 16 KiB is allocated so that kmalloc() hands out
 * whole pages, which makes @offset the buffer's real page offset.
 */
static u8 *test_buffer(struct kunit *test, size_t len, size_t offset)
{
	size_t bytes = max_t(size_t, SZ_16K, PAGE_ALIGN(offset + len));
	u8 *buf = kunit_kmalloc(test, bytes, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(buf));
	return buf + offset;
}

/* A byte pattern that differs for every @seed and every position. */
static u8 pattern_byte(unsigned int seed, size_t i)
{
	return (u8)(seed * 37 + i * 7 + (i >> 8) + 1);
}

static void fill(void *buf, size_t len, unsigned int seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(seed, i);
}

/*
 * Does [@buf, @buf + @len) hold pattern @seed as laid down from @from
 * (i.e. byte i holds pattern_byte(seed, from + i))?
 */
static bool holds(const void *buf, size_t len, unsigned int seed, size_t from)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern_byte(seed, from + i))
			return false;
	return true;
}

static void *bounce_of(struct swiotlb_test *t, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(t->dev, dma));
}

static unsigned long pool_used(struct swiotlb_test *t)
{
	return swiotlb_mem_used(t->mem);
}

/* Unmap a bounce mapping by device address, as the direct path would. */
static void unmap(struct swiotlb_test *t, dma_addr_t dma, size_t len,
		  enum dma_data_direction dir, unsigned long attrs)
{
	swiotlb_tbl_unmap_single(t->dev, dma_to_phys(t->dev, dma), len, dir, attrs);
}

static void sync_for_cpu(struct swiotlb_test *t, dma_addr_t dma, size_t len,
			 enum dma_data_direction dir)
{
	swiotlb_sync_single_for_cpu(t->dev, dma_to_phys(t->dev, dma), len, dir);
}

static void sync_for_device(struct swiotlb_test *t, dma_addr_t dma, size_t len,
			    enum dma_data_direction dir)
{
	swiotlb_sync_single_for_device(t->dev, dma_to_phys(t->dev, dma), len, dir);
}

static int swiotlb_test_init(struct kunit *test)
{
	struct swiotlb_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "dma-swiotlb-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->dev);
	t->default_mem = t->dev->dma_io_tlb_mem;

	t->mem = swiotlb_mem_create(POOL_SLABS, POOL_AREAS, GFP_KERNEL, false);
	KUNIT_ASSERT_NOT_NULL(test, t->mem);
	KUNIT_ASSERT_EQ(test, t->mem->pool.nslabs, POOL_SLABS);

	t->mask = DMA_BIT_MASK(64);
	t->dev->dma_mask = &t->mask;
	t->dev->coherent_dma_mask = DMA_BIT_MASK(64);
	t->dev->dma_parms = &t->parms;
	t->dev->dma_io_tlb_mem = t->mem;
	test->priv = t;
	return 0;
}

static void swiotlb_test_exit(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;

	if (!t || !t->mem)
		return;
	t->dev->dma_io_tlb_mem = t->default_mem;
	t->dev->dma_parms = NULL;
	/* A failed test may have left mappings; leak the pool, never reuse it. */
	if (pool_used(t)) {
		kunit_err(test, "%lu slots still mapped at the end of the test\n", pool_used(t));
		return;
	}
	swiotlb_mem_destroy(t->mem);
}

/* ---- Bounce correctness for each direction ---- */

static void swiotlb_test_to_device(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 3000;
	u8 *buf = test_buffer(test, len, 100);
	dma_addr_t dma;

	fill(buf, len, 1);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_TO_DEVICE, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_TRUE(test, is_swiotlb_buffer(t->dev, dma_to_phys(t->dev, dma)));
	KUNIT_EXPECT_PTR_NE(test, bounce_of(t, dma), (void *)buf);
	KUNIT_EXPECT_EQ(test, pool_used(t), DIV_ROUND_UP(len, IO_TLB_SIZE));

	/* The device sees the data at map time ... */
	KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma), len, 1, 0));
	/* ... and whatever it scribbles is not copied back. */
	fill(bounce_of(t, dma), len, 2);
	unmap(t, dma, len, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 1, 0));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_from_device(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 5000;
	u8 *buf = test_buffer(test, len, 0x40);
	dma_addr_t dma;

	/* Stale data everywhere in the pool must not reach the caller. */
	memset(t->mem->pool.vaddr, 0xa5, POOL_SLABS * IO_TLB_SIZE);
	fill(buf, len, 3);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_FROM_DEVICE, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma), len, 3, 0));

	fill(bounce_of(t, dma), len, 4);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 3, 0));
	unmap(t, dma, len, DMA_FROM_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 4, 0));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_bidirectional(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 2 * PAGE_SIZE + 17;
	u8 *buf = test_buffer(test, len, 0);
	dma_addr_t dma;

	fill(buf, len, 5);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma), len, 5, 0));
	fill(bounce_of(t, dma), len, 6);
	unmap(t, dma, len, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 6, 0));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_skip_cpu_sync(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	unsigned long skip = DMA_ATTR_SKIP_CPU_SYNC;
	size_t len = 1500;
	u8 *buf = test_buffer(test, len, 8);
	dma_addr_t dma;

	/* Unmap with SKIP_CPU_SYNC leaves the original alone. */
	fill(buf, len, 7);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_BIDIRECTIONAL, skip);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	fill(bounce_of(t, dma), len, 8);
	unmap(t, dma, len, DMA_BIDIRECTIONAL, skip);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 7, 0));

	/* The caller then syncs by hand, and that does copy. */
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_FROM_DEVICE, skip);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	fill(bounce_of(t, dma), len, 9);
	sync_for_cpu(t, dma, len, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 9, 0));
	fill(bounce_of(t, dma), len, 10);
	unmap(t, dma, len, DMA_FROM_DEVICE, skip);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 9, 0));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

/* ---- Partial syncs ---- */

static void swiotlb_test_partial_sync_for_cpu(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 8192;
	u8 *buf = test_buffer(test, len, 0x40);
	dma_addr_t dma;

	fill(buf, len, 11);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_FROM_DEVICE, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	fill(bounce_of(t, dma), len, 12);

	/* A range in the middle of a slot ... */
	sync_for_cpu(t, dma + 1000, 500, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(buf, 1000, 11, 0));
	KUNIT_EXPECT_TRUE(test, holds(buf + 1000, 500, 12, 1000));
	KUNIT_EXPECT_TRUE(test, holds(buf + 1500, len - 1500, 11, 1500));

	/* ... one straddling two slots ... */
	sync_for_cpu(t, dma + IO_TLB_SIZE - 8, 20, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(buf + 1500, IO_TLB_SIZE - 8 - 1500, 11, 1500));
	KUNIT_EXPECT_TRUE(test, holds(buf + IO_TLB_SIZE - 8, 20, 12, IO_TLB_SIZE - 8));
	KUNIT_EXPECT_TRUE(test, holds(buf + IO_TLB_SIZE + 12, len - IO_TLB_SIZE - 12, 11,
				      IO_TLB_SIZE + 12));

	/* ... and the very last byte. */
	sync_for_cpu(t, dma + len - 1, 1, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, buf[len - 1], pattern_byte(12, len - 1));
	KUNIT_EXPECT_EQ(test, buf[len - 2], pattern_byte(11, len - 2));

	unmap(t, dma, len, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_partial_sync_for_device(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 6000;
	u8 *buf = test_buffer(test, len, 0x123);
	dma_addr_t dma;
	u8 *bounce;

	fill(buf, len, 13);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_TO_DEVICE, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	bounce = bounce_of(t, dma);

	fill(buf, len, 14);
	sync_for_device(t, dma + 4090, 12, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(bounce, 4090, 13, 0));
	KUNIT_EXPECT_TRUE(test, holds(bounce + 4090, 12, 14, 4090));
	KUNIT_EXPECT_TRUE(test, holds(bounce + 4102, len - 4102, 13, 4102));

	/* Syncing a DMA_FROM_DEVICE view towards the device copies nothing. */
	sync_for_device(t, dma, len, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, holds(bounce, 4090, 13, 0));

	unmap(t, dma, len, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_sync_out_of_range(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t len = 4096;
	u8 *buf = test_buffer(test, len + 256, 0);
	dma_addr_t dma;

	fill(buf, len + 256, 15);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), len, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	fill(bounce_of(t, dma), len, 16);

	/* Runs past the end of the mapping: refused, nothing copied. */
	sync_for_cpu(t, dma + 4000, 200, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(buf, len + 256, 15, 0));

	unmap(t, dma, len, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 16, 0));
	KUNIT_EXPECT_TRUE(test, holds(buf + len, 256, 15, len));

	/* The mapping is gone: a sync on its old address copies nothing. */
	fill(bounce_of(t, dma), len, 17);
	sync_for_cpu(t, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, holds(buf, len, 16, 0));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

/* ---- Alignment ---- */

#define NHELD	16

static void swiotlb_test_page_alignment(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t sizes[] = { PAGE_SIZE, 3 * PAGE_SIZE, PAGE_SIZE + 1 };
	u8 *buf = test_buffer(test, 4 * PAGE_SIZE, 0);
	dma_addr_t dma[NHELD];
	int i;

	fill(buf, 4 * PAGE_SIZE, 18);
	/*
	 * Hold several at once so they land in different places.  A
	 * one-slot mapping between them knocks the cursor off page
	 * alignment, which a search ignoring alignment would follow.
	 */
	for (i = 0; i < NHELD; i++) {
		size_t len = sizes[i % ARRAY_SIZE(sizes)];
		size_t off = (i & 1) ? 0x10 : 0;

		if (i % 4 == 3) {
			dma[i] = swiotlb_map(t->dev, virt_to_phys(buf), 100, DMA_TO_DEVICE, 0);
			KUNIT_ASSERT_NE(test, dma[i], DMA_MAPPING_ERROR);
			continue;
		}
		dma[i] = swiotlb_map(t->dev, virt_to_phys(buf + off), len, DMA_TO_DEVICE, 0);
		KUNIT_ASSERT_NE(test, dma[i], DMA_MAPPING_ERROR);
		KUNIT_EXPECT_TRUE_MSG(test, PAGE_ALIGNED(dma_to_phys(t->dev, dma[i])),
				      "mapping %d of %zu bytes at %pad", i, len, &dma[i]);
		KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma[i]), len, 18, off));
	}
	for (i = 0; i < NHELD; i++) {
		size_t len = (i % 4 == 3) ? 100 : sizes[i % ARRAY_SIZE(sizes)];

		unmap(t, dma[i], len, DMA_TO_DEVICE, 0);
	}
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_alloc_align_mask(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	unsigned int granule = SZ_16K;
	size_t len = 5000;
	u8 *buf = test_buffer(test, len, 0x123);
	phys_addr_t tlb[6], lo[6], hi[6], filler[6];
	int i, j;

	fill(buf, len, 19);
	for (i = 0; i < ARRAY_SIZE(tlb); i++) {
		/* Half of them also ask to keep the low 12 bits (NVMe-like). */
		dma_set_min_align_mask(t->dev, (i & 1) ? SZ_4K - 1 : 0);
		tlb[i] = swiotlb_tbl_map_single(t->dev, virt_to_phys(buf), len, granule - 1,
						DMA_TO_DEVICE, 0);
		KUNIT_ASSERT_NE(test, tlb[i], (phys_addr_t)DMA_MAPPING_ERROR);
		/* The data keeps its offset in the granule either way. */
		KUNIT_EXPECT_EQ(test, tlb[i] & (granule - 1), virt_to_phys(buf) & (granule - 1));
		KUNIT_EXPECT_TRUE(test, holds(phys_to_virt(tlb[i]), len, 19, 0));
		lo[i] = ALIGN_DOWN(tlb[i], granule);
		hi[i] = ALIGN(tlb[i] + len, granule);

		/* A one-slot mapping next, so the free space is not aligned. */
		dma_set_min_align_mask(t->dev, 0);
		filler[i] = swiotlb_tbl_map_single(t->dev, virt_to_phys(buf), 100, 0,
						   DMA_TO_DEVICE, 0);
		KUNIT_ASSERT_NE(test, filler[i], (phys_addr_t)DMA_MAPPING_ERROR);
	}
	/* Each mapping owns the whole granules it touches. */
	for (i = 0; i < ARRAY_SIZE(tlb); i++) {
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_TRUE_MSG(test, hi[i] <= lo[j] || hi[j] <= lo[i],
					      "mappings %d and %d share a granule", i, j);
		for (j = 0; j < ARRAY_SIZE(tlb); j++)
			KUNIT_EXPECT_TRUE_MSG(test, filler[j] + 100 <= lo[i] || hi[i] <= filler[j],
					      "filler %d lies in the granules of mapping %d", j, i);
	}
	for (i = 0; i < ARRAY_SIZE(tlb); i++) {
		swiotlb_tbl_unmap_single(t->dev, tlb[i], len, DMA_TO_DEVICE, 0);
		swiotlb_tbl_unmap_single(t->dev, filler[i], 100, DMA_TO_DEVICE, 0);
	}
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_min_align_mask(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	static const size_t offsets[] = { 0, 0x10, 0x7ff, 0x800, 0x810, 0xff0 };
	static const size_t sizes[] = { 64, 512, 4096, 20000 };
	/*
	 * NVMe's 4 KiB, a mask below one slot, and one so wide that only one
	 * slot in 32 can start a given mapping.  That last one would not
	 * fit all the mappings at once in this pool, so it takes them one
	 * at a time.
	 */
	static const unsigned int masks[] = { SZ_4K - 1, 3, SZ_64K - 1 };
	u8 *buf = test_buffer(test, 20000 + SZ_4K, 0);
	dma_addr_t dma[ARRAY_SIZE(offsets) * ARRAY_SIZE(sizes)];
	unsigned int m, i, n;

	fill(buf, 20000 + SZ_4K, 20);
	for (m = 0; m < ARRAY_SIZE(masks); m++) {
		unsigned int mask = masks[m];
		bool hold = mask < SZ_64K - 1;

		dma_set_min_align_mask(t->dev, mask);
		n = 0;
		for (i = 0; i < ARRAY_SIZE(dma); i++) {
			size_t off = offsets[i % ARRAY_SIZE(offsets)];
			size_t len = sizes[i / ARRAY_SIZE(offsets)];
			phys_addr_t orig = virt_to_phys(buf + off);

			dma[i] = swiotlb_map(t->dev, orig, len, DMA_BIDIRECTIONAL, 0);
			if (dma[i] == DMA_MAPPING_ERROR) {
				KUNIT_FAIL(test, "mask %#x: map of %zu at offset %#zx failed",
					   mask, len, off);
				continue;
			}
			n++;
			KUNIT_EXPECT_EQ_MSG(test, dma_to_phys(t->dev, dma[i]) & mask, orig & mask,
					    "mask %#x, %zu bytes at offset %#zx", mask, len, off);
			KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma[i]), len, 20, off));
			if (!hold) {
				unmap(t, dma[i], len, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
				dma[i] = DMA_MAPPING_ERROR;
			}
		}
		for (i = 0; i < ARRAY_SIZE(dma); i++)
			if (dma[i] != DMA_MAPPING_ERROR)
				unmap(t, dma[i], sizes[i / ARRAY_SIZE(offsets)], DMA_BIDIRECTIONAL,
				      DMA_ATTR_SKIP_CPU_SYNC);
		KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(dma));
		KUNIT_EXPECT_EQ(test, pool_used(t), 0);
	}
}

static void swiotlb_test_max_mapping_size(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	size_t max;
	u8 *buf = test_buffer(test, SEG_BYTES + SZ_8K, 0);
	phys_addr_t worst;
	dma_addr_t dma;

	KUNIT_EXPECT_EQ(test, swiotlb_max_mapping_size(t->dev), SEG_BYTES);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), SEG_BYTES, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_NE(test, dma, DMA_MAPPING_ERROR);
	if (dma != DMA_MAPPING_ERROR)
		unmap(t, dma, SEG_BYTES, DMA_TO_DEVICE, 0);
	dma = swiotlb_map(t->dev, virt_to_phys(buf), SEG_BYTES + 1, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);

	/*
	 * With a min_align_mask the limit shrinks by the mask, and the
	 * worst-placed original (all masked bits set) must still fit.
	 */
	dma_set_min_align_mask(t->dev, SZ_4K - 1);
	max = swiotlb_max_mapping_size(t->dev);
	KUNIT_EXPECT_EQ(test, max, SEG_BYTES - (SZ_4K - 1));
	worst = virt_to_phys(buf) + SZ_4K - 1;
	dma = swiotlb_map(t->dev, worst, max, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_NE(test, dma, DMA_MAPPING_ERROR);
	if (dma != DMA_MAPPING_ERROR) {
		KUNIT_EXPECT_EQ(test, dma_to_phys(t->dev, dma) & (SZ_4K - 1), SZ_4K - 1);
		unmap(t, dma, max, DMA_TO_DEVICE, 0);
	}
	dma = swiotlb_map(t->dev, worst, max + 1, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);

	/* A boundary smaller than a segment caps it too. */
	dma_set_min_align_mask(t->dev, 0);
	dma_set_seg_boundary(t->dev, SZ_64K - 1);
	KUNIT_EXPECT_EQ(test, swiotlb_max_mapping_size(t->dev), SZ_64K);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_segment_boundary(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	unsigned long boundary = SZ_4K - 1;
	u8 *buf = test_buffer(test, 2100, 0x20);
	dma_addr_t dma[40], last;
	size_t len[40];
	int i;

	/*
	 * Two-slot mappings alternate with one-slot ones, so that a search
	 * that ignored the boundary would place every other two-slot
	 * mapping across a 4 KiB line.
	 */
	dma_set_seg_boundary(t->dev, boundary);
	fill(buf, 2100, 21);
	for (i = 0; i < ARRAY_SIZE(dma); i++) {
		len[i] = (i & 1) ? 100 : 2100;
		dma[i] = swiotlb_map(t->dev, virt_to_phys(buf), len[i], DMA_TO_DEVICE, 0);
		KUNIT_ASSERT_NE(test, dma[i], DMA_MAPPING_ERROR);
		last = dma[i] + len[i] - 1;
		KUNIT_EXPECT_EQ_MSG(test, (dma[i] ^ last) & ~(dma_addr_t)boundary, 0,
				    "mapping %d at %pad crosses a 4 KiB boundary", i, &dma[i]);
		KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, dma[i]), len[i], 21, 0));
	}
	for (i = 0; i < ARRAY_SIZE(dma); i++)
		unmap(t, dma[i], len[i], DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

/* ---- Exhaustion and bad input ---- */

static void swiotlb_test_exhaustion(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	unsigned int nmax = POOL_SLABS / 2;	/* page-sized maps take two slots */
	dma_addr_t *dma = kunit_kcalloc(test, nmax + 1, sizeof(*dma), GFP_KERNEL);
	u8 *buf = test_buffer(test, SEG_BYTES, 0);
	dma_addr_t big[POOL_SLABS / IO_TLB_SEGSIZE];
	unsigned int n, i;

	KUNIT_ASSERT_NOT_NULL(test, dma);
	for (n = 0; n <= nmax; n++) {
		dma[n] = swiotlb_map(t->dev, virt_to_phys(buf), PAGE_SIZE, DMA_TO_DEVICE,
				     DMA_ATTR_NO_WARN);
		if (dma[n] == DMA_MAPPING_ERROR)
			break;
	}
	KUNIT_EXPECT_EQ(test, n, nmax);
	KUNIT_EXPECT_EQ(test, pool_used(t), POOL_SLABS);
	if (IS_ENABLED(CONFIG_DEBUG_FS))
		KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), POOL_SLABS);

	/* Not even one byte fits, and a full pool is reported (once, here). */
	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 1, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);

	for (i = 0; i < n; i++)
		unmap(t, dma[i], PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);

	/* Freed slots merge back: the pool takes maximal mappings again. */
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		big[i] = swiotlb_map(t->dev, virt_to_phys(buf), SEG_BYTES, DMA_TO_DEVICE, 0);
		KUNIT_EXPECT_NE(test, big[i], DMA_MAPPING_ERROR);
	}
	KUNIT_EXPECT_EQ(test, pool_used(t), POOL_SLABS);
	for (i = 0; i < ARRAY_SIZE(big); i++)
		if (big[i] != DMA_MAPPING_ERROR)
			unmap(t, big[i], SEG_BYTES, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_no_pool(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	struct io_tlb_mem *empty = kunit_kzalloc(test, sizeof(*empty), GFP_KERNEL);
	u8 *buf = test_buffer(test, 64, 0);

	KUNIT_ASSERT_NOT_NULL(test, empty);
	KUNIT_EXPECT_TRUE(test, is_swiotlb_active(t->dev));

	/* Every device starts out pointing at the default pool. */
	KUNIT_EXPECT_NOT_NULL(test, t->default_mem);

	t->dev->dma_io_tlb_mem = NULL;
	KUNIT_EXPECT_FALSE(test, is_swiotlb_active(t->dev));
	KUNIT_EXPECT_FALSE(test, is_swiotlb_buffer(t->dev, virt_to_phys(buf)));
	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 64, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);

	/* A pool object without memory behaves the same. */
	t->dev->dma_io_tlb_mem = empty;
	KUNIT_EXPECT_FALSE(test, is_swiotlb_active(t->dev));
	KUNIT_EXPECT_FALSE(test, is_swiotlb_buffer(t->dev, 0));
	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 64, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);
	t->dev->dma_io_tlb_mem = t->mem;
}

static void swiotlb_test_bad_requests(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	u8 *buf = test_buffer(test, 64, 0);

	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 0, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 64, DMA_NONE, 0),
			DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_unreachable(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	u8 *buf = test_buffer(test, 64, 0);

	/* A device that can only address the first 4 KiB can't use the pool. */
	t->mask = DMA_BIT_MASK(12);
	KUNIT_EXPECT_EQ(test, swiotlb_map(t->dev, virt_to_phys(buf), 64, DMA_TO_DEVICE, 0),
			DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
	t->mask = DMA_BIT_MASK(64);
}

static void swiotlb_test_bad_unmap(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	struct io_tlb_pool *pool = &t->mem->pool;
	size_t len = 8192;
	u8 *buf_a = test_buffer(test, len + 64, 0);
	u8 *buf_b = test_buffer(test, len + 64, 0);
	dma_addr_t a, b;
	phys_addr_t a_tlb, free_slot;
	unsigned long used;

	fill(buf_a, len + 64, 22);
	fill(buf_b, len + 64, 23);
	a = swiotlb_map(t->dev, virt_to_phys(buf_a), len, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_NE(test, a, DMA_MAPPING_ERROR);
	a_tlb = dma_to_phys(t->dev, a);
	used = pool_used(t);

	/* Inside a live mapping, but not its start: refused. */
	swiotlb_tbl_unmap_single(t->dev, a_tlb + IO_TLB_SIZE, IO_TLB_SIZE, DMA_BIDIRECTIONAL, 0);
	swiotlb_tbl_unmap_single(t->dev, a_tlb + 1, len - 1, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), used);

	/* A slot nobody mapped: refused. */
	free_slot = a_tlb == pool->start ? pool->end - IO_TLB_SIZE : pool->start;
	swiotlb_tbl_unmap_single(t->dev, free_slot, IO_TLB_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), used);

	/* Refused means untouched: nothing was copied back either. */
	fill(bounce_of(t, a), len, 27);
	swiotlb_tbl_unmap_single(t->dev, a_tlb + IO_TLB_SIZE, IO_TLB_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf_a, len + 64, 22, 0));
	fill(bounce_of(t, a), len, 22);

	/* The live mapping still works end to end. */
	b = swiotlb_map(t->dev, virt_to_phys(buf_b), len, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_NE(test, b, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, a), len, 22, 0));
	fill(bounce_of(t, a), len, 24);
	unmap(t, a, len, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf_a, len, 24, 0));

	/* A second unmap of it is refused and leaves B alone. */
	used = pool_used(t);
	fill(buf_a, len, 25);
	unmap(t, a, len, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, pool_used(t), used);
	KUNIT_EXPECT_TRUE(test, holds(buf_a, len, 25, 0));
	KUNIT_EXPECT_TRUE(test, holds(bounce_of(t, b), len, 23, 0));

	/* An unmap claiming more than was mapped copies back only the mapping. */
	fill(bounce_of(t, b), len, 26);
	unmap(t, b, len + 64, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, holds(buf_b, len, 26, 0));
	KUNIT_EXPECT_TRUE(test, holds(buf_b + len, 64, 23, len));
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

static void swiotlb_test_force_flag(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	struct io_tlb_mem *forced = swiotlb_mem_create(IO_TLB_SEGSIZE, 1, GFP_KERNEL, true);

	KUNIT_ASSERT_NOT_NULL(test, forced);
	KUNIT_EXPECT_FALSE(test, is_swiotlb_force_bounce(t->dev));
	t->dev->dma_io_tlb_mem = forced;
	KUNIT_EXPECT_TRUE(test, is_swiotlb_force_bounce(t->dev));
	KUNIT_EXPECT_TRUE(test, is_swiotlb_active(t->dev));
	t->dev->dma_io_tlb_mem = t->mem;
	swiotlb_mem_destroy(forced);
}

/* ---- Statistics ---- */

static void swiotlb_test_hiwater(struct kunit *test)
{
	struct swiotlb_test *t = test->priv;
	u8 *buf = test_buffer(test, PAGE_SIZE, 0);
	dma_addr_t dma[3];
	int i;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "the high-water mark is kept only with CONFIG_DEBUG_FS");

	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 0);
	for (i = 0; i < ARRAY_SIZE(dma); i++) {
		dma[i] = swiotlb_map(t->dev, virt_to_phys(buf), PAGE_SIZE, DMA_TO_DEVICE, 0);
		KUNIT_ASSERT_NE(test, dma[i], DMA_MAPPING_ERROR);
	}
	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 6);
	unmap(t, dma[0], PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 6);

	/* Only 0 may be written; the mark restarts from current use. */
	KUNIT_EXPECT_EQ(test, swiotlb_mem_reset_hiwater(t->mem, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 6);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_reset_hiwater(t->mem, 0), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 4);

	unmap(t, dma[1], PAGE_SIZE, DMA_TO_DEVICE, 0);
	unmap(t, dma[2], PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_hiwater(t->mem), 4);
	KUNIT_EXPECT_EQ(test, pool_used(t), 0);
}

/* ---- Concurrency ---- */

#define NTHREADS	4
#define ITERATIONS	2000
#define MAX_LEN		(12 * 1024)

struct hammer {
	struct swiotlb_test *t;
	struct completion done;
	unsigned int id;
	u8 *buf;
	unsigned long map_failures;
	unsigned long data_errors;
};

static int hammer_thread(void *data)
{
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct hammer *h = data;
	struct swiotlb_test *t = h->t;
	unsigned int i;

	for (i = 0; i < ITERATIONS; i++) {
		size_t len = 1 + get_random_u32_below(MAX_LEN);
		size_t off = get_random_u32_below(PAGE_SIZE);
		enum dma_data_direction dir = dirs[get_random_u32_below(ARRAY_SIZE(dirs))];
		unsigned int seed = h->id * 2 * ITERATIONS + 2 * i;
		u8 *orig = h->buf + off;
		dma_addr_t dma;

		fill(orig, len, seed);
		dma = swiotlb_map(t->dev, virt_to_phys(orig), len, dir, DMA_ATTR_NO_WARN);
		if (dma == DMA_MAPPING_ERROR) {
			h->map_failures++;
			continue;
		}
		if (!holds(bounce_of(t, dma), len, seed, 0))
			h->data_errors++;
		fill(bounce_of(t, dma), len, seed + 1);
		unmap(t, dma, len, dir, 0);
		if (!holds(orig, len, dir == DMA_TO_DEVICE ? seed : seed + 1, 0))
			h->data_errors++;
		if (!(i % 64))
			cond_resched();
	}
	complete(&h->done);
	return 0;
}

/*
 * Run NTHREADS threads mapping and unmapping against a fresh pool of
 * @nareas areas, then check every thread's data and that the pool drained.
 */
static void run_hammers(struct kunit *test, unsigned int nareas)
{
	struct swiotlb_test *t = test->priv;
	struct io_tlb_mem *mem = swiotlb_mem_create(4 * IO_TLB_SEGSIZE, nareas, GFP_KERNEL, false);
	struct hammer *h = kunit_kcalloc(test, NTHREADS, sizeof(*h), GFP_KERNEL);
	struct task_struct *task;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ(test, mem->pool.nareas, nareas);
	t->dev->dma_io_tlb_mem = mem;

	for (i = 0; i < NTHREADS; i++) {
		h[i].t = t;
		h[i].id = i;
		h[i].buf = test_buffer(test, MAX_LEN + PAGE_SIZE, 0);
		init_completion(&h[i].done);
		task = kthread_run(hammer_thread, &h[i], "swiotlb-kunit/%d", i);
		if (IS_ERR(task)) {
			KUNIT_FAIL(test, "could not start thread %d", i);
			complete(&h[i].done);
		}
	}
	for (i = 0; i < NTHREADS; i++) {
		wait_for_completion(&h[i].done);
		KUNIT_EXPECT_EQ_MSG(test, h[i].map_failures, 0, "thread %d", i);
		KUNIT_EXPECT_EQ_MSG(test, h[i].data_errors, 0, "thread %d", i);
	}

	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(mem), 0);
	t->dev->dma_io_tlb_mem = t->mem;
	if (!swiotlb_mem_used(mem))
		swiotlb_mem_destroy(mem);
}

/* The intended case: CPUs mostly work in areas of their own. */
static void swiotlb_test_concurrent_areas(struct kunit *test)
{
	run_hammers(test, 4);
}

/* Everyone in one area: the area lock alone keeps the slots consistent. */
static void swiotlb_test_concurrent_one_area(struct kunit *test)
{
	run_hammers(test, 1);
}

/* ---- Configuration ---- */

static void swiotlb_test_parse_params(struct kunit *test)
{
	static const struct {
		const char *arg;
		int ret;
		unsigned long nslabs;
		unsigned int nareas;
		enum swiotlb_mode mode;
	} cases[] = {
		{ "65536",		0,	 65536, 0, SWIOTLB_MODE_AUTO },
		{ "65536,4",		0,	 65536, 4, SWIOTLB_MODE_AUTO },
		{ "65536,4,force",	0,	 65536, 4, SWIOTLB_MODE_FORCE },
		{ "force",		0,	 0,	0, SWIOTLB_MODE_FORCE },
		{ "noforce",		0,	 0,	0, SWIOTLB_MODE_OFF },
		{ ",8",			0,	 0,	8, SWIOTLB_MODE_AUTO },
		{ "1024,,force",	0,	 1024,	0, SWIOTLB_MODE_FORCE },
		{ "0x800",		0,	 2048,	0, SWIOTLB_MODE_AUTO },
		{ "",			-EINVAL, 0,	0, SWIOTLB_MODE_AUTO },
		{ "abc",		-EINVAL, 0,	0, SWIOTLB_MODE_AUTO },
		{ "0",			-EINVAL, 0,	0, SWIOTLB_MODE_AUTO },
		{ "1024,0",		-EINVAL, 1024,	0, SWIOTLB_MODE_AUTO },
		{ "1024,x,force",	-EINVAL, 1024,	0, SWIOTLB_MODE_FORCE },
		{ "1024,4,force,junk",	-EINVAL, 1024,	4, SWIOTLB_MODE_FORCE },
		{ "99999999999999999999999", -EINVAL, 0, 0, SWIOTLB_MODE_AUTO },
		{ "1024,100000",	-EINVAL, 1024,	0, SWIOTLB_MODE_AUTO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct swiotlb_params p = { };
		int ret = swiotlb_parse_params(cases[i].arg, &p);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, p.nslabs, cases[i].nslabs, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, p.nareas, cases[i].nareas, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, p.mode, cases[i].mode, "swiotlb=%s", cases[i].arg);
	}
	KUNIT_EXPECT_EQ(test, swiotlb_parse_params(NULL, &(struct swiotlb_params){ }), -EINVAL);
}

static void swiotlb_test_geometry(struct kunit *test)
{
	static const struct {
		unsigned long nslabs;
		unsigned int nareas;
		unsigned long want_nslabs;
		unsigned int want_nareas;
	} cases[] = {
		{ 32768, 2, 32768, 2 },	/* the default on two CPUs: untouched */
		{ 1000, 4, 1024, 4 },	/* whole segments */
		{ 128, 4, 128, 1 },	/* each area holds a segment */
		{ 100, 3, 128, 1 },
		{ 600, 3, 768, 2 },	/* power of two areas, segments per area */
		{ 0, 0, 128, 1 },
	};
	struct io_tlb_pool pool = { };
	void *meta;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long nslabs = cases[i].nslabs;
		unsigned int nareas = cases[i].nareas;

		swiotlb_fit_geometry(&nslabs, &nareas);
		KUNIT_EXPECT_EQ_MSG(test, nslabs, cases[i].want_nslabs, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, nareas, cases[i].want_nareas, "case %u", i);
	}

	/* The pool constructor refuses a geometry the rounding would change. */
	meta = kunit_kzalloc(test, swiotlb_meta_size(1024, 4), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	KUNIT_EXPECT_EQ(test, swiotlb_init_io_tlb_pool(&pool, 0, 1000, 4, meta), -EINVAL);
	KUNIT_EXPECT_EQ(test, swiotlb_init_io_tlb_pool(&pool, 0, 1024, 3, meta), -EINVAL);
	KUNIT_EXPECT_EQ(test, swiotlb_init_io_tlb_pool(&pool, 0x100, 1024, 4, meta), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool.nslabs, 0);
}

static struct kunit_case swiotlb_test_cases[] = {
	KUNIT_CASE(swiotlb_test_to_device),
	KUNIT_CASE(swiotlb_test_from_device),
	KUNIT_CASE(swiotlb_test_bidirectional),
	KUNIT_CASE(swiotlb_test_skip_cpu_sync),
	KUNIT_CASE(swiotlb_test_partial_sync_for_cpu),
	KUNIT_CASE(swiotlb_test_partial_sync_for_device),
	KUNIT_CASE(swiotlb_test_sync_out_of_range),
	KUNIT_CASE(swiotlb_test_page_alignment),
	KUNIT_CASE(swiotlb_test_alloc_align_mask),
	KUNIT_CASE(swiotlb_test_min_align_mask),
	KUNIT_CASE(swiotlb_test_max_mapping_size),
	KUNIT_CASE(swiotlb_test_segment_boundary),
	KUNIT_CASE(swiotlb_test_exhaustion),
	KUNIT_CASE(swiotlb_test_no_pool),
	KUNIT_CASE(swiotlb_test_bad_requests),
	KUNIT_CASE(swiotlb_test_unreachable),
	KUNIT_CASE(swiotlb_test_bad_unmap),
	KUNIT_CASE(swiotlb_test_force_flag),
	KUNIT_CASE(swiotlb_test_hiwater),
	KUNIT_CASE_SLOW(swiotlb_test_concurrent_areas),
	KUNIT_CASE_SLOW(swiotlb_test_concurrent_one_area),
	KUNIT_CASE(swiotlb_test_parse_params),
	KUNIT_CASE(swiotlb_test_geometry),
	{}
};

static struct kunit_suite swiotlb_test_suite = {
	.name = "dma_swiotlb",
	.init = swiotlb_test_init,
	.exit = swiotlb_test_exit,
	.test_cases = swiotlb_test_cases,
};

kunit_test_suite(swiotlb_test_suite);

MODULE_DESCRIPTION("KUnit tests for the dmacore swiotlb bounce pool");
MODULE_LICENSE("GPL");
