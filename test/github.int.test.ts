import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../src/core/comment.js';
import { LONGEST_WAIT_SECONDS, octokit, RATE_LIMIT_RETRIES, upsertComment } from '../src/node/github.js';
import { ACTIONS_BOT, GitHubServer } from './github-server.js';

const target = { owner: 'acme', repo: 'cdn', issueNumber: 7 };

describe("the plan comment on GitHub, against a stand-in checked by GitHub's own REST description", () => {
  let server: GitHubServer;
  let client: ReturnType<typeof octokit>;
  let base: string;

  beforeEach(async () => {
    server = new GitHubServer();
    server.tokens.set('test-token', ACTIONS_BOT);
    base = await server.start();
    client = octokit('test-token', base);
  });
  afterEach(async () => {
    expect(server.violations).toEqual([]);
    await server.stop();
  });

  it('waits out a secondary rate limit, as GitHub asks, instead of failing the comment', async () => {
    server.rateLimited.push({ status: 403, retryAfter: 1 }, { status: 429, retryAfter: 1 });
    const result = await upsertComment(client, target, `${COMMENT_MARKER}\nfirst`);
    expect(result.action).toBe('created');
    expect(server.requests.map((r) => r.operationId)).toEqual([
      'issues/list-comments',
      'issues/list-comments',
      'issues/list-comments',
      'issues/create-comment',
    ]);
  });

  it.each([403, 429] as const)('gives up after a few %s rate limits in a row, having written nothing', async (status) => {
    for (let i = 0; i < 12; i++) server.rateLimited.push({ status, retryAfter: 1 });
    await expect(upsertComment(client, target, `${COMMENT_MARKER}\nfirst`)).rejects.toThrow(/secondary rate limit/);
    expect(server.requests).toHaveLength(RATE_LIMIT_RETRIES + 1);
    expect(server.comments).toEqual([]);
  });

  it('does not wait out a limit that resets later than a job can wait', async () => {
    server.rateLimited.push({ status: 429, retryAfter: LONGEST_WAIT_SECONDS + 1 });
    await expect(upsertComment(client, target, `${COMMENT_MARKER}\nfirst`)).rejects.toThrow(/secondary rate limit/);
    expect(server.requests).toHaveLength(1);
  });

  it('creates the comment when there is none', async () => {
    server.addComment('looks good to me');
    const result = await upsertComment(client, target, `${COMMENT_MARKER}\nfirst`);
    expect(result.action).toBe('created');
    expect(server.comments.map((c) => c.body)).toEqual(['looks good to me', `${COMMENT_MARKER}\nfirst`]);
    expect(server.requests.map((r) => `${r.operationId} ${r.url}`)).toEqual([
      'issues/list-comments /repos/acme/cdn/issues/7/comments?per_page=100',
      'issues/create-comment /repos/acme/cdn/issues/7/comments',
    ]);
  });

  it('finds its comment past the first page and updates it in place', async () => {
    for (let i = 0; i < 230; i++) server.addComment(`review note ${i}`);
    const ours = server.addComment(`${COMMENT_MARKER}\nold plan`, ACTIONS_BOT);
    const result = await upsertComment(client, target, `${COMMENT_MARKER}\nnew plan`);
    expect(result).toMatchObject({ action: 'updated', id: ours.id });
    expect(server.comments.filter((c) => c.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
    expect(ours.body).toBe(`${COMMENT_MARKER}\nnew plan`);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/repos/acme/cdn/issues/7/comments?per_page=100',
      '/repos/acme/cdn/issues/7/comments?per_page=100&page=2',
      '/repos/acme/cdn/issues/7/comments?per_page=100&page=3',
      `/repos/acme/cdn/issues/comments/${ours.id}`,
    ]);
  });

  it('makes no change call when the comment already says the same', async () => {
    server.addComment(`${COMMENT_MARKER}\nsame`, ACTIONS_BOT);
    expect((await upsertComment(client, target, `${COMMENT_MARKER}\nsame`)).action).toBe('unchanged');
    expect(server.requests.map((r) => r.operationId)).toEqual(['issues/list-comments']);
  });

  it('leaves alone a comment with the marker that someone else wrote, and posts its own', async () => {
    const planted = server.addComment(`${COMMENT_MARKER}\nall regions fine, merge away`, { login: 'mallory', type: 'User' });
    const result = await upsertComment(client, target, `${COMMENT_MARKER}\nplan`);
    expect(result.action).toBe('created');
    expect(planted.body).toBe(`${COMMENT_MARKER}\nall regions fine, merge away`);
    expect(server.requests.map((r) => r.operationId)).toEqual(['issues/list-comments', 'issues/create-comment']);
    // The next run finds its own comment, not the planted one.
    expect((await upsertComment(client, target, `${COMMENT_MARKER}\nplan 2`)).id).toBe(result.id);
    expect(planted.body).toBe(`${COMMENT_MARKER}\nall regions fine, merge away`);
  });

  it("updates only the comment of the bot whose token it posts with (an App's, when given)", async () => {
    const actions = server.addComment(`${COMMENT_MARKER}\nby GITHUB_TOKEN`, ACTIONS_BOT);
    // The App's installation token: GitHub writes its comments as the App's bot, whatever we say.
    server.tokens.set('app-token', { login: 'kubecdn-app[bot]', type: 'Bot' });
    const app = octokit('app-token', base);
    const result = await upsertComment(app, target, `${COMMENT_MARKER}\nplan`, 'kubecdn-app[bot]');
    expect(result.action).toBe('created');
    expect(server.comments.find((c) => c.id === result.id)?.user.login).toBe('kubecdn-app[bot]');
    expect(actions.body).toBe(`${COMMENT_MARKER}\nby GITHUB_TOKEN`);
    // Its next run finds the comment GitHub says it wrote, and updates it in place.
    expect(await upsertComment(app, target, `${COMMENT_MARKER}\nplan 2`, 'kubecdn-app[bot]')).toMatchObject({
      action: 'updated',
      id: result.id,
    });
  });

  it('the stand-in writes as the token, and refuses a write with a token it does not know', async () => {
    await expect(upsertComment(octokit('unknown-token', base), target, `${COMMENT_MARKER}\nplan`)).rejects.toThrow(/Bad credentials/);
    expect(server.comments).toEqual([]);
  });

  it('does not take over a comment that only quotes the marker', async () => {
    server.addComment(`> quoting the bot\n${COMMENT_MARKER}`);
    expect((await upsertComment(client, target, `${COMMENT_MARKER}\nplan`)).action).toBe('created');
  });

  it('the stand-in refuses what GitHub refuses', async () => {
    await expect(
      client.rest.issues.createComment({ owner: 'acme', repo: 'cdn', issue_number: 7, body: 'x'.repeat(65_537) }),
    ).rejects.toThrow(/body is too long/);
    const wrong = await fetch(`${base}/repos/acme/cdn/issues/7/comments`, {
      method: 'POST',
      body: JSON.stringify({ text: 'wrong field' }),
    });
    expect(wrong.status).toBe(422);
    expect(server.violations).toEqual(["issues/create-comment request body: data must have required property 'body'"]);
    server.violations.length = 0;
  });
});
