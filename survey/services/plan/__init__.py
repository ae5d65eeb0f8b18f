"""The action plan of a unit-level assessment."""
