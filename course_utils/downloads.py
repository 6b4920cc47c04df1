"""Download a file once, check it, keep it in the course's cache.

:func:`fetch` is the course's only way to download a file. It wraps
``keras.utils.get_file`` and adds what a learner on weak classroom Wi-Fi needs:

- a file already in the cache (and matching its checksum) is returned at once,
  with no network access at all, so a notebook that ran once keeps working offline;
- a time limit, so a dead connection fails in seconds instead of hanging a cell;
- a file whose sha256 checksum is wrong is deleted, never kept or used;
- every failure becomes one :class:`~course_utils.errors.DownloadError` whose
  message says in one sentence what went wrong (no network, the server answered
  404, the file was damaged ...) and what to do next, without a chained traceback.

Example::

    from course_utils import downloads
    path = downloads.fetch(
        "https://example.org/pictures/starry_night.jpg",
        sha256="0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
        subdir="paintings",
    )

Files land in ``config.cache_dir() / subdir / fname``; ``COURSE_CACHE_DIR`` moves
the cache. To prepare a classroom without internet, copy the files into that
folder beforehand: a file with the right checksum is never downloaded again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http
import http.client
import math
import os
import re
import socket
import ssl
import tempfile
import urllib.error
import urllib.parse
from pathlib import Path, PurePosixPath

from . import config
from .errors import DownloadError, SettingError
from .i18n import _

__all__ = ["fetch", "sha256_of"]

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_SCHEMES = ("http", "https", "file")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LOCAL_ERRNOS = {errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", -1)}  # disk full, read-only, quota
_NETWORK_ERRNOS = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


def sha256_of(path) -> str:
    """The sha256 checksum of a file, as 64 lowercase hexadecimal characters.

    The same number ``sha256sum FILE`` (Linux) or ``shasum -a 256 FILE`` (macOS)
    prints; use it to fill in ``sha256=`` for a file you host yourself.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------- arguments


def _check_url(url) -> urllib.parse.SplitResult:
    if not isinstance(url, str):
        raise SettingError(_("url must be a web address as a string, like 'https://example.org/picture.jpg'; "
                             "got a {kind}.").format(kind=type(url).__name__))
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in _SCHEMES:
        raise SettingError(_("Cannot download {url!r}: the url must start with http://, https:// or file://.").format(
            url=url))
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        raise SettingError(_("Cannot download {url!r}: the url has no host name; give one like "
                             "'https://example.org/a.jpg'.").format(url=url))
    return parts


def _default_fname(parts: urllib.parse.SplitResult, url: str) -> str:
    """A safe local file name from the last part of the URL's path."""
    base = PurePosixPath(urllib.parse.unquote(parts.path)).name
    name = _UNSAFE.sub("_", base).strip("._")
    if len(name) > 200:  # keep the extension of very long names
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    if not name:
        raise SettingError(_("Cannot derive a file name from {url!r}: pass fname='something.jpg'.").format(url=url))
    return name


def _check_fname(fname) -> str:
    if not isinstance(fname, str):
        raise SettingError(_("fname must be a file name as a string, like fname='picture.jpg'; got a "
                             "{kind}.").format(kind=type(fname).__name__))
    if (
        not fname
        or fname in (".", "..")
        or "/" in fname
        or "\\" in fname
        or any(ord(c) < 32 for c in fname)
        or len(fname) > 255
    ):
        raise SettingError(_("fname must be a plain file name without folders, like fname='picture.jpg'; "
                             "got {fname!r}.").format(fname=fname))
    return fname


def _check_sha256(sha256) -> str | None:
    if sha256 is None:
        return None
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.strip()):
        raise SettingError(
            _("sha256 must be 64 hexadecimal characters (what 'sha256sum FILE' prints); got {sha256!r}.").format(
                sha256=sha256)
        )
    return sha256.strip().lower()  # Keras compares with hexdigest(), which is lowercase


def _check_subdir(subdir) -> str:
    if not isinstance(subdir, str):
        raise SettingError(_("subdir must be a folder name as a string, like subdir='paintings'; got a "
                             "{kind}.").format(kind=type(subdir).__name__))
    parts = PurePosixPath(subdir.replace("\\", "/")).parts
    if not subdir or subdir.startswith(("/", "\\")) or os.path.isabs(subdir) or not parts or ".." in parts:
        raise SettingError(_("subdir must be a relative folder inside the course's cache, like subdir='paintings'; "
                             "got {subdir!r}.").format(subdir=subdir))
    return os.path.join(*parts)


def _check_timeout(timeout) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise SettingError(_("timeout must be a number of seconds > 0, like timeout=30; got {timeout!r}.").format(
            timeout=timeout))
    return float(timeout)


def _target_dir(cache: Path, subdir: str) -> Path:
    """Where ``keras.utils.get_file`` puts the file (it falls back to /tmp/.keras
    when the cache folder is not writable)."""
    base = str(cache)
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(base) / subdir


# ------------------------------------------------------------------ the download


