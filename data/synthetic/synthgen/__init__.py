"""Deterministic synthetic data for PHI Workbench: a small Synthea-shaped hospital and labeled notes.

Everything here is fabricated. Names and places come from Faker (seeded per locale), identifier numbers
from a seeded `random.Random`, so one seed always yields the same bytes.
"""
