# Copyright (c) mmocr_vlp contributors. All rights reserved.
import math

import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr.registry import MODELS
from mmocr_vlp.datasets import VLPDictionary

DICT_CFG = dict(type='VLPDictionary', preset='alnum_lower', max_len=8)


def tiny_cfg(**kw):
    cfg = dict(
        type='OCLIP',
        dictionary=DICT_CFG,
        image_encoder=dict(
            type='CLIPImageEncoder',
            backbone=dict(type='OCLIPResNet', depth=26, base_channels=8),
            input_size=64, num_heads=4, out_dims=32),
        text_encoder=dict(embed_dims=16, num_layers=1, num_heads=2),
        decoder=dict(num_layers=2, num_heads=2))
    cfg.update(kw)
    return cfg


def build(**kw):
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(**kw))
    model.init_weights()
    return model


def make_sample(words, mask_pos=None, ignored=None, img_path='x.jpg'):
    d = VLPDictionary(preset='alnum_lower', max_len=8)
    tokens, keep = d.tokenize(words)
    assert len(keep) == len(words)
    tokens = torch.from_numpy(tokens)
    masked = tokens.clone()
    labels = torch.zeros(len(words), dtype=torch.long)
    pos = torch.zeros(len(words), dtype=torch.long)
    for i, w in enumerate(words):
        p = 0 if mask_pos is None else mask_pos[i] % len(w)
        labels[i] = tokens[i, p]
        pos[i] = p
        masked[i, p] = d.mask_idx
    ds = TextSpottingDataSample(metainfo=dict(img_path=img_path))
    inst = InstanceData()
    inst.texts = list(words)
    inst.tokens = tokens.reshape(len(words), -1)
    inst.masked_tokens = masked.reshape(len(words), -1)
    inst.mask_labels = labels
    inst.mask_positions = pos
    inst.ignored = torch.tensor(
        ignored if ignored is not None else [False] * len(words),
        dtype=torch.bool)
    ds.gt_instances = inst
    return ds


def batch(seed=0, hw=(64, 64)):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(3, 3, *hw, generator=g)
    samples = [
        make_sample(['hello', 'world', 'abc'], [1, 2, 0]),
        make_sample(['text'], [3]),
        make_sample(['oclip', 'mmocr'], [0, 4]),
    ]
    return inputs, samples


def test_tensor_mode_shapes():
    model = build().eval()
    inputs, samples = batch()
    out = model(inputs, samples, mode='tensor')
    v = len(model.dictionary)
    assert out['img_embeds'].shape == (3, 32)
    assert out['img_tokens'].shape == (3, 4, 32)  # 64 / 32 = 2x2 grid
    assert out['hw'] == (2, 2)
    assert out['word_embeds'].shape == (6, 32)
    assert out['text_embeds'].shape == (3, 32)
    assert out['mask_logits'].shape == (6, v)
    assert out['text_valid'].all()


def test_paper_config_builds_and_runs_rn50_shapes():
    from mmengine.config import Config
    cfg = Config.fromfile('configs/oclip/oclip_resnet50_100e_synthtext.py')
    model = MODELS.build(cfg.model)
    enc = model.image_encoder
    assert enc.feat_dims == 2048
    assert enc.attnpool.positional_embedding.shape == (16 * 16 + 1, 2048)
    assert enc.attnpool.num_heads == 32 and enc.out_dims == 384
    assert model.text_encoder.text_projection.weight.shape == (384, 64)
    assert len(model.decoder.layers) == 6
    assert model.decoder.text_class.out_features == 97  # 94 + PAD/MASK/EOS
    model.eval()
    with torch.no_grad():  # 128x128 -> 4x4 tokens (interpolated pos embed)
        glob, spatial, hw, _ = enc(torch.randn(1, 3, 128, 128))
    assert glob.shape == (1, 384) and spatial.shape == (1, 16, 384)
    assert hw == (4, 4)


