# Copyright (c) mmocr_vlp contributors. All rights reserved.
import torch

from mmocr_vlp.evaluation.metrics import MaskedCharAccuracy


def test_masked_char_accuracy_by_hand():
    m = MaskedCharAccuracy()
    m.process([], [
        dict(gt_instances=dict(mask_labels=torch.tensor([3, 5, -1])),
             pred_instances=dict(mask_pred_labels=torch.tensor([3, 4, 7]))),
        dict(gt_instances=dict(mask_labels=torch.tensor([2])),
             pred_instances=dict(mask_pred_labels=torch.tensor([2]))),
    ])
    # 3 counted words (the -1 has no maskable character), 2 right
    assert m.evaluate(2) == {'oclip/mask_acc': 2 / 3, 'oclip/words': 3.0}
