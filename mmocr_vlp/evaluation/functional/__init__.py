# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .geometry import (gt_centers, point_in_polygon, points_in_polygons,
                       polygon_center)
from .json_eval import evaluate_spotting_json
from .lexicon import (LEXICON_THR, LEXICON_TYPES, Lexicon, LexiconSource,
                      correct_with_lexicon, find_match_word, load_lexicon,
                      load_pair_list)
from .matching import (compute_prf, match_points_to_centers,
                       match_texts_by_edit_distance,
                       normalized_edit_distance_matrix)
from .text import (fold_case, normalize_word_spotting, texts_equal,
                   word_spotting_filter)
from .threshold import (SPTS_SCORE_THRS, best_index, build_thresholds,
                        select_threshold_on_val)

__all__ = [
    'gt_centers', 'point_in_polygon', 'points_in_polygons', 'polygon_center',
    'evaluate_spotting_json', 'LEXICON_THR', 'LEXICON_TYPES', 'Lexicon',
    'LexiconSource', 'correct_with_lexicon', 'find_match_word', 'load_lexicon',
    'load_pair_list', 'compute_prf', 'match_points_to_centers',
    'match_texts_by_edit_distance', 'normalized_edit_distance_matrix',
    'fold_case', 'normalize_word_spotting', 'texts_equal',
    'word_spotting_filter', 'SPTS_SCORE_THRS', 'best_index',
    'build_thresholds', 'select_threshold_on_val'
]
