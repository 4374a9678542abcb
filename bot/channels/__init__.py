"""Phare's input channels (Rasa InputChannel subclasses)."""
