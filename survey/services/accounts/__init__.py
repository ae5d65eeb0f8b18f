"""User accounts, role grants and sign-in sessions."""
