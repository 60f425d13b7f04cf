"""The side-by-side diff of a proposal: readable, escaped, and bounded for any input."""

from tracker.monitoring import sidebyside
from tracker.monitoring.sidebyside import MAX_CHANGED_ROWS, side_by_side

STATUTE = [f"Sec. {n}. A person may not sell kratom to a person under 18." for n in range(300)]


def changed_rows(diff):
    return [(row.kind, row.old_number, row.new_number) for row in diff.rows if row.kind != "equal"]


def test_a_small_edit_shows_just_the_changed_lines_with_context():
    new = list(STATUTE)
    new[10] = "Sec. 10. Kratom is banned."
    del new[200]
    new.insert(250, "Sec. 250a. Added.")
    diff = side_by_side("\n".join(STATUTE), "\n".join(new))
    assert changed_rows(diff) == [
        ("replace", 11, 11),
        ("gap", None, None),
        ("delete", 201, None),
        ("gap", None, None),
        ("insert", None, 251),
    ]
    assert (diff.changed, diff.shown, diff.compared_in_full, diff.too_large) == (3, 3, True, False)
    assert sum(row.kind == "equal" for row in diff.rows) == 3 * 2 * 3  # context around each


def test_repetitive_lines_that_stall_difflib_are_shown_bounded():
    # SequenceMatcher(autojunk=False) needs seconds for this at 600 lines, minutes at 3,000.
    old, new = ["x"] * 3000, ["x", "y"] * 1500
    diff = side_by_side("\n".join(old), "\n".join(new))
    assert diff.shown == MAX_CHANGED_ROWS < diff.changed
    assert diff.too_large
    assert len(diff.rows) <= MAX_CHANGED_ROWS + 2 * sidebyside.CONTEXT_LINES + 1


def test_when_the_comparison_budget_runs_out_the_rest_shows_as_replaced(monkeypatch):
    monkeypatch.setattr(sidebyside, "MAX_LINES_COMPARED", 50)
    new = [line.replace("18", "21") if n % 7 == 0 else line for n, line in enumerate(STATUTE)]
    diff = side_by_side("\n".join(STATUTE), "\n".join(new))
    assert not diff.compared_in_full and diff.too_large
    assert {kind for kind, _old, _new in changed_rows(diff)} == {"replace"}
    assert diff.changed == 300 - 5  # all but the common last five lines (295 to 299)


def test_a_replaced_line_marks_the_changed_words_not_the_whole_line():
    old = "A person may not sell kratom to a person under 18."
    new = "A person may not sell kratom to a person under 21."
    (row,) = side_by_side(old, new).rows
    assert row.kind == "replace"
    assert row.old_html == (
        'A person may not sell <mark class="term">kratom</mark> to a person under <del>18</del>.'
    )
    assert row.new_html == (
        'A person may not sell <mark class="term">kratom</mark> to a person under <ins>21</ins>.'
    )


def test_changed_words_and_kratom_terms_nest_and_stay_escaped():
    (row,) = side_by_side("Leaf <b> allowed.", "Leaf <b> kratom banned.").rows
    assert row.old_html == "Leaf &lt;b&gt; <del>allowed</del>."
    assert row.new_html == 'Leaf &lt;b&gt; <ins><mark class="term">kratom</mark> banned</ins>.'


def test_a_very_long_replaced_line_is_marked_whole(monkeypatch):
    monkeypatch.setattr(sidebyside, "MAX_WORDS_COMPARED", 4)
    (row,) = side_by_side("one two three", "one two four").rows
    assert (row.old_html, row.new_html) == ("<del>one two three</del>", "<ins>one two four</ins>")