def test_loss_and_gradient_reaches_every_parameter():
    model = build().train()
    # Every bottleneck's last BN starts at zero (official init), which stops
    # the gradient into the residual branches at step 0; open them.
    from mmocr.models.common.backbones.clip_resnet import CLIPBottleneck
    blocks = [m for m in model.modules() if isinstance(m, CLIPBottleneck)]
    assert len(blocks) == 8
    for m in blocks:
        assert torch.all(m.norm3.weight == 0)
        torch.nn.init.ones_(m.norm3.weight)
    inputs, samples = batch()
    losses = model(inputs, samples, mode='loss')
    assert set(losses) >= {'loss_cls', 'loss_bc', 'acc_mask', 'logit_scale'}
    assert losses['logit_scale'].item() == pytest.approx(math.log(1 / .07),
                                                         rel=1e-5)
    total = losses['loss_cls'] + losses['loss_bc']
    assert torch.isfinite(total)
    total.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f'{name} got no gradient'
        assert p.grad.abs().sum() > 0, f'{name} has a zero gradient'


def test_loss_weights_configurable():
    model = build(loss_cls_weight=0.,
                  loss_contrastive=dict(type='SymmetricContrastiveLoss',
                                        loss_weight=2.0))
    ref = build()
    inputs, samples = batch()
    a = model(inputs, samples, mode='loss')
    b = ref(inputs, samples, mode='loss')
    assert a['loss_cls'].item() == 0
    torch.testing.assert_close(a['loss_bc'], 2 * b['loss_bc'])


def test_overfits_tiny_batch():
    model = build().train()
    inputs, samples = batch()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    first = None
    for _ in range(40):
        losses = model(inputs, samples, mode='loss')
        loss = losses['loss_cls'] + losses['loss_bc']
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first, (first, loss.item())
    assert losses['acc_mask'].item() == 1.0


def test_words_do_not_interact_partial_annotation():
    """No self-attention: adding/removing other words of the same image
    never changes a word's masked-character logits (partial labels)."""
    model = build().eval()
    g = torch.Generator().manual_seed(3)
    img = torch.randn(1, 3, 64, 64, generator=g)
    full = make_sample(['hello', 'world', 'abc'], [1, 2, 0])
    part = make_sample(['world'], [2])
    with torch.no_grad():
        a = model(img, [full], mode='tensor')['mask_logits']
        b = model(img, [part], mode='tensor')['mask_logits']
    torch.testing.assert_close(a[1], b[0], atol=1e-5, rtol=1e-5)


def test_image_text_embedding_is_masked_mean_and_empty_images():
    model = build().eval()
    g = torch.Generator().manual_seed(4)
    inputs = torch.randn(3, 3, 64, 64, generator=g)
    samples = [
        make_sample(['hello', 'world'], [1, 2]),
        _empty_sample(),
        make_sample(['abc'], [0]),
    ]
    with torch.no_grad():
        out = model(inputs, samples, mode='tensor')
    we = out['word_embeds']
    torch.testing.assert_close(out['text_embeds'][0], we[:2].mean(0))
    torch.testing.assert_close(out['text_embeds'][2], we[2])
    assert torch.all(out['text_embeds'][1] == 0)
    assert out['text_valid'].tolist() == [True, False, True]
    # The loss ignores the empty image: equal to the loss without it.
    model.train()
    torch.manual_seed(0)
    full = model.loss(inputs, samples)
    assert torch.isfinite(full['loss_bc']) and torch.isfinite(
        full['loss_cls'])
    model.eval()  # BN statistics: compare in eval mode
    with torch.no_grad():
        l3 = model.loss(inputs, samples)
        l2 = model.loss(inputs[[0, 2]], [samples[0], samples[2]])
    torch.testing.assert_close(l3['loss_bc'], l2['loss_bc'])
    torch.testing.assert_close(l3['loss_cls'], l2['loss_cls'])


def _empty_sample():
    ds = TextSpottingDataSample(metainfo=dict(img_path='empty.jpg'))
    inst = InstanceData()
    inst.texts = []
    inst.tokens = torch.zeros(0, 9, dtype=torch.long)
    inst.masked_tokens = torch.zeros(0, 9, dtype=torch.long)
    inst.mask_labels = torch.zeros(0, dtype=torch.long)
    inst.mask_positions = torch.zeros(0, dtype=torch.long)
    inst.ignored = torch.zeros(0, dtype=torch.bool)
    ds.gt_instances = inst
    return ds


def test_batch_without_any_word():
    model = build().train()
    inputs = torch.randn(2, 3, 64, 64)
    losses = model.loss(inputs, [_empty_sample(), _empty_sample()])
    total = losses['loss_cls'] + losses['loss_bc']
    assert total.item() == 0
    total.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


