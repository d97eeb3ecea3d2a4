"""deploy/kubernetes/, with no cluster: every manifest against the Kubernetes schemas
(kubernetes-validate bundles them, so this runs offline), strictly (an unknown field
is an error), and the parts that must agree with each other and with the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from ops.middleware import ENDPOINTS
from tests.ops.deploy_files import BASE_DIR, compose

MANIFESTS = sorted((BASE_DIR / "deploy" / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.30.0"


def documents() -> dict[str, dict[str, Any]]:
    """Every resource, by kind."""
    return {
        doc["kind"]: doc
        for path in MANIFESTS
        for doc in yaml.safe_load_all(path.read_text())
        if doc is not None
    }


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_is_valid_against_the_schema(path: Path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_can_fail():
    deployment = documents()["Deployment"]
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_part_the_issue_names_is_there():
    assert set(documents()) == {
        "ConfigMap",
        "Deployment",
        "Ingress",
        "Job",
        "PodDisruptionBudget",
        "Secret",
        "Service",
    }


def test_probes_ask_the_apps_endpoints():
    (web,) = documents()["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"/healthz", "/readyz"} <= set(ENDPOINTS)


def test_service_and_budget_select_the_deployments_pods():
    docs = documents()
    pod_labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    selectors = [
        docs["Service"]["spec"]["selector"],
        docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
        docs["Deployment"]["spec"]["selector"]["matchLabels"],
    ]
    for selector in selectors:
        assert selector.items() <= pod_labels.items()
    backend = docs["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == docs["Service"]["metadata"]["name"]


def test_workers_and_migration_run_what_compose_runs_with_the_same_settings():
    docs = documents()
    (web,) = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    (migrate,) = docs["Job"]["spec"]["template"]["spec"]["containers"]
    services = compose()["services"]
    assert web["command"] == services["web1"]["command"]
    assert migrate["command"] == services["migrate"]["command"]
    configured = set(docs["ConfigMap"]["data"]) | set(docs["Secret"]["stringData"])
    compose_env = set(services["web1"]["environment"]) - {"SECURE_SSL_REDIRECT"}
    assert compose_env <= configured
    annotations = docs["Ingress"]["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
