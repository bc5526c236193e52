// KDE direct, D=8 (bench/lib/kde.mjs).
import { kdeCase } from '../lib/kde.mjs';

export default kdeCase({ name: 'kde-direct-8', mode: 'direct', d: 8 });
