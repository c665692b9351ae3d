"""Stores for Rasa that replace its own where they fall short."""
