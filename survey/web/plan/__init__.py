"""The action plan pages."""
