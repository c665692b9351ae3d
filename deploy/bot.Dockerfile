# The Rasa bot and its action server (Python 3.10, requirements/bot.lock): one image, two
# commands (docker-compose.yml). The model is trained at build time, so an image is one
# exact model. Build from the repository root: docker build -f deploy/bot.Dockerfile .

FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app/bot TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    RASA_TELEMETRY_ENABLED=false MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app
COPY requirements/bot.lock requirements/bot.lock
RUN pip install --no-deps -r requirements/bot.lock
# The repository's own packages (the folding table; the catalogs and the build of the bot's
# texts): the lock file holds their dependencies.
COPY packages packages
RUN pip install --no-deps ./packages/textfold ./packages/catalogs
COPY bot bot
COPY knowledge knowledge
COPY locales locales
COPY deploy/every-day.sh deploy/
# bot/domain/responses.yml and bot/channels/texts.built.yml, as `make responses` builds them.
RUN python -m catalogs.build
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
