"""Reports a student can act on: LaTeX, Markdown, PDF."""
