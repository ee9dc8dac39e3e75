"""Errors: ScenarioError carries file, field, line, column and the command line's message."""

import subprocess

import pytest

import borderflow

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib


def test_bad_toml_string_names_field_line_and_column(mm1):
    text = mm1.read_text().replace("days = 200", 'days = "many"')
    line = text.splitlines().index('days = "many"') + 1
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.run(text)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.file == "<string>"
    assert e.field == "simulation.days"
    assert (e.line, e.column) == (line, 8)
    assert str(e).startswith(f"error: <string>:{line}:8: simulation.days: ")


def test_syntax_error_has_a_position_and_no_field():
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.validate("[simulation]\nname = \n")
    e = info.value
    assert e.field is None and e.line == 2 and e.column is not None
    assert "not valid TOML" in str(e)


def test_bad_dict_names_the_field(mm1):
    d = tomllib.loads(mm1.read_text())
    d["checkpoints"][0]["stages"][0]["lanes"] = 0
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.run(d)
    e = info.value
    assert (e.file, e.field) == ("<dict>", "checkpoints[0].stages[0].lanes")
    assert e.line is not None and e.column is not None
    assert "lanes must be between 1" in str(e)


def test_dict_value_without_a_toml_form_names_the_field(mm1):
    d = tomllib.loads(mm1.read_text())
    d["flows"][0]["arrivals"]["rate"] = None
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.run(d)
    assert info.value.field == "flows[0].arrivals.rate"
    assert info.value.line is None


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.run(missing)
    e = info.value
    assert e.file == str(missing)
    assert (e.field, e.line, e.column) == (None, None, None)
    assert "cannot read" in str(e)


def test_message_is_the_command_lines(cli, mm1, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(mm1.read_text().replace("lanes = 1", "lanes = -2").replace("days = 200", "days = 0"))
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.run(bad)
    p = subprocess.run([str(cli), "run", str(bad)], capture_output=True, text=True)
    assert p.returncode == 2
    assert str(info.value) == p.stderr.strip()
    assert len(info.value.problems) == len(p.stderr.strip().splitlines()) >= 2


def test_a_sweep_given_to_run_is_refused(small_sweep):
    with pytest.raises(borderflow.ScenarioError, match="sweep"):
        borderflow.run(small_sweep)


def test_sweep_errors(small_sweep):
    text = small_sweep.read_text().replace('baseline = "lanes=1"', 'baseline = "lanes=9"')
    with pytest.raises(borderflow.ScenarioError) as info:
        borderflow.sweep(text, progress=False)
    assert info.value.field == "baseline"


def test_wrong_argument_type():
    with pytest.raises(TypeError):
        borderflow.run(42)  # type: ignore[arg-type]
