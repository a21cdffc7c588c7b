import { cpSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDN_YAML, region, regionDir } from './fixtures.js';
import { Repo } from './git-repo.js';
import { kubecdn, ROOT } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const SCALABLE = list(region('eu-west-1', { enabled: true }), region('ap-south-1', { enabled: false }));

/** main with the base files and a stack and manifests; the change is then made on a branch. */
function baseRepo(): Repo {
  return new Repo()
    .regions({ scalable: SCALABLE })
    .write('terraform/main.tf', 'terraform {}\n')
    .write('manifests/base/kustomization.yaml', 'resources: []\n')
    .write('manifests/regions/eu-west-1/kustomization.yaml', 'resources: [../../base]\n')
    .commit('base');
}

function matrixOf(repo: Repo, args: string[] = [], stderr = '') {
  const ran = kubecdn(['matrix', '--base', 'main', ...args], { cwd: repo.root });
  expect(ran.stderr).toBe(stderr);
  expect(ran.code).toBe(0);
  return (JSON.parse(ran.stdout) as { include: unknown[] }).include;
}

/** The CDN-wide warning as cdnWideChange words it, for one changed key. */
function cdnWide(key: string): string {
  return (
    `cdn.${key} changed: this concerns every region. A new owner_id gives every cluster a new name and a new ` +
    'state key, so the plans build a second CDN while the old clusters keep running, unmanaged, and the old records stay ' +
    "another owner's; a new zone leaves the certificates' validation records and the latency records in the old one. " +
    'Do not merge this as it is: follow "Changing owner_id or the zone" in the README.'
  );
}

/** The preview's edge-only lines: regions whose manifests change with no Terraform job. */
function edgeLines(repo: Repo): string[] {
  const ran = kubecdn(['preview', '--base', 'main'], { cwd: repo.root });
  return ran.stdout.split('\n').filter((l) => l.includes('  edge only  '));
}

