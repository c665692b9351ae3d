"""components/action_response_check.py: the same verdict as Rasa's check of the action
server's answers, without checking the constant schema on every call."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401 - applies the faster check, as loading the model does
from components import action_response_check

VALID: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "language", "value": "kk", "timestamp": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "Сәлем", "buttons": [{"title": "A", "payload": "/a"}]}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"event": "no such event"}]},
    {"events": [{"event": "slot"}]},  # a slot event needs the slot's name
    {"responses": ["not an object"]},
]


def test_rasa_uses_the_faster_check() -> None:
    assert RemoteAction._validate_action_result is action_response_check._validate_action_result


@pytest.mark.parametrize("answer", VALID)
def test_valid_answers_pass_as_with_jsonschema(answer: dict[str, Any]) -> None:
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    assert RemoteAction("action_x", None)._validate_action_result(answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_invalid_answers_fail_with_rasas_error(answer: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        RemoteAction("action_x", None)._validate_action_result(answer)
