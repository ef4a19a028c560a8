// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the IOMMU backend, on a real translated domain.
 *
 * The suite needs QEMU's edu device (PCI 1234:11e8) behind a strict DMA
 * domain: tools/testing/kunit/dma_qemu.py gives the KUnit machine an Intel
 * IOMMU and boots with iommu.strict=1.  No driver is bound to the edu
 * device; the tests map buffers for it through the DMA API and read the
 * domain's page tables back with iommu_iova_to_phys(), so what they check
 * is what the device would reach.  Without such a device every case is
 * skipped.
 *
 * This file is included at the end of dma-iommu.c, so that it can look at
 * a domain's IOVA space and flush queues.
 */

#include <kunit/test.h>
#include <linux/pci-p2pdma.h>
#include <linux/random.h>
#include <linux/scatterlist.h>

#include "../../kernel/dma/kunit_log.h"
#include "../../lib/dma-debug.h"
#include "../../kernel/dma/swiotlb_internal.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

/**
 * struct iommu_test - what each case gets
 * @pdev: the edu device
 * @domain: its translated DMA domain
 * @mask: its DMA mask before the case, put back after
 * @bounce: a private bounce pool while a case treats the device as untrusted
 * @saved_mem: the device's bounce pool before that
 */
struct iommu_test {
	struct pci_dev *pdev;
	struct iommu_domain *domain;
	u64 mask;
	struct io_tlb_mem *bounce;
	struct io_tlb_mem *saved_mem;
};

static int iommu_test_init(struct kunit *test)
{
	struct iommu_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);
	if (!t->pdev)
		kunit_skip(test, "no edu device");
	t->domain = iommu_get_domain_for_dev(&t->pdev->dev);
	if (!t->domain || t->domain->type != IOMMU_DOMAIN_DMA || !use_dma_iommu(&t->pdev->dev))
		kunit_skip(test, "the edu device is not behind a strict DMA domain");
	t->mask = dma_get_mask(&t->pdev->dev);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(&t->pdev->dev, DMA_BIT_MASK(64)), 0);
	return 0;
}

static void iommu_test_exit(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	if (!t || !t->pdev)
		return;
	if (t->domain && t->mask)
		dma_set_mask_and_coherent(&t->pdev->dev, t->mask);
	if (t->bounce) {
		t->pdev->untrusted = 0;
		t->pdev->dev.dma_io_tlb_mem = t->saved_mem;
		/* A failed case may have left mappings: leak the pool then. */
		if (!swiotlb_mem_used(t->bounce))
			swiotlb_mem_destroy(t->bounce);
	}
	pci_dev_put(t->pdev);
}

/* Whether the domain maps [@dma, @dma + @len) onto [@phys, @phys + @len). */
static bool maps_onto(struct iommu_domain *domain, dma_addr_t dma, phys_addr_t phys,
		      size_t len)
{
	size_t done;

	for (done = 0; done < len; done += PAGE_SIZE - offset_in_page(phys + done))
		if (iommu_iova_to_phys(domain, dma + done) != phys + done)
			return false;
	return iommu_iova_to_phys(domain, dma + len - 1) == phys + len - 1;
}

/* Nothing of [@dma, @dma + @len) is mapped any more. */
static bool unmapped(struct iommu_domain *domain, dma_addr_t dma, size_t len)
{
	size_t done;

	for (done = 0; done < len; done += PAGE_SIZE)
		if (iommu_iova_to_phys(domain, dma + done))
			return false;
	return !iommu_iova_to_phys(domain, dma + len - 1);
}

/* Buffers of awkward sizes and offsets go where the device can read them. */
static void iommu_test_round_trip(struct kunit *test)
{
	static const struct { size_t offset, len; } cases[] = {
		{ 0, 1 }, { 5, 100 }, { 0, PAGE_SIZE }, { 100, PAGE_SIZE },
		{ 4000, 3 * PAGE_SIZE + 7 }, { 0, SZ_64K },
	};
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	unsigned int i;
	dma_addr_t dma;
	u8 *buf;

	buf = kunit_kmalloc(test, SZ_64K + PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 *at = buf + cases[i].offset;

		dma = dma_map_single(dev, at, cases[i].len, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
		KUNIT_EXPECT_NE(test, dma, 0);
		/* The offset in the IOMMU page is the buffer's. */
		KUNIT_EXPECT_EQ(test, offset_in_page(dma), offset_in_page(at));
		KUNIT_EXPECT_TRUE_MSG(test, maps_onto(t->domain, dma, virt_to_phys(at),
						      cases[i].len),
				      "case %u: %pad does not map the buffer", i, &dma);
		dma_unmap_single(dev, dma, cases[i].len, DMA_BIDIRECTIONAL);
		/* Strict: nothing is left for the device once unmap returns. */
		KUNIT_EXPECT_TRUE_MSG(test, unmapped(t->domain, dma, cases[i].len),
				      "case %u: %pad still mapped after unmap", i, &dma);
	}
}

/* A list of separate pages becomes one IOVA range and one DMA segment. */
static void iommu_test_sg_merges(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	struct page *pages[8];
	struct scatterlist *sg;
	struct sg_table table;
	unsigned int i;
	int count;

	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, ARRAY_SIZE(pages), GFP_KERNEL), 0);
	for_each_sg(table.sgl, sg, ARRAY_SIZE(pages), i) {
		/* Every other page skipped, so that none is contiguous. */
		pages[i] = alloc_pages(GFP_KERNEL, 1);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		sg_set_page(sg, pages[i], PAGE_SIZE, 0);
	}
	count = dma_map_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, count, 1);
	KUNIT_EXPECT_EQ(test, sg_dma_len(table.sgl), ARRAY_SIZE(pages) * PAGE_SIZE);
	for (i = 0; count == 1 && i < ARRAY_SIZE(pages); i++)
		KUNIT_EXPECT_TRUE_MSG(test, maps_onto(t->domain, sg_dma_address(table.sgl) +
						      i * PAGE_SIZE, page_to_phys(pages[i]),
						      PAGE_SIZE),
				      "page %u is not where the segment says", i);
	dma_unmap_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	if (count == 1)
		KUNIT_EXPECT_TRUE(test, unmapped(t->domain, sg_dma_address(table.sgl),
						 ARRAY_SIZE(pages) * PAGE_SIZE));
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		__free_pages(pages[i], 1);
	sg_free_table(&table);
}

