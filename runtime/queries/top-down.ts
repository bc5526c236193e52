// Top-down traversal of one induced tree of a circuit (sampling, MAP decoding): from a unit of
// the root, a sum/mixing unit continues into the one input `choose` picks, a product unit into
// a unit of every child, and each input unit reached is handed to `leaf`. An explicit stack
// instead of recursion, so deep circuits cannot overflow the call stack; the visiting order is
// the depth-first order of the recursive version (children left to right, kronecker factors
// right to left), so seeded draws do not change.
import type { FamilyNode, IRNode, MixingNode, SumNode } from '../../ir/types.js';
import type { ModelState } from '../state.js';

export interface TopDownVisitor {
  /** The chosen input of unit `unit` of a sum or mixing node, as an index into its concatenated children. */
  choose(node: SumNode | MixingNode, unit: number): number;
  leaf(node: Extract<IRNode, { kind: 'input' }>, unit: number): void;
  /** A family's part (a KDE component) reached; visitors without it refuse such models. */
  family?(node: FamilyNode, unit: number): void;
}

export function topDown(state: ModelState, root: string, unit: number, visit: TopDownVisitor): void {
  const stackNodes: string[] = [root];
  const stackUnits: number[] = [unit];
  while (stackNodes.length) {
    const node = state.node(stackNodes.pop()!);
    const u = stackUnits.pop()!;
    switch (node.kind) {
      case 'input':
        visit.leaf(node, u);
        break;
      case 'family':
        if (!visit.family) throw new Error(`node kind 'family' is not supported by this circuit query`);
        visit.family(node, u);
        break;
      case 'product': {
        // Pushed in reverse so that they pop in the recursive order.
        const kids: [string, number][] = [];
        if (node.mode === 'hadamard') for (const c of node.children) kids.push([c, u]);
        else {
          let rest = u;
          for (let c = node.children.length - 1; c >= 0; c--) {
            const cu = state.node(node.children[c]!).units;
            kids.push([node.children[c]!, rest % cu]);
            rest = Math.floor(rest / cu);
          }
        }
        for (let k = kids.length - 1; k >= 0; k--) {
          stackNodes.push(kids[k]![0]);
          stackUnits.push(kids[k]![1]);
        }
        break;
      }
      case 'sum':
      case 'mixing': {
        let j = visit.choose(node, u);
        for (const c of node.children) {
          const cu = state.node(c).units;
          if (j < cu) {
            stackNodes.push(c);
            stackUnits.push(j);
            break;
          }
          j -= cu;
        }
        break;
      }
      default:
        throw new Error(`node kind '${node.kind}' is not supported by circuit queries yet`);
    }
  }
}
