// kubecdn autoscale against a real Prometheus (Debian's prometheus) holding hours of history that
// promtool wrote as TSDB blocks (`promtool tsdb create-blocks-from openmetrics`), and the cooldown
// read from a real git history of scalable.yaml (the real git binary, merges included). The CLI
// runs as a user runs it, with --at.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { region } from './fixtures.js';
import { Repo } from './git-repo.js';
import { createBlocks, openMetrics, startPrometheus, type RunningPrometheus } from './prometheus.js';
import { kubecdnAsync } from './run.js';

const scaling = (enable: number, enableFor: number, disable: number, disableFor: number) =>
  `    scaling:\n      enable_when: { requests_per_second: ${enable}, for_minutes: ${enableFor} }\n      disable_when: { requests_per_second: ${disable}, for_minutes: ${disableFor} }\n`;

const scalable = (apSouth: boolean) =>
  `# scaled by demand\nregions:\n${[
    region('eu-west-1', { enabled: true, extra: scaling(2000, 15, 300, 60) }),
    region('ap-south-1', { enabled: apSouth, extra: scaling(1500, 15, 200, 60) }),
    region('sa-east-1', { enabled: false, extra: scaling(1000, 30, 100, 60) }),
  ].join('')}`;

// Recent times, whole minutes: T is when ap-south-1's users have been many for 20 minutes.
const T = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3600;
const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** Requests per second nearest each region, as the edges of the three serving regions counted them. */
const demand: Record<string, (t: number) => number> = {
  'us-east-1': () => 5000,
  'us-west-2': () => 3000,
  'eu-west-1': () => 900,
  'ap-south-1': (t) => (t > T - 20 * 60 ? 2000 : 150),
  'sa-east-1': (t) => (t > T - 20 * 60 ? 1200 : 40),
};

const EDGES = ['us-east-1', 'us-west-2', 'eu-west-1'];
/** us-west-2's edges stop reporting (a scrape outage) from here on. */
const SILENT = T + 10 * 60;

let prometheus: RunningPrometheus | undefined;
let repo: Repo;
let merged: Repo;

function gitAt(r: Repo, t: number, ...args: string[]) {
  execFileSync('git', args, { cwd: r.root, env: { ...process.env, GIT_AUTHOR_DATE: `@${t}`, GIT_COMMITTER_DATE: `@${t}` } });
}
const commitAt = (message: string, t: number, r: Repo = repo) => gitAt(r, t, 'commit', '-q', '-a', '-m', message);

beforeAll(async () => {
  // Each region's users are served by the three edges, a third each: the query must sum the edges.
  const series = Object.entries(demand).flatMap(([near, rate]) =>
    EDGES.map((edge) => ({
      labels: { near, region: edge, job: 'edge' },
      rate: (t: number) => rate(t) / 3,
      ...(edge === 'us-west-2' ? { until: SILENT } : {}),
    })),
  );
  const data = createBlocks(openMetrics(series, T - 4 * 3600, T + 1800));
  prometheus = await startPrometheus({ data });

  repo = new Repo();
  repo.regions({ alwaysOn: `regions:\n${region('us-east-1')}${region('us-west-2')}`, scalable: scalable(true) });
  repo.git('add', '-A');
  commitAt('regions', T - 30 * 86400);
  repo.write('regions/scalable.yaml', scalable(false));
  commitAt('switch ap-south-1 off', T - 2 * 3600);

  // The same switch made by a pull request: its commit written three days ago, merged an hour ago.
  merged = new Repo();
  merged.regions({ alwaysOn: `regions:\n${region('us-east-1')}${region('us-west-2')}`, scalable: scalable(true) });
  merged.git('add', '-A');
  commitAt('regions', T - 30 * 86400, merged);
  merged.git('checkout', '-q', '-b', 'proposal');
  merged.write('regions/scalable.yaml', scalable(false));
  commitAt('switch ap-south-1 off', T - 3 * 86400, merged);
  merged.git('checkout', '-q', 'main');
  merged.write('README.md', 'meanwhile on main\n');
  merged.git('add', '-A');
  commitAt('docs', T - 2 * 86400, merged);
  gitAt(merged, T - 3600, 'merge', '-q', '--no-ff', '-m', 'Merge the proposal', 'proposal');
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
});

const runIn = (cwd: string, ...args: string[]) => kubecdnAsync(['autoscale', '--prometheus', prometheus?.url ?? '', ...args], { cwd });
const run = (...args: string[]) => runIn(repo.root, ...args);

interface Json {
  decisions: { region: string; action: string; reason: string; evidence?: { value: number; samples: number } }[];
}
const actions = (json: Json) => Object.fromEntries(json.decisions.map((d) => [d.region, d.action]));

