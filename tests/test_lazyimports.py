"""The slow optional import behind jsonschema's "iri" check waits until an IRI is checked."""

from __future__ import annotations

import json
import subprocess
import sys

from dprk_russia import PROJECT_ROOT

VALUES = ["https://example.org/ä?q=1#x", "no scheme here", "urn:isbn:0451450523", "http://[::1", ""]

CHECK = """
import json, sys
{setup}
import jsonschema, nbformat, papermill  # what the warm process imports
built = "rfc3987_syntax.syntax_helpers" in sys.modules
fc = jsonschema.FormatChecker()
print(json.dumps({{"built_on_import": built, "iri": [fc.conforms(v, "iri") for v in {values!r}],
                  "iri_reference": [fc.conforms(v, "iri-reference") for v in {values!r}],
                  "real_after_use": not getattr(sys.modules["rfc3987_syntax"], "_deferred", False)}}))
"""


def run(setup: str) -> dict:
    code = CHECK.format(setup=setup, values=VALUES)
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_warm_process_imports_without_building_the_iri_parser_and_iris_are_checked_as_before():
    plain = run("")
    deferred = run("from dprk_russia.build.warm import preload; preload()")
    assert plain["built_on_import"] and not deferred["built_on_import"]
    assert deferred["iri"] == plain["iri"] and deferred["iri_reference"] == plain["iri_reference"]
    assert plain["iri"].count(True) >= 2 and plain["iri"].count(False) >= 2  # the check tells them apart
    assert deferred["real_after_use"]
