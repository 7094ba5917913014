# Copyright (c) mmocr_vlp contributors. All rights reserved.
import os.path as osp

import pytest

from mmocr_vlp.evaluation.functional import (Lexicon, LexiconSource,
                                             correct_with_lexicon,
                                             find_match_word, load_lexicon,
                                             load_pair_list,
                                             normalize_word_spotting,
                                             texts_equal, word_spotting_filter)


@pytest.mark.parametrize(
    'text,expected',
    [
        ("it's", None),  # -> "it", shorter than 3 -> don't care
        ("abc's", 'abc'),  # trailing 's stripped
        ("ABC'S", 'ABC'),
        ('-abc-', 'abc'),  # edge hyphens stripped
        ('ab-cd', 'ab-cd'),  # inner hyphen kept, hyphen is allowed
        ('a.b', None),  # '.' -> space -> don't care
        ('abc!', 'abc'),  # trailing special -> stripped space
        ('(abc)', 'abc'),
        ("o'neil", None),  # apostrophe -> space (SPTS maps it too)
        ('ab', None),  # too short
        ('abc', 'abc'),
        ('Straße', 'Straße'),  # Latin-1 letters are Latin
        ('αβγ', 'αβγ'),  # Greek is accepted by the official script
        ('中文字', None),  # non-Latin
        ('abc1', None),  # digits are not in the allowed set
        ('a×b', None),  # explicitly rejected character
        ('###', None),
    ])
def test_word_spotting_filter(text, expected):
    assert word_spotting_filter(text) == expected


def test_normalize_word_spotting_steps():
    assert normalize_word_spotting("it's") == 'it'
    assert normalize_word_spotting('-abc-') == 'abc'
    assert normalize_word_spotting('a.b') == 'a b'
    assert normalize_word_spotting('a/b[c]') == 'a b c'


def test_texts_equal_case_insensitive():
    assert texts_equal('Hello', 'hELLO')
    assert not texts_equal('Hello', 'Hello!')


def test_load_lexicon_and_pairs(lexicon_dir):
    words = load_lexicon(osp.join(lexicon_dir, 'weak.txt'))
    assert words == ['HELLO', 'WORLD', 'STOP', 'SHOP']
    pairs = load_pair_list(osp.join(lexicon_dir, 'weak_pair_list.txt'))
    assert pairs == {
        'HELLO': 'Hello',
        'WORLD': 'World!',
        'STOP': 'Stop',
        'SHOP': 'Shop'
    }


def test_load_pair_list_keeps_spaces_in_gt(tmp_path):
    f = tmp_path / 'pairs.txt'
    f.write_text('newyork New York\nabc\n')
    assert load_pair_list(str(f)) == {'NEWYORK': 'New York', 'ABC': 'abc'}


def test_missing_lexicon_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        load_lexicon(str(tmp_path / 'nope.txt'))


def test_correction_threshold():
    lex = ['HELLO', 'WORLD', 'STOP', 'SHOP']
    # ED 1 / 5 = 0.2 < 0.4: replaced by the upper-cased lexicon word
    assert correct_with_lexicon('hellx', lex) == 'HELLO'
    # ED 2 / 5 = 0.4 is not < 0.4: dropped
    assert find_match_word('HELXY', lex) == (0, pytest.approx(0.4))
    assert correct_with_lexicon('helxy', lex) is None
    # Generic lexicon of ICDAR: always replace
    assert correct_with_lexicon('helxy', lex, always_replace=True) == 'HELLO'
    # ED 1 / 4 = 0.25 accepted; longer prediction normalised by max length
    assert correct_with_lexicon('stopp', lex) == 'STOP'  # 1 / 5
    assert correct_with_lexicon('stoppp', lex) == 'STOP'  # 2 / 6 = 0.33
    assert find_match_word('stoppp', lex) == (2, pytest.approx(2 / 6))
    assert correct_with_lexicon('stopppp', lex) is None  # 3 / 7 = 0.43


def test_correction_tie_takes_first_lexicon_word():
    # "SXOP" is 1 edit from both SHOP and STOP: the first listed wins
    assert correct_with_lexicon('sxop', ['SHOP', 'STOP']) == 'SHOP'
    assert correct_with_lexicon('sxop', ['STOP', 'SHOP']) == 'STOP'


def test_pair_list_remaps_to_gt_spelling(lexicon_dir):
    lex = Lexicon.from_files(osp.join(lexicon_dir, 'weak.txt'),
                             osp.join(lexicon_dir, 'weak_pair_list.txt'))
    assert lex.correct('worlf') == 'World!'
    assert lex.correct('Hello') == 'Hello'
    no_pairs = Lexicon.from_files(osp.join(lexicon_dir, 'weak.txt'))
    assert no_pairs.correct('worlf') == 'WORLD'


def test_strong_lexicon_lookup_by_img_path(lexicon_dir):
    src = LexiconSource('strong', osp.join(lexicon_dir, 'strong'),
                        osp.join(lexicon_dir, 'strong_pairs'))
    lex1 = src.get('data/icdar2015/imgs/img_1.jpg')
    lex2 = src.get('img_2.png')
    assert lex1.words == ['HELLO', 'WORLD']
    assert lex2.words == ['STOP']
    # "STOX" is far from HELLO/WORLD -> dropped in img_1, STOP in img_2
    assert lex1.correct('stox') is None
    assert lex2.correct('stox') == 'St-op'
    with pytest.raises(FileNotFoundError, match='voc_img_3.txt'):
        src.get('img_3.jpg')


def test_lexicon_source_validation(lexicon_dir):
    assert not LexiconSource(None).enabled
    assert LexiconSource(None).get('x.jpg') is None
    with pytest.raises(ValueError, match='lexicon_type'):
        LexiconSource('medium', 'x')
    with pytest.raises(ValueError, match='needs `path`'):
        LexiconSource('weak')
    weak = LexiconSource('weak', osp.join(lexicon_dir, 'weak.txt'))
    assert weak.get('anything.jpg') is weak.get('other.jpg')


def test_pruned_search_equals_brute_force_spts_rule():
    """The length-pruned search gives what a plain loop over the lexicon
    with the SPTS rule (first strictly smaller distance wins) gives."""
    import random

    from rapidfuzz.distance import Levenshtein
    rng = random.Random(1)

    def rand_word(alphabet='ABC'):
        return ''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))

    for _ in range(100):
        words = [rand_word() for _ in range(rng.randint(1, 40))]
        lex = Lexicon(words)
        for _ in range(10):
            q = rand_word('ABCabc')
            best, best_word = 100.0, None
            for w in words:
                d = Levenshtein.distance(q.upper(), w) / max(len(q), len(w))
                if d < best:
                    best, best_word = d, w
            assert lex.correct(q) == (best_word if best < 0.4 else None)
            assert lex.correct(q, always_replace=True) == best_word