def fetch(
    url: str,
    *,
    fname: str | None = None,
    sha256: str | None = None,
    subdir: str = "downloads",
    timeout: float = 30.0,
    alternative: str | None = None,
) -> Path:
    """Download ``url`` into the course's cache (once) and return the local path.

    Args:
        url: an ``http://``, ``https://`` or ``file://`` address.
        fname: the local file name; by default the last part of the URL, with
            anything but letters, digits, ``.``, ``_`` and ``-`` replaced by ``_``.
        sha256: the expected checksum (64 hexadecimal characters). Strongly
            recommended: with it, a cached file is verified before it is used and
            a damaged or changed download is deleted and reported. Without it, a
            file already in the cache is trusted as it is.
        subdir: the folder inside ``config.cache_dir()`` (relative, no ``..``).
        timeout: seconds to wait for the server before giving up (applied to
            connecting and to each read, through ``socket.setdefaulttimeout``
            for the duration of the call; the previous default is restored).
        alternative: what else the learner can do, finishing the sentence "...
            connect to the internet and run this again, or <alternative>." (for
            instance "use data.style('swirl') instead"); by default it suggests
            copying the file into the cache by hand.

    Returns:
        The path of the file in the cache.

    Raises:
        DownloadError: no network, an HTTP error, a checksum mismatch, or the
            file could not be written; the message is one sentence with what
            to do next.
        SettingError: a malformed argument (checked before anything
            touches the network); it is a ``ValueError`` too.
    """
    parts = _check_url(url)
    url = url.strip()
    fname = _default_fname(parts, url) if fname is None else _check_fname(fname)
    sha256 = _check_sha256(sha256)
    subdir = _check_subdir(subdir)
    timeout = _check_timeout(timeout)
    if alternative is not None and not isinstance(alternative, str):
        raise SettingError(_("alternative must be a sentence (a string) that says what else to do; "
                             "got a {kind}.").format(kind=type(alternative).__name__))

    from ._tf import keras  # imported here so that `import course_utils.data` stays light

    cache = config.cache_dir()
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        path = keras.utils.get_file(
            fname,
            origin=url,
            file_hash=sha256,
            hash_algorithm="sha256",
            cache_dir=str(cache),
            cache_subdir=subdir,
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes one DownloadError
        target = _target_dir(cache, subdir) / fname
        message = _explain(exc, url=url, parts=parts, fname=fname, target=target,
                           sha256=sha256, timeout=timeout, alternative=alternative)
        raise DownloadError(message) from None
    finally:
        socket.setdefaulttimeout(previous)
    return Path(path)


# ------------------------------------------------------------------- the message


def _where(parts: urllib.parse.SplitResult) -> str:
    if parts.scheme.lower() == "file":
        # TRANSLATORS: where a file:// address is copied from, in "Could not download {fname} from {where}: ..."
        return _("the local file system")
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def _unwrap(exc: BaseException) -> BaseException:
    """Keras turns HTTPError/URLError into a bare ``Exception("URL fetch failure ...")``
    raised inside the ``except`` clause, so the original error is its context."""
    while type(exc) is Exception and (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    return exc


def _network_reason(reason, timeout: float) -> str | None:
    """A few words for a connection problem, or None if ``reason`` is not one."""
    if isinstance(reason, socket.gaierror):
        # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
        return _("the host name could not be found")
    if isinstance(reason, TimeoutError):
        # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
        return _("no answer within {seconds:g} seconds").format(seconds=timeout)
    if isinstance(reason, ConnectionRefusedError):
        # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
        return _("the connection was refused")
    if isinstance(reason, OSError) and reason.errno in _NETWORK_ERRNOS:
        if reason.errno == errno.ENETUNREACH:
            # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
            return _("the network is unreachable")
        if reason.errno == errno.EHOSTUNREACH:
            # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
            return _("the host is unreachable")
        # TRANSLATORS: goes in the brackets of "no network connection ({reason})"
        return _("the network is down")
    return None


def _interrupted_reason(reason, *, fname, where, alt) -> str | None:
    """The sentence for a transfer that started and broke off, or None."""
    if isinstance(reason, urllib.error.ContentTooShortError):
        return _("Could not download {fname} from {where}: the file arrived incomplete; run this again "
                 "(a weak connection may need several tries), or {alternative}.").format(
                     fname=fname, where=where, alternative=alt)
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return _("Could not download {fname} from {where}: the connection was cut during the download; "
                 "run this again (a weak connection may need several tries), or {alternative}.").format(
                     fname=fname, where=where, alternative=alt)
    if isinstance(reason, (http.client.IncompleteRead, http.client.HTTPException)):
        return _("Could not download {fname} from {where}: the server's answer broke off during the download; "
                 "run this again (a weak connection may need several tries), or {alternative}.").format(
                     fname=fname, where=where, alternative=alt)
    return None


def _is_local_storage_error(err) -> bool:
    """Writing into the cache failed (network errors never carry a file name)."""
    return isinstance(err, OSError) and not isinstance(err, ssl.SSLError) and (
        err.errno in _LOCAL_ERRNOS or err.filename is not None
    )


def _http_error(code: int, phrase: str, *, fname, where, url, alt) -> str:
    """The sentence for an HTTP error status ``code``."""
    fields = dict(fname=fname, where=where, code=code, phrase=phrase, url=url, alternative=alt)
    if code == 404:
        return _("Could not download {fname} from {where}: the server answered {code} {phrase} for {url}; "
                 "the file is not at that address (it may have moved), or {alternative}.").format(**fields)
    if code in (401, 403):
        return _("Could not download {fname} from {where}: the server answered {code} {phrase} for {url}; "
                 "the server refuses to hand out the file, or {alternative}.").format(**fields)
    if code == 429:
        return _("Could not download {fname} from {where}: the server answered {code} {phrase} for {url}; "
                 "the server is limiting downloads right now; wait a few minutes and run this again, "
                 "or {alternative}.").format(**fields)
    if code >= 500:
        return _("Could not download {fname} from {where}: the server answered {code} {phrase} for {url}; "
                 "the server has a problem; run this again later, or {alternative}.").format(**fields)
    return _("Could not download {fname} from {where}: the server answered {code} {phrase} for {url}; "
             "run this again later, or {alternative}.").format(**fields)


def _explain(exc, *, url, parts, fname, target, sha256, timeout, alternative) -> str:
    """One sentence for a failed :func:`fetch`."""
    where = _where(parts)
    # TRANSLATORS: what else to do, at the end of "... run this again, or {alternative}."
    alt = alternative or _("copy {fname} by hand into {folder}").format(fname=fname, folder=target.parent)
    err = _unwrap(exc)

    # A checksum mismatch: Keras leaves the bad file in place; never keep it.
    if isinstance(err, ValueError) and sha256 is not None and (
        "hash" in str(err).lower() or (target.is_file() and sha256_of(target) != sha256)
    ):
        with contextlib.suppress(OSError):
            target.unlink()
        return _("The file downloaded from {url} is not the expected one (sha256 mismatch: it may be damaged "
                 "or changed), so it was deleted; run this again, and if it keeps failing, {alternative}.").format(
                     url=url, alternative=alt)

    if isinstance(err, urllib.error.HTTPError):
        code = err.code
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            # TRANSLATORS: an HTTP status without a name, in "the server answered {code} {phrase}"
            phrase = str(err.reason or "").strip() or _("an error")
        return _http_error(code, phrase, fname=fname, where=where, url=url, alt=alt)

    reason = err.reason if isinstance(err, urllib.error.URLError) and not isinstance(
        err, urllib.error.ContentTooShortError) else err

    if isinstance(reason, ssl.SSLCertVerificationError) or (
        isinstance(reason, ssl.SSLError) and "CERTIFICATE" in str(reason).upper()
    ):
        return _("Could not download {fname} from {where}: the secure connection could not be verified "
                 "({detail}); check that the computer's date is right (on macOS, also run "
                 "'Install Certificates.command' in the Python folder) and run this again, "
                 "or {alternative}.").format(fname=fname, where=where, alternative=alt,
                                             detail=getattr(reason, "verify_message", None) or reason)

    words = _network_reason(reason, timeout)
    if words is not None:
        return _("Could not download {fname} from {where}: no network connection ({reason}); "
                 "connect to the internet and run this again, or {alternative}.").format(
                     fname=fname, where=where, reason=words, alternative=alt)

    sentence = _interrupted_reason(reason, fname=fname, where=where, alt=alt)
    if sentence is not None:
        return sentence

    if isinstance(reason, FileNotFoundError) and parts.scheme.lower() == "file":
        return _("Could not copy {fname} from {url}: there is no such file; check the address, "
                 "or {alternative}.").format(fname=fname, url=url, alternative=alt)

    if _is_local_storage_error(reason):
        problem = os.strerror(reason.errno) if reason.errno else str(reason)
        return _("Could not save {fname} in {folder} ({problem}); free some disk space or set COURSE_CACHE_DIR "
                 "to a folder you can write to, and run this again.").format(
                     fname=fname, folder=target.parent, problem=problem)

    if isinstance(reason, OSError):  # any other socket-level failure
        detail = reason.strerror or str(reason) or type(reason).__name__
        return _("Could not download {fname} from {where}: no network connection ({reason}); "
                 "connect to the internet and run this again, or {alternative}.").format(
                     fname=fname, where=where, reason=detail, alternative=alt)

    if isinstance(reason, str):  # URLError("unknown url type: ...") and the like
        # TRANSLATORS: in the brackets of "Could not download {fname} from {url} ({detail})"
        detail = reason.strip() or _("unknown reason")
    else:
        # TRANSLATORS: in "{kind}: {text}" when an error says nothing more
        detail = f"{type(reason).__name__}: {str(reason).strip() or _('no details')}"
    return _("Could not download {fname} from {url} ({detail}); run this again, or {alternative}.").format(
        fname=fname, url=url, detail=detail, alternative=alt)
