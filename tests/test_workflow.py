"""The CI workflow: a pull request's site is kept as an artifact to preview and posted nowhere;
main, once tested, deploys to Pages. Checked by evaluating each step's `if:` for each event."""

import re

import pytest
import yaml
from conftest import ROOT

WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
# Everything the workflow may use. A new action (one that comments on pull requests, say) must
# be added here on purpose.
ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "actions/upload-artifact",
    "actions/upload-pages-artifact",
    "actions/deploy-pages",
}
EVENTS = {
    "pull request": {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge"},
    "push to main": {"github.event_name": "push", "github.ref": "refs/heads/main"},
    "push to a branch": {"github.event_name": "push", "github.ref": "refs/heads/issue-13"},
}


def runs(condition: str | None, context: dict[str, str], failed: bool = False) -> bool:
    """Whether a step or job with this `if:` runs, for the few expression forms used here."""
    expression = condition or "success()"
    if not re.search(r"\b(always|success|failure|cancelled)\(\)", expression):
        expression = f"success() && ({expression})"  # GitHub's implicit status check
    python = re.sub(r"\b(github\.\w+)\b", lambda m: repr(context[m[1]]), expression)
    python = python.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    names = {"always": lambda: True, "success": lambda: not failed, "failure": lambda: failed}
    assert set(re.findall(r"[a-z_]+(?=\()", python)) <= set(names), condition
    return eval(python, {"__builtins__": {}}, names)  # our own workflow file, no builtins


def steps_run(event: str, failed: bool = False) -> list[dict]:
    context = EVENTS[event]
    return [s for s in WORKFLOW["jobs"]["test"]["steps"] if runs(s.get("if"), context, failed)]


def uploads(steps: list[dict]) -> dict[str, str]:
    """{artifact name or 'pages': path} of the steps that upload something."""
    found = {}
    for step in steps:
        action = step.get("uses", "").split("@")[0]
        if action == "actions/upload-artifact":
            found[step["with"]["name"]] = step["with"]["path"].rstrip("/")
        elif action == "actions/upload-pages-artifact":
            found["pages"] = step["with"]["path"].rstrip("/")
    return found


def test_the_evaluator_reads_conditions_as_github_does():
    pr, main = EVENTS["pull request"], EVENTS["push to main"]
    assert runs("github.event_name == 'pull_request'", pr)
    assert not runs("github.event_name == 'pull_request'", pr, failed=True)
    assert runs("always()", pr, failed=True)
    assert not runs("github.ref == 'refs/heads/main' && github.event_name != 'pull_request'", pr)
    assert runs("github.event_name == 'pull_request' || github.ref == 'refs/heads/main'", main)


def test_workflow_runs_on_pull_requests_and_pushes():
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)


def test_a_pull_request_keeps_its_built_site_and_the_screenshots():
    steps = steps_run("pull request")
    builds = [i for i, s in enumerate(steps) if s.get("run") == "make build"]
    assert builds, "no `make build` on a pull request"
    assert uploads(steps) == {"site-preview": "site", "test-artifacts": "test-artifacts"}
    preview = next(
        i for i, s in enumerate(steps) if s.get("with", {}).get("name") == "site-preview"
    )
    assert builds[0] < preview, "the site is uploaded before it is built"


def test_screenshots_are_kept_even_when_tests_fail():
    assert uploads(steps_run("pull request", failed=True)) == {"test-artifacts": "test-artifacts"}


@pytest.mark.parametrize("event", ["pull request", "push to a branch"])
def test_only_main_deploys(event):
    assert "pages" not in uploads(steps_run(event))
    deploy = WORKFLOW["jobs"]["deploy"]
    assert not runs(deploy["if"], EVENTS[event])


def test_main_deploys_the_tested_site_to_pages():
    steps = steps_run("push to main")
    assert uploads(steps).get("pages") == "site" and "site-preview" not in uploads(steps)
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["needs"] == "test" and runs(deploy["if"], EVENTS["push to main"])
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_nothing_is_posted_anywhere():
    """Read-only by default; only the Pages deployment may write, and only to Pages."""
    assert WORKFLOW["permissions"] == {"contents": "read"}
    for name, job in WORKFLOW["jobs"].items():
        allowed = {"pages": "write", "id-token": "write"} if name == "deploy" else {}
        writes = {k: v for k, v in job.get("permissions", {}).items() if v == "write"}
        assert writes == allowed, f"job {name} may write {writes}"
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].split("@")[0] in ACTIONS, f"{name}: {step['uses']}"
            command = step.get("run", "")
            assert not re.search(r"\b(gh|curl|wget)\b", command), f"{name}: {command}"
