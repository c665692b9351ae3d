# The knowledge API, staff console and widget host (Python 3.11, requirements/api.lock).
# Build from the repository root: docker build -f deploy/api.Dockerfile .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app/api ENVIRONMENT=production
WORKDIR /app

# The lock file pins every package (uv pip compile): install exactly it, nothing resolved.
COPY requirements/api.lock requirements/api.lock
RUN pip install --no-deps -r requirements/api.lock
# The repository's own packages: the folding table of the search, the catalog reader.
COPY packages packages
RUN pip install --no-deps ./packages/textfold ./packages/catalogs

COPY api api
COPY knowledge knowledge
COPY locales locales
COPY deploy/api-prestart.sh deploy/every-day.sh deploy/

RUN useradd --system --uid 10001 --home-dir /app ana && chown -R ana /app/api
USER ana
WORKDIR /app/api
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Migrate and sync the knowledge first (deploy/api-prestart.sh), then serve.
CMD ["sh", "-c", "sh /app/deploy/api-prestart.sh && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers --forwarded-allow-ips='*' --no-access-log"]