/*
 * A table of @n entries, entry i a block of 2^@order[i] pages of its own
 * (@pages[i]), whole; freed by free_sg_blocks().
 */
static void alloc_sg_blocks(struct kunit *test, struct sg_table *table, struct page **pages,
			    const unsigned int *order, unsigned int n)
{
	struct scatterlist *sg;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sg_alloc_table(table, n, GFP_KERNEL), 0);
	for_each_sg(table->sgl, sg, n, i) {
		pages[i] = alloc_pages(GFP_KERNEL, order[i]);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		sg_set_page(sg, pages[i], PAGE_SIZE << order[i], 0);
	}
}

static void free_sg_blocks(struct sg_table *table, struct page **pages,
			   const unsigned int *order, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__free_pages(pages[i], order[i]);
	sg_free_table(table);
}

/*
 * With a 64 KiB segment boundary, a list whose second entry would cross it
 * gets a hole before that entry: no DMA segment crosses the boundary, every
 * entry lands where its segment says, and unmap clears the whole range.
 */
static void iommu_test_sg_boundary(struct kunit *test)
{
	static const unsigned int order[] = { 3, 4, 2 };	/* 32K, 64K, 16K */
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	unsigned long saved_boundary = dma_get_seg_boundary(dev);
	struct page *pages[ARRAY_SIZE(order)];
	dma_addr_t first, last = 0, start;
	struct scatterlist *out;
	struct sg_table table;
	unsigned int i;
	int count;

	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	alloc_sg_blocks(test, &table, pages, order, ARRAY_SIZE(order));
	dma_set_seg_boundary(dev, SZ_64K - 1);
	count = dma_map_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	dma_set_seg_boundary(dev, saved_boundary);
	KUNIT_ASSERT_GT(test, count, 1);
	for_each_sg(table.sgl, out, count, i) {
		start = sg_dma_address(out);
		KUNIT_EXPECT_EQ_MSG(test, start >> 16, (start + sg_dma_len(out) - 1) >> 16,
				    "segment %u crosses a 64 KiB boundary", i);
	}
	/* Entries never merge across the hole: each one is a segment here. */
	KUNIT_EXPECT_EQ(test, count, (int)ARRAY_SIZE(order));
	first = sg_dma_address(table.sgl);
	for_each_sg(table.sgl, out, min_t(int, count, ARRAY_SIZE(order)), i) {
		KUNIT_EXPECT_TRUE_MSG(test, maps_onto(t->domain, sg_dma_address(out),
						      page_to_phys(pages[i]), sg_dma_len(out)),
				      "entry %u is not where its segment says", i);
		last = sg_dma_address(out) + sg_dma_len(out);
	}
	dma_unmap_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, first, last - first));
	free_sg_blocks(&table, pages, order, ARRAY_SIZE(order));
}

/* The domain's ops while a case counts the IOMMU driver's iotlb_sync calls. */
static const struct iommu_domain_ops *counted_ops;
static struct iommu_domain_ops counting_ops;
static atomic_t counted_syncs;

static void counting_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	atomic_inc(&counted_syncs);
	counted_ops->iotlb_sync(domain, gather);
}

/* Count invalidations from here to count_syncs_stop(); no ASSERT between. */
static void count_syncs_start(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	KUNIT_ASSERT_NOT_NULL(test, t->domain->ops->iotlb_sync);
	counted_ops = t->domain->ops;
	counting_ops = *counted_ops;
	counting_ops.iotlb_sync = counting_iotlb_sync;
	atomic_set(&counted_syncs, 0);
	t->domain->ops = &counting_ops;
}

static int count_syncs_stop(struct kunit *test)
{
	struct iommu_test *t = test->priv;

	t->domain->ops = counted_ops;
	return atomic_read(&counted_syncs);
}

/*
 * A strict dma_unmap_sg() of eight DMA segments (a 4 KiB segment limit
 * keeps the pages apart) invalidates the IOTLB once, with every segment
 * gone from the page tables by then.  The domain's ops are wrapped for the
 * case to count the IOMMU driver's iotlb_sync calls.
 */
static void iommu_test_sg_unmap_invalidates_once(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	static const unsigned int order[8];	/* single pages */
	unsigned int saved_max = dma_get_max_seg_size(dev);
	struct page *pages[ARRAY_SIZE(order)];
	struct scatterlist *sg;
	struct sg_table table;
	unsigned int i;
	int count;

	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	alloc_sg_blocks(test, &table, pages, order, ARRAY_SIZE(order));
	dma_set_max_seg_size(dev, PAGE_SIZE);
	count = dma_map_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	dma_set_max_seg_size(dev, saved_max);
	KUNIT_EXPECT_EQ(test, count, (int)ARRAY_SIZE(pages));

	count_syncs_start(test);
	dma_unmap_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, count_syncs_stop(test), 1);

	for_each_sg(table.sgl, sg, count, i)
		KUNIT_EXPECT_TRUE_MSG(test, unmapped(t->domain, sg_dma_address(sg),
						     sg_dma_len(sg)),
				      "segment %u still mapped after unmap", i);
	free_sg_blocks(&table, pages, order, ARRAY_SIZE(order));
}

/*
 * Coherent memory: a page is physically contiguous and mapped in the
 * domain; 64 KiB and 4 MiB (which gets 2 MiB blocks) are built from
 * separate pages, vmap()ed, and mapped at consecutive IOVAs, and
 * dma_get_sgtable() describes the same pages.  Both
 * come zeroed, and are gone from the domain after the free.  The KUnit
 * machine boots with init_on_free=1, so a free that used memory it had
 * already given back would fail here rather than work by luck.
 */
