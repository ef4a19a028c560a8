/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device or driver name that limits a DMA debugging facility to the
 * devices it names.  The DMA API checker (dma_debug_driver=, driver_filter)
 * and fail_dma_map (target) both use one, so a name means the same in both.
 */
#ifndef _KERNEL_DMA_DEV_FILTER_H
#define _KERNEL_DMA_DEV_FILTER_H

#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dentry;
struct device;

#define DMA_DEV_FILTER_LEN	64

/**
 * struct dma_dev_filter - a name that devices are matched against
 * @lock: protects @name
 * @name: a device name ("0000:00:02.0") or a driver name ("nvme"); empty
 *	matches every device
 */
struct dma_dev_filter {
	rwlock_t lock;
	char name[DMA_DEV_FILTER_LEN];
};

#define DMA_DEV_FILTER_INIT(filter) { .lock = __RW_LOCK_UNLOCKED((filter).lock) }

void dma_dev_filter_set(struct dma_dev_filter *filter, const char *name);
bool __dma_dev_filter_matches(struct dma_dev_filter *filter, struct device *dev);
void dma_dev_filter_debugfs(struct dma_dev_filter *filter, const char *file,
			    struct dentry *dir, umode_t mode);

/*
 * Called on every mapping while a facility is on, so the usual case (no
 * name set) costs one load and no lock.
 */
static inline bool dma_dev_filter_matches(struct dma_dev_filter *filter, struct device *dev)
{
	if (likely(!READ_ONCE(filter->name[0])))
		return true;
	return __dma_dev_filter_matches(filter, dev);
}

#endif /* _KERNEL_DMA_DEV_FILTER_H */
