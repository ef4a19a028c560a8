/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lib/dma-debug.c shows its KUnit suite: the reports it has made, so
 * tests can check that each misuse is caught with the right words.
 */
#ifndef _LIB_DMA_DEBUG_H
#define _LIB_DMA_DEBUG_H

#include <linux/types.h>

void dma_debug_last_report(char *buf, size_t len);
unsigned int dma_debug_error_count(void);
void dma_debug_swap_printing(bool *all, u32 *num);
#if IS_ENABLED(CONFIG_KUNIT)
void dma_debug_set_filter(const char *name);
#endif

#endif /* _LIB_DMA_DEBUG_H */
