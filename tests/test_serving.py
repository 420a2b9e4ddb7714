"""``rehabdata.serving`` without running the app: the frontend copy, nginx's configuration, errors.

The cluster itself (processes, routing, failover) is exercised in ``tests/browser/test_cluster.py``.
"""

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rehabdata import serving
from rehabdata.cli import main


def _fake_streamlit_static(root: Path) -> Path:
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "media").mkdir()
    (root / "static" / "js" / "index.abc123.js").write_text("console.log('rehabdata');\n" * 200)
    (root / "static" / "media" / "logo.png").write_bytes(b"\x89PNG not compressible")
    return root


def test_the_frontend_copy_has_a_gz_beside_each_compressible_file(tmp_path):
    static_dir = _fake_streamlit_static(tmp_path / "streamlit-static")

    mirror = serving.precompressed_static(static_dir, cache=tmp_path / "cache")

    script = mirror / "js" / "index.abc123.js"
    assert script.read_bytes() == (static_dir / "static" / "js" / "index.abc123.js").read_bytes()
    assert gzip.decompress((mirror / "js" / "index.abc123.js.gz").read_bytes()) == script.read_bytes()
    assert (mirror / "media" / "logo.png").is_file() and not (mirror / "media" / "logo.png.gz").exists()
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [mirror.name], "no half-built copy left"


def test_the_frontend_copy_is_made_once_per_streamlit_version(tmp_path):
    static_dir = _fake_streamlit_static(tmp_path / "streamlit-static")
    first = serving.precompressed_static(static_dir, cache=tmp_path / "cache")
    (static_dir / "static" / "js" / "index.abc123.js").write_text("changed")

    again = serving.precompressed_static(static_dir, cache=tmp_path / "cache")

    assert again == first and "changed" not in (again / "js" / "index.abc123.js").read_text()
    assert first.name.startswith("static-") and first.name != "static-"


def test_nginx_accepts_the_generated_configuration(tmp_path):
    """``nginx -t`` on the configuration ``cluster`` writes (skips where nginx is not installed)."""
    try:
        nginx = serving.nginx_executable()
    except serving.ServerError as error:
        if os.environ.get("REHAB_REQUIRE_BROWSER", "").strip() == "1":
            pytest.fail(f"{error}. CI requires nginx", pytrace=False)
        pytest.skip(str(error))
    config = tmp_path / "nginx.conf"
    config.write_text(
        serving.nginx_config(
            listen=f"127.0.0.1:{serving.free_port()}",
            app_ports=[8601, 8602, 8603],
            directory=tmp_path,
            static_root=tmp_path,
        )
    )

    checked = subprocess.run(
        [nginx, "-t", "-c", str(config), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr
    assert "server 127.0.0.1:8603" in config.read_text()


def test_serve_without_nginx_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)

    code = serving.serve_forever(os.environ, processes=2, port=serving.free_port(), address="127.0.0.1")

    assert code == 1
    assert "apt-get install -y nginx" in capsys.readouterr().err


def test_at_least_one_app_process_is_needed(tmp_path):
    with pytest.raises(ValueError), serving.cluster(os.environ, tmp_path, processes=0):
        pass


def test_serve_refuses_no_processes_before_touching_the_database(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--processes", "0"])
    assert exited.value.code == 2 and "must be at least 1" in capsys.readouterr().err
