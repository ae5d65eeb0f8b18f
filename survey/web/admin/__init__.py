"""Unit and people administration in the browser (administrators and strategists)."""
