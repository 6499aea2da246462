#!/usr/bin/env python3
"""prom_check_test.py - the exposition checker (prom_check.py) accepts
good text and refuses each kind of bad text, so a broken /metrics cannot
pass the metrics and dashboard tests unnoticed."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prom_check.py")
GOOD = """# HELP a_total A.
# TYPE a_total counter
a_total{reason="x"} 1
a_total{reason="y\\"z"} 2
# TYPE g gauge
g 1.5e3
# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="+Inf"} 2
h_sum 3.5
h_count 2
"""
BAD = {
    "no newline at the end": GOOD[:-1],
    "counter without _total": "# TYPE a counter\na 1\n",
    "sample before TYPE": "a_total 1\n# TYPE a_total counter\n",
    "bad value": "# TYPE g gauge\ng one\n",
    "series twice": "# TYPE g gauge\ng 1\ng 2\n",
    "bad label escape": '# TYPE g gauge\ng{a="\\x"} 1\n',
    "buckets not cumulative": "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\n"
                              "h_sum 1\nh_count 2\n",
    "+Inf != count": "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
    "no +Inf bucket": "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",
    "interleaved": "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 1\n",
    "negative counter": "# TYPE a_total counter\na_total -1\n",
    "two TYPEs": "# TYPE g gauge\n# TYPE g gauge\ng 1\n",
}


def run(text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run([sys.executable, CHECK, f.name], capture_output=True).returncode
    finally:
        os.unlink(f.name)


failed = 0
if run(GOOD) != 0:
    print("good text refused", file=sys.stderr)
    failed = 1
for what, text in BAD.items():
    if run(text) == 0:
        print(f"accepted: {what}", file=sys.stderr)
        failed = 1
sys.exit(failed)
