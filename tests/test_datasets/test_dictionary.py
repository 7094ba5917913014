# Copyright (c) mmocr_vlp contributors. All rights reserved.
import pytest

from mmocr_vlp.datasets import TokenizeError, VLPDictionary, build_dictionary


def test_index_layout():
    d = VLPDictionary(chars='abc', with_unknown=True, oov='unknown')
    assert d.pad_idx == 0
    assert [d.char2idx[c] for c in 'abc'] == [1, 2, 3]
    assert d.unknown_idx == 4 and d.mask_idx == 5 and d.eos_idx == 6
    assert len(d) == d.num_tokens == 7
    d2 = VLPDictionary(chars='abc')
    assert d2.unknown_idx is None and d2.mask_idx == 4 and d2.eos_idx == 5


def test_printable_preset_default():
    d = VLPDictionary()
    assert d.num_chars == 94 and d.chars[0] == '!' and d.chars[-1] == '~'


def test_tokenize_pads_and_eos():
    d = VLPDictionary(chars='abc', max_len=4)
    tok, keep = d.tokenize(['ab', 'cab'])
    assert tok.shape == (2, 5)
    assert tok[0].tolist() == [1, 2, d.eos_idx, 0, 0]
    assert tok[1].tolist() == [3, 1, 2, d.eos_idx, 0]
    assert keep.tolist() == [0, 1]
    assert d.decode(tok[1]) == 'cab'


@pytest.mark.parametrize('policy,expect,kept', [
    ('drop', [1, 2], [0]),
    ('skip', None, []),
])
def test_oov_policies(policy, expect, kept):
    d = VLPDictionary(chars='abc', oov=policy)
    assert d.encode('a?b') == expect
    assert d.counters['oov_chars'] == 1
    assert d.tokenize(['a?b'])[1].tolist() == kept


def test_oov_unknown_and_error():
    d = VLPDictionary(chars='abc', with_unknown=True, oov='unknown')
    assert d.encode('a?') == [1, d.unknown_idx]
    with pytest.raises(ValueError, match='with_unknown'):
        VLPDictionary(chars='abc', oov='unknown')
    with pytest.raises(TokenizeError, match=r"'\?'"):
        VLPDictionary(chars='abc', oov='error').encode('a?')


def test_overlong_policies():
    assert VLPDictionary(chars='a', max_len=3).encode('aaaaa') == [1, 1, 1]
    d = VLPDictionary(chars='a', max_len=3, overlong='skip')
    assert d.encode('aaaa') is None
    assert d.stats()['skipped_overlong_words'] == 1
    with pytest.raises(TokenizeError, match='max_len=3'):
        VLPDictionary(chars='a', max_len=3, overlong='error').encode('aaaa')


def test_empty_and_non_string():
    d = VLPDictionary(chars='abc')
    assert d.encode('') is None
    assert d.encode('???') is None  # every character dropped
    assert d.stats()['skipped_empty_words'] == 2
    with pytest.raises(TokenizeError, match='must be str'):
        d.encode(None)
    tok, keep = d.tokenize([])
    assert tok.shape == (0, 26) and keep.shape == (0, )


def test_case_folding():
    d = VLPDictionary(preset='alnum_lower', case='lower')
    assert d.decode(d.tokenize(['HeLLo7'])[0][0]) == 'hello7'
    u = VLPDictionary(chars='ABC', case='upper')
    assert u.encode('abc') == [1, 2, 3]


def test_dict_file_and_from_texts(tmp_path):
    f = tmp_path / 'd.txt'
    f.write_text('a\nb\n \nc\n')
    d = VLPDictionary(dict_file=str(f))
    assert d.chars == ['a', 'b', ' ', 'c']
    bad = tmp_path / 'bad.txt'
    bad.write_text('a\nbc\n')
    with pytest.raises(ValueError, match='bad.txt:2'):
        VLPDictionary(dict_file=str(bad))
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        VLPDictionary(dict_file=str(tmp_path / 'nope.txt'))
    d2 = VLPDictionary.from_texts(['bba', 'b'])
    assert d2.chars == ['b', 'a']
    d2.save(str(tmp_path / 'out.txt'))
    assert VLPDictionary(dict_file=str(tmp_path / 'out.txt')).chars == [
        'b', 'a'
    ]


def test_build_from_config():
    d = build_dictionary(dict(preset='alnum', max_len=10))
    assert isinstance(d, VLPDictionary) and d.max_len == 10
    assert build_dictionary(d) is d
    with pytest.raises(ValueError, match='unknown preset'):
        VLPDictionary(preset='nope')


def test_min_len_drops_short_words():
    d = VLPDictionary(chars='abc', min_len=2)
    assert d.encode('a') is None and d.encode('ab') == [1, 2]
    assert d.encode('a?') is None  # 1 character left after dropping '?'
    assert d.stats()['skipped_short_words'] == 2
    assert d.tokenize(['a', 'abc'])[1].tolist() == [1]
    with pytest.raises(ValueError, match='min_len'):
        VLPDictionary(chars='abc', min_len=0)


def test_explicit_charset_overrides_inherited_preset(tmp_path):
    f = tmp_path / 'd.txt'
    f.write_text('x\ny\n')
    # what a config that inherits preset='printable' and adds dict_file gets
    d = build_dictionary(dict(preset='printable', dict_file=str(f)))
    assert d.chars == ['x', 'y']
    assert VLPDictionary(preset='alnum', chars='ab').chars == ['a', 'b']
    with pytest.raises(ValueError, match='not both'):
        VLPDictionary(chars='ab', dict_file=str(f))
