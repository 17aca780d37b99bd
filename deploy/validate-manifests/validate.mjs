// Validates every resource a kustomization lists against the JSON schemas of the Kubernetes API (the kubernetes-models
// package carries them, so this runs offline). Usage: node validate.mjs DIR  — exits 1 and lists the problems if any.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node validate.mjs DIR (a folder with a kustomization.yaml)");
  process.exit(2);
}

const problems = [];
const kustomizationPath = join(dir, "kustomization.yaml");
if (!existsSync(kustomizationPath)) {
  console.error(`${kustomizationPath} is missing`);
  process.exit(1);
}
const kustomization = parse(readFileSync(kustomizationPath, "utf8"));
const knownKustomizationKeys = new Set(["apiVersion", "kind", "namespace", "resources", "images", "labels", "commonLabels",
  "commonAnnotations", "configMapGenerator", "secretGenerator", "patches", "replicas", "namePrefix", "nameSuffix", "components"]);
for (const key of Object.keys(kustomization ?? {}))
  if (!knownKustomizationKeys.has(key)) problems.push(`kustomization.yaml: unknown key '${key}'`);
if (kustomization?.kind !== "Kustomization") problems.push("kustomization.yaml: kind must be Kustomization");

const resources = kustomization?.resources ?? [];
// A manifest lying in the folder but missing from the kustomization would silently never be applied.
for (const file of readdirSync(dir).filter(f => /\.ya?ml$/.test(f) && f !== "kustomization.yaml"))
  if (!resources.includes(file)) problems.push(`${file} is not listed in kustomization.yaml resources`);

let validated = 0;
const names = new Set();
for (const file of resources) {
  const path = join(dir, file);
  if (!existsSync(path)) {
    problems.push(`kustomization.yaml lists ${file}, which does not exist`);
    continue;
  }
  const documents = parseAllDocuments(readFileSync(path, "utf8"));
  for (const [index, document] of documents.entries()) {
    const where = `${file} (document ${index + 1})`;
    if (document.errors.length > 0) {
      problems.push(`${where}: YAML error: ${document.errors.map(e => e.message).join("; ")}`);
      continue;
    }
    const resource = document.toJS();
    if (resource === null || resource === undefined) continue;
    const { apiVersion, kind } = resource;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    let model;
    try {
      model = (await import(`kubernetes-models/${apiVersion}`))[kind];
    } catch {
      model = undefined;
    }
    if (typeof model !== "function") {
      problems.push(`${where}: ${apiVersion} ${kind} is not a known Kubernetes API type`);
      continue;
    }
    try {
      new model(resource).validate();
    } catch (error) {
      problems.push(`${where}: ${kind} ${resource.metadata?.name ?? "(no name)"}: ${error.message}`);
      continue;
    }
    const key = `${kind}/${resource.metadata?.name}`;
    if (names.has(key)) problems.push(`${where}: ${key} is defined twice`);
    names.add(key);
    validated++;
  }
}

if (problems.length > 0) {
  console.error(`${problems.length} problem(s) in ${dir}:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(`${validated} Kubernetes resources in ${dir} match the API schemas`);
