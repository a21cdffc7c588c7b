// A local stand-in for GitHub's REST API that checks every request against GitHub's published
// description (test/contracts/github-rest.json, taken from @octokit/openapi), keeps issue
// comments in memory, writes each as the identity of the token that wrote it (set by the test, as
// GitHub knows it from the token), and pages lists with Link headers as GitHub does. Our own responses are
// checked against the same description, so the stand-in cannot drift from the real shapes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: object;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody: { required: boolean; schema: object } | null;
  responses: Record<string, object | null>;
}

const contract = JSON.parse(readFileSync(path.join(import.meta.dirname, 'contracts/github-rest.json'), 'utf8')) as {
  operations: Record<string, Operation>;
};

/** GitHub refuses longer comment bodies ("body is too long (maximum is 65536 characters)"). */
const BODY_LIMIT = 65_536;

/** Who a comment is by: a login, and whether GitHub says it is a user or a bot. */
export interface Identity {
  login: string;
  type: 'User' | 'Bot';
}

/** The identity GitHub gives a workflow's own GITHUB_TOKEN. */
export const ACTIONS_BOT: Identity = { login: 'github-actions[bot]', type: 'Bot' };

export interface Comment {
  id: number;
  body: string;
  user: Identity;
}

export interface Recorded {
  operationId: string;
  method: string;
  url: string;
  body: unknown;
}

/** A pull request as the stand-in serves it: what step post checks of it. */
export interface PullRequest {
  number: number;
  headSha: string;
  /** owner/name of the head repository; null for a deleted fork. */
  headRepository: string | null;
}

export class GitHubServer {
  readonly comments: Comment[] = [];
  readonly pullRequests: PullRequest[] = [];
  readonly requests: Recorded[] = [];
  /** Contract violations found in our client's requests: a test expects none. */
  readonly violations: string[] = [];
  /**
   * Rate-limit answers to give before serving, one per request, as GitHub's REST documentation
   * ("Rate limits for the REST API") describes a secondary limit: 403 or 429, a `retry-after` header
   * in seconds, and a message naming the secondary rate limit.
   */
  readonly rateLimited: { status: 403 | 429; retryAfter: number }[] = [];
  /**
   * Whom each token authenticates as, set by the test, as GitHub knows it from the token: a comment
   * is written by the identity of the token that wrote it (an App's installation token writes as
   * `<slug>[bot]`, GITHUB_TOKEN as github-actions[bot]). A write with a token not listed here is
   * refused as GitHub refuses bad credentials.
   */
  readonly tokens = new Map<string, Identity>();
  private server: Server | undefined;
  private nextId = 1000;
  private readonly ajv = addFormats.default(new Ajv({ strict: false, allErrors: true, coerceTypes: false }));
  private readonly validators = new Map<object, ValidateFunction>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  addComment(body: string, user: Identity = { login: 'someone', type: 'User' }): Comment {
    const comment = { id: this.nextId++, body, user };
    this.comments.push(comment);
    return comment;
  }

  private validator(schema: object): ValidateFunction {
    let v = this.validators.get(schema);
    if (!v) {
      v = this.ajv.compile(schema);
      this.validators.set(schema, v);
    }
    return v;
  }

  private check(where: string, schema: object, value: unknown): boolean {
    const validate = this.validator(schema);
    if (validate(value)) return true;
    this.violations.push(`${where}: ${this.ajv.errorsText(validate.errors)}`);
    return false;
  }

