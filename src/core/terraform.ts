// What the per-region stack is given, where its state lives, and what its plan means.
import type { Operation } from './changes.js';
import type { Config, Region } from './config.js';

/** The stack's input for one region: written as terraform.tfvars.json, named as the stack names them. */
export function terraformVariables(config: Config, region: Region): Record<string, unknown> {
  const { cluster, edge } = region.spec;
  return {
    region: region.region,
    owner_id: config.cdn.owner_id,
    kubernetes_version: cluster.kubernetes_version,
    availability_zones: cluster.availability_zones,
    node_groups: cluster.node_groups,
    hostnames: config.cdn.hostnames,
    ...(cluster.vpc_cidr ? { vpc_cidr: cluster.vpc_cidr } : {}),
    ...(edge.certificate_arn ? { certificate_arn: edge.certificate_arn } : {}),
  };
}

/** The region's EKS cluster, as the stack names it. */
export function clusterName(ownerId: string, region: string): string {
  return `${ownerId}-${region}`;
}

/** The IAM role of the region's nodes, as the stack names it: the edge's NodeClasses give it. */
export function nodeRoleName(ownerId: string, region: string): string {
  return `${clusterName(ownerId, region)}-node`;
}

export type Backend = 's3' | 'local';

/**
 * The -backend-config argument that gives a region its own state. With s3 the key carries the
 * owner id, so two kubeCDNs can share a bucket; a local backend (tests) keeps one file per region.
 */
export function stateArgument(backend: Backend, ownerId: string, region: string): string {
  return backend === 's3' ? `key=${ownerId}/${region}/terraform.tfstate` : `path=state/${region}.tfstate`;
}

// ----------------------------------------------------------------------------------------------
// Plan summaries
// ----------------------------------------------------------------------------------------------

/** The part of `terraform show -json PLAN` read here (Terraform's JSON output format, v1). */
export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly variables?: Readonly<Record<string, { readonly value?: unknown }>>;
  readonly configuration?: { readonly root_module?: { readonly variables?: Readonly<Record<string, { readonly sensitive?: boolean }>> } };
  readonly resource_changes?: readonly ResourceChangeJson[];
  readonly resource_drift?: readonly ResourceChangeJson[];
  readonly output_changes?: Readonly<Record<string, ChangeJson>>;
}

interface ChangeJson {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

interface ResourceChangeJson {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: ChangeJson;
}

export type Action = 'create' | 'update' | 'delete' | 'replace';
export const ACTIONS: readonly Action[] = ['create', 'update', 'delete', 'replace'];

export type PlanStatus = 'changes' | 'no-changes' | 'failed';

export interface PlanSummary {
  readonly region: string;
  readonly operation: Operation;
  readonly reason: string;
  /** Whether the region gets DNS traffic after the change. */
  readonly serving: boolean;
  readonly status: PlanStatus;
  readonly counts: Readonly<Record<Action, number>>;
  /** Resource addresses under each action. */
  readonly resources: Readonly<Record<Action, readonly string[]>>;
  /** Resources whose loss takes the region's traffic down, and that the plan deletes or replaces. */
  readonly critical: readonly { readonly address: string; readonly action: 'delete' | 'replace' }[];
  /** Changes made outside Terraform since the last apply. */
  readonly drift: readonly { readonly address: string; readonly actions: readonly string[] }[];
  /** `terraform show` of the plan: Terraform masks sensitive values there. */
  readonly planText: string;
  /** Which step failed and what Terraform said, for a failed plan. */
  readonly error?: { readonly step: string; readonly message: string };
  readonly terraformVersion?: string;
}

/**
 * Resource types whose deletion or replacement cuts a region's traffic until DNS fails over: the
 * cluster and the network under it (terraform/main.tf), and the node groups and load balancers a
 * stack of another shape may hold.
 */
export const TRAFFIC_CRITICAL: readonly string[] = [
  'aws_eks_cluster',
  'aws_vpc',
  'aws_subnet',
  'aws_internet_gateway',
  'aws_nat_gateway',
  'aws_route_table',
  'aws_eks_node_group',
  'aws_lb',
];

/** Whether a resource is named by `critical`: its type, its address, or its address without an index. */
export function isCritical(critical: ReadonlySet<string>, type: string, address: string): boolean {
  return critical.has(type) || critical.has(address) || critical.has(address.replace(/\[[^\]]*\]$/, ''));
}

