#!/usr/bin/env python3
"""prom_check.py - a strict checker of Prometheus' text exposition format
(version 0.0.4), for the worker's and the dashboard's /metrics.

Usage: prom_check.py FILE  -> prints the samples as JSON
({"name{labels}": value}) on stdout, exits 1 with the reason when the text
breaks a rule: every line a HELP, TYPE or sample line; names and label
names well formed, label values properly escaped; one TYPE per family,
before its samples, and families not interleaved; counters end in _total;
histograms have cumulative buckets ending in le="+Inf" equal to _count,
and _sum; no series twice; the text ends with a newline."""
import json
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"\"(?:[^\"\\\n]|\\[\\\"n])*\""
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL}={VALUE})(?:,{LABEL}={VALUE})*,?)?\}})? (\S+)(?: (-?\d+))?$")
LABELS = re.compile(rf"({LABEL})=({VALUE})")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(msg):
    print(f"prom_check: {msg}", file=sys.stderr)
    sys.exit(1)


def number(s):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError(s)
    return float(s)


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def check(text):
    if not text.endswith("\n"):
        fail("the text does not end with a newline")
    types, helps, samples, done, current = {}, set(), {}, set(), None
    hist = {}
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {n}: {line!r}"
        if line.startswith("#"):
            m = re.fullmatch(rf"# (HELP|TYPE) ({NAME}) (.*)", line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    fail(f"malformed {where}")
                continue  # a comment
            kind, name, rest = m.groups()
            if kind == "TYPE":
                if name in types:
                    fail(f"second TYPE for {name}")
                if rest not in TYPES:
                    fail(f"unknown type {where}")
                if name in done:
                    fail(f"TYPE after samples of {name}")
                types[name] = rest
                if rest == "counter" and not name.endswith("_total"):
                    fail(f"counter {name} does not end in _total")
            else:
                if name in helps:
                    fail(f"second HELP for {name}")
                helps.add(name)
            continue
        if not line.strip():
            fail(f"empty {where}")
        m = SAMPLE.match(line)
        if not m:
            fail(f"malformed sample {where}")
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        try:
            v = number(value)
        except ValueError:
            fail(f"bad value {where}")
        fam = family_of(name, types)
        if fam not in types:
            fail(f"sample before its TYPE {where}")
        if current != fam:
            if fam in done:
                fail(f"family {fam} interleaved with another {where}")
            if current:
                done.add(current)
            current = fam
        pairs = LABELS.findall(labels)
        names = [k for k, _ in pairs]
        if len(set(names)) != len(names):
            fail(f"a label twice {where}")
        key = name + "{" + ",".join(f"{k}={val}" for k, val in sorted(pairs)) + "}"
        if key in samples:
            fail(f"series twice {where}")
        samples[key] = v
        if types[fam] == "counter" and (v < 0 or math.isnan(v)):
            fail(f"negative counter {where}")
        if types[fam] == "histogram":
            h = hist.setdefault(fam, {"le": [], "sum": None, "count": None})
            if name == fam + "_bucket":
                le = dict(pairs).get("le")
                if le is None:
                    fail(f"bucket without le {where}")
                h["le"].append((number(json.loads(le)), v))
            elif name == fam + "_sum":
                h["sum"] = v
            elif name == fam + "_count":
                h["count"] = v
            else:
                fail(f"histogram sample {where}")
    for fam, h in hist.items():
        les = h["le"]
        if not les or les[-1][0] != math.inf:
            fail(f"{fam}: the last bucket is not le=\"+Inf\"")
        if [le for le, _ in les] != sorted(le for le, _ in les):
            fail(f"{fam}: buckets not in order")
        if any(b[1] < a[1] for a, b in zip(les, les[1:])):
            fail(f"{fam}: buckets not cumulative")
        if h["count"] is None or h["sum"] is None:
            fail(f"{fam}: no _count or _sum")
        if les[-1][1] != h["count"]:
            fail(f"{fam}: +Inf bucket {les[-1][1]} != _count {h['count']}")
    return samples


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(json.dumps(check(f.read()), sort_keys=True))
