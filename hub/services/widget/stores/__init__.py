"""The raw queries on the widget collections, one module per collection
(hub/services/platform/store.py)."""
