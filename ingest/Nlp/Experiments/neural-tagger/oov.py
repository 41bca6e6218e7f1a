import sys, numpy as np, collections
exec(open('ens.py').read().split("for mode in ['written', 'lower']:")[0].replace("run = sys.argv[1]", "run = sys.argv[1]"))
sent, gold, pp, sc, dic = load('written')
lp = np.mean([np.load(f'{r}.written.npy') for r in run.split(',')], 0)
train = set(l.split('\t')[1] for l in open('/work/shared/data/ud-english-ewt/en_ewt-ud-train.conllu', encoding='utf-8') if l[0].isdigit() and '\t' in l)
forms = [l.split('\t')[2] for l in open('/work/.build/wt-neural/perc.dev.written.tsv').readlines()[1:]]
oov = np.array([f not in train for f in forms])
nn_ = lp.argmax(1); ens = np.where(dic, pp, (lp + float(sys.argv[2]) * sc).argmax(1))
for name, p in [('perceptron', pp), ('neural', nn_), ('ensemble', ens)]:
    print(f'{name:10s} all {np.mean(p == gold):.4%}  OOV ({oov.sum()}) {np.mean(p[oov] == gold[oov]):.2%}  known {np.mean(p[~oov] == gold[~oov]):.2%}  errors {np.sum(p != gold)}')
tags = open('/work/.build/wt-neural/perc.dev.written.tsv').readline().rstrip('\n').split('\t')[1].split(' ')
c = collections.Counter((tags[g], tags[p]) for g, p in zip(gold, ens) if g != p)
print('ensemble top confusions (gold,pred):', c.most_common(12))
