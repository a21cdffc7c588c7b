// The load-balancer targets file: region -> { dnsName, hostedZoneId }, as the per-region Terraform
// outputs give them. Checked like the region files, with positions for every problem.
import { Ajv } from 'ajv';
import type { Problem } from '../problems.js';
import { parseSource, type SourceFile } from '../source.js';
import type { Target } from './desired.js';

const targetsSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['dnsName', 'hostedZoneId'],
    properties: {
      dnsName: { type: 'string', minLength: 1, maxLength: 253 },
      hostedZoneId: { type: 'string', pattern: '^Z[A-Z0-9]{1,31}$' },
    },
  },
} as const;

let validate: ReturnType<Ajv['compile']> | undefined;

export function loadTargets(source: SourceFile): { targets?: Record<string, Target>; problems: Problem[] } {
  const parsed = parseSource(source);
  if (!parsed.file) return { problems: parsed.problems };
  validate ??= new Ajv({ allErrors: true, strict: true }).compile(targetsSchema);
  const data = parsed.file.data ?? {};
  if (validate(data)) return { targets: data as Record<string, Target>, problems: parsed.problems };
  const file = parsed.file;
  const problems = (validate.errors ?? []).map((e): Problem => {
    const path = e.instancePath.split('/').slice(1);
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    return {
      file: source.path,
      ...file.locate(path, e.keyword === 'required'),
      rule: `targets/${e.keyword}`,
      severity: 'error',
      message: `${path.join('.') || 'targets'}: ${missing ? `missing "${missing}"` : (e.message ?? 'is not valid')}`,
      hint: 'each region maps to { "dnsName": ..., "hostedZoneId": ... }, as kubecdn targets prints it from the edge Service',
    };
  });
  return { problems: [...parsed.problems, ...problems] };
}
