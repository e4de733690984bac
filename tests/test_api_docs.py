"""The interactive API reference works without any CDN: its assets are served by us."""

from __future__ import annotations

import re


async def test_api_docs_page_loads_its_assets_from_this_server(client):
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, page.text
    assert all(url.startswith("/static/vendor/swagger-ui/") for url in assets), assets
    for url in assets:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 100, url


async def test_openapi_document_lists_the_rest_api(client):
    document = (await client.get("/openapi.json")).json()
    assert document["info"]["title"] == "Supportdesk API"
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    assert "/api/v1/widget/session" in document["paths"]
