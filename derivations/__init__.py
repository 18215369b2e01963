"""The five study notes (``notes/``): each note's verbatim text and its sidecar of settings.

Read by ``symderiv.documents.notes``; nothing here is code, and no verdict is stored.
"""
