// The example picker's programs, one per model family, with the CSV files they read (served
// as assets; a data set gets the CSV of its file name).
import co2 from '../examples/co2.pmix?raw';
import digits from '../examples/digits.pmix?raw';
import faithful from '../examples/faithful.pmix?raw';
import football from '../examples/football.pmix?raw';
import gpToy from '../examples/gp-toy.pmix?raw';
import penguins from '../examples/penguins.pmix?raw';
import ring from '../examples/squared-ring/ring.pmix?raw';
import wave from '../examples/wave.pmix?raw';
import chowLiu from './examples/chow-liu.pmix?raw';
import crashExperts from './examples/crash-experts.pmix?raw';
import co2Csv from '../examples/data/co2.csv?url';
import crashCsv from '../examples/data/crash-train.csv?url';
import digitsCsv from '../examples/data/digits-train.csv?url';
import faithfulCsv from '../examples/data/faithful.csv?url';
import footballCsv from '../examples/data/football.csv?url';
import gpToyCsv from '../examples/data/gp-toy.csv?url';
import penguinsCsv from '../examples/data/penguins.csv?url';
import ringCsv from '../examples/squared-ring/ring.csv?url';
import ringTestCsv from '../examples/squared-ring/ring-test.csv?url';
import waveCsv from '../examples/data/wave-train.csv?url';

export interface Example {
  readonly id: string;
  readonly label: string;
  /** The model family, under which the picker lists it. */
  readonly group: string;
  readonly source: string;
  /** CSV URLs by file name. */
  readonly csv: Readonly<Record<string, string>>;
  /** The variables the plot starts with. */
  readonly plot?: readonly [string, string];
}

export const EXAMPLES: readonly Example[] = [
  { id: 'penguins', label: 'Penguins: Gaussian mixture', group: 'mixture', source: penguins, csv: { 'penguins.csv': penguinsCsv }, plot: ['flipper_length_mm', 'bill_length_mm'] },
  { id: 'football', label: 'Football goals: Poisson mixture (int columns)', group: 'mixture', source: football, csv: { 'football.csv': footballCsv } },
  { id: 'digits', label: 'Digits: probabilistic circuit', group: 'circuit', source: digits, csv: { 'digits-train.csv': digitsCsv }, plot: ['p27', 'p36'] },
  { id: 'chow-liu', label: 'Digits: Chow-Liu tree', group: 'chow_liu', source: chowLiu, csv: { 'digits-train.csv': digitsCsv }, plot: ['p27', 'p36'] },
  { id: 'ring', label: 'Ring: squared (signed) mixture', group: 'squared', source: ring, csv: { 'ring.csv': ringCsv, 'ring-test.csv': ringTestCsv } },
  { id: 'wave', label: 'Wave: integral (continuous-latent) model', group: 'integral', source: wave, csv: { 'wave-train.csv': waveCsv } },
  { id: 'gp-toy', label: 'Toy regression: Gaussian process', group: 'gp', source: gpToy, csv: { 'gp-toy.csv': gpToyCsv } },
  { id: 'co2', label: 'Mauna Loa CO2: Gaussian process forecast', group: 'gp', source: co2, csv: { 'co2.csv': co2Csv } },
  { id: 'crash', label: 'Crash signal: mixture of GP experts', group: 'moe', source: crashExperts, csv: { 'crash-train.csv': crashCsv } },
  { id: 'faithful', label: 'Old Faithful: kernel density and modes', group: 'kde', source: faithful, csv: { 'faithful.csv': faithfulCsv } },
];
