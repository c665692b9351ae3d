"""The baseline of the HTTP benchmark: a bare FastAPI app with one hello-world endpoint,
served by the same uvicorn settings as the API (tests/bench/test_search_bench.py)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