def test_ignored_words_excluded_from_loss():
    model = build().eval()
    inputs, _ = batch()
    with_ign = [make_sample(['hello', 'zzz'], [1, 0], ignored=[False, True]),
                make_sample(['text'], [3]), make_sample(['abc'], [0])]
    without = [make_sample(['hello'], [1]), make_sample(['text'], [3]),
               make_sample(['abc'], [0])]
    with torch.no_grad():
        a = model.loss(inputs, with_ign)
        b = model.loss(inputs, without)
    torch.testing.assert_close(a['loss_cls'], b['loss_cls'])
    torch.testing.assert_close(a['loss_bc'], b['loss_bc'])


def test_other_input_sizes_interpolate():
    model = build().eval()
    inputs, samples = batch(hw=(96, 64))
    with torch.no_grad():
        out = model(inputs, samples, mode='tensor')
    assert out['hw'] == (3, 2) and out['img_tokens'].shape == (3, 6, 32)


def test_predict_and_attention_maps():
    model = build(test_cfg=dict(return_attn=True)).eval()
    inputs, samples = batch()
    with torch.no_grad():
        res = model(inputs, samples, mode='predict')
    assert len(res) == 3
    r = res[0]
    assert r.img_embedding.shape == (32, )
    assert r.text_embedding.shape == (32, )
    assert torch.allclose(r.img_embedding.norm(), torch.tensor(1.))
    p = r.pred_instances
    assert len(p) == 3 and p.embeddings.shape == (3, 32)
    assert len(p.mask_pred_chars) == 3 and len(p.pred_texts) == 3
    assert [len(t) for t in p.pred_texts] == [5, 5, 3]
    assert p.decoder_attn.shape == (3, 2, 2)
    assert r.pool_attn.shape == (2, 2)
    # Softmax rows over the h*w spatial keys (the global token is not in
    # the decoder's memory).
    torch.testing.assert_close(p.decoder_attn.flatten(1).sum(1),
                               torch.ones(3))


def test_contrastive_tokens_unmasked_option():
    model = build(contrastive_tokens='unmasked').eval()
    inputs, samples = batch()
    with torch.no_grad():
        out = model(inputs, samples, mode='tensor')
        clean, _, _ = model.text_encoder(
            torch.cat([s.gt_instances.tokens for s in samples]))
    torch.testing.assert_close(out['word_embeds'], clean)
    with pytest.raises(ValueError, match='contrastive_tokens'):
        build(contrastive_tokens='both')


def test_missing_fields_raise_clear_error():
    model = build()
    ds = TextSpottingDataSample(metainfo=dict(img_path='bad.jpg'))
    inst = InstanceData()
    inst.texts = ['a']
    ds.gt_instances = inst
    with pytest.raises(KeyError, match='bad.jpg'):
        model.loss(torch.randn(1, 3, 64, 64), [ds])


def test_trunk_zero_init_residual_unless_pretrained(tmp_path):
    """Every bottleneck's last BN starts at zero (official init); weights
    loaded by a Pretrained init_cfg are left alone."""
    from mmocr.models.common.backbones.clip_resnet import CLIPBottleneck
    cfg = dict(type='OCLIPResNet', depth=26, base_channels=8,
               init_cfg=dict(type='Constant', val=1, layer='_BatchNorm'))
    net = MODELS.build(cfg)
    net.init_weights()
    blocks = [m for m in net.modules() if isinstance(m, CLIPBottleneck)]
    assert len(blocks) == 8
    assert all(torch.all(b.norm3.weight == 0) for b in blocks)
    assert torch.all(net.stem[1].weight == 1)
    for b in blocks:
        torch.nn.init.constant_(b.norm3.weight, 0.5)
    ckpt = tmp_path / 'trunk.pth'
    torch.save(dict(state_dict=net.state_dict()), ckpt)
    loaded = MODELS.build(dict(cfg, init_cfg=dict(type='Pretrained',
                                                  checkpoint=str(ckpt))))
    loaded.init_weights()
    assert all(torch.all(m.norm3.weight == 0.5) for m in loaded.modules()
               if isinstance(m, CLIPBottleneck))
    # No zero init when asked not to.
    plain = MODELS.build(dict(cfg, zero_init_residual=False))
    plain.init_weights()
    assert all(torch.all(m.norm3.weight == 1) for m in plain.modules()
               if isinstance(m, CLIPBottleneck))
