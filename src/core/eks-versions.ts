// Amazon EKS's Kubernetes release calendar: standard support lasts 14 months from the EKS release,
// extended support (billed extra per cluster hour) 12 months more, after which EKS upgrades the
// cluster by itself. Source: docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html.
// When EKS publishes a version, add a row here; validation refuses versions it does not know.

export interface EksVersion {
  readonly version: string;
  readonly released: string;
  readonly endOfStandardSupport: string;
  readonly endOfExtendedSupport: string;
}

export const EKS_VERSIONS: readonly EksVersion[] = [
  { version: '1.31', released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  { version: '1.32', released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  { version: '1.33', released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  { version: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  { version: '1.35', released: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
];

export type SupportStatus =
  | { readonly kind: 'standard'; readonly entry: EksVersion }
  | { readonly kind: 'extended'; readonly entry: EksVersion }
  | { readonly kind: 'ended'; readonly entry: EksVersion }
  | { readonly kind: 'unknown' };

/** Where `version` stands on `today` (an ISO date, YYYY-MM-DD). */
export function eksSupport(version: string, today: string): SupportStatus {
  const entry = EKS_VERSIONS.find((v) => v.version === version);
  if (!entry) return { kind: 'unknown' };
  if (today < entry.endOfStandardSupport) return { kind: 'standard', entry };
  if (today < entry.endOfExtendedSupport) return { kind: 'extended', entry };
  return { kind: 'ended', entry };
}

/** Versions under standard support on `today`, oldest first. */
export function standardVersions(today: string): string[] {
  return EKS_VERSIONS.filter((v) => v.released <= today && today < v.endOfStandardSupport).map((v) => v.version);
}
