# The Rasa bot and its action server (Python 3.10, requirements/bot.lock): one image, two
# commands (docker-compose.yml). The model is trained at build time, so an image is one
# exact model. Build from the repository root: docker build -f deploy/bot.Dockerfile .

# Stage 1: bot/domain/responses.yml is generated from bot/responses.yml and the catalogs
# by the API's tooling (make responses).
FROM python:3.11-slim-bookworm AS responses
ENV PIP_NO_CACHE_DIR=1 PYTHONPATH=/app/api
WORKDIR /app
COPY requirements/api.lock requirements/api.lock
RUN pip install --no-deps -r requirements/api.lock
COPY api api
COPY bot bot
COPY locales locales
COPY knowledge knowledge
RUN python -m app.i18n.build_responses

# Stage 2: Rasa, the action server, and the trained model.
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app/bot TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    RASA_TELEMETRY_ENABLED=false MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app
COPY requirements/bot.lock requirements/bot.lock
RUN pip install --no-deps -r requirements/bot.lock
COPY bot bot
COPY knowledge knowledge
COPY locales locales
COPY deploy/every-day.sh deploy/
COPY --from=responses /app/bot/domain/responses.yml bot/domain/responses.yml
WORKDIR /app/bot
RUN rasa train --quiet --domain domain --data data --out models --fixed-model-name current \
    && python -m safety.classifier \
    && rm -rf .rasa /tmp/*

RUN useradd --system --uid 10001 --home-dir /app/bot ana && chown -R ana /app/bot
USER ana
EXPOSE 5005 5055
# rasa-1/rasa-2 and actions override the command; this is the Rasa server.
CMD ["rasa", "run", "--model", "models/current.tar.gz", "--endpoints", "endpoints.production.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
