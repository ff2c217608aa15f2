"""Let `import flask_ask_sdk` work on OpenSSL 3.0.10 and later.

flask-ask-sdk imports ask-sdk-webservice-support, which imports certvalidator, which imports
oscrypto. oscrypto 1.3.0 (the latest release) reads the OpenSSL version with the regular
expression `\\b(\\d\\.\\d\\.\\d[a-z]*)\\b`, which cannot match a two-digit patch number such as
"OpenSSL 3.0.19", so the import fails with "Error detecting the version of libcrypto".
oscrypto's own fix (`\\d+\\.\\d+\\.\\d+`) is merged upstream but unreleased.

`install()` adds an import hook that applies that same one-line fix to oscrypto's two libcrypto
binding modules as they are loaded. It changes nothing else, and it is a no-op when the
installed oscrypto no longer contains the faulty expression (a fixed release) or is absent.
Cramp Coach does not use oscrypto to verify requests (see verifier.py); it only has to import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

MODULES = ("oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes")
FAULTY = r"re.search('\\b(\\d\\.\\d\\.\\d[a-z]*)\\b', version_string)"
FIXED = r"re.search('\\b(\\d+\\.\\d+\\.\\d+[a-z]*)\\b', version_string)"


def repaired(source: str) -> str | None:
    """The source with the fix applied, or None if it has nothing to fix."""
    return source.replace(FAULTY, FIXED) if FAULTY in source else None


class _Loader(importlib.abc.Loader):
    def __init__(self, original: importlib.machinery.SourceFileLoader, source: str) -> None:
        self.original = original
        self.source = source

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        code = compile(self.source, self.original.get_filename(module.__name__), "exec")
        exec(code, module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        sys.meta_path.remove(self)  # find the real module without finding ourselves
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        loader = spec.loader if spec is not None else None
        if not isinstance(loader, importlib.machinery.SourceFileLoader):
            return None
        source = repaired(loader.get_source(fullname) or "")
        if source is None:
            return None  # a fixed oscrypto: load it untouched
        assert spec is not None
        spec.loader = _Loader(loader, source)
        return spec


def install() -> None:
    """Idempotent; call before importing flask_ask_sdk."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
