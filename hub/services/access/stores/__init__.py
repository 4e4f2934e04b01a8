"""The raw queries on the access collections, one module per collection
(hub/services/platform/store.py)."""
