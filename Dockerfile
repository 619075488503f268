# syntax=docker/dockerfile:1
# Build a wheel in a throw-away stage, install it in a slim runtime stage.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
# With the postgres extra (asyncpg): the same image serves SQLite and several replicas on
# PostgreSQL (compose.yaml).
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
# Pillow's wheel shapes Persian text with its bundled libraqm and HarfBuzz, and loads
# FriBiDi from the system: without it the fluency map draws Persian letters unjoined.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libfribidi0 \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 \
    DOJOBOT_DATABASE_URL=sqlite:////data/dojobot.sqlite3 \
    DOJOBOT_METRICS_PORT=9090
# /data holds learners' data: the dojo user's only (a new named volume copies this mode;
# the bot creates its files there 0600).
RUN useradd --create-home --uid 10001 dojo \
    && mkdir /data \
    && chown dojo:dojo /data \
    && chmod 0700 /data
COPY --from=build /wheels /wheels
# Every wheel the build stage made: the bot, its dependencies and asyncpg.
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9090/healthz', timeout=4)"]
CMD ["dojobot", "run"]
