// kubecdn rehearse and kubecdn teardown, end to end: a real git repository, the real terraform
// binary on the fixture stack, kustomize, and Route53 on moto_server.
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { region, CDN_YAML } from './fixtures.js';
import { Repo } from './git-repo.js';
import { AWS_ENV, createZone, motoUrl, sdk, zoneRecords } from './moto.js';
import { kubecdnAsync, ROOT } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const STACK = path.join(ROOT, 'test/stacks/fixture');
const env = () => ({ ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: motoUrl(), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

function repo(): Repo {
  const r = new Repo().regions({
    alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
    scalable: list(
      region('eu-west-1', { enabled: true, cidr: '10.20.0.0/16' }),
      region('ap-south-1', { enabled: false, cidr: '10.30.0.0/16' }),
    ),
    cdn: CDN_YAML,
  });
  cpSync(path.join(ROOT, 'manifests'), path.join(r.root, 'manifests'), { recursive: true });
  return r.commit('the CDN as it runs');
}

/**
 * kubecdn teardown of eu-west-1 as the workflow runs it, without the wait, its record in summary.md
 * (in the folder it is typed in, `cwd`, the repository's root unless given).
 */
function tearDownEuWest1(r: Repo, zoneId: string, reason: string, extraEnv: NodeJS.ProcessEnv = {}, cwd = r.root) {
  const args = ['--region', 'eu-west-1', '--confirm', 'eu-west-1', '--reason', reason, '--zone-id', zoneId, '--settle', '0'];
  return kubecdnAsync(['teardown', ...args, '--summary', 'summary.md'], { cwd, env: { ...env(), ...extraEnv } });
}

/** us-east-1 and eu-west-1 applied from the fixture stack at terraform/, with records in a zone of their own. */
async function servingTwo(r: Repo): Promise<string> {
  const zoneId = await createZone('example.com');
  cpSync(STACK, path.join(r.root, 'terraform'), { recursive: true });
  // Bring eu-west-1 up and give it records, as the apply workflow would have.
  expect((await kubecdnAsync(['tf', 'plan', '--region', 'eu-west-1', '--region', 'us-east-1'], { cwd: r.root })).code).toBe(0);
  expect((await kubecdnAsync(['tf', 'apply', '--region', 'eu-west-1', '--region', 'us-east-1'], { cwd: r.root })).code).toBe(0);
  r.write(
    'targets.json',
    JSON.stringify({
      'us-east-1': { dnsName: 'a-1.elb.us-east-1.amazonaws.com', hostedZoneId: 'Z26RNL4JYFTOTI' },
      'eu-west-1': { dnsName: 'b-1.elb.eu-west-1.amazonaws.com', hostedZoneId: 'Z2IFOLAFXWLO4F' },
    }),
  );
  expect(
    (await kubecdnAsync(['dns', 'apply', '--targets', 'targets.json', '--zone-id', zoneId, '--force'], { cwd: r.root, env: env() })).code,
  ).toBe(0);
  return zoneId;
}

describe('kubecdn rehearse', () => {
  let zoneId: string;
  beforeAll(async () => {
    zoneId = await createZone('example.com');
  });

  it('runs a change from matrix to teardown and checks the state after every step', async () => {
    const r = repo();
    r.write(
      'regions/scalable.yaml',
      readFileSync(path.join(r.root, 'regions/scalable.yaml'), 'utf8').replace('enabled: false', 'enabled: true'),
    );
    const ran = await kubecdnAsync(
      ['rehearse', '--base', 'main', '--stack', STACK, '--teardown', 'eu-west-1', '--workdir', 'rehearsal', '--zone-id', zoneId],
      { cwd: r.root, env: env() },
    );
    expect(ran.stderr.replace(/^.*Warning.*\n?/gm, '')).toBe('');
    expect(ran.code).toBe(0);
    const steps = ran.stdout
      .split('\n')
      .filter((l) => /^\s*✓/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(steps).toEqual([
      '✓ matrix',
      '✓ base',
      '✓ plan ap-south-1',
      '✓ comment',
      '✓ apply ap-south-1',
      '✓ edge us-east-1',
      '✓ edge eu-west-1',
      '✓ edge ap-south-1',
      '✓ dns',
      '✓ check',
      '✓ disable',
      '✓ drain',
      '✓ settle',
      '✓ destroy',
      '✓ teardown eu-west-1',
    ]);
    expect(ran.stdout).toContain('ap-south-1 plan: enabled');
    expect(ran.stdout).toContain('✓ plan ap-south-1: changes, +4 ~0 -0 ±0');
    expect(ran.stdout).toMatch(/✓ destroy: 4 resources destroyed/);

    // What the zone holds afterwards, read independently: us-east-1 and ap-south-1 answer for both
    // hostnames, eu-west-1 for none, and the comment was written where the workdir says.
    expect(ran.stdout).toContain(`to zone ${zoneId};`);
    const records = await zoneRecords(zoneId);
    const answering = (host: string) =>
      records
        .filter((rec) => rec.type === 'A' && rec.name === `${host}.`)
        .map((rec) => rec.setIdentifier)
        .sort();
    expect(answering('cdn.example.com')).toEqual(['ap-south-1', 'us-east-1']);
    expect(readFileSync(path.join(r.root, 'rehearsal/comment.md'), 'utf8')).toMatch(/^<!-- kubecdn:plan -->/);
    expect(readFileSync(path.join(r.root, 'rehearsal/regions/scalable.yaml'), 'utf8')).toContain('- region: eu-west-1\n    enabled: false');
    // The user's own files are not edited by the rehearsal.
    expect(readFileSync(path.join(r.root, 'regions/scalable.yaml'), 'utf8')).toContain('- region: eu-west-1\n    enabled: true');
  });

  it('as the README runs it, makes its own zone and leaves neither the zone nor its folder behind', async () => {
    const r = repo();
    const ran = await kubecdnAsync(['rehearse', '--base', 'main', '--stack', STACK], { cwd: r.root, env: env() });
    expect(ran.code).toBe(0);
    const made = /✓ dns: .* to zone (\S+);/.exec(ran.stdout)?.[1] ?? '';
    expect(made).toMatch(/^[A-Z0-9]+$/);
    expect(ran.stdout).toContain(`removed the zone ${made} the rehearsal made`);
    await expect(sdk().send(new GetHostedZoneCommand({ Id: made }))).rejects.toThrow(/No hosted zone found/);
    const work = /^rehearsing in (\S+),/m.exec(ran.stdout)?.[1] ?? '';
    expect(work).toContain('kubecdn-rehearse-');
    expect(existsSync(work)).toBe(false);
  });

  it('fails, naming the step and the region, when a plan fails', async () => {
    const r = repo();
    r.write(
      'regions/scalable.yaml',
      readFileSync(path.join(r.root, 'regions/scalable.yaml'), 'utf8') + region('sa-east-1', { enabled: true, cidr: '10.40.0.0/16' }),
    );
    const ran = await kubecdnAsync(['rehearse', '--base', 'main', '--stack', STACK, '--zone-id', zoneId], { cwd: r.root, env: env() });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/kubecdn rehearse: plan: sa-east-1: plan failed: .*refuses sa-east-1/s);
  });

  it('refuses to run against anything but a local endpoint', async () => {
    const r = repo();
    const ran = await kubecdnAsync(['rehearse', '--base', 'main', '--stack', STACK], {
      cwd: r.root,
      env: { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: 'https://route53.amazonaws.com' },
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/only runs against a local Route53-compatible endpoint/);
  });
});

describe('kubecdn teardown', () => {
  it('refuses, changing nothing, when confirm does not repeat the region', async () => {
    const r = repo();
    const before = readFileSync(path.join(r.root, 'regions/scalable.yaml'), 'utf8');
    const ran = await kubecdnAsync(['teardown', '--region', 'eu-west-1', '--confirm', 'eu-west1', '--reason', 'incident 42'], {
      cwd: r.root,
      env: env(),
    });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^kubecdn teardown: ✗ check: confirm must repeat the region exactly/);
    expect(ran.stdout).not.toMatch(/confirm must repeat/);
    expect(readFileSync(path.join(r.root, 'regions/scalable.yaml'), 'utf8')).toBe(before);
    expect(r.git('status', '--porcelain')).toBe('');
  });

  it('checks only, with --check-only, and refuses an always-on region', async () => {
    const r = repo();
    const ok = await kubecdnAsync(['teardown', '--region', 'eu-west-1', '--confirm', 'eu-west-1', '--reason', 'x', '--check-only'], {
      cwd: r.root,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ check: eu-west-1 is a serving scalable region and others serve: us-east-1/);
    const always = await kubecdnAsync(['teardown', '--region', 'us-east-1', '--confirm', 'us-east-1', '--reason', 'x', '--check-only'], {
      cwd: r.root,
    });
    expect(always.code).toBe(1);
    expect(always.stderr).toMatch(/us-east-1 is always-on/);
    expect(r.git('status', '--porcelain')).toBe('');
  });

  it('puts the region files back and records the stop when the drain is refused', async () => {
    const r = repo();
    const zoneId = await createZone('example.com');
    // Only eu-west-1 has records: draining it would leave the hostnames with no region at all.
    r.write(
      'targets.json',
      JSON.stringify({ 'eu-west-1': { dnsName: 'b-1.elb.eu-west-1.amazonaws.com', hostedZoneId: 'Z2IFOLAFXWLO4F' } }),
    );
    expect((await kubecdnAsync(['dns', 'apply', '--targets', 'targets.json', '--zone-id', zoneId], { cwd: r.root, env: env() })).code).toBe(
      0,
    );
    const before = await zoneRecords(zoneId);
    const ran = await tearDownEuWest1(r, zoneId, 'incident 43');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(
      /kubecdn teardown: ✗ drain: refused, nothing changed: .*would be left with no serving region.*eu-west-1 still serves/,
    );
    // Said once: on standard error, not again in the progress lines.
    expect(`${ran.stdout}\n${ran.stderr}`.match(/refused, nothing changed/g)).toHaveLength(1);
    expect(r.git('status', '--porcelain')).toBe('?? summary.md\n?? targets.json\n');
    expect(await zoneRecords(zoneId)).toEqual(before);
    expect(readFileSync(path.join(r.root, 'summary.md'), 'utf8')).toMatch(/## Teardown of eu-west-1: stopped[\s\S]*❌ \*\*drain\*\*/);
  });

  it('drains, destroys and records who, why and what in the job summary', async () => {
    const r = repo();
    const zoneId = await servingTwo(r);
    const ran = await tearDownEuWest1(r, zoneId, 'incident 42', { GITHUB_ACTOR: 'on-call' });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/✓ drain: 1 record of eu-west-1/);
    const summary = readFileSync(path.join(r.root, 'summary.md'), 'utf8');
    expect(summary).toContain('## Teardown of eu-west-1: done');
    expect(summary).toContain('| who | on-call |');
    expect(summary).toContain('| why | incident 42 |');
    expect(summary).toContain('`terraform_data.cluster`');
    expect(r.git('diff', '--stat')).toMatch(/regions\/scalable\.yaml \| 2 \+-/);
    const left = (await zoneRecords(zoneId)).filter((rec) => rec.type === 'A').map((rec) => rec.setIdentifier);
    expect(left).toEqual(['us-east-1']);
  });

  // The process runs where the user typed the command, and the command at the root: the stack and
  // the plans (terraform, .kubecdn/plans) are read at the root as the region files are, so the
  // teardown goes to its end instead of stopping after the drain, with the region disabled and drained.
  it('from a subdirectory, drains and destroys with the stack at the root, the record where it was typed', async () => {
    const r = repo();
    const zoneId = await servingTwo(r);
    r.write('docs/README.md', 'docs\n');
    const ran = await tearDownEuWest1(r, zoneId, 'incident 44', {}, path.join(r.root, 'docs'));
    expect(ran.stderr.replace(/^.*Warning.*\n?/gm, '')).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/✓ disable: eu-west-1 marked enabled: false in regions\/scalable\.yaml/);
    expect(ran.stdout).toMatch(/✓ destroy: \d+ resources destroyed/);
    expect(readFileSync(path.join(r.root, 'docs/summary.md'), 'utf8')).toContain('## Teardown of eu-west-1: done');
    expect(existsSync(path.join(r.root, 'docs/.kubecdn'))).toBe(false);
    expect(r.git('diff', '--stat')).toMatch(/regions\/scalable\.yaml \| 2 \+-/);
  });
});
