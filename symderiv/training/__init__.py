"""Datasets and training with the lambdified gradients."""
