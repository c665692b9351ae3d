#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed: the model file is named by a
# digest of config, domain, training data and the custom components (the safety
# lexicon is read at run time, so editing it needs no retraining).
set -euo pipefail
cd "$(dirname "$0")/../bot"
# The emergency detector's classifier (bot/safety/classifier.py) learns from its own data;
# built first (the Rasa server loads it at start, and so does the training graph), and
# only when its data changed: it is named by a digest of it.
PYTHONPATH=. ../.venv-bot/bin/python -m safety.classifier >/tmp/ana-komek-classifier.log 2>&1 \
  || { tail -20 /tmp/ana-komek-classifier.log; exit 1; }
# The folding tokenizer reads her language with common/language.py and its markers, and
# folds with packages/textfold: Rasa's cache sees neither, so they count here.
inputs=$(find config.yml domain data components common/language.py common/language_markers.yml \
  ../packages/textfold/textfold \
  -type f \( -name '*.yml' -o -name '*.py' \) | sort)
digest=$(cat $inputs | sha256sum | cut -c1-16)
model="models/ana-komek-$digest.tar.gz"
if [ -f "$model" ]; then
  echo "[train] model is current: bot/$model"
else
  echo "[train] inputs changed; training bot/$model (a few minutes on 2 cores)"
  start=$(date +%s)
  PYTHONPATH=. ../.venv-bot/bin/rasa train --quiet --domain domain --data data \
    --out models --fixed-model-name "ana-komek-$digest" >/tmp/ana-komek-train.log 2>&1 \
    || { tail -40 /tmp/ana-komek-train.log; exit 1; }
  seconds=$(( $(date +%s) - start ))
  echo "[train] trained in $seconds s"
  # The benchmark reports this: how long training took on this machine.
  echo "{\"seconds\": $seconds, \"date\": \"$(date -u +%FT%TZ)\"}" > "models/ana-komek-$digest.train.json"
  # Keep the current model and the one before it.
  for old in $(ls -t models/ana-komek-*.tar.gz | tail -n +3); do rm -f -- "$old" "${old%.tar.gz}.train.json"; done
fi
ln -sf "ana-komek-$digest.tar.gz" models/current.tar.gz
