"""Writes a CSV table `text,label` with Python's csv module (RFC 4180 quoting: fields with commas, quotes or
newlines are quoted, quotes doubled), so the bench's tables come from a real CSV writer.

Reads JSON lines from stdin, each a two-item array [text, label], and writes them to OUT (a header first).
Used by bench/text-corpus.ts, which streams the rows in:   python3 bench/text-csv.py OUT < rows.jsonl
"""
import csv, json, sys

with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)  # the default dialect 'excel': ',' and '"', QUOTE_MINIMAL, lines ending in \r\n
    w.writerow(["text", "label"])
    for line in sys.stdin:
        text, label = json.loads(line)
        w.writerow([text, label])
