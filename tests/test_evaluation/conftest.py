# Copyright (c) mmocr_vlp contributors. All rights reserved.
import pytest
from eval_helpers import LEXICON_DIR


@pytest.fixture
def lexicon_dir():
    return LEXICON_DIR
