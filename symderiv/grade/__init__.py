"""``symderiv grade``: a class's derivations checked, scored, explained and summarised.

assignment.py (what is asked), quantity.py (which quantity a line is about),
score.py (one submission: verdicts, required results, score), isolate.py (a
forked child with a hard time limit), run.py (the pool or the Dask cluster,
records kept per student, resume), outputs.py (gradebook, feedback, summary),
command.py (the CLI).
"""
