"""National follow-up pages, API and publication files."""
