#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit of a running server, using the `serverAudits` of the
// `graphql-http` package (the reference implementation of the GraphQL-over-HTTP spec).
//
// Usage: node scripts/audit/audit.mjs http://127.0.0.1:PORT/graphql
//
// Prints one line per audit (id, level, result, and the reason when it did not pass), then
// `graphql-http audits: N passed, M failed`. "Failed" counts MUST and SHOULD audits that did
// not pass; MAY audits are reported but not counted. Exits 1 if any MUST or SHOULD audit
// failed, 2 on a usage error, else 0.

import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  console.error('usage: node scripts/audit/audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

let passed = 0;
let failed = 0;
let optionalFailed = 0;

for (const { id, name, fn } of serverAudits({ url, fetchFn: fetch })) {
  const level = name.split(' ', 1)[0]; // 'MUST' | 'SHOULD' | 'MAY'
  let status;
  let reason = '';
  try {
    const result = await fn();
    status = result.status; // 'ok' | 'error' (MUST) | 'warn' (SHOULD) | 'notice' (MAY)
    if (status !== 'ok') {
      reason = result.reason;
      const res = result.response;
      if (res) {
        let body = '';
        try {
          body = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
        } catch {
          // the audit may already have read the body
        }
        const type = res.headers.get('content-type') ?? '-';
        reason += ` [got ${res.status}, content-type: ${type}${body ? `, body: ${body}` : ''}]`;
      }
    }
  } catch (err) {
    // graphql-http throws anything other than an assertion failure as fatal (e.g. the
    // server is unreachable); count it as a failure of the audit at its own level.
    status = level === 'MUST' ? 'error' : level === 'SHOULD' ? 'warn' : 'notice';
    reason = `fatal: ${err instanceof Error ? err.message : String(err)}`;
  }

  if (status === 'ok') passed += 1;
  else if (level === 'MAY') optionalFailed += 1;
  else failed += 1;

  console.log(
    `${id}  ${level.padEnd(6)}  ${status.padEnd(6)}  ${name}${reason ? `\n      -> ${reason}` : ''}`,
  );
}

console.log(
  `graphql-http audits: ${passed} passed, ${failed} failed` +
    (optionalFailed ? ` (and ${optionalFailed} MAY audit(s) not passed, not counted)` : ''),
);
process.exit(failed > 0 ? 1 : 0);
