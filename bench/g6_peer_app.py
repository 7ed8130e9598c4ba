"""The G6 peer: a bare FastAPI app returning pre-built portfolio models with ``response_model``.

It serves the same path and the same body as brokerhub's portfolio endpoint: the models are
built once at start from the JSON file named by ``BENCH_G6_PORTFOLIO`` (the hub's own response)
and returned as they are, with no auth, no middleware and no database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI

from brokerhub.api.schemas.portfolio import PortfolioResponse

PORTFOLIO = PortfolioResponse.model_validate(
    json.loads(Path(os.environ["BENCH_G6_PORTFOLIO"]).read_text())
)

app = FastAPI()


@app.get(
    "/brokerage_integrations/brokerages/accounts/{account_id}/portfolio/",
    response_model=PortfolioResponse,
)
async def portfolio(account_id: str) -> PortfolioResponse:
    """Return the pre-built portfolio."""
    return PORTFOLIO
