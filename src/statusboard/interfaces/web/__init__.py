"""The board: pages for people, served by `statusboard serve` beside /mcp (see docs/board.md)."""
