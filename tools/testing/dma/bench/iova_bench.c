// SPDX-License-Identifier: GPL-2.0
/*
 * iova_bench - microbenchmark of the IOVA allocator (<linux/iova.h>)
 *
 * Uses only the allocator's public API, so the same source builds against
 * the stock drivers/iommu/iova.c and against ours.  Every domain has a
 * granule of 4 KiB and starts at pfn 1; "32-bit" below means a limit of
 * DMA_BIT_MASK(32) >> 12, as dma-iommu asks for PCI devices.  The rows:
 *
 *	fast		alloc_iova_fast() + free_iova_fast() of one pfn,
 *			32-bit limit, in a domain with per-CPU caches that
 *			all threads share (1 and 2 threads)
 *	live<n>		alloc_iova() + __free_iova() of one pfn, 32-bit
 *			limit, size-aligned, in a domain holding n other
 *			single-pfn ranges (1k, 10k, 100k and 1m)
 *	frag_median	the fragmented space: 2^20 - 1 single pfns fill the
 *	frag_worst	32-bit space, every other one is freed, and in its
 *			lowest 64 Ki pfns one in four more, which opens
 *			16384 aligned pairs there.  Then alloc_iova() of
 *			aligned pairs until none fits, each call timed on
 *			its own with interrupts off (so that the slowest
 *			call is the allocator's, not a timer tick's): the
 *			median and the slowest call.  A rehearsal on a
 *			space of 4 Ki pfns runs first, untimed
 *
 * Results, one line per row, in ns per call (pair of calls for fast and
 * live<n>):
 *
 *	IOVABENCH <row>-t<threads> <ns> n=<calls>
 *
 * followed by "IOVABENCH-END ok" or "IOVABENCH-END failed=<count>".  The
 * module does its work at load time and stays loaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/iova.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

static unsigned int iters = 100000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "calls per timed block of the fast and live rows (default 100000)");

#define IOVA_BENCH_GRANULE	SZ_4K
#define IOVA_BENCH_LIMIT	(DMA_BIT_MASK(32) >> 12)
#define IOVA_BENCH_THREADS	2
#define IOVA_BENCH_FRAG_LOW	BIT(16)
#define IOVA_BENCH_REHEARSAL_LIMIT	(BIT(12) - 1)
#define IOVA_BENCH_REHEARSAL_LOW	BIT(10)

/* Per-call results are printed with one decimal, from ns * 10. */
static void report(const char *row, unsigned int threads, u64 ns_x10,
		   unsigned long calls)
{
	pr_info("IOVABENCH %s-t%u %llu.%llu n=%lu\n", row, threads,
		ns_x10 / 10, ns_x10 % 10, calls);
}

/* ------------------------------------------------------------------ fast */

/**
 * struct fast_thread - one thread of the fast row
 * @iovad: the shared domain
 * @go: completed when every thread exists
 * @done: completed when this thread's block is timed
 * @ns: the block's duration
 * @failed: an allocation returned 0
 */
struct fast_thread {
	struct iova_domain *iovad;
	struct completion *go;
	struct completion done;
	u64 ns;
	bool failed;
};

static bool fast_pairs(struct iova_domain *iovad, unsigned int n)
{
	unsigned long pfn;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pfn = alloc_iova_fast(iovad, 1, IOVA_BENCH_LIMIT, true);
		if (!pfn)
			return false;
		free_iova_fast(iovad, pfn, 1);
	}
	return true;
}

static int fast_thread_fn(void *data)
{
	struct fast_thread *t = data;
	u64 start;

	wait_for_completion(t->go);
	/* Untimed first: fills this CPU's magazines. */
	t->failed = !fast_pairs(t->iovad, 256);
	start = ktime_get_ns();
	t->failed |= !fast_pairs(t->iovad, iters);
	t->ns = ktime_get_ns() - start;
	complete(&t->done);
	return 0;
}

/* The slowest thread's ns per pair, times 10, or -errno. */
static s64 bench_fast(struct iova_domain *iovad, unsigned int nthreads)
{
	struct fast_thread threads[IOVA_BENCH_THREADS], *t;
	DECLARE_COMPLETION_ONSTACK(go);
	struct task_struct *task;
	unsigned int i, started;
	u64 slowest = 0;
	int err = 0;

	/* Thread i on CPU i; the online CPUs are 0 to n - 1 at boot. */
	for (started = 0; started < nthreads; started++) {
		t = &threads[started];
		*t = (struct fast_thread) { .iovad = iovad, .go = &go };
		init_completion(&t->done);
		task = kthread_run_on_cpu(fast_thread_fn, t, started, "iova_bench/%u");
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
	}
	complete_all(&go);
	for (i = 0; i < started; i++) {
		wait_for_completion(&threads[i].done);
		if (threads[i].failed)
			err = -ENOSPC;
		slowest = max(slowest, threads[i].ns);
	}
	return err ?: div_u64(slowest * 10, iters);
}

/* ------------------------------------------------------------ live<n> */

/* Fill @iovad with @n single pfns, top-down below @limit. */
static bool fill(struct iova_domain *iovad, unsigned long n, unsigned long limit)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (!alloc_iova(iovad, 1, limit, false))
			return false;
		if (i % 4096 == 0)
			cond_resched();
	}
	return true;
}

