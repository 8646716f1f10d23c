"""`workbench scan text`: JSON lines in, one JSON line of findings out per input line, in order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbench.cli.main import main

LINES: list[dict[str, object]] = [
    {"id": 1, "text": "SSN 999-17-5017, seen by Dr. Okafor on 3/4/2021."},
    {"id": "two", "text": ""},
    {"id": None, "text": "Nothing here."},
    {"id": {"nested": [1, 2]}, "text": "HIS WIFE MARY CALLED 508-222-5200"},
    {"text": "no id: call 508-222-5200"},
]


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, *flags: str
) -> tuple[int, list, str]:
    source = tmp_path / "in.jsonl"
    source.write_bytes(body)
    code = main(["scan", "text", "--jsonl", str(source), *flags])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def _jsonl(records: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


@pytest.mark.parametrize("flags", [(), ("--fast",)])
def test_one_output_line_per_input_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    code, out, err = _run(tmp_path, capsys, _jsonl(LINES), *flags)
    assert (code, err) == (0, "")
    assert [line["id"] for line in out] == [1, "two", None, {"nested": [1, 2]}, None]
    first = LINES[0]["text"]
    assert isinstance(first, str)
    assert [(first[f["start"] : f["end"]], f["kind"]) for f in out[0]["findings"]] == [
        ("999-17-5017", "SSN"),
        ("Okafor", "NAME"),
        ("3/4/2021", "DATE"),
    ]
    assert out[1]["findings"] == [] and out[2]["findings"] == []
    for line in out:
        assert set(line) == {"id", "findings"}
        starts = [f["start"] for f in line["findings"]]
        assert starts == sorted(starts)
        for finding in line["findings"]:
            assert set(finding) == {"start", "end", "kind", "score"}
            assert 0 <= finding["start"] < finding["end"] and 0.0 <= finding["score"] <= 1.0


def test_offsets_are_code_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Zoë 🙂 Ünïcode — SSN 999-17-5017"
    _code, out, _err = _run(tmp_path, capsys, _jsonl([{"id": 1, "text": text}]), "--fast")
    (finding,) = out[0]["findings"]
    assert text[finding["start"] : finding["end"]] == "999-17-5017"


# (file body, exit code, how many lines were answered, the message's start): a bad line anywhere
# means no output at all, so that nothing downstream reads a half-written result.
OK = b'{"id": 1, "text": "ok"}\n'
BAD = [
    (OK + b"not json\n" + OK, 1, 0, "workbench: Line 2 is not valid JSON"),
    (OK + OK + b'{"id": 3, "text": 7}\n', 1, 0, 'workbench: Line 3 has no "text" string'),
    (OK + OK + OK + b"{oops}\n", 1, 0, "workbench: Line 4 is not valid JSON"),
    (OK + b'{"id": 2, "text": "x"}\n', 0, 2, ""),
    (b'{"id": 1, "text": 5}\n', 1, 0, 'workbench: Line 1 has no "text" string'),
    (b'["id", "text"]\n', 1, 0, 'workbench: Line 1 has no "text" string'),
    (b"\xff\xfe\x00garbage\x80\n", 1, 0, "workbench: Line 1 is not valid JSON"),
    # nesting deeper than the reader allows is a one-line error, not a RecursionError traceback
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", 1, 0, "workbench: Line 1 is nested too deeply"),
    (OK + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"\n", 1, 0, "workbench: Line 2 is nested too deeply"),
    (OK + b"[" * 200 + b"]" * 200 + b"\n", 1, 0, 'workbench: Line 2 has no "text" string'),
    # NaN and Infinity are not JSON, whatever Python's json module accepts
    (b'{"id": NaN, "text": "x"}\n', 1, 0, "workbench: Line 1 is not valid JSON"),
    (OK + b'{"id": -Infinity, "text": "x"}\n', 1, 0, "workbench: Line 2 is not valid JSON"),
    (b'{"id": [Infinity], "text": "x"}\n', 1, 0, "workbench: Line 1 is not valid JSON"),
    # a repeated key would silently echo one of two ids
    (OK + b'{"id": 1, "id": 2, "text": "x"}\n', 1, 0, "workbench: Line 2 repeats a key"),
    (b'{"id": {"a": 1, "a": 1}, "text": "x"}\n', 1, 0, "workbench: Line 1 repeats a key"),
    (b'{"id": 1, "text": "x", "text": "y"}\n', 1, 0, "workbench: Line 1 repeats a key"),
    (b'{"id": {"a": 1, "A": 1}, "text": "x"}\n', 0, 1, ""),
    # a byte-order mark is skipped at the start of the input only
    (b"\xef\xbb\xbf" + OK, 0, 1, ""),
    (b"\xef\xbb\xbf", 0, 0, ""),
    (OK + b"\xef\xbb\xbf" + OK, 1, 0, "workbench: Line 2 is not valid JSON"),
    (b"\xef\xbb\xbf\xef\xbb\xbf" + OK, 1, 0, "workbench: Line 1 is not valid JSON"),
    # a blank line would break the one-answer-per-line mapping; one final newline is optional
    (OK + b"\n" + OK, 1, 0, "workbench: Line 2 is empty: remove blank lines"),
    (OK + b"\n", 1, 0, "workbench: Line 2 is empty"),
    (OK + b" \t\r\n" + OK, 1, 0, "workbench: Line 2 is empty"),
    (b"\n\n\n", 1, 0, "workbench: Line 1 is empty"),
    (b"\xef\xbb\xbf\n", 1, 0, "workbench: Line 1 is empty"),
    (OK + OK.rstrip(), 0, 2, ""),
    (OK.replace(b"\n", b"\r\n") * 2, 0, 2, ""),
    (b"", 0, 0, ""),
    # invalid UTF-8 can be replaced in the text but not in an id that must be echoed unchanged
    (b'{"id": "a\xffb", "text": "x"}\n', 1, 0, "workbench: Line 1 has an id that is not valid UTF-8"),
    (b'{"id": {"k\xff": 1}, "text": "x"}\n', 1, 0, "workbench: Line 1 has an id that is not valid UTF-8"),
    (b'{"id": "a\xef\xbf\xbdb", "text": "x \xff"}\n', 0, 1, ""),
]


@pytest.mark.parametrize(("body", "code", "answered", "message"), BAD)
def test_bad_lines_stop_the_run_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, code: int, answered: int, message: str
) -> None:
    got, out, err = _run(tmp_path, capsys, body, "--fast")
    assert (got, len(out)) == (code, answered)
    assert err.startswith(message) and err.count("\n") == (1 if message else 0)
    assert "garbage" not in err and "not json" not in err and "oops" not in err  # content never echoed


def _ids_of(body: bytes) -> list[object]:
    """The ids of JSON lines as Python's json reads them, numbers kept as their text (no int limit)."""
    lines = [line for line in body.decode().split("\n") if line]  # by "\n" only, as JSON lines are
    return [json.loads(line, parse_int=str, parse_float=str).get("id") for line in lines]


