// A small Node service that embeds a fitted pmix model: it loads an artifact written by
// `pmix fit` and answers HTTP requests with log-densities, component probabilities, samples
// and queries. Usage: node examples/app/server.mjs MODEL.json [PORT]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { load, PmixError, PmixInputError } from 'pmix';

const [path, portArg] = process.argv.slice(2);
if (!path) {
  console.error('usage: node examples/app/server.mjs MODEL.json [PORT]');
  process.exit(2);
}
const model = load(readFileSync(path, 'utf8'));

/** Routes: POST /logprob and /posterior with {"rows": [...]}, GET /sample?n=&seed=, GET /query?q= */
async function answer(req, url) {
  if (req.method === 'POST') {
    const body = JSON.parse(await text(req));
    if (url.pathname === '/logprob') return { log_prob: Array.from(model.logProb(body.rows)) };
    if (url.pathname === '/posterior') return { posterior: model.posterior(body.rows) };
  } else if (url.pathname === '/sample') {
    return { rows: model.sample(Number(url.searchParams.get('n') ?? 1), { seed: Number(url.searchParams.get('seed') ?? 0) }) };
  } else if (url.pathname === '/query') {
    return { answer: model.query(url.searchParams.get('q') ?? '') };
  } else if (url.pathname === '/') {
    return { model: model.name, variables: model.variables.map((v) => v.name) };
  }
  return undefined;
}

function text(req) {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let status = 200;
  let out;
  try {
    out = await answer(req, url);
    if (out === undefined) [status, out] = [404, { error: `no route ${req.method} ${url.pathname}` }];
  } catch (e) {
    // Bad rows or queries are the client's fault (400) and carry pmix's message.
    const bad = e instanceof PmixInputError || e instanceof PmixError || e instanceof SyntaxError;
    [status, out] = [bad ? 400 : 500, { error: e.message }];
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(out));
});

server.listen(Number(portArg ?? 8080), '127.0.0.1', () => {
  console.log(`serving ${model.name} on http://127.0.0.1:${server.address().port}`);
});
