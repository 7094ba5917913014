# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Write the oCLIP parity fixture by running the official code.

The official implementation (github.com/bytedance/oclip) is imported from a
checkout whose path is given on the command line; nothing of it is copied.
A tiny official model (random init, fixed seed; RN50 layout at width 4,
64x64 input, text width 16 x 2 layers, decoder 2 layers, embed 32, the
97-token SynthText vocabulary) is run on 2 images x 3 words, in training
mode with BatchNorm in eval mode (its statistics randomised so that no
layer is an identity). Every parameter and input is rounded to a float16
value first and stored as float16 (exact; the model runs in float32), which
halves the file. Saved as ``.npz`` (numbers only): the state dict
(``sd/<key>``), the inputs and the outputs: normalised image features, word
features (``encode_text``), normalised image-level text features,
masked-character logits, and the two losses of the official
``get_loss`` (masked-character CE, (i2t + t2i) / 2).

Usage (CPU, a few seconds)::

    git clone https://github.com/bytedance/oclip /path/to/oclip
    python tools/oclip_parity_fixture.py /path/to/oclip \\
        --out tests/data/oclip/official_tiny.npz

``tests/test_models/oclip/test_oclip_parity.py`` converts the state dict
and checks our outputs against these numbers.
"""
import argparse
import json
import os
import os.path as osp
import sys
from types import SimpleNamespace

import numpy as np
import torch

# Shape of the tiny model (the test builds ours with the same numbers).
TINY = dict(first_stage=False, embed_dim=32, image_resolution=64,
            vision_layers=(3, 4, 6, 3), vision_width=4, vision_patch_size=None,
            context_length=25, vocab_size=97, transformer_width=16,
            transformer_heads=2, transformer_layers=2,
            transformer_decoder_layers=2)
NUM_SLOTS, MASK, EOS = 32, 95, 96  # 94 printable chars, then MASK, EOS
WORD_LENS = [(4, 7, 30), (1, 12, 25)]  # per image; > 24 chars are cut


def make_texts(gen: torch.Generator):
    """Token rows in the official format: chars 1..94, EOS after the last
    kept character (a word of >= 25 chars keeps 24 and EOS), one random
    character per word replaced by MASK; empty slots all zero."""
    b = len(WORD_LENS)
    texts = torch.zeros(b, NUM_SLOTS, 25, dtype=torch.long)
    chars = torch.zeros(b, NUM_SLOTS, dtype=torch.long)
    for i, lens in enumerate(WORD_LENS):
        for j, n in enumerate(lens):
            kept = min(n, 24)
            texts[i, j, :kept] = torch.randint(1, 95, (kept, ), generator=gen)
            texts[i, j, kept] = EOS
            p = int(torch.randint(0, kept, (1, ), generator=gen))
            chars[i, j] = texts[i, j, p]
            texts[i, j, p] = MASK
    return texts, chars


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('official', help='path of a bytedance/oclip checkout')
    p.add_argument('--out', default='tests/data/oclip/official_tiny.npz')
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    sys.path.insert(0, osp.abspath(args.official))
    from src.clip.model import oCLIP
    from src.training.train import get_loss

    torch.manual_seed(args.seed)
    model = oCLIP(**TINY)
    gen = torch.Generator().manual_seed(args.seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0, 0.1, generator=gen)
                m.running_mean.normal_(0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)
        for v in model.state_dict().values():
            if v.is_floating_point():
                v.copy_(v.half().float())
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()
    images = torch.randn(2, 3, 64, 64, generator=gen).half().float()
    texts, chars = make_texts(gen)
    image_masks = torch.zeros(2, 2, 2, dtype=torch.bool)
    ce = torch.nn.CrossEntropyLoss()
    fake_args = SimpleNamespace(distributed=False, aggregate=False, gpu=None,
                                char_loss_weight=1.0)
    with torch.no_grad():
        img_f, txt_f, logits, _ = model(images, texts, image_masks)
        words = model.encode_text(texts, None)
        char_loss, clip_loss = get_loss(model, images, texts, chars,
                                        image_masks, ce, ce, ce, fake_args)
    arrays = {f'sd/{k}': v.half().numpy() if v.is_floating_point() else
              v.numpy() for k, v in model.state_dict().items()}
    arrays.update(
        images=images.half().numpy(), texts=texts.numpy(), masked_chars=chars.numpy(),
        image_features=img_f.numpy(), text_features=txt_f.numpy(),
        word_features=words.numpy(), text_logits=logits.numpy(),
        char_loss=char_loss.numpy(), clip_loss=clip_loss.numpy(),
        config=np.array(json.dumps(TINY)))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f'{args.out}: {osp.getsize(args.out)} bytes; char_loss '
          f'{float(char_loss):.6f}, clip_loss {float(clip_loss):.6f}')


if __name__ == '__main__':
    main()
