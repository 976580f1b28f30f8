"""Fetching, parsing and refreshing feeds."""
