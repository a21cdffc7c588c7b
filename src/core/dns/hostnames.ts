// Hostnames as Route53 takes them. Those in cdn.yaml pass the schema and the in-zone rule; those
// given on the command line or as the action's input, and the zone the sync really writes to, are
// checked here, before any change.
import { ownershipName } from './records.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Problems with one hostname by itself: characters, label and name lengths. */
export function hostnameProblem(hostname: string): string | undefined {
  const name = hostname.replace(/\.$/, '');
  // Route53 takes names in ASCII only: an internationalised name goes in as punycode (RFC 3492).
  if (!/^[\w.*-]*$/.test(name) && Array.from(name).some((ch) => (ch.codePointAt(0) ?? 0) > 0x7f)) {
    let ascii = '';
    try {
      ascii = new URL(`http://${name}`).hostname;
    } catch {
      ascii = '';
    }
    return `${name} is not ASCII: Route53 takes internationalised names as punycode${ascii ? ` (${ascii})` : ''}`;
  }
  if (name.length > 253) return `${name} is longer than 253 characters`;
  const bad = name.split('.').find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return `${name} is not a hostname: the label "${bad}" must be 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen`;
  if (!name.includes('.')) return `${name} is not a fully qualified hostname`;
  // The ownership record's name is the longest name kubeCDN writes for a hostname.
  const longest = ownershipName(name, 'AAAA').replace(/\.$/, '');
  if (longest.length > 253) return `${name} is too long: its ownership record ${longest} would be over 253 characters`;
  return undefined;
}

/** Problems with the hostnames for a zone: each by itself, and each inside the zone. */
export function hostnameProblems(hostnames: readonly string[], zoneName: string | undefined): string[] {
  const zone = zoneName?.replace(/\.$/, '').toLowerCase();
  return hostnames.flatMap((hostname) => {
    const problem = hostnameProblem(hostname);
    if (problem) return [problem];
    const name = hostname.replace(/\.$/, '');
    if (zone !== undefined && name !== zone && !name.endsWith(`.${zone}`))
      return [`${name} is not inside the zone ${zone}: Route53 keeps a zone's records within its name`];
    return [];
  });
}
