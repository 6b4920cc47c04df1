"""Read tensors saved by PyTorch's *legacy* ``torch.save`` format — without torch.

The course's offline copy of the ImageNet VGG19 weights ships as such a file. We
do not want PyTorch (a second, 800 MB framework) and we must not run arbitrary
pickled code, so this module reads the format itself with a restricted
unpickler: only the handful of names a plain dictionary of tensors needs are
allowed, anything else is refused.

The legacy format is a sequence of pickles followed by raw bytes:

1. the magic number, 2. the protocol version (1001), 3. a dict of system info,
4. the object itself, in which every storage is a *persistent id*
   ``('storage', <storage type>, key, location, numel)`` and every tensor is
   ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``,
5. the sorted list of storage keys, then for each key an 8-byte little-endian
   element count followed by that many elements of raw little-endian data.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
from pathlib import Path

import numpy as np
from .i18n import _

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

#: Storage class names the reader understands, with their NumPy dtypes.
STORAGE_DTYPES = {
    "ByteStorage": np.uint8,
    "CharStorage": np.int8,
    "ShortStorage": np.int16,
    "IntStorage": np.int32,
    "LongStorage": np.int64,
    "HalfStorage": np.float16,
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "BoolStorage": np.bool_,
}


class TorchFileError(ValueError):
    """The file is not a legacy PyTorch file this reader accepts."""


class _StorageType:
    """Stands in for ``torch.FloatStorage`` and friends: remembers the dtype."""

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class _Storage:
    """A storage whose bytes are read after the object pickle."""

    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel = key, dtype, numel
        self.data: np.ndarray | None = None


class _Tensor:
    """A tensor waiting for its storage's bytes."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset = storage, int(offset)
        self.size, self.stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)

    def materialise(self) -> np.ndarray:
        flat = self.storage.data
        if flat is None:
            raise TorchFileError(_("storage {key!r} has no data in the file").format(key=self.storage.key))
        needed = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride)) + 1
        if any(n == 0 for n in self.size):
            return np.zeros(self.size, dtype=flat.dtype)
        if self.offset < 0 or needed > flat.size or any(s < 0 for s in self.stride):
            raise TorchFileError(_("a tensor points outside its storage"))
        item = flat.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size, strides=[s * item for s in self.stride]
        )
        return np.array(view, copy=True)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, *extra):
    if not isinstance(storage, _Storage):
        raise TorchFileError(_("a tensor was rebuilt from something that is not a storage"))
    return _Tensor(storage, storage_offset, size, stride)


class _RestrictedUnpickler(pickle.Unpickler):
    """Allows exactly the globals a dict of plain tensors needs; refuses the rest."""

    def __init__(self, file, storages):
        super().__init__(file)
        self._storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(_("refusing to load '{module}.{name}': not a plain tensor file").format(
            module=module, name=name))

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(_("unexpected persistent id {pid!r}").format(pid=pid))
        storage_type, key, _location, numel = pid[1:5]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(_("unexpected storage type"))
        key = str(key)
        if key not in self._storages:
            self._storages[key] = _Storage(key, storage_type.dtype, int(numel))
        return self._storages[key]


class _PlainUnpickler(pickle.Unpickler):
    """For the header pickles, which hold only numbers, strings and dicts."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(_("refusing to load '{module}.{name}' in a header").format(
            module=module, name=name))


def _materialise(obj):
    if isinstance(obj, _Tensor):
        return obj.materialise()
    if isinstance(obj, dict):
        return type(obj)((k, _materialise(v)) for k, v in obj.items()) if isinstance(obj, collections.OrderedDict) \
            else {k: _materialise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_materialise(v) for v in obj)
    return obj


def loads(data: bytes):
    """Decode a legacy ``torch.save`` file held in memory; tensors become NumPy arrays."""
    f = io.BytesIO(data)
    try:
        if _PlainUnpickler(f).load() != MAGIC_NUMBER:
            raise TorchFileError(_("not a legacy PyTorch file (wrong magic number)"))
        if _PlainUnpickler(f).load() != PROTOCOL_VERSION:
            raise TorchFileError(_("unsupported PyTorch legacy protocol version"))
        sys_info = _PlainUnpickler(f).load()
        if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
            raise TorchFileError(_("only little-endian files are supported"))
        storages: dict[str, _Storage] = {}
        obj = _RestrictedUnpickler(f, storages).load()
        keys = _PlainUnpickler(f).load()
        for key in keys:
            storage = storages.get(str(key))
            if storage is None:
                raise TorchFileError(_("unknown storage key {key!r}").format(key=key))
            (numel,) = struct.unpack("<q", f.read(8))
            nbytes = numel * storage.dtype.itemsize
            raw = f.read(nbytes)
            if numel != storage.numel or len(raw) != nbytes:
                raise TorchFileError(_("storage {key!r} is truncated or has the wrong size").format(key=key))
            storage.data = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<"))
    except (pickle.UnpicklingError, EOFError, struct.error) as err:
        raise TorchFileError(_("cannot read the file: {err}").format(err=err)) from None
    return _materialise(obj)


def load(path) -> object:
    """Read a legacy ``torch.save`` file from ``path``; tensors become NumPy arrays."""
    return loads(Path(path).read_bytes())
