"""Benchmarks of a national round from its latest release."""
