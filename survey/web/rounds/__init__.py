"""An organiser's rounds: pages, API and files."""
