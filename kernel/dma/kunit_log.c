// SPDX-License-Identifier: GPL-2.0
/*
 * Reading back the kernel log from a KUnit test.
 *
 * A test marks where the log ends, makes its calls, and then asks whether
 * some line printed since then contains a given text.  The lines are read
 * from the printk ring buffer with the kmsg_dump iterator, so this works on
 * kernels without tracepoints and sees exactly what a user would see in
 * dmesg, after formatting.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/kmsg_dump.h>
#include <linux/module.h>
#include <linux/string.h>

#include "kunit_log.h"

/* Long enough for a report line with its timestamp and device prefix. */
#define DMA_KUNIT_LINE_MAX	512

static const char dma_kunit_log_name[] = "dma_kunit_log";

struct dma_kunit_log {
	struct kunit_resource res;
	u64 first_seq;		/* the first record printed after the start */
	char line[DMA_KUNIT_LINE_MAX];
};

/**
 * dma_kunit_log_start() - Only look at what is printed from now on.
 * @test: the running test
 *
 * Calling it again moves the start forward, so that one test can check
 * several steps separately.
 *
 * Context: Process context; may sleep.
 */
void dma_kunit_log_start(struct kunit *test)
{
	struct kunit_resource *res = kunit_find_named_resource(test, dma_kunit_log_name);
	struct kmsg_dump_iter iter;
	struct dma_kunit_log *log;

	if (res) {
		log = container_of(res, struct dma_kunit_log, res);
		kunit_put_resource(res);
	} else {
		log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, log);
		KUNIT_ASSERT_EQ(test, kunit_add_named_resource(test, NULL, NULL, &log->res,
							       dma_kunit_log_name, log), 0);
	}
	kmsg_dump_rewind(&iter);
	log->first_seq = iter.next_seq;
}
EXPORT_SYMBOL_IF_KUNIT(dma_kunit_log_start);

/**
 * dma_kunit_log_count() - Count the lines printed since the start that
 *	contain a text.
 * @test: the running test, which must have called dma_kunit_log_start()
 * @needle: the text to look for, matched case-sensitively anywhere in a line
 *
 * Lines are compared as dmesg shows them (with the timestamp and, for
 * dev_*() messages, the driver and device name in front).
 *
 * Context: Process context.
 *
 * Return: the number of such lines.
 */
unsigned int dma_kunit_log_count(struct kunit *test, const char *needle)
{
	struct kunit_resource *res = kunit_find_named_resource(test, dma_kunit_log_name);
	struct kmsg_dump_iter iter;
	struct dma_kunit_log *log;
	unsigned int count = 0;
	size_t len;

	KUNIT_ASSERT_NOT_NULL_MSG(test, res, "dma_kunit_log_start() was not called");
	log = container_of(res, struct dma_kunit_log, res);
	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, log->first_seq);
	while (kmsg_dump_get_line(&iter, false, log->line, sizeof(log->line) - 1, &len)) {
		log->line[len] = '\0';
		if (strstr(log->line, needle))
			count++;
	}
	kunit_put_resource(res);
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(dma_kunit_log_count);

/**
 * dma_kunit_log_contains() - Has a line containing a text been printed
 *	since the start?
 * @test: the running test, which must have called dma_kunit_log_start()
 * @needle: the text to look for
 *
 * Context: Process context.
 *
 * Return: true if at least one line printed since the start contains @needle.
 */
bool dma_kunit_log_contains(struct kunit *test, const char *needle)
{
	return dma_kunit_log_count(test, needle) > 0;
}
EXPORT_SYMBOL_IF_KUNIT(dma_kunit_log_contains);

MODULE_DESCRIPTION("Kernel log capture for the DMA core's KUnit suites");
MODULE_LICENSE("GPL");