DIGITS = "9" * 5000
# (body, each output line's id exactly as written): the id is echoed as written, numbers keep their
# spelling, and output is ASCII so a lone surrogate or a Unicode line break is a \u escape.
ECHOED = [
    (
        b'{"id":"ok","text":"SSN 123-45-6789"}\n{"id":"\\ud800","text":"x"}\n',
        ['"ok"', '"\\ud800"'],
    ),
    (b'{"id": 1E2, "text": "x"}\n', ["1E2"]),
    (
        b'{"id": 0.1000000000000000055511151231257827, "text": "x"}\n',
        ["0.1000000000000000055511151231257827"],
    ),
    (b'{"id": ' + DIGITS.encode() + b', "text": "x"}\n', [DIGITS]),
    (b'{"id": -' + DIGITS.encode() + b"e-2, " + b'"text": "x"}\n', ["-" + DIGITS + "e-2"]),
    (b'{"id": 1e400, "text": "x"}\n', ["1e400"]),  # valid JSON (RFC 8259); echoed, never `Infinity`
    (b'{"id": [1.50, -0, 2], "text": "x"}\n', ["[1.50, -0, 2]"]),
    ('{"id": "a\u2028b\u2029c\x85d", "text": "x"}\n'.encode(), ['"a\\u2028b\\u2029c\\u0085d"']),
    ('{"id": {"\u2028": "é"}, "text": "x\u2029"}\n'.encode(), ['{"\\u2028": "\\u00e9"}']),
    (b'{"id": "\\udc80\\ud83d\\ude42", "text": "x"}\n', ['"\\udc80\\ud83d\\ude42"']),
    (b'{"id": [[[{"a": [true, false, null]}]]], "text": "x"}\n', ['[[[{"a": [true, false, null]}]]]']),
    (b'{"id": ' + b"[" * 300 + b"]" * 300 + b', "text": "x"}\n', ["[" * 300 + "]" * 300]),
    (b'{"id": 7, "text": "x"}\n', ["7"]),
    (b'{"id": "plain", "text": "x"}\n', ['"plain"']),
    (b'{"text": "x"}\n', ["null"]),
]


