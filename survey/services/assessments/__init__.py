"""Answering: one assessment's answers, its anonymous respondents and their release
batches, the summary, the signed-in start page."""
