// The language of leaf experts: `expert = leaf(Gamma, shape = const, rate = log)` names a
// univariate stdlib leaf and, per parameter, `const` (one learned value per expert) or its link
// (the parameter is link^-1(w . [x, 1])); parameters not named take the leaf's default. The
// shorthands `gamma`, `exponential`, `lognormal`, `student_t`, `beta`, `laplace` are leaf(...)
// with those defaults and take the same `role = link` arguments, and `link = L` for the default
// linked parameter. Every problem is a message for the argument's span.
import type { VarType } from '../../ir/types.js';
import type { KernelArg, Span } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import { univariateDistributions, type UnivariateDist } from '../../stdlib/distributions/index.js';
import { domainLink, type LeafLink } from './expert-leaf.js';

/** Shorthand expert names: the leaf and its parameters that follow the inputs by default (the others constant). */
export const LEAF_SHORTHANDS: Readonly<Record<string, { readonly leaf: string; readonly linked: readonly string[] }>> = {
  gamma: { leaf: 'Gamma', linked: ['rate'] },
  exponential: { leaf: 'Exponential', linked: ['rate'] },
  lognormal: { leaf: 'LogNormal', linked: ['mu'] },
  student_t: { leaf: 'StudentT', linked: ['loc'] },
  beta: { leaf: 'Beta', linked: ['alpha', 'beta'] },
  laplace: { leaf: 'Laplace', linked: ['loc'] },
};

/** Default linked parameters of a leaf named in leaf(...) (the first non-structural one where no shorthand says). */
function defaultLinked(name: string, dist: UnivariateDist): readonly string[] {
  const sh = Object.values(LEAF_SHORTHANDS).find((s) => s.leaf === name);
  return sh ? sh.linked : [dist.params[0]!.role];
}

export interface LeafChoice {
  readonly leaf: string;
  readonly links: LeafLink[];
}

type Err = (message: string, span: Span, hint?: string, code?: string) => undefined;

/** Why a leaf cannot be an expert (undefined: it can). */
function leafProblem(name: string, dist: UnivariateDist | undefined): string | undefined {
  if (!dist) return `'${name}' is not a univariate leaf with parameters linear in the inputs through a link`;
  const bad = dist.params.find((p) => p.structural || p.size === 'levels' || !domainLink(p.param));
  if (bad) return `${name} cannot be an expert: its parameter '${bad.role}' has no link (${bad.structural ? 'a structural constant' : bad.size === 'levels' ? 'one value per level' : 'no link for its domain'})`;
  return undefined;
}

/** Whether the leaf models a variable of this type (a Bernoulli a bool output). */
export const leafAccepts = (leaf: string, type: VarType): boolean => univariateDistributions.get(leaf)?.accepts(type) ?? false;

export const LEAF_NAMES = [...univariateDistributions.keys()].filter((n) => !leafProblem(n, univariateDistributions.get(n)));

/** Reads leaf(NAME, role = link, ...) or a shorthand's arguments. */
export function lowerLeafExpert(head: string, args: readonly KernelArg[], span: Span, err: Err): LeafChoice | undefined {
  let name: string;
  let rest = args;
  if (head === 'leaf') {
    const first = args[0];
    if (!first || first.name || first.value.kind !== 'name') return err(`leaf(...) names its distribution first, e.g. leaf(Gamma, shape = const, rate = log) (leaves: ${LEAF_NAMES.join(', ')})`, first?.span ?? span);
    name = first.value.name;
    rest = args.slice(1);
    const known = univariateDistributions.get(name);
    const why = leafProblem(name, known);
    if (why) return err(why, first.value.span, known ? `leaves that can be experts: ${LEAF_NAMES.join(', ')}` : suggestionHint(name, LEAF_NAMES) ?? `leaves that can be experts: ${LEAF_NAMES.join(', ')}`);
  } else name = LEAF_SHORTHANDS[head]!.leaf;
  const dist = univariateDistributions.get(name)!;
  const roles = dist.params.map((p) => p.role);
  const linked = new Set(head === 'leaf' ? defaultLinked(name, dist) : LEAF_SHORTHANDS[head]!.linked);
  const links: LeafLink[] = dist.params.map((p) => (linked.has(p.role) ? domainLink(p.param)! : 'const'));
  let ok = true;
  for (const a of rest) {
    if (!a.name) {
      ok = err(`${head}(...) takes named arguments after the distribution: a parameter = const or its link, e.g. ${roles[0]} = const`, a.span) ?? false;
      continue;
    }
    const an = a.name.name;
    const word = a.value.kind === 'name' ? a.value.name : undefined;
    const target = an === 'link' ? [...linked][0]! : an;
    const r = roles.indexOf(target);
    if (r < 0) {
      ok = err(`${name} has no parameter '${an}' (its parameters: ${roles.join(', ')}${head !== 'leaf' ? '; or link' : ''})`, a.name.span, suggestionHint(an, roles), 'unknown-argument') ?? false;
      continue;
    }
    const allowed = ['const', domainLink(dist.params[r]!.param)!];
    if (!word || !allowed.includes(word)) {
      ok = err(`${target} = ${word ?? '...'}: expected ${allowed.join(' or ')} (${name}'s ${target} is ${dist.params[r]!.param.kind === 'identity' ? 'a real number: identity link' : dist.params[r]!.param.kind === 'positive' ? 'positive: log link' : 'in (0, 1): logit link'})`, a.value.span, word ? suggestionHint(word, allowed) : undefined) ?? false;
      continue;
    }
    links[r] = word as LeafLink;
  }
  if (!ok) return undefined;
  if (links.every((l) => l === 'const')) return err(`every parameter of this ${name} expert is const: give at least one its link (e.g. ${roles[0]} = ${domainLink(dist.params[0]!.param)}), or the experts do not depend on the inputs`, span);
  return { leaf: name, links };
}
