"""The lineage and impact views: what is shown for which controls, and the widget in a real IPython shell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from plotly.callbacks import Points

from tests.conftest import REPO
from workbench.cli.main import main
from workbench.ledger import Ledger
from workbench.lineage import views
from workbench.lineage.views import TRACE_NODES, LineageExplorer, NodeDetails, ViewOptions, figure_spec
from workbench.settings import Settings

PIPELINES = REPO / "data" / "synthetic" / "pipelines"
LOG = REPO / "tests" / "fixtures" / "query_logs" / "postgres.log"

# patients.SSN with the default controls: (node, hop)
SSN_VIEW = {
    ("patients.ssn", 0),
    ("staging.stg_patients.ssn", 1),
    ("marts.patient_conditions.ssn", 2),
    ("marts.v_patient_contact.ssn", 2),
    ("export.ba_acme_billing.acme_member_key", 2),
    ("research.ckd_cohort.research_id", 3),
    ("file:exports/acme_billing.csv.acme_member_key", 3),
    ("file:exports/acme_billing.csv.*", 3),  # reached only by an INDIRECT SORT edge
}
# (options, nodes that must be shown, nodes that must not be shown)
CONTROLS = [
    (ViewOptions(hops=1), {"staging.stg_patients.ssn"}, {"marts.patient_conditions.ssn"}),
    (ViewOptions(types=frozenset({"DIRECT"})), {"file:exports/acme_billing.csv.acme_member_key"},
     {"file:exports/acme_billing.csv.*"}),
    (ViewOptions(types=frozenset({"INDIRECT"})), {"patients.ssn"}, {"staging.stg_patients.ssn"}),
    (ViewOptions(direction="upstream"), {"patients.ssn"}, {"staging.stg_patients.ssn"}),
    (ViewOptions(level="table"), {"staging.stg_patients", "research.ckd_cohort"}, {"staging.stg_patients.ssn"}),
]  # fmt: skip


@pytest.fixture
def built(hospital: Settings, capsys: pytest.CaptureFixture[str]) -> Settings:
    assert main(["lineage", "build", str(PIPELINES)]) == 0
    capsys.readouterr()
    return hospital


@pytest.fixture
def investigator(built: Settings, capsys: pytest.CaptureFixture[str]) -> Settings:
    for argv in (
        ("login", "--user", "bo", "--role", "billing"),
        ("query", "SELECT FIRST, SSN FROM patients LIMIT 2"),
        ("login", "--user", "pia", "--role", "privacy_analyst"),
    ):
        assert main(list(argv)) == 0
    capsys.readouterr()
    return built


def test_the_view_of_a_column(built: Settings) -> None:
    view = LineageExplorer.open(built, "patients.SSN").view("patients.SSN")
    assert {(n.id, n.hop) for n in view.nodes} == SSN_VIEW
    assert view.level == "column"
    [focus] = [n for n in view.nodes if n.focus]
    assert focus.id == "patients.ssn" and focus.x == 0 and focus.kinds == ("SSN",)
    assert all(n.x == n.hop for n in view.nodes)  # left to right by hop
    external = {n.id for n in view.nodes if n.external}
    assert "export.ba_acme_billing.acme_member_key" in external and "staging.stg_patients.ssn" not in external


@pytest.mark.parametrize(("options", "shown", "hidden"), CONTROLS)
def test_controls(built: Settings, options: ViewOptions, shown: set[str], hidden: set[str]) -> None:
    view = LineageExplorer.open(built).view("patients.SSN", options)
    ids = {n.id for n in view.nodes}
    assert shown <= ids and not hidden & ids


def test_phi_only_keeps_columns_that_carry_or_are_shaped_by_phi(built: Settings) -> None:
    explorer = LineageExplorer.open(built)
    everything = explorer.view("staging.stg_patients", ViewOptions(hops=2))
    phi = explorer.view("staging.stg_patients", ViewOptions(hops=2, phi_only=True))
    assert len(phi.nodes) < len(everything.nodes)
    assert all(n.kinds or n.shaped_by or n.focus for n in phi.nodes)
    assert not any(n.id == "marts.patient_conditions.condition_count" for n in phi.nodes)


def test_large_views_collapse_to_tables(built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = LineageExplorer.open(built)
    assert explorer.view("patients.SSN").level == "column"
    monkeypatch.setattr(views, "COLLAPSE_ABOVE", 5)
    collapsed = explorer.view("patients.SSN")
    assert collapsed.level == "table" and collapsed.column_nodes == 8
    assert {n.id for n in collapsed.nodes} == {
        "patients", "staging.stg_patients", "marts.patient_conditions", "marts.v_patient_contact",
        "export.ba_acme_billing", "research.ckd_cohort", "file:exports/acme_billing.csv",
    }  # fmt: skip
    assert all(e.source != e.target for e in collapsed.edges)
    assert (
        explorer.view("patients.SSN", ViewOptions(level="column")).level == "column"
    )  # the user's choice wins


def test_the_time_window_applies_to_logged_edges_only(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "import-history", str(LOG), "--format", "postgres"]) == 0
    capsys.readouterr()
    explorer = LineageExplorer.open(built)

    def ids(**window: datetime) -> set[str]:
        return {n.id for n in explorer.view("patients.SSN", ViewOptions(hops=1, **window)).nodes}  # type: ignore[arg-type]

    may, june = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    assert "export.billing.tier" in ids()  # bo's CTAS on May 1st: the CASE on the SSN
    assert "export.billing.tier" in ids(since=may, until=may.replace(day=2))
    assert "export.billing.tier" not in ids(since=june)  # dora's June INSERT sets tier to a constant
    assert "export.billing.ssn" in ids(since=june)  # ... but copies the SSN
    assert "staging.stg_patients.ssn" in ids(since=june)  # SQL files have no time: always shown


def test_details_show_columns_kinds_origins_and_readers_only_to_investigators(
    investigator: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    details = LineageExplorer.open(investigator).details("patients.ssn")
    assert details.kinds == ("SSN",) and details.downstream == 1
    assert ("ssn", ("SSN",), ()) in details.columns
    assert [(r.principal, r.role, r.source, r.count) for r in details.readers or ()] == [
        ("bo", "billing", "governed query", 1)
    ]
    table = LineageExplorer.open(investigator).details("staging.stg_patients")
    assert table.column is None and "01_staging_patients.sql" in table.origins
    assert main(["login", "--user", "cy", "--role", "billing"]) == 0
    capsys.readouterr()
    hidden = LineageExplorer.open(investigator).details("patients.ssn")
    assert hidden.readers is None and "privacy_analyst" in hidden.to_html()
    entries = [e for e in Ledger(investigator.ledger_path).entries() if e.action == "lineage"]
    assert [e.detail.get("readers") for e in entries if e.detail.get("operation") == "view"] == [
        True,
        True,
        False,
    ]


def test_details_html_escapes_names() -> None:
    details = NodeDetails(
        "t.<b>x", "t", "<b>x", ("SSN",), (), (("<b>x", ("SSN",), ()),), 0, 0, ("a<script>",), ()
    )
    text = details.to_html()
    assert "<b>x" not in text and "&lt;b&gt;x" in text and "<script>" not in text


def test_the_figure_has_fixed_traces_and_node_ids(built: Settings) -> None:
    view = LineageExplorer.open(built).view("patients.SSN")
    traces, layout = figure_spec(view)
    assert [t["name"] for t in traces] == ["DIRECT edges", "INDIRECT edges", "edge details", "columns"]
    assert traces[TRACE_NODES]["customdata"] == [n.id for n in view.nodes]
    assert layout["xaxis"]["ticktext"][0] == "target" and layout["dragmode"] == "pan"


@pytest.fixture
def shell(investigator: Settings) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    InteractiveShell.clear_instance()


def test_percent_phi_lineage_shows_the_widget(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        assert shell.run_line_magic("phi", "lineage patients.SSN --hops 2") is None
    [output] = captured.outputs
    assert "application/vnd.jupyter.widget-view+json" in output.data
    with capture_output() as captured:
        report = shell.run_line_magic("phi", "impact patients.SSN")
    assert len(report.downstream) == 7 and len(captured.outputs) == 1  # the report, and its graph
    with pytest.raises(UsageError, match="lineage graph"):  # one sentence, no traceback
        shell.run_line_magic("phi", "lineage no_such_table")


def test_the_widget_reacts_to_controls_and_clicks(investigator: Settings) -> None:
    from workbench.jupyter.lineage_widget import LineageWidget

    widget = LineageWidget(LineageExplorer.open(investigator), "patients.SSN")
    nodes = widget.figure.data[TRACE_NODES]
    assert len(nodes.x) == 8
    widget.hops.value = 1
    assert len(widget.figure.data[TRACE_NODES].x) == 2 and "2 columns" in widget.status.value
    widget.level.value = "table"
    assert list(widget.figure.data[TRACE_NODES].customdata) == [n.id for n in widget.current.nodes]
    widget.level.value = "column"
    index = [n.id for n in widget.current.nodes].index("patients.ssn")
    points = Points(point_inds=[index], xs=[0], ys=[0], trace_name="columns", trace_index=TRACE_NODES)
    widget._clicked(widget.figure.data[TRACE_NODES], points, None)
    assert "patients.ssn" in widget.details.value and "governed query" in widget.details.value
    widget.since.value = datetime(2030, 1, 1).date()  # readers outside the window are not shown
    widget.show_node("patients.ssn")
    assert "No recorded readers in this window" in widget.details.value
