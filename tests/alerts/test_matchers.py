"""Label matchers behave as Alertmanager's: anchored regexes, missing labels as ""."""

from __future__ import annotations

import pytest

from driftscope.alerts.matchers import Matcher, matches_all, parse_matchers
from driftscope.errors import ConfigError


@pytest.mark.parametrize(
    "text, labels, expected",
    [
        ('severity="critical"', {"severity": "critical"}, True),
        ('severity="critical"', {"severity": "critical2"}, False),
        ('severity!="critical"', {}, True),
        ('model=~"churn"', {"model": "churn_v2"}, False),  # anchored: whole value
        ('model=~"churn.*"', {"model": "churn_v2"}, True),
        ('model=~"a|b"', {"model": "b"}, True),
        ('model!~"test_.*"', {"model": "test_1"}, False),
        ('team=""', {}, True),  # a missing label is the empty string
        ('team!=""', {}, False),
        ('team=~".+"', {"team": "risk"}, True),
    ],
)
def test_operators(text, labels, expected):
    assert Matcher.parse(text).matches(labels) is expected


def test_every_form_parses_to_the_same_matchers():
    expected = [Matcher("severity", "=", "critical"), Matcher("model", "=~", "churn.*")]
    forms = [
        '{severity="critical", model=~"churn.*"}',
        'severity="critical",model=~"churn.*"',
        ['severity="critical"', "model=~'churn.*'"],
        [{"severity": "critical"}, {"name": "model", "value": "churn.*", "isRegex": True}],
        expected,
    ]
    for form in forms:
        assert list(parse_matchers(form)) == expected, form


def test_quoted_values_keep_commas_quotes_and_escapes():
    (m,) = parse_matchers(r'{msg="a, \"b\" \\ c"}')
    assert m.value == 'a, "b" \\ c'
    assert Matcher.parse(str(m)) == m  # printed form parses back


def test_alertmanager_api_form_round_trips():
    for op in ("=", "!=", "=~", "!~"):
        m = Matcher("a", op, "x")
        assert Matcher.from_dict(m.to_dict()) == m


@pytest.mark.parametrize(
    "bad, says",
    [
        ("severity", "looks like"),
        ('severity=="x"', "looks like"),
        ('model=~"("', "not a regular expression"),
        (42, "matchers must be"),
        ({"model": ["a"]}, "value must be text"),
        ({"name": "a", "value": None}, "value must be text"),
    ],
)
def test_bad_matchers_are_config_errors_naming_the_problem(bad, says):
    with pytest.raises(ConfigError, match=says):
        parse_matchers(bad)


def test_no_matcher_matches_everything():
    assert matches_all(parse_matchers(None), {"a": "b"})
    assert matches_all((), {})
