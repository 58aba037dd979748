"""Questions the data cannot answer are refused before a batch starts."""

from __future__ import annotations

import pytest
import yaml

from dxlib.batch import run_batch
from dxlib.data.preflight import plan_preflight
from dxlib.errors import ParameterError


def test_compare_as_of_must_precede_as_of(tmp_path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "defaults": {"kernel": "python3"},
        "reports": [{"notebook": "05_plan_scorecard", "set": {"as_of": 2024, "compare_as_of": 2024}}],
    }), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        run_batch(manifest, tmp_path / "out", progress=False, preflight=plan_preflight)
    assert "parameter compare_as_of: found 2024; expected a year before as_of (2024)" in str(err.value)
    assert not (tmp_path / "out").exists()
