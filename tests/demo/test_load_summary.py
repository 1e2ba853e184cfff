"""What `bakeprint demo load` says it loaded reads as words in either language."""

from bakeprint.demo.cli import counted


def test_one_complaint_is_singular_and_many_are_plural_in_english() -> None:
    line = counted({"complaints": 1, "batches": 3, "trips": 1}, "en")
    assert line == "1 complaint, 3 batches, 1 delivery trip"


def test_the_chinese_summary_uses_measure_words_not_english_keys() -> None:
    line = counted({"complaints": 1, "units sold": 40}, "zh")
    assert line == "1 条投诉、40 份售出"
    assert "complaints" not in line
