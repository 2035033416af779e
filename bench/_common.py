"""Shared by the bench scripts: every figure is measured on one core."""

from __future__ import annotations

import os


def pin_one_core() -> str:
    """Pin this process to the lowest CPU it may use; say what was done."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"
