// SPDX-License-Identifier: GPL-2.0
/*
 * dma_nvme_sample: a small NVMe PCIe driver that shows the DMA API end to end.
 *
 * It drives namespace 1 of an NVMe controller (QEMU's -device nvme) through
 * one admin and one I/O queue pair and runs tests on it from debugfs.  It has
 * no ID table, so upstream nvme keeps every controller it is not explicitly
 * given through driver_override (see the Kconfig help).  In
 * /sys/kernel/debug/dma_nvme_sample/<PCI address>/:
 *
 *   info        the controller, the DMA limits derived from it, counters
 *   verify      write "lba= blocks= bs= offset= segs= pattern= map=": write
 *               @blocks blocks of @bs bytes from @lba, read them back and
 *               compare; then read the file for the result
 *   throughput  write "op=read|write bs= qd= ios= lba= segs= map=": @ios commands
 *               of @bs bytes, @qd in flight; read the file for IOPS and MB/s.
 *               Reads cycle through a window written just before, and each
 *               one is checked to have brought that window's data.
 *               "fault=nodata|nosync" breaks each slot's reads after its
 *               first on purpose (a Flush is sent instead, or the buffer is
 *               not synced for the CPU), to show that the check catches it.
 *   coherent    write "bs= lba= pattern=": allocate one coherent buffer of
 *               @bs bytes, write it to the disk from @lba and read it back
 *               into itself, each command given an address inside it with
 *               no mapping or sync, and compare; then read the file for
 *               the result.  Above 4 MiB (the page allocator's largest
 *               block) the buffer needs a contiguous area (CMA) on the
 *               direct path; behind an IOMMU, scattered pages will do.
 *
 * Numbers take K and M suffixes.  @offset starts the data that many bytes
 * into its first page; @segs builds each buffer from that many separately
 * allocated pieces.  A failed test fails the write() and leaves the reason
 * in the file.  "map=sg" maps with dma_map_sgtable() even where the
 * two-step API could be used (the default, "map=auto"; see below).
 *
 * What the device needs, and the part of the DMA API that provides it:
 *
 *  - Queues and the identify buffer are accessed by both sides at any time:
 *    coherent memory.
 *  - A PRP list is a page-sized table the controller reads once per command:
 *    blocks from a dma_pool.
 *  - A data buffer belongs to the device only while its command runs: a
 *    streaming mapping, released when the command completes: dma_map_page()
 *    inside one page.  A larger buffer behind a translating IOMMU gets an
 *    IOVA range of its own (dma_iova_try_alloc()) with each piece linked
 *    into it end to end, so the device sees one contiguous buffer and
 *    needs a single PRP run; elsewhere it is mapped with dma_map_sgtable().
 *    The throughput test reuses its buffers and syncs them around every
 *    CPU access instead.
 *  - Every PRP entry after the first names a whole controller page (CC.MPS),
 *    so DMA segments may only meet on controller page boundaries, and a
 *    bounce buffer must keep the data's offset in its page: the core is told
 *    with dma_set_min_align_mask().  A command moves at most MDTS bytes and a
 *    bounced segment at most dma_max_mapping_size(); the smaller limits both
 *    our commands and the segments the core may build.
 *
 * Completion is by polling: the process that wrote to the debugfs file
 * submits and then spins on the completion queue's phase bit.  No interrupt
 * is ever enabled, so each buffer stays with the one context that mapped it
 * and no handler can race with unbinding.  A mutex serialises the tests.
 *
 * Failures.  A failed mapping or allocation fails its command before the
 * controller sees it.  A command that does not complete in SAMPLE_TIMEOUT, a
 * fatal controller status (CSTS.CFS) or a completion for no outstanding
 * command disables the controller and its bus mastering *before* any buffer
 * is unmapped, so it can never write to memory we gave back; the controller
 * then stays dead until the driver is bound again.  Unbinding stops new
 * commands, lets outstanding ones finish and shuts the controller down.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/hash.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define DRV_NAME		"dma_nvme_sample"
#define SAMPLE_NSID		1
#define SAMPLE_ADMIN_DEPTH	8	/* one admin command at a time */
#define SAMPLE_IO_DEPTH		64	/* I/O queue entries, one always free */
#define SAMPLE_TIMEOUT		(10 * HZ)
#define SAMPLE_MAX_XFER		SZ_4M	/* our cap when MDTS allows more */
#define SAMPLE_MAX_BYTES	SZ_64M	/* per verify or coherent request */
#define SAMPLE_MAX_IOS		10000000
#define SAMPLE_POISON		0xdbdbdbdbU
#define SAMPLE_READ_WINDOW	SZ_4M	/* throughput reads cycle in this */
#define SAMPLE_RES_LEN		256
/* List pages per command at 4 KiB pages; all but the last end in a chain. */
#define SAMPLE_PRP_PAGES	DIV_ROUND_UP(SAMPLE_MAX_XFER / SZ_4K, SZ_4K / 8 - 1)

/* A submission queue and its completion queue. */
struct sample_queue {
	struct nvme_command *sqes;	/* coherent */
	struct nvme_completion *cqes;	/* coherent */
	dma_addr_t sq_dma;
	dma_addr_t cq_dma;
	u32 __iomem *sq_db;		/* tail doorbell */
	u32 __iomem *cq_db;		/* head doorbell */
	u16 depth;
	u16 qid;
	u16 sq_tail;
	u16 cq_head;
	u8 phase;			/* phase bit of a new completion */
};

/* How a data buffer is mapped; see sample_buf_map(). */
enum sample_map {
	SAMPLE_MAP_PAGE,		/* dma_map_page() */
	SAMPLE_MAP_SG,			/* dma_map_sgtable() */
	SAMPLE_MAP_IOVA,		/* dma_iova_link() of each piece */
	SAMPLE_MAP_COHERENT,		/* part of a dma_alloc_coherent() buffer */
};

static const char * const sample_map_names[] = {
	[SAMPLE_MAP_PAGE] = "dma_map_page",
	[SAMPLE_MAP_SG] = "dma_map_sgtable",
	[SAMPLE_MAP_IOVA] = "dma_iova_link",
	[SAMPLE_MAP_COHERENT] = "dma_alloc_coherent",
};

/*
 * A data buffer and its streaming mapping.  A SAMPLE_MAP_COHERENT one only
 * describes part of a coherent buffer to sample_io_submit(): it has no
 * pieces and no mapping, and never goes through sample_buf_unmap() or
 * sample_buf_sync().
 */
struct sample_buf {
	struct sg_table sgt;		/* one entry per allocated piece */
	struct dma_iova_state iova;	/* SAMPLE_MAP_IOVA: the range */
	u32 len;
	enum dma_data_direction dir;
	dma_addr_t dma;			/* all but SG: the address of byte 0 */
	enum sample_map how;
	bool mapped;
};

/* An I/O command slot; its index is the command identifier. */
struct sample_cmd {
	__le64 *prp[SAMPLE_PRP_PAGES];	/* PRP list pages from the pool */
	dma_addr_t prp_dma[SAMPLE_PRP_PAGES];
	unsigned int nprp;
	bool busy;			/* submitted, not completed */
};

struct sample_ctrl;

/* Parameters of a test, as written to debugfs. */
struct sample_args {
	u64 lba;
	u32 blocks;		/* verify: blocks of @bs */
	u32 bs;			/* bytes per block, command or buffer */
	u32 offset;		/* data offset in the first page */
	u32 segs;		/* pieces per buffer */
	u32 qd;			/* throughput: commands in flight */
	u32 ios;		/* throughput: commands in total */
	u32 pattern;		/* seed of the data pattern */
	bool write;		/* throughput: write, not read */
	bool no_iova;		/* map=sg: never the two-step API */
	u8 fault;		/* throughput reads: enum sample_fault */
};

/* Ways to break a throughput read on purpose; see sample_tput_check(). */
enum sample_fault {
	SAMPLE_FAULT_NONE,
	SAMPLE_FAULT_NODATA,	/* a Flush instead of the Read: no data moves */
	SAMPLE_FAULT_NOSYNC,	/* no sync for the CPU after the read */
};

/* A test's debugfs file: what it runs and its last result. */
struct sample_test {
	struct sample_ctrl *ctrl;
	int (*run)(struct sample_ctrl *ctrl, const struct sample_args *a,
		   char *res);
	char res[SAMPLE_RES_LEN];
};

