"""The raw queries on the followups collections, one module per collection
(hub/services/platform/store.py)."""
