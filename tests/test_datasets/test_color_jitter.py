# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""ColorJitter against torchvision's definition on PIL images, computed
here by hand: brightness = blend with black, contrast = blend with the
rounded grayscale mean, saturation = blend with the grayscale image, hue =
shift of H in HSV; PIL blends in float32 and truncates, its grayscale is
ITU-R 601-2 luma in 16-bit fixed point."""
import colorsys
import itertools

import numpy as np
import pytest

from mmocr_vlp.datasets.transforms import ColorJitter


def _bgr(seed=0, h=24, w=32):
    """Random, with a different range per channel (blue cast)."""
    return np.random.default_rng(seed).integers(0, (256, 160, 90), (h, w, 3),
                                                dtype=np.uint8)


def _gray(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16


def _blend(degenerate, rgb, factor):
    d = np.asarray(degenerate, np.float32)
    t = d + np.float32(factor) * (rgb.astype(np.float32) - d)
    return np.clip(t, 0, 255).astype(np.uint8)


def _brightness(rgb, f):
    return _blend(np.zeros_like(rgb), rgb, f)


def _contrast(rgb, f):
    mean = int(_gray(rgb).mean() + 0.5)
    return _blend(np.full_like(rgb, mean), rgb, f)


def _saturation(rgb, f):
    return _blend(np.repeat(_gray(rgb)[..., None], 3, -1), rgb, f)


HAND = {
    'brightness': _brightness,
    'contrast': _contrast,
    'saturation': _saturation
}


def _run(t, bgr, seed=None):
    if seed is not None:
        np.random.seed(seed)
    return t(dict(img=bgr.copy(), img_path='x.jpg'))['img']


def test_zero_is_identity():
    t = ColorJitter()
    assert (t.brightness, t.contrast, t.saturation, t.hue) == (None, ) * 4
    bgr = _bgr()
    out = _run(t, bgr, 0)
    assert out.dtype == np.uint8 and np.array_equal(out, bgr)
    # A factor of exactly 1 / a shift of 0 change nothing either.
    t = ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(1, 1))
    assert np.array_equal(_run(t, bgr, 0), bgr)


def test_ranges_follow_torchvision():
    t = ColorJitter(brightness=32 / 255, contrast=0.5, saturation=2, hue=0.2)
    assert t.brightness == pytest.approx((1 - 32 / 255, 1 + 32 / 255))
    assert t.contrast == (0.5, 1.5)
    assert t.saturation == (0., 3.)  # lower end clipped at 0
    assert t.hue == (-0.2, 0.2)
    assert ColorJitter(hue=[-0.1, 0.3]).hue == (-0.1, 0.3)
    for bad in (dict(brightness=-0.1), dict(hue=0.6), dict(hue=(-0.6, 0)),
                dict(contrast=(1.5, 0.5))):
        with pytest.raises(ValueError, match=list(bad)[0]):
            ColorJitter(**bad)
    with pytest.raises(TypeError, match='saturation'):
        ColorJitter(saturation='a')


def test_draws_uniform_factors_in_a_random_order():
    t = ColorJitter(brightness=0.2, contrast=0.5, saturation=0.5, hue=0.1)
    np.random.seed(0)
    orders, factors = set(), []
    for _ in range(2000):
        order, f = t._random_params()
        orders.add(tuple(order))
        factors.append(f)
    assert orders == set(itertools.permutations(range(4)))
    f = np.array(factors)
    lo = np.array([0.8, 0.5, 0.5, -0.1])
    hi = np.array([1.2, 1.5, 1.5, 0.1])
    assert (f >= lo).all() and (f <= hi).all()
    # Uniform: mean at the centre, about 10% of the draws per tenth.
    assert np.allclose(f.mean(0), (lo + hi) / 2, atol=0.02 * (hi - lo))
    assert np.all(np.abs((f[:, 0] < 0.84).mean() - 0.1) < 0.03)
    # A left-out adjustment draws no factor.
    t = ColorJitter(saturation=0.5)
    f = t._random_params()[1]
    assert f[:2] == (None, None) and f[3] is None and 0.5 <= f[2] <= 1.5


def test_seed_makes_it_deterministic():
    t = ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.1)
    bgr = _bgr()
    a, b, c = _run(t, bgr, 1), _run(t, bgr, 1), _run(t, bgr, 2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize('name', list(HAND))
@pytest.mark.parametrize('factor', [0., 0.6, 1 - 32 / 255, 1.4, 2.5])
def test_single_adjustment_equals_hand_computed(name, factor):
    bgr = _bgr()
    out = _run(ColorJitter(**{name: (factor, factor)}), bgr, 0)
    want = HAND[name](bgr[..., ::-1], factor)[..., ::-1]  # in RGB
    assert out.dtype == np.uint8 and out.shape == bgr.shape
    assert np.array_equal(out, want)
    if name != 'brightness' and factor != 1:
        # Channels are weighted as R, G, B: treating BGR as RGB differs.
        assert not np.array_equal(out, HAND[name](bgr, factor))


def test_hue_shifts_h_in_hsv():
    # Primaries (BGR): a third of the circle turns red into green, green
    # into blue, blue into red.
    red, green, blue = [0, 0, 255], [0, 255, 0], [255, 0, 0]
    img = np.array([[red, green, blue]], np.uint8)
    out = _run(ColorJitter(hue=(1 / 3, 1 / 3)), img, 0)
    assert out.tolist() == [[green, blue, red]]
    out = _run(ColorJitter(hue=(-1 / 3, -1 / 3)), img, 0)
    # uint8(-85) = 171: H lands 1.4 degrees past the target primary.
    assert np.abs(out.astype(int) - [[blue, red, green]]).max() <= 8
    # A random image against float HSV: H + uint8(255 h) / 255, mod 1.
    bgr = _bgr(3, 32, 32)
    for h in (0.1, -0.25, 0.5):
        out = _run(ColorJitter(hue=(h, h)), bgr, 0)
        shift = int(np.array(h * 255).astype(np.uint8)) / 255
        want = np.array([
            colorsys.hsv_to_rgb((hh + shift) % 1, s, v)
            for hh, s, v in (colorsys.rgb_to_hsv(*px)
                             for px in bgr[..., ::-1].reshape(-1, 3) / 255.)
        ]).reshape(bgr.shape)[..., ::-1] * 255
        err = np.abs(out - want)
        # PIL's HSV is 8-bit: a step of H is 1.4 degrees.
        assert err.mean() < 1.5 and err.max() <= 12, (h, err.mean(), err.max())


def test_applies_the_drawn_factors_in_the_drawn_order():
    t = ColorJitter(brightness=0.5, contrast=0.8, saturation=0.8)
    bgr = _bgr(5)
    for seed in range(6):
        np.random.seed(seed)
        order, factors = t._random_params()
        rgb = bgr[..., ::-1]
        for i in order:
            if i < 3:
                rgb = HAND[list(HAND)[i]](rgb, factors[i])
        assert np.array_equal(_run(t, bgr, seed), rgb[..., ::-1]), seed
    # The order matters (else this test would not check it).
    f = factors
    a = _contrast(_brightness(bgr, f[0]), f[1])
    b = _brightness(_contrast(bgr, f[1]), f[0])
    assert not np.array_equal(a, b)


def test_rejects_what_is_not_a_uint8_bgr_image():
    t = ColorJitter(brightness=0.2)
    for img in (np.zeros((4, 4, 3), np.float32), np.zeros((4, 4), np.uint8)):
        with pytest.raises(TypeError, match='"img" of \'a.jpg\''):
            t(dict(img=img, img_path='a.jpg'))
