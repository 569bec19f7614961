"""REST routers, one per resource: cities, observations, results, runs, imports."""
