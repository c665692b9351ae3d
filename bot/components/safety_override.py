"""Runs last in the NLU pipeline: when the safety detector hears a cry for help, the
message's intent becomes the matching safety intent, whatever the classifier said.

It runs inside the Rasa server, so the emergency reply (a domain response) goes out
even when the action server or the API is down.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety import classifier
from safety.detector import detect

INTENT_FOR = {
    "domestic_violence": "safety_domestic_violence",
    "child_danger": "safety_domestic_violence",
    "trafficking": "safety_trafficking",
    "medical_emergency": "health_emergency",
    "child_abduction_threat": "safety_domestic_violence",
    "documents_withheld": "safety_trafficking",
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        # Loaded with the model, not at the first cry for help.
        classifier.model()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text: str | None = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            alarm = detect(text)
            if alarm is None:
                continue
            intent = {INTENT_NAME_KEY: INTENT_FOR[alarm.category], PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [intent] + [
                i
                for i in message.get("intent_ranking") or []
                if i.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            message.set("safety_alarm", alarm.category, add_to_output=True)
        return messages
