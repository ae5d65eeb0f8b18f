"""Self-assessment survey engine for the digitalisation of the Swedish school system."""

__version__ = "0.1.0"
