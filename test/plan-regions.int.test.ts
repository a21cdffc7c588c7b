import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../src/core/comment.js';
import { runAction } from './action.js';
import { CDN_YAML, region } from './fixtures.js';
import { Repo } from './git-repo.js';
import { ACTIONS_BOT, GitHubServer } from './github-server.js';
import { ROOT } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const SCALABLE = list(region('eu-west-1', { enabled: true, cidr: '10.20.0.0/16' }));

/** A pull request's checkout: main with region files and the fixture stack, and a change on top. */
function pullRequest(change: (repo: Repo) => void) {
  const repo = new Repo().regions({ alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })), scalable: SCALABLE });
  cpSync(path.join(ROOT, 'test/stacks/fixture'), path.join(repo.root, 'terraform'), { recursive: true });
  repo.write('.gitignore', '.kubecdn/\nterraform/state/\n').commit('base');
  const base = repo.git('rev-parse', 'HEAD').trim();
  change(repo);
  repo.commit('change');
  const head = repo.git('rev-parse', 'HEAD').trim();
  return { repo, event: { pull_request: { number: 7, base: { sha: base }, head: { sha: head } } } };
}

/** The GitHub stand-in for a describe block: started before its tests, and no contract violation allowed. */
function gitHubStandIn(): { readonly server: GitHubServer; url: string } {
  const state = { server: new GitHubServer(), url: '' };
  // The tokens the tests post with are GITHUB_TOKENs: GitHub writes as github-actions[bot].
  for (const token of ['test-token', 'write-token']) state.server.tokens.set(token, ACTIONS_BOT);
  beforeAll(async () => {
    state.url = await state.server.start();
  });
  afterAll(async () => {
    expect(state.server.violations).toEqual([]);
    await state.server.stop();
  });
  return state;
}

