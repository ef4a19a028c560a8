# SPDX-License-Identifier: GPL-2.0
#
# gdb script for tools/testing/dma/bench/icount: single-steps a bench guest
# through ITERS iterations of a dma_bench loop and counts what TCG charges
# for, per iteration: instructions, returns and jumps to another code page
# (each a translation-block lookup rather than a chained jump), by function.
#
# Environment (set by icount): SYSMAP, FUNC (a kernel function the loop
# calls once per iteration), FIRST (a function dma_bench calls before the
# loop; default FUNC), SKIP (iterations to let pass first), ITERS, PORT.
import bisect
import collections
import os

import gdb

syms = []
with open(os.environ["SYSMAP"]) as f:
    for line in f:
        addr, kind, name = line.split()[:3]
        if kind in "tTwW":
            syms.append((int(addr, 16), name))
syms.sort()
starts = [a for a, _ in syms]


# Module code is not in System.map: dma_bench's loop shows up under the
# name of the last kernel symbol below the module area.
def where(pc):
    return syms[bisect.bisect_right(starts, pc) - 1][1]


func = os.environ["FUNC"]
first = os.environ.get("FIRST", func)
skip = int(os.environ.get("SKIP", "1000"))
iters = int(os.environ.get("ITERS", "5"))

gdb.execute("set pagination off")
gdb.execute("target remote :%s" % os.environ.get("PORT", "1234"))
# Modules live above the kernel image: this waits for dma_bench's own calls.
gdb.execute("break %s if *(unsigned long *)$rsp >= 0xffffffffa0000000" % first)
gdb.execute("continue")
gdb.execute("delete")
gdb.execute("break %s" % func)
gdb.execute("ignore 2 %d" % skip)
gdb.execute("continue")
gdb.execute("delete")

entry = int(gdb.parse_and_eval("$pc"))
inferior = gdb.selected_inferior()
insns = collections.Counter()
lookups = collections.Counter()
prev, seen = entry, 0
while seen < iters:
    was_ret = bytes(inferior.read_memory(prev, 1))[0] == 0xC3
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc"))
    insns[where(prev)] += 1
    if was_ret:
        lookups["ret %s -> %s" % (where(prev), where(pc))] += 1
    elif pc >> 12 != prev >> 12 and not 0 < pc - prev < 16:
        lookups["jump %s -> %s" % (where(prev), where(pc))] += 1
    prev = pc
    if pc == entry:
        seen += 1

rets = sum(c for k, c in lookups.items() if k.startswith("ret"))
print("ICOUNT %s: %.1f instructions, %.1f returns, %.1f cross-page jumps per iteration"
      % (func, sum(insns.values()) / iters, rets / iters,
         (sum(lookups.values()) - rets) / iters))
for name, count in insns.most_common():
    print("  %8.1f  %s" % (count / iters, name))
for edge, count in sorted(lookups.items()):
    print("  %8.1f  %s" % (count / iters, edge))
gdb.execute("kill")