static void iommu_test_coherent(struct kunit *test)
{
	static const size_t sizes[] = { PAGE_SIZE, SZ_64K, SZ_4M };
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	struct sg_page_iter pages;
	struct sg_table table;
	unsigned int i, n;
	dma_addr_t dma;
	size_t done;
	u8 *cpu;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		cpu = dma_alloc_coherent(dev, sizes[i], &dma, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		KUNIT_EXPECT_FALSE(test, memchr_inv(cpu, 0, sizes[i]));
		KUNIT_EXPECT_EQ(test, is_vmalloc_addr(cpu), sizes[i] > PAGE_SIZE);
		for (done = 0; done < sizes[i]; done += PAGE_SIZE) {
			phys_addr_t phys = is_vmalloc_addr(cpu + done) ?
					   page_to_phys(vmalloc_to_page(cpu + done)) :
					   virt_to_phys(cpu + done);

			KUNIT_EXPECT_TRUE_MSG(test, maps_onto(t->domain, dma + done, phys,
							      PAGE_SIZE),
					      "%zu bytes: page at %zu is not where the CPU has it",
					      sizes[i], done);
		}
		KUNIT_ASSERT_EQ(test, dma_get_sgtable(dev, &table, cpu, dma, sizes[i]), 0);
		n = 0;
		for_each_sgtable_page(&table, &pages, 0) {
			u8 *at = cpu + (size_t)n++ * PAGE_SIZE;
			struct page *want = is_vmalloc_addr(at) ? vmalloc_to_page(at) :
							       virt_to_page(at);

			KUNIT_EXPECT_PTR_EQ(test, sg_page_iter_page(&pages), want);
		}
		KUNIT_EXPECT_EQ(test, n, sizes[i] / PAGE_SIZE);
		/* 4 MiB comes in blocks the IOMMU maps whole, not page by page. */
		if (sizes[i] == SZ_4M)
			KUNIT_EXPECT_LE(test, table.orig_nents, 2);
		sg_free_table(&table);
		dma_free_coherent(dev, sizes[i], cpu, dma);
		KUNIT_EXPECT_TRUE(test, unmapped(t->domain, dma, sizes[i]));
	}
}

/* IOVAs stay below the mask, and a PCI device starts below 4 GiB. */
static void iommu_test_masks(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	dma_addr_t dma;
	void *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_LE(test, dma + PAGE_SIZE - 1, DMA_BIT_MASK(32));
	dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);

	/* The edu device's own engine reaches 28 bits. */
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(28)), 0);
	dma = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_LE(test, dma + PAGE_SIZE - 1, DMA_BIT_MASK(28));
	dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, dma_get_required_mask(dev), DMA_BIT_MASK(32));
}

/* What the IOMMU driver and the host bridge reserve is never handed out. */
static void iommu_test_reserved_regions(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_dma_cookie *cookie = t->domain->iova_cookie;
	unsigned long shift = iova_shift(&cookie->space);
	struct iommu_resv_region *region;
	unsigned int checked = 0;
	struct iova *range;
	LIST_HEAD(regions);

	iommu_get_resv_regions(&t->pdev->dev, &regions);
	list_for_each_entry(region, &regions, list) {
		unsigned long last = (region->start + region->length - 1) >> shift;

		range = find_iova(&cookie->space, region->start >> shift);
		KUNIT_EXPECT_TRUE_MSG(test, range && range->reserved && range->pfn_hi >= last,
				      "region %pa+%zx (type %d) is not reserved", &region->start,
				      region->length, region->type);
		checked++;
	}
	iommu_put_resv_regions(&t->pdev->dev, &regions);
	/* Intel's IOMMU always reports the interrupt window. */
	KUNIT_EXPECT_GT(test, checked, 0);
}

/* A full IOVA space fails cleanly, names the device, and recovers. */
static void iommu_test_exhaustion(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	unsigned int n = 0, most = 512, i;
	dma_addr_t *dma;
	void *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	dma = kunit_kcalloc(test, most, sizeof(*dma), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, dma);
	/* 1 MiB: 255 IOMMU pages once page 0 is left out. */
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(20)), 0);
	dma_kunit_log_start(test);
	while (n < most) {
		dma[n] = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, dma[n]))
			break;
		n++;
	}
	KUNIT_EXPECT_LT(test, n, most);
	KUNIT_EXPECT_GE(test, n, 200);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "no free IOVA range"));
	KUNIT_ASSERT_GT(test, n, 0);

	dma_unmap_single(dev, dma[--n], PAGE_SIZE, DMA_TO_DEVICE);
	dma[n] = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dma[n]));
	if (!dma_mapping_error(dev, dma[n]))
		n++;
	for (i = 0; i < n; i++)
		dma_unmap_single(dev, dma[i], PAGE_SIZE, DMA_TO_DEVICE);
}

/* Unmapping what was never mapped is reported and changes nothing. */
static void iommu_test_bad_unmap(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	dma_addr_t dma, stray;
	void *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	/* An address just above the mapping, which nothing maps. */
	stray = dma + 16 * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, iommu_iova_to_phys(t->domain, stray), 0);
	dma_kunit_log_start(test);
	iommu_dma_unmap_page(dev, stray, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "which is not mapped"));
	/* The real mapping is untouched. */
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, dma, virt_to_phys(buf), PAGE_SIZE));
	dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
}

/* A lazy domain of the test's own for the edu device, not attached to it. */
static struct iommu_domain *lazy_test_domain(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_dma_cookie *cookie;
	struct iommu_domain *domain;

	domain = iommu_paging_domain_alloc(&t->pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	KUNIT_ASSERT_EQ(test, iommu_get_dma_cookie(domain), 0);
	cookie = domain->iova_cookie;
	init_iova_domain(&cookie->space, PAGE_SIZE, 1);
	cookie->ready = true;
	KUNIT_ASSERT_EQ(test, iommu_dma_init_fq(domain), 0);
	return domain;
}

/* Ranges waiting in @cookie's flush queues, all CPUs together. */
static unsigned int fq_queued(struct iommu_dma_cookie *cookie)
{
	unsigned int queued = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		queued += per_cpu_ptr(cookie->fq, cpu)->count;
	return queued;
}

/* A lazy domain's queued ranges are flushed and freed at teardown. */
static void iommu_test_flush_queue_drains(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct iommu_dma_cookie *cookie;
	struct iommu_iotlb_gather gather;
	struct iommu_domain *domain;
	unsigned long pfn;
	struct flush_queue *fq;
	struct page *page;
	int cpu;

	domain = lazy_test_domain(test);
	cookie = domain->iova_cookie;
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);

	pfn = alloc_iova_fast(&cookie->space, 1, DMA_BIT_MASK(32) >> PAGE_SHIFT, false);
	KUNIT_ASSERT_NE(test, pfn, 0);
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, pfn << PAGE_SHIFT, page_to_phys(page),
					   PAGE_SIZE, IOMMU_READ, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, unmap_begin(&t->pdev->dev, cookie, pfn << PAGE_SHIFT, &gather));
	KUNIT_EXPECT_TRUE(test, gather.queued);
	KUNIT_EXPECT_EQ(test, iommu_unmap_fast(domain, pfn << PAGE_SHIFT, PAGE_SIZE, &gather),
			PAGE_SIZE);
	iova_free(cookie, pfn << PAGE_SHIFT, PAGE_SIZE, &gather);
	KUNIT_EXPECT_EQ(test, fq_queued(cookie), 1);

	fq_drain(cookie);
	for_each_possible_cpu(cpu) {
		fq = per_cpu_ptr(cookie->fq, cpu);
		KUNIT_EXPECT_EQ(test, fq->count, 0);
	}
	/* The drained range is reusable: it is the highest one there is. */
	KUNIT_EXPECT_EQ(test, alloc_iova_fast(&cookie->space, 1,
					      DMA_BIT_MASK(32) >> PAGE_SHIFT, false), pfn);
	iommu_domain_free(domain);
	__free_page(page);
}

