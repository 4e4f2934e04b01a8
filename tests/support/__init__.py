"""Helpers shared by the tests: each lives here once."""
