"""The averaged intent classifier: DIET's ranking and the logistic regression's, weighted."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.averaged_intent_classifier import AveragedIntentClassifier
from components.folding_tokenizer import FoldingTokenizer

EXAMPLES = {
    "child_school": ["как записать в школу", "school for my son", "мектепке қалай жазылады"],
    "child_kindergarten": ["очередь в детский сад", "kindergarten queue", "балабақша кезегі"],
    "health_emergency": ["вызвать скорую", "call an ambulance", "жедел жәрдем шақыру"],
}
# What DIET set on the message before this component runs: sure of the kindergarten.
DIET_RANKING = [
    {"name": "child_kindergarten", "confidence": 0.7},
    {"name": "child_school", "confidence": 0.2},
    {"name": "health_emergency", "confidence": 0.1},
]


def _featurized(messages: list[Message], vectorizer: CountVectorsFeaturizer) -> list[Message]:
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    tokenizer.process(messages)
    return vectorizer.process(messages)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, CountVectorsFeaturizer]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    data = TrainingData(
        [
            Message({TEXT: text, INTENT: intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    tokenizer.process_training_data(data)
    vectorizer = CountVectorsFeaturizer.create(
        {
            **CountVectorsFeaturizer.get_default_config(),
            "analyzer": "char_wb",
            "min_ngram": 2,
            "max_ngram": 4,
        },
        storage,
        Resource("vectors"),
        context,
    )
    vectorizer.train(data)
    vectorizer.process_training_data(data)
    classifiers = {}
    for weight in (0.0, 0.5, 1.0):
        config = {**AveragedIntentClassifier.get_default_config(), "weight": weight}
        classifier = AveragedIntentClassifier.create(
            config, storage, Resource(f"averaged-{weight}"), context
        )
        classifier.train(data)
        classifiers[weight] = AveragedIntentClassifier.load(
            config, storage, Resource(f"averaged-{weight}"), context
        )
    plain = LogisticRegressionClassifier.create(
        LogisticRegressionClassifier.get_default_config(), storage, Resource("plain"), context
    )
    plain.train(data)
    classifiers["plain"] = plain
    return classifiers, vectorizer


def _rank(classifier: LogisticRegressionClassifier, vectorizer, text: str) -> list[dict]:
    [message] = _featurized([Message({TEXT: text})], vectorizer)
    message.set(INTENT_RANKING_KEY, [dict(i) for i in DIET_RANKING])
    classifier.process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT) == ranking[0]
    return ranking


def _as_dict(ranking: list[dict]) -> dict[str, float]:
    return {i["name"]: i["confidence"] for i in ranking}


def test_weight_one_is_the_logistic_regression_alone(trained) -> None:
    classifiers, vectorizer = trained
    averaged = _as_dict(_rank(classifiers[1.0], vectorizer, "school for my daughter"))
    plain = _as_dict(_rank(classifiers["plain"], vectorizer, "school for my daughter"))
    assert averaged == pytest.approx(plain)
    assert max(averaged, key=averaged.get) == "child_school"


def test_weight_zero_keeps_diets_ranking(trained) -> None:
    classifiers, vectorizer = trained
    ranking = _rank(classifiers[0.0], vectorizer, "school for my daughter")
    assert _as_dict(ranking) == pytest.approx(_as_dict(DIET_RANKING))
    assert [i["name"] for i in ranking] == [i["name"] for i in DIET_RANKING]


def test_half_and_half_is_the_mean_of_both(trained) -> None:
    classifiers, vectorizer = trained
    text = "school for my daughter"
    plain = _as_dict(_rank(classifiers["plain"], vectorizer, text))
    averaged = _rank(classifiers[0.5], vectorizer, text)
    diet = _as_dict(DIET_RANKING)
    assert _as_dict(averaged) == pytest.approx(
        {name: (plain[name] + diet[name]) / 2 for name in EXAMPLES}
    )
    assert [i["confidence"] for i in averaged] == sorted(
        (i["confidence"] for i in averaged), reverse=True
    )
    assert sum(i["confidence"] for i in averaged) == pytest.approx(1.0)


def test_a_message_without_diets_ranking_gets_half_the_regression(trained) -> None:
    classifiers, vectorizer = trained
    [message] = _featurized([Message({TEXT: "скорая"})], vectorizer)
    classifiers[0.5].process([message])
    plain = _as_dict(_rank(classifiers["plain"], vectorizer, "скорая"))
    assert _as_dict(message.get(INTENT_RANKING_KEY)) == pytest.approx(
        {name: p / 2 for name, p in plain.items()}
    )
