// SPDX-License-Identifier: GPL-2.0
/*
 * dma_bench - batch-timed microbenchmark of the DMA mapping API
 *
 * Times N calls of one DMA API operation as a single block (one clock read
 * before the loop, one after), so that per-call costs well below the clock
 * read overhead stay visible. Each operation runs on one CPU, then on two
 * CPUs at the same time, and map_page and the one-block pool operations also
 * on four; with several threads the figure is the wall time of the slowest
 * thread divided by its N. Every thread has a CPU of its own. Under `make
 * bench` the guest's four vCPUs share the host's two cores, so the
 * four-thread rows also see lock holders descheduled: contention, not
 * scaling, is what they show. The bench kernels have CONFIG_PARAVIRT, so
 * that a contended spinlock waits for its holder's vCPU only, not for every
 * vCPU queued before it (configs/bench.config says why).
 *
 * The operations, each timed per call of the pair or loop named:
 *
 *	map_page	dma_map_page() + dma_unmap_page() of one 4 KiB page
 *			(1, 2 and 4 threads)
 *	map_64k		the same for 16 contiguous pages, one 64 KiB mapping
 *	map_sg8		dma_map_sg() + dma_unmap_sg() of 8 one-page entries,
 *			no two of them physically adjacent
 *	map_sg32	the same with 32 entries
 *	sgtable_64k	dma_map_sgtable() + dma_unmap_sgtable() of a 64 KiB
 *			buffer of 16 separate pages
 *	sgtable_1m	the same for 1 MiB, 256 pages
 *	iova_64k	the same buffer through the two-step API:
 *			dma_iova_try_alloc(), a dma_iova_link() per page,
 *			dma_iova_sync(), dma_iova_destroy(). Only where the
 *			core has the API (stock 6.12 does not) and the device
 *			is translated (elsewhere try_alloc says no); the row
 *			is left out otherwise
 *	iova_1m		the same for 1 MiB
 *	sync_page	dma_sync_single_for_cpu() + _for_device() of a page
 *			that stays mapped
 *	iommu_remap	no DMA API call: iommu_unmap_fast() + iommu_map() of
 *			the page sync_page keeps mapped, straight through the
 *			IOMMU API, at the address the DMA core gave it
 *	iommu_remap_sync
 *			the same with iommu_iotlb_sync() in between: the two
 *			rows differ by one IOTLB invalidation, which is
 *			the IOMMU driver's and QEMU's cost, not a DMA core's,
 *			and the floor under any core's strict unmap. Only
 *			on a device that a DMA domain translates
 *	coherent_4k	dma_alloc_coherent() + dma_free_coherent() of 4 KiB
 *	coherent_64k	the same for 64 KiB
 *	pool_64		dma_pool_alloc() + dma_pool_free() of one block of a
 *			64-byte pool that all threads share, each thread
 *			with one block out at a time (1, 2 and 4 threads)
 *	pool_4k		the same with a pool of 4 KiB blocks (1, 2 and 4)
 *	pool_64_live1000
 *			dma_pool_free() + dma_pool_alloc() in a pool that is
 *			not empty: each thread holds 1000 blocks, and each
 *			call frees one of them, in a scattered order (a
 *			stride coprime with 1000), and allocates its
 *			replacement. Before the clock starts, every thread
 *			allocates 2000 blocks and frees every other one, so
 *			the pool has about twice the chunks the held blocks
 *			need, with 1000 free blocks between the held ones, as
 *			in a pool that has been in use for a while
 *	pool_4k_live1000
 *			the same with the 4 KiB pool; with chunks of a page,
 *			one block each, that is 2000 chunks per thread, half
 *			of them free
 *
 * Unless marked otherwise an operation runs with 1 and 2 threads. Four
 * threads are kept for the calls whose contention is in question: the pool
 * lock, which every pool alloc and free takes, and the single-page map that
 * drivers make per I/O (under swiotlb=force, a bounce slot per call). Four
 * threads of every operation would add about half a minute to each
 * swiotlb=force boot, where one thread of map_sg32 alone takes seven seconds.
 *
 * Only the public API is used (<linux/dma-mapping.h>, <linux/dmapool.h>,
 * scatterlists), so the same source builds against any DMA core. The module
 * registers a platform device of its own with 64-bit masks; with
 * swiotlb=force on the command line its streaming mappings bounce like those
 * of any other device. A platform device sits behind no IOMMU, so in the
 * IOMMU modes the bench /init names a PCI device with pci=<name> instead (one
 * no driver has claimed: QEMU's edu device), and the module works on that,
 * with its masks set to 64 bits and put back at the end.
 *
 * Results are printed as one line per operation and thread count:
 *
 *	DMABENCH <operation>-t<threads> <ns per operation> n=<N>
 *
 * followed by "DMABENCH-END ok" or "DMABENCH-END failed=<count>". The module
 * does all of its work at load time and stays loaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stringify.h>

static unsigned int iters = 100000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "operations per timed block (default 100000)");

static char *pci;
module_param(pci, charp, 0444);
MODULE_PARM_DESC(pci, "PCI device to work on (e.g. 0000:00:03.0; default: a platform device)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "run only this operation's rows (e.g. coherent_64k; default: all)");

#define BENCH_MAX_THREADS	4

static unsigned int max_threads = BENCH_MAX_THREADS;
module_param(max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads,
		 "largest thread count to run (1, 2 or 4, default 4)");

#define BENCH_MAX_SG		256	/* 1 MiB of pages */
#define BENCH_BIG_ORDER		4	/* 16 pages, 64 KiB */
#define BENCH_RESCHED_MASK	4095	/* cond_resched() every 4096 calls */
#define BENCH_LIVE_BLOCKS	1000	/* blocks a thread holds in a live pool */
#define BENCH_LIVE_STRIDE	383	/* coprime with 1000: every slot in turn */

