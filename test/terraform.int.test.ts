// The tf runner against the real terraform binary, on a stack of built-in terraform_data resources.
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanSummary } from '../src/core/terraform.js';
import { terraformError } from '../src/node/terraform.js';
import { region, regionDir } from './fixtures.js';
import { kubecdn, ROOT } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const CRITICAL = ['--critical', 'terraform_data.cluster', '--critical', 'terraform_data.node_group'];

/** A workspace with region files and a private copy of the fixture stack (its state lives there). */
function workspace(files: Parameters<typeof regionDir>[0]) {
  const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-tf-'));
  renameSync(regionDir(files), path.join(root, 'regions'));
  cpSync(path.join(ROOT, 'test/stacks/fixture'), path.join(root, 'terraform'), { recursive: true });
  return {
    root,
    regions(next: Parameters<typeof regionDir>[0]) {
      const dir = path.join(root, 'regions');
      cpSync(regionDir(next), dir, { recursive: true });
    },
    plan(...regions: string[]) {
      return kubecdn(['tf', 'plan', ...regions.flatMap((r) => ['--region', r]), ...CRITICAL, '--reason', 'test'], { cwd: root });
    },
    apply(...regions: string[]) {
      return kubecdn(['tf', 'apply', ...regions.flatMap((r) => ['--region', r])], { cwd: root });
    },
    summary(code: string): PlanSummary {
      return JSON.parse(readFileSync(path.join(root, '.kubecdn/plans', code, 'summary.json'), 'utf8')) as PlanSummary;
    },
  };
}