/*
 * A CPU whose queue is full flushes and must then find every entry of its
 * queue reusable, even while a flush that began earlier, on another CPU,
 * has not finished (as a preempted vCPU's may not have): otherwise its ring
 * would overflow and free ranges twice.  The slow flush is faked by
 * counting one as begun and never finishing it.
 */
static void iommu_test_flush_queue_full_during_slow_flush(struct kunit *test)
{
	struct iommu_dma_cookie *cookie;
	struct iommu_domain *domain;
	struct flush_queue *fq;
	LIST_HEAD(no_pages);
	unsigned long pfn;
	unsigned int i;

	domain = lazy_test_domain(test);
	cookie = domain->iova_cookie;

	atomic64_inc(&cookie->fq_started);
	migrate_disable();
	fq = this_cpu_ptr(cookie->fq);
	for (i = 0; i <= IOMMU_DMA_FQ_ENTRIES; i++) {
		pfn = alloc_iova_fast(&cookie->space, 1, DMA_BIT_MASK(32) >> PAGE_SHIFT, false);
		if (!pfn)
			break;
		fq_queue(cookie, pfn, 1, &no_pages);
	}
	migrate_enable();
	KUNIT_EXPECT_EQ(test, i, IOMMU_DMA_FQ_ENTRIES + 1);
	/*
	 * The last one found the ring full, and everything before it went (1
	 * is left, fewer than all if the flush timer came in between).
	 */
	KUNIT_EXPECT_LT(test, fq->count, IOMMU_DMA_FQ_ENTRIES);
	iommu_domain_free(domain);
}

/*
 * Make the edu device untrusted for the rest of the case, bouncing through
 * a private pool filled with 0xee, so that leftovers would show.
 */
static void make_untrusted(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct io_tlb_pool *pool;

	t->bounce = swiotlb_mem_create(IO_TLB_SEGSIZE, 1, GFP_KERNEL, false);
	KUNIT_ASSERT_NOT_NULL(test, t->bounce);
	pool = &t->bounce->pool;
	memset(phys_to_virt(pool->start), 0xee, pool->nslabs << IO_TLB_SHIFT);
	t->saved_mem = t->pdev->dev.dma_io_tlb_mem;
	t->pdev->dev.dma_io_tlb_mem = t->bounce;
	t->pdev->untrusted = 1;
}

/*
 * The device reaches a bounce granule at @dma holding zeroes, @len bytes of
 * @want at @dma's offset, and zeroes again.
 */
static bool granule_shows(struct kunit *test, dma_addr_t dma, const u8 *want, size_t len)
{
	struct iommu_test *t = test->priv;
	size_t offset = offset_in_page(dma);
	phys_addr_t phys = iommu_iova_to_phys(t->domain, dma - offset);
	const u8 *seen;

	if (!phys || !is_swiotlb_buffer(&t->pdev->dev, phys))
		return false;
	seen = phys_to_virt(phys);
	return !memchr_inv(seen, 0, offset) && !memcmp(seen + offset, want, len) &&
	       !memchr_inv(seen + offset + len, 0, PAGE_SIZE - offset - len);
}

/* A sub-page buffer: the device sees its bytes and nothing that shares the page. */
static void iommu_test_untrusted_sub_page(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t offset = 100, len = 64;
	u8 *page, *buf;
	dma_addr_t dma;
	size_t i;

	make_untrusted(test);
	page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(page));
	memset(page, 0xa5, PAGE_SIZE);
	buf = page + offset;
	for (i = 0; i < len; i++)
		buf[i] = i + 1;

	dma = dma_map_single(dev, buf, len, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, offset_in_page(dma), offset);
	KUNIT_EXPECT_TRUE_MSG(test, granule_shows(test, dma, buf, len),
			      "the device's granule at %pad is not the buffer padded with zeroes",
			      &dma);
	/* The device writes; the CPU gets exactly its bytes back. */
	memset(phys_to_virt(iommu_iova_to_phys(t->domain, dma)), 0x3c, len);
	dma_unmap_single(dev, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x3c, len));
	KUNIT_EXPECT_FALSE(test, memchr_inv(page, 0xa5, offset));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + len, 0xa5, PAGE_SIZE - offset - len));
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, dma, len));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
}

/*
 * A large buffer: only its part-filled first and last granules are
 * bounced, the rest is mapped in place, and a sync of its last bytes
 * reaches the CPU.  A buffer of whole granules is not bounced at all, and
 * the bounce pool does not bound the mapping size.
 */
