// An Apollo Client cache for the NHS Leadership Graph (the README shows this file).
import { InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// possibleTypes: the content of schema/possible-types.json. Without it, fragments on the
// `Node` and `Record` interfaces (`... on Record { summary }`) match nothing and their
// fields are silently dropped.
export function createCache(possibleTypes) {
  return new InMemoryCache({
    possibleTypes,
    typePolicies: {
      // Connections have no id: each field merges its pages, keyed by its filters only
      // (never first/after/last/before), and keeps totalCount.
      Query: {
        fields: {
          organisations: relayStylePagination(["kind", "parent", "name", "asOf"]),
          courses: relayStylePagination(["accreditedBy", "provider", "subject", "updatedSince", "status"]),
          search: relayStylePagination(["query", "kinds"]),
        },
      },
      Organisation: {
        fields: {
          children: relayStylePagination(["kind", "asOf"]),
          courses: relayStylePagination(["status"]),
          accreditedCourses: relayStylePagination(["status"]),
        },
      },
      Role: { fields: { posts: relayStylePagination() } },
      Source: { fields: { records: relayStylePagination() } },
    },
  });
}