/**
 * struct bench_block - a pool block held across calls
 * @cpu: its CPU address, NULL when the slot holds no block
 * @dma: its DMA address
 */
struct bench_block {
	void *cpu;
	dma_addr_t dma;
};

/**
 * struct bench_ctx - what one thread works on
 * @dev: the benchmark device
 * @page: one page, mapped and unmapped by the single-page operation
 * @sync_page: one page, mapped for the whole sync operation (dma-debug
 *	rejects overlapping mappings, so not @page)
 * @big: 16 physically contiguous pages, mapped as one 64 KiB buffer
 * @sg_pages: pages of the scatterlists, none adjacent to the next
 * @sgt: scatterlist of BENCH_MAX_SG one-page entries; the sg operations
 *	use its first entries
 * @sync_addr: DMA address of @sync_page, mapped for the whole sync operation
 * @pool_small: pool of 64-byte blocks, shared by all threads
 * @pool_page: pool of 4 KiB blocks, shared by all threads
 * @live_pool: the pool @live came from, while the thread holds blocks
 * @live: BENCH_LIVE_BLOCKS blocks of @live_pool held by this thread
 * @live_next: the slot whose block the next call frees and replaces
 */
struct bench_ctx {
	struct device *dev;
	struct page *page;
	struct page *sync_page;
	struct page *big;
	struct page *sg_pages[2 * BENCH_MAX_SG];
	struct sg_table sgt;
	dma_addr_t sync_addr;
	struct dma_pool *pool_small;
	struct dma_pool *pool_page;
	struct dma_pool *live_pool;
	struct bench_block *live;
	unsigned int live_next;
};

/**
 * struct bench_op - one timed operation
 * @name: name in the result line
 * @max_threads: the largest thread count it runs with (2 or 4)
 * @run: performs @n calls on @ctx; returns 0 or a negative errno
 * @prepare: if set, sets up @ctx for @run before the clock starts; returns 0
 *	or a negative errno, having undone what it did
 * @finish: if set, undoes @prepare after the clock stops, also after @run
 *	failed half-way
 * @divisor: if set, a timed block is @iters / @divisor calls: for the
 *	operations that move hundreds of pages per call, which would
 *	otherwise take minutes under swiotlb=force
 */
struct bench_op {
	const char *name;
	unsigned int max_threads;
	int (*run)(struct bench_ctx *ctx, unsigned int n);
	int (*prepare)(struct bench_ctx *ctx);
	void (*finish)(struct bench_ctx *ctx);
	unsigned int divisor;
};

/**
 * struct bench_thread - one thread of a timed run
 * @ctx: its context
 * @op: the operation to time
 * @calls: how many calls of it to time
 * @go: completed once every thread of the run exists
 * @done: completed by the thread when its block is timed
 * @ns: the block's duration
 * @err: the operation's result
 */
