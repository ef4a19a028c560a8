// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dma_map: a standard fault injector (see fault-injection.rst) for
 * streaming mappings, scatterlist mappings and DMA allocations.  It is not
 * part of the DMA API checker: a kernel without CONFIG_DMA_API_DEBUG can
 * test its drivers' error paths too.
 *
 * /sys/kernel/debug/fail_dma_map/ holds the usual fault attributes plus
 * "target", a device or driver name that limits the failures to the
 * devices it names.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <kunit/visibility.h>

#include "dev_filter.h"
#include "fault_inject.h"

VISIBLE_IF_KUNIT struct fault_attr fail_dma_map = FAULT_ATTR_INITIALIZER;
EXPORT_SYMBOL_IF_KUNIT(fail_dma_map);

VISIBLE_IF_KUNIT struct dma_dev_filter fail_dma_map_target =
	DMA_DEV_FILTER_INIT(fail_dma_map_target);
EXPORT_SYMBOL_IF_KUNIT(fail_dma_map_target);

/**
 * dma_should_fail() - Should this mapping or allocation fail on purpose?
 * @dev: the device it is for
 * @size: the size asked for (the entry count, for scatterlists)
 *
 * Context: Any context.
 *
 * Return: true when fail_dma_map's settings pick this call, which the
 * caller must then fail as if the backend had run out of resources.
 */
bool dma_should_fail(struct device *dev, size_t size)
{
	return dev && dma_dev_filter_matches(&fail_dma_map_target, dev) &&
		should_fail(&fail_dma_map, size);
}

static int __init fail_dma_map_debugfs_init(void)
{
	struct dentry *dir = fault_create_debugfs_attr("fail_dma_map", NULL, &fail_dma_map);

	if (!IS_ERR(dir))
		dma_dev_filter_debugfs(&fail_dma_map_target, "target", dir, 0600);
	return 0;
}
fs_initcall(fail_dma_map_debugfs_init);
