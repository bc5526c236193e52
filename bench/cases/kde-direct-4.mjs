// KDE direct, D=4 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-direct-4', mode: 'direct', d: 4 });
