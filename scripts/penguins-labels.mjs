// Partial labels on the penguins (docs/fitting.md, "Partial labels"): with 10% of the species
// known (a seeded draw per seed), the accuracy on the unlabelled rows of EM with labels, against
// unsupervised EM's accuracy under its best matching of clusters to species. Also the same with
// Chinstrap never labelled (category discovery: component 3 must find it). Run after npm run build:
//   node scripts/penguins-labels.mjs
import { readFileSync } from 'node:fs';
import { compile } from '../dist/api/index.js';
import { Rng } from '../dist/stdlib/random.js';

const lines = readFileSync(new URL('../examples/data/penguins.csv', import.meta.url), 'utf8').trim().split('\n');
const num = (s) => (s === '' || s === 'NA' ? null : Number(s));
const data = lines.slice(1).map((l) => {
  const c = l.split(',');
  return { species: c[0], x: { bill_length_mm: num(c[2]), bill_depth_mm: num(c[3]), flipper_length_mm: num(c[4]), body_mass_g: num(c[5]) } };
});
const levels = [...new Set(data.map((d) => d.species))].sort();
const X = data.map((d) => d.x);
const argmax = (p) => p.indexOf(Math.max(...p));
const PERMS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
const tenPercent = (seed) => {
  const rng = new Rng(seed);
  return data.map(() => rng.uniform() < 0.1);
};
const SEEDS = [1, 2, 3, 4, 5];
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;

console.log('variant    restarts  labels  EM+labels  unsupervised(best matching)   per seed');
for (const [variant, restarts] of [['full', 5], ['tied', 5], ['diag', 1], ['diag', 5], ['spherical', 5]]) {
  const semi = [];
  const unsup = [];
  let labelled = 0;
  for (const seed of SEEDS) {
    const lab = tenPercent(seed);
    labelled += lab.filter(Boolean).length;
    const src = `model M = mixture(k = 3) of Normal(${variant})`;
    const opts = { method: 'em', restarts, tol: 1e-6, maxIter: 500, seed: 1 };
    const s = compile(src).model('M');
    await s.fit(data.map((d, i) => ({ ...d.x, species: lab[i] ? d.species : null })), { ...opts, labels: 'species' });
    const u = compile(src).model('M');
    await u.fit(X, opts);
    const ps = s.posterior(X);
    const pu = u.posterior(X);
    const rows = data.map((d, i) => i).filter((i) => !lab[i]);
    semi.push(rows.filter((i) => levels[argmax(ps[i])] === data[i].species).length / rows.length);
    unsup.push(Math.max(...PERMS.map((perm) => rows.filter((i) => levels[perm[argmax(pu[i])]] === data[i].species).length / rows.length)));
  }
  console.log(`${variant.padEnd(10)} ${String(restarts).padEnd(9)} ${String(Math.round(labelled / SEEDS.length)).padEnd(7)} ${mean(semi).toFixed(4)}     ${mean(unsup).toFixed(4)}                        ${semi.map((v, i) => `${v.toFixed(3)}/${unsup[i].toFixed(3)}`).join(' ')}`);
}

console.log('\ncategory discovery: Chinstrap never labelled, k = 3, full covariances');
const found = [];
const acc = [];
for (const seed of SEEDS) {
  const lab = tenPercent(seed).map((l, i) => l && data[i].species !== 'Chinstrap');
  const m = compile('model M = mixture(k = 3) of Normal(full)').model('M');
  await m.fit(data.map((d, i) => ({ ...d.x, species: lab[i] ? d.species : null })), { method: 'em', labels: 'species', restarts: 5, tol: 1e-6, maxIter: 500, seed: 1 });
  const post = m.posterior(X);
  const names = ['Adelie', 'Gentoo', 'Chinstrap'];
  const chin = data.map((d, i) => i).filter((i) => data[i].species === 'Chinstrap');
  found.push(chin.filter((i) => argmax(post[i]) === 2).length / chin.length);
  const rows = data.map((d, i) => i).filter((i) => !lab[i]);
  acc.push(rows.filter((i) => names[argmax(post[i])] === data[i].species).length / rows.length);
}
console.log(`Chinstrap rows in the free component: ${found.map((v) => v.toFixed(3)).join(' ')}; accuracy on the unlabelled rows: ${acc.map((v) => v.toFixed(3)).join(' ')}`);
