"""Who the cities are: the 2013 list of 262 resource-based cities, levels, types,
resource-exhausted batches, admin-code history and name/code resolution."""
