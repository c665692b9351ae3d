#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed: the model file is named by a
# digest of config, domain, training data and the custom components.
set -euo pipefail
cd "$(dirname "$0")/../bot"
inputs=$(find config.yml domain data components safety -type f \( -name '*.yml' -o -name '*.py' \) | sort)
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
  echo "[train] trained in $(( $(date +%s) - start )) s"
  # Keep the current model and the one before it.
  ls -t models/ana-komek-*.tar.gz | tail -n +3 | xargs -r rm --
fi
ln -sf "ana-komek-$digest.tar.gz" models/current.tar.gz
