// Module loader hooks that append every loaded module's URL to the file named by
// PMIX_LOAD_TRACE (one per line). Registered by load-trace.mjs with `node --import`.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  const result = await next(url, context);
  if (process.env.PMIX_LOAD_TRACE) appendFileSync(process.env.PMIX_LOAD_TRACE, `${url}\n`);
  return result;
}