@pytest.mark.parametrize(("body", "ids"), ECHOED)
def test_ids_are_echoed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, ids: list[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(body)
    assert main(["scan", "text", "--jsonl", str(source), "--fast"]) == 0
    out = capsys.readouterr().out
    assert out.isascii()
    lines = out.splitlines()  # splits on U+2028, U+2029 and U+0085 too: none may be raw in the output
    assert [line.removeprefix('{"id": ').split(', "findings": ')[0] for line in lines] == ids
    assert _ids_of(out.encode()) == _ids_of(body)  # parses back to the very same ids


@pytest.mark.parametrize(
    ("flags", "code", "answered", "message"),
    [
        (("--jsonl", "{file}", "--json"), 0, 1, ""),
        (("--json", "--jsonl", "{file}"), 0, 1, ""),
        (("--jsonl", "{file}", "--json", "--fast"), 0, 1, ""),
        (("--jso", "{file}"), 1, 0, "workbench: unrecognized arguments: --jso"),
        (("--jsonl", "{file}", "--fas"), 1, 0, "workbench: unrecognized arguments: --fas"),
        (("--jsonl", "{file}", "--jsonx"), 1, 0, "workbench: unrecognized arguments: --jsonx"),
    ],
)
def test_json_is_accepted_and_abbreviations_are_not(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    code: int,
    answered: int,
    message: str,
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "text": "SSN 999-17-5017"}\n')
    assert main(["scan", "text", *(f.format(file=source) for f in flags)]) == code
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == answered
    assert err.startswith(message) and err.count("\n") == (1 if message else 0)


def test_invalid_utf8_inside_a_json_string_is_replaced_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = b'{"id": 1, "text": "SSN 999-17-5017 \xff\xfe tail"}\n'
    code, out, _err = _run(tmp_path, capsys, body, "--fast")
    assert code == 0 and [f["kind"] for f in out[0]["findings"]] == ["SSN"]


def test_missing_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "text", "--jsonl", str(tmp_path / "nope.jsonl")]) == 1
    assert capsys.readouterr().err.startswith("workbench: Cannot read")


def test_reads_standard_input_when_no_file_is_given() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", "scan", "text", "--fast"],
        input=_jsonl(LINES[:1]),
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [f["kind"] for f in json.loads(result.stdout)["findings"]] == ["SSN", "NAME", "DATE"]


def test_a_large_line_of_binary_junk_gets_an_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = bytes(range(256)).decode("latin-1") * 4000 + " SSN 999-17-5017 " + "\x00" * 100_000
    code, out, _err = _run(tmp_path, capsys, _jsonl([{"id": 1, "text": junk}]))
    assert code == 0 and "SSN" in [f["kind"] for f in out[0]["findings"]]


def test_help_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "text", "--help"])
    assert "--fast" in capsys.readouterr().out


def test_a_bad_line_with_json_writes_nothing_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "x"}\nnot json\n', encoding="utf-8")
    code = main(["scan", "text", "--jsonl", str(source), "--fast", "--json"])
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (1, "", 1)
