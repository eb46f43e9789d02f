"""Project paths, so notebooks and scripts never guess ``../data``.

nbval starts a notebook's kernel in the notebook's folder and scripts run from anywhere, so paths are
computed here from the repository root: ``REPORTKIT_ROOT`` if set, else the checkout this package was
installed from (editable install), else the current directory.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _root() -> Path:
    env = os.environ.get("REPORTKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    return Path.cwd()


ROOT = _root()
DATA = ROOT / "data"
SEED_TEXT = DATA / "seed" / "shuozhou-police-2021.txt"
SEED_RECORD = DATA / "seed" / "shuozhou-police-2021.yaml"
CORPUS = DATA / "corpus"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"


@contextmanager
def atomic_output(out) -> Iterator[Path]:
    """A temporary path beside ``out`` to write to; renamed over ``out`` only when the block ends
    without an error, removed otherwise. A failed write (a full disk, a file-size limit, an
    interrupt) never leaves ``out`` truncated: the previous file stays as it was. Raises OSError
    (with ``filename`` set to ``out``) when ``out`` names a folder or its folder cannot be written."""
    # Imported here: shutil and tempfile (with bz2, lzma, random) cost a command that writes nothing.
    import shutil
    import tempfile
    out = Path(out)
    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, "this is a folder; give a file name", str(out))
    if out.exists() and not out.is_file():
        # /dev/null, /dev/full: not a file to replace. Written in full elsewhere, then copied into it,
        # so a library writing a zip (docx, xlsx) never fails half-way through its own file object.
        with tempfile.TemporaryDirectory(prefix="reportkit-") as folder:
            tmp_path = Path(folder) / "out"
            yield tmp_path
            try:
                with open(tmp_path, "rb") as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except OSError as e:
                raise _named(e, out) from None
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name[:100]}.", suffix=".tmp", dir=out.parent)
    except OSError as e:
        raise _named(e, out) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if out.exists():
            # Keep the permissions of the file being replaced (mkstemp makes it private).
            shutil.copymode(out, tmp_path)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, out)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise _named(e, out) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _named(e: OSError, out: Path) -> OSError:
    """The error of a write, naming the file the caller asked for (not the temporary one)."""
    return type(e)(e.errno, e.strerror or str(e), str(out))


def atomic_write(out, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``out`` through :func:`atomic_output`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(out) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(out)
