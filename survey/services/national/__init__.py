"""National follow-up (FO 3.2): aggregates, national rounds, releases and trends."""
