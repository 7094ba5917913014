# Copyright (c) mmocr_vlp contributors. All rights reserved.
import pytest
import torch

from mmocr_vlp.models.common.text_encoder import CharTextEncoder

NUM_TOKENS = 12  # 0 PAD, 1..9 chars, 10 MASK, 11 EOS
EOS = 11


def _enc(**kw):
    cfg = dict(num_tokens=NUM_TOKENS, max_len=8, embed_dims=16, num_layers=2,
               num_heads=2, eos_idx=EOS)
    cfg.update(kw)
    torch.manual_seed(0)
    return CharTextEncoder(**cfg).eval()


def _tokens():
    return torch.tensor([[1, 2, 3, EOS, 0, 0],
                         [4, 5, EOS, 0, 0, 0],
                         [6, 7, 8, 9, 1, EOS]])


def test_registered_and_shapes():
    from mmocr.registry import MODELS
    enc = MODELS.build(dict(type='CharTextEncoder', num_tokens=NUM_TOKENS,
                            max_len=8, embed_dims=16, num_layers=1,
                            num_heads=2, out_dims=10, eos_idx=EOS))
    pooled, feats, mask = enc(_tokens())
    assert pooled.shape == (3, 10)
    assert feats.shape == (3, 6, 16)
    assert mask.dtype == torch.bool and mask.shape == (3, 6)
    assert mask.tolist()[1] == [False] * 3 + [True] * 3
    assert torch.all(feats[mask] == 0)


def test_eos_pooling_takes_eos_feature():
    enc = _enc()
    tok = _tokens()
    pooled, feats, _ = enc(tok)
    eos_pos = [3, 2, 5]
    for i, p in enumerate(eos_pos):
        torch.testing.assert_close(pooled[i], feats[i, p])


def test_eos_fallback_last_nonpad():
    enc = _enc()
    tok = torch.tensor([[1, 2, 3, 0, 0]])  # no EOS
    pooled, feats, _ = enc(tok)
    torch.testing.assert_close(pooled[0], feats[0, 2])
    enc_no_eos = _enc(eos_idx=None)
    pooled, feats, _ = enc_no_eos(torch.tensor([[1, 2, EOS, 0]]))
    torch.testing.assert_close(pooled[0], feats[0, 2])


def test_mean_pooling_over_real_chars_only():
    enc = _enc(pooling='mean')
    tok = _tokens()
    pooled, feats, _ = enc(tok)
    torch.testing.assert_close(pooled[0], feats[0, :3].mean(0))
    torch.testing.assert_close(pooled[1], feats[1, :2].mean(0))
    torch.testing.assert_close(pooled[2], feats[2, :5].mean(0))


@pytest.mark.parametrize('pooling,causal', [('eos', False), ('mean', False),
                                            ('eos', True), ('mean', True)])
def test_padding_and_instance_independence(pooling, causal):
    """Extra pads and other instances must not change a word's feature."""
    enc = _enc(pooling=pooling, causal=causal)
    tok = _tokens()
    pooled, _, _ = enc(tok)
    longer = torch.cat([tok, torch.zeros(3, 2, dtype=torch.long)], 1)
    pooled_long, _, _ = enc(longer)
    torch.testing.assert_close(pooled, pooled_long, atol=1e-5, rtol=1e-5)
    alone, _, _ = enc(tok[1:2, :3])
    torch.testing.assert_close(alone[0], pooled[1], atol=1e-5, rtol=1e-5)
    # Changing a character of another word leaves this word unchanged,
    # changing one of its own characters does change it.
    tok2 = tok.clone()
    tok2[0, 1] = 9
    pooled2, _, _ = enc(tok2)
    torch.testing.assert_close(pooled2[1:], pooled[1:], atol=1e-5,
                               rtol=1e-5)
    assert not torch.allclose(pooled2[0], pooled[0])