static void iommu_test_untrusted_large(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t offset = 4000, len = 3 * PAGE_SIZE + 7;
	size_t head = PAGE_SIZE - offset % PAGE_SIZE;
	size_t tail = (offset + len) % PAGE_SIZE;
	struct page *pages;
	dma_addr_t dma;
	u8 *buf;

	make_untrusted(test);
	pages = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	buf = page_address(pages) + offset;
	get_random_bytes(buf, len);

	dma = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_TRUE(test, granule_shows(test, dma, buf, head));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, dma + head, virt_to_phys(buf + head),
					  len - head - tail));
	KUNIT_EXPECT_TRUE(test, granule_shows(test, dma + len - tail, buf + len - tail, tail));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 2 * (PAGE_SIZE >> IO_TLB_SHIFT));

	memset(phys_to_virt(iommu_iova_to_phys(t->domain, dma + len - 7)), 0x77, 7);
	dma_sync_single_for_cpu(dev, dma + len - 7, 7, DMA_FROM_DEVICE);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + len - 7, 0x77, 7));
	dma_unmap_single(dev, dma, len, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, dma, len));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);

	dma = dma_map_single(dev, page_address(pages), 2 * PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, dma, page_to_phys(pages), 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
	dma_unmap_single(dev, dma, 2 * PAGE_SIZE, DMA_TO_DEVICE);
	__free_pages(pages, 2);

	/* Four times what the pool could bounce in one piece. */
	KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), SIZE_MAX);
	pages = alloc_pages(GFP_KERNEL, get_order(SZ_1M));
	KUNIT_ASSERT_NOT_NULL(test, pages);
	buf = page_address(pages);
	dma = dma_map_single(dev, buf + 100, SZ_1M - 200, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 2 * (PAGE_SIZE >> IO_TLB_SHIFT));
	if (!dma_mapping_error(dev, dma))
		dma_unmap_single(dev, dma, SZ_1M - 200, DMA_TO_DEVICE);
	__free_pages(pages, get_order(SZ_1M));
}

/* An untrusted device's list is not merged: each segment is bounced alone. */
static void iommu_test_untrusted_sg(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	struct scatterlist *sg;
	struct sg_table table;
	unsigned int i;
	int count;
	u8 *buf;

	make_untrusted(test);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	get_random_bytes(buf, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, 2, GFP_KERNEL), 0);
	sg_set_buf(table.sgl, buf + 8, 200);
	sg_set_buf(sg_next(table.sgl), buf + 1000, 300);

	count = dma_map_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, count, 2);
	for_each_sg(table.sgl, sg, count, i)
		KUNIT_EXPECT_TRUE_MSG(test, granule_shows(test, sg_dma_address(sg), sg_virt(sg),
							  sg->length),
				      "segment %u", i);
	if (count > 0)
		dma_unmap_sg(dev, table.sgl, table.orig_nents, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
	sg_free_table(&table);
}

/* A page of its own, filled with @fill. */
static u8 *test_page(struct kunit *test, u8 fill)
{
	u8 *page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(page));
	memset(page, fill, PAGE_SIZE);
	return page;
}

/*
 * With the edu device's own domain made lazy for the case, a trusted unmap
 * is queued but an untrusted one is not: its bounce granule goes back to
 * swiotlb, so the invalidation must come first.
 */
static void iommu_test_untrusted_unmap_strict_in_lazy_domain(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	struct iommu_dma_cookie *cookie = t->domain->iova_cookie;
	u8 *page = test_page(test, 0xa5);
	dma_addr_t dma;

	make_untrusted(test);
	KUNIT_ASSERT_EQ(test, iommu_dma_init_fq(t->domain), 0);
	dma = dma_map_single(dev, page + 100, 64, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dma));
	if (!dma_mapping_error(dev, dma)) {
		dma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, fq_queued(cookie), 0);
		KUNIT_EXPECT_TRUE(test, unmapped(t->domain, dma, 64));
	}
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);

	t->pdev->untrusted = 0;
	dma = dma_map_single(dev, page, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_mapping_error(dev, dma));
	if (!dma_mapping_error(dev, dma)) {
		dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, fq_queued(cookie), 1);
	}
	/* Strict again: drain the queue and drop it. */
	fq_destroy(cookie);
}

#define UNTRUSTED_SG_SEGMENTS	10

/*
 * An untrusted device's list of ten bounced 100-byte segments: unmap
 * copies every segment's device writes back, leaves the bytes around them
 * alone, frees every bounce granule and invalidates once per eight
 * segments, two in all.
 */
static void iommu_test_untrusted_sg_batch(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t offset = 300, len = 100;
	u8 *pages[UNTRUSTED_SG_SEGMENTS];
	phys_addr_t bounce;
	struct scatterlist *sg;
	struct sg_table table;
	unsigned int i;
	int count;

	make_untrusted(test);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, UNTRUSTED_SG_SEGMENTS, GFP_KERNEL), 0);
	for_each_sg(table.sgl, sg, UNTRUSTED_SG_SEGMENTS, i) {
		pages[i] = test_page(test, 0xa5);
		sg_set_buf(sg, pages[i] + offset, len);
	}
	count = dma_map_sg(dev, table.sgl, table.orig_nents, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, count, UNTRUSTED_SG_SEGMENTS);
	/* The device writes each segment through its bounce granule. */
	for_each_sg(table.sgl, sg, count, i) {
		bounce = iommu_iova_to_phys(t->domain, sg_dma_address(sg));
		KUNIT_ASSERT_TRUE(test, bounce && is_swiotlb_buffer(dev, bounce));
		memset(phys_to_virt(bounce), i + 1, len);
	}

	count_syncs_start(test);
	dma_unmap_sg(dev, table.sgl, table.orig_nents, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, count_syncs_stop(test), 2);
	for_each_sg(table.sgl, sg, UNTRUSTED_SG_SEGMENTS, i) {
		KUNIT_EXPECT_FALSE_MSG(test, memchr_inv(pages[i] + offset, i + 1, len),
				       "segment %u did not get the device's data back", i);
		KUNIT_EXPECT_FALSE(test, memchr_inv(pages[i], 0xa5, offset));
		KUNIT_EXPECT_FALSE(test, memchr_inv(pages[i] + offset + len, 0xa5,
						    PAGE_SIZE - offset - len));
		KUNIT_EXPECT_TRUE(test, unmapped(t->domain, sg_dma_address(sg), len));
	}
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
	sg_free_table(&table);
}

#define IOVA_TEST_PAGES	8

/*
 * Two-step mapping of a buffer made of separate pages, the first of which
 * it starts 256 bytes into: each link lands at its offset in the range, a
 * partial unlink takes down exactly what it names and leaves the range's
 * addresses to be linked again, and destroy clears everything, holes and
 * all.
 */
