"""The one-sentence errors of course_utils' top-level modules in Chinese (COURSE_LANG=zh_CN), and unchanged in English.

Real mistakes go through the real functions: a missing and a damaged image file (images.load), bad
settings (validate, images.load's size, a picture too large for the memory allowed), an unknown style
(data.style) and a download from a closed port on 127.0.0.1 (downloads.fetch). The catalogue itself,
core.po, is checked for what a translation must keep: every placeholder of its English, with the
same conversion and format, and some Chinese in every entry.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po
from PIL import Image

from course_utils import data, downloads, i18n, images, memory, validate
from course_utils.errors import DownloadError, ImageError, SettingError

CORE_PO = Path(i18n.LOCALE_DIR) / "zh_CN" / "LC_MESSAGES" / "core.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words of three letters or more that are not code, file names or numbers: English left in a message.
ENGLISH_WORD = re.compile(r"(?<![\w.'/=-])(?:the|and|must|use|got|could|not|from|with|this|run|again)(?![\w.'(=])")


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "zh_CN")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.delenv("COURSE_LANG", raising=False)


def one_chinese_sentence(message: str) -> str:
    assert "\n" not in message, message
    assert message.endswith("。"), f"a Chinese sentence ends with a full-width full stop: {message!r}"
    assert CJK.search(message), message
    assert not ENGLISH_WORD.search(message), f"English left in {message!r}"
    return message


def damaged_png(path: Path) -> Path:
    """A real PNG cut off halfway: its header reads, its pixels do not."""
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


# ------------------------------------------------------------------------------ images


def test_a_missing_image_file_in_chinese_and_in_english(tmp_path, monkeypatch):
    missing = tmp_path / "no_such_photo.jpg"
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    with pytest.raises(ImageError) as zh:
        images.load(missing)
    message = one_chinese_sentence(str(zh.value))
    assert message == f"'{missing}' 处没有文件；请检查路径（相对路径从 '{Path.cwd()}' 开始）。"

    monkeypatch.setenv("COURSE_LANG", "en")
    with pytest.raises(ImageError) as en:
        images.load(missing)
    assert str(en.value) == f"No file at '{missing}'; check the path (relative paths start in '{Path.cwd()}')."


def test_a_damaged_image_file_in_chinese_and_in_english(tmp_path, monkeypatch):
    path = damaged_png(tmp_path / "half.png")
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    with pytest.raises(ImageError) as zh:
        images.load(path)
    message = one_chinese_sentence(str(zh.value))
    assert message.startswith(f"'{path}' 已损坏或被截断，无法解码（") and message.endswith("）；请重新下载或导出。")

    monkeypatch.delenv("COURSE_LANG")
    with pytest.raises(ImageError) as en:
        images.load(path)
    assert re.fullmatch(rf"'{re.escape(str(path))}' is damaged or truncated and cannot be decoded \(.+\); "
                        r"download or export it again\.", str(en.value))


def test_a_web_page_saved_as_a_picture_in_chinese(tmp_path, chinese):
    page = tmp_path / "photo.jpg"
    page.write_text("<html><body>404 Not Found</body></html>")
    with pytest.raises(ImageError) as info:
        images.load(page)
    assert one_chinese_sentence(str(info.value)) == (
        f"'{page}' 不是 Pillow 能读取的图像文件（它看起来是文本，例如网页或错误信息）；"
        "请使用 PNG 或 JPEG 图片，或重新下载。")


def test_an_array_of_0_to_255_floats_in_chinese(chinese):
    with pytest.raises(ImageError) as info:
        images.vgg_deprocess(np.zeros((4, 4, 2), np.float32))
    assert one_chinese_sentence(str(info.value)) == "vgg_deprocess 的输入的形状为 (4, 4, 2)；需要形状为 (..., 3) 的 RGB 图像。"
    with pytest.raises(ImageError) as info:
        images.load(np.full((4, 4, 3), 200.0, np.float32))
    assert one_chinese_sentence(str(info.value)) == (
        "该数组含有从 200 到 200 的浮点值，但课程中的图像取值在 [0, 1] 之间；如果它存的是 0..255 的值，"
        "请除以 255（x / 255）。")


# ---------------------------------------------------------------------------- settings


def test_bad_settings_in_chinese_and_in_english(monkeypatch):
    mistakes = [
        (lambda: validate.positive_int(0, "steps", "steps=300"),
         "steps 必须是 >= 1 的整数，例如 steps=300；收到的是 0。",
         "steps must be a whole number >= 1, like steps=300; got 0."),
        (lambda: validate.whole_number(12, "block", "block=3", minimum=1, maximum=5),
         "block 必须是 1 到 5 之间的整数，例如 block=3；收到的是 12。",
         "block must be a whole number from 1 to 5, like block=3; got 12."),
        (lambda: validate.number(-1.0, "learning_rate", "learning_rate=1e-3", above=0, maximum=1),
         "learning_rate 必须是一个 > 0 且 <= 1 的数，例如 learning_rate=1e-3；收到的是 -1.0。",
         "learning_rate must be a number > 0 and <= 1, like learning_rate=1e-3; got -1.0."),
        (lambda: validate.choice("sgd", ("lbfgs", "adam"), "optimizer"),
         "optimizer 必须是 'lbfgs', 'adam' 之一，例如 optimizer='lbfgs'；收到的是 'sgd'。",
         "optimizer must be one of 'lbfgs', 'adam', like optimizer='lbfgs'; got 'sgd'."),
        (lambda: images.load(np.zeros((8, 8, 3), np.float32), size=0),
         "size 至少为 1 像素（它设定最长边），例如 size=256；收到的是 size=0。",
         "size must be at least 1 pixel (it sets the longest side), like size=256; got size=0."),
    ]
    for mistake, chinese_sentence, english_sentence in mistakes:
        monkeypatch.setenv("COURSE_LANG", "zh_CN")
        with pytest.raises(SettingError) as zh:
            mistake()
        assert one_chinese_sentence(str(zh.value)) == chinese_sentence
        monkeypatch.setenv("COURSE_LANG", "en")
        with pytest.raises(SettingError) as en:
            mistake()
        assert str(en.value) == english_sentence


def test_a_picture_too_large_for_the_memory_allowed_in_chinese(monkeypatch, chinese):
    monkeypatch.setenv("COURSE_MEMORY_GB", "1")
    with pytest.raises(SettingError) as info:
        images.load(np.zeros((40, 40), np.uint8), size=20000)
    message = one_chinese_sentence(str(info.value))
    assert re.fullmatch(r"该数组（size=20000，20000 x 20000 像素）在缩放图片时需要约 [\d.]+ GB 内存，"
                        r"而 COURSE_MEMORY_GB 只允许使用 1\.0 GB：请使用 size=\d+ 或更小的值。", message), message
    with pytest.raises(SettingError) as info:
        memory.check_size(100_000, "transfer")
    message = one_chinese_sentence(str(info.value))
    assert "需要约 41000 GB 内存" in message, "Chinese writes large numbers without thousands separators"
    assert re.search(r"：请使用 size=\d+ 或更小的值。$", message), message


def test_an_unknown_style_in_chinese(chinese):
    with pytest.raises(ImageError) as info:
        data.style("swrl")
    message = one_chinese_sentence(str(info.value))
    assert message.startswith("没有名为 'swrl' 的风格（你是不是想用 'swirl'？）；请从 'swirl', ")
    assert " 或 'pointillism' 中选择一个。" in message


# ---------------------------------------------------------------------------- downloads


@pytest.mark.network
def test_a_download_from_a_closed_port_in_chinese_and_in_english(cache, closed_port, monkeypatch):
    url = f"http://127.0.0.1:{closed_port}/picture.jpg"
    folder = cache / "downloads"
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    with pytest.raises(DownloadError) as zh:
        downloads.fetch(url, timeout=5)
    assert one_chinese_sentence(str(zh.value)) == (
        f"无法从 127.0.0.1:{closed_port} 下载 picture.jpg：没有网络连接（连接被拒绝）；"
        f"请连接互联网后再运行一次，或将 picture.jpg 手动复制到 {folder}。")

    monkeypatch.setenv("COURSE_LANG", "en")
    with pytest.raises(DownloadError) as en:
        downloads.fetch(url, timeout=5)
    assert str(en.value) == (
        f"Could not download picture.jpg from 127.0.0.1:{closed_port}: no network connection "
        f"(the connection was refused); connect to the internet and run this again, or copy picture.jpg "
        f"by hand into {folder}.")


# ----------------------------------------------------------------------------- the catalogue


def _fields(text: str) -> list[tuple]:
    return sorted((name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def test_every_core_message_has_chinese_with_the_same_fields():
    with open(CORE_PO, "rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 250, "core.po holds the messages of every top-level module"
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert not untranslated, "every message of core.po has an up-to-date translation:\n" + "\n".join(untranslated)
    wrong = [f"{m.id!r}\n  -> {m.string!r}" for m in messages if _fields(m.string) != _fields(m.id)]
    assert not wrong, "a translation keeps every {field} of its English, as it is:\n" + "\n".join(wrong)
    # a message of punctuation only (the command's full stop) is translated by punctuation
    not_chinese = [m.string for m in messages if (not CJK.search(m.string) and any(c.isalpha() for c in m.id))
                   or "\n" in m.string]
    assert not not_chinese, "every translation is one line of Chinese:\n" + "\n".join(not_chinese)
