// `node --import ./test/helpers/load-trace.mjs ...`: records the URL of every ES module (and every
// CommonJS package entry reached by an import) that the process loads; see load-trace-hooks.mjs.
import { register } from 'node:module';

register('./load-trace-hooks.mjs', import.meta.url);