describe('plan-regions, started as the runner starts it', () => {
  const gh = gitHubStandIn();

  it('step matrix annotates each problem on its line and fails naming the action', async () => {
    const { repo, event } = pullRequest((r) =>
      r.regions({
        alwaysOn: list(region('us-east-1').replace('max_replicas: 8', 'max_replicas: 1')),
        scalable: list(region('eu-west-1', { enabled: true }).replace('instance_types: [c7i.large]', 'instance_type: [c7i.large]')),
      }),
    );
    const ran = await runAction('plan-regions', { workspace: repo.root, inputs: {}, event });
    expect(ran.code).toBe(1);
    expect(ran.commands).toEqual([
      '::error title=kubecdn range/min-max,file=regions/always-on.yaml,line=11,col=21::us-east-1 edge.min_replicas: is 2, above max_replicas (1)%0Amax_replicas is set at regions/always-on.yaml:12:21',
      '::error title=kubecdn schema/required,file=regions/scalable.yaml,line=7,col=11::eu-west-1 cluster.node_groups[0]: missing required key "instance_types"%0AEC2 instance types the pool may use (for example c7i.large).',
      '::error title=kubecdn schema/additionalProperties,file=regions/scalable.yaml,line=8,col=11::eu-west-1 cluster.node_groups[0]: unknown key "instance_type"%0Adid you mean "instance_types"?',
      '::error::plan-regions failed: 3 errors in the region files',
    ]);
    expect(ran.outputs).toMatchObject({ valid: 'false', 'has-changes': 'false', matrix: '{"include":[]}' });
    expect(ran.summary).toContain('❌ 3 errors in the region files.');
  });

  it('step matrix outputs the regions a pull request touches', async () => {
    const { repo, event } = pullRequest((r) =>
      r.regions({
        alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
        scalable: SCALABLE.replace('enabled: true', 'enabled: false'),
      }),
    );
    const ran = await runAction('plan-regions', { workspace: repo.root, inputs: { step: 'matrix' }, event });
    expect(ran.commands).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.outputs).toEqual({
      valid: 'true',
      'serving-regions': '["us-east-1"]',
      matrix: '{"include":[{"region":"eu-west-1","operation":"destroy","reason":"disabled"}]}',
      'has-changes': 'true',
      'has-destroy': 'true',
    });
  });

  it('steps plan and comment: plans each region with terraform, then posts one comment and updates it in place', async () => {
    const { repo, event } = pullRequest((r) =>
      r.regions({
        alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
        scalable: `${SCALABLE}${list(region('sa-east-1', { enabled: true, cidr: '10.40.0.0/16' })).slice('regions:\n'.length)}`,
      }),
    );
    const matrix = await runAction('plan-regions', { workspace: repo.root, inputs: {}, event });
    expect(JSON.parse(matrix.outputs['matrix'] ?? '')).toEqual({
      include: [{ region: 'sa-east-1', operation: 'plan', reason: 'added' }],
    });

    // One job per matrix entry; sa-east-1 fails on purpose (the fixture refuses it), us-east-1 plans.
    const failed = await runAction('plan-regions', {
      workspace: repo.root,
      inputs: { step: 'plan', region: 'sa-east-1', reason: 'added' },
      event,
    });
    expect(failed.code).toBe(1);
    expect(failed.outputs['status']).toBe('failed');
    expect(failed.commands.at(-1)).toBe('::error::plan-regions failed: terraform plan failed for sa-east-1');
    const planned = await runAction('plan-regions', {
      workspace: repo.root,
      inputs: { step: 'plan', region: 'us-east-1', reason: 'terraform/ changed' },
      event,
    });
    expect(planned.code).toBe(0);
    expect(planned.outputs['status']).toBe('changes');
    expect(planned.summary).toContain('<details><summary><b>us-east-1</b>: 4 to add, 0 to change, 0 to destroy, 0 to replace</summary>');
    expect(readFileSync(path.join(repo.root, '.kubecdn/plans/us-east-1/summary.json'), 'utf8')).toContain('"status": "changes"');

    const comment = () =>
      runAction('plan-regions', {
        workspace: repo.root,
        inputs: {
          step: 'comment',
          'github-token': 'test-token',
          matrix: JSON.stringify({
            include: [
              { region: 'sa-east-1', operation: 'plan', reason: 'added' },
              { region: 'us-east-1', operation: 'plan', reason: 'terraform/ changed' },
              { region: 'eu-west-1', operation: 'plan', reason: 'terraform/ changed' },
            ],
          }),
        },
        event,
        env: { GITHUB_API_URL: gh.url },
      });
    const first = await comment();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const posted = gh.server.comments.filter((c) => c.body.startsWith(COMMENT_MARKER));
    expect(posted).toHaveLength(1);
    const body = posted[0]?.body ?? '';
    expect(body).toContain(`## kubeCDN plan for \`${event.pull_request.head.sha.slice(0, 12)}\``);
    expect(body).toContain('> **2 regions without a plan.**');
    expect(body).toContain('| `us-east-1` US East (N. Virginia) | plan | terraform/ changed | 4 | 0 | 0 | 0 | ✅ planned |');
    expect(body).toContain('| `sa-east-1` South America (São Paulo) | plan | added | – | – | – | – | ❌ failed at plan |');
    expect(body).toContain('| `eu-west-1` Europe (Ireland) | plan | terraform/ changed | – | – | – | – | ⏳ no result |');
    expect(body).toContain('The fixture stack refuses sa-east-1');
    expect(body).toContain(
      'whole plans: the job summaries and the plan artifacts of [run 42](https://github.com/acme/cdn/actions/runs/42)',
    );
    expect(first.summary.startsWith('## kubeCDN plan')).toBe(true);

    // A push that plans again updates the same comment; the same plans change nothing.
    const again = await comment();
    expect(again.stdout).toContain('plan comment unchanged');
    expect(gh.server.comments.filter((c) => c.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
  });
});

describe('plan-regions step matrix, for a pull request with nothing to plan', () => {
  const gh = gitHubStandIn();

  it("says whether the pull request has the bot's plan comment already, for the comment job to update it or not run", async () => {
    const { repo, event } = pullRequest((r) => r.write('README.md', 'docs only\n'));
    const matrix = () =>
      runAction('plan-regions', { workspace: repo.root, inputs: { 'github-token': 'test-token' }, event, env: { GITHUB_API_URL: gh.url } });
    const none = await matrix();
    expect(none.code).toBe(0);
    expect(none.outputs).toMatchObject({ 'has-changes': 'false', valid: 'true', commented: 'false' });
    // Someone else's comment with the marker is not ours to update.
    gh.server.addComment(`${COMMENT_MARKER}\nplanted`, { login: 'mallory', type: 'User' });
    expect((await matrix()).outputs['commented']).toBe('false');
    gh.server.addComment(`${COMMENT_MARKER}\nan older plan`, ACTIONS_BOT);
    expect((await matrix()).outputs['commented']).toBe('true');
    expect(gh.server.requests.map((r) => r.operationId)).toEqual(Array(3).fill('issues/list-comments'));

    // With a change to plan, the comment job runs anyway: nothing is looked up.
    const { repo: changed, event: changing } = pullRequest((r) =>
      r.regions({ scalable: SCALABLE.replace('enabled: true', 'enabled: false') }),
    );
    const planned = await runAction('plan-regions', {
      workspace: changed.root,
      inputs: { 'github-token': 'test-token' },
      event: changing,
      env: { GITHUB_API_URL: gh.url },
    });
    expect(planned.outputs['has-changes']).toBe('true');
    expect(planned.outputs['commented']).toBeUndefined();
    expect(gh.server.requests).toHaveLength(3);
  });

  it('updates that comment to say there is nothing to plan', async () => {
    const { repo, event } = pullRequest((r) => r.write('README.md', 'docs only\n'));
    gh.server.comments.length = 0;
    const older = gh.server.addComment(`${COMMENT_MARKER}\nan older plan`, ACTIONS_BOT);
    const ran = await runAction('plan-regions', {
      workspace: repo.root,
      inputs: { step: 'comment', 'github-token': 'test-token', matrix: '{"include":[]}' },
      event,
      env: { GITHUB_API_URL: gh.url },
    });
    expect(ran.code).toBe(0);
    expect(gh.server.comments).toHaveLength(1);
    expect(older.body).toContain('No region needs a Terraform plan for this change.');
  });
});

describe('plan-regions for a change to the zone', () => {
  const gh = gitHubStandIn();

  it('warns in the comment that the change concerns every region, with the safe procedure, though the matrix carries only regions', async () => {
    const { repo, event } = pullRequest((r) => r.regions({ scalable: SCALABLE, cdn: CDN_YAML.replace('Z0TEST', 'Z0OTHER') }));
    const matrix = await runAction('plan-regions', { workspace: repo.root, inputs: { step: 'matrix' }, event });
    expect(matrix.code).toBe(0);
    expect(matrix.outputs['cdn-wide']).toMatch(/^cdn\.zone_id changed: this concerns every region\./);
    // On the pull request's diff, the warning stands on the line of the setting that changed.
    expect(matrix.commands).toEqual([
      `::warning title=kubecdn CDN-wide change,file=regions/cdn.yaml,line=3,col=3::${matrix.outputs['cdn-wide'] ?? ''}`,
    ]);

    // The comment step as plan.yml starts it: the matrix job's outputs passed on as they are.
    gh.server.comments.length = 0;
    const ran = await runAction('plan-regions', {
      workspace: repo.root,
      inputs: {
        step: 'comment',
        'github-token': 'test-token',
        matrix: matrix.outputs['matrix'] ?? '',
        'cdn-wide': matrix.outputs['cdn-wide'] ?? '',
      },
      event,
      env: { GITHUB_API_URL: gh.url },
    });
    expect(ran.code).toBe(0);
    const [posted] = gh.server.comments;
    expect(posted?.body).toContain('> [!CAUTION]\n> **CDN-wide change.** cdn.zone_id changed: this concerns every region.');
    expect(posted?.body).toContain('Do not merge this as it is: follow "Changing owner_id or the zone" in the README.');
    expect(ran.summary).toContain('**CDN-wide change.** cdn.zone_id changed');
  });
});

describe('plan-regions for a pull request from a fork', () => {
  const gh = gitHubStandIn();

  it("saves the comment in the fork's run, and step post puts it on that pull request only", async () => {
    const { repo, event } = pullRequest((r) =>
      r.regions({
        scalable: list(
          region('eu-west-1', { enabled: true, cidr: '10.20.0.0/16' }),
          region('ap-south-1', { enabled: true, cidr: '10.30.0.0/16' }),
        ),
      }),
    );
    const forkEvent = {
      pull_request: {
        ...event.pull_request,
        head: { ...event.pull_request.head, repo: { full_name: 'someone/cdn' } },
        base: { ...event.pull_request.base, repo: { full_name: 'acme/cdn' } },
      },
    };
    const saved = await runAction('plan-regions', {
      workspace: repo.root,
      inputs: { step: 'comment', 'github-token': 'read-only-token', note: 'cc @acme/platform' },
      event: forkEvent,
      env: { GITHUB_API_URL: gh.url },
    });
    expect(saved.code).toBe(0);
    expect(gh.server.requests).toEqual([]);
    expect(saved.outputs['comment-dir']).toBe(path.join(repo.root, '.kubecdn/comment'));
    expect(readFileSync(path.join(repo.root, '.kubecdn/comment/body.md'), 'utf8')).toContain('comes from a fork');

    // The privileged run, on workflow_run: its own checkout, with the fork's files as an artifact.
    const run = { workflow_run: { head_sha: event.pull_request.head.sha, head_repository: { full_name: 'someone/cdn' } } };
    const post = (eventPayload: object) =>
      runAction('plan-regions', {
        workspace: repo.root,
        inputs: { step: 'post', 'github-token': 'write-token' },
        event: eventPayload,
        env: { GITHUB_API_URL: gh.url, GITHUB_EVENT_NAME: 'workflow_run' },
      });

    // The saved file names pull request 7; while 7 is at another commit, nothing is posted.
    gh.server.pullRequests.push({ number: 7, headSha: 'a'.repeat(40), headRepository: 'someone/cdn' });
    const refused = await post(run);
    expect(refused.code).toBe(1);
    expect(refused.commands.at(-1)).toMatch(/^::error::plan-regions failed: pull request #7 is at someone\/cdn@a{40}, not someone\/cdn@/);
    expect(gh.server.comments).toEqual([]);

    const pr = gh.server.pullRequests[0];
    if (pr) pr.headSha = event.pull_request.head.sha;
    const posted = await post(run);
    expect(posted.stderr).toBe('');
    expect(posted.code).toBe(0);
    expect(gh.server.comments).toHaveLength(1);
    const body = gh.server.comments[0]?.body ?? '';
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('> This pull request comes from a fork, so GitHub gives its runs no cloud credentials');
    expect(body).toContain('cc @\u200bacme/platform');
    expect(body).not.toContain('cc @acme');
    expect(gh.server.requests.map((r) => r.operationId)).toEqual([
      'pulls/get',
      'pulls/get',
      'issues/list-comments',
      'issues/create-comment',
    ]);
  });
});

describe('committed bundles', () => {
  it('are what the bundler builds from the current source', () => {
    const check = spawnSync(process.execPath, ['build.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
