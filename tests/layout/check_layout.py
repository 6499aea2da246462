#!/usr/bin/env python3
"""check_layout.py - the layout rules of the source tree, checked on every build.

1. No include circle: modules (a .c and its .h) form a graph by their
   #include "..." lines; any cycle is an error (worker/state.h, shared by
   every worker module, only declares; its functions live in state.c).
2. Folder boundaries (what each library may see):
     common/*.c       no FFmpeg, no librdkafka, nothing of media/, kafka/,
                      worker/ or producer/            (vs_core)
     common/media/    no librdkafka, nothing of kafka/, worker/, producer/  (vs_media)
     common/kafka/    no FFmpeg, nothing of media/, worker/, producer/      (vs_kafka)
     worker/          nothing of producer/
     producer/        the worker only through its public header worker.h
     broker/          no FFmpeg, nothing of media/, worker/, producer/
     dashboard/       no FFmpeg, nothing of media/, worker/, producer/, broker/
Usage: check_layout.py SOURCE_DIR   (exit 1 with one line per problem)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
FFMPEG = ("libavformat/", "libavcodec/", "libavfilter/", "libavutil/", "libswscale/",
          "libswresample/")
RDKAFKA = ("librdkafka/",)


def sources(root):
    for top in ("common", "worker", "producer", "broker", "dashboard"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def resolve(root, src, name):
    """The tree file a quoted include names, or None (system header)."""
    here = os.path.dirname(src)
    cands = [os.path.join(here, name), os.path.join("common", name),
             os.path.join("worker", name), os.path.join("worker", "include", name)]
    for c in cands:
        if os.path.isfile(os.path.join(root, c)):
            return os.path.normpath(c)
    return None


def module(path):
    base, _ = os.path.splitext(path)
    if base.startswith("worker/include/"):
        base = "worker/" + base[len("worker/include/"):]
    return base


def area(path):
    parts = path.split("/")
    if parts[0] == "common":
        return "common/" + parts[1] if len(parts) > 2 else "common"
    return parts[0]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems = []
    graph = {}
    for src in sources(root):
        text = open(os.path.join(root, src), encoding="utf-8").read()
        a = area(src)
        for kind, name in INCLUDE.findall(text):
            if kind == "<":
                if name.startswith(FFMPEG) and a in ("common", "common/kafka", "broker",
                                                    "dashboard"):
                    problems.append(f"{src}: includes FFmpeg's <{name}> ({a} must not)")
                if name.startswith(RDKAFKA) and a in ("common", "common/media"):
                    problems.append(f"{src}: includes <{name}> ({a} must not use librdkafka)")
                continue
            dep = resolve(root, src, name)
            if dep is None:
                continue
            b = area(dep)
            bad = {
                "common": ("common/media", "common/kafka", "worker", "producer", "broker"),
                "common/media": ("common/kafka", "worker", "producer", "broker"),
                "common/kafka": ("common/media", "worker", "producer", "broker"),
                "worker": ("producer", "broker"),
                "broker": ("common/media", "worker", "producer"),
                "producer": ("broker",),
                "dashboard": ("common/media", "worker", "producer", "broker"),
            }.get(a, ())
            if b in bad:
                problems.append(f"{src}: includes {dep} ({a} must not reach {b})")
            if a == "producer" and b == "worker" and dep != "worker/include/worker.h":
                problems.append(f"{src}: includes {dep} (the producer uses only worker/include/worker.h)")
            if module(dep) != module(src):
                graph.setdefault(module(src), set()).add(module(dep))

    # Cycles (Tarjan's strongly connected components).
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for c in comps:
        problems.append("include circle: " + " <-> ".join(c))

    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"layout: {len(graph)} modules, no include circle, boundaries kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
