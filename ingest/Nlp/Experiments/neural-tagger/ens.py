# Ensemble of the shipped perceptron (scores dumped by dump/) with the neural tagger's dev log-probs.
import sys, numpy as np
run = sys.argv[1]
def load(mode):
    f = open(f'/work/.build/wt-neural/perc.dev.{mode}.tsv'); tags = f.readline().rstrip('\n').split('\t')[1].split(' ')
    tid = {t: i for i, t in enumerate(tags)}; K = len(tags)
    sent, gold, pp, sc, dic = [], [], [], [], []
    for line in f:
        s, i, form, g, p, v = line.rstrip('\n').split('\t')
        sent.append(int(s)); gold.append(tid[g]); pp.append(tid[p])
        if v == '-': dic.append(True); sc.append(np.zeros(K))
        else: dic.append(False); sc.append(np.array([float(x) for x in v.split(' ')]))
    return np.array(sent), np.array(gold), np.array(pp), np.array(sc), np.array(dic)
for mode in ['written', 'lower']:
    sent, gold, pp, sc, dic = load(mode)
    lp = np.mean([np.load(f'{r}.{mode}.npy') for r in run.split(',')], 0); assert lp.shape[0] == len(gold)
    nn_ = lp.argmax(1)
    srt = np.sort(sc, 1); margin = np.where(dic, np.inf, srt[:, -1] - srt[:, -2])
    N = len(gold); nS = sent.max() + 1
    print(f'== {mode}: tokens {N}, perceptron {np.mean(pp == gold):.4%}, neural {np.mean(nn_ == gold):.4%}, '
          f'dict tokens {dic.mean():.1%} (perc acc there {np.mean(pp[dic] == gold[dic]):.4%}, neural {np.mean(nn_[dic] == gold[dic]):.4%})')
    oracle = np.mean((pp == gold) | (nn_ == gold)); print(f'   oracle (either right) {oracle:.4%}')
    halves = [sent % 2 == 0, sent % 2 == 1]
    def combo(w, m):  # weighted sum where margin < m (non-dict), perceptron tag elsewhere
        comb = (lp + w * sc).argmax(1)
        return np.where(margin < m, comb, pp)
    ws = [0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0]
    ms = np.quantile(margin[~dic], [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]).tolist()[:-1] + [np.inf]
    # full-sum (all non-dict tokens) for each w
    print('   weighted sum on all model-scored tokens (dict tokens keep dict tag):')
    for w in ws:
        p = combo(w, np.inf); print(f'     w={w:<5} {np.mean(p == gold):.4%}')
    # also neural everywhere incl dict tokens
    p = np.where(dic, (lp).argmax(1), (lp + 0.3 * sc).argmax(1)); print(f'     (w=0.3 also overriding dict tokens) {np.mean(p == gold):.4%}')
    print('   gating by perceptron margin (token fraction, sentence fraction needing the neural model): acc for w in', ws[:10])
    for m in ms:
        need = margin < m; sfrac = len(np.unique(sent[need])) / nS
        accs = [np.mean(combo(w, m) == gold) for w in ws[:10]]
        print(f'     m<{m:8.3f} tok {need.mean():6.1%} sent {sfrac:6.1%}: ' + ' '.join(f'{a:.4%}' for a in accs))
    # honest: tune (w, m) on one half, evaluate on the other
    tot = 0
    for a, b in [(0, 1), (1, 0)]:
        best = max(((np.mean(combo(w, m)[halves[a]] == gold[halves[a]]), w, m) for w in ws for m in ms))
        accb = np.mean(combo(best[1], best[2])[halves[b]] == gold[halves[b]]); tot += accb * halves[b].sum()
        print(f'   tuned on half {a}: w={best[1]} m={best[2]:.3f} -> half {b} {accb:.4%}')
    print(f'   cross-tuned dev accuracy {tot / N:.4%}')
