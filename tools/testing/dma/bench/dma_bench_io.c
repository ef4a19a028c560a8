// SPDX-License-Identifier: GPL-2.0
/*
 * dma_bench_io - a small O_DIRECT block I/O generator for the DMA bench
 *
 * Usage: dma_bench_io <block device> <read|write> <seq|rand> <block size>
 *                     <count> <span MiB>
 *
 * Issues <count> synchronous O_DIRECT requests of <block size> bytes, one at
 * a time, within the first <span MiB> of the device: in order (seq, wrapping
 * at the span) or at block-aligned offsets from a fixed-seed generator
 * (rand), so every run does the same I/O. Prints one line:
 *
 *	<microseconds per request> <MB/s>
 *
 * Each request is one DMA mapping of the user buffer by the driver, so the
 * per-request time includes the DMA core's map and unmap.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64: fixed seed, same sequence on every boot */
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	uint64_t state = 0x9e3779b97f4a7c15ULL, blocks, off;
	long bs, count, i;
	int fd, writing, random;
	double start, us;
	ssize_t done;
	void *buf;

	if (argc != 7) {
		fprintf(stderr, "usage: %s <dev> <read|write> <seq|rand> <bs> <count> <span MiB>\n",
			argv[0]);
		return 2;
	}
	writing = !strcmp(argv[2], "write");
	random = !strcmp(argv[3], "rand");
	bs = atol(argv[4]);
	count = atol(argv[5]);
	blocks = ((uint64_t)atol(argv[6]) << 20) / (bs > 0 ? bs : 1);
	if (bs <= 0 || bs % 512 || count <= 0 || !blocks) {
		fprintf(stderr, "%s: bad block size, count or span\n", argv[0]);
		return 2;
	}
	if (posix_memalign(&buf, 4096, bs)) {
		perror("posix_memalign");
		return 1;
	}
	memset(buf, 0x5a, bs);
	fd = open(argv[1], (writing ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}

	start = now_us();
	for (i = 0; i < count; i++) {
		off = random ? next_random(&state) % blocks : (uint64_t)i % blocks;
		if (writing)
			done = pwrite(fd, buf, bs, off * bs);
		else
			done = pread(fd, buf, bs, off * bs);
		if (done != bs) {
			perror(writing ? "pwrite" : "pread");
			return 1;
		}
	}
	us = now_us() - start;
	printf("%.2f %.1f\n", us / count, (double)bs * count / us);
	close(fd);
	return 0;
}
