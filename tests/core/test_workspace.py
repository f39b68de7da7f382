import pytest

from reviewkit.core.workspace import ENV_VAR, find_workspace, init_workspace
from reviewkit.errors import ConfigError, ReviewkitError
from reviewkit.model.definitions import load_definitions


def test_init_creates_a_loadable_workspace(tmp_path):
    ws = init_workspace(tmp_path / "acme")
    assert (ws.root / "params" / "workspace.yml").is_file()
    assert (ws.root / "data").is_dir() and (ws.root / "outputs").is_dir()
    assert ws.config.fiscal_year_start_month == 4
    assert load_definitions(ws).stage_keys == ["lead", "mql", "sql", "opportunity", "won"]


def test_init_refuses_to_overwrite(tmp_path):
    init_workspace(tmp_path / "acme")
    with pytest.raises(ConfigError, match="a workspace already exists there"):
        init_workspace(tmp_path / "acme")


def test_found_from_env_and_from_a_subfolder(tmp_path, monkeypatch):
    ws = init_workspace(tmp_path / "acme")
    sub = ws.root / "notebooks" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(sub)
    assert find_workspace().root == ws.root
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    assert find_workspace().root == ws.root


def test_missing_workspace_says_how_to_create_one(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="run `reviewkit init DIR`"):
        find_workspace()
    with pytest.raises(ConfigError, match=r"reviewkit init .*nowhere"):
        find_workspace(tmp_path / "nowhere")


def test_invalid_config_names_file_key_and_value(tmp_path):
    ws = init_workspace(tmp_path / "acme")
    path = ws.root / "params" / "workspace.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Asia/Tokyo", "Mars/Olympus"))
    with pytest.raises(ConfigError, match=r"workspace\.yml: timezone: .*Mars/Olympus"):
        find_workspace(ws.root)


def test_invalid_definitions_are_one_line(tmp_path):
    ws = init_workspace(tmp_path / "acme")
    path = ws.params_dir / "definitions.yml"
    text = path.read_text(encoding="utf-8").replace("owner: sales\n", "owner: finance\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_definitions(ws)
    message = str(info.value)
    assert "definitions.yml" in message and "finance" in message and "\n" not in message


def test_broken_yaml(tmp_path):
    ws = init_workspace(tmp_path / "acme")
    (ws.params_dir / "definitions.yml").write_text("stages: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_definitions(ws)


def test_errors_refine_builtins():
    assert issubclass(ConfigError, ValueError) and issubclass(ConfigError, ReviewkitError)
