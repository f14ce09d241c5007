import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shopstream_bin():
    """The built binary: $SHOPSTREAM_BIN, else build/src/cli/shopstream in the repository."""
    path = pathlib.Path(os.environ.get("SHOPSTREAM_BIN", REPO / "build/src/cli/shopstream"))
    if not path.exists():
        pytest.fail(f"shopstream binary not found at {path}; build it or set SHOPSTREAM_BIN")
    return str(path)


@pytest.fixture(scope="session")
def sample_zip():
    """The real 10K sample: $SHOPSTREAM_SAMPLE_ZIP, else ../shared/data beside the repository."""
    path = pathlib.Path(
        os.environ.get("SHOPSTREAM_SAMPLE_ZIP", REPO.parent / "shared/data/2019-Nov_10KSample.zip")
    )
    if not path.exists():
        pytest.fail(f"10K sample not found at {path}; set SHOPSTREAM_SAMPLE_ZIP")
    return path