static void iommu_test_iova_link_unlink(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t head = 256, len = IOVA_TEST_PAGES * PAGE_SIZE - head;
	phys_addr_t phys[IOVA_TEST_PAGES];
	size_t at[IOVA_TEST_PAGES], sz[IOVA_TEST_PAGES], off = 0;
	struct dma_iova_state state;
	unsigned int i, errors = 0;
	phys_addr_t spare;

	for (i = 0; i < IOVA_TEST_PAGES; i++) {
		phys[i] = virt_to_phys(test_page(test, i)) + (i ? 0 : head);
		at[i] = off;
		sz[i] = i ? PAGE_SIZE : PAGE_SIZE - head;
		off += sz[i];
	}
	spare = virt_to_phys(test_page(test, 0xff));
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG))
		errors = dma_debug_error_count();

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(dev, &state, phys[0], len));
	KUNIT_EXPECT_TRUE(test, dma_use_iova(&state));
	KUNIT_EXPECT_EQ(test, dma_iova_size(&state), len);
	KUNIT_EXPECT_EQ(test, offset_in_page(state.addr), head);
	/* Nothing is reachable before a link. */
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr - head, len + head));
	for (i = 0; i < IOVA_TEST_PAGES; i++)
		KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, phys[i], at[i], sz[i],
						    DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_iova_sync(dev, &state, 0, len), 0);
	for (i = 0; i < IOVA_TEST_PAGES; i++)
		KUNIT_EXPECT_TRUE_MSG(test,
				      maps_onto(t->domain, state.addr + at[i], phys[i], sz[i]),
				      "link %u is not where it was put", i);

	dma_iova_unlink(dev, &state, at[3], sz[3], DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr + at[3], sz[3]));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr + at[2], phys[2], sz[2]));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr + at[4], phys[4], sz[4]));
	KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, spare, at[3], PAGE_SIZE,
					    DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr + at[3], spare, PAGE_SIZE));

	/* Two links at once, leaving a hole for destroy to step over. */
	dma_iova_unlink(dev, &state, at[5], sz[5] + sz[6], DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr + at[5], sz[5] + sz[6]));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr + at[7], phys[7], sz[7]));

	dma_iova_destroy(dev, &state, len, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr - head, len + head));
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG))
		KUNIT_EXPECT_EQ(test, dma_debug_error_count(), errors);
}

/*
 * Bad links are refused with a message and change nothing; misuse the
 * API checker can see (an unlink of what was never linked or of half a
 * link, a free of a range with live links) is reported by it.
 */
static void iommu_test_iova_misuse(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	phys_addr_t a = virt_to_phys(test_page(test, 1));
	phys_addr_t b = virt_to_phys(test_page(test, 2));
	u8 *pair = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	struct dma_iova_state state;
	unsigned int errors = 0;
	char report[256];

	KUNIT_ASSERT_NOT_NULL(test, pair);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)pair, 2 * PAGE_SIZE));
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(dev, &state, a, 4 * PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, a, 0, PAGE_SIZE, DMA_TO_DEVICE, 0), 0);

	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, b + 100, PAGE_SIZE, 64,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "has another offset in its"));
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, b, 0, PAGE_SIZE, DMA_TO_DEVICE, 0),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "is linked already"));
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr, a, PAGE_SIZE));
	dma_kunit_log_start(test);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, b, 3 * PAGE_SIZE, 2 * PAGE_SIZE,
					    DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "lie outside the IOVA range"));
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, b, PAGE_SIZE, 0, DMA_TO_DEVICE, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_iova_link(dev, &state, b, PAGE_SIZE, PAGE_SIZE, DMA_NONE, 0),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr + PAGE_SIZE, 3 * PAGE_SIZE));

	if (IS_ENABLED(CONFIG_DMA_API_DEBUG))
		errors = dma_debug_error_count();
	/* Never linked: the checker says so, the IOMMU has nothing to clear. */
	dma_iova_unlink(dev, &state, 2 * PAGE_SIZE, PAGE_SIZE, DMA_TO_DEVICE, 0);
	/* Half of a two-page link. */
	KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, virt_to_phys(pair), 2 * PAGE_SIZE,
					    2 * PAGE_SIZE, DMA_TO_DEVICE, 0), 0);
	dma_iova_unlink(dev, &state, 2 * PAGE_SIZE, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr + 2 * PAGE_SIZE, PAGE_SIZE));
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG)) {
		dma_debug_last_report(report, sizeof(report));
		KUNIT_EXPECT_NOT_NULL(test, strstr(report, "unlink-partial"));
	}
	/* Freed with a link still live. */
	dma_iova_free(dev, &state);
	if (IS_ENABLED(CONFIG_DMA_API_DEBUG)) {
		KUNIT_EXPECT_EQ(test, dma_debug_error_count() - errors, 3);
		dma_debug_last_report(report, sizeof(report));
		KUNIT_EXPECT_NOT_NULL(test, strstr(report, "free-linked"));
	}
	/* What outlived the range is taken down by hand. */
	iommu_unmap(t->domain, state.addr, PAGE_SIZE);
	iommu_unmap(t->domain, state.addr + 3 * PAGE_SIZE, PAGE_SIZE);
}

/*
 * An untrusted device's part-filled granule is bounced in a link as in a
 * map: the device sees the buffer padded with zeroes, whole pages are
 * linked in place, and destroy copies the device's writes back and gives
 * the bounce granule back.
 */
static void iommu_test_iova_untrusted(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t offset = 100, len = 64, second = PAGE_SIZE - offset;
	u8 *page, *whole, *buf;
	struct dma_iova_state state;
	size_t i;

	make_untrusted(test);
	page = test_page(test, 0xa5);
	whole = test_page(test, 0x5a);
	buf = page + offset;
	for (i = 0; i < len; i++)
		buf[i] = i + 1;

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(dev, &state, virt_to_phys(buf),
						   second + PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, virt_to_phys(buf), 0, len,
					    DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, virt_to_phys(whole), second, PAGE_SIZE,
					    DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_EXPECT_TRUE(test, state.__size & DMA_IOVA_USE_SWIOTLB);
	KUNIT_EXPECT_TRUE_MSG(test, granule_shows(test, state.addr, buf, len),
			      "the device's first granule is not the buffer padded with zeroes");
	KUNIT_EXPECT_TRUE(test, maps_onto(t->domain, state.addr + second, virt_to_phys(whole),
					  PAGE_SIZE));

	memset(phys_to_virt(iommu_iova_to_phys(t->domain, state.addr)), 0x3c, len);
	dma_iova_destroy(dev, &state, second + PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x3c, len));
	KUNIT_EXPECT_FALSE(test, memchr_inv(page, 0xa5, offset));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + len, 0xa5, PAGE_SIZE - offset - len));
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr - offset, second + PAGE_SIZE +
					 offset));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
}

