/**
 * The Alibaba Cloud guides whose rules dts-trust checks, so a refusal can say which rule of which guide it
 * applies.
 */

/** The two generations of the Alibaba Cloud guide to cross-account DTS tasks. */
export const Guide = {
  /** "Configure RAM authorization for cross-account DTS tasks" (updated 2025): endpoint tables, usage notes. */
  Current: 'current',
  /** "Configure RAM authorization for cross-account data migration and synchronization": one pair table per task kind. */
  Older: 'older',
} as const;
/** One of {@link Guide}. */
export type Guide = (typeof Guide)[keyof typeof Guide];

/** The title each guide is published under. */
export const GuideTitle: Readonly<Record<Guide, string>> = {
  current: 'Configure RAM authorization for cross-account DTS tasks',
  older: 'Configure RAM authorization for cross-account data migration and synchronization',
};

/** `rule "<rule>" of the current guide (<title>)`: how a refusal names where its rule comes from. */
export function guideRule(guide: Guide, rule: string): string {
  return `rule "${rule}" of the ${guide} guide, "${GuideTitle[guide]}"`;
}
