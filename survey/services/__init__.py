"""Service functions: keyword-only, typed, flush but never commit (the caller owns the
transaction).
"""