#define IOVA_BATCH_LINKS	20

/*
 * More bounced links than one invalidation batch covers: destroy copies
 * every granule's device writes back, touches nothing else in the pages,
 * and leaves no bounce slot or mapping behind.
 */
static void iommu_test_iova_untrusted_batch(struct kunit *test)
{
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	const size_t len = 64, mapped = (IOVA_BATCH_LINKS - 1) * PAGE_SIZE + len;
	u8 *bufs[IOVA_BATCH_LINKS];
	struct dma_iova_state state;
	phys_addr_t bounce;
	unsigned int i;

	make_untrusted(test);
	for (i = 0; i < IOVA_BATCH_LINKS; i++)
		bufs[i] = test_page(test, 0xa5);
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(dev, &state, virt_to_phys(bufs[0]),
						   IOVA_BATCH_LINKS * PAGE_SIZE));
	for (i = 0; i < IOVA_BATCH_LINKS; i++)
		KUNIT_ASSERT_EQ(test, dma_iova_link(dev, &state, virt_to_phys(bufs[i]),
						    i * PAGE_SIZE, len, DMA_FROM_DEVICE, 0), 0);

	/* The device writes each of its bounce granules. */
	for (i = 0; i < IOVA_BATCH_LINKS; i++) {
		bounce = iommu_iova_to_phys(t->domain, state.addr + i * PAGE_SIZE);
		KUNIT_ASSERT_TRUE(test, bounce && is_swiotlb_buffer(dev, bounce));
		memset(phys_to_virt(bounce), i + 1, len);
	}
	dma_iova_destroy(dev, &state, mapped, DMA_FROM_DEVICE, 0);
	for (i = 0; i < IOVA_BATCH_LINKS; i++) {
		KUNIT_EXPECT_FALSE_MSG(test, memchr_inv(bufs[i], i + 1, len),
				       "link %u did not get the device's data back", i);
		KUNIT_EXPECT_FALSE(test, memchr_inv(bufs[i] + len, 0xa5, PAGE_SIZE - len));
	}
	KUNIT_EXPECT_TRUE(test, unmapped(t->domain, state.addr, IOVA_BATCH_LINKS * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
}

/*
 * Peer-to-peer memory comes from the KUnit machine's ivshmem device, whose
 * BAR 2 (4 MiB of QEMU's RAM, see dma_qemu.py) the first case to need it
 * hands to drivers/pci/p2pdma.c.  Returns the device, with a reference the
 * case drops at its end.
 */
#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define IVSHMEM_BAR	2

KUNIT_DEFINE_ACTION_WRAPPER(put_pci_dev, pci_dev_put, struct pci_dev *);

static struct pci_dev *p2p_provider(struct kunit *test)
{
	static bool added;
	struct pci_dev *pdev;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		kunit_skip(test, "no CONFIG_PCI_P2PDMA");
	pdev = pci_get_device(IVSHMEM_VENDOR, IVSHMEM_DEVICE, NULL);
	if (!pdev)
		kunit_skip(test, "no ivshmem device to take peer-to-peer memory from");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_pci_dev, pdev), 0);
	if (!added) {
		KUNIT_ASSERT_EQ(test, pci_p2pdma_add_resource(pdev, IVSHMEM_BAR, 0, 0), 0);
		added = true;
	}
	return pdev;
}

/* No entry of @table is left marked as a bus address. */
static bool no_bus_addresses(struct sg_table *table)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i)
		if (sg_dma_is_bus_address(sg))
			return false;
	return true;
}

/*
 * The ivshmem device is its own peer: its BAR reaches it by PCI bus address,
 * with no IOMMU in the way.  In a list of RAM, BAR, BAR, RAM, the two BAR
 * pages become segments of their own holding their bus addresses, and the
 * RAM pages are mapped in the device's domain; a list of BAR pages alone
 * takes no IOVA at all.  Unmap clears the marks and the mappings, also past
 * an empty BAR entry.
 */
