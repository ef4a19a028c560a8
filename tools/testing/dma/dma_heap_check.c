// SPDX-License-Identifier: GPL-2.0
/*
 * dma_heap_check: allocate a buffer from a dma-buf heap, write a pattern to
 * it through a mapping and read it back, for the dmacore boot matrix.
 *
 * Usage: dma_heap_check <heap path> <bytes>
 *   e.g. dma_heap_check /dev/dma_heap/reserved 8388608
 *
 * CPU access is bracketed by DMA_BUF_IOCTL_SYNC, as a real user of the
 * buffer would do between device accesses.  Prints "ok <bytes> bytes" and
 * exits 0, or "error: <step>: <reason>" and exits 1.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

static int fail(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	return 1;
}

static int sync_cpu(int fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_RW };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
}

/* The word at byte @pos: differs from one word to the next and per run. */
static __u32 word(size_t pos, __u32 seed)
{
	return (__u32)(pos / 4) * 2654435761u ^ seed;
}

/* Fill the buffer and read it back within one CPU access. */
static int pattern_test(int fd, size_t len)
{
	__u32 seed = (__u32)getpid(), *w;
	size_t i, n = len / sizeof(*w);
	void *p;
	int ret = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	w = p;
	if (sync_cpu(fd, DMA_BUF_SYNC_START)) {
		ret = fail("DMA_BUF_IOCTL_SYNC start");
		goto out;
	}
	for (i = 0; i < n; i++)
		w[i] = word(i * 4, seed);
	for (i = 0; i < n; i++) {
		if (w[i] != word(i * 4, seed)) {
			printf("error: data check: byte %zu reads %#x, not %#x\n",
			       i * 4, w[i], word(i * 4, seed));
			ret = 1;
			break;
		}
	}
	if (sync_cpu(fd, DMA_BUF_SYNC_END) && !ret)
		ret = fail("DMA_BUF_IOCTL_SYNC end");
out:
	if (munmap(p, len) && !ret)
		ret = fail("munmap");
	return ret;
}

int main(int argc, char **argv)
{
	struct dma_heap_allocation_data alloc = {
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	unsigned long long len;
	char *end;
	int heap, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <heap path> <bytes>\n", argv[0]);
		return 1;
	}
	errno = 0;
	len = strtoull(argv[2], &end, 0);
	if (errno || end == argv[2] || *end || !len || len % 4) {
		printf("error: bad size '%s': a nonzero multiple of 4 bytes\n",
		       argv[2]);
		return 1;
	}
	heap = open(argv[1], O_RDWR | O_CLOEXEC);
	if (heap < 0)
		return fail(argv[1]);
	alloc.len = len;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc)) {
		ret = fail("DMA_HEAP_IOCTL_ALLOC");
		close(heap);
		return ret;
	}
	close(heap);
	ret = pattern_test(alloc.fd, len);
	if (close(alloc.fd) && !ret)
		ret = fail("close");
	if (!ret)
		printf("ok %llu bytes\n", len);
	return ret;
}
