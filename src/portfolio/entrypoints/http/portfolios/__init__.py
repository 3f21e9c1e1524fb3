"""``/api/portfolios``: the declaration, its filtered list and its form."""
