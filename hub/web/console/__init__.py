"""The console at /console: dashboards, responses, the follow-ups board, surveys and
the privacy desk, rendered on the server from the hub's own GraphQL API, run as the
signed-in person (hub/server/console.py hands the pages the API)."""
