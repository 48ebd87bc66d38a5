#!/usr/bin/env python3
# Converts twitter-text's conformance YAML (validate.yml, extract.yml) into
# the TSV files tests/unit/test_text.c reads (committed; rerun this after
# updating the YAML): one case a line, fields separated by tabs, with \\, \t
# and \n escaped. validate.tsv: section, text, weightedLength, valid (0/1).
# extract.tsv: section, text, then one field per expected URL
# ("url" for urls, "url start end" in code points for urls_with_indices).
import os
import yaml

here = os.path.dirname(os.path.abspath(__file__))


def esc(s):
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')


def load(name):
    with open(os.path.join(here, name), encoding='utf-8') as f:
        return yaml.safe_load(f)['tests']


v = load('validate.yml')
with open(os.path.join(here, 'validate.tsv'), 'w', encoding='utf-8') as out:
    for sec in ('WeightedTweetsCounterTest',
                'WeightedTweetsWithDiscountedEmojiCounterTest'):
        for c in v[sec]:
            e = c['expected']
            out.write('%s\t%s\t%d\t%d\n' % (sec, esc(c['text']),
                                            e['weightedLength'],
                                            1 if e['valid'] else 0))
x = load('extract.yml')
with open(os.path.join(here, 'extract.tsv'), 'w', encoding='utf-8') as out:
    for c in x['urls']:
        out.write('\t'.join(['urls', esc(c['text'])] +
                            [esc(u) for u in c['expected']]) + '\n')
    for c in x['urls_with_indices']:
        out.write('\t'.join(['urls_with_indices', esc(c['text'])] +
                            ['%s %d %d' % (esc(u['url']), u['indices'][0],
                                           u['indices'][1])
                             for u in c['expected']]) + '\n')
