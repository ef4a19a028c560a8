// SPDX-License-Identifier: GPL-2.0
/*
 * Contiguous memory areas (CMA) for DMA.
 *
 * A device that can't gather scattered pages needs its buffers contiguous
 * in physical memory.  Once memory is fragmented the page allocator can't
 * promise large blocks, and it never gives blocks above MAX_PAGE_ORDER.  An
 * area set aside at boot can: mm/cma.c lends it to movable allocations
 * while it is idle and migrates them out when a buffer is cut from it.
 *
 * The areas, in the order a device takes from them:
 *   - the device's own (dev->cma_area), which firmware glue may set up;
 *   - with DMA_NUMA_CMA, its node's: "numa<N>" sized node by node by
 *     numa_cma=, then "pernuma<N>", one per online node, sized by
 *     cma_pernuma=;
 *   - the default one, "reserved", sized by cma= or the Kconfig choice.
 *
 * Policy.  Cutting a buffer from an area takes a mutex and may migrate
 * pages, and the area is small, so the page allocator keeps serving the
 * sizes it serves well: buffers up to PAGE_ALLOC_COSTLY_ORDER come from it,
 * and from an area only when it fails.  Larger buffers try the areas first,
 * since that is what they were reserved for.  A device's own area was set
 * aside for that device alone and serves every size first.  Areas are
 * only used by callers that may sleep.
 *
 * Every buffer handed out is recorded by its first page frame and length.
 * A free that names a page inside an area but no buffer we gave, or the
 * wrong length, is reported and ignored: releasing it would give pages
 * their owner may still use to somebody else.
 */

#define pr_fmt(fmt) "dma-contiguous: " fmt

#include <linux/cma.h>
#include <linux/ctype.h>
#include <linux/dma-map-ops.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

#include "internal.h"

struct cma *dma_contiguous_default_area;

/* First page frame of each buffer handed out -> its length in pages. */
static DEFINE_XARRAY(dma_contiguous_buffers);

/* The default area's size and placement from cma=, if it was given. */
static struct dma_cma_placement cma_cmdline __initdata;
static bool cma_cmdline_given __initdata;

/* Reads a size with an optional K, M or G suffix; false unless it starts with a digit. */
static bool dma_contiguous_parse_size(const char *s, phys_addr_t *size, char **end)
{
	if (!s || !isdigit(*s))
		return false;
	*size = memparse(s, end);
	return true;
}

/**
 * dma_contiguous_parse() - Read a cma= argument.
 * @arg: "<size>[@<start>[-<end>]]", sizes with the usual K, M, G suffixes
 * @p: receives the size and the physical range the area must lie in
 *
 * A range exactly as long as the size places the area exactly there.
 *
 * Return: 0, or -EINVAL for anything else, leaving @p alone.
 */
int dma_contiguous_parse(const char *arg, struct dma_cma_placement *p)
{
	struct dma_cma_placement want = { };
	char *end;

	if (!dma_contiguous_parse_size(arg, &want.size, &end))
		return -EINVAL;
	if (*end == '@') {
		if (!dma_contiguous_parse_size(end + 1, &want.base, &end))
			return -EINVAL;
		if (*end == '-') {
			if (!dma_contiguous_parse_size(end + 1, &want.limit, &end) ||
			    want.limit <= want.base || want.limit - want.base < want.size)
				return -EINVAL;
		}
	}
	if (*end)
		return -EINVAL;
	*p = want;
	return 0;
}

static int __init dma_contiguous_early_cma(char *arg)
{
	if (dma_contiguous_parse(arg, &cma_cmdline)) {
		pr_err("ignoring cma=%s: expected <size>[@<start>[-<end>]], such as 64M or 64M@0-4G\n",
		       arg ?: "");
		return 0;
	}
	cma_cmdline_given = true;
	return 0;
}
early_param("cma", dma_contiguous_early_cma);

