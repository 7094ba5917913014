# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The annotation schema's don't-care convention, written once.

An instance is don't-care (ignored by losses and metrics) when its ``ignore``
flag is set or its ``text`` is ``'###'``, the ICDAR convention that mmocr's
own dataset preparer keeps.
"""

IGNORE_TEXT = '###'


def is_ignored(instance: dict) -> bool:
    """Whether an annotation instance is don't-care.

    Args:
        instance (dict): One instance of the OCRDataset schema.

    Returns:
        bool: True when ``instance['ignore']`` is set or its text is
        :data:`IGNORE_TEXT`.
    """
    return bool(instance.get('ignore', False)) \
        or instance.get('text') == IGNORE_TEXT
