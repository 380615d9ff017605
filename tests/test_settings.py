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


def test_a_space_sets_port_and_server_name_which_recs_settings_override():
    space = {"PORT": "7861", "GRADIO_SERVER_NAME": "0.0.0.0", "SPACE_ID": "someone/movie-night"}
    s = Settings.from_env(space)
    assert (s.host, s.port) == ("0.0.0.0", 7861)
    s = Settings.from_env({**space, "RECS_PORT": "9000", "RECS_HOST": "127.0.0.1"})
    assert (s.host, s.port) == ("127.0.0.1", 9000)
    with pytest.raises(ValueError, match=r"PORT='eighty'.*RECS_PORT"):
        Settings.from_env({"PORT": "eighty"})


def test_on_a_space_the_cache_lives_in_persistent_storage_when_there_is_some(tmp_path, monkeypatch):
    from chat import settings as settings_module

    monkeypatch.setattr(settings_module, "SPACE_STORAGE", tmp_path / "data")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SPACE_ID", "someone/movie-night")
    assert Settings().cache_dir == tmp_path / "xdg" / "convrec"  # no persistent storage: rebuilt after a restart
    (tmp_path / "data").mkdir()
    assert Settings().cache_dir == tmp_path / "data" / "convrec"
    monkeypatch.delenv("SPACE_ID")
    assert Settings().cache_dir == tmp_path / "xdg" / "convrec"  # not a Space: /data is none of ours
