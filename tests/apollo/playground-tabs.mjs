// Runs the playground's bootstrap (served /playground/playground.js) with stand-ins for
// React and GraphiQL, collects its example tabs, and sends each to the server with the tab's
// headers: every example must pass validation against the served schema.
//
// Usage: node tests/apollo/playground-tabs.mjs http://127.0.0.1:8000 [API_KEY]
// With API_KEY, it replaces the placeholder key (nlg_<id>_<secret>) in the tabs' headers.
// Prints one JSON line: [{ query, headers, answer }] for the Rust test to judge.
import vm from "node:vm";

const [server, key] = process.argv.slice(2);
if (!server) {
  console.error("usage: node playground-tabs.mjs SERVER_URL");
  process.exit(2);
}

const source = await fetch(`${server}/playground/playground.js`).then((response) => response.text());
let props = null;
const element = { id: "graphiql" };
const window = {
  React: { createElement: (_component, given) => ((props = given), {}) },
  ReactDOM: { createRoot: () => ({ render() {} }) },
  GraphiQL: function GraphiQL() {},
};
vm.runInNewContext(source, {
  window,
  document: { getElementById: () => element, createElement: () => ({}) },
  fetch,
  JSON,
});
if (!props) {
  console.error("playground.js rendered nothing");
  process.exit(1);
}

const tabs = [];
for (const tab of props.defaultTabs) {
  const headers = tab.headers ? JSON.parse(tab.headers) : {};
  for (const [name, value] of Object.entries(headers)) {
    if (key) headers[name] = value.replace("nlg_<id>_<secret>", key);
  }
  const response = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: tab.query }),
  });
  tabs.push({ query: tab.query, headers, answer: await response.json() });
}
console.log(JSON.stringify(tabs));