static s64 bench_live(struct iova_domain *iovad, unsigned long live)
{
	struct iova *iova;
	unsigned int i;
	u64 start;

	if (!fill(iovad, live, IOVA_BENCH_LIMIT))
		return -ENOSPC;
	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		iova = alloc_iova(iovad, 1, IOVA_BENCH_LIMIT, true);
		if (!iova)
			return -ENOSPC;
		__free_iova(iovad, iova);
	}
	return div_u64((ktime_get_ns() - start) * 10, iters);
}

/* --------------------------------------------------------------- frag */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The fragmented space of the frag rows, [1, @limit] with aligned pairs open
 * below @low.  Median and worst ns per call, times 10, in @median and @worst.
 */
static int bench_frag(struct iova_domain *iovad, unsigned long limit,
		      unsigned long low, u64 *median, u64 *worst,
		      unsigned long *calls)
{
	unsigned long pfn, n = 0, most = low / 4 + 1, flags;
	struct iova *iova;
	u64 *ns, start;

	ns = vmalloc_array(most, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	if (!fill(iovad, limit, limit)) {
		vfree(ns);
		return -ENOSPC;
	}
	for (pfn = 1; pfn <= limit; pfn += 2)
		free_iova(iovad, pfn);
	for (pfn = 2; pfn < low; pfn += 4)
		free_iova(iovad, pfn);
	do {
		local_irq_save(flags);
		start = ktime_get_ns();
		iova = alloc_iova(iovad, 2, limit, true);
		ns[n++] = ktime_get_ns() - start;
		local_irq_restore(flags);
	} while (iova && n < most);
	sort(ns, n, sizeof(*ns), cmp_u64, NULL);
	*median = ns[n / 2] * 10;
	*worst = ns[n - 1] * 10;
	*calls = n;
	vfree(ns);
	return n == most && !iova ? 0 : -EINVAL;
}

/* ---------------------------------------------------------------- main */

static struct iova_domain *new_domain(bool rcaches)
{
	struct iova_domain *iovad = kzalloc(sizeof(*iovad), GFP_KERNEL);

	if (!iovad)
		return NULL;
	init_iova_domain(iovad, IOVA_BENCH_GRANULE, 1);
	if (rcaches && iova_domain_init_rcaches(iovad)) {
		put_iova_domain(iovad);
		kfree(iovad);
		return NULL;
	}
	return iovad;
}

static void free_domain(struct iova_domain *iovad)
{
	put_iova_domain(iovad);
	kfree(iovad);
}

static int frag_in_new_domain(unsigned long limit, unsigned long low,
			      u64 *median, u64 *worst, unsigned long *calls)
{
	struct iova_domain *iovad = new_domain(false);
	int r;

	if (!iovad)
		return -ENOMEM;
	r = bench_frag(iovad, limit, low, median, worst, calls);
	free_domain(iovad);
	return r;
}

static unsigned int bench_all(void)
{
	static const struct {
		const char *row;
		unsigned long n;
	} live[] = {
		{ "live1k", 1000 }, { "live10k", 10000 },
		{ "live100k", 100000 }, { "live1m", 1000000 },
	};
	unsigned int i, t, failed = 0;
	struct iova_domain *iovad;
	unsigned long calls;
	u64 median, worst;
	s64 r;

	iovad = new_domain(true);
	for (t = 1; iovad && t <= min(IOVA_BENCH_THREADS, num_online_cpus()); t++) {
		r = bench_fast(iovad, t);
		if (r < 0) {
			pr_err("fast with %u thread(s) failed: %lld\n", t, r);
			failed++;
		} else {
			report("fast", t, r, iters);
		}
	}
	if (iovad)
		free_domain(iovad);
	else
		failed++;

	for (i = 0; i < ARRAY_SIZE(live); i++) {
		iovad = new_domain(false);
		r = iovad ? bench_live(iovad, live[i].n) : -ENOMEM;
		if (r < 0) {
			pr_err("%s failed: %lld\n", live[i].row, r);
			failed++;
		} else {
			report(live[i].row, 1, r, iters);
		}
		if (iovad)
			free_domain(iovad);
	}

	/*
	 * A rehearsal on a small space first, not reported: under TCG the
	 * first call down each of the allocator's paths pays for QEMU
	 * translating that code, and would be the slowest call.
	 */
	r = frag_in_new_domain(IOVA_BENCH_REHEARSAL_LIMIT, IOVA_BENCH_REHEARSAL_LOW,
			       &median, &worst, &calls) ?:
	    frag_in_new_domain(IOVA_BENCH_LIMIT, IOVA_BENCH_FRAG_LOW,
			       &median, &worst, &calls);
	if (r < 0) {
		pr_err("frag failed: %lld\n", r);
		failed++;
	} else {
		report("frag_median", 1, median, calls);
		report("frag_worst", 1, worst, calls);
	}
	return failed;
}

static int __init iova_bench_init(void)
{
	unsigned int failed;
	int err;

	if (!iters)
		return -EINVAL;
	err = iova_cache_get();
	if (err)
		return err;
	failed = bench_all();
	iova_cache_put();
	if (failed)
		pr_info("IOVABENCH-END failed=%u\n", failed);
	else
		pr_info("IOVABENCH-END ok\n");
	return 0;
}

static void __exit iova_bench_exit(void)
{
}

module_init(iova_bench_init);
module_exit(iova_bench_exit);

MODULE_DESCRIPTION("Microbenchmark of the IOVA allocator");
MODULE_LICENSE("GPL");
