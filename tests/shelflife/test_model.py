"""The shelf-life model on its own (no database): the brief's example, the
never-lengthen rule, and properties over any history (R3.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bakeprint.shelflife import model

T0 = datetime(2025, 12, 3, 7, 0, tzinfo=UTC)
P = model.Params.of({})


def _history(
    *,
    hall: float | None = None,
    shelved_after_h: float = 3.0,
    temp: float | None = 20.0,
    rh: float | None = 60.0,
    packaging: str | None = None,
) -> model.History:
    shelved = T0 + timedelta(hours=shelved_after_h)
    return model.History(
        baked_at=T0,
        intervals=[
            model.Interval(T0, shelved, temp, rh, "VAN-2"),
            model.Interval(shelved, T0 + timedelta(hours=50), temp, rh, "SHOP"),
        ],
        hall_rh_pct=hall,
        shelved_at=shelved,
        packaging=packaging,
    )


def test_a_batch_kept_as_the_standard_assumes_gets_the_standard_seven_days():
    pred = model.predict(P, _history(), 7)
    assert (pred.model_days, pred.effective_days, pred.reasons) == (7.0, 7.0, [])


def test_made_at_75_percent_and_delivered_2_hours_late_it_has_about_5_days():
    pred = model.predict(P, _history(hall=75.0, shelved_after_h=6.0), 7)
    assert pred.model_days == 5.2
    assert pred.days_after_production() == 5
    assert [(r.factor, r.days) for r in pred.reasons] == [
        ("hall_humidity", -1.2),
        ("late_delivery", -0.6),
    ]
    assert (
        "；".join(r.zh for r in pred.reasons)
        == "湿度 75% 生产 −1.2 天；配送延迟 2 h −0.6 天"
    )
    assert [r.en for r in pred.reasons] == [
        "made at 75% humidity −1.2 days",
        "delivered 2 h late −0.6 days",
    ]


def test_improved_packaging_makes_the_model_say_9_days_but_never_past_the_maximum():
    pred = model.predict(P, _history(packaging="improved"), 7)
    assert pred.model_days == 9.0  # what the model says, reported
    assert pred.effective_days == 7.0  # what the label may say: the bakery's max
    assert not pred.shortened
    assert [(r.factor, r.days, r.zh) for r in pred.reasons] == [
        ("packaging", 2.0, "改良包装 +2.0 天")
    ]
    # a bakery that allows up to 9 days gets the 9
    assert model.predict(P, _history(packaging="improved"), 9).effective_days == 9.0


def test_a_cold_room_lengthens_the_model_but_not_the_best_before():
    pred = model.predict(P, _history(temp=4.0), 7)
    assert pred.model_days > 7.0 and pred.effective_days == 7.0


def test_a_warm_shop_shortens_and_says_the_temperature():
    pred = model.predict(P, _history(temp=28.0), 7)
    assert pred.effective_days < 7.0
    (reason,) = pred.reasons
    assert reason.factor == "storage" and reason.zh.startswith("储存温度 平均 28°C −")


def test_at_or_below_the_minimum_growth_temperature_nothing_is_spent():
    assert model.temperature_factor(P, P.t_min_c) == 0.0
    assert model.temperature_factor(P, P.t_min_c - 5) == 0.0
    assert model.temperature_factor(P, P.t_ref_c) == 1.0


def test_overlapping_places_are_not_counted_twice():
    h = model.History(
        baked_at=T0,
        intervals=[
            model.Interval(T0, T0 + timedelta(hours=5), 20.0, 60.0, "VAN"),
            model.Interval(
                T0 + timedelta(hours=3), T0 + timedelta(hours=9), 20.0, 60.0
            ),
        ],
    )
    pieces = model.timeline(h)
    assert [(a, b) for a, b, _t, _r in pieces] == [
        (T0, T0 + timedelta(hours=3)),
        (T0 + timedelta(hours=3), T0 + timedelta(hours=9)),
    ]


def test_a_place_without_sensors_counts_at_the_reference_conditions():
    h = model.History(baked_at=T0, shelved_at=T0 + timedelta(hours=6), hall_rh_pct=None)
    pred = model.predict(P, h, 7)
    assert [r.factor for r in pred.reasons] == ["late_delivery"]


temps = st.floats(min_value=-5, max_value=40, allow_nan=False)
humidities = st.floats(min_value=20, max_value=100, allow_nan=False)
hours = st.floats(min_value=0, max_value=48, allow_nan=False)
days = st.integers(min_value=1, max_value=60)
packagings = st.sampled_from(model.PACKAGING_TYPES)


@given(temps, temps, humidities, hours, days, packagings)
def test_warmer_storage_never_gives_a_longer_life(t1, t2, rh, late, std, pack):
    lo, hi = sorted((t1, t2))
    a = model.predict(
        P, _history(temp=lo, rh=rh, shelved_after_h=late, packaging=pack), std
    )
    b = model.predict(
        P, _history(temp=hi, rh=rh, shelved_after_h=late, packaging=pack), std
    )
    assert b.model_days <= a.model_days + 1e-9


@given(humidities, humidities, temps, hours, days)
def test_more_humid_storage_or_hall_never_gives_a_longer_life(h1, h2, t, late, std):
    lo, hi = sorted((h1, h2))
    a = model.predict(P, _history(temp=t, rh=lo, hall=lo, shelved_after_h=late), std)
    b = model.predict(P, _history(temp=t, rh=hi, hall=hi, shelved_after_h=late), std)
    assert b.model_days <= a.model_days + 1e-9


@given(hours, hours, temps, days)
def test_a_later_delivery_never_gives_a_longer_life(h1, h2, t, std):
    lo, hi = sorted((h1, h2))
    a = model.predict(P, _history(temp=t, shelved_after_h=lo), std)
    b = model.predict(P, _history(temp=t, shelved_after_h=hi), std)
    assert b.model_days <= a.model_days + 1e-9


@given(temps, humidities, humidities, hours, days, packagings)
def test_the_effective_life_never_exceeds_the_bakerys_maximum(
    t, rh, hall, late, std, pack
):
    pred = model.predict(
        P, _history(temp=t, rh=rh, hall=hall, shelved_after_h=late, packaging=pack), std
    )
    assert 0 <= pred.effective_days <= std
    assert pred.days_after_production() <= std
    # the reasons add up to the model's change from the standard, to the tenth
    assert round(std + sum(r.days for r in pred.reasons), 1) == pred.model_days
