"""Fakes of the outside world that tests run real clients against."""
