"""Unit administration: importing units (CSV, the school unit register), editing, moving and
deactivating them within the actor's part of the tree."""
