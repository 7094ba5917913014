# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Ground truth of the synthetic scene-text renderer."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from mmocr_vlp.datasets.synth import (DEFAULT_CHARSET, WORDS_FILE,
                                      SynthTextRenderer, WordSampler,
                                      find_fonts, load_word_list)
from mmocr_vlp.datasets.synth.fonts import matplotlib_font_dir
from mmocr_vlp.utils.polygon_utils import polygon_center

cv2.setNumThreads(1)
N_IMG = 10


def _render_many(renderer, seeds, aux=False):
    return [renderer.render(np.random.default_rng(s), return_aux=aux)
            for s in seeds]


@pytest.fixture(scope='module')
def default_renders():
    r = SynthTextRenderer(img_size=(320, 320))
    return r, _render_many(r, range(N_IMG), aux=True)


@pytest.fixture(scope='module')
def clean_renders():
    """No global blur/noise/lighting: every changed pixel is text."""
    r = SynthTextRenderer(
        img_size=(320, 320),
        blur_prob=0,
        noise_prob=0,
        lighting_prob=0,
        curved_prob=0.5)
    return r, _render_many(r, range(100, 100 + N_IMG), aux=True)


def _poly_mask(instances, shape, dilate=2):
    mask = np.zeros(shape[:2], np.uint8)
    for inst in instances:
        p = np.array(inst['polygon']).reshape(-1, 2)
        cv2.fillPoly(mask, [np.round(p).astype(np.int32)], 1)
    if dilate:
        k = 2 * dilate + 1
        mask = cv2.dilate(mask, np.ones((k, k), np.uint8))
    return mask.astype(bool)


def test_text_alpha_inside_polygons(default_renders):
    """>= 97% of the text ink (incl. outline/shadow) lies in a polygon
    dilated by 2 px, on every image."""
    _, renders = default_renders
    for img, insts, aux in renders:
        ink = aux['text_alpha'] > 0.5
        assert ink.sum() > 50
        inside = (ink & _poly_mask(insts, img.shape)).sum() / ink.sum()
        assert inside >= 0.97, inside


def test_changed_pixels_inside_polygons(clean_renders):
    """Compare the image with its background: >= 97% of the pixels the text
    changed strongly are inside the (2 px dilated) polygons."""
    _, renders = clean_renders
    fracs = []
    for img, insts, aux in renders:
        diff = np.abs(img.astype(np.float32) - aux['background']).max(2)
        changed = diff > 40
        assert changed.sum() > 50
        fracs.append((changed & _poly_mask(insts, img.shape)).sum() /
                     changed.sum())
    assert min(fracs) >= 0.97, fracs


def test_every_polygon_holds_ink(clean_renders):
    """No empty boxes: each word polygon is covered by its glyphs (>= 5%
    of its area) and the glyphs of a word touch every character box."""
    _, renders = clean_renders
    for img, insts, aux in renders:
        ink = aux['text_alpha'] > 0.5
        for inst in insts:
            m = _poly_mask([inst], img.shape, dilate=0)
            assert (ink & m).sum() >= 0.05 * m.sum(), inst['text']
            for ch in inst['chars']:
                cm = _poly_mask([dict(polygon=ch['polygon'])], img.shape, 1)
                assert (ink & cm).any(), (inst['text'], ch['char'])


def test_text_contrasts_with_background(clean_renders):
    """Legibility: where a word's text is opaque, the image differs from
    the background by a clear luma step (median >= 40 grey levels) for
    >= 90% of the words."""
    _, renders = clean_renders
    w = np.float32([0.114, 0.587, 0.299])
    good = total = 0
    for img, insts, aux in renders:
        dl = np.abs((img.astype(np.float32) - aux['background']) @ w)
        core = aux['text_alpha'] > 0.95
        for inst in insts:
            m = _poly_mask([inst], img.shape, dilate=0) & core
            if m.sum() < 10:
                continue
            total += 1
            good += np.median(dl[m]) >= 40
    assert total > 20 and good / total >= 0.9, (good, total)


