"""What both bot processes use: the Rasa server (channels, components) and the action
server (actions). Settings, her language. Nothing here imports actions, channels or
components, so either process can import it without the other's code."""
