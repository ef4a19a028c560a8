/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmacore: the IOMMU backend as the DMA core sees it.
 *
 * drivers/iommu/iommu.c decides, when it attaches a device to a domain,
 * whether the device's DMA goes through the IOMMU backend
 * (drivers/iommu/dma-iommu.c) and records the answer in dev->dma_iommu.
 * kernel/dma/mapping.c then serves the device through iommu_dma_ops.  An
 * identity domain leaves the bit clear, and the device gets the direct path.
 */
#ifndef _LINUX_IOMMU_DMA_H
#define _LINUX_IOMMU_DMA_H

#include <linux/device.h>
#include <linux/dma-map-ops.h>

extern const struct dma_map_ops iommu_dma_ops;

#ifdef CONFIG_IOMMU_DMA
static inline bool use_dma_iommu(struct device *dev)
{
	return dev->dma_iommu;
}

bool iommu_dma_never_syncs(struct device *dev);
dma_addr_t iommu_dma_map_page(struct device *dev, struct page *page,
			      unsigned long offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs);
void iommu_dma_unmap_page(struct device *dev, dma_addr_t dma_addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs);

/* The two-step API's backend; mapping.c has checked the arguments. */
bool iommu_dma_iova_alloc(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			  size_t size);
void iommu_dma_iova_free(struct device *dev, struct dma_iova_state *state);
int iommu_dma_iova_link(struct device *dev, struct dma_iova_state *state, phys_addr_t phys,
			size_t offset, size_t size, enum dma_data_direction dir,
			unsigned long attrs);
void iommu_dma_iova_unlink(struct device *dev, struct dma_iova_state *state, size_t offset,
			   size_t size, enum dma_data_direction dir, unsigned long attrs,
			   bool free_range);
#else
static inline bool use_dma_iommu(struct device *dev)
{
	return false;
}

static inline bool iommu_dma_never_syncs(struct device *dev)
{
	return false;
}

static inline dma_addr_t iommu_dma_map_page(struct device *dev, struct page *page,
					    unsigned long offset, size_t size,
					    enum dma_data_direction dir, unsigned long attrs)
{
	return DMA_MAPPING_ERROR;
}

static inline void iommu_dma_unmap_page(struct device *dev, dma_addr_t dma_addr, size_t size,
					enum dma_data_direction dir, unsigned long attrs)
{
}

static inline bool iommu_dma_iova_alloc(struct device *dev, struct dma_iova_state *state,
					phys_addr_t phys, size_t size)
{
	return false;
}

static inline void iommu_dma_iova_free(struct device *dev, struct dma_iova_state *state)
{
}

static inline int iommu_dma_iova_link(struct device *dev, struct dma_iova_state *state,
				      phys_addr_t phys, size_t offset, size_t size,
				      enum dma_data_direction dir, unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline void iommu_dma_iova_unlink(struct device *dev, struct dma_iova_state *state,
					 size_t offset, size_t size,
					 enum dma_data_direction dir, unsigned long attrs,
					 bool free_range)
{
}
#endif /* CONFIG_IOMMU_DMA */

#endif /* _LINUX_IOMMU_DMA_H */
