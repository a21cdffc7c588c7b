// Emergency teardown: the checks made before anything is touched, and the one-line change to the
// region files that keeps git the truth afterwards.
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Config } from './config.js';

/**
 * Why a teardown must not run, or undefined when it may. Made before any credential is used:
 * the region must be typed twice, must be a scalable region that serves, and must not be the last
 * one serving.
 */
export function teardownRefusal(config: Config, region: string, confirm: string): string | undefined {
  if (confirm.trim() !== region)
    return `confirm must repeat the region exactly: typed "${confirm}", expected "${region}". Nothing was changed.`;
  const entry = config.regions.find((r) => r.region === region);
  if (!entry) return `${region} is not in the region files. Nothing was changed.`;
  if (entry.tier === 'always-on')
    return (
      `${region} is always-on (${entry.file}:${entry.line}). Teardown only switches off scalable regions; to retire an ` +
      `always-on region, move it to scalable.yaml in a pull request first. Nothing was changed.`
    );
  if (!entry.serving)
    return `${region} is already disabled (${entry.file}:${entry.line}); there is nothing to tear down. Nothing was changed.`;
  const others = config.regions.filter((r) => r.serving && r.region !== region);
  if (others.length === 0)
    return `${region} is the last serving region: tearing it down would take the CDN off the air. Nothing was changed.`;
  return undefined;
}

/**
 * scalable.yaml with the region's `enabled: true` turned to `false`, and not one other byte
 * changed: comments, order and layout stay as people wrote them.
 */
export function disableRegionText(text: string, region: string): string {
  return setEnabledText(text, region, false);
}

/** scalable.yaml with the region's `enabled` set to `value`, and not one other byte changed. */
export function setEnabledText(text: string, region: string, value: boolean): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const regions = isMap(doc.contents) ? doc.contents.get('regions', true) : undefined;
  if (!isSeq(regions)) throw new Error(`no regions list to ${value ? 'enable' : 'disable'} ${region} in`);
  for (const item of regions.items) {
    if (!isMap(item) || item.get('region') !== region) continue;
    const enabled = item.get('enabled', true);
    if (!isScalar(enabled) || !enabled.range) throw new Error(`${region} has no enabled setting to turn ${value ? 'on' : 'off'}`);
    const [start, end] = enabled.range;
    return `${text.slice(0, start)}${String(value)}${text.slice(end)}`;
  }
  throw new Error(`${region} is not in the scalable regions`);
}