#ifdef CONFIG_DMA_NUMA_CMA
static phys_addr_t node_area_size[MAX_NUMNODES] __initdata;	/* numa_cma= */
static phys_addr_t pernode_area_size __initdata;		/* cma_pernuma= */
static struct cma *node_area[MAX_NUMNODES];
static struct cma *pernode_area[MAX_NUMNODES];

/* Reads a node number: digits, below MAX_NUMNODES. */
static const char *dma_contiguous_parse_node(const char *s, unsigned int *nid)
{
	const char *start = s;

	for (*nid = 0; isdigit(*s); s++) {
		*nid = *nid * 10 + (*s - '0');
		if (*nid >= MAX_NUMNODES)
			return NULL;
	}
	return s == start ? NULL : s;
}

/**
 * dma_contiguous_parse_nodes() - Read a numa_cma= argument.
 * @arg: "<node>:<size>[,<node>:<size>...]"
 * @sizes: MAX_NUMNODES sizes; each node named gets its size
 *
 * Return: 0, or -EINVAL when any part is malformed or names a node at or
 * above MAX_NUMNODES; then @sizes is left alone.
 */
int dma_contiguous_parse_nodes(const char *arg, phys_addr_t *sizes)
{
	unsigned int nid, pass;
	const char *s;
	phys_addr_t size;
	char *end;

	if (!arg)
		return -EINVAL;
	/* check everything before storing anything */
	for (pass = 0; pass < 2; pass++) {
		for (s = arg; ; s = end + 1) {
			s = dma_contiguous_parse_node(s, &nid);
			if (!s || *s != ':' || !dma_contiguous_parse_size(s + 1, &size, &end))
				return -EINVAL;
			if (pass)
				sizes[nid] = size;
			if (*end != ',')
				break;
		}
		if (*end)
			return -EINVAL;
	}
	return 0;
}

static int __init dma_contiguous_early_numa(char *arg)
{
	if (dma_contiguous_parse_nodes(arg, node_area_size))
		pr_err("ignoring numa_cma=%s: expected <node>:<size>[,<node>:<size>...] with nodes below %d\n",
		       arg ?: "", MAX_NUMNODES);
	return 0;
}
early_param("numa_cma", dma_contiguous_early_numa);

static int __init dma_contiguous_early_pernuma(char *arg)
{
	phys_addr_t size;
	char *end;

	if (!dma_contiguous_parse_size(arg, &size, &end) || *end) {
		pr_err("ignoring cma_pernuma=%s: expected a size, such as 16M\n", arg ?: "");
		return 0;
	}
	pernode_area_size = size;
	return 0;
}
early_param("cma_pernuma", dma_contiguous_early_pernuma);

static void __init dma_contiguous_reserve_node(int nid, phys_addr_t size, const char *kind,
					       struct cma **area)
{
	char name[CMA_MAX_NAME];
	int ret;

	snprintf(name, sizeof(name), "%s%d", kind, nid);
	ret = cma_declare_contiguous_nid(0, size, 0, 0, 0, false, name, area, nid);
	if (ret)
		pr_err("no %s area of %llu MiB on node %d (error %d)\n", name,
		       (unsigned long long)size / SZ_1M, nid, ret);
}

static void __init dma_contiguous_reserve_nodes(void)
{
	int nid;

	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!node_area_size[nid])
			continue;
		if (!node_online(nid)) {
			pr_err("numa_cma: node %d is not online; nothing reserved for it\n", nid);
			continue;
		}
		dma_contiguous_reserve_node(nid, node_area_size[nid], "numa", &node_area[nid]);
	}
	if (!pernode_area_size)
		return;
	for_each_online_node(nid)
		dma_contiguous_reserve_node(nid, pernode_area_size, "pernuma", &pernode_area[nid]);
}

