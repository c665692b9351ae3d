"""Choose the logistic regression's share in the averaged intent classifier by cross-validation.

    .venv-bot/bin/python scripts/tune_intent_weight.py [--folds 3] [--out DIR]

Splits the training data (bot/data/nlu) into stratified folds with a fixed seed. For each
fold it trains two NLU models on the other folds with bot/config.yml's featurizers: one
with DIET alone, one with the logistic regression alone, and keeps both models' full
intent rankings for every example of the fold. The averaged classifier's decision for any
weight is then the argmax of `weight * LR + (1 - weight) * DIET`, so one run scores every
weight from 0 (DIET alone) to 1 (LR alone). The held-out sets are not read.

Prints accuracy per language and weight, and writes the rankings to DIR/rankings.json.
About 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml
from catalogs import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
sys.path.insert(0, str(BOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from eval_nlu import quiet_logs  # noqa: E402

AVERAGED = "components.averaged_intent_classifier.AveragedIntentClassifier"
# Components after the classifiers change the decision for reasons of their own
# (threshold, safety alarm); the weight is about the classifiers alone.
AFTER_CLASSIFIERS = {"FallbackClassifier", "components.safety_override.SafetyOverride"}
WEIGHTS = [round(0.1 * i, 1) for i in range(11)]


def configs() -> dict[str, dict]:
    """bot/config.yml's NLU pipeline as two configs: DIET alone, and the LR alone."""
    base = yaml.safe_load((BOT / "config.yml").read_text(encoding="utf-8"))
    pipeline = [c for c in base["pipeline"] if c["name"] not in AFTER_CLASSIFIERS]
    diet = [c for c in pipeline if c["name"] != AVERAGED]
    lr = []
    for component in pipeline:
        if component["name"] == "DIETClassifier":
            continue
        if component["name"] == AVERAGED:
            # Rasa's own class: the same model, with every intent in its ranking.
            component = {**component, "name": "LogisticRegressionClassifier", "ranking_length": 0}
            component.pop("weight", None)
        lr.append(component)
    keep = {k: v for k, v in base.items() if k not in ("pipeline", "policies")}
    return {
        "diet": {**copy.deepcopy(keep), "pipeline": diet},
        "lr": {**copy.deepcopy(keep), "pipeline": lr},
    }


def language_of_examples() -> dict[str, str]:
    """Example text -> the language of the file it comes from (kk.yml, ru.yml, en.yml)."""
    from rasa.shared.nlu.training_data.loading import load_data

    languages = {}
    for lang in LANGUAGES:
        for message in load_data(str(BOT / "data" / "nlu" / f"{lang}.yml")).intent_examples:
            languages[message.get("text")] = lang
    return languages


def ranking(parsed: dict) -> dict[str, float]:
    return {
        item["name"]: float(item["confidence"])
        for item in parsed.get("intent_ranking", [])
        if item["name"] != "nlu_fallback"
    }


async def run_fold(fold: int, train, test, work: Path) -> list[dict]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    train_file = work / f"fold{fold}.yml"
    train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
    rankings: dict[str, list[dict[str, float]]] = {}
    for name, config in configs().items():
        config_file = work / f"{name}.yml"
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        start = time.monotonic()
        model = train_nlu(
            config=str(config_file),
            nlu_data=str(train_file),
            output=str(work),
            fixed_model_name=f"fold{fold}-{name}",
        )
        print(f"fold {fold}: {name} trained in {time.monotonic() - start:.0f} s", file=sys.stderr)
        agent = Agent.load(model)
        rankings[name] = [
            ranking(await agent.parse_message(m.get("text"))) for m in test.intent_examples
        ]
    return [
        {"text": m.get("text"), "intent": m.get("intent"), "diet": d, "lr": r}
        for m, d, r in zip(test.intent_examples, rankings["diet"], rankings["lr"], strict=True)
    ]


def predict(row: dict, weight: float) -> str:
    names = set(row["diet"]) | set(row["lr"])
    return max(
        names, key=lambda n: weight * row["lr"].get(n, 0.0) + (1 - weight) * row["diet"].get(n, 0.0)
    )


def report(rows: list[dict], languages: dict[str, str]) -> None:
    print("weight  " + "  ".join(f"{lang:>6}" for lang in (*LANGUAGES, "all")))
    for weight in WEIGHTS:
        right: dict[str, list[bool]] = {lang: [] for lang in (*LANGUAGES, "all")}
        for row in rows:
            ok = predict(row, weight) == row["intent"]
            right["all"].append(ok)
            if row["text"] in languages:
                right[languages[row["text"]]].append(ok)
        cells = "  ".join(f"{sum(v) / len(v):6.3f}" for v in right.values())
        print(f"{weight:6.1f}  {cells}")


async def main_async(folds: int, out: Path) -> None:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    os.chdir(BOT)  # the custom components import as `components.*`
    data = load_data(str(BOT / "data" / "nlu"))
    examples = data.intent_examples
    labels = [m.get("intent") for m in examples]
    rows: list[dict] = []
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=1).split(examples, labels)
    with tempfile.TemporaryDirectory() as tmp:
        for fold, (train_index, test_index) in enumerate(splits):

            def subset(index):
                return TrainingData(
                    training_examples=[examples[i] for i in index],
                    entity_synonyms=data.entity_synonyms,
                    regex_features=data.regex_features,
                    lookup_tables=data.lookup_tables,
                )

            rows += await run_fold(fold, subset(train_index), subset(test_index), Path(tmp))
    out.mkdir(parents=True, exist_ok=True)
    (out / "rankings.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report(rows, language_of_examples())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tune-weight")
    args = parser.parse_args()
    quiet_logs()
    asyncio.run(main_async(args.folds, args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
