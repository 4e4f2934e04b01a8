"""The raw queries on the platform collections, one module per collection
(hub/services/platform/store.py)."""
