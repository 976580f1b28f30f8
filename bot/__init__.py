"""watchdesk: reads the frontier's feeds and tells a desk what happened to what it tracks."""

__version__ = "0.1.0"
