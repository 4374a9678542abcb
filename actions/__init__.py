"""Phare's custom actions (Rasa SDK), one action per class."""
