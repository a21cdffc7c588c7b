// The real stack and the bootstrap, against the real AWS provider: hashicorp/aws 5.100 from the
// machine's local plugin mirror (KUBECDN_TF_PLUGIN_DIR, or found as scripts/ensure-tools.sh finds it). `terraform validate`
// checks every argument against the provider's schema; `terraform test` with mock_provider "aws"
// plans them with the provider validating every value (name lengths, ARNs, CIDRs, policies) while
// mocks stand in only for what AWS would compute. No account, no network. The mirror's absence
// fails these tests, and npm test's tool check refuses to start without it: they never skip.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.js';
import { terraformVariables } from '../src/core/terraform.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { TODAY } from './fixtures.js';
import { ROOT } from './run.js';

/** The folder holding registry.terraform.io/hashicorp/aws, as scripts/ensure-tools.sh finds it. */
function pluginDir(): string {
  const given = process.env['KUBECDN_TF_PLUGIN_DIR'];
  if (given) return given;
  const found = spawnSync('find', ['/', '-maxdepth', '5', '-type', 'd', '-path', '*registry.terraform.io/hashicorp/aws'], {
    encoding: 'utf8',
  });
  const first = found.stdout.split('\n')[0] ?? '';
  return first.replace(/\/registry\.terraform\.io\/hashicorp\/aws$/, '');
}

const PLUGIN_DIR = pluginDir();
const TIMEOUT = 600_000;

