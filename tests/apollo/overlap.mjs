// Runs a real Apollo Client, with the cache the README configures (cache.mjs), against a
// running server, and checks that what two overlapping queries wrote reads back intact.
//
// Usage: node tests/apollo/overlap.mjs http://127.0.0.1:8000
// Exit status 0: every check passed; 1: a check failed (each failure is printed).
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

import { createCache } from "./cache.mjs";

const server = process.argv[2];
if (!server) {
  console.error("usage: node overlap.mjs SERVER_URL");
  process.exit(2);
}
const possibleTypes = JSON.parse(
  readFileSync(new URL("../../schema/possible-types.json", import.meta.url), "utf8"),
);
const PAGINATION_ARGS = new Set(["first", "after", "last", "before"]);

function client(cache) {
  return new ApolloClient({
    link: new HttpLink({ uri: `${server}/graphql`, fetch }),
    cache,
    defaultOptions: { query: { fetchPolicy: "network-only" } },
  });
}

const ICB_PAGE = gql`
  query IcbPage($first: Int, $after: String) {
    organisations(kind: ICB, first: $first, after: $after) {
      totalCount
      edges { cursor node { id code name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
// The same connection, other fields and another page size, no totalCount: without a
// merging policy it replaces what ICB_PAGE wrote.
const ICB_KINDS = gql`
  query IcbKinds {
    organisations(kind: ICB, first: 5) {
      edges { cursor node { id code kind } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const ICB_COUNT = gql`
  query IcbCount {
    organisations(kind: ICB, first: 1) { totalCount }
  }
`;
const TRUST_COUNT = gql`
  query TrustCount {
    organisations(kind: TRUST, first: 1) { totalCount edges { node { id code } } }
  }
`;
const NODE_SUMMARY = gql`
  query NodeSummary($id: ID!) {
    node(id: $id) {
      id
      ... on Record { name summary }
      ... on Organisation { code kind }
    }
  }
`;

/** POSTs `query` straight to the server, without Apollo: the answer to compare with. */
async function post(query) {
  const response = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

const checks = [];
function check(name, body) {
  checks.push({ name, body });
}

check("every connection field has a relayStylePagination policy keyed by its filters", async () => {
  const schema = await post(
    "{ __schema { types { name fields { name args { name } type { name ofType { name } } } } } }",
  );
  const policies = createCache(possibleTypes).policies;
  const problems = [];
  for (const type of schema.data.__schema.types) {
    if (type.name.startsWith("__")) continue;
    for (const field of type.fields ?? []) {
      const returns = field.type.name ?? field.type.ofType?.name ?? "";
      if (!returns.endsWith("Connection")) continue;
      const filters = field.args.map((arg) => arg.name).filter((name) => !PAGINATION_ARGS.has(name));
      const args = Object.fromEntries(field.args.map((arg) => [arg.name, `some-${arg.name}`]));
      const key = policies.getStoreFieldName({ typename: type.name, fieldName: field.name, args });
      // A policy with keyArgs stores `field:{"filter":...}`, or just `field` with no filters;
      // without one, Apollo keys by every argument, `field({"first":...})`.
      const keyed = key === field.name ? [] : key.startsWith(`${field.name}:`)
        ? Object.keys(JSON.parse(key.slice(field.name.length + 1))) : null;
      if (keyed === null || keyed.sort().join() !== [...filters].sort().join()) {
        problems.push(`${type.name}.${field.name}: stored as ${key}, want keyArgs [${filters}]`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

check("two overlapping pages of one connection read back merged, with totalCount", async () => {
  const apollo = client(createCache(possibleTypes));
  const first = await apollo.query({ query: ICB_PAGE, variables: { first: 3 } });
  const totalCount = first.data.organisations.totalCount;
  assert.ok(totalCount > 8, `expected more than 8 ICBs, got ${totalCount}`);
  await apollo.query({ query: ICB_KINDS });
  const kinds = apollo.readQuery({ query: ICB_KINDS });
  assert.ok(kinds, "ICB_KINDS reads back");
  assert.ok(kinds.organisations.edges.every((edge) => edge.node.kind === "ICB"));
  const count = apollo.readQuery({ query: ICB_COUNT });
  assert.equal(count?.organisations.totalCount, totalCount, "ICB_KINDS kept totalCount");

  const after = first.data.organisations.pageInfo.endCursor;
  await apollo.query({ query: ICB_PAGE, variables: { first: 3, after } });

  const cached = apollo.readQuery({ query: ICB_PAGE, variables: { first: 3 } });
  assert.ok(cached, "ICB_PAGE no longer reads from the cache: ICB_KINDS overwrote it");
  assert.equal(cached.organisations.totalCount, totalCount);
  const codes = cached.organisations.edges.map((edge) => edge.node.code);
  const six = await post("{ organisations(kind: ICB, first: 6) { edges { node { code } } } }");
  const expected = six.data.organisations.edges.map((edge) => edge.node.code);
  assert.deepEqual(codes, expected, "page two follows page one, once each, as the server orders them");
  for (const edge of cached.organisations.edges) {
    assert.ok(edge.node.name, `${edge.node.code} kept its name`);
  }
});

check("a connection with other filters is stored apart", async () => {
  const apollo = client(createCache(possibleTypes));
  const icbs = await apollo.query({ query: ICB_PAGE, variables: { first: 2 } });
  const trusts = await apollo.query({ query: TRUST_COUNT });
  assert.ok(trusts.data.organisations.totalCount > icbs.data.organisations.totalCount);
  const cached = apollo.readQuery({ query: ICB_PAGE, variables: { first: 2 } });
  assert.equal(cached.organisations.totalCount, icbs.data.organisations.totalCount);
  assert.equal(
    apollo.readQuery({ query: TRUST_COUNT }).organisations.totalCount,
    trusts.data.organisations.totalCount,
  );
});

check("node(id) with `... on Record { summary }` keeps summary in the cache", async () => {
  const apollo = client(createCache(possibleTypes));
  const page = await apollo.query({ query: ICB_PAGE, variables: { first: 1 } });
  const id = page.data.organisations.edges[0].node.id;
  const answer = await apollo.query({ query: NODE_SUMMARY, variables: { id } });
  assert.ok(answer.data.node.summary, "the answer has summary");
  const cached = apollo.readQuery({ query: NODE_SUMMARY, variables: { id } });
  assert.ok(cached, "NODE_SUMMARY reads back from the cache");
  assert.equal(cached.node.summary, answer.data.node.summary);
  assert.equal(cached.node.name, answer.data.node.name);
  assert.equal(cached.node.kind, "ICB");
});

check("without possibleTypes the same query loses summary (why the file ships)", async () => {
  const apollo = client(new InMemoryCache());
  const page = await apollo.query({ query: ICB_PAGE, variables: { first: 1 } });
  const id = page.data.organisations.edges[0].node.id;
  const answer = await apollo.query({
    query: NODE_SUMMARY,
    variables: { id },
    errorPolicy: "all",
  }).catch((error) => ({ error }));
  const cached = apollo.readQuery({ query: NODE_SUMMARY, variables: { id } });
  assert.ok(!cached?.node?.summary, `summary survived without possibleTypes: ${JSON.stringify(answer)}`);
});

let failed = 0;
for (const { name, body } of checks) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split("\n").join("\n     ")}`);
  }
}
console.log(`${checks.length - failed} of ${checks.length} checks passed`);
process.exit(failed ? 1 : 0);
