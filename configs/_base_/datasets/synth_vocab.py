# Synthetic set with a SMALL vocabulary (120 words, list words only), where
# every word recurs in ~50 training images: the regime in which weakly
# supervised contrastive localisation (WeCromCL) can learn on CPU. Render:
#   python tools/render_synth.py --out data/synth_vocab --train 2000 \
#     --val 100 --test 100 --size 192 \
#     --word-list mmocr_vlp/datasets/synth/assets/words_small.txt \
#     --word-sources dict=1 --max-words 5 --font-size 0.08,0.16 \
#     --views full,textonly --seed 0
synth_vocab_data_root = '{{$MMOCR_VLP_DATA:data}}/synth_vocab'

synth_vocab_textonly_train = dict(
    type='WeakTextDataset',
    data_root=synth_vocab_data_root,
    ann_file='train_textonly.json',
    data_prefix=dict(img_path=''),
    pipeline=None)
synth_vocab_full_val = dict(
    synth_vocab_textonly_train,
    ann_file='val_full.json',
    test_mode=True,
    min_instances=0)
synth_vocab_full_test = dict(synth_vocab_full_val, ann_file='test_full.json')
