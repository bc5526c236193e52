// KDE tree, D=8 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-tree-8', mode: 'tree', d: 8 });