describe('kubecdn autoscale over history in a real Prometheus', () => {
  it('enables the region whose demand lasted long enough at T, after its cooldown, and nothing else', async () => {
    const ran = await run('--at', iso(T), '--cooldown', '90m', '--format', 'json');
    expect(ran.stderr).toContain('reading demand for the last 60 min');
    expect(ran.code).toBe(0);
    const json = JSON.parse(ran.stdout) as Json;
    expect(actions(json)).toEqual({
      'us-east-1': 'keep',
      'us-west-2': 'keep',
      'eu-west-1': 'keep',
      'ap-south-1': 'enable',
      'sa-east-1': 'keep',
    });
    const ap = json.decisions.find((d) => d.region === 'ap-south-1');
    expect(ap?.reason).toBe('demand stayed above 1500 req/s for 15 min (lowest 2000)');
    expect(ap?.evidence?.samples).toBeGreaterThanOrEqual(15);
    // sa-east-1 is above its threshold too, but for 20 of the 30 minutes its rule asks.
    expect(json.decisions.find((d) => d.region === 'sa-east-1')?.reason).toMatch(/^demand fell to 40 req\/s in the last 30 min/);
    // eu-west-1 is served by the three edges: the thirds add up.
    expect(json.decisions.find((d) => d.region === 'eu-west-1')?.reason).toBe('demand reached 900 req/s in the last 60 min, not below 300');
  });

  it('keeps the region at a time before the demand had lasted long enough', async () => {
    const ran = await run('--at', iso(T - 10 * 60), '--cooldown', '90m', '--format', 'json');
    expect(ran.code).toBe(0);
    const json = JSON.parse(ran.stdout) as Json;
    expect(actions(json)['ap-south-1']).toBe('keep');
    expect(json.decisions.find((d) => d.region === 'ap-south-1')?.reason).toMatch(/^demand fell to 150 req\/s in the last 15 min/);
  });

  it('holds the region back while the cooldown since its enabled changed in git runs', async () => {
    const ran = await run('--at', iso(T), '--format', 'json');
    const ap = (JSON.parse(ran.stdout) as Json).decisions.find((d) => d.region === 'ap-south-1');
    expect(ap?.action).toBe('keep');
    expect(ap?.reason).toContain(`but enabled changed at ${iso(T - 2 * 3600)}: cooling down until ${iso(T + 4 * 3600)}`);
  });

  it('counts the cooldown of a merged pull request from its merge, not from when its commit was written', async () => {
    const ran = await runIn(merged.root, '--at', iso(T), '--cooldown', '2h', '--format', 'json');
    expect(ran.code).toBe(0);
    const ap = (JSON.parse(ran.stdout) as Json).decisions.find((d) => d.region === 'ap-south-1');
    expect(ap?.action).toBe('keep');
    expect(ap?.reason).toContain(`but enabled changed at ${iso(T - 3600)}: cooling down until ${iso(T + 3600)}`);
    // A cooldown shorter than the time since the merge lets the region be enabled.
    const short = await runIn(merged.root, '--at', iso(T), '--cooldown', '30m', '--format', 'json');
    expect(actions(JSON.parse(short.stdout) as Json)['ap-south-1']).toBe('enable');
  });

  it('reads no demand at minutes when a serving region’s edges were not counted, rather than zero', async () => {
    // us-west-2's edges went silent at T+10 min: from then on nobody's demand is known, since the
    // users they served are missing from every region's figure.
    const ran = await run('--at', iso(T + 25 * 60), '--cooldown', '90m', '--format', 'json');
    expect(ran.code).toBe(0);
    const json = JSON.parse(ran.stdout) as Json;
    expect(new Set(json.decisions.map((d) => d.action))).toEqual(new Set(['keep']));
    expect(json.decisions.find((d) => d.region === 'ap-south-1')?.reason).toMatch(/^too sparse: \d of 16 samples in the last 15 min$/);
    expect(json.decisions.find((d) => d.region === 'eu-west-1')?.reason).toMatch(/^too sparse: /);
  });

  it('with --write, changes only that enabled value in scalable.yaml', async () => {
    const before = readFileSync(path.join(repo.root, 'regions/scalable.yaml'), 'utf8');
    const ran = await run('--at', iso(T), '--cooldown', '90m', '--write');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/ap-south-1 +disabled +enable +demand stayed above 1500 req\/s for 15 min/);
    const after = readFileSync(path.join(repo.root, 'regions/scalable.yaml'), 'utf8');
    expect(after).toBe(before.replace(/(region: ap-south-1\n {4}enabled: )false/, '$1true'));
    expect(after).not.toBe(before);
    repo.git('checkout', '--', 'regions/scalable.yaml');
  });

  it('writes the decisions, the pull request body and the file from one run, as the workflow does', async () => {
    const body = path.join(repo.root, 'body.md');
    const ran = await run('--at', iso(T), '--cooldown', '90m', '--format', 'json', '--markdown', body, '--write');
    expect(ran.code).toBe(0);
    expect(actions(JSON.parse(ran.stdout) as Json)['ap-south-1']).toBe('enable');
    const md = readFileSync(body, 'utf8');
    expect(md).toContain(
      `Autoscale proposes to **enable** \`ap-south-1\`, from the demand of the users nearest each region, measured up to ${iso(T)}.`,
    );
    // The committed price table lacks some of ap-south-1's prices, and no budget is set: enabled, at least
    // its priced parts: 730 h × $0.10 + 6 × 730 h × $0.005 + the HTTPS check option $1 + 1,000 GB × $0.1093.
    expect(md).toMatch(/\| `ap-south-1` \| disabled \| \*\*enable\*\* \|.*\| at least \+\$205\.20 a month \| demand stayed above/);
    expect(readFileSync(path.join(repo.root, 'regions/scalable.yaml'), 'utf8')).toMatch(/region: ap-south-1\n {4}enabled: true/);
    repo.git('checkout', '--', 'regions/scalable.yaml');
  });

  it('changes nothing and says so when Prometheus has no counts', async () => {
    const ran = await run('--at', iso(T - 30 * 86400), '--cooldown', '90m', '--format', 'json');
    const json = JSON.parse(ran.stdout) as Json;
    expect(new Set(json.decisions.map((d) => d.action))).toEqual(new Set(['keep']));
    expect(json.decisions.find((d) => d.region === 'eu-west-1')?.reason).toBe('no demand data in the last 60 min');
  });

  it('refuses a bad --at or --cooldown as a usage error', async () => {
    expect((await run('--at', 'yesterday')).code).toBe(2);
    const ran = await run('--cooldown', '6 hours');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--cooldown takes minutes, hours or days (90m, 6h, 2d), not "6 hours"');
  });
});
