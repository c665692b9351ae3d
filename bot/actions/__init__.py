"""Custom actions of the bot.

They hold no knowledge text: they ask the API and send responses by name.
"""

from actions import metrics

# rasa-sdk imports this package while it builds its app: hook the metrics in now.
metrics.install()