/* The areas of node @nid, in the order they are tried. */
static struct cma *dma_contiguous_node_area(int nid, unsigned int i)
{
	if (nid == NUMA_NO_NODE || nid >= MAX_NUMNODES)
		return NULL;
	return i ? pernode_area[nid] : node_area[nid];
}

#define DMA_CMA_NODE_AREAS	2
#else
static inline void dma_contiguous_reserve_nodes(void) { }

static inline struct cma *dma_contiguous_node_area(int nid, unsigned int i)
{
	return NULL;
}

#define DMA_CMA_NODE_AREAS	0
#endif /* CONFIG_DMA_NUMA_CMA */

/* The default area's size from Kconfig, when cma= doesn't give one. */
static phys_addr_t __init dma_contiguous_configured_size(void)
{
	phys_addr_t fixed = 0, share = 0;

#ifdef CONFIG_CMA_SIZE_MBYTES
	fixed = (phys_addr_t)CONFIG_CMA_SIZE_MBYTES * SZ_1M;
#endif
#ifdef CONFIG_CMA_SIZE_PERCENTAGE
	share = div_u64(memblock_phys_mem_size() * CONFIG_CMA_SIZE_PERCENTAGE, 100);
#endif
	if (IS_ENABLED(CONFIG_CMA_SIZE_SEL_MIN))
		return min(fixed, share);
	if (IS_ENABLED(CONFIG_CMA_SIZE_SEL_MAX))
		return max(fixed, share);
	/* the other choices define only one of the two */
	return fixed + share;
}

/**
 * dma_contiguous_reserve() - Reserve the contiguous areas at boot.
 * @limit: the end of the memory the architecture can give an area;
 *	   0 for no limit
 *
 * Called by architecture setup code once memblock knows the memory and the
 * NUMA nodes, before the page allocator takes over.
 */
void __init dma_contiguous_reserve(phys_addr_t limit)
{
	struct dma_cma_placement want = { .size = dma_contiguous_configured_size() };

	dma_contiguous_reserve_nodes();
	if (cma_cmdline_given)
		want = cma_cmdline;
	if (!want.size)
		return;
	/* an exact placement the architecture can't give is still tried */
	if (want.limit && (!limit || want.limit < limit))
		limit = want.limit;
	dma_contiguous_reserve_area(want.size, want.base, limit, &dma_contiguous_default_area,
				    want.base && want.limit == want.base + want.size);
}

/**
 * dma_contiguous_early_fixup() - Architecture hook for a new area.
 * @base: the area's physical start
 * @size: its size
 *
 * Called for each area dma_contiguous_reserve_area() reserves.  An
 * architecture that must change how the kernel maps the area (to keep its
 * attributes consistent with later uncached mappings, say) overrides it.
 */
void __init __weak dma_contiguous_early_fixup(phys_addr_t base, unsigned long size)
{
}

/**
 * dma_contiguous_reserve_area() - Reserve one contiguous area at boot.
 * @size: bytes
 * @base: lowest physical address it may start at; 0 for anywhere
 * @limit: address it must end below; 0 for no limit
 * @res_cma: receives the area
 * @fixed: place it exactly at @base
 *
 * Only callable while memblock manages memory, from architecture setup or
 * firmware glue.
 *
 * Return: 0, or a negative error (nothing reserved, *@res_cma unchanged).
 */
int __init dma_contiguous_reserve_area(phys_addr_t size, phys_addr_t base, phys_addr_t limit,
				       struct cma **res_cma, bool fixed)
{
	phys_addr_t ram = memblock_phys_mem_size();
	int ret;

	if (size > ram) {
		pr_err("no area of %llu MiB: the machine has %llu MiB of memory\n",
		       (unsigned long long)size / SZ_1M, (unsigned long long)ram / SZ_1M);
		return -ENOMEM;
	}
	ret = cma_declare_contiguous(base, size, limit, 0, 0, fixed, "reserved", res_cma);
	if (ret) {
		pr_err("no area of %llu MiB at %pa%s below %pa (error %d)\n",
		       (unsigned long long)size / SZ_1M, &base, fixed ? " exactly" : " or above",
		       &limit, ret);
		return ret;
	}
	base = cma_get_base(*res_cma);
	dma_contiguous_early_fixup(base, cma_get_size(*res_cma));
	pr_info("%lu MiB at %pa for contiguous DMA buffers\n", cma_get_size(*res_cma) / SZ_1M,
		&base);
	return 0;
}