struct bench_thread {
	struct bench_ctx *ctx;
	const struct bench_op *op;
	unsigned int calls;
	struct completion *go;
	struct completion done;
	u64 ns;
	int err;
};

static void bench_resched(unsigned int i)
{
	if ((i & BENCH_RESCHED_MASK) == BENCH_RESCHED_MASK)
		cond_resched();
}

static int map_pages(struct bench_ctx *ctx, struct page *page, size_t size,
		     unsigned int n)
{
	unsigned int i;
	dma_addr_t addr;

	for (i = 0; i < n; i++) {
		addr = dma_map_page(ctx->dev, page, 0, size, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(ctx->dev, addr))
			return -ENOMEM;
		dma_unmap_page(ctx->dev, addr, size, DMA_BIDIRECTIONAL);
		bench_resched(i);
	}
	return 0;
}

static int op_map_page(struct bench_ctx *ctx, unsigned int n)
{
	return map_pages(ctx, ctx->page, PAGE_SIZE, n);
}

static int op_map_64k(struct bench_ctx *ctx, unsigned int n)
{
	return map_pages(ctx, ctx->big, PAGE_SIZE << BENCH_BIG_ORDER, n);
}

static int map_sg(struct bench_ctx *ctx, unsigned int nents, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!dma_map_sg(ctx->dev, ctx->sgt.sgl, nents, DMA_BIDIRECTIONAL))
			return -ENOMEM;
		dma_unmap_sg(ctx->dev, ctx->sgt.sgl, nents, DMA_BIDIRECTIONAL);
		bench_resched(i);
	}
	return 0;
}

static int op_map_sg8(struct bench_ctx *ctx, unsigned int n)
{
	return map_sg(ctx, 8, n);
}

static int op_map_sg32(struct bench_ctx *ctx, unsigned int n)
{
	return map_sg(ctx, 32, n);
}

/* dma_map_sgtable() of the first @nents entries of @ctx->sgt */
static int map_sgtable(struct bench_ctx *ctx, unsigned int nents, unsigned int n)
{
	struct sg_table part = { .sgl = ctx->sgt.sgl, .orig_nents = nents };
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = dma_map_sgtable(ctx->dev, &part, DMA_BIDIRECTIONAL, 0);
		if (err)
			return err;
		dma_unmap_sgtable(ctx->dev, &part, DMA_BIDIRECTIONAL, 0);
		bench_resched(i);
	}
	return 0;
}

static int op_sgtable_64k(struct bench_ctx *ctx, unsigned int n)
{
	return map_sgtable(ctx, SZ_64K / PAGE_SIZE, n);
}

static int op_sgtable_1m(struct bench_ctx *ctx, unsigned int n)
{
	return map_sgtable(ctx, SZ_1M / PAGE_SIZE, n);
}

#ifdef DMA_IOVA_USE_SWIOTLB
/* The same pages as map_sgtable(), linked into one range per call. */
static int link_pages(struct bench_ctx *ctx, unsigned int nents, unsigned int n)
{
	size_t len = (size_t)nents * PAGE_SIZE;
	struct dma_iova_state state;
	struct scatterlist *sg;
	unsigned int i, k;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		if (!dma_iova_try_alloc(ctx->dev, &state, 0, len))
			return -EOPNOTSUPP;
		for_each_sg(ctx->sgt.sgl, sg, nents, k) {
			err = dma_iova_link(ctx->dev, &state, sg_phys(sg),
					    (size_t)k * PAGE_SIZE, PAGE_SIZE,
					    DMA_BIDIRECTIONAL, 0);
			if (err)
				break;
		}
		if (!err)
			err = dma_iova_sync(ctx->dev, &state, 0, len);
		dma_iova_destroy(ctx->dev, &state, (size_t)k * PAGE_SIZE,
				 DMA_BIDIRECTIONAL, 0);
		bench_resched(i);
	}
	return err;
}
#else
static int link_pages(struct bench_ctx *ctx, unsigned int nents, unsigned int n)
{
	return -EOPNOTSUPP;
}
#endif

static int op_iova_64k(struct bench_ctx *ctx, unsigned int n)
{
	return link_pages(ctx, SZ_64K / PAGE_SIZE, n);
}

