"""docker-compose.yml, read as Compose would (no Docker engine here): a one-shot
migration, two workers behind the proxy, health checks and restart policies."""

from __future__ import annotations

from tests.ops.deploy_files import compose


def test_migrate_runs_once_before_the_workers():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for worker in ("web1", "web2"):
        depends = services[worker]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["postgres"] == depends["redis"] == {"condition": "service_healthy"}


def test_every_long_running_service_has_a_health_check_and_restarts():
    services = compose()["services"]
    for name in ("web1", "web2", "proxy", "postgres", "redis"):
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["web1"]["healthcheck"]["test"])


def test_only_the_proxy_is_published_with_the_repo_config():
    services = compose()["services"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]
    assert set(services["proxy"]["depends_on"]) == {"web1", "web2"}


def test_workers_run_uvicorn_from_the_image_with_production_settings():
    services = compose()["services"]
    web = services["web1"]
    assert web["command"][0] == "uvicorn"
    assert web["image"] == services["migrate"]["image"] and web["build"] == "."
    env = web["environment"]
    assert env["DEBUG"] == "0" and env["LOG_FORMAT"] == "json"
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
