"""The GraphQL API: strawberry types, queries, mutations and permissions."""
