"""Custom Rasa channels (registered by class path in bot/credentials*.yml)."""
