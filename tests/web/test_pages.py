"""The pages' security headers, the widget's embedding rules and the UI strings endpoint."""

from __future__ import annotations

import pytest

from supportdesk.app import create_app
from supportdesk.config import ConfigError, load_settings
from tests.conftest import make_client

PAGES = ["/widget/frame", "/console", "/demo"]


def _directives(csp: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in csp.split("; ")}


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_runs_only_its_own_scripts(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = _directives(response.headers["content-security-policy"])
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # inline scripts would be refused by the CSP


async def test_console_and_demo_cannot_be_framed(client):
    for path in ("/console", "/demo"):
        csp = _directives((await client.get(path)).headers["content-security-policy"])
        assert csp["frame-ancestors"] == "'none'"


async def test_widget_frame_is_embeddable_by_the_desk_alone_by_default(client):
    csp = _directives((await client.get("/widget/frame")).headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'self'"


async def test_widget_frame_is_embeddable_by_the_configured_origins(tmp_path):
    settings = load_settings(
        env="test",
        data_dir=tmp_path,
        secret_key="k" * 48,
        widget_origins="https://www.example.com, https://app.example.com:8443",
    )
    app = create_app(settings, run_migrations=False)
    async with make_client(app) as http:
        response = await http.get("/widget/frame")
    csp = _directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'self' https://www.example.com https://app.example.com:8443"


@pytest.mark.parametrize(
    "value", ["www.example.com", "https://example.com/", "https://example.com/path", "ftp://x.y"]
)
def test_a_widget_origin_that_is_not_an_origin_is_refused_by_name(tmp_path, value):
    with pytest.raises(ConfigError, match="SUPPORTDESK_WIDGET_ORIGINS"):
        load_settings(env="test", data_dir=tmp_path, secret_key="k" * 48, widget_origins=value)


def test_any_origin_is_refused_in_production(tmp_path):
    with pytest.raises(ConfigError, match=r"WIDGET_ORIGINS=\*"):
        load_settings(env="production", data_dir=tmp_path, secret_key="k" * 48, widget_origins="*")


async def test_widget_loader_is_javascript(client):
    response = await client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "/widget/frame" in response.text


async def test_root_leads_to_the_demo(client):
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/demo"


async def test_a_production_desk_serves_no_demo_and_leads_to_the_console(tmp_path):
    settings = load_settings(env="production", data_dir=tmp_path, secret_key="k" * 48)
    app = create_app(settings, run_migrations=False)
    async with make_client(app) as http:
        demo = await http.get("/demo")
        root = await http.get("/", follow_redirects=False)
    assert demo.status_code == 404 and demo.json()["error"]["code"] == "not_found"
    assert root.headers["location"] == "/console"


@pytest.mark.parametrize(
    ("asked", "served"), [("zh-CN", "zh-Hans"), ("es-MX", "es"), ("fr", "en"), ("zh", "zh-Hans")]
)
async def test_ui_strings_come_in_the_best_matching_language(client, asked, served):
    response = await client.get(f"/api/v1/i18n/{asked}")
    assert response.status_code == 200
    body = response.json()
    assert body["locale"] == served
    english = (await client.get("/api/v1/i18n/en")).json()["messages"]
    assert set(body["messages"]) == set(english)


async def test_a_malformed_locale_is_a_clear_422(client):
    response = await client.get("/api/v1/i18n/not a locale")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
