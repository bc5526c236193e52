// KDE direct, D=2 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-direct-2', mode: 'direct', d: 2 });