static int op_iova_1m(struct bench_ctx *ctx, unsigned int n)
{
	return link_pages(ctx, SZ_1M / PAGE_SIZE, n);
}

static int op_sync(struct bench_ctx *ctx, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		dma_sync_single_for_cpu(ctx->dev, ctx->sync_addr, PAGE_SIZE,
					DMA_BIDIRECTIONAL);
		dma_sync_single_for_device(ctx->dev, ctx->sync_addr, PAGE_SIZE,
					   DMA_BIDIRECTIONAL);
		bench_resched(i);
	}
	return 0;
}

#ifdef CONFIG_IOMMU_API
/* Unmap and map back @ctx->sync_page; see the file's header. */
static int iommu_remap(struct bench_ctx *ctx, bool invalidate, unsigned int n)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(ctx->dev);
	phys_addr_t phys = page_to_phys(ctx->sync_page);
	struct iommu_iotlb_gather gather;
	unsigned int i;

	if (!domain || !(domain->type & __IOMMU_DOMAIN_DMA_API))
		return -EOPNOTSUPP;
	for (i = 0; i < n; i++) {
		iommu_iotlb_gather_init(&gather);
		if (iommu_unmap_fast(domain, ctx->sync_addr, PAGE_SIZE,
				     &gather) != PAGE_SIZE)
			return -EIO;
		/* Freed page tables wait for an invalidation in any case. */
		if (invalidate || !list_empty(&gather.freelist))
			iommu_iotlb_sync(domain, &gather);
		if (iommu_map(domain, ctx->sync_addr, phys, PAGE_SIZE,
			      IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE, GFP_KERNEL))
			return -ENOMEM;
		bench_resched(i);
	}
	return 0;
}
#else
static int iommu_remap(struct bench_ctx *ctx, bool invalidate, unsigned int n)
{
	return -EOPNOTSUPP;
}
#endif

static int op_iommu_remap(struct bench_ctx *ctx, unsigned int n)
{
	return iommu_remap(ctx, false, n);
}

static int op_iommu_remap_sync(struct bench_ctx *ctx, unsigned int n)
{
	return iommu_remap(ctx, true, n);
}

static int coherent(struct bench_ctx *ctx, size_t size, unsigned int n)
{
	unsigned int i;
	dma_addr_t addr;
	void *cpu;

	for (i = 0; i < n; i++) {
		cpu = dma_alloc_coherent(ctx->dev, size, &addr, GFP_KERNEL);
		if (!cpu)
			return -ENOMEM;
		dma_free_coherent(ctx->dev, size, cpu, addr);
		bench_resched(i);
	}
	return 0;
}

static int op_coherent_4k(struct bench_ctx *ctx, unsigned int n)
{
	return coherent(ctx, SZ_4K, n);
}

static int op_coherent_64k(struct bench_ctx *ctx, unsigned int n)
{
	return coherent(ctx, SZ_64K, n);
}

static int pool(struct dma_pool *pool, unsigned int n)
{
	unsigned int i;
	dma_addr_t addr;
	void *cpu;

	for (i = 0; i < n; i++) {
		cpu = dma_pool_alloc(pool, GFP_KERNEL, &addr);
		if (!cpu)
			return -ENOMEM;
		dma_pool_free(pool, cpu, addr);
		bench_resched(i);
	}
	return 0;
}

static int op_pool_64(struct bench_ctx *ctx, unsigned int n)
{
	return pool(ctx->pool_small, n);
}

static int op_pool_4k(struct bench_ctx *ctx, unsigned int n)
{
	return pool(ctx->pool_page, n);
}

/* Gives back every block @ctx holds, whether or not it got them all. */
static void pool_live_finish(struct bench_ctx *ctx)
{
	unsigned int i;

	if (!ctx->live)
		return;
	for (i = 0; i < BENCH_LIVE_BLOCKS; i++)
		if (ctx->live[i].cpu)
			dma_pool_free(ctx->live_pool, ctx->live[i].cpu,
				      ctx->live[i].dma);
	kfree(ctx->live);
	ctx->live = NULL;
	ctx->live_pool = NULL;
}

/*
 * Take BENCH_LIVE_BLOCKS blocks of @pool and keep them, each allocated next
 * to a spare that is freed again once all are taken. The pool_64 and pool_4k
 * rows run with one block out per thread, in a chunk or two; this leaves the
 * pool with many chunks and as many free blocks as held ones, interleaved,
 * as a pool looks after a while in use. A core whose alloc or free cost
 * grows with the chunks or the free blocks pays for it here.
 */
