"""Surveys: drafting, publishing and reading the questions people are asked."""
