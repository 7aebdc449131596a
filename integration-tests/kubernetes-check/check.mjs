// Checks Kubernetes manifests against the API's schemas (kubernetes-models, offline once installed):
//   node check.mjs FILE.yaml...
// Each document must name a kind the API has, validate against its schema, and hold no field the
// schema does not know (as kubectl's strict field validation: a misspelt securityContext key
// would otherwise pass silently). Prints one line per document; exits 1 if any is wrong.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// The schema validators read each property they know (and enumerate the keys of maps such as
// labels): fields of the manifest they never read are fields the schema does not have.
function watched(value, reads) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  const read = new Set();
  reads.set(value, read);
  const children = Array.isArray(value) ? value.map((v) => watched(v, reads)) : Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, watched(v, reads)]));
  return new Proxy(children, {
    get(target, key, receiver) {
      read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      for (const k of Reflect.ownKeys(target)) {
        read.add(k);
      }
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(value, reads, path, out) {
  if (value === null || typeof value !== "object") {
    return out;
  }
  const read = reads.get(value);
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (!Array.isArray(value) && !read.has(k)) {
      out.push(at);
    } else {
      unknownFields(v, reads, at, out);
    }
  }
  return out;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [i, doc] of docs.entries()) {
    const where = `${file} document ${i + 1}`;
    if (doc.errors.length > 0) {
      console.log(`${where}: not YAML: ${doc.errors[0].message}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) {
      continue;
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      console.log(`${where}: no apiVersion and kind`);
      failed = true;
      continue;
    }
    let Model;
    try {
      Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
    } catch (e) {
      console.log(`${where}: the Kubernetes API has no ${apiVersion} ${kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(obj).validate();
      const reads = new Map();
      Model.prototype.validate.call(watched(obj, reads));
      const unknown = unknownFields(obj, reads, "", []);
      if (unknown.length > 0) {
        console.log(`${where}: ${apiVersion} ${kind} ${obj.metadata?.name ?? ""}: unknown field ${unknown.join(", ")}`);
        failed = true;
        continue;
      }
      console.log(`${where}: ${apiVersion} ${kind} ${obj.metadata?.name ?? ""}: valid`);
    } catch (e) {
      console.log(`${where}: ${apiVersion} ${kind} ${obj.metadata?.name ?? ""}: ${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
