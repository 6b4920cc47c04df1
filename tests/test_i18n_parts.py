"""The course's subpackages (gan, diffusion, fast, cnn) speak Chinese under COURSE_LANG=zh_CN.

Real mistakes go through the real functions: each gives one Chinese sentence (full-width full
stop, the learner's own value in it), and the same call in English gives the English sentence
unchanged. A trainer's resume and stop lines, and the tables the subpackages print, follow the
switch too. Every translation keeps exactly the placeholders of its English.
"""

import re
import string

import numpy as np
import pytest
from babel.messages.pofile import read_po

from conftest import CJK, in_language
from course_utils import data, i18n
from course_utils.errors import SettingError

PARTS = ("gan", "diffusion", "fast", "cnn")
@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    """Each test starts in English, whatever the shell exported."""
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)


def chinese_sentence(message: str) -> str:
    """``message`` is one Chinese sentence: Chinese characters, one full-width full stop, at the end."""
    assert CJK.search(message), f"not Chinese: {message}"
    assert "\n" not in message and message.endswith("。") and message.count("。") == 1, message
    return message


def raised(call) -> str:
    with pytest.raises(SettingError) as info:
        call()
    return str(info.value)


# ------------------------------------------------------------------ bad settings, in both languages


def test_a_schedule_that_does_not_exist():
    from course_utils.diffusion import schedule

    with in_language("zh_CN"):
        message = chinese_sentence(raised(lambda: schedule.make("cosin")))
    assert "'cosin'" in message and "'cosine'" in message and message.startswith("schedule 必须是")
    assert raised(lambda: schedule.make("cosin")) == \
        "schedule must be one of 'cosine', 'linear'; got 'cosin'."


def test_a_sampler_with_more_steps_than_the_schedule():
    from course_utils.diffusion import schedule

    cosine = schedule.make("cosine", 100)
    with in_language("zh_CN"):
        message = chinese_sentence(raised(lambda: cosine.timesteps(250)))
    assert "（250）" in message and "steps <= 100" in message
    assert raised(lambda: cosine.timesteps(250)) == ("a sampler cannot take more steps (250) than the model was "
                                                     "trained with (100); choose steps <= 100.")


@pytest.fixture(scope="module")
def digits():
    return data.digits(16, limit=64, value_range=(-1, 1))


@pytest.fixture(scope="module")
def tiny_gan():
    from course_utils._tf import keras
    from course_utils.gan import GAN, dcgan

    keras.utils.set_random_seed(0)
    gan = GAN(dcgan.generator(16, latent_dim=8, width=8), dcgan.discriminator(16, width=8), seed=0)
    gan.compile()
    return gan


def test_a_gan_trainer_with_a_batch_larger_than_the_images(digits, tiny_gan):
    from course_utils.gan.trainer import GANTrainer

    images, _ = digits
    with in_language("zh_CN"):
        message = chinese_sentence(raised(lambda: GANTrainer(tiny_gan, images, batch_size=500, progress=False)))
        not_a_gan = chinese_sentence(raised(lambda: GANTrainer("generator", images)))
    assert "batch_size 500" in message and "64" in message and "更小的批次" in message
    assert "course_utils.gan.GAN" in not_a_gan and "str" in not_a_gan
    assert raised(lambda: GANTrainer(tiny_gan, images, batch_size=500, progress=False)) == \
        "batch_size 500 is larger than the 64 images; use a smaller batch."


def test_crops_larger_than_a_picture():
    from course_utils.fast import fit

    pictures = [np.zeros((40, 56, 3), np.float32), np.zeros((48, 33, 3), np.float32)]
    with in_language("zh_CN"):
        message = chinese_sentence(raised(lambda: fit.CropSampler(pictures, 40)))
    assert message.startswith("第 1 张图像只有 48×33 像素") and "size <= 33" in message
    assert raised(lambda: fit.CropSampler(pictures, 40)) == (
        "picture 1 is 48×33 pixels, too small for crops of 40; load it larger or choose size <= 33.")


def test_a_layer_that_is_not_a_kernel_stride_pair():
    from course_utils import cnn

    with in_language("zh_CN"):
        message = chinese_sentence(raised(lambda: cnn.receptive_field([(3, 1), (3,)])))
    assert "第 1 层是 (3,)" in message and "(kernel_size, stride)" in message
    assert raised(lambda: cnn.receptive_field([(3, 1), (3,)])) == \
        "Each layer must be a (kernel_size, stride) pair like (3, 1); layer 1 is (3,)."


# ------------------------------------------------------------------ what trainers print


def _tiny_net():
    from course_utils._tf import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(4)(inputs))


def _loss(model, batch):
    from course_utils._tf import tf

    return {"total": tf.reduce_mean(tf.square(model(batch, training=True) - batch))}


def _sampler(count, rng):
    return rng.standard_normal((count, 4)).astype(np.float32)


def _stop(trainer):
    raise KeyboardInterrupt