/* One bound controller. */
struct sample_ctrl {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct mutex lock;		/* tests, admin commands, teardown */
	bool removing;			/* unbinding: submit nothing new */
	bool dead;			/* disabled: nothing outstanding */
	bool ioq_live;			/* I/O queues exist on the device */
	u64 cap;
	unsigned long ready_timeout;	/* CAP.TO */
	u32 page_size;			/* CC.MPS */
	u32 max_xfer;			/* bytes per command */
	u32 lba_shift;
	u64 blocks;
	u16 nslots;			/* I/O commands in flight at most */
	u8 mdts;
	struct sample_queue adminq;
	struct sample_queue ioq;
	struct dma_pool *prp_pool;
	struct sample_cmd cmds[SAMPLE_IO_DEPTH];
	struct sample_test verify;
	struct sample_test tput;
	struct sample_test coherent;
	struct dentry *dir;
	char model[41];
	char serial[21];
	u64 ios;			/* I/O commands submitted */
	u64 verified;			/* bytes written and read back equal */
	u64 errors;			/* failed tests */
};

static struct dentry *sample_root;

static __printf(2, 3) void sample_say(char *res, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(res, SAMPLE_RES_LEN, fmt, args);
	va_end(args);
}

/* ------------------------------------------------------------ controller */

