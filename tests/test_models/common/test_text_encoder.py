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


@pytest.mark.parametrize('pooling', ['eos', 'mean'])
def test_padding_and_instance_independence(pooling):
    """Extra pads and other instances must not change a word's feature."""
    enc = _enc(pooling=pooling)
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
