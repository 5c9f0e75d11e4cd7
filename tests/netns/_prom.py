# SPDX-License-Identifier: GPL-2.0-or-later
# _prom.py - a strict parser of the Prometheus text exposition format (0.0.4), for the web
# scenarios: python3 _prom.py < metrics.txt > samples.json
#
# Refuses (exit 1, one line on stderr) anything a careful scraper could trip on: a sample
# before its family's TYPE, HELP/TYPE twice, a family split in two runs, an unknown type, a
# counter not named *_total, bad metric or label names, bad escapes or unterminated label
# values, duplicate label names, the same series twice, a value that is not a number, stray
# whitespace, a missing final newline. Prints {"series": value} with the series written
# name{label="value",...} in label-name order, values escaped as in the input.
import json
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def die(lineno, msg, line=""):
    sys.stderr.write(f"line {lineno}: {msg}: {line[:200]!r}\n")
    sys.exit(1)


def parse_labels(s, lineno, line):
    """s starts after '{'; returns (labels dict, rest after '}')"""
    labels = {}
    i = 0
    while True:
        if s[i:i + 1] == "}":
            return labels, s[i + 1:]
        m = LABEL.match(s, i)
        if not m:
            die(lineno, "bad label name", line)
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            die(lineno, "label name not followed by =\"", line)
        i += 2
        val = []
        while True:
            if i >= len(s):
                die(lineno, "unterminated label value", line)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    die(lineno, "bad escape in a label value", line)
                val.append("\\" + nxt)
                i += 2
                continue
            if c == '"':
                i += 1
                break
            if c == "\n":
                die(lineno, "raw newline in a label value", line)
            val.append(c)
            i += 1
        if name in labels:
            die(lineno, f"label {name} twice", line)
        labels[name] = "".join(val)
        if s[i:i + 1] == ",":
            i += 1
        elif s[i:i + 1] != "}":
            die(lineno, "expected , or } after a label", line)


def main():
    text = sys.stdin.read()
    if not text.endswith("\n"):
        die(0, "no final newline")
    helps, types, done, series = {}, {}, set(), {}
    current = None
    for lineno, line in enumerate(text[:-1].split("\n"), 1):
        if line == "" or line != line.strip():
            die(lineno, "empty line or stray whitespace", line)
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) < 3 or parts[0] != "#" or parts[1] not in ("HELP", "TYPE"):
                die(lineno, "comment that is neither HELP nor TYPE", line)
            name = parts[2]
            if not NAME.fullmatch(name):
                die(lineno, "bad metric name", line)
            if name in done or (current and name != current and name in types):
                die(lineno, "family declared again", line)
            if current and name != current:
                done.add(current)
            current = name
            table = helps if parts[1] == "HELP" else types
            if name in table:
                die(lineno, f"{parts[1]} twice", line)
            if len(parts) < 4 or not parts[3]:
                die(lineno, f"empty {parts[1]}", line)
            if parts[1] == "TYPE":
                if parts[3] not in TYPES:
                    die(lineno, "unknown type", line)
                types[name] = parts[3]
            else:
                helps[name] = parts[3]
            continue
        m = NAME.match(line)
        if not m:
            die(lineno, "bad metric name", line)
        name = m.group(0)
        if name != current or name not in types:
            die(lineno, "sample outside its family, or before its TYPE", line)
        if name not in helps:
            die(lineno, "family without HELP", line)
        if types[name] == "counter" and not name.endswith("_total"):
            die(lineno, "counter not named *_total", line)
        rest = line[m.end():]
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(rest[1:], lineno, line)
        if not rest.startswith(" "):
            die(lineno, "no space before the value", line)
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2):
            die(lineno, "expected a value and an optional timestamp", line)
        try:
            value = float(fields[0])
        except ValueError:
            die(lineno, "value is not a number", line)
        if types[name] == "counter" and value < 0:
            die(lineno, "negative counter", line)
        key = name + "{" + ",".join(f'{k}="{labels[k]}"' for k in sorted(labels)) + "}"
        if key in series:
            die(lineno, "series twice", line)
        series[key] = value
    json.dump(series, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


main()
