#!/usr/bin/env python3
# tests/golden/objcycles.py OBJ...: the "defines/uses" graph between object files, from nm -P
# (object A uses object B when A has an undefined symbol that B defines), and its cycles:
# one line "cycle: a.o b.o ..." per strongly connected component of two or more objects,
# then the edges inside it ("   a.o -> b.o (symbols)").  Used by test-cycles.sh (issue 13).
import subprocess, sys, os, collections
args = sys.argv[1:]
# --stages "a b|c|d e": object base names by stage, earliest first; an object may use objects of
# its own or an earlier stage only.  Prints "order: a.o -> b.o (symbols)" for each edge against it.
stages = None
if len(args) >= 2 and args[0] == "--stages":
    stages = {}
    for rank, names in enumerate(args[1].split("|")):
        for nm in names.split():
            stages[nm] = rank
    args = args[2:]
objs = args
defs, uses = {}, collections.defaultdict(set)
for o in objs:
    out = subprocess.run(["nm", "-P", o], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) < 2: continue
        name, t = f[0], f[1]
        if t == "U": uses[o].add(name)
        elif t in "TDBRVWGSC" : defs.setdefault(name, o)
graph = {o: {} for o in objs}
for o in objs:
    for s in uses[o]:
        d = defs.get(s)
        if d and d != o: graph[o].setdefault(d, []).append(s)
# Tarjan
idx, low, st, on, sccs, n = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
    for w in graph[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = st.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: sccs.append(sorted(c))
for v in objs:
    if v not in idx: sc(v)
def short(x):
    return os.path.join(os.path.basename(os.path.dirname(x)), os.path.basename(x))
for c in sccs:
    print("cycle:", " ".join(short(x) for x in c))
    cs = set(c)
    for a in c:
        for b, syms in sorted(graph[a].items()):
            if b in cs: print("   %s -> %s (%s)" % (short(a), short(b), ", ".join(sorted(syms)[:4])))
if stages is not None:
    for a in objs:
        sa = stages.get(os.path.basename(a)[:-2])
        if sa is None:
            print("unstaged: %s" % short(a))
            continue
        for b, syms in sorted(graph[a].items()):
            sb = stages.get(os.path.basename(b)[:-2])
            if sb is not None and sb > sa:
                print("order: %s -> %s (%s)" % (short(a), short(b), ", ".join(sorted(syms)[:4])))
