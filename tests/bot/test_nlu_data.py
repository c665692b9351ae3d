"""The held-out questions (tests/nlu/heldout_*.yml) measure the bot on words it never
saw: none of them may also be a training example, in any spelling the bot folds together."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from components.folding_tokenizer import fold_tokens

from .conftest import ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


def _examples(path: Path) -> dict[str, str]:
    """Each example as the bot sees it (folded words, no punctuation) -> its intent."""
    found = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        for line in (block.get("examples") or "").splitlines():
            text = line.strip().removeprefix("- ").strip()
            text = ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)
            words = re.findall(r"\w+", text.lower())
            if words:
                found[" ".join(fold_tokens(text, words))] = block.get("intent", "")
    return found


def test_no_held_out_question_is_a_training_example() -> None:
    training: dict[str, str] = {}
    for path in sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml")):
        training.update(_examples(path))
    held_out = {}
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        held_out.update(_examples(path))
    assert len(training) > 4000 and len(held_out) >= 300
    leaked = sorted(text for text in held_out if text in training)
    assert leaked == [], f"held-out questions also in the training data: {leaked}"


def test_no_word_is_a_synonym_of_two_values() -> None:
    """Rasa's synonym mapper is global and case-blind: "Russian" labelled as the country
    and "russian" as the language made "do you speak russian" switch to the value of
    whichever example came last."""
    from rasa.shared.nlu.training_data.loading import load_data

    values: dict[str, set[str]] = {}
    for example in load_data(str(ROOT / "bot" / "data" / "nlu")).training_examples:
        text = example.get("text")
        for entity in example.get("entities") or []:
            said = text[entity["start"] : entity["end"]].lower()
            if said != str(entity["value"]).lower():
                values.setdefault(said, set()).add(str(entity["value"]))
    assert values, "no synonym found: the check reads nothing"
    clashes = {said: sorted(v) for said, v in values.items() if len(v) > 1}
    assert clashes == {}
