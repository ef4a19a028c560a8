// SPDX-License-Identifier: GPL-2.0
/*
 * Device and driver name filters for the DMA debugging facilities; see
 * dev_filter.h.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "dev_filter.h"

/**
 * dma_dev_filter_set() - Change the name a filter matches.
 * @filter: the filter
 * @name: a device or driver name; surrounding white space is dropped, and
 *	an empty name matches every device
 *
 * Context: Any context.
 */
void dma_dev_filter_set(struct dma_dev_filter *filter, const char *name)
{
	unsigned long flags;
	char *start;

	write_lock_irqsave(&filter->lock, flags);
	strscpy(filter->name, name, sizeof(filter->name));
	start = strim(filter->name);
	memmove(filter->name, start, strlen(start) + 1);
	write_unlock_irqrestore(&filter->lock, flags);
}

/**
 * __dma_dev_filter_matches() - Does a non-empty filter name this device?
 * @filter: the filter
 * @dev: the device
 *
 * Use dma_dev_filter_matches(), which skips the lock when no name is set.
 *
 * Context: Any context.
 *
 * Return: true if the filter is empty, or names @dev or the driver bound
 * to it.
 */
bool __dma_dev_filter_matches(struct dma_dev_filter *filter, struct device *dev)
{
	unsigned long flags;
	bool match;

	read_lock_irqsave(&filter->lock, flags);
	match = !filter->name[0] || !strcmp(dev_name(dev), filter->name) ||
		(dev->driver && !strcmp(dev->driver->name, filter->name));
	read_unlock_irqrestore(&filter->lock, flags);
	return match;
}

static ssize_t dma_dev_filter_read(struct file *file, char __user *ubuf, size_t len,
				   loff_t *ppos)
{
	struct dma_dev_filter *filter = file->private_data;
	char buf[DMA_DEV_FILTER_LEN + 1];
	unsigned long flags;
	size_t count;

	read_lock_irqsave(&filter->lock, flags);
	count = scnprintf(buf, sizeof(buf), "%s\n", filter->name);
	read_unlock_irqrestore(&filter->lock, flags);
	return simple_read_from_buffer(ubuf, len, ppos, buf, count);
}

static ssize_t dma_dev_filter_write(struct file *file, const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	char buf[DMA_DEV_FILTER_LEN];
	size_t n = min(len, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	dma_dev_filter_set(file->private_data, buf);
	return len;
}

static const struct file_operations dma_dev_filter_fops = {
	.open = simple_open,
	.read = dma_dev_filter_read,
	.write = dma_dev_filter_write,
	.llseek = default_llseek,
};

/**
 * dma_dev_filter_debugfs() - Let user space read and set a filter.
 * @filter: the filter
 * @file: name of the debugfs file
 * @dir: the directory to create it in
 * @mode: its permissions
 *
 * Reading the file shows the name, writing it sets the name.
 *
 * Context: Process context.
 */
void dma_dev_filter_debugfs(struct dma_dev_filter *filter, const char *file,
			    struct dentry *dir, umode_t mode)
{
	debugfs_create_file(file, mode, dir, filter, &dma_dev_filter_fops);
}
