"""Merging pages into the store's records: papers joined by identity, authors derived from them."""
