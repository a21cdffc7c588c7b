// Route53 takes a change as batches of ChangeResourceRecordSets requests, each within the API's
// limits: the plan's units packed in order, a unit (a record with its ownership record) never split.
import type { Change, Unit } from './plan.js';

/**
 * ChangeResourceRecordSets limits (Route53 API reference, ChangeResourceRecordSets, "Limits"): at
 * most 1,000 ResourceRecord elements and 32,000 characters of Value elements a request, UPSERT
 * counting both twice. Alias records carry no ResourceRecord; each is counted as one all the same,
 * so that a batch of aliases stays within the same bound.
 */
export interface BatchLimits {
  readonly elements: number;
  readonly characters: number;
}

export const ROUTE53_LIMITS: BatchLimits = { elements: 1000, characters: 32_000 };

export function changeCost(change: Change): { elements: number; characters: number } {
  const values = change.record.values ?? [];
  const factor = change.action === 'UPSERT' ? 2 : 1;
  return { elements: factor * Math.max(1, values.length), characters: factor * values.reduce((n, v) => n + v.length, 0) };
}

/** Units packed in order into as few batches as the limits allow; a unit is never split. */
export function toBatches(units: readonly Unit[], limits: BatchLimits): Change[][] {
  const batches: Change[][] = [];
  let current: Change[] = [];
  let elements = 0;
  let characters = 0;
  for (const unit of units) {
    const cost = unit.changes
      .map(changeCost)
      .reduce((a, c) => ({ elements: a.elements + c.elements, characters: a.characters + c.characters }), { elements: 0, characters: 0 });
    if (current.length && (elements + cost.elements > limits.elements || characters + cost.characters > limits.characters)) {
      batches.push(current);
      current = [];
      elements = 0;
      characters = 0;
    }
    current.push(...unit.changes);
    elements += cost.elements;
    characters += cost.characters;
  }
  if (current.length) batches.push(current);
  return batches;
}
