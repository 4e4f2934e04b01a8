"""The raw queries on the analytics collections, one module per collection
(hub/services/platform/store.py)."""
