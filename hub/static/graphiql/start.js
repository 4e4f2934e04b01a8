// GraphiQL on /graphql, every file served by the hub itself (no CDN). Adapted from
// strawberry's GraphiQL page; the hub takes bearer tokens, not cookies, so there is
// no CSRF header. The query and variables are kept in the address for sharing; the
// headers (a token) never are.
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# feedback-hub's GraphQL API.",
    "#",
    "# Reading the schema (for completion and the docs) needs an API key unless the hub",
    "# runs with HUB_INTROSPECTION=public: open the Headers tab below and paste",
    '#   {"Authorization": "Bearer fh_…"}',
    "#",
    "# Run a query with Ctrl-Enter.",
    "",
    "query ListSurveys {",
    "  surveys { key status }",
    "}",
    "",
  ].join("\n");

  var parameters = {};
  window.location.search
    .slice(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
      }
    });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = Object.keys(parameters)
      .filter(function (key) { return Boolean(parameters[key]); })
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
      })
      .join("&");
    history.replaceState(null, "", "?" + search);
  }

  var fetchURL = window.location.href.split("?")[0].split("#")[0];
  var subscriptionURL = new URL(fetchURL);
  subscriptionURL.protocol = subscriptionURL.protocol === "http:" ? "ws:" : "wss:";

  var fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    subscriptionUrl: subscriptionURL.toString(),
  });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function Page() {
    var query = React.useState(parameters.q || EXAMPLE_QUERY);
    var variables = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query[0],
      variables: variables[0],
      onEditQuery: function (text) {
        query[1](text);
        updateURL({ q: text });
      },
      onEditVariables: function (text) {
        variables[1](text);
        updateURL({ variables: text });
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Page));
})();
