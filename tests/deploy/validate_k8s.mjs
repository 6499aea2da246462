// validate_k8s.mjs - schema check of every object in deploy/k8s/*.yaml
// against the Kubernetes API's OpenAPI schemas (kubernetes-models) and
// KEDA's CRD schemas (@kubernetes-models/keda), offline: a misspelt field
// or a value of the wrong type fails. An unknown kind fails too (add its
// model here). Usage: node validate_k8s.mjs SOURCE_DIR
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

const MODELS = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject",
};

const root = process.argv[2] || ".";
const dir = path.join(root, "deploy", "k8s");
let problems = 0, checked = 0;
for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
  for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"))) {
    if (doc.errors.length) {
      console.log(`${f}: ${doc.errors[0].message}`);
      problems++;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const key = `${obj.apiVersion}/${obj.kind}`;
    const mod = MODELS[key];
    if (!mod) {
      console.log(`${f}: no schema known for ${key}`);
      problems++;
      continue;
    }
    const cls = Object.values(await import(mod))[0];
    try {
      new cls(obj).validate();
      checked++;
    } catch (e) {
      console.log(`${f}: ${key} ${obj.metadata?.name}: ${e.message}`);
      problems++;
    }
  }
}
if (problems) process.exit(1);
console.log(`deploy/k8s: ${checked} objects valid against their schemas`);