def test_instance_schema_and_geometry(default_renders):
    r, renders = default_renders
    w, h = r.img_size
    n_curved = n_straight = 0
    for img, insts, _ in renders:
        assert img.dtype == np.uint8 and img.shape == (h, w, 3)
        assert 1 <= len(insts) <= r.max_words
        for inst in insts:
            assert set(inst) == {
                'text', 'polygon', 'bbox', 'point', 'point_source', 'chars',
                'ignore', 'bbox_label'
            }
            assert inst['ignore'] is False and inst['bbox_label'] == 0
            assert inst['point_source'] == 'gt'
            poly = inst['polygon']
            if len(poly) == 8:
                n_straight += 1
            else:
                n_curved += 1
                assert len(poly) % 4 == 0 and len(poly) // 4 >= 7
            pts = np.array(poly).reshape(-1, 2)
            assert (pts >= 0).all() and (pts[:, 0] <= w - 1).all() and (
                pts[:, 1] <= h - 1).all()
            shp = Polygon(pts)
            assert shp.is_valid and shp.area > 20
            x1, y1, x2, y2 = inst['bbox']
            assert np.allclose([x1, y1, x2, y2],
                               [*pts.min(0), *pts.max(0)], atol=0.02)
            assert shp.buffer(1.0).contains(Point(inst['point']))
            # chars: one box per character, in order, inside the word
            assert ''.join(c['char'] for c in inst['chars']) == inst['text']
            for c in inst['chars']:
                assert len(c['polygon']) == 8
                cp = Polygon(np.array(c['polygon']).reshape(-1, 2))
                assert cp.is_valid
                assert shp.buffer(1.0).contains(cp), (inst['text'],
                                                      c['char'])
            assert set(inst['text']) <= set(DEFAULT_CHARSET)
    assert n_curved > 0 and n_straight > 0


def test_no_overlap(default_renders, clean_renders):
    # multi-word lines stress the gaps between neighbouring words
    r = SynthTextRenderer(
        img_size=(256, 256), multiword_prob=1.0, max_line_words=3,
        font_size_range=(0.08, 0.14))
    multi = [(None, insts, None) for _, insts in _render_many(r, range(12))]
    for renders in (default_renders[1], clean_renders[1], multi):
        for _, insts, _ in renders:
            polys = [
                Polygon(np.array(i['polygon']).reshape(-1, 2)) for i in insts
            ]
            for a in range(len(polys)):
                for b in range(a + 1, len(polys)):
                    assert not polys[a].intersects(polys[b])


def test_words_of_a_line_keep_apart():
    """In every font, the padded boxes of neighbouring words of one line
    are >= min_gap apart (narrow spaces are widened)."""
    r = SynthTextRenderer(img_size=(256, 256), tracking_prob=0)
    rng = np.random.default_rng(0)
    for idx in range(len(r.fonts.fonts)):
        for words in (['AVOID', 'PULSE', 'WAY'], ['f.', 'j', 'T']):
            if not set(''.join(words)) <= r.fonts.fonts[idx].coverage:
                continue
            line = r._layout(words, idx, 20, rng)
            boxes = line.word_boxes
            assert len(boxes) == len(words)
            for a, b in zip(boxes, boxes[1:]):
                assert b[0] - a[2] >= r.min_gap, (r.fonts.fonts[idx].path,
                                                  words)


def test_curved_polygon_order():
    """Curved words: 2K points, top side left->right then bottom side
    right->left (clockwise in image coordinates = positive shoelace)."""
    r = SynthTextRenderer(
        img_size=(256, 256), curved_prob=1.0, rotation_range=(0, 0),
        vertical_prob=0, perspective=0, multiword_prob=0, curve_points=8)
    n = 0
    for img, insts in _render_many(r, range(4)):
        for inst in insts:
            p = np.array(inst['polygon']).reshape(-1, 2)
            if len(p) == 4:
                continue  # too short to bend
            n += 1
            assert len(p) == 16
            top, bottom = p[:8], p[8:]
            assert (np.diff(top[:, 0]) > 0).all()
            assert (np.diff(bottom[:, 0]) < 0).all()
            x, y = p[:, 0], p[:, 1]
            area2 = (x * np.roll(y, -1) - np.roll(x, -1) * y).sum()
            assert area2 > 0
            # the top side is above the bottom side
            assert top[:, 1].mean() < bottom[:, 1].mean()
    assert n > 0


def test_deterministic():
    r = SynthTextRenderer(img_size=(256, 256))
    a = r.render(np.random.default_rng(7))
    b = r.render(np.random.default_rng(7))
    c = r.render(np.random.default_rng(8))
    assert np.array_equal(a[0], b[0]) and a[1] == b[1]
    assert not np.array_equal(a[0], c[0])
    # a fresh renderer (fresh font cache) gives the same output
    r2 = SynthTextRenderer(img_size=(256, 256))
    d = r2.render(np.random.default_rng(7))
    assert np.array_equal(a[0], d[0]) and a[1] == d[1]


