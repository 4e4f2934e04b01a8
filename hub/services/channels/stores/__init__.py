"""The raw queries on the channels collections, one module per collection
(hub/services/platform/store.py)."""
