"""Fixtures of the frontend tests."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture
def furcate_log():
    """``furcate_log(topic, level=logging.INFO)`` starts collecting the messages logged on the
    furcate topic ``topic`` (``logging.getLogger("furcate." + topic)``) at ``level`` or above, and
    returns the list they are appended to. Handlers and logger levels are restored after the test."""
    added = []

    def start(topic: str, level: int = logging.INFO) -> list[str]:
        logger = logging.getLogger(f"furcate.{topic}")
        messages: list[str] = []
        handler = logging.Handler(level)
        handler.emit = lambda record: messages.append(record.getMessage())
        added.append((logger, handler, logger.level))
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
        return messages

    yield start
    for logger, handler, level in reversed(added):
        logger.removeHandler(handler)
        logger.setLevel(level)
