"""Menus for people who would rather tap than type, and the language switch."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import chosen_language
from actions.topics import taxonomy


class ActionHelpMenu(Action):
    def name(self) -> str:
        return "action_help_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = next(tracker.get_latest_entity_values("area"), None)
        if area in taxonomy():
            dispatcher.utter_message(response=f"utter_area_{area}")
        else:
            dispatcher.utter_message(response="utter_help_menu")
        return []


class ActionChooseLanguage(Action):
    """Confirm an explicit choice, or offer the choice when she asked without naming one."""

    def name(self) -> str:
        return "action_choose_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if chosen_language(tracker):
            dispatcher.utter_message(response="utter_language_set")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
