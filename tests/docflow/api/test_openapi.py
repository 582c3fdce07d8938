"""The OpenAPI description is complete (every route and method) and valid OpenAPI 3.1."""

from __future__ import annotations

import re

import pytest


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_route_is_documented_and_nothing_else(app, client) -> None:
    response = client.get("/api/v1/openapi.json")  # public: no token needed
    assert response.status_code == 200
    spec = response.get_json()
    documented = {
        (path, method) for path, ops in spec["paths"].items() for method in ops
    }
    assert _api_routes(app) == documented
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            names = set(re.findall(r"{(\w+)}", path))
            params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == params, (method, path)


def test_the_document_is_valid_openapi_3_1(client) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    validator.validate(spec)
