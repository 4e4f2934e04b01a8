"""Platform: the outbox, job leases, schema migrations and shared input checks."""
