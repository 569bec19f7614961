"""What we know about the cities: the SQL store (schema + migrations), the indicator
catalogue, imports with validation and rejects, revisions and the bundled real data."""
