// The playground: a static page (vanilla TS, CodeMirror 6) that compiles, fits and queries
// .pmix models in the browser through api/browser.ts; fits run in a module Web Worker. The
// example CSVs are bundled as assets by the example picker (examples.ts); examples/data is
// also served as the public directory.
// (package.json's "browser" field maps csv-parse/sync to its browser build, which bundles Buffer.)
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: here('../examples/data'),
  build: { outDir: here('dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, assetsInlineLimit: 0 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