/* Wait up to CAP.TO for (CSTS & @mask) == @want; fail on CSTS.CFS. */
static int sample_wait_csts(struct sample_ctrl *ctrl, u32 mask, u32 want)
{
	unsigned long deadline = jiffies + ctrl->ready_timeout;
	u32 csts;

	for (;;) {
		csts = readl(ctrl->bar + NVME_REG_CSTS);
		if (csts == ~0U)
			return -ENODEV;
		if ((csts & mask) == want)
			return 0;
		if (csts & NVME_CSTS_CFS)
			return -EIO;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

/**
 * sample_disable() - stop the controller from touching memory
 * @ctrl:	controller
 *
 * Clearing CC.EN makes the controller drop its queues and abandon every
 * command; with bus mastering off it cannot reach memory even if it ignored
 * that.  Afterwards every buffer it was given may be released.
 */
static void sample_disable(struct sample_ctrl *ctrl)
{
	u32 cc = readl(ctrl->bar + NVME_REG_CC);

	if (cc != ~0U && (cc & NVME_CC_ENABLE)) {
		writel(cc & ~NVME_CC_ENABLE, ctrl->bar + NVME_REG_CC);
		if (sample_wait_csts(ctrl, NVME_CSTS_RDY, 0))
			dev_warn(&ctrl->pdev->dev, "controller did not stop\n");
	}
	pci_clear_master(ctrl->pdev);
}

/* Give up on the controller after an error; returns @err. */
static int sample_fail(struct sample_ctrl *ctrl, int err, const char *why)
{
	if (!ctrl->dead) {
		dev_err(&ctrl->pdev->dev, "%s; disabling the controller\n", why);
		sample_disable(ctrl);
		ctrl->dead = true;
	}
	return err;
}

/**
 * sample_queue_alloc() - allocate a queue pair in coherent memory
 * @ctrl:	controller
 * @q:		queue to set up
 * @qid:	its identifier
 * @depth:	entries per queue
 *
 * The controller fetches commands and posts completions whenever it likes
 * while we write and read them, so both rings are coherent.  They come
 * aligned to at least a page, as the queue base addresses must be.
 *
 * Return: 0 or -ENOMEM.
 */
static int sample_queue_alloc(struct sample_ctrl *ctrl, struct sample_queue *q,
			      u16 qid, u16 depth)
{
	struct device *dev = &ctrl->pdev->dev;
	u32 stride = 4 << NVME_CAP_STRIDE(ctrl->cap);
	void __iomem *db = ctrl->bar + NVME_REG_DBS + 2 * qid * stride;

	q->sqes = dma_alloc_coherent(dev, depth * sizeof(*q->sqes), &q->sq_dma,
				     GFP_KERNEL);
	q->cqes = dma_alloc_coherent(dev, depth * sizeof(*q->cqes), &q->cq_dma,
				     GFP_KERNEL);
	q->depth = depth;
	q->qid = qid;
	q->sq_db = db;
	q->cq_db = db + stride;
	q->phase = 1;	/* the rings start zeroed: phase 0 means "old" */
	return q->sqes && q->cqes ? 0 : -ENOMEM;
}

/* The caller never has more than depth - 1 commands outstanding. */
static void sample_sq_push(struct sample_queue *q, const struct nvme_command *c)
{
	memcpy(&q->sqes[q->sq_tail], c, sizeof(*c));
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	/* writel() orders the entry in memory before the doorbell. */
	writel(q->sq_tail, q->sq_db);
}

/**
 * sample_poll() - wait for the next completion on a queue
 * @ctrl:	controller
 * @q:		queue
 * @cqe:	the completion, copied out
 *
 * Spins on the phase bit of the next entry.  While idle it looks at the
 * controller's health once per tick: a register read is slow on an emulated
 * device and would steal time from the I/O itself.
 *
 * Return: 0, or an error after which the controller is disabled.
 */
static int sample_poll(struct sample_ctrl *ctrl, struct sample_queue *q,
		       struct nvme_completion *cqe)
{
	unsigned long deadline = jiffies + SAMPLE_TIMEOUT;
	unsigned long next_check = jiffies + 1;
	struct nvme_completion *e = &q->cqes[q->cq_head];
	u32 csts;

	while ((le16_to_cpu(READ_ONCE(e->status)) & 1) != q->phase) {
		if (time_before(jiffies, next_check)) {
			cpu_relax();
			continue;
		}
		csts = readl(ctrl->bar + NVME_REG_CSTS);
		if (csts == ~0U)
			return sample_fail(ctrl, -ENODEV, "controller vanished");
		if (csts & NVME_CSTS_CFS)
			return sample_fail(ctrl, -EIO, "controller fatal status");
		if (time_after(jiffies, deadline))
			return sample_fail(ctrl, -ETIMEDOUT, "command timed out");
		next_check = jiffies + 1;
		cond_resched();
	}
	/* Read the rest of the entry only after its phase bit says it is new. */
	dma_rmb();
	*cqe = *e;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	writel(q->cq_head, q->cq_db);
	return 0;
}

/* Run one admin command to completion: 0, -EIO if it failed, or a poll error. */
static int sample_admin(struct sample_ctrl *ctrl, struct nvme_command *c)
{
	struct nvme_completion cqe;
	u16 status;
	int ret;

	if (ctrl->dead)
		return -EIO;
	c->common.command_id = 0;
	sample_sq_push(&ctrl->adminq, c);
	ret = sample_poll(ctrl, &ctrl->adminq, &cqe);
	if (ret)
		return ret;
	status = le16_to_cpu(cqe.status) >> 1;
	if (status) {
		dev_err(&ctrl->pdev->dev, "admin command %#x failed: status %#x\n",
			c->common.opcode, status);
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ PRPs */

static void sample_prp_free(struct sample_ctrl *ctrl, struct sample_cmd *cmd)
{
	while (cmd->nprp) {
		cmd->nprp--;
		dma_pool_free(ctrl->prp_pool, cmd->prp[cmd->nprp],
			      cmd->prp_dma[cmd->nprp]);
	}
}

/*
 * Where list entry @n goes.  Every list page but the last gives its final
 * entry to the pointer to the next page, so the last can hold one more.
 */
static __le64 *sample_prp_slot(struct sample_cmd *cmd, u32 per_page, u32 n)
{
	u32 page = n / (per_page - 1), idx = n % (per_page - 1);

	if (page == cmd->nprp) {
		page--;
		idx = per_page - 1;
	}
	return &cmd->prp[page][idx];
}

/**
 * sample_build_prps() - describe a mapped buffer to the controller
 * @ctrl:	controller
 * @cmd:	command slot; receives the list pages
 * @b:		mapped buffer, or part of a coherent one
 * @dptr:	PRP1 and PRP2 of the command
 *
 * PRP1 holds the first address, dword aligned.  Every further entry names a
 * whole controller page: one goes in PRP2, more go in a list PRP2 points to.
 * So a DMA segment after the first must start on a controller page boundary
 * and the one before it must have ended on one.
 *
 * Return: 0, -ENOMEM without list pages, or -EIO if the mapping cannot be
 * expressed as PRPs.  On error the slot holds no list page.
 */
static int sample_build_prps(struct sample_ctrl *ctrl, struct sample_cmd *cmd,
			     struct sample_buf *b, union nvme_data_ptr *dptr)
{
	struct scatterlist *sg = b->how == SAMPLE_MAP_SG ? b->sgt.sgl : NULL;
	u32 ps = ctrl->page_size, per_page = ps / sizeof(__le64);
	u32 i, n = 0, nsegs = sg ? b->sgt.nents : 1, count, len;
	dma_addr_t addr = sg ? sg_dma_address(sg) : b->dma, p, end = 0;

	/* Controller pages touched, not counting the first. */
	count = DIV_ROUND_UP((u32)(addr & (ps - 1)) + b->len, ps) - 1;
	if (count > 1) {
		cmd->nprp = DIV_ROUND_UP(count - 1, per_page - 1);
		if (WARN_ON_ONCE(cmd->nprp > SAMPLE_PRP_PAGES))
			cmd->nprp = 0;
		for (i = 0; i < cmd->nprp; i++) {
			cmd->prp[i] = dma_pool_alloc(ctrl->prp_pool, GFP_KERNEL,
						     &cmd->prp_dma[i]);
			if (!cmd->prp[i]) {
				cmd->nprp = i;
				sample_prp_free(ctrl, cmd);
				return -ENOMEM;
			}
			if (i)
				cmd->prp[i - 1][per_page - 1] =
					cpu_to_le64(cmd->prp_dma[i]);
		}
		if (!cmd->nprp)
			return -EIO;
		dptr->prp2 = cpu_to_le64(cmd->prp_dma[0]);
	}
	dptr->prp1 = cpu_to_le64(addr);
	if (!IS_ALIGNED(addr, 4))
		goto bad;
	for (i = 0; i < nsegs; i++, sg = sg ? sg_next(sg) : NULL) {
		addr = sg ? sg_dma_address(sg) : b->dma;
		len = sg ? sg_dma_len(sg) : b->len;
		if (i && (!IS_ALIGNED(addr, ps) || !IS_ALIGNED(end, ps)))
			goto bad;
		p = i ? addr : ALIGN_DOWN(addr, ps) + ps;
		for (end = addr + len; p < end; p += ps, n++) {
			if (n == count)
				goto bad;
			if (count == 1)
				dptr->prp2 = cpu_to_le64(p);
			else
				*sample_prp_slot(cmd, per_page, n) = cpu_to_le64(p);
		}
	}
	if (n == count)
		return 0;
bad:
	dev_err_ratelimited(&ctrl->pdev->dev,
			    "DMA segments of %u bytes break the PRP rules\n", b->len);
	sample_prp_free(ctrl, cmd);
	return -EIO;
}

/* ---------------------------------------------------------- I/O commands */

/**
 * sample_io_submit() - start a read or write of a mapped buffer
 * @ctrl:	controller
 * @slot:	free command slot; becomes the command identifier
 * @b:		mapped buffer or part of a coherent one, a whole number of
 *		blocks
 * @opcode:	nvme_cmd_read or nvme_cmd_write (nvme_cmd_flush for a test
 *		that needs a command which moves no data)
 * @lba:	first block
 *
 * Return: 0, -ENODEV while unbinding, -EIO on a dead controller, or an
 * error from sample_build_prps().  Nothing is submitted on error.
 */
static int sample_io_submit(struct sample_ctrl *ctrl, u16 slot,
			    struct sample_buf *b, u8 opcode, u64 lba)
{
	struct sample_cmd *cmd = &ctrl->cmds[slot];
	struct nvme_command c = { };
	int ret;

	if (READ_ONCE(ctrl->removing))
		return -ENODEV;
	if (ctrl->dead)
		return -EIO;
	ret = sample_build_prps(ctrl, cmd, b, &c.rw.dptr);
	if (ret)
		return ret;
	c.rw.opcode = opcode;
	c.rw.command_id = slot;
	c.rw.nsid = cpu_to_le32(SAMPLE_NSID);
	c.rw.slba = cpu_to_le64(lba);
	c.rw.length = cpu_to_le16((b->len >> ctrl->lba_shift) - 1);
	cmd->busy = true;
	ctrl->ios++;
	sample_sq_push(&ctrl->ioq, &c);
	return 0;
}

/**
 * sample_io_reap() - wait for the next I/O completion
 * @ctrl:	controller
 * @slot:	receives the completed command's slot
 * @status:	receives its status field (0 for success)
 *
 * Return: 0, or an error after which the controller is disabled and nothing
 * is outstanding any more, so every buffer may be unmapped.
 */
static int sample_io_reap(struct sample_ctrl *ctrl, u16 *slot, u16 *status)
{
	struct nvme_completion cqe;
	unsigned int i;
	int ret;

	ret = sample_poll(ctrl, &ctrl->ioq, &cqe);
	if (!ret && (cqe.command_id >= ctrl->nslots ||
		     !ctrl->cmds[cqe.command_id].busy))
		ret = sample_fail(ctrl, -EIO, "completion for no outstanding command");
	for (i = 0; i < ctrl->nslots && ret; i++) {
		sample_prp_free(ctrl, &ctrl->cmds[i]);
		ctrl->cmds[i].busy = false;
	}
	if (ret)
		return ret;
	*slot = cqe.command_id;
	*status = le16_to_cpu(cqe.status) >> 1;
	sample_prp_free(ctrl, &ctrl->cmds[*slot]);
	ctrl->cmds[*slot].busy = false;
	return 0;
}

/**
 * sample_io_once() - write or read a buffer with one command and wait for it
 * @ctrl:	controller, with no command outstanding
 * @b:		mapped buffer or part of a coherent one, at most
 *		@ctrl->max_xfer bytes
 * @write:	write it to the disk, else read into it
 * @lba:	first block
 * @nprp:	receives the PRP list pages the command took, if it was sent
 * @res:	receives the reason on error
 *
 * Return: 0, -EIO for a failed command, or an error from sample_io_submit()
 * or sample_io_reap().  Either way nothing is outstanding afterwards.
 */
static int sample_io_once(struct sample_ctrl *ctrl, struct sample_buf *b,
			  bool write, u64 lba, u32 *nprp, char *res)
{
	const char *op = write ? "write" : "read";
	u16 slot, status = 0;
	int ret;

	ret = sample_io_submit(ctrl, 0, b, write ? nvme_cmd_write : nvme_cmd_read,
			       lba);
	if (!ret) {
		*nprp = ctrl->cmds[0].nprp;
		ret = sample_io_reap(ctrl, &slot, &status);
	}
	if (ret) {
		sample_say(res, "error: %s of %u B at LBA %llu not done (%d)\n",
			   op, b->len, lba, ret);
		return ret;
	}
	if (status) {
		sample_say(res, "error: %s of %u B at LBA %llu: controller status %#x\n",
			   op, b->len, lba, status);
		return -EIO;
	}
	return 0;
}

/* --------------------------------------------------------------- buffers */

/**
 * sample_buf_alloc() - allocate a data buffer in pieces
 * @b:		buffer, zeroed by the caller
 * @len:	bytes of data
 * @offset:	where the data starts in the first page
 * @segs:	pieces; at most one per page the data touches
 *
 * The data is split at page boundaries into @segs pieces, each allocated on
 * its own.  When there are several, each gets one spare page at its end, so
 * no two pieces are neighbours in memory and the DMA core cannot merge them:
 * the device really sees @segs segments.
 *
 * Return: 0 or -ENOMEM; sample_buf_free() undoes a partial allocation.
 */
static int sample_buf_alloc(struct sample_buf *b, u32 len, u32 offset, u32 segs)
{
	u32 npages = DIV_ROUND_UP(offset + len, PAGE_SIZE);
	u32 first, last, start, end, guard;
	struct scatterlist *sg;
	unsigned int k;
	void *va;

	segs = clamp(segs, 1U, npages);
	guard = segs > 1;
	if (sg_alloc_table(&b->sgt, segs, GFP_KERNEL))
		return -ENOMEM;
	b->len = len;
	for_each_sgtable_sg(&b->sgt, sg, k) {
		first = k * npages / segs;
		last = (k + 1) * npages / segs;
		start = max_t(u32, first * PAGE_SIZE, offset);
		end = min_t(u32, last * PAGE_SIZE, offset + len);
		va = alloc_pages_exact((last - first + guard) * PAGE_SIZE,
				       GFP_KERNEL);
		if (!va)
			return -ENOMEM;
		sg_set_buf(sg, va + start - first * PAGE_SIZE, end - start);
	}
	return 0;
}

static void sample_buf_free(struct sample_buf *b)
{
	u32 guard = b->sgt.orig_nents > 1;
	struct scatterlist *sg;
	unsigned int k;

	if (!b->sgt.sgl)
		return;
	for_each_sgtable_sg(&b->sgt, sg, k) {
		if (!sg_page(sg))
			break;
		free_pages_exact(sg_virt(sg) - sg->offset,
				 PAGE_ALIGN(sg->offset + sg->length) + guard * PAGE_SIZE);
	}
	sg_free_table(&b->sgt);
}

/*
 * Link each piece of @b into the range reserved for it, end to end.  The
 * pieces meet on page boundaries (sample_buf_alloc()), as links must.
 */
static int sample_buf_link(struct device *dev, struct sample_buf *b)
{
	struct scatterlist *sg;
	size_t off = 0;
	unsigned int k;
	int ret = 0;

	for_each_sgtable_sg(&b->sgt, sg, k) {
		ret = dma_iova_link(dev, &b->iova, sg_phys(sg), off, sg->length,
				    b->dir, 0);
		if (ret)
			break;
		off += sg->length;
	}
	if (!ret)
		ret = dma_iova_sync(dev, &b->iova, 0, off);
	if (ret) {
		dma_iova_destroy(dev, &b->iova, off, b->dir, 0);
		return ret;
	}
	b->dma = b->iova.addr;
	return 0;
}

/**
 * sample_buf_map() - give a buffer to the device
 * @ctrl:	controller
 * @b:		buffer
 * @dir:	DMA_TO_DEVICE to write it to the disk, DMA_FROM_DEVICE to read
 * @try_iova:	use the two-step API where the device allows it
 *
 * A buffer inside one page needs only dma_map_page().  Anything larger is
 * linked into an IOVA range when dma_iova_try_alloc() gives one, and is
 * otherwise a scatterlist, even in one piece, so the core may split or
 * bounce it.  A range that cannot take the links (an IOMMU granule larger
 * than our pieces' page alignment, say) falls back to the scatterlist.
 *
 * Return: 0, or -EIO if the DMA core could not map it.
 */
static int sample_buf_map(struct sample_ctrl *ctrl, struct sample_buf *b,
			  enum dma_data_direction dir, bool try_iova)
{
	struct device *dev = &ctrl->pdev->dev;
	struct scatterlist *sg = b->sgt.sgl;
	int ret = 0;

	b->dir = dir;
	if (b->sgt.orig_nents == 1 && sg->offset + sg->length <= PAGE_SIZE) {
		b->how = SAMPLE_MAP_PAGE;
		b->dma = dma_map_page(dev, sg_page(sg), sg->offset, sg->length, dir);
		if (dma_mapping_error(dev, b->dma))
			ret = -EIO;
	} else {
		b->how = SAMPLE_MAP_IOVA;
		if (!try_iova ||
		    !dma_iova_try_alloc(dev, &b->iova, sg_phys(sg), b->len) ||
		    sample_buf_link(dev, b)) {
			b->how = SAMPLE_MAP_SG;
			ret = dma_map_sgtable(dev, &b->sgt, dir, 0);
		}
	}
	if (ret) {
		dev_warn_ratelimited(dev, "DMA mapping of %u bytes failed (%d)\n",
				     b->len, ret);
		return -EIO;
	}
	b->mapped = true;
	return 0;
}

static void sample_buf_unmap(struct sample_ctrl *ctrl, struct sample_buf *b)
{
	struct device *dev = &ctrl->pdev->dev;

	if (!b->mapped)
		return;
	if (b->how == SAMPLE_MAP_PAGE)
		dma_unmap_page(dev, b->dma, b->len, b->dir);
	else if (b->how == SAMPLE_MAP_IOVA)
		dma_iova_destroy(dev, &b->iova, b->len, b->dir, 0);
	else
		dma_unmap_sgtable(dev, &b->sgt, b->dir, 0);
	b->mapped = false;
}

/*
 * Hand a mapped buffer to the CPU (@for_cpu) or back to the device.  A
 * linked buffer is synced piece by piece: each piece is contiguous in
 * memory, while the range is contiguous only for the device.
 */
static void sample_buf_sync(struct sample_ctrl *ctrl, struct sample_buf *b,
			    bool for_cpu)
{
	struct device *dev = &ctrl->pdev->dev;
	struct scatterlist *sg;
	dma_addr_t addr = b->dma;
	unsigned int k;

	if (b->how == SAMPLE_MAP_SG && for_cpu) {
		dma_sync_sgtable_for_cpu(dev, &b->sgt, b->dir);
	} else if (b->how == SAMPLE_MAP_SG) {
		dma_sync_sgtable_for_device(dev, &b->sgt, b->dir);
	} else {
		for_each_sgtable_sg(&b->sgt, sg, k) {
			if (for_cpu)
				dma_sync_single_for_cpu(dev, addr, sg->length, b->dir);
			else
				dma_sync_single_for_device(dev, addr, sg->length, b->dir);
			addr += sg->length;
		}
	}
}

/* The pattern word at disk byte @pos (a multiple of 4) for @seed. */
static u32 sample_word(u32 seed, u64 pos)
{
	return hash_64((pos >> 2) ^ ((u64)seed << 32), 32);
}

/**
 * sample_words() - fill memory with the test pattern, or check it
 * @w:		the memory, virtually contiguous
 * @len:	its length in bytes, a multiple of 4
 * @seed:	pattern seed
 * @pos:	disk byte position of @w[0]
 * @check:	compare instead of fill
 * @res:	receives the first difference, when checking
 *
 * Each word depends on its position on the disk, so data that lands in the
 * wrong place (a wrong PRP entry, a misplaced bounce) cannot pass for right.
 *
 * Return: 0, or -EBADMSG if the data differs.
 */
static int sample_words(u32 *w, u32 len, u32 seed, u64 pos, bool check,
			char *res)
{
	u32 i, want;

	for (i = 0; i < len / 4; i++, pos += 4) {
		want = sample_word(seed, pos);
		if (!check) {
			w[i] = want;
		} else if (w[i] != want) {
			sample_say(res, "error: disk byte %llu reads %#x, not %#x\n",
				   pos, w[i], want);
			return -EBADMSG;
		}
	}
	return 0;
}

/* sample_words() on each piece of a buffer in turn. */
static int sample_pattern(struct sample_buf *b, u32 seed, u64 pos, bool check,
			  char *res)
{
	struct scatterlist *sg;
	unsigned int k;
	int ret;

	for_each_sgtable_sg(&b->sgt, sg, k) {
		ret = sample_words(sg_virt(sg), sg->length, seed, pos, check, res);
		if (ret)
			return ret;
		pos += sg->length;
	}
	return 0;
}

/* ----------------------------------------------------------------- tests */

/* What one verify request exercised, per command at most. */
struct sample_stats {
	u32 cmds;
	u32 singles;		/* commands mapped by dma_map_page() */
	u32 linked;		/* commands mapped by dma_iova_link() */
	u32 sg;			/* scatterlist entries */
	u32 segs;		/* DMA segments after mapping */
	u32 prp;		/* PRP list pages */
};

/**
 * sample_verify_one() - write, or read back and check, one command's data
 * @ctrl:	controller
 * @a:		request
 * @pos:	disk byte position
 * @len:	bytes, at most @ctrl->max_xfer
 * @write:	write the pattern, else read and check it
 * @st:		statistics to update
 * @res:	receives the reason on error
 *
 * Each command gets a fresh buffer, mapped for just that command.  A read
 * buffer is poisoned first, so a transfer that never happened cannot pass.
 *
 * Return: 0 or a negative error.
 */
static int sample_verify_one(struct sample_ctrl *ctrl,
			     const struct sample_args *a, u64 pos, u32 len,
			     bool write, struct sample_stats *st, char *res)
{
	u64 lba = pos >> ctrl->lba_shift;
	struct sample_buf b = { };
	struct scatterlist *sg;
	unsigned int k;
	u32 nprp = 0;
	int ret;

	ret = sample_buf_alloc(&b, len, a->offset, a->segs);
	if (ret) {
		sample_say(res, "error: no memory for %u bytes\n", len);
		goto out;
	}
	if (write)
		sample_pattern(&b, a->pattern, pos, false, NULL);
	else
		for_each_sgtable_sg(&b.sgt, sg, k)
			memset(sg_virt(sg), SAMPLE_POISON & 0xff, sg->length);
	ret = sample_buf_map(ctrl, &b, write ? DMA_TO_DEVICE : DMA_FROM_DEVICE,
			     !a->no_iova);
	if (ret) {
		sample_say(res, "error: %s of %u B at LBA %llu: DMA mapping failed\n",
			   write ? "write" : "read", len, lba);
		goto out;
	}
	st->cmds++;
	st->singles += b.how == SAMPLE_MAP_PAGE;
	st->linked += b.how == SAMPLE_MAP_IOVA;
	st->sg = max(st->sg, b.sgt.orig_nents);
	st->segs = max_t(u32, st->segs, b.how == SAMPLE_MAP_SG ? b.sgt.nents : 1);
	ret = sample_io_once(ctrl, &b, write, lba, &nprp, res);
	st->prp = max(st->prp, nprp);
	sample_buf_unmap(ctrl, &b);
	if (!ret && !write)
		ret = sample_pattern(&b, a->pattern, pos, true, res);
out:
	sample_buf_free(&b);
	return ret;
}

/**
 * sample_verify() - write a pattern, read it back, compare
 * @ctrl:	controller, locked
 * @a:		request
 * @res:	receives the result
 *
 * All blocks are written, then read back, one command at a time; a block
 * larger than a command allows takes several.  The range is deliberately
 * not checked against the namespace: the controller fails such a command,
 * which is how the tests exercise a device error.
 *
 * Return: 0 or a negative error.
 */
static int sample_verify(struct sample_ctrl *ctrl, const struct sample_args *a,
			 char *res)
{
	u32 lbs = 1U << ctrl->lba_shift, off, len, blk;
	u64 base = a->lba << ctrl->lba_shift;
	struct sample_stats st = { };
	int pass, ret = 0;

	if (!a->blocks || !a->bs || a->bs % lbs || a->bs > SAMPLE_MAX_XFER ||
	    (u64)a->blocks * a->bs > SAMPLE_MAX_BYTES ||
	    a->offset >= PAGE_SIZE || a->offset % 4 || a->fault) {
		sample_say(res,
			   "invalid: bs must be blocks of %u up to %u, offset a multiple of 4 below %lu, no fault\n",
			   lbs, (u32)SAMPLE_MAX_XFER, PAGE_SIZE);
		return -EINVAL;
	}
	for (pass = 0; pass < 2 && !ret; pass++)
		for (blk = 0; blk < a->blocks && !ret; blk++)
			for (off = 0; off < a->bs && !ret; off += len) {
				len = min(a->bs - off, ctrl->max_xfer);
				ret = sample_verify_one(ctrl, a,
							base + (u64)blk * a->bs + off,
							len, !pass, &st, res);
			}
	if (ret)
		return ret;
	ctrl->verified += (u64)a->blocks * a->bs;
	sample_say(res,
		   "ok: %u x %u B at LBA %llu offset %u: %u commands (%u dma_map_page, %u dma_iova_link), per command up to %u sg entries, %u DMA segments, %u PRP list pages\n",
		   a->blocks, a->bs, a->lba, a->offset, st.cmds, st.singles,
		   st.linked, st.sg, st.segs, st.prp);
	return 0;
}

/**
 * sample_coherent_io() - move a coherent buffer to or from the disk
 * @ctrl:	controller
 * @dma:	the buffer's DMA address
 * @len:	its length, a whole number of blocks
 * @lba:	first block
 * @write:	write the buffer to the disk, else read the disk into it
 * @res:	receives the reason on error
 *
 * One command at a time, each for the next @ctrl->max_xfer bytes at most,
 * given the buffer's own DMA address plus the offset: nothing is mapped or
 * synced.  The doorbell's writel() orders the CPU's stores before the
 * controller hears of a command, and sample_poll()'s dma_rmb() orders the
 * CPU's loads after its completion; coherent memory needs nothing more.
 *
 * Return: the number of commands, or a negative error.
 */
static int sample_coherent_io(struct sample_ctrl *ctrl, dma_addr_t dma,
			      u32 len, u64 lba, bool write, char *res)
{
	struct sample_buf part = { .how = SAMPLE_MAP_COHERENT };
	u32 off, nprp;
	int cmds = 0, ret;

	for (off = 0; off < len; off += part.len, cmds++) {
		part.dma = dma + off;
		part.len = min(len - off, ctrl->max_xfer);
		ret = sample_io_once(ctrl, &part, write,
				     lba + (off >> ctrl->lba_shift), &nprp, res);
		if (ret)
			return ret;
	}
	return cmds;
}

/**
 * sample_coherent() - write a coherent buffer to the disk and read it back
 * @ctrl:	controller, locked
 * @a:		request
 * @res:	receives the result
 *
 * The buffer is filled with the pattern, written from @a->lba, poisoned,
 * read back into itself and compared.  The CPU and the controller share it
 * throughout.  Beyond the page allocator's largest block (4 MiB) it needs
 * a contiguous area on the direct path; behind an IOMMU it may be made of
 * scattered pages, which the controller sees in one IOVA range.
 *
 * Return: 0 or a negative error.
 */
static int sample_coherent(struct sample_ctrl *ctrl,
			   const struct sample_args *a, char *res)
{
	struct device *dev = &ctrl->pdev->dev;
	u32 lbs = 1U << ctrl->lba_shift;
	u64 pos = a->lba << ctrl->lba_shift;
	dma_addr_t dma;
	int cmds, ret;
	u32 *buf;

	if (!a->bs || a->bs % lbs || a->bs > SAMPLE_MAX_BYTES ||
	    a->blocks != 1 || a->offset || a->segs != 1 || a->fault) {
		sample_say(res,
			   "invalid: bs must be blocks of %u up to %u; no blocks, offset, segs or fault\n",
			   lbs, (u32)SAMPLE_MAX_BYTES);
		return -EINVAL;
	}
	buf = dma_alloc_coherent(dev, a->bs, &dma, GFP_KERNEL);
	if (!buf) {
		sample_say(res, "error: dma_alloc_coherent of %u B failed\n",
			   a->bs);
		return -ENOMEM;
	}
	sample_words(buf, a->bs, a->pattern, pos, false, NULL);
	cmds = sample_coherent_io(ctrl, dma, a->bs, a->lba, true, res);
	if (cmds > 0) {
		memset(buf, SAMPLE_POISON & 0xff, a->bs);
		cmds = sample_coherent_io(ctrl, dma, a->bs, a->lba, false, res);
	}
	ret = cmds < 0 ? cmds : sample_words(buf, a->bs, a->pattern, pos,
					     true, res);
	/* Nothing is outstanding, or the controller is disabled. */
	dma_free_coherent(dev, a->bs, buf, dma);
	if (ret)
		return ret;
	ctrl->verified += a->bs;
	sample_say(res,
		   "ok: coherent %u B at dma %pad: written from LBA %llu and read back in %d commands each way\n",
		   a->bs, &dma, a->lba, cmds);
	return 0;
}

/* A throughput command slot: its buffer, mapped for the whole run. */
struct sample_slot {
	struct sample_buf buf;
	u32 blk;		/* block of the run it last moved; U32_MAX: none */
	u64 pos;		/* disk byte position of that block */
	u8 fault;		/* enum sample_fault of its command */
};

/*
 * Hand a reused buffer back to the device for its next block, stamped with
 * a sequence number if it is written.  When the core bounces, this sync is
 * what copies the new bytes to where the device reads them.
 */
static int sample_tput_start(struct sample_ctrl *ctrl,
			     const struct sample_args *a, struct sample_slot *s,
			     u16 slot, u32 seq)
{
	u8 opcode = a->write ? nvme_cmd_write : nvme_cmd_read;

	if (a->write)
		*(u32 *)sg_virt(s->buf.sgt.sgl) = seq;
	if (s->fault == SAMPLE_FAULT_NODATA)
		opcode = nvme_cmd_flush;
	sample_buf_sync(ctrl, &s->buf, false);
	return sample_io_submit(ctrl, slot, &s->buf, opcode,
				s->pos >> ctrl->lba_shift);
}

/*
 * Write the read window with a pattern of a fresh random seed, so that
 * nothing left over from before the run (in a buffer, a bounce slot or on
 * the disk) holds what a read of this run must bring.
 */
static int sample_tput_fill(struct sample_ctrl *ctrl,
			    const struct sample_args *a, u32 seed, u32 window,
			    char *res)
{
	struct sample_args fill = {
		.pattern = seed, .segs = 1, .no_iova = a->no_iova,
	};
	u64 pos = a->lba << ctrl->lba_shift;
	u64 end = pos + (u64)window * a->bs;
	struct sample_stats st = { };
	u32 len;
	int ret = 0;

	for (; pos < end && !ret; pos += len) {
		len = min_t(u64, end - pos, ctrl->max_xfer);
		ret = sample_verify_one(ctrl, &fill, pos, len, true, &st, res);
	}
	return ret;
}

/**
 * sample_tput_check() - did a read bring its block into its buffer?
 * @s:		slot whose read completed and was synced for the CPU
 * @seed:	the window's pattern seed
 * @res:	receives the first difference
 *
 * The buffer, and under swiotlb its bounce slot, held something else before
 * the read: the poison it was mapped with, or the pattern of a different
 * block (sample_throughput() never gives a slot the block it has).  So
 * finding this block's pattern proves, in every mode, that the device wrote
 * it and that it reached this buffer: a read that moved nothing, or a
 * bounce buffer never copied back, leaves the old words in place.  The
 * first and last word of each piece are checked, which keeps the check
 * cheap next to the I/O being timed.
 *
 * Return: 0, or -EBADMSG if the data is not this block's.
 */
static int sample_tput_check(struct sample_slot *s, u32 seed, char *res)
{
	struct scatterlist *sg;
	u64 pos = s->pos, at;
	unsigned int k, i;
	u32 *w, last;

	for_each_sgtable_sg(&s->buf.sgt, sg, k) {
		w = sg_virt(sg);
		last = sg->length / 4 - 1;
		for (i = 0; i <= last; i += max(last, 1U)) {
			at = pos + 4 * i;
			if (w[i] != sample_word(seed, at)) {
				sample_say(res,
					   "error: read data check: disk byte %llu arrived as %#x, not %#x\n",
					   at, w[i], sample_word(seed, at));
				return -EBADMSG;
			}
		}
		pos += sg->length;
	}
	return 0;
}

/*
 * The next block of the run for a slot: walk the run's blocks in turn, but
 * skip the one the slot's buffer already holds, so that a read which
 * changes nothing cannot pass sample_tput_check().  A requested fault
 * spares the slot's first read: what a broken read then leaves behind is a
 * real block's data, not the poison, and that is what a check which only
 * looked for poison would miss when the data is bounced.
 */
static void sample_tput_next(struct sample_ctrl *ctrl,
			     const struct sample_args *a, struct sample_slot *s,
			     u32 *next, u32 blocks)
{
	u32 blk = *next;

	s->fault = s->blk == U32_MAX ? SAMPLE_FAULT_NONE : a->fault;
	if (blk == s->blk)
		blk = (blk + 1) % blocks;
	*next = (blk + 1) % blocks;
	s->blk = blk;
	s->pos = (a->lba << ctrl->lba_shift) + (u64)blk * a->bs;
}

/**
 * sample_throughput() - keep commands in flight and time them
 * @ctrl:	controller, locked
 * @a:		request
 * @res:	receives the result
 *
 * Keeps @a->qd commands of @a->bs bytes in flight until @a->ios are done.
 * Writes walk the disk from @a->lba, wrapping at its end.  Reads cycle
 * through a window from @a->lba of SAMPLE_READ_WINDOW (two blocks at
 * least), written with a fresh pattern before the clock starts, and every
 * read is checked by sample_tput_check().  Each slot's buffer is mapped
 * once and reused, synced around every CPU access.
 *
 * Return: 0 or a negative error.
 */
static int sample_throughput(struct sample_ctrl *ctrl,
			     const struct sample_args *a, char *res)
{
	enum dma_data_direction dir = a->write ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	u32 nlb = a->bs >> ctrl->lba_shift, submitted = 0, done = 0, busy = 0;
	u32 span = 0, next = 0, tenths, seed = get_random_u32();
	u64 ns, t0, mbps;
	struct sample_slot *slots;
	struct scatterlist *sg;
	u16 slot, status = 0;
	unsigned int k;
	int ret = 0, err;

	if (nlb && a->lba < ctrl->blocks) {
		span = min_t(u64, div_u64(ctrl->blocks - a->lba, nlb), U32_MAX);
		/* Small enough to write before the run, and never one block. */
		if (!a->write)
			span = min(span, max(SAMPLE_READ_WINDOW / a->bs, 2U));
	}
	if (a->bs % (1U << ctrl->lba_shift) || a->bs > ctrl->max_xfer ||
	    !a->qd || a->qd > ctrl->nslots || !a->ios || a->ios > SAMPLE_MAX_IOS ||
	    span < (a->write ? 1 : 2) || (a->fault && a->write)) {
		sample_say(res,
			   "invalid: bs must be blocks up to %u, qd 1..%u, ios 1..%u, two reads or a write inside the disk, faults for reads only\n",
			   ctrl->max_xfer, ctrl->nslots, SAMPLE_MAX_IOS);
		return -EINVAL;
	}
	slots = kcalloc(a->qd, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	for (slot = 0; slot < a->qd && !ret; slot++) {
		slots[slot].blk = U32_MAX;
		ret = sample_buf_alloc(&slots[slot].buf, a->bs, 0, a->segs);
		if (!ret && a->write)
			sample_pattern(&slots[slot].buf, a->pattern, 0, false, NULL);
		else if (!ret)
			for_each_sgtable_sg(&slots[slot].buf.sgt, sg, k)
				memset(sg_virt(sg), SAMPLE_POISON & 0xff, sg->length);
		/* Mapped before the window is written: see sample_tput_fill(). */
		if (!ret)
			ret = sample_buf_map(ctrl, &slots[slot].buf, dir,
					     !a->no_iova);
		/* Between commands the CPU owns each buffer. */
		if (!ret)
			sample_buf_sync(ctrl, &slots[slot].buf, true);
	}
	if (ret) {
		sample_say(res, "error: no buffers (%d)\n", ret);
		goto out;
	}
	if (!a->write)
		ret = sample_tput_fill(ctrl, a, seed, span, res);

	t0 = ktime_get_ns();
	while (done < a->ios) {
		for (slot = 0; slot < a->qd && busy < a->qd && !ret &&
		     submitted < a->ios; slot++) {
			if (ctrl->cmds[slot].busy)
				continue;
			sample_tput_next(ctrl, a, &slots[slot], &next, span);
			ret = sample_tput_start(ctrl, a, &slots[slot], slot,
						submitted);
			submitted += !ret;
			busy += !ret;
		}
		if (!busy)
			break;
		err = sample_io_reap(ctrl, &slot, &status);
		if (err) {
			ret = err;	/* nothing is outstanding any more */
			break;
		}
		busy--;
		done++;
		if (slots[slot].fault != SAMPLE_FAULT_NOSYNC)
			sample_buf_sync(ctrl, &slots[slot].buf, true);
		if (!ret && status)
			ret = -EIO;
		if (!ret && !a->write)
			ret = sample_tput_check(&slots[slot], seed, res);
	}
	ns = max_t(u64, ktime_get_ns() - t0, 1);
	mbps = div_u64_rem(div64_u64((u64)done * a->bs * 10000, ns), 10, &tenths);

	if (ret == -ENODEV)
		dev_info(&ctrl->pdev->dev,
			 "throughput run stopped after %u of %u commands: device unbound\n",
			 done, a->ios);
	if (ret && ret != -EBADMSG)
		sample_say(res, "error: stopped after %u of %u commands (%d, status %#x)\n",
			   done, a->ios, ret, status);
	else if (!ret)
		sample_say(res,
			   "ok: %s bs=%u qd=%u: %u commands in %llu us, %llu IOPS, %llu.%u MB/s%s, buffers by %s\n",
			   a->write ? "write" : "read", a->bs, a->qd, done,
			   div_u64(ns, NSEC_PER_USEC),
			   div64_u64((u64)done * NSEC_PER_SEC, ns), mbps, tenths,
			   a->write ? "" : ", every read's data checked",
			   sample_map_names[slots[0].buf.how]);
out:
	for (slot = 0; slot < a->qd; slot++) {
		sample_buf_unmap(ctrl, &slots[slot].buf);
		sample_buf_free(&slots[slot].buf);
	}
	kfree(slots);
	return ret;
}

/* --------------------------------------------------------------- debugfs */

/* Parse "key=value ..." into @a, which holds the defaults. */
static int sample_parse(const char __user *ubuf, size_t len,
			struct sample_args *a)
{
	static const char * const keys[] = {
		"blocks", "bs", "offset", "segs", "qd", "ios", "pattern",
	};
	/* In the order of enum sample_fault. */
	static const char * const faults[] = { "none", "nodata", "nosync" };
	u32 *fields[] = {
		&a->blocks, &a->bs, &a->offset, &a->segs, &a->qd, &a->ios,
		&a->pattern,
	};
	char buf[160], *p = buf, *tok, *val, *end;
	unsigned long long v;
	int i;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	while ((tok = strsep(&p, " \t\n"))) {
		val = strchr(tok, '=');
		if (!*tok)
			continue;
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "op") &&
		    (!strcmp(val, "read") || !strcmp(val, "write"))) {
			a->write = !strcmp(val, "write");
			continue;
		}
		if (!strcmp(tok, "map") &&
		    (!strcmp(val, "auto") || !strcmp(val, "sg"))) {
			a->no_iova = !strcmp(val, "sg");
			continue;
		}
		if (!strcmp(tok, "fault")) {
			i = match_string(faults, ARRAY_SIZE(faults), val);
			if (i < 0)
				return -EINVAL;
			a->fault = i;
			continue;
		}
		v = memparse(val, &end);
		if (end == val || *end)
			return -EINVAL;
		if (!strcmp(tok, "lba")) {
			a->lba = v;
			continue;
		}
		i = match_string(keys, ARRAY_SIZE(keys), tok);
		if (i < 0 || v > U32_MAX)
			return -EINVAL;
		*fields[i] = v;
	}
	return 0;
}

/* A write to a test file runs the test; the write fails if the test does. */
static ssize_t sample_test_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct sample_test *t = file->private_data;
	struct sample_ctrl *ctrl = t->ctrl;
	struct sample_args a = {
		.blocks = 1, .bs = SZ_4K, .segs = 1, .qd = 1, .ios = 1000,
		.pattern = 0x5eed,
	};
	int ret = sample_parse(ubuf, len, &a);

	if (mutex_lock_interruptible(&ctrl->lock))
		return -EINTR;
	sample_say(t->res, "error: bad request (%d)\n", ret);
	if (!ret)
		ret = t->run(ctrl, &a, t->res);
	ctrl->errors += !!ret;
	mutex_unlock(&ctrl->lock);
	return ret ? ret : (ssize_t)len;
}

/* A read shows the result of the last run. */
static ssize_t sample_test_read(struct file *file, char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct sample_test *t = file->private_data;
	ssize_t ret;

	if (mutex_lock_interruptible(&t->ctrl->lock))
		return -EINTR;
	ret = simple_read_from_buffer(ubuf, len, ppos, t->res, strlen(t->res));
	mutex_unlock(&t->ctrl->lock);
	return ret;
}

static const struct file_operations sample_test_fops = {
	.open = simple_open,
	.read = sample_test_read,
	.write = sample_test_write,
};

static int sample_info_show(struct seq_file *m, void *unused)
{
	struct sample_ctrl *ctrl = m->private;
	struct device *dev = &ctrl->pdev->dev;

	mutex_lock(&ctrl->lock);
	seq_printf(m, "model: %s\nserial: %s\nstate: %s\ncompletion: polling\n",
		   ctrl->model, ctrl->serial, ctrl->dead ? "dead" : "live");
	seq_printf(m, "dma_mask_bits: %d\nctrl_page_size: %u\nmdts: %u\n",
		   fls64(dma_get_mask(dev)), ctrl->page_size, ctrl->mdts);
	seq_printf(m, "dma_max_mapping_size: %zu\nmax_transfer: %u\nmax_seg_size: %u\n",
		   dma_max_mapping_size(dev), ctrl->max_xfer,
		   dma_get_max_seg_size(dev));
	seq_printf(m, "lba_size: %u\nblocks: %llu\nqueue_slots: %u\n",
		   1U << ctrl->lba_shift, ctrl->blocks, ctrl->nslots);
	seq_printf(m, "io_commands: %llu\nverified_bytes: %llu\nfailed_tests: %llu\n",
		   ctrl->ios, ctrl->verified, ctrl->errors);
	mutex_unlock(&ctrl->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sample_info);

/* ----------------------------------------------------------------- probe */

/* Reset the controller and bring it up with its admin queue. */
static int sample_enable(struct sample_ctrl *ctrl)
{
	u32 aqa = (SAMPLE_ADMIN_DEPTH - 1) << 16 | (SAMPLE_ADMIN_DEPTH - 1);
	u32 cc = NVME_CC_CSS_NVM | NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
		 NVME_CC_IOSQES | NVME_CC_IOCQES | NVME_CC_ENABLE |
		 (ilog2(ctrl->page_size) - 12) << NVME_CC_MPS_SHIFT;
	int ret;

	/* The admin queue registers may only change while it is disabled. */
	sample_disable(ctrl);
	pci_set_master(ctrl->pdev);
	writel(aqa, ctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(ctrl->adminq.sq_dma, ctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(ctrl->adminq.cq_dma, ctrl->bar + NVME_REG_ACQ);
	writel(cc, ctrl->bar + NVME_REG_CC);
	ret = sample_wait_csts(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY);
	if (ret)
		dev_err(&ctrl->pdev->dev, "controller not ready (%d)\n", ret);
	return ret;
}

/**
 * sample_identify() - learn the controller's limits and namespace 1's format
 * @ctrl:	controller
 *
 * The data arrives by DMA in a coherent buffer, which needs no sync before
 * the CPU reads it.  Only probe needs it, so it is freed again.
 *
 * Return: 0, -ENOMEM, -ENODEV for a namespace format we don't handle, or
 * an admin command error.
 */
static int sample_identify(struct sample_ctrl *ctrl)
{
	struct device *dev = &ctrl->pdev->dev;
	struct nvme_command c = { };
	struct nvme_id_ctrl *id;
	struct nvme_lbaf *lbaf;
	struct nvme_id_ns *ns;
	dma_addr_t dma;
	void *buf;
	int ret;

	buf = dma_alloc_coherent(dev, NVME_IDENTIFY_DATA_SIZE, &dma, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* One page, page aligned: PRP1 alone describes it. */
	c.identify.opcode = nvme_admin_identify;
	c.identify.cns = NVME_ID_CNS_CTRL;
	c.identify.dptr.prp1 = cpu_to_le64(dma);
	ret = sample_admin(ctrl, &c);
	if (ret)
		goto out;
	id = buf;
	ctrl->mdts = id->mdts;
	/* Space padded, not NUL terminated. */
	memcpy(ctrl->model, id->mn, sizeof(id->mn));
	memcpy(ctrl->serial, id->sn, sizeof(id->sn));
	strim(ctrl->model);
	strim(ctrl->serial);

	c.identify.cns = NVME_ID_CNS_NS;
	c.identify.nsid = cpu_to_le32(SAMPLE_NSID);
	ret = sample_admin(ctrl, &c);
	if (ret)
		goto out;
	ns = buf;
	lbaf = &ns->lbaf[nvme_lbaf_index(ns->flbas)];
	ctrl->lba_shift = lbaf->ds;
	ctrl->blocks = le64_to_cpu(ns->nsze);
	/* Metadata or odd block sizes would complicate the sample for nothing. */
	if (!ctrl->blocks || lbaf->ms || lbaf->ds < 9 || lbaf->ds > PAGE_SHIFT) {
		dev_err(dev, "namespace %u: unsupported format\n", SAMPLE_NSID);
		ret = -ENODEV;
	}
out:
	dma_free_coherent(dev, NVME_IDENTIFY_DATA_SIZE, buf, dma);
	return ret;
}

/* Create the polled I/O queue pair. */
static int sample_create_ioq(struct sample_ctrl *ctrl)
{
	struct sample_queue *q = &ctrl->ioq;
	struct nvme_command c = { };
	int ret;

	/* The controller must hear how many queues we want before we create one. */
	c.features.opcode = nvme_admin_set_features;
	c.features.fid = cpu_to_le32(NVME_FEAT_NUM_QUEUES);
	c.features.dword11 = 0;		/* one SQ, one CQ (zero-based) */
	ret = sample_admin(ctrl, &c);
	if (ret)
		return ret;

	/* Contiguous rings, and no interrupt: we poll. */
	memset(&c, 0, sizeof(c));
	c.create_cq.opcode = nvme_admin_create_cq;
	c.create_cq.prp1 = cpu_to_le64(q->cq_dma);
	c.create_cq.cqid = cpu_to_le16(q->qid);
	c.create_cq.qsize = cpu_to_le16(q->depth - 1);
	c.create_cq.cq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG);
	ret = sample_admin(ctrl, &c);
	if (ret)
		return ret;

	memset(&c, 0, sizeof(c));
	c.create_sq.opcode = nvme_admin_create_sq;
	c.create_sq.prp1 = cpu_to_le64(q->sq_dma);
	c.create_sq.sqid = cpu_to_le16(q->qid);
	c.create_sq.qsize = cpu_to_le16(q->depth - 1);
	c.create_sq.sq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG);
	c.create_sq.cqid = cpu_to_le16(q->qid);
	ret = sample_admin(ctrl, &c);
	ctrl->ioq_live = !ret;
	return ret;
}

/**
 * sample_set_limits() - derive the command size limit and tell the DMA core
 * @ctrl:	controller, identified
 *
 * MDTS counts units of the controller's minimum page.  dma_max_mapping_size()
 * already accounts for the min_align_mask set at probe.  The smaller of the
 * two, in whole controller pages, limits commands and DMA segments alike.
 *
 * Return: 0, or -ENODEV if not even one block fits.
 */
static int sample_set_limits(struct sample_ctrl *ctrl)
{
	struct device *dev = &ctrl->pdev->dev;
	u32 shift = ctrl->mdts + 12 + NVME_CAP_MPSMIN(ctrl->cap);
	u64 max = SAMPLE_MAX_XFER;

	if (ctrl->mdts && shift < 32)
		max = min_t(u64, max, 1ULL << shift);
	max = min_t(u64, max, dma_max_mapping_size(dev));
	ctrl->max_xfer = ALIGN_DOWN(max, ctrl->page_size);
	if (ctrl->max_xfer < 1U << ctrl->lba_shift)
		return -ENODEV;
	dma_set_max_seg_size(dev, ctrl->max_xfer);
	return 0;
}

/**
 * sample_setup() - bring the controller from reset to a live I/O queue
 * @ctrl:	controller with its registers mapped
 *
 * Return: 0 or a negative error; the caller cleans up.
 */
static int sample_setup(struct sample_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	struct device *dev = &pdev->dev;
	u64 cap = lo_hi_readq(ctrl->bar + NVME_REG_CAP);
	u32 stride = 4 << NVME_CAP_STRIDE(cap);
	int ret;

	/* Our controller page may not exceed ours; doorbells must be in BAR 0. */
	if (cap == ~0ULL || !(NVME_CAP_CSS(cap) & NVME_CAP_CSS_NVM) ||
	    12 + NVME_CAP_MPSMIN(cap) > PAGE_SHIFT ||
	    pci_resource_len(pdev, 0) < NVME_REG_DBS + 4 * stride) {
		dev_err(dev, "unsupported controller (CAP %#llx)\n", cap);
		return -ENODEV;
	}
	ctrl->cap = cap;
	ctrl->ready_timeout = (NVME_CAP_TIMEOUT(cap) + 1) * HZ / 2;
	ctrl->page_size = 1U << min_t(u32, PAGE_SHIFT, 12 + NVME_CAP_MPSMAX(cap));
	ctrl->nslots = min_t(u32, SAMPLE_IO_DEPTH, NVME_CAP_MQES(cap) + 1) - 1;

	/* PRP entries are 64-bit; use all of it if the platform lets us. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
		if (ret)
			return ret;
		dev_info(dev, "using a 32-bit DMA mask\n");
	}
	dma_set_min_align_mask(dev, ctrl->page_size - 1);

	ret = sample_queue_alloc(ctrl, &ctrl->adminq, 0, SAMPLE_ADMIN_DEPTH);
	if (!ret)
		ret = sample_queue_alloc(ctrl, &ctrl->ioq, 1, ctrl->nslots + 1);
	if (ret)
		return ret;
	ctrl->prp_pool = dma_pool_create("prp list", dev, ctrl->page_size,
					 ctrl->page_size, 0);
	if (!ctrl->prp_pool)
		return -ENOMEM;

	/* Polled: keep the admin queue's interrupt from reaching the CPU. */
	pci_intx(pdev, 0);
	ret = sample_enable(ctrl);
	if (!ret)
		ret = sample_identify(ctrl);
	if (!ret)
		ret = sample_create_ioq(ctrl);
	if (!ret)
		ret = sample_set_limits(ctrl);
	return ret;
}

/* Shut the controller down in order, then disable it; nothing outstanding. */
static void sample_stop(struct sample_ctrl *ctrl)
{
	struct nvme_command c = { };
	u32 cc;

	if (!ctrl->dead && ctrl->ioq_live) {
		/* Submission queue first: a CQ may not outlive its SQs. */
		c.delete_queue.opcode = nvme_admin_delete_sq;
		c.delete_queue.qid = cpu_to_le16(ctrl->ioq.qid);
		sample_admin(ctrl, &c);
		c.delete_queue.opcode = nvme_admin_delete_cq;
		sample_admin(ctrl, &c);
		ctrl->ioq_live = false;
	}
	if (!ctrl->dead) {
		/* A normal shutdown lets the controller flush its caches. */
		cc = readl(ctrl->bar + NVME_REG_CC);
		writel((cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL,
		       ctrl->bar + NVME_REG_CC);
		if (sample_wait_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT))
			dev_warn(&ctrl->pdev->dev, "shutdown did not complete\n");
	}
	sample_disable(ctrl);
	ctrl->dead = true;
}

/* Release DMA memory: only once the controller can no longer reach it. */
static void sample_free(struct sample_ctrl *ctrl)
{
	struct sample_queue *q, *queues[] = { &ctrl->ioq, &ctrl->adminq };
	struct device *dev = &ctrl->pdev->dev;
	int i;

	dma_pool_destroy(ctrl->prp_pool);
	for (i = 0; i < ARRAY_SIZE(queues); i++) {
		q = queues[i];
		if (q->sqes)
			dma_free_coherent(dev, q->depth * sizeof(*q->sqes),
					  q->sqes, q->sq_dma);
		if (q->cqes)
			dma_free_coherent(dev, q->depth * sizeof(*q->cqes),
					  q->cqes, q->cq_dma);
	}
}

static int sample_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct sample_ctrl *ctrl;
	int ret;

	/* driver_override can point us at anything; insist on NVMe. */
	if (pdev->class != PCI_CLASS_STORAGE_EXPRESS)
		return -ENODEV;
	ctrl = devm_kzalloc(&pdev->dev, sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return -ENOMEM;
	ctrl->pdev = pdev;
	mutex_init(&ctrl->lock);
	pci_set_drvdata(pdev, ctrl);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ctrl->bar = pcim_iomap_region(pdev, 0, DRV_NAME);
	if (IS_ERR(ctrl->bar))
		return PTR_ERR(ctrl->bar);

	ret = sample_setup(ctrl);
	if (ret) {
		sample_disable(ctrl);
		sample_free(ctrl);
		return ret;
	}
	ctrl->verify = (struct sample_test){ .ctrl = ctrl, .run = sample_verify };
	ctrl->tput = (struct sample_test){ .ctrl = ctrl, .run = sample_throughput };
	ctrl->coherent = (struct sample_test){ .ctrl = ctrl, .run = sample_coherent };
	ctrl->dir = debugfs_create_dir(pci_name(pdev), sample_root);
	debugfs_create_file("info", 0444, ctrl->dir, ctrl, &sample_info_fops);
	debugfs_create_file("verify", 0600, ctrl->dir, &ctrl->verify,
			    &sample_test_fops);
	debugfs_create_file("throughput", 0600, ctrl->dir, &ctrl->tput,
			    &sample_test_fops);
	debugfs_create_file("coherent", 0600, ctrl->dir, &ctrl->coherent,
			    &sample_test_fops);
	dev_info(&pdev->dev, "%s (%s): %llu blocks of %u B, %u KiB per command, polled\n",
		 ctrl->model, ctrl->serial, ctrl->blocks, 1U << ctrl->lba_shift,
		 ctrl->max_xfer / SZ_1K);
	return 0;
}

static void sample_remove(struct pci_dev *pdev)
{
	struct sample_ctrl *ctrl = pci_get_drvdata(pdev);

	/*
	 * A running test sees the flag before its next submission, waits for
	 * what it has outstanding and returns; removing the debugfs files
	 * waits for that.
	 */
	WRITE_ONCE(ctrl->removing, true);
	debugfs_remove_recursive(ctrl->dir);
	mutex_lock(&ctrl->lock);
	sample_stop(ctrl);
	mutex_unlock(&ctrl->lock);
	sample_free(ctrl);
}

static void sample_shutdown(struct pci_dev *pdev)
{
	struct sample_ctrl *ctrl = pci_get_drvdata(pdev);

	WRITE_ONCE(ctrl->removing, true);
	mutex_lock(&ctrl->lock);
	sample_stop(ctrl);
	mutex_unlock(&ctrl->lock);
}

/* No ID table: bind only through driver_override or new_id. */
static struct pci_driver sample_driver = {
	.name = DRV_NAME,
	.probe = sample_probe,
	.remove = sample_remove,
	.shutdown = sample_shutdown,
};

static int __init sample_init(void)
{
	int ret;

	sample_root = debugfs_create_dir(DRV_NAME, NULL);
	ret = pci_register_driver(&sample_driver);
	if (ret)
		debugfs_remove_recursive(sample_root);
	return ret;
}
module_init(sample_init);

static void __exit sample_exit(void)
{
	pci_unregister_driver(&sample_driver);
	debugfs_remove_recursive(sample_root);
}
module_exit(sample_exit);

MODULE_DESCRIPTION("NVMe sample driver exercising the DMA API");
MODULE_LICENSE("GPL");
