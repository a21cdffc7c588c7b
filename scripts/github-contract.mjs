// Extracts the GitHub REST operations kubeCDN calls from GitHub's own published description (the
// @octokit/openapi package), so tests can check every request against it without installing the
// whole 400 MB package. Run after adding an operation to OPERATIONS:
//   npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
//   node scripts/github-contract.mjs package/generated/api.github.com.json > test/contracts/github-rest.json
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const OPERATIONS = ['issues/list-comments', 'issues/create-comment', 'issues/update-comment', 'pulls/get'];

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/github-contract.mjs path/to/api.github.com.json');
  process.exit(2);
}
const api = JSON.parse(readFileSync(file, 'utf8'));
const pkg = JSON.parse(readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8'));

function resolve(ref) {
  return ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], api);
}

/** Inlines every $ref and turns OpenAPI 3.0's `nullable` into JSON Schema's type lists. */
function deref(node, seen = []) {
  if (Array.isArray(node)) return node.map((n) => deref(n, seen));
  if (!node || typeof node !== 'object') return node;
  if (node.$ref) {
    if (seen.includes(node.$ref)) return {};
    return deref(resolve(node.$ref), [...seen, node.$ref]);
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] = deref(value, seen);
  }
  if (out.nullable) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.anyOf || out.oneOf || out.allOf) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const operations = {};
for (const [route, item] of Object.entries(api.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!OPERATIONS.includes(op.operationId)) continue;
    const responses = {};
    for (const [status, response] of Object.entries(op.responses)) {
      const body = deref(response).content?.['application/json']?.schema;
      responses[status] = body ?? null;
    }
    operations[op.operationId] = {
      method: method.toUpperCase(),
      path: route,
      parameters: deref([...(item.parameters ?? []), ...(op.parameters ?? [])]).map(({ name, in: where, required, schema }) => ({
        name,
        in: where,
        required: Boolean(required),
        schema,
      })),
      requestBody: op.requestBody
        ? { required: Boolean(op.requestBody.required), schema: deref(op.requestBody).content['application/json'].schema }
        : null,
      responses,
    };
  }
}
const missing = OPERATIONS.filter((id) => !operations[id]);
if (missing.length) {
  console.error(`not in the description: ${missing.join(', ')}`);
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ source: { package: pkg.name, version: pkg.version, file: 'generated/api.github.com.json', openapi: api.openapi, apiVersion: api.info.version }, operations }, null, 1)}\n`,
);
