// What stands in the way of writing one of our records, by Route53's rules and by ownership. Each
// rule is one Route53 enforces (ResourceRecordSet in the API reference; RFC 1034 for CNAME) and
// moto does not all enforce, so the planner finds them before any call.
import { routingPolicy, type RecordSet } from './records.js';

export const label = (r: RecordSet): string => `${r.name.replace(/\.$/, '')} ${r.type}${r.setIdentifier ? ` (${r.setIdentifier})` : ''}`;

/**
 * Records of the zone that keep Route53 from creating `want` beside them, other than one at its
 * own identity (which the planner judges by ownership). `ignore` holds keys of records this run
 * deletes first.
 */
export function routeBlockers(want: RecordSet, zone: readonly RecordSet[], ignore: (r: RecordSet) => boolean): string[] {
  const others = zone.filter((r) => !ignore(r) && r.name === want.name);
  const sameKey = (r: RecordSet) => r.type === want.type && (r.setIdentifier ?? '') === (want.setIdentifier ?? '');
  return [
    // "You can't create non-latency resource record sets that have the same values for the Name
    // and Type elements as latency resource record sets."
    ...others
      .filter((r) => r.type === want.type && routingPolicy(r) !== 'latency')
      .map(
        (r) =>
          `${label(r)} is a ${routingPolicy(r)} record: Route53 refuses latency and ${routingPolicy(r)} records of one name and type side by side`,
      ),
    // "You can only create one latency resource record set for each Amazon EC2 Region."
    ...others
      .filter((r) => r.type === want.type && routingPolicy(r) === 'latency' && r.region === want.region && !sameKey(r))
      .map((r) => `${label(r)} already answers for ${want.region ?? ''}: Route53 takes one latency record per region for a name and type`),
    // A CNAME stands alone at its name (RFC 1034 3.6.2), which Route53 enforces.
    ...others.filter((r) => r.type === 'CNAME').map((r) => `${label(r)} is a CNAME: no other record may share its name`),
  ];
}
