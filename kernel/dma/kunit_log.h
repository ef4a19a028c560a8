/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the DMA core's KUnit suites use to check the messages a call
 * printed, not only its return value: a misuse report that nobody can read
 * is as good as none.
 */
#ifndef _KERNEL_DMA_KUNIT_LOG_H
#define _KERNEL_DMA_KUNIT_LOG_H

#include <linux/types.h>

struct kunit;

void dma_kunit_log_start(struct kunit *test);
unsigned int dma_kunit_log_count(struct kunit *test, const char *needle);
bool dma_kunit_log_contains(struct kunit *test, const char *needle);

#endif /* _KERNEL_DMA_KUNIT_LOG_H */
