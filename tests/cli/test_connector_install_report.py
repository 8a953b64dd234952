"""`interlace connector add` says what the install changed: an upgraded connector is used from a running
server's next deployment, unless its package has compiled modules, which only a restart replaces."""

from __future__ import annotations

from interlace.cli.connectors import install_report


def test_an_upgrade_of_a_pure_python_package_is_used_from_the_next_deployment() -> None:
    report = install_report({"acme": ("acme-connector", "1.0.0")}, {"acme": ("acme-connector", "1.1.0")})
    assert report == [
        "upgraded connector acme (acme-connector) from 1.0.0 to 1.1.0",
        "  a running server uses 1.1.0 from its next deployment (interlace deploy, or SIGHUP)",
    ]


def test_an_upgrade_of_a_package_with_compiled_modules_needs_a_restart() -> None:
    # orjson stands for a connector package shipping a compiled module: it is installed here.
    [upgraded, advice] = install_report({"fast": ("orjson", "3.0.0")}, {"fast": ("orjson", "3.1.0")})
    assert upgraded == "upgraded connector fast (orjson) from 3.0.0 to 3.1.0"
    assert advice.startswith(
        "  a running server that has loaded fast keeps running 3.0.0: Python cannot unload"
    )
    assert advice.endswith("restart it to use 3.1.0")


def test_a_new_connector_is_added_and_an_unchanged_install_says_so() -> None:
    assert install_report({}, {"acme": ("acme-connector", "1.0.0")}) == ["added connector: acme"]
    same = {"acme": ("acme-connector", "1.0.0")}
    assert install_report(same, same) == [
        "installed; no connector was added or changed version (it was installed already)"
    ]