def test_empty_rows_and_empty_batch():
    enc = _enc(out_dims=5).train()
    tok = torch.tensor([[0, 0, 0], [1, EOS, 0]])
    pooled, feats, mask = enc(tok)
    assert torch.isfinite(pooled).all() and torch.isfinite(feats).all()
    assert torch.all(pooled[0] == 0) and torch.all(feats[0] == 0)
    assert mask[0].all()
    pooled.sum().backward()
    for p in enc.parameters():
        assert p.grad is None or torch.isfinite(p.grad).all()
    pooled, feats, mask = enc(torch.zeros(0, 7, dtype=torch.long))
    assert pooled.shape == (0, 5) and feats.shape == (0, 7, 16)
    assert mask.shape == (0, 7)


def test_gradient_reaches_every_parameter():
    enc = _enc(out_dims=6, pooling='eos').train()
    pooled, _, _ = enc(_tokens())
    (pooled**2).sum().backward()
    for name, p in enc.named_parameters():
        assert p.grad is not None, name
        assert p.grad.abs().sum() > 0, name
    # PAD row of the embedding never learns.
    assert torch.all(enc.token_embedding.weight.grad[0] == 0)


def test_bad_input():
    enc = _enc()
    with pytest.raises(ValueError, match='max_len'):
        enc(torch.ones(2, 9, dtype=torch.long))
    with pytest.raises(ValueError, match=r'\(N, L\)'):
        enc(torch.ones(9, dtype=torch.long))
    with pytest.raises(ValueError, match='pooling'):
        _enc(pooling='cls')


# ---------------------------------------------------------------- options
OFFICIAL_OCLIP = dict(causal=True, activation='quick_gelu',
                      key_padding_mask=False, learnable_pad=True,
                      zero_empty=False, clip_init=True)


def _final_feats(enc, tok):
    """The encoder's per-position output before pads are zeroed."""
    seen = {}
    h = enc.ln_final.register_forward_hook(
        lambda m, i, o: seen.setdefault('x', o))
    pooled, _, _ = enc(tok)
    h.remove()
    return pooled, seen['x']


def test_causal_mask_hides_later_positions():
    enc = _enc(causal=True)
    tok = _tokens()
    _, base = _final_feats(enc, tok)
    tok2 = tok.clone()
    tok2[2, 4] = 3  # change position 4 of word 2
    _, changed = _final_feats(enc, tok2)
    torch.testing.assert_close(changed[2, :4], base[2, :4])
    assert not torch.allclose(changed[2, 4:], base[2, 4:])
    # Without the causal mask an earlier position sees the change.
    enc = _enc(causal=False)
    _, base = _final_feats(enc, tok)
    _, changed = _final_feats(enc, tok2)
    assert not torch.allclose(changed[2, 0], base[2, 0])


def test_quick_gelu_activation():
    from mmocr_vlp.models.common.text_encoder import QuickGELU
    x = torch.linspace(-3, 3, 7)
    torch.testing.assert_close(QuickGELU()(x), x * torch.sigmoid(1.702 * x))
    a = _enc(activation='quick_gelu')
    b = _enc(activation='gelu')
    assert isinstance(a.transformer.layers[0].activation, QuickGELU)
    b.load_state_dict(a.state_dict())
    assert not torch.allclose(a(_tokens())[0], b(_tokens())[0])
    with pytest.raises(ValueError, match='activation'):
        _enc(activation='relu6')


def test_no_key_padding_mask_pads_are_tokens():
    tok = _tokens()
    longer = torch.cat([tok, torch.zeros(3, 2, dtype=torch.long)], 1)
    # Non-causal: trailing pads now change the words.
    enc = _enc(key_padding_mask=False, learnable_pad=True)
    assert not torch.allclose(enc(tok)[0], enc(longer)[0])
    # Causal (the official oCLIP): the EOS feature never sees the pads.
    enc = _enc(**OFFICIAL_OCLIP)
    torch.testing.assert_close(enc(tok)[0], enc(longer)[0], atol=1e-5,
                               rtol=1e-5)


def test_mean_all_pooling_includes_pads():
    enc = _enc(pooling='mean_all', key_padding_mask=False,
               learnable_pad=True)
    tok = _tokens()
    pooled, x = _final_feats(enc, tok)
    torch.testing.assert_close(pooled, x.mean(1))
    real = _enc(pooling='mean', key_padding_mask=False, learnable_pad=True)
    real.load_state_dict(enc.state_dict())
    assert not torch.allclose(real(tok)[0][0], pooled[0])