function terraform(args: string[], cwd: string) {
  const ran = spawnSync('terraform', args, { cwd, encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1', NO_COLOR: '1' } });
  return { code: ran.status, stdout: ran.stdout, out: `${ran.stdout}${ran.stderr}` };
}

const copies = new Map<string, string>();

/** A private copy of a root, initialised from the mirror once, so that nothing is written into the repository. */
function initialised(root: string): string {
  const known = copies.get(root);
  if (known) return known;
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-tf-'));
  copies.set(root, dir);
  cpSync(path.join(ROOT, root), dir, { recursive: true, filter: (src) => !/\.terraform/.test(src) });
  const init = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
  if (init.code !== 0) throw new Error(`terraform init of ${root} failed:\n${init.out}`);
  return dir;
}

/** One plan run for each shipped region, with exactly the variables kubecdn writes for it. */
async function regionsTest(): Promise<{ text: string; regions: string[] }> {
  const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), { today: TODAY });
  if (!loaded.config) throw new Error('the shipped region files are invalid');
  const config = loaded.config;
  // JSON values are HCL expressions: objects take "key": value.
  const runs = config.regions.map((r) => {
    const vars = Object.entries(terraformVariables(config, r)).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`);
    // Each region its own zones, as AWS names them (<region>a, ...), so that nothing in the stack
    // can lean on the mocks' us-east-1 names.
    const names = 'abcdef'.split('').map((z) => `"${r.region}${z}"`);
    const ids = names.map((_, i) => `"${r.region}-az${i + 1}"`);
    const zones = `  override_data {\n    target = data.aws_availability_zones.this\n    values = {\n      names    = [${names.join(', ')}]\n      zone_ids = [${ids.join(', ')}]\n    }\n  }\n`;
    const inRegion = `  assert {\n    condition     = alltrue([for s in aws_subnet.private : startswith(s.availability_zone, "${r.region}")])\n    error_message = "The subnets are in ${r.region}'s own zones."\n  }\n\n  assert {\n    condition     = aws_eks_access_entry.admin["apply"].principal_arn != aws_eks_access_entry.admin["destroy"].principal_arn\n    error_message = "The apply and destroy roles each have their own access entry."\n  }\n`;
    return `run "${r.region}" {\n  command = plan\n\n  variables {\n${vars.join('\n')}\n  }\n\n${zones}\n${inRegion}}\n`;
  });
  const text = `mock_provider "aws" {\n  source = "./tests/mocks"\n}\n\n${runs.join('\n')}`;
  return { text, regions: config.regions.map((r) => r.region) };
}

/** The part of `terraform test -verbose` output that belongs to one run. */
function runOutput(out: string, file: string, run: string): string {
  const start = out.indexOf(`${file}... in progress`);
  const from = out.indexOf(`run "${run}"...`, start);
  const next = out.slice(from + 1).search(/\n\s*run "|\ntests\/[^\n]*\.\.\. tearing down/);
  return next < 0 ? out.slice(from) : out.slice(from, from + 1 + next);
}

describe('the AWS provider mirror', () => {
  it('holds hashicorp/aws, which every test below runs', () => {
    expect(existsSync(path.join(PLUGIN_DIR, 'registry.terraform.io/hashicorp/aws')), `no AWS provider under ${PLUGIN_DIR}`).toBe(true);
  });
});

describe.each(['terraform', 'terraform/bootstrap'])('%s against the real AWS provider', (root) => {
  let dir: string;
  beforeAll(() => {
    dir = initialised(root);
  }, TIMEOUT);

  it('validates: every argument is one the provider knows, of the right type', () => {
    const ran = terraform(['validate', '-json'], dir);
    expect(JSON.parse(ran.stdout) as { valid: boolean }, ran.out).toMatchObject({ valid: true, error_count: 0 });
  });
});

describe('terraform test of the region stack, with mocked AWS answers', () => {
  let out = '';
  let code: number | null = null;
  let regions: string[] = [];
  let seconds = 0;

  beforeAll(async () => {
    const dir = initialised('terraform');
    const generated = await regionsTest();
    regions = generated.regions;
    writeFileSync(path.join(dir, 'tests/regions.tftest.hcl'), generated.text);
    const started = performance.now();
    ({ code, out } = terraform(['test', '-verbose', '-no-color'], dir));
    seconds = (performance.now() - started) / 1000;
  }, TIMEOUT);

  it('passes every run: the shipped regions, the extremes the schema admits, and the refusals', () => {
    expect(out).not.toMatch(/\.\.\. fail/);
    expect(code).toBe(0);
    expect(out).toMatch(/Success! \d+ passed, 0 failed\./);
  });

  it('plans every region in regions/, each with the same resources', () => {
    expect(regions.length).toBeGreaterThan(0);
    const counts = regions.map((r) => {
      const run = runOutput(out, 'tests/regions.tftest.hcl', r);
      expect(run, r).toContain(`run "${r}"... pass`);
      return Number(/Plan: (\d+) to add, 0 to change, 0 to destroy\./.exec(run)?.[1]);
    });
    // Printed for the record: what one region plans, and how long the whole terraform test took.
    console.log(
      `terraform test: ${regions.length} shipped regions planned, ${counts.join(', ')} resources each; ${seconds.toFixed(1)} s in all`,
    );
    for (const n of counts) expect(n).toBeGreaterThan(40);
  });

  it('gives the purge role, in every region, an access entry in the kubecdn:purge group and no access policy', () => {
    for (const r of regions) {
      const run = runOutput(out, 'tests/regions.tftest.hcl', r);
      const entry = /# aws_eks_access_entry\.purge will be created\n[\s\S]*?\n {4}}/.exec(run)?.[0] ?? '';
      expect(entry, r).toMatch(/kubernetes_groups\s+= \[\s+\+ "kubecdn:purge",?\s+\]/);
      expect(entry, r).toMatch(/type\s+= "STANDARD"/);
      expect(run, r).not.toMatch(/aws_eks_access_policy_association\.\w+\["?purge/);
    }
  });

  it('a plan made as a second caller identity shows no changes', () => {
    const run = runOutput(out, 'tests/identity.tftest.hcl', 'as_plan_role');
    expect(run).toContain('run "as_plan_role"... pass');
    expect(run).toContain('No changes. Your infrastructure matches the configuration.');
  });

  it.each([
    'longest_names',
    'two_zones',
    'six_zones_skip_the_zone_eks_cannot_use',
    'most_node_groups',
    'smallest_vpc',
    'owner_id_too_long',
    'fewer_zones_where_eks_runs_than_asked',
    'instance_type_the_region_does_not_offer',
    'region_not_a_region_code',
    'vpc_larger_than_a_16',
    'vpc_smaller_than_a_24',
    'no_node_groups',
    'one_zone',
    'metrics_agent_may_only_write_to_the_workspace',
    'metrics_workspace_empty_is_none',
    'metrics_workspace_arn_not_a_workspace',
    'metrics_workspace_arn_in_another_partition',
  ])('extremes: %s', (run) => {
    expect(out).toContain(`run "${run}"... pass`);
  });
});

describe('terraform test of the bootstrap, with mocked AWS answers', () => {
  it(
    'passes: the roles trusting only their workflows, the apply role denied the deletes, the purge role that only describes clusters, the validation records, the longest owner id, each refusal',
    () => {
      const dir = initialised('terraform/bootstrap');
      const ran = terraform(['test', '-no-color'], dir);
      expect(ran.out).not.toMatch(/\.\.\. fail/);
      expect(ran.out).toContain('run "purge_role_trusts_purge_yml_and_only_describes_clusters"... pass');
      expect(ran.out).toMatch(/Success! 9 passed, 0 failed\./);
      expect(ran.code).toBe(0);
    },
    TIMEOUT,
  );
});
