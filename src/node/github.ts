// The pull-request comment on GitHub: one per pull request, found by its marker, updated in place.
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit as RestOctokit } from '@octokit/rest';
import { COMMENT_LIMIT, COMMENT_MARKER } from '../core/comment.js';

/**
 * Octokit with GitHub's own plugins for what a busy repository meets: plugin-throttling waits out a
 * primary or secondary rate limit (GitHub's `retry-after`) instead of failing the comment, and
 * plugin-retry retries server errors. A limit hit more than `RATE_LIMIT_RETRIES` times fails.
 */
const Octokit = RestOctokit.plugin(retry, throttling);
export type Octokit = InstanceType<typeof Octokit>;

export const RATE_LIMIT_RETRIES = 3;
/** A limit that resets later than this is not waited out: the job would time out first. */
export const LONGEST_WAIT_SECONDS = 300;

export function octokit(token: string, baseUrl = process.env['GITHUB_API_URL'] ?? 'https://api.github.com'): Octokit {
  const wait =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, client: { log: { warn: (m: string) => void } }, retryCount: number) => {
      if (retryCount >= RATE_LIMIT_RETRIES || retryAfter > LONGEST_WAIT_SECONDS) return false;
      client.log.warn(`GitHub's ${kind} rate limit on ${options.method} ${options.url}: retrying in ${retryAfter} s`);
      return true;
    };
  return new Octokit({
    auth: token,
    baseUrl,
    userAgent: 'kubecdn',
    throttle: { onRateLimit: wait('primary'), onSecondaryRateLimit: wait('secondary') },
    // Rate limits are the throttling plugin's alone: plugin-retry would otherwise start a second round on a 429.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  });
}

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

export interface Upserted {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
}

/** Who writes a comment with the workflow's own token (GITHUB_TOKEN): GitHub Actions' bot. */
export const ACTIONS_BOT = 'github-actions[bot]';

/**
 * Creates the comment, or updates the one that starts with the marker and was written by `author`,
 * the bot whose token the workflow posts with. Only a body that starts with the marker counts (a
 * person quoting the comment does not become its owner), and only a bot's comment: anyone can write
 * the marker, and a comment someone else wrote is left as it is. Paging goes through every comment,
 * since a long review can push ours past the first page.
 */
export async function upsertComment(client: Octokit, target: CommentTarget, body: string, author = ACTIONS_BOT): Promise<Upserted> {
  if (!body.startsWith(COMMENT_MARKER)) throw new Error('a kubeCDN comment starts with its marker');
  if (body.length > COMMENT_LIMIT) throw new Error(`the comment is ${body.length} characters; GitHub takes at most ${COMMENT_LIMIT}`);
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber };
  const existing = await findComment(client, target, author);
  if (!existing) {
    const created = await client.rest.issues.createComment({ ...params, body });
    return { action: 'created', id: created.data.id, url: created.data.html_url };
  }
  if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.html_url };
  const updated = await client.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
  return { action: 'updated', id: updated.data.id, url: updated.data.html_url };
}

/**
 * The plan comment `author` wrote on the pull request, if any, by the rules of upsertComment: a
 * bot's comment whose body starts with the marker, looked for through every page.
 */
export async function findComment(
  client: Octokit,
  target: CommentTarget,
  author = ACTIONS_BOT,
): Promise<{ id: number; body?: string; html_url: string } | undefined> {
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 };
  for await (const page of client.paginate.iterator(client.rest.issues.listComments, params)) {
    const found = page.data.find((c) => c.user?.login === author && c.user.type === 'Bot' && c.body?.startsWith(COMMENT_MARKER));
    if (found) return found;
  }
  return undefined;
}

/**
 * The pull request, checked to be the one a workflow run was for: its head is that commit, in that
 * repository. What a fork's run saved says which pull request it was; this makes sure it cannot
 * say another.
 */
export async function pullRequestOfRun(client: Octokit, target: CommentTarget, headSha: string, headRepository: string): Promise<number> {
  const { data } = await client.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.issueNumber });
  // A deleted fork leaves head.repo null, whatever the types say.
  const head = data.head as { sha: string; repo: { full_name: string } | null };
  if (head.sha !== headSha || head.repo?.full_name !== headRepository)
    throw new Error(
      `pull request #${String(target.issueNumber)} is at ${head.repo?.full_name ?? 'a deleted repository'}@${head.sha}, not ${headRepository}@${headSha}: not posting`,
    );
  return data.number;
}