describe('kubecdn matrix: change detection from meaning, not text', () => {
  it('an added region is planned', () => {
    const repo = baseRepo().regions({ scalable: `${SCALABLE}${region('sa-east-1', { enabled: true })}` });
    expect(matrixOf(repo)).toEqual([{ region: 'sa-east-1', operation: 'plan', reason: 'added' }]);
  });

  it('a newly enabled region is planned', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE.replace('enabled: false', 'enabled: true') });
    expect(matrixOf(repo)).toEqual([{ region: 'ap-south-1', operation: 'plan', reason: 'enabled' }]);
  });

  it('a removed region gets a destroy plan', () => {
    const repo = baseRepo().regions({ scalable: list(region('ap-south-1', { enabled: false })) });
    expect(matrixOf(repo)).toEqual([{ region: 'eu-west-1', operation: 'destroy', reason: 'removed' }]);
  });

  it('a disabled region gets a destroy plan', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE.replace('enabled: true', 'enabled: false') });
    expect(matrixOf(repo)).toEqual([{ region: 'eu-west-1', operation: 'destroy', reason: 'disabled' }]);
  });

  it('a changed cluster setting is planned, naming the setting', () => {
    const repo = baseRepo().regions({ alwaysOn: list(region('us-east-1').replace('max_size: 6', 'max_size: 10')), scalable: SCALABLE });
    expect(matrixOf(repo)).toEqual([{ region: 'us-east-1', operation: 'plan', reason: 'cluster.node_groups[0].max_size changed' }]);
  });

  it('a changed edge setting needs no Terraform job: the preview names it as edge only', () => {
    const repo = baseRepo().regions({
      alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 20Gi')),
      scalable: SCALABLE,
    });
    expect(matrixOf(repo)).toEqual([]);
    expect(edgeLines(repo)).toEqual(['us-east-1  edge only  edge.cache_size changed  →  manifests applied after merge, no Terraform']);
  });

  it('a new owner_id plans every serving region and says, loudly, that it concerns the whole CDN', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE, cdn: CDN_YAML.replace('owner_id: kubecdn-test', 'owner_id: kubecdn-new') });
    const matrix = matrixOf(repo, [], `regions/cdn.yaml:2:3  warning  ${cdnWide('owner_id')}\n`) as {
      region: string;
      reason: string;
      cdnWide?: string;
    }[];
    expect(matrix.map((e) => `${e.region}: ${e.reason}`)).toEqual(['us-east-1: cdn.owner_id changed', 'eu-west-1: cdn.owner_id changed']);
    expect(matrix.every((e) => e.cdnWide?.startsWith('cdn.owner_id changed: this concerns every region.'))).toBe(true);
    const comment = kubecdn(['preview', '--base', 'main', '--format', 'markdown'], { cwd: repo.root }).stdout;
    expect(comment).toContain('> [!CAUTION]\n> **CDN-wide change.** cdn.owner_id changed: this concerns every region.');
    expect(comment).toContain('follow "Changing owner_id or the zone" in the README');
  });

  it('a new zone plans nothing, and still says first that it concerns the whole CDN', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE, cdn: CDN_YAML.replace('zone_id: Z0TEST', 'zone_id: Z0OTHER') });
    // Standard output is the matrix, empty; the warning, on standard error, points at the setting.
    expect(matrixOf(repo, [], `regions/cdn.yaml:3:3  warning  ${cdnWide('zone_id')}\n`)).toEqual([]);
    const comment = kubecdn(['preview', '--base', 'main', '--format', 'markdown'], { cwd: repo.root }).stdout;
    expect(comment).toContain('> [!CAUTION]\n> **CDN-wide change.** cdn.zone_id changed: this concerns every region.');
  });

  it('health-check settings nginx does not render are not edge changes', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE, cdn: `${CDN_YAML}  health_check:\n    interval_seconds: 10\n` });
    expect(matrixOf(repo)).toEqual([]);
    expect(edgeLines(repo)).toEqual([]);
  });

  it('reordering and reformatting plans nothing', () => {
    const reordered = list(region('ap-south-1', { enabled: false }), region('eu-west-1', { enabled: true }))
      .replace('instance_types: [c7i.large]', 'instance_types:\n            - c7i.large')
      .replace('capacity_type: ON_DEMAND\n          max_size: 6', 'max_size: 6\n          capacity_type: ON_DEMAND');
    expect(matrixOf(baseRepo().regions({ scalable: reordered }))).toEqual([]);
  });

  it('spelling out a default plans nothing', () => {
    const explicit = list(region('us-east-1').replace('          max_size: 6', '          max_size: 6\n          disk_size: 80'));
    expect(matrixOf(baseRepo().regions({ alwaysOn: explicit, scalable: SCALABLE }))).toEqual([]);
  });

  it('a comment-only change plans nothing', () => {
    expect(matrixOf(baseRepo().regions({ scalable: `# regions that scale\n${SCALABLE}` }))).toEqual([]);
  });

  it('a scaling threshold change plans nothing: neither Terraform nor the edge reads it', () => {
    const scaling =
      '    scaling:\n      enable_when: { requests_per_second: 900, for_minutes: 10 }\n      disable_when: { requests_per_second: 100, for_minutes: 60 }\n';
    const repo = baseRepo().regions({
      scalable: list(region('eu-west-1', { enabled: true, extra: scaling }), region('ap-south-1', { enabled: false })),
    });
    expect(matrixOf(repo)).toEqual([]);
  });

  it('a change under terraform/ plans every serving region', () => {
    const repo = baseRepo().write('terraform/main.tf', 'terraform {\n}\n');
    expect(matrixOf(repo)).toEqual([
      { region: 'us-east-1', operation: 'plan', reason: 'terraform/ changed' },
      { region: 'eu-west-1', operation: 'plan', reason: 'terraform/ changed' },
    ]);
  });

  it('a change to shared manifests is edge only for every serving region; a region overlay for only that region', () => {
    const shared = baseRepo().write('manifests/base/kustomization.yaml', 'resources: [edge.yaml]\n');
    expect(matrixOf(shared)).toEqual([]);
    expect(edgeLines(shared).map((l) => l.split('  ')[0])).toEqual(['us-east-1', 'eu-west-1']);
    const overlay = baseRepo().write('manifests/regions/eu-west-1/patch.yaml', 'kind: Deployment\n');
    expect(edgeLines(overlay)).toEqual(['eu-west-1  edge only  edge manifests changed  →  manifests applied after merge, no Terraform']);
  });

  it('a new origin, or a new health-check path, changes every edge configuration and no Terraform input', () => {
    const origin = baseRepo().regions({
      scalable: SCALABLE,
      cdn: CDN_YAML.replace('https://origin.example.com', 'https://origin2.example.com'),
    });
    expect(matrixOf(origin)).toEqual([]);
    expect(edgeLines(origin).map((l) => l.split('  edge only  ')[1])).toEqual([
      'cdn.origin.url changed  →  manifests applied after merge, no Terraform',
      'cdn.origin.url changed  →  manifests applied after merge, no Terraform',
    ]);
    const path = baseRepo().regions({ scalable: SCALABLE, cdn: `${CDN_YAML}  health_check:\n    path: /ready\n` });
    expect(edgeLines(path).map((l) => l.split('  ')[0])).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('compares committed heads with --head, from the merge base only', () => {
    const repo = baseRepo();
    repo.git('checkout', '-q', '-b', 'add-region');
    repo.regions({ scalable: `${SCALABLE}${region('sa-east-1', { enabled: true })}` }).commit('add sa-east-1');
    // main moves on after the branch: that change is not part of this pull request.
    repo.git('checkout', '-q', 'main');
    repo.write('terraform/main.tf', 'terraform {\n}\n').commit('stack change on main');
    expect(matrixOf(repo, ['--head', 'add-region'])).toEqual([{ region: 'sa-east-1', operation: 'plan', reason: 'added' }]);
  });

  it('plans every serving region when the base has no region files yet', () => {
    const repo = new Repo().write('README.md', 'hello\n').commit('empty').regions({ scalable: SCALABLE });
    expect(matrixOf(repo).map((e) => `${(e as { region: string }).region} ${(e as { reason: string }).reason}`)).toEqual([
      'us-east-1 added',
      'eu-west-1 added',
    ]);
  });

  it("against git's empty tree, plans every serving region of a repository whose first commit holds them all", () => {
    // As apply.yml compares before its first success and when run by hand: a repository made from
    // a template has one commit, and comparing with it would plan nothing.
    const repo = baseRepo();
    const nothing = repo.git('hash-object', '-t', 'tree', '/dev/null').trim();
    const ran = kubecdn(['matrix', '--base', nothing, '--head', 'HEAD'], { cwd: repo.root });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const include = (JSON.parse(ran.stdout) as { include: { region: string; reason: string }[] }).include;
    expect(include.map((e) => `${e.region} ${e.reason}`)).toEqual(['us-east-1 added', 'eu-west-1 added']);
    // Compared with the commit itself, nothing would be planned: the case the empty tree is for.
    expect(matrixOf(repo)).toEqual([]);
  });

  it('exits 1 with positioned problems when the head is invalid, and 2 for an unknown base', () => {
    const repo = baseRepo().regions({ scalable: SCALABLE.replace('eu-west-1', 'eu-wset-1') });
    const ran = kubecdn(['matrix', '--base', 'main'], { cwd: repo.root });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('regions/scalable.yaml:2:13  error  regions[0].region: unknown AWS region "eu-wset-1"');
    const unknown = kubecdn(['matrix', '--base', 'no-such-branch'], { cwd: repo.root });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('kubecdn: unknown git revision no-such-branch\n');
  });
});

