/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which way data moves during a DMA transfer, seen from memory.
 *
 * The numeric values are part of the ABI shared with tracepoints and with
 * user space tools (the dma_map_benchmark ioctl), so they never change.
 */
#ifndef _LINUX_DMA_DIRECTION_H
#define _LINUX_DMA_DIRECTION_H

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,	/* the device may both read and write */
	DMA_TO_DEVICE = 1,	/* the device only reads memory */
	DMA_FROM_DEVICE = 2,	/* the device only writes memory */
	DMA_NONE = 3,		/* a placeholder; never valid for a mapping */
};

/* Returns nonzero for the three directions a mapping may be created with. */
static inline int valid_dma_direction(enum dma_data_direction dir)
{
	return (unsigned int)dir <= DMA_FROM_DEVICE;
}

#endif /* _LINUX_DMA_DIRECTION_H */
