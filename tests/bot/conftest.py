from __future__ import annotations

import pytest

from supportdesk.services import Services
from tests.search.articles import HelpCenter, add_help_center


@pytest.fixture
async def help_center(services: Services) -> HelpCenter:
    return await add_help_center(services.db)