static int pool_live_prepare(struct bench_ctx *ctx, struct dma_pool *pool)
{
	struct bench_block *spare;
	unsigned int i;
	int err = 0;

	ctx->live_pool = pool;
	ctx->live_next = 0;
	ctx->live = kcalloc(BENCH_LIVE_BLOCKS, sizeof(*ctx->live), GFP_KERNEL);
	spare = kcalloc(BENCH_LIVE_BLOCKS, sizeof(*spare), GFP_KERNEL);
	if (!ctx->live || !spare)
		err = -ENOMEM;
	for (i = 0; i < BENCH_LIVE_BLOCKS && !err; i++) {
		ctx->live[i].cpu = dma_pool_alloc(pool, GFP_KERNEL,
						  &ctx->live[i].dma);
		spare[i].cpu = dma_pool_alloc(pool, GFP_KERNEL, &spare[i].dma);
		if (!ctx->live[i].cpu || !spare[i].cpu)
			err = -ENOMEM;
	}
	for (i = 0; spare && i < BENCH_LIVE_BLOCKS; i++)
		if (spare[i].cpu)
			dma_pool_free(pool, spare[i].cpu, spare[i].dma);
	kfree(spare);
	if (err)
		pool_live_finish(ctx);
	return err;
}

static int prepare_pool_64_live(struct bench_ctx *ctx)
{
	return pool_live_prepare(ctx, ctx->pool_small);
}

static int prepare_pool_4k_live(struct bench_ctx *ctx)
{
	return pool_live_prepare(ctx, ctx->pool_page);
}

/*
 * Free one held block and allocate its replacement. Successive calls visit
 * the slots BENCH_LIVE_STRIDE apart, so consecutive frees land in different
 * chunks rather than walking one chunk's blocks in address order.
 */
static int op_pool_live(struct bench_ctx *ctx, unsigned int n)
{
	struct bench_block *b;
	unsigned int i;

	for (i = 0; i < n; i++) {
		b = &ctx->live[ctx->live_next];
		dma_pool_free(ctx->live_pool, b->cpu, b->dma);
		b->cpu = dma_pool_alloc(ctx->live_pool, GFP_KERNEL, &b->dma);
		if (!b->cpu)
			return -ENOMEM;
		/* A compare, not a division: the same few cycles in every run. */
		ctx->live_next += BENCH_LIVE_STRIDE;
		if (ctx->live_next >= BENCH_LIVE_BLOCKS)
			ctx->live_next -= BENCH_LIVE_BLOCKS;
		bench_resched(i);
	}
	return 0;
}

#define BENCH_LIVE_NAME(size)	"pool_" #size "_live" __stringify(BENCH_LIVE_BLOCKS)

/* In the order they run; the file's header says what each one times. */
static const struct bench_op bench_ops[] = {
	{ "map_page",		4, op_map_page },
	{ "map_64k",		2, op_map_64k },
	{ "map_sg8",		2, op_map_sg8 },
	{ "map_sg32",		2, op_map_sg32 },
	{ "sgtable_64k",	2, op_sgtable_64k, .divisor = 4 },
	{ "sgtable_1m",		2, op_sgtable_1m, .divisor = 64 },
	{ "iova_64k",		2, op_iova_64k, .divisor = 4 },
	{ "iova_1m",		2, op_iova_1m, .divisor = 64 },
	{ "sync_page",		2, op_sync },
	{ "iommu_remap",	2, op_iommu_remap },
	{ "iommu_remap_sync",	2, op_iommu_remap_sync },
	{ "coherent_4k",	2, op_coherent_4k },
	{ "coherent_64k",	2, op_coherent_64k },
	{ "pool_64",		4, op_pool_64 },
	{ "pool_4k",		4, op_pool_4k },
	/* After the one-block rows, which then still see a fresh pool. */
	{ BENCH_LIVE_NAME(64),	2, op_pool_live, prepare_pool_64_live,
	  pool_live_finish },
	{ BENCH_LIVE_NAME(4k),	2, op_pool_live, prepare_pool_4k_live,
	  pool_live_finish },
};

