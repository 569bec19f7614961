"""What users see: CLI, reports (HTML/PDF), charts, maps, web API and pages. Renders
results computed in `rbcity.plan`; never computes an index itself."""