export interface SummaryContext {
  readonly region: string;
  readonly operation: Operation;
  readonly reason: string;
  readonly serving: boolean;
  /** Resource types or addresses that carry traffic; default TRAFFIC_CRITICAL. */
  readonly critical?: readonly string[];
}

export function actionOf(actions: readonly string[]): Action | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.length === 1) {
    const [only] = actions;
    if (only === 'create' || only === 'update' || only === 'delete') return only;
  }
  return undefined;
}

// ----------------------------------------------------------------------------------------------
// Sensitive values
// ----------------------------------------------------------------------------------------------

export const MASK = '(sensitive value)';

/** Shorter values are not masked: they would blank out ordinary words and numbers in the text. */
const MIN_MASKED_LENGTH = 4;

/**
 * Every value the plan marks sensitive: sensitive input variables and the sensitive leaves of each
 * change. Terraform masks these in `show`, but not everywhere: a value copied into another
 * attribute (terraform_data's output, for one) can lose its mark in state and print in clear.
 */
export function sensitiveValues(plan: PlanJson): string[] {
  const found = new Set<string>();
  const collect = (value: unknown, mask: unknown) => {
    if (mask === true) {
      leaves(value, (leaf) => found.add(leaf));
    } else if (mask && typeof mask === 'object' && value && typeof value === 'object') {
      for (const [key, sub] of Object.entries(mask)) collect((value as Record<string, unknown>)[key], sub);
    }
  };
  for (const [name, variable] of Object.entries(plan.configuration?.root_module?.variables ?? {})) {
    if (variable.sensitive) collect(plan.variables?.[name]?.value, true);
  }
  const changes = [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])].map((rc) => rc.change);
  for (const change of [...changes, ...Object.values(plan.output_changes ?? {})]) {
    collect(change.before, change.before_sensitive);
    collect(change.after, change.after_sensitive);
  }
  return [...found].filter((v) => v.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
}

function leaves(value: unknown, add: (leaf: string) => void): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    for (const v of Object.values(value)) leaves(v, add);
  } else if (typeof value === 'string' || typeof value === 'number') {
    add(String(value));
  }
}

/** `text` with every occurrence of a sensitive value replaced by the mask, longest first. */
export function maskSensitive(text: string, values: readonly string[]): string {
  return values.reduce((out, value) => out.split(value).join(MASK), text);
}

export function summarizePlan(plan: PlanJson, planText: string, context: SummaryContext): PlanSummary {
  const resources: Record<Action, string[]> = { create: [], update: [], delete: [], replace: [] };
  const critical: { address: string; action: 'delete' | 'replace' }[] = [];
  const criticalSet = new Set(context.critical ?? TRAFFIC_CRITICAL);
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    resources[action].push(rc.address);
    if ((action === 'delete' || action === 'replace') && isCritical(criticalSet, rc.type, rc.address))
      critical.push({ address: rc.address, action });
  }
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, resources[a].length])) as Record<Action, number>;
  const total = ACTIONS.reduce((n, a) => n + counts[a], 0);
  return {
    region: context.region,
    operation: context.operation,
    reason: context.reason,
    serving: context.serving,
    status: total > 0 ? 'changes' : 'no-changes',
    counts,
    resources,
    critical,
    drift: (plan.resource_drift ?? []).map((d) => ({ address: d.address, actions: d.change.actions })),
    planText: maskSensitive(planText, sensitiveValues(plan)),
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
  };
}

export function failedSummary(context: SummaryContext, step: string, message: string, planText = ''): PlanSummary {
  return {
    region: context.region,
    operation: context.operation,
    reason: context.reason,
    serving: context.serving,
    status: 'failed',
    counts: { create: 0, update: 0, delete: 0, replace: 0 },
    resources: { create: [], update: [], delete: [], replace: [] },
    critical: [],
    drift: [],
    planText,
    error: { step, message },
  };
}
