// KDE tree, D=2 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-tree-2', mode: 'tree', d: 2 });
