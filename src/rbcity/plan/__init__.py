"""The plan's engines, built from `rbcity.methods` over the store: identification,
classification, targets, early warning, coordination, annual assessment, policy evaluation."""
