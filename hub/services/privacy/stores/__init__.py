"""The raw queries on the privacy collections, one module per collection
(hub/services/platform/store.py)."""
