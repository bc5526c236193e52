// KDE tree, D=4 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-tree-4', mode: 'tree', d: 4 });