  private match(method: string, pathname: string): { id: string; op: Operation; params: Record<string, string> } | undefined {
    for (const [id, op] of Object.entries(contract.operations)) {
      if (op.method !== method) continue;
      const names: string[] = [];
      const pattern = new RegExp(`^${op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
      const m = pattern.exec(pathname);
      if (m) return { id, op, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])) };
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const found = this.match(req.method ?? 'GET', url.pathname);
    if (!found) {
      this.violations.push(`${req.method ?? ''} ${url.pathname}: no such operation in GitHub's description`);
      this.send(res, 404, { message: 'Not Found' });
      return;
    }
    const { id, op, params } = found;
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    this.requests.push({ operationId: id, method: op.method, url: `${url.pathname}${url.search}`, body });
    const limited = this.rateLimited.shift();
    if (limited) {
      res.writeHead(limited.status, { 'content-type': 'application/json', 'retry-after': String(limited.retryAfter) });
      res.end(
        JSON.stringify({
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        }),
      );
      return;
    }
    // Parameters, typed as the description types them.
    for (const p of op.parameters) {
      const value =
        p.in === 'path'
          ? params[p.name]
          : p.in === 'query'
            ? (url.searchParams.get(p.name) ?? undefined)
            : req.headers[p.name.toLowerCase()];
      if (value === undefined) {
        if (p.required) this.violations.push(`${id}: missing required ${p.in} parameter ${p.name}`);
        continue;
      }
      const typed = (p.schema as { type?: string }).type === 'integer' && /^-?\d+$/.test(String(value)) ? Number(value) : value;
      this.check(`${id} ${p.in} parameter ${p.name}`, p.schema, typed);
    }
    for (const name of url.searchParams.keys()) {
      if (!op.parameters.some((p) => p.in === 'query' && p.name === name)) this.violations.push(`${id}: unknown query parameter ${name}`);
    }
    if (op.requestBody) {
      if (body === undefined && op.requestBody.required) this.violations.push(`${id}: missing request body`);
      else if (body !== undefined && !this.check(`${id} request body`, op.requestBody.schema, body)) {
        this.send(res, 422, { message: 'Validation Failed' });
        return;
      }
    }
    const text = (body as { body?: string } | undefined)?.body;
    if (text !== undefined && text.length > BODY_LIMIT) {
      this.send(res, 422, {
        message: 'Validation Failed',
        errors: [
          { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${BODY_LIMIT} characters)` },
        ],
      });
      return;
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    this.respond(id, op, params, url, body as { body: string } | undefined, res, token ? this.tokens.get(token) : undefined);
  }

  private respond(
    id: string,
    op: Operation,
    params: Record<string, string>,
    url: URL,
    body: { body: string } | undefined,
    res: ServerResponse,
    identity: Identity | undefined,
  ): void {
    const badCredentials = () => this.send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const base = `http://${url.host}`;
    switch (id) {
      case 'issues/list-comments': {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const pages = Math.max(1, Math.ceil(this.comments.length / perPage));
        const items = this.comments.slice((page - 1) * perPage, page * perPage).map((c) => this.render(c, params, base));
        const link = (p: number, rel: string) => `<${base}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const links = [
          ...(page < pages ? [link(page + 1, 'next'), link(pages, 'last')] : []),
          ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
        ];
        this.reply(op, '200', res, items, links.length ? { link: links.join(', ') } : {});
        return;
      }
      case 'issues/create-comment': {
        if (!identity) {
          badCredentials();
          return;
        }
        const comment = this.addComment(body?.body ?? '', identity);
        this.reply(op, '201', res, this.render(comment, params, base));
        return;
      }
      case 'issues/update-comment': {
        if (!identity) {
          badCredentials();
          return;
        }
        const comment = this.comments.find((c) => c.id === Number(params['comment_id']));
        if (!comment) {
          this.send(res, 404, { message: 'Not Found' });
          return;
        }
        comment.body = body?.body ?? '';
        this.reply(op, '200', res, this.render(comment, params, base));
        return;
      }
      case 'pulls/get': {
        const pr = this.pullRequests.find((p) => p.number === Number(params['pull_number']));
        if (!pr) {
          this.send(res, 404, { message: 'Not Found' });
          return;
        }
        const schema = op.responses['200'] ?? {};
        const data = minimalInstance(schema) as { number: number; head: { sha: string; repo: unknown } };
        data.number = pr.number;
        data.head.sha = pr.headSha;
        data.head.repo =
          pr.headRepository === null ? null : { ...(minimalInstance(repositorySchema(schema)) as object), full_name: pr.headRepository };
        this.reply(op, '200', res, data);
        return;
      }
      default:
        this.send(res, 501, { message: `${id} is in the contract but not served by the stand-in` });
        return;
    }
  }

  private render(c: Comment, params: Record<string, string>, base: string): object {
    const repo = `${params['owner'] ?? 'o'}/${params['repo'] ?? 'r'}`;
    const at = '2026-11-25T00:00:00Z';
    const login = encodeURIComponent(c.user.login);
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${base}/repos/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${repo}/pull/1#issuecomment-${c.id}`,
      body: c.body,
      user: {
        login: c.user.login,
        id: 1,
        node_id: 'U_1',
        avatar_url: 'https://example.com/a.png',
        gravatar_id: null,
        url: `${base}/users/${login}`,
        html_url: `https://github.com/${login}`,
        followers_url: `${base}/f`,
        following_url: `${base}/f`,
        gists_url: `${base}/g`,
        starred_url: `${base}/s`,
        subscriptions_url: `${base}/s`,
        organizations_url: `${base}/o`,
        repos_url: `${base}/r`,
        events_url: `${base}/e`,
        received_events_url: `${base}/e`,
        type: c.user.type,
        site_admin: false,
      },
      created_at: at,
      updated_at: at,
      issue_url: `${base}/repos/${repo}/issues/1`,
      author_association: 'NONE',
    };
  }

  private reply(op: Operation, status: string, res: ServerResponse, payload: unknown, headers: Record<string, string> = {}): void {
    const schema = op.responses[status];
    if (schema) this.check(`stand-in's own ${op.method} ${op.path} ${status} response`, schema, payload);
    this.send(res, Number(status), payload, headers);
  }

  private send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(payload));
  }
}

/** The head repository's schema inside a pull request's. */
function repositorySchema(pullRequest: object): object {
  const props = (pullRequest as { properties: { head: { properties: { repo: object } } } }).properties.head.properties.repo;
  const options = (props as { anyOf?: object[]; oneOf?: object[] }).anyOf ?? (props as { oneOf?: object[] }).oneOf;
  return options?.find((o) => (o as { type?: unknown }).type !== 'null') ?? props;
}

/**
 * The smallest value GitHub's description allows for a schema: every required property, each the
 * simplest of its type. Responses too large to write by hand (a pull request has hundreds of
 * required fields) are built this way, then checked against the description like any other.
 */
export function minimalInstance(schema: unknown): unknown {
  const s = schema as {
    type?: string | string[];
    enum?: unknown[];
    format?: string;
    properties?: Record<string, unknown>;
    required?: string[];
    anyOf?: unknown[];
    oneOf?: unknown[];
    allOf?: unknown[];
    minimum?: number;
  };
  if (s.enum?.length) return s.enum[0];
  const options = s.anyOf ?? s.oneOf;
  if (options?.length) return minimalInstance(options.find((o) => (o as { type?: unknown }).type !== 'null') ?? options[0]);
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((part) => minimalInstance(part) as object)) as object;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const type: string = types.find((t) => t !== 'null') ?? (s.properties ? 'object' : (types[0] ?? 'object'));
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((key) => [key, minimalInstance(s.properties?.[key] ?? {})]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      return s.format === 'date-time'
        ? '2026-11-25T00:00:00Z'
        : s.format === 'uri'
          ? 'https://example.com/'
          : s.format === 'email'
            ? 'a@example.com'
            : 'x';
    case 'null':
      return null;
    default:
      return {};
  }
}
