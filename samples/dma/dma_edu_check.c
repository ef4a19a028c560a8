// SPDX-License-Identifier: GPL-2.0
/*
 * dma_edu_check: does the IOMMU keep a device to the memory it was given?
 *
 * QEMU's edu device (PCI 1234:11e8) has a DMA engine that copies between
 * its own 4 KiB buffer (at 0x40000 in the engine's address space) and any
 * bus address, 28 bits wide, that the driver programs into BAR0.  Bound
 * through driver_override, this driver makes it do three transfers:
 *
 *	round-trip	a mapped page to the buffer and back to another mapped
 *			page, which must arrive intact;
 *	never-mapped	the buffer to a bus address no mapping covers, equal
 *			to the physical address of a page we filled with a
 *			canary: the IOMMU must stop it (a fault) and the page
 *			keep its canary;
 *	just-unmapped	the buffer to the bus address of a page that was
 *			mapped (and written through, so that the IOMMU caches
 *			the translation) and has just been unmapped.  In a
 *			strict domain the unmap invalidated the IOTLB, so this
 *			is stopped too.  In a lazy one the stale entry lets it
 *			through until the next flush, at most 10 ms later; the
 *			result says which happened.  QEMU's engine starts a
 *			transfer about 100 ms after it is programmed, so under
 *			QEMU the flush has always come first.
 *
 * Without an IOMMU the last two would write over the canaries; they are
 * skipped then, and so is the first when swiotlb=force bounces through a
 * pool the engine cannot reach.  Results go to the kernel log, one line
 * per check:
 *
 *	dma_edu_check <bdf>: <check> PASS|FAIL|SKIP <detail>
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define   EDU_CMD_START		BIT(0)
#define   EDU_CMD_TO_RAM	BIT(1)
#define EDU_BUFFER		0x40000
/* QEMU 7.2 stops the whole machine on a transfer that spans the buffer. */
#define EDU_XFER		1024
#define EDU_DMA_BITS		28
#define CANARY			0x5a

/* The engine is done when the start bit clears (QEMU: ~100 ms later). */
static int edu_transfer(void __iomem *regs, u64 src, u64 dst, bool to_ram)
{
	unsigned int waited;

	lo_hi_writeq(src, regs + EDU_DMA_SRC);
	lo_hi_writeq(dst, regs + EDU_DMA_DST);
	lo_hi_writeq(EDU_XFER, regs + EDU_DMA_COUNT);
	lo_hi_writeq(EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0), regs + EDU_DMA_CMD);
	for (waited = 0; waited < 2000; waited += 20) {
		if (!(lo_hi_readq(regs + EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		msleep(20);
	}
	return -ETIMEDOUT;
}

static void report(struct pci_dev *pdev, const char *check, const char *verdict,
		   const char *detail)
{
	pci_info(pdev, "%s %s %s\n", check, verdict, detail);
}

/* The first byte of @page that is not @value, or -1. */
static int first_changed(struct page *page, u8 value)
{
	const u8 *p = page_address(page);
	int i;

	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i] != value)
			return i;
	return -1;
}

/*
 * Fill the device's buffer from a mapped page, and read it back.  Without
 * an IOMMU, under swiotlb=force, the bounce pool may lie beyond the
 * engine's 28 bits: the mapping is refused and there is nothing to check.
 */
static bool check_round_trip(struct pci_dev *pdev, void __iomem *regs, bool translated)
{
	struct device *dev = &pdev->dev;
	u8 *src = kmalloc(EDU_XFER, GFP_KERNEL), *dst = kzalloc(EDU_XFER, GFP_KERNEL);
	dma_addr_t src_dma = DMA_MAPPING_ERROR, dst_dma = DMA_MAPPING_ERROR;
	bool ok = false;
	int i, ret;

	if (!src || !dst)
		goto out;
	for (i = 0; i < EDU_XFER; i++)
		src[i] = i * 7 + 3;
	src_dma = dma_map_single(dev, src, EDU_XFER, DMA_TO_DEVICE);
	dst_dma = dma_map_single(dev, dst, EDU_XFER, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, src_dma) || dma_mapping_error(dev, dst_dma)) {
		report(pdev, "round-trip", translated ? "FAIL" : "SKIP",
		       "mapping refused: no bounce buffer within 28 bits");
		goto unmap;
	}
	ret = edu_transfer(regs, src_dma, EDU_BUFFER, false) ?:
	      edu_transfer(regs, EDU_BUFFER, dst_dma, true);
	if (ret) {
		report(pdev, "round-trip", "FAIL", "the DMA engine did not finish");
		goto unmap;
	}
	dma_sync_single_for_cpu(dev, dst_dma, EDU_XFER, DMA_FROM_DEVICE);
	ok = !memcmp(src, dst, EDU_XFER);
	report(pdev, "round-trip", ok ? "PASS" : "FAIL",
	       ok ? "1024 bytes to the device and back, intact" : "data came back changed");