def test_learnable_pad_row():
    enc = _enc(learnable_pad=True, key_padding_mask=False, out_dims=4)
    assert enc.token_embedding.padding_idx is None
    assert enc.token_embedding.weight[0].abs().sum() > 0
    enc.train()
    enc(_tokens())[0].pow(2).sum().backward()
    assert enc.token_embedding.weight.grad[0].abs().sum() > 0
    fixed = _enc()
    assert fixed.token_embedding.padding_idx == 0
    assert torch.all(fixed.token_embedding.weight[0] == 0)


def test_empty_slot_encoded_like_official():
    enc = _enc(out_dims=5, **OFFICIAL_OCLIP)
    tok = torch.tensor([[0, 0, 0], [1, EOS, 0]])
    pooled, x = _final_feats(enc, tok)
    # argmax of an all-PAD row is position 0.
    torch.testing.assert_close(pooled[0], enc.text_projection(x[0, 0]))
    assert pooled[0].abs().sum() > 0
    assert torch.isfinite(pooled).all()


def test_eos_strip():
    enc = _enc(eos_mode='strip', pooling='mean_all', max_len=6,
               key_padding_mask=False, learnable_pad=True)
    tok = torch.tensor([[1, 2, 3, EOS, 0, 0, 0], [4, 5, 6, 7, 8, 9, EOS]])
    no_eos = torch.tensor([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]])
    pooled, feats, mask = enc(tok)
    assert feats.shape[1] == 6
    torch.testing.assert_close(pooled, enc(no_eos)[0])
    with pytest.raises(ValueError, match='max_len'):
        enc(torch.ones(2, 7, dtype=torch.long))
    with pytest.raises(ValueError, match='eos_mode'):
        _enc(eos_mode='drop')


def test_clip_init_stds():
    torch.manual_seed(0)
    enc = CharTextEncoder(num_tokens=NUM_TOKENS, max_len=8, embed_dims=64,
                          num_layers=2, num_heads=4, clip_init=True)
    layer = enc.transformer.layers[0]
    w = 64
    assert abs(layer.self_attn.in_proj_weight.std().item() - w**-0.5) < 0.01
    proj = w**-0.5 * 4**-0.5
    assert abs(layer.self_attn.out_proj.weight.std().item() - proj) < 0.01
    assert abs(layer.linear1.weight.std().item() - (2 * w)**-0.5) < 0.01
    assert torch.all(layer.self_attn.in_proj_bias == 0)
    # Layers are not clones of each other (nn.TransformerEncoder copies).
    other = enc.transformer.layers[1]
    assert not torch.equal(layer.linear1.bias, other.linear1.bias)
    assert not torch.equal(layer.linear2.weight, other.linear2.weight)


@pytest.mark.parametrize('clip_init', [False, True])
def test_layers_start_different(clip_init):
    # nn.TransformerEncoder deep-copies its layer: every layer must still
    # get its own initial weights, with or without CLIP's stds.
    enc = CharTextEncoder(num_tokens=NUM_TOKENS, max_len=8, embed_dims=32,
                          num_layers=3, num_heads=4, clip_init=clip_init)
    layers = enc.transformer.layers
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        for name in ('self_attn.in_proj_weight', 'self_attn.out_proj.weight',
                     'linear1.weight', 'linear1.bias', 'linear2.weight'):
            pa = layers[a].get_parameter(name)
            pb = layers[b].get_parameter(name)
            assert not torch.equal(pa, pb), (clip_init, a, b, name)


def test_text_encoder_cfg_from_dictionary():
    from mmocr_vlp.datasets.dictionary import build_dictionary
    from mmocr_vlp.models.common.text_encoder import text_encoder_cfg
    d = build_dictionary(dict(type='VLPDictionary', preset='printable',
                              max_len=24))
    cfg = text_encoder_cfg(dict(embed_dims=8, max_len=30), d, 16)
    assert cfg['type'] == 'CharTextEncoder'
    assert cfg['num_tokens'] == len(d) == 97
    assert cfg['max_len'] == 30 and cfg['out_dims'] == 16
    assert cfg['eos_idx'] == d.eos_idx == 96 and cfg['pad_idx'] == 0
    assert text_encoder_cfg({}, d, 16)['max_len'] == 25
