"""The organiser's comparison views and the round results API."""
