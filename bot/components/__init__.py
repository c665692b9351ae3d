"""The project's own Rasa components (named in config.yml) and one speed-up of Rasa."""

from components import action_response_check

action_response_check.apply()
