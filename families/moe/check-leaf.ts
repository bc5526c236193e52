// Artifact checks and `pmix check` words for leaf experts (expert-leaf.ts): the leaf is a
// univariate stdlib leaf that can be an expert, `links` gives one entry per parameter, each
// 'const' or the link of that parameter's domain, at least one not const.
import type { GraphFail } from '../../runtime/family.js';
import { univariateDistributions } from '../../stdlib/distributions/index.js';
import { domainLink } from './expert-leaf.js';
import { LEAF_NAMES } from './lower-leaf.js';

const at = 'ir.nodes[0].options';

/** Checks options.leaf and options.links; returns the number of parameters (R). */
export function checkLeafOptions(o: Readonly<Record<string, unknown>>, fail: GraphFail): number {
  if (typeof o.leaf !== 'string' || !LEAF_NAMES.includes(o.leaf)) return fail(`${at}.leaf`, `expected one of ${LEAF_NAMES.join(', ')}`);
  const dist = univariateDistributions.get(o.leaf)!;
  const links = typeof o.links === 'string' ? o.links.split(',') : undefined;
  if (!links || links.length !== dist.params.length) return fail(`${at}.links`, `expected ${dist.params.length} words joined by commas, one per parameter of ${o.leaf} (${dist.params.map((p) => p.role).join(', ')})`);
  links.forEach((l, r) => {
    const own = domainLink(dist.params[r]!.param);
    if (l !== 'const' && l !== own) fail(`${at}.links[${r}]`, `expected const or ${own} for ${o.leaf}'s ${dist.params[r]!.role}`);
  });
  if (links.every((l) => l === 'const')) fail(`${at}.links`, 'at least one parameter must follow the inputs (not const)');
  return dist.params.length;
}

export function leafWords(o: Readonly<Record<string, unknown>>): string {
  const dist = univariateDistributions.get(o.leaf as string)!;
  const links = String(o.links).split(',');
  const parts = dist.params.map((p, r) => (links[r] === 'const' ? `${p.role} constant` : `${links[r]}(${p.role}) linear in the inputs`));
  return `${String(o.leaf)} experts (${parts.join(', ')})`;
}
