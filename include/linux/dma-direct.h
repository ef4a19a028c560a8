/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address translation for devices that see physical memory directly, with
 * at most a fixed offset per window (dev->dma_range_map), and the entry
 * points of the direct backend that other backends reuse.
 */
#ifndef _LINUX_DMA_DIRECT_H
#define _LINUX_DMA_DIRECT_H 1

#include <linux/dma-mapping.h>
#include <linux/dma-map-ops.h>
#include <linux/mem_encrypt.h>
#include <linux/memblock.h>
#include <linux/minmax.h>
#include <linux/swiotlb.h>

/* The highest physical address the kernel's ZONE_DMA covers. */
extern u64 zone_dma_limit;

/*
 * One window of a device's view of memory: CPU physical addresses
 * [cpu_start, cpu_start + size) appear on the bus at dma_start.  A map is an
 * array of windows ended by one whose size is zero.
 */
struct bus_dma_region {
	phys_addr_t	cpu_start;
	dma_addr_t	dma_start;
	u64		size;
};

static inline dma_addr_t translate_phys_to_dma(struct device *dev, phys_addr_t paddr)
{
	const struct bus_dma_region *win;

	for (win = dev->dma_range_map; win->size; win++)
		if (paddr >= win->cpu_start && paddr - win->cpu_start < win->size)
			return win->dma_start + (paddr - win->cpu_start);
	return DMA_MAPPING_ERROR;
}

static inline phys_addr_t translate_dma_to_phys(struct device *dev, dma_addr_t dma_addr)
{
	const struct bus_dma_region *win;

	for (win = dev->dma_range_map; win->size; win++)
		if (dma_addr >= win->dma_start && dma_addr - win->dma_start < win->size)
			return win->cpu_start + (dma_addr - win->dma_start);
	return (phys_addr_t)-1;
}

/* Lowest and highest bus address any window of @map reaches. */
static inline dma_addr_t dma_range_map_min(const struct bus_dma_region *map)
{
	dma_addr_t lowest = (dma_addr_t)U64_MAX;

	while (map->size) {
		lowest = min(lowest, map->dma_start);
		map++;
	}
	return lowest;
}

static inline dma_addr_t dma_range_map_max(const struct bus_dma_region *map)
{
	dma_addr_t highest = 0;

	while (map->size) {
		highest = max(highest, map->dma_start + map->size - 1);
		map++;
	}
	return highest;
}

#ifdef CONFIG_ARCH_HAS_PHYS_TO_DMA
#include <asm/dma-direct.h>
#ifndef phys_to_dma_unencrypted
#define phys_to_dma_unencrypted		phys_to_dma
#endif
#else
/* The bus address of @paddr without the memory-encryption bit. */
static inline dma_addr_t phys_to_dma_unencrypted(struct device *dev, phys_addr_t paddr)
{
	return dev->dma_range_map ? translate_phys_to_dma(dev, paddr) : paddr;
}

/*
 * The bus address of @paddr.  With memory encryption active the device must
 * present the encryption bit to reach encrypted memory.
 */
static inline dma_addr_t phys_to_dma(struct device *dev, phys_addr_t paddr)
{
	return __sme_set(phys_to_dma_unencrypted(dev, paddr));
}

static inline phys_addr_t dma_to_phys(struct device *dev, dma_addr_t dma_addr)
{
	phys_addr_t paddr = dev->dma_range_map ?
		translate_dma_to_phys(dev, dma_addr) : dma_addr;

	return __sme_clr(paddr);
}
#endif /* CONFIG_ARCH_HAS_PHYS_TO_DMA */

#ifdef CONFIG_ARCH_HAS_FORCE_DMA_UNENCRYPTED
bool force_dma_unencrypted(struct device *dev);
#else
static inline bool force_dma_unencrypted(struct device *dev)
{
	return false;
}
#endif

/*
 * The device's effective streaming limit: its mask, further narrowed by any
 * bridge on the way to memory (bus_dma_limit, 0 when there is none).
 */
static inline u64 dma_direct_limit(struct device *dev)
{
	return min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

/*
 * Can @dev reach [@addr, @addr + @size) without help?  On 32-bit kernels RAM
 * below min_low_pfn is not usable for DMA, so @is_ram rules it out there.
 */
static inline bool dma_capable(struct device *dev, dma_addr_t addr, size_t size, bool is_ram)
{
	dma_addr_t last = addr + size - 1;

	if (addr == DMA_MAPPING_ERROR || last < addr)
		return false;
	if (!IS_ENABLED(CONFIG_ARCH_DMA_ADDR_T_64BIT) && is_ram &&
	    addr < phys_to_dma(dev, PFN_PHYS(min_low_pfn)))
		return false;
	return last <= dma_direct_limit(dev);
}

/* Direct backend entry points reused by other backends (kernel/dma/direct.c). */
u64 dma_direct_get_required_mask(struct device *dev);
int dma_direct_supported(struct device *dev, u64 mask);
void *dma_direct_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		       unsigned long attrs);
void dma_direct_free(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr,
		     unsigned long attrs);
struct page *dma_direct_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    enum dma_data_direction dir, gfp_t gfp);
void dma_direct_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t dma_addr, enum dma_data_direction dir);
dma_addr_t dma_direct_map_resource(struct device *dev, phys_addr_t paddr, size_t size,
				   enum dma_data_direction dir, unsigned long attrs);

#endif /* _LINUX_DMA_DIRECT_H */