/* Calls of @op in a timed block. */
static unsigned int bench_calls(const struct bench_op *op)
{
	return max(iters / max(op->divisor, 1U), 1U);
}

static int bench_thread_fn(void *data)
{
	struct bench_thread *t = data;
	u64 start;

	wait_for_completion(t->go);
	/* One untimed round first: caches, pool pages and bounce slots. */
	t->err = t->op->run(t->ctx, 16);
	if (!t->err) {
		start = ktime_get_ns();
		t->err = t->op->run(t->ctx, t->calls);
		t->ns = ktime_get_ns() - start;
	}
	complete(&t->done);
	return 0;
}

/*
 * Time @op on @nthreads CPUs at once, each thread with its own context.
 * Returns the slowest thread's ns per call, times 10, or a negative errno.
 * The contexts are prepared here, before any thread starts, so that no
 * thread's clock runs while another still sets up a shared pool.
 */
static s64 bench_run_op(const struct bench_op *op, struct bench_ctx *ctx,
			unsigned int nthreads)
{
	struct bench_thread threads[BENCH_MAX_THREADS] = {};
	struct task_struct *task;
	DECLARE_COMPLETION_ONSTACK(go);
	unsigned int i, prepared = 0, started = 0;
	unsigned int calls = bench_calls(op);
	u64 slowest = 0;
	int err = 0;

	for (i = 0; op->prepare && i < nthreads; i++) {
		err = op->prepare(&ctx[i]);
		if (err)
			goto finish;
		prepared++;
	}
	for (i = 0; i < nthreads; i++) {
		threads[i].ctx = &ctx[i];
		threads[i].op = op;
		threads[i].calls = calls;
		threads[i].go = &go;
		init_completion(&threads[i].done);
		task = kthread_create(bench_thread_fn, &threads[i],
				      "dma_bench/%u", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		kthread_bind(task, i);
		wake_up_process(task);
		started++;
	}
	complete_all(&go);
	for (i = 0; i < started; i++) {
		wait_for_completion(&threads[i].done);
		if (threads[i].err)
			err = threads[i].err;
		slowest = max(slowest, threads[i].ns);
	}
finish:
	for (i = 0; op->finish && i < prepared; i++)
		op->finish(&ctx[i]);
	if (err)
		return err;
	return div_u64(slowest * 10, calls);
}

static void bench_ctx_free(struct bench_ctx *ctx)
{
	unsigned int i;

	if (ctx->sync_addr)
		dma_unmap_page(ctx->dev, ctx->sync_addr, PAGE_SIZE,
			       DMA_BIDIRECTIONAL);
	sg_free_table(&ctx->sgt);
	for (i = 0; i < ARRAY_SIZE(ctx->sg_pages); i++)
		if (ctx->sg_pages[i])
			__free_page(ctx->sg_pages[i]);
	if (ctx->big)
		__free_pages(ctx->big, BENCH_BIG_ORDER);
	if (ctx->sync_page)
		__free_page(ctx->sync_page);
	if (ctx->page)
		__free_page(ctx->page);
}

/*
 * Buffers of one thread. The scatterlist takes every other page of a run of
 * separately allocated pages, so no two entries are physically adjacent and
 * no core can merge them: every core maps the same number of segments.
 */
static int bench_ctx_init(struct bench_ctx *ctx, struct device *dev,
			  struct dma_pool *small, struct dma_pool *page)
{
	struct scatterlist *sg;
	unsigned int i;

	ctx->dev = dev;
	ctx->pool_small = small;
	ctx->pool_page = page;
	ctx->page = alloc_page(GFP_KERNEL);
	ctx->sync_page = alloc_page(GFP_KERNEL);
	ctx->big = alloc_pages(GFP_KERNEL, BENCH_BIG_ORDER);
	if (!ctx->page || !ctx->sync_page || !ctx->big)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ctx->sg_pages); i++) {
		ctx->sg_pages[i] = alloc_page(GFP_KERNEL);
		if (!ctx->sg_pages[i])
			return -ENOMEM;
	}
	if (sg_alloc_table(&ctx->sgt, BENCH_MAX_SG, GFP_KERNEL))
		return -ENOMEM;
	for_each_sgtable_sg(&ctx->sgt, sg, i)
		sg_set_page(sg, ctx->sg_pages[2 * i], PAGE_SIZE, 0);
	ctx->sync_addr = dma_map_page(dev, ctx->sync_page, 0, PAGE_SIZE,
				      DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, ctx->sync_addr)) {
		ctx->sync_addr = 0;
		return -ENOMEM;
	}
	return 0;
}

