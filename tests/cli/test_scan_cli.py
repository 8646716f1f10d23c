"""`workbench scan text`: JSON lines in, one JSON line of findings out per input line, in order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbench.cli.main import main

LINES = [
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
    code, out, err = _run(tmp_path, capsys, _jsonl(LINES) + b"\n\n", *flags)
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
BAD = [
    (
        b'{"id": 1, "text": "ok"}\nnot json\n{"id": 3, "text": "x"}\n',
        1,
        0,
        "workbench: Line 2 is not valid JSON",
    ),
    (
        b'{"id": 1, "text": "SSN 999-17-5017"}\n{"id": 2, "text": "ok"}\n{"id": 3, "text": 7}\n',
        1,
        0,
        'workbench: Line 3 has no "text" string',
    ),
    (
        b'{"id": 1, "text": "ok"}\n\n{"id": 2, "text": "x"}\n{oops}\n',
        1,
        0,
        "workbench: Line 4 is not valid JSON",
    ),
    (b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "x"}\n', 0, 2, ""),
    (b'{"id": 1, "text": 5}\n', 1, 0, 'workbench: Line 1 has no "text" string'),
    (b'["id", "text"]\n', 1, 0, 'workbench: Line 1 has no "text" string'),
    (b"\xff\xfe\x00garbage\x80\n", 1, 0, "workbench: Line 1 is not valid JSON"),
    (b"", 0, 0, ""),
    (b"\n\n\n", 0, 0, ""),
]


@pytest.mark.parametrize(("body", "code", "answered", "message"), BAD)
def test_bad_lines_stop_the_run_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, code: int, answered: int, message: str
) -> None:
    got, out, err = _run(tmp_path, capsys, body, "--fast")
    assert (got, len(out)) == (code, answered)
    assert err.startswith(message) and err.count("\n") == (1 if message else 0)
    assert "garbage" not in err and "not json" not in err and "oops" not in err  # content never echoed


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