static void iommu_test_p2p_bus_address(struct kunit *test)
{
	struct pci_dev *provider = p2p_provider(test);
	struct device *dev = &provider->dev;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	u8 *ram[2] = { test_page(test, 1), test_page(test, 2) };
	dma_addr_t bus, iova[2];
	struct scatterlist *sg;
	struct sg_table table;
	u8 *bar;

	if (!use_dma_iommu(dev))
		kunit_skip(test, "the ivshmem device is not behind a DMA domain");
	KUNIT_EXPECT_TRUE(test, dma_pci_p2pdma_supported(dev));
	bar = pci_alloc_p2pmem(provider, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, bar);
	bus = pci_p2pmem_virt_to_bus(provider, bar);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, 4, GFP_KERNEL), 0);
	sg = table.sgl;
	sg_set_buf(sg, ram[0], PAGE_SIZE);
	sg = sg_next(sg);
	sg_set_page(sg, virt_to_page(bar), PAGE_SIZE, 0);
	sg = sg_next(sg);
	sg_set_page(sg, virt_to_page(bar + PAGE_SIZE), PAGE_SIZE, 0);
	sg = sg_next(sg);
	sg_set_buf(sg, ram[1], PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &table, DMA_BIDIRECTIONAL, 0), 0);
	KUNIT_ASSERT_EQ(test, table.nents, 4);
	sg = table.sgl;
	iova[0] = sg_dma_address(sg);
	KUNIT_EXPECT_FALSE(test, sg_dma_is_bus_address(sg));
	KUNIT_EXPECT_TRUE(test, maps_onto(domain, iova[0], virt_to_phys(ram[0]), PAGE_SIZE));
	sg = sg_next(sg);
	KUNIT_EXPECT_TRUE(test, sg_dma_is_bus_address(sg));
	KUNIT_EXPECT_EQ(test, sg_dma_address(sg), bus);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sg), PAGE_SIZE);
	sg = sg_next(sg);
	KUNIT_EXPECT_TRUE(test, sg_dma_is_bus_address(sg));
	KUNIT_EXPECT_EQ(test, sg_dma_address(sg), bus + PAGE_SIZE);
	sg = sg_next(sg);
	iova[1] = sg_dma_address(sg);
	KUNIT_EXPECT_FALSE(test, sg_dma_is_bus_address(sg));
	KUNIT_EXPECT_TRUE(test, maps_onto(domain, iova[1], virt_to_phys(ram[1]), PAGE_SIZE));
	dma_unmap_sgtable(dev, &table, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_TRUE(test, no_bus_addresses(&table));
	KUNIT_EXPECT_TRUE(test, unmapped(domain, iova[0], PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, unmapped(domain, iova[1], PAGE_SIZE));
	sg_free_table(&table);

	/* Only BAR pages: two bus-address segments and nothing to map. */
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, 2, GFP_KERNEL), 0);
	sg_set_page(table.sgl, virt_to_page(bar), PAGE_SIZE, 0);
	sg_set_page(sg_next(table.sgl), virt_to_page(bar + PAGE_SIZE), PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &table, DMA_TO_DEVICE, 0), 0);
	KUNIT_EXPECT_EQ(test, table.nents, 2);
	KUNIT_EXPECT_EQ(test, sg_dma_address(table.sgl), bus);
	KUNIT_EXPECT_EQ(test, sg_dma_address(sg_next(table.sgl)), bus + PAGE_SIZE);
	dma_unmap_sgtable(dev, &table, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, no_bus_addresses(&table));

	/* An empty BAR entry first: unmap must go past it to the RAM after. */
	sg_set_page(table.sgl, virt_to_page(bar), 0, 0);
	sg_set_buf(sg_next(table.sgl), ram[0], PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &table, DMA_TO_DEVICE, 0), 0);
	KUNIT_ASSERT_EQ(test, table.nents, 2);
	iova[0] = sg_dma_address(sg_next(table.sgl));
	KUNIT_EXPECT_TRUE(test, maps_onto(domain, iova[0], virt_to_phys(ram[0]), PAGE_SIZE));
	dma_unmap_sgtable(dev, &table, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_TRUE(test, no_bus_addresses(&table));
	KUNIT_EXPECT_TRUE(test, unmapped(domain, iova[0], PAGE_SIZE));
	sg_free_table(&table);
	pci_free_p2pmem(provider, bar, 2 * PAGE_SIZE);
}

/*
 * The edu device and the ivshmem device share no PCI switch, and p2pdma
 * does not trust QEMU's q35 host bridge to pass traffic between them: a
 * list with a BAR page in it is refused with -EREMOTEIO and a message, for
 * a trusted and an untrusted edu device alike, and the RAM entry mapped
 * before the refusal is unmapped (for the untrusted device, its bounce
 * granule is back in the pool) with the list as the driver built it.
 */
static void iommu_test_p2p_unreachable(struct kunit *test)
{
	struct pci_dev *provider = p2p_provider(test);
	struct iommu_test *t = test->priv;
	struct device *dev = &t->pdev->dev;
	u8 *ram = test_page(test, 3);
	struct sg_table table;
	unsigned int pass;
	u8 *bar;

	bar = pci_alloc_p2pmem(provider, PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, bar);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&table, 2, GFP_KERNEL), 0);
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			make_untrusted(test);
		sg_set_buf(table.sgl, ram + 100, 200);
		sg_set_page(sg_next(table.sgl), virt_to_page(bar), PAGE_SIZE, 0);
		dma_kunit_log_start(test);
		KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &table, DMA_TO_DEVICE, 0), -EREMOTEIO);
		KUNIT_EXPECT_TRUE(test, dma_kunit_log_contains(test, "peer-to-peer page"));
		KUNIT_EXPECT_EQ(test, table.sgl->offset, 100);
		KUNIT_EXPECT_EQ(test, table.sgl->length, 200);
		KUNIT_EXPECT_TRUE(test, no_bus_addresses(&table));
	}
	KUNIT_EXPECT_EQ(test, swiotlb_mem_used(t->bounce), 0);
	sg_free_table(&table);
	pci_free_p2pmem(provider, bar, PAGE_SIZE);
}

static struct kunit_case iommu_test_cases[] = {
	KUNIT_CASE(iommu_test_round_trip),
	KUNIT_CASE(iommu_test_sg_merges),
	KUNIT_CASE(iommu_test_sg_boundary),
	KUNIT_CASE(iommu_test_sg_unmap_invalidates_once),
	KUNIT_CASE(iommu_test_coherent),
	KUNIT_CASE(iommu_test_masks),
	KUNIT_CASE(iommu_test_reserved_regions),
	KUNIT_CASE(iommu_test_exhaustion),
	KUNIT_CASE(iommu_test_bad_unmap),
	KUNIT_CASE(iommu_test_flush_queue_drains),
	KUNIT_CASE(iommu_test_flush_queue_full_during_slow_flush),
	KUNIT_CASE(iommu_test_untrusted_sub_page),
	KUNIT_CASE(iommu_test_untrusted_large),
	KUNIT_CASE(iommu_test_untrusted_sg),
	KUNIT_CASE(iommu_test_untrusted_sg_batch),
	KUNIT_CASE(iommu_test_untrusted_unmap_strict_in_lazy_domain),
	KUNIT_CASE(iommu_test_iova_link_unlink),
	KUNIT_CASE(iommu_test_iova_misuse),
	KUNIT_CASE(iommu_test_iova_untrusted),
	KUNIT_CASE(iommu_test_iova_untrusted_batch),
	KUNIT_CASE(iommu_test_p2p_bus_address),
	KUNIT_CASE(iommu_test_p2p_unreachable),
	{}
};

static struct kunit_suite iommu_test_suite = {
	.name = "dma_iommu",
	.init = iommu_test_init,
	.exit = iommu_test_exit,
	.test_cases = iommu_test_cases,
};

kunit_test_suite(iommu_test_suite);
