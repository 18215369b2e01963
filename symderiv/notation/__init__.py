"""LaTeX as people write it -> the claim tree."""
