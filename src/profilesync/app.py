"""What every command receives: the environment, and the config and CV loaded on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from profilesync.env import Environment

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from profilesync.config import Config
    from profilesync.config_discovery import FoundConfig
    from profilesync.cv.record import CvRecord
    from profilesync.pipeline import RunRequest, RunResult
    from profilesync.source_status import SourceStatus


@dataclass
class App:
    env: Environment
    config_arg: str | None = None
    cache_dir_arg: str | None = None
    quiet: bool = False
    verbose: int = 0
    colour: bool = False  # decided once from --color, NO_COLOR, FORCE_COLOR and the terminal
    _config: Config | None = field(default=None, repr=False)
    _found: FoundConfig | None = field(default=None, repr=False)

    @property
    def found_config(self) -> FoundConfig:
        """Where the config is (or, when there is none, where ``init --write`` puts one)."""
        if self._found is None:
            from profilesync.config_discovery import find_config

            argument = self.env.resolve(self.config_arg) if self.config_arg else None
            self._found = find_config(self.env.cwd, self.env.environ, argument)
        return self._found

    @property
    def config_path(self) -> Path:
        return self.found_config.path

    @property
    def config(self) -> Config:
        if self._config is None:
            from profilesync.config import load_config

            if not self.found_config.found:
                raise self.found_config.missing_error(self.label)
            override = self.env.resolve(self.cache_dir_arg) if self.cache_dir_arg else None
            self._config = load_config(self.config_path, label=self.label(self.config_path), cache_dir_override=override)
        return self._config

    def load_cv(self) -> CvRecord:
        from profilesync.cv.load import load_cv_for

        return load_cv_for(self.config, label=self.label(self.config.cv_path))

    def run_request(self, *, sources: Sequence[str] | None = None, refresh: bool = False, offline: bool = False, progress: Callable[[str], None] | None = None, on_pulled: Callable[[SourceStatus], None] | None = None) -> RunRequest:
        """The pipeline's request for this profile: config, CV, clock and environment, passed down
        as plain values (the pipeline never sees the App)."""
        from profilesync.pipeline import RunRequest

        config = self.config
        cv = self.load_cv()
        return RunRequest(config=config, cv=cv, clock=self.env.clock, environ=self.env.environ, sources=tuple(sources) if sources else None, refresh=refresh, offline=offline, progress=progress, on_pulled=on_pulled)

    def diff(self, **kwargs) -> RunResult:  # noqa: ANN003 - run_request's keywords
        """Run the pipeline for this profile (``run_request``'s keywords)."""
        from profilesync import pipeline

        return pipeline.run(self.run_request(**kwargs))

    def label(self, path: Path) -> str:
        """A path as the user would write it: relative to the working directory when inside it."""
        try:
            return str(path.relative_to(self.env.cwd))
        except ValueError:
            return str(path)

    def out(self, text: str = "") -> None:
        self.env.stdout.write(text + "\n")

    def info(self, text: str) -> None:
        """Progress and notes go to stderr, so stdout stays clean for reports and JSON. They quote
        what sources and files said (errors, notes), so control sequences are shown, not obeyed."""
        if not self.quiet:
            from profilesync.report.escape import visible

            self.env.stderr.write(visible(text) + "\n")
