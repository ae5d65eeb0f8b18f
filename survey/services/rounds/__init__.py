"""Rounds: creating and changing them, who sees which, their results, participation and
data set."""
