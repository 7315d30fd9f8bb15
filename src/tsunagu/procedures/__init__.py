"""Procedures and the one-stop front: apply once, on a phone; decide in the back office."""
