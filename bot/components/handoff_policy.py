"""While a person has her conversation (slot `handoff_id` set), her messages go to that
person through `action_relay_to_staff`, and the bot stays quiet.

A question the bot understands well goes to `action_answer_while_waiting`: the person gets
it, and until a person has taken the conversation she gets the bot's answer as well, so she
is never left in silence while she waits. After "call me back" (slot
`callback_phone_asked`), her next message is the number, for `action_take_callback_phone`.

Some messages keep their normal answer even then, because nothing may delay them or they
are about the chat itself: a cry for help the emergency detector raised an alarm for,
/forget, a change of language, and the menu's buttons (/start sends /greet). The
classifier alone does not take her message away from the person: it once read a typed
registration question with a phone number in it as a medical emergency, and she got the
ambulance's number instead of an answer from the person, who is a hotline worker and the
better help for a cry the detector does not know.

Not trainable: it reads only the slot and the latest message, and predicts with
confidence 1.0 at a priority above the RulePolicy's, so no rule or story can answer her
message instead of the person.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RELAY = "action_relay_to_staff"
ANSWER_WHILE_WAITING = "action_answer_while_waiting"
TAKE_PHONE = "action_take_callback_phone"
SLOT = "handoff_id"
# Answered as usual during a handoff, however she sends them: her choices about the
# hand-off itself among them.
ALWAYS_ANSWERED = frozenset(
    {
        "forget",
        "choose_language",
        "handoff_wait",
        "handoff_leave_message",
        "handoff_callback",
        "handoff_lines",
        "handoff_back",
    }
)
# A question of one of these areas, this sure, is answered while she waits for a person.
# Not the emergencies: without the detector's alarm, the classifier's guess of one goes to
# the person (see above).
TOPIC_AREAS = ("stay_", "work_", "health_", "child_", "legal_", "social_")
NOT_WHILE_WAITING = frozenset({"health_emergency"})
UNDERSTOOD = 0.8
# Answered as usual only when sent as a command or button: typed, "hello" or "I lost my
# passport" is for the person (a typed cry for help keeps its answer through the
# detector's alarm, in keeps_normal_answer).
ANSWERED_AS_COMMAND = frozenset({"greet", "help_menu", "health_emergency"})


def answered_while_waiting(intent: str | None, text: str, parse_data: dict[str, Any]) -> bool:
    """A typed question the classifier is sure of, about a topic the bot has answers for."""
    confidence = float((parse_data.get("intent") or {}).get("confidence") or 0.0)
    is_topic = str(intent).startswith(TOPIC_AREAS) and intent not in NOT_WHILE_WAITING
    return is_topic and not text.startswith("/") and confidence >= UNDERSTOOD


def keeps_normal_answer(intent: str | None, text: str, parse_data: dict[str, Any]) -> bool:
    if parse_data.get("safety_alarm"):
        return True
    if intent is None:
        return False
    if intent in ALWAYS_ANSWERED:
        return True
    is_command = text.startswith("/")
    return is_command and (intent in ANSWERED_AS_COMMAND or intent.startswith("safety_"))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class HandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (4): a tie at confidence 1.0 goes to the higher priority.
        return {"priority": 7}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self._next_action(tracker)
        if action is not None and action in domain.action_names_or_texts:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)

    @staticmethod
    def _next_action(tracker: DialogueStateTracker) -> str | None:
        last = tracker.latest_action_name
        if last in (RELAY, ANSWER_WHILE_WAITING, TAKE_PHONE):
            # Relayed, or her number taken: wait for her next message.
            return ACTION_LISTEN_NAME
        message = tracker.latest_message
        if last != ACTION_LISTEN_NAME or message is None:
            return None
        intent = message.intent.get("name")
        text = message.text or ""
        if tracker.get_slot("callback_phone_asked") and not keeps_normal_answer(
            intent, text, message.parse_data
        ):
            return None if text.startswith("/") else TAKE_PHONE
        if tracker.get_slot(SLOT) in (None, ""):
            return None
        if keeps_normal_answer(intent, text, message.parse_data):
            return None
        if answered_while_waiting(intent, text, message.parse_data):
            return ANSWER_WHILE_WAITING
        return RELAY