describe('kubecdn tf plan and apply, with the real terraform binary', () => {
  const scalable = list(region('eu-west-1', { enabled: true, cidr: '10.20.0.0/16' }));
  let ws: ReturnType<typeof workspace>;

  beforeAll(() => {
    ws = workspace({ alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })), scalable });
  });

  it('plans the creation of a new region, writing its variables and its own state key', () => {
    const ran = ws.plan('us-east-1');
    // Standard error carries only progress: a line as each Terraform step starts, and its time.
    expect(ran.stderr.replace(/\d+\.\d s$/gm, 'T s')).toBe(
      [
        'us-east-1: terraform init…',
        'us-east-1: terraform init: T s',
        'us-east-1: terraform plan (waits up to 5 min for the state lock)…',
        'us-east-1: terraform plan (waits up to 5 min for the state lock): T s',
        '',
      ].join('\n'),
    );
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('us-east-1: plan, 4 to add, 0 to change, 0 to destroy, 0 to replace');
    const summary = ws.summary('us-east-1');
    expect(summary).toMatchObject({ region: 'us-east-1', operation: 'plan', serving: true, status: 'changes', reason: 'test' });
    expect(summary.counts).toEqual({ create: 4, update: 0, delete: 0, replace: 0 });
    expect(summary.resources.create).toEqual([
      'terraform_data.cluster',
      'terraform_data.node_group["edge"]',
      'terraform_data.token',
      'terraform_data.vpc',
    ]);
    expect(summary.planText).toMatch(/^Terraform used the selected providers/);
    expect(summary.planText).toContain('Plan: 4 to add, 0 to change, 0 to destroy.');
    expect(JSON.parse(readFileSync(path.join(ws.root, '.kubecdn/plans/us-east-1/terraform.tfvars.json'), 'utf8'))).toEqual({
      region: 'us-east-1',
      owner_id: 'kubecdn-test',
      kubernetes_version: '1.35',
      availability_zones: 3,
      vpc_cidr: '10.10.0.0/16',
      node_groups: [{ name: 'edge', instance_types: ['c7i.large'], capacity_type: 'ON_DEMAND', max_size: 6, disk_size: 80 }],
      hostnames: ['cdn.example.com'],
    });
  });

  it('applies the saved plan into the region state, and a second region keeps a state of its own', () => {
    expect(ws.apply('us-east-1')).toMatchObject({ code: 0, stdout: 'us-east-1: applied\n' });
    expect(existsSync(path.join(ws.root, 'terraform/state/us-east-1.tfstate'))).toBe(true);
    expect(ws.plan('us-east-1').stdout).toContain('us-east-1: plan, no changes');
    expect(ws.summary('us-east-1').status).toBe('no-changes');
    // eu-west-1 has never been applied: its own state is empty, whatever us-east-1's holds.
    expect(ws.plan('eu-west-1').stdout).toContain('eu-west-1: plan, 4 to add');
  });

  it("keeps the stack's outputs after an apply, and reads them again from the state, for the edge's certificate", () => {
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
    const outputsFile = path.join(ws.root, '.kubecdn/plans/us-east-1/outputs.json');
    const written = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, { value: unknown }>;
    expect(written['certificate_arn']?.value).toBe(certificate);
    rmSync(outputsFile);
    const read = kubecdn(['tf', 'output', '--region', 'us-east-1'], { cwd: ws.root });
    expect(read).toMatchObject({ code: 0, stdout: 'us-east-1: outputs in .kubecdn/plans/us-east-1/outputs.json\n' });
    const rendered = kubecdn(['manifests', '--region', 'us-east-1', '--manifests', path.join(ROOT, 'manifests')], { cwd: ws.root });
    expect(rendered.stderr).toBe('');
    expect(rendered.stdout).toContain(`service.beta.kubernetes.io/aws-load-balancer-ssl-cert: ${certificate}`);
  });

  it('plans an update in place', () => {
    ws.regions({ alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' }).replace('"1.35"', '"1.34"')), scalable });
    ws.plan('us-east-1');
    const summary = ws.summary('us-east-1');
    expect(summary.counts).toEqual({ create: 0, update: 1, delete: 0, replace: 0 });
    expect(summary.resources.update).toEqual(['terraform_data.cluster']);
    expect(summary.critical).toEqual([]);
  });

  it('plans a replacement, and names the traffic-critical resources it replaces', () => {
    ws.regions({ alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' }).replace('[c7i.large]', '[m7i.large]')), scalable });
    ws.plan('us-east-1');
    const summary = ws.summary('us-east-1');
    expect(summary.counts).toEqual({ create: 0, update: 0, delete: 0, replace: 1 });
    expect(summary.critical).toEqual([{ address: 'terraform_data.node_group["edge"]', action: 'replace' }]);
    expect(summary.planText).toContain('must be replaced');
  });

  it('plans the destruction of a disabled region, and never prints a sensitive value', () => {
    ws.regions({ alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })), scalable });
    ws.plan('eu-west-1');
    expect(ws.apply('eu-west-1').code).toBe(0);
    ws.regions({
      alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
      scalable: scalable.replace('enabled: true', 'enabled: false'),
    });
    const ran = ws.plan('eu-west-1');
    expect(ran.stdout).toContain('eu-west-1: destroy, 0 to add, 0 to change, 4 to destroy, 0 to replace');
    const summary = ws.summary('eu-west-1');
    expect(summary).toMatchObject({ operation: 'destroy', serving: false });
    expect(summary.critical.map((c) => c.address)).toEqual(['terraform_data.cluster', 'terraform_data.node_group["edge"]']);
    for (const file of ['summary.json', 'plan.txt']) {
      expect(readFileSync(path.join(ws.root, '.kubecdn/plans/eu-west-1', file), 'utf8')).not.toContain('fixture-secret-do-not-print');
    }
    expect(summary.planText).toContain('(sensitive value)');
  });

  it("keeps planning the other regions when one fails, and reports the failure with Terraform's words", () => {
    ws.regions({
      alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
      scalable: list(region('sa-east-1', { enabled: true, cidr: '10.40.0.0/16' })),
    });
    const ran = ws.plan('sa-east-1', 'us-east-1');
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('us-east-1: plan, no changes');
    expect(ran.stderr).toContain('sa-east-1: plan failed at terraform plan');
    const failed = ws.summary('sa-east-1');
    expect(failed.status).toBe('failed');
    expect(failed.error?.step).toBe('plan');
    expect(failed.error?.message).toMatch(/^Error: Invalid value for variable/);
    expect(failed.error?.message).toContain('The fixture stack refuses sa-east-1');
    expect(failed.error?.message).not.toContain('Warning:');
  });

  it('refuses a stack without a backend: regions would share one state', () => {
    const bare = workspace({});
    const main = path.join(bare.root, 'terraform/main.tf');
    writeFileSync(main, readFileSync(main, 'utf8').replace('  backend "local" {}\n', ''));
    const ran = bare.plan('us-east-1');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('declares no backend: each region needs its own state, so add backend "s3" {} to its terraform block');
  });
});

describe('terraformError', () => {
  it('keeps the Error diagnostics and drops warnings and box drawing', () => {
    const stderr = [
      '╷',
      '│ Warning: Unable to open CLI configuration file',
      '│',
      '│ details',
      '╵',
      '╷',
      '│ Error: Invalid value for variable',
      '│',
      '│ The fixture stack refuses sa-east-1.',
      '╵',
    ].join('\n');
    expect(terraformError(stderr, '')).toBe('Error: Invalid value for variable\n\nThe fixture stack refuses sa-east-1.');
  });
});
