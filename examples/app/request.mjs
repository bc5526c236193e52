// Reading and checking requests for server.mjs: the body under a byte limit, its shape
// ({"rows": [objects of column values]}), query-string parameters. Each check throws an
// HttpError whose message names the place (the row, the column, the parameter) and echoes the
// client's input clipped to ECHO_CHARS, so a huge bad input never comes back whole.

export const ECHO_CHARS = 200;

export class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Client text for a message: at most ECHO_CHARS characters, then how many were left out. */
export function clip(text, max = ECHO_CHARS) {
  const s = String(text);
  return s.length <= max ? s : `${s.slice(0, max)}... (${(s.length - max).toLocaleString('en-US')} more characters)`;
}

/** An error message for the client: every line clipped (pmix's messages quote the query text). */
export function clipLines(message) {
  return message.split('\n').slice(0, 20).map((line) => clip(line)).join('\n');
}

/**
 * The request body as text, refusing more than maxBytes with 413: a declared Content-Length is
 * checked before reading; a chunked body is counted as it arrives and never held past the limit.
 */
export function readBody(req, maxBytes) {
  const tooLarge = () => new HttpError(413, `the body is larger than ${maxBytes.toLocaleString('en-US')} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (c) => {
      size += c.length;
      if (size > maxBytes) {
        // Stop buffering; the rest is read and dropped (see linger in server.mjs).
        req.off('data', onData);
        chunks.length = 0;
        req.resume();
        reject(tooLarge());
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client that goes away mid-body: settle, so nothing waits on a request that will never end.
    req.on('close', () => req.complete || reject(new HttpError(400, 'the request was cut off')));
  });
}

/** Checks {"rows": [...]}: an array of at most maxRows objects whose keys are the model's columns. */
export function parseRows(text, columns, maxRows) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${clip(e.message)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `the body must be a JSON object {"rows": [...]}, got ${kind(body)}`);
  for (const key of Object.keys(body)) if (key !== 'rows') throw new HttpError(400, `unknown key '${clip(key)}' in the body (expected {"rows": [...]})`);
  if (!('rows' in body)) throw new HttpError(400, `missing key 'rows' in the body (expected {"rows": [...]})`);
  const rows = body.rows;
  if (!Array.isArray(rows)) throw new HttpError(400, `'rows' must be an array of objects, got ${kind(rows)}`);
  if (rows.length > maxRows) throw new HttpError(400, `at most ${maxRows.toLocaleString('en-US')} rows per request, got ${rows.length.toLocaleString('en-US')}`);
  const known = new Set(columns);
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new HttpError(400, `row ${i + 1} must be an object of column values, got ${kind(row)}`);
    for (const [key, value] of Object.entries(row)) {
      if (!known.has(key)) throw new HttpError(400, `row ${i + 1}: unknown column '${clip(key)}' (columns: ${clip(columns.join(', '))})`);
      if (value !== null && !['number', 'string', 'boolean'].includes(typeof value)) throw new HttpError(400, `row ${i + 1}, column '${key}': a cell must be a number, string, boolean or null, got ${kind(value)}`);
    }
  });
  return rows;
}

/** Refuses query-string parameters other than `allowed`. */
export function onlyParams(url, allowed) {
  for (const key of url.searchParams.keys()) if (!allowed.includes(key)) throw new HttpError(400, `unknown parameter '${clip(key)}'${allowed.length ? ` (expected: ${allowed.join(', ')})` : ''}`);
}

/** A whole-number parameter in [min, max]; `fallback` when absent. */
export function wholeParam(url, name, min, max, fallback) {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new HttpError(400, `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${clip(raw) || '(empty)'}`);
  return n;
}

function kind(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
