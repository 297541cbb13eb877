"""The Teams app's website, privacy and terms links: set in app.yaml, and warned about by
``triage-bot check`` and ``manifest teams`` while they are still placeholders."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.support.cli import PROJECT_ROOT, Run, clean_env, in_process

APP_ID = "12345678-1234-1234-1234-123456789abc"
SHIPPED_LINKS = "teams_app:\n  website_url: null"


def config_with(tmp_path: Path, links: str) -> Path:
    """The shipped app.yaml with its teams_app section replaced by ``links``."""
    shipped = (PROJECT_ROOT / "app.yaml").read_text(encoding="utf-8")
    assert SHIPPED_LINKS in shipped  # the section the README tells people to fill in
    head = shipped[: shipped.index("teams_app:")]
    path = tmp_path / "app.yaml"
    path.write_text(head + links, encoding="utf-8")
    return path


def env_for(tmp_path: Path, config: Path | None = None, **extra: str) -> dict[str, str]:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'links.db'}", **extra)
    if config is not None:
        env["TRIAGE_CONFIG"] = str(config)
    return env


def warnings(run: Run) -> list[str]:
    return [line for line in run.out.splitlines() if line.startswith("warning")]


def package_links(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        developer = json.loads(package.read("manifest.json"))["developer"]
    return {key: developer[key] for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")}


def test_the_shipped_placeholders_are_one_warning_in_check_and_in_the_package(
    tmp_path: Path,
) -> None:
    env = env_for(tmp_path, MICROSOFT_APP_ID=APP_ID)
    check = in_process("check", env=env)
    assert check.code == 0, check.out  # a warning, not a problem
    assert warnings(check) == [
        "warning   the Teams app's website, privacy and terms links are still placeholders "
        "(example.com): set teams_app.website_url, privacy_url and terms_url in app.yaml "
        "before you publish the app"
    ]

    out = tmp_path / "app.zip"
    manifest = in_process("manifest", "teams", "--out", str(out), env=env)
    assert manifest.code == 0, manifest.err
    assert package_links(out) == {
        "websiteUrl": "https://example.com",
        "privacyUrl": "https://example.com/privacy",
        "termsOfUseUrl": "https://example.com/terms",
    }
    assert manifest.err.count("warning") == 1 and "teams_app.website_url" in manifest.err


def test_links_set_in_app_yaml_fill_the_package_and_quiet_check(tmp_path: Path) -> None:
    config = config_with(
        tmp_path,
        "teams_app:\n"
        "  website_url: https://learning.acme.test\n"
        "  terms_url: https://legal.acme.test/terms-of-use\n",
    )
    env = env_for(tmp_path, config, MICROSOFT_APP_ID=APP_ID)
    check = in_process("check", env=env)
    assert check.code == 0 and warnings(check) == [], check.out

    out = tmp_path / "app.zip"
    manifest = in_process("manifest", "teams", "--out", str(out), env=env)
    assert manifest.code == 0 and "warning" not in manifest.err, manifest.err
    assert package_links(out) == {
        "websiteUrl": "https://learning.acme.test",
        "privacyUrl": "https://learning.acme.test/privacy",  # the site's, when not given
        "termsOfUseUrl": "https://legal.acme.test/terms-of-use",
    }


def test_check_names_only_the_links_still_left_as_placeholders(tmp_path: Path) -> None:
    config = config_with(tmp_path, "teams_app:\n  privacy_url: https://acme.test/privacy\n")
    check = in_process("check", env=env_for(tmp_path, config, MICROSOFT_APP_ID=APP_ID))
    [warning] = warnings(check)
    assert "website and terms links are still placeholders" in warning
    assert "teams_app.website_url and terms_url" in warning and "privacy" not in warning


def test_website_on_the_command_line_wins_over_the_placeholder(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    env = env_for(tmp_path, MICROSOFT_APP_ID=APP_ID)
    run = in_process(
        "manifest", "teams", "--out", str(out), "--website", "https://l.acme.test", env=env
    )
    assert run.code == 0 and "warning" not in run.err, run.err
    assert package_links(out)["termsOfUseUrl"] == "https://l.acme.test/terms"


def test_without_teams_check_says_nothing_about_its_links(tmp_path: Path) -> None:
    check = in_process("check", env=env_for(tmp_path))
    assert check.code == 0 and "teams     off" in check.out
    assert warnings(check) == []


def test_a_link_that_is_not_https_is_a_config_problem(tmp_path: Path) -> None:
    config = config_with(tmp_path, "teams_app:\n  website_url: http://acme.test\n")
    check = in_process("check", env=env_for(tmp_path, config, MICROSOFT_APP_ID=APP_ID))
    assert check.code == 2
    assert "teams_app.website_url: Teams needs a public https:// address" in check.out
