"""おくやみ: after a death, the family's personal list of procedures and one flow to file them."""
