// A small Node service that embeds a fitted pmix model: it loads an artifact written by
// `pmix fit` and answers HTTP requests with log-densities, component probabilities, samples
// and queries. Copy this folder (server.mjs, request.mjs) to serve your own model; it needs
// only Node (20.16+) and pmix.
//
//   node examples/app/server.mjs MODEL.json [PORT]      (listens on 127.0.0.1, PORT 8080 by default)
//
// Routes (answers are JSON; errors are {"error": message}):
//   GET  /                    {"model", "variables"}
//   POST /logprob             body {"rows": [{column: value, ...}, ...]} -> {"log_prob": [...]}
//                             (absent or null cells are marginalized; a row outside the support is null)
//   POST /posterior           same body -> {"posterior": [[p1, ..., pk], ...]} (root mixture components)
//   GET  /sample?n=&seed=     {"rows": [...]}: n draws (default 1), seed a whole number (default 0)
//   GET  /query?q=            {"answer": ...}: a query of the language, e.g. q=p(x | y = 1)
//                             (not sample(...): that is /sample, with its cap on n)
// Status codes: 200; 400 bad input (JSON, body shape, unknown column, parameter, a query or row
// pmix refuses), with a message naming the row, column or parameter and the input clipped to 200
// characters; 404 no route; 405 wrong method (with Allow); 408 request or headers not received in
// time; 413 body too large; 431 headers too large (Node's limit, 16 KiB); 500 a bug (logged, not
// echoed).
// Limits (environment variables; whole numbers):
//   PMIX_APP_MAX_BODY_BYTES      1048576  request body (413 past it; the rest is not buffered)
//   PMIX_APP_MAX_ROWS            10000    rows per request
//   PMIX_APP_MAX_SAMPLE          10000    n of /sample (each request runs on the one event loop)
//   PMIX_APP_MAX_QUERY_CHARS     2000     length of q
//   PMIX_APP_REQUEST_TIMEOUT_MS  10000    time to receive a whole request (headers and body)
//   PMIX_APP_HEADERS_TIMEOUT_MS  5000     time to receive the headers
// Model calls are synchronous: keep the limits small enough that one request cannot stall the
// others, and run several processes behind a proxy to use several cores.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { load, PmixError, PmixInputError } from 'pmix';
import { clip, clipLines, HttpError, onlyParams, parseRows, readBody, wholeParam } from './request.mjs';

const [path, portArg] = process.argv.slice(2);
if (!path) fail('usage: node examples/app/server.mjs MODEL.json [PORT]');
const port = portArg === undefined ? 8080 : Number(portArg);
if (!/^\d{1,5}$/.test(portArg ?? '0') || port > 65535) fail(`PORT must be a whole number from 0 to 65535, got '${clip(portArg)}'`);
const limits = {
  bodyBytes: envLimit('PMIX_APP_MAX_BODY_BYTES', 1 << 20),
  rows: envLimit('PMIX_APP_MAX_ROWS', 10_000),
  sample: envLimit('PMIX_APP_MAX_SAMPLE', 10_000),
  queryChars: envLimit('PMIX_APP_MAX_QUERY_CHARS', 2_000),
  requestMs: envLimit('PMIX_APP_REQUEST_TIMEOUT_MS', 10_000),
  headersMs: envLimit('PMIX_APP_HEADERS_TIMEOUT_MS', 5_000),
};
let model;
try {
  model = load(readFileSync(path, 'utf8'));
} catch (e) {
  fail(`${path}: ${e.message}`);
}
const columns = model.variables.map((v) => v.name);

