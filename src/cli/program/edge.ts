// kubecdn manifests, prune, targets and geo: what each region's edge runs, what it no longer runs,
// where its load balancer is, and the map that tells it which region is nearest a client.
import type { Command } from '@commander-js/extra-typings';
import { PRUNABLE_RESOURCES } from '../../core/edge/prune.js';
import { manifests, prune, targets } from '../edge.js';
import { geo, GEO_FILE } from '../geo.js';
import { dirOption, type OptionsOf, type Run } from './options.js';

const defineManifests = (command: Command) =>
  command
    .description(
      "Render a region's final edge manifests (kustomize) and check every object against the Kubernetes schemas.\nPrints the YAML kubectl would apply; exit 1 if an object breaks its schema.",
    )
    .requiredOption('--region <region>', 'AWS region code')
    .option('--manifests <dir>', 'the manifests folder (base/, components/, regions/<region>/)', 'manifests')
    .option('--certificate-arn <arn>', "the load balancer's certificate; default: the stack's, from the region's last kubecdn tf apply")
    .option(
      '--metrics-workspace-arn <arn>',
      "the Prometheus workspace the region's metrics agent writes demand to; default: the stack's, from its last kubecdn tf apply (none: no agent)",
    )
    .option('--out <dir>', "where kubecdn tf apply wrote the region's outputs", '.kubecdn/plans')
    .addOption(dirOption());

const definePrune = (command: Command) =>
  command
    .description(
      "Print the objects a region's edge no longer renders, one resource/name a line,\n" +
        'for kubectl delete: only live objects labelled\n' +
        'app.kubernetes.io/part-of=kubecdn, of the kinds the edge is made of, in the\n' +
        'kubecdn namespace or cluster-scoped (NodePool, NodeClass); never the\n' +
        'namespace, never an unlabelled object.',
    )
    .requiredOption('--rendered <file>', 'the edge as kubecdn manifests printed it (YAML), or - for standard input')
    .requiredOption('--live <file>', 'the live objects as kubectl get ... -o json printed them, or - for standard input')
    // Not wrapped by commander, so that the commands can be copied as they are.
    .addHelpText(
      'after',
      [
        '',
        'After the server-side apply of edge.yaml:',
        `  kubectl get ${PRUNABLE_RESOURCES} \\`,
        '    -n kubecdn -l app.kubernetes.io/part-of=kubecdn -o json > live.json',
        '  kubecdn prune --rendered edge.yaml --live live.json > prune.txt',
        '  xargs -r kubectl delete -n kubecdn --ignore-not-found --wait=false < prune.txt',
        '(kubectl ignores -n for the cluster-scoped NodePools and NodeClasses.)',
      ].join('\n'),
    );

const defineTargets = (command: Command) =>
  command
    .description(
      "Print a region's load-balancer target for sync-dns, from its edge Service once the load balancer exists:\n" +
        '  kubectl get service edge -n kubecdn -o json | kubecdn targets --region R --service -',
    )
    .requiredOption('--region <region>', 'the region the Service runs in (checked against its load balancer)')
    .requiredOption('--service <file>', 'the Service as JSON, or - for standard input')
    .option('--hosted-zone-id <id>', "the load balancer's canonical hosted zone, for a region kubeCDN has no table entry for");

const defineGeo = (command: Command) =>
  command
    .description(
      "Write the nginx geo map that labels each request with the region nearest its client's address, among every\n" +
        'region of the region files, coarsened to fit a ConfigMap. --check exits 1 when the committed map is stale.',
    )
    .option('--out <file>', 'where the map goes', GEO_FILE)
    .option('--check', 'compare with the file instead of writing it', false)
    .option('--budget <bytes>', 'largest map, in bytes (a ConfigMap holds at most 1 MiB)')
    .addOption(dirOption());

export type ManifestsOptions = OptionsOf<typeof defineManifests>;
export type PruneOptions = OptionsOf<typeof definePrune>;
export type TargetsOptions = OptionsOf<typeof defineTargets>;
export type GeoOptions = OptionsOf<typeof defineGeo>;

export function edgeCommands(cli: Command, run: Run): void {
  defineManifests(cli.command('manifests')).action(run(manifests));
  definePrune(cli.command('prune')).action(run(prune));
  defineTargets(cli.command('targets')).action(run(targets));
  defineGeo(cli.command('geo')).action(run(geo));
}