/* Cut @count pages aligned to 2^@order pages (at most CMA_ALIGNMENT) from @cma. */
static struct page *dma_contiguous_cut(struct cma *cma, unsigned long count,
				       unsigned int order, bool no_warn)
{
	struct page *page;

	if (!cma || !count)
		return NULL;
	page = cma_alloc(cma, count, min_t(unsigned int, order, CONFIG_CMA_ALIGNMENT), no_warn);
	if (!page)
		return NULL;
	if (xa_err(xa_store(&dma_contiguous_buffers, page_to_pfn(page), xa_mk_value(count),
			    GFP_KERNEL))) {
		cma_release(cma, page, count);
		return NULL;
	}
	return page;
}

struct dma_contiguous_lookup {
	unsigned long pfn;
	struct cma *area;
};

static int dma_contiguous_holds(struct cma *cma, void *data)
{
	struct dma_contiguous_lookup *l = data;
	unsigned long first = PHYS_PFN(cma_get_base(cma));

	if (l->pfn < first || l->pfn - first >= cma_get_size(cma) >> PAGE_SHIFT)
		return 0;
	l->area = cma;
	return 1;
}

/* The area page frame @pfn lies in, or NULL. */
static struct cma *dma_contiguous_area_of(unsigned long pfn)
{
	struct dma_contiguous_lookup l = { .pfn = pfn };

	cma_for_each_area(dma_contiguous_holds, &l);
	return l.area;
}

/**
 * dma_contiguous_release() - Give a buffer back to the area it came from.
 * @dev: the device it was for, named in messages
 * @page: its first page
 * @count: its length in pages
 * @func: the API call freeing it, named in messages
 *
 * Return: false when @page is in no area (the page allocator's, then);
 * true when it is: released if it starts a buffer of @count pages that we
 * handed out, else reported and left alone.
 */
bool dma_contiguous_release(struct device *dev, struct page *page, unsigned long count,
			    const char *func)
{
	unsigned long pfn = page_to_pfn(page);
	struct cma *area;
	void *entry;

	if (!is_migrate_cma_page(page))
		return false;
	area = dma_contiguous_area_of(pfn);
	if (!area)
		return false;
	entry = xa_load(&dma_contiguous_buffers, pfn);
	if (!entry) {
		dma_complain(dev, 0, func,
			     "page frame %#lx in contiguous area %s starts no buffer handed out; not freed",
			     pfn, cma_get_name(area));
		return true;
	}
	if (xa_to_value(entry) != count) {
		dma_complain(dev, 0, func,
			     "the buffer at page frame %#lx has %lu pages, freed as %lu; not freed",
			     pfn, xa_to_value(entry), count);
		return true;
	}
	/* of two frees racing for the buffer, one wins */
	if (xa_cmpxchg(&dma_contiguous_buffers, pfn, entry, NULL, 0) != entry) {
		dma_complain(dev, 0, func, "the buffer at page frame %#lx was freed twice", pfn);
		return true;
	}
	cma_release(area, page, count);
	return true;
}

/**
 * dma_alloc_from_contiguous() - Pages from a device's contiguous area.
 * @dev: the device; NULL for the default area
 * @count: pages wanted
 * @order: the start is aligned to 2^@order pages, CONFIG_CMA_ALIGNMENT at most
 * @no_warn: don't report a failure
 *
 * Takes from dev_get_cma_area(@dev) only, whatever the size; the pages may
 * be anywhere in memory.  May sleep.
 *
 * Return: the first page, or NULL.
 */
