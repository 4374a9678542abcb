"""Phare's service directory: geography, HSDS-aligned services, search."""