def test_the_fit_trainer_says_where_it_stopped_in_chinese(tmp_path, capsys):
    from course_utils.fast import fit

    path = tmp_path / "run.npz"
    run = fit.NetworkTrainer(_tiny_net(), _loss, _sampler, checkpoint=path, progress=False)
    with in_language("zh_CN"):
        run.train(9, callback=_stop, callback_every=3)
        stopped = capsys.readouterr().out.strip()
        run.train(3)
        done = capsys.readouterr().out.strip()
    assert stopped == f"已在第 3 步（共 9 步）停止，并保存到 {path}；再次运行这个单元格，即可从那里继续。"
    assert done == "已经训练了 3 步；要继续训练，请指定更多的步数。"
    run.train(3)
    assert capsys.readouterr().out.strip() == "Already trained for 3 steps; ask for more steps to continue."


def test_the_gan_trainer_says_where_it_resumed_in_chinese(digits, tiny_gan, tmp_path, capsys):
    from course_utils.gan.trainer import GANTrainer

    images, _ = digits
    GANTrainer(tiny_gan, images, batch_size=32, folder=tmp_path, samples=4, ncols=2, progress=False).train(1)
    capsys.readouterr()
    with in_language("zh_CN"):
        again = GANTrainer(tiny_gan, images, batch_size=32, folder=tmp_path, samples=4, ncols=2, progress=False)
        resumed = capsys.readouterr().out.strip()
        again.train(1)
        done = capsys.readouterr().out.strip()
    assert resumed == f"已从 {tmp_path / 'checkpoint.npz'} 恢复：第 1 轮，第 2 步。"
    assert re.fullmatch(r"已经训练了 1 轮（第 2 步，\d+ 秒）；要继续训练，请指定更多的轮数或时间。", done), done
    GANTrainer(tiny_gan, images, batch_size=32, folder=tmp_path, samples=4, ncols=2, progress=False)
    assert capsys.readouterr().out.strip() == f"Resumed from {tmp_path / 'checkpoint.npz'}: epoch 1, step 2."


# ------------------------------------------------------------------ tables


def test_tables_show_chinese_headings_and_keep_their_english_keys():
    from course_utils.diffusion import measure
    from course_utils.fast.compare import Table

    rows = [measure.Row("DDIM, guided", 20, 12.34, 9, 0.0105, 0.8, 3.0)]
    with in_language("zh_CN"):
        shown = measure.table(rows, floor=4.0)
        table = Table(["method", "seconds per image"], [["Magenta", 0.5]],
                      headings={"method": "方法", "seconds per image": "每张图像的秒数"})
        text = str(table)
    assert shown.splitlines()[0] == "| 方法 | 步数 | 引导强度 | 判为所要数字的比例 | 类 FID 距离 | 覆盖类别数 | 每个样本毫秒数 |"
    assert "| DDIM（带引导） | 20 | 3 | 80% | 12.3 | 9/10 | 10.5 |" in shown
    assert shown.endswith("下限（真实数字对比另一批真实数字）：类 FID 距离 4.0。")
    assert measure.table(rows).splitlines()[0] == \
        "| method | steps | guidance | asked-for digit | FID-like | classes covered | ms per sample |"
    assert table.column("seconds per image") == [0.5] and "<th" in table._repr_html_()
    # a Chinese character is two columns wide in a terminal: the rule under a heading is as wide as it
    heading, rule = text.splitlines()[:2]
    assert heading.split()[0] == "方法" and rule.split()[1] == "-" * len("每张图像的秒数") * 2


def test_the_layer_table_in_chinese():
    from course_utils import cnn

    model = cnn.small_cnn()
    with in_language("zh_CN"):
        text = str(cnn.layer_table(model))
    heading = text.splitlines()[0].split()
    assert heading[:4] == ["层", "类型", "输出形状", "参数量"] and "感受野" in heading
    assert "卷积" in text and "池化" in text and text.splitlines()[-1].startswith("参数总数：")
    english = str(cnn.layer_table(model))
    assert english.splitlines()[0].split()[:2] == ["layer", "kind"] and "total parameters: " in english
    assert [row.kind for row in cnn.layer_table(model)][:3] == ["input", "conv", "pool"]


# ------------------------------------------------------------------ the catalogues themselves


def _fields(text: str) -> list:
    return sorted((name, spec or "", conversion or "")
                  for _literal, name, spec, conversion in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("path", i18n.catalogue_files("zh_CN"), ids=lambda p: p.name)
def test_every_translation_keeps_the_fields_of_its_english(path):
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    wrong = [f"{message.id!r} -> {message.string!r}" for message in catalogue
             if message.id and message.string and _fields(message.string) != _fields(message.id)]
    assert not wrong, "a translation must keep every {field} of its English:\n" + "\n".join(wrong)


@pytest.mark.parametrize("part", PARTS)
def test_every_message_of_the_subpackages_is_translated_in_chinese_punctuation(part):
    path = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{part}.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 30
    assert not [m.id for m in messages if not m.string or m.fuzzy], "untranslated or out of date"
    # (a cell like "{covered}/10" needs no Chinese character; the English copied unchanged is not a translation)
    assert not [m.id for m in messages if not CJK.search(m.string) and m.string == m.id], "not Chinese"
    sentences = [m for m in messages if m.id.endswith(".")]
    assert not [m.string for m in sentences if not m.string.endswith("。")], "a sentence ends with 。"
    # Chinese prose takes full-width commas, semicolons and colons (ASCII ones stay inside code)
    half_width = re.compile(r"[\u4e00-\u9fff][,;:]|[,;:][\u4e00-\u9fff]")
    assert not [m.string for m in messages if half_width.search(m.string)]
