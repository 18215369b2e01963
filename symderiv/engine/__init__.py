"""The engine: network spec -> SymPy model -> derivation -> NumPy."""
