"""The raw queries on the surveys collections, one module per collection
(hub/services/platform/store.py)."""
