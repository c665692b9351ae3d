"""Custom actions of the bot.

They hold no knowledge text: they ask the API and send responses by name.
"""
