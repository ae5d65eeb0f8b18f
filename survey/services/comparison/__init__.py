"""The organiser's comparison of one round's units: heat map, equity panel, trend."""