/** route -> method -> handler(req, url) returning the JSON answer */
const routes = {
  '/': { GET: (req, url) => (onlyParams(url, []), { model: model.name, variables: columns }) },
  '/logprob': { POST: async (req, url) => (onlyParams(url, []), { log_prob: Array.from(model.logProb(await rows(req))) }) },
  '/posterior': { POST: async (req, url) => (onlyParams(url, []), { posterior: model.posterior(await rows(req)) }) },
  '/sample': {
    GET: (req, url) => {
      onlyParams(url, ['n', 'seed']);
      const n = wholeParam(url, 'n', 1, limits.sample, 1);
      return { rows: model.sample(n, { seed: wholeParam(url, 'seed', 0, 2 ** 32 - 1, 0) }) };
    },
  },
  '/query': {
    GET: (req, url) => {
      onlyParams(url, ['q']);
      const q = url.searchParams.get('q');
      if (q === null) throw new HttpError(400, `missing parameter 'q' (a query, e.g. q=p(${columns[0] ?? 'x'}))`);
      if (q.length > limits.queryChars) throw new HttpError(400, `the query is too long: ${q.length.toLocaleString('en-US')} characters (at most ${limits.queryChars.toLocaleString('en-US')})`);
      // Draws go through /sample, whose n is capped; sample(10000000) here would stall every client.
      if (/\bsample\s*\(/.test(q.replace(/\/\*[\s\S]*?\*\//g, ' '))) throw new HttpError(400, `draw samples with GET /sample?n=&seed= (n at most ${limits.sample.toLocaleString('en-US')}), not in a query`);
      return { answer: model.query(q) };
    },
  },
};

async function rows(req) {
  return parseRows(await readBody(req, limits.bodyBytes), columns, limits.rows);
}

async function answer(req) {
  const url = target(req.url);
  const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
  if (!route) throw new HttpError(404, `no route ${req.method} ${clip(url.pathname)}`);
  if (!Object.hasOwn(route, req.method)) throw new HttpError(405, `${clip(url.pathname)} answers ${Object.keys(route).join(', ')}, not ${req.method}`, { allow: Object.keys(route).join(', ') });
  return await route[req.method](req, url);
}

/** The request target as a URL; only origin-form targets ("/path?query") are served. */
function target(raw = '/') {
  if (!raw.startsWith('/')) throw new HttpError(400, `bad request target '${clip(raw)}' (expected a path starting with /)`);
  try {
    return new URL(`http://localhost${raw}`);
  } catch {
    throw new HttpError(400, `bad request target '${clip(raw)}'`);
  }
}

/** Client mistakes (and pmix's refusals of them) are 4xx with a message; anything else is a bug. */
function failure(e) {
  if (e instanceof HttpError) return [e.status, e.message, e.headers];
  if (e instanceof PmixInputError || e instanceof PmixError) return [400, clipLines(e.message), {}];
  // A query nested deeper than the evaluator's stack: the client's input, not a server fault.
  if (e instanceof RangeError && /call stack/i.test(e.message)) return [400, 'the query is too deeply nested', {}];
  console.error(e);
  return [500, 'internal error (logged on the server)', {}];
}

async function handle(req, res) {
  let status = 200;
  let headers = {};
  let out;
  try {
    out = await answer(req);
  } catch (e) {
    if (res.destroyed) return; // the client went away (or the request timed out): no one to answer
    let message;
    [status, message, headers] = failure(e);
    out = { error: message };
  }
  if (res.destroyed) return;
  const body = JSON.stringify(out);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
  if (status === 413) res.once('finish', () => linger(req.socket));
}

const server = createServer({ requestTimeout: limits.requestMs, headersTimeout: Math.min(limits.headersMs, limits.requestMs), connectionsCheckingInterval: 500 }, handle);
// `Expect: 100-continue` (curl sends it for bodies over 1 MB): invite only a body within the limit.
server.on('checkContinue', (req, res) => {
  if (Number(req.headers['content-length'] ?? 0) <= limits.bodyBytes) res.writeContinue();
  handle(req, res);
});

/**
 * After a 413 the client may still be sending the body: closing at once would reset the
 * connection and could destroy the answer before the client reads it. Half-close (the client
 * sees the answer, then end of stream), drop what still arrives for a moment, then close.
 */
function linger(socket) {
  socket.end();
  setTimeout(() => socket.destroy(), 2_000).unref();
}

server.listen(port, '127.0.0.1', () => {
  console.log(`serving ${model.name} on http://127.0.0.1:${server.address().port}`);
});
// Ctrl-C or a process manager's SIGTERM: stop accepting, answer the requests in flight, close
// idle keep-alive connections, cut any still open after the request timeout (Node stops timing
// requests once the server closes), then exit 0. A second signal exits 1 at once.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!server.listening) process.exit(1);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), limits.requestMs).unref();
  });
}

function envLimit(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) fail(`${name} must be a whole number of at least 1, got '${clip(raw)}'`);
  return Number(raw);
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
