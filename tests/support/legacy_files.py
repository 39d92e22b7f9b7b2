"""Legacy `.project_status.md` files as people keep them by hand, for the migration tests."""

from __future__ import annotations

import random

PRIORITIES = ("High", "medium", "LOW")


def legacy_status_file(
    *, vendors: int = 45, deployments: int = 12, enhancements: int = 8, prompts: int = 25, seed: int = 5
) -> str:
    """A file in the seed's layout: short hashes, date-only deployment headers, ✓ / ✗, both
    quarter spellings, priorities in any case, blank lines here and there, and a stale count."""
    rng = random.Random(seed)
    lines = ["# Project Status", "", f"## Vendors ({vendors} total)"]
    for i in range(vendors):
        status = "operational" if i % 3 else "broken"
        passing, total = rng.randint(0, 10), 12
        skipped = rng.randint(0, total - passing)
        formats = ", ".join(name for name in ("Excel", "CSV", "PDF", "OCR") if rng.random() < 0.5)
        lines.append(f"- vendor_{i}: {status} ({passing}/{total} tests passed, {skipped} skipped) [{formats}] v1.{i}.0")
    lines += ["", f"## Deployments ({deployments} total)"]
    for i in range(deployments):
        day = 1 + i % 28
        lines += [
            f"### 2025-{10 + i // 28:02d}-{day:02d} - PR #{100 + i}",
            f"- Commit: {rng.getrandbits(28):07x}",
            f"- Vendors: vendor_{i % vendors}, vendor_{(i + 1) % vendors}",
            f"- Tests: {rng.randint(10, 90)} passed, {rng.randint(0, 2)} failed",
            f"- Constitutional Compliance: {'✓' if i % 5 else '✗'}",
            "",
        ]
    lines.append(f"## Future Enhancements ({enhancements + 1} total)")  # a stale header count
    for i in range(enhancements):
        quarter = f"Q{1 + i % 4} 2026" if i % 2 else f"2026-Q{1 + i % 4}"
        lines.append(f"- Enhancement {chr(65 + i % 26)}{i} (Priority: {PRIORITIES[i % 3]}, {quarter})")
    lines += ["", f"## Session Prompts ({prompts} total)"]
    for i in range(prompts):
        lines += [
            f"### Session 2025-10-{1 + i % 28:02d}",
            "---",
            f"session_id: sess_{i:03d}",
            f"token_budget: {rng.randint(1, 100) * 1000}",
            "schema_version: 1",
            "---",
            f"Prompt content {i}...",
            "",
        ]
    return "\n".join(lines) + "\n"
