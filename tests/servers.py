"""Do the PostgreSQL and Redis servers of the production configuration answer here?

Used by the test fixtures (skip with the reason, or fail in CI) and by
scripts/test.sh (`python tests/servers.py`: exit 0 if both answer, else print why).
"""
from __future__ import annotations

import os
import sys

POSTGRES_ADMIN_URL = os.environ.get("PHARE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("PHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def postgres_reason() -> str | None:
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(POSTGRES_ADMIN_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not available here"
        return f"PostgreSQL does not answer at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"


def redis_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2).ping()
        return None
    except Exception as exc:
        return f"Redis does not answer at {REDIS_TEST_URL}: {exc.__class__.__name__}"


if __name__ == "__main__":
    reasons = [r for r in (postgres_reason(), redis_reason()) if r]
    print("; ".join(reasons) or "PostgreSQL and Redis answer")
    sys.exit(1 if reasons else 0)