static int bench_all(struct device *dev)
{
	const struct bench_op *op;
	struct bench_ctx *ctx;
	struct dma_pool *small = NULL, *page = NULL;
	unsigned int i, t, nthreads, failed = 0;
	s64 r;
	int err = 0;

	nthreads = clamp(max_threads, 1U, BENCH_MAX_THREADS);
	/* Thread i is bound to CPU i; the online CPUs are 0 to n - 1 at boot. */
	if (num_online_cpus() < nthreads) {
		pr_warn("only %u CPU(s) online: rows with more threads left out\n",
			num_online_cpus());
		nthreads = num_online_cpus();
	}
	/* Contexts are too large for the stack once there are four. */
	ctx = kcalloc(nthreads, sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		nthreads = 0;
		err = -ENOMEM;
		goto out;
	}
	small = dma_pool_create("dma_bench_64", dev, 64, 64, 0);
	page = dma_pool_create("dma_bench_4k", dev, SZ_4K, SZ_4K, 0);
	if (!small || !page) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nthreads; i++) {
		err = bench_ctx_init(&ctx[i], dev, small, page);
		if (err)
			goto out;
	}

	for (op = bench_ops; op < bench_ops + ARRAY_SIZE(bench_ops); op++) {
		if (only && strcmp(only, op->name))
			continue;
		/* 1, 2 and 4 threads, as far as the operation and CPUs allow */
		for (t = 1; t <= min(op->max_threads, nthreads); t *= 2) {
			r = bench_run_op(op, ctx, t);
			if (r == -EOPNOTSUPP) {
				pr_info("%s: not available here\n", op->name);
				break;
			}
			if (r < 0) {
				pr_err("%s with %u thread(s) failed: %lld\n",
				       op->name, t, r);
				failed++;
				continue;
			}
			pr_info("DMABENCH %s-t%u %lld.%lld n=%u\n",
				op->name, t, r / 10, r % 10,
				bench_calls(op));
		}
	}
out:
	for (i = 0; i < nthreads; i++)
		bench_ctx_free(&ctx[i]);
	kfree(ctx);
	dma_pool_destroy(page);
	dma_pool_destroy(small);
	if (err) {
		pr_err("setup failed: %d\n", err);
		failed++;
	}
	if (failed)
		pr_info("DMABENCH-END failed=%u\n", failed);
	else
		pr_info("DMABENCH-END ok\n");
	return 0;
}

static struct platform_device *bench_pdev;

/* Run on the PCI device @name, which no driver may have claimed. */
static int __init bench_pci_device(const char *name)
{
	u64 mask, coherent_mask;
	struct device *dev;
	int err;

	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	if (!dev) {
		pr_err("no PCI device %s\n", name);
		return -ENODEV;
	}
	err = -EBUSY;
	if (dev->driver) {
		pr_err("%s has a driver\n", name);
		goto out;
	}
	mask = dma_get_mask(dev);
	coherent_mask = dev->coherent_dma_mask;
	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (!err)
		err = bench_all(dev);
	dma_set_mask(dev, mask);
	dma_set_coherent_mask(dev, coherent_mask);
out:
	put_device(dev);
	return err;
}

static int __init dma_bench_init(void)
{
	struct device *dev;
	int err;

	if (!iters)
		return -EINVAL;
	if (pci)
		return bench_pci_device(pci);
	bench_pdev = platform_device_register_simple(KBUILD_MODNAME,
						     PLATFORM_DEVID_NONE,
						     NULL, 0);
	if (IS_ERR(bench_pdev))
		return PTR_ERR(bench_pdev);
	dev = &bench_pdev->dev;
	/* The segment size limit stays at its 64 KiB default. */
	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (err) {
		platform_device_unregister(bench_pdev);
		return err;
	}
	return bench_all(dev);
}

static void __exit dma_bench_exit(void)
{
	if (bench_pdev)
		platform_device_unregister(bench_pdev);
}

module_init(dma_bench_init);
module_exit(dma_bench_exit);

MODULE_DESCRIPTION("Batch-timed microbenchmark of the DMA mapping API");
MODULE_LICENSE("GPL");
