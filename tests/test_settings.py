from pathlib import Path

import pytest

from chat.settings import Settings


def test_environment_and_flags():
    s = Settings.from_env({"RECS_K": "3", "RECS_CACHE_DIR": "/tmp/x", "RECS_USE_LLM": "off"}, fusion="rrf")
    assert (s.k, s.cache_dir, s.use_llm, s.fusion) == (3, Path("/tmp/x"), False, "rrf")


def test_flag_overrides_environment_but_none_does_not():
    s = Settings.from_env({"RECS_K": "3"}, k=4, fusion=None)
    assert s.k == 4 and s.fusion == "weighted"


def test_unknown_setting_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"RECS_KK='3'.*RECS_LLM"):
        Settings.from_env({"RECS_KK": "3"})


@pytest.mark.parametrize("env, words", [
    ({"RECS_K": "0"}, ["k=0", "RECS_K"]),
    ({"RECS_K": "many"}, ["RECS_K", "'many'"]),
    ({"RECS_FUSION": "magic"}, ["'magic'", "weighted, rrf, cascade"]),
    ({"RECS_USE_LLM": "maybe"}, ["RECS_USE_LLM", "'maybe'"]),
])
def test_bad_values_name_setting_value_and_fix(env, words):
    with pytest.raises(ValueError) as err:
        Settings.from_env(env)
    for word in words:
        assert word in str(err.value)