def test_font_size_scales_with_image():
    """Text stays legible at 256x256: characters are >= ~8 px tall, and
    sizes scale with the image."""
    med = {}
    for s in (256, 512):
        r = SynthTextRenderer(img_size=(s, s))
        hs = []
        for _, insts in _render_many(r, range(6)):
            for inst in insts:
                for c in inst['chars']:
                    if c['char'].isalnum():
                        q = np.array(c['polygon']).reshape(-1, 2)
                        hs.append(np.linalg.norm(q[3] - q[0]))
        med[s] = np.median(hs)
        assert np.percentile(hs, 10) >= 6.0
    assert med[256] >= 9
    assert 1.4 < med[512] / med[256] < 2.8


def test_word_count_range():
    r = SynthTextRenderer(img_size=(384, 384), min_words=3, max_words=4)
    for _, insts in _render_many(r, range(6)):
        assert 1 <= len(insts) <= 4


def test_polygon_center():
    # quad: mean of top-edge and bottom-edge mid points
    q = [0, 0, 10, 2, 12, 8, -2, 6]
    c = polygon_center(q)
    assert np.allclose(c, [(5 + 5) / 2, (1 + 7) / 2])
    # 2K polygon: mid-arc points of each side
    top = [(0, 0), (1, 1), (2, 1), (5, 1)]  # length sqrt2 + 1 + 3
    bottom = [(5, 5), (0, 5), (0, 5), (0, 5)]
    p = [v for xy in top + bottom for v in xy]
    L = np.sqrt(2) + 4
    # half arc length on top lands on the last segment
    t_mid = np.array([2 + (L / 2 - np.sqrt(2) - 1), 1])
    b_mid = np.array([2.5, 5])
    assert np.allclose(polygon_center(p), (t_mid + b_mid) / 2)
    # odd point count: sides pts[:n // 2] and pts[n // 2:] (as SPTS)
    # top (0,0)-(4,0): mid (2, 0); bottom (4,4)-(0,4)-(0,2), length 6: the
    # mid point is 3 along the first segment, (1, 4)
    pent = [0, 0, 4, 0, 4, 4, 0, 4, 0, 2]
    assert np.allclose(polygon_center(pent), [1.5, 2.0])
    with pytest.raises(ValueError):
        polygon_center([0, 0, 1])


def test_fonts_found_and_filtered(tmp_path):
    fonts = find_fonts()
    names = {osp.basename(f.path) for f in fonts}
    assert len(fonts) >= 3
    assert 'LastResortHE-Regular.ttf' not in names  # draws boxes
    assert 'cmex10.ttf' not in names  # cmap says ASCII, draws delimiters
    for f in fonts:
        assert set('abcXYZ019') <= f.coverage
    # font_dir: searched first
    src = osp.join(matplotlib_font_dir(), 'DejaVuSans.ttf')
    shutil.copy(src, tmp_path / 'MyTestFont.ttf')
    fonts2 = find_fonts([str(tmp_path)])
    assert osp.basename(fonts2[0].path) == 'MyTestFont.ttf'
    with pytest.raises(FileNotFoundError):
        find_fonts(['/nonexistent/fonts'])
    # a renderer restricted to that one font
    r = SynthTextRenderer(
        img_size=(128, 128), font_dirs=[str(tmp_path)], use_system_fonts=False)
    assert any(
        osp.basename(f.path) == 'MyTestFont.ttf' for f in r.fonts.fonts)


def test_word_sources():
    words = load_word_list()
    assert len(words) >= 2000
    assert os.path.getsize(WORDS_FILE) < 100_000
    s = WordSampler()
    rng = np.random.default_rng(0)
    toks = [s.sample(rng) for _ in range(2000)]
    assert all(0 < len(t) <= 18 for t in toks)
    assert set(''.join(toks)) <= set(DEFAULT_CHARSET)
    assert any(t.isdigit() for t in toks)
    assert any(not t.isalnum() for t in toks)
    assert any(t.isupper() for t in toks) and any(t.islower() for t in toks)
    # a restricted charset is respected
    s2 = WordSampler(charset='abcdefghijklmnopqrstuvwxyz0123456789')
    toks = [s2.sample(rng) for _ in range(300)]
    assert set(''.join(toks)) <= set('abcdefghijklmnopqrstuvwxyz0123456789')
    with pytest.raises(ValueError):
        WordSampler(source_probs=dict(bogus=1.0))


def test_bad_config():
    with pytest.raises(ValueError):
        SynthTextRenderer(img_size=(256, 256), min_words=5, max_words=2)
    with pytest.raises(ValueError):
        SynthTextRenderer(img_size=(256, 256), curve_points=4)
    with pytest.raises(ValueError):
        SynthTextRenderer(img_size=(16, 16))
    with pytest.raises(ValueError, match='background'):
        SynthTextRenderer(background_kinds=('nope', ))