describe('kubecdn preview: what the pull request would show', () => {
  function changedRepo(): Repo {
    const repo = new Repo().regions({ scalable: SCALABLE });
    cpSync(path.join(ROOT, 'test/stacks/fixture'), path.join(repo.root, 'terraform'), { recursive: true });
    repo.write('.gitignore', '.kubecdn/\nterraform/state/\n').commit('base');
    return repo.regions({ scalable: SCALABLE.replace('enabled: false', 'enabled: true').replace('enabled: true', 'enabled: false') });
  }

  it('without --terraform, names the regions that would be planned and why, against the default branch', () => {
    const repo = changedRepo();
    const ran = kubecdn(['preview'], { cwd: repo.root });
    expect(ran.code).toBe(0);
    const change = ran.stdout.slice(ran.stdout.indexOf('Change against main'));
    expect(change).toMatch(/^Change against main \(merge base [0-9a-f]{12}\)\n/);
    expect(change).toContain('eu-west-1   destroy  disabled  →  not planned (preview --terraform plans)');
    expect(change).toContain('ap-south-1  plan     enabled  →  not planned (preview --terraform plans)');
    expect(ran.stdout.slice(ran.stdout.indexOf('DNS after merge'))).toBe(
      'DNS after merge\n- cdn.example.com A eu-west-1\n+ cdn.example.com A ap-south-1\n',
    );
  });

  it('--format markdown is the comment itself, marking regions as not planned rather than missing', () => {
    const ran = kubecdn(['preview', '--format', 'markdown'], { cwd: changedRepo().root });
    expect(
      ran.stdout.startsWith('<!-- kubecdn:plan -->\n\n## kubeCDN plan\n\n> [!NOTE]\n> Local preview of the working tree against `main`'),
    ).toBe(true);
    expect(ran.stdout).toContain(
      '| `eu-west-1` Europe (Ireland) | 🗑️ destroy | disabled | – | – | – | – | ⏸️ not planned (preview --terraform plans) |',
    );
    expect(ran.stdout).not.toContain('without a plan');
    expect(ran.stdout).toContain(
      '### DNS after merge\n| Change | Hostname | Type | Region |\n|---|---|---|---|\n| ➖ remove | `cdn.example.com` | A | `eu-west-1` |\n| ➕ add | `cdn.example.com` | A | `ap-south-1` |',
    );
  });

  it('--terraform runs the plans and shows their results', () => {
    const ran = kubecdn(['preview', '--terraform'], { cwd: changedRepo().root });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('eu-west-1   destroy  disabled  →  no changes');
    expect(ran.stdout).toContain('ap-south-1  plan     enabled  →  4 to add, 0 to change, 0 to destroy, 0 to replace');
  });

  it('kubecdn latency: switching Mumbai on makes India faster, against the default branch', () => {
    const ran = kubecdn(['latency', '--format', 'json'], { cwd: changedRepo().root });
    expect(ran.code).toBe(0);
    const impact = JSON.parse(ran.stdout) as {
      before: { regions: string[]; p95: number };
      after: { regions: string[]; p95: number };
      gains: { country: string }[];
      losses: { country: string }[];
    };
    expect(impact.before.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(impact.after.regions).toEqual(['us-east-1', 'ap-south-1']);
    expect(impact.gains.map((g) => g.country)).toContain('IN');
    expect(impact.losses.length).toBeGreaterThan(0);
  });

  it('the preview has the latency section the comment has', () => {
    const ran = kubecdn(['preview', '--format', 'markdown'], { cwd: changedRepo().root });
    expect(ran.stdout).toContain('### Latency for users\nModelled round trip from');
    expect(ran.stdout).toContain('```geojson\n{"type":"FeatureCollection"');
  });

  it('outside a git repository, says there is nothing to compare', () => {
    const ran = kubecdn(['preview'], { cwd: regionDirParent() });
    expect(ran.stdout).toContain('nothing to compare: not a git repository, so there is no base to compare with');
  });
});

function regionDirParent(): string {
  const dir = regionDir({});
  const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-nogit-'));
  renameSync(dir, path.join(root, 'regions'));
  return root;
}
