/*
 * NHS Leadership Graph – GraphQL playground bootstrap.
 *
 * Loaded by /playground/index.html (served at "/") after React, ReactDOM and
 * GraphiQL (all served from /playground/, no CDN). Talks to the same-origin
 * GraphQL endpoint at /graphql.
 */
(function () {
  "use strict";

  var ENDPOINT = "/graphql";

  function showError(message) {
    var root = document.getElementById("graphiql");
    if (!root) return;
    var pre = document.createElement("div");
    pre.id = "playground-error";
    pre.textContent = "The GraphQL playground failed to start: " + message +
      "\nThe API itself is still available at POST " + ENDPOINT + ".";
    root.innerHTML = "";
    root.appendChild(pre);
  }

  if (typeof window.React === "undefined" || typeof window.ReactDOM === "undefined" ||
      typeof window.GraphiQL === "undefined") {
    showError("a script under /playground/ did not load (React, ReactDOM or GraphiQL missing).");
    return;
  }

  /*
   * Hand-written fetcher: plain JSON over POST, as per GraphQL over HTTP.
   * (GraphiQL.createFetcher would also ask for multipart/mixed, which this API
   * does not need.) Headers typed into GraphiQL's "Headers" editor are sent too.
   */
  function fetcher(graphQLParams, opts) {
    var headers = {
      Accept: "application/graphql-response+json, application/json",
      "Content-Type": "application/json"
    };
    var extra = (opts && opts.headers) || {};
    Object.keys(extra).forEach(function (k) {
      headers[k] = extra[k];
    });
    return fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(graphQLParams)
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return {
            errors: [{
              message: "HTTP " + response.status + " " + response.statusText +
                " (response was not JSON): " + text.slice(0, 2000)
            }]
          };
        }
      });
    });
  }

  var EXAMPLES = [
    [
      "# Trusts in an ICB, who leads them, and which programmes prepare for each role",
      "query TrustLeadershipInIcb {",
      "  organisation(code: \"QWE\") {",
      "    name",
      "    kind",
      "    parent { code kind }",
      "    children(kind: TRUST, first: 50) {",
      "      totalCount",
      "      edges {",
      "        node {",
      "          id",
      "          code",
      "          name",
      "          posts {",
      "            role {",
      "              name",
      "              programmes { name }",
      "            }",
      "          }",
      "        }",
      "      }",
      "    }",
      "  }",
      "}",
      ""
    ].join("\n"),
    [
      "# How many integrated care boards (ICBs) are there today?",
      "query IcbCount {",
      "  organisations(kind: ICB) {",
      "    totalCount",
      "  }",
      "}",
      ""
    ].join("\n"),
    [
      "# ICBs as they were before the April 2026 mergers",
      "query IcbsBeforeApril2026Mergers {",
      "  organisations(kind: ICB, asOf: \"2025-06-01\", first: 50) {",
      "    totalCount",
      "    edges {",
      "      node { code name }",
      "    }",
      "  }",
      "}",
      ""
    ].join("\n"),
    [
      "# Courses accredited by the Chartered Management Institute (CMI)",
      "query CmiAccreditedCourses {",
      "  courses(accreditedBy: \"CMI\", first: 50) {",
      "    totalCount",
      "    edges {",
      "      node {",
      "        title",
      "        provider { name }",
      "        accreditedBy { code }",
      "      }",
      "    }",
      "  }",
      "}",
      ""
    ].join("\n"),
    [
      "# Ranked full-text search: pass a person's question as it is, then follow the record",
      "query SearchForAspiringChiefExecutives {",
      "  search(query: \"leadership programme for aspiring chief executives\", first: 5) {",
      "    totalCount",
      "    edges {",
      "      node {",
      "        score",
      "        snippet",
      "        summary",
      "        record {",
      "          __typename",
      "          ... on Record { id name }",
      "          ... on Programme { provider { name } }",
      "        }",
      "        sources { title url }",
      "      }",
      "    }",
      "  }",
      "}",
      ""
    ].join("\n"),
    {
      query: [
        "# Partner write: publish a course of your university. Writes need your API key:",
        "# open Headers (below) and replace nlg_<id>_<secret> with the key you were issued;",
        "# `provider` must be your own organisation's code.",
        "mutation PublishCourse {",
        "  createCourse(input: {",
        "    code: \"coventry-msc-example-leadership\"",
        "    title: \"MSc Example Leadership\"",
        "    provider: \"COVENTRY\"",
        "    level: POSTGRADUATE",
        "    subject: \"Health leadership\"",
        "    accreditedBy: [\"CMI\"]",
        "  }) {",
        "    course { id code title summary }",
        "    auditEntry { sequence at keyId }",
        "  }",
        "}",
        ""
      ].join("\n"),
      headers: JSON.stringify({ authorization: "Bearer nlg_<id>_<secret>" }, null, 2)
    },
    [
      "# Leadership programmes, who runs and accredits them, and the roles they prepare for",
      "query LeadershipProgrammes {",
      "  programmes {",
      "    code",
      "    name",
      "    duration",
      "    provider { name }",
      "    accreditedBy { name }",
      "    roles { name }",
      "  }",
      "}",
      ""
    ].join("\n")
  ];

  var DEFAULT_QUERY = [
    "# NHS Leadership Graph – write a GraphQL query here and press Ctrl+Enter.",
    "# The Documentation Explorer (book icon, left) lists every type and field.",
    "{",
    "  organisations(kind: ICB) {",
    "    totalCount",
    "  }",
    "}",
    ""
  ].join("\n");

  try {
    var props = {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      // An example is its query text, or a tab ({ query, headers }) when it needs headers.
      defaultTabs: EXAMPLES.map(function (example) {
        return typeof example === "string" ? { query: example } : example;
      }),
      defaultEditorToolsVisibility: false,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    };
    if (typeof window.GraphiQL.createLocalStorage === "function") {
      props.storage = window.GraphiQL.createLocalStorage({ namespace: "nhs-leadership-graph" });
    }
    var container = document.getElementById("graphiql");
    var element = window.React.createElement(window.GraphiQL, props);
    if (typeof window.ReactDOM.createRoot === "function") {
      window.ReactDOM.createRoot(container).render(element);
    } else {
      window.ReactDOM.render(element, container);
    }
  } catch (e) {
    showError(String((e && e.stack) || e));
  }
})();
