# syntax=docker/dockerfile:1
# The hub as a container image: the wheel is built from the source in one stage and
# installed, without the embedded database, in a slim one. Run it against a MongoDB
# replica set (HUB_MONGODB_URI); compose.yaml and docs/deployment.md show how.

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.6.1
# .dockerignore lets in only what the wheel is built from (and constraints.txt).
COPY . .
# The pins that installs use, when the repository has them; an empty file pins nothing.
RUN python -m build --wheel --outdir /dist \
    && if [ -f constraints.txt ]; then cp constraints.txt /dist/; else touch /dist/constraints.txt; fi

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    HUB_DATA_DIR=/data
RUN --mount=type=bind,from=build,source=/dist,target=/dist \
    pip install --no-cache-dir --constraint /dist/constraints.txt /dist/*.whl
# The data folder holds the erasure ledger file (back it up, see docs/deployment.md).
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /data --no-create-home hub \
    && mkdir /data && chown hub:hub /data
WORKDIR /data
USER 10001:10001
EXPOSE 8000
# Ready once the database answers (an unreachable one takes HUB_DB_TIMEOUT_MS, 5 s, to
# answer 503); slim images have no curl, so Python asks.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=10)"]
CMD ["feedback-hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
