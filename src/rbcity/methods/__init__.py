"""Pure numeric functions (no I/O, no plan knowledge): normalisation, weights, aggregation,
TOPSIS/VIKOR, coupling coordination, obstacle degree, trends, uncertainty and sensitivity."""
