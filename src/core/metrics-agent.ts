// The Prometheus agent a region runs when the CDN has a demand workspace: what it scrapes from the
// edge pods, what it keeps, and where it writes (manifests/components/metrics-agent runs it).
import { stringify } from 'yaml';
import { UsageError } from './problems.js';

/** Amazon Managed Service for Prometheus workspace, as the agent writes to it. */
export interface Workspace {
  readonly arn: string;
  readonly region: string;
  readonly id: string;
  /** POST /workspaces/<id>/api/v1/remote_write, at the workspace Region's endpoint. */
  readonly remoteWriteUrl: string;
}

const WORKSPACE_ARN = /^arn:aws:aps:([a-z]{2,4}(?:-[a-z]+)+-\d):(\d{12}):workspace\/(ws-[0-9a-f-]+)$/;

/** The workspace an ARN names (terraform/metrics.tf's metrics_workspace_arn), with its remote-write URL. */
export function parseWorkspaceArn(arn: string): Workspace {
  const m = WORKSPACE_ARN.exec(arn);
  if (!m?.[1] || !m[3])
    throw new UsageError(`not a Prometheus workspace ARN in the aws partition: ${arn} (arn:aws:aps:REGION:ACCOUNT:workspace/ws-…)`);
  const [, region, , id] = m;
  return { arn, region, id, remoteWriteUrl: `https://aps-workspaces.${region}.amazonaws.com/workspaces/${id}/api/v1/remote_write` };
}

/** The only series the agent sends: the edges' request counts by nearest region. */
export const DEMAND_METRIC = 'kubecdn_requests_total';

const keepDemand = () => [{ source_labels: ['__name__'], regex: DEMAND_METRIC, action: 'keep' }];

/**
 * The agent's prometheus.yml: every edge pod's mtail (container port "metrics") in the edge's
 * namespace, found through the Kubernetes API; only kubecdn_requests_total is kept and sent, with
 * SigV4 (service aps) for the workspace's Region, which may differ from the cluster's.
 */
export function agentConfig(workspace: Workspace, namespace: string): string {
  const config = {
    global: { scrape_interval: '15s' },
    scrape_configs: [
      {
        job_name: 'kubecdn-edge',
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [namespace] } }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
        metric_relabel_configs: keepDemand(),
      },
    ],
    remote_write: [
      {
        url: workspace.remoteWriteUrl,
        sigv4: { region: workspace.region },
        // The agent's own series (up, scrape_*) stay in the cluster too.
        write_relabel_configs: keepDemand(),
      },
    ],
  };
  return `# kubecdn's metrics agent for workspace ${workspace.arn}, rendered by kubecdn manifests.\n${stringify(config)}`;
}
