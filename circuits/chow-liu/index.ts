// The Chow-Liu tree model: its structure, its tables and its circuit.
export { chowLiuStructure, chainStructure, empiricalMI, type DiscreteData, type RootedTree } from './structure.js';
export { conditionalTables } from './tables.js';
export { chowLiuGraph, chowLiuLevels, chowLiuParents, CHOW_LIU_FAMILY, ALPHA_PARAM } from './graph.js';
