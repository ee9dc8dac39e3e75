"""Types of the Rust extension (see python/src/lib.rs); use the functions of ``borderflow``."""

from typing import Any, Callable, List, Optional, Tuple

def default_scenario_text() -> Tuple[str, str]: ...

class Run:
    def json(self) -> str: ...
    def series_csv(self) -> str: ...
    def write_report(self, path: str) -> None: ...
    def values(self) -> Optional[List[Tuple[int, str, str, str, float]]]: ...

def run(
    path: Optional[str],
    text: Optional[str],
    file: str,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    days: Optional[int] = None,
    keep_values: bool = False,
) -> Run: ...
def validate(path: Optional[str], text: Optional[str], file: str, dir: str) -> Tuple[str, List[str]]: ...
def sweep_run(
    path: Optional[str],
    text: Optional[str],
    file: str,
    dir: str,
    out: str,
    threads: Optional[int] = None,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    days: Optional[int] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
    resume: bool = False,
) -> str: ...
def sweep_report(dir: str, path: str) -> None: ...