struct page *dma_alloc_from_contiguous(struct device *dev, size_t count, unsigned int order,
				       bool no_warn)
{
	return dma_contiguous_cut(dev_get_cma_area(dev), count, order, no_warn);
}

/**
 * dma_release_from_contiguous() - Undo dma_alloc_from_contiguous().
 * @dev: the device
 * @pages: the first page
 * @count: pages allocated
 *
 * Return: false if @pages is in no contiguous area, so the caller should
 * free it to the page allocator; true otherwise, including a free that was
 * refused because it doesn't describe a buffer handed out.
 */
bool dma_release_from_contiguous(struct device *dev, struct page *pages, int count)
{
	return dma_contiguous_release(dev, pages, count, "dma_release_from_contiguous");
}

/* The areas a device without one of its own takes from, in order. */
static struct page *dma_contiguous_cut_shared(struct device *dev, unsigned long count,
					      unsigned int order)
{
	int nid = dev ? dev_to_node(dev) : NUMA_NO_NODE;
	struct page *page;
	unsigned int i;

	for (i = 0; i < DMA_CMA_NODE_AREAS; i++) {
		page = dma_contiguous_cut(dma_contiguous_node_area(nid, i), count, order, true);
		if (page)
			return page;
	}
	return dma_contiguous_cut(dma_contiguous_default_area, count, order, true);
}

/* An area buffer for @size bytes; @any_size: also one the policy leaves to the page allocator. */
static struct page *dma_contiguous_alloc(struct device *dev, size_t size, gfp_t gfp,
					 bool any_size)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned int order = get_order(size);

	/* a miss is not a failure: the caller has the page allocator, and reports its own */
	if (!gfpflags_allow_blocking(gfp))
		return NULL;
	if (dev && dev->cma_area)
		return dma_contiguous_cut(dev->cma_area, count, order, true);
	if (!any_size && size <= DMA_CMA_FIRST_SIZE)
		return NULL;
	return dma_contiguous_cut_shared(dev, count, order);
}

/**
 * dma_alloc_contiguous() - A buffer from a contiguous area, if one should serve it.
 * @dev: the device, or NULL
 * @size: bytes
 * @gfp: allocation flags; only ones that may sleep use an area
 *
 * Follows the policy at the top of this file: the device's own area for
 * any size, else its node's areas and the default one for buffers above
 * PAGE_ALLOC_COSTLY_ORDER.  The buffer is aligned to its size rounded up to
 * a power of two, CONFIG_CMA_ALIGNMENT at most, and is not zeroed.
 *
 * Return: the first page, or NULL: the caller then uses the page allocator.
 */
struct page *dma_alloc_contiguous(struct device *dev, size_t size, gfp_t gfp)
{
	return dma_contiguous_alloc(dev, size, gfp, false);
}

/**
 * dma_contiguous_fallback() - A buffer of any size from a contiguous area.
 * @dev: the device
 * @size: bytes
 * @gfp: allocation flags; only ones that may sleep use an area
 *
 * For when the page allocator could not provide @size bytes.
 *
 * Return: the first page, or NULL.
 */
struct page *dma_contiguous_fallback(struct device *dev, size_t size, gfp_t gfp)
{
	return dma_contiguous_alloc(dev, size, gfp, true);
}

/**
 * dma_free_contiguous() - Free a buffer from dma_alloc_contiguous() or the page allocator.
 * @dev: the device it was for
 * @page: its first page
 * @size: its size in bytes
 *
 * A buffer in a contiguous area goes back to it; anything else goes to the
 * page allocator as a block of get_order(@size).
 */
void dma_free_contiguous(struct device *dev, struct page *page, size_t size)
{
	if (!dma_contiguous_release(dev, page, PAGE_ALIGN(size) >> PAGE_SHIFT,
				    "dma_free_contiguous"))
		__free_pages(page, get_order(size));
}
