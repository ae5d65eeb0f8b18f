"""Benchmark pages."""
