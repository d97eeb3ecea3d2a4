# syntax=docker/dockerfile:1

# Builder: the runtime dependencies from pyproject.toml, in a venv that the final
# image copies whole. Only pyproject.toml is copied first, so code changes reuse this layer.
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY pyproject.toml /tmp/pyproject.toml
# Only the dependencies are installed, with uvicorn (the faster server the README
# describes): the project itself is not a package (`packages = []`).
RUN python -c 'import tomllib; p = tomllib.load(open("/tmp/pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["uvicorn"]))' \
        > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    SQLITE_PATH=/app/data/db.sqlite3
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The code stays owned by root, so the app cannot rewrite itself; only data/ is writable
# (the SQLite file, when no DATABASE_URL is given).
COPY . .
# The settings refuse to load with DEBUG off and no SECRET_KEY. This key exists only for
# this build step (collectstatic signs nothing) and is not kept in the image's environment.
RUN SECRET_KEY=collectstatic-build-step-only python manage.py collectstatic --noinput \
    && mkdir data && chown app:app data
USER 10001:10001
EXPOSE 8000
# Set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL when running the image.
# --websocket_timeout -1: daphne would otherwise close every socket after a day (wall
# displays stay connected for weeks; they would reconnect, but need not).
# For uvicorn instead: uvicorn --lifespan off --host 0.0.0.0 --port 8000 --workers 2 config.asgi:application
CMD ["daphne", "--websocket_timeout", "-1", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
