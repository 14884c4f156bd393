"""Audit the locked dependencies with pip-audit --strict; never claim a pass it did not make.

    python scripts/audit_dependencies.py requirements-test.lock [--service pypi|osv]

Exit 0: every locked package was checked and none has a known vulnerability.
Exit 1: known vulnerabilities (listed). Exit 2: "dependency audit unavailable"
(the advisory service could not be reached or could not answer for a package).
"""

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main(lock_file, service="pypi"):
    command = [
        str(BIN / "pip-audit"), "--strict", "--require-hashes", "--disable-pip",
        "--progress-spinner", "off", "--vulnerability-service", service,
        "--format", "json", "--requirement", lock_file,
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"dependency audit unavailable: {error}")
        return 2
    try:
        report = json.loads(result.stdout or "null")
    except json.JSONDecodeError:
        report = None
    dependencies = (report or {}).get("dependencies", [])
    vulnerable = [dependency for dependency in dependencies if dependency.get("vulns")]
    if vulnerable:
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
                print(
                    f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})"
                )
        return 1
    if result.returncode != 0 or not dependencies:
        reason = (result.stderr.strip().splitlines() or ["pip-audit gave no report"])[
            -1
        ]
        print(f"dependency audit unavailable: {reason}")
        return 2
    print(
        f"dependency audit passed: {len(dependencies)} locked packages, no known vulnerabilities ({service})"
    )
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    service = "pypi"
    if "--service" in arguments:
        index = arguments.index("--service")
        service = arguments[index + 1]
        del arguments[index : index + 2]
    sys.exit(main(arguments[0] if arguments else "requirements-test.lock", service))
