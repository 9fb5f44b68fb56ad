"""Run Pulumi programs under `set_mocks` and record every registration, as the engine sees it.

The recorder lives in devtools/recording.py (the registration snapshots use it too); the
tests read it, and the shared mocks' constants, through this module.
"""

from __future__ import annotations

from devtools.mocks import DYNAMIC as DYNAMIC
from devtools.mocks import MOCK_IMAGE as MOCK_IMAGE
from devtools.mocks import MOCK_LISTENER_ID as MOCK_LISTENER_ID
from devtools.mocks import MOCK_PASSWORD as MOCK_PASSWORD
from devtools.recording import RecordingMonitor as RecordingMonitor
from devtools.recording import Registered as Registered
from devtools.recording import Run as Run
from devtools.recording import mocked_main as mocked_main
from devtools.recording import run_program as run_program
from devtools.recording import secret_flag as secret_flag
