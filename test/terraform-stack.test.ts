// The per-region stack, checked without provider downloads: formatting with the real terraform
// binary, and every .tf file parsed (Terraform's own HCL parser, built for JavaScript) for the
// conventions and for the contract between the region files and the stack's variables.
import { parse } from '@cdktf/hcl2json';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.js';
import { terraformVariables } from '../src/core/terraform.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { TODAY } from './fixtures.js';
import { ROOT } from './run.js';

interface Variable {
  description?: string;
  type?: string;
  default?: unknown;
  validation?: unknown[];
}

interface Module {
  variable: Record<string, Variable>;
  output: Record<string, { description?: string }>;
}

/** The variables and outputs of a module directory, from all its .tf files. */
async function moduleAt(dir: string): Promise<Module> {
  const merged: Module = { variable: {}, output: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const json = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as {
      variable?: Record<string, Variable[]>;
      output?: Record<string, { description?: string }[]>;
    };
    for (const [name, [v]] of Object.entries(json.variable ?? {})) if (v) merged.variable[name] = v;
    for (const [name, [o]] of Object.entries(json.output ?? {})) if (o) merged.output[name] = o;
  }
  return merged;
}

const MODULES = ['terraform', 'terraform/bootstrap', 'test/stacks/fixture'];

async function shippedVariables(): Promise<Record<string, unknown>[]> {
  const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), { today: TODAY });
  if (!loaded.config) throw new Error('the shipped region files are invalid');
  const config = loaded.config;
  return config.regions.map((r) => terraformVariables(config, r));
}

describe('the Terraform stacks', () => {
  it('are formatted as terraform fmt formats them', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', 'terraform', 'test/stacks'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(fmt.stdout).toBe('');
    expect(fmt.status).toBe(0);
  });

  it.each(MODULES)('%s: every variable is typed and described, every output described', async (dir) => {
    const mod = await moduleAt(path.join(ROOT, dir));
    expect(Object.keys(mod.variable).length).toBeGreaterThan(0);
    for (const [name, v] of Object.entries(mod.variable)) {
      expect(v.description, `variable ${name} has a description`).toBeTruthy();
      expect(v.type, `variable ${name} has a type`).toBeTruthy();
    }
    for (const [name, o] of Object.entries(mod.output)) expect(o.description, `output ${name} has a description`).toBeTruthy();
  });

  it('validates, in the stack itself, the values that are knowable in advance', async () => {
    const stack = await moduleAt(path.join(ROOT, 'terraform'));
    for (const name of [
      'region',
      'owner_id',
      'kubernetes_version',
      'vpc_cidr',
      'availability_zones',
      'node_groups',
      'hostnames',
      'certificate_arn',
    ]) {
      expect(stack.variable[name]?.validation?.length, `${name} has a validation block`).toBeGreaterThan(0);
    }
  });

  describe('contract between the region files and the stack', () => {
    it.each(['terraform', 'test/stacks/fixture'])('%s declares every variable kubecdn writes', async (dir) => {
      const stack = await moduleAt(path.join(ROOT, dir));
      for (const vars of await shippedVariables()) {
        expect(Object.keys(vars).filter((k) => !(k in stack.variable))).toEqual([]);
      }
    });

    it.each(['terraform', 'test/stacks/fixture'])('%s gets every variable it requires from kubecdn', async (dir) => {
      const stack = await moduleAt(path.join(ROOT, dir));
      const required = Object.entries(stack.variable)
        .filter(([, v]) => !('default' in v))
        .map(([k]) => k);
      for (const vars of await shippedVariables()) expect(required.filter((k) => !(k in vars))).toEqual([]);
    });

    it('describes node groups with exactly the fields the region files give', async () => {
      const stack = await moduleAt(path.join(ROOT, 'terraform'));
      const fields = [...(stack.variable['node_groups']?.type ?? '').matchAll(/^\s+(\w+)\s+=/gm)].map((m) => m[1]).sort();
      for (const vars of await shippedVariables()) {
        for (const group of vars['node_groups'] as Record<string, unknown>[]) expect(Object.keys(group).sort()).toEqual(fields);
      }
    });
  });
});
