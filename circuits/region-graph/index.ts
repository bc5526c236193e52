// Region-graph builders and checks (pure TypeScript; no tensors).
export type { Region, Partition, RegionGraph } from './types.js';
export { RegionGraphBuilder } from './types.js';
export { randomBinaryTree, type RandomBinaryTreeOptions } from './random-binary-tree.js';
export { quadTree, type QuadTreeOptions } from './quad-tree.js';
export { linear } from './linear.js';
export { poonDomingos, type PoonDomingosOptions } from './poon-domingos.js';
export { chowLiu, chowLiuTree, treeRegionGraph, maximumSpanningTree, type ChowLiuOptions, type ChowLiuTree } from './chow-liu.js';
export { mutualInformation, type VarInfo, type MutualInfoOptions } from './mutual-info.js';
export { fitChowLiu, type ChowLiuModel, type ChowLiuModelOptions } from './clt.js';
export { validate, isStructuredDecomposable, whyNotStructuredDecomposable, describe, type RegionGraphSummary } from './validate.js';
