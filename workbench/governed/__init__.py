"""The governed path: guard the statement, decide, rewrite with masks, execute, scan, record."""
