// SPDX-License-Identifier: GPL-2.0
/*
 * Pieces that backends share: describing and mapping physically contiguous
 * buffers (the direct backend uses these too), buffer helpers for
 * dma_map_ops backends whose coherent memory is ordinary pages, and a
 * backend that refuses everything.
 */
#include <linux/dma-map-ops.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "internal.h"

/* A one-entry table describing @size bytes of physically contiguous pages. */
int dma_sgtable_from_page(struct sg_table *sgt, struct page *page, size_t size, gfp_t gfp)
{
	int err = sg_alloc_table(sgt, 1, gfp);

	if (!err)
		sg_set_page(sgt->sgl, page, PAGE_ALIGN(size), 0);
	return err;
}

/* Map @size bytes of physically contiguous memory at @pfn into @vma. */
int dma_mmap_pfns(struct vm_area_struct *vma, unsigned long pfn, size_t size)
{
	unsigned long npages = PAGE_ALIGN(size) >> PAGE_SHIFT;

	/* the window asked for must lie wholly inside the buffer */
	if (vma->vm_pgoff >= npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start, pfn + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

/**
 * dma_map_p2p_segment() - decide how a device reaches a scatterlist entry
 *	of PCI peer-to-peer memory
 * @dev: the device being given the list
 * @p2p: the walk's state, zeroed before the list's first entry
 * @ent: an entry whose page is_pci_p2pdma_page()
 * @attrs: DMA_ATTR_* flags of the call, for the message
 * @func: the public call being served, for the message
 *
 * Two devices under one PCI switch, with no ACS redirect on the path
 * between them, talk to each other without the host bridge: the device
 * gets the PCI bus address of the memory, which no IOMMU translates.  That
 * case is finished here, with the entry's DMA fields filled in and marked
 * as a bus address.  Where the traffic goes through the host bridge, the
 * backend maps the memory as it maps RAM.
 *
 * Return: 0 if @ent now holds its bus address, 1 if the backend must map
 * it, -EREMOTEIO (with a message) if @dev cannot reach it at all.
 */
int dma_map_p2p_segment(struct device *dev, struct pci_p2pdma_map_state *p2p,
			struct scatterlist *ent, unsigned long attrs, const char *func)
{
	switch (pci_p2pdma_map_segment(p2p, dev, ent)) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		return 0;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		return 1;
	default:
		dma_complain(dev, attrs, func, "peer-to-peer page %p unreachable", sg_page(ent));
		return -EREMOTEIO;
	}
}

#ifdef CONFIG_DMA_OPS_HELPERS

/**
 * dma_common_get_sgtable() - get_sgtable for buffers in the linear map.
 * @dev: the device
 * @sgt: the table to fill
 * @cpu_addr: the buffer's kernel address
 * @dma_addr: the buffer's device address (unused)
 * @size: the buffer's size
 * @attrs: the buffer's attributes (unused)
 *
 * Return: 0 or -ENOMEM.
 */
int dma_common_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	return dma_sgtable_from_page(sgt, virt_to_page(cpu_addr), size, GFP_KERNEL);
}

/**
 * dma_common_mmap() - mmap for buffers in the linear map.
 * @dev: the device
 * @vma: the user mapping
 * @cpu_addr: the buffer's kernel address
 * @dma_addr: the buffer's device address (unused)
 * @size: the buffer's size
 * @attrs: the buffer's attributes
 *
 * Return: 0 or a negative errno.
 */
int dma_common_mmap(struct device *dev, struct vm_area_struct *vma, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs);
	return dma_mmap_pfns(vma, PHYS_PFN(virt_to_phys(cpu_addr)), size);
}

/**
 * dma_common_alloc_pages() - alloc_pages_op built on the backend's map_page.
 * @dev: the device
 * @size: page-aligned size
 * @dma_handle: receives the device address
 * @dir: the direction the pages will be used in
 * @gfp: allocation flags
 *
 * Return: the first page, or NULL.
 */
struct page *dma_common_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    enum dma_data_direction dir, gfp_t gfp)
{
	const struct dma_map_ops *backend = get_dma_ops(dev);
	unsigned int order = get_order(size);
	struct page *pages;

	pages = alloc_pages_node(dev_to_node(dev), gfp | __GFP_ZERO, order);
	if (!pages)
		return NULL;
	*dma_handle = backend->map_page(dev, pages, 0, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(dev, *dma_handle)) {
		__free_pages(pages, order);
		return NULL;
	}
	return pages;
}

/**
 * dma_common_free_pages() - Undo dma_common_alloc_pages().
 * @dev: the device
 * @size: the size allocated
 * @pages: the first page
 * @dma_addr: the device address
 * @dir: the direction passed at allocation
 */
void dma_common_free_pages(struct device *dev, size_t size, struct page *pages,
			   dma_addr_t dma_addr, enum dma_data_direction dir)
{
	const struct dma_map_ops *backend = get_dma_ops(dev);

	backend->unmap_page(dev, dma_addr, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
	__free_pages(pages, get_order(size));
}
#endif /* CONFIG_DMA_OPS_HELPERS */

#ifdef CONFIG_ARCH_HAS_DMA_OPS
/*
 * Installed on devices that firmware says must not do DMA (for instance
 * ACPI devices whose DMA window could not be described).  Every request
 * fails; nothing ever reaches memory.
 */
static void *dma_refuse_alloc(struct device *dev, size_t len, dma_addr_t *handle, gfp_t gfp,
			      unsigned long attrs)
{
	return NULL;
}

static void dma_refuse_free(struct device *dev, size_t len, void *buf, dma_addr_t handle,
			    unsigned long attrs)
{
}

static dma_addr_t dma_refuse_map_page(struct device *dev, struct page *page, unsigned long off,
				      size_t len, enum dma_data_direction dir, unsigned long attrs)
{
	return DMA_MAPPING_ERROR;
}

static void dma_refuse_unmap_page(struct device *dev, dma_addr_t handle, size_t len,
				  enum dma_data_direction dir, unsigned long attrs)
{
}

static int dma_refuse_map_sg(struct device *dev, struct scatterlist *list, int count,
			     enum dma_data_direction dir, unsigned long attrs)
{
	return -EINVAL;
}

static void dma_refuse_unmap_sg(struct device *dev, struct scatterlist *list, int count,
				enum dma_data_direction dir, unsigned long attrs)
{
}

static int dma_refuse_supported(struct device *dev, u64 mask)
{
	return 0;
}

const struct dma_map_ops dma_dummy_ops = {
	.alloc			= dma_refuse_alloc,
	.free			= dma_refuse_free,
	.map_page		= dma_refuse_map_page,
	.unmap_page		= dma_refuse_unmap_page,
	.map_sg			= dma_refuse_map_sg,
	.unmap_sg		= dma_refuse_unmap_sg,
	.dma_supported		= dma_refuse_supported,
};
EXPORT_SYMBOL(dma_dummy_ops);
#endif
