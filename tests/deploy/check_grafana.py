#!/usr/bin/env python3
"""check_grafana.py - deploy/grafana/vs-workers.json is valid JSON, a
Grafana dashboard (title, uid, panels with unique ids and grid positions),
and every vs_* metric its queries use is one vs-worker --metrics exports
(the names in worker/cli/metrics.c), so a renamed metric breaks the test,
not the operator's dashboard. Usage: check_grafana.py SOURCE_DIR"""
import json
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
with open(os.path.join(root, "deploy/grafana/vs-workers.json"), encoding="utf-8") as f:
    dash = json.load(f)
with open(os.path.join(root, "worker/cli/metrics.c"), encoding="utf-8") as f:
    exported = set(re.findall(r'"(vs_[a-z_]+)', f.read()))
problems = []
for key in ("title", "uid", "panels"):
    if key not in dash:
        problems.append(f"no {key}")
ids = [p.get("id") for p in dash.get("panels", [])]
if len(ids) != len(set(ids)):
    problems.append("panel ids repeat")
for p in dash.get("panels", []):
    if not {"x", "y", "w", "h"} <= set(p.get("gridPos", {})):
        problems.append(f"panel {p.get('title')}: no gridPos")
    if not p.get("targets"):
        problems.append(f"panel {p.get('title')}: no query")
    for t in p.get("targets", []):
        for name in re.findall(r"\b(vs_[a-z_]+)", t.get("expr", "")):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if name not in exported and base not in exported:
                problems.append(f"panel {p.get('title')}: {name} is not a worker metric")
for p in problems:
    print(f"check_grafana: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
