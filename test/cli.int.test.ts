import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { region, regionDir, VALID } from './fixtures.js';
import { Repo } from './git-repo.js';
import { AWS_ENV, motoUrl } from './moto.js';
import { kubecdn } from './run.js';

function brokenRepo(): string {
  const root = regionDir({});
  const broken = regionDir({
    alwaysOn: `regions:\n${region('us-east-1').replace('min_replicas: 2', 'min_replicas: 9')}`,
    scalable: `regions:\n${region('eu-wset-1', { enabled: true })}`,
  });
  renameSync(broken, path.join(root, 'regions'));
  return root;
}

/** What `kubecdn validate` prints for the broken files both the root and the subdirectory tests use. */
const BROKEN_VALIDATION = [
  'regions/always-on.yaml:11:21  error  us-east-1 edge.min_replicas: is 9, above max_replicas (8)  (range/min-max)',
  '    max_replicas is set at regions/always-on.yaml:12:21',
  'regions/scalable.yaml:2:13  error  regions[0].region: unknown AWS region "eu-wset-1"  (schema/enum)',
  '    did you mean "eu-west-1"?',
  '',
  '2 errors',
  '',
].join('\n');

describe('kubecdn validate', () => {
  it('exits 0 and says valid for the shipped example', () => {
    const ran = kubecdn(['validate']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim().split('\n').at(-1)).toMatch(/^valid/);
  });

  it('exits 1 and prints every problem with file, line and column, without colour off a terminal', () => {
    const ran = kubecdn(['validate'], { cwd: brokenRepo() });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe(BROKEN_VALIDATION);
  });

  it('colours only when asked on a non-terminal (FORCE_COLOR), never with NO_COLOR', () => {
    const cwd = brokenRepo();
    expect(kubecdn(['validate'], { cwd, env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[31merror');
    expect(kubecdn(['validate'], { cwd, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  it('--format json prints ok and the errors with file, line, column, message and rule', () => {
    const ran = kubecdn(['validate', '--format', 'json'], { cwd: brokenRepo() });
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toEqual({
      ok: false,
      errors: [
        {
          file: 'regions/always-on.yaml',
          line: 11,
          column: 21,
          message: 'us-east-1 edge.min_replicas: is 9, above max_replicas (8)',
          rule: 'range/min-max',
          hint: 'max_replicas is set at regions/always-on.yaml:12:21',
        },
        {
          file: 'regions/scalable.yaml',
          line: 2,
          column: 13,
          message: 'regions[0].region: unknown AWS region "eu-wset-1"',
          rule: 'schema/enum',
          hint: 'did you mean "eu-west-1"?',
        },
      ],
      warnings: [],
    });
  });

  it('--format github prints workflow commands GitHub turns into annotations', () => {
    const ran = kubecdn(['validate', '--format', 'github'], { cwd: brokenRepo() });
    expect(ran.code).toBe(1);
    expect(ran.stdout.trim().split('\n')).toEqual([
      '::error title=kubecdn range/min-max,file=regions/always-on.yaml,line=11,col=21::us-east-1 edge.min_replicas: is 9, above max_replicas (8)%0Amax_replicas is set at regions/always-on.yaml:12:21',
      '::error title=kubecdn schema/enum,file=regions/scalable.yaml,line=2,col=13::regions[0].region: unknown AWS region "eu-wset-1"%0Adid you mean "eu-west-1"?',
    ]);
  });

  it('--dir reads another directory; paths print relative to where it runs, or whole when outside', () => {
    const cwd = brokenRepo();
    const errorsOf = (ran: { stdout: string }) => (JSON.parse(ran.stdout) as { errors: { file: string }[] }).errors.map((e) => e.file);
    expect(
      errorsOf(kubecdn(['validate', '--dir', `${path.basename(cwd)}/regions`, '--format', 'json'], { cwd: path.dirname(cwd) }))[0],
    ).toBe(`${path.basename(cwd)}/regions/always-on.yaml`);
    expect(errorsOf(kubecdn(['validate', '--dir', path.join(cwd, 'regions'), '--format', 'json']))[0]).toBe(
      path.join(cwd, 'regions/always-on.yaml'),
    );
  });

  it('exits 2 when the directory does not exist, naming it', () => {
    const ran = kubecdn(['validate', '--dir', 'nowhere']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      'kubecdn: no region directory at nowhere: run kubecdn inside the repository that holds regions/, or name the folder with --dir\n',
    );
  });

  it('exits 2 on a usage error and says what was wrong', () => {
    const ran = kubecdn(['validate', '--format', 'xml']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, github.");
    expect(kubecdn(['validat']).code).toBe(2);
    expect(kubecdn(['validat']).stderr).toContain('(Did you mean validate?)');
    expect(kubecdn(['validate', '--bogus']).code).toBe(2);
    expect(kubecdn([]).code).toBe(2);
  });

  it('has --help on every command, exiting 0', () => {
    for (const command of [[], ['validate'], ['regions'], ['preview']]) {
      const ran = kubecdn([...command, '--help']);
      expect(ran.code).toBe(0);
      expect(ran.stdout).toContain(`Usage: kubecdn${command.length ? ` ${command[0] ?? ''}` : ''}`);
    }
  });
});

describe('kubecdn regions', () => {
  it('lists the effective regions of the shipped example', () => {
    const ran = kubecdn(['regions']);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REGION\s+NAME\s+TIER\s+SERVING\s+K8S\s+NODES\s+EDGE PODS × CACHE\s+DEFINED AT$/);
    expect(lines[1]).toMatch(
      /^us-east-1\s+US East \(N\. Virginia\)\s+always-on\s+yes\s+1\.35\s+≤12\s+3-12 × 50Gi\s+regions\/always-on\.yaml:4$/,
    );
    expect(lines.at(-1)).toBe('4 regions serving of 6; cdn.example.com, static.example.com in zone example.com');
  });

  it('--json gives each region with its tier, serving state, place and settings', () => {
    const regions = JSON.parse(kubecdn(['regions', '--json']).stdout) as { region: string; tier: string; serving: boolean; file: string }[];
    expect(regions.map((r) => `${r.region} ${r.tier} ${String(r.serving)} ${r.file}`)).toEqual([
      'us-east-1 always-on true regions/always-on.yaml',
      'us-west-2 always-on true regions/always-on.yaml',
      'eu-west-1 scalable true regions/scalable.yaml',
      'ap-southeast-1 scalable true regions/scalable.yaml',
      'ap-south-1 scalable false regions/scalable.yaml',
      'sa-east-1 scalable false regions/scalable.yaml',
    ]);
  });

  it('--all lists only the regions kubeCDN can serve from (not China, GovCloud or the sovereign cloud) and marks the ones in use', () => {
    const lines = kubecdn(['regions', '--all']).stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REGION\s+NAME\s+USED AS$/);
    expect(lines).toHaveLength(35);
    expect(lines.filter((l) => /^(cn-|us-gov-|eusc-)/.test(l))).toEqual([]);
    expect(lines.find((l) => l.startsWith('ap-south-1 '))).toMatch(/Asia Pacific \(Mumbai\)\s+scalable \(off\)$/);
    expect(lines.find((l) => l.startsWith('eu-north-1 '))).toMatch(/Europe \(Stockholm\)$/);
  });

  it('--all --json gives the same list as JSON', () => {
    const all = JSON.parse(kubecdn(['regions', '--all', '--json']).stdout) as { region: string; used_as: string | null }[];
    expect(all).toHaveLength(34);
    expect(all.find((r) => r.region === 'us-east-1')?.used_as).toBe('always-on');
    expect(all.find((r) => r.region === 'eu-north-1')?.used_as).toBeNull();
  });

  it('exits 1 with the problems on standard error when the files are invalid', () => {
    const ran = kubecdn(['regions'], { cwd: brokenRepo() });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('regions/scalable.yaml:2:13  error');
  });
});

describe('kubecdn preview', () => {
  it('shows validation and the regions after the change', () => {
    const ran = kubecdn(['preview']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^Region files\nvalid\n\nRegions after this change\nREGION/);
  });

  it('--format markdown is the pull-request comment as it would be posted', () => {
    const ran = kubecdn(['preview', '--format', 'markdown'], { cwd: brokenRepo() });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('### Region files\n❌ 2 errors in the region files.');
    expect(ran.stdout).not.toContain('| Region | Operation');
    expect(ran.stdout).toContain(
      '| ❌ | `regions/scalable.yaml:2:13` | regions[0].region: unknown AWS region "eu-wset-1"<br>did you mean "eu-west-1"? | `schema/enum` |',
    );
  });
});

describe('where kubecdn runs from', () => {
  it('from a subdirectory of the repository, reads the default paths at its root, as git does', () => {
    const r = new Repo().regions(VALID).commit('the CDN');
    r.write('docs/notes.md', 'notes\n');
    const ran = kubecdn(['validate'], { cwd: path.join(r.root, 'docs') });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toMatch(/^valid/);
    const matrix = kubecdn(['matrix', '--base', 'main'], { cwd: path.join(r.root, 'docs') });
    expect(matrix.code).toBe(0);
  });

  it('from a subdirectory, prints every problem relative to the repository root, as the annotations and the comment do', () => {
    const r = new Repo().regions({
      alwaysOn: `regions:\n${region('us-east-1').replace('min_replicas: 2', 'min_replicas: 9')}`,
      scalable: `regions:\n${region('eu-wset-1', { enabled: true })}`,
    });
    r.write('src/notes.md', 'notes\n').commit('broken regions');
    const expected = BROKEN_VALIDATION;
    for (const sub of ['src', 'regions']) {
      const ran = kubecdn(['validate'], { cwd: path.join(r.root, sub) });
      expect(ran.code, sub).toBe(1);
      expect(ran.stdout, sub).toBe(expected);
    }
    // A path typed on the command line is read from where it was typed, and printed from the root.
    expect(kubecdn(['validate', '--dir', '.'], { cwd: path.join(r.root, 'regions') }).stdout).toBe(expected);
    expect(kubecdn(['validate', '--dir', '../regions'], { cwd: path.join(r.root, 'src') }).stdout).toBe(expected);
    const json = kubecdn(['regions', '--json'], { cwd: path.join(r.root, 'src') });
    expect(json.stderr).toContain('regions/scalable.yaml:2:13  error');
    expect(json.stderr).not.toContain(r.root);
  });

  it('outside any repository without regions/, says where to run from and names --dir', () => {
    const ran = kubecdn(['validate'], { cwd: tmpdir() });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(
      'no region directory at regions: run kubecdn inside the repository that holds regions/, or name the folder with --dir',
    );
  });

  it('refuses a symlinked region file the same way in the working tree and in a commit', () => {
    const r = new Repo().regions(VALID);
    r.write('shared/cdn.yaml', VALID.cdn);
    rmSync(path.join(r.root, 'regions/cdn.yaml'));
    symlinkSync('../shared/cdn.yaml', path.join(r.root, 'regions/cdn.yaml'));
    r.commit('cdn.yaml shared through a link');
    const refusal =
      'regions/cdn.yaml is a symbolic link (to ../shared/cdn.yaml); git stores only the link, so the workflows would not read the file it points to';
    const validated = kubecdn(['validate'], { cwd: r.root });
    expect(validated.code).toBe(2);
    expect(validated.stderr).toContain(refusal);
    const matrix = kubecdn(['matrix', '--base', 'HEAD', '--head', 'HEAD'], { cwd: r.root });
    expect(matrix.code).toBe(2);
    expect(matrix.stderr).toContain(refusal);
  });
});

describe('kubecdn dns plan, the first time (moto_server)', () => {
  // moto answers an unknown zone with NoSuchHostedZone, as Route53 does.
  const targets = '{"us-east-1":{"dnsName":"a-1.elb.us-east-1.amazonaws.com","hostedZoneId":"Z26RNL4JYFTOTI"}}';

  it('a zone Route53 does not know points at zone_id in cdn.yaml, by line and column', () => {
    const dir = regionDir({});
    writeFileSync(path.join(dir, 'targets.json'), targets);
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: motoUrl(), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const ran = kubecdn(['dns', 'plan', '--dir', '.', '--targets', 'targets.json'], { cwd: dir, env });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('Route53 has no hosted zone Z0TEST (from cdn.yaml:3:12 (zone_id)) in this account');
  });

  it('no credentials say how to sign in or try it locally', () => {
    const dir = regionDir({});
    writeFileSync(path.join(dir, 'targets.json'), targets);
    const ran = kubecdn(['dns', 'plan', '--dir', '.', '--targets', 'targets.json'], { cwd: dir, env: { HOME: dir } });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('no AWS credentials found');
  });
});
