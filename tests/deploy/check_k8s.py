#!/usr/bin/env python3
"""check_k8s.py - every YAML file under deploy/ parses, and the Kubernetes
manifests agree with the code they run:
  - each manifest document has apiVersion, kind and metadata.name;
  - every --option a container passes to vs-worker / vs-produce is one
    that program's getopt table knows (worker/cli/options.c,
    producer/options.c), so a renamed option breaks this test, not a pod;
  - worker pods (Deployment, DaemonSet) get a GPU (nvidia.com/gpu), a
    liveness probe running `vs-worker --health-check FILE` with the file
    the image's HEALTHCHECK and VS_HEALTH_FILE name, and a termination
    grace period longer than --grace (no job is cut at an upgrade);
  - the KEDA ScaledObject scales a Deployment defined here, on the kafka
    trigger of the workers' consumer group and jobs topic as the code
    names them (common/kafka/client.h), with no more replicas than the
    jobs topic's partitions (ConfigMap VS_JOBS_PARTITIONS);
  - the topic Job runs vs-produce --create-topics.
Needs python3-yaml. Usage: check_k8s.py SOURCE_DIR"""
import glob
import os
import re
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed")
    sys.exit(77)

root = sys.argv[1] if len(sys.argv) > 1 else "."
problems = []


def read(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def longopts(rel):
    return set(re.findall(r'\{"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument', read(rel)))


OPTS = {"vs-worker": longopts("worker/cli/options.c"), "vs-produce": longopts("producer/options.c")}
client_h = read("common/kafka/client.h")
GROUP = re.search(r'#define VS_KAFKA_GROUP\s+"([^"]+)"', client_h).group(1)
JOBS = re.search(r'#define VS_KAFKA_JOBS_TOPIC\s+"([^"]+)"', client_h).group(1)
dockerfile = read("docker/Dockerfile")
hc = re.search(r'HEALTHCHECK .*?CMD \["vs-worker", "--health-check", "([^"]+)"', dockerfile, re.S)
HEALTH_FILE = hc.group(1) if hc else None
if not HEALTH_FILE:
    problems.append("docker/Dockerfile: no HEALTHCHECK running vs-worker --health-check")
elif f"VS_HEALTH_FILE={HEALTH_FILE}" not in dockerfile:
    problems.append("docker/Dockerfile: VS_HEALTH_FILE is not the HEALTHCHECK's file")

docs = []
for path in sorted(glob.glob(os.path.join(root, "deploy", "**", "*.y*ml"), recursive=True)):
    rel = os.path.relpath(path, root)
    try:
        with open(path, encoding="utf-8") as f:
            loaded = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        problems.append(f"{rel}: not YAML: {e}")
        continue
    if not loaded:
        problems.append(f"{rel}: empty")
    if "/k8s/" in path:
        for d in loaded:
            if not isinstance(d, dict) or not {"apiVersion", "kind", "metadata"} <= set(d):
                problems.append(f"{rel}: a document without apiVersion, kind, metadata")
                continue
            if not d["metadata"].get("name"):
                problems.append(f"{rel}: {d['kind']} without a name")
            docs.append((rel, d))


def pod_spec(d):
    if d["kind"] in ("Deployment", "DaemonSet", "Job"):
        return d["spec"]["template"]["spec"]
    return None


configmap = {}
for rel, d in docs:
    if d["kind"] == "ConfigMap":
        configmap.update(d.get("data") or {})

deployments = set()
for rel, d in docs:
    spec = pod_spec(d)
    if spec is None:
        continue
    name = f"{rel}: {d['kind']} {d['metadata']['name']}"
    if d["kind"] == "Deployment":
        deployments.add(d["metadata"]["name"])
    for c in spec.get("containers", []):
        args = c.get("args") or c.get("command") or []
        prog = args[0] if args else None
        if prog in OPTS:
            for a in args[1:]:
                m = re.match(r"--([a-z0-9-]+)", a)
                if m and m.group(1) not in OPTS[prog]:
                    problems.append(f"{name}: {prog} has no option --{m.group(1)}")
        if prog == "vs-worker":
            limits = (c.get("resources") or {}).get("limits") or {}
            if "nvidia.com/gpu" not in limits:
                problems.append(f"{name}: the worker requests no nvidia.com/gpu")
            cmd = (((c.get("livenessProbe") or {}).get("exec") or {}).get("command")) or []
            if cmd[:2] != ["vs-worker", "--health-check"] or len(cmd) < 3:
                problems.append(f"{name}: no liveness probe running vs-worker --health-check")
            elif cmd[2] != HEALTH_FILE:
                problems.append(f"{name}: the probe reads {cmd[2]}, the image writes {HEALTH_FILE}")
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if env.get("VS_HEALTH_FILE", HEALTH_FILE) != HEALTH_FILE:
                problems.append(f"{name}: VS_HEALTH_FILE is not the probe's file")
            grace = [float(a.split("=", 1)[1]) for a in args if a.startswith("--grace=")]
            tg = spec.get("terminationGracePeriodSeconds", 30)
            if grace and tg <= grace[0]:
                problems.append(f"{name}: terminationGracePeriodSeconds {tg} <= --grace {grace[0]}")
        if d["kind"] == "Job" and prog == "vs-produce" and "--create-topics" not in args:
            problems.append(f"{name}: the Job does not run vs-produce --create-topics")

scaled = [(rel, d) for rel, d in docs if d["kind"] == "ScaledObject"]
if not scaled:
    problems.append("deploy/k8s: no KEDA ScaledObject")
for rel, d in scaled:
    spec = d["spec"]
    if spec["scaleTargetRef"]["name"] not in deployments:
        problems.append(f"{rel}: scales {spec['scaleTargetRef']['name']}, not a Deployment here")
    kafka = [t for t in spec.get("triggers", []) if t.get("type") == "kafka"]
    if not kafka:
        problems.append(f"{rel}: no kafka trigger")
    for t in kafka:
        m = t["metadata"]
        if m.get("consumerGroup") != configmap.get("VS_GROUP", GROUP) or m.get("consumerGroup") != GROUP:
            problems.append(f"{rel}: consumerGroup {m.get('consumerGroup')}, the workers' is {GROUP}")
        if m.get("topic") != JOBS:
            problems.append(f"{rel}: topic {m.get('topic')}, the jobs topic is {JOBS}")
        if m.get("bootstrapServers") != configmap.get("VS_BROKERS"):
            problems.append(f"{rel}: bootstrapServers differ from the ConfigMap's VS_BROKERS")
    parts = int(configmap.get("VS_JOBS_PARTITIONS", 0))
    if spec.get("maxReplicaCount", 100) > parts:
        problems.append(f"{rel}: maxReplicaCount over the {parts} partitions of {JOBS}")

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"deploy: {len(docs)} Kubernetes objects, consistent with the code")
