"""The README's "From Python" example runs and prints what the README says."""

import re
import subprocess
import sys


def test_readme_five_lines(repo):
    readme = (repo / "README.md").read_text()
    section = readme[readme.index("## From Python") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) == 5
    printed = re.search(r"prints `(.*?)`", section).group(1)
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == printed
