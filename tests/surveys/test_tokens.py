"""Signed survey tokens and the attempt limits, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.surveys import ratelimit, tokens
from data_access.surveys.settings import SurveySecretError, secret_problem, survey_secret
from tests.surveys.helpers import NOW, SECRET

EXP = NOW + dt.timedelta(days=14)


def test_a_token_carries_invitation_score_and_expiry_and_nothing_else():
    token = tokens.score_token(SECRET, 42, 7, EXP)
    invitation, score, expiry, signature = token.split(".")
    assert (invitation, score, int(expiry)) == ("42", "7", int(EXP.replace(tzinfo=dt.timezone.utc).timestamp()))
    assert len(signature) == 43
    claim = tokens.read_score_token(SECRET, token, now=NOW)
    assert (claim.invitation_id, claim.score, claim.expires_at) == (42, 7, EXP)


@pytest.mark.parametrize("change", [
    lambda t: t.replace("42.", "43.", 1),                       # another invitation's id
    lambda t: "42.3." + t.split(".", 2)[2],                     # another score
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),          # tampered signature
    lambda t: ".".join(t.split(".")[:2] + [str(int(t.split(".")[2]) + 86400)] + t.split(".")[3:]),  # longer life
])
def test_any_change_makes_the_signature_fail(change):
    with pytest.raises(tokens.TokenError) as err:
        tokens.read_score_token(SECRET, change(tokens.score_token(SECRET, 42, 7, EXP)), now=NOW)
    assert err.value.reason == "forged"


def test_another_secret_expiry_and_odd_shapes_are_refused():
    token = tokens.score_token(SECRET, 42, 7, EXP)
    with pytest.raises(tokens.TokenError, match="forged"):
        tokens.read_score_token("another-secret-of-enough-length-0123456789", token, now=NOW)
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.read_score_token(SECRET, token, now=EXP)
    for odd in ["", "x", token + ".1", " " + token, token.replace(".", "%2E"), "0.7.1800000000." + "A" * 43,
                "42.-1.1800000000." + "A" * 43, "9" * 200, "42.7.1800000000." + "A" * 43 + "\n"]:
        with pytest.raises(tokens.TokenError, match="malformed"):
            tokens.read_score_token(SECRET, odd, now=NOW)


def test_a_correctly_signed_score_out_of_range_is_refused():
    exp = int(EXP.replace(tzinfo=dt.timezone.utc).timestamp())
    forged = f"42.11.{exp}.{tokens._sign(SECRET, 'score', 42, 11, exp)}"
    with pytest.raises(tokens.TokenError, match="score"):
        tokens.read_score_token(SECRET, forged, now=NOW)
    with pytest.raises(ValueError):
        tokens.score_token(SECRET, 42, 11, EXP)


def test_score_and_unsubscribe_tokens_cannot_stand_in_for_each_other():
    unsub = tokens.unsubscribe_token(SECRET, 42)
    assert tokens.read_unsubscribe_token(SECRET, unsub) == 42
    with pytest.raises(tokens.TokenError):
        tokens.read_score_token(SECRET, unsub, now=NOW)
    score = tokens.score_token(SECRET, 42, 7, EXP)
    with pytest.raises(tokens.TokenError):
        tokens.read_unsubscribe_token(SECRET, score)


def test_secret_is_refused_when_short_published_or_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    assert secret_problem("short") == "it is shorter than 32 bytes"
    assert secret_problem("a" * 40) == "it repeats too few different characters to be random"
    assert secret_problem(SECRET) is None
    monkeypatch.delenv("SERVICE_PULSE_SURVEY_SECRET", raising=False)
    with pytest.raises(SurveySecretError, match="No survey secret"):
        survey_secret(demo=False)
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", "short")
    with pytest.raises(SurveySecretError, match="shorter than 32"):
        survey_secret(demo=False)
    generated = survey_secret(demo=True)  # the demo database gets its own generated secret
    assert secret_problem(generated) is None and survey_secret(demo=True) == generated
    assert (tmp_path / "data" / "survey_secret").stat().st_mode & 0o077 == 0


def test_rate_limits_per_process_and_per_invitation():
    ratelimit.reset()
    for _ in range(ratelimit.PROCESS_FAILURES_PER_MINUTE):
        assert ratelimit.allowed(None)
        ratelimit.record(None, ok=False)
    assert not ratelimit.allowed(None) and not ratelimit.allowed(5)
    ratelimit.reset()
    for _ in range(ratelimit.INVITATION_ATTEMPTS_PER_HOUR):
        ratelimit.record(5, ok=True)
    assert not ratelimit.allowed(5) and ratelimit.allowed(6)
    window = ratelimit.Window(2, 60)
    window.add("k", now=0)
    window.add("k", now=1)
    assert window.blocked("k", now=59) and not window.blocked("k", now=61)
    ratelimit.reset()


def test_the_generated_secret_file_is_never_read_through_a_symlink(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SERVICE_PULSE_SURVEY_SECRET", raising=False)
    (tmp_path / "data").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text(SECRET)
    (tmp_path / "data" / "survey_secret").symlink_to(elsewhere)
    with pytest.raises(SurveySecretError, match="cannot be read"):
        survey_secret(demo=True)