unmap:
	if (!dma_mapping_error(dev, dst_dma))
		dma_unmap_single(dev, dst_dma, EDU_XFER, DMA_FROM_DEVICE);
	if (!dma_mapping_error(dev, src_dma))
		dma_unmap_single(dev, src_dma, EDU_XFER, DMA_TO_DEVICE);
out:
	kfree(dst);
	kfree(src);
	return ok;
}

/* A page the engine can address without an IOMMU, full of the canary. */
static struct page *canary_page(void)
{
	struct page *page = alloc_page(GFP_DMA);

	if (page)
		memset(page_address(page), CANARY, PAGE_SIZE);
	return page;
}

/* Send the buffer to @bus and see whether @canary changed. */
static void check_write_blocked(struct pci_dev *pdev, void __iomem *regs,
				const char *check, dma_addr_t bus, struct page *canary,
				bool must_block)
{
	char detail[96];
	int changed;

	if (edu_transfer(regs, EDU_BUFFER, bus, true)) {
		report(pdev, check, "FAIL", "the DMA engine did not finish");
		return;
	}
	changed = first_changed(canary, CANARY);
	if (changed < 0) {
		snprintf(detail, sizeof(detail), "write to %pad stopped, memory unchanged", &bus);
		report(pdev, check, "PASS", detail);
	} else {
		snprintf(detail, sizeof(detail), "write to %pad reached memory (byte %d changed)%s",
			 &bus, changed, must_block ? "" : ": lazy invalidation, as documented");
		report(pdev, check, must_block ? "FAIL" : "PASS", detail);
	}
}

static void run_checks(struct pci_dev *pdev, void __iomem *regs)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(&pdev->dev);
	bool translated = domain && (domain->type & __IOMMU_DOMAIN_PAGING);
	struct page *lost = NULL, *freed = NULL;
	dma_addr_t bus;
	bool strict;

	if (!check_round_trip(pdev, regs, translated))
		return;
	if (!translated) {
		static const char why[] = "no translating IOMMU: it would reach memory";

		report(pdev, "never-mapped", "SKIP", why);
		report(pdev, "just-unmapped", "SKIP", why);
		return;
	}
	strict = domain->type == IOMMU_DOMAIN_DMA;

	lost = canary_page();
	if (!lost)
		goto out;
	bus = page_to_phys(lost);
	if (iommu_iova_to_phys(domain, bus))
		report(pdev, "never-mapped", "SKIP", "the canary's address happens to be mapped");
	else
		check_write_blocked(pdev, regs, "never-mapped", bus, lost, true);

	freed = canary_page();
	if (!freed)
		goto out;
	bus = dma_map_page(&pdev->dev, freed, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(&pdev->dev, bus)) {
		report(pdev, "just-unmapped", "FAIL", "mapping failed");
		goto out;
	}
	/* A write while mapped, so that the IOMMU has cached the translation. */
	if (edu_transfer(regs, EDU_BUFFER, bus, true)) {
		report(pdev, "just-unmapped", "FAIL", "the DMA engine did not finish");
		dma_unmap_page(&pdev->dev, bus, PAGE_SIZE, DMA_FROM_DEVICE);
		goto out;
	}
	dma_unmap_page(&pdev->dev, bus, PAGE_SIZE, DMA_FROM_DEVICE);
	memset(page_address(freed), CANARY, PAGE_SIZE);
	check_write_blocked(pdev, regs, "just-unmapped", bus, freed, strict);
out:
	if (!lost || !freed)
		report(pdev, "canaries", "FAIL", "no memory for the canary pages");
	if (freed)
		__free_page(freed);
	if (lost)
		__free_page(lost);
}

static int dma_edu_check_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *regs;
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		goto disable;
	regs = pci_iomap(pdev, 0, 0);
	if (!regs) {
		ret = -ENOMEM;
		goto disable;
	}
	pci_set_master(pdev);
	run_checks(pdev, regs);
	pci_clear_master(pdev);
	pci_iounmap(pdev, regs);
	return 0;

disable:
	pci_disable_device(pdev);
	return ret;
}

static void dma_edu_check_remove(struct pci_dev *pdev)
{
	pci_disable_device(pdev);
}

/* No ID table: the device is given to this driver through driver_override. */
static struct pci_driver dma_edu_check_driver = {
	.name = "dma_edu_check",
	.probe = dma_edu_check_probe,
	.remove = dma_edu_check_remove,
};
module_pci_driver(dma_edu_check_driver);

MODULE_DESCRIPTION("Checks that an IOMMU stops DMA outside a device's live mappings (QEMU edu)");
MODULE_LICENSE("GPL");
